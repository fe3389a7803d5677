//! The room's tests, by behaviour. The fixtures here are those of `roster` and `commands`;
//! `quiz` and `hostile` build their own rooms.

mod commands;
mod hostile;
mod quiz;
mod roster;

use uuid::Uuid;

use super::{LiveRoom, RoomFacts, RoomLimits, RoomParams, RoomState};
use crate::domain::events::PageRef;

fn pages() -> Vec<PageRef> {
    ["Introduction", "Les bases", "Exercice"]
        .iter()
        .enumerate()
        .map(|(i, name)| PageRef {
            id: format!("page:{i}"),
            name: (*name).to_owned(),
        })
        .collect()
}

pub(super) fn room(max_participants: usize) -> LiveRoom {
    room_with(RoomLimits {
        max_participants,
        roster_limit: 200,
    })
}

fn room_with(limits: RoomLimits) -> LiveRoom {
    let facts = RoomFacts {
        id: Uuid::from_u128(1),
        trainer_id: Uuid::from_u128(2),
        trainer_name: "Ana Martin".into(),
        created_at: 0,
        capsule_id: Uuid::from_u128(3),
        capsule_title: "Atelier".into(),
        pages: pages(),
    };
    let state = RoomState {
        page_id: Some("page:0".into()),
        ..RoomState::default()
    };
    LiveRoom::new(
        facts,
        "atelier".into(),
        RoomParams::default(),
        state,
        Vec::new(),
        limits,
    )
}

fn stamp(n: u128) -> (Uuid, i64) {
    (Uuid::from_u128(1_000 + n), n as i64 * 1_000)
}

fn join(room: &mut LiveRoom, first: &str, id: u128) -> Uuid {
    room.join(None, Some(first), Some("Durand"), Uuid::from_u128(id))
        .unwrap()
        .0
}

/// Whether `id` has an open connection.
fn online(room: &LiveRoom, id: Uuid) -> bool {
    room.online_ids().any(|o| *o == id)
}
