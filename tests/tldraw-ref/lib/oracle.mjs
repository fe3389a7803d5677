// The check tldraw 5.4.2's TLSyncRoom applies when a client (same schema as the room) puts a
// record that does not exist yet (TLSyncRoom.handlePushRequest -> addDocument):
//   1. document lane: the typeName must be one of the schema's document-scope types (asset,
//      binding, document, page, shape, user); anything else closes the session 4099
//      INVALID_RECORD with the message "invalid record" (checked before any validation).
//      Presence lane (the push's `presence` field): the room first overwrites `id` with the
//      session's presence id and `typeName` with "instance_presence".
//   2. schema.migratePersistedRecord(record, clientSchema, 'up'): a no-op for a client on the
//      room's schema (a failure would close with CLIENT_TOO_OLD).
//   3. schema.types[typeName].validate(record): a throw closes 4099 INVALID_RECORD; its message
//      is what `error` reports.
// An update (put of an existing id, or a patch) runs the same validate() on the new state, but
// only when diffRecord(old, new) is non-empty.
import { createTLSchema } from '@tldraw/tlschema'

const schema = createTLSchema()
const serialized = schema.serialize()
const documentTypes = new Set(
	Object.values(schema.types)
		.filter((t) => t.scope === 'document')
		.map((t) => t.typeName)
)
/** What the room substitutes for a presence record's id (any valid presence id would do). */
export const ORACLE_PRESENCE_ID = 'instance_presence:oracle'

/** @returns {{ok: true} | {ok: false, error: string}} */
export function verdict(record, lane = 'document') {
	let state = record
	if (lane === 'presence') {
		state = { ...record, id: ORACLE_PRESENCE_ID, typeName: 'instance_presence' }
	} else if (!documentTypes.has(record?.typeName)) {
		return { ok: false, error: 'invalid record' }
	}
	const migrated = schema.migratePersistedRecord(state, serialized, 'up')
	if (migrated.type === 'error') return { ok: false, error: `CLIENT_TOO_OLD: ${migrated.reason}` }
	try {
		schema.types[state.typeName].validate(migrated.value)
		return { ok: true }
	} catch (e) {
		return { ok: false, error: String(e?.message ?? e) }
	}
}
