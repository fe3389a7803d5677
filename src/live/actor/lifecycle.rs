//! The room's own changes of state: renaming, ending, checkpointing.

use std::time::Instant;

use super::delivery::{Delivery, frame};
use super::load::load;
use super::{Actor, unavailable};
use crate::domain::events::{EndReason, RoomEvent};
use crate::domain::protocol::{CloseCode, ErrorCode, ServerMessage};
use crate::domain::room::{Outcome, RoomError, Sender};
use crate::live::outbox::Frame;
use crate::live::{ConnId, EndSummary};
use crate::store::events::{EventRow, stamp};
use crate::store::live::{Checkpoint, Write};
use crate::store::{StoreError, now_ms};

impl Actor {
    /// Commits what is pending and makes sure the room in memory is the database's: a room
    /// whose commit failed reloads first. `false` if it cannot (the database is still away,
    /// or the room has stopped).
    async fn settled(&mut self) -> bool {
        self.flush().await;
        if self.degraded && !self.stopped {
            self.recover().await;
        }
        !self.degraded && !self.stopped
    }

    /// Renames the room (the name must be free among live rooms, which only the database can
    /// tell): its `room_renamed` event is applied once the database has taken the name.
    pub(super) async fn rename(&mut self, name: String) -> Result<(), RoomError> {
        // A bad name is refused at once; the rename itself is decided on the room as the
        // database has it (a reload may have changed it).
        self.room.rename(&name)?;
        if !self.settled().await {
            return Err(unavailable());
        }
        let Some(event) = self.room.rename(&name)? else {
            return Ok(());
        };
        let RoomEvent::RoomRenamed { from, to } = &event else {
            unreachable!("a rename decides a room_renamed event")
        };
        let renamed = ServerMessage::Renamed {
            link: format!("{}/r/{to}", self.live.config().public_base),
            from: from.clone(),
            to: to.clone(),
        };
        let facts = &self.room.facts;
        let row = EventRow::new(facts.id, facts.trainer_id, &event);
        let (id, at) = (row.id, row.created_at);
        let write = Write::Rename {
            room_id: facts.id,
            name: to.clone(),
            event: row,
        };
        match self.live.committer().write(write).await {
            Ok(()) => {}
            Err(error) if matches!(*error, StoreError::Conflict) => {
                return Err(RoomError::new(
                    ErrorCode::NameTaken,
                    format!("a live room is already named `{to}`"),
                ));
            }
            Err(error) => {
                tracing::warn!(room_id = %self.room.facts.id, %error, "rename not committed");
                return Err(unavailable());
            }
        }
        self.room.evolve(&event, at);
        self.room.state.last_event = Some((id, at));
        self.dirty = true;
        self.deliveries.push(Delivery::All(frame(&renamed)));
        Ok(())
    }

    /// Ends the session: a running quiz ends, everyone online leaves, `session_ended` is
    /// appended, and the room, its chat and messages are deleted, in one transaction; then
    /// every socket gets what the end says (the final standings of the quiz) and is closed.
    pub(super) async fn end(
        &mut self,
        reason: EndReason,
        ack: Option<(ConnId, Frame)>,
    ) -> Result<EndSummary, RoomError> {
        // Only leaves of committed joins are recorded: a room whose last commit failed reloads
        // before it ends.
        if !self.settled().await {
            return Err(unavailable());
        }
        let ended_at = stamp().1;
        // What was drawn and not yet appended comes before the end (the minute under way
        // included): once the room is gone, nothing more can be.
        let room_id = self.room.facts.id;
        let canvas = self.live.canvases();
        let edits = canvas.take_edits(room_id, i64::MAX);
        let outcome = self.room.end(reason, ended_at);
        let Some(&RoomEvent::SessionEnded {
            duration_s,
            participant_count,
            ..
        }) = outcome.events.last()
        else {
            unreachable!("an end closes with session_ended")
        };
        let drawn = Outcome {
            events: edits.iter().map(|edit| edit.event()).collect(),
            ..Outcome::default()
        };
        let mut events = self.rows(&drawn, ended_at);
        events.extend(self.rows(&outcome, ended_at));
        match self
            .live
            .committer()
            .write(Write::End { room_id, events })
            .await
        {
            Ok(()) => {}
            Err(error) if matches!(*error, StoreError::NotFound) => {
                self.close_all(CloseCode::Normal, "the session has ended");
                self.stopped = true;
                return Err(RoomError::new(
                    ErrorCode::NotFound,
                    "this session has already ended",
                ));
            }
            Err(error) => {
                tracing::warn!(%room_id, %error, "end not committed");
                canvas.put_back_edits(room_id, &edits);
                // The end decided above did not happen: reload before anything else.
                self.degraded = true;
                return Err(unavailable());
            }
        }
        self.queue(&outcome, Delivery::All);
        self.deliver(true);
        if let Some((conn, ack)) = ack
            && let Some(c) = self.conns.get(&conn)
        {
            c.outbox.send(ack);
        }
        let goodbye = frame(&ServerMessage::SessionEnded { reason, duration_s });
        for (_, conn) in self.conns.drain() {
            conn.outbox.send(goodbye.clone());
            conn.outbox
                .close(CloseCode::Normal, "the session has ended");
        }
        self.seat_conn.clear();
        self.trainer_conns.clear();
        self.stopped = true;
        self.dirty = false;
        Ok(EndSummary {
            room_id,
            name: self.room.name.clone(),
            started_at: self.room.facts.created_at,
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
                self.close_all(CloseCode::Normal, "the session has ended");
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
        // Who is who is rebuilt from the connections, as the reloaded room allows it.
        self.seat_conn.clear();
        self.trainer_conns.clear();
        for (&conn, c) in self.conns.iter_mut() {
            match c.sender {
                Some(Sender::Participant(id)) if self.room.mark_online(id) => {
                    self.seat_conn.insert(id, conn);
                }
                Some(Sender::Participant(_)) => c.sender = None,
                Some(Sender::Trainer) => self.trainer_conns.push(conn),
                None => {}
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
