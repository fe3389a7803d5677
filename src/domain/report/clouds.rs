//! The report's word clouds: each cloud's prompt, its words counted (folded as they were
//! live), which the trainer hid, and how many took part.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::At;
use crate::domain::events::RoomEvent;
use crate::domain::quiz::fold_answer;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct CloudReport {
    pub cloud_id: Uuid,
    pub prompt: String,
    pub max_words: u32,
    pub started_at: At,
    pub ended_at: Option<At>,
    /// Participants who sent at least one word.
    pub contributors: usize,
    /// Every word sent, the most sent first.
    pub words: Vec<CloudWordLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct CloudWordLine {
    /// The word as it was first sent.
    pub text: String,
    pub count: u32,
    /// The trainer hid it from the cloud.
    pub hidden: bool,
}

struct Building {
    report: CloudReport,
    words: BTreeMap<String, CloudWordLine>,
    contributors: BTreeSet<Uuid>,
}

/// The clouds of a session, in the order they started.
#[derive(Default)]
pub(super) struct CloudFold(Vec<Building>);

impl CloudFold {
    pub(super) fn apply(&mut self, at: i64, event: &RoomEvent) {
        match event {
            RoomEvent::CloudStarted {
                cloud_id,
                prompt,
                max_words,
            } => self.0.push(Building {
                report: CloudReport {
                    cloud_id: *cloud_id,
                    prompt: prompt.clone(),
                    max_words: *max_words,
                    started_at: At(at),
                    ended_at: None,
                    contributors: 0,
                    words: Vec::new(),
                },
                words: BTreeMap::new(),
                contributors: BTreeSet::new(),
            }),
            RoomEvent::CloudWordSent {
                cloud_id,
                participant_id,
                text,
            } => {
                if let Some(cloud) = self.cloud(*cloud_id) {
                    let line =
                        cloud
                            .words
                            .entry(fold_answer(text))
                            .or_insert_with(|| CloudWordLine {
                                text: text.clone(),
                                count: 0,
                                hidden: false,
                            });
                    line.count += 1;
                    cloud.contributors.insert(*participant_id);
                }
            }
            RoomEvent::CloudWordHidden {
                cloud_id,
                word,
                hidden,
            } => {
                let cloud = self.cloud(*cloud_id);
                if let Some(line) = cloud.and_then(|c| c.words.get_mut(&fold_answer(word))) {
                    line.hidden = *hidden;
                }
            }
            RoomEvent::CloudEnded { cloud_id } => {
                if let Some(cloud) = self.cloud(*cloud_id) {
                    cloud.report.ended_at = Some(At(at));
                }
            }
            _ => {}
        }
    }

    fn cloud(&mut self, id: Uuid) -> Option<&mut Building> {
        self.0.iter_mut().rev().find(|c| c.report.cloud_id == id)
    }

    pub(super) fn finish(self) -> Vec<CloudReport> {
        (self.0.into_iter())
            .map(|cloud| {
                let mut words: Vec<CloudWordLine> = cloud.words.into_values().collect();
                words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
                CloudReport {
                    contributors: cloud.contributors.len(),
                    words,
                    ..cloud.report
                }
            })
            .collect()
    }
}
