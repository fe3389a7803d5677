//! What decided requests produce, held until their events are committed, then delivered.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::{Actor, unavailable};
use crate::domain::events::LeaveReason;
use crate::domain::protocol::{CloseCode, ServerMessage};
use crate::domain::room::{Eviction, Outcome, Personal, RoomError, Sender};
use crate::live::outbox::Frame;
use crate::live::{ConnId, RoomView};
use crate::store::events::EventRow;
use crate::store::live::{Batch, Write};

/// Commit attempts before the room declares the database unavailable.
const COMMIT_TRIES: u32 = 3;

/// At most this often a `quiz_progress` for the trainer (the newest count; the first after a
/// quiet moment at once).
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// The trainer is shown the reaction counts and the word cloud at most this often.
const VIEWS_EVERY: Duration = Duration::from_millis(250);

/// Something to do once the current batch is committed.
pub(super) enum Delivery {
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
    Evict(ConnId, Frame, CloseCode, &'static str),
    Update(oneshot::Sender<Result<RoomView, RoomError>>),
}

pub(super) fn frame(message: &ServerMessage) -> Frame {
    Frame::from(message)
}

/// Each participant's frame of a personal message: the common part serialised once, up to its
/// closing `null}`, then their own `yours` and the closing brace.
pub(super) fn personal_frames(personal: &Personal) -> impl Iterator<Item = (Uuid, Frame)> + '_ {
    let mut common = serde_json::to_vec(&personal.common).expect("messages serialise");
    let closing = br#"null}"#;
    debug_assert!(common.ends_with(br#""yours":null}"#), "`yours` comes last");
    common.truncate(common.len() - closing.len());
    (personal.yours.iter()).map(move |(participant_id, yours)| {
        let frame = Frame::text(|buf| {
            buf.extend_from_slice(&common);
            serde_json::to_writer(&mut *buf, yours).expect("messages serialise");
            buf.push(b'}');
        });
        (*participant_id, frame)
    })
}

pub(super) fn error_frame(error: &RoomError, req: Option<String>) -> Frame {
    frame(&ServerMessage::error(
        error.code,
        error.message.clone(),
        req,
    ))
}

impl Actor {
    pub(super) fn reply_error(&mut self, conn: ConnId, error: RoomError, req: Option<String>) {
        self.deliveries
            .push(Delivery::To(conn, error_frame(&error, req)));
    }

    pub(super) fn confirm(&mut self, conn: ConnId, req: Option<String>) {
        let ack = frame(&ServerMessage::Ack { req: req.clone() });
        self.deliveries.push(Delivery::Confirm(conn, ack, req));
    }

    /// Queues what an outcome asks for: events and chat changes into the batch, messages for
    /// after the commit.
    pub(super) fn take(&mut self, outcome: Outcome, at: i64) {
        self.take_with(outcome, at, Delivery::All);
    }

    pub(super) fn take_excluding(&mut self, outcome: Outcome, at: i64, conn: ConnId) {
        self.take_with(outcome, at, |frame| Delivery::AllBut(conn, frame));
    }

    /// `at` is when the outcome was decided: its events are stored with that time, the time
    /// the room used (a question opened at `at` must reopen at `at` after a restart).
    pub(super) fn take_with(
        &mut self,
        mut outcome: Outcome,
        at: i64,
        to: impl Fn(Frame) -> Delivery,
    ) {
        let rows = self.rows(&outcome, at);
        self.batch.events.extend(rows);
        self.batch.chat_inserts.extend(outcome.chat_insert.take());
        self.batch.chat_deletes.extend(outcome.chat_delete);
        self.queue(&outcome, to);
    }

    /// The outcome's events as rows of `room_events`, stamped `at`.
    pub(super) fn rows(&self, outcome: &Outcome, at: i64) -> Vec<EventRow> {
        let facts = &self.room.facts;
        (outcome.events.iter())
            .map(|e| EventRow::stamped((Uuid::now_v7(), at), facts.id, facts.trainer_id, e))
            .collect()
    }

    /// Queues the outcome's messages (and eviction) for delivery after the commit.
    pub(super) fn queue(&mut self, outcome: &Outcome, to: impl Fn(Frame) -> Delivery) {
        for message in &outcome.broadcast {
            // What the trainer sees stays in order: a count waiting goes first.
            self.release_progress();
            self.deliveries.push(to(frame(message)));
        }
        for message in &outcome.to_trainers {
            if let ServerMessage::QuizProgress { .. } = message {
                self.progress = Some(frame(message));
                continue;
            }
            self.release_progress();
            self.deliveries.push(Delivery::Trainers(frame(message)));
        }
        if self.progress_due().is_some_and(|due| due <= Instant::now()) {
            self.release_progress();
        }
        for message in &outcome.to_participants {
            self.deliveries.push(Delivery::Participants(frame(message)));
        }
        for (participant_id, message) in &outcome.to_each {
            self.deliveries
                .push(Delivery::Participant(*participant_id, frame(message)));
        }
        if let Some(personal) = &outcome.personal {
            for (participant_id, frame) in personal_frames(personal) {
                self.deliveries
                    .push(Delivery::Participant(participant_id, frame));
            }
        }
        if let Some((participant_id, eviction)) = outcome.evict
            && let Some(conn) = self.seat_conn.remove(&participant_id)
        {
            let ban = eviction == Eviction::Banned;
            let (code, reason) = if ban {
                (CloseCode::Banned, "banned from this session")
            } else {
                (CloseCode::Kicked, "removed by the trainer")
            };
            let kicked = frame(&ServerMessage::Kicked { ban });
            self.deliveries
                .push(Delivery::Evict(conn, kicked, code, reason));
        }
    }

    /// Commits the batch, then delivers what waited on it.
    pub(super) async fn flush(&mut self) {
        let committed = if self.batch.is_empty() {
            true
        } else {
            let batch = Arc::new(std::mem::take(&mut self.batch));
            let committed = self.commit(&batch).await;
            if committed {
                self.live
                    .canvases()
                    .observe(self.room.facts.id, &batch.events);
            }
            if committed && let Some(last) = batch.events.last() {
                self.room.state.last_event = Some((last.id, last.created_at));
                self.dirty = true;
            }
            committed
        };
        self.deliver(committed);
        let joined = std::mem::take(&mut self.joined_in_batch);
        if !committed {
            // Nothing of the batch happened, the joins it held included; the room in memory
            // is ahead of the database until it reloads.
            for conn in joined {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.sender = None;
                }
                self.trainer_conns.retain(|&c| c != conn);
                self.seat_conn.retain(|_, &mut c| c != conn);
            }
            self.degraded = true;
            metrics::counter!("live_rooms_degraded_total").increment(1);
        }
    }

    pub(super) async fn commit(&self, batch: &Arc<Batch>) -> bool {
        let mut wait = Duration::from_millis(50);
        for attempt in 1..=COMMIT_TRIES {
            let started = Instant::now();
            let write = Write::Batch {
                chat_id: self.chat_id,
                batch: Arc::clone(batch),
            };
            match self.live.committer().write(write).await {
                Ok(()) => {
                    metrics::histogram!("live_batch_seconds")
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

    pub(super) fn deliver(&mut self, committed: bool) {
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
                    for &conn in &self.trainer_conns {
                        self.send(conn, frame.clone(), &mut too_slow);
                    }
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
        self.drop_too_slow(too_slow);
    }

    /// When the trainer's waiting `quiz_progress` is due, if one waits.
    pub(super) fn progress_due(&self) -> Option<Instant> {
        self.progress.as_ref()?;
        let now = Instant::now();
        Some(
            self.progress_sent_at
                .map_or(now, |at| (at + PROGRESS_EVERY).max(now)),
        )
    }

    /// When the trainer's screens are next to be shown the reaction counts and the word
    /// cloud, if either changed.
    pub(super) fn views_due(&self) -> Option<Instant> {
        if !self.room.reactions_unshown()
            && !self.room.cloud_unseen_by_trainers()
            && !self.room.qa_unseen_by_trainers()
        {
            return None;
        }
        let now = Instant::now();
        Some(
            self.views_sent_at
                .map_or(now, |at| (at + VIEWS_EVERY).max(now)),
        )
    }

    /// Queues the reaction counts and the word cloud for the trainer, when due.
    pub(super) fn show_views(&mut self) {
        if self.degraded || self.views_due().is_none_or(|due| due > Instant::now()) {
            return;
        }
        let views = [
            self.room.take_reactions(),
            self.room.take_cloud_for_trainers(),
            self.room.take_qa_for_trainers(),
        ];
        for message in views.into_iter().flatten() {
            self.deliveries.push(Delivery::Trainers(frame(&message)));
        }
        self.views_sent_at = Some(Instant::now());
    }

    /// Participants see the word cloud grow (while the trainer shows it) and the questions
    /// from the class change once a second; whether a frame was queued.
    pub(super) fn send_views(&mut self) -> bool {
        if self.degraded {
            return false;
        }
        let views = [
            self.room.take_cloud_for_participants(),
            self.room.take_qa_for_participants(),
        ];
        let mut queued = false;
        for message in views.into_iter().flatten() {
            self.deliveries
                .push(Delivery::Participants(frame(&message)));
            queued = true;
        }
        queued
    }

    /// Queues the trainer's waiting `quiz_progress`, if any (a room that could not commit
    /// drops it: its reload sends everyone a fresh `welcome`).
    pub(super) fn release_progress(&mut self) {
        let Some(progress) = self.progress.take() else {
            return;
        };
        if !self.degraded {
            self.deliveries.push(Delivery::Trainers(progress));
            self.progress_sent_at = Some(Instant::now());
        }
    }

    /// In a crowd, participants learn how many they are once a second rather than each
    /// arrival and departure.
    pub(super) fn send_headcount(&mut self) {
        if !self.room.crowded() || self.degraded {
            return;
        }
        let headcount = self.room.headcount();
        if self.headcount_sent.replace(headcount) == Some(headcount) {
            return;
        }
        let mut too_slow = Vec::new();
        let frame = frame(&ServerMessage::Headcount(headcount));
        self.fan_out(&frame, |_, who| who != Sender::Trainer, &mut too_slow);
        self.drop_too_slow(too_slow);
    }

    /// A client that cannot keep up is dropped; it reconnects and gets a fresh welcome. One
    /// whose socket closed meanwhile (its leave not yet here) just left.
    fn drop_too_slow(&mut self, too_slow: Vec<ConnId>) {
        for conn in too_slow {
            let Some(c) = self.conns.get(&conn) else {
                continue;
            };
            if c.outbox.is_gone() {
                self.disconnect(conn, LeaveReason::Closed);
                continue;
            }
            metrics::counter!("live_slow_clients_dropped_total").increment(1);
            c.outbox
                .close(CloseCode::TooSlow, "too slow to keep up; reconnect");
            self.disconnect(conn, LeaveReason::Timeout);
        }
    }

    /// Sends one frame, serialised once, to every joined connection `to` accepts.
    pub(super) fn fan_out(
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

    pub(super) fn send(&self, conn: ConnId, frame: Frame, too_slow: &mut Vec<ConnId>) {
        if let Some(c) = self.conns.get(&conn)
            && !c.outbox.send(frame)
        {
            too_slow.push(conn);
        }
    }

    pub(super) fn close_all(&mut self, code: CloseCode, reason: &'static str) {
        for (_, conn) in self.conns.drain() {
            conn.outbox.close(code, reason);
        }
        self.seat_conn.clear();
    }
}
