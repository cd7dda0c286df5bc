#!/usr/bin/env bash
# Install the Debian packages the test suite needs (Chromium for browser tests, PostgreSQL and Redis for the
# second run of the suite, Pango and fonts for WeasyPrint) when they are missing and we can: as root
# with apt-get. Otherwise say what is missing; the suite then skips those tests (CI fails instead, see
# tests/e2e/conftest.py). With --runtime, only what the site itself needs to serve (WeasyPrint's); with --bench,
# only what `make bench` adds (wrk).
set -euo pipefail

need=()
if [ "${1:-}" = "--bench" ]; then
  # make bench: wrk drives gunicorn in bench/serve.py (without it, a slower Python client that says so).
  command -v wrk >/dev/null || need+=(wrk)
elif [ "${1:-}" != "--runtime" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)  # CACHE_URL=redis:// rate limits, in the second pass
  command -v pdftotext >/dev/null || need+=(poppler-utils)  # reading PDFs back in tests
  command -v zbarimg >/dev/null || need+=(zbar-tools)  # decoding the QR code printed on certificate PDFs in tests
fi
# WeasyPrint (PDF hours summaries and certificates) needs Pango and at least one font family.
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
# Certificates are set in Noto (certificates/fonts.py) so that a holder's name shows in any script:
# Latin, Arabic, Devanagari and the other core scripts, then Chinese, Japanese and Korean.
[ -f /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf ] || need+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || need+=(fonts-noto-cjk)

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
