//! A server killed (`kill -9`) mid-quiz: open questions, reveals, final scores, the quiz chosen
//! at launch and deadlines survive the restart; repeated kills during answer bursts lose and
//! duplicate no acknowledged answer.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    QuizRoom, accepted, answers_of, assert_room_scores, assert_unsettled, command, correct_ids,
    counts, create_quiz, data_of, launched_with_its_quiz, now_ms, standings, start, two_questions,
};
use crate::helpers::{TestApp, WAIT, eventually};
use crate::live_client::{LiveClient, LiveRoom, contains, kind, returning};
use crate::restart::{Server, free_local_addr};

/// A leaderboard as {participant_id: score}.
fn scores_of(leaderboard: &Value) -> BTreeMap<String, i64> {
    standings(leaderboard)
        .into_iter()
        .map(|(id, (score, _))| (id, score))
        .collect()
}

/// The real binary on a fresh database, a room, a quiz of its trainer, the trainer joined.
async fn quiz_room_on_binary(scoring: &str, questions: Value) -> (Server, QuizRoom) {
    let app = TestApp::without_server(free_local_addr()).await;
    let server = Server::start(&app).await;
    let room = LiveRoom::launch(&app).await;
    let quiz = create_quiz(&app, &room.token, scoring, questions).await;
    (server, QuizRoom::joined(app, room, quiz).await)
}

#[tokio::test]
async fn after_a_kill_mid_question_it_is_still_open_and_no_answer_is_lost() {
    let (mut server, mut s) = quiz_room_on_binary("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    let asked = s.start_and_open(&mut people).await;
    let ines = s.join("Inès", "Roy").await;
    let deadline = ines.welcome["state"]["activity"]["deadline_ms"].clone();
    assert_eq!(deadline, asked["deadline_ms"]);
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    let seats: Vec<(String, String)> = [&people[0], &people[1], &ines]
        .iter()
        .map(|c| (c.participant_id.clone(), c.resume_token.clone().unwrap()))
        .collect();
    server.kill();
    drop((s.trainer, people, ines));

    let _server = Server::start(&s.app).await;
    let mut back = Vec::new();
    for (id, token) in &seats {
        let client = LiveClient::joined(&s.app, &s.room.name, returning(token)).await;
        assert_eq!(&client.participant_id, id);
        let activity = &client.welcome["state"]["activity"];
        assert!(
            contains(activity, &json!({"phase": "open", "index": 0})),
            "the same question: {activity}"
        );
        let remaining = activity["deadline_ms"].as_i64().unwrap() - now_ms();
        assert!(remaining > 50_000, "its time runs on: {activity}");
        back.push(client);
    }
    s.trainer = s.room.trainer(&s.app).await;
    assert_eq!(s.trainer.welcome["state"]["activity"]["answered"], 2);
    let [zoe, leo, ines] = &mut back[..] else {
        unreachable!()
    };
    let mine = &zoe.welcome["state"]["answers"][0];
    assert_eq!(mine["question_id"], s.quiz.question_id(0), "{mine}");
    assert_unsettled(mine);
    zoe.refused(s.quiz.choose(0, &["Milan"]), "already_answered")
        .await;
    accepted(ines, s.quiz.choose(0, &["Rome"])).await;
    let closed = s.trainer.recv_type("quiz_question_closed").await;
    assert!(
        contains(&closed, &json!({"answered": 3, "present": 3})),
        "everyone online has answered: {closed}"
    );
    leo.recv_type("quiz_question_closed").await;
    let (ended, _) = s.trainer_does(&mut back, "quiz_end", "quiz_ended").await;
    let expected: BTreeMap<String, i64> = seats
        .iter()
        .map(|(id, _)| id.clone())
        .zip([1000, 0, 1000])
        .collect();
    assert_eq!(
        scores_of(&ended["leaderboard"]),
        expected,
        "answers from before and after the kill count"
    );

    let events = s.events().await;
    for ((id, _), choice) in seats.iter().zip(["Rome", "Milan", "Rome"]) {
        let [answer] = answers_of(&events, id, s.quiz.question_id(0))[..] else {
            panic!("one stored answer from {id}");
        };
        assert_eq!(
            answer["answer"]["choice_ids"],
            json!([s.quiz.choice(0, choice)])
        );
    }
    let [event] = &data_of(&events, "quiz_ended")[..] else {
        panic!("one quiz_ended event");
    };
    assert_room_scores(&s.app, &s.room, &event["scores"]).await;
}

#[tokio::test]
async fn after_a_kill_a_revealed_question_is_still_revealed_with_its_answer_and_points() {
    let (mut server, mut s) = quiz_room_on_binary("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    let [zoe, leo] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    accepted(leo, s.quiz.choose(0, &["Milan"])).await;
    s.trainer_does(&mut people, "quiz_reveal", "quiz_results")
        .await;
    let token = people[0].resume_token.clone().unwrap();
    server.kill();
    drop((s.trainer, people));

    let _server = Server::start(&s.app).await;
    let zoe = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let state = &zoe.welcome["state"];
    let activity = &state["activity"];
    assert_eq!(activity["phase"], "revealed", "{activity}");
    assert_eq!(
        correct_ids(&activity["question"]),
        [s.quiz.choice(0, "Rome")],
        "the correct answer stays shown: {activity}"
    );
    assert!(
        contains(
            &state["answers"][0],
            &json!({"correct": true, "points": 1000})
        ),
        "{state}"
    );
    assert_eq!(state["score"], 1000);
    let events = s.room.events(&s.app).await;
    let [revealed] = &data_of(&events, "quiz_results_revealed")[..] else {
        panic!("one quiz_results_revealed event");
    };
    assert_eq!(revealed["question_id"], s.quiz.question_id(0));
    assert_eq!(
        counts(&revealed["distribution"]),
        BTreeMap::from([
            (s.quiz.choice(0, "Rome").to_owned(), 1),
            (s.quiz.choice(0, "Milan").to_owned(), 1)
        ])
    );
}

#[tokio::test]
async fn the_final_scores_and_the_quiz_chosen_at_launch_survive_a_restart() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let mut s = launched_with_its_quiz(app, two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await];
    s.start_and_open(&mut people).await;
    let [zoe] = &mut people;
    accepted(zoe, s.quiz.choose(0, &["Rome"])).await;
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let path = format!("/api/rooms/{}", s.room.id);
    let events = s.events().await;
    let scores = data_of(&events, "quiz_ended")[0]["scores"].clone();
    assert_room_scores(&s.app, &s.room, &scores).await;
    let token = people[0].resume_token.clone().unwrap();
    server.kill();
    drop((s.trainer, people));

    let _server = Server::start(&s.app).await;
    let _zoe = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let mut trainer = s.room.trainer(&s.app).await;
    trainer.command(s.room.goto(1)).await;
    let page = s.room.page(1).to_owned();
    eventually("the room is checkpointed after the restart", async || {
        let row = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
        row["state"]["page_id"] == page.as_str()
    })
    .await;
    let row = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
    assert_eq!(
        row["quiz_id"],
        json!(s.quiz.id()),
        "the quiz chosen at launch is kept"
    );
    assert_room_scores(&s.app, &s.room, &scores).await;
}

#[tokio::test]
async fn after_a_kill_an_open_questions_deadline_is_exactly_the_same() {
    // A room resumed from its events reopens the question at the time its event row was
    // stamped, a little after the moment it opened: only rooms not checkpointed since show it,
    // and only when a millisecond ticked in between, so many rooms open a question just before
    // the kill.
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let mut rooms = Vec::new();
    for _ in 0..30 {
        let room = LiveRoom::launch(&app).await;
        let quiz = create_quiz(&app, &room.token, "accuracy", two_questions(60)).await;
        let mut trainer = room.trainer(&app).await;
        trainer.command(start(quiz.id())).await;
        rooms.push((room, trainer));
    }
    let mut deadlines = Vec::new();
    for (_, trainer) in &mut rooms {
        trainer.command(command("quiz_next")).await;
        deadlines.push(trainer.recv_type("quiz_question").await["deadline_ms"].clone());
    }
    server.kill();

    let _server = Server::start(&app).await;
    for ((room, _), deadline) in rooms.iter().zip(&deadlines) {
        let trainer = room.trainer(&app).await;
        let activity = &trainer.welcome["state"]["activity"];
        assert_eq!(activity["deadline_ms"], *deadline, "{activity}");
    }
}

/// `kill -9` rounds in the answer-burst test: `PRATICO_FAULT_KILLS` (scripts/fault-test.sh
/// sets more), 3 by default.
fn kill_rounds() -> usize {
    std::env::var("PRATICO_FAULT_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

#[tokio::test]
async fn repeated_kills_during_answer_bursts_lose_and_duplicate_no_acknowledged_answer() {
    const PARTICIPANTS: usize = 20;
    let rounds = kill_rounds();
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let room = LiveRoom::launch(&app).await;
    let question = json!({"kind": "single", "prompt": "Capitale de l'Italie ?",
        "time_limit_s": 600, "choices": [{"text": "Rome", "correct": true}, {"text": "Milan"}]});
    let quiz = create_quiz(&app, &room.token, "speed", json!(vec![question; rounds])).await;
    let mut trainer = room.trainer(&app).await;
    trainer.command(start(quiz.id())).await;
    let mut people = Vec::new();
    for i in 0..PARTICIPANTS {
        people.push(room.participant(&app, "Élève", &format!("N°{i}")).await);
    }
    // (participant, question) pairs acknowledged, and those the server said it already had.
    let mut acked = BTreeSet::new();
    let mut already = BTreeSet::new();
    for round in 0..rounds {
        trainer.command(command("quiz_next")).await;
        let question_id = quiz.question_id(round).to_owned();
        let answer = quiz.choose(round, &["Rome"]);
        for person in &mut people {
            person.recv_type("quiz_question").await;
        }
        for (i, person) in people.iter_mut().enumerate() {
            let mut sent = answer.clone();
            sent["req"] = json!(format!("{round}-{i}"));
            person.send(sent).await;
        }
        // Killed while the burst is being committed: some answers are acknowledged, some
        // stored without their acknowledgement reaching anyone, some never stored. The kill
        // lands a little later each round; no event marks "mid-commit" to wait for.
        tokio::time::sleep(Duration::from_millis(3 * round as u64)).await;
        server.kill();
        for person in &mut people {
            let (seen, _) = person.read_to_end(WAIT).await;
            if seen.iter().any(|m| {
                kind(m) == "quiz_answer_accepted" && m["question_id"] == question_id.as_str()
            }) {
                acked.insert((person.participant_id.clone(), question_id.clone()));
            }
        }
        server = Server::start(&app).await;
        trainer = room.trainer(&app).await;
        for person in &mut people {
            let token = person.resume_token.clone().unwrap();
            let id = person.participant_id.clone();
            *person = LiveClient::joined(&app, &room.name, returning(&token)).await;
            assert_eq!(person.participant_id, id, "the same seat after the kill");
            let key = (id, question_id.clone());
            // The welcome says which answers the room has, as the real client reads it.
            let kept = person.welcome["state"]["answers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["question_id"] == question_id.as_str());
            if acked.contains(&key) {
                assert!(kept, "an acknowledged answer is missing from the welcome");
                continue;
            }
            if kept {
                // Stored, its acknowledgement lost in the kill (the question may even have
                // closed, everyone having answered).
                already.insert(key);
                continue;
            }
            // Never stored: the client sends it again, and it is taken.
            let reply = person.request(answer.clone()).await;
            assert_eq!(
                kind(&reply),
                "quiz_answer_accepted",
                "a resent answer got {reply}"
            );
            acked.insert(key);
        }
    }

    let events = room.events(&app).await;
    let stored: Vec<(String, String)> = events
        .iter()
        .filter(|e| e.kind == "quiz_answered")
        .map(|e| {
            let field = |k: &str| e.data.0[k].as_str().unwrap().to_owned();
            (field("participant_id"), field("question_id"))
        })
        .collect();
    let unique: BTreeSet<_> = stored.iter().cloned().collect();
    assert_eq!(unique.len(), stored.len(), "an answer was stored twice");
    let lost: Vec<_> = acked.difference(&unique).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    assert!(
        already.is_subset(&unique),
        "`already_answered` for an answer not stored"
    );
    assert_eq!(
        stored.len(),
        PARTICIPANTS * rounds,
        "every answer is stored once in the end"
    );
    eprintln!(
        "{rounds} kills: {} answers acknowledged, {} stored without their acknowledgement \
         reaching the client, {} stored, 0 lost, 0 duplicated",
        acked.len(),
        already.len(),
        stored.len()
    );
}
