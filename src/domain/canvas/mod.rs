//! The room's shared canvas: tldraw's sync protocol (version 8) over one tldraw document.
//!
//! `room` is the protocol (sessions, connect, timeouts, what a push leads to), `push` one push
//! staged and checked record by record, `document` the records with their clocks and tombstones, `diff` tldraw's record diffs, `chunks` the reassembly of
//! long client messages, `schema` what the protocol asks of tldraw's record schema, and `js`
//! the few JavaScript semantics the reference's behaviour depends on.

pub mod chunks;
pub mod diff;
pub mod document;
mod js;
pub mod messages;
mod push;
pub mod room;
pub mod schema;

pub use document::Document;
pub use messages::{CLOSE_CODE, Reason, ServerMessage};
pub use room::{Access, Limits, Out, SyncRoom, To};
pub use schema::{RecordSchema, RecordScope, SchemaCompat};

#[cfg(test)]
mod tests;
