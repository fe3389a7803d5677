#!/usr/bin/env bash
# Bundles tldraw's MIT schema code (@tldraw/tlschema and its MIT dependencies, exact versions in
# package-lock.json) with entry.js into src/tlschema/tlschema.js, which the server embeds.
#   bash tools/tlschema-bundle/build.sh          rebuild the committed bundle
#   bash tools/tlschema-bundle/build.sh --check  fail if the committed bundle is not what this gives
# Needs Node and npm (build time only); the server never runs Node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../src/tlschema/tlschema.js"
cd "$here"

check=false
if [ "${1:-}" = "--check" ]; then check=true; fi

# Exactly the locked versions; quiet about Node 20 being older than tldraw 5.2+ declares.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The licence notices of everything bundled, first in the file.
{
  echo '/*!'
  echo ' * Pratico Live: tldraw schema bundle, built by tools/tlschema-bundle/build.sh. Do not edit.'
  echo ' *'
  echo ' * Contains @tldraw/tlschema, @tldraw/store, @tldraw/state, @tldraw/utils and @tldraw/validate'
  version="$(node -p "require('./node_modules/@tldraw/tlschema/package.json').version")"
  echo " * $version, under this licence:"
  echo ' *'
  sed 's/^/ * /; s/ *$//' node_modules/@tldraw/tlschema/LICENSE.md
  echo ' *'
  echo ' * and lodash.isequal, lodash.isequalwith, lodash.throttle, lodash.uniq, under this licence:'
  echo ' *'
  sed 's/^/ * /; s/ *$//' node_modules/lodash.isequal/LICENSE
  echo ' */'
} > "$tmp/banner.js"

./node_modules/.bin/esbuild entry.js \
  --bundle --format=iife --platform=neutral --target=es2020 \
  --main-fields=module,main \
  --define:process.env.NODE_ENV='"production"' \
  --minify-syntax --minify-whitespace \
  --legal-comments=eof --charset=utf8 --log-level=warning \
  --outfile="$tmp/body.js"
cat "$tmp/banner.js" "$tmp/body.js" > "$tmp/tlschema.js"

if $check; then
  if ! cmp -s "$tmp/tlschema.js" "$out"; then
    echo "src/tlschema/tlschema.js is stale: run 'bash tools/tlschema-bundle/build.sh' and commit it" >&2
    exit 1
  fi
  echo "src/tlschema/tlschema.js is up to date"
else
  cp "$tmp/tlschema.js" "$out"
  echo "wrote src/tlschema/tlschema.js ($(wc -c < "$out") bytes)"
fi
