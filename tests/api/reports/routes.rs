//! Who may read a session, its events page by page, the paginated list, erasure, retention and
//! the operators' command.

use std::time::Duration;

use pratico::config::Config;
use pratico::store::events::{for_room, purge_sessions_before};
use pratico::store::now_ms;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CAPSULE, ROOM, Script, T0, db, ended, started, trainer, workshop};
use crate::helpers::{TestApp, eventually_within, spawn_app};

const DAY: i64 = 86_400_000;

/// GETs `path`, then every `Link: rel="next"` page after it; the items of every page.
async fn all_pages(app: &TestApp, path: &str, token: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut next) = (Vec::new(), 0, Some(path.to_owned()));
    while let Some(path) = next.take() {
        let response = app
            .request(Method::GET, &path, Some(token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            link[1..link.find('>').unwrap()].to_owned()
        });
        let body: Value = response.json().await.unwrap();
        items.extend(body.as_array().unwrap().iter().cloned());
        pages += 1;
    }
    (items, pages)
}

#[tokio::test]
async fn only_the_trainer_who_launched_a_session_may_read_or_erase_it() {
    let app = spawn_app().await;
    let (_, ana) = trainer(&app, "Ana Martin").await;
    workshop(ana).store(&app).await;
    let (bob, _) = trainer(&app, "Bob").await;
    for path in [
        format!("/api/sessions/{ROOM}/report"),
        format!("/api/sessions/{ROOM}/events"),
        format!("/api/sessions/{}/report", Uuid::now_v7()),
        "/api/sessions/not-a-uuid/report".to_owned(),
    ] {
        app.get(&path, &bob)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    app.delete(&format!("/api/sessions/{ROOM}"), &bob)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    app.send(app.request(Method::GET, &format!("/api/sessions/{ROOM}/report"), None))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(!for_room(&db(&app).await, ROOM).await.unwrap().is_empty());
}

#[tokio::test]
async fn erasing_a_session_removes_every_trace_of_it() {
    let app = spawn_app().await;
    let (token, ana) = trainer(&app, "Ana Martin").await;
    workshop(ana).store(&app).await;
    let other = Uuid::now_v7();
    let mut kept = Script::new(other, ana);
    kept.at(0, started("autre", CAPSULE)).at(1_000, ended(1, 0));
    kept.store(&app).await;

    app.delete(&format!("/api/sessions/{ROOM}"), &token)
        .await
        .expect(StatusCode::NO_CONTENT);
    for path in [
        format!("/api/sessions/{ROOM}/report"),
        format!("/api/sessions/{ROOM}/report?format=html"),
        format!("/api/sessions/{ROOM}/events"),
    ] {
        app.get(&path, &token)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    app.delete(&format!("/api/sessions/{ROOM}"), &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let sessions = app
        .get("/api/sessions", &token)
        .await
        .expect(StatusCode::OK);
    let rooms: Vec<_> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["room_id"].clone())
        .collect();
    assert_eq!(rooms, [json!(other)]);
    let db = db(&app).await;
    assert!(for_room(&db, ROOM).await.unwrap().is_empty());
    assert_eq!(for_room(&db, other).await.unwrap().len(), 2);

    let deck = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let live = app.launch(&token, deck["id"].as_str().unwrap()).await;
    app.delete(
        &format!("/api/sessions/{}", live["id"].as_str().unwrap()),
        &token,
    )
    .await
    .expect_error(StatusCode::CONFLICT, "session_live");
}

#[tokio::test]
async fn a_sessions_events_come_in_pages_in_stored_order() {
    let app = spawn_app().await;
    let (token, ana) = trainer(&app, "Ana Martin").await;
    let script = workshop(ana);
    script.store(&app).await;

    let path = format!("/api/sessions/{ROOM}/events?limit=10");
    let (events, pages) = all_pages(&app, &path, &token).await;
    assert_eq!(pages, 4, "35 events, 10 a page");
    let ids: Vec<_> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let stored: Vec<_> = script.rows.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, stored);
    assert_eq!(events[0]["type"], "session_started");
    assert_eq!(events[0]["created_at"], "2026-11-27T09:00:00Z");
    assert!(
        events.iter().any(|e| e["type"] == "reaction_sent"),
        "the raw log keeps types this build does not know"
    );
    app.get(
        &format!("/api/sessions/{ROOM}/events?after=yesterday"),
        &token,
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_query");
    app.get(&format!("/api/sessions/{ROOM}/events?limit=0"), &token)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn sessions_are_listed_a_page_at_a_time_by_capsule_and_date() {
    let app = spawn_app().await;
    let (token, ana) = trainer(&app, "Ana Martin").await;
    let other_capsule = Uuid::now_v7();
    // Five sessions a day apart, from 2026-11-27; the third is of another capsule.
    let mut rooms = Vec::new();
    for day in 0..5 {
        let room = Uuid::now_v7();
        let capsule = if day == 2 { other_capsule } else { CAPSULE };
        let mut s = Script::starting(T0 + day * DAY, room, ana);
        s.at(0, started(&format!("atelier-{day}"), capsule))
            .at(60_000, ended(60, 0));
        s.store(&app).await;
        rooms.push(json!(room));
    }
    let newest_first: Vec<_> = rooms.iter().rev().cloned().collect();
    let ids = |items: &[Value]| {
        items
            .iter()
            .map(|s| s["room_id"].clone())
            .collect::<Vec<_>>()
    };

    let (all, pages) = all_pages(&app, "/api/sessions?limit=2", &token).await;
    assert_eq!((ids(&all), pages), (newest_first.clone(), 3));
    let (of_capsule, _) = all_pages(
        &app,
        &format!("/api/sessions?limit=1&capsule_id={CAPSULE}"),
        &token,
    )
    .await;
    assert_eq!(
        ids(&of_capsule),
        [&newest_first[..2], &newest_first[3..]].concat()
    );
    let (window, pages) = all_pages(
        &app,
        "/api/sessions?limit=1&from=2026-11-28&to=2026-11-30T00:00:00%2B00:00",
        &token,
    )
    .await;
    assert_eq!(
        (ids(&window), pages),
        (vec![rooms[2].clone(), rooms[1].clone()], 2)
    );
    app.get("/api/sessions?limit=500", &token)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_query");
    app.get("/api/sessions?before=nowhere", &token)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn sessions_past_the_retention_period_are_purged_whole_and_live_rooms_never() {
    let app = spawn_app().await;
    let (token, ana) = trainer(&app, "Ana Martin").await;
    let (old, recent) = (Uuid::now_v7(), Uuid::now_v7());
    let now = now_ms();
    for (room, start) in [(old, now - 40 * DAY), (recent, now - 2 * DAY)] {
        let mut s = Script::starting(start, room, ana);
        s.at(0, started("atelier", CAPSULE))
            .at(60_000, ended(60, 0));
        s.store(&app).await;
    }
    let deck = app
        .capsule_from_fixture(&token, "Atelier", "synthetic-5-pages-fr.tldr")
        .await;
    let live = app.launch(&token, deck["id"].as_str().unwrap()).await;
    let live = Uuid::parse_str(live["id"].as_str().unwrap()).unwrap();

    // A second server on the same database, told to keep 30 days, purges at start-up.
    let mut config = Config::with_database(&app.database_url);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.event_retention_days = Some(30);
    let purging = pratico::app::Application::build(config).await.unwrap();
    let stop = purging.shutdown_token();
    tokio::spawn(purging.run_until_stopped());
    let db = db(&app).await;
    eventually_within(
        Duration::from_secs(10),
        "the old session is purged",
        async || for_room(&db, old).await.unwrap().is_empty(),
    )
    .await;
    stop.cancel();
    assert_eq!(for_room(&db, recent).await.unwrap().len(), 2);

    // Even a cut-off in the future spares the live room.
    purge_sessions_before(&db, now + DAY).await.unwrap();
    assert!(for_room(&db, recent).await.unwrap().is_empty());
    assert_eq!(for_room(&db, live).await.unwrap().len(), 1);
}

#[tokio::test]
async fn operators_print_a_report_from_the_command_line() {
    let app = spawn_app().await;
    let (_, ana) = trainer(&app, "Ana Martin").await;
    workshop(ana).store(&app).await;
    let run = |args: Vec<String>| {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_pratico"))
                .args(args)
                .env("PRATICO_DATABASE_URL", url)
                .output()
                .unwrap()
        })
    };
    let args = [
        "report",
        &ROOM.to_string(),
        "--format",
        "csv",
        "--table",
        "attendance",
    ];
    let output = run(args.iter().map(|s| s.to_string()).collect())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<_> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "a header and three participants");
    assert!(lines[1].contains("Émile,Blanc"), "{csv}");

    let missing = run(vec!["report".into(), Uuid::now_v7().to_string()])
        .await
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no session"));
}
