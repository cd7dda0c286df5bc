#!/usr/bin/env bash
# Install the Debian packages the test suite needs (Chromium for browser tests, PostgreSQL for the
# second run of the suite) when they are missing and we can: as root with apt-get. Otherwise say
# what is missing; the suite then skips those tests (CI fails instead, see tests/e2e/conftest.py).
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}"
  echo "Until then the tests that need them are skipped."
fi
