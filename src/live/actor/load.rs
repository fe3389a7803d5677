//! Reading a room back from the database (its row, then the events after its checkpoint),
//! and the quiz a trainer starts in it.

use uuid::Uuid;

use super::unavailable;
use crate::domain::events::RoomEvent;
use crate::domain::protocol::ErrorCode;
use crate::domain::room::{CHAT_HISTORY, LiveRoom, QuizSheet, RoomError, RoomFacts, RoomLimits};
use crate::live::QuizKey;
use crate::store::live as live_store;
use crate::store::{Db, StoreError, events, quizzes, rooms};

/// A room read back from the database: its row, then the events after its checkpoint.
pub(crate) struct Loaded {
    pub(super) room: LiveRoom,
    pub(super) chat_id: Uuid,
}

pub(crate) async fn load(db: &Db, room_id: Uuid, limits: RoomLimits) -> Result<Loaded, StoreError> {
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
    let mut room = LiveRoom::new(facts, row.name, row.params.0, row.state.0, chat, limits);
    room.quiz_id = row.quiz_id;
    room.set_quiz_scores(serde_json::from_value(row.quiz_scores.0).unwrap_or_default());
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

/// The quiz a trainer starts, read before the room gets the start (the room's loop never
/// waits on it), with the errors the client gets.
pub(crate) async fn quiz_sheet(db: &Db, key: QuizKey) -> Result<QuizSheet, RoomError> {
    match quizzes::get(db, key.owner, key.quiz_id).await {
        Ok(quiz) => Ok(QuizSheet {
            id: quiz.id,
            title: quiz.title,
            scoring: quiz.settings.0.scoring,
            questions: quiz.questions.0,
        }),
        Err(StoreError::NotFound) => Err(RoomError::new(
            ErrorCode::NotFound,
            "no such quiz among yours",
        )),
        Err(error) => {
            tracing::warn!(%error, "could not read a quiz");
            Err(unavailable())
        }
    }
}
