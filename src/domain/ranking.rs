//! One way to rank people by score, for the live leaderboard and the report alike: a class
//! must never see one order on the screen and find another in the trainer's report.

use std::cmp::Reverse;

use uuid::Uuid;

/// A line of a ranking: a person with a score, and the rank it gets.
pub trait Ranked {
    fn score(&self) -> i64;
    /// First name, last name and id: the order among equal scores.
    fn person(&self) -> (&str, &str, Uuid);
    fn set_rank(&mut self, rank: usize);
}

/// How people are ordered in every list: last name, then first name, accents and case
/// folded (`Émile` sorts with `emile`), then id so that the order is total.
pub fn name_key(first_name: &str, last_name: &str, id: Uuid) -> (String, String, Uuid) {
    let fold = |s: &str| deunicode::deunicode(s).to_lowercase();
    (fold(last_name), fold(first_name), id)
}

/// Sorts `lines` best score first, equal scores by name, and ranks them: equal scores share a
/// rank (1, 2, 2, 4).
pub fn rank<T: Ranked>(lines: &mut [T]) {
    lines.sort_by_cached_key(|line| {
        let (first, last, id) = line.person();
        (Reverse(line.score()), name_key(first, last, id))
    });
    let mut previous: Option<(i64, usize)> = None;
    for (i, line) in lines.iter_mut().enumerate() {
        let rank = match previous {
            Some((score, rank)) if score == line.score() => rank,
            _ => i + 1,
        };
        line.set_rank(rank);
        previous = Some((line.score(), rank));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Line(&'static str, &'static str, i64, usize);

    impl Ranked for Line {
        fn score(&self) -> i64 {
            self.2
        }
        fn person(&self) -> (&str, &str, Uuid) {
            (self.0, self.1, Uuid::nil())
        }
        fn set_rank(&mut self, rank: usize) {
            self.3 = rank;
        }
    }

    #[test]
    fn equal_scores_share_a_rank_and_sort_by_folded_names() {
        let mut lines = [
            Line("Zoé", "Zola", 10, 0),
            Line("Léa", "Martin", 30, 0),
            Line("Émile", "Étienne", 10, 0),
            Line("abel", "durand", 5, 0),
        ];
        rank(&mut lines);
        let order: Vec<(&str, usize)> = lines.iter().map(|l| (l.1, l.3)).collect();
        assert_eq!(
            order,
            [("Martin", 1), ("Étienne", 2), ("Zola", 2), ("durand", 4)]
        );
    }
}
