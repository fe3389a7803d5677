//! What each person changed on a room's canvas, counted per minute: the `canvas_edited`
//! events, before the room's actor appends them.
//!
//! The counts wait in `Canvases` (not in the canvas task, nor in a message to the actor) until
//! the room's actor takes them into a batch: at the end of the session and at shutdown the
//! actor takes what is left itself, so no count is in flight between the two tasks when the
//! room goes.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::Who;
use crate::domain::events::RoomEvent;

/// A minute, in milliseconds.
pub const MINUTE_MS: i64 = 60_000;

/// The start of the minute `at` (epoch milliseconds) falls in.
pub fn minute_of(at: i64) -> i64 {
    at - at.rem_euclid(MINUTE_MS)
}

/// One person's counts for one minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    /// `None` for the trainer.
    pub participant_id: Option<Uuid>,
    /// The minute's start, epoch milliseconds.
    pub minute: i64,
    pub created: u32,
    pub updated: u32,
    pub deleted: u32,
}

impl Edit {
    pub fn event(&self) -> RoomEvent {
        RoomEvent::CanvasEdited {
            participant_id: self.participant_id,
            minute: self.minute,
            created: self.created,
            updated: self.updated,
            deleted: self.deleted,
        }
    }
}

impl Who {
    /// The participant, or `None` for the trainer (as `canvas_edited` names them).
    pub fn participant_id(self) -> Option<Uuid> {
        match self {
            Who::Trainer => None,
            Who::Participant(id) => Some(id),
        }
    }
}

/// One room's counts not yet taken by its actor, by minute then person.
#[derive(Debug, Default)]
pub struct Edits {
    counts: BTreeMap<(i64, Option<Uuid>), [u32; 3]>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Counts one push of `who` that changed the document at `at` (epoch milliseconds).
    pub fn record(&mut self, who: Who, at: i64, created: u32, updated: u32, deleted: u32) {
        let key = (minute_of(at), who.participant_id());
        let counts = self.counts.entry(key).or_default();
        for (count, more) in counts.iter_mut().zip([created, updated, deleted]) {
            *count = count.saturating_add(more);
        }
    }

    /// Whether a minute that started before `until` is waiting.
    pub fn any_before(&self, until: i64) -> bool {
        self.counts.keys().next().is_some_and(|&(m, _)| m < until)
    }

    /// Takes the minutes that started before `until`, in order (minute, then the trainer,
    /// then participants by id). A minute is over once `until` is past its start by a minute:
    /// `take(minute_of(now))` takes the finished ones, `take(i64::MAX)` all of them.
    pub fn take(&mut self, until: i64) -> Vec<Edit> {
        let later = self.counts.split_off(&(until, None));
        let taken = std::mem::replace(&mut self.counts, later);
        taken
            .into_iter()
            .map(
                |((minute, participant_id), [created, updated, deleted])| Edit {
                    participant_id,
                    minute,
                    created,
                    updated,
                    deleted,
                },
            )
            .collect()
    }

    /// Puts back counts that could not be appended (they add to any counted since).
    pub fn put_back(&mut self, edits: &[Edit]) {
        for e in edits {
            let counts = self.counts.entry((e.minute, e.participant_id)).or_default();
            for (count, more) in counts.iter_mut().zip([e.created, e.updated, e.deleted]) {
                *count = count.saturating_add(more);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2027-01-15T08:00:00Z, a minute's start.
    const T: i64 = 1_800_000_000_000;

    fn edit(who: Option<u128>, minute: i64, counts: [u32; 3]) -> Edit {
        Edit {
            participant_id: who.map(Uuid::from_u128),
            minute,
            created: counts[0],
            updated: counts[1],
            deleted: counts[2],
        }
    }

    #[test]
    fn minutes_start_on_the_minute() {
        assert_eq!(minute_of(T), T);
        assert_eq!(minute_of(T + 59_999), T);
        assert_eq!(minute_of(T + 60_000), T + 60_000);
        assert_eq!(minute_of(-1), -60_000);
    }

    #[test]
    fn pushes_add_up_per_person_and_minute_and_only_finished_minutes_are_taken() {
        let ana = Who::Participant(Uuid::from_u128(1));
        let mut edits = Edits::default();
        edits.record(ana, T + 1_000, 1, 0, 0);
        edits.record(Who::Trainer, T + 2_000, 2, 1, 0);
        edits.record(ana, T + 59_999, 0, 4, 1);
        edits.record(ana, T + 60_000, 0, 1, 0);
        // Within the first minute nothing is over.
        assert!(!edits.any_before(minute_of(T + 30_000)));
        assert_eq!(edits.take(minute_of(T + 59_000)), []);
        // Once it is over, it is taken, the trainer first; the next minute waits.
        let now = T + 60_500;
        assert!(edits.any_before(minute_of(now)));
        assert_eq!(
            edits.take(minute_of(now)),
            [edit(None, T, [2, 1, 0]), edit(Some(1), T, [1, 4, 1])]
        );
        assert!(!edits.any_before(minute_of(now)));
        // At the end, whatever is left, finished or not.
        assert_eq!(edits.take(i64::MAX), [edit(Some(1), T + 60_000, [0, 1, 0])]);
        assert!(edits.is_empty());
    }

    #[test]
    fn counts_put_back_add_to_newer_ones_and_never_overflow() {
        let mut edits = Edits::default();
        edits.record(Who::Trainer, T, u32::MAX, 0, 0);
        edits.put_back(&[edit(None, T, [1, 2, 3])]);
        assert_eq!(edits.take(i64::MAX), [edit(None, T, [u32::MAX, 2, 3])]);
    }
}
