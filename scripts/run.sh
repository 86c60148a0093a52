#!/usr/bin/env bash
# Builds the release server and serves the API on 127.0.0.1:3000 with SQLite at ./data/track.db.
# Extra arguments go to `track-tracker serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
# Only the server: the test binaries are scripts/test.sh's business.
cmake --build --preset release --target track-tracker
exec build/release/track-tracker serve "$@"
