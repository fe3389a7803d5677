#!/usr/bin/env bash
# Runs the whole test suite twice: on SQLite (a fresh file per test), then on PostgreSQL
# (a fresh database per test, created on the server of PRATICO_TEST_POSTGRES_URL and dropped
# afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

postgres_url="${PRATICO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export PRATICO_TEST_POSTGRES_URL="$postgres_url"

# tldraw's reference code (pinned, from npm): the canvas tests replay its transcripts and drive
# its client against the server; the recorded data must still be what it gives.
echo "== tldraw reference data (transcripts, validation corpus)"
bash tests/tldraw-ref/run-checks.sh

echo "== tests on SQLite"
cargo nextest run --no-fail-fast "$@"

echo "== tests on PostgreSQL ($postgres_url)"
PRATICO_TEST_DATABASE=postgres cargo nextest run --no-fail-fast "$@"

echo "== browser tests"
bash scripts/browser-test.sh
