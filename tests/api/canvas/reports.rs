//! What is drawn on the canvas reaches the events and the report: counts per person and minute
//! (`canvas_edited`), never the strokes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client::{CanvasClient, geo};
use crate::helpers::spawn_app;
use crate::live_client::{LiveClient, LiveRoom, participant};

/// Each person's (created, updated, deleted) over their `canvas_edited` events, the trainer
/// (who has no `participant_id`) as `None`.
fn counts(events: &[Value], who: Option<&str>) -> (u64, u64, u64) {
    let mine = events
        .iter()
        .filter(|e| e["type"] == "canvas_edited" && e["data"]["participant_id"].as_str() == who);
    mine.fold((0, 0, 0), |(c, u, d), e| {
        let n = |key: &str| e["data"][key].as_u64().unwrap();
        (c + n("created"), u + n("updated"), d + n("deleted"))
    })
}

#[tokio::test]
async fn the_events_and_the_report_count_what_each_person_drew() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let seat = LiveClient::joined(&app, &room.name, participant("Zoé", "Durand")).await;
    let resume = seat.resume_token.clone().expect("a resume token");
    let zoe_id = seat.participant_id.clone();
    app.patch(
        &format!("/api/rooms/{}", room.id),
        &room.token,
        json!({"params": {"collaboration": "draw"}}),
    )
    .await
    .expect(StatusCode::OK);
    let page = room.pages[0].0.clone();

    let mut trainer = CanvasClient::open(app.addr, &room.name, "t1", Some(&room.token))
        .await
        .expect("the trainer's canvas");
    let mut zoe = CanvasClient::open(app.addr, &room.name, "z1", Some(&resume))
        .await
        .expect("Zoé's canvas");
    assert_eq!(zoe.hello["isReadonly"], false, "`draw`: participants draw");

    // The trainer: two shapes in one push, one moved.
    let two = json!({
        "shape:t1": ["put", geo("shape:t1", &page, 10.0)],
        "shape:t2": ["put", geo("shape:t2", &page, 200.0)],
    });
    assert_eq!(trainer.push(two).await, "commit");
    let moved = json!({"shape:t1": ["patch", {"x": ["put", 20]}]});
    assert_eq!(trainer.push(moved).await, "commit");
    // Zoé: one stroke, moved, then erased; a push refused changes nothing and counts nothing.
    let put = zoe
        .push(json!({"shape:z1": ["put", geo("shape:z1", &page, 5.0)]}))
        .await;
    assert_ne!(put, "discard");
    let moved = zoe
        .push(json!({"shape:z1": ["patch", {"x": ["put", 6]}]}))
        .await;
    assert_ne!(moved, "discard");
    let not_hers = zoe.push(json!({"shape:t2": ["remove"]})).await;
    assert_eq!(not_hers, "discard", "the trainer's shape is not hers");
    assert_ne!(zoe.push(json!({"shape:z1": ["remove"]})).await, "discard");

    // The end appends what the minute under way holds, before `session_ended`.
    app.post(
        &format!("/api/rooms/{}/end", room.id),
        &room.token,
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    let events = app
        .get(&format!("/api/sessions/{}/events", room.id), &room.token)
        .await
        .expect(StatusCode::OK);
    let events = events.as_array().unwrap();
    assert_eq!(counts(events, None), (2, 1, 0), "the trainer's");
    assert_eq!(counts(events, Some(&zoe_id)), (1, 1, 1), "Zoé's");
    let drawn: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "canvas_edited")
        .collect();
    for e in &drawn {
        let minute = e["data"]["minute"].as_i64().unwrap();
        assert_eq!(minute % 60_000, 0, "a minute's start: {e}");
        assert!(e["data"].get("participant_id") != Some(&Value::Null), "{e}");
        assert!(
            e["data"].get("shapes").is_none() && e.to_string().len() < 400,
            "counts, never strokes: {e}"
        );
    }
    let last = |kind: &str| events.iter().rposition(|e| e["type"] == kind).unwrap();
    assert!(last("canvas_edited") < last("session_ended"));

    let report = app
        .get(&format!("/api/sessions/{}/report", room.id), &room.token)
        .await
        .expect(StatusCode::OK);
    let people = report["board"]["people"].as_array().unwrap();
    let line = |d: &Value| {
        let n = |key: &str| d[key].as_u64().unwrap();
        let name = format!(
            "{} {}",
            d["first_name"].as_str().unwrap(),
            d["last_name"].as_str().unwrap()
        );
        (
            name,
            d["trainer"].as_bool().unwrap(),
            (n("created"), n("updated"), n("deleted")),
        )
    };
    let lines: Vec<_> = people.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            ("Ana Martin ".to_owned(), true, (2, 1, 0)),
            ("Zoé Durand".to_owned(), false, (1, 1, 1)),
        ]
    );
    assert_eq!(people[1]["participant_id"], zoe_id.as_str());
    assert!(!people[0]["minutes"].as_array().unwrap().is_empty());
    let timeline = report["board"]["timeline"].as_array().unwrap();
    let drawers: u64 = timeline
        .iter()
        .map(|m| m["drawers"].as_u64().unwrap())
        .sum();
    assert_eq!(
        drawers as usize,
        drawn.len(),
        "one line per person per minute"
    );
}
