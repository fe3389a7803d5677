//! What a new account starts with, so that a first session can be run at once: a sample capsule
//! (a five-page deck) and a sample quiz on it with one question of each kind, in French or in
//! English.

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::domain::quiz::{QuestionInput, QuizSettings, parse_questions};
use crate::domain::tldraw::{self, CapsuleDocument};
use crate::store::Db;
use crate::store::capsules::{self, Quota};
use crate::store::quizzes::{self, QuizFields};

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

impl Language {
    /// The sample deck, as a capsule's document.
    pub fn sample_document(self) -> CapsuleDocument {
        let file = serde_json::from_str(self.sample().capsule).expect("the sample is JSON");
        tldraw::read_document(file).expect("the sample is a tldraw document")
    }
}

/// An empty deck: one empty page ("Page 1" in both languages, as tldraw names it).
pub fn blank_document() -> CapsuleDocument {
    // The sample's schema: the records below are valid in it, and editors migrate them.
    let schema = Language::En.sample_document().snapshot["schema"].clone();
    let snapshot = json!({
        "store": {
            "document:document": {"gridSize": 10, "name": "", "meta": {},
                                  "id": "document:document", "typeName": "document"},
            "page:page": {"meta": {}, "id": "page:page", "name": "Page 1", "index": "a1",
                          "typeName": "page"},
        },
        "schema": schema,
    });
    tldraw::read_document(snapshot).expect("a blank deck is a tldraw document")
}

/// Creates the sample capsule and its quiz for `owner`.
pub async fn create(db: &Db, owner: Uuid, language: Language, now: i64) -> anyhow::Result<()> {
    let sample = language.sample();
    let document = language.sample_document();
    let quiz: SampleQuiz = serde_json::from_str(sample.quiz)?;
    let questions = parse_questions(quiz.questions)?;
    let snapshot = serde_json::value::to_raw_value(&document.snapshot)?;
    let title = sample.capsule_title;
    let capsule = capsules::insert(
        db,
        owner,
        title,
        &snapshot,
        &document.pages,
        now,
        Quota::NONE,
    )
    .await?
    .expect("no quota holds back the sample");
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

    #[test]
    fn a_blank_deck_is_one_empty_page() {
        let blank = blank_document();
        assert_eq!(blank.pages.len(), 1);
        assert_eq!(blank.pages[0].name, "Page 1");
        let records = blank.snapshot["store"].as_object().unwrap();
        assert_eq!(records.len(), 2, "the document and its page, nothing drawn");
    }
}
