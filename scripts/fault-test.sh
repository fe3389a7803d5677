#!/usr/bin/env bash
# The fault tests at full length (docs/security.md): PostgreSQL gone for 30 s under a live
# room, and ten rounds of kill -9 during answer bursts, on SQLite and on PostgreSQL. The
# suite (scripts/test.sh, and so CI) runs the same tests shortened: a 5 s outage, 3 kills.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRATICO_FAULT_OUTAGE_S="${PRATICO_FAULT_OUTAGE_S:-30}"
export PRATICO_FAULT_KILLS="${PRATICO_FAULT_KILLS:-10}"
faults='test(/^faults::/) | test(/repeated_kills/)'

echo "== fault tests on SQLite (outage ${PRATICO_FAULT_OUTAGE_S} s, ${PRATICO_FAULT_KILLS} kills)"
cargo nextest run --locked --test api --no-capture -E "$faults"
echo "== fault tests on PostgreSQL"
PRATICO_TEST_DATABASE=postgres \
  cargo nextest run --locked --test api --no-capture -E "$faults"
