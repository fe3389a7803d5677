//! The task that owns one live room.
//!
//! It takes requests in arrival order, decides each against the room, and gathers their events
//! into a batch. After each burst of requests it commits the batch in one transaction, and only
//! then delivers what the requests produced (acks, broadcasts, welcomes). If the commit fails,
//! requesters get `unavailable` and nothing of the batch is seen by anyone; the room turns
//! *degraded*: it keeps its connections but refuses whatever needs durability, until the
//! database answers again. Then it reloads itself from the database (which never saw the failed
//! batch) and sends every client a fresh `welcome`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use uuid::Uuid;

use super::canvas::Doc;
use super::committer::Pending;
use super::{ConnId, Frame, JoinAs, Live, Outbox, QuizKey, Request, RoomView};
use crate::domain::events::{EndReason, LeaveReason};
use crate::domain::protocol::{ClientMessage, CloseCode, ErrorCode, Headcount, ServerMessage};
use crate::domain::room::{Command, Incoming, LiveRoom, Outcome, QuizSheet, RoomError, Sender};
use crate::store::events::stamp;
use crate::store::live::Batch;
use crate::store::now_ms;

/// How long a room with nobody connected stays in memory before its actor stops.
const LINGER: Duration = Duration::from_secs(30);
/// How often a changed room is written back to `rooms` (its checkpoint).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Requests decided before one commit, at most.
const BURST: usize = 1_024;
/// At shutdown, how long the room waits for its canvas to stop before it takes the canvas's
/// last counts of edits.
const CANVAS_STOP: Duration = Duration::from_secs(2);

mod delivery;
mod lifecycle;
mod load;
#[cfg(test)]
mod tests;

use delivery::{Delivery, frame};
pub(super) use load::{Loaded, load, quiz_sheet};

struct Conn {
    outbox: Outbox,
    /// Set once the connection has joined.
    sender: Option<Sender>,
    /// When it connected: a connection that never joins is closed after a while.
    connected_at: Instant,
}

struct Actor {
    live: Arc<Live>,
    room: LiveRoom,
    chat_id: Uuid,
    conns: HashMap<ConnId, Conn>,
    /// The one connection of each online participant.
    seat_conn: HashMap<Uuid, ConnId>,
    /// The trainer's connections (a few tabs), so that what is for them alone is not looked
    /// for among thousands.
    trainer_conns: Vec<ConnId>,
    /// When the room was (re)loaded from the database, until those who were present then and
    /// did not come back are recorded as gone (`None` once done).
    loaded_at: Option<Instant>,
    /// New seats taken from each client address (since this actor started).
    seats_from: HashMap<IpAddr, usize>,
    /// The head count participants of a crowded room were last told.
    headcount_sent: Option<Headcount>,
    /// The trainer's latest `quiz_progress` not sent yet, and when the last one went: a burst
    /// of answers makes a few of them a second, not one per answer.
    progress: Option<Frame>,
    progress_sent_at: Option<Instant>,
    /// When the trainer was last shown the reaction counts and the word cloud (a few times a
    /// second at most).
    views_sent_at: Option<Instant>,
    batch: Batch,
    deliveries: Vec<Delivery>,
    /// The state changed since the last checkpoint.
    dirty: bool,
    /// The checkpoint being written, if one is.
    checkpointing: Option<Pending>,
    /// Set when the room must stop: it has ended (or vanished from the database).
    stopped: bool,
    /// The database refused a commit: durable requests are refused until the room reloads.
    degraded: bool,
    /// Connections that joined in the batch being gathered (undone if it fails).
    joined_in_batch: Vec<ConnId>,
    empty_since: Option<Instant>,
}

impl Actor {
    fn new(live: Arc<Live>, loaded: Loaded) -> Self {
        Actor {
            live,
            room: loaded.room,
            chat_id: loaded.chat_id,
            conns: HashMap::new(),
            seat_conn: HashMap::new(),
            trainer_conns: Vec::new(),
            headcount_sent: None,
            progress: None,
            progress_sent_at: None,
            views_sent_at: None,
            seats_from: HashMap::new(),
            loaded_at: Some(Instant::now()),
            batch: Batch::default(),
            deliveries: Vec::new(),
            dirty: false,
            checkpointing: None,
            stopped: false,
            degraded: false,
            joined_in_batch: Vec::new(),
            empty_since: Some(Instant::now()),
        }
    }
}

pub(super) async fn run(live: Arc<Live>, loaded: Loaded, mut rx: mpsc::Receiver<Request>) {
    let mut actor = Actor::new(Arc::clone(&live), loaded);
    let room_id = actor.room.facts.id;
    tracing::debug!(%room_id, "room started");
    metrics::gauge!("live_rooms").increment(1.0);
    let shutdown = live.shutdown_token();
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        let question_due = actor.room.quiz_deadline().filter(|_| !actor.degraded);
        let minute_due = actor
            .room
            .reactions_minute_due()
            .filter(|_| !actor.degraded);
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                // What the canvas and the reactions counted up to the very end goes in the
                // last batch.
                live.canvases().stopped(room_id, CANVAS_STOP).await;
                actor.append_canvas_edits(i64::MAX);
                actor.append_reactions(i64::MAX);
                actor.flush().await;
                actor.checkpoint().await;
                actor.close_all(CloseCode::Restarting, "the server is restarting; reconnect");
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
                actor.show_views();
                actor.flush().await;
            }
            _ = until_instant(actor.progress_due()) => {
                actor.release_progress();
                actor.flush().await;
            }
            _ = until_instant(actor.views_due()) => {
                actor.show_views();
                actor.flush().await;
            }
            _ = until(minute_due) => {
                actor.append_reactions(now_ms());
                actor.flush().await;
            }
            _ = until(question_due) => {
                let now = stamp().1;
                if let Some(outcome) = actor.room.quiz_tick(now) {
                    actor.take(outcome, now);
                }
                actor.flush().await;
            }
            _ = tick.tick() => {
                if actor.degraded {
                    actor.recover().await;
                }
                actor.checkpoint_in_background();
                actor.close_unjoined();
                actor.sweep_absent().await;
                actor.send_headcount();
                if actor.send_views() {
                    actor.flush().await;
                }
                let idle = actor.empty_since.is_some_and(|t| t.elapsed() >= LINGER);
                if idle && actor.room.reactions_minute_due().is_some() {
                    // Nobody is left to react: the minute under way is recorded before the
                    // room leaves memory.
                    actor.append_reactions(i64::MAX);
                    actor.flush().await;
                }
                if idle && actor.batch.is_empty() && live.unregister(room_id, &rx) {
                    // Closed at once: from now on senders start a new actor, which replays
                    // whatever this last checkpoint misses.
                    rx.close();
                    actor.checkpoint().await;
                    break;
                }
            }
        }
        if actor.stopped {
            live.canvases().ended(Doc::Room(room_id));
            let mut rooms = live.rooms.lock().expect("registry lock");
            rooms.remove(&room_id);
            break;
        }
    }
    rx.close();
    while let Some(request) = rx.recv().await {
        pass_on_after_stop(&live, room_id, request, actor.stopped);
    }
    metrics::gauge!("live_rooms").decrement(1.0);
    tracing::debug!(%room_id, "room stopped");
}

/// Sleeps until an epoch-millisecond time (forever for `None`).
async fn until_instant(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

async fn until(deadline: Option<i64>) {
    match deadline {
        // One millisecond more, so that the time is surely past when this wakes.
        Some(at) => {
            tokio::time::sleep(Duration::from_millis((at - now_ms()).max(0) as u64 + 1)).await
        }
        None => std::future::pending().await,
    }
}

/// Deals with what reached a room as it stopped. Sockets reconnect (and find the room again,
/// or not); changes asked over HTTP go to the room's next actor, unless the session ended.
fn pass_on_after_stop(live: &Arc<Live>, room_id: Uuid, request: Request, ended: bool) {
    let gone = || RoomError::new(ErrorCode::NotFound, "this session has ended");
    match request {
        Request::Connect { outbox, .. } => {
            outbox.close(CloseCode::Restarting, "the room restarted; reconnect")
        }
        Request::Update { reply, .. } if ended => drop(reply.send(Err(gone()))),
        Request::End { reply, .. } if ended => drop(reply.send(Err(gone()))),
        request @ (Request::Update { .. } | Request::End { .. }) => {
            let live = Arc::clone(live);
            tokio::spawn(async move { live.send(room_id, request).await });
        }
        Request::Join { .. }
        | Request::Message { .. }
        | Request::QuizToLoad { .. }
        | Request::QuizStart { .. }
        | Request::Disconnect { .. }
        | Request::Peek { .. }
        | Request::Locked { .. }
        | Request::Banned { .. }
        // The counts stay with the canvas, which asks the room's next actor.
        | Request::CanvasEdited { .. } => {}
    }
}

fn not_joined() -> RoomError {
    RoomError::new(ErrorCode::BadMessage, "send `join` first")
}

fn unavailable() -> RoomError {
    RoomError::new(
        ErrorCode::Unavailable,
        "the session could not be saved; nothing was done, try again",
    )
}

impl Actor {
    async fn handle(&mut self, request: Request) {
        if self.degraded {
            return self.refuse_while_degraded(request);
        }
        match request {
            Request::Connect { conn, outbox } => self.connect(conn, outbox),
            Request::Join { conn, req, who } => self.join(conn, req, who),
            Request::Message {
                conn,
                req,
                message,
                received_at,
            } => self.message(conn, req, message, received_at).await,
            Request::QuizToLoad {
                conn,
                req,
                quiz_id,
                reply,
            } => {
                let key = self.quiz_to_load(conn, req, quiz_id);
                let _ = reply.send(key);
            }
            Request::QuizStart { conn, req, quiz } => self.quiz_start(conn, req, quiz),
            Request::Disconnect { conn, reason } => self.disconnect(conn, reason),
            Request::Update {
                name,
                params,
                drawing,
                reply,
            } => {
                if let Some(name) = name
                    && let Err(error) = self.rename(name).await
                {
                    let _ = reply.send(Err(error));
                    return;
                }
                let params = params.map(|params| Command::SetParams { params });
                let drawing = drawing.map(|(participant_id, allowed)| Command::SetDrawing {
                    participant_id,
                    allowed,
                });
                for command in params.into_iter().chain(drawing) {
                    let now = stamp();
                    match self.room.decide(Sender::Trainer, command, now) {
                        Ok(outcome) => self.take(outcome, now.1),
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
            Request::Locked { reply } => {
                let _ = reply.send(self.room.state.locked);
            }
            Request::Banned {
                participant_id,
                reply,
            } => {
                let _ = reply.send(self.room.is_banned(participant_id));
            }
            Request::CanvasEdited { until } => self.append_canvas_edits(until),
        }
    }

    /// Serves what needs no durability and refuses the rest while the database is away.
    fn refuse_while_degraded(&mut self, request: Request) {
        match request {
            Request::Connect { conn, outbox } => self.connect(conn, outbox),
            Request::Disconnect { conn, reason } => self.disconnect(conn, reason),
            Request::Peek { reply } => drop(reply.send(self.view())),
            Request::Locked { reply } => drop(reply.send(self.room.state.locked)),
            Request::Banned {
                participant_id,
                reply,
            } => drop(reply.send(self.room.is_banned(participant_id))),
            Request::Join { conn, req, .. }
            | Request::Message { conn, req, .. }
            | Request::QuizStart { conn, req, .. } => self.reply_error(conn, unavailable(), req),
            Request::QuizToLoad {
                conn, req, reply, ..
            } => {
                self.reply_error(conn, unavailable(), req);
                let _ = reply.send(None);
            }
            Request::Update { reply, .. } => drop(reply.send(Err(unavailable()))),
            Request::End { reply, .. } => drop(reply.send(Err(unavailable()))),
            // Left with the canvas, which asks again once the room has recovered.
            Request::CanvasEdited { .. } => {}
        }
    }

    fn connect(&mut self, conn: ConnId, outbox: Outbox) {
        self.conns.insert(
            conn,
            Conn {
                outbox,
                sender: None,
                connected_at: Instant::now(),
            },
        );
        self.empty_since = None;
    }

    /// One heartbeat timeout after a load, records as gone those present before who have
    /// not come back (a crash leaves no `participant_left` for them).
    async fn sweep_absent(&mut self) {
        let due = self
            .loaded_at
            .is_some_and(|at| at.elapsed() >= self.live.config().heartbeat);
        if !due || self.degraded {
            return;
        }
        self.loaded_at = None;
        if let Some(outcome) = self.room.sweep_absent() {
            self.take(outcome, stamp().1);
            self.flush().await;
        }
    }

    /// Closes connections that have not joined within the heartbeat timeout: a socket must
    /// not hold a place in the room without being someone.
    fn close_unjoined(&mut self) {
        let patience = self.live.config().heartbeat;
        self.conns.retain(|_, c| {
            let waiting = c.sender.is_none() && c.connected_at.elapsed() >= patience;
            if waiting {
                c.outbox
                    .close(CloseCode::Silent, "no join within the heartbeat timeout");
            }
            !waiting
        });
        if self.conns.is_empty() && self.empty_since.is_none() {
            self.empty_since = Some(Instant::now());
        }
    }

    fn view(&self) -> RoomView {
        RoomView {
            name: self.room.name.clone(),
            params: self.room.params,
            state: self.room.state.clone(),
        }
    }

    fn join(&mut self, conn: ConnId, req: Option<String>, who: JoinAs) {
        let Some(joined) = self.conns.get(&conn).map(|c| c.sender.is_some()) else {
            return;
        };
        if joined {
            return self.reply_error(
                conn,
                RoomError::new(ErrorCode::BadMessage, "already joined"),
                req,
            );
        }
        let sender = match who {
            JoinAs::Trainer { user_id } => {
                if user_id != self.room.facts.trainer_id {
                    let error = RoomError::new(
                        ErrorCode::Forbidden,
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
                from,
            } => {
                // One address may fill a room only so far (a bot flood; a school's NAT stays
                // well below it). Coming back to a seat is always allowed.
                let new_seat = !resume.is_some_and(|id| self.room.has_seat(id));
                let limit = self.live.config().max_seats_per_address;
                let taken = self.seats_from.get(&from).copied().unwrap_or(0);
                if new_seat && taken >= limit {
                    let error = RoomError::new(
                        ErrorCode::AddressFull,
                        format!(
                            "{limit} people have already joined this session from your network address"
                        ),
                    );
                    return self.reply_error(conn, error, req);
                }
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
                if new_seat {
                    *self.seats_from.entry(from).or_default() += 1;
                }
                // One connection per seat: a newer one (a reconnect, another tab) replaces it.
                if let Some(old) = self.seat_conn.insert(participant_id, conn)
                    && let Some(old) = self.conns.remove(&old)
                {
                    old.outbox
                        .close(CloseCode::Replaced, "replaced by a newer connection");
                }
                self.take_excluding(outcome, stamp().1, conn);
                Sender::Participant(participant_id)
            }
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.sender = Some(sender);
        }
        if sender == Sender::Trainer {
            self.trainer_conns.push(conn);
        }
        self.joined_in_batch.push(conn);
        let welcome = self.welcome(sender);
        // The welcome goes first: the broadcast of this join was queued as `AllBut` before it.
        let at = self
            .deliveries
            .iter()
            .rposition(|d| matches!(d, Delivery::AllBut(c, _) if *c == conn))
            .unwrap_or(self.deliveries.len());
        self.deliveries
            .insert(at, Delivery::Confirm(conn, frame(&welcome), req));
    }

    /// The whole room as one client sees it, with a participant's resume token.
    fn welcome(&self, sender: Sender) -> ServerMessage {
        let resume_token = match sender {
            Sender::Participant(id) => Some(self.live.key().sign(self.room.facts.id, id)),
            Sender::Trainer => None,
        };
        ServerMessage::Welcome {
            you: self.room.you(sender),
            resume_token,
            state: Box::new(self.room.welcome_state(sender, now_ms())),
        }
    }

    /// A joined client's message: read by the domain into what it asks of the room, then
    /// decided (or, for a rename or the end, carried out with the database).
    async fn message(
        &mut self,
        conn: ConnId,
        req: Option<String>,
        message: ClientMessage,
        received_at: i64,
    ) {
        let Some(sender) = self.joined(conn) else {
            return self.reply_error(conn, not_joined(), req);
        };
        let incoming = Incoming::read(message, received_at);
        let incoming = match incoming.and_then(|i| i.allowed(sender).map(|()| i)) {
            Ok(incoming) => incoming,
            Err(error) => return self.reply_error(conn, error, req),
        };
        match incoming {
            Incoming::Command(command) => self.decide(conn, req, sender, command),
            Incoming::Rename { name } => match self.rename(name).await {
                Ok(()) => self.confirm(conn, req),
                Err(error) => self.reply_error(conn, error, req),
            },
            Incoming::EndSession => {
                let ack = frame(&ServerMessage::Ack { req: req.clone() });
                if let Err(error) = self.end(EndReason::Trainer, Some((conn, ack))).await {
                    self.reply_error(conn, error, req);
                }
            }
        }
    }

    /// Decides a command and confirms it to its sender once its events are committed.
    fn decide(&mut self, conn: ConnId, req: Option<String>, sender: Sender, command: Command) {
        let now = stamp();
        match self.room.decide(sender, command, now) {
            Ok(mut outcome) => {
                let reply = outcome.reply.take();
                self.take(outcome, now.1);
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

    /// Who a connection joined as, if it has.
    fn joined(&self, conn: ConnId) -> Option<Sender> {
        self.conns.get(&conn).and_then(|c| c.sender)
    }

    /// Which quiz a `quiz_start` is to load, if the connection may start one; the refusal is
    /// sent from here, in order with the connection's other answers.
    fn quiz_to_load(
        &mut self,
        conn: ConnId,
        req: Option<String>,
        quiz_id: Option<Uuid>,
    ) -> Option<QuizKey> {
        let quiz_id = match self.joined(conn) {
            None => Err(not_joined()),
            Some(sender) => self.room.quiz_to_load(sender, quiz_id),
        };
        match quiz_id {
            Ok(quiz_id) => Some(QuizKey {
                owner: self.room.facts.trainer_id,
                quiz_id,
            }),
            Err(error) => {
                self.reply_error(conn, error, req);
                None
            }
        }
    }

    /// Starts the quiz whose sheet the connection loaded.
    fn quiz_start(
        &mut self,
        conn: ConnId,
        req: Option<String>,
        quiz: Result<Box<QuizSheet>, RoomError>,
    ) {
        let Some(sender) = self.joined(conn) else {
            return self.reply_error(conn, not_joined(), req);
        };
        match quiz {
            Ok(quiz) => self.decide(conn, req, sender, Command::QuizStart { quiz }),
            Err(error) => self.reply_error(conn, error, req),
        }
    }

    /// Takes the reactions of the minute counted, once `now` is past it, into the batch.
    fn append_reactions(&mut self, now: i64) {
        if let Some(outcome) = self.room.reactions_minute_over(now) {
            self.take(outcome, stamp().1);
        }
    }

    /// Takes the canvas's counts of the minutes started before `until` into the batch, as
    /// `canvas_edited` events (the room's state does not depend on them).
    fn append_canvas_edits(&mut self, until: i64) {
        if self.degraded {
            return;
        }
        let edits = self.live.canvases().take_edits(self.room.facts.id, until);
        if edits.is_empty() {
            return;
        }
        let outcome = Outcome {
            events: edits.iter().map(|edit| edit.event()).collect(),
            ..Outcome::default()
        };
        self.take(outcome, stamp().1);
    }

    fn disconnect(&mut self, conn: ConnId, reason: LeaveReason) {
        let Some(gone) = self.conns.remove(&conn) else {
            return;
        };
        if self.conns.is_empty() {
            self.empty_since = Some(Instant::now());
        }
        let Some(Sender::Participant(id)) = gone.sender else {
            self.trainer_conns.retain(|&c| c != conn);
            return;
        };
        // While degraded nothing is recorded: the reload counts who is still connected.
        if self.seat_conn.get(&id) != Some(&conn) || self.degraded {
            return;
        }
        self.seat_conn.remove(&id);
        if let Some(outcome) = self.room.leave(id, reason) {
            self.take(outcome, stamp().1);
        }
    }
}
