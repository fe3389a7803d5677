//! tldraw's schema as the canvas protocol asks for it, and the server's own rules on top.

use std::sync::Arc;

use serde_json::Value;

use crate::domain::canvas::{RecordSchema, RecordScope, SchemaCompat};
use crate::domain::content_policy::ContentPolicy;
use crate::tlschema::{self, TlSchema};

/// tldraw's validators, then the content policy: a record tldraw accepts but that would make
/// browsers load another site (an embed, an image from elsewhere) is refused the same way, so
/// the push is rejected whole and nothing of it is stored or relayed.
#[derive(Clone)]
pub(super) struct PolicedSchema {
    pub tldraw: Arc<TlSchema>,
    pub content: ContentPolicy,
}

impl RecordSchema for PolicedSchema {
    fn serialized(&self) -> &Value {
        self.tldraw.serialized()
    }

    fn scope(&self, type_name: &str) -> Option<RecordScope> {
        RecordSchema::scope(&self.tldraw, type_name)
    }

    fn validate(&self, type_name: &str, record: &Value) -> Result<(), String> {
        RecordSchema::validate(&self.tldraw, type_name, record)?;
        self.content.check_record(record).map_err(|e| e.to_string())
    }

    fn compare(&self, client_schema: &Value) -> SchemaCompat {
        RecordSchema::compare(&self.tldraw, client_schema)
    }
}

impl RecordSchema for TlSchema {
    fn serialized(&self) -> &Value {
        TlSchema::serialized(self)
    }

    fn scope(&self, type_name: &str) -> Option<RecordScope> {
        TlSchema::scope(self, type_name).map(|scope| match scope {
            tlschema::RecordScope::Document => RecordScope::Document,
            tlschema::RecordScope::Presence => RecordScope::Presence,
            tlschema::RecordScope::Session => RecordScope::Session,
        })
    }

    fn validate(&self, type_name: &str, record: &Value) -> Result<(), String> {
        if TlSchema::scope(self, type_name) == Some(tlschema::RecordScope::Presence) {
            return self.validate_presence(record);
        }
        // Every tldraw record validator checks its own `typeName`: a record patched into
        // another type fails the validator of the type it had, as in the reference.
        if record.get("typeName").and_then(Value::as_str) != Some(type_name) {
            return Err(format!("At {type_name}.typeName: Expected \"{type_name}\""));
        }
        self.validate_new(record)
    }

    fn compare(&self, client_schema: &Value) -> SchemaCompat {
        match self.compare_schema(client_schema) {
            tlschema::SchemaCompat::Same => SchemaCompat::Same,
            tlschema::SchemaCompat::ClientOlder => SchemaCompat::Older,
            tlschema::SchemaCompat::ClientTooOld => SchemaCompat::Refused("CLIENT_TOO_OLD"),
            tlschema::SchemaCompat::ServerTooOld => SchemaCompat::Refused("SERVER_TOO_OLD"),
        }
    }
}
