//! HTTP, family by family: each route tried by every caller of the matrix.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{
    CALLERS, CREATED, Carry, Expect, NOT_FOUND, OK, PASSWORD, UNAUTHORIZED, World, get, post,
    refused_join, row,
};
use crate::live_client::{LiveClient, returning};

#[tokio::test]
async fn account_routes_serve_a_logged_in_trainer_only_and_logout_ends_that_session() {
    let world = World::new().await;
    world.run_matrix(&world.account_rows()).await;
    for token in [&world.room.token, &world.other_room.token] {
        let me = world.app.get("/api/me", token).await;
        assert!(
            UNAUTHORIZED.check(&me).is_ok(),
            "a logged-out token is refused: {me:?}"
        );
    }
}

#[tokio::test]
async fn a_trainers_capsules_are_theirs_alone() {
    let world = World::new().await;
    world.run_matrix(&world.capsule_rows()).await;
}

#[tokio::test]
async fn a_trainers_quizzes_are_theirs_alone_and_may_not_name_another_trainers_capsule() {
    let world = World::new().await;
    world.run_matrix(&world.quiz_rows()).await;
}

#[tokio::test]
async fn only_a_rooms_trainer_reads_changes_or_ends_it_and_launches_name_their_own_things_only() {
    let world = World::new().await;
    world.run_matrix(&world.room_rows()).await;
}

#[tokio::test]
async fn only_a_sessions_trainer_lists_reads_reports_or_erases_it() {
    let world = World::new().await;
    world.run_matrix(&world.session_rows()).await;
}

#[tokio::test]
async fn the_snapshot_is_for_the_rooms_participants_and_trainer_and_the_upgrade_for_anyone() {
    let world = World::new().await;
    let name = &world.room.name;
    let upgrade_required = Expect::Error(StatusCode::UPGRADE_REQUIRED, "upgrade_required");
    world
        .run_matrix(&[
            row(
                get(format!("/api/live/{name}/snapshot")),
                [UNAUTHORIZED, OK, NOT_FOUND, NOT_FOUND, OK],
            ),
            // The socket is open to anyone with the link; `join` decides who is who.
            row(get(format!("/api/live/{name}")), [upgrade_required; 5]),
            row(get("/api/live/no-such-room/snapshot"), [NOT_FOUND; 5]),
            row(get("/api/live/no-such-room"), [NOT_FOUND; 5]),
        ])
        .await;
    // Anyone gets a socket, and a `pong` even before joining (docs/protocol.md: `ping` is for
    // anyone at any time).
    let mut anyone = LiveClient::connect(&world.app, name).await;
    anyone.ping().await;

    // A banned seat's token opens nothing: neither the room (join) nor its capsule (snapshot),
    // (a room that is not running answers from its checkpoint).
    let mut teacher = world.room.trainer(&world.app).await;
    let kim = world.room.participant(&world.app, "Kim", "Nguyen").await;
    let kick = json!({"type": "kick", "participant_id": kim.participant_id, "ban": true});
    teacher.command(kick).await;
    let banned = kim.resume_token.as_deref().unwrap();
    let mut again = LiveClient::connect(&world.app, name).await;
    refused_join(
        &mut again,
        returning(banned),
        "banned",
        "a banned seat's token",
    )
    .await;
    let snapshot = format!("/api/live/{name}/snapshot");
    world
        .app
        .get(&snapshot, banned)
        .await
        .expect_error(StatusCode::FORBIDDEN, "banned");
    let zoe = world.room.participant(&world.app, "Zoé", "Martin").await;
    let unbanned = zoe.resume_token.as_deref().unwrap();
    world
        .app
        .get(&snapshot, unbanned)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn public_routes_answer_everyone_alike_whatever_token_they_carry() {
    let world = World::new().await;
    let app = &world.app;
    let me = app.get("/api/me", &world.room.token).await;
    let email = me.expect(StatusCode::OK)["email"].clone();
    let join = format!("/api/join/{}", world.room.name);
    let mut failures = Vec::new();
    let mut join_infos = Vec::new();
    for who in CALLERS {
        let token = world.token(who);
        let email_of_their_own = format!("{}@example.org", Uuid::new_v4().simple());
        let signup = json!({"email": email_of_their_own, "password": PASSWORD, "name": "Nouvelle"});
        let login = json!({"email": email, "password": PASSWORD});
        for (route, expect) in [
            (get(&join), OK),
            (get("/api/join/no-such-room"), NOT_FOUND),
            (post("/api/auth/signup", signup), CREATED),
            (post("/api/auth/login", login), OK),
            (get("/api/openapi.json"), OK),
            (get("/healthz"), OK),
            (get("/readyz"), OK),
            (get("/metrics"), OK),
        ] {
            let answer = route.call(app, token, Carry::Bearer).await;
            if let Err(wrong) = expect.check(&answer) {
                failures.push(format!("{route} by {who:?}: {wrong}"));
            }
            match route.path.as_str() {
                path if path == join => join_infos.push(answer.body),
                "/api/auth/signup" if answer.body["user"]["email"] != email_of_their_own => {
                    failures.push(format!("{route} by {who:?} signs up someone else"));
                }
                "/api/auth/login" if answer.body["user"]["id"] != world.room.trainer_id => {
                    failures.push(format!("{route} by {who:?} logs in someone else"));
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        join_infos[0],
        json!({"name": world.room.name, "title": "Atelier", "trainer_name": "Ana Martin",
               "locked": false}),
        "the join page shows no more than this"
    );
    assert!(
        join_infos.iter().all(|info| *info == join_infos[0]),
        "a token changes nothing: {join_infos:#?}"
    );
}
