//! What a new account starts with, so that a first session can be run at once: a sample capsule
//! (a five-page deck) and a sample quiz on it with one question of each kind, in French or in
//! English.

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::quiz::{QuestionInput, QuizSettings, parse_questions};
use crate::domain::tldraw;
use crate::store::quizzes::{self, QuizFields};
use crate::store::{Db, capsules};

/// The language of the samples; French unless the sign-up asks for English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "../api-types/")]
pub enum Language {
    #[default]
    Fr,
    En,
}

struct Sample {
    capsule_title: &'static str,
    capsule: &'static str,
    quiz: &'static str,
}

impl Language {
    fn sample(self) -> Sample {
        match self {
            Self::Fr => Sample {
                capsule_title: "Initiation à la programmation",
                capsule: include_str!("../../../assets/samples/capsule.fr.tldr"),
                quiz: include_str!("../../../assets/samples/quiz.fr.json"),
            },
            Self::En => Sample {
                capsule_title: "Introduction to programming",
                capsule: include_str!("../../../assets/samples/capsule.en.tldr"),
                quiz: include_str!("../../../assets/samples/quiz.en.json"),
            },
        }
    }
}

#[derive(Deserialize)]
struct SampleQuiz {
    title: String,
    settings: QuizSettings,
    questions: Vec<QuestionInput>,
}

/// Creates the sample capsule and its quiz for `owner`.
pub async fn create(db: &Db, owner: Uuid, language: Language, now: i64) -> anyhow::Result<()> {
    let sample = language.sample();
    let document = tldraw::read_document(serde_json::from_str(sample.capsule)?)?;
    let quiz: SampleQuiz = serde_json::from_str(sample.quiz)?;
    let questions = parse_questions(quiz.questions)?;
    let capsule = capsules::insert(
        db,
        owner,
        sample.capsule_title,
        &document.snapshot,
        &document.pages,
        now,
    )
    .await?;
    let fields = QuizFields {
        title: quiz.title,
        capsule_id: Some(capsule.id),
        settings: quiz.settings,
        questions,
    };
    quizzes::insert(db, owner, fields, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_samples_are_a_five_page_deck_and_a_quiz_of_every_kind() {
        for language in [Language::Fr, Language::En] {
            let sample = language.sample();
            let document =
                tldraw::read_document(serde_json::from_str(sample.capsule).unwrap()).unwrap();
            assert_eq!(document.pages.len(), 5);
            let quiz: SampleQuiz = serde_json::from_str(sample.quiz).unwrap();
            let questions = parse_questions(quiz.questions).unwrap();
            let mut kinds: Vec<_> = questions.iter().map(|q| format!("{:?}", q.kind)).collect();
            kinds.sort();
            assert_eq!(kinds, ["Multiple", "Open", "Poll", "Single", "TrueFalse"]);
        }
    }
}
