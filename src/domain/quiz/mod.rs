//! Quiz definitions: the questions a trainer writes, and the rules that make them runnable.
//!
//! Input is parsed into `Quiz` parts once, here; everything downstream (store, live rooms,
//! reports) can rely on a question being well-formed.

mod grading;
mod images;

pub use grading::{
    Answer, AnswerCount, FULL_POINTS_UNDER_MS, Grade, MAX_OPEN_ANSWER_CHARS, Solution, fold_answer,
    points_for, top_answers,
};
pub use images::{ImageRef, image_refs};

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
/// A `short` question's accepted answers, at most.
pub const MAX_ACCEPTED: usize = 20;
/// The answers listed under a question's results, at most.
pub const TOP_ANSWERS: usize = 20;
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
    /// A number, right within a tolerance of `answer` or between `min` and `max`.
    Numeric,
    /// A typed answer, right when it is one of `accepted` (case, accents and spaces folded).
    Short,
    /// `items` to put in order.
    Ordering,
}

impl QuestionKind {
    /// Whether answers to this kind are right or wrong (polls and open questions are not scored).
    pub fn is_scored(self) -> bool {
        !matches!(self, Self::Poll | Self::Open)
    }
    /// Whether participants answer by picking among `choices`.
    pub fn has_choices(self) -> bool {
        matches!(
            self,
            Self::Single | Self::Multiple | Self::TrueFalse | Self::Poll
        )
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::TrueFalse => "true_false",
            Self::Poll => "poll",
            Self::Open => "open",
            Self::Numeric => "numeric",
            Self::Short => "short",
            Self::Ordering => "ordering",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Choice {
    pub id: String,
    pub text: String,
    pub correct: bool,
    /// An image shown with the choice: an asset's URL (`/api/assets/{id}`) of the quiz's owner.
    /// The text stays: it names the choice in reports and to screen readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<String>,
}

/// One of an `ordering` question's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Item {
    pub id: String,
    pub text: String,
}

/// A runnable question. The fields after `points` belong to one kind each and are left out
/// of the JSON for the others (so events written before they existed read the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export_to = "../api-types/")]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub choices: Vec<Choice>,
    pub time_limit_s: u32,
    pub points: u32,
    /// An image shown with the prompt: an asset's URL (`/api/assets/{id}`) of the quiz's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<String>,
    /// `numeric`: the number expected, right within `tolerance` of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub answer: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tolerance: Option<f64>,
    /// `numeric` without `answer`: right anywhere from `min` to `max`, both included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
    /// `short`: the answers counted right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub accepted: Vec<String>,
    /// `ordering`: the items, in the right order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Item>>", optional)]
    pub items: Vec<Item>,
    /// `ordering`: each item in its right place earns its share of the points, instead of all
    /// or nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub partial_credit: bool,
}

impl Question {
    /// A question with choices (none for `open`), without the other kinds' fields.
    pub fn with_choices(
        id: String,
        kind: QuestionKind,
        prompt: String,
        choices: Vec<Choice>,
        time_limit_s: u32,
        points: u32,
    ) -> Self {
        Self {
            id,
            kind,
            prompt,
            choices,
            time_limit_s,
            points,
            image: None,
            answer: None,
            tolerance: None,
            min: None,
            max: None,
            accepted: Vec::new(),
            items: Vec::new(),
            partial_credit: false,
        }
    }
}

/// A question as a client (or the GIFT importer) writes it: ids and defaults may be left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
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
    /// An image uploaded with `POST /api/assets`, by its URL.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub answer: Option<f64>,
    #[serde(default)]
    pub tolerance: Option<f64>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub accepted: Vec<String>,
    #[serde(default)]
    #[ts(as = "Option<Vec<ItemInput>>", optional)]
    pub items: Vec<ItemInput>,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub partial_credit: bool,
}

impl QuestionInput {
    /// A question of `kind` with every optional field left out.
    pub fn new(kind: QuestionKind, prompt: impl Into<String>) -> Self {
        Self {
            id: None,
            kind,
            prompt: prompt.into(),
            choices: Vec::new(),
            time_limit_s: None,
            points: None,
            image: None,
            answer: None,
            tolerance: None,
            min: None,
            max: None,
            accepted: Vec::new(),
            items: Vec::new(),
            partial_credit: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "../api-types/", optional_fields = nullable)]
pub struct ItemInput {
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
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
    /// An image uploaded with `POST /api/assets`, by its URL.
    #[serde(default)]
    pub image: Option<String>,
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
    /// A field that only another kind of question has.
    NotForKind(&'static str, QuestionKind),
    /// A `numeric` question without `answer` nor `min` and `max`, or with both.
    NumericTarget,
    NotANumber,
    NegativeTolerance,
    MinAboveMax,
    AcceptedCount(usize),
    ItemCount(usize),
    ItemIdTaken(String),
    /// An image that is not an asset's URL.
    BadImage,
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
                kind.name()
            ),
            OneCorrect(_, got) => {
                format!("il faut exactement une bonne réponse, il y en a {got}")
            }
            SomeCorrect if en => "a multiple question has at least one correct choice".into(),
            SomeCorrect => "une question à choix multiples a au moins une bonne réponse".into(),
            PollCorrect if en => "a poll has no correct choice".into(),
            PollCorrect => "un sondage n'a pas de bonne réponse".into(),
            NotForKind(field, kind) if en => {
                format!("a {} question has no `{field}`", kind.name())
            }
            NotForKind(field, kind) => {
                format!("une question {} n'a pas de `{field}`", kind.name())
            }
            NumericTarget if en => {
                "a numeric question has either an `answer` (with a `tolerance`) or a `min` and a \
                 `max`"
                    .into()
            }
            NumericTarget => "une question numérique a soit une réponse `answer` (avec une \
                              tolérance `tolerance`), soit un `min` et un `max`"
                .into(),
            NotANumber if en => "must be a finite number".into(),
            NotANumber => "doit être un nombre fini".into(),
            NegativeTolerance if en => "must be 0 or more".into(),
            NegativeTolerance => "doit être positive ou nulle".into(),
            MinAboveMax if en => "`min` must not be above `max`".into(),
            MinAboveMax => "`min` ne doit pas dépasser `max`".into(),
            AcceptedCount(got) if en => {
                format!("needs between 1 and {MAX_ACCEPTED} accepted answers, got {got}")
            }
            AcceptedCount(got) => {
                format!("il faut entre 1 et {MAX_ACCEPTED} réponses acceptées, il y en a {got}")
            }
            ItemCount(got) if en => {
                format!("needs between {MIN_CHOICES} and {MAX_CHOICES} items, got {got}")
            }
            ItemCount(got) => {
                format!("il faut entre {MIN_CHOICES} et {MAX_CHOICES} éléments, il y en a {got}")
            }
            ItemIdTaken(id) if en => format!("`{id}` is used by another item"),
            ItemIdTaken(id) => format!("`{id}` est déjà l'identifiant d'un autre élément"),
            BadImage if en => {
                "must be the URL of an image uploaded with POST /api/assets (/api/assets/{id})"
                    .into()
            }
            BadImage => "doit être l'adresse d'une image envoyée par POST /api/assets \
                         (/api/assets/{id})"
                .into(),
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
    let prompt = parse_text(&input.prompt, MAX_PROMPT_CHARS, &format!("{path}.prompt"))?;
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
    let kind = input.kind;
    let choices = parse_choices(kind, input.choices, &format!("{path}.choices"))?;
    let mut question = Question::with_choices(id, kind, prompt, choices, time_limit_s, points);
    question.image = images::parse_image(input.image, &format!("{path}.image"))?;
    let not_for = |field| {
        Err(QuizError::new(
            format!("{path}.{field}"),
            QuizRule::NotForKind(field, kind),
        ))
    };
    let numbers = [input.answer, input.tolerance, input.min, input.max];
    if kind == QuestionKind::Numeric {
        parse_numeric(&mut question, numbers, path)?;
    } else if let Some(field) = ["answer", "tolerance", "min", "max"]
        .into_iter()
        .zip(numbers)
        .find_map(|(field, value)| value.is_some().then_some(field))
    {
        return not_for(field);
    }
    match (kind, input.accepted.is_empty()) {
        (QuestionKind::Short, _) => {
            question.accepted = parse_accepted(input.accepted, &format!("{path}.accepted"))?;
        }
        (_, false) => return not_for("accepted"),
        _ => {}
    }
    match (kind, input.items.is_empty()) {
        (QuestionKind::Ordering, _) => {
            question.items = parse_items(input.items, &format!("{path}.items"))?;
            question.partial_credit = input.partial_credit;
        }
        (_, false) => return not_for("items"),
        _ if input.partial_credit => return not_for("partial_credit"),
        _ => {}
    }
    Ok(question)
}

/// `answer` (with an optional `tolerance`, 0 by default), or `min` and `max`.
fn parse_numeric(
    question: &mut Question,
    [answer, tolerance, min, max]: [Option<f64>; 4],
    path: &str,
) -> Result<(), QuizError> {
    let fields = [
        ("answer", answer),
        ("tolerance", tolerance),
        ("min", min),
        ("max", max),
    ];
    for (field, value) in fields {
        if value.is_some_and(|v| !v.is_finite()) {
            return Err(QuizError::new(
                format!("{path}.{field}"),
                QuizRule::NotANumber,
            ));
        }
    }
    match (answer, min, max) {
        (Some(answer), None, None) => {
            let tolerance = tolerance.unwrap_or(0.0);
            if tolerance < 0.0 {
                return Err(QuizError::new(
                    format!("{path}.tolerance"),
                    QuizRule::NegativeTolerance,
                ));
            }
            question.answer = Some(answer);
            question.tolerance = Some(tolerance);
        }
        (None, Some(min), Some(max)) if tolerance.is_none() => {
            if min > max {
                return Err(QuizError::new(format!("{path}.min"), QuizRule::MinAboveMax));
            }
            (question.min, question.max) = (Some(min), Some(max));
        }
        _ => return Err(QuizError::new(path, QuizRule::NumericTarget)),
    }
    Ok(())
}

fn parse_accepted(inputs: Vec<String>, path: &str) -> Result<Vec<String>, QuizError> {
    if !(1..=MAX_ACCEPTED).contains(&inputs.len()) {
        return Err(QuizError::new(path, QuizRule::AcceptedCount(inputs.len())));
    }
    let mut accepted = Vec::with_capacity(inputs.len());
    for (i, text) in inputs.iter().enumerate() {
        accepted.push(parse_text(text, MAX_CHOICE_CHARS, &format!("{path}[{i}]"))?);
    }
    Ok(accepted)
}

fn parse_items(inputs: Vec<ItemInput>, path: &str) -> Result<Vec<Item>, QuizError> {
    let count = inputs.len();
    if !(MIN_CHOICES..=MAX_CHOICES).contains(&count) {
        return Err(QuizError::new(path, QuizRule::ItemCount(count)));
    }
    let entries = inputs.into_iter().map(|input| (input.id, input.text));
    let entries = parse_entries(entries, 'i', QuizRule::ItemIdTaken, path)?;
    Ok(entries.map(|(id, text)| Item { id, text }).collect())
}

/// The ids (`{prefix}1`, `{prefix}2`… where left out; each once) and texts of a question's
/// choices or items.
fn parse_entries(
    entries: impl Iterator<Item = (Option<String>, String)>,
    prefix: char,
    taken: fn(String) -> QuizRule,
    path: &str,
) -> Result<impl Iterator<Item = (String, String)>, QuizError> {
    let mut parsed: Vec<(String, String)> = Vec::new();
    for (i, (id, text)) in entries.enumerate() {
        let id = parse_id(
            id,
            || format!("{prefix}{}", i + 1),
            &format!("{path}[{i}].id"),
        )?;
        if parsed.iter().any(|(other, _)| *other == id) {
            return Err(QuizError::new(format!("{path}[{i}].id"), taken(id)));
        }
        let text = parse_text(&text, MAX_CHOICE_CHARS, &format!("{path}[{i}].text"))?;
        parsed.push((id, text));
    }
    Ok(parsed.into_iter())
}

/// A text trimmed, neither empty nor longer than `max` characters.
fn parse_text(text: &str, max: usize, path: &str) -> Result<String, QuizError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(QuizError::new(path, QuizRule::Empty));
    }
    if text.chars().count() > max {
        return Err(QuizError::new(path, QuizRule::TooLong(max)));
    }
    Ok(text.to_owned())
}

fn parse_choices(
    kind: QuestionKind,
    inputs: Vec<ChoiceInput>,
    path: &str,
) -> Result<Vec<Choice>, QuizError> {
    if !kind.has_choices() {
        return match (inputs.is_empty(), kind) {
            (true, _) => Ok(Vec::new()),
            (false, QuestionKind::Open) => Err(QuizError::new(path, QuizRule::OpenWithChoices)),
            (false, _) => Err(QuizError::new(path, QuizRule::NotForKind("choices", kind))),
        };
    }
    let count = inputs.len();
    if kind == QuestionKind::TrueFalse && count != 2 {
        return Err(QuizError::new(path, QuizRule::TrueFalseTwoChoices));
    }
    if !(MIN_CHOICES..=MAX_CHOICES).contains(&count) {
        return Err(QuizError::new(path, QuizRule::ChoiceCount(count)));
    }
    let mut extras = Vec::with_capacity(count);
    for (i, input) in inputs.iter().enumerate() {
        let image = images::parse_image(input.image.clone(), &format!("{path}[{i}].image"))?;
        extras.push((input.correct, image));
    }
    let entries = inputs.into_iter().map(|input| (input.id, input.text));
    let entries = parse_entries(entries, 'c', QuizRule::ChoiceIdTaken, path)?;
    let choices: Vec<Choice> = (entries.zip(extras))
        .map(|((id, text), (correct, image))| Choice {
            id,
            text,
            correct,
            image,
        })
        .collect();
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
