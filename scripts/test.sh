#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what is missing, builds the CI configuration
# (warnings are errors), then runs the unit and integration suites with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci --parallel "$(nproc)" "$@"
