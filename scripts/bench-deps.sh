#!/usr/bin/env bash
# Install the Debian packages `make bench` uses when they are missing and we can: as root with apt-get.
# Today only wrk, the HTTP load generator bench/throughput.py drives gunicorn with. Otherwise say what is missing;
# the benchmark then falls back to a Python client, which shares the CPU with gunicorn and says so.
set -euo pipefail

need=()
command -v wrk >/dev/null || need+=(wrk)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}"
  echo "Until then bench/throughput.py measures with a slower Python client."
fi
