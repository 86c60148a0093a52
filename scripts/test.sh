#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what is missing (Debian packages, and dynalite
# from npm), then
#   1. the CI build (warnings are errors): unit, integration and DynamoDB suites;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build: the whole suite again;
#   3. a ThreadSanitizer build: the concurrency tests;
#   4. the fuzzers, 15 s each, after replaying their saved crash inputs (scripts/fuzz.sh).
# `scripts/test.sh --quick` runs only stage 1. Extra arguments go to every ctest run.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
if [ "${1:-}" = "--quick" ]; then
  quick=true
  shift
fi

stage() { printf '\n==== %s ====\n' "$*"; }

scripts/setup.sh --tests
# dynalite and the AWS SDK for JavaScript, pinned by package-lock.json.
npm ci --no-audit --no-fund --loglevel=error

run_preset() {
  local preset=$1
  shift
  stage "$preset build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  stage "$preset tests"
  ctest --preset "$preset" --parallel "$(nproc)" "$@"
}

run_preset ci "$@"
if [ "$quick" = false ]; then
  run_preset asan "$@"
  run_preset tsan "$@"
  stage "fuzzers"
  scripts/fuzz.sh 15
fi
