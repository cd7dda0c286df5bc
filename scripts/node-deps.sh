#!/usr/bin/env bash
# Install the npm packages pinned in package-lock.json (JSON-LD contexts for signed credentials, and
# Digital Bazaar's verifier that the tests use as an independent implementation), then extract the
# contexts into var/jsonld-contexts/ for dataintegrity/contexts.py. Installs Debian's nodejs and npm
# first when they are missing and we are root; otherwise says what is missing and fails.
# Quick when nothing changed: `npm ci` runs only when package-lock.json differs from the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
    echo "They are needed for the JSON-LD contexts of signed credentials (make install)." >&2
    exit 1
  fi
fi

stamp=node_modules/.lock-sha256
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

node scripts/extract-contexts.mjs
