//! A real session, through the API and the live socket: launch with a quiz, two participants
//! join, one drops out and comes back, the trainer turns a page and runs the quiz, both sides
//! chat, the trainer ends. The room and its chat are gone; the report is still there, and its
//! times, answers, points and ranks agree with the events the room wrote.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{db, fetch, trainer};
use crate::helpers::spawn_app;
use crate::live_client::{self, LiveClient, participant, returning};

/// Seconds each participant was present, computed from the stored joins and leaves.
fn presence_from_events(events: &[pratico::store::events::EventRow]) -> HashMap<String, i64> {
    let (mut since, mut ms) = (HashMap::new(), HashMap::<String, i64>::new());
    for e in events {
        let who = e.data.0["participant_id"].as_str().unwrap_or("").to_owned();
        match e.kind.as_str() {
            "participant_joined" => {
                since.insert(who, e.created_at);
            }
            "participant_left" => {
                let joined = since.remove(&who).expect("a leave follows a join");
                *ms.entry(who).or_default() += e.created_at - joined;
            }
            _ => {}
        }
    }
    assert!(since.is_empty(), "everyone left when the session ended");
    ms.into_iter().map(|(who, ms)| (who, ms / 1000)).collect()
}

fn by_participant<'a>(rows: &'a Value, id: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["participant_id"] == id)
        .unwrap_or_else(|| panic!("{id} in {rows}"))
}

#[tokio::test]
async fn after_a_real_session_the_room_is_gone_and_the_report_remains() {
    let app = spawn_app().await;
    let (token, trainer_id) = trainer(&app, "Ana Martin").await;
    let deck = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let questions = json!([
        {"kind": "single", "prompt": "Capitale de l'Italie ?",
         "choices": [{"text": "Rome", "correct": true}, {"text": "Milan"}]},
        {"kind": "true_false", "prompt": "Rome est en Italie.",
         "choices": [{"text": "Vrai", "correct": true}, {"text": "Faux"}]}
    ]);
    let body =
        json!({"title": "Révisions", "settings": {"scoring": "speed"}, "questions": questions});
    let quiz = app
        .post("/api/quizzes", &token, body)
        .await
        .expect(StatusCode::CREATED);
    let launch = json!({"capsule_id": deck["id"], "quiz_id": quiz["id"]});
    let room = app
        .post("/api/rooms", &token, launch)
        .await
        .expect(StatusCode::CREATED);
    let (room_id, name) = (room["id"].as_str().unwrap(), room["name"].as_str().unwrap());
    let q = |i: usize| quiz["questions"][i]["id"].as_str().unwrap().to_owned();
    let choice = |i: usize, n: usize| quiz["questions"][i]["choices"][n]["id"].clone();

    let mut ana = LiveClient::joined(&app, name, live_client::trainer(&token)).await;
    let mut zoe = LiveClient::joined(&app, name, participant("Zoé", "Durand")).await;
    let emile = LiveClient::joined(&app, name, participant("Émile", "Blanc")).await;
    let (zoe_id, emile_id) = (zoe.participant_id.clone(), emile.participant_id.clone());
    // Émile's connection drops; he comes back to his seat with his resume token.
    let resume = emile.resume_token.clone().unwrap();
    emile.close().await;
    ana.recv_where("Émile leaves", |m| {
        m["type"] == "participant_left" && m["participant_id"] == emile_id
    })
    .await;
    let mut emile = LiveClient::joined(&app, name, returning(&resume)).await;

    ana.command(json!({"type": "goto_page", "page_id": deck["pages"][1]["id"]}))
        .await;
    ana.command(json!({"type": "quiz_start", "quiz_id": quiz["id"]}))
        .await;
    ana.command(json!({"type": "quiz_next"})).await;
    for (who, pick) in [(&mut zoe, 0), (&mut emile, 1)] {
        let answer = who
            .request(json!({"type": "quiz_answer", "question_id": q(0), "choice_ids": [choice(0, pick)]}))
            .await;
        assert_eq!(answer["type"], "quiz_answer_accepted", "{answer}");
    }
    ana.command(json!({"type": "quiz_next"})).await;
    let answer = zoe
        .request(json!({"type": "quiz_answer", "question_id": q(1), "choice_ids": [choice(1, 0)]}))
        .await;
    assert_eq!(answer["type"], "quiz_answer_accepted", "{answer}");
    ana.command(json!({"type": "quiz_close"})).await;
    ana.command(json!({"type": "quiz_end"})).await;
    zoe.command(json!({"type": "chat_send", "text": "Bonjour à tous"}))
        .await;
    ana.command(json!({"type": "chat_send", "text": "Bienvenue"}))
        .await;
    app.post(&format!("/api/rooms/{room_id}/end"), &token, json!({}))
        .await
        .expect(StatusCode::OK);

    app.get(&format!("/api/rooms/{room_id}"), &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let db = db(&app).await;
    let chat_id = Uuid::parse_str(room["chat_id"].as_str().unwrap()).unwrap();
    let messages = pratico::store::live::recent_chat(&db, chat_id, 10)
        .await
        .unwrap();
    assert!(messages.is_empty(), "the chat went with the room");
    let events = pratico::store::events::for_room(&db, Uuid::parse_str(room_id).unwrap())
        .await
        .unwrap();

    let report = app
        .get(&format!("/api/sessions/{room_id}/report"), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(report["session"]["status"], "ended");
    assert_eq!(report["session"]["end_reason"], "trainer");
    assert_eq!(
        report["notes"],
        json!([]),
        "nothing is missing from a real log"
    );
    let presence = presence_from_events(&events);
    for (id, reconnections) in [(&zoe_id, 0), (&emile_id, 1)] {
        let row = by_participant(&report["attendance"], id);
        assert_eq!(row["present_s"], presence[id.as_str()], "{row}");
        assert_eq!(row["reconnections"], reconnections, "{row}");
        assert_eq!(row["present_at_end"], true, "{row}");
    }
    let pages: Vec<_> = report["pages"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["page_id"].clone())
        .collect();
    assert_eq!(
        pages,
        [
            deck["pages"][0]["id"].clone(),
            deck["pages"][1]["id"].clone()
        ]
    );

    // Answers and points are the ones the room recorded; the ranks follow from them.
    let recorded: HashMap<(String, String), i64> = events
        .iter()
        .filter(|e| e.kind == "quiz_answered")
        .map(|e| {
            let d = &e.data.0;
            let key = (
                d["question_id"].as_str().unwrap().to_owned(),
                d["participant_id"].as_str().unwrap().to_owned(),
            );
            (key, d["points"].as_i64().unwrap())
        })
        .collect();
    let results = &report["quizzes"][0];
    let first = &results["questions"][0];
    let zoe_first = by_participant(&first["answers"], &zoe_id);
    assert_eq!(
        (
            zoe_first["answer_text"].as_str(),
            zoe_first["correct"].as_bool()
        ),
        (Some("Rome"), Some(true))
    );
    assert_eq!(zoe_first["points"], recorded[&(q(0), zoe_id.clone())]);
    assert!(
        zoe_first["points"].as_i64().unwrap() >= 500,
        "a right answer earns at least half"
    );
    let emile_first = by_participant(&first["answers"], &emile_id);
    assert_eq!(
        (
            emile_first["correct"].as_bool(),
            emile_first["points"].as_i64()
        ),
        (Some(false), Some(0))
    );
    let second = &results["questions"][1];
    assert_eq!(
        second["not_answered"][0]["participant_id"],
        emile_id.as_str(),
        "there, and silent"
    );
    let zoe_score = recorded[&(q(0), zoe_id.clone())] + recorded[&(q(1), zoe_id.clone())];
    let ranking: Vec<_> = results["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rank"].as_i64().unwrap(),
                r["participant_id"].as_str().unwrap().to_owned(),
                r["score"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranking,
        [(1, zoe_id.clone(), zoe_score), (2, emile_id.clone(), 0)]
    );
    let rescored = app
        .get(
            &format!("/api/sessions/{room_id}/report?scoring=accuracy"),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        rescored["quizzes"][0]["ranking"][0]["score"], 2000,
        "all the points of both questions"
    );

    let chat: Vec<_> = report["chat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["participant_id"] == trainer_id.to_string(),
                c["messages"].as_i64().unwrap(),
                c["characters"].as_i64().unwrap(),
            )
        })
        .collect();
    // Equal counts go by last name: the trainer's is empty.
    assert_eq!(chat, [(true, 1, 9), (false, 1, 14)]);

    for (format, content_type) in [
        ("csv", "application/zip"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("html", "text/html; charset=utf-8"),
    ] {
        let (status, got, body) = fetch(
            &app,
            &format!("/api/sessions/{room_id}/report?format={format}"),
            &token,
        )
        .await;
        assert_eq!((status, got.as_str()), (StatusCode::OK, content_type));
        assert!(!body.is_empty());
    }
}
