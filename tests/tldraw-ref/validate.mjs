// Validation oracle: reads JSON lines {"record": {...}} (optionally "lane": "presence") on stdin
// and writes one JSON line per input: {"ok": true} or {"ok": false, "error": "<message>"}, the
// verdict tldraw 5.4.2's TLSyncRoom gives a client's put of that new record (see lib/oracle.mjs).
// A line that is not JSON, or has no "record", gets {"ok": false, "error": "bad input: ..."}.
import readline from 'node:readline'
import { verdict } from './lib/oracle.mjs'

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of rl) {
	if (!line.trim()) continue
	let result
	try {
		const input = JSON.parse(line)
		if (!input || typeof input !== 'object' || !('record' in input)) throw new Error('expected {"record": ...}')
		result = verdict(input.record, input.lane === 'presence' ? 'presence' : 'document')
	} catch (e) {
		result = { ok: false, error: `bad input: ${e.message}` }
	}
	// one write per line: a caller may hold the process open and read each verdict in turn
	process.stdout.write(JSON.stringify(result) + '\n')
}
