#!/usr/bin/env bash
# The long version of the date-shifted pass: the whole suite (not only the worker and schedule
# tests scripts/test shifts) with the system date moved ahead, once per shift given, default
# one, three and five years. A test or a product path that reads the system clock where the
# injected one belongs fails here. Usage: bash bench/shifted_suite.sh [+1y +3y ...] [-- pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
shifts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shifts+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#shifts[@]} -gt 0 ] || shifts=(+1y +3y +5y)
export SHOMEI_TEST_POSTGRES_URL="${SHOMEI_TEST_POSTGRES_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"
for shift_by in "${shifts[@]}"; do
  echo "== system date moved ${shift_by}: $(faketime -f "$shift_by" date -u)"
  faketime -f "$shift_by" .venv/bin/pytest -q -p no:cacheprovider "$@"
done
