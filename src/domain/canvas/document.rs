//! The shared document: records with the clock of their last change, tombstones of deleted
//! records, and the document clock, which ticks once per change that writes anything and never
//! goes backwards (it is saved with the document, so a restart continues from it).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// Tombstones kept before the oldest are pruned, and how many go beyond the excess.
pub const MAX_TOMBSTONES: usize = 5_000;
pub const TOMBSTONE_PRUNE_BUFFER: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub state: Value,
    pub clock: i64,
    /// The record's size as JSON.
    pub bytes: usize,
}

/// A record's size as JSON, which is how the document's size is counted.
pub fn json_bytes(record: &Value) -> usize {
    serde_json::to_vec(record).map_or(0, |v| v.len())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    records: BTreeMap<String, Stored>,
    tombstones: BTreeMap<String, i64>,
    /// The records' size as JSON, in total.
    bytes: usize,
    clock: i64,
    /// Clients that last saw an older clock cannot be told what was deleted: they get everything.
    history_starts_at: i64,
    schema: Value,
}

/// What a client that last saw a given clock is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    /// The client must drop everything it has and take `puts` as the whole document.
    pub wipe_all: bool,
    pub puts: Vec<Value>,
    pub removes: Vec<String>,
}

impl Document {
    /// A document read from a saved room snapshot (`{documentClock, documents: [{state,
    /// lastChangedClock}], tombstones, tombstoneHistoryStartsAtClock, schema}`) or from a tldraw
    /// store snapshot (`{store: {id: record}, schema}`, every clock 0), as the reference reads them.
    pub fn from_snapshot(snapshot: &Value) -> Result<Document, String> {
        if snapshot.get("documents").is_none() {
            let store = snapshot
                .get("store")
                .and_then(Value::as_object)
                .ok_or("a snapshot needs \"documents\" or \"store\"")?;
            let documents: Vec<Value> = store
                .values()
                .map(|state| json!({"state": state, "lastChangedClock": 0}))
                .collect();
            return Self::from_snapshot(&json!({
                "documentClock": 0, "documents": documents, "tombstones": {},
                "schema": snapshot.get("schema").cloned().unwrap_or(Value::Null),
            }));
        }
        let number = |v: Option<&Value>| v.and_then(Value::as_f64).map(|n| n as i64);
        let mut records = BTreeMap::new();
        for doc in snapshot["documents"]
            .as_array()
            .ok_or("\"documents\" must be a list")?
        {
            let state = doc
                .get("state")
                .filter(|s| s.is_object())
                .ok_or("a document without state")?;
            let id = state
                .get("id")
                .and_then(Value::as_str)
                .ok_or("a record without id")?;
            let clock = number(doc.get("lastChangedClock")).unwrap_or(0);
            records.insert(
                id.to_owned(),
                Stored {
                    state: state.clone(),
                    clock,
                    bytes: json_bytes(state),
                },
            );
        }
        let mut tombstones: BTreeMap<String, i64> = snapshot
            .get("tombstones")
            .and_then(Value::as_object)
            .map(|t| {
                t.iter()
                    .filter_map(|(id, c)| Some((id.clone(), c.as_f64()? as i64)))
                    .collect()
            })
            .unwrap_or_default();
        let newest = records
            .values()
            .map(|r| r.clock)
            .chain(tombstones.values().copied())
            .max();
        let saved = number(snapshot.get("documentClock")).or(number(snapshot.get("clock")));
        let clock = newest.unwrap_or(0).max(saved.unwrap_or(0)).max(0);
        let history_starts_at = number(snapshot.get("tombstoneHistoryStartsAtClock"))
            .unwrap_or(clock)
            .min(clock);
        if history_starts_at == clock {
            tombstones.clear();
        }
        Ok(Document {
            bytes: records.values().map(|r| r.bytes).sum(),
            records,
            tombstones,
            clock,
            history_starts_at,
            schema: snapshot.get("schema").cloned().unwrap_or(Value::Null),
        })
    }

    /// The room snapshot to save, in the reference's shape (documents ordered by id).
    pub fn snapshot(&self) -> Value {
        let documents: Vec<Value> = self
            .records
            .values()
            .map(|r| json!({"state": r.state, "lastChangedClock": r.clock}))
            .collect();
        let tombstones: Map<String, Value> = self
            .tombstones
            .iter()
            .map(|(id, c)| (id.clone(), json!(c)))
            .collect();
        json!({
            "documentClock": self.clock,
            "tombstoneHistoryStartsAtClock": self.history_starts_at,
            "documents": documents,
            "tombstones": tombstones,
            "schema": self.schema,
        })
    }

    /// Moves a document whose clock is below `clock` up to it, as if everything was written
    /// then: a new room starts at 1, so that a client saying it has seen clock 0 gets the
    /// document rather than nothing.
    pub fn start_at(&mut self, clock: i64) {
        if self.clock < clock {
            self.clock = clock;
            self.history_starts_at = clock;
            self.tombstones.clear();
        }
    }

    /// The document as a tldraw store snapshot (`{store: {id: record}, schema}`), the shape
    /// tldraw's `loadSnapshot` takes.
    pub fn store_snapshot(&self) -> Value {
        let store: Map<String, Value> = self
            .records
            .iter()
            .map(|(id, r)| (id.clone(), r.state.clone()))
            .collect();
        json!({"store": store, "schema": self.schema})
    }

    pub fn clock(&self) -> i64 {
        self.clock
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.records.get(id).map(|r| &r.state)
    }

    pub fn records(&self) -> impl Iterator<Item = &Value> {
        self.records.values().map(|r| &r.state)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn tombstone_count(&self) -> usize {
        self.tombstones.len()
    }

    /// The records' size as JSON, in total.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The size of one record as JSON (0 if there is none).
    pub fn record_bytes(&self, id: &str) -> usize {
        self.records.get(id).map_or(0, |r| r.bytes)
    }

    /// Stores a record at the given clock (the clock of the change being written).
    pub fn set(&mut self, id: &str, state: Value, clock: i64) {
        self.tombstones.remove(id);
        let bytes = json_bytes(&state);
        self.bytes += bytes;
        if let Some(old) = self.records.insert(
            id.to_owned(),
            Stored {
                state,
                clock,
                bytes,
            },
        ) {
            self.bytes -= old.bytes;
        }
        self.clock = self.clock.max(clock);
    }

    /// Deletes a record, leaving a tombstone; false if there was none.
    pub fn delete(&mut self, id: &str, clock: i64) -> bool {
        let Some(old) = self.records.remove(id) else {
            return false;
        };
        self.bytes -= old.bytes;
        self.tombstones.insert(id.to_owned(), clock);
        self.clock = self.clock.max(clock);
        true
    }

    /// What a client whose last clock is `since` is missing (`None`: nothing). `since` is a
    /// JavaScript number: a missing or odd one is NaN, for which every comparison is false.
    pub fn changes_since(&self, since: f64) -> Option<Changes> {
        let clock = self.clock as f64;
        if since == clock {
            return None;
        }
        let since = if since > clock { -1.0 } else { since };
        let wipe_all = since < self.history_starts_at as f64;
        let puts = self
            .records
            .values()
            .filter(|r| wipe_all || r.clock as f64 > since)
            .map(|r| r.state.clone())
            .collect();
        let removes = if wipe_all {
            Vec::new()
        } else {
            self.tombstones
                .iter()
                .filter(|&(_, &c)| c as f64 > since)
                .map(|(id, _)| id.clone())
                .collect()
        };
        Some(Changes {
            wipe_all,
            puts,
            removes,
        })
    }

    /// Forgets the oldest tombstones once there are too many, never splitting the tombstones of
    /// one clock; clients older than what remains will get the whole document.
    pub fn prune_tombstones(&mut self) {
        if self.tombstones.len() <= MAX_TOMBSTONES {
            return;
        }
        let mut by_age: Vec<(i64, String)> = self
            .tombstones
            .iter()
            .map(|(id, &c)| (c, id.clone()))
            .collect();
        by_age.sort_by_key(|(c, _)| *c);
        let mut cutoff = TOMBSTONE_PRUNE_BUFFER + by_age.len() - MAX_TOMBSTONES;
        while cutoff < by_age.len() && by_age[cutoff - 1].0 == by_age[cutoff].0 {
            cutoff += 1;
        }
        self.history_starts_at = by_age.get(cutoff).map_or(self.clock, |(c, _)| *c);
        for (_, id) in &by_age[..cutoff] {
            self.tombstones.remove(id);
        }
    }
}
