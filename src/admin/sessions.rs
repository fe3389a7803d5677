//! `erase-session` and `export-session`: a past session's events, by its room id, whoever
//! its trainer.

use std::io::Write;

use anyhow::{Context, bail};
use serde_json::json;
use uuid::Uuid;

use super::cli::{ExportSessionArgs, SessionArgs};
use crate::domain::rfc3339;
use crate::store::{Db, StoreError, events, rooms};

/// Whether the session's room is live still.
async fn live(db: &Db, room_id: Uuid) -> anyhow::Result<bool> {
    match rooms::get_any(db, room_id).await {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// The session's trainer, read from its first event; an error naming the id if it has none.
async fn trainer_of(db: &Db, room_id: Uuid) -> anyhow::Result<Uuid> {
    match events::first(db, room_id).await {
        Ok(first) => Ok(first.user_id),
        Err(StoreError::NotFound) => bail!("no session {room_id} in this database"),
        Err(error) => Err(error.into()),
    }
}

/// The erasure `DELETE /api/sessions/{room_id}` makes for the trainer.
pub async fn erase(db: &Db, args: &SessionArgs) -> anyhow::Result<()> {
    let room_id = args.room_id;
    let trainer = trainer_of(db, room_id).await?;
    if live(db, room_id).await? {
        bail!("session {room_id} is live: end it first (`pratico admin end-room {room_id}`)");
    }
    let erased = events::erase_session(db, trainer, room_id).await?;
    println!("Session {room_id} erased ({erased} events).");
    Ok(())
}

/// Events per read: a long session is written out a page at a time.
const PAGE: i64 = 10_000;

/// The session's events as JSON lines, in order, in the shape of
/// `GET /api/sessions/{room_id}/events`.
pub async fn export(db: &Db, args: &ExportSessionArgs) -> anyhow::Result<()> {
    let room_id = args.room_id;
    trainer_of(db, room_id).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create_new(path)
                .with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut after = (i64::MIN, Uuid::nil());
    let mut count = 0usize;
    loop {
        let rows = events::for_room_after(db, room_id, after, PAGE).await?;
        for row in &rows {
            let line = json!({
                "id": row.id,
                "created_at": rfc3339(row.created_at),
                "type": row.kind,
                "data": row.data.0,
            });
            writeln!(out, "{line}")?;
        }
        count += rows.len();
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after = (last.created_at, last.id),
            _ => break,
        }
    }
    out.flush()?;
    if let Some(path) = &args.output {
        println!("{count} events written to {}.", path.display());
    }
    Ok(())
}
