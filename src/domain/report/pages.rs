//! The pages timeline: which page the trainer showed, from when to when. The room starts on the
//! deck's first page; a change of navigation mode starts a new view of the same page, so each
//! view says whether participants followed it.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;

use super::{At, seconds};
use crate::domain::events::PageRef;
use crate::domain::room::Navigation;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Pages {
    pub timeline: Vec<PageView>,
    /// Every page of the deck in order (shown or not), then any other page shown.
    pub totals: Vec<PageTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct PageView {
    pub page_id: String,
    pub page_name: String,
    pub page_index: usize,
    /// `follow`: every participant saw this page; `free`: they could be elsewhere.
    pub navigation: Navigation,
    pub from: At,
    pub to: At,
    pub duration_s: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct PageTotal {
    pub page_id: String,
    pub page_name: String,
    pub page_index: usize,
    pub views: usize,
    pub duration_s: i64,
}

#[derive(Default)]
pub(super) struct Timeline {
    deck: Vec<PageRef>,
    navigation: Navigation,
    /// The page on screen, and since when.
    current: Option<(PageRef, usize, i64)>,
    views: Vec<PageView>,
}

impl Timeline {
    pub fn start(&mut self, at: i64, deck: Vec<PageRef>, navigation: Navigation) {
        self.navigation = navigation;
        self.current = deck.first().map(|page| (page.clone(), 0, at));
        self.deck = deck;
    }

    pub fn change(&mut self, at: i64, page_id: String, page_name: String, page_index: usize) {
        if self
            .current
            .as_ref()
            .is_some_and(|(page, _, _)| page.id == page_id)
        {
            return;
        }
        self.close(at);
        let page = PageRef {
            id: page_id,
            name: page_name,
        };
        self.current = Some((page, page_index, at));
    }

    pub fn navigate(&mut self, at: i64, navigation: Navigation) {
        if navigation == self.navigation {
            return;
        }
        let reopened = self.close(at).map(|(page, index)| (page, index, at));
        self.navigation = navigation;
        self.current = reopened;
    }

    /// Ends the current view at `at` and says which page it was.
    fn close(&mut self, at: i64) -> Option<(PageRef, usize)> {
        let (page, page_index, since) = self.current.take()?;
        self.views.push(PageView {
            page_id: page.id.clone(),
            page_name: page.name.clone(),
            page_index,
            navigation: self.navigation,
            from: At(since),
            to: At(at.max(since)),
            duration_s: seconds(since, at),
        });
        Some((page, page_index))
    }

    pub fn finish(mut self, until: i64) -> Pages {
        self.close(until);
        let mut totals: Vec<PageTotal> = self
            .deck
            .iter()
            .enumerate()
            .map(|(index, page)| total(&page.id, &page.name, index))
            .collect();
        let mut by_id: HashMap<String, usize> = totals
            .iter()
            .enumerate()
            .map(|(i, t)| (t.page_id.clone(), i))
            .collect();
        let mut shown_ms = vec![0_i64; totals.len()];
        for view in &self.views {
            let i = *by_id.entry(view.page_id.clone()).or_insert_with(|| {
                totals.push(total(&view.page_id, &view.page_name, view.page_index));
                shown_ms.push(0);
                totals.len() - 1
            });
            totals[i].views += 1;
            shown_ms[i] += view.to.0 - view.from.0;
        }
        for (total, ms) in totals.iter_mut().zip(shown_ms) {
            total.duration_s = ms / 1000;
        }
        Pages {
            timeline: self.views,
            totals,
        }
    }
}

fn total(page_id: &str, page_name: &str, page_index: usize) -> PageTotal {
    PageTotal {
        page_id: page_id.to_owned(),
        page_name: page_name.to_owned(),
        page_index,
        views: 0,
        duration_s: 0,
    }
}
