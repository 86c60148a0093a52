#!/usr/bin/env bash
# Benchmarks the release server against an nginx ceiling and a Node.js peer (bench/peer/) and
# writes docs/BENCHMARKS.md. See bench/README.md. Runnable on a fresh clone: installs wrk and
# nginx (as root), builds the release binary, starts it on a fresh SQLite file in a temporary
# directory (or on dynalite), seeds it over HTTP, runs the wrk scenarios, does the same with the
# peer, and stops everything it started.
#
# Environment (defaults in brackets):
#   BENCH_BACKEND [sqlite]   sqlite (a fresh file), or dynamodb (dynalite, an in-memory DynamoDB
#                            emulator on Node.js: needs node and npm; runs `npm ci` if needed)
#   BENCH_SCALE [1]          seed size: 1 = 2,000 competitions, 1,000 athletes, 20,000 events
#   BENCH_EVENTS_PER_ATHLETE [20]  events each athlete adds (1000 at scale 1: 1,000,000 events)
#   BENCH_SEED_WORKERS [12], BENCH_SEED_EVENT_WORKERS [64]  the seeder's client threads
#   BENCH_RUNS [3]           rounds: the ceiling and every scenario are measured this many times
#                            after one seeding, and the report gives the medians
#   BENCH_DURATION [10]      measured seconds per scenario
#   BENCH_WARMUP [3]         warm-up seconds before each measurement (not reported)
#   BENCH_THREADS [2]        wrk threads
#   BENCH_CONNECTIONS [64]   wrk connections
#   BENCH_TIMEOUT [30]       wrk request timeout, seconds
#   BENCH_SCENARIOS [all]    space-separated subset, e.g. "get_by_id feed"
#   BENCH_DOC [docs/BENCHMARKS.md]  file whose generated section is replaced; empty: none
#   BENCH_KEEP [0]           1 keeps the temporary directory (database, logs, raw outputs)
#   BENCH_SERVER_ARGS []     extra arguments for `track-tracker serve`, e.g. "--threads 1"
#   BENCH_LOG_LEVEL [info]   the server's --log-level; info (its default) writes the access log
#   BENCH_SKIP_BUILD [0]     1 runs the existing build/release/track-tracker without building
#   BENCH_WAIT_QUIET [0]     before each measured run, wait up to this many seconds for the
#                            machine to be idle (for shared machines)
#   BENCH_PEER [1 on sqlite, 0 on dynamodb]  1 measures the Node.js peer (bench/peer/: Fastify +
#                            better-sqlite3, 2 cluster workers) in every round too; needs node and
#                            npm, runs `npm ci` in bench/peer if needed
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD

backend=${BENCH_BACKEND:-sqlite}
scale=${BENCH_SCALE:-1}
events_per_athlete=${BENCH_EVENTS_PER_ATHLETE:-20}
runs=${BENCH_RUNS:-3}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-64}
timeout=${BENCH_TIMEOUT:-30}
doc=${BENCH_DOC-docs/BENCHMARKS.md}
read -r -a scenarios <<<"${BENCH_SCENARIOS:-get_by_id get_by_id_during_sign_in batch_get_100 list_page feed feed_1conn feed_200 create_competition add_event sign_in mixed}"
read -r -a server_extra <<<"${BENCH_SERVER_ARGS:-}"
log_level=${BENCH_LOG_LEVEL:-info}
# The peer runs on SQLite whatever the backend: beside dynalite it would compare two databases.
peer=${BENCH_PEER:-$([[ $backend == sqlite ]] && echo 1 || echo 0)}
# Scenarios the peer does not serve (none today): skipped against it, and said so.
peer_unsupported=""

log() { printf '\n== %s\n' "$*"; }

if [[ $backend != sqlite && $backend != dynamodb ]]; then
  echo "BENCH_BACKEND must be sqlite or dynamodb, got \"$backend\"" >&2
  exit 2
fi
if [[ $peer != 0 && $peer != 1 ]]; then
  echo "BENCH_PEER must be 0 or 1, got \"$peer\"" >&2
  exit 2
fi
if [[ ! $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "BENCH_RUNS must be a positive integer, got \"$runs\"" >&2
  exit 2
fi

# ---- Tools -----------------------------------------------------------------------------------

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v python3 >/dev/null || missing+=(python3)
if [[ $backend == dynamodb || $peer == 1 ]]; then
  command -v node >/dev/null || missing+=(nodejs)
fi
if [[ $backend == dynamodb && ! -d node_modules/dynalite ]] ||
  [[ $peer == 1 && ! -d bench/peer/node_modules ]]; then
  command -v npm >/dev/null || missing+=(npm)
fi
if ((${#missing[@]} > 0)); then
  install="apt-get install -y --no-install-recommends ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing: ${missing[*]}. Run as root:" >&2
    echo "  sudo apt-get update && sudo $install" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $install >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
# Fastify 5 and better-sqlite3 12 need Node.js 20 or later; Debian 12's own nodejs is 18. Without
# it the run goes on without the peer, and the report says why.
peer_skipped=""
if [[ $peer == 1 ]] && (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  peer_skipped="Node.js $(node --version) is older than 20, which Fastify 5 and better-sqlite3 12 need"
  echo "warning: not measuring the peer: $peer_skipped (install Node.js 20 or later, e.g. from" \
    "NodeSource; BENCH_PEER=0 silences this)" >&2
  peer=0
fi

binary=$repo/build/release/track-tracker
# The commit the binary is built from, read now: the tree may move on during the run. Changes
# to bench/ and docs/ do not change the binary. (--no-optional-locks: a read-only status that
# does not even refresh the index.)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git --no-optional-locks status --porcelain --untracked-files=no -- . ':!bench' ':!docs' 2>/dev/null) ]]; then
  commit+=" (with uncommitted changes outside bench/ and docs/)"
fi
if [[ ${BENCH_SKIP_BUILD:-0} == 1 && -x $binary ]]; then
  log "using the existing $binary (BENCH_SKIP_BUILD=1)"
else
  log "building the release binary"
  scripts/setup.sh
  cmake --preset release >/dev/null
  cmake --build --preset release
fi

# ---- Processes and cleanup -------------------------------------------------------------------

work=$(mktemp -d -t tt-bench.XXXXXX)
results=$work/results
mkdir -p "$results" "$work/nginx"
server_pid=""
nginx_pid=""
child_pid="" # the wrk or Python client running now
dynalite_pid=""
storm_pid="" # the background sign_in wrk of get_by_id_during_sign_in
peer_pid="" # the peer's primary process (its workers exit with it)
measured_end="" # when the last measured wrk run ended ($EPOCHREALTIME)

stop() { # pid [signal]: signals a process we started and waits up to 15 s for it to exit
  local pid=$1 signal=${2:-TERM}
  kill "-$signal" "$pid" 2>/dev/null || return 0
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck does not follow
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -n $child_pid ]] && stop "$child_pid"
  [[ -n $storm_pid ]] && stop "$storm_pid"
  [[ -n $nginx_pid ]] && stop "$nginx_pid" QUIT
  [[ -n $server_pid ]] && stop "$server_pid"
  [[ -n $peer_pid ]] && stop "$peer_pid"
  [[ -n $dynalite_pid ]] && stop "$dynalite_pid"
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a client in the background so that the trap can stop it, and waits for it.
run_child() {
  "$@" &
  child_pid=$!
  local status=0
  wait "$child_pid" || status=$?
  child_pid=""
  return "$status"
}

rss_kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$server_pid/status"; }
# pid: the resident memory (KiB) of that process and its children (the peer and its workers).
tree_rss_kib() { ps -o rss= --pid "$1" --ppid "$1" | awk '{ sum += $1 } END { print sum + 0 }'; }

wait_for_port() { # port: waits up to 10 s for a listener
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# CPU seconds every process on the machine has used (user, nice, system, irq, softirq, steal).
cpu_busy_s() {
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}
# CPU seconds used by the children this shell has waited for (server, nginx, wrk, Python), from
# the `times` builtin (run in this shell: in a subshell it would see none of them).
children_cpu_s() {
  awk 'END { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); sum += t[1] * 60 + t[2] }; printf "%.2f\n", sum }' "$1"
}
# What else runs on the machine skews the results: warn, and measure it (see "other_cpu_s").
loadavg_start=$(cut -d ' ' -f 1 /proc/loadavg)
if awk -v load="$loadavg_start" 'BEGIN { exit !(load > 0.5) }'; then
  echo "warning: load average $loadavg_start: other work on this machine will skew the results" >&2
fi
busy_start=$(cpu_busy_s)
times >"$work/times.start"
wall_start=$(date +%s)

# Writes are synchronous=FULL: their rate follows the latency of a sync where the database is.
fsync_ms=""
if [[ $backend == sqlite ]]; then
  fsync_ms=$(python3 - "$work" <<'PY'
import os, statistics, sys, time
path = os.path.join(sys.argv[1], "fsync.probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
samples = []
for i in range(200):
    os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
    start = time.perf_counter()
    os.fdatasync(fd)  # what SQLite calls on Linux
    samples.append(time.perf_counter() - start)
os.close(fd)
os.unlink(path)
print(f"{statistics.median(samples) * 1000:.2f}")
PY
  )
  echo "fdatasync of a 4 KiB write in $work: $fsync_ms ms (median of 200)"
fi

# ---- DynamoDB (dynalite) ---------------------------------------------------------------------

db=sqlite:$work/track.db
if [[ $backend == dynamodb ]]; then
  if [[ ! -d node_modules/dynalite ]]; then
    log "installing dynalite (npm ci)"
    npm ci --no-audit --no-fund
  fi
  log "starting dynalite"
  # As the tests do: tests/support/dynalite_server.js exits when its stdin closes, so it is kept
  # open by a pipe this shell holds (a coprocess), and dynalite ends with this script.
  coproc DYNALITE { exec node tests/support/dynalite_server.js 0 2>"$work/dynalite.err"; }
  # shellcheck disable=SC2153 # DYNALITE_PID is set by coproc
  dynalite_pid=$DYNALITE_PID
  dynalite_line=""
  read -r -t 30 dynalite_line <&"${DYNALITE[0]}" || true
  dynalite_port=${dynalite_line#dynalite listening on }
  if [[ ! $dynalite_port =~ ^[0-9]+$ ]]; then
    cat "$work/dynalite.err" >&2
    echo "dynalite did not print its port (got \"$dynalite_line\")" >&2
    exit 1
  fi
  echo "dynalite listening on 127.0.0.1:$dynalite_port (pid $dynalite_pid)"
  db=dynamodb:http://127.0.0.1:$dynalite_port
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
fi

# ---- The server ------------------------------------------------------------------------------

# The log goes to a file, as a service's stderr usually does (journald, a file), not to a pipe.
server_args=(serve --listen 127.0.0.1:0 --db "$db" --log-level "$log_level" "${server_extra[@]}")
# Waits until process PID, which prints "<what> listening on http://127.0.0.1:<port>" to OUT
# (stderr to ERR), has printed its port, checking every 0.1 s up to TRIES times; sets `port`.
# Exits the script when the process dies first or never prints it.
wait_for_address() {
  local what=$1 pid=$2 out=$3 err=$4 tries=$5
  port=""
  for _ in $(seq "$tries"); do
    port=$(sed -n "s|^$what listening on http://127\\.0\\.0\\.1:\\([0-9][0-9]*\\).*|\\1|p" "$out")
    [[ -n $port ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$err" >&2
      echo "$what exited at start" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$what did not print its address" >&2
  exit 1
}
# Starts the server (server_pid, api); its log goes on after earlier starts' in server.err.
start_server() {
  log "starting track-tracker ${server_args[*]}"
  "$binary" "${server_args[@]}" >"$work/server.out" 2>>"$work/server.err" &
  server_pid=$!
  wait_for_address track-tracker "$server_pid" "$work/server.out" "$work/server.err" 100
  api=http://127.0.0.1:$port
  echo "listening on $api (pid $server_pid)"
}
start_server
sleep 1
rss_idle=$(rss_kib VmRSS)
echo "VmRSS idle after start: $rss_idle KiB"

# ---- Seeding ---------------------------------------------------------------------------------

log "seeding over HTTP (scale $scale, $events_per_athlete events per athlete)"
run_child python3 bench/seed.py --api "$api" --out "$work/data" --scale "$scale" \
  --events-per-athlete "$events_per_athlete"
cp "$work/data/seed.json" "$results/seed.json"
rss_seeded=$(rss_kib VmRSS)

log "counting SQL statements or DynamoDB calls per request"
run_child python3 bench/probe.py --api "$api" --data "$work/data" --out "$results/probe.json"

# The write scenarios add some 300,000 rows a round (and the file grows 25x over three rounds
# against one server), so each round runs on its own copy of the database as seeded: the rounds
# then measure the same data, the data the seeding describes. dynalite keeps its data in memory,
# so there the rounds share one seeding.
seeded_copy=""
hwm_seeded=$(rss_kib VmHWM)
if [[ $backend == sqlite ]]; then
  stop "$server_pid"  # a clean stop checkpoints the WAL into the file
  server_pid=""
  seeded_copy=$work/seeded.db
  cp "$work/track.db" "$seeded_copy"
  [[ ! -s $work/track.db-wal ]] || cp "$work/track.db-wal" "$seeded_copy-wal"
fi

# ---- The peer (bench/peer/) ------------------------------------------------------------------

# The peer gets the same treatment on its own SQLite file: started empty, seeded over HTTP by
# seed.py with the same settings (its ids and tokens in $work/peer-data), stopped (the primary
# has its workers close their servers and databases, which checkpoints the WAL), copied, and
# each round starts it on a fresh copy.
peer_dir=$work/peer
peer_seeded=$peer_dir/seeded.db
# Starts the peer on $peer_dir/peer.db (peer_pid, peer_api); its log goes on in server.err.
start_peer() {
  log "starting the peer: node bench/peer/server.js --workers 2"
  node bench/peer/server.js --listen 127.0.0.1:0 --db "$peer_dir/peer.db" --workers 2 \
    >"$peer_dir/server.out" 2>>"$peer_dir/server.err" &
  peer_pid=$!
  wait_for_address peer "$peer_pid" "$peer_dir/server.out" "$peer_dir/server.err" 300
  peer_api=http://127.0.0.1:$port
  echo "peer listening on $peer_api (pid $peer_pid and its 2 workers)"
}
if [[ $peer == 1 ]]; then
  if [[ ! -d bench/peer/node_modules ]]; then
    log "installing the peer's packages (npm ci in bench/peer)"
    (cd bench/peer && npm ci --no-audit --no-fund)
  fi
  mkdir -p "$peer_dir" "$results/peer"
  start_peer
  sleep 1
  peer_rss_idle=$(tree_rss_kib "$peer_pid")
  log "seeding the peer over HTTP (the same seeding)"
  run_child python3 bench/seed.py --api "$peer_api" --out "$work/peer-data" --scale "$scale" \
    --events-per-athlete "$events_per_athlete"
  cp "$work/peer-data/seed.json" "$results/peer/seed.json"
  peer_rss_seeded=$(tree_rss_kib "$peer_pid")
  stop "$peer_pid"
  peer_pid=""
  cp "$peer_dir/peer.db" "$peer_seeded"
  [[ ! -s $peer_dir/peer.db-wal ]] || cp "$peer_dir/peer.db-wal" "$peer_seeded-wal"
fi

# ---- wrk -------------------------------------------------------------------------------------

# BENCH_DATA_DIR (the seeded ids and tokens the wrk scripts read) is set per server measured.
export BENCH_WRK_DIR=$repo/bench/wrk

# wrk-output-file cpu-file: one line with requests/s, p50, p99, non-2xx (by status), socket
# errors, and the share of the machine's CPUs other processes used meanwhile (when the CPU file
# has it).
summarise() {
  python3 - "$1" "$2" "$duration" <<'PY'
import json, os, sys
r = json.loads(next(l for l in open(sys.argv[1]) if l.startswith("RESULT "))[7:])
cpu = dict(line.strip().split("=") for line in open(sys.argv[2]) if "=" in line)
statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
line = (f"{r['rps']:9.0f} req/s  p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  "
        f"non-2xx {r['non2xx']}{f' ({statuses})' if statuses else ''}  "
        f"socket errors {sum(r['socket_errors'].values())}")
if "other_cpu_s" in cpu:
    others = 100 * float(cpu["other_cpu_s"]) / (float(sys.argv[3]) * os.cpu_count())
    line += f"  others' CPU {others:.0f}%"
print(line)
PY
}

# wrk-output-file connections: seconds for the requests a run left in flight to drain, about
# connections / rate (at most 15), plus one.
drain_seconds() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.loads(next(l for l in open(sys.argv[1]) if l.startswith("RESULT "))[7:])
print(round(min(int(sys.argv[2]) / max(r["rps"], 1), 15) + 1, 1))
PY
}

# pid: CPU seconds used so far by that process (all its threads) and its live children
# (nginx's workers).
tree_cpu_s() {
  python3 - "$1" <<'PY'
import os, sys
root, total = int(sys.argv[1]), 0
for entry in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{entry}/stat") as file:
            stat = file.read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()  # from field 3, state
    if root in (int(entry), int(fields[1])):
        total += int(fields[11]) + int(fields[12])  # utime, stime
print(round(total / os.sysconf("SC_CLK_TCK"), 2))
PY
}

# wrk-output-file connections pid: waits for the requests a run left in flight to drain: the
# drain_seconds estimate, then as long as the process measured (with its children) keeps using
# CPU (over 0.03 CPU-seconds in half a second: sign-ins still queued for hashing on a slow or
# busy machine), at most 120 s more, so that the next run does not start behind them. (While the
# background sign_in storm runs, the server is busy by design: the estimate only.)
drain() {
  sleep "$(drain_seconds "$1" "$2")"
  [[ -z $storm_pid ]] || return 0
  local deadline=$((SECONDS + 120)) before after
  after=$(tree_cpu_s "$3")
  while ((SECONDS < deadline)); do
    before=$after
    sleep 0.5
    after=$(tree_cpu_s "$3")
    if awk -v a="$before" -v b="$after" 'BEGIN { exit !(b - a < 0.03) }'; then return 0; fi
  done
  echo "warning: pid $3 was still busy 120 s after the run (its requests had not drained)" >&2
}

# Waits, at most BENCH_WAIT_QUIET seconds, for a 3-second window in which the whole machine
# uses under 0.3 CPU-seconds (the idle server uses next to none).
wait_quiet() {
  local deadline=$((SECONDS + ${BENCH_WAIT_QUIET:-0})) before
  while ((SECONDS < deadline)); do
    before=$(cpu_busy_s)
    sleep 3
    if awk -v a="$before" -v b="$(cpu_busy_s)" 'BEGIN { exit !(b - a < 0.3) }'; then return 0; fi
  done
}

# name script url pid [threads connections]: warm-up, then the measured run into
# $out_dir/name.txt, and into $out_dir/name.cpu the CPU-seconds used meanwhile by the process
# measured (pid, with its children), by wrk, by the background sign_in storm's wrk when one runs,
# by dynalite when it is the database, and by everything else on the machine.
measure() {
  local name=$1 script=$2 url=$3 pid=$4 t=${5:-$threads} c=${6:-$connections}
  local busy0 busy1 target0 target1 storm0=0 storm1=0 db0=0 db1=0
  printf '%-24s ' "$name"
  if ((warmup > 0)); then
    BENCH_SCENARIO=$name run_child wrk -t"$t" -c"$c" -d"${warmup}s" --timeout "${timeout}s" \
      -s "$script" "$url" >"$out_dir/$name.warmup.txt"
    # wrk stops with up to one request per connection in flight and the server still finishes
    # them (sign-ins stay queued in the bounded hashing pool and would make the next run
    # answer 503): after each run, wait for them to drain.
    drain "$out_dir/$name.warmup.txt" "$c" "$pid"
  fi
  # (Under the sign_in storm the machine is busy by design: no waiting for it to be quiet.)
  [[ -n $storm_pid ]] || wait_quiet
  target0=$(tree_cpu_s "$pid")
  [[ -z $storm_pid ]] || storm0=$(tree_cpu_s "$storm_pid")
  [[ -z $dynalite_pid ]] || db0=$(tree_cpu_s "$dynalite_pid")
  busy0=$(cpu_busy_s)
  times >"$work/times.0"
  BENCH_SCENARIO=$name run_child wrk -t"$t" -c"$c" -d"${duration}s" --timeout "${timeout}s" \
    -s "$script" "$url" >"$out_dir/$name.txt"
  measured_end=$EPOCHREALTIME
  busy1=$(cpu_busy_s)
  times >"$work/times.1"
  target1=$(tree_cpu_s "$pid")
  [[ -z $storm_pid ]] || storm1=$(tree_cpu_s "$storm_pid")
  [[ -z $dynalite_pid ]] || db1=$(tree_cpu_s "$dynalite_pid")
  awk -v busy="$busy1" -v busy0="$busy0" -v target="$target1" -v target0="$target0" \
    -v wrk="$(children_cpu_s "$work/times.1")" -v wrk0="$(children_cpu_s "$work/times.0")" \
    -v storm="$storm1" -v storm0="$storm0" -v db="$db1" -v db0="$db0" -v dynalite="$dynalite_pid" \
    'BEGIN { t = target - target0; w = wrk - wrk0; s = storm - storm0; if (s < 0) s = 0
             d = db - db0; o = busy - busy0 - t - w - s - d
             printf "target_cpu_s=%.2f\nwrk_cpu_s=%.2f\nbackground_wrk_cpu_s=%.2f\n", t, w, s
             if (dynalite != "") printf "database_cpu_s=%.2f\n", d
             printf "other_cpu_s=%.2f\n", o < 0 ? 0 : o }' \
    >"$out_dir/$name.cpu"
  summarise "$out_dir/$name.txt" "$out_dir/$name.cpu"
  drain "$out_dir/$name.txt" "$c" "$pid"
}

# get_by_id measured while a sign_in storm runs in the background: wrk sends sign-ins with the
# same threads and connections for the warm-up, the measured run and one second more, into
# $out_dir/sign_in_background.txt; the sign-ins it left queued drain before the next scenario.
measure_during_sign_in() { # url pid
  local url=$1 pid=$2 storm_status=0 storm_start=$EPOCHREALTIME
  BENCH_SCENARIO=sign_in_background wrk -t"$threads" -c"$connections" \
    -d"$((warmup + duration + 1))s" --timeout "${timeout}s" -s "$BENCH_WRK_DIR/sign_in.lua" "$url" \
    >"$out_dir/sign_in_background.txt" &
  storm_pid=$!
  measure get_by_id_during_sign_in "$BENCH_WRK_DIR/get_by_id.lua" "$url" "$pid"
  wait "$storm_pid" || storm_status=$?
  storm_pid=""
  if ((storm_status != 0)); then
    echo "the background sign_in wrk exited with status $storm_status" >&2
    return 1
  fi
  awk -v start="$storm_start" -v end="$measured_end" -v span="$((warmup + duration + 1))" \
    'BEGIN { if (end - start > span)
               printf "warning: the background sign_in wrk stopped %.1f s before the measured run ended\n",
                      end - start - span > "/dev/stderr" }'
  printf '%-24s ' "(sign_in storm)"
  summarise "$out_dir/sign_in_background.txt" /dev/null
  drain "$out_dir/sign_in_background.txt" "$connections" "$pid"
}

# About 300 bytes, shaped like a competition.
body='{"id":"6f1c2a4e-8b7d-4c3e-9a21-5d0e7f3b9c11","name":"Prefontaine Classic","location":"Eugene, OR","start_date":"2027-07-03","end_date":"2027-07-04","description":"Diamond League meeting","url":"https://example.org/pre","created_by":"0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a","created_at":"2026-11-25T15:21:08Z","version":1}'

# Starts nginx on a free port (nginx_port, nginx_pid) with a config file in $work/nginx.
start_nginx() {
  nginx_port=$(free_port)
  cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    default_type application/json;
    location / { return 200 '$body'; }
  }
}
EOF
  "$nginx_bin" -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  wait_for_port "$nginx_port"
}

# out_dir url pid label: every scenario against one server, its outputs into out_dir.
run_scenarios() {
  local url=$2 pid=$3 label=$4 scenario
  out_dir=$1
  mkdir -p "$out_dir"
  log "round $round of $runs: $label scenarios"
  for scenario in "${scenarios[@]}"; do
    if [[ $label == peer && " $peer_unsupported " == *" $scenario "* ]]; then
      printf '%-24s skipped: the peer does not serve it\n' "$scenario"
      continue
    fi
    case $scenario in
      feed_1conn) measure feed_1conn "$BENCH_WRK_DIR/feed.lua" "$url" "$pid" 1 1 ;;
      get_by_id_during_sign_in) measure_during_sign_in "$url" "$pid" ;;
      *) measure "$scenario" "$BENCH_WRK_DIR/$scenario.lua" "$url" "$pid" ;;
    esac
  done
}

# Our server on a fresh copy of the seeded database (on dynalite: the one server and its data),
# stopped after its scenarios; its memory is read before (the last round's is reported).
measure_ours() {
  if [[ -n $seeded_copy ]]; then
    rm -f "$work/track.db-wal" "$work/track.db-shm"
    cp "$seeded_copy" "$work/track.db"
    [[ ! -f $seeded_copy-wal ]] || cp "$seeded_copy-wal" "$work/track.db-wal"
    start_server
  fi
  export BENCH_DATA_DIR=$work/data
  run_scenarios "$round_dir" "$api" "$server_pid" track-tracker
  rss_after=$(rss_kib VmRSS)
  hwm_after=$(rss_kib VmHWM)
  if [[ -n $seeded_copy ]]; then
    stop "$server_pid"
    server_pid=""
  fi
}

# The peer on a fresh copy of its seeded database, its outputs in $round_dir/peer.
measure_peer() {
  rm -f "$peer_dir/peer.db-wal" "$peer_dir/peer.db-shm"
  cp "$peer_seeded" "$peer_dir/peer.db"
  [[ ! -f $peer_seeded-wal ]] || cp "$peer_seeded-wal" "$peer_dir/peer.db-wal"
  start_peer
  export BENCH_DATA_DIR=$work/peer-data
  run_scenarios "$round_dir/peer" "$peer_api" "$peer_pid" peer
  peer_rss_after=$(tree_rss_kib "$peer_pid")
  stop "$peer_pid"
  peer_pid=""
}

# Each round measures the ceiling, then every scenario against our server, then against the peer
# (the other way round in even rounds, so that a drift of the machine favours neither); the
# report gives the medians over the rounds.
for round in $(seq "$runs"); do
  round_dir=$results/round$round
  mkdir -p "$round_dir"
  log "round $round of $runs: nginx ceiling"
  out_dir=$round_dir
  start_nginx
  measure nginx "$BENCH_WRK_DIR/static.lua" "http://127.0.0.1:$nginx_port/" "$nginx_pid"
  stop "$nginx_pid" QUIT
  nginx_pid=""

  if [[ $peer == 1 && $((round % 2)) == 0 ]]; then
    measure_peer
    measure_ours
  else
    measure_ours
    [[ $peer == 0 ]] || measure_peer
  fi
done

if [[ -n $server_pid ]]; then # on dynalite: the one server
  stop "$server_pid"
  server_pid=""
fi
if [[ -n $dynalite_pid ]]; then
  stop "$dynalite_pid"
  dynalite_pid=""
fi
cp "$work/server.err" "$results/server.log"
[[ $peer == 0 ]] || cp "$peer_dir/server.err" "$results/peer/server.log"
times >"$work/times.end"
other_cpu=$(awk -v busy="$(cpu_busy_s)" -v busy0="$busy_start" \
  -v ours="$(children_cpu_s "$work/times.end")" -v ours0="$(children_cpu_s "$work/times.start")" \
  'BEGIN { other = (busy - busy0) - (ours - ours0); printf "%.0f\n", other < 0 ? 0 : other }')

# ---- Results ---------------------------------------------------------------------------------

wrk_version=$({ wrk -v 2>&1 || true; } | sed -n '1s/ \[.*//p')
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's|.*: ||')
dynalite_version=""
node_version=""
peer_versions=""
if [[ $backend == dynamodb ]]; then
  dynalite_version=$(node -p 'require("dynalite/package.json").version')
fi
if [[ $backend == dynamodb || $peer == 1 ]]; then
  node_version=$(node --version)
fi
if [[ $peer == 1 ]]; then
  peer_versions=$(cd bench/peer && node -p '["fastify", "better-sqlite3"].map((name) =>
    name + " " + require(name + "/package.json").version).join(", ")')
fi
cat >"$results/meta.env" <<EOF
backend=$backend
date=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$commit
loadavg_start=$loadavg_start
wall_s=$(($(date +%s) - wall_start))
other_cpu_s=$other_cpu
wrk_version=$wrk_version
nginx_version=$nginx_version
nginx_body_bytes=${#body}
threads=$threads
connections=$connections
duration=$duration
warmup=$warmup
runs=$runs
timeout=$timeout
server_args=track-tracker ${server_args[*]//$work/\$TMP}
db_fstype=$(df --output=fstype "$work" | tail -n 1)
dynalite_version=$dynalite_version
node_version=$node_version
fsync_ms=$fsync_ms
rss_idle_kib=$rss_idle
rss_seeded_kib=$rss_seeded
rss_after_kib=$rss_after
hwm_after_kib=$hwm_after
hwm_seeded_kib=$hwm_seeded
rounds_on_seeded_copies=$([[ -n $seeded_copy ]] && echo 1 || echo 0)
server_log_lines=$(wc -l <"$results/server.log")
peer=$peer
peer_skipped=$peer_skipped
peer_versions=$peer_versions
peer_server_args=$([[ $peer == 1 ]] && echo "node bench/peer/server.js --listen 127.0.0.1:0 --db \$TMP/peer/peer.db --workers 2")
peer_unsupported=$peer_unsupported
peer_rss_idle_kib=${peer_rss_idle:-}
peer_rss_seeded_kib=${peer_rss_seeded:-}
peer_rss_after_kib=${peer_rss_after:-}
EOF

log "results"
rm -rf bench/results/latest
mkdir -p bench/results
cp -r "$results" bench/results/latest
status=0
python3 bench/report.py --results "$results" --doc "$doc" --json bench/results/latest.json || status=$?
echo "raw outputs: bench/results/latest/"
exit "$status"
