//! tldraw's own schema (MIT `@tldraw/tlschema` 5.4.2, the version the front end pins), run
//! in-process by an embedded JavaScript engine (QuickJS), so that the server accepts and refuses
//! exactly the records tldraw accepts, and migrates capsules saved by older tldraw versions.
//!
//! The JavaScript is a committed bundle (`tlschema.js`, built by `tools/tlschema-bundle/`):
//! tldraw's code plus a small entry that does, for each function here, what the reference sync
//! room (`TLSyncRoom`, @tldraw/sync-core 5.4.2) does at the same point. No Node at run time.
//!
//! Threading: a [`TlSchema`] is `Send + Sync`, loaded once and shared through an `Arc`. It holds
//! a small pool of engines (one per core, at most [`MAX_ENGINES`]); a call takes a free one, or
//! waits for one. Calls are short (microseconds to a millisecond for a record) and block the
//! thread, like a mutex would; a capsule migration can take longer and belongs in
//! `spawn_blocking`. [`TlSchema::scope`] and [`TlSchema::serialized`] never enter the engine.
//!
//! Hostile input: each engine has a memory limit, a stack limit and a time budget per call
//! ([`Limits`]). A call that exceeds one, or whose JavaScript throws unexpectedly, returns an
//! error and its engine is replaced by a fresh one; no input can hang, crash or poison the pool.

mod engine;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use serde_json::Value;

use engine::Engine;
pub use engine::{EngineError, Limits};

/// The most engines one [`TlSchema`] keeps (each adds about 3.5 MiB of RSS once loaded).
pub const MAX_ENGINES: usize = 4;

/// The tldraw version whose schema the bundle holds.
pub const TLDRAW_VERSION: &str = "5.4.2";

/// Where records of a type live (tldraw's `RecordType.scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordScope {
    /// Stored and synced: `document`, `page`, `shape`, `binding`, `asset`, `user`.
    Document,
    /// Synced, never stored: `instance_presence`.
    Presence,
    /// Neither: one browser tab's UI state (`instance`, `camera`, `pointer`, …).
    Session,
}

/// What the reference room concludes from a connecting client's serialized schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaCompat {
    /// No migration between the two: the schemas are equal, or differ only in sequences that one
    /// side does not have (the reference then accepts the client as is).
    Same,
    /// The client is older and every migration since its schema can be undone record by record:
    /// the reference accepts it and down-migrates every diff it sends to it. A server that does
    /// not down-migrate closes with 4099 `CLIENT_TOO_OLD` instead.
    ClientOlder,
    /// Close 4099 `CLIENT_TOO_OLD`: older than any down-migration can reach, no schema, or a
    /// schema the reference cannot read (it throws on those).
    ClientTooOld,
    /// Close 4099 `SERVER_TOO_OLD`: the client knows a sequence or version the server does not.
    ServerTooOld,
}

/// The bundle could not be loaded (a build or packaging fault, not an input problem).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tldraw schema: {0}")]
pub struct SchemaError(String);

/// The pinned tldraw schema, ready to validate and migrate records. See the module docs.
pub struct TlSchema {
    /// `createTLSchema().serialize()`, read once at load.
    serialized: Value,
    /// The scope of every record type, read once at load.
    scopes: HashMap<String, RecordScope>,
    /// The engines; a slot is `None` only while a failed engine is being replaced.
    engines: Vec<Mutex<Option<Engine>>>,
    /// Where the next call starts looking for a free engine (spreads the load).
    next: AtomicUsize,
    limits: Limits,
}

impl TlSchema {
    /// Loads the schema with one engine per available core (at most [`MAX_ENGINES`]). Once per
    /// process: it evaluates the bundle in each engine (tens of milliseconds each).
    pub fn load() -> Result<TlSchema, SchemaError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        TlSchema::load_with(cores.min(MAX_ENGINES), Limits::default())
    }

    /// Loads the schema with `engines` engines (at least one) and the given limits.
    pub fn load_with(engines: usize, limits: Limits) -> Result<TlSchema, SchemaError> {
        let first = Engine::new(limits).map_err(SchemaError)?;
        let serialized = call_json(&first, "serialized", &[], limits.call_budget)?;
        let scopes: HashMap<String, String> =
            serde_json::from_value(call_json(&first, "scopes", &[], limits.call_budget)?)
                .map_err(|e| SchemaError(format!("scopes: {e}")))?;
        let scopes = scopes
            .into_iter()
            .map(|(type_name, scope)| {
                let scope = match scope.as_str() {
                    "document" => RecordScope::Document,
                    "presence" => RecordScope::Presence,
                    "session" => RecordScope::Session,
                    other => return Err(SchemaError(format!("unknown scope {other:?}"))),
                };
                Ok((type_name, scope))
            })
            .collect::<Result<_, _>>()?;
        let mut pool = vec![Mutex::new(Some(first))];
        for _ in 1..engines.max(1) {
            pool.push(Mutex::new(Some(Engine::new(limits).map_err(SchemaError)?)));
        }
        Ok(TlSchema {
            serialized,
            scopes,
            engines: pool,
            next: AtomicUsize::new(0),
            limits,
        })
    }

    /// The pinned schema, serialized (`{"schemaVersion": 2, "sequences": {...}}`): what the
    /// server sends in `connect` and stores beside a capsule's records.
    pub fn serialized(&self) -> &Value {
        &self.serialized
    }

    /// The scope of a record type, `None` for a type the schema does not have.
    pub fn scope(&self, type_name: &str) -> Option<RecordScope> {
        self.scopes.get(type_name).copied()
    }

    /// A client `put` of a record the room does not have yet. `Err` means close 4099
    /// `INVALID_RECORD`; the message is tldraw's (`At shape(type = geo).props.w: Expected a
    /// number, got a string`), or `invalid record` when the type is unknown or not
    /// document-scoped, as in the reference.
    pub fn validate_new(&self, record: &Value) -> Result<(), String> {
        let record = to_json(record)?;
        self.validation("validateNew", &[&record])
    }

    /// A change to a stored record (a put of an existing id, or a patch once applied): `prev`
    /// is the stored record, `next` the candidate. Like the reference, an unchanged record is
    /// `Ok` without validation (nothing is stored or sent then), and otherwise `next` is
    /// validated in full with `prev`'s type. The reference skips (does not close on) a put that
    /// changes `typeName`: check that before calling this.
    pub fn validate_update(&self, prev: &Value, next: &Value) -> Result<(), String> {
        let (prev, next) = (to_json(prev)?, to_json(next)?);
        self.validation("validateUpdate", &[&prev, &next])
    }

    /// A session's presence `put`, after the server set its `id` to the session's presence id
    /// and its `typeName` to `instance_presence` (the reference does both before validating).
    /// `Err` means close 4099 `INVALID_RECORD`. A presence *patch* is checked with
    /// [`TlSchema::validate_update`], as in the reference.
    pub fn validate_presence(&self, record: &Value) -> Result<(), String> {
        let record = to_json(record)?;
        self.validation("validatePresence", &[&record])
    }

    /// Brings a stored snapshot `{"store": {id: record}, "schema": schema}` to the pinned schema
    /// with tldraw's migrations (what the reference room does when it loads a snapshot), keeps
    /// only document-scope records (the reference does so only when a migration ran) and returns
    /// `{"store", "schema"}` with the pinned schema. Records are not validated (nor are they by
    /// the reference on load); call [`TlSchema::validate_new`] on each to refuse a bad file.
    /// Errors: a schema newer than the pinned one, a migration that throws, a record of an
    /// unknown type. Can take a while on a large capsule: call it from `spawn_blocking`.
    pub fn migrate_store_snapshot(&self, snapshot: &Value) -> Result<Value, String> {
        let snapshot = to_json(snapshot)?;
        let answer = self
            .with_engine(|engine| {
                engine.call(
                    "migrateStoreSnapshot",
                    &[&snapshot],
                    self.limits.migrate_budget,
                )
            })
            .map_err(|e| e.to_string())?
            .ok_or("the schema engine returned nothing")?;
        let mut answer: Value = serde_json::from_str(&answer).map_err(|e| e.to_string())?;
        if let Some(migrated) = answer.get_mut("ok") {
            return Ok(migrated.take());
        }
        match answer.get_mut("error").map(Value::take) {
            Some(Value::String(error)) => Err(error),
            _ => Err("the schema engine returned an unexpected answer".into()),
        }
    }

    /// What the reference room concludes from the schema in a client's `connect` message
    /// (`Value::Null` when it sent none).
    pub fn compare_schema(&self, client_schema: &Value) -> SchemaCompat {
        let Ok(schema) = to_json(client_schema) else {
            return SchemaCompat::ClientTooOld;
        };
        let answer = self.with_engine(|engine| {
            engine.call("compareSchema", &[&schema], self.limits.call_budget)
        });
        match answer.ok().flatten().as_deref() {
            Some("same") => SchemaCompat::Same,
            Some("older") => SchemaCompat::ClientOlder,
            Some("server_too_old") => SchemaCompat::ServerTooOld,
            _ => SchemaCompat::ClientTooOld,
        }
    }

    /// Heap bytes held by each engine now (for metrics and the measurements).
    pub fn engine_heap_bytes(&self) -> Vec<i64> {
        (0..self.engines.len())
            .map(|i| {
                lock(&self.engines[i])
                    .as_ref()
                    .map_or(0, Engine::heap_bytes)
            })
            .collect()
    }

    /// How many engines the pool has.
    pub fn engine_count(&self) -> usize {
        self.engines.len()
    }

    /// A validation call: the function returns null when valid, else tldraw's message.
    fn validation(&self, function: &str, args: &[&str]) -> Result<(), String> {
        match self.with_engine(|engine| engine.call(function, args, self.limits.call_budget)) {
            Ok(None) => Ok(()),
            Ok(Some(message)) => Err(message),
            Err(error) => Err(error.to_string()),
        }
    }

    /// Runs `f` on a free engine (or waits for one). An engine whose call failed is replaced, so
    /// the next call never sees what the failed one left behind.
    fn with_engine<T>(
        &self,
        f: impl FnOnce(&Engine) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let mut slot = self.acquire();
        if slot.is_none() {
            *slot = Some(Engine::new(self.limits).map_err(EngineError::Failed)?);
        }
        let engine = slot.as_ref().expect("an engine was just put in the slot");
        let result = f(engine);
        if result.is_err() {
            let limits = engine.limits();
            *slot = None;
            // Rebuilt now, while this thread holds the slot; if that fails, the next call tries.
            *slot = Engine::new(limits).ok();
        }
        result
    }

    /// A free engine if there is one, else the next in turn (waiting for it).
    fn acquire(&self) -> MutexGuard<'_, Option<Engine>> {
        let count = self.engines.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % count;
        for i in 0..count {
            match self.engines[(start + i) % count].try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => return unpoison(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => continue,
            }
        }
        lock(&self.engines[start])
    }
}

/// Locks a slot. A poisoned one (a panic while it was held, possibly mid-call) loses its engine,
/// which the next call rebuilds.
fn lock(slot: &Mutex<Option<Engine>>) -> MutexGuard<'_, Option<Engine>> {
    slot.lock()
        .unwrap_or_else(|poisoned| unpoison(poisoned.into_inner()))
}

fn unpoison(mut guard: MutexGuard<'_, Option<Engine>>) -> MutexGuard<'_, Option<Engine>> {
    *guard = None;
    guard
}

fn to_json(value: &Value) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("not serializable: {e}"))
}

fn call_json(
    engine: &Engine,
    function: &str,
    args: &[&str],
    budget: Duration,
) -> Result<Value, SchemaError> {
    let text = engine
        .call(function, args, budget)
        .map_err(|e| SchemaError(format!("{function}: {e}")))?
        .ok_or_else(|| SchemaError(format!("{function}: no answer")))?;
    serde_json::from_str(&text).map_err(|e| SchemaError(format!("{function}: {e}")))
}
