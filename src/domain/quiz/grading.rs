//! Answers: what a participant may send for each kind of question, whether it is right, and
//! the points it earns.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Item, MAX_CHOICE_CHARS, Question, QuestionKind, Scoring};
use crate::domain::names;

/// Answers to a question faster than this earn full points under the speed rule.
pub const FULL_POINTS_UNDER_MS: i64 = 500;

/// The points a correct answer earns: all of them under `accuracy`; under `speed`,
/// `round(points × (1 − t / (2T)))` (halves away from zero), so between half and all, and all
/// under half a second. Wrong or unscored answers earn nothing (the caller says `correct`).
pub fn points_for(
    scoring: Scoring,
    correct: bool,
    points: u32,
    time_limit_s: u32,
    response_ms: i64,
) -> i64 {
    if !correct {
        return 0;
    }
    match scoring {
        Scoring::Accuracy => i64::from(points),
        Scoring::Speed if response_ms < FULL_POINTS_UNDER_MS => i64::from(points),
        Scoring::Speed => {
            // In integers, so that exact halves round away from zero as the rule says:
            // round(p × (2T − t) / 2T) = ⌊(2p(2T − t) + 2T) / 4T⌋, t and T in milliseconds.
            let limit = i128::from(time_limit_s.max(1)) * 1000;
            let t = i128::from(response_ms).clamp(0, limit);
            let p = i128::from(points);
            ((2 * p * (2 * limit - t) + 2 * limit) / (4 * limit)) as i64
        }
    }
}

/// What a participant answered (the `answer` of `quiz_answered`): choices for `single`,
/// `multiple`, `true_false` and `poll`; text for `open` and `short`; a number for `numeric`;
/// the items' ids in the order given for `ordering`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum Answer {
    Choices { choice_ids: Vec<String> },
    Text { text: String },
    Number { number: f64 },
    Order { item_ids: Vec<String> },
}

pub const MAX_OPEN_ANSWER_CHARS: usize = 500;

/// How right a checked answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// Polls and open questions.
    Unscored,
    Right,
    Wrong,
    /// An `ordering` answer under partial credit: `placed` of `of` items in their right place.
    Partly {
        placed: usize,
        of: usize,
    },
}

impl Grade {
    /// `correct` as events and messages say it: right or not, `None` when not scored.
    pub fn correct(self) -> Option<bool> {
        match self {
            Self::Unscored => None,
            Self::Right => Some(true),
            Self::Wrong | Self::Partly { .. } => Some(false),
        }
    }
}

/// The right answer of a `numeric`, `short` or `ordering` question, as the trainer sees it and
/// as everyone sees it at the reveal (choice questions say theirs with `correct` on each choice).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Solution {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub answer: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tolerance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub accepted: Vec<String>,
    /// `ordering`: the items' ids in the right order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub item_ids: Vec<String>,
}

/// How many gave one answer to a `numeric`, `short` or `open` question (answers compared as
/// `short` questions compare them).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnswerCount {
    /// The answer as the first to give it wrote it.
    pub text: String,
    pub count: usize,
    pub correct: Option<bool>,
}

/// The answers given most (texts and numbers; choices and orders are left out), most given
/// first, at most `limit`.
pub fn top_answers<'a>(
    answers: impl Iterator<Item = (&'a Answer, Option<bool>)>,
    limit: usize,
) -> Vec<AnswerCount> {
    let mut counts: Vec<AnswerCount> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for (answer, correct) in answers {
        let (key, text) = match answer {
            Answer::Text { text } => (fold_answer(text), text.trim().to_owned()),
            Answer::Number { number } => (number.to_string(), number.to_string()),
            _ => continue,
        };
        match index.get(&key) {
            Some(&i) => counts[i].count += 1,
            None => {
                index.insert(key, counts.len());
                counts.push(AnswerCount {
                    text,
                    count: 1,
                    correct,
                });
            }
        }
    }
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    counts.truncate(limit);
    counts
}

impl Question {
    /// Checks an answer against this question's kind and returns it as it is stored: a
    /// `numeric` answer given as text becomes a number (`3,5` as `3.5`), an `ordering` one
    /// given as `choice_ids` becomes `item_ids`.
    pub fn accept(&self, answer: Answer) -> Result<Answer, String> {
        match (self.kind, answer) {
            (QuestionKind::Open | QuestionKind::Short, Answer::Text { text }) => {
                let max = match self.kind {
                    QuestionKind::Open => MAX_OPEN_ANSWER_CHARS,
                    _ => MAX_CHOICE_CHARS,
                };
                let length = text.trim().chars().count();
                if length == 0 || length > max {
                    return Err(format!("an answer holds 1 to {max} characters"));
                }
                // PostgreSQL stores no NUL: one would fail the room's whole batch.
                if text.contains('\0') {
                    return Err("an answer may not contain the NUL character".into());
                }
                Ok(Answer::Text { text })
            }
            (QuestionKind::Open | QuestionKind::Short, _) => {
                Err("this question takes a `text`".into())
            }
            (QuestionKind::Numeric, Answer::Number { number }) if number.is_finite() => {
                Ok(Answer::Number { number })
            }
            (QuestionKind::Numeric, Answer::Text { text }) => parse_number(&text)
                .map(|number| Answer::Number { number })
                .ok_or_else(|| format!("`{}` is not a number", text.trim())),
            (QuestionKind::Numeric, _) => Err("this question takes a `number`".into()),
            (QuestionKind::Ordering, Answer::Order { item_ids })
            | (
                QuestionKind::Ordering,
                Answer::Choices {
                    choice_ids: item_ids,
                },
            ) => {
                self.check_order(&item_ids)?;
                Ok(Answer::Order { item_ids })
            }
            (QuestionKind::Ordering, _) => Err("this question takes `item_ids`".into()),
            (_, Answer::Choices { choice_ids }) => {
                self.check_choices(&choice_ids)?;
                Ok(Answer::Choices { choice_ids })
            }
            (_, _) => Err("this question takes `choice_ids`".into()),
        }
    }

    fn check_choices(&self, choice_ids: &[String]) -> Result<(), String> {
        if choice_ids.is_empty() {
            return Err("choose at least one choice".into());
        }
        let one_only = self.kind != QuestionKind::Multiple;
        if one_only && choice_ids.len() > 1 {
            return Err("this question takes exactly one choice".into());
        }
        let mut seen = std::collections::HashSet::new();
        for id in choice_ids {
            if !self.choices.iter().any(|c| &c.id == id) {
                return Err(format!("no choice `{id}` in this question"));
            }
            if !seen.insert(id) {
                return Err(format!("choice `{id}` is given twice"));
            }
        }
        Ok(())
    }

    /// An order names every item once.
    fn check_order(&self, item_ids: &[String]) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for id in item_ids {
            if !self.items.iter().any(|item| &item.id == id) {
                return Err(format!("no item `{id}` in this question"));
            }
            if !seen.insert(id) {
                return Err(format!("item `{id}` is given twice"));
            }
        }
        if item_ids.len() != self.items.len() {
            return Err(format!("put all {} items in order", self.items.len()));
        }
        Ok(())
    }

    /// How right an (accepted) answer is. A `multiple` answer is right only when it names
    /// exactly the correct choices.
    pub fn grade(&self, answer: &Answer) -> Grade {
        let right = |yes: bool| if yes { Grade::Right } else { Grade::Wrong };
        if !self.kind.is_scored() {
            return Grade::Unscored;
        }
        match (self.kind, answer) {
            (QuestionKind::Numeric, Answer::Number { number }) => right(self.within(*number)),
            (QuestionKind::Short, Answer::Text { text }) => {
                let given = fold_answer(text);
                right(self.accepted.iter().any(|a| fold_answer(a) == given))
            }
            (QuestionKind::Ordering, Answer::Order { item_ids }) => {
                let of = self.items.len();
                let placed = (self.items.iter().zip(item_ids))
                    .filter(|(item, id)| &item.id == *id)
                    .count();
                match placed {
                    _ if placed == of => Grade::Right,
                    0 => Grade::Wrong,
                    _ if self.partial_credit => Grade::Partly { placed, of },
                    _ => Grade::Wrong,
                }
            }
            (_, Answer::Choices { choice_ids }) => {
                let chosen: std::collections::HashSet<&str> =
                    choice_ids.iter().map(String::as_str).collect();
                let correct: std::collections::HashSet<&str> = (self.choices.iter())
                    .filter(|c| c.correct)
                    .map(|c| c.id.as_str())
                    .collect();
                right(chosen == correct)
            }
            _ => Grade::Wrong,
        }
    }

    /// Whether a number is right for a `numeric` question.
    fn within(&self, number: f64) -> bool {
        match (self.answer, self.min, self.max) {
            // A hair of slack, so that 0.1 + 0.2 typed as 0.3 is not wrong by 5e-17.
            (Some(answer), ..) => {
                let tolerance = self.tolerance.unwrap_or(0.0);
                (number - answer).abs() <= tolerance + answer.abs().max(1.0) * 1e-9
            }
            (None, Some(min), Some(max)) => (min..=max).contains(&number),
            _ => false,
        }
    }

    /// The points an answer of `grade` earns after `response_ms` under `scoring`. Partly right
    /// orders earn `round(points × placed / of)` of what a right one would.
    pub fn points_earned(&self, scoring: Scoring, grade: Grade, response_ms: i64) -> i64 {
        let full = |right| points_for(scoring, right, self.points, self.time_limit_s, response_ms);
        match grade {
            Grade::Right => full(true),
            Grade::Wrong | Grade::Unscored => 0,
            Grade::Partly { placed, of } => {
                let (full, placed, of) = (full(true), placed as i64, of.max(1) as i64);
                (2 * full * placed + of) / (2 * of)
            }
        }
    }

    /// The right answer of a `numeric`, `short` or `ordering` question.
    pub fn solution(&self) -> Option<Solution> {
        let solution = Solution {
            answer: self.answer,
            tolerance: self.tolerance,
            min: self.min,
            max: self.max,
            accepted: self.accepted.clone(),
            item_ids: self.items.iter().map(|item| item.id.clone()).collect(),
        };
        matches!(
            self.kind,
            QuestionKind::Numeric | QuestionKind::Short | QuestionKind::Ordering
        )
        .then_some(solution)
    }

    /// An `ordering` question's items as everyone is shown them: mixed, never in the right
    /// order, and the same on every screen and after a rejoin.
    pub fn shuffled_items(&self) -> Vec<Item> {
        let mut items = self.items.clone();
        items.sort_by_key(|item| stable_hash(&[&self.id, &item.id]));
        if items.len() > 1 && items == self.items {
            items.rotate_left(1);
        }
        items
    }
}

/// FNV-1a: a hash that stays the same across builds and machines.
fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.join("\u{0}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A typed answer as `short` questions compare them: case and accents folded, spaces trimmed
/// and runs of them made one.
pub fn fold_answer(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    names::fold(&words.join(" "))
}

/// A number as people type it: `42`, `-3.5`, `3,5` (a decimal comma), `1 000` (spaces between
/// thousands, as in French).
fn parse_number(text: &str) -> Option<f64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let number = match (compact.contains(','), compact.contains('.')) {
        (true, true) => return None,
        (true, false) if compact.matches(',').count() == 1 => compact.replace(',', "."),
        (true, false) => return None,
        _ => compact,
    };
    let valid = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    let parsed: f64 = number.parse().ok().filter(|_| valid)?;
    parsed.is_finite().then_some(parsed)
}

#[cfg(test)]
mod scoring_tests {
    use super::super::Choice;
    use super::*;

    #[test]
    fn speed_points_fall_from_all_to_half() {
        let speed = |ms| points_for(Scoring::Speed, true, 1000, 20, ms);
        assert_eq!(speed(0), 1000);
        assert_eq!(speed(499), 1000);
        assert_eq!(speed(10_000), 750);
        assert_eq!(speed(20_000), 500);
        assert_eq!(speed(99_000), 500, "late answers are clamped to the limit");
        // 1000 × (1 − 1/40) = 975 exactly; 333 × (1 − 3/40) = 308.025 → 308
        assert_eq!(speed(1_000), 975);
        assert_eq!(points_for(Scoring::Speed, true, 333, 20, 3_000), 308);
        // Halves round away from zero: 3 × (1 − 10/20) = 1.5 → 2.
        assert_eq!(points_for(Scoring::Speed, true, 3, 10, 10_000), 2);
        // 1000 × (1 − 1.285/10) = 871.5 exactly: floating point would give 871.
        assert_eq!(points_for(Scoring::Speed, true, 1000, 5, 1_285), 872);
        assert_eq!(points_for(Scoring::Speed, true, 1000, 30, 7_710), 872);
        assert_eq!(points_for(Scoring::Speed, true, 500, 5, 1_910), 405);
        assert_eq!(points_for(Scoring::Speed, false, 1000, 20, 0), 0);
        assert_eq!(points_for(Scoring::Accuracy, true, 1000, 20, 19_000), 1000);
    }

    fn question(kind: QuestionKind, correct: &[bool]) -> Question {
        Question::with_choices(
            "q1".into(),
            kind,
            "?".into(),
            correct
                .iter()
                .enumerate()
                .map(|(i, &correct)| Choice {
                    id: format!("c{}", i + 1),
                    text: format!("choice {i}"),
                    correct,
                    image: None,
                })
                .collect(),
            30,
            1000,
        )
    }

    fn choices(ids: &[&str]) -> Answer {
        Answer::Choices {
            choice_ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn grade(question: &Question, answer: &Answer) -> Option<bool> {
        question.grade(answer).correct()
    }

    #[test]
    fn multiple_is_right_only_with_exactly_the_correct_set() {
        let q = question(QuestionKind::Multiple, &[true, false, true]);
        assert_eq!(grade(&q, &choices(&["c1", "c3"])), Some(true));
        assert_eq!(grade(&q, &choices(&["c3", "c1"])), Some(true));
        assert_eq!(grade(&q, &choices(&["c1"])), Some(false));
        assert_eq!(grade(&q, &choices(&["c1", "c2", "c3"])), Some(false));
        let poll = question(QuestionKind::Poll, &[false, false]);
        assert_eq!(grade(&poll, &choices(&["c1"])), None);
    }

    #[test]
    fn answers_are_checked_against_the_question() {
        let single = question(QuestionKind::Single, &[true, false]);
        assert!(single.accept(choices(&["c2"])).is_ok());
        assert!(single.accept(choices(&["c1", "c2"])).is_err());
        assert!(single.accept(choices(&["c9"])).is_err());
        assert!(single.accept(choices(&[])).is_err());
        assert!(single.accept(Answer::Text { text: "x".into() }).is_err());
        let multiple = question(QuestionKind::Multiple, &[true, true]);
        assert!(multiple.accept(choices(&["c1", "c1"])).is_err());
        let open = question(QuestionKind::Open, &[]);
        assert!(
            open.accept(Answer::Text {
                text: " une idée ".into()
            })
            .is_ok()
        );
        assert!(open.accept(Answer::Text { text: "  ".into() }).is_err());
        assert!(open.accept(choices(&["c1"])).is_err());
    }

    fn numeric(answer: Option<f64>, tolerance: Option<f64>, range: Option<(f64, f64)>) -> Question {
        Question {
            kind: QuestionKind::Numeric,
            answer,
            tolerance,
            min: range.map(|r| r.0),
            max: range.map(|r| r.1),
            ..question(QuestionKind::Numeric, &[])
        }
    }

    fn number(number: f64) -> Answer {
        Answer::Number { number }
    }

    fn text(text: &str) -> Answer {
        Answer::Text { text: text.into() }
    }

    #[test]
    fn numeric_answers_are_right_within_the_tolerance_or_the_range() {
        let q = numeric(Some(3.5), Some(0.25), None);
        assert_eq!(grade(&q, &number(3.75)), Some(true));
        assert_eq!(grade(&q, &number(3.25)), Some(true));
        assert_eq!(grade(&q, &number(3.76)), Some(false));
        let exact = numeric(Some(0.3), Some(0.0), None);
        assert_eq!(grade(&exact, &number(0.1 + 0.2)), Some(true));
        assert_eq!(grade(&exact, &number(0.31)), Some(false));
        let range = numeric(None, None, Some((1789.0, 1799.0)));
        assert_eq!(grade(&range, &number(1789.0)), Some(true));
        assert_eq!(grade(&range, &number(1800.0)), Some(false));
    }

    #[test]
    fn numbers_are_read_as_people_type_them() {
        let q = numeric(Some(1000.5), None, None);
        let read = |typed: &str| q.accept(text(typed)).ok();
        assert_eq!(read(" 1000,5 "), Some(number(1000.5)));
        assert_eq!(read("1 000.5"), Some(number(1000.5)));
        assert_eq!(read("-2"), Some(number(-2.0)));
        assert_eq!(read("1,000.5"), None, "a comma and a point: ambiguous");
        assert_eq!(read("douze"), None);
        assert_eq!(read("inf"), None);
        assert_eq!(read("NaN"), None);
        assert!(q.accept(number(f64::INFINITY)).is_err());
        assert!(q.accept(choices(&["c1"])).is_err());
    }

    #[test]
    fn short_answers_fold_case_accents_and_spaces() {
        let q = Question {
            accepted: vec!["Élysée".into(), "le palais de l'Élysée".into()],
            ..question(QuestionKind::Short, &[])
        };
        assert_eq!(grade(&q, &text("elysee")), Some(true));
        assert_eq!(grade(&q, &text("  LE  palais de l'elysée ")), Some(true));
        assert_eq!(grade(&q, &text("Elysées")), Some(false));
        assert!(q.accept(text(" ")).is_err());
        assert!(q.accept(number(1.0)).is_err());
    }

    fn ordering(partial_credit: bool) -> Question {
        let items = ["a", "b", "c", "d"].map(|id| Item {
            id: id.into(),
            text: id.to_uppercase(),
        });
        Question {
            items: items.to_vec(),
            partial_credit,
            ..question(QuestionKind::Ordering, &[])
        }
    }

    fn order(ids: &[&str]) -> Answer {
        Answer::Order {
            item_ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn orders_name_every_item_once() {
        let q = ordering(false);
        assert!(q.accept(order(&["a", "b", "c", "d"])).is_ok());
        assert_eq!(
            q.accept(choices(&["d", "c", "b", "a"])),
            Ok(order(&["d", "c", "b", "a"])),
            "`choice_ids` are read as the order"
        );
        assert!(q.accept(order(&["a", "b", "c"])).is_err());
        assert!(q.accept(order(&["a", "b", "c", "c"])).is_err());
        assert!(q.accept(order(&["a", "b", "c", "e"])).is_err());
    }

    #[test]
    fn orders_score_exactly_or_by_items_in_place() {
        let exact = ordering(false);
        assert_eq!(exact.grade(&order(&["a", "b", "c", "d"])), Grade::Right);
        assert_eq!(exact.grade(&order(&["a", "b", "d", "c"])), Grade::Wrong);
        let partial = ordering(true);
        let grade = partial.grade(&order(&["a", "b", "d", "c"]));
        assert_eq!(grade, Grade::Partly { placed: 2, of: 4 });
        assert_eq!(grade.correct(), Some(false));
        assert_eq!(partial.points_earned(Scoring::Accuracy, grade, 0), 500);
        // Under speed, the share of what a right answer earns then: 750 × 2/4 = 375.
        assert_eq!(partial.points_earned(Scoring::Speed, grade, 15_000), 375);
        let three = partial.grade(&order(&["a", "b", "c", "d"]));
        assert_eq!(partial.points_earned(Scoring::Accuracy, three, 0), 1000);
        let none = partial.grade(&order(&["d", "c", "b", "a"]));
        assert_eq!(none, Grade::Wrong);
        // 1000 × 1/3 = 333.3 → 333; 1000 × 2/3 = 666.7 → 667.
        let thirds = Question {
            items: ordering(true).items[..3].to_vec(),
            ..ordering(true)
        };
        let one = thirds.grade(&order(&["a", "c", "b"]));
        assert_eq!(thirds.points_earned(Scoring::Accuracy, one, 0), 333);
    }

    #[test]
    fn items_are_shown_mixed_and_the_same_each_time() {
        for size in 2..=10 {
            let q = Question {
                id: format!("q{size}"),
                items: (0..size)
                    .map(|i| Item {
                        id: format!("i{i}"),
                        text: format!("{i}"),
                    })
                    .collect(),
                ..ordering(false)
            };
            let shown = q.shuffled_items();
            assert_ne!(shown, q.items, "never in the right order");
            assert_eq!(shown, q.shuffled_items());
            let mut ids: Vec<_> = shown.iter().map(|i| i.id.clone()).collect();
            ids.sort();
            let mut all: Vec<_> = q.items.iter().map(|i| i.id.clone()).collect();
            all.sort();
            assert_eq!(ids, all);
        }
    }
}
