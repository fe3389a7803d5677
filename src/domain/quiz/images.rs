//! Images in questions and choices: each is an image of the asset store, named by its URL
//! (`/api/assets/{id}`), as tldraw documents name theirs. Here only the URL's form is checked;
//! that the asset exists and belongs to the quiz's owner needs the store (`http/api/quizzes`).
//!
//! No width or height is kept beside the URL. Clients show a question's image, and each
//! choice's, in a box whose shape is fixed by the layout (an aspect ratio and a height cap in
//! CSS), the image fitted inside (`object-fit: contain`). The box has its size before a byte
//! arrives, so nothing moves when the image loads, fails, or is an SVG without intrinsic size
//! (measuring those from their header is guesswork); and every question keeps its answer buttons
//! at the same place on a phone, whatever the image's shape. The price is a margin around
//! images of another shape, which a trainer sees in the editor's preview.

use uuid::Uuid;

use super::{Question, QuizError, QuizRule};
use crate::domain::assets::{asset_id, url_of};

/// An image a quiz names: where (the JSON path, and the question and choice in words) and
/// which asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `questions[1].choices[0].image`.
    pub field: String,
    /// `question 2 (q2), choice 1 (c1)`: the question's and choice's place and id, for people.
    pub named: String,
    pub asset_id: Uuid,
}

/// An image given in a quiz: none, or an asset's URL (written back in its one form).
pub(super) fn parse_image(input: Option<String>, path: &str) -> Result<Option<String>, QuizError> {
    match input.as_deref().map(str::trim) {
        None => Ok(None),
        Some(url) => asset_id(url)
            .map(|id| Some(url_of(id)))
            .ok_or_else(|| QuizError::new(path, QuizRule::BadImage)),
    }
}

/// Every image of the questions, each with where it is.
pub fn image_refs(questions: &[Question]) -> Vec<ImageRef> {
    let mut found = Vec::new();
    for (i, question) in questions.iter().enumerate() {
        let named = format!("question {} ({})", i + 1, question.id);
        if let Some(id) = question.image.as_deref().and_then(asset_id) {
            found.push(ImageRef {
                field: format!("questions[{i}].image"),
                named: named.clone(),
                asset_id: id,
            });
        }
        for (j, choice) in question.choices.iter().enumerate() {
            if let Some(id) = choice.image.as_deref().and_then(asset_id) {
                found.push(ImageRef {
                    field: format!("questions[{i}].choices[{j}].image"),
                    named: format!("{named}, choice {} ({})", j + 1, choice.id),
                    asset_id: id,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quiz::{ChoiceInput, QuestionInput, QuestionKind, parse_questions};

    const URL: &str = "/api/assets/7d6f1e1a-0000-4000-8000-000000000000";

    fn choice(text: &str, correct: bool, image: Option<&str>) -> ChoiceInput {
        ChoiceInput {
            id: None,
            text: text.into(),
            correct,
            image: image.map(Into::into),
        }
    }

    #[test]
    fn questions_and_choices_carry_an_image_by_its_url() {
        let mut single = QuestionInput::new(QuestionKind::Single, "Which one is a cat?");
        single.image = Some(format!(" {} ", URL.replace("7d6f1e1a", "7D6F1E1A")));
        single.choices = vec![choice("Tom", true, Some(URL)), choice("Rex", false, None)];
        let mut open = QuestionInput::new(QuestionKind::Open, "What do you see?");
        open.image = Some(URL.into());
        let questions = parse_questions(vec![single, open]).unwrap();
        assert_eq!(questions[0].image.as_deref(), Some(URL), "one form");
        assert_eq!(questions[0].choices[0].image.as_deref(), Some(URL));
        assert_eq!(questions[0].choices[1].image, None);
        let id = Uuid::parse_str(&URL[12..]).unwrap();
        assert_eq!(
            image_refs(&questions),
            vec![
                ImageRef {
                    field: "questions[0].image".into(),
                    named: "question 1 (q1)".into(),
                    asset_id: id
                },
                ImageRef {
                    field: "questions[0].choices[0].image".into(),
                    named: "question 1 (q1), choice 1 (c1)".into(),
                    asset_id: id
                },
                ImageRef {
                    field: "questions[1].image".into(),
                    named: "question 2 (q2)".into(),
                    asset_id: id
                },
            ]
        );
        // Left out of the JSON when absent: quizzes and events written before read the same.
        let json = serde_json::to_value(&questions[0].choices[1]).unwrap();
        assert_eq!(json.get("image"), None);
    }

    #[test]
    fn an_image_elsewhere_than_the_asset_store_is_refused_with_its_path() {
        for bad in [
            "https://tracker.example/pixel.png",
            "//tracker.example/x.png",
            "data:image/png;base64,iVBORw0K",
            "/api/assets/not-an-id",
            "",
        ] {
            let mut question = QuestionInput::new(QuestionKind::Poll, "Which?");
            question.choices = vec![choice("A", false, None), choice("B", false, Some(bad))];
            let error = parse_questions(vec![question]).unwrap_err();
            assert_eq!(error.field, "questions[0].choices[1].image", "{bad}");
            assert_eq!(error.rule, QuizRule::BadImage);

            let mut question = QuestionInput::new(QuestionKind::Numeric, "How many?");
            question.answer = Some(3.0);
            question.image = Some(bad.into());
            let error = parse_questions(vec![question]).unwrap_err();
            assert_eq!(error.field, "questions[0].image", "{bad}");
        }
    }
}
