//! `pratico admin`: operating a server from its command line, on the database the server uses,
//! whether the server runs or not. One file per concern: [`accounts`] (trainers and their
//! passwords), [`rooms`] (live rooms, and the requests a running server carries out for the
//! command), [`sessions`] (past sessions' events), [`database`] (checks and backups).
//!
//! Results go to standard output, so that they can be piped; errors are returned, and `main`
//! prints them and exits with a non-zero code.

pub mod accounts;
pub mod cli;
pub mod database;
pub mod rooms;
pub mod sessions;

use std::io::Read;
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;

use crate::config::Config;
use crate::store::Db;
use cli::{AdminArgs, AdminCommand};

/// Runs one admin command.
pub async fn run(config: &Config, args: &AdminArgs) -> anyhow::Result<()> {
    // A mistyped path would otherwise make a new, empty database and report on that; only a
    // first trainer may be made before the server ever started.
    if !matches!(args.command, AdminCommand::CreateTrainer(_)) {
        refuse_missing_sqlite_file(&config.database_url)?;
    }
    // `check` looks at the database as it is: it must not migrate it first.
    if let AdminCommand::Check = args.command {
        let db = Db::open(&config.database_url).await?;
        let result = database::check(&db).await;
        db.close().await;
        return result;
    }
    let db = Db::connect(&config.database_url).await?;
    let result = match &args.command {
        AdminCommand::CreateTrainer(a) => accounts::create_trainer(&db, config, a).await,
        AdminCommand::ResetPassword(a) => accounts::reset_password(&db, config, a).await,
        AdminCommand::Rooms(a) => rooms::list(&db, a).await,
        AdminCommand::EndRoom(a) => rooms::end(&db, config, a).await,
        AdminCommand::EraseSession(a) => sessions::erase(&db, a).await,
        AdminCommand::ExportSession(a) => sessions::export(&db, a).await,
        AdminCommand::Backup(a) => database::backup(&db, a).await,
        AdminCommand::Check => unreachable!("handled above"),
    };
    db.close().await;
    result
}

fn refuse_missing_sqlite_file(url: &str) -> anyhow::Result<()> {
    if !url.starts_with("sqlite:") {
        return Ok(());
    }
    let options = SqliteConnectOptions::from_str(url)?;
    let path = options.get_filename();
    if !path.exists() {
        anyhow::bail!(
            "no SQLite database at {} (is --database-url / PRATICO_DATABASE_URL the server's?)",
            path.display()
        );
    }
    Ok(())
}

/// A password read from standard input: up to the first line break (without it).
fn password_from_stdin() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let line = input.lines().next().unwrap_or_default();
    Ok(line.to_owned())
}
