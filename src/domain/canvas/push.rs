//! One push, staged and checked as the reference checks it: presence first, then each record op
//! (skipped when the session may not write it, refused when tldraw's validators refuse it),
//! then applied by the room only if the whole push stands.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::diff::{self, TypeError};
use super::document::{self, Document};
use super::js;
use super::messages::Reason;
use super::room::{Access, PRESENCE_TYPE};
use super::schema::{RecordSchema, RecordScope};

/// Why a push or a connect stops: the session is refused with this reason.
pub(super) struct Fatal(pub(super) Reason);

impl From<TypeError> for Fatal {
    fn from(_: TypeError) -> Fatal {
        Fatal(Reason::UnknownError)
    }
}

/// The record types a drawing session may create.
const DRAWN_TYPES: [&str; 3] = ["shape", "binding", "asset"];

/// One push, staged: nothing reaches the room unless the whole push is accepted (the reference
/// runs it in a transaction that an error rolls back).
pub(super) struct Txn<'a> {
    doc: &'a Document,
    presence: &'a BTreeMap<String, Value>,
    /// Document writes in order: a record's new state, or `None` for a delete.
    pub(super) writes: Vec<(String, Option<Value>)>,
    staged: BTreeMap<String, Option<Value>>,
    pub(super) presence_writes: BTreeMap<String, Value>,
    pub(super) doc_ops: Map<String, Value>,
    /// What the others are sent of the presence.
    pub(super) relayed_presence: Map<String, Value>,
    /// What the others are sent of the document: the same changes, diffed afresh from the records before and
    /// after (with string appends whatever `legacy` says, and removes as plain `["remove"]`).
    pub(super) relayed: Map<String, Value>,
    /// Records created, updated and deleted.
    pub(super) counts: (u32, u32, u32),
}

impl<'a> Txn<'a> {
    pub(super) fn new(doc: &'a Document, presence: &'a BTreeMap<String, Value>) -> Txn<'a> {
        Txn {
            doc,
            presence,
            writes: Vec::new(),
            staged: BTreeMap::new(),
            presence_writes: BTreeMap::new(),
            doc_ops: Map::new(),
            relayed: Map::new(),
            relayed_presence: Map::new(),
            counts: (0, 0, 0),
        }
    }

    fn get(&self, id: &str) -> Option<&Value> {
        match self.staged.get(id) {
            Some(staged) => staged.as_ref(),
            None => self.doc.get(id),
        }
    }

    fn get_presence(&self, id: &str) -> Option<&Value> {
        self.presence_writes
            .get(id)
            .or_else(|| self.presence.get(id))
    }

    fn write(&mut self, id: &str, state: Option<Value>) {
        self.staged.insert(id.to_owned(), state.clone());
        self.writes.push((id.to_owned(), state));
    }

    pub(super) fn run(
        &mut self,
        schema: &impl RecordSchema,
        message: &Value,
        presence_id: &str,
        access: &Access,
        legacy: bool,
    ) -> Result<(), Fatal> {
        if let Some(presence) = message.get("presence").filter(|p| !js::falsy(p)) {
            self.presence(schema, presence, presence_id, legacy)?;
        }
        let Some(diff) = message.get("diff").filter(|d| !js::falsy(d)) else {
            return Ok(());
        };
        for (id, op) in diff::entries(diff) {
            // `op[0]` of null throws in the reference.
            if op.is_null() {
                return Err(Fatal(Reason::UnknownError));
            }
            let Some(op) = op.as_array() else { continue };
            match op.first().and_then(Value::as_str) {
                Some("put") => self.put(schema, &id, op.get(1), access)?,
                Some("patch") => self.patch(schema, &id, op.get(1), access, legacy)?,
                Some("remove") => {
                    let Some(prev) = self.get(&id) else { continue };
                    if !may_change(access, prev) {
                        continue;
                    }
                    self.write(&id, None);
                    self.counts.2 += 1;
                    self.relayed.insert(id.clone(), json!(["remove"]));
                    self.doc_ops.insert(id, Value::Array(op.clone()));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn presence(
        &mut self,
        schema: &impl RecordSchema,
        presence: &Value,
        id: &str,
        legacy: bool,
    ) -> Result<(), Fatal> {
        let (kind, value) = match presence {
            Value::Array(op) => (op.first(), op.get(1).unwrap_or(&Value::Null)),
            // A string destructures into its characters, which name no op.
            Value::String(_) => return Ok(()),
            _ => return Err(Fatal(Reason::UnknownError)),
        };
        let mut fields = value.as_object().cloned().unwrap_or_default();
        match kind.and_then(Value::as_str) {
            Some("put") => {
                fields.insert("id".into(), json!(id));
                fields.insert("typeName".into(), json!(PRESENCE_TYPE));
                let state = Value::Object(fields);
                let op = match self.get_presence(id) {
                    Some(prev) => match diff::diff_record(prev, &state, false) {
                        Some(d) => json!(["patch", d]),
                        None => return Ok(()),
                    },
                    None => json!(["put", state]),
                };
                validate(schema, PRESENCE_TYPE, &state)?;
                self.presence_writes.insert(id.to_owned(), state);
                self.relayed_presence.insert(id.to_owned(), op);
            }
            Some("patch") => {
                fields.insert("id".into(), json!(["put", id]));
                fields.insert("typeName".into(), json!(["put", PRESENCE_TYPE]));
                let Some(prev) = self.get_presence(id).cloned() else {
                    return Ok(());
                };
                let Some(next) = diff::apply_object_diff(&prev, &Value::Object(fields))? else {
                    return Ok(());
                };
                if diff::diff_record(&prev, &next, legacy).is_none() {
                    return Ok(());
                }
                validate(schema, PRESENCE_TYPE, &next)?;
                if let Some(op) = patch_op(&prev, &next) {
                    self.relayed_presence.insert(id.to_owned(), op);
                }
                self.presence_writes.insert(id.to_owned(), next);
            }
            _ => {}
        }
        Ok(())
    }

    fn put(
        &mut self,
        schema: &impl RecordSchema,
        id: &str,
        record: Option<&Value>,
        access: &Access,
    ) -> Result<(), Fatal> {
        // `op[1].typeName` throws when the record is missing or null.
        let record = match record {
            None | Some(Value::Null) => return Err(Fatal(Reason::UnknownError)),
            Some(record) => record,
        };
        if *access == Access::ReadOnly {
            return Ok(());
        }
        let type_name = record.get("typeName").and_then(Value::as_str);
        let Some(type_name) = type_name.filter(|t| schema.scope(t) == Some(RecordScope::Document))
        else {
            return Err(Fatal(Reason::InvalidRecord));
        };
        let stamped;
        let record = match (access, self.get(id)) {
            (Access::WriteOwn(_), Some(prev))
                if !may_change(access, prev) || !may_change(access, record) =>
            {
                return Ok(());
            }
            (Access::WriteOwn(_), None) if !DRAWN_TYPES.contains(&type_name) => return Ok(()),
            (Access::WriteOwn(tag), None) => {
                stamped = own(record, tag);
                &stamped
            }
            _ => record,
        };
        let op = match self.get(id) {
            Some(prev) if prev.get("typeName").and_then(Value::as_str) != Some(type_name) => {
                return Ok(());
            }
            Some(prev) => match diff::diff_record(prev, record, false) {
                Some(d) => json!(["patch", d]),
                None => return Ok(()),
            },
            None => json!(["put", record]),
        };
        validate(schema, type_name, record)?;
        check_id(id, record)?;
        if op[0] == "put" {
            self.counts.0 += 1;
            self.relayed.insert(id.to_owned(), op.clone());
        } else {
            self.counts.1 += 1;
            let prev = self.get(id).cloned().unwrap_or_default();
            self.relay_patch(id, &prev, record);
        }
        self.write(id, Some(record.clone()));
        self.doc_ops.insert(id.to_owned(), op);
        Ok(())
    }

    fn patch(
        &mut self,
        schema: &impl RecordSchema,
        id: &str,
        patch: Option<&Value>,
        access: &Access,
        legacy: bool,
    ) -> Result<(), Fatal> {
        let Some(prev) = self.get(id).cloned() else {
            return Ok(());
        };
        if !may_change(access, &prev) {
            return Ok(());
        }
        let type_name = prev
            .get("typeName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let patch = patch.unwrap_or(&Value::Null);
        let Some(next) = diff::apply_object_diff(&prev, patch)? else {
            return Ok(());
        };
        let Some(d) = diff::diff_record(&prev, &next, legacy) else {
            return Ok(());
        };
        if !may_change(access, &next) {
            return Ok(());
        }
        validate(schema, &type_name, &next)?;
        check_id(id, &next)?;
        self.counts.1 += 1;
        self.relay_patch(id, &prev, &next);
        self.write(id, Some(next));
        self.doc_ops.insert(id.to_owned(), json!(["patch", d]));
        Ok(())
    }
}

impl Txn<'_> {
    /// Drops the push's document changes, keeping its presence.
    pub(super) fn refuse_document(&mut self) {
        self.writes.clear();
        self.staged.clear();
        self.doc_ops.clear();
        self.relayed.clear();
        self.counts = (0, 0, 0);
    }

    fn relay_patch(&mut self, id: &str, prev: &Value, next: &Value) {
        if let Some(op) = patch_op(prev, next) {
            self.relayed.insert(id.to_owned(), op);
        }
    }

    /// How much larger the document would be, as JSON, with this push's writes.
    pub(super) fn growth(&self) -> isize {
        let size = |state: &Option<Value>| state.as_ref().map_or(0, document::json_bytes);
        self.staged
            .iter()
            .map(|(id, state)| size(state) as isize - self.doc.record_bytes(id) as isize)
            .sum()
    }
}

/// A patch taking others from `prev` to `next` (diffed with string appends).
fn patch_op(prev: &Value, next: &Value) -> Option<Value> {
    diff::diff_record(prev, next, false).map(|d| json!(["patch", d]))
}

/// Whether a session may change (or delete) this record.
fn may_change(access: &Access, record: &Value) -> bool {
    match access {
        Access::ReadOnly => false,
        Access::Write => true,
        Access::WriteOwn(tag) => record["meta"]["createdBy"].as_str() == Some(tag.as_str()),
    }
}

/// The record marked as drawn by `tag`.
fn own(record: &Value, tag: &str) -> Value {
    let mut record = record.clone();
    if !record["meta"].is_object() {
        record["meta"] = json!({});
    }
    record["meta"]["createdBy"] = json!(tag);
    record
}

fn validate(schema: &impl RecordSchema, type_name: &str, record: &Value) -> Result<(), Fatal> {
    schema
        .validate(type_name, record)
        .map_err(|_| Fatal(Reason::InvalidRecord))
}

/// The reference stores a record under its key and asserts the key is the record's id.
fn check_id(id: &str, record: &Value) -> Result<(), Fatal> {
    match record.get("id").and_then(Value::as_str) {
        Some(own) if own == id => Ok(()),
        _ => Err(Fatal(Reason::UnknownError)),
    }
}
