#!/usr/bin/env bash
# The long version of CI's journey pass: every journey in every language on every database
# (CI pairs Japanese with SQLite and English with PostgreSQL), then once more with the system
# date moved ahead (the installed processes read the system clock; the journeys must not care
# which day it is). Usage: bash bench/journeys.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
export SHOMEI_TEST_POSTGRES_URL="${SHOMEI_TEST_POSTGRES_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"
export SHOMEI_JOURNEY_MATRIX=full
echo "== every journey, ja and en, SQLite and PostgreSQL"
.venv/bin/pytest -q -p no:cacheprovider tests/journeys "$@"
echo "== the same with the system date moved +2y: $(faketime -f +2y date -u)"
faketime -f +2y .venv/bin/pytest -q -p no:cacheprovider tests/journeys "$@"
