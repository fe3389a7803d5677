//! Who was there, and when: a participant is present from a join to their next leave.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::{At, Note, People, seconds};
use crate::domain::events::LeaveReason;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Attendance {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub first_joined_at: At,
    pub last_left_at: At,
    pub intervals: Vec<Interval>,
    /// Times the participant came back after leaving.
    pub reconnections: usize,
    pub present_s: i64,
    /// Present when the session ended (or, while it is live, now).
    pub present_at_end: bool,
}

impl Attendance {
    /// Whether the participant was there at some point of `[from, to]`.
    pub fn present_during(&self, from: i64, to: i64) -> bool {
        self.intervals
            .iter()
            .any(|i| i.joined_at.0 <= to && i.left_at.0 > from)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Interval {
    pub joined_at: At,
    pub left_at: At,
    pub duration_s: i64,
    pub left_reason: LeftReason,
}

/// How a presence ended: a recorded `participant_left`, or what the report assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "../api-types/")]
pub enum LeftReason {
    Closed,
    Timeout,
    Kicked,
    Banned,
    SessionEnded,
    /// The session is live and the participant is still there: the interval runs until now.
    StillPresent,
    /// No leave was recorded (a crash): the interval is closed at the session's end.
    Unrecorded,
}

impl From<LeaveReason> for LeftReason {
    fn from(reason: LeaveReason) -> Self {
        match reason {
            LeaveReason::Closed => Self::Closed,
            LeaveReason::Timeout => Self::Timeout,
            LeaveReason::Kicked => Self::Kicked,
            LeaveReason::Banned => Self::Banned,
            LeaveReason::SessionEnded => Self::SessionEnded,
        }
    }
}

#[derive(Default)]
pub(super) struct Presence {
    tracks: HashMap<Uuid, Track>,
}

#[derive(Default)]
struct Track {
    closed: Vec<Interval>,
    open_since: Option<i64>,
}

impl Presence {
    /// A join while already present (a duplicate) does not start a new interval.
    pub fn join(&mut self, id: Uuid, at: i64) {
        self.tracks
            .entry(id)
            .or_default()
            .open_since
            .get_or_insert(at);
    }

    /// A leave of someone absent (a ban recorded after they left) changes nothing.
    pub fn leave(&mut self, id: Uuid, at: i64, reason: LeftReason) {
        if let Some(track) = self.tracks.get_mut(&id)
            && let Some(since) = track.open_since.take()
        {
            track.closed.push(interval(since, at, reason));
        }
    }

    /// Closes what is still open at `until`, as `still_present` in a live session and as
    /// `unrecorded` otherwise; one row per participant, sorted by name.
    pub fn finish(
        self,
        until: i64,
        live: bool,
        people: &People,
        notes: &mut Vec<Note>,
    ) -> Vec<Attendance> {
        let open_reason = if live {
            LeftReason::StillPresent
        } else {
            LeftReason::Unrecorded
        };
        let mut unrecorded = 0;
        let mut rows: Vec<Attendance> = self
            .tracks
            .into_iter()
            .map(|(id, mut track)| {
                if let Some(since) = track.open_since {
                    track.closed.push(interval(since, until, open_reason));
                    unrecorded += usize::from(!live);
                }
                attendance(id, track.closed, people)
            })
            .collect();
        rows.sort_by_cached_key(|row| people.sort_key(row.participant_id));
        if unrecorded > 0 {
            notes.push(Note::new(
                "leave_unrecorded",
                format!(
                    "{unrecorded} participant(s) have no recorded leave: their presence is closed \
                     where the report stops (session.until)"
                ),
            ));
        }
        rows
    }
}

fn interval(from: i64, to: i64, left_reason: LeftReason) -> Interval {
    Interval {
        joined_at: At(from),
        left_at: At(to.max(from)),
        duration_s: seconds(from, to),
        left_reason,
    }
}

fn attendance(id: Uuid, intervals: Vec<Interval>, people: &People) -> Attendance {
    let (first_name, last_name) = people.names(id);
    let present_ms: i64 = intervals.iter().map(|i| i.left_at.0 - i.joined_at.0).sum();
    let first = intervals.first().expect("a track starts with a join");
    let last = intervals.last().expect("a track starts with a join");
    Attendance {
        participant_id: id,
        first_name,
        last_name,
        first_joined_at: first.joined_at,
        last_left_at: last.left_at,
        reconnections: intervals.len() - 1,
        present_s: present_ms / 1000,
        present_at_end: matches!(
            last.left_reason,
            LeftReason::SessionEnded | LeftReason::StillPresent | LeftReason::Unrecorded
        ),
        intervals,
    }
}
