//! Joining a room: the upgrade, `welcome` for participants and trainers, names, what comes
//! before `join`, trainer tabs, and the capsule document fetched apart.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{about, chat, default_params, live_room};
use crate::live_client::{LiveClient, assert_error, contains, participant, trainer};

#[tokio::test]
async fn an_unknown_room_answers_404_before_any_upgrade() {
    let (app, _room) = live_room().await;
    assert_eq!(
        LiveClient::refused_upgrade(&app, "nowhere").await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_participant_is_welcomed_with_the_full_state_of_the_room() {
    let (app, room) = live_room().await;
    let _trainer = room.trainer(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = LiveClient::joined(&app, &room.name, participant("  Léo ", " Petit  ")).await;

    let welcome = &leo.welcome;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["you"]["role"], "participant");
    assert_eq!(welcome["you"]["first_name"], "Léo", "names are trimmed");
    assert_eq!(welcome["you"]["last_name"], "Petit");
    assert!(uuid::Uuid::parse_str(&leo.participant_id).is_ok());
    assert_ne!(leo.participant_id, zoe.participant_id);
    assert!(leo.resume_token.as_deref().is_some_and(|t| !t.is_empty()));

    let state = &welcome["state"];
    assert_eq!(state["name"], "atelier");
    assert_eq!(state["locked"], false);
    assert_eq!(state["capsule"]["id"], room.capsule_id.as_str());
    assert_eq!(state["capsule"]["title"], "Atelier");
    assert!(
        state["capsule"].get("snapshot").is_none(),
        "the document is fetched apart"
    );
    let pages: Vec<(&str, &str)> = state["capsule"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let expected: Vec<(&str, &str)> = room
        .pages
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    assert_eq!(pages, expected);
    assert_eq!(pages[0], ("page:b83pr300MSn_VRaC4FvnB", "Introduction"));
    assert_eq!(state["page_id"], "page:b83pr300MSn_VRaC4FvnB");
    assert_eq!(state["params"], default_params());
    assert_eq!(state["activity"], Value::Null);
    assert_eq!(state["chat"], json!([]));
    assert_eq!(state["score"], 0);
    assert_eq!(state["answers"], json!([]));

    let seats = state["participants"].as_array().unwrap();
    assert_eq!(seats.len(), 2, "{seats:#?}");
    for (client, first, last) in [(&zoe, "Zoé", "Durand"), (&leo, "Léo", "Petit")] {
        let seat = seats
            .iter()
            .find(|s| s["participant_id"] == client.participant_id.as_str())
            .unwrap_or_else(|| panic!("{first} has a seat: {seats:#?}"));
        assert!(contains(
            seat,
            &json!({"first_name": first, "last_name": last, "role": "participant", "online": true})
        ));
    }
}

#[tokio::test]
async fn the_trainer_is_welcomed_with_their_user_id_and_every_seat() {
    let (app, room) = live_room().await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;
    let trainer = room.trainer(&app).await;

    let welcome = &trainer.welcome;
    assert_eq!(welcome["you"]["role"], "trainer");
    assert_eq!(welcome["you"]["participant_id"], room.trainer_id.as_str());
    assert_eq!(welcome["resume_token"], Value::Null);
    let mut seats: Vec<&str> = welcome["state"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["participant_id"].as_str().unwrap())
        .collect();
    seats.sort();
    let mut expected = [zoe.participant_id.as_str(), leo.participant_id.as_str()];
    expected.sort();
    assert_eq!(seats, expected, "every seat, never the trainer");
}

#[tokio::test]
async fn everyone_sees_a_new_participant_join() {
    let (app, room) = live_room().await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;
    for client in [&mut trainer, &mut zoe] {
        let joined = client
            .recv_where(
                "Léo joining",
                about("participant_joined", &leo.participant_id),
            )
            .await;
        assert!(
            contains(
                &joined,
                &json!({"first_name": "Léo", "last_name": "Petit", "role": "participant",
                        "online": true, "rejoin": false})
            ),
            "{joined}"
        );
    }
}

#[tokio::test]
async fn names_are_checked_and_a_refused_join_leaves_the_socket_open() {
    let (app, room) = live_room().await;
    let mut client = LiveClient::connect(&app, &room.name).await;
    let too_long = "a".repeat(65);
    for (first, last, field) in [
        ("   ", "Durand", "first_name"),
        ("Zoé", "", "last_name"),
        (too_long.as_str(), "Durand", "first_name"),
        ("Zo\u{7}é", "Durand", "first_name"),
        ("Zoé", "Du\nrand", "last_name"),
    ] {
        let error = client
            .refused(participant(first, last), "bad_message")
            .await
            .to_string();
        assert!(
            error.contains(field) || error.contains(&field.replace('_', " ")),
            "the error names {field}: {error}"
        );
    }
    let no_last_name = json!({"type": "join", "as": "participant", "first_name": "Zoé"});
    client.refused(no_last_name, "bad_message").await;

    let longest = "é".repeat(64);
    let welcome = client.join(participant(" Zoé ", &longest)).await;
    assert_eq!(welcome["you"]["first_name"], "Zoé");
    assert_eq!(
        welcome["you"]["last_name"],
        longest.as_str(),
        "64 characters, not bytes"
    );
}

#[tokio::test]
async fn a_message_before_join_is_a_bad_message() {
    let (app, room) = live_room().await;
    let mut client = LiveClient::connect(&app, &room.name).await;
    client.send(chat("Bonjour")).await;
    assert_error(&client.recv().await, "bad_message", "chat_send before join");
    client.refused(room.goto(1), "bad_message").await;
    let welcome = client.join(participant("Zoé", "Durand")).await;
    assert_eq!(welcome["state"]["chat"], json!([]));
    assert_eq!(welcome["state"]["page_id"], room.page(0));
}

#[tokio::test]
async fn only_the_trainer_who_launched_the_room_joins_as_trainer() {
    let (app, room) = live_room().await;
    let other = app.signup("Bob").await;
    let mut client = LiveClient::connect(&app, &room.name).await;
    client.refused(trainer(&other), "forbidden").await;
    let welcome = client.join(trainer(&room.token)).await;
    assert_eq!(welcome["you"]["role"], "trainer");
}

#[tokio::test]
async fn several_trainer_tabs_may_be_open_and_the_cookie_is_enough() {
    let (app, room) = live_room().await;
    let mut first = room.trainer(&app).await;
    let mut second = LiveClient::connect_with_cookie(&app, &room.name, &room.token).await;
    let welcome = second.join(json!({"type": "join", "as": "trainer"})).await;
    assert_eq!(welcome["you"]["role"], "trainer");
    assert_eq!(welcome["you"]["participant_id"], room.trainer_id.as_str());

    first.command(room.goto(1)).await;
    for tab in [&mut first, &mut second] {
        assert_eq!(tab.recv_type("page_changed").await["page_id"], room.page(1));
    }
    second.command(room.goto(2)).await;
    for tab in [&mut first, &mut second] {
        assert_eq!(tab.recv_type("page_changed").await["page_id"], room.page(2));
    }
}

#[tokio::test]
async fn the_capsule_document_is_fetched_apart_with_a_resume_token_or_as_trainer() {
    let (app, room) = live_room().await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    let capsule = app
        .get(&format!("/api/capsules/{}", room.capsule_id), &room.token)
        .await
        .expect(StatusCode::OK);
    let path = format!("/api/live/{}/snapshot", room.name);
    for token in [zoe.resume_token.as_deref().unwrap(), &room.token] {
        let snapshot = app.get(&path, token).await.expect(StatusCode::OK);
        assert_eq!(snapshot, capsule["snapshot"]);
    }
    let anonymous = app.get_public(&path).await.status;
    assert!(
        [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&anonymous),
        "{anonymous}"
    );

    let first = app.client.get(app.url(&path)).bearer_auth(&room.token);
    let first = first.send().await.unwrap();
    let etag = first.headers()["etag"].clone();
    let again = app.client.get(app.url(&path)).bearer_auth(&room.token);
    let again = again.header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}
