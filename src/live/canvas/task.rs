//! The task that owns one document (a room's canvas or a capsule) and its sessions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::batch::{Batch, WINDOW};
use super::edits::minute_of;
use super::socket::close;
use super::{Canvases, Doc, PolicedSchema, Replaced, Request, Who};
use crate::domain::canvas::{Access, Document, Out, Reason, ServerMessage, SyncRoom, To};
use crate::domain::protocol::CloseCode;
use crate::domain::room::Collaboration;
use crate::domain::tldraw;
use crate::live::{Frame, Outbox};
use crate::store::live::Write;
use crate::store::{StoreError, capsules, now_ms, rooms};

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
    doc: Doc,
    room: SyncRoom<PolicedSchema>,
    /// The room's collaboration mode (a capsule has trainers only).
    mode: Collaboration,
    /// Participants the trainer took off the canvas (they keep their seat).
    refused: HashMap<Uuid, Reason>,
    /// Participants whose drawing the trainer turned off: read-only even in `draw` mode.
    drawing_off: HashSet<Uuid>,
    sessions: HashMap<String, Conn>,
    /// The clock of the document last saved.
    saved_clock: i64,
    /// The room ended, or the capsule was deleted: nothing more is saved.
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

pub(super) async fn run(canvases: Arc<Canvases>, doc: Doc, mut inbox: Inbox) {
    match Canvas::load(Arc::clone(&canvases), doc).await {
        Ok(mut canvas) => canvas.serve(&mut inbox).await,
        Err(Gone) => turn_away(&mut inbox.frames, Some(Reason::NotFound)).await,
        Err(Unreadable(error)) => {
            tracing::warn!(?doc, %error, "the canvas could not be loaded");
            // The client tries again a little later.
            turn_away(&mut inbox.frames, None).await;
        }
    }
    inbox.frames.close();
    drop(inbox);
    canvases.forget(doc);
}

/// Why a document could not be loaded or saved.
enum DocError {
    /// The room is not live (it ended), or the capsule was deleted.
    Gone,
    /// The database did not answer, or the stored document cannot be read.
    Unreadable(String),
}
use DocError::{Gone, Unreadable};

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
    async fn load(canvases: Arc<Canvases>, doc: Doc) -> Result<Canvas, DocError> {
        let found = match doc {
            // A room's copy of its capsule (until its canvas is first saved) still holds the
            // trainer's notes, which participants must not get.
            Doc::Room(room_id) => {
                rooms::canvas(&canvases.db, room_id)
                    .await
                    .map(|(mut stored, params)| {
                        if stored.get("documents").is_none() {
                            tldraw::strip_speaker_notes(&mut stored);
                        }
                        (stored, Some(params), 1)
                    })
            }
            // The clocks a capsule's clients saw are forgotten when its task stops, so a new task
            // starts past any of them (see `capsule_clock`).
            Doc::Capsule(id) => capsules::document(&canvases.db, id)
                .await
                .map(|(stored, updated_at)| (stored, None, capsule_clock(updated_at, now_ms()))),
        };
        let (stored, params, start_at) = match found {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(Gone),
            Err(error) => return Err(Unreadable(error.to_string())),
        };
        let (mode, drawing_off) = match (doc, params) {
            (Doc::Room(room_id), Some(params)) => canvases
                .current_access(room_id)
                .await
                .unwrap_or((params.collaboration, HashSet::new())),
            _ => (Collaboration::View, HashSet::new()),
        };
        // Loading tldraw's schema (the first time) and a capsule's first load (its migrations)
        // run JavaScript for tens of milliseconds: not on a runtime thread.
        let (schema, document) = {
            let canvases = Arc::clone(&canvases);
            tokio::task::spawn_blocking(move || {
                let schema = canvases.schema();
                let mut document = document(&schema, &stored)?;
                document.start_at(start_at);
                Ok((schema, document))
            })
            .await
            .map_err(|e| Unreadable(e.to_string()))?
            .map_err(Unreadable)?
        };
        let saved_clock = document.clock();
        let room = SyncRoom::new(schema, document, canvases.limits());
        Ok(Canvas {
            canvases,
            doc,
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
                Some(request) = inbox.control.recv() => self.handle(request).await,
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
                    Some(request) => self.handle(request).await,
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
        if let Doc::Room(room_id) = self.doc {
            if self.ended {
                // The actor took the counts before the end; later ones would come after it.
                self.canvases.discard_edits(room_id);
            } else if !shutdown.is_cancelled() {
                self.canvases.hand_over_edits(room_id, i64::MAX);
            }
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
        let Doc::Room(room_id) = self.doc else {
            return;
        };
        let until = minute_of(now_ms());
        let asked_lately = (self.handed_over_at).is_some_and(|at| at.elapsed() < HAND_OVER_AGAIN);
        if !asked_lately && self.canvases.edits_waiting(room_id, until) {
            self.canvases.hand_over_edits(room_id, until);
            self.handed_over_at = Some(Instant::now());
        }
    }

    async fn save(&mut self) {
        let clock = self.room.document().clock();
        if self.ended || clock == self.saved_clock {
            return;
        }
        let saved = match self.doc {
            Doc::Room(room_id) => {
                let snapshot = self.room.document().snapshot();
                let write = Write::Canvas { room_id, snapshot };
                self.canvases.commit(write).await.map_err(|e| match *e {
                    StoreError::NotFound => Gone,
                    ref e => Unreadable(e.to_string()),
                })
            }
            Doc::Capsule(id) => self.save_capsule(id, clock).await,
        };
        match saved {
            Ok(()) => {
                self.saved_clock = clock;
                match self.doc {
                    Doc::Capsule(_) => self.tell_saved(clock),
                    Doc::Room(room_id) => self.canvases.snapshots.saved(room_id),
                }
            }
            Err(Gone) => self.ended = true,
            // Kept in memory: the next change or the next stop tries again.
            Err(Unreadable(error)) => {
                tracing::warn!(doc = ?self.doc, %error, "the canvas could not be saved")
            }
        }
    }

    /// Takes a capsule's new document if nobody has it open, and saves it at once.
    async fn replace(&mut self, snapshot: Value) -> Result<(), Replaced> {
        if !self.sessions.is_empty() {
            return Err(Replaced::Open);
        }
        let schema = self.room.schema().clone();
        let migrating = schema.clone();
        let mut document = tokio::task::spawn_blocking(move || document(&migrating, &snapshot))
            .await
            .map_err(|e| Replaced::Unavailable(e.to_string()))?
            .map_err(Replaced::Unavailable)?;
        // Past every clock given out, like a capsule's task that starts.
        document.start_at(self.room.document().clock() + 1);
        self.room = SyncRoom::new(schema, document, self.canvases.limits());
        let clock = self.room.document().clock();
        let Doc::Capsule(id) = self.doc else {
            return Err(Replaced::Unavailable("not a capsule".into()));
        };
        match self.save_capsule(id, clock).await {
            Ok(()) => {
                self.saved_clock = clock;
                Ok(())
            }
            Err(Gone) => {
                self.ended = true;
                Err(Replaced::Gone)
            }
            Err(Unreadable(error)) => Err(Replaced::Unavailable(error)),
        }
    }

    /// Writes the document into its capsule, with its pages (thumbnails follow), dated so that
    /// the next task's clock starts past every clock given out (`capsule_clock`).
    async fn save_capsule(&self, id: Uuid, clock: i64) -> Result<(), DocError> {
        let snapshot = self.room.document().store_snapshot();
        let document = tldraw::read_document(snapshot).map_err(|e| Unreadable(e.to_string()))?;
        let updated_at = now_ms().max(clock);
        let db = &self.canvases.db;
        match capsules::save_document(db, id, &document, updated_at).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => Err(Gone),
            Err(error) => Err(Unreadable(error.to_string())),
        }
    }

    /// Tells every editor which clock is saved: a client knows its changes are safe once this
    /// reaches the clock of their `push_result`s (sent before it).
    fn tell_saved(&mut self, clock: i64) {
        self.flush();
        let frame = saved_frame(clock);
        let slow: Vec<Arc<str>> = (self.sessions.keys())
            .filter(|session| !self.deliver(session, frame.clone()))
            .map(|session| Arc::from(session.as_str()))
            .collect();
        self.drop_slow(slow);
    }

    async fn handle(&mut self, request: Request) {
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
            Request::Replace { snapshot, reply } => {
                let _ = reply.send(self.replace(snapshot).await);
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
                    // An editor (re)connecting learns what is saved: its changes acknowledged
                    // before it went may have been saved while it was away.
                    let saved = (matches!(self.doc, Doc::Capsule(_))
                        && matches!(message, ServerMessage::Connect { .. }))
                    .then(|| saved_frame(self.saved_clock));
                    for session in to.sessions() {
                        let sent = self.deliver(session, frame.clone())
                            && saved
                                .as_ref()
                                .is_none_or(|s| self.deliver(session, s.clone()));
                        if !sent {
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
                    if let (Doc::Room(room_id), Some(conn)) =
                        (self.doc, self.sessions.get(&session))
                    {
                        let counts = (created, updated, deleted);
                        self.canvases.record(room_id, conn.who, now_ms(), counts);
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

/// Tells an editor that every change up to `clock` is in the database.
fn saved_frame(clock: i64) -> Frame {
    let saved = ServerMessage::Custom {
        data: serde_json::json!({"type": "saved", "clock": clock}),
    };
    Frame::json(&saved)
}

async fn sleep_until(at: Instant) {
    tokio::time::sleep_until(at.into()).await
}

/// The document a canvas starts from: a room's saved canvas, or a capsule's store snapshot
/// (migrated to the pinned schema, session records dropped, and what the content policy
/// refuses taken out: a capsule stored before the policy still opens, without it).
fn document(schema: &PolicedSchema, stored: &Value) -> Result<Document, String> {
    if stored.get("documents").is_some() {
        return Document::from_snapshot(stored);
    }
    let mut migrated = schema.tldraw.migrate_store_snapshot(stored)?;
    schema.content.strip(&mut migrated);
    Document::from_snapshot(&migrated)
}

/// The clock a capsule's document starts at: past every clock an earlier task may have given
/// out, so that a client coming back with one gets the whole document (tldraw's `wipe_all`)
/// rather than being told it is up to date.
///
/// Saves date the capsule `max(now, clock)` and a clock moves by one per change, far slower than
/// the milliseconds of the wall clock (that would take over 1,000 changes a second, sustained,
/// where a session is paced at 120), so even changes given out and lost in a crash after the
/// last save stay below the time of the next load. A room's canvas starts at 1: clients that
/// saw nothing send -1, and 0 would tell them they have everything.
fn capsule_clock(updated_at: i64, now: i64) -> i64 {
    updated_at.max(now) + 1
}
