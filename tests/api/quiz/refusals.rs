//! What is refused during a quiz: participants' quiz commands, answers with no quiz or no open
//! question, second answers, malformed answers.

use serde_json::{Value, json};

use super::{
    accepted, answers_of, command, data_of, everyone_gets, five_kinds, quiz_room, start,
    two_questions,
};
use crate::live_client::{LiveClient, returning};

#[tokio::test]
async fn quiz_commands_from_a_participant_are_forbidden_and_the_trainer_does_not_answer() {
    let mut s = quiz_room("accuracy", five_kinds()).await;
    let mut zoe = s.join("Zoé", "Durand").await;
    zoe.refused(start(s.quiz.id()), "forbidden").await;
    let mut people = [zoe];
    s.start_and_open(&mut people).await;
    let [zoe] = &mut people;
    for kind in [
        "quiz_start",
        "quiz_next",
        "quiz_close",
        "quiz_reveal",
        "quiz_end",
    ] {
        zoe.refused(command(kind), "forbidden").await;
    }
    s.trainer
        .refused(s.quiz.choose(0, &["Paris"]), "forbidden")
        .await;
    zoe.expect_silence("quiz_question_closed").await;
    let later = s.join("Léo", "Petit").await;
    let activity = &later.welcome["state"]["activity"];
    assert_eq!(activity["index"], 0, "{activity}");
    assert_eq!(activity["phase"], "open", "{activity}");
    assert!(data_of(&s.events().await, "quiz_answered").is_empty());
}

#[tokio::test]
async fn with_no_quiz_running_answers_and_quiz_commands_are_not_in_quiz() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut zoe = s.join("Zoé", "Durand").await;
    let answer = s.quiz.choose(0, &["Rome"]);
    zoe.refused(answer.clone(), "not_in_quiz").await;
    for kind in ["quiz_next", "quiz_close", "quiz_reveal", "quiz_end"] {
        s.trainer.refused(command(kind), "not_in_quiz").await;
    }
    let mut people = [zoe];
    s.start_and_open(&mut people).await;
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let [zoe] = &mut people;
    zoe.refused(answer, "not_in_quiz").await;
    s.trainer.refused(command("quiz_next"), "not_in_quiz").await;
    assert!(data_of(&s.events().await, "quiz_answered").is_empty());
}

#[tokio::test]
async fn an_answer_to_a_question_that_is_not_open_is_question_closed() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let start = start(s.quiz.id());
    everyone_gets(&mut s.trainer, &mut people, start, "quiz_started").await;
    let [zoe, _] = &mut people;
    let first = s.quiz.choose(0, &["Rome"]);
    zoe.refused(first.clone(), "question_closed").await;
    s.trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    zoe.refused(s.quiz.choose(1, &["Vrai"]), "question_closed")
        .await;
    s.trainer_does(&mut people, "quiz_close", "quiz_question_closed")
        .await;
    let [zoe, _] = &mut people;
    zoe.refused(first.clone(), "question_closed").await;
    s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    let [zoe, leo] = &mut people;
    zoe.refused(first.clone(), "question_closed").await;
    leo.refused(first, "question_closed").await;
    zoe.expect_silence("quiz_answer_accepted").await;
    assert!(data_of(&s.events().await, "quiz_answered").is_empty());
}

#[tokio::test]
async fn a_second_answer_is_already_answered_even_after_coming_back_with_the_resume_token() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, _] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Milan"])).await;
    zoe.refused(s.quiz.choose(0, &["Milan"]), "already_answered")
        .await;
    zoe.refused(s.quiz.choose(0, &["Rome"]), "already_answered")
        .await;
    let token = zoe.resume_token.clone().unwrap();
    let [zoe, _leo] = people;
    zoe.close().await;
    let mut back = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    back.refused(s.quiz.choose(0, &["Rome"]), "already_answered")
        .await;
    back.expect_silence("quiz_answer_accepted").await;
    let events = s.events().await;
    let [mine] = answers_of(&events, &back.participant_id, s.quiz.question_id(0))[..] else {
        panic!("one answer from Zoé: {events:#?}");
    };
    assert_eq!(
        mine["answer"]["choice_ids"],
        json!([s.quiz.choice(0, "Milan")])
    );
    assert_eq!(mine["points"], 0);
}

#[tokio::test]
async fn bad_answers_are_refused_and_the_participant_may_still_answer() {
    let questions = json!([
        {"kind": "single", "prompt": "Capitale de l'Italie ?",
         "choices": [{"text": "Rome", "correct": true}, {"text": "Milan"}]},
        {"kind": "multiple", "prompt": "Villes italiennes ?",
         "choices": [{"text": "Rome", "correct": true}, {"text": "Milan", "correct": true},
                     {"text": "Lyon"}]},
        {"kind": "open", "prompt": "Une remarque ?"}
    ]);
    let mut s = quiz_room("accuracy", questions).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let quiz = s.quiz.clone();
    let (single, multiple, open) = (
        quiz.question_id(0),
        quiz.question_id(1),
        quiz.question_id(2),
    );
    let answer = |question_id: &str, fields: Value| {
        let mut message = json!({"type": "quiz_answer", "question_id": question_id});
        message
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        message
    };
    let rome = quiz.choice(0, "Rome");
    let milan = quiz.choice(0, "Milan");
    let [zoe, _] = &mut people;
    for fields in [
        json!({"choice_ids": ["nowhere"]}),
        json!({"choice_ids": [rome, milan]}),
        json!({"choice_ids": []}),
        json!({"choice_ids": [rome], "text": "Rome"}),
        json!({}),
        json!({"text": "Rome"}),
    ] {
        zoe.refused(answer(single, fields), "bad_answer").await;
    }
    accepted(zoe, quiz.choose(0, &["Rome"])).await;

    s.trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    let (m_rome, m_milan) = (quiz.choice(1, "Rome"), quiz.choice(1, "Milan"));
    zoe.refused(
        answer(multiple, json!({"choice_ids": [m_rome, "nowhere"]})),
        "bad_answer",
    )
    .await;
    accepted(zoe, quiz.choose(1, &["Milan", "Rome"])).await;

    s.trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    let too_long = "é".repeat(501);
    for fields in [
        json!({"text": ""}),
        json!({"text": "   "}),
        json!({"text": too_long}),
        json!({"choice_ids": [rome]}),
    ] {
        zoe.refused(answer(open, fields), "bad_answer").await;
    }
    let longest = "é".repeat(500);
    accepted(zoe, quiz.write(2, &longest)).await;

    let events = s.events().await;
    let zoe_id = &people[0].participant_id;
    let recorded: Vec<&Value> = data_of(&events, "quiz_answered")
        .into_iter()
        .filter(|d| d["participant_id"] == zoe_id.as_str())
        .map(|d| &d["answer"])
        .collect();
    assert_eq!(
        recorded,
        [
            &json!({"choice_ids": [rome]}),
            &json!({"choice_ids": [m_milan, m_rome]}),
            &json!({"text": longest})
        ]
    );
}
