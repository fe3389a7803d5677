//! Questions from the class (`docs/protocol.md` "Questions from the class"): asked, voted for
//! once each (a rejoin changes nothing), moderated, answered; the report keeps them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{live_room, set_params};
use crate::live_client::{LiveClient, returning};

fn ask(text: &str) -> Value {
    json!({"type": "qa_ask", "text": text})
}

fn vote(id: &Value) -> Value {
    json!({"type": "qa_vote", "question_id": id})
}

fn mark(id: &Value, mark: &str) -> Value {
    json!({"type": "qa_mark", "question_id": id, "mark": mark})
}

/// The `qa` frames a client gets until `done` holds for one.
async fn qa_until(client: &mut LiveClient, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    loop {
        let frame = client.recv_type("qa").await;
        let questions = frame["questions"].as_array().unwrap().clone();
        if done(&questions) {
            return questions;
        }
    }
}

#[tokio::test]
async fn the_class_asks_votes_once_and_the_trainer_moderates() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;

    zoe.refused(ask("Une question ?"), "qa_off").await;
    trainer
        .command(set_params(json!({"qa": "moderated"})))
        .await;
    zoe.recv_type("params_changed").await;

    // Moderated: the trainer sees it with its author; the class once approved, anonymous.
    zoe.command(ask("  Peut-on revoir l'article 6 ?  ")).await;
    let questions = qa_until(&mut trainer, |q| q.len() == 1).await;
    assert_eq!(questions[0]["text"], "Peut-on revoir l'article 6 ?");
    assert_eq!(questions[0]["author_name"], "Zoé Durand");
    assert_eq!(questions[0]["status"], "pending");
    let id = questions[0]["question_id"].clone();
    leo.refused(vote(&id), "not_found").await;
    trainer.command(mark(&id, "approved")).await;
    let seen = qa_until(&mut leo, |q| q.len() == 1).await;
    assert_eq!(seen[0]["status"], "open");
    assert!(
        seen[0].get("author_name").is_none(),
        "anonymous to the class: {seen:?}"
    );

    // One vote each: not one's own, not twice, not again after a rejoin.
    zoe.refused(vote(&id), "already_voted").await;
    leo.command(vote(&id)).await;
    leo.refused(vote(&id), "already_voted").await;
    let resume = leo.resume_token.clone().unwrap();
    drop(leo);
    let mut leo = LiveClient::joined(&app, &room.name, returning(&resume)).await;
    assert_eq!(leo.welcome["state"]["qa_voted"], json!([id]));
    assert_eq!(leo.welcome["state"]["qa"][0]["votes"], 1);
    leo.refused(vote(&id), "already_voted").await;

    // Names for the class, a second question pinned above the most voted, one answered.
    trainer
        .command(set_params(json!({"qa": "on", "qa_names": true})))
        .await;
    leo.command(ask("Et pour les mineurs ?")).await;
    let seen = qa_until(&mut zoe, |q| q.len() == 2).await;
    assert_eq!(seen[1]["author_name"], "Léo Petit");
    let second = seen[1]["question_id"].clone();
    trainer.command(mark(&second, "pinned")).await;
    trainer.command(mark(&id, "answered")).await;
    let seen = qa_until(&mut zoe, |q| {
        q[0]["pinned"] == true && q[1]["status"] == "answered"
    })
    .await;
    assert_eq!(seen[0]["question_id"], second);
    trainer.command(mark(&second, "hidden")).await;
    qa_until(&mut zoe, |q| q.len() == 1).await;
    zoe.refused(mark(&id, "hidden"), "forbidden").await;

    trainer.command(json!({"type": "end_session"})).await;
    let path = format!("/api/sessions/{}/report", room.id);
    let report = app.get(&path, &room.token).await.expect(StatusCode::OK);
    let qa = report["qa"].as_array().unwrap();
    assert_eq!(qa.len(), 2);
    assert_eq!(qa[0]["text"], "Peut-on revoir l'article 6 ?");
    assert_eq!(qa[0]["votes"], 1);
    assert_eq!(qa[0]["answered"], true);
    assert_eq!(
        (qa[1]["first_name"].clone(), qa[1]["hidden"].clone()),
        (json!("Léo"), json!(true))
    );
}
