//! Word clouds: the trainer asks a prompt, participants send a few words each, and the cloud
//! grows on the trainer's screens (and on participants' once the trainer shows it). Words are
//! counted folded (case, accents and spaces), as `short` answers are compared.
//!
//! The run lives in `RoomState::cloud` and changes only in `evolve`; how often the growing
//! cloud is sent is the actor's business (`take_cloud_*`).

use uuid::Uuid;

use super::state::{CloudEntry, CloudRun};
use super::{LiveRoom, Outcome, RoomError, RoomResult, Sender};
use crate::domain::events::RoomEvent;
use crate::domain::protocol::{CloudView, CloudWord, ErrorCode, ServerMessage};
use crate::domain::quiz::fold_answer;

pub const DEFAULT_MAX_WORDS: u32 = 3;
pub const MAX_MAX_WORDS: u32 = 10;
pub const MAX_WORD_CHARS: usize = 50;
pub const MAX_CLOUD_PROMPT_CHARS: usize = 300;
/// The words a cloud frame lists, at most (the most sent).
const SHOWN_WORDS: usize = 100;

/// What clients may ask of a word cloud.
#[derive(Debug, Clone, PartialEq)]
pub enum CloudCommand {
    Start {
        prompt: String,
        max_words: Option<u32>,
    },
    Send {
        text: String,
    },
    Hide {
        word: String,
        hidden: bool,
    },
    Show {
        shown: bool,
    },
    End,
}

impl CloudCommand {
    pub fn participants_may(&self) -> bool {
        matches!(self, Self::Send { .. })
    }
}

/// Which audiences have not seen the cloud as it is now.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct CloudUnseen {
    trainers: bool,
    participants: bool,
}

fn refused(code: ErrorCode, message: impl Into<String>) -> RoomError {
    RoomError::new(code, message)
}

impl LiveRoom {
    pub(super) fn cloud(
        &mut self,
        sender: Sender,
        command: CloudCommand,
        at: i64,
    ) -> RoomResult<Outcome> {
        match command {
            CloudCommand::Start { prompt, max_words } => self.cloud_start(prompt, max_words, at),
            CloudCommand::Send { text } => match sender {
                Sender::Participant(id) => self.cloud_send(id, text, at),
                Sender::Trainer => Err(refused(ErrorCode::Forbidden, "words are for participants")),
            },
            CloudCommand::Hide { word, hidden } => self.cloud_hide(&word, hidden, at),
            CloudCommand::Show { shown } => {
                let cloud_id = self.running_cloud()?.cloud_id;
                let event = RoomEvent::CloudShown { cloud_id, shown };
                self.evolve(&event, at);
                let mut outcome = Outcome {
                    events: vec![event],
                    ..Outcome::default()
                };
                outcome
                    .to_participants
                    .push(ServerMessage::Cloud(self.cloud_view(false)?));
                self.cloud_unseen.participants = false;
                Ok(outcome)
            }
            CloudCommand::End => self.cloud_end(at).ok_or_else(no_cloud),
        }
    }

    fn running_cloud(&self) -> RoomResult<&CloudRun> {
        self.state.cloud.as_ref().ok_or_else(no_cloud)
    }

    fn cloud_start(
        &mut self,
        prompt: String,
        max_words: Option<u32>,
        at: i64,
    ) -> RoomResult<Outcome> {
        let prompt = checked_text(&prompt, MAX_CLOUD_PROMPT_CHARS, "a prompt")?;
        let max_words = max_words.unwrap_or(DEFAULT_MAX_WORDS);
        if !(1..=MAX_MAX_WORDS).contains(&max_words) {
            return Err(refused(
                ErrorCode::BadMessage,
                format!("`max_words` is between 1 and {MAX_MAX_WORDS}"),
            ));
        }
        let mut outcome = self.cloud_end(at).unwrap_or_default();
        let cloud_id = Uuid::now_v7();
        let event = RoomEvent::CloudStarted {
            cloud_id,
            prompt: prompt.clone(),
            max_words,
        };
        self.evolve(&event, at);
        outcome.events.push(event);
        outcome.broadcast.push(ServerMessage::CloudStarted {
            cloud_id,
            prompt,
            max_words,
        });
        Ok(outcome)
    }

    fn cloud_send(&mut self, participant: Uuid, text: String, at: i64) -> RoomResult<Outcome> {
        let run = self.running_cloud()?;
        let text = checked_text(&text, MAX_WORD_CHARS, "a word")?;
        let key = fold_answer(&text);
        if key.is_empty() {
            return Err(refused(ErrorCode::BadMessage, "a word needs letters"));
        }
        let mine = run.sent.get(&participant).map_or(&[][..], Vec::as_slice);
        if mine.contains(&key) {
            return Err(refused(ErrorCode::BadMessage, "you already sent this word"));
        }
        if mine.len() >= run.max_words as usize {
            return Err(refused(
                ErrorCode::WordLimit,
                format!("at most {} words each for this cloud", run.max_words),
            ));
        }
        let event = RoomEvent::CloudWordSent {
            cloud_id: run.cloud_id,
            participant_id: participant,
            text,
        };
        self.evolve(&event, at);
        Ok(Outcome {
            events: vec![event],
            ..Outcome::default()
        })
    }

    fn cloud_hide(&mut self, word: &str, hidden: bool, at: i64) -> RoomResult<Outcome> {
        let run = self.running_cloud()?;
        let Some(entry) = run.words.get(&fold_answer(word)) else {
            return Err(refused(ErrorCode::NotFound, "no such word in this cloud"));
        };
        let event = RoomEvent::CloudWordHidden {
            cloud_id: run.cloud_id,
            word: entry.text.clone(),
            hidden,
        };
        self.evolve(&event, at);
        Ok(Outcome {
            events: vec![event],
            ..Outcome::default()
        })
    }

    /// Ends the running cloud, if one runs (a new one, or the end of the session, ends it).
    pub(super) fn cloud_end(&mut self, at: i64) -> Option<Outcome> {
        let cloud_id = self.state.cloud.as_ref()?.cloud_id;
        let event = RoomEvent::CloudEnded { cloud_id };
        self.evolve(&event, at);
        Some(Outcome {
            events: vec![event],
            broadcast: vec![ServerMessage::CloudEnded { cloud_id }],
            ..Outcome::default()
        })
    }

    /// Applies a cloud event (see `evolve`).
    pub(super) fn evolve_cloud(&mut self, event: &RoomEvent) {
        let cloud = &mut self.state.cloud;
        match event {
            RoomEvent::CloudStarted {
                cloud_id,
                prompt,
                max_words,
            } => {
                *cloud = Some(CloudRun {
                    cloud_id: *cloud_id,
                    prompt: prompt.clone(),
                    max_words: *max_words,
                    shown: false,
                    words: Default::default(),
                    sent: Default::default(),
                });
            }
            RoomEvent::CloudWordSent {
                cloud_id,
                participant_id,
                text,
            } => {
                let Some(run) = cloud.as_mut().filter(|r| r.cloud_id == *cloud_id) else {
                    return;
                };
                let key = fold_answer(text);
                let entry = run.words.entry(key.clone()).or_insert_with(|| CloudEntry {
                    text: text.clone(),
                    count: 0,
                    hidden: false,
                });
                entry.count += 1;
                run.sent.entry(*participant_id).or_default().push(key);
            }
            RoomEvent::CloudWordHidden {
                cloud_id,
                word,
                hidden,
            } => {
                let run = cloud.as_mut().filter(|r| r.cloud_id == *cloud_id);
                if let Some(entry) = run.and_then(|r| r.words.get_mut(&fold_answer(word))) {
                    entry.hidden = *hidden;
                }
            }
            RoomEvent::CloudShown { cloud_id, shown } => {
                if let Some(run) = cloud.as_mut().filter(|r| r.cloud_id == *cloud_id) {
                    run.shown = *shown;
                }
            }
            RoomEvent::CloudEnded { cloud_id } => {
                if cloud.as_ref().is_some_and(|r| r.cloud_id == *cloud_id) {
                    *cloud = None;
                }
            }
            _ => return,
        }
        self.cloud_unseen = CloudUnseen {
            trainers: true,
            participants: true,
        };
    }

    /// The cloud as the trainer (`for_trainer`) or participants see it now; participants get
    /// its words only while it is shown, never the hidden ones.
    fn cloud_view(&self, for_trainer: bool) -> RoomResult<CloudView> {
        let run = self.running_cloud()?;
        let visible = for_trainer || run.shown;
        let mut words: Vec<CloudWord> = (run.words.values())
            .filter(|entry| visible && (for_trainer || !entry.hidden))
            .map(|entry| CloudWord {
                text: entry.text.clone(),
                count: entry.count,
                hidden: entry.hidden,
            })
            .collect();
        words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
        words.truncate(SHOWN_WORDS);
        Ok(CloudView {
            cloud_id: run.cloud_id,
            prompt: run.prompt.clone(),
            max_words: run.max_words,
            shown: run.shown,
            words,
            distinct: run.words.len(),
            contributors: run.sent.len(),
            yours: None,
        })
    }

    /// The cloud for a `welcome`, with the participant's own words.
    pub(super) fn cloud_welcome(&self, sender: Sender) -> Option<CloudView> {
        let mut view = self.cloud_view(sender == Sender::Trainer).ok()?;
        if let Sender::Participant(id) = sender {
            let run = self.state.cloud.as_ref()?;
            let keys = run.sent.get(&id).map_or(&[][..], Vec::as_slice);
            let words = keys.iter().filter_map(|key| run.words.get(key));
            view.yours = Some(words.map(|entry| entry.text.clone()).collect());
        }
        Some(view)
    }

    /// The trainer's `cloud` frame, if the cloud changed since the last one.
    pub fn take_cloud_for_trainers(&mut self) -> Option<ServerMessage> {
        let unseen = std::mem::take(&mut self.cloud_unseen.trainers);
        unseen
            .then(|| self.cloud_view(true).ok())
            .flatten()
            .map(ServerMessage::Cloud)
    }

    /// Participants' `cloud` frame, if the cloud is shown and changed since the last one.
    pub fn take_cloud_for_participants(&mut self) -> Option<ServerMessage> {
        let unseen = std::mem::take(&mut self.cloud_unseen.participants);
        let shown = self.state.cloud.as_ref().is_some_and(|run| run.shown);
        (unseen && shown)
            .then(|| self.cloud_view(false).ok())
            .flatten()
            .map(ServerMessage::Cloud)
    }

    /// Whether the trainer has not seen the cloud as it is now.
    pub fn cloud_unseen_by_trainers(&self) -> bool {
        self.cloud_unseen.trainers && self.state.cloud.is_some()
    }
}

fn no_cloud() -> RoomError {
    refused(ErrorCode::NoCloud, "no word cloud is running")
}

/// A text trimmed, 1 to `max` characters, without control characters.
fn checked_text(text: &str, max: usize, what: &str) -> RoomResult<String> {
    let text = text.trim();
    let length = text.chars().count();
    if length == 0 || length > max {
        return Err(refused(
            ErrorCode::BadMessage,
            format!("{what} holds 1 to {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(refused(
            ErrorCode::BadMessage,
            format!("{what} may not contain control characters"),
        ));
    }
    Ok(text.to_owned())
}
