//! The list of a trainer's sessions, folded from `room_events` alone (rooms may be gone).

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use super::events::{EndReason, RoomEvent};

/// One stored event, as far as this fold is concerned.
pub struct StoredEvent {
    pub room_id: Uuid,
    pub created_at: i64,
    pub event: RoomEvent,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub room_id: Uuid,
    pub room_name: String,
    pub capsule_id: Uuid,
    pub capsule_title: String,
    pub trainer_name: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub live: bool,
    pub duration_s: Option<i64>,
    pub participant_count: Option<usize>,
    pub end_reason: Option<EndReason>,
}

/// Folds `session_started`, `room_renamed` and `session_ended` events, in stored order, into
/// one summary per session, newest first. Events of a room whose start is missing are ignored.
pub fn summarize(events: impl IntoIterator<Item = StoredEvent>) -> Vec<SessionSummary> {
    let mut sessions: Vec<SessionSummary> = Vec::new();
    let mut by_room: HashMap<Uuid, usize> = HashMap::new();
    for stored in events {
        let session = by_room.get(&stored.room_id).map(|&i| &mut sessions[i]);
        match (stored.event, session) {
            (
                RoomEvent::SessionStarted {
                    room_name,
                    capsule_id,
                    capsule_title,
                    trainer_name,
                    ..
                },
                None,
            ) => {
                by_room.insert(stored.room_id, sessions.len());
                sessions.push(SessionSummary {
                    room_id: stored.room_id,
                    room_name,
                    capsule_id,
                    capsule_title,
                    trainer_name,
                    started_at: stored.created_at,
                    ended_at: None,
                    live: true,
                    duration_s: None,
                    participant_count: None,
                    end_reason: None,
                })
            }
            (RoomEvent::RoomRenamed { to, .. }, Some(session)) => session.room_name = to,
            (
                RoomEvent::SessionEnded {
                    reason,
                    duration_s,
                    participant_count,
                    room_name,
                },
                Some(session),
            ) => {
                session.room_name = room_name;
                session.ended_at = Some(stored.created_at);
                session.live = false;
                session.duration_s = Some(duration_s);
                session.participant_count = Some(participant_count);
                session.end_reason = Some(reason);
            }
            _ => {}
        }
    }
    sessions.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then(b.room_id.cmp(&a.room_id))
    });
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::room::RoomParams;

    fn started(room_id: Uuid, at: i64, name: &str) -> StoredEvent {
        StoredEvent {
            room_id,
            created_at: at,
            event: RoomEvent::SessionStarted {
                room_name: name.into(),
                capsule_id: Uuid::nil(),
                capsule_title: "Deck".into(),
                trainer_name: "Ana".into(),
                pages: vec![],
                params: RoomParams::default(),
                quiz_id: None,
            },
        }
    }

    #[test]
    fn a_session_follows_its_renames_and_end() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let events = vec![
            started(a, 1_000, "deck"),
            started(b, 2_000, "deck-2"),
            StoredEvent {
                room_id: a,
                created_at: 3_000,
                event: RoomEvent::RoomRenamed {
                    from: "deck".into(),
                    to: "my-deck".into(),
                },
            },
            StoredEvent {
                room_id: a,
                created_at: 9_000,
                event: RoomEvent::SessionEnded {
                    reason: EndReason::Trainer,
                    duration_s: 8,
                    participant_count: 3,
                    room_name: "my-deck".into(),
                },
            },
        ];
        let sessions = summarize(events);
        assert_eq!(sessions.len(), 2);
        assert_eq!((sessions[0].room_id, sessions[0].live), (b, true));
        let ended = &sessions[1];
        assert_eq!(ended.room_name, "my-deck");
        assert_eq!((ended.ended_at, ended.duration_s), (Some(9_000), Some(8)));
        assert_eq!(ended.participant_count, Some(3));
        assert!(!ended.live);
    }
}
