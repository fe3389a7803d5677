// Records transcripts of tldraw's reference server (TLSocketRoom 5.4.2) for the scripted sessions
// in scenarios/*.json (plus a few generated ones, see GENERATED below), deterministically.
//
//   node record.mjs            rewrite transcripts/<name>.json
//   node record.mjs --check    regenerate in memory; exit 1 if any differs from the committed file
//   node record.mjs NAME...    only these scenarios (with or without --check)
//   node record.mjs --verbose  also print the room's log (warn/error) per scenario
//
// The transcript format is described in README.md.
import { clock, settle } from './lib/clock.mjs' // first: fakes timers before tldraw loads
import { TLSocketRoom } from '@tldraw/sync-core'
import { createTLSchema } from '@tldraw/tlschema'
import { isEqual } from '@tldraw/utils'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expandMakes, make } from './lib/records.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const SCENARIOS = path.join(here, 'scenarios')
const TRANSCRIPTS = path.join(here, 'transcripts')
const schema = createTLSchema()
const SCHEMA = schema.serialize()

// ---------------------------------------------------------------------------------------------
// Initial snapshots

/**
 * The room most scenarios start from: clocks 1..5, two tombstones, history from clock 1 (so a
 * client with lastServerClock 0 gets wipe_all).
 */
function baseInitial() {
	return {
		documentClock: 5,
		documents: [
			{ state: make('document', { name: 'Base room' }), lastChangedClock: 1 },
			{ state: make('page', { id: 'page:page', name: 'Page 1', index: 'a1' }), lastChangedClock: 1 },
			{ state: make('geo', { id: 'shape:geo1', x: 100, y: 100 }), lastChangedClock: 2 },
			{ state: make('text', { id: 'shape:text1', x: 300, y: 100, index: 'a2' }), lastChangedClock: 3 },
			{ state: make('page', { id: 'page:page2', name: 'Page 2', index: 'a2' }), lastChangedClock: 4 },
			{ state: make('note', { id: 'shape:note1', x: 100, y: 300, index: 'a3' }), lastChangedClock: 5 },
		],
		tombstones: { 'shape:old1': 2, 'shape:old2': 4 },
		tombstoneHistoryStartsAtClock: 1,
	}
}

function buildInitial(spec) {
	const raw = spec === 'base' || spec === undefined ? baseInitial() : expandMakes(spec)
	return canonicalSnapshot({ ...raw, schema: raw.schema ?? SCHEMA })
}

function sortKeys(obj) {
	return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]))
}

/** RoomSnapshot in the transcript's form: fixed key order, documents sorted by id, tombstones by id. */
function canonicalSnapshot(s) {
	return {
		documentClock: s.documentClock,
		documents: [...s.documents]
			.sort((a, b) => (a.state.id < b.state.id ? -1 : a.state.id > b.state.id ? 1 : 0))
			.map((d) => ({ state: d.state, lastChangedClock: d.lastChangedClock })),
		tombstones: sortKeys(s.tombstones ?? {}),
		tombstoneHistoryStartsAtClock: s.tombstoneHistoryStartsAtClock,
		schema: s.schema,
	}
}

// ---------------------------------------------------------------------------------------------
// Mock sockets: what TLSocketRoom needs of a WebSocket (readyState, send, close, listeners)

class MockSocket {
	constructor(name, sink) {
		this.name = name
		this.sink = sink
		this.readyState = 1 // OPEN
		this.listeners = { message: [], close: [], error: [] }
	}
	addEventListener(type, fn) {
		this.listeners[type]?.push(fn)
	}
	removeEventListener(type, fn) {
		this.listeners[type] = (this.listeners[type] ?? []).filter((f) => f !== fn)
	}
	/** server -> client frame */
	send(text) {
		if (this.readyState !== 1) return
		this.sink.received(this.name, JSON.parse(text))
	}
	/** the server closes the socket; a close on an already closed socket is a no-op, as in ws */
	close(code, reason) {
		if (this.readyState !== 1) return
		this.readyState = 3
		this.sink.closed(this.name, { code: code ?? null, reason: reason ?? null })
		for (const fn of [...this.listeners.close]) fn({ code: code ?? 1005, reason: reason ?? '' })
	}
	/** client -> server frame */
	deliver(text) {
		for (const fn of [...this.listeners.message]) fn({ data: text })
	}
	/** the client closes the socket */
	clientClose() {
		if (this.readyState !== 1) return
		this.readyState = 3
		for (const fn of [...this.listeners.close]) fn({ code: 1000, reason: '' })
	}
}

// ---------------------------------------------------------------------------------------------
// Scenario step macros -> transcript input steps

const SCHEMA_ALIASES = {
	$SCHEMA: () => SCHEMA,
	// the 5.4.2 schema with one sequence one version ahead (a client newer than the server)
	$SCHEMA_NEWER_GEO: () => ({ ...SCHEMA, sequences: { ...SCHEMA.sequences, 'com.tldraw.shape.geo': SCHEMA.sequences['com.tldraw.shape.geo'] + 1 } }),
	// the 5.4.2 schema plus a sequence the server does not know
	$SCHEMA_UNKNOWN_SEQUENCE: () => ({ ...SCHEMA, sequences: { ...SCHEMA.sequences, 'com.example.custom': 0 } }),
}

function resolveSchema(v) {
	if (typeof v === 'string') {
		if (v in SCHEMA_ALIASES) return SCHEMA_ALIASES[v]()
		const file = path.join(SCENARIOS, v)
		return JSON.parse(fs.readFileSync(file, 'utf8')) // e.g. "schemas/tlschema-5.1.1.json"
	}
	return v
}

/** Splits `text` into n frames "<n-1>_...", ..., "0_..." (the client chunk format). */
function chunkFrames(text, size) {
	const parts = []
	for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size))
	return parts.map((p, i) => `${parts.length - 1 - i}_${p}`)
}

function expandSteps(steps) {
	const clientClocks = {}
	const connects = {}
	const out = []
	for (const raw of steps) {
		const step = expandMakes(raw)
		if ('open' in step) {
			out.push({ open: step.open, readonly: !!step.readonly })
		} else if ('connect' in step) {
			const name = step.connect
			connects[name] = (connects[name] ?? 0) + 1
			const msg = {
				type: 'connect',
				connectRequestId: step.connectRequestId ?? `${name}-connect-${connects[name]}`,
				lastServerClock: step.lastServerClock ?? -1,
				protocolVersion: step.protocolVersion === undefined ? 8 : step.protocolVersion,
				schema: resolveSchema('schema' in step ? step.schema : '$SCHEMA'),
			}
			if (msg.protocolVersion === null) delete msg.protocolVersion
			if (msg.schema === null) delete msg.schema
			out.push({ send: name, message: msg })
		} else if ('push' in step) {
			const name = step.push
			const clientClock = step.clientClock ?? clientClocks[name] ?? 0
			clientClocks[name] = clientClock + 1
			const msg = { type: 'push', clientClock }
			if (step.diff !== undefined) msg.diff = step.diff
			if (step.presence !== undefined) msg.presence = step.presence
			out.push({ send: name, message: msg })
		} else if ('ping' in step) {
			out.push({ send: step.ping, message: { type: 'ping' } })
		} else if ('send' in step) {
			out.push(step.raw !== undefined ? { send: step.send, raw: step.raw } : { send: step.send, message: step.message })
		} else if ('send_chunked' in step) {
			const text = JSON.stringify(step.message)
			for (const frame of chunkFrames(text, step.chunk_size)) out.push({ send: step.send_chunked, raw: frame })
		} else if ('close' in step) {
			out.push({ close: step.close })
		} else if ('advance_ms' in step) {
			out.push({ advance_ms: step.advance_ms })
		} else {
			throw new Error(`unknown step ${JSON.stringify(raw)}`)
		}
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// Running one scenario against the reference room

export async function recordScenario(name, scenario, { verbose = false } = {}) {
	clock.reset() // time back to EPOCH_MS, no timers left from the previous scenario
	const initial = buildInitial(scenario.initial)
	const log = []
	const room = new TLSocketRoom({
		initialSnapshot: structuredClone(initial),
		log: { warn: (...a) => log.push(['warn', ...a.map(String)]), error: (...a) => log.push(['error', ...a.map(String)]) },
	})
	// InMemorySyncStorage console.error()s every exception thrown inside a transaction (e.g. the
	// validation errors that close a session with INVALID_RECORD); keep them in the log.
	const consoleError = console.error
	console.error = (...a) => log.push(['console.error', ...a.map(String)])
	const loaded = canonicalSnapshot(room.getCurrentSnapshot())
	if (!isEqual(loaded, initial)) {
		throw new Error(`${name}: the room's snapshot after loading differs from "initial"`)
	}

	const inbox = {} // session -> server messages since the last expect (data flattened)
	const closes = {} // session -> {code, reason}
	const sink = {
		received(who, msg) {
			const list = (inbox[who] ??= [])
			if (msg.type === 'data') list.push(...msg.data)
			else list.push(msg)
		},
		closed(who, c) {
			closes[who] = c
		},
	}
	const sockets = {}
	const presenceIds = new Set() // ids the room generated (to be renamed p1, p2, ...)
	// The room's internals, used only to read generated presence ids and to flush the 16 ms
	// batching buffer after each step (so every expect holds all that the step caused).
	const inner = room.room

	const flushBatches = () => {
		for (const id of inner.sessions.keys()) inner._flushDataMessages(id)
	}

	const steps = []
	for (const step of expandSteps(scenario.steps)) {
		steps.push(step)
		if ('open' in step) {
			const socket = (sockets[step.open] = new MockSocket(step.open, sink))
			room.handleSocketConnect({ sessionId: step.open, socket, isReadonly: step.readonly })
			const pid = inner.sessions.get(step.open)?.presenceId
			if (pid) presenceIds.add(pid)
		} else if ('send' in step) {
			const socket = sockets[step.send]
			if (!socket) throw new Error(`${name}: send before open for ${step.send}`)
			socket.deliver(step.raw !== undefined ? step.raw : JSON.stringify(step.message))
		} else if ('close' in step) {
			sockets[step.close].clientClose()
		} else if ('advance_ms' in step) {
			await clock.tickAsync(step.advance_ms)
		}
		await settle()
		flushBatches()
		await settle()
		const expect = { expect: {} }
		for (const who of Object.keys(inbox).sort()) if (inbox[who].length) expect.expect[who] = inbox[who]
		if (Object.keys(closes).length) expect.closed = sortKeys({ ...closes })
		for (const k of Object.keys(inbox)) delete inbox[k]
		for (const k of Object.keys(closes)) delete closes[k]
		steps.push(expect)
	}

	const final = canonicalSnapshot(room.getCurrentSnapshot())
	room.close()
	console.error = consoleError
	if (verbose) for (const l of log) console.error(`[${name}]`, ...l)

	const transcript = { name, description: scenario.description, initial, steps, final }
	return renamePresenceIds(transcript, presenceIds)
}

/** Renames the room's random presence ids to instance_presence:p1, p2, ... by first appearance. */
function renamePresenceIds(value, generated) {
	const names = new Map()
	const rename = (s) => {
		if (!generated.has(s)) return s
		if (!names.has(s)) names.set(s, `instance_presence:p${names.size + 1}`)
		return names.get(s)
	}
	const walk = (v) => {
		if (typeof v === 'string') return rename(v)
		if (Array.isArray(v)) return v.map(walk)
		if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [rename(k), walk(x)]))
		return v
	}
	return walk(value)
}

// ---------------------------------------------------------------------------------------------
// Output: one step per line, one document per line (readable diffs, small files)

export function formatTranscript(t) {
	const snap = (s) =>
		[
			'{',
			`  "documentClock": ${s.documentClock},`,
			'  "documents": [',
			s.documents.map((d) => '   ' + JSON.stringify(d)).join(',\n'),
			'  ],',
			`  "tombstones": ${JSON.stringify(s.tombstones)},`,
			`  "tombstoneHistoryStartsAtClock": ${s.tombstoneHistoryStartsAtClock},`,
			`  "schema": ${JSON.stringify(s.schema)}`,
			' }',
		].join('\n')
	return [
		'{',
		` "name": ${JSON.stringify(t.name)},`,
		` "description": ${JSON.stringify(t.description)},`,
		` "initial": ${snap(t.initial)},`,
		' "steps": [',
		t.steps.map((s) => '  ' + JSON.stringify(s)).join(',\n'),
		' ],',
		` "final": ${snap(t.final)}`,
		'}',
		'',
	].join('\n')
}

// ---------------------------------------------------------------------------------------------
// Generated scenarios (too long to write by hand)

const GENERATED = {
	'tombstone-pruning': () => {
		// 4,995 tombstones already in the room (four per clock, clocks 10..1258), then a client
		// deletes 10 pages one push at a time: 5,005 > 5,000 tombstones, so one second after the
		// first delete beyond the limit the room forgets the oldest 1,005, rounded up to 1,008 so
		// that no clock is split, and the history start moves to 262. Clients behind it get
		// wipe_all.
		const tombstones = {}
		for (let i = 0; i < 4995; i++) tombstones[`shape:t${String(i).padStart(4, '0')}`] = 10 + Math.floor(i / 4)
		const pages = []
		for (let i = 0; i < 10; i++) {
			pages.push({ state: make('page', { id: `page:x${i}`, name: `X${i}`, index: `b${i}` }), lastChangedClock: 1300 })
		}
		const initial = {
			documentClock: 1300,
			documents: [
				{ state: make('document', { name: 'Pruning room' }), lastChangedClock: 1 },
				{ state: make('page', { id: 'page:page', name: 'Page 1', index: 'a1' }), lastChangedClock: 1 },
				...pages,
			],
			tombstones,
			tombstoneHistoryStartsAtClock: 5,
		}
		const steps = [{ open: 'a' }, { connect: 'a', lastServerClock: 1300 }]
		for (let i = 0; i < 10; i++) steps.push({ push: 'a', diff: { [`page:x${i}`]: ['remove'] } })
		steps.push(
			{ advance_ms: 1100 },
			{ open: 'old' },
			{ connect: 'old', lastServerClock: 100 },
			{ open: 'recent' },
			{ connect: 'recent', lastServerClock: 1305 },
			{ open: 'edge' },
			{ connect: 'edge', lastServerClock: 261 },
			{ open: 'first' },
			{ connect: 'first', lastServerClock: 262 }
		)
		return {
			description:
				'4,995 tombstones plus 10 deletes exceed 5,000: one second after the delete the oldest tombstones are pruned (whole clocks only) and tombstoneHistoryStartsAtClock moves; a client behind it gets wipe_all, a recent one gets removes only since its clock.',
			initial,
			steps,
		}
	},
}

// ---------------------------------------------------------------------------------------------

function loadScenarios() {
	const out = {}
	for (const f of fs.readdirSync(SCENARIOS).filter((f) => f.endsWith('.json')).sort()) {
		out[f.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(SCENARIOS, f), 'utf8'))
	}
	for (const [k, gen] of Object.entries(GENERATED)) out[k] = gen()
	return out
}

async function main() {
	const args = process.argv.slice(2)
	const check = args.includes('--check')
	const verbose = args.includes('--verbose')
	const only = args.filter((a) => !a.startsWith('--'))
	const scenarios = loadScenarios()
	fs.mkdirSync(TRANSCRIPTS, { recursive: true })
	let bad = 0
	const names = only.length ? only : Object.keys(scenarios)
	for (const name of names) {
		if (!scenarios[name]) throw new Error(`no scenario ${name}`)
		const text = formatTranscript(await recordScenario(name, scenarios[name], { verbose }))
		const file = path.join(TRANSCRIPTS, `${name}.json`)
		const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null
		if (check) {
			if (old !== text) {
				console.error(`transcripts/${name}.json is ${old === null ? 'missing' : 'stale'}: run 'node record.mjs' and commit`)
				bad++
			}
		} else if (old !== text) {
			fs.writeFileSync(file, text)
			console.log(`wrote transcripts/${name}.json`)
		}
	}
	if (check && !only.length) {
		const expected = new Set(names.map((n) => `${n}.json`))
		for (const f of fs.readdirSync(TRANSCRIPTS)) {
			if (!expected.has(f)) {
				console.error(`transcripts/${f} has no scenario: delete it`)
				bad++
			}
		}
	}
	if (check) console.log(bad ? `${bad} transcript(s) differ` : `${names.length} transcripts match the reference`)
	process.exit(bad ? 1 : 0)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
