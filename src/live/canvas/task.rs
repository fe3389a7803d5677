//! The task that owns one room's canvas document and its sessions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::batch::{Batch, WINDOW};
use super::edits::minute_of;
use super::socket::close;
use super::{Canvases, Request, Who};
use crate::domain::canvas::{Access, Document, Limits, Out, Reason, ServerMessage, SyncRoom, To};
use crate::domain::protocol::CloseCode;
use crate::domain::room::Collaboration;
use crate::live::{Frame, Outbox};
use crate::store::live::Write;
use crate::store::{StoreError, now_ms, rooms};
use crate::tlschema::TlSchema;

/// How often the protocol's timers run (sessions that went silent, presence of those gone).
const TICK: Duration = Duration::from_millis(500);
/// A changed document is saved once it has waited this long; checked every tick, so saved within
/// a second of the change.
const SAVE_AFTER: Duration = Duration::from_millis(500);
/// How long a canvas nobody is connected to stays in memory.
const LINGER: Duration = Duration::from_secs(30);
/// How long the room's actor has to take finished minutes of edits before it is asked again
/// (it may be reloading, or its database away).
const HAND_OVER_AGAIN: Duration = Duration::from_secs(5);

struct Conn {
    who: Who,
    out: Outbox,
}

struct Canvas {
    canvases: Arc<Canvases>,
    room_id: Uuid,
    room: SyncRoom<Arc<TlSchema>>,
    mode: Collaboration,
    /// Participants the trainer took off the canvas (they keep their seat).
    refused: HashMap<Uuid, Reason>,
    /// Participants whose drawing the trainer turned off: read-only even in `draw` mode.
    drawing_off: HashSet<Uuid>,
    sessions: HashMap<String, Conn>,
    /// The clock of the document last saved.
    saved_clock: i64,
    /// The room is gone (ended): nothing more is saved.
    ended: bool,
    /// When the room's actor was last asked to take finished minutes of edits.
    handed_over_at: Option<Instant>,
    /// Data messages waiting to go out together.
    batch: Batch,
    flushed_at: Instant,
}

/// What a canvas task is asked, by its sockets and by the room.
pub(super) struct Inbox {
    pub frames: mpsc::Receiver<Request>,
    pub control: mpsc::UnboundedReceiver<Request>,
}

pub(super) async fn run(canvases: Arc<Canvases>, room_id: Uuid, mut inbox: Inbox) {
    match Canvas::load(Arc::clone(&canvases), room_id).await {
        Ok(mut canvas) => canvas.serve(&mut inbox).await,
        Err(Gone) => turn_away(&mut inbox.frames, Some(Reason::NotFound)).await,
        Err(Unreadable(error)) => {
            tracing::warn!(%room_id, %error, "the room's canvas could not be loaded");
            // The client tries again a little later.
            turn_away(&mut inbox.frames, None).await;
        }
    }
    inbox.frames.close();
    drop(inbox);
    canvases.forget(room_id);
}

/// Why a room's canvas could not start.
enum LoadError {
    /// The room is not live (it ended).
    Gone,
    /// The database did not answer, or the stored document cannot be read.
    Unreadable(String),
}
use LoadError::{Gone, Unreadable};

/// Turns away whoever comes while the task stops: a normal close (`None`) makes them come back
/// (to a new task), a refusal makes them stop.
async fn turn_away(rx: &mut mpsc::Receiver<Request>, reason: Option<Reason>) {
    rx.close();
    while let Some(request) = rx.recv().await {
        if let Request::Open { out, .. } = request {
            close(&out, reason);
        }
    }
}

impl Canvas {
    async fn load(canvases: Arc<Canvases>, room_id: Uuid) -> Result<Canvas, LoadError> {
        let (stored, params) = match rooms::canvas(&canvases.db, room_id).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(Gone),
            Err(error) => return Err(Unreadable(error.to_string())),
        };
        let (mode, drawing_off) = canvases
            .current_access(room_id)
            .await
            .unwrap_or((params.collaboration, HashSet::new()));
        // Loading tldraw's schema (the first time) and a capsule's first load (its migrations)
        // run JavaScript for tens of milliseconds: not on a runtime thread.
        let (schema, doc) = {
            let canvases = Arc::clone(&canvases);
            tokio::task::spawn_blocking(move || {
                let schema = canvases.schema();
                document(&schema, &stored).map(|doc| (schema, doc))
            })
            .await
            .map_err(|e| Unreadable(e.to_string()))?
            .map_err(Unreadable)?
        };
        let saved_clock = doc.clock();
        let limits = Limits {
            message_bytes: canvases.config.max_message_bytes,
            document_bytes: canvases.config.max_document_bytes,
        };
        let room = SyncRoom::new(schema, doc, limits);
        Ok(Canvas {
            canvases,
            room_id,
            room,
            mode,
            refused: HashMap::new(),
            drawing_off,
            sessions: HashMap::new(),
            saved_clock,
            ended: false,
            handed_over_at: None,
            batch: Batch::default(),
            flushed_at: Instant::now() - WINDOW,
        })
    }

    async fn serve(&mut self, inbox: &mut Inbox) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut changed_at: Option<Instant> = None;
        let mut empty_since = Some(Instant::now());
        let shutdown = self.canvases.shutdown.clone();
        loop {
            let flush_at = (!self.batch.is_empty()).then(|| self.flushed_at + WINDOW);
            // In this order: what the room committed, then timers, then sockets (which, under
            // load, are always ready and would otherwise keep the timers waiting).
            tokio::select! {
                biased;
                Some(request) = inbox.control.recv() => self.handle(request),
                _ = shutdown.cancelled() => break,
                _ = sleep_until(flush_at.unwrap_or_else(Instant::now)), if flush_at.is_some() => {
                    self.flush()
                }
                _ = tick.tick() => {
                    let outs = self.room.tick(now_ms() as u64);
                    self.carry_out(outs);
                    self.hand_over_finished_minutes();
                }
                request = inbox.frames.recv() => match request {
                    Some(request) => self.handle(request),
                    None => break,
                },
            }
            // The first data after a quiet window goes at once; later ones wait for the window.
            if !self.batch.is_empty() && self.flushed_at.elapsed() >= WINDOW {
                self.flush();
            }
            if self.ended {
                break;
            }
            if self.room.document().clock() != self.saved_clock {
                let since = *changed_at.get_or_insert_with(Instant::now);
                if since.elapsed() >= SAVE_AFTER {
                    self.save().await;
                    changed_at = None;
                }
            }
            if self.sessions.is_empty() {
                if empty_since.get_or_insert_with(Instant::now).elapsed() >= LINGER {
                    break;
                }
            } else {
                empty_since = None;
            }
        }
        self.flush();
        self.save().await;
        if self.ended {
            // The actor took the counts before the end; later ones would come after it.
            self.canvases.discard_edits(self.room_id);
        } else if !shutdown.is_cancelled() {
            self.canvases.hand_over_edits(self.room_id, i64::MAX);
        }
        // At shutdown the room's actor waits for this task to stop, then takes them itself.
        // After the end, nobody may come back; otherwise (shutdown, nobody left) they reconnect.
        let farewell = self.ended.then_some(Reason::NotFound);
        for conn in self.sessions.values() {
            close(&conn.out, farewell);
        }
        turn_away(&mut inbox.frames, farewell).await;
    }

    /// Asks the room's actor to append the minutes that are over, if any wait.
    fn hand_over_finished_minutes(&mut self) {
        let until = minute_of(now_ms());
        let asked_lately = (self.handed_over_at).is_some_and(|at| at.elapsed() < HAND_OVER_AGAIN);
        if !asked_lately && self.canvases.edits_waiting(self.room_id, until) {
            self.canvases.hand_over_edits(self.room_id, until);
            self.handed_over_at = Some(Instant::now());
        }
    }

    async fn save(&mut self) {
        let clock = self.room.document().clock();
        if self.ended || clock == self.saved_clock {
            return;
        }
        let snapshot = self.room.document().snapshot();
        let write = Write::Canvas {
            room_id: self.room_id,
            snapshot,
        };
        match self.canvases.commit(write).await {
            Ok(()) => self.saved_clock = clock,
            Err(error) if matches!(*error, StoreError::NotFound) => self.ended = true,
            // Kept in memory: the next change or the next stop tries again.
            Err(error) => {
                tracing::warn!(room_id = %self.room_id, %error, "the canvas could not be saved")
            }
        }
    }

    fn handle(&mut self, request: Request) {
        let now = now_ms() as u64;
        match request {
            Request::Open { session, who, out } => {
                if let Who::Participant(id) = who
                    && let Some(&reason) = self.refused.get(&id)
                {
                    close(&out, Some(reason));
                    return;
                }
                // What waits was meant for the sessions as they were.
                self.flush();
                if let Some(old) = self.sessions.insert(session.clone(), Conn { who, out }) {
                    close(&old.out, None);
                }
                let access = match who {
                    Who::Trainer => Access::Write,
                    // Participants draw their own strokes; the slide and others' stay as they are.
                    Who::Participant(id)
                        if self.mode == Collaboration::Draw && !self.drawing_off.contains(&id) =>
                    {
                        Access::WriteOwn(id.to_string())
                    }
                    Who::Participant(_) => Access::ReadOnly,
                };
                self.room.open(&session, access, now);
            }
            Request::Frame {
                session,
                conn,
                text,
            } => {
                if self.is_current(&session, conn) {
                    let outs = self.room.receive(&session, &text, now);
                    self.carry_out(outs);
                }
            }
            Request::Closed { session, conn } => {
                if self.is_current(&session, conn) {
                    self.sessions.remove(&session);
                    let outs = self.room.closed(&session, now);
                    self.carry_out(outs);
                }
            }
            Request::Mode(mode) => {
                if mode != self.mode {
                    self.mode = mode;
                    // Participants reconnect by themselves and get their new access.
                    self.close_participants(|_| true, None);
                }
            }
            Request::Refuse {
                participant_id,
                banned,
            } => {
                // A kicked participant may come back; a banned one is refused for good.
                let reason = banned.then_some(Reason::Forbidden);
                if banned {
                    self.refused.insert(participant_id, Reason::Forbidden);
                }
                self.close_participants(|id| id == participant_id, reason);
            }
            Request::Drawing {
                participant_id,
                allowed,
            } => {
                match allowed {
                    true => self.drawing_off.remove(&participant_id),
                    false => self.drawing_off.insert(participant_id),
                };
                // Closed normally: the client reconnects and gets its new access.
                self.close_participants(|id| id == participant_id, None);
            }
            Request::Document { reply } => {
                let _ = reply.send(self.room.document().store_snapshot());
            }
            Request::End => self.ended = true,
        }
    }

    fn is_current(&self, session: &str, conn: u64) -> bool {
        self.sessions.get(session).is_some_and(|c| c.out.id == conn)
    }

    fn close_participants(&mut self, which: impl Fn(Uuid) -> bool, reason: Option<Reason>) {
        let sessions: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, c)| matches!(c.who, Who::Participant(id) if which(id)))
            .map(|(s, _)| s.clone())
            .collect();
        for session in sessions {
            let outs = self.room.close_session(&session, reason);
            self.carry_out(outs);
            self.sessions.remove(&session);
        }
    }

    /// Does what the protocol asked: data messages join the batch, other messages go at once
    /// (serialised once for all their receivers), sockets close. A client too slow to take its
    /// messages is closed; it reconnects and catches up.
    fn carry_out(&mut self, outs: Vec<Out>) {
        let mut slow = Vec::new();
        for out in outs {
            match out {
                Out::Send { to, message } if message.is_data() => {
                    if !self.batch.takes(&to) {
                        self.flush();
                    }
                    match &to {
                        To::Connected {
                            except: Some(pusher),
                            ..
                        } if message.is_presence_only() => {
                            let pusher = Arc::clone(pusher);
                            let whole = || self.room.presence_put(&pusher);
                            self.batch
                                .add_presence(to.clone(), pusher.clone(), &message, whole);
                        }
                        _ => self.batch.add(to, &message),
                    }
                }
                Out::Send { to, message } => {
                    // Anything else but a pong goes after the data waiting, in order.
                    if message != ServerMessage::Pong {
                        self.flush();
                    }
                    let frame = Frame::json(&message);
                    for session in to.sessions() {
                        if !self.deliver(session, frame.clone()) {
                            slow.push(Arc::clone(session));
                        }
                    }
                }
                Out::Close { session, reason } => {
                    if let Some(conn) = self.sessions.get(&session) {
                        close(&conn.out, reason.map(|r| Reason::named(&r)));
                    }
                }
                Out::Edited {
                    session,
                    created,
                    updated,
                    deleted,
                } => {
                    if let Some(conn) = self.sessions.get(&session) {
                        let counts = (created, updated, deleted);
                        self.canvases
                            .record(self.room_id, conn.who, now_ms(), counts);
                    }
                }
            }
        }
        self.drop_slow(slow);
    }

    /// Sends what the batch holds, one frame per session.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        self.flushed_at = Instant::now();
        let mut slow = Vec::new();
        for (session, frame) in self.batch.flush() {
            if !self.deliver(&session, frame) {
                slow.push(session);
            }
        }
        self.drop_slow(slow);
    }

    /// Queues a frame for a session's socket; `false` if it is too far behind.
    fn deliver(&self, session: &str, frame: Frame) -> bool {
        self.sessions
            .get(session)
            .is_none_or(|conn| conn.out.send(frame))
    }

    fn drop_slow(&mut self, slow: Vec<Arc<str>>) {
        for session in slow {
            if let Some(conn) = self.sessions.remove(&*session) {
                conn.out
                    .close(CloseCode::TooSlow, "too slow to keep up; reconnect");
                let outs = self.room.closed(&session, now_ms() as u64);
                self.carry_out(outs);
            }
        }
    }
}

async fn sleep_until(at: Instant) {
    tokio::time::sleep_until(at.into()).await
}

/// The document a room's canvas starts from: its saved canvas, or the capsule's store snapshot
/// (migrated to the pinned schema, session records dropped) the first time.
fn document(schema: &TlSchema, stored: &Value) -> Result<Document, String> {
    if stored.get("documents").is_some() {
        return Document::from_snapshot(stored);
    }
    let migrated = schema.migrate_store_snapshot(stored)?;
    let mut doc = Document::from_snapshot(&migrated)?;
    // Clients that saw nothing yet send clock -1; a room starting at 0 would tell a client at
    // 0 that it has everything.
    doc.start_at(1);
    Ok(doc)
}
