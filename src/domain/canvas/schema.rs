//! What the canvas needs to know of tldraw's record schema. The pinned schema itself (tldraw's
//! own validators) lives outside the domain; tests use a small stand-in.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordScope {
    /// Synced and saved: pages, shapes, bindings, assets…
    Document,
    /// Synced, never saved: one record per session (cursor, selection, name).
    Presence,
    /// Never leaves the browser.
    Session,
}

/// How a connecting client's schema compares with the pinned one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaCompat {
    Same,
    /// Older, and the reference could serve it by migrating every record down for it; this
    /// server refuses it (`CLIENT_TOO_OLD`): the web client is always the pinned version.
    Older,
    /// Refused with the given close reason (`CLIENT_TOO_OLD`, `SERVER_TOO_OLD`).
    Refused(&'static str),
}

pub trait RecordSchema {
    /// The pinned schema, serialised (`{"schemaVersion": 2, "sequences": {…}}`).
    fn serialized(&self) -> &Value;
    fn scope(&self, type_name: &str) -> Option<RecordScope>;
    /// tldraw's validator for records of `type_name` applied to `record`: the message of its
    /// error, if any.
    fn validate(&self, type_name: &str, record: &Value) -> Result<(), String>;
    fn compare(&self, client_schema: &Value) -> SchemaCompat;
}

/// A schema shared between rooms.
impl<T: RecordSchema + ?Sized> RecordSchema for std::sync::Arc<T> {
    fn serialized(&self) -> &Value {
        (**self).serialized()
    }
    fn scope(&self, type_name: &str) -> Option<RecordScope> {
        (**self).scope(type_name)
    }
    fn validate(&self, type_name: &str, record: &Value) -> Result<(), String> {
        (**self).validate(type_name, record)
    }
    fn compare(&self, client_schema: &Value) -> SchemaCompat {
        (**self).compare(client_schema)
    }
}
