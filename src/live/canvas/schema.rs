//! tldraw's schema as the canvas protocol asks for it.

use serde_json::Value;

use crate::domain::canvas::{RecordSchema, RecordScope, SchemaCompat};
use crate::tlschema::{self, TlSchema};

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
