#!/usr/bin/env bash
# The browser tests (web/e2e/): real browsers against the real server. They start the binary on
# a free port over a fresh SQLite file, drive Debian's Chromium with playwright-core (no browser
# download), and write a screenshot of each step under target/browser-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "Chromium is missing: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium)" >&2
  exit 1
fi
[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund)

# The debug server reads web/dist from disk, so it serves exactly what is committed there.
cargo build --locked --bin pratico
export PRATICO_BIN="$(realpath "${CARGO_TARGET_DIR:-target}")/debug/pratico"
rm -rf target/browser-screenshots
cd web && node --test --test-reporter=spec e2e/
