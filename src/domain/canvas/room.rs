//! One shared tldraw document and the sessions editing it: tldraw's sync protocol (version 8),
//! as its reference server (`TLSyncRoom` of `@tldraw/sync-core` 5.4.2) behaves, without I/O.
//!
//! The caller owns the sockets and the clock: it opens a session per socket, hands over every
//! frame with the time it arrived, calls [`SyncRoom::tick`] about once a second, and carries
//! out what each call returns ([`Out`]). Frames of one session are answered in order, and every
//! push gets exactly one `push_result`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::chunks::{Assembled, Assembler};
use super::document::Document;
use super::js;
use super::messages::{Reason, ServerMessage};
use super::push::{Fatal, Txn};
use super::schema::{RecordSchema, SchemaCompat};

pub const PROTOCOL_VERSION: i64 = 8;
/// A socket that sends no `connect` within this time is dropped.
pub const SESSION_START_WAIT_MS: u64 = 10_000;
/// A session that sends nothing (not even a ping) for this long is dropped.
pub const SESSION_IDLE_TIMEOUT_MS: u64 = 20_000;
/// A dropped session's presence (its cursor) stays this long, in case it comes straight back.
pub const SESSION_REMOVAL_WAIT_MS: u64 = 5_000;
/// Tombstones are pruned at most this often.
const TOMBSTONE_PRUNE_DELAY_MS: u64 = 1_000;
pub(super) const PRESENCE_TYPE: &str = "instance_presence";

/// What the caller must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// Send this message to each of these sessions (the same text for all).
    Send { to: To, message: ServerMessage },
    /// Close this session's socket: normally (`None`, the client reconnects) or with code 4099
    /// and a reason (the client stops and shows an error).
    Close {
        session: String,
        reason: Option<String>,
    },
    /// A session's push changed the document: so many records created, updated, deleted.
    Edited {
        session: String,
        created: u32,
        updated: u32,
        deleted: u32,
    },
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum To {
    One(Arc<str>),
    /// Every session connected when it was sent but `except`. The list is the room's own,
    /// shared until a session connects or leaves: a broadcast to thousands copies nothing.
    Connected {
        sessions: Arc<[Arc<str>]>,
        except: Option<Arc<str>>,
    },
}

impl To {
    /// The sessions, one by one.
    pub fn sessions(&self) -> impl Iterator<Item = &Arc<str>> {
        let (list, except) = match self {
            To::One(session) => (std::slice::from_ref(session), None),
            To::Connected { sessions, except } => (&sessions[..], except.as_ref()),
        };
        list.iter().filter(move |s| Some(*s) != except)
    }
}

/// What a session may do to the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Looks only (its presence still travels).
    ReadOnly,
    /// Edits anything, as in the reference.
    Write,
    /// Draws: creates shapes, bindings and assets, which the server marks as its own
    /// (`meta.createdBy` = this tag), and changes or deletes only those. Anything else it
    /// sends is skipped, as the reference skips what its record authorizer vetoes.
    WriteOwn(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    AwaitingConnect { since: u64 },
    Connected { last_seen: u64 },
    AwaitingRemoval { since: u64 },
}

#[derive(Debug)]
struct Session {
    presence_id: String,
    access: Access,
    /// Protocol 6 clients are told why they are refused in a message, not a close reason.
    legacy_rejection: bool,
    /// Protocol 7 clients do not understand string appends.
    string_append: bool,
    state: State,
    chunks: Assembler,
}

pub struct SyncRoom<S> {
    schema: S,
    doc: Document,
    presence: BTreeMap<String, Value>,
    sessions: BTreeMap<Arc<str>, Session>,
    /// The connected sessions, in order, while none connects or leaves.
    connected: Option<Connected>,
    presences_made: u64,
    prune_tombstones_at: Option<u64>,
    last_session_prune: Option<u64>,
    limits: Limits,
}

/// The connected sessions, kept while none connects or leaves (every push needs them).
struct Connected {
    sessions: Arc<[Arc<str>]>,
    /// Whether one of them speaks protocol 7, which has no string appends.
    legacy: bool,
}

/// Sizes a room's canvas refuses past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One client message (a chunked one put back together), in bytes.
    pub message_bytes: usize,
    /// The whole document as JSON: a push that would make it larger is refused (its document
    /// changes discarded, and the client told why in a `custom` message).
    pub document_bytes: usize,
}

impl<S: RecordSchema> SyncRoom<S> {
    pub fn new(schema: S, doc: Document, limits: Limits) -> SyncRoom<S> {
        SyncRoom {
            schema,
            doc,
            presence: BTreeMap::new(),
            sessions: BTreeMap::new(),
            connected: None,
            presences_made: 0,
            prune_tombstones_at: None,
            last_session_prune: None,
            limits,
        }
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn schema(&self) -> &S {
        &self.schema
    }

    /// A patch putting `session_id`'s presence whole, as it is now (if it has one).
    pub fn presence_put(&self, session_id: &str) -> Option<ServerMessage> {
        let id = &self.sessions.get(session_id)?.presence_id;
        let record = self.presence.get(id)?;
        Some(ServerMessage::Patch {
            diff: Map::from_iter([(id.clone(), json!(["put", record]))]),
            server_clock: self.doc.clock(),
        })
    }

    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// A socket opened for `session_id`. A session that comes back keeps its presence id.
    pub fn open(&mut self, session_id: &str, access: Access, now: u64) {
        let presence_id = match self.sessions.get(session_id) {
            Some(old) => old.presence_id.clone(),
            None => {
                self.presences_made += 1;
                format!("{PRESENCE_TYPE}:{}", self.presences_made)
            }
        };
        let session = Session {
            presence_id,
            access,
            legacy_rejection: false,
            string_append: true,
            state: State::AwaitingConnect { since: now },
            chunks: Assembler::default(),
        };
        self.sessions.insert(Arc::from(session_id), session);
        self.connected = None;
    }

    /// One frame from a session's socket.
    pub fn receive(&mut self, session_id: &str, frame: &str, now: u64) -> Vec<Out> {
        let mut out = Vec::new();
        let max = self.limits.message_bytes;
        let Some(session) = self.sessions.get_mut(session_id) else {
            return out;
        };
        match session.chunks.take(frame, max) {
            Ok(None) => {}
            Ok(Some(Assembled::Whole(text))) => match serde_json::from_str(&text) {
                Ok(message) => self.handle(session_id, &message, now, &mut out),
                Err(_) => self.reject(session_id, Reason::UnknownError, &mut out),
            },
            Ok(Some(Assembled::Joined(text))) => match serde_json::from_str(&text) {
                Ok(message) => self.handle(session_id, &message, now, &mut out),
                Err(_) => self.cancel(session_id, now, &mut out),
            },
            Err(_) => self.cancel(session_id, now, &mut out),
        }
        if self.last_session_prune.is_none_or(|at| now >= at + 1_000) {
            self.prune_sessions(now, &mut out);
        }
        out
    }

    /// The session's socket closed (or cannot keep up): its presence goes a little later.
    pub fn closed(&mut self, session_id: &str, now: u64) -> Vec<Out> {
        let mut out = Vec::new();
        self.cancel(session_id, now, &mut out);
        out
    }

    /// Closes a session with a reason (4099: the client stops), or normally (it reconnects, for
    /// example to take a new access right).
    pub fn close_session(&mut self, session_id: &str, reason: Option<Reason>) -> Vec<Out> {
        let mut out = Vec::new();
        match reason {
            Some(reason) => self.reject(session_id, reason, &mut out),
            None => self.remove(session_id, None, &mut out),
        }
        out
    }

    /// Timers: sessions that never connected, went silent or left; tombstone pruning.
    pub fn tick(&mut self, now: u64) -> Vec<Out> {
        let mut out = Vec::new();
        self.prune_sessions(now, &mut out);
        if self.prune_tombstones_at.is_some_and(|at| now >= at) {
            self.prune_tombstones_at = None;
            self.doc.prune_tombstones();
        }
        out
    }

    fn handle(&mut self, session_id: &str, message: &Value, now: u64, out: &mut Vec<Out>) {
        match message.get("type").and_then(Value::as_str) {
            Some("connect") => self.connect(session_id, message, now, out),
            Some("push") => self.push(session_id, message, now, out),
            Some("ping") => {
                let Some(session) = self.sessions.get_mut(session_id) else {
                    return;
                };
                if let State::Connected { last_seen } = &mut session.state {
                    *last_seen = now;
                    out.push(send(session_id, ServerMessage::Pong));
                }
            }
            _ => self.reject(session_id, Reason::UnknownError, out),
        }
    }

    fn connect(&mut self, session_id: &str, message: &Value, now: u64, out: &mut Vec<Out>) {
        let Some(session) = self.sessions.get_mut(session_id) else {
            return;
        };
        // Equality is strict in the reference (`=== 5`), the comparisons convert (`< 8`).
        let given = message.get("protocolVersion").filter(|v| !v.is_null());
        let mut exact = given.and_then(Value::as_f64);
        if exact == Some(5.0) {
            exact = Some(6.0);
        }
        session.legacy_rejection = exact == Some(6.0);
        if exact == Some(6.0) {
            exact = Some(7.0);
        }
        if exact == Some(7.0) {
            exact = Some(8.0);
            session.string_append = false;
        }
        let version = exact.or(given.map(js::to_number));
        let refusal = match version {
            None => Some(Reason::ClientTooOld),
            Some(v) if v < PROTOCOL_VERSION as f64 => Some(Reason::ClientTooOld),
            Some(v) if v > PROTOCOL_VERSION as f64 => Some(Reason::ServerTooOld),
            _ => None,
        };
        if let Some(reason) = refusal {
            return self.reject(session_id, reason, out);
        }
        let client_schema = match message.get("schema") {
            None | Some(Value::Null) => return self.reject(session_id, Reason::ClientTooOld, out),
            Some(schema) => schema,
        };
        match self.schema.compare(client_schema) {
            SchemaCompat::Same => {}
            SchemaCompat::Older => return self.reject(session_id, Reason::ClientTooOld, out),
            SchemaCompat::Refused(reason) => {
                return self.reject(session_id, Reason::named(reason), out);
            }
        }
        // A missing clock is `undefined` in the reference, for which every comparison is false.
        let since = message
            .get("lastServerClock")
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN);
        let session = self.sessions.get_mut(session_id).expect("checked above");
        let own_presence = session.presence_id.clone();
        let readonly = session.access == Access::ReadOnly;
        session.state = State::Connected { last_seen: now };
        self.connected = None;
        let mut diff: Map<String, Value> = self
            .presence
            .iter()
            .filter(|(id, _)| **id != own_presence)
            .map(|(id, p)| (id.clone(), json!(["put", p])))
            .collect();
        let changes = self.doc.changes_since(since);
        if let Some(changes) = &changes {
            for record in &changes.puts {
                let id = record["id"].as_str().unwrap_or_default().to_owned();
                diff.insert(id, json!(["put", record]));
            }
            for id in &changes.removes {
                diff.insert(id.clone(), json!(["remove"]));
            }
        }
        let wipe_all = changes.as_ref().is_some_and(|c| c.wipe_all);
        out.push(send(
            session_id,
            ServerMessage::Connect {
                connect_request_id: message.get("connectRequestId").cloned(),
                hydration_type: if wipe_all {
                    "wipe_all"
                } else {
                    "wipe_presence"
                },
                protocol_version: PROTOCOL_VERSION,
                schema: self.schema.serialized().clone(),
                server_clock: self.doc.clock(),
                diff,
                is_readonly: readonly,
                object_access: "write",
            },
        ));
    }

    fn push(&mut self, session_id: &str, message: &Value, now: u64, out: &mut Vec<Out>) {
        let Some(session) = self.sessions.get_mut(session_id) else {
            return;
        };
        let State::Connected { last_seen } = &mut session.state else {
            return;
        };
        *last_seen = now;
        let (access, presence_id) = (session.access.clone(), session.presence_id.clone());
        let legacy = self.connected_now().legacy;
        let mut txn = Txn::new(&self.doc, &self.presence);
        if let Err(Fatal(reason)) = txn.run(&self.schema, message, &presence_id, &access, legacy) {
            return self.reject(session_id, reason, out);
        }
        let too_large = self.doc.bytes() as isize + txn.growth()
            > self.limits.document_bytes as isize
            && txn.growth() > 0;
        if too_large {
            // The document stays as it is (the client reverts its change); presence still goes.
            txn.refuse_document();
            let data =
                json!({"type": "document_too_large", "max_bytes": self.limits.document_bytes});
            out.push(send(session_id, ServerMessage::Custom { data }));
        }
        let Txn {
            doc_ops,
            mut relayed,
            relayed_presence,
            writes,
            presence_writes,
            counts,
            ..
        } = txn;
        relayed.extend(relayed_presence);
        let clock = if writes.is_empty() {
            self.doc.clock()
        } else {
            self.doc.clock() + 1
        };
        let mut deleted_any = false;
        for (id, state) in writes {
            match state {
                Some(state) => self.doc.set(&id, state, clock),
                None => deleted_any |= self.doc.delete(&id, clock),
            }
        }
        if deleted_any && self.prune_tombstones_at.is_none() {
            self.prune_tombstones_at = Some(now + TOMBSTONE_PRUNE_DELAY_MS);
        }
        for (id, state) in presence_writes {
            self.presence.insert(id, state);
        }
        let client_diff = message.get("diff");
        let emitted = (!doc_ops.is_empty()).then(|| Value::Object(doc_ops.clone()));
        let action = if js::equal_opt(emitted.as_ref(), client_diff) {
            json!("commit")
        } else if doc_ops.is_empty() {
            json!("discard")
        } else {
            json!({"rebaseWithDiff": doc_ops})
        };
        out.push(send(
            session_id,
            ServerMessage::PushResult {
                client_clock: message.get("clientClock").cloned(),
                server_clock: self.doc.clock(),
                action,
            },
        ));
        if counts != (0, 0, 0) {
            let (created, updated, deleted) = counts;
            out.push(Out::Edited {
                session: session_id.to_owned(),
                created,
                updated,
                deleted,
            });
        }
        if !relayed.is_empty() {
            self.broadcast(Some(session_id), relayed, out);
        }
    }

    /// A patch to every connected session but `except`.
    fn broadcast(&mut self, except: Option<&str>, diff: Map<String, Value>, out: &mut Vec<Out>) {
        let except = except.and_then(|e| self.sessions.get_key_value(e).map(|(id, _)| id.clone()));
        let to = To::Connected {
            sessions: Arc::clone(&self.connected_now().sessions),
            except,
        };
        if to.sessions().next().is_some() {
            let message = ServerMessage::Patch {
                diff,
                server_clock: self.doc.clock(),
            };
            out.push(Out::Send { to, message });
        }
    }

    fn connected_now(&mut self) -> &Connected {
        let sessions = &self.sessions;
        self.connected.get_or_insert_with(|| {
            let connected = || {
                sessions
                    .iter()
                    .filter(|(_, s)| matches!(s.state, State::Connected { .. }))
            };
            Connected {
                sessions: connected().map(|(id, _)| Arc::clone(id)).collect(),
                legacy: connected().any(|(_, s)| !s.string_append),
            }
        })
    }

    fn reject(&mut self, session_id: &str, reason: Reason, out: &mut Vec<Out>) {
        let Some(session) = self.sessions.get(session_id) else {
            return;
        };
        if session.legacy_rejection {
            let message = ServerMessage::IncompatibilityError {
                reason: reason.legacy(),
            };
            out.push(send(session_id, message));
            self.remove(session_id, None, out);
        } else {
            self.remove(session_id, Some(reason), out);
        }
    }

    /// The socket is gone or going: the session waits a little before its presence is removed.
    fn cancel(&mut self, session_id: &str, now: u64, out: &mut Vec<Out>) {
        let Some(session) = self.sessions.get_mut(session_id) else {
            return;
        };
        if matches!(session.state, State::AwaitingRemoval { .. }) {
            return;
        }
        session.state = State::AwaitingRemoval { since: now };
        self.connected = None;
        out.push(Out::Close {
            session: session_id.to_owned(),
            reason: None,
        });
    }

    fn remove(&mut self, session_id: &str, reason: Option<Reason>, out: &mut Vec<Out>) {
        let Some(session) = self.sessions.remove(session_id) else {
            return;
        };
        self.connected = None;
        out.push(Out::Close {
            session: session_id.to_owned(),
            reason: reason.map(|r| r.as_str().to_owned()),
        });
        if self.presence.remove(&session.presence_id).is_some() {
            let diff = Map::from_iter([(session.presence_id, json!(["remove"]))]);
            self.broadcast(None, diff, out);
        }
    }

    fn prune_sessions(&mut self, now: u64, out: &mut Vec<Out>) {
        self.last_session_prune = Some(now);
        let states: Vec<(Arc<str>, State)> = self
            .sessions
            .iter()
            .map(|(id, s)| (id.clone(), s.state))
            .collect();
        for (id, state) in states {
            match state {
                State::Connected { last_seen }
                    if now.saturating_sub(last_seen) > SESSION_IDLE_TIMEOUT_MS =>
                {
                    self.cancel(&id, now, out)
                }
                State::AwaitingConnect { since }
                    if now.saturating_sub(since) > SESSION_START_WAIT_MS =>
                {
                    self.remove(&id, None, out)
                }
                State::AwaitingRemoval { since }
                    if now.saturating_sub(since) > SESSION_REMOVAL_WAIT_MS =>
                {
                    self.remove(&id, None, out)
                }
                _ => {}
            }
        }
    }
}

fn send(session_id: &str, message: ServerMessage) -> Out {
    Out::Send {
        to: To::One(Arc::from(session_id)),
        message,
    }
}
