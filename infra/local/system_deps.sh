#!/usr/bin/env bash
# Debian packages the project needs (PostgreSQL 15, Redis, chromium, Pango and poppler for the SNA document), installed only when missing
# (needs root or sudo).
set -euo pipefail
missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v psql >/dev/null || missing+=(postgresql-client-15)
# Debian's redis-server: the Celery broker and Superset cache (infra/local/redis.sh, the Celery mode)
command -v redis-server >/dev/null || missing+=(redis-server)
# Debian's chromium: the browser tests drive it with Playwright (tests/e2e/test_dashboards_browser.py)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Pango (WeasyPrint renders the SNA PDF through it), a font with full Latin coverage, and
# poppler-utils (pdftotext and pdftoppm read the PDF back in tests and for the README page images)
[ -e /usr/lib/x86_64-linux-gnu/libpango-1.0.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libpango-1.0.so.0 ] \
  || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
for extra in "$@"; do command -v "$extra" >/dev/null || missing+=("$extra"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
