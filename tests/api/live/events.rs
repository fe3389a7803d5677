//! The events a session leaves, in order, and what they never hold (chat texts).

use serde_json::json;

use super::{chat, live_room};
use crate::live_client::contains;

#[tokio::test]
async fn a_session_leaves_its_events_in_order_with_the_trainer_as_user() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;
    trainer.command(room.goto(1)).await;
    trainer.command(room.goto(2)).await;
    trainer.send(json!({"type": "end_session"})).await;
    trainer.expect_closed(1000).await;

    let events = room.events(&app).await;
    for event in &events {
        assert_eq!(
            event.user_id.to_string(),
            room.trainer_id,
            "{} {}",
            event.kind,
            event.data.0
        );
    }
    // The trainer's own presence is not specified; participants' departures are checked below.
    let main: Vec<_> = events
        .iter()
        .filter(|e| e.kind != "participant_left")
        .filter(|e| e.data.0["participant_id"] != room.trainer_id.as_str())
        .collect();
    let kinds: Vec<&str> = main.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "session_started",
            "participant_joined",
            "participant_joined",
            "page_changed",
            "page_changed",
            "session_ended"
        ]
    );
    for (event, (client, first, last)) in main[1..3]
        .iter()
        .zip([(&zoe, "Zoé", "Durand"), (&leo, "Léo", "Petit")])
    {
        let expected = json!({"participant_id": client.participant_id, "first_name": first,
                              "last_name": last, "rejoin": false});
        assert!(contains(&event.data.0, &expected), "{}", event.data.0);
    }
    for (event, page) in main[3..5].iter().zip([1, 2]) {
        let expected = json!({"page_id": room.page(page), "page_name": room.pages[page].1,
                              "page_index": page});
        assert!(contains(&event.data.0, &expected), "{}", event.data.0);
    }
    let last_page = events.iter().rposition(|e| e.kind == "page_changed");
    for (at, event) in events.iter().enumerate() {
        if event.kind == "participant_left" {
            assert_eq!(event.data.0["reason"], "session_ended");
            assert!(Some(at) > last_page);
        }
    }
    let ended = events.last().unwrap();
    assert_eq!(ended.kind, "session_ended", "nothing after the end");
    assert!(contains(
        &ended.data.0,
        &json!({"reason": "trainer", "participant_count": 2})
    ));
}

#[tokio::test]
async fn chat_message_sent_is_recorded_with_its_length_but_never_its_text() {
    let (app, room) = live_room().await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let text = "Bonjour à tous, ceci reste entre nous";
    zoe.command(chat(text)).await;

    let events = room.events(&app).await;
    let sent = events
        .iter()
        .find(|e| e.kind == "chat_message_sent")
        .expect("chat_message_sent is committed before the ack");
    let expected = json!({"participant_id": zoe.participant_id, "first_name": "Zoé",
                          "last_name": "Durand", "length": text.chars().count()});
    assert!(contains(&sent.data.0, &expected), "{}", sent.data.0);
    for event in &events {
        assert!(
            !event.data.0.to_string().contains("entre nous"),
            "the text stays out of events: {} {}",
            event.kind,
            event.data.0
        );
    }
}
