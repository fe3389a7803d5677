//! Answering and closing: acknowledgements once stored, the trainer's progress, a question
//! closing by itself (everyone answered, or its time is up), joining or coming back mid-question.

use std::time::Duration;

use serde_json::json;

use super::{
    accepted, answers_of, assert_unsettled, assert_without_correct_answers, command, data_of,
    has_key, now_ms, quiz_room, two_questions,
};
use crate::helpers::WAIT;
use crate::live_client::{LiveClient, assert_events_in_order, contains, kind, returning};

#[tokio::test]
async fn quiz_answer_accepted_comes_once_the_answer_is_in_the_database() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, _] = &mut people;
    let reply = zoe
        .request(
            json!({"type": "quiz_answer", "question_id": s.quiz.question_id(0),
                        "choice_ids": [s.quiz.choice(0, "Rome")]}),
        )
        .await;
    let events = s.events().await;
    assert_eq!(reply["type"], "quiz_answer_accepted", "{reply}");
    assert_eq!(reply["question_id"], s.quiz.question_id(0));
    assert!(reply["req"].is_string(), "the req is echoed: {reply}");
    let stored = answers_of(&events, &zoe.participant_id, s.quiz.question_id(0));
    assert_eq!(stored.len(), 1, "stored before the reply: {stored:?}");
    assert!(
        !has_key(&reply, "correct") && !has_key(&reply, "points"),
        "{reply}"
    );
}

#[tokio::test]
async fn the_trainer_follows_the_answers_with_quiz_progress() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [
        s.join("Zoé", "Durand").await,
        s.join("Léo", "Petit").await,
        s.join("Inès", "Roy").await,
    ];
    let asked = s.start_and_open(&mut people).await;
    let question_id = asked["question"]["id"].clone();
    let progress = |answered: usize| {
        json!({"type": "quiz_progress", "question_id": question_id, "answered": answered,
               "present": 3})
    };
    assert_eq!(s.trainer.recv_type("quiz_progress").await, progress(0));
    for (answered, client) in people.iter_mut().take(2).enumerate() {
        accepted(client, s.quiz.choose(0, &["Rome"])).await;
        assert_eq!(
            s.trainer.recv_type("quiz_progress").await,
            progress(answered + 1)
        );
    }
    let (closed, _) = s
        .trainer_does(&mut people, "quiz_close", "quiz_question_closed")
        .await;
    assert_eq!(
        closed,
        json!({"type": "quiz_question_closed", "question_id": question_id, "answered": 2,
               "present": 3})
    );
    for client in &mut people {
        client.expect_silence("quiz_progress").await;
    }
}

#[tokio::test]
async fn a_burst_of_answers_gives_the_trainer_a_few_counts_not_one_per_answer() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    // One who does not answer keeps the question open.
    let mut people = vec![s.join("Inès", "Roy").await];
    for n in 0..30 {
        people.push(s.join(&format!("P{n}"), "Classe").await);
    }
    s.start_and_open(&mut people).await;
    s.trainer.recv_type("quiz_progress").await;
    let answer = s.quiz.choose(0, &["Rome"]);
    for client in people.iter_mut().skip(1) {
        client.send(answer.clone()).await;
    }
    for client in people.iter_mut().skip(1) {
        assert_eq!(
            client.recv_type("quiz_answer_accepted").await["type"],
            "quiz_answer_accepted"
        );
    }
    let mut counts = Vec::new();
    while counts.last() != Some(&30) {
        let progress = s.trainer.recv_type("quiz_progress").await;
        counts.push(progress["answered"].as_u64().unwrap());
    }
    assert!(counts.len() <= 5, "30 answers at once, counted {counts:?}");
    assert!(counts.is_sorted(), "{counts:?}");
}

#[tokio::test]
async fn a_question_closes_by_itself_once_every_participant_online_has_answered() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let gone = s.join("Inès", "Roy").await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let gone_id = gone.participant_id.clone();
    gone.close().await;
    s.trainer
        .recv_where("Inès leaving", |m| {
            kind(m) == "participant_left" && m["participant_id"] == gone_id.as_str()
        })
        .await;
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    zoe.expect_silence("quiz_question_closed").await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    let expected = json!({"type": "quiz_question_closed", "question_id": s.quiz.question_id(0),
                          "answered": 2, "present": 2});
    for client in std::iter::once(&mut s.trainer).chain(people.iter_mut()) {
        assert_eq!(client.recv_type("quiz_question_closed").await, expected);
    }
    let [zoe, _] = &mut people;
    let mut late = s.join("Jade", "Morel").await;
    assert_eq!(late.welcome["state"]["activity"]["phase"], "closed");
    late.refused(s.quiz.choose(0, &["Rome"]), "question_closed")
        .await;
    zoe.ping().await;
    assert_eq!(data_of(&s.events().await, "quiz_question_closed").len(), 1);
}

#[tokio::test]
async fn a_question_closes_by_itself_when_its_time_limit_ends() {
    let mut s = quiz_room("accuracy", two_questions(5)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let opened_at = now_ms();
    let asked = s.start_and_open(&mut people).await;
    let deadline = asked["deadline_ms"].as_i64().unwrap();
    assert!(
        (opened_at + 5000..now_ms() + 5000 + 1).contains(&deadline),
        "5 s from the opening: {asked}"
    );
    let remaining = asked["remaining_ms"].as_i64().unwrap();
    assert!((4000..=5000).contains(&remaining), "{asked}");
    let [zoe, _] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    let closed = s
        .trainer
        .recv_where_pinging(
            "the question timing out",
            WAIT + Duration::from_secs(3),
            |m| kind(m) == "quiz_question_closed",
        )
        .await;
    let at = now_ms();
    assert!(
        (deadline..deadline + 2500).contains(&at),
        "closed at the deadline {deadline}, seen at {at}"
    );
    assert_eq!(
        closed,
        json!({"type": "quiz_question_closed", "question_id": s.quiz.question_id(0),
               "answered": 1, "present": 2})
    );
    let [zoe, leo] = &mut people;
    zoe.recv_type("quiz_question_closed").await;
    leo.recv_type("quiz_question_closed").await;
    leo.refused(s.quiz.choose(0, &["Rome"]), "question_closed")
        .await;
    assert_events_in_order(
        &s.events().await,
        &[(
            "quiz_question_closed",
            json!({"question_id": s.quiz.question_id(0), "answered": 1, "present": 2}),
        )],
    );
}

#[tokio::test]
async fn a_participant_joining_mid_question_finds_it_in_welcome_and_may_answer() {
    let mut s = quiz_room("speed", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await];
    let asked = s.start_and_open(&mut people).await;
    let mut ines = s.join("Inès", "Roy").await;
    let state = &ines.welcome["state"];
    let activity = &state["activity"];
    assert!(
        contains(
            activity,
            &json!({"kind": "quiz", "quiz_id": s.quiz.id(), "title": "Révisions",
                    "scoring": "speed", "question_count": 2, "index": 0, "phase": "open",
                    "deadline_ms": asked["deadline_ms"], "answered": 0})
        ),
        "{activity}"
    );
    let question = &activity["question"];
    assert_without_correct_answers(question);
    let mut expected = asked["question"].clone();
    for choice in expected["choices"].as_array_mut().unwrap() {
        choice.as_object_mut().unwrap().remove("correct");
    }
    assert_eq!(*question, expected);
    assert_eq!(state["score"], 0);
    assert_eq!(state["answers"], json!([]));
    accepted(&mut ines, s.quiz.choose(0, &["Rome"])).await;
    let trainer_view = s.room.trainer(&s.app).await;
    let activity = &trainer_view.welcome["state"]["activity"];
    assert_eq!(activity["answered"], 1, "{activity}");
    assert_eq!(
        activity["question"], asked["question"],
        "the trainer's has `correct`"
    );
}

#[tokio::test]
async fn a_returning_participant_sees_their_answers_but_no_result_before_the_reveal() {
    let mut s = quiz_room("accuracy", two_questions(30)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    let (asked, _) = s
        .trainer_does(&mut people, "quiz_next", "quiz_question")
        .await;
    let [zoe, _] = &mut people;
    accepted(zoe, s.quiz.choose(1, &["Vrai"])).await;
    let token = zoe.resume_token.clone().unwrap();
    let [zoe, mut leo] = people;
    zoe.close().await;

    let mut zoe = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let state = &zoe.welcome["state"];
    assert_eq!(state["score"], 1000, "only the revealed question counts");
    let answers = state["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2, "{answers:#?}");
    assert!(
        contains(
            &answers[0],
            &json!({"question_id": s.quiz.question_id(0), "correct": true, "points": 1000,
                    "answer": {"choice_ids": [s.quiz.choice(0, "Rome")]}})
        ),
        "{answers:#?}"
    );
    assert!(
        contains(
            &answers[1],
            &json!({"question_id": s.quiz.question_id(1),
                    "answer": {"choice_ids": [s.quiz.choice(1, "Vrai")]}})
        ),
        "{answers:#?}"
    );
    assert_unsettled(&answers[1]);
    let activity = &state["activity"];
    assert!(
        contains(
            activity,
            &json!({"phase": "open", "index": 1, "deadline_ms": asked["deadline_ms"],
                    "answered": 1})
        ),
        "{activity}"
    );
    assert_without_correct_answers(&activity["question"]);

    s.trainer.command(command("quiz_reveal")).await;
    let results = zoe.recv_type("quiz_results").await;
    assert_eq!(
        results["yours"],
        json!({"answered": true, "correct": true, "points": 1000, "score": 2000, "rank": 1})
    );
    leo.recv_type("quiz_results").await;
}
