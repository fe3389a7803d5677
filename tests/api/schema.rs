//! The tables themselves: both migration folders define the same schema, and what the API
//! promises about rows (deleted or kept) holds in the database.

use std::collections::BTreeMap;

use pratico::store::Db;
use sqlx::Row;

use crate::helpers::{TestApp, spawn_app};

/// The same query against whichever pool the test runs on.
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// `table → [column, …]` (sorted) of the schema the application created.
async fn columns(db: &Db) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in rows {
        tables.entry(table).or_default().push(column);
    }
    tables.values_mut().for_each(|c| c.sort());
    tables
}

fn migration_names(backend: &str) -> Vec<String> {
    let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn both_migration_folders_list_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

/// Runs both migration sets, on a fresh SQLite file and a fresh PostgreSQL database, and
/// compares the tables and columns they produce. Needs the PostgreSQL server of
/// `PRATICO_TEST_POSTGRES_URL` (default: the local one).
#[tokio::test]
async fn both_databases_get_the_same_tables_and_columns() {
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&format!(
        "sqlite://{}/schema.db",
        sqlite_dir.path().display()
    ))
    .await
    .unwrap();
    let server = crate::helpers::postgres_server_url();
    let postgres = crate::helpers::ScratchPostgres::create(&server).await;
    let pg = Db::connect(&postgres.url).await.unwrap();

    let sqlite_columns = columns(&sqlite).await;
    assert_eq!(sqlite_columns, columns(&pg).await);
    pg.close().await;

    let seed_columns = [
        (
            "rooms",
            &[
                "id",
                "created_at",
                "created_by",
                "name",
                "capsule_id",
                "capsule_snapshot",
                "quiz_id",
                "quiz_scores",
                "params",
                "state",
            ][..],
        ),
        ("chats", &["id", "created_at", "room_id"][..]),
        (
            "room_events",
            &["id", "created_at", "room_id", "user_id", "type", "data"][..],
        ),
        (
            "users",
            &["id", "created_at", "email", "name", "password_hash"][..],
        ),
        (
            "capsules",
            &[
                "id",
                "created_at",
                "updated_at",
                "owner_id",
                "title",
                "snapshot",
            ][..],
        ),
        (
            "quizzes",
            &[
                "id",
                "created_at",
                "updated_at",
                "owner_id",
                "capsule_id",
                "title",
                "settings",
                "questions",
            ][..],
        ),
        (
            "chat_messages",
            &[
                "id",
                "created_at",
                "chat_id",
                "participant_id",
                "author_name",
                "text",
            ][..],
        ),
    ];
    for (table, wanted) in seed_columns {
        let have = &sqlite_columns[table];
        for column in wanted {
            assert!(have.iter().any(|c| c == column), "{table}.{column} exists");
        }
    }
}

#[tokio::test]
async fn room_events_has_no_foreign_key_to_rooms() {
    let app = spawn_app().await;
    let db = Db::connect(&app.database_url).await.unwrap();
    let references_rooms: i64 = match &db {
        Db::Sqlite(pool) => {
            sqlx::query("SELECT count(*) FROM pragma_foreign_key_list('room_events')")
                .fetch_one(pool)
                .await
                .unwrap()
                .get(0)
        }
        Db::Postgres(pool) => sqlx::query(
            "SELECT count(*) FROM information_schema.table_constraints
             WHERE table_name = 'room_events' AND constraint_type = 'FOREIGN KEY'",
        )
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0),
    };
    assert_eq!(references_rooms, 0);
}

/// Writes a chat message straight into the app's database (live chat comes with the live rooms).
pub async fn insert_chat_message(app: &TestApp, chat_id: &str) {
    let db = Db::connect(&app.database_url).await.unwrap();
    let chat_id = uuid::Uuid::parse_str(chat_id).unwrap();
    on_db!(&db, |pool| sqlx::query(
        "INSERT INTO chat_messages (id, created_at, chat_id, participant_id, author_name, text)
         VALUES ($1, 0, $2, $3, 'Zoé Durand', 'Bonjour')"
    )
    .bind(uuid::Uuid::now_v7())
    .bind(chat_id)
    .bind(uuid::Uuid::now_v7())
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

/// `[rooms with this id, chats with this id, messages of this chat, events of this room]`.
pub async fn row_counts(app: &TestApp, room_id: &str, chat_id: &str) -> [i64; 4] {
    let db = Db::connect(&app.database_url).await.unwrap();
    let room_id = uuid::Uuid::parse_str(room_id).unwrap();
    let chat_id = uuid::Uuid::parse_str(chat_id).unwrap();
    let queries = [
        ("SELECT count(*) FROM rooms WHERE id = $1", room_id),
        ("SELECT count(*) FROM chats WHERE id = $1", chat_id),
        (
            "SELECT count(*) FROM chat_messages WHERE chat_id = $1",
            chat_id,
        ),
        (
            "SELECT count(*) FROM room_events WHERE room_id = $1",
            room_id,
        ),
    ];
    let mut counts = [0; 4];
    for (i, (sql, id)) in queries.into_iter().enumerate() {
        let row: (i64,) = on_db!(&db, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_one(pool)
            .await)
        .unwrap();
        counts[i] = row.0;
    }
    counts
}
