//! A room's settings (`rooms.params`) and the patch the trainer sends to change them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::reactions::ReactionSet;

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
    /// Each participant draws on a private copy of the page; only trainers edit the shared one.
    Private,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Switch {
    #[default]
    On,
    Off,
}

/// Questions from the class: off, on (they show as they come), or moderated (they show once the
/// trainer approves them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Qa {
    #[default]
    Off,
    On,
    Moderated,
}

impl Qa {
    fn is_off(&self) -> bool {
        *self == Qa::Off
    }
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
    /// The reactions participants may send: none by default, and then left out of the JSON
    /// (as params were before reactions).
    #[serde(default, skip_serializing_if = "ReactionSet::is_empty")]
    #[ts(as = "Option<Vec<crate::domain::reactions::Reaction>>", optional)]
    pub reactions: ReactionSet,
    /// Questions from the class (off by default, and then left out of the JSON).
    #[serde(default, skip_serializing_if = "Qa::is_off")]
    #[ts(as = "Option<Qa>", optional)]
    pub qa: Qa,
    /// Whether the class sees who asked each question (the trainer always does).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub qa_names: bool,
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
    #[ts(optional)]
    pub reactions: Option<ReactionSet>,
    #[ts(optional)]
    pub qa: Option<Qa>,
    #[ts(optional)]
    pub qa_names: Option<bool>,
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
        if let Some(v) = patch.reactions.filter(|v| *v != self.reactions) {
            self.reactions = v;
            changed.push("reactions");
        }
        if let Some(v) = patch.qa.filter(|v| *v != self.qa) {
            self.qa = v;
            changed.push("qa");
        }
        if let Some(v) = patch.qa_names.filter(|v| *v != self.qa_names) {
            self.qa_names = v;
            changed.push("qa_names");
        }
        changed
    }
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
