//! `pratico admin`: the real binary, run as an operator would, on the test's database (SQLite
//! or PostgreSQL, as the suite runs), with the server running (in this process) or not.

use std::time::Duration;

use pratico::store::Db;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use uuid::Uuid;

use crate::helpers::{TestApp, eventually_within, on_postgres, spawn_app};
use crate::live_client::LiveRoom;
use crate::restart::{Server, free_local_addr};

/// What a run of the binary left.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    fn failed(self) -> Self {
        assert_eq!(
            self.code, 1,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("error: "), "{}", self.stderr);
        assert!(!self.stderr.contains("backtrace"), "{}", self.stderr);
        self
    }
}

/// `pratico admin <args>` on `app`'s database, with `stdin` as its standard input.
async fn admin(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Ran {
    admin_on(&app.database_url, app, args, stdin).await
}

/// `pratico admin <args>` on the database at `database_url`.
async fn admin_on(database_url: &str, app: &TestApp, args: &[&str], stdin: Option<&str>) -> Ran {
    use tokio::io::AsyncWriteExt;
    // tokio's process: the server of `spawn_app` runs on this test's runtime meanwhile.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pratico"))
        .arg("admin")
        .args(args)
        .env("PRATICO_DATABASE_URL", database_url)
        .env("PRATICO_PUBLIC_URL", format!("http://{}", app.addr))
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the pratico binary starts");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    let output = tokio::time::timeout(Duration::from_secs(90), child.wait_with_output())
        .await
        .expect("the command ends")
        .unwrap();
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

async fn login(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let body = json!({"email": email, "password": password});
    let request = app
        .request(Method::POST, "/api/auth/login", None)
        .json(&body);
    app.send(request).await.status
}

fn email() -> String {
    format!("{}@example.org", Uuid::new_v4().simple())
}

#[tokio::test]
async fn create_trainer_sets_the_password_from_standard_input() {
    let app = spawn_app().await;
    let email = email();
    let args = ["create-trainer", "--email", &email, "--name", "Ana Martin"];
    let ran = admin(
        &app,
        &[&args[..], &["--password-stdin"]].concat(),
        Some("long enough pw\n"),
    )
    .await
    .ok();
    assert!(ran.stdout.contains("Ana Martin"), "{}", ran.stdout);
    assert_eq!(login(&app, &email, "long enough pw").await, StatusCode::OK);

    // The same e-mail again, a bad password: refused, with a sentence.
    let again = admin(
        &app,
        &[&args[..], &["--password-stdin"]].concat(),
        Some("other pw 1\n"),
    )
    .await
    .failed();
    assert!(again.stderr.contains("already uses"), "{}", again.stderr);
    let other = self::email();
    let short = [
        "create-trainer",
        "--email",
        &other,
        "--name",
        "Léo",
        "--password-stdin",
    ];
    let refused = admin(&app, &short, Some("short\n")).await.failed();
    assert!(refused.stderr.contains("8 to"), "{}", refused.stderr);
    let body = json!({"email": other, "password": "short"});
    let request = app
        .request(Method::POST, "/api/auth/login", None)
        .json(&body);
    assert_eq!(app.send(request).await.status, StatusCode::UNAUTHORIZED);
}

/// The one-time link a command printed, as a path on the test server.
fn link_path(stdout: &str) -> String {
    let link = stdout
        .lines()
        .find(|l| l.contains("/reset-password?token="))
        .unwrap_or_else(|| panic!("a link in {stdout}"));
    let at = link.find("/reset-password").unwrap();
    link[at..].trim().to_owned()
}

async fn post_form(app: &TestApp, body: &str) -> (StatusCode, String) {
    let request = app
        .request(Method::POST, "/reset-password", None)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    let answer = app.client.execute(request.build().unwrap()).await.unwrap();
    (answer.status(), answer.text().await.unwrap())
}

#[tokio::test]
async fn a_trainer_created_with_a_link_chooses_the_password_there_once() {
    let app = spawn_app().await;
    let email = email();
    let args = ["create-trainer", "--email", &email, "--name", "Zoé Durand"];
    let ran = admin(&app, &args, None).await.ok();
    let path = link_path(&ran.stdout);
    assert!(
        ran.stdout
            .contains(&format!("http://{}/reset-password", app.addr))
    );
    let form = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("<form"));

    let french = app
        .client
        .get(app.url(&path))
        .header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5");
    let french = french.send().await.unwrap().text().await.unwrap();
    assert!(french.contains("Choisissez votre mot de passe"), "{french}");
    let made_up = "token=made-up&password=long+enough+1&confirm=long+enough+1";
    assert_eq!(post_form(&app, made_up).await.0, StatusCode::NOT_FOUND);
    let token = path.split("token=").nth(1).unwrap();
    let (status, _) = post_form(&app, &format!("token={token}&password=abc&confirm=abc")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "too short");
    let set = format!("token={token}&password=chosen+password&confirm=chosen+password");
    let (status, page) = post_form(&app, &set).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(login(&app, &email, "chosen password").await, StatusCode::OK);
    // Used up.
    let (status, _) = post_form(&app, &set).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reset_password_ends_every_log_in_and_closes_the_trainers_sockets() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let mut trainer = room.trainer(&app).await;
    let me = app.get("/api/me", &room.token).await.expect(StatusCode::OK);
    let email = me["email"].as_str().unwrap().to_owned();

    let ran = admin(
        &app,
        &["reset-password", &email, "--password-stdin"],
        Some("brand new pw\n"),
    )
    .await
    .ok();
    assert!(ran.stdout.contains("1 log-in(s) ended"), "{}", ran.stdout);
    app.get("/api/me", &room.token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(login(&app, &email, "brand new pw").await, StatusCode::OK);
    // The running server was asked to close the socket opened with the old token.
    let closed = trainer.closes_within(Duration::from_secs(10)).await;
    assert!(closed.is_some(), "the trainer's socket is closed");

    // By link: the link works once, and the log-in made just now ends too.
    let ran = admin(&app, &["reset-password", &email], None).await.ok();
    let token = link_path(&ran.stdout)
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let (status, _) = post_form(
        &app,
        &format!("token={token}&password=third+one&confirm=third+one"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        login(&app, &email, "brand new pw").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login(&app, &email, "third one").await, StatusCode::OK);

    let unknown = admin(&app, &["reset-password", "nobody@example.org"], None)
        .await
        .failed();
    assert!(unknown.stderr.contains("no trainer"), "{}", unknown.stderr);
}

#[tokio::test]
async fn rooms_lists_the_live_rooms_with_trainer_and_participants() {
    let app = spawn_app().await;
    let empty = admin(&app, &["rooms"], None).await.ok();
    assert!(empty.stdout.contains("No live room"), "{}", empty.stdout);
    let room = LiveRoom::launch(&app).await;
    let _zoe = room.participant(&app, "Zoé", "Durand").await;
    let listed = || async {
        let ran = admin(&app, &["rooms", "--json"], None).await.ok();
        let rooms: Vec<Value> = ran
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        rooms
    };
    // The seat reaches the database with the room's checkpoint (within a second).
    eventually_within(Duration::from_secs(10), "the seat is listed", async || {
        let rooms = listed().await;
        rooms.len() == 1 && rooms[0]["participants_seated"] == 1
    })
    .await;
    let rooms = listed().await;
    assert_eq!(rooms[0]["name"], room.name.as_str());
    assert_eq!(rooms[0]["id"], room.id.as_str());
    assert_eq!(rooms[0]["trainer_name"], "Ana Martin");
    let table = admin(&app, &["rooms"], None).await.ok();
    assert!(table.stdout.starts_with("NAME"), "{}", table.stdout);
    assert!(table.stdout.contains(&room.name), "{}", table.stdout);
}

/// The end the events of `room` tell: `session_ended` by an admin, last, after the online
/// participant (if any) left with the session; and the room is gone.
async fn assert_ended_by_admin(app: &TestApp, room: &LiveRoom, online: Option<&str>) {
    let events = room.events(app).await;
    let ended = events.last().unwrap();
    assert_eq!(ended.kind, "session_ended", "the last event");
    assert_eq!(ended.data.0["reason"], "admin");
    assert_eq!(ended.data.0["participant_count"], 1);
    let left: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "participant_left")
        .collect();
    match online {
        Some(participant_id) => {
            assert_eq!(left.len(), 1, "the participant left");
            assert_eq!(left[0].data.0["participant_id"], participant_id);
            assert_eq!(left[0].data.0["reason"], "session_ended");
        }
        // Nobody was connected (the server stopped): as at the trainer's end then, no one
        // leaves.
        None => assert!(left.is_empty()),
    }
    let db = Db::connect(&app.database_url).await.unwrap();
    let id = Uuid::parse_str(&room.id).unwrap();
    assert!(
        pratico::store::rooms::get_any(&db, id).await.is_err(),
        "room deleted"
    );
}

#[tokio::test]
async fn end_room_with_a_server_running_goes_through_the_room() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let mut zoe = room.participant(&app, "Zoé", "Durand").await;
    // The server's heartbeat is written at start-up.
    let ran = admin(&app, &["end-room", &room.name], None).await.ok();
    assert!(ran.stderr.contains("A server is running"), "{}", ran.stderr);
    assert!(ran.stdout.contains("ended by server"), "{}", ran.stdout);
    let ended = zoe.recv_type("session_ended").await;
    assert_eq!(ended["reason"], "admin");
    zoe.expect_closed(1000).await;
    assert_ended_by_admin(&app, &room, Some(&zoe.participant_id)).await;

    let again = admin(&app, &["end-room", &room.id], None).await.failed();
    assert!(again.stderr.contains("no live room"), "{}", again.stderr);
}

/// SIGTERM: the server stops cleanly (its heartbeat goes).
fn terminate(server: &Server) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn end_room_with_no_server_running_ends_it_itself() {
    let app = TestApp::without_server(free_local_addr()).await;
    let mut server = Server::start(&app).await;
    let room = LiveRoom::launch(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    terminate(&server);
    server.wait();
    drop(zoe);

    let ran = admin(&app, &["end-room", &room.id], None).await.ok();
    assert!(
        ran.stdout.contains("no server was running"),
        "{}",
        ran.stdout
    );
    assert!(
        !ran.stderr.contains("A server is running"),
        "{}",
        ran.stderr
    );
    assert_ended_by_admin(&app, &room, None).await;
}

#[tokio::test]
async fn end_room_fails_rather_than_guess_when_a_server_beats_but_does_not_answer() {
    let app = TestApp::without_server(free_local_addr()).await;
    let room = {
        let mut server = Server::start(&app).await;
        let room = LiveRoom::launch(&app).await;
        terminate(&server);
        server.wait();
        room
    };
    // A heartbeat as a server stuck (or killed a moment ago) leaves it.
    let db = Db::connect(&app.database_url).await.unwrap();
    let now = pratico::store::now_ms();
    pratico::store::admin::beat(&db, "stuck", now, now + 60_000)
        .await
        .unwrap();
    let ran = admin(&app, &["end-room", &room.name], None).await.failed();
    assert!(
        ran.stderr.contains("none took the request"),
        "{}",
        ran.stderr
    );
    let id = Uuid::parse_str(&room.id).unwrap();
    assert!(
        pratico::store::rooms::get_any(&db, id).await.is_ok(),
        "still live"
    );
    // Withdrawn: a server that starts later does not end it.
    assert!(
        pratico::store::admin::unclaimed(&db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn erase_and_export_session_work_on_any_trainers_session() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let zoe = room.participant(&app, "Zoé", "Durand").await;
    drop(zoe);
    let live = admin(&app, &["erase-session", &room.id], None)
        .await
        .failed();
    assert!(live.stderr.contains("is live"), "{}", live.stderr);
    app.post(
        &format!("/api/rooms/{}/end", room.id),
        &room.token,
        json!({}),
    )
    .await
    .expect(StatusCode::OK);

    let ran = admin(&app, &["export-session", &room.id], None).await.ok();
    let lines: Vec<Value> = ran
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stored = room.events(&app).await;
    assert_eq!(lines.len(), stored.len());
    for (line, row) in lines.iter().zip(&stored) {
        assert_eq!(line["id"], row.id.to_string());
        assert_eq!(line["type"], row.kind.as_str());
        assert_eq!(line["data"], row.data.0);
    }
    assert_eq!(lines[0]["type"], "session_started");
    assert_eq!(lines.last().unwrap()["type"], "session_ended");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let file_arg = file.to_str().unwrap();
    admin(&app, &["export-session", &room.id, "-o", file_arg], None)
        .await
        .ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ran.stdout);

    let erased = admin(&app, &["erase-session", &room.id], None).await.ok();
    assert!(
        erased
            .stdout
            .contains(&format!("({} events)", stored.len()))
    );
    assert!(room.events(&app).await.is_empty());
    let gone = admin(&app, &["export-session", &room.id], None)
        .await
        .failed();
    assert!(gone.stderr.contains("no session"), "{}", gone.stderr);
    let gone = admin(&app, &["erase-session", &room.id], None)
        .await
        .failed();
    assert!(gone.stderr.contains("no session"), "{}", gone.stderr);
}

#[tokio::test]
async fn check_passes_a_sound_database_and_fails_a_broken_one() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let ran = admin(&app, &["check"], None).await.ok();
    assert!(
        ran.stdout.contains("The database is sound"),
        "{}",
        ran.stdout
    );
    let user = Uuid::now_v7();
    if on_postgres() {
        // A constraint added without checking the rows already there, as a half-done change
        // leaves it.
        let mut conn = sqlx::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(
            "ALTER TABLE users ADD CONSTRAINT name_short CHECK (length(name) < 3) NOT VALID",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let ran = admin(&app, &["check"], None).await.failed();
        assert!(ran.stdout.contains("name_short"), "{}", ran.stdout);
        return;
    }
    // A log-in token of a user who does not exist, written with the foreign keys off.
    let mut conn = sqlx::SqliteConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO auth_tokens VALUES (x'00', $1, 0, 0)")
        .bind(user)
        .execute(&mut conn)
        .await
        .unwrap();
    let ran = admin(&app, &["check"], None).await.failed();
    assert!(ran.stdout.contains("foreign_key_check"), "{}", ran.stdout);
    assert!(ran.stdout.contains("auth_tokens"), "{}", ran.stdout);
    drop((conn, room));
}

#[tokio::test]
async fn check_fails_on_a_corrupted_sqlite_file() {
    if on_postgres() {
        return; // PostgreSQL's files are PostgreSQL's; see the test above.
    }
    let app = TestApp::without_server(free_local_addr()).await;
    let email = email();
    let args = ["create-trainer", "--email", &email, "--name", "Ana Martin"];
    admin(&app, &args, None).await.ok();
    let path = app.database_url.trim_start_matches("sqlite://").to_owned();
    // The root page of an index, overwritten: the file opens, the index is garbage.
    let root: i64 = {
        let mut conn = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        let root = sqlx::query_scalar(
            "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_users_1'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .unwrap();
        root
    };
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096 * (root as usize - 1);
    bytes[page..page + 4096].fill(0xA5);
    std::fs::write(&path, bytes).unwrap();
    let ran = admin(&app, &["check"], None).await.failed();
    assert!(ran.stdout.contains("integrity_check: "), "{}", ran.stdout);
    assert!(ran.stdout.contains("PROBLEM"), "{}", ran.stdout);
}

#[tokio::test]
async fn backup_makes_an_openable_copy_with_the_same_rows_while_the_server_runs() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let _zoe = room.participant(&app, "Zoé", "Durand").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap();
    if on_postgres() {
        let ran = admin(&app, &["backup", copy_arg], None).await.failed();
        assert!(ran.stderr.contains("pg_dump"), "{}", ran.stderr);
        assert!(!copy.exists());
        return;
    }
    admin(&app, &["backup", copy_arg], None).await.ok();
    let again = admin(&app, &["backup", copy_arg], None).await.failed();
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    let count = async |url: &str, table: &str| -> i64 {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        let sql = format!("SELECT count(*) FROM {table}");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    let copy_url = format!("sqlite://{}", copy.display());
    for table in ["users", "capsules", "rooms", "room_events", "auth_tokens"] {
        let original = count(&app.database_url, table).await;
        assert!(original > 0, "{table} has rows");
        // The room's join may still be committing: the copy holds what was committed then.
        let copied = count(&copy_url, table).await;
        assert!(
            copied <= original && copied > 0,
            "{table}: {copied} of {original}"
        );
    }
    // The copy is a working database: a server starts on it and knows the room.
    let copied = Db::connect(&copy_url).await.unwrap();
    let id = Uuid::parse_str(&room.id).unwrap();
    assert!(pratico::store::rooms::get_any(&copied, id).await.is_ok());
    let ran = admin_on(&copy_url, &app, &["check"], None).await.ok();
    assert!(ran.stdout.contains("sound"), "{}", ran.stdout);
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused_by_server_and_commands() {
    let app = TestApp::without_server(free_local_addr()).await;
    let db = Db::connect(&app.database_url).await.unwrap();
    let known = db.known_schema_version();
    let newer = known + 1;
    let insert = "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                  execution_time) VALUES ($1, 'from the future', true, $2, 0)";
    match &db {
        Db::Sqlite(pool) => {
            let q = sqlx::query(insert).bind(newer).bind(vec![0u8; 48]);
            q.execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            let q = sqlx::query(insert).bind(newer).bind(vec![0u8; 48]);
            q.execute(pool).await.unwrap();
        }
    }
    db.close().await;

    let refused = Db::connect(&app.database_url)
        .await
        .unwrap_err()
        .to_string();
    let versions = format!("schema version {newer}, newer than this binary knows (version {known}");
    assert!(refused.contains(&versions), "{refused}");
    let ran = admin(&app, &["rooms"], None).await.failed();
    assert!(ran.stderr.contains(&versions), "{}", ran.stderr);
    let server = std::process::Command::new(env!("CARGO_BIN_EXE_pratico"))
        .env("PRATICO_DATABASE_URL", &app.database_url)
        .env("PRATICO_LISTEN", app.addr.to_string())
        .output()
        .unwrap();
    assert!(!server.status.success());
    let stderr = String::from_utf8_lossy(&server.stderr);
    assert!(stderr.contains(&versions), "{stderr}");
    let check = admin(&app, &["check"], None).await.failed();
    assert!(
        check.stdout.contains("newer than this binary"),
        "{}",
        check.stdout
    );
}

#[tokio::test]
async fn every_command_explains_itself() {
    let app = TestApp::without_server(free_local_addr()).await;
    let commands = [
        "create-trainer",
        "reset-password",
        "rooms",
        "end-room",
        "erase-session",
        "export-session",
        "check",
        "backup",
    ];
    let all = admin(&app, &["--help"], None).await.ok();
    for command in commands {
        assert!(all.stdout.contains(command), "{command} in {}", all.stdout);
        let ran = admin(&app, &[command, "--help"], None).await.ok();
        let usage = format!("Usage: pratico admin {command}");
        assert!(ran.stdout.contains(&usage), "{}", ran.stdout);
    }
    let wrong = admin(&app, &["end-room"], None).await;
    assert_eq!(wrong.code, 2, "clap's usage error: {}", wrong.stderr);
}
