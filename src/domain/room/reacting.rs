//! Reactions in a live room: taps among those the trainer offers, flood-guarded, counted for
//! the trainer and recorded per minute (`domain::reactions`).

use super::{LiveRoom, Outcome, RoomError, RoomResult, Sender};
use crate::domain::events::RoomEvent;
use crate::domain::protocol::{ErrorCode, ServerMessage};
use crate::domain::reactions::Reaction;

/// Taps per participant: at most this many in any window (a tap a second, with bursts).
pub(super) const REACTION_BURST: usize = 5;
pub(super) const REACTION_WINDOW_MS: i64 = 5_000;

impl LiveRoom {
    pub(super) fn react(
        &mut self,
        sender: Sender,
        reaction: Reaction,
        at: i64,
    ) -> RoomResult<Outcome> {
        let Sender::Participant(id) = sender else {
            return Err(RoomError::new(
                ErrorCode::Forbidden,
                "reactions are for participants",
            ));
        };
        if !self.params.reactions.contains(reaction) {
            return Err(RoomError::new(
                ErrorCode::ReactionOff,
                "the trainer does not offer this reaction",
            ));
        }
        if !self.reaction_taps.allow(id, at) {
            let (burst, window) = (self.reaction_taps.burst(), self.reaction_taps.window_s());
            return Err(RoomError::new(
                ErrorCode::RateLimited,
                format!("at most {burst} reactions every {window} seconds"),
            ));
        }
        let over = self.reactions.tap(reaction, at);
        Ok(Outcome {
            events: over.map(counted).into_iter().collect(),
            ..Outcome::default()
        })
    }

    /// The reactions counted since the room's task started.
    pub fn reaction_totals(&self) -> &crate::domain::reactions::Counts {
        self.reactions.totals()
    }

    /// The minute of reactions counted, once `now` is past it, as its event (`i64::MAX`:
    /// whatever is counted, as the room stops).
    pub fn reactions_minute_over(&mut self, now: i64) -> Option<Outcome> {
        let over = self.reactions.minute_over(now)?;
        Some(Outcome {
            events: vec![counted(over)],
            ..Outcome::default()
        })
    }

    /// When the minute of reactions being counted is over (epoch ms).
    pub fn reactions_minute_due(&self) -> Option<i64> {
        self.reactions.minute_due()
    }

    /// Whether participants reacted since the trainer's last `reactions` frame.
    pub fn reactions_unshown(&self) -> bool {
        self.reactions.unshown()
    }

    /// The trainer's `reactions` frame, if participants reacted since the last one.
    pub fn take_reactions(&mut self) -> Option<ServerMessage> {
        let counts = self.reactions.take_unshown()?;
        Some(ServerMessage::Reactions { counts })
    }
}

fn counted((minute, counts): (i64, crate::domain::reactions::Counts)) -> RoomEvent {
    RoomEvent::ReactionsCounted { minute, counts }
}
