// Convergence test with tldraw's real sync client (TLSyncClient 5.4.2, headless) against any
// server speaking the protocol:
//
//   node converge.mjs --url ws://127.0.0.1:PORT/path?token=... --clients 3 --edits 200 --seed 7
//                     [--readonly-clients 1] [--timeout-ms 60000] [--verbose]
//
// Each client opens the URL with `sessionId=<client id>&storeId=<client id>` added to the query
// (as useSync does; any query already in the URL is kept; read-only clients also get
// `readonly=1`), waits for its first connect, then makes its share of --edits random edits
// (create / move / resize / delete shapes on existing pages, edit text, grow a draw stroke,
// rename and add pages, move its presence cursor) with random small delays, and restarts its
// socket once mid-run (the client reconnects with its lastServerClock). Read-only clients make
// edits too: the server must discard them, and the client then reverts them.
// Then it waits until every client is connected with no pending or unsent push and nothing has
// arrived for a while, and compares all clients' document records. Exit 0 with
// {"clients":N,"records":N,"edits":N} on stdout if identical; exit 1 with a readable difference
// otherwise (or if a client got a sync error, or the run did not settle in time).
globalThis.requestAnimationFrame ??= (cb) => setTimeout(() => cb(Date.now()), 16)
globalThis.cancelAnimationFrame ??= (id) => clearTimeout(id)

const { default: WebSocket } = await import('ws')
const { TLSyncClient } = await import('@tldraw/sync-core')
const { createTLSchema } = await import('@tldraw/tlschema')
const { Store } = await import('@tldraw/store')
const { atom } = await import('@tldraw/state')
const { isEqual } = await import('@tldraw/utils')
const { make, richText, segment } = await import('./lib/records.mjs')

const args = process.argv.slice(2)
const opt = (name, dflt) => {
	const i = args.indexOf(name)
	return i >= 0 ? args[i + 1] : dflt
}
const url = opt('--url')
if (!url) {
	console.error('usage: node converge.mjs --url ws://host:port/path --clients 3 --edits 200 --seed 7 [--readonly-clients 1]')
	process.exit(2)
}
const nClients = Number(opt('--clients', 3))
const totalEdits = Number(opt('--edits', 200))
const seed = Number(opt('--seed', 1))
const nReadonly = Number(opt('--readonly-clients', 0))
const timeoutMs = Number(opt('--timeout-ms', 60000))
const verbose = args.includes('--verbose')
const say = (...a) => verbose && console.error('[converge]', ...a)

function rng(s) {
	let a = s >>> 0
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0
		let t = a
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
	return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)] }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** TLPersistentClientSocket over the `ws` package: reconnects after 200-700 ms unless closed with 4099. */
class NodeSocket {
	constructor(url, name) {
		this.url = url
		this.name = name
		this.connectionStatus = 'offline'
		this.messageListeners = new Set()
		this.statusListeners = new Set()
		this.closedForGood = false
		this.open()
	}
	open() {
		if (this.closedForGood) return
		const ws = (this.ws = new WebSocket(this.url, { maxPayload: 256 * 1024 * 1024 }))
		ws.on('open', () => {
			if (ws !== this.ws) return
			this.connectionStatus = 'online'
			this.statusListeners.forEach((cb) => cb({ status: 'online' }))
		})
		ws.on('message', (data) => {
			if (ws !== this.ws) return
			const msg = JSON.parse(data.toString())
			this.messageListeners.forEach((cb) => cb(msg))
		})
		ws.on('error', (e) => say(this.name, 'socket error', e.message))
		ws.on('close', (code, reasonBuf) => {
			if (ws !== this.ws) return
			const reason = reasonBuf.toString()
			say(this.name, 'closed', code, reason)
			if (code === 4099) {
				this.connectionStatus = 'error'
				this.statusListeners.forEach((cb) => cb({ status: 'error', reason }))
				return
			}
			const wasOnline = this.connectionStatus === 'online'
			this.connectionStatus = 'offline'
			if (wasOnline) this.statusListeners.forEach((cb) => cb({ status: 'offline' }))
			setTimeout(() => this.open(), 200 + Math.floor(Math.random() * 500))
		})
	}
	sendMessage(msg) {
		if (this.connectionStatus === 'online') this.ws.send(JSON.stringify(msg))
	}
	onReceiveMessage(cb) {
		this.messageListeners.add(cb)
		return () => this.messageListeners.delete(cb)
	}
	onStatusChange(cb) {
		this.statusListeners.add(cb)
		return () => this.statusListeners.delete(cb)
	}
	restart() {
		this.ws.close() // the close handler reconnects
	}
	close() {
		this.closedForGood = true
		this.ws.close()
	}
}

function clientUrl(name, readonly) {
	const u = new URL(url)
	u.searchParams.set('sessionId', name)
	u.searchParams.set('storeId', name)
	if (readonly) u.searchParams.set('readonly', '1')
	return u.toString()
}

const schema = createTLSchema()
const errors = []
const clients = []
let lastMessageAt = Date.now()

for (let i = 0; i < nClients; i++) {
	const name = `c${i + 1}`
	const readonly = i >= nClients - nReadonly
	const store = new Store({ schema, props: { defaultName: '', assets: {}, users: {}, onMount() {} } })
	const socket = new NodeSocket(clientUrl(name, readonly), name)
	socket.onReceiveMessage(() => (lastMessageAt = Date.now()))
	const presence = atom(`presence ${name}`, null)
	const c = { name, readonly, store, socket, presence, connects: 0, edits: 0, isReadonly: null }
	c.client = new TLSyncClient({
		store,
		socket,
		presence,
		presenceMode: atom('presence mode', 'full'),
		onLoad() {},
		onSyncError(reason) {
			errors.push(`${name}: sync error ${reason}`)
		},
		onAfterConnect(_client, details) {
			c.connects++
			c.isReadonly = details.isReadonly
			say(name, 'connected', JSON.stringify(details))
		},
	})
	clients.push(c)
}

async function waitFor(pred, what, ms = timeoutMs) {
	const start = Date.now()
	while (!pred()) {
		if (errors.length) fail(errors.join('\n'))
		if (Date.now() - start > ms) fail(`timed out waiting for ${what}`)
		await sleep(20)
	}
}

function fail(text) {
	console.error(`converge: FAILED\n${text}`)
	for (const c of clients) {
		c.client.close()
		c.socket.close()
	}
	process.exit(1)
}

await waitFor(() => clients.every((c) => c.connects > 0), 'every client to connect')
for (const c of clients) {
	if (c.isReadonly !== c.readonly) errors.push(`${c.name}: server says isReadonly ${c.isReadonly}, expected ${c.readonly}`)
}

// ------------------------------------------------------------------------------------------
// Random edits

const docRecords = (store, typeName) => store.allRecords().filter((r) => r.typeName === typeName)

function randomEdit(c, r, n) {
	const { store } = c
	const pages = docRecords(store, 'page')
	const shapes = docRecords(store, 'shape')
	const roll = r.next()
	const key = () => 'a' + r.pick([...B62.slice(1)]) + r.pick([...B62.slice(1)])
	if (roll < 0.12) {
		const p = r.next() < 0.3 ? pages[0] : r.pick(pages)
		c.presence.set(make('presence', { id: `instance_presence:${c.name}`, userId: `user:${c.name}`, userName: c.name, currentPageId: p?.id ?? 'page:page', cursor: { x: r.int(-500, 500), y: r.int(-500, 500), type: 'default', rotation: 0 } }))
		return 'presence'
	}
	if (roll < 0.17 || pages.length === 0) {
		store.put([make('page', { id: `page:${c.name}-${n}`, name: `Page ${c.name} ${n}`, index: key() })])
		return 'add page'
	}
	if (roll < 0.22) {
		const p = r.pick(pages)
		store.put([{ ...p, name: p.name + r.pick(['!', ' bis', 'é', '😀']) }])
		return 'rename page'
	}
	if (roll < 0.45 || shapes.length === 0) {
		const kind = r.pick(['geo', 'text', 'note', 'draw', 'arrow', 'frame', 'line', 'highlight'])
		const page = r.pick(pages)
		store.put([make(kind, { id: `shape:${c.name}-${n}`, parentId: page.id, x: r.int(-1000, 1000), y: r.int(-1000, 1000), index: key() })])
		return `create ${kind}`
	}
	const s = r.pick(shapes)
	if (roll < 0.62) {
		store.put([{ ...s, x: s.x + r.int(-50, 50), y: s.y + r.int(-50, 50) }])
		return 'move'
	}
	if (roll < 0.72) {
		if ('w' in s.props) {
			const props = { ...s.props, w: Math.max(1, s.props.w + r.int(-20, 40)) }
			if ('h' in s.props) props.h = Math.max(1, s.props.h + r.int(-20, 40))
			store.put([{ ...s, props }])
			return 'resize'
		}
		store.put([{ ...s, rotation: r.next() * 6 }])
		return 'rotate'
	}
	if (roll < 0.84) {
		if ('richText' in s.props) {
			store.put([{ ...s, props: { ...s.props, richText: richText(`${c.name} edit ${n}`) } }])
			return 'edit text'
		}
		if (s.type === 'draw' || s.type === 'highlight') {
			const segs = s.props.segments.slice()
			const last = segs[segs.length - 1]
			segs[segs.length - 1] = { ...last, path: last.path + segment([[r.int(0, 99), r.int(0, 99)]]).path }
			store.put([{ ...s, props: { ...s.props, segments: segs } }])
			return 'grow stroke'
		}
		store.put([{ ...s, meta: { ...s.meta, touchedBy: c.name } }])
		return 'edit meta'
	}
	store.remove([s.id])
	return 'delete'
}

const perClient = Math.ceil(totalEdits / nClients)
await Promise.all(
	clients.map(async (c, i) => {
		const r = rng(seed * 1000 + i)
		const restartAt = Math.floor(perClient / 3) + r.int(0, Math.max(0, Math.floor(perClient / 3)))
		for (let n = 0; n < perClient; n++) {
			if (n === restartAt) {
				say(c.name, 'forced reconnect')
				c.socket.restart()
			}
			const what = randomEdit(c, r, n)
			// Deliver the edit to TLSyncClient now rather than on the store's next frame: its
			// didReconnect() does not flush pending store history first, so an edit made in the
			// frame before a connect reply is otherwise kept locally and never pushed (a reference
			// client race, see README).
			c.store._flushHistory()
			c.edits++
			if (verbose && n % 25 === 0) say(c.name, n, what)
			await sleep(r.int(0, 25))
			if (errors.length) return
		}
	})
)
if (errors.length) fail(errors.join('\n'))

// ------------------------------------------------------------------------------------------
// Settle: every client connected, nothing pending or unsent, and quiet for a while

const idle = (c) =>
	c.client.isConnectedToRoom &&
	c.socket.connectionStatus === 'online' &&
	c.client.pendingPushRequests.length === 0 &&
	!c.client.unsentChanges.nextDiff &&
	!c.client.unsentChanges.nextPresence
for (let stable = 0; stable < 3; ) {
	await waitFor(() => clients.every(idle), `clients to settle: ${clients.filter((c) => !idle(c)).map((c) => c.name).join(', ')}`)
	await waitFor(() => Date.now() - lastMessageAt > 300, 'the server to go quiet')
	stable = clients.every(idle) ? stable + 1 : 0
}
for (const c of clients) if (c.connects < 2) errors.push(`${c.name}: connected ${c.connects} time(s), expected a reconnect`)
if (errors.length) fail(errors.join('\n'))

// ------------------------------------------------------------------------------------------
// Compare

const docs = clients.map((c) => {
	const out = {}
	for (const rec of c.store.allRecords()) {
		if (schema.types[rec.typeName]?.scope === 'document') out[rec.id] = rec
	}
	return out
})

function describeDiff(a, b, path = '') {
	if (isEqual(a, b)) return []
	if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
		const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
		return keys.flatMap((k) => describeDiff(a[k], b[k], path ? `${path}.${k}` : k))
	}
	const show = (v) => (v === undefined ? '(absent)' : JSON.stringify(v)?.slice(0, 120))
	return [`${path}: ${show(a)} vs ${show(b)}`]
}

const problems = []
for (let i = 1; i < clients.length; i++) {
	const [A, B] = [docs[0], docs[i]]
	const [a, b] = [clients[0].name, clients[i].name]
	const ids = [...new Set([...Object.keys(A), ...Object.keys(B)])].sort()
	for (const id of ids) {
		if (!(id in B)) problems.push(`${id}: only in ${a}`)
		else if (!(id in A)) problems.push(`${id}: only in ${b}`)
		else for (const d of describeDiff(A[id], B[id])) problems.push(`${id}: ${d} (${a} vs ${b})`)
	}
}

for (const c of clients) {
	c.client.close()
	c.socket.close()
}

if (problems.length) {
	fail(`${problems.length} difference(s) between clients:\n${problems.slice(0, 40).join('\n')}${problems.length > 40 ? '\n…' : ''}`)
}
const edits = clients.reduce((n, c) => n + c.edits, 0)
console.log(JSON.stringify({ clients: nClients, records: Object.keys(docs[0]).length, edits }))
process.exit(0)
