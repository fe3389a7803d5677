//! A room's settings and the part of its state kept in `rooms.state`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::live_quiz::QuizRun;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Navigation {
    /// Every participant shows the trainer's page.
    #[default]
    Follow,
    /// Participants move on their own; the trainer can still bring everyone to a page.
    Free,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Collaboration {
    #[default]
    View,
    Draw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Switch {
    #[default]
    On,
    Off,
}

/// `rooms.params`: how the session runs; the trainer may change it at any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
pub struct RoomParams {
    #[serde(default)]
    pub navigation: Navigation,
    #[serde(default)]
    pub collaboration: Collaboration,
    #[serde(default)]
    pub chat: Switch,
}

/// A change to some of the params; unknown keys are refused so that typos do not pass silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
pub struct ParamsPatch {
    #[ts(optional)]
    pub navigation: Option<Navigation>,
    #[ts(optional)]
    pub collaboration: Option<Collaboration>,
    #[ts(optional)]
    pub chat: Option<Switch>,
}

impl RoomParams {
    /// Applies `patch` and names the keys whose value actually changed.
    pub fn apply(&mut self, patch: ParamsPatch) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if let Some(v) = patch.navigation.filter(|v| *v != self.navigation) {
            self.navigation = v;
            changed.push("navigation");
        }
        if let Some(v) = patch.collaboration.filter(|v| *v != self.collaboration) {
            self.collaboration = v;
            changed.push("collaboration");
        }
        if let Some(v) = patch.chat.filter(|v| *v != self.chat) {
            self.chat = v;
            changed.push("chat");
        }
        changed
    }
}

/// A seat in the room. Seats outlive connections: a participant who comes back gets theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Seat {
    pub participant_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    /// Banned seats are refused, token or not.
    #[serde(default)]
    pub banned: bool,
}

/// `rooms.state`: what the room looks like at instant t, beyond its params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[ts(export_to = "../api-types/")]
pub struct RoomState {
    /// The page the trainer shows; `None` only for a capsule without pages.
    pub page_id: Option<String>,
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub participants: Vec<Seat>,
    /// `first last` (lowercased) of banned participants: a new seat under that name is refused.
    #[serde(default)]
    pub banned_names: Vec<String>,
    /// The last event this state includes (id, created_at); on resume, later events are
    /// replayed onto it.
    #[serde(default)]
    pub last_event: Option<(Uuid, i64)>,
    /// The quiz in progress, if any.
    #[serde(default)]
    pub quiz: Option<QuizRun>,
    /// The title of the quiz ended last (its final scores are `rooms.quiz_scores`).
    #[serde(default)]
    pub last_quiz_title: Option<String>,
    /// Participants present as the events tell it: joined and not left since. After a
    /// restart, they are who the room expects back.
    #[serde(default)]
    pub present: BTreeSet<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_default_to_follow_view_chat_on() {
        let params: RoomParams = serde_json::from_str("{}").unwrap();
        assert_eq!(
            serde_json::to_value(params).unwrap(),
            serde_json::json!({"navigation": "follow", "collaboration": "view", "chat": "on"})
        );
    }

    #[test]
    fn a_patch_reports_only_real_changes() {
        let mut params = RoomParams::default();
        let patch = ParamsPatch {
            navigation: Some(Navigation::Follow),
            chat: Some(Switch::Off),
            ..ParamsPatch::default()
        };
        assert_eq!(params.apply(patch), vec!["chat"]);
        assert_eq!(params.chat, Switch::Off);
        assert!(serde_json::from_str::<ParamsPatch>(r#"{"chatt":"on"}"#).is_err());
    }
}
