#!/usr/bin/env bash
# What the access log costs: get_by_id with `--log-level info` (the default: a line per request)
# against `--log-level warn` (no access log), in one run, on one seeded database.
#
#   bench/log_ab.sh                      # 5 rounds of 10 s each way, about 3 minutes
#   BENCH_RUNS=3 BENCH_DURATION=5 bench/log_ab.sh
#
# Each round runs both servers in turn (the order alternating from round to round, so a drift of
# the machine does not favour one side), each on its own copy of the seeded database, its log in
# a file as a service's would be, with a 3 s warm-up, then wrk -t2 -c64 for BENCH_DURATION
# seconds. It prints each run and the medians, and their ratio (info / warn). Installs wrk (as
# root) and builds the release binary like bench/run.sh; BENCH_SKIP_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${BENCH_RUNS:-5}
duration=${BENCH_DURATION:-10}
scale=${BENCH_SCALE:-0.25}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "wrk is missing: sudo apt-get install -y wrk" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null
fi
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  scripts/setup.sh
  cmake --preset release >/dev/null
  cmake --build --preset release --target track-tracker
fi
binary=$repo/build/release/track-tracker

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
  [[ -z $server_pid ]] || wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_server DB LEVEL: sets server_pid and api.
start_server() {
  "$binary" serve --listen 127.0.0.1:0 --db "sqlite:$1" --log-level "$2" \
    >"$work/server.out" 2>"$work/server-$2.log" &
  server_pid=$!
  api=""
  for _ in $(seq 200); do
    api=$(sed -n 's|^track-tracker listening on \(http://[0-9.:]*\).*|\1|p' "$work/server.out")
    [[ -n $api ]] && return
    sleep 0.05
  done
  echo "the server did not start" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

echo "== seeding (scale $scale)"
start_server "$work/seed.db" warn
python3 bench/seed.py --api "$api" --out "$work/data" --scale "$scale" >"$work/seed.log"
stop_server
export BENCH_DATA_DIR=$work/data BENCH_WRK_DIR=$repo/bench/wrk

# utime + stime of the server, in clock ticks.
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

declare -A rps cpu
for round in $(seq "$runs"); do
  order=(info warn)
  ((round % 2 == 0)) && order=(warn info)
  for level in "${order[@]}"; do
    cp "$work/seed.db" "$work/round.db"
    start_server "$work/round.db" "$level"
    BENCH_SCENARIO=get_by_id wrk -t2 -c64 -d3s -s bench/wrk/get_by_id.lua "$api" >/dev/null
    cpu0=$(server_cpu_ticks)
    BENCH_SCENARIO=get_by_id wrk -t2 -c64 -d"${duration}s" -s bench/wrk/get_by_id.lua "$api" \
      >"$work/wrk.txt"
    cpu1=$(server_cpu_ticks)
    stop_server
    result=$(python3 - "$work/wrk.txt" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
r = json.loads(next(l for l in open(sys.argv[1]) if l.startswith("RESULT "))[7:])
cpu_us = int(sys.argv[2]) / int(sys.argv[3]) * 1e6 / max(r["requests"], 1)
print(f"{r['rps']:.0f} {r['p99_ms']:.2f} {r['non2xx']} {cpu_us:.1f}")
PY
)
    read -r value p99 non2xx cpu_us <<<"$result"
    lines=$(grep -c ' route=' "$work/server-$level.log" || true)
    printf 'round %d  %-4s  %8s req/s  p99 %6s ms  server CPU %6s us/request  non-2xx %s  access-log lines %s\n' \
      "$round" "$level" "$value" "$p99" "$cpu_us" "$non2xx" "$lines"
    rps[$level]+="$value "
    cpu[$level]+="$cpu_us "
  done
done
python3 - "${rps[info]}" "${rps[warn]}" "${cpu[info]}" "${cpu[warn]}" <<'PY'
import statistics, sys
info, warn, cpu_info, cpu_warn = ([float(x) for x in arg.split()] for arg in sys.argv[1:5])
median = statistics.median
spread = lambda xs: (max(xs) - min(xs)) / median(xs)
print(f"median throughput: info {median(info):.0f} req/s, warn {median(warn):.0f} req/s, "
      f"info/warn = {median(info) / median(warn):.3f}; spread of the rounds (max-min)/median: "
      f"info {spread(info):.1%}, warn {spread(warn):.1%}")
print(f"median server CPU: info {median(cpu_info):.1f} us/request, warn {median(cpu_warn):.1f} "
      f"us/request, info/warn = {median(cpu_info) / median(cpu_warn):.3f}; spread: "
      f"info {spread(cpu_info):.1%}, warn {spread(cpu_warn):.1%}")
PY
