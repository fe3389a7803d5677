//! The shared canvas ("board"): who drew, in which minutes, and how much, from the
//! `canvas_edited` events (one per person per minute they drew in; never the strokes).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::{At, People};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Board {
    /// Everyone who drew: the trainer first, then participants by name.
    pub people: Vec<Drawer>,
    /// Each minute someone drew in, in order, with everyone's counts added up.
    pub timeline: Vec<BoardMinute>,
}

/// One person's drawing over the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Drawer {
    /// `None` for the trainer.
    pub participant_id: Option<Uuid>,
    pub trainer: bool,
    /// The trainer's name is their whole name, in `first_name`.
    pub first_name: String,
    pub last_name: String,
    /// The start of each minute they drew in, in order.
    pub minutes: Vec<At>,
    /// Records (shapes, bindings, …) created, changed and deleted.
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct BoardMinute {
    /// The minute's start.
    pub minute: At,
    /// How many people drew in it.
    pub drawers: usize,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    created: u64,
    updated: u64,
    deleted: u64,
}

impl Counts {
    fn add(&mut self, created: u32, updated: u32, deleted: u32) {
        self.created += u64::from(created);
        self.updated += u64::from(updated);
        self.deleted += u64::from(deleted);
    }
}

/// The board's fold: counts by minute and person (`None`: the trainer). A minute recorded
/// twice for one person (its counts split by a restart) adds up.
#[derive(Default)]
pub(super) struct BoardFold {
    minutes: BTreeMap<(i64, Option<Uuid>), Counts>,
}

impl BoardFold {
    pub fn edited(
        &mut self,
        participant_id: Option<Uuid>,
        minute: i64,
        created: u32,
        updated: u32,
        deleted: u32,
    ) {
        let counts = self.minutes.entry((minute, participant_id)).or_default();
        counts.add(created, updated, deleted);
    }

    pub fn finish(self, trainer_name: &str, people: &People) -> Board {
        let mut by_person: BTreeMap<Option<Uuid>, (BTreeSet<i64>, Counts)> = BTreeMap::new();
        let mut timeline: Vec<BoardMinute> = Vec::new();
        for ((minute, who), c) in self.minutes {
            let person = by_person.entry(who).or_default();
            person.0.insert(minute);
            person.1.created += c.created;
            person.1.updated += c.updated;
            person.1.deleted += c.deleted;
            if timeline.last().is_none_or(|m| m.minute.0 != minute) {
                timeline.push(BoardMinute {
                    minute: At(minute),
                    drawers: 0,
                    created: 0,
                    updated: 0,
                    deleted: 0,
                });
            }
            let line = timeline.last_mut().expect("pushed above");
            line.drawers += 1;
            line.created += c.created;
            line.updated += c.updated;
            line.deleted += c.deleted;
        }
        let mut drawers: Vec<Drawer> = by_person
            .into_iter()
            .map(|(who, (minutes, c))| {
                let (first_name, last_name) = match who {
                    Some(id) => people.names(id),
                    None => (trainer_name.to_owned(), String::new()),
                };
                Drawer {
                    participant_id: who,
                    trainer: who.is_none(),
                    first_name,
                    last_name,
                    minutes: minutes.into_iter().map(At).collect(),
                    created: c.created,
                    updated: c.updated,
                    deleted: c.deleted,
                }
            })
            .collect();
        drawers.sort_by_cached_key(|d| d.participant_id.map(|id| people.sort_key(id)));
        Board {
            people: drawers,
            timeline,
        }
    }
}
