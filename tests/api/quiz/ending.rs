//! A quiz ended by the session's end, and its standings kept for a participant who reloads.

use reqwest::StatusCode;
use serde_json::json;

use super::{accepted, quiz_room, two_questions};
use crate::live_client::{LiveClient, contains, returning};

#[tokio::test]
async fn ending_the_session_mid_question_ends_the_quiz_and_everyone_gets_the_standings() {
    let mut s = quiz_room("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    accepted(&mut people[0], s.quiz.choose(0, &["Rome"])).await;
    s.trainer.command(json!({"type": "end_session"})).await;
    for client in &mut people {
        let ended = client.recv_type("quiz_ended").await;
        assert_eq!(ended["quiz_id"], s.quiz.id());
        assert_eq!(
            ended["yours"]["participant_id"],
            json!(client.participant_id)
        );
        client.recv_type("session_ended").await;
    }
    let events = s.events().await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let tail = &kinds[kinds.len() - 5..];
    assert_eq!(
        tail,
        [
            "quiz_question_closed",
            "quiz_ended",
            "participant_left",
            "participant_left",
            "session_ended"
        ]
    );
    let path = format!("/api/sessions/{}/report?lang=fr", s.room.id);
    let report = s.app.get(&path, &s.room.token).await.expect(StatusCode::OK);
    assert_eq!(report["notes"], json!([]), "nothing is missing: {report}");
    assert_eq!(report["quizzes"][0]["ranking"][0]["score"], 1000);
}

#[tokio::test]
async fn a_participant_who_reloads_after_the_quiz_ended_keeps_their_rank_and_points() {
    let mut s = quiz_room("accuracy", two_questions(60)).await;
    let mut people = [s.join("Zoé", "Durand").await, s.join("Léo", "Petit").await];
    s.start_and_open(&mut people).await;
    accepted(&mut people[1], s.quiz.choose(0, &["Rome"])).await;
    s.trainer_does(&mut people, "quiz_end", "quiz_ended").await;
    let token = people[1].resume_token.clone().unwrap();
    let leo_id = people[1].participant_id.clone();
    drop(people);

    let leo = LiveClient::joined(&s.app, &s.room.name, returning(&token)).await;
    let state = &leo.welcome["state"];
    assert_eq!(state["score"], 1000, "{state}");
    let ended = &state["quiz_ended"];
    assert_eq!(ended["quiz_id"], s.quiz.id());
    assert_eq!(ended["title"], "Révisions");
    assert!(
        contains(
            &ended["yours"],
            &json!({"participant_id": leo_id, "score": 1000, "rank": 1})
        ),
        "{ended}"
    );
    assert_eq!(ended["leaderboard"].as_array().unwrap().len(), 2);
}
