#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (preset `fuzz`: clang, ASan + UBSan) and runs each one
# for SECONDS_PER_TARGET seconds (default 60). For every target the saved crash inputs in
# fuzz/regressions/<target>/ are replayed first, then it fuzzes from fuzz/corpus/<target>/ (new
# inputs go to build/fuzz/runs/<target>/corpus, never into the committed seeds). Exits non-zero
# if any target crashes, fails an invariant, times out (-timeout=10) or runs out of memory
# (-rss_limit_mb=2048), and prints where the input that did it was saved.
#
#   scripts/fuzz.sh                 # 60 s per target, about 10 minutes with the build
#   scripts/fuzz.sh 15              # what CI runs: about 4 minutes on 2 cores, build included
#   scripts/fuzz.sh 600             # a longer search, about 75 minutes
#   scripts/fuzz.sh 60 sigv4_fuzzer router_fuzzer   # only these targets
#
# As root, missing packages are installed; otherwise the apt-get line to run is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
shift || true
all_targets=(date_fuzzer cursor_fuzzer validation_fuzzer json_body_fuzzer router_fuzzer
             aws_ini_fuzzer sigv4_fuzzer)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# The project's own build dependencies, then clang and libFuzzer's runtime.
scripts/setup.sh
missing=()
for package in clang libclang-rt-14-dev; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  command="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages for fuzzing. Run as root:" >&2
    echo "  sudo apt-get update && sudo $command" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $command >/dev/null
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# A UBSan report aborts the run (the code is built with -fno-sanitize-recover); its stack says where.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
common_flags=(-timeout=10 -rss_limit_mb=2048)
runs=build/fuzz/runs
failed=()

# Prints the lines of a libFuzzer log that say what went wrong: the failed invariant or the
# sanitizer's report, and the stack frames in the project's code and the fuzzer.
report() {
  local log="$1"
  grep -E "invariant failed|^  [^ ]|ERROR: |runtime error|SUMMARY: |Test unit written to|#[0-9]+ .* in (tt::|\(anonymous namespace\)|LLVMFuzzerTestOneInput)" \
    "$log" | head -n 25 >&2 || true
}

for target in "${targets[@]}"; do
  binary="build/fuzz/fuzz/$target"
  if [ ! -x "$binary" ]; then
    echo "$target: no such fuzzer (targets: ${all_targets[*]})" >&2
    failed+=("$target")
    continue
  fi
  mkdir -p "$runs/$target/corpus" "$runs/$target/artifacts"
  log="$runs/$target/log"

  # 1. The saved inputs that once crashed must not crash any more.
  regressions=()
  if [ -d "fuzz/regressions/$target" ]; then
    while IFS= read -r -d '' file; do regressions+=("$file"); done < \
      <(find "fuzz/regressions/$target" -type f ! -name '*.md' -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$binary" "${common_flags[@]}" "${regressions[@]}" >"$log" 2>&1; then
      input=$(grep -E "^Running: " "$log" | tail -n 1 | sed 's/^Running: //')
      echo "FAIL $target: regression input $input crashes again" >&2
      report "$log"
      echo "  full log: $log" >&2
      failed+=("$target")
      continue
    fi
  fi

  # 2. Fuzz, starting from the committed seeds and what earlier runs here found.
  corpora=("$runs/$target/corpus" "fuzz/corpus/$target")
  [ -d "fuzz/regressions/$target" ] && corpora+=("fuzz/regressions/$target")
  if "$binary" "${common_flags[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$runs/$target/artifacts/" "${corpora[@]}" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    coverage=$(grep -oE "cov: [0-9]+ ft: [0-9]+ corp: [0-9]+" "$log" | tail -n 1)
    echo "ok   $target: ${execs:-?} inputs in ${seconds}s (${per_second:-?}/s), ${coverage:-?}"
  else
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    echo "FAIL $target: crash input saved to ${artifact:-(none written, see the log)}" >&2
    report "$log"
    echo "  full log: $log" >&2
    echo "  minimise: $binary -minimize_crash=1 -runs=100000 -exact_artifact_path=$artifact.min $artifact" >&2
    echo "  then keep it as fuzz/regressions/$target/<what-it-shows> (see fuzz/README.md)" >&2
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing passed: ${targets[*]}"
