//! The room's own changes of state: renaming, ending, checkpointing.

use std::time::Instant;

use super::delivery::{Delivery, frame};
use super::load::load;
use super::{Actor, unavailable};
use crate::domain::events::{EndReason, LeaveReason, RoomEvent};
use crate::domain::live::{RoomError, Sender};
use crate::domain::names::parse_room_name;
use crate::domain::protocol::ServerMessage;
use crate::live::outbox::Frame;
use crate::live::{ConnId, EndSummary};
use crate::store::events::{EventRow, stamp};
use crate::store::live::{self as live_store, Checkpoint, Write};
use crate::store::{StoreError, now_ms, rooms};

impl Actor {
    /// Renames the room at once (the name must be free among live rooms, which only the
    /// database can tell), with its `room_renamed` event.
    pub(super) async fn rename(&mut self, name: String) -> Result<(), RoomError> {
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
    pub(super) async fn end(
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
        match rooms::end(self.live.db(), facts.id, &rows).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => {
                self.close_all(1000, "the session has ended");
                self.stopped = true;
                return Err(RoomError::new(
                    "not_found",
                    "this session has already ended",
                ));
            }
            Err(error) => {
                tracing::warn!(room_id = %facts.id, %error, "end not committed");
                // The leaves decided above did not happen: reload before anything else.
                self.degraded = true;
                return Err(unavailable());
            }
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

    /// Hands the room's state to the committer if it changed, without waiting for the write:
    /// serialising and writing the state of thousands of seats takes milliseconds the room
    /// owes to the requests waiting for it. One checkpoint at a time; a failed one is redone
    /// at the next tick.
    pub(super) fn checkpoint_in_background(&mut self) {
        if let Some(pending) = &mut self.checkpointing {
            match pending.outcome() {
                None => return,
                Some(Ok(())) => {}
                Some(Err(error)) => {
                    tracing::warn!(room_id = %self.room.facts.id, %error, "checkpoint not saved");
                    self.dirty = true;
                }
            }
            self.checkpointing = None;
        }
        if !self.dirty || self.degraded {
            return;
        }
        let checkpoint = Write::Checkpoint(Checkpoint::of(&self.room, now_ms()));
        if let Some(pending) = self.live.committer().hand_over(checkpoint) {
            self.dirty = false;
            self.checkpointing = Some(pending);
        }
    }

    /// Writes the room back if it changed, unless it is ahead of the database (degraded), and
    /// waits for it (when the room stops).
    pub(super) async fn checkpoint(&mut self) {
        if !self.dirty || self.degraded {
            return;
        }
        let checkpoint = Write::Checkpoint(Checkpoint::of(&self.room, now_ms()));
        match self.live.committer().write(checkpoint).await {
            Ok(()) => self.dirty = false,
            Err(error) => {
                tracing::warn!(room_id = %self.room.facts.id, %error, "checkpoint not saved")
            }
        }
    }

    /// After a failed commit: once the database answers, takes the room back as the database
    /// has it, keeps everyone connected, and sends each client the room as it now stands.
    pub(super) async fn recover(&mut self) {
        let room_id = self.room.facts.id;
        let loaded = match load(self.live.db(), room_id, self.live.config().limits()).await {
            Ok(loaded) => loaded,
            Err(StoreError::NotFound) => {
                self.close_all(1000, "the session has ended");
                self.stopped = true;
                return;
            }
            Err(error) => {
                tracing::debug!(%room_id, %error, "database still unavailable");
                return;
            }
        };
        self.room = loaded.room;
        self.loaded_at = Some(Instant::now());
        self.degraded = false;
        self.dirty = false;
        self.seat_conn.clear();
        for (&conn, c) in self.conns.iter_mut() {
            if let Some(Sender::Participant(id)) = c.sender {
                if self.room.mark_online(id) {
                    self.seat_conn.insert(id, conn);
                } else {
                    c.sender = None;
                }
            }
        }
        let joined: Vec<(ConnId, Sender)> = self
            .conns
            .iter()
            .filter_map(|(&conn, c)| Some((conn, c.sender?)))
            .collect();
        for (conn, sender) in joined {
            let welcome = frame(&self.welcome(sender));
            self.deliveries.push(Delivery::To(conn, welcome));
        }
        self.deliver(true);
        tracing::info!(%room_id, "room recovered from the database");
    }
}
