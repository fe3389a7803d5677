//! The group committer: the writes of many rooms in one transaction, and a write the database
//! refuses failing alone.

use std::sync::Arc;

use futures_util::future::join_all;
use pratico::live::committer::Committer;
use pratico::store::Db;
use pratico::store::events::{EventRow, append, for_room};
use pratico::store::live::{Batch, Write};
use sqlx::types::Json;
use uuid::Uuid;

use crate::helpers::spawn_app;

fn event(id: Uuid, room_id: Uuid) -> EventRow {
    EventRow {
        id,
        created_at: 1_795_770_000_000,
        room_id,
        user_id: Uuid::now_v7(),
        kind: "room_locked".to_owned(),
        data: Json(serde_json::json!({})),
    }
}

fn batch(events: Vec<EventRow>) -> Write {
    Write::Batch {
        chat_id: Uuid::now_v7(),
        batch: Arc::new(Batch {
            events,
            ..Batch::default()
        }),
    }
}

#[tokio::test]
async fn a_refused_write_fails_alone_and_the_rest_of_its_round_is_kept() {
    let app = spawn_app().await;
    let db = Db::connect(&app.database_url).await.unwrap();
    let committer = Committer::start(db.clone());
    let taken = Uuid::now_v7();
    append(&db, &[event(taken, Uuid::now_v7())]).await.unwrap();

    // Handed over together, so that they share rounds: 30 rooms with two events each, and
    // one room whose event reuses an id already stored.
    let rooms: Vec<Uuid> = (0..30).map(|_| Uuid::now_v7()).collect();
    let bad_room = Uuid::now_v7();
    let mut writes: Vec<_> = rooms
        .iter()
        .map(|&room| {
            let events = vec![event(Uuid::now_v7(), room), event(Uuid::now_v7(), room)];
            committer.write(batch(events))
        })
        .collect();
    writes.insert(15, committer.write(batch(vec![event(taken, bad_room)])));
    let results = join_all(writes).await;

    assert!(results[15].is_err(), "the duplicate id is refused");
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 30);
    for room in rooms {
        assert_eq!(
            for_room(&db, room).await.unwrap().len(),
            2,
            "room {room} kept"
        );
    }
    assert!(for_room(&db, bad_room).await.unwrap().is_empty());
}

#[tokio::test]
async fn thousands_of_writes_at_once_are_all_stored() {
    let app = spawn_app().await;
    let db = Db::connect(&app.database_url).await.unwrap();
    let committer = Committer::start(db.clone());
    let room = Uuid::now_v7();
    // More events than one INSERT statement carries, and more writes than one round takes.
    let mut ids: Vec<Uuid> = (0..2_500).map(|_| Uuid::now_v7()).collect();
    let big = batch(ids.iter().map(|&id| event(id, room)).collect());
    let others: Vec<Uuid> = (0..3_000).map(|_| Uuid::now_v7()).collect();
    let mut writes = vec![committer.write(big)];
    writes.extend(
        others
            .iter()
            .map(|&other| committer.write(batch(vec![event(Uuid::now_v7(), other)]))),
    );
    assert!(join_all(writes).await.iter().all(Result::is_ok));

    let stored: Vec<Uuid> = for_room(&db, room)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    ids.sort();
    assert_eq!(stored, ids, "every event of the big batch");
    for other in others.iter().step_by(100) {
        assert_eq!(for_room(&db, *other).await.unwrap().len(), 1);
    }
}
