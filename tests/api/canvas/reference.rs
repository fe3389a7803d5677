//! The Rust room against tldraw's reference server: every transcript recorded from the
//! reference `TLSocketRoom` (tests/tldraw-ref, `record.mjs`) is replayed against
//! `domain::canvas::SyncRoom` with tldraw's own schema, and every message, close and the final
//! document must be the same, presence ids aside (they are random in the reference).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use pratico::domain::canvas::{Access, CLOSE_CODE, Document, Limits, Out, SyncRoom};
use pratico::tlschema::TlSchema;
use serde_json::{Value, json};

use super::schema;

const PRESENCE: &str = "instance_presence:";
/// Where this server knowingly differs from the reference, and how (see `deviations`).
const SERVED_DOWN_MIGRATED: &str = "schema-mismatch";

#[test]
fn every_transcript_of_the_reference_replays_identically() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tldraw-ref/transcripts");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("the reference transcripts (tests/tldraw-ref/transcripts)")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 19,
        "expected the recorded transcripts, found {names:?}"
    );
    let failures: Vec<String> = names
        .iter()
        .filter_map(|path| {
            let transcript: Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            replay(&transcript)
                .err()
                .map(|e| format!("{}: {e}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The replay of one transcript, or where it first differs.
fn replay(transcript: &Value) -> Result<(), String> {
    let name = transcript["name"].as_str().unwrap_or_default();
    let doc = Document::from_snapshot(&transcript["initial"])?;
    let limits = Limits {
        message_bytes: 16 << 20,
        document_bytes: 64 << 20,
    };
    let mut room = SyncRoom::new(schema(), doc, limits);
    let mut wire = Wire::default();
    let mut ids = Ids::default();
    let mut now = 1_000_000u64;
    for (i, step) in transcript["steps"].as_array().unwrap().iter().enumerate() {
        let at = || format!("step {i} {}", short(step));
        if let Some(session) = step["open"].as_str() {
            let access = if step["readonly"] == true {
                Access::ReadOnly
            } else {
                Access::Write
            };
            room.open(session, access, now);
            wire.open.insert(session.to_owned(), true);
        } else if let Some(session) = step["send"].as_str() {
            if name == SERVED_DOWN_MIGRATED && session == "v51" {
                return deviations::refuses_older_schemas(&mut room, step, now);
            }
            let frame = match &step["raw"] {
                Value::String(raw) => raw.clone(),
                _ => step["message"].to_string(),
            };
            if wire.open.get(session) == Some(&true) {
                wire.take(room.receive(session, &frame, now));
            }
        } else if let Some(session) = step["close"].as_str() {
            wire.open.insert(session.to_owned(), false);
            wire.take(room.closed(session, now));
        } else if let Some(ms) = step["advance_ms"].as_u64() {
            // The reference's timers run every so often while time passes: so do ours.
            let end = now + ms;
            while now < end {
                now = (now + 250).min(end);
                wire.take(room.tick(now));
            }
        } else if step.get("expect").is_some() {
            let sent = std::mem::take(&mut wire.sent);
            let sent = Value::Object(
                sent.into_iter()
                    .map(|(k, v)| (k, Value::Array(v)))
                    .collect(),
            );
            if !ids.same(&step["expect"], &sent) {
                return Err(format!(
                    "{}:\n  reference: {}\n  ours:      {}",
                    at(),
                    step["expect"],
                    sent
                ));
            }
            let closes = Value::Object(std::mem::take(&mut wire.closes).into_iter().collect());
            let expected_closes = step.get("closed").cloned().unwrap_or(json!({}));
            if !ids.same(&expected_closes, &closes) {
                return Err(format!(
                    "{} closes:\n  reference: {expected_closes}\n  ours:      {closes}",
                    at()
                ));
            }
        } else {
            return Err(format!("unknown step {}", at()));
        }
    }
    let ours = room.document().snapshot();
    if !ids.same(&transcript["final"], &ours) {
        return Err(format!(
            "final document:\n  reference: {}\n  ours:      {ours}",
            transcript["final"]
        ));
    }
    Ok(())
}

/// What the sessions' sockets received, as the reference's mock sockets record it: a close on a
/// closed socket does nothing.
#[derive(Default)]
struct Wire {
    open: BTreeMap<String, bool>,
    sent: BTreeMap<String, Vec<Value>>,
    closes: BTreeMap<String, Value>,
}

impl Wire {
    fn take(&mut self, outs: Vec<Out>) {
        for out in outs {
            match out {
                Out::Send { to, message } => {
                    let message = serde_json::to_value(&message).unwrap();
                    for session in to.sessions() {
                        if self.open.get(&**session) == Some(&true) {
                            let session = session.to_string();
                            self.sent.entry(session).or_default().push(message.clone());
                        }
                    }
                }
                Out::Close { session, reason } => {
                    if self.open.insert(session.clone(), false) == Some(true) {
                        let close = match reason {
                            Some(reason) => json!({"code": CLOSE_CODE, "reason": reason}),
                            None => json!({"code": null, "reason": null}),
                        };
                        self.closes.insert(session, close);
                    }
                }
                Out::Edited { .. } => {}
            }
        }
    }
}

/// Presence ids of the reference (renamed `p1`, `p2`… by the recorder) matched one to one with
/// ours as they first appear.
#[derive(Default, Clone)]
struct Ids {
    theirs_to_ours: BTreeMap<String, String>,
}

impl Ids {
    /// Equal JSON (numbers by value, keys in any order), presence ids matched consistently.
    fn same(&mut self, theirs: &Value, ours: &Value) -> bool {
        match (theirs, ours) {
            (Value::String(a), Value::String(b)) if a.starts_with(PRESENCE) => self.pair(a, b),
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| self.same(a, b))
            }
            (Value::Object(a), Value::Object(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let mut unmatched: Vec<&String> = b.keys().collect();
                for (key, value) in a {
                    let Some(at) = self.find_key(key, value, &unmatched, b) else {
                        return false;
                    };
                    unmatched.remove(at);
                }
                true
            }
            _ => theirs == ours,
        }
    }

    /// Which of our keys stands for `key` (trying every unmatched presence id, if need be).
    fn find_key(
        &mut self,
        key: &str,
        value: &Value,
        keys: &[&String],
        ours: &serde_json::Map<String, Value>,
    ) -> Option<usize> {
        for (at, candidate) in keys.iter().enumerate() {
            let fits = if key.starts_with(PRESENCE) {
                candidate.starts_with(PRESENCE)
            } else {
                *candidate == key
            };
            if !fits {
                continue;
            }
            let mut attempt = self.clone();
            if attempt.same(&json!(key), &json!(candidate))
                && attempt.same(value, &ours[candidate.as_str()])
            {
                *self = attempt;
                return Some(at);
            }
        }
        None
    }

    fn pair(&mut self, theirs: &str, ours: &str) -> bool {
        match self.theirs_to_ours.get(theirs) {
            Some(known) => known == ours,
            None if self.theirs_to_ours.values().any(|v| v == ours) => false,
            None => {
                self.theirs_to_ours
                    .insert(theirs.to_owned(), ours.to_owned());
                true
            }
        }
    }
}

fn short(step: &Value) -> String {
    let text = step.to_string();
    text.chars().take(160).collect()
}

mod deviations {
    use super::*;

    /// The reference serves a client with an older tldraw schema by migrating every record down
    /// for it; this server refuses it (the web client it serves is always the pinned version),
    /// as the reference refuses a client too old to migrate: 4099 `CLIENT_TOO_OLD`.
    pub fn refuses_older_schemas(
        room: &mut SyncRoom<Arc<TlSchema>>,
        connect: &Value,
        now: u64,
    ) -> Result<(), String> {
        let outs = room.receive("v51", &connect["message"].to_string(), now);
        let refused = outs.iter().any(|out| {
            matches!(out, Out::Close { session, reason: Some(reason) }
                if session == "v51" && reason == "CLIENT_TOO_OLD")
        });
        if refused {
            Ok(())
        } else {
            Err(format!("tldraw 5.1.1's schema was not refused: {outs:?}"))
        }
    }
}
