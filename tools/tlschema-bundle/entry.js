// Pratico Live's entry into tldraw's MIT schema code. Exposes `globalThis.__tlschema`, a few
// functions taking and returning JSON strings, which src/tlschema/mod.rs calls. Each one does
// what the reference sync room (`TLSyncRoom` in @tldraw/sync-core 5.4.2) does with the schema at
// the same point; the comments name the place.
import { takeLogged, hasOwn } from './polyfills.js'
import { createTLSchema } from '@tldraw/tlschema'
import { isEqual } from '@tldraw/utils'

const schema = createTLSchema()
const serializedSchema = JSON.parse(JSON.stringify(schema.serialize()))
const serializedJson = JSON.stringify(serializedSchema)

function typeOf(typeName) {
	if (typeof typeName !== 'string' || !hasOwn.call(schema.types, typeName)) return null
	return schema.types[typeName]
}

function isRecord(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function messageOf(error) {
	if (error && typeof error.message === 'string') return error.message
	return String(error)
}

// `null` when valid, else the validator's message (what the room puts in its TLSyncError).
function validateWith(type, record) {
	try {
		type.validate(record)
		return null
	} catch (error) {
		return messageOf(error)
	}
}

function serialized() {
	return serializedJson
}

// {typeName: scope} for every record type of the schema.
function scopes() {
	const out = {}
	for (const [typeName, type] of Object.entries(schema.types)) out[typeName] = type.scope
	return JSON.stringify(out)
}

function scopeOf(typeName) {
	const type = typeOf(typeName)
	return type ? type.scope : null
}

// A client's `put` of a record the room does not have (handlePushRequest → addDocument →
// validateRecord): the typeName must be a document type ('invalid record' otherwise), then
// `recordType.validate(record)` with no previous version.
function validateNew(recordJson) {
	const record = JSON.parse(recordJson)
	const type = isRecord(record) ? typeOf(record.typeName) : null
	if (!type || type.scope !== 'document') return 'invalid record'
	return validateWith(type, record)
}

// A change to an existing record, by put or by patch (addDocument / applyAndDiffRecord →
// diffAndValidateRecord): nothing happens when the new value equals the old one (no diff, no
// validation); otherwise the new value is validated, from scratch, with the *stored* record's
// type. (The room skips a put that changes typeName before it gets here.)
function validateUpdate(prevJson, nextJson) {
	const prev = JSON.parse(prevJson)
	const next = JSON.parse(nextJson)
	if (isEqual(prev, next)) return null
	const type = isRecord(prev) ? typeOf(prev.typeName) : null
	if (!type) return 'invalid record'
	return validateWith(type, next)
}

// A session's presence (handlePushRequest, presence branch): the room overwrites `id` and
// `typeName` with the session's presence id and the presence type, then validates like any put
// (or, for a patch of an existing presence, like validateUpdate).
function validatePresence(recordJson) {
	const record = JSON.parse(recordJson)
	const type = isRecord(record) ? typeOf(record.typeName) : null
	if (!type || type.scope !== 'presence') return 'invalid record'
	return validateWith(type, record)
}

// A stored snapshot {store, schema} brought to the pinned schema, as the room does on load
// (migrateStorage), and then always filtered to document-scope records: the reference filters
// only when a migration ran. A record of an unknown type is an error (the reference fails on it
// when a migration runs and keeps it otherwise). Returns {"ok": {store, schema}} or
// {"error": message}.
function migrateStoreSnapshot(snapshotJson) {
	const snapshot = JSON.parse(snapshotJson)
	if (!isRecord(snapshot) || !isRecord(snapshot.store) || !isRecord(snapshot.schema)) {
		return JSON.stringify({ error: 'expected {"store": {...}, "schema": {...}}' })
	}
	takeLogged()
	let result
	try {
		result = schema.migrateStoreSnapshot(snapshot)
	} catch (error) {
		result = { type: 'error', reason: messageOf(error) }
	}
	if (result.type !== 'success') {
		const logged = takeLogged().join('; ')
		return JSON.stringify({
			error: `migration failed (${result.reason})` + (logged ? `: ${logged}` : ''),
		})
	}
	const store = {}
	for (const id of Object.keys(result.value)) {
		const record = result.value[id]
		const type = isRecord(record) ? typeOf(record.typeName) : null
		if (!type) {
			const typeName = isRecord(record) ? record.typeName : undefined
			return JSON.stringify({
				error: `record ${JSON.stringify(id)} has an unknown type ${JSON.stringify(typeName)}`,
			})
		}
		if (type.scope !== 'document') continue
		Object.defineProperty(store, id, { value: record, enumerable: true, writable: true, configurable: true })
	}
	return JSON.stringify({ ok: { store, schema: serializedSchema } })
}

// What the room concludes from a connecting client's schema (handleConnectRequest and
// getVersionMismatchReason): 'same' (no migration: equal, or differing only in sequences one side
// does not have), 'older' (the client needs down-migrated diffs), 'client_too_old' or
// 'server_too_old'. A schema the reference would throw on (malformed) is 'client_too_old'.
function compareSchema(clientSchemaJson) {
	const theirs = JSON.parse(clientSchemaJson)
	if (theirs === null || theirs === undefined) return 'client_too_old'
	try {
		const migrations = schema.getMigrationsSince(theirs)
		if (!migrations.ok) return mismatchReason(theirs)
		if (migrations.value.some((m) => m.scope !== 'record' || !m.down)) return 'client_too_old'
		return migrations.value.length > 0 ? 'older' : 'same'
	} catch {
		return 'client_too_old'
	}
}

function mismatchReason(theirs) {
	const ours = serializedSchema
	if (theirs.schemaVersion > ours.schemaVersion) return 'server_too_old'
	if (theirs.schemaVersion === 2 && ours.schemaVersion === 2) {
		for (const [sequenceId, theirVersion] of Object.entries(theirs.sequences)) {
			const ourVersion = ours.sequences[sequenceId]
			if (ourVersion === undefined || theirVersion > ourVersion) return 'server_too_old'
		}
	}
	return 'client_too_old'
}

globalThis.__tlschema = {
	serialized,
	scopes,
	scopeOf,
	validateNew,
	validateUpdate,
	validatePresence,
	migrateStoreSnapshot,
	compareSchema,
}
