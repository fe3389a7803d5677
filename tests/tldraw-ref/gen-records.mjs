// Generates records for validation tests: valid ones of every document type and shape type of
// tldraw 5.4.2's default schema plus instance_presence, and mutated ones (a field removed, wrong
// type, out-of-range number, NaN-like values, extra field, bad index key, bad id prefix, bad
// richText, huge strings, nested garbage). Deterministic per seed.
//
//   node gen-records.mjs --seed N --count K   print K JSON lines {"case", "record"[, "lane"]}
//   node gen-records.mjs --corpus             rewrite corpus/records.jsonl and corpus/verdicts.jsonl
//   node gen-records.mjs --check              regenerate both in memory; exit 1 if either differs
//
// "case" says what the generator meant ("valid geo", "geo: remove props.w", ...): the verdict
// is the oracle's (validate.mjs), not this label. "lane": "presence" marks presence records,
// which the oracle checks the way the room checks a push's `presence` field.
import {
	ArrowShapeKindStyle,
	DefaultColorStyle,
	DefaultDashStyle,
	DefaultFillStyle,
	DefaultFontStyle,
	DefaultHorizontalAlignStyle,
	DefaultSizeStyle,
	DefaultTextAlignStyle,
	DefaultVerticalAlignStyle,
	GeoShapeGeoStyle,
	LineShapeSplineStyle,
	ArrowShapeArrowheadEndStyle,
} from '@tldraw/tlschema'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { verdict } from './lib/oracle.mjs'
import { make, richText, segment, SHAPE_KINDS } from './lib/records.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const CORPUS = { seed: 20260101, count: 2400 }

// mulberry32: small, fast, deterministic
function rng(seed) {
	let a = seed >>> 0
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0
		let t = a
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
	const r = {
		next,
		int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
		pick: (xs) => xs[Math.floor(next() * xs.length)],
		bool: () => next() < 0.5,
		num: (lo, hi, decimals = 2) => Number((lo + next() * (hi - lo)).toFixed(decimals)),
		id: (n = 10) => Array.from({ length: n }, () => r.pick([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'])).join(''),
	}
	return r
}

const WORDS = ['hello', 'Bonjour', 'élève', 'naïve', 'über', '日本語', '😀', 'x', '', 'a b', 'tab\there', 'quote"s', 'back\\slash', '\u2028', 'ünïcödé', 'test']
const text = (r, n = r.int(0, 6)) => Array.from({ length: n }, () => r.pick(WORDS)).join(r.pick([' ', '\n', ' ']))

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** A valid fractional index key ("a" + 1 digit or "b" + 2 digits, then a fraction not ending in 0). */
function indexKey(r) {
	let k = r.next() < 0.8 ? 'a' + r.pick([...B62]) : 'b' + r.pick([...B62]) + r.pick([...B62])
	for (let i = r.int(0, 3); i > 0; i--) k += r.pick([...B62.slice(1)])
	return k
}

function jsonGarbage(r, depth = 0) {
	const t = r.int(0, depth > 2 ? 3 : 5)
	if (t === 0) return r.num(-1e6, 1e6, 3)
	if (t === 1) return text(r, 2)
	if (t === 2) return r.bool()
	if (t === 3) return null
	if (t === 4) return Array.from({ length: r.int(0, 3) }, () => jsonGarbage(r, depth + 1))
	return Object.fromEntries(Array.from({ length: r.int(0, 3) }, () => [r.id(4), jsonGarbage(r, depth + 1)]))
}

const styleValues = (s) => [...s.values]

/** A valid record of `kind`, randomised. */
function validRecord(r, kind) {
	const meta = r.next() < 0.3 ? jsonGarbage(r, 1) : {}
	const metaObj = meta && typeof meta === 'object' && !Array.isArray(meta) ? meta : {}
	if (SHAPE_KINDS.includes(kind)) {
		const base = {
			id: `shape:${r.id()}`,
			x: r.num(-5000, 5000),
			y: r.num(-5000, 5000),
			rotation: r.num(0, 6.28, 4),
			index: indexKey(r),
			parentId: r.pick(['page:page', `page:${r.id(6)}`, `shape:${r.id(6)}`]),
			isLocked: r.bool(),
			opacity: r.pick([0, 0.1, 0.25, 0.5, 0.75, 1]),
			meta: metaObj,
		}
		const color = r.pick(styleValues(DefaultColorStyle))
		const size = r.pick(styleValues(DefaultSizeStyle))
		const font = r.pick(styleValues(DefaultFontStyle))
		const props = {}
		switch (kind) {
			case 'geo':
				Object.assign(props, {
					geo: r.pick(styleValues(GeoShapeGeoStyle)),
					dash: r.pick(styleValues(DefaultDashStyle)),
					fill: r.pick(styleValues(DefaultFillStyle)),
					color,
					labelColor: r.pick(styleValues(DefaultColorStyle)),
					size,
					font,
					align: r.pick(styleValues(DefaultHorizontalAlignStyle)),
					verticalAlign: r.pick(styleValues(DefaultVerticalAlignStyle)),
					w: r.num(1, 2000),
					h: r.num(1, 2000),
					growY: r.num(0, 100),
					richText: richText(text(r)),
					url: r.pick(['', 'https://example.com/a?b=c']),
				})
				break
			case 'text':
				Object.assign(props, { color, size, font, textAlign: r.pick(styleValues(DefaultTextAlignStyle)), w: r.num(1, 800), richText: richText(text(r)), autoSize: r.bool() })
				break
			case 'draw':
			case 'highlight': {
				const segs = Array.from({ length: r.int(1, 3) }, () =>
					segment(Array.from({ length: r.int(1, 8) }, () => [r.num(-200, 200), r.num(-200, 200), r.num(0, 1)]), r.pick(['free', 'straight']))
				)
				Object.assign(props, { color, size, segments: segs, isComplete: r.bool(), isPen: r.bool(), scaleX: r.pick([1, 2, -1, 0.5]), scaleY: r.pick([1, -1, 3]) })
				if (kind === 'draw') Object.assign(props, { fill: r.pick(styleValues(DefaultFillStyle)), dash: r.pick(styleValues(DefaultDashStyle)), isClosed: r.bool() })
				break
			}
			case 'arrow':
				Object.assign(props, {
					kind: r.pick(styleValues(ArrowShapeKindStyle)),
					color,
					size,
					font,
					arrowheadEnd: r.pick(styleValues(ArrowShapeArrowheadEndStyle)),
					start: { x: r.num(-500, 500), y: r.num(-500, 500) },
					end: { x: r.num(-500, 500), y: r.num(-500, 500) },
					bend: r.num(-300, 300),
					labelPosition: r.num(0, 1),
					richText: richText(text(r, 1)),
				})
				break
			case 'note':
				Object.assign(props, { color, size, font, growY: r.num(0, 300), fontSizeAdjustment: r.pick([null, 0, 12]), richText: richText(text(r)), textLastEditedBy: r.pick([null, 'user:alice']) })
				break
			case 'line': {
				const points = {}
				for (let i = r.int(2, 5); i > 0; i--) {
					const id = r.id(5)
					points[id] = { id, index: indexKey(r), x: r.num(-300, 300), y: r.num(-300, 300) }
				}
				Object.assign(props, { color, size, spline: r.pick(styleValues(LineShapeSplineStyle)), points })
				break
			}
			case 'frame':
				Object.assign(props, { w: r.num(1, 3000), h: r.num(1, 3000), name: text(r, 2), color })
				break
			case 'image':
				Object.assign(props, { w: r.num(1, 4000), h: r.num(1, 4000), assetId: r.pick([null, `asset:${r.id(6)}`]), crop: r.bool() ? null : { topLeft: { x: 0, y: 0 }, bottomRight: { x: 1, y: 1 }, isCircle: r.bool() }, altText: text(r, 2) })
				break
			case 'video':
				Object.assign(props, { w: r.num(1, 4000), h: r.num(1, 4000), time: r.num(0, 500), playing: r.bool(), autoplay: r.bool(), assetId: r.pick([null, `asset:${r.id(6)}`]) })
				break
			case 'embed':
				Object.assign(props, { w: r.num(1, 2000), h: r.num(1, 2000), url: r.pick(['https://www.youtube.com/watch?v=abc', 'https://example.com', '']) })
				break
			case 'bookmark':
				Object.assign(props, { w: r.num(1, 2000), h: r.num(1, 2000), url: r.pick(['https://example.com/page', '']) })
				break
		}
		if ('scale' in make(kind).props) props.scale = r.pick([1, 0.5, 2, 1.25])
		return make(kind, { ...base, props })
	}
	switch (kind) {
		case 'document':
			return make('document', { name: text(r, 2), gridSize: r.pick([1, 5, 10, 20]), meta: metaObj })
		case 'page':
			return make('page', { id: `page:${r.id()}`, name: text(r, 3), index: indexKey(r), meta: metaObj })
		case 'user':
			return make('user', { id: `user:${r.id()}`, name: text(r, 2), color: r.pick(['#ff0000', 'red', '']), imageUrl: r.pick(['', 'https://example.com/u.png']), meta: metaObj })
		case 'binding':
			return make('binding', {
				id: `binding:${r.id()}`,
				fromId: `shape:${r.id(6)}`,
				toId: `shape:${r.id(6)}`,
				props: { terminal: r.pick(['start', 'end']), normalizedAnchor: { x: r.num(0, 1), y: r.num(0, 1) }, isExact: r.bool(), isPrecise: r.bool(), snap: r.pick(['center', 'edge-point', 'edge', 'none']) },
				meta: metaObj,
			})
		case 'asset_image':
		case 'asset_video':
			return make(kind, {
				id: `asset:${r.id()}`,
				props: { w: r.num(1, 4000), h: r.num(1, 4000), name: text(r, 1), isAnimated: r.bool(), mimeType: r.pick([null, 'image/png', 'video/mp4']), src: r.pick([null, '', 'https://example.com/x.png', 'data:image/png;base64,iVBORw0KGgo=', 'asset:abc']) },
				meta: metaObj,
			})
		case 'asset_bookmark':
			return make(kind, { id: `asset:${r.id()}`, props: { title: text(r, 2), description: text(r, 4), image: '', favicon: '', src: r.pick([null, 'https://example.com/']) }, meta: metaObj })
		case 'presence':
			return make('presence', {
				id: `instance_presence:${r.id()}`,
				userId: `user:${r.id(6)}`,
				userName: text(r, 1),
				lastActivityTimestamp: r.pick([null, 1700000000000 + r.int(0, 1e6)]),
				followingUserId: r.pick([null, `user:${r.id(6)}`]),
				cursor: r.bool() ? null : { x: r.num(-1000, 1000), y: r.num(-1000, 1000), type: r.pick(['default', 'pointer', 'cross', 'grab', 'text']), rotation: 0 },
				camera: r.bool() ? null : { x: r.num(-1000, 1000), y: r.num(-1000, 1000), z: r.num(0.1, 8) },
				selectedShapeIds: Array.from({ length: r.int(0, 3) }, () => `shape:${r.id(6)}`),
				currentPageId: `page:${r.id(6)}`,
				brush: r.bool() ? null : { x: 0, y: 0, w: r.num(0, 100), h: r.num(0, 100) },
				chatMessage: text(r, 1),
			})
	}
	throw new Error(`no generator for ${kind}`)
}

const KINDS = ['document', 'page', 'user', ...SHAPE_KINDS, 'binding', 'asset_image', 'asset_video', 'asset_bookmark', 'presence']

/** Every key path (array of keys) in a record, objects and arrays included. */
function paths(v, prefix = []) {
	const out = []
	if (v && typeof v === 'object') {
		for (const [k, x] of Object.entries(v)) {
			const p = [...prefix, Array.isArray(v) ? Number(k) : k]
			out.push(p, ...paths(x, p))
		}
	}
	return out
}
const getAt = (v, p) => p.reduce((o, k) => o?.[k], v)
function setAt(v, p, value) {
	const parent = getAt(v, p.slice(0, -1))
	parent[p[p.length - 1]] = value
}
function deleteAt(v, p) {
	const parent = getAt(v, p.slice(0, -1))
	if (Array.isArray(parent)) parent.splice(p[p.length - 1], 1)
	else delete parent[p[p.length - 1]]
}
const show = (p) => p.join('.')

const MUTATIONS = {
	remove(r, rec) {
		const p = r.pick(paths(rec))
		deleteAt(rec, p)
		return `remove ${show(p)}`
	},
	wrongType(r, rec) {
		const p = r.pick(paths(rec))
		const old = getAt(rec, p)
		const replacement =
			typeof old === 'number' ? r.pick([String(old), true, [old], { value: old }])
			: typeof old === 'string' ? r.pick([old.length, false, [old], null])
			: typeof old === 'boolean' ? r.pick(['true', 1, 0, null])
			: Array.isArray(old) ? r.pick([{}, 'array', 0])
			: old === null ? r.pick([0, '', false, {}])
			: r.pick([[], 'object', 1, null])
		setAt(rec, p, replacement)
		return `wrong type at ${show(p)}: ${JSON.stringify(replacement)?.slice(0, 40)}`
	},
	outOfRange(r, rec) {
		const nums = paths(rec).filter((p) => typeof getAt(rec, p) === 'number')
		if (!nums.length) return MUTATIONS.remove(r, rec)
		const p = r.pick(nums)
		const value = r.pick([-1, 0, -0.0001, 2, 1.5, -1e6, 1e308, -1e308, 9007199254740993, 0.1 + 0.2])
		setAt(rec, p, value)
		return `number ${show(p)} = ${value}`
	},
	nanLike(r, rec) {
		const nums = paths(rec).filter((p) => typeof getAt(rec, p) === 'number')
		if (!nums.length) return MUTATIONS.remove(r, rec)
		const p = r.pick(nums)
		const value = r.pick([null, 'NaN', 'Infinity', '-Infinity', '1e309', '', '0x10', ' 1'])
		setAt(rec, p, value)
		return `NaN-like ${show(p)} = ${JSON.stringify(value)}`
	},
	extraField(r, rec) {
		const objects = [[], ...paths(rec).filter((p) => { const v = getAt(rec, p); return v && typeof v === 'object' && !Array.isArray(v) })]
		const p = r.pick(objects)
		const key = r.pick(['extra', '__proto__x', 'x2', 'props2', 'constructor', 'toString', r.id(5)])
		const target = p.length ? getAt(rec, p) : rec
		target[key] = jsonGarbage(r, 1)
		return `extra field ${show([...p, key])}`
	},
	badIndex(r, rec) {
		const idx = paths(rec).filter((p) => p[p.length - 1] === 'index')
		const value = r.pick(['', 'a', 'a0', 'A', 'a1 ', ' a1', 'a1.5', 'b', 'Zz', 'a00', '0', 'zzzzzzzzzz', 'a1V', '😀', null, 1])
		if (!idx.length) { rec.index = value; return `index on a record without one = ${JSON.stringify(value)}` }
		const p = r.pick(idx)
		setAt(rec, p, value)
		return `index ${show(p)} = ${JSON.stringify(value)}`
	},
	badId(r, rec) {
		const [prefix, rest] = [rec.id.slice(0, rec.id.indexOf(':')), rec.id.slice(rec.id.indexOf(':') + 1)]
		const value = r.pick([
			rest, `${prefix}:`, `${prefix}`, `${r.pick(['shape', 'page', 'asset', 'binding', 'user', 'document', 'instance_presence'])}:${rest}`,
			`${prefix.toUpperCase()}:${rest}`, `${prefix}::${rest}`, ` ${rec.id}`, `${prefix}:${rest}/x`, 123, null,
		])
		const field = r.pick(['id', 'id', 'parentId', 'fromId', 'currentPageId', 'userId'])
		if (field !== 'id' && !(field in rec)) rec.id = value
		else rec[field] = value
		return `${field in rec ? field : 'id'} = ${JSON.stringify(value)}`
	},
	badRichText(r, rec) {
		const value = r.pick([
			'plain string', null, {}, { type: 'doc' }, { type: 'doc', content: 'x' }, { type: 5, content: [] }, { content: [] },
			{ type: 'doc', content: [], attrs: { a: 1 } }, { type: 'doc', content: [null, 1, 'x'] }, { type: 'doc', content: [], extra: 1 },
		])
		if (rec.props && 'richText' in rec.props) rec.props.richText = value
		else if (rec.props) rec.props.richText = value
		else rec.richText = value
		return `richText = ${JSON.stringify(value)}`
	},
	hugeString(r, rec) {
		const strs = paths(rec).filter((p) => typeof getAt(rec, p) === 'string')
		const p = r.pick(strs)
		const value = getAt(rec, p) + 'x'.repeat(r.pick([1_000, 3_000, 10_000]))
		setAt(rec, p, value)
		return `huge string at ${show(p)} (${value.length} chars)`
	},
	nestedGarbage(r, rec) {
		const target = r.pick(['meta', 'props', 'props', 'typeName', 'x'])
		const garbage = { [r.id(3)]: jsonGarbage(r), nested: [jsonGarbage(r), { deep: [[[jsonGarbage(r)]]] }] }
		if (target === 'props' && rec.props) rec.props[r.pick(Object.keys(rec.props).concat(['junk']))] = garbage
		else rec[target] = garbage
		return `nested garbage in ${target}`
	},
	typeSwap(r, rec) {
		const value = r.pick(['camera', 'instance', 'instance_page_state', 'pointer', 'bogus', '', 'shape', 'page', 'asset', 'instance_presence', 'Shape', null])
		if (r.bool() && 'type' in rec) { rec.type = r.pick(['triangle', 'Geo', '', 'custom', 'arrow', 'geo']); return `type = ${JSON.stringify(rec.type)}` }
		rec.typeName = value
		return `typeName = ${JSON.stringify(value)}`
	},
}
const MUTATION_NAMES = Object.keys(MUTATIONS)

export function* generate(seed, count) {
	const r = rng(seed)
	for (let i = 0; i < count; i++) {
		const kind = KINDS[i % KINDS.length]
		const rec = validRecord(r, kind)
		let label = `valid ${kind}`
		if (r.next() >= 0.3) {
			const m = r.pick(MUTATION_NAMES)
			label = `${kind}: ${MUTATIONS[m](r, rec)}`
			if (r.next() < 0.1) label += `; ${MUTATIONS[r.pick(MUTATION_NAMES)](r, rec)}`
		}
		const line = { case: label, record: rec }
		if (kind === 'presence') line.lane = 'presence'
		yield line
	}
}

function corpusText() {
	const records = []
	const verdicts = []
	for (const line of generate(CORPUS.seed, CORPUS.count)) {
		records.push(JSON.stringify(line) + '\n')
		verdicts.push(JSON.stringify(verdict(line.record, line.lane ?? 'document')) + '\n')
	}
	return { records: records.join(''), verdicts: verdicts.join('') }
}

function main() {
	const args = process.argv.slice(2)
	const opt = (name, dflt) => {
		const i = args.indexOf(name)
		return i >= 0 ? Number(args[i + 1]) : dflt
	}
	const dir = path.join(here, 'corpus')
	const files = { records: path.join(dir, 'records.jsonl'), verdicts: path.join(dir, 'verdicts.jsonl') }
	if (args.includes('--check') || args.includes('--corpus')) {
		const text = corpusText()
		let bad = 0
		for (const k of ['records', 'verdicts']) {
			const old = fs.existsSync(files[k]) ? fs.readFileSync(files[k], 'utf8') : null
			if (old === text[k]) continue
			if (args.includes('--check')) {
				console.error(`corpus/${k}.jsonl is ${old === null ? 'missing' : 'stale'}: run 'node gen-records.mjs --corpus' and commit`)
				bad++
			} else {
				fs.mkdirSync(dir, { recursive: true })
				fs.writeFileSync(files[k], text[k])
				console.log(`wrote corpus/${k}.jsonl`)
			}
		}
		if (args.includes('--check')) console.log(bad ? 'corpus differs' : `corpus matches (${CORPUS.count} records)`)
		process.exit(bad ? 1 : 0)
	}
	for (const line of generate(opt('--seed', 1), opt('--count', 100))) process.stdout.write(JSON.stringify(line) + '\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()
