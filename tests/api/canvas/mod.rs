//! The live canvas: tldraw's sync protocol served by the room.

use std::sync::{Arc, OnceLock};

use pratico::tlschema::TlSchema;

mod board;
mod capsule;
pub mod client;
mod content;
mod converge;
mod endpoint;
mod reference;
mod reports;

/// tldraw's schema, loaded once for the whole suite.
fn schema() -> Arc<TlSchema> {
    static SCHEMA: OnceLock<Arc<TlSchema>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| Arc::new(TlSchema::load().expect("tldraw's schema loads")))
        .clone()
}
