// The reference server: a `ws` WebSocket server on 127.0.0.1 wrapping one TLSocketRoom (5.4.2),
// for converge.mjs and ad-hoc comparisons with the Rust server.
//
//   node ref-server.mjs [--port N] [--snapshot room.json] [--drop-every N] [--verbose]
//
// Prints {"port": N} on stdout once listening (--port 0, the default, picks a free port) and
// exits when its stdin closes (so a parent test can't leak it). Every WebSocket on any path is a
// session of the one room: `sessionId` comes from the query string (as useSync sends it),
// `readonly=1` makes it read-only. --snapshot loads a RoomSnapshot (or {"initial": ...} of a
// transcript) instead of the default document + page:page.
//
// GET /snapshot on the same port answers the room's current RoomSnapshot as JSON.
//
// --drop-every N is a deliberately broken mode for testing converge.mjs: every Nth `patch` the
// room sends to a client carrying a document change (a broadcast of someone else's edit) is
// silently dropped.
import { TLSocketRoom } from '@tldraw/sync-core'
import fs from 'node:fs'
import http from 'node:http'
import { WebSocketServer } from 'ws'

const args = process.argv.slice(2)
const opt = (name) => {
	const i = args.indexOf(name)
	return i >= 0 ? args[i + 1] : undefined
}
const port = Number(opt('--port') ?? 0)
const dropEvery = Number(opt('--drop-every') ?? 0)
const verbose = args.includes('--verbose')
const snapshotFile = opt('--snapshot')

let initialSnapshot
if (snapshotFile) {
	const json = JSON.parse(fs.readFileSync(snapshotFile, 'utf8'))
	initialSnapshot = json.initial ?? json
}

const log = verbose
	? { warn: (...a) => console.error('[room warn]', ...a), error: (...a) => console.error('[room error]', ...a) }
	: {}
const room = new TLSocketRoom({ initialSnapshot, log })

let patchCount = 0
let dropped = 0
/** With --drop-every: a socket facade that loses every Nth patch (see above). */
function lossy(ws) {
	return {
		get readyState() {
			return ws.readyState
		},
		addEventListener: (type, fn) => ws.addEventListener(type, fn),
		removeEventListener: (type, fn) => ws.removeEventListener(type, fn),
		close: (code, reason) => ws.close(code, reason),
		send(text) {
			const msg = JSON.parse(text)
			const isDocumentPatch = (m) => m.type === 'patch' && Object.keys(m.diff).some((id) => !id.startsWith('instance_presence:'))
			const keep = (m) => !isDocumentPatch(m) || ++patchCount % dropEvery !== 0 || (dropped++, false)
			if (msg.type === 'data') {
				const data = msg.data.filter(keep)
				if (data.length === 0) return
				if (data.length !== msg.data.length) return ws.send(JSON.stringify({ ...msg, data }))
			} else if (!keep(msg)) {
				return
			}
			ws.send(text)
		},
	}
}

// GET /snapshot answers the room's current RoomSnapshot (for debugging a failed converge run).
const server = http.createServer((req, res) => {
	if (req.method === 'GET' && req.url === '/snapshot') {
		res.writeHead(200, { 'content-type': 'application/json' })
		res.end(JSON.stringify(room.getCurrentSnapshot()))
		return
	}
	res.writeHead(404).end()
})
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 })
wss.on('connection', (ws, req) => {
	const url = new URL(req.url ?? '/', 'http://localhost')
	const sessionId = url.searchParams.get('sessionId') ?? `anonymous-${Math.random().toString(36).slice(2)}`
	const isReadonly = url.searchParams.get('readonly') === '1'
	if (verbose) console.error('[ref-server] connection', req.url)
	room.handleSocketConnect({ sessionId, socket: dropEvery > 0 ? lossy(ws) : ws, isReadonly })
})
server.listen(port, '127.0.0.1', () => {
	process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})

function shutdown() {
	if (dropEvery > 0) console.error(`[ref-server] dropped ${dropped} of ${patchCount} patches`)
	room.close()
	wss.close()
	server.close()
	process.exit(0)
}
process.stdin.on('end', shutdown)
process.stdin.on('close', shutdown)
process.stdin.resume()
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
