//! Quiz definitions: the questions a trainer writes, and the rules that make them runnable.
//!
//! Input is parsed into `Quiz` parts once, here; everything downstream (store, live rooms,
//! reports) can rely on a question being well-formed.

use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Full points for a correct answer.
    #[default]
    Accuracy,
    /// A correct answer earns between half and all of the points, the faster the more.
    Speed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QuizSettings {
    #[serde(default)]
    pub scoring: Scoring,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub text: String,
    pub correct: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub choices: Vec<Choice>,
    pub time_limit_s: u32,
    pub points: u32,
}

/// A question as a client (or the GIFT importer) writes it: ids and defaults may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    #[serde(default)]
    pub id: Option<String>,
    pub kind: QuestionKind,
    pub prompt: String,
    #[serde(default)]
    pub choices: Vec<ChoiceInput>,
    #[serde(default)]
    pub time_limit_s: Option<u32>,
    #[serde(default)]
    pub points: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceInput {
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
    #[serde(default)]
    pub correct: bool,
}

/// A rule a quiz broke, with the JSON path of the offending field (`questions[2].choices`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct QuizError {
    pub field: String,
    pub message: String,
}

impl QuizError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Checks every rule of SPEC §4 and fills in ids and defaults.
pub fn parse_questions(inputs: Vec<QuestionInput>) -> Result<Vec<Question>, QuizError> {
    if inputs.is_empty() {
        return Err(QuizError::new(
            "questions",
            "a quiz needs at least one question",
        ));
    }
    if inputs.len() > MAX_QUESTIONS {
        return Err(QuizError::new(
            "questions",
            format!("a quiz holds at most {MAX_QUESTIONS} questions"),
        ));
    }
    let mut questions = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let question = parse_question(input, i, &format!("questions[{i}]"))?;
        if questions.iter().any(|q: &Question| q.id == question.id) {
            return Err(QuizError::new(
                format!("questions[{i}].id"),
                format!("`{}` is used by another question", question.id),
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
        return Err(QuizError::new(
            format!("{path}.prompt"),
            "must not be empty",
        ));
    }
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(QuizError::new(
            format!("{path}.prompt"),
            format!("must be at most {MAX_PROMPT_CHARS} characters"),
        ));
    }
    let time_limit_s = input.time_limit_s.unwrap_or(DEFAULT_TIME_LIMIT_S);
    if !(MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&time_limit_s) {
        return Err(QuizError::new(
            format!("{path}.time_limit_s"),
            format!("must be between {MIN_TIME_LIMIT_S} and {MAX_TIME_LIMIT_S} seconds"),
        ));
    }
    let points = input.points.unwrap_or(DEFAULT_POINTS);
    if points > MAX_POINTS {
        return Err(QuizError::new(
            format!("{path}.points"),
            format!("must be between 0 and {MAX_POINTS}"),
        ));
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
            return Err(QuizError::new(path, "an open question has no choices"));
        }
        return Ok(Vec::new());
    }
    let count = inputs.len();
    if kind == QuestionKind::TrueFalse && count != 2 {
        return Err(QuizError::new(
            path,
            "a true_false question has exactly two choices",
        ));
    }
    if !(MIN_CHOICES..=MAX_CHOICES).contains(&count) {
        return Err(QuizError::new(
            path,
            format!("needs between {MIN_CHOICES} and {MAX_CHOICES} choices, got {count}"),
        ));
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
                format!("`{id}` is used by another choice"),
            ));
        }
        let text = input.text.trim();
        if text.is_empty() {
            return Err(QuizError::new(
                format!("{path}[{i}].text"),
                "must not be empty",
            ));
        }
        if text.chars().count() > MAX_CHOICE_CHARS {
            return Err(QuizError::new(
                format!("{path}[{i}].text"),
                format!("must be at most {MAX_CHOICE_CHARS} characters"),
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
        QuestionKind::Single | QuestionKind::TrueFalse if correct != 1 => Err(QuizError::new(
            path,
            format!(
                "a {} question has exactly one correct choice, got {correct}",
                kind_name(kind)
            ),
        )),
        QuestionKind::Multiple if correct == 0 => Err(QuizError::new(
            path,
            "a multiple question has at least one correct choice",
        )),
        QuestionKind::Poll if correct != 0 => {
            Err(QuizError::new(path, "a poll has no correct choice"))
        }
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
        Err(QuizError::new(
            path,
            format!("must be 1–{MAX_ID_CHARS} characters among a-z, A-Z, 0-9, - and _"),
        ))
    }
}
