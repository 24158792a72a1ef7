#!/usr/bin/env bash
# Debian packages shomei itself needs at run time (not services): WeasyPrint's libraries and a
# Japanese font for invoice and voucher PDFs, pdftotext for the PDF tests, and chromium for the
# browser tests (Playwright drives /usr/bin/chromium; `playwright install` is never run), and
# faketime for the test pass with the system date moved years ahead.
set -euo pipefail
missing=""
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium faketime; do
  dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
