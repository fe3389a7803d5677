//! The command line of `pratico admin` (clap), apart from what the commands do.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use uuid::Uuid;

/// `pratico admin …`: operate the server's database, whether the server runs or not.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create a trainer account. Prints a one-time link (under `--public-url`) where the
    /// trainer chooses a password, or, with `--password-stdin`, sets the one read there.
    CreateTrainer(CreateTrainerArgs),
    /// Reset a trainer's password: prints a one-time link (under `--public-url`), or, with
    /// `--password-stdin`, sets the one read there. Either way every log-in of the trainer
    /// stops working once the password is set.
    ResetPassword(ResetPasswordArgs),
    /// List the live rooms: name, trainer, participants, start.
    Rooms(RoomsArgs),
    /// End a live room as its trainer would (everyone is told, `session_ended` with reason
    /// `admin` is appended, the room and its chat are deleted). A running server does it
    /// within seconds; with no server running, this command does it.
    EndRoom(EndRoomArgs),
    /// Erase a past session's events (what `DELETE /api/sessions/{room_id}` does for its
    /// trainer). A live session must be ended first.
    EraseSession(SessionArgs),
    /// Write a session's events as JSON lines (one event per line, in order) to standard
    /// output or a file. For reports (CSV, XLSX, HTML), see `pratico report`.
    ExportSession(ExportSessionArgs),
    /// Check the database: on SQLite `integrity_check` and `foreign_key_check`; on both, the
    /// schema version and, on PostgreSQL, invalid indexes and constraints. Exits with 1 when
    /// something is wrong.
    Check,
    /// Copy a SQLite database, consistent even while the server writes (`VACUUM INTO`). On
    /// PostgreSQL, use `pg_dump`.
    Backup(BackupArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CreateTrainerArgs {
    /// The trainer's e-mail (their log-in).
    #[arg(long)]
    pub email: String,
    /// The trainer's name, as participants see it.
    #[arg(long)]
    pub name: String,
    /// Read the password from standard input (up to the first line break) instead of
    /// printing a link.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ResetPasswordArgs {
    /// The trainer's e-mail.
    pub email: String,
    /// Read the new password from standard input (up to the first line break) instead of
    /// printing a link.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RoomsArgs {
    /// One JSON object per room and line, instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct EndRoomArgs {
    /// The room's name (as in its link) or id.
    pub room: String,
}

#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    /// The session's room id.
    pub room_id: Uuid,
}

#[derive(Debug, Clone, Args)]
pub struct ExportSessionArgs {
    /// The session's room id.
    pub room_id: Uuid,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The copy to write (a new file; an existing one is not overwritten).
    pub path: PathBuf,
}
