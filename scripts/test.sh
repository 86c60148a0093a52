#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what is missing (Debian packages, and dynalite
# from npm), then
#   1. the CI build (warnings are errors): unit, integration and DynamoDB suites;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build: the suite again, but for the
#      DynamoDB copies of the integration tests (the asan test preset's filter: their server code
#      is the SQLite copies', and the DynamoDB store's code runs under the sanitizers in the
#      storage tests);
#   3. a ThreadSanitizer build of the binaries that hold the concurrency tests, and those tests;
#   4. the fuzzers, 15 s each, after replaying their saved crash inputs (scripts/fuzz.sh).
# `scripts/test.sh --quick` runs only stage 1. Extra arguments go to every ctest run (a -R or -E
# there replaces the asan and tsan presets' own filters).
# CI gives the whole script 90 minutes on 2 cores; each stage prints the minutes spent so far.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [ "${1:-}" = "--quick" ]; then
  quick=true
  shift
fi

stage() { printf '\n==== %s (at %d min) ====\n' "$*" $((SECONDS / 60)); }

scripts/setup.sh --tests
# dynalite and the AWS SDK for JavaScript, pinned by package-lock.json.
npm ci --no-audit --no-fund --loglevel=error

build_preset() {
  stage "$1 build"
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1"
}

# Total Tests of `ctest -N` with the given arguments.
count_tests() { ctest -N "$@" | sed -n 's/^Total Tests: //p'; }

build_preset ci
stage "ci tests"
ctest --preset ci --parallel "$(nproc)" "$@"
if [ "$quick" = false ]; then
  build_preset asan
  stage "asan tests"
  ctest --preset asan --parallel "$(nproc)" "$@"

  build_preset tsan
  # The tsan build preset lists the binaries that hold the concurrency tests; a test the filter
  # matches in any other binary would be skipped without a word, so count against stage 1's build.
  tsan_filter=$(python3 -c 'import json; print(next(p for p in json.load(open("CMakePresets.json"))["testPresets"] if p["name"] == "tsan")["filter"]["include"]["name"])')
  expected=$(count_tests --test-dir build/ci --tests-regex "$tsan_filter")
  found=$(count_tests --preset tsan)
  if ! [[ "$expected" =~ ^[1-9][0-9]*$ && "$found" =~ ^[0-9]+$ ]]; then
    echo "Could not count the concurrency tests (ci build: '$expected', tsan build: '$found')." >&2
    exit 1
  fi
  if [ "$found" != "$expected" ]; then
    echo "The tsan build holds $found of the $expected tests its filter matches in the ci build:" >&2
    echo "add the missing test binaries to the tsan build preset's targets." >&2
    exit 1
  fi
  stage "tsan tests"
  ctest --preset tsan --parallel "$(nproc)" "$@"

  stage "fuzzers"
  scripts/fuzz.sh 15
fi
stage "done"
