//! A session's report, folded from the room's events alone (SPEC §4 Reports): the room and its
//! chat are gone by the time anyone reads it.
//!
//! The fold is pure: the caller gives the events in stored order and says whether the room is
//! still live (and what time it is). Real logs can miss events (a crash before
//! `participant_left`, a session never ended): the report still computes, closes what was left
//! open, and says so in `notes`.

mod attendance;
mod board;
mod clouds;
mod pages;
mod qa;
mod quizzes;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::{Serialize, Serializer};
use ts_rs::TS;
use uuid::Uuid;

use super::events::{EndReason, RoomEvent};
use super::quiz::Scoring;
use super::ranking;
use super::reactions::Counts;
use attendance::Presence;
use board::BoardFold;
use clouds::CloudFold;
use pages::Timeline;
use qa::QaFold;
use quizzes::QuizFold;

pub use attendance::{Attendance, Interval, LeftReason};
pub use board::{Board, BoardMinute, Drawer};
pub use clouds::{CloudReport, CloudWordLine};
pub use pages::{PageTotal, PageView, Pages};
pub use qa::QaLine;
pub use quizzes::{AnswerLine, ChoiceCount, Participant, QuestionReport, QuizReport, RankLine};

/// An instant, kept in epoch milliseconds and shown as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string", export_to = "../api-types/")]
pub struct At(pub i64);

impl Serialize for At {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(self.0))
    }
}

/// Whole seconds between two instants (reports show durations in seconds).
pub fn seconds(from: i64, to: i64) -> i64 {
    (to - from).max(0) / 1000
}

/// What the fold needs besides the events.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub room_id: Uuid,
    /// The trainer who launched the room: their chat lines are theirs, not a participant's.
    pub trainer_id: Uuid,
    /// `Some(now)` while the room is live: the report runs up to now. A session without
    /// `session_ended` whose room is gone was interrupted: the report stops at its last event.
    pub live_now: Option<i64>,
    /// Recompute quiz points under this rule instead of the one the quiz ran with.
    pub scoring: Option<Scoring>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../api-types/")]
pub struct SessionReport {
    pub session: Session,
    pub attendance: Vec<Attendance>,
    pub pages: Pages,
    pub quizzes: Vec<QuizReport>,
    pub chat: Vec<ChatActivity>,
    /// Who drew on the shared canvas, and when.
    pub board: Board,
    /// The reactions participants sent, minute by minute.
    pub reactions: Reactions,
    /// The word clouds, in the order they started.
    pub clouds: Vec<CloudReport>,
    /// The questions from the class, most voted first.
    pub qa: Vec<QaLine>,
    /// What the report had to assume because events were missing.
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "../api-types/")]
pub enum Status {
    Live,
    Ended,
    /// Never ended, and the room is gone: the report stops at the last event.
    Interrupted,
}

// `ReportSession` in TypeScript, beside the session list's `Session`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/", rename = "ReportSession")]
pub struct Session {
    pub room_id: Uuid,
    /// The room's last name (after renames).
    pub room_name: String,
    pub capsule_id: Option<Uuid>,
    pub capsule_title: String,
    pub trainer_name: String,
    pub started_at: At,
    pub ended_at: Option<At>,
    /// Where the report stops: the end, now for a live session, or the last event.
    pub until: At,
    pub status: Status,
    pub end_reason: Option<EndReason>,
    pub duration_s: i64,
    /// Participants who joined at least once.
    pub participant_count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct ChatActivity {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub trainer: bool,
    pub messages: usize,
    pub characters: usize,
}

/// The reactions of a session: how many of each in all, and per minute (minutes with some).
#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Reactions {
    pub totals: Counts,
    pub minutes: Vec<ReactionMinute>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct ReactionMinute {
    pub minute: At,
    pub counts: Counts,
}

/// Something the report had to assume; `code` is stable, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Note {
    pub code: &'static str,
    pub message: String,
}

impl Note {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A person as the events last named them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Person {
    first_name: String,
    last_name: String,
}

/// Everyone the events name, by id.
#[derive(Default)]
struct People(HashMap<Uuid, Person>);

impl People {
    fn see(&mut self, id: Uuid, first_name: &str, last_name: &str) {
        let person = self.0.entry(id).or_default();
        if person.first_name != first_name || person.last_name != last_name {
            *person = Person {
                first_name: first_name.to_owned(),
                last_name: last_name.to_owned(),
            };
        }
    }

    fn names(&self, id: Uuid) -> (String, String) {
        self.0.get(&id).map_or_else(Default::default, |p| {
            (p.first_name.clone(), p.last_name.clone())
        })
    }

    /// Sorting order of people in every table: last name, then first name, accents folded.
    fn sort_key(&self, id: Uuid) -> (String, String, Uuid) {
        self.0
            .get(&id)
            .map_or((String::new(), String::new(), id), |p| {
                ranking::name_key(&p.first_name, &p.last_name, id)
            })
    }
}

/// Folds one room's events, in stored order, into its report. Events after `session_ended`
/// are ignored (there should be none).
pub fn build(scope: &Scope, events: impl IntoIterator<Item = (i64, RoomEvent)>) -> SessionReport {
    let mut fold = Fold::default();
    for (at, event) in events {
        fold.apply(at, event);
        if fold.ended.is_some() {
            break;
        }
    }
    fold.finish(scope)
}

#[derive(Default)]
struct Fold {
    started: Option<Started>,
    first_at: Option<i64>,
    last_at: i64,
    ended: Option<(i64, EndReason)>,
    room_name: String,
    people: People,
    presence: Presence,
    pages: Timeline,
    quizzes: QuizFold,
    chat: HashMap<Uuid, (usize, usize)>,
    board: BoardFold,
    reactions: Reactions,
    clouds: CloudFold,
    qa: QaFold,
}

struct Started {
    capsule_id: Uuid,
    capsule_title: String,
    trainer_name: String,
}

impl Fold {
    fn apply(&mut self, at: i64, event: RoomEvent) {
        self.first_at.get_or_insert(at);
        self.last_at = self.last_at.max(at);
        match event {
            RoomEvent::SessionStarted {
                room_name,
                capsule_id,
                capsule_title,
                trainer_name,
                pages,
                params,
                ..
            } if self.started.is_none() => {
                self.room_name = room_name;
                self.started = Some(Started {
                    capsule_id,
                    capsule_title,
                    trainer_name,
                });
                self.pages.start(at, pages, params.navigation);
            }
            RoomEvent::RoomRenamed { to, .. } => self.room_name = to,
            RoomEvent::ParticipantJoined {
                participant_id,
                first_name,
                last_name,
                ..
            } => {
                self.people.see(participant_id, &first_name, &last_name);
                self.presence.join(participant_id, at);
            }
            RoomEvent::ParticipantLeft {
                participant_id,
                first_name,
                last_name,
                reason,
            } => {
                self.people.see(participant_id, &first_name, &last_name);
                self.presence.leave(participant_id, at, reason.into());
            }
            RoomEvent::PageChanged {
                page_id,
                page_name,
                page_index,
            } => self.pages.change(at, page_id, page_name, page_index),
            RoomEvent::ParamsChanged { params, .. } => self.pages.navigate(at, params.navigation),
            RoomEvent::ChatMessageSent {
                participant_id,
                first_name,
                last_name,
                length,
            } => {
                self.people.see(participant_id, &first_name, &last_name);
                let count = self.chat.entry(participant_id).or_default();
                count.0 += 1;
                count.1 += length;
            }
            RoomEvent::QuizAnswered {
                participant_id,
                ref first_name,
                ref last_name,
                ..
            } => {
                self.people.see(participant_id, first_name, last_name);
                self.quizzes.apply(at, event);
            }
            RoomEvent::QuizStarted { .. }
            | RoomEvent::QuizQuestionOpened { .. }
            | RoomEvent::QuizQuestionClosed { .. }
            | RoomEvent::QuizResultsRevealed { .. }
            | RoomEvent::QuizEnded { .. } => self.quizzes.apply(at, event),
            RoomEvent::CanvasEdited {
                participant_id,
                minute,
                created,
                updated,
                deleted,
            } => self
                .board
                .edited(participant_id, minute, created, updated, deleted),
            RoomEvent::CloudStarted { .. }
            | RoomEvent::CloudWordSent { .. }
            | RoomEvent::CloudWordHidden { .. }
            | RoomEvent::CloudEnded { .. } => self.clouds.apply(at, &event),
            RoomEvent::QaAsked {
                participant_id,
                ref first_name,
                ref last_name,
                ..
            } => {
                self.people.see(participant_id, first_name, last_name);
                self.qa.apply(at, &event);
            }
            RoomEvent::QaVoted { .. } | RoomEvent::QaMarked { .. } => self.qa.apply(at, &event),
            RoomEvent::ReactionsCounted { minute, counts } => {
                for (reaction, count) in &counts {
                    *self.reactions.totals.entry(*reaction).or_default() += count;
                }
                let minute = At(minute);
                self.reactions
                    .minutes
                    .push(ReactionMinute { minute, counts });
            }
            RoomEvent::SessionEnded {
                reason, room_name, ..
            } => {
                self.room_name = room_name;
                self.ended = Some((at, reason));
            }
            RoomEvent::SessionStarted { .. }
            | RoomEvent::RoomLocked {}
            | RoomEvent::RoomUnlocked {}
            | RoomEvent::ParticipantDrawingChanged { .. }
            | RoomEvent::CloudShown { .. } => {}
        }
    }

    fn finish(mut self, scope: &Scope) -> SessionReport {
        let mut notes = Vec::new();
        let started_at = self.first_at.unwrap_or(self.last_at);
        let (until, status) = match (self.ended, scope.live_now) {
            (Some((at, _)), _) => (at, Status::Ended),
            (None, Some(now)) => (now.max(self.last_at), Status::Live),
            (None, None) => {
                notes.push(Note::new(
                    "session_not_ended",
                    "the session has no end and its room is gone: the report stops at its last event",
                ));
                (self.last_at, Status::Interrupted)
            }
        };
        let (capsule_id, capsule_title, trainer_name) = match self.started.take() {
            Some(s) => (Some(s.capsule_id), s.capsule_title, s.trainer_name),
            None => {
                notes.push(Note::new(
                    "session_start_missing",
                    "no session_started event: the session is taken to start at its first event",
                ));
                (None, String::new(), String::new())
            }
        };
        let live = status == Status::Live;
        let attendance = self.presence.finish(until, live, &self.people, &mut notes);
        let quizzes = self
            .quizzes
            .finish(scope, until, &attendance, &self.people, &mut notes);
        let pages = self.pages.finish(until);
        let chat = chat_activity(scope, self.chat, &self.people);
        let board = self.board.finish(&trainer_name, &self.people);
        SessionReport {
            session: Session {
                room_id: scope.room_id,
                room_name: self.room_name,
                capsule_id,
                capsule_title,
                trainer_name,
                started_at: At(started_at),
                ended_at: self.ended.map(|(at, _)| At(at)),
                until: At(until),
                status,
                end_reason: self.ended.map(|(_, reason)| reason),
                duration_s: seconds(started_at, until),
                participant_count: attendance.len(),
            },
            attendance,
            pages,
            quizzes,
            chat,
            board,
            reactions: self.reactions,
            clouds: self.clouds.finish(),
            qa: self.qa.finish(),
            notes,
        }
    }
}

fn chat_activity(
    scope: &Scope,
    counts: HashMap<Uuid, (usize, usize)>,
    people: &People,
) -> Vec<ChatActivity> {
    let mut lines: Vec<ChatActivity> = counts
        .into_iter()
        .map(|(id, (messages, characters))| {
            let (first_name, last_name) = people.names(id);
            ChatActivity {
                participant_id: id,
                first_name,
                last_name,
                trainer: id == scope.trainer_id,
                messages,
                characters,
            }
        })
        .collect();
    lines.sort_by_cached_key(|line| {
        (
            std::cmp::Reverse(line.messages),
            people.sort_key(line.participant_id),
        )
    });
    lines
}
