#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install shomei into it (with extras given as "$1").
set -euo pipefail
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate; break
  fi
done
if [ -z "$python" ]; then
  echo "shomei needs Python 3.11 or newer (apt-get install python3)" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".${1:-}" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import core, web, workers, tenants, plugins" || {
  echo "shomei: installing into .venv failed" >&2
  exit 1
}
