//! Quiz definitions: the questions a trainer writes, and the rules that make them runnable.
//!
//! Input is parsed into `Quiz` parts once, here; everything downstream (store, live rooms,
//! reports) can rely on a question being well-formed.

use super::lang::Lang;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const MIN_TIME_LIMIT_S: u32 = 5;
pub const MAX_TIME_LIMIT_S: u32 = 600;
pub const DEFAULT_TIME_LIMIT_S: u32 = 30;
pub const MAX_POINTS: u32 = 10_000;
pub const DEFAULT_POINTS: u32 = 1_000;
pub const MAX_QUESTIONS: usize = 200;
pub const MIN_CHOICES: usize = 2;
pub const MAX_CHOICES: usize = 10;
pub const MAX_PROMPT_CHARS: usize = 2_000;
pub const MAX_CHOICE_CHARS: usize = 500;
const MAX_ID_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Full points for a correct answer.
    #[default]
    Accuracy,
    /// A correct answer earns between half and all of the points, the faster the more.
    Speed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "../api-types/")]
pub struct QuizSettings {
    #[serde(default)]
    pub scoring: Scoring,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Single,
    Multiple,
    TrueFalse,
    Poll,
    Open,
}

impl QuestionKind {
    /// Whether answers to this kind are right or wrong (polls and open questions are not scored).
    pub fn is_scored(self) -> bool {
        matches!(self, Self::Single | Self::Multiple | Self::TrueFalse)
    }
    fn has_choices(self) -> bool {
        !matches!(self, Self::Open)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Choice {
    pub id: String,
    pub text: String,
    pub correct: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub choices: Vec<Choice>,
    pub time_limit_s: u32,
    pub points: u32,
}

/// A question as a client (or the GIFT importer) writes it: ids and defaults may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "../api-types/", optional_fields = nullable)]
pub struct QuestionInput {
    #[serde(default)]
    pub id: Option<String>,
    pub kind: QuestionKind,
    pub prompt: String,
    #[serde(default)]
    #[ts(as = "Option<Vec<ChoiceInput>>", optional)]
    pub choices: Vec<ChoiceInput>,
    #[serde(default)]
    pub time_limit_s: Option<u32>,
    #[serde(default)]
    pub points: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "../api-types/", optional_fields = nullable)]
pub struct ChoiceInput {
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub correct: bool,
}

/// A rule a quiz broke, with the JSON path of the offending field (`questions[2].choices`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", rule.said(Lang::En))]
pub struct QuizError {
    pub field: String,
    pub rule: QuizRule,
}

impl QuizError {
    fn new(field: impl Into<String>, rule: QuizRule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }
}

/// The rules of SPEC §4, as a quiz or an import breaks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuizRule {
    NoQuestion,
    TooManyQuestions,
    QuestionIdTaken(String),
    ChoiceIdTaken(String),
    BadId,
    Empty,
    TooLong(usize),
    TimeLimit,
    Points,
    OpenWithChoices,
    TrueFalseTwoChoices,
    ChoiceCount(usize),
    OneCorrect(QuestionKind, usize),
    SomeCorrect,
    PollCorrect,
}

impl QuizRule {
    /// The rule, said to a trainer in `lang`.
    pub fn said(&self, lang: Lang) -> String {
        use QuizRule::*;
        let en = lang == Lang::En;
        match self {
            NoQuestion if en => "a quiz needs at least one question".into(),
            NoQuestion => "un quiz a au moins une question".into(),
            TooManyQuestions if en => format!("a quiz holds at most {MAX_QUESTIONS} questions"),
            TooManyQuestions => format!("un quiz a au plus {MAX_QUESTIONS} questions"),
            QuestionIdTaken(id) if en => format!("`{id}` is used by another question"),
            QuestionIdTaken(id) => format!("`{id}` est déjà l'identifiant d'une autre question"),
            ChoiceIdTaken(id) if en => format!("`{id}` is used by another choice"),
            ChoiceIdTaken(id) => format!("`{id}` est déjà l'identifiant d'un autre choix"),
            BadId if en => {
                format!("must be 1–{MAX_ID_CHARS} characters among a-z, A-Z, 0-9, - and _")
            }
            BadId => {
                format!("doit avoir 1 à {MAX_ID_CHARS} caractères parmi a-z, A-Z, 0-9, - et _")
            }
            Empty if en => "must not be empty".into(),
            Empty => "ne doit pas être vide".into(),
            TooLong(max) if en => format!("must be at most {max} characters"),
            TooLong(max) => format!("doit faire au plus {max} caractères"),
            TimeLimit if en => {
                format!("must be between {MIN_TIME_LIMIT_S} and {MAX_TIME_LIMIT_S} seconds")
            }
            TimeLimit => {
                format!("doit être entre {MIN_TIME_LIMIT_S} et {MAX_TIME_LIMIT_S} secondes")
            }
            Points if en => format!("must be between 0 and {MAX_POINTS}"),
            Points => format!("doit être entre 0 et {MAX_POINTS}"),
            OpenWithChoices if en => "an open question has no choices".into(),
            OpenWithChoices => "une question ouverte n'a pas de choix".into(),
            TrueFalseTwoChoices if en => "a true_false question has exactly two choices".into(),
            TrueFalseTwoChoices => "une question vrai/faux a exactement deux choix".into(),
            ChoiceCount(got) if en => {
                format!("needs between {MIN_CHOICES} and {MAX_CHOICES} choices, got {got}")
            }
            ChoiceCount(got) => {
                format!("il faut entre {MIN_CHOICES} et {MAX_CHOICES} choix, il y en a {got}")
            }
            OneCorrect(kind, got) if en => format!(
                "a {} question has exactly one correct choice, got {got}",
                kind_name(*kind)
            ),
            OneCorrect(_, got) => {
                format!("il faut exactement une bonne réponse, il y en a {got}")
            }
            SomeCorrect if en => "a multiple question has at least one correct choice".into(),
            SomeCorrect => "une question à choix multiples a au moins une bonne réponse".into(),
            PollCorrect if en => "a poll has no correct choice".into(),
            PollCorrect => "un sondage n'a pas de bonne réponse".into(),
        }
    }
}

/// Checks every rule of SPEC §4 and fills in ids and defaults.
pub fn parse_questions(inputs: Vec<QuestionInput>) -> Result<Vec<Question>, QuizError> {
    if inputs.is_empty() {
        return Err(QuizError::new("questions", QuizRule::NoQuestion));
    }
    if inputs.len() > MAX_QUESTIONS {
        return Err(QuizError::new("questions", QuizRule::TooManyQuestions));
    }
    let mut questions = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let question = parse_question(input, i, &format!("questions[{i}]"))?;
        if questions.iter().any(|q: &Question| q.id == question.id) {
            return Err(QuizError::new(
                format!("questions[{i}].id"),
                QuizRule::QuestionIdTaken(question.id),
            ));
        }
        questions.push(question);
    }
    Ok(questions)
}

fn parse_question(input: QuestionInput, index: usize, path: &str) -> Result<Question, QuizError> {
    let id = parse_id(
        input.id,
        || format!("q{}", index + 1),
        &format!("{path}.id"),
    )?;
    let prompt = input.prompt.trim();
    if prompt.is_empty() {
        return Err(QuizError::new(format!("{path}.prompt"), QuizRule::Empty));
    }
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(QuizError::new(
            format!("{path}.prompt"),
            QuizRule::TooLong(MAX_PROMPT_CHARS),
        ));
    }
    let time_limit_s = input.time_limit_s.unwrap_or(DEFAULT_TIME_LIMIT_S);
    if !(MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&time_limit_s) {
        return Err(QuizError::new(
            format!("{path}.time_limit_s"),
            QuizRule::TimeLimit,
        ));
    }
    let points = input.points.unwrap_or(DEFAULT_POINTS);
    if points > MAX_POINTS {
        return Err(QuizError::new(format!("{path}.points"), QuizRule::Points));
    }
    let choices = parse_choices(input.kind, input.choices, &format!("{path}.choices"))?;
    Ok(Question {
        id,
        kind: input.kind,
        prompt: prompt.to_owned(),
        choices,
        time_limit_s,
        points,
    })
}

fn parse_choices(
    kind: QuestionKind,
    inputs: Vec<ChoiceInput>,
    path: &str,
) -> Result<Vec<Choice>, QuizError> {
    if !kind.has_choices() {
        if !inputs.is_empty() {
            return Err(QuizError::new(path, QuizRule::OpenWithChoices));
        }
        return Ok(Vec::new());
    }
    let count = inputs.len();
    if kind == QuestionKind::TrueFalse && count != 2 {
        return Err(QuizError::new(path, QuizRule::TrueFalseTwoChoices));
    }
    if !(MIN_CHOICES..=MAX_CHOICES).contains(&count) {
        return Err(QuizError::new(path, QuizRule::ChoiceCount(count)));
    }
    let mut choices: Vec<Choice> = Vec::with_capacity(count);
    for (i, input) in inputs.into_iter().enumerate() {
        let id = parse_id(
            input.id,
            || format!("c{}", i + 1),
            &format!("{path}[{i}].id"),
        )?;
        if choices.iter().any(|c| c.id == id) {
            return Err(QuizError::new(
                format!("{path}[{i}].id"),
                QuizRule::ChoiceIdTaken(id),
            ));
        }
        let text = input.text.trim();
        if text.is_empty() {
            return Err(QuizError::new(format!("{path}[{i}].text"), QuizRule::Empty));
        }
        if text.chars().count() > MAX_CHOICE_CHARS {
            return Err(QuizError::new(
                format!("{path}[{i}].text"),
                QuizRule::TooLong(MAX_CHOICE_CHARS),
            ));
        }
        choices.push(Choice {
            id,
            text: text.to_owned(),
            correct: input.correct,
        });
    }
    let correct = choices.iter().filter(|c| c.correct).count();
    match kind {
        QuestionKind::Single | QuestionKind::TrueFalse if correct != 1 => {
            Err(QuizError::new(path, QuizRule::OneCorrect(kind, correct)))
        }
        QuestionKind::Multiple if correct == 0 => Err(QuizError::new(path, QuizRule::SomeCorrect)),
        QuestionKind::Poll if correct != 0 => Err(QuizError::new(path, QuizRule::PollCorrect)),
        _ => Ok(choices),
    }
}

fn kind_name(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Single => "single",
        QuestionKind::Multiple => "multiple",
        QuestionKind::TrueFalse => "true_false",
        QuestionKind::Poll => "poll",
        QuestionKind::Open => "open",
    }
}

fn parse_id(
    id: Option<String>,
    default: impl FnOnce() -> String,
    path: &str,
) -> Result<String, QuizError> {
    let Some(id) = id else {
        return Ok(default());
    };
    let valid = !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(id)
    } else {
        Err(QuizError::new(path, QuizRule::BadId))
    }
}

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

/// What a participant answered: choices for `single`, `multiple`, `true_false` and `poll`,
/// text for `open` (the `answer` of `quiz_answered`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum Answer {
    Choices { choice_ids: Vec<String> },
    Text { text: String },
}

pub const MAX_OPEN_ANSWER_CHARS: usize = 500;

impl Question {
    /// Checks an answer against this question's kind and choices.
    pub fn check(&self, answer: &Answer) -> Result<(), String> {
        match (self.kind, answer) {
            (QuestionKind::Open, Answer::Text { text }) => {
                let length = text.trim().chars().count();
                if length == 0 || length > MAX_OPEN_ANSWER_CHARS {
                    return Err(format!(
                        "an answer holds 1 to {MAX_OPEN_ANSWER_CHARS} characters"
                    ));
                }
                // PostgreSQL stores no NUL: one would fail the room's whole batch.
                if text.contains('\0') {
                    return Err("an answer may not contain the NUL character".into());
                }
                Ok(())
            }
            (QuestionKind::Open, Answer::Choices { .. }) => {
                Err("this question takes a `text`".into())
            }
            (_, Answer::Text { .. }) => Err("this question takes `choice_ids`".into()),
            (kind, Answer::Choices { choice_ids }) => {
                if choice_ids.is_empty() {
                    return Err("choose at least one choice".into());
                }
                let one_only = matches!(
                    kind,
                    QuestionKind::Single | QuestionKind::TrueFalse | QuestionKind::Poll
                );
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
        }
    }

    /// Whether a (checked) answer is right: `None` for polls and open questions. A `multiple`
    /// answer is right only when it names exactly the correct choices.
    pub fn is_correct(&self, answer: &Answer) -> Option<bool> {
        if !self.kind.is_scored() {
            return None;
        }
        let Answer::Choices { choice_ids } = answer else {
            return Some(false);
        };
        let chosen: std::collections::HashSet<&str> =
            choice_ids.iter().map(String::as_str).collect();
        let correct: std::collections::HashSet<&str> = self
            .choices
            .iter()
            .filter(|c| c.correct)
            .map(|c| c.id.as_str())
            .collect();
        Some(chosen == correct)
    }
}

#[cfg(test)]
mod scoring_tests {
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
        Question {
            id: "q1".into(),
            kind,
            prompt: "?".into(),
            choices: correct
                .iter()
                .enumerate()
                .map(|(i, &correct)| Choice {
                    id: format!("c{}", i + 1),
                    text: format!("choice {i}"),
                    correct,
                })
                .collect(),
            time_limit_s: 30,
            points: 1000,
        }
    }

    fn choices(ids: &[&str]) -> Answer {
        Answer::Choices {
            choice_ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn multiple_is_right_only_with_exactly_the_correct_set() {
        let q = question(QuestionKind::Multiple, &[true, false, true]);
        assert_eq!(q.is_correct(&choices(&["c1", "c3"])), Some(true));
        assert_eq!(q.is_correct(&choices(&["c3", "c1"])), Some(true));
        assert_eq!(q.is_correct(&choices(&["c1"])), Some(false));
        assert_eq!(q.is_correct(&choices(&["c1", "c2", "c3"])), Some(false));
        let poll = question(QuestionKind::Poll, &[false, false]);
        assert_eq!(poll.is_correct(&choices(&["c1"])), None);
    }

    #[test]
    fn answers_are_checked_against_the_question() {
        let single = question(QuestionKind::Single, &[true, false]);
        assert!(single.check(&choices(&["c2"])).is_ok());
        assert!(single.check(&choices(&["c1", "c2"])).is_err());
        assert!(single.check(&choices(&["c9"])).is_err());
        assert!(single.check(&choices(&[])).is_err());
        assert!(single.check(&Answer::Text { text: "x".into() }).is_err());
        let multiple = question(QuestionKind::Multiple, &[true, true]);
        assert!(multiple.check(&choices(&["c1", "c1"])).is_err());
        let open = question(QuestionKind::Open, &[]);
        assert!(
            open.check(&Answer::Text {
                text: " une idée ".into()
            })
            .is_ok()
        );
        assert!(open.check(&Answer::Text { text: "  ".into() }).is_err());
        assert!(open.check(&choices(&["c1"])).is_err());
    }
}
