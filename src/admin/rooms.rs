//! `rooms` and `end-room`, and the other half of `end-room`: the requests a running server
//! carries out for the command line.
//!
//! Why a request, and not a plain end from this process: a live room has one writer, its actor,
//! inside the server that runs it. Ending the room from another process while that actor holds
//! it would delete the room under it: its participants would not be told, and the events it
//! commits next would land after `session_ended`. So the command records a request in the
//! database (`admin_requests`); each running server looks for requests every second and ends
//! the room through its actor, exactly as the trainer's End does (with reason `admin`).
//!
//! How the command tells whether a server runs: every server writes a heartbeat
//! (`server_heartbeats`) every two seconds and deletes it when it stops cleanly. With no
//! heartbeat younger than [`ALIVE_WITHIN`], no server can be running the room's actor (a
//! server that beats neither polls nor writes), and the command ends the room itself, through
//! an actor of its own, the same code path. Whoever *claims* the request first carries it out
//! (one conditional update: exactly one claimant wins), so a server that starts meanwhile and
//! the command never both end it. When servers beat but none claims the request within
//! [`ALIVE_WITHIN`] (a server stuck, or one that crashed seconds ago and whose heartbeat is not
//! stale yet), the command withdraws it (the same claim) and fails, rather than guess.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::cli::{EndRoomArgs, RoomsArgs};
use crate::config::Config;
use crate::domain::events::EndReason;
use crate::domain::rfc3339;
use crate::live::{Live, LiveConfig, LiveError};
use crate::store::admin::{self, END_ROOM, REVOKE_LOGINS, RequestRow};
use crate::store::rooms::{self, RoomRow};
use crate::store::{Db, StoreError, now_ms, users};

/// How often a running server says it is alive.
pub const BEAT_EVERY: Duration = Duration::from_secs(2);
/// A server whose last heartbeat is younger than this is taken to be running. Five beats: a
/// server whose database is slow for a moment is not taken for stopped.
pub const ALIVE_WITHIN: Duration = Duration::from_secs(10);
/// How often a running server looks for requests.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long the command waits for a request a server took to be done.
const DONE_WITHIN: Duration = Duration::from_secs(60);
/// Requests older than this are forgotten (done or not).
const KEEP_REQUESTS: Duration = Duration::from_secs(7 * 86_400);

/// Who claims a request the command carries out itself, or withdraws.
const BY_COMMAND: &str = "pratico admin";
const WITHDRAWN: &str = "pratico admin (withdrawn)";

fn ms(duration: Duration) -> i64 {
    duration.as_millis() as i64
}

/// `pratico admin rooms`: every live room, as a table or JSON lines.
pub async fn list(db: &Db, args: &RoomsArgs) -> anyhow::Result<()> {
    let rooms = rooms::list_all(db).await?;
    if rooms.is_empty() && !args.json {
        println!("No live room.");
        return Ok(());
    }
    let mut lines = Vec::with_capacity(rooms.len());
    for room in &rooms {
        let trainer = users::by_id(db, room.created_by).await?;
        let (trainer_name, trainer_email) = trainer
            .map(|u| (u.name, u.email))
            .unwrap_or_else(|| ("?".to_owned(), "?".to_owned()));
        let state = &room.state.0;
        let seats = state.participants.len();
        lines.push(json!({
            "id": room.id,
            "name": room.name,
            "title": room.capsule_title,
            "trainer_name": trainer_name,
            "trainer_email": trainer_email,
            "participants_present": state.present.len(),
            "participants_seated": seats,
            "started_at": rfc3339(room.created_at),
            "updated_at": rfc3339(room.updated_at),
        }));
    }
    if args.json {
        for line in &lines {
            println!("{line}");
        }
        return Ok(());
    }
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let rows: Vec<[String; 5]> = lines
        .iter()
        .map(|l| {
            [
                text(l, "name"),
                format!("{} <{}>", text(l, "trainer_name"), text(l, "trainer_email")),
                format!(
                    "{} present, {} seats",
                    l["participants_present"], l["participants_seated"]
                ),
                text(l, "started_at"),
                text(l, "id"),
            ]
        })
        .collect();
    let header = ["NAME", "TRAINER", "PARTICIPANTS", "STARTED", "ID"];
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            let cells = rows.iter().map(|r| r[i].chars().count());
            cells.chain([header[i].len()]).max().unwrap_or(0)
        })
        .collect();
    let print_row = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, &width)| format!("{cell:width$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    print_row(&header.map(str::to_owned));
    for row in &rows {
        print_row(row);
    }
    Ok(())
}

/// A live room by id or by name.
async fn find_room(db: &Db, room: &str) -> anyhow::Result<RoomRow> {
    let found = match Uuid::parse_str(room) {
        Ok(id) => rooms::get_any(db, id).await,
        Err(_) => rooms::by_name(db, room).await,
    };
    match found {
        Err(StoreError::NotFound) => {
            bail!("no live room `{room}` (see `pratico admin rooms`; ended rooms are sessions)")
        }
        other => Ok(other?),
    }
}

/// `pratico admin end-room`: through a running server if there is one, else here.
pub async fn end(db: &Db, config: &Config, args: &EndRoomArgs) -> anyhow::Result<()> {
    let room = find_room(db, &args.room).await?;
    let request = admin::request(db, END_ROOM, room.id, &json!({}), now_ms()).await?;
    let servers = admin::alive_since(db, now_ms() - ms(ALIVE_WITHIN)).await?;
    let (by, outcome) = if servers.is_empty() {
        if admin::claim(db, request, BY_COMMAND, now_ms()).await? {
            let outcome = end_here(db, config, room.id).await;
            admin::finish(db, request, &outcome, now_ms()).await?;
            (BY_COMMAND.to_owned(), outcome)
        } else {
            // A server started in between and took it.
            wait_until_done(db, request).await?
        }
    } else {
        eprintln!(
            "A server is running ({}): it ends the room.",
            servers.join(", ")
        );
        wait_for_server(db, request).await?
    };
    if let Some(error) = outcome["error"].as_str() {
        bail!("room `{}` not ended: {error}", room.name);
    }
    let by = if by == BY_COMMAND {
        "no server was running; ended by this command".to_owned()
    } else {
        format!("ended by server {by}")
    };
    println!(
        "Room `{}` ended ({by}): {} participant(s), {} s.",
        room.name, outcome["participant_count"], outcome["duration_s"]
    );
    Ok(())
}

/// Waits for a running server to claim the request, then for it to be done; withdraws it if
/// no server claims it in time.
async fn wait_for_server(db: &Db, request: Uuid) -> anyhow::Result<(String, Value)> {
    let until = tokio::time::Instant::now() + ALIVE_WITHIN;
    loop {
        let row = get(db, request).await?;
        if row.claimed_by.is_some() {
            return wait_until_done(db, request).await;
        }
        if tokio::time::Instant::now() >= until {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if admin::claim(db, request, WITHDRAWN, now_ms()).await? {
        let outcome = json!({"error": "withdrawn: no server took it"});
        admin::finish(db, request, &outcome, now_ms()).await?;
        bail!(
            "a server said it was running, but none took the request within {} s. If the server \
             stopped or crashed just now, run this again in {} s: with no server running, the \
             command ends the room itself. Else see the server's logs",
            ALIVE_WITHIN.as_secs(),
            ALIVE_WITHIN.as_secs()
        );
    }
    // Taken at the last moment.
    wait_until_done(db, request).await
}

/// Waits for a claimed request to be done: who did it, and how it went.
async fn wait_until_done(db: &Db, request: Uuid) -> anyhow::Result<(String, Value)> {
    let until = tokio::time::Instant::now() + DONE_WITHIN;
    loop {
        let row = get(db, request).await?;
        if let (Some(by), Some(outcome)) = (row.claimed_by, row.outcome) {
            return Ok((by, outcome.0));
        }
        if tokio::time::Instant::now() >= until {
            bail!(
                "the server took the request but did not finish it within {} s; see its logs",
                DONE_WITHIN.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn get(db: &Db, request: Uuid) -> anyhow::Result<RequestRow> {
    admin::get_request(db, request)
        .await?
        .context("the request disappeared from the database")
}

/// Ends the room through an actor of this process: the same code as a server's, with no
/// server running.
async fn end_here(db: &Db, config: &Config, room_id: Uuid) -> Value {
    let base = config.public_base(config.listen);
    let mut live_config = LiveConfig::from_config(config, base.into());
    // This process is no server: it must not end other rooms for being idle.
    live_config.idle_end = Duration::from_secs(100 * 365 * 86_400);
    let shutdown = CancellationToken::new();
    let live = match Live::start(db.clone(), live_config, shutdown.clone()).await {
        Ok(live) => live,
        Err(error) => return json!({"error": format!("{error:#}")}),
    };
    let outcome = end_through(&live, room_id).await;
    shutdown.cancel();
    live.wait_stopped().await;
    outcome
}

async fn end_through(live: &Arc<Live>, room_id: Uuid) -> Value {
    match live.end(room_id, EndReason::Admin).await {
        Ok(summary) => json!({
            "name": summary.name,
            "duration_s": summary.duration_s,
            "participant_count": summary.participant_count,
        }),
        Err(LiveError::NotFound) => json!({"error": "the room has already ended"}),
        Err(error) => json!({"error": error.to_string()}),
    }
}

/// Asks running servers to close the sockets opened with these log-in tokens (deleted from
/// the database already). Nothing to do when no server runs.
pub async fn revoke_logins(db: &Db, user_id: Uuid, token_hashes: &[Vec<u8>]) -> anyhow::Result<()> {
    if token_hashes.is_empty()
        || admin::alive_since(db, now_ms() - ms(ALIVE_WITHIN))
            .await?
            .is_empty()
    {
        return Ok(());
    }
    let data = json!({ "token_hashes": token_hashes });
    admin::request(db, REVOKE_LOGINS, user_id, &data, now_ms()).await?;
    Ok(())
}

/// A server's side: says it is alive, and carries out the requests of the command line, until
/// shutdown. `node` names this server in `server_heartbeats` and in the requests it claims.
pub async fn serve_requests(live: Arc<Live>, node: String, shutdown: CancellationToken) {
    let db = live.db().clone();
    let started_at = now_ms();
    let mut every = tokio::time::interval(POLL_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_beat: Option<tokio::time::Instant> = None;
    let mut last_purge = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        if last_beat.is_none_or(|at| at.elapsed() >= BEAT_EVERY) {
            match admin::beat(&db, &node, started_at, now_ms()).await {
                Ok(()) => last_beat = Some(tokio::time::Instant::now()),
                Err(error) => tracing::warn!(%error, "heartbeat not written"),
            }
        }
        if last_purge.elapsed() >= Duration::from_secs(3600) {
            last_purge = tokio::time::Instant::now();
            let _ = admin::purge_requests(&db, now_ms() - ms(KEEP_REQUESTS)).await;
            let _ = admin::forget(&db, &node, now_ms() - ms(KEEP_REQUESTS)).await;
            // The purge must not take this server's own heartbeat with it.
            last_beat = None;
        }
        let waiting = match admin::unclaimed(&db).await {
            Ok(waiting) => waiting,
            Err(error) => {
                tracing::warn!(%error, "admin requests not read");
                continue;
            }
        };
        for request in waiting {
            match admin::claim(&db, request.id, &node, now_ms()).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => {
                    tracing::warn!(%error, "admin request not claimed");
                    continue;
                }
            }
            let outcome = carry_out(&live, &request).await;
            if let Err(error) = admin::finish(&db, request.id, &outcome, now_ms()).await {
                tracing::warn!(%error, request = %request.id, "admin request's outcome not saved");
            }
        }
    }
}

async fn carry_out(live: &Arc<Live>, request: &RequestRow) -> Value {
    match request.kind.as_str() {
        END_ROOM => {
            let outcome = end_through(live, request.target).await;
            tracing::info!(room_id = %request.target, %outcome, "room ended by `pratico admin end-room`");
            outcome
        }
        REVOKE_LOGINS => {
            let hashes: Vec<Vec<u8>> =
                serde_json::from_value(request.data.0["token_hashes"].clone()).unwrap_or_default();
            for hash in &hashes {
                live.logins().revoke(hash);
            }
            json!({"revoked": hashes.len()})
        }
        other => json!({"error": format!("this server does not know requests `{other}`")}),
    }
}

/// Forgets this server's heartbeat when it stops cleanly: a command run next knows at once
/// that no server runs. Called once the rooms have stopped.
pub async fn leave(db: &Db, node: &str) {
    let stale = now_ms() - ms(KEEP_REQUESTS);
    if let Err(error) = admin::forget(db, node, stale).await {
        tracing::warn!(%error, "heartbeat not removed");
    }
}
