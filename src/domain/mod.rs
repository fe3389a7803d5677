//! Pure rules of the product: no clock, socket or database in here.

pub mod assets;
pub mod canvas;
pub mod capsule_text;
pub mod codes;
pub mod content_policy;
pub mod events;
pub mod gift;
pub mod lang;
pub mod names;
pub mod protocol;
pub mod quiz;
pub mod ranking;
pub mod reactions;
pub mod report;
pub mod room;
pub mod sessions;
pub mod tldraw;

/// Times are kept as epoch milliseconds and shown as RFC 3339 (`2026-11-27T09:00:00.123Z`).
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
