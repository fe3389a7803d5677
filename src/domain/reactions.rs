//! Reactions: the taps participants send during a session (👍, 👏, "slower"…), among those the
//! trainer offers. A tap is not an important action on its own: the room counts them, shows
//! the trainer the counts a few times a second, and records one count per minute.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Reaction {
    ThumbsUp,
    Clap,
    Heart,
    Laugh,
    Surprised,
    Confused,
    /// Pace: "slower, please".
    Slower,
    /// Pace: "you can go faster".
    Faster,
}

impl Reaction {
    pub const ALL: [Reaction; 8] = [
        Self::ThumbsUp,
        Self::Clap,
        Self::Heart,
        Self::Laugh,
        Self::Surprised,
        Self::Confused,
        Self::Slower,
        Self::Faster,
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The reactions a room offers (`params.reactions`), written as a list of names; none by
/// default. A set of bits, so that the room's params stay a small `Copy` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, TS)]
#[ts(as = "Vec<Reaction>")]
pub struct ReactionSet(u16);

impl ReactionSet {
    pub fn contains(self, reaction: Reaction) -> bool {
        self.0 & reaction.bit() != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Reaction> {
        Reaction::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Reaction> for ReactionSet {
    fn from_iter<I: IntoIterator<Item = Reaction>>(reactions: I) -> Self {
        Self(reactions.into_iter().fold(0, |bits, r| bits | r.bit()))
    }
}

impl Serialize for ReactionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for ReactionSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Reaction>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// Counts per reaction (only those tapped).
pub type Counts = BTreeMap<Reaction, u64>;

/// A room's reactions since its task started: the counts the trainer sees, and the minute
/// being counted for `reactions_counted`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    totals: Counts,
    /// The minute being counted (epoch ms, a multiple of 60,000) and its counts.
    minute: Option<(i64, Counts)>,
    /// Taps since the trainer was last shown the totals.
    unshown: bool,
}

pub const MINUTE_MS: i64 = 60_000;

impl Tally {
    /// Counts a tap at `at`; a minute over is handed back, to be recorded.
    pub fn tap(&mut self, reaction: Reaction, at: i64) -> Option<(i64, Counts)> {
        let minute = at - at.rem_euclid(MINUTE_MS);
        let over = match &self.minute {
            Some((counted, _)) if *counted != minute => self.minute.take(),
            _ => None,
        };
        let (_, counts) = self.minute.get_or_insert_with(|| (minute, Counts::new()));
        *counts.entry(reaction).or_default() += 1;
        *self.totals.entry(reaction).or_default() += 1;
        self.unshown = true;
        over
    }

    /// The minute counted, once `now` is past it (`i64::MAX`: whatever is counted).
    pub fn minute_over(&mut self, now: i64) -> Option<(i64, Counts)> {
        match &self.minute {
            Some((minute, _)) if now >= minute + MINUTE_MS => self.minute.take(),
            _ => None,
        }
    }

    /// When the minute being counted is over (epoch ms).
    pub fn minute_due(&self) -> Option<i64> {
        self.minute.as_ref().map(|(minute, _)| minute + MINUTE_MS)
    }

    /// Whether taps came since the totals were last taken.
    pub fn unshown(&self) -> bool {
        self.unshown
    }

    /// The totals, if taps came since they were last taken.
    pub fn take_unshown(&mut self) -> Option<Counts> {
        std::mem::take(&mut self.unshown).then(|| self.totals.clone())
    }

    pub fn totals(&self) -> &Counts {
        &self.totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_reads_and_writes_as_a_list_of_names() {
        let set: ReactionSet = serde_json::from_str(r#"["slower","clap","clap"]"#).unwrap();
        assert!(set.contains(Reaction::Clap) && set.contains(Reaction::Slower));
        assert!(!set.contains(Reaction::Heart));
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"["clap","slower"]"#);
        assert!(serde_json::from_str::<ReactionSet>(r#"["boo"]"#).is_err());
        assert!(ReactionSet::default().is_empty());
    }

    #[test]
    fn taps_are_counted_per_minute_and_in_total() {
        let mut tally = Tally::default();
        let t0 = 1_800_000_000_000; // a minute's start
        assert_eq!(tally.tap(Reaction::Clap, t0 + 1_000), None);
        assert_eq!(tally.tap(Reaction::Clap, t0 + 59_999), None);
        assert_eq!(tally.minute_due(), Some(t0 + MINUTE_MS));
        assert_eq!(tally.minute_over(t0 + 59_999), None);
        let over = tally.tap(Reaction::Heart, t0 + 60_000);
        assert_eq!(over, Some((t0, Counts::from([(Reaction::Clap, 2)]))));
        assert_eq!(
            tally.take_unshown(),
            Some(Counts::from([(Reaction::Clap, 2), (Reaction::Heart, 1)]))
        );
        assert_eq!(tally.take_unshown(), None, "nothing new since");
        let last = tally.minute_over(i64::MAX);
        assert_eq!(
            last,
            Some((t0 + 60_000, Counts::from([(Reaction::Heart, 1)])))
        );
        assert_eq!(tally.minute_over(i64::MAX), None);
    }
}
