//! Faults of the database under a live room: durable commands are refused, never falsely
//! acknowledged, and the room recovers by itself.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::live_client::{LiveClient, LiveRoom, participant};

/// Takes a table away (or brings it back) under the running server: every write to it fails,
/// on SQLite and PostgreSQL alike, as if the database refused it.
async fn rename_table(app: &TestApp, from: &str, to: &str) {
    let db = pratico::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let sql = format!("ALTER TABLE {from} RENAME TO {to}");
    let sql = sqlx::AssertSqlSafe(sql);
    match &db {
        pratico::store::Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        pratico::store::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap();
    db.close().await;
}

#[tokio::test]
async fn a_database_outage_refuses_durable_commands_and_the_room_recovers_on_its_own() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;

    rename_table(&app, "room_events", "room_events_away").await;
    trainer.refused(room.goto(2), "unavailable").await;
    let mut late = LiveClient::connect(&app, &room.name).await;
    late.refused(participant("Léo", "Petit"), "unavailable")
        .await;
    zoe.ping().await;
    zoe.expect_silence("page_changed").await;

    rename_table(&app, "room_events_away", "room_events").await;
    for client in [&mut trainer, &mut zoe] {
        let welcome = client.recv_type("welcome").await;
        assert_eq!(
            welcome["state"]["page_id"],
            room.page(0),
            "the refused page change never happened"
        );
    }
    trainer.command(room.goto(2)).await;
    let changed = zoe.recv_type("page_changed").await;
    assert_eq!(changed["page_id"], room.page(2));
    late.join(participant("Léo", "Petit")).await;

    let events = room.events(&app).await;
    let pages: Vec<_> = events.iter().filter(|e| e.kind == "page_changed").collect();
    assert_eq!(
        pages.len(),
        1,
        "only the acknowledged page change is stored"
    );
    assert_eq!(pages[0].data.0["page_id"], json!(room.page(2)));
}
