#!/usr/bin/env bash
# Checks that the committed reference data still is what tldraw's reference code (5.4.2) gives:
# the transcripts (record.mjs) and the validation corpus with its verdicts (gen-records.mjs).
# Installs the pinned packages first if node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || ! cmp -s <(node -e 'const l=require("./package-lock.json").packages; console.log(JSON.stringify(Object.keys(l).filter(Boolean).sort().map(k=>[k,l[k].version])))') \
               <(node -e 'const l=require("./node_modules/.package-lock.json").packages; console.log(JSON.stringify(Object.keys(l).filter(Boolean).sort().map(k=>[k,l[k].version])))'); then
  # the tldraw 5.x packages declare node >=22.12 but run on Node 20: npm only warns (EBADENGINE)
  npm ci --no-audit --no-fund --loglevel=error
fi
node record.mjs --check
node gen-records.mjs --check
