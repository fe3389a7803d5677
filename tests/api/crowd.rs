//! Rooms past their roster limit (`PRATICO_ROSTER_LIMIT`): the trainer still sees every
//! arrival and departure; participants get the head count instead of each other's names.

use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::live_client::{LiveClient, LiveRoom, kind, returning};

#[tokio::test]
async fn past_the_roster_limit_participants_get_the_head_count_and_the_trainer_everyone() {
    let app = spawn_app_with(|c| c.roster_limit = 2).await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    let leo = room.participant(&app, "Léo", "Petit").await;

    // Two seats: a class, where everyone is named to everyone.
    zoe.recv_where("Léo's arrival", |m| {
        kind(m) == "participant_joined" && m["first_name"] == "Léo"
    })
    .await;
    assert_eq!(
        leo.welcome["state"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        leo.welcome["state"]["headcount"],
        json!({"online": 2, "seats": 2})
    );

    // A third seat makes a crowd: the newcomer's welcome names only them.
    let ines = room.participant(&app, "Inès", "Roy").await;
    let listed = ines.welcome["state"]["participants"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["participant_id"], ines.participant_id.as_str());
    assert_eq!(
        ines.welcome["state"]["headcount"],
        json!({"online": 3, "seats": 3})
    );
    trainer
        .recv_where("Inès's arrival", |m| {
            kind(m) == "participant_joined" && m["first_name"] == "Inès"
        })
        .await;
    let counted = zoe.recv_type("headcount").await;
    assert_eq!(
        counted,
        json!({"type": "headcount", "online": 3, "seats": 3})
    );
    assert!(
        zoe.take(|m| kind(m) == "participant_joined" && m["first_name"] == "Inès")
            .is_none(),
        "participants are not told who arrives in a crowd"
    );

    // A departure: the trainer hears of it, participants see the count drop.
    let token = leo.resume_token.clone().unwrap();
    leo.close().await;
    trainer
        .recv_where("Léo's departure", |m| {
            kind(m) == "participant_left" && m["first_name"] == "Léo"
        })
        .await;
    let counted = zoe.recv_type("headcount").await;
    assert_eq!(counted["online"], 2);
    zoe.expect_silence("participant_left").await;

    // The trainer's own welcome still lists every seat, online or not.
    let again = room.trainer(&app).await;
    let seats = again.welcome["state"]["participants"].as_array().unwrap();
    assert_eq!(seats.len(), 3);
    assert_eq!(seats.iter().filter(|p| p["online"] == true).count(), 2);

    // Rejoining a crowd gives back the same seat.
    let back = LiveClient::joined(&app, &room.name, returning(&token)).await;
    assert_eq!(
        back.welcome["state"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(back.welcome["you"]["first_name"], "Léo");
}
