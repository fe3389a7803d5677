//! Faults of the database under a live room: durable commands are refused, never falsely
//! acknowledged, and the room recovers by itself.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::helpers::{
    TestApp, TestDatabase, fixture_json, postgres_database, spawn_app, spawn_app_on, spawn_app_with,
};
use crate::live_client::{LiveClient, LiveRoom, kind, participant, returning};

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

/// A TCP relay the test can cut: every relayed connection is reset and new ones are refused,
/// as when a server stops, until restored; or, `black_hole`, relayed connections stay open
/// but carry nothing more, as when a phone's Wi-Fi goes.
struct CuttableRelay {
    addr: SocketAddr,
    state: Arc<Mutex<RelayState>>,
}

struct RelayState {
    up: bool,
    /// Cancelled on a cut: ends every connection relayed so far.
    generation: CancellationToken,
    /// Cancelled by `black_hole`: connections relayed so far stop carrying data.
    silence: CancellationToken,
}

impl CuttableRelay {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(RelayState {
            up: true,
            generation: CancellationToken::new(),
            silence: CancellationToken::new(),
        }));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let tokens = {
                    let state = shared.lock().unwrap();
                    state
                        .up
                        .then(|| (state.generation.clone(), state.silence.clone()))
                };
                // Down: the connection is dropped at once, as by a host that is gone.
                let Some((generation, silence)) = tokens else {
                    continue;
                };
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = generation.cancelled() => {}
                        // Both sockets stay open, and nothing crosses any more.
                        _ = silence.cancelled() => generation.cancelled().await,
                    }
                });
            }
        });
        Self { addr, state }
    }

    fn cut(&self) {
        let mut state = self.state.lock().unwrap();
        state.up = false;
        state.generation.cancel();
        state.generation = CancellationToken::new();
    }

    fn restore(&self) {
        self.state.lock().unwrap().up = true;
    }

    /// Silences the connections relayed so far; new ones are relayed.
    fn black_hole(&self) {
        let mut state = self.state.lock().unwrap();
        state.silence.cancel();
        state.silence = CancellationToken::new();
    }
}

/// How long the database stays away: `PRATICO_FAULT_OUTAGE_S` (scripts/fault-test.sh sets 30;
/// the suite's default keeps it short).
fn outage() -> Duration {
    let seconds = std::env::var("PRATICO_FAULT_OUTAGE_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(seconds)
}

#[tokio::test]
async fn postgresql_gone_for_a_while_leaves_the_room_live_and_it_recovers_when_it_returns() {
    let (direct_url, database) = postgres_database().await;
    let upstream: SocketAddr = {
        let url = reqwest::Url::parse(&direct_url).unwrap();
        let host = url.host_str().unwrap().to_owned();
        tokio::net::lookup_host((host, url.port().unwrap_or(5432)))
            .await
            .unwrap()
            .next()
            .unwrap()
    };
    let relay = CuttableRelay::start(upstream).await;
    let mut relayed = reqwest::Url::parse(&direct_url).unwrap();
    relayed.set_host(Some("127.0.0.1")).unwrap();
    relayed.set_port(Some(relay.addr.port())).unwrap();
    let app = spawn_app_on(direct_url, database, |c| {
        c.database_url = relayed.to_string();
    })
    .await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer.command(room.goto(1)).await;
    zoe.recv_type("page_changed").await;
    let mut late = LiveClient::connect(&app, &room.name).await;

    relay.cut();
    let started = tokio::time::Instant::now();
    trainer.refused(room.goto(2), "unavailable").await;
    zoe.refused(
        json!({"type": "chat_send", "text": "allô ?"}),
        "unavailable",
    )
    .await;
    late.refused(participant("Léo", "Petit"), "unavailable")
        .await;
    let ready = app.get_public("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    // What needs the database over HTTP says so, with a code a client can act on.
    let down = app.get_public(&format!("/api/join/{}", room.name)).await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.body
    );
    assert_eq!(down.body["error"]["code"], "database_unavailable");
    // The room stays live for what needs no database: everyone stays connected, reading and
    // pinging, for the whole outage (its length is what is under test: there is nothing to
    // wait for but time).
    let rest = outage().saturating_sub(started.elapsed());
    tokio::join!(zoe.keep_alive(rest), trainer.keep_alive(rest));
    zoe.ping().await;
    trainer.ping().await;
    zoe.expect_silence("page_changed").await;

    relay.restore();
    for client in [&mut trainer, &mut zoe] {
        let welcome = client.recv_type("welcome").await;
        assert_eq!(
            welcome["state"]["page_id"],
            room.page(1),
            "the refused change never happened"
        );
    }
    trainer.command(room.goto(3)).await;
    let changed = zoe.recv_type("page_changed").await;
    assert_eq!(changed["page_id"], room.page(3));
    // (A socket that never joined is closed after the heartbeat timeout: Léo comes back.)
    LiveClient::joined(&app, &room.name, participant("Léo", "Petit")).await;
    app.get_public("/readyz").await.expect(StatusCode::OK);

    let events = room.events(&app).await;
    let pages: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "page_changed")
        .map(|e| e.data.0["page_id"].clone())
        .collect();
    assert_eq!(
        pages,
        [json!(room.page(1)), json!(room.page(3))],
        "acknowledged changes only"
    );
    assert!(!events.iter().any(|e| e.kind == "chat_message_sent"));
}

/// A small tmpfs mounted for one test (a disk that can really be filled), unmounted on drop.
/// Mounting needs root, which the suite has on its machines (`.ci/run`).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(
            mounted.success(),
            "this test mounts a tmpfs: run it as root"
        );
        Self { dir }
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Writes a file until the disk refuses more.
    fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.path().join("filler")).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while filler.write_all(&chunk).is_ok() {}
        let _ = filler.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: the server may still hold the database open as the test ends.
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Runs one SQL statement on a SQLite file and returns its first column as text.
async fn sqlite_text(url: &str, sql: &'static str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let row: (String,) = sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    row.0
}

#[tokio::test]
async fn a_full_disk_refuses_writes_with_a_clear_error_corrupts_nothing_and_the_room_recovers() {
    let disk = SmallDisk::mount("16m");
    let url = format!("sqlite://{}/pratico.db", disk.path().display());
    let keep = tempfile::tempdir().unwrap();
    let app = spawn_app_on(url.clone(), TestDatabase::Sqlite(keep), |_| {}).await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    trainer.command(room.goto(1)).await;
    zoe.recv_type("page_changed").await;

    // The log emptied into the database, so the next commit must grow a file: then no room.
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    disk.fill();
    trainer.refused(room.goto(2), "unavailable").await;
    let snapshot = fixture_json("tldraw/synthetic-5-pages-fr.tldr");
    let capsule = json!({"title": "Plein", "snapshot": snapshot});
    let refused = app.post("/api/capsules", &room.token, capsule).await;
    assert_eq!(
        refused.status,
        StatusCode::INSUFFICIENT_STORAGE,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["error"]["code"], "storage_full");
    zoe.ping().await;

    disk.free();
    for client in [&mut trainer, &mut zoe] {
        let welcome = client.recv_type("welcome").await;
        assert_eq!(welcome["state"]["page_id"], room.page(1));
    }
    trainer.command(room.goto(3)).await;
    assert_eq!(zoe.recv_type("page_changed").await["page_id"], room.page(3));

    assert_eq!(sqlite_text(&url, "PRAGMA integrity_check").await, "ok");
    let pages: Vec<_> = room
        .events(&app)
        .await
        .iter()
        .filter(|e| e.kind == "page_changed")
        .map(|e| e.data.0["page_id"].clone())
        .collect();
    assert_eq!(pages, [json!(room.page(1)), json!(room.page(3))]);
}

#[tokio::test]
async fn a_participant_whose_network_goes_silent_comes_back_to_the_same_seat_with_the_same_answer()
{
    let app = spawn_app_with(|c| c.heartbeat_timeout_s = 2).await;
    let room = LiveRoom::launch(&app).await;
    let quiz = json!({"title": "Réseau", "questions": [{"kind": "single", "prompt": "2 + 2 ?",
        "time_limit_s": 600, "choices": [{"text": "4", "correct": true}, {"text": "5"}]}]});
    let quiz = app
        .post("/api/quizzes", &room.token, quiz)
        .await
        .expect(StatusCode::CREATED);
    let mut trainer = room.trainer(&app).await;
    trainer
        .command(json!({"type": "quiz_start", "quiz_id": quiz["id"]}))
        .await;
    trainer.command(json!({"type": "quiz_next"})).await;
    let question = &quiz["questions"][0];
    let answer = json!({"type": "quiz_answer", "question_id": question["id"],
        "choice_ids": [question["choices"][0]["id"]]});

    // Léo has not answered yet, and stays: the question stays open.
    let leo_stays = room
        .participant(&app, "Léo", "Petit")
        .await
        .stay_in_background();
    // Zoé is on a Wi-Fi that the test controls.
    let wifi = CuttableRelay::start(app.addr).await;
    let mut zoe = LiveClient::connect_via(wifi.addr, &room.name).await;
    zoe.join(participant("Zoé", "Durand")).await;
    let (id, token) = (
        zoe.participant_id.clone(),
        zoe.resume_token.clone().unwrap(),
    );
    let accepted = zoe.request(answer.clone()).await;
    assert_eq!(kind(&accepted), "quiz_answer_accepted");

    // The network goes silent: no close, no reset. The server gives up on her after the
    // heartbeat timeout, as her client gives up on its own socket and reconnects.
    wifi.black_hole();
    trainer
        .recv_where_pinging("Zoé timing out", Duration::from_secs(10), |m| {
            kind(m) == "participant_left" && m["participant_id"] == id.as_str()
        })
        .await;
    let mut back = LiveClient::connect_via(wifi.addr, &room.name).await;
    back.join(returning(&token)).await;
    assert_eq!(back.participant_id, id, "the same seat");
    let answers = &back.welcome["state"]["answers"];
    assert_eq!(answers.as_array().unwrap().len(), 1, "{answers}");
    back.refused(answer, "already_answered").await;
    drop(zoe);
    leo_stays.abort();

    let events = room.events(&app).await;
    let left: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "participant_left" && e.data.0["participant_id"] == id.as_str())
        .map(|e| e.data.0["reason"].clone())
        .collect();
    assert_eq!(left, [json!("timeout")]);
    let zoe_joined = events
        .iter()
        .filter(|e| e.kind == "participant_joined" && e.data.0["participant_id"] == id.as_str())
        .count();
    assert_eq!(zoe_joined, 2, "one seat, taken then taken back");
    let answered = events.iter().filter(|e| e.kind == "quiz_answered").count();
    assert_eq!(answered, 1);
}
