//! The task that owns one live room.
//!
//! It takes requests in arrival order, decides each against the room, and gathers their events
//! into a batch. After each burst of requests it commits the batch in one transaction, and only
//! then delivers what the requests produced (acks, broadcasts, welcomes). If the commit fails,
//! requesters get `unavailable`, every socket is closed, and the room restarts from the database
//! on the next connection: nothing is half-done.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::outbox::Frame;
use super::{ConnId, EndSummary, JoinAs, Live, Outbox, Request, RoomView};
use crate::domain::events::{EndReason, LeaveReason, RoomEvent};
use crate::domain::live::{
    CHAT_HISTORY, Command, Eviction, LiveRoom, Outcome, RoomError, RoomFacts, Sender,
};
use crate::domain::live_quiz::QuizSheet;
use crate::domain::names::parse_room_name;
use crate::domain::protocol::{ClientMessage, ServerMessage};
use crate::domain::quiz::Answer;
use crate::store::events::{self, EventRow, stamp};
use crate::store::live::{self as live_store, Batch};
use crate::store::{Db, StoreError, now_ms, quizzes, rooms};

/// How long a room with nobody connected stays in memory before its actor stops.
const LINGER: Duration = Duration::from_secs(30);
/// How often a changed room is written back to `rooms` (its checkpoint).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Requests decided before one commit, at most.
const BURST: usize = 1_024;
/// Commit attempts before the room gives up and restarts.
const COMMIT_TRIES: u32 = 3;

/// A room read back from the database: its row, then the events after its checkpoint.
pub(super) struct Loaded {
    room: LiveRoom,
    chat_id: Uuid,
}

pub(super) async fn load(
    db: &Db,
    room_id: Uuid,
    max_participants: usize,
) -> Result<Loaded, StoreError> {
    let row = rooms::get_any(db, room_id).await?;
    let started = events::first(db, room_id).await?;
    let Some(RoomEvent::SessionStarted {
        trainer_name,
        pages,
        ..
    }) = started.event()
    else {
        return Err(StoreError::NotFound);
    };
    let facts = RoomFacts {
        id: room_id,
        trainer_id: row.created_by,
        trainer_name,
        created_at: row.created_at,
        capsule_id: row.capsule_id,
        capsule_title: row.capsule_title.clone(),
        pages,
    };
    let later = live_store::events_after(db, room_id, row.state.0.last_event).await?;
    let chat = live_store::recent_chat(db, row.chat_id, CHAT_HISTORY as i64).await?;
    let mut room = LiveRoom::new(
        facts,
        row.name,
        row.params.0,
        row.state.0,
        chat,
        max_participants,
    );
    for stored in &later {
        if let Some(event) = stored.event() {
            room.evolve(&event, stored.created_at);
        }
        room.state.last_event = Some((stored.id, stored.created_at));
    }
    Ok(Loaded {
        room,
        chat_id: row.chat_id,
    })
}

struct Conn {
    outbox: Outbox,
    /// Set once the connection has joined.
    sender: Option<Sender>,
}

/// Something to do once the current batch is committed.
enum Delivery {
    /// A frame for one connection.
    To(ConnId, Frame),
    /// A frame that confirms a request: sent if the batch commits, else `unavailable`.
    Confirm(ConnId, Frame, Option<String>),
    All(Frame),
    AllBut(ConnId, Frame),
    Trainers(Frame),
    Participants(Frame),
    /// A frame for one participant's connection, if they are online.
    Participant(Uuid, Frame),
    /// A last frame, then the connection is closed.
    Evict(ConnId, Frame, u16, &'static str),
    Update(oneshot::Sender<Result<RoomView, RoomError>>),
}

struct Actor {
    live: Arc<Live>,
    room: LiveRoom,
    chat_id: Uuid,
    conns: HashMap<ConnId, Conn>,
    /// The one connection of each online participant.
    seat_conn: HashMap<Uuid, ConnId>,
    batch: Batch,
    deliveries: Vec<Delivery>,
    /// The state changed since the last checkpoint.
    dirty: bool,
    /// Set when the room must stop: ended, or its durability can no longer be promised.
    stopped: bool,
    empty_since: Option<Instant>,
}

pub(super) async fn run(live: Arc<Live>, loaded: Loaded, mut rx: mpsc::Receiver<Request>) {
    let mut actor = Actor {
        live: Arc::clone(&live),
        room: loaded.room,
        chat_id: loaded.chat_id,
        conns: HashMap::new(),
        seat_conn: HashMap::new(),
        batch: Batch::default(),
        deliveries: Vec::new(),
        dirty: false,
        stopped: false,
        empty_since: Some(Instant::now()),
    };
    let room_id = actor.room.facts.id;
    tracing::debug!(%room_id, "room started");
    metrics::gauge!("live_rooms").increment(1.0);
    let shutdown = live.shutdown_token();
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        let question_due = actor.room.quiz_deadline();
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                actor.flush().await;
                actor.checkpoint().await;
                actor.close_all(1012, "the server is restarting; reconnect");
                break;
            }
            request = rx.recv() => {
                let Some(request) = request else { break };
                actor.handle(request).await;
                let mut burst = 1;
                while burst < BURST && !actor.stopped {
                    let Ok(request) = rx.try_recv() else { break };
                    actor.handle(request).await;
                    burst += 1;
                }
                actor.flush().await;
            }
            _ = until(question_due) => {
                if let Some(outcome) = actor.room.quiz_tick(now_ms()) {
                    actor.take(outcome);
                }
                actor.flush().await;
            }
            _ = tick.tick() => {
                if actor.dirty {
                    actor.checkpoint().await;
                }
                let idle = actor.empty_since.is_some_and(|t| t.elapsed() >= LINGER);
                if idle && actor.batch.is_empty() && live.unregister(room_id, &rx) {
                    actor.checkpoint_now().await;
                    break;
                }
            }
        }
        if actor.stopped {
            let mut rooms = live.rooms.lock().expect("registry lock");
            rooms.remove(&room_id);
            break;
        }
    }
    rx.close();
    while let Some(request) = rx.recv().await {
        refuse_after_stop(request);
    }
    metrics::gauge!("live_rooms").decrement(1.0);
    tracing::debug!(%room_id, "room stopped");
}

/// Sleeps until an epoch-millisecond time (forever for `None`).
async fn until(deadline: Option<i64>) {
    match deadline {
        // One millisecond more, so that the time is surely past when this wakes.
        Some(at) => {
            tokio::time::sleep(Duration::from_millis((at - now_ms()).max(0) as u64 + 1)).await
        }
        None => std::future::pending().await,
    }
}

/// Answers what reached a room after it stopped: clients reconnect and find it again (or not).
fn refuse_after_stop(request: Request) {
    let gone = || RoomError::new("not_found", "this session has ended or is restarting");
    match request {
        Request::Connect { outbox, .. } => outbox.close(1012, "the room restarted; reconnect"),
        Request::Update { reply, .. } => drop(reply.send(Err(gone()))),
        Request::End { reply, .. } => drop(reply.send(Err(gone()))),
        Request::Join { .. }
        | Request::Message { .. }
        | Request::Disconnect { .. }
        | Request::Peek { .. } => {}
    }
}

fn frame(message: &ServerMessage) -> Frame {
    Frame::from(message)
}

fn error_frame(error: &RoomError, req: Option<String>) -> Frame {
    frame(&ServerMessage::error(
        error.code,
        error.message.clone(),
        req,
    ))
}

fn unavailable() -> RoomError {
    RoomError::new(
        "unavailable",
        "the session could not be saved; nothing was done, try again",
    )
}

impl Actor {
    async fn handle(&mut self, request: Request) {
        match request {
            Request::Connect { conn, outbox } => {
                self.conns.insert(
                    conn,
                    Conn {
                        outbox,
                        sender: None,
                    },
                );
                self.empty_since = None;
            }
            Request::Join { conn, req, who } => self.join(conn, req, who),
            Request::Message {
                conn,
                req,
                message,
                received_at,
            } => self.message(conn, req, message, received_at).await,
            Request::Disconnect { conn, reason } => self.disconnect(conn, reason),
            Request::Update {
                name,
                params,
                reply,
            } => {
                if let Some(name) = name
                    && let Err(error) = self.rename(name).await
                {
                    let _ = reply.send(Err(error));
                    return;
                }
                if let Some(params) = params {
                    match self
                        .room
                        .decide(Sender::Trainer, Command::SetParams { params }, stamp())
                    {
                        Ok(outcome) => self.take(outcome),
                        Err(error) => {
                            let _ = reply.send(Err(error));
                            return;
                        }
                    }
                }
                self.deliveries.push(Delivery::Update(reply));
            }
            Request::End { reason, reply } => {
                let _ = reply.send(self.end(reason, None).await);
            }
            Request::Peek { reply } => {
                let _ = reply.send(self.view());
            }
        }
    }

    fn view(&self) -> RoomView {
        RoomView {
            name: self.room.name.clone(),
            params: self.room.params,
            state: self.room.state.clone(),
        }
    }

    fn reply_error(&mut self, conn: ConnId, error: RoomError, req: Option<String>) {
        self.deliveries
            .push(Delivery::To(conn, error_frame(&error, req)));
    }

    fn join(&mut self, conn: ConnId, req: Option<String>, who: JoinAs) {
        let Some(joined) = self.conns.get(&conn).map(|c| c.sender.is_some()) else {
            return;
        };
        if joined {
            return self.reply_error(conn, RoomError::new("bad_message", "already joined"), req);
        }
        let sender = match who {
            JoinAs::Trainer { user_id } => {
                if user_id != self.room.facts.trainer_id {
                    let error = RoomError::new(
                        "forbidden",
                        "only the trainer who launched this session can present it",
                    );
                    return self.reply_error(conn, error, req);
                }
                Sender::Trainer
            }
            JoinAs::Participant {
                resume,
                first_name,
                last_name,
            } => {
                let joined = self.room.join(
                    resume,
                    first_name.as_deref(),
                    last_name.as_deref(),
                    Uuid::now_v7(),
                );
                let (participant_id, outcome) = match joined {
                    Ok(joined) => joined,
                    Err(error) => return self.reply_error(conn, error, req),
                };
                // One connection per seat: a newer one (a reconnect, another tab) replaces it.
                if let Some(old) = self.seat_conn.insert(participant_id, conn)
                    && let Some(old) = self.conns.remove(&old)
                {
                    old.outbox.close(4002, "replaced by a newer connection");
                }
                self.take_excluding(outcome, conn);
                Sender::Participant(participant_id)
            }
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.sender = Some(sender);
        }
        let resume_token = match sender {
            Sender::Participant(id) => Some(self.live.key().sign(self.room.facts.id, id)),
            Sender::Trainer => None,
        };
        let welcome = ServerMessage::Welcome {
            you: self.room.you(sender),
            resume_token,
            state: Box::new(self.room.welcome_state(sender)),
        };
        // The welcome goes first: the broadcast of this join was queued as `AllBut` before it.
        let at = self
            .deliveries
            .iter()
            .rposition(|d| matches!(d, Delivery::AllBut(c, _) if *c == conn))
            .unwrap_or(self.deliveries.len());
        self.deliveries
            .insert(at, Delivery::Confirm(conn, frame(&welcome), req));
    }

    async fn message(
        &mut self,
        conn: ConnId,
        req: Option<String>,
        message: ClientMessage,
        received_at: i64,
    ) {
        let Some(sender) = self.conns.get(&conn).and_then(|c| c.sender) else {
            let error = RoomError::new("bad_message", "send `join` first");
            return self.reply_error(conn, error, req);
        };
        let command = match message {
            ClientMessage::Join(_) => {
                return self.reply_error(
                    conn,
                    RoomError::new("bad_message", "already joined"),
                    req,
                );
            }
            ClientMessage::Ping => {
                let pong = frame(&ServerMessage::Pong { req });
                return self.deliveries.push(Delivery::To(conn, pong));
            }
            ClientMessage::Rename { .. } | ClientMessage::EndSession
                if sender != Sender::Trainer =>
            {
                return self.reply_error(
                    conn,
                    RoomError::new("forbidden", "only the trainer may do this"),
                    req,
                );
            }
            ClientMessage::Rename { name } => {
                match self.rename(name).await {
                    Ok(()) => self.confirm(conn, req),
                    Err(error) => self.reply_error(conn, error, req),
                }
                return;
            }
            ClientMessage::EndSession => {
                let ack = frame(&ServerMessage::Ack { req: req.clone() });
                match self.end(EndReason::Trainer, Some((conn, ack))).await {
                    Ok(_) => {}
                    Err(error) => self.reply_error(conn, error, req),
                }
                return;
            }
            ClientMessage::ChatSend { text } => Command::ChatSend { text },
            ClientMessage::SetPage { page_id } => Command::SetPage { page_id },
            ClientMessage::GotoPage { page_id } => Command::GotoPage { page_id },
            ClientMessage::SetParams { params } => Command::SetParams { params },
            ClientMessage::Lock => Command::Lock,
            ClientMessage::Unlock => Command::Unlock,
            ClientMessage::Kick {
                participant_id,
                ban,
            } => Command::Kick {
                participant_id,
                ban,
            },
            ClientMessage::ChatDelete { message_id } => Command::ChatDelete { message_id },
            ClientMessage::QuizStart { quiz_id } => match self.quiz_sheet(sender, quiz_id).await {
                Ok(quiz) => Command::QuizStart {
                    quiz: Box::new(quiz),
                },
                Err(error) => return self.reply_error(conn, error, req),
            },
            ClientMessage::QuizNext => Command::QuizNext,
            ClientMessage::QuizClose => Command::QuizClose,
            ClientMessage::QuizReveal => Command::QuizReveal,
            ClientMessage::QuizEnd => Command::QuizEnd,
            ClientMessage::QuizAnswer {
                question_id,
                choice_ids,
                text,
            } => {
                let answer = match (choice_ids, text) {
                    (Some(choice_ids), None) => Answer::Choices { choice_ids },
                    (None, Some(text)) => Answer::Text { text },
                    _ => {
                        let error =
                            RoomError::new("bad_answer", "give either `choice_ids` or `text`");
                        return self.reply_error(conn, error, req);
                    }
                };
                Command::QuizAnswer {
                    question_id,
                    answer,
                    received_at,
                }
            }
        };
        match self.room.decide(sender, command, stamp()) {
            Ok(mut outcome) => {
                let reply = outcome.reply.take();
                self.take(outcome);
                match reply {
                    Some(reply) => {
                        let reply = frame(&reply.with_req(req.clone()));
                        self.deliveries.push(Delivery::Confirm(conn, reply, req));
                    }
                    None => self.confirm(conn, req),
                }
            }
            Err(error) => self.reply_error(conn, error, req),
        }
    }

    /// The quiz a trainer starts: theirs, named or else the one chosen at launch.
    async fn quiz_sheet(
        &self,
        sender: Sender,
        quiz_id: Option<Uuid>,
    ) -> Result<QuizSheet, RoomError> {
        if sender != Sender::Trainer {
            return Err(RoomError::new("forbidden", "only the trainer may do this"));
        }
        let Some(quiz_id) = quiz_id.or(self.room.quiz_id) else {
            return Err(RoomError::new(
                "bad_message",
                "quiz_start needs a `quiz_id`",
            ));
        };
        let owner = self.room.facts.trainer_id;
        match quizzes::get(self.live.db(), owner, quiz_id).await {
            Ok(quiz) => Ok(QuizSheet {
                id: quiz.id,
                title: quiz.title,
                scoring: quiz.settings.0.scoring,
                questions: quiz.questions.0,
            }),
            Err(StoreError::NotFound) => {
                Err(RoomError::new("not_found", "no such quiz among yours"))
            }
            Err(error) => {
                tracing::warn!(%error, "could not read a quiz");
                Err(unavailable())
            }
        }
    }

    fn confirm(&mut self, conn: ConnId, req: Option<String>) {
        let ack = frame(&ServerMessage::Ack { req: req.clone() });
        self.deliveries.push(Delivery::Confirm(conn, ack, req));
    }

    fn disconnect(&mut self, conn: ConnId, reason: LeaveReason) {
        let Some(gone) = self.conns.remove(&conn) else {
            return;
        };
        if self.conns.is_empty() {
            self.empty_since = Some(Instant::now());
        }
        let Some(Sender::Participant(id)) = gone.sender else {
            return;
        };
        if self.seat_conn.get(&id) != Some(&conn) {
            return;
        }
        self.seat_conn.remove(&id);
        if let Some(outcome) = self.room.leave(id, reason) {
            self.take(outcome);
        }
    }

    /// Queues what an outcome asks for: events and chat changes into the batch, messages for
    /// after the commit.
    fn take(&mut self, outcome: Outcome) {
        self.take_with(outcome, Delivery::All);
    }

    fn take_excluding(&mut self, outcome: Outcome, conn: ConnId) {
        self.take_with(outcome, |frame| Delivery::AllBut(conn, frame));
    }

    fn take_with(&mut self, outcome: Outcome, to: impl Fn(Frame) -> Delivery) {
        let facts = &self.room.facts;
        self.batch.events.extend(
            outcome
                .events
                .iter()
                .map(|e| EventRow::new(facts.id, facts.trainer_id, e)),
        );
        self.batch.chat_inserts.extend(outcome.chat_insert);
        self.batch.chat_deletes.extend(outcome.chat_delete);
        for message in &outcome.broadcast {
            self.deliveries.push(to(frame(message)));
        }
        for message in &outcome.to_trainers {
            self.deliveries.push(Delivery::Trainers(frame(message)));
        }
        for message in &outcome.to_participants {
            self.deliveries.push(Delivery::Participants(frame(message)));
        }
        for (participant_id, message) in &outcome.to_each {
            self.deliveries
                .push(Delivery::Participant(*participant_id, frame(message)));
        }
        if let Some((participant_id, eviction)) = outcome.evict
            && let Some(conn) = self.seat_conn.remove(&participant_id)
        {
            let ban = eviction == Eviction::Banned;
            let (code, reason) = if ban {
                (4003, "banned from this session")
            } else {
                (4001, "removed by the trainer")
            };
            let kicked = frame(&ServerMessage::Kicked { ban });
            self.deliveries
                .push(Delivery::Evict(conn, kicked, code, reason));
        }
    }

    /// Commits the batch, then delivers what waited on it.
    async fn flush(&mut self) {
        let committed = if self.batch.is_empty() {
            true
        } else {
            let batch = std::mem::take(&mut self.batch);
            let committed = self.commit(&batch).await;
            if committed && let Some(last) = batch.events.last() {
                self.room.state.last_event = Some((last.id, last.created_at));
                self.dirty = true;
            }
            committed
        };
        self.deliver(committed);
        if !committed {
            // The room in memory is ahead of the database: drop it and let it reload.
            self.close_all(1011, "the session could not be saved; reconnect");
            self.stopped = true;
        }
    }

    async fn commit(&self, batch: &Batch) -> bool {
        let mut wait = Duration::from_millis(50);
        for attempt in 1..=COMMIT_TRIES {
            let started = Instant::now();
            match live_store::commit(self.live.db(), self.chat_id, batch).await {
                Ok(()) => {
                    metrics::histogram!("live_commit_seconds")
                        .record(started.elapsed().as_secs_f64());
                    metrics::counter!("live_events_total").increment(batch.events.len() as u64);
                    return true;
                }
                Err(error) => {
                    tracing::warn!(room_id = %self.room.facts.id, attempt, %error, "room batch not committed");
                    tokio::time::sleep(wait).await;
                    wait *= 4;
                }
            }
        }
        false
    }

    fn deliver(&mut self, committed: bool) {
        let mut too_slow = Vec::new();
        for delivery in std::mem::take(&mut self.deliveries) {
            match delivery {
                Delivery::To(conn, frame) => self.send(conn, frame, &mut too_slow),
                Delivery::Confirm(conn, frame, req) => {
                    let frame = if committed {
                        frame
                    } else {
                        error_frame(&unavailable(), req)
                    };
                    self.send(conn, frame, &mut too_slow);
                }
                Delivery::All(frame) if committed => {
                    self.fan_out(&frame, |_, _| true, &mut too_slow);
                }
                Delivery::AllBut(except, frame) if committed => {
                    self.fan_out(&frame, |conn, _| conn != except, &mut too_slow);
                }
                Delivery::Trainers(frame) if committed => {
                    self.fan_out(&frame, |_, who| who == Sender::Trainer, &mut too_slow);
                }
                Delivery::Participants(frame) if committed => {
                    self.fan_out(&frame, |_, who| who != Sender::Trainer, &mut too_slow);
                }
                Delivery::Participant(id, frame) if committed => {
                    if let Some(&conn) = self.seat_conn.get(&id) {
                        self.send(conn, frame, &mut too_slow);
                    }
                }
                Delivery::Evict(conn, frame, code, reason) if committed => {
                    if let Some(c) = self.conns.remove(&conn) {
                        c.outbox.send(frame);
                        c.outbox.close(code, reason);
                    }
                }
                Delivery::Update(reply) => {
                    let answer = if committed {
                        Ok(self.view())
                    } else {
                        Err(unavailable())
                    };
                    let _ = reply.send(answer);
                }
                Delivery::All(_)
                | Delivery::AllBut(..)
                | Delivery::Trainers(_)
                | Delivery::Participants(_)
                | Delivery::Participant(..)
                | Delivery::Evict(..) => {}
            }
        }
        // A client that cannot keep up is dropped; it reconnects and gets a fresh welcome.
        for conn in too_slow {
            metrics::counter!("live_slow_clients_dropped_total").increment(1);
            if let Some(c) = self.conns.get(&conn) {
                c.outbox.close(4008, "too slow to keep up; reconnect");
            }
            self.disconnect(conn, LeaveReason::Timeout);
        }
    }

    /// Sends one frame, serialised once, to every joined connection `to` accepts.
    fn fan_out(
        &self,
        frame: &Frame,
        to: impl Fn(ConnId, Sender) -> bool,
        too_slow: &mut Vec<ConnId>,
    ) {
        for (&conn, c) in &self.conns {
            if let Some(who) = c.sender
                && to(conn, who)
                && !c.outbox.send(frame.clone())
            {
                too_slow.push(conn);
            }
        }
    }

    fn send(&self, conn: ConnId, frame: Frame, too_slow: &mut Vec<ConnId>) {
        if let Some(c) = self.conns.get(&conn)
            && !c.outbox.send(frame)
        {
            too_slow.push(conn);
        }
    }

    fn close_all(&mut self, code: u16, reason: &'static str) {
        for (_, conn) in self.conns.drain() {
            conn.outbox.close(code, reason);
        }
        self.seat_conn.clear();
    }

    /// Renames the room at once (the name must be free among live rooms, which only the
    /// database can tell), with its `room_renamed` event.
    async fn rename(&mut self, name: String) -> Result<(), RoomError> {
        let name = parse_room_name(&name)
            .map_err(|m| RoomError::new("bad_message", format!("name {m}")))?;
        if name == self.room.name {
            return Ok(());
        }
        self.flush().await;
        if self.stopped {
            return Err(unavailable());
        }
        let event = RoomEvent::RoomRenamed {
            from: self.room.name.clone(),
            to: name.clone(),
        };
        let row = EventRow::new(self.room.facts.id, self.room.facts.trainer_id, &event);
        match live_store::rename(self.live.db(), self.room.facts.id, &name, &row).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(RoomError::new(
                    "name_taken",
                    format!("a live room is already named `{name}`"),
                ));
            }
            Err(error) => {
                tracing::warn!(room_id = %self.room.facts.id, %error, "rename not committed");
                return Err(unavailable());
            }
        }
        let renamed = ServerMessage::Renamed {
            link: format!("{}/r/{name}", self.live.config().public_base),
            from: self.room.name.clone(),
            to: name,
        };
        self.room.evolve(&event, row.created_at);
        self.room.state.last_event = Some((row.id, row.created_at));
        self.dirty = true;
        self.deliveries.push(Delivery::All(frame(&renamed)));
        Ok(())
    }

    /// Ends the session: everyone online leaves, `session_ended` is appended, and the room,
    /// its chat and messages are deleted, in one transaction; then every socket is told and
    /// closed.
    async fn end(
        &mut self,
        reason: EndReason,
        ack: Option<(ConnId, Frame)>,
    ) -> Result<EndSummary, RoomError> {
        self.flush().await;
        if self.stopped {
            return Err(unavailable());
        }
        let facts = self.room.facts.clone();
        let mut rows = Vec::new();
        for id in self.room.online_participants() {
            if let Some(outcome) = self.room.leave(id, LeaveReason::SessionEnded) {
                rows.extend(
                    outcome
                        .events
                        .iter()
                        .map(|e| EventRow::new(facts.id, facts.trainer_id, e)),
                );
            }
        }
        let (event_id, ended_at) = stamp();
        let duration_s = (ended_at - facts.created_at).max(0) / 1000;
        let participant_count = self.room.participant_count();
        let ended = RoomEvent::SessionEnded {
            reason,
            duration_s,
            participant_count,
            room_name: self.room.name.clone(),
        };
        rows.push(EventRow::stamped(
            (event_id, ended_at),
            facts.id,
            facts.trainer_id,
            &ended,
        ));
        if let Err(error) = rooms::end(self.live.db(), facts.id, &rows).await {
            tracing::warn!(room_id = %facts.id, %error, "end not committed");
            self.close_all(1011, "the session could not be saved; reconnect");
            self.stopped = true;
            return Err(match error {
                StoreError::NotFound => {
                    RoomError::new("not_found", "this session has already ended")
                }
                _ => unavailable(),
            });
        }
        if let Some((conn, ack)) = ack
            && let Some(c) = self.conns.get(&conn)
        {
            c.outbox.send(ack);
        }
        let goodbye = frame(&ServerMessage::SessionEnded { reason, duration_s });
        for (_, conn) in self.conns.drain() {
            conn.outbox.send(goodbye.clone());
            conn.outbox.close(1000, "the session has ended");
        }
        self.seat_conn.clear();
        self.stopped = true;
        self.dirty = false;
        Ok(EndSummary {
            room_id: facts.id,
            name: self.room.name.clone(),
            started_at: facts.created_at,
            ended_at,
            duration_s,
            participant_count,
            reason,
        })
    }

    async fn checkpoint(&mut self) {
        if self.dirty {
            self.checkpoint_now().await;
        }
    }

    async fn checkpoint_now(&mut self) {
        let room = &self.room;
        let saved = live_store::checkpoint(self.live.db(), room, now_ms()).await;
        match saved {
            Ok(()) => self.dirty = false,
            Err(error) => tracing::warn!(room_id = %room.facts.id, %error, "checkpoint not saved"),
        }
    }
}
