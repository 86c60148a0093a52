#!/usr/bin/env bash
# Installs the Debian packages Track Tracker builds with and, with --tests, those its tests use
# too. As root it runs apt-get; otherwise it prints the exact command to run and stops.
# Idempotent: installed packages are skipped, so it is cheap to call before every build.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libsodium-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev
)
if [ "${1:-}" = "--tests" ]; then
  # Real clients the tests drive: the browser of the CORS test (headless) and an iCalendar
  # parser we did not write, for the calendar tests (ical.js, the other, comes from npm).
  packages+=(chromium python3 python3-icalendar)
fi
# Node.js runs dynalite (a local DynamoDB) for the DynamoDB tests; any Node.js 18+ will do, so
# Debian's is installed only where none is on the PATH.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages. Run as root:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi

echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$command >/dev/null
