//! Reactions (`docs/protocol.md` "Reactions"): participants tap those the trainer offers, the
//! trainer sees the counts a few times a second, and each minute's counts are recorded.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{live_room, set_params};
use crate::live_client::LiveClient;

fn react(reaction: &str) -> Value {
    json!({"type": "react", "reaction": reaction})
}

/// The trainer's `reactions` frames until one shows `total` taps in all.
async fn counts_until(trainer: &mut LiveClient, total: u64) -> Vec<Value> {
    let mut frames = Vec::new();
    loop {
        let frame = trainer.recv_type("reactions").await;
        let sum: u64 = (frame["counts"].as_object().unwrap().values())
            .map(|c| c.as_u64().unwrap())
            .sum();
        frames.push(frame);
        if sum >= total {
            return frames;
        }
    }
}

#[tokio::test]
async fn participants_react_with_what_the_trainer_offers_and_the_counts_are_kept() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let mut leo = room.participant(&app, "Léo", "Petit").await;

    // None are offered at first.
    zoe.refused(react("clap"), "reaction_off").await;
    zoe.refused(react("boo"), "bad_message").await;
    trainer
        .command(set_params(json!({"reactions": ["clap", "slower"]})))
        .await;
    for client in [&mut trainer, &mut zoe, &mut leo] {
        let changed = client.recv_type("params_changed").await;
        assert_eq!(changed["params"]["reactions"], json!(["clap", "slower"]));
    }
    leo.refused(react("heart"), "reaction_off").await;
    trainer.refused(react("clap"), "forbidden").await;

    // A burst of taps: each acknowledged, shown to the trainer in a few frames.
    for _ in 0..5 {
        zoe.send(react("clap")).await;
    }
    for reaction in ["slower", "clap", "slower"] {
        leo.send(react(reaction)).await;
    }
    for _ in 0..5 {
        zoe.recv_type("ack").await;
    }
    let frames = counts_until(&mut trainer, 8).await;
    assert!(frames.len() < 8, "coalesced: {} frames", frames.len());
    assert_eq!(
        frames.last().unwrap()["counts"],
        json!({"clap": 6, "slower": 2})
    );
    // Past the flood guard: refused, not counted.
    zoe.refused(react("clap"), "rate_limited").await;
    // A presenter that reloads is shown the counts at once; participants are not.
    let again = room.trainer(&app).await;
    assert_eq!(
        again.welcome["state"]["reactions"],
        json!({"clap": 6, "slower": 2})
    );
    assert!(zoe.welcome["state"].get("reactions").is_none());
    zoe.assert_never_saw(r#""type":"reactions""#);

    // The minute under way is recorded with the end; the report adds them up.
    trainer.command(json!({"type": "end_session"})).await;
    let events = room.events(&app).await;
    let counted: Vec<&Value> = (events.iter())
        .filter(|e| e.kind == "reactions_counted")
        .map(|e| &e.data.0)
        .collect();
    assert_eq!(counted.len(), 1, "{counted:?}");
    assert_eq!(counted[0]["counts"], json!({"clap": 6, "slower": 2}));
    assert_eq!(counted[0]["minute"].as_i64().unwrap() % 60_000, 0);
    let ended = events.iter().position(|e| e.kind == "session_ended");
    let reactions = events.iter().position(|e| e.kind == "reactions_counted");
    assert!(reactions < ended, "counted before the end");
    let path = format!("/api/sessions/{}/report", room.id);
    let report = app.get(&path, &room.token).await.expect(StatusCode::OK);
    assert_eq!(
        report["reactions"]["totals"],
        json!({"clap": 6, "slower": 2})
    );
    assert_eq!(report["reactions"]["minutes"].as_array().unwrap().len(), 1);
}
