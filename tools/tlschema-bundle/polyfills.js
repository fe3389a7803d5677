// Minimal web APIs that tldraw's MIT schema code calls and QuickJS lacks. Only what the code uses:
// `crypto.getRandomValues` (record ids made by migrations), `structuredClone` (migrations),
// `URL` / `URLSearchParams` (link and src URL validators, embed-shape migrations) and `console`
// (the store logs migration failures). URL parsing is the WHATWG parser of Rust's `url` crate,
// reached through `__pratico_native` (set by src/tlschema/mod.rs before this bundle runs).

const native = globalThis.__pratico_native
const hasOwn = Object.prototype.hasOwnProperty

// console: messages are kept (bounded) so a failed call can report what the code logged.
const logged = []
function log(level) {
	return (...args) => {
		if (logged.length >= 20) logged.shift()
		const text = args
			.map((a) => {
				if (a instanceof Error) return String(a.message)
				if (typeof a === 'string') return a
				try {
					return JSON.stringify(a)
				} catch {
					return String(a)
				}
			})
			.join(' ')
		logged.push(level + ': ' + text.slice(0, 500))
	}
}
globalThis.console = {
	log: log('log'),
	info: log('info'),
	debug: log('debug'),
	warn: log('warn'),
	error: log('error'),
}
export function takeLogged() {
	return logged.splice(0, logged.length)
}

// crypto.getRandomValues for integer typed arrays, filled from the OS through Rust.
globalThis.crypto = {
	getRandomValues(array) {
		if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
			throw new TypeError('getRandomValues: expected an integer typed array')
		}
		if (array.byteLength > 65536) throw new RangeError('getRandomValues: quota exceeded')
		const bytes = native.randomBytes(array.byteLength)
		const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
		for (let i = 0; i < view.length; i++) view[i] = bytes[i]
		return array
	},
}

// structuredClone for what the code clones: records, i.e. JSON data (plain objects, arrays,
// primitives; `undefined` values kept as structuredClone keeps them). Own keys are defined, not
// assigned, so a "__proto__" key stays a key. Cycles and other objects throw, like a
// DataCloneError would for functions.
function cloneValue(value, seen) {
	if (value === null || typeof value !== 'object') {
		if (typeof value === 'function' || typeof value === 'symbol') {
			throw new TypeError('structuredClone: value could not be cloned')
		}
		return value
	}
	if (seen.has(value)) throw new TypeError('structuredClone: cyclic value')
	seen.add(value)
	let out
	if (Array.isArray(value)) {
		out = new Array(value.length)
		for (let i = 0; i < value.length; i++) out[i] = cloneValue(value[i], seen)
	} else if (value instanceof Date) {
		out = new Date(value.getTime())
	} else {
		out = {}
		for (const key of Object.keys(value)) {
			Object.defineProperty(out, key, {
				value: cloneValue(value[key], seen),
				writable: true,
				enumerable: true,
				configurable: true,
			})
		}
	}
	seen.delete(value)
	return out
}
globalThis.structuredClone = function structuredClone(value) {
	return cloneValue(value, new Set())
}

// URLSearchParams: the application/x-www-form-urlencoded list, parsed and serialised by Rust.
class URLSearchParams {
	constructor(init, owner) {
		let text = init === undefined || init === null ? '' : String(init)
		if (text.startsWith('?')) text = text.slice(1)
		this._list = text === '' ? [] : JSON.parse(native.formParse(text))
		this._owner = owner || null
	}
	_update() {
		if (this._owner) this._owner._setSearch(this.toString())
	}
	append(name, value) {
		this._list.push([String(name), String(value)])
		this._update()
	}
	delete(name) {
		name = String(name)
		this._list = this._list.filter(([k]) => k !== name)
		this._update()
	}
	get(name) {
		name = String(name)
		const found = this._list.find(([k]) => k === name)
		return found ? found[1] : null
	}
	getAll(name) {
		name = String(name)
		return this._list.filter(([k]) => k === name).map(([, v]) => v)
	}
	has(name) {
		name = String(name)
		return this._list.some(([k]) => k === name)
	}
	set(name, value) {
		name = String(name)
		value = String(value)
		const i = this._list.findIndex(([k]) => k === name)
		if (i === -1) {
			this._list.push([name, value])
		} else {
			this._list[i][1] = value
			this._list = this._list.filter(([k], j) => j <= i || k !== name)
		}
		this._update()
	}
	keys() {
		return this._list.map(([k]) => k)[Symbol.iterator]()
	}
	values() {
		return this._list.map(([, v]) => v)[Symbol.iterator]()
	}
	entries() {
		return this._list.map(([k, v]) => [k, v])[Symbol.iterator]()
	}
	forEach(fn, thisArg) {
		for (const [k, v] of this._list) fn.call(thisArg, v, k, this)
	}
	[Symbol.iterator]() {
		return this.entries()
	}
	get size() {
		return this._list.length
	}
	toString() {
		return native.formSerialize(JSON.stringify(this._list))
	}
}

// URL: the WHATWG URL parser of Rust's `url` crate; setters re-parse through it.
const URL_PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']
class URL {
	constructor(input, base) {
		const baseHref = base === undefined ? undefined : String(base instanceof URL ? base.href : base)
		const parts =
			baseHref === undefined ? native.urlParse(String(input)) : native.urlParse(String(input), baseHref)
		if (parts == null) throw new TypeError('Invalid URL')
		this._parts = JSON.parse(parts)
		this._params = null
	}
	_set(part, value) {
		const parts = native.urlSet(this._parts.href, part, String(value))
		if (parts != null) this._parts = JSON.parse(parts)
		if (part !== 'search' && part !== 'href') return
		if (this._params) this._params._list = new URLSearchParams(this._parts.search)._list
	}
	_setSearch(query) {
		const parts = native.urlSet(this._parts.href, 'search', query)
		if (parts != null) this._parts = JSON.parse(parts)
	}
	get searchParams() {
		if (!this._params) this._params = new URLSearchParams(this._parts.search, this)
		return this._params
	}
	toString() {
		return this._parts.href
	}
	toJSON() {
		return this._parts.href
	}
	static canParse(input, base) {
		try {
			new URL(input, base)
			return true
		} catch {
			return false
		}
	}
}
for (const part of URL_PARTS) {
	Object.defineProperty(URL.prototype, part, {
		get() {
			return this._parts[part]
		},
		set: part === 'origin' ? undefined : function (value) {
			this._set(part, value)
		},
		enumerable: true,
		configurable: true,
	})
}
globalThis.URL = URL
globalThis.URLSearchParams = URLSearchParams
export { hasOwn }
