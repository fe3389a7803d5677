//! Persistence: one set of repository functions over SQLite or PostgreSQL.
//!
//! Every query is a runtime `sqlx::query*` with `$n` placeholders, which both databases accept;
//! `on_db!` runs the same code against whichever pool is configured. Rows decode through one
//! `FromRow` struct per table. Times are integer milliseconds since the Unix epoch.

pub mod admin;
pub mod assets;
pub mod auth_tokens;
pub mod capsules;
pub mod events;
pub mod live;
pub mod quizzes;
pub mod rooms;
pub mod secrets;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Runs `$body` with `$pool` bound to the SQLite or the PostgreSQL pool. The body is compiled
/// once per backend, so the same query text decodes into the same Rust types on both.
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// A handle on the database; cheap to clone (the pools are reference-counted).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (an e-mail or a room name already taken).
    #[error("already exists")]
    Conflict,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    fn from_write(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(e) if e.is_unique_violation() => Self::Conflict,
            _ => Self::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `sqlite://path` (the file and its folder are created if missing) or
    /// `postgres://…`, then brings the schema up to date. A database that a newer version of
    /// Pratico has migrated is refused: this binary does not know its tables.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let db = Self::open(url).await?;
        db.refuse_newer_schema().await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without touching the schema (`pratico admin check` looks at the database as it
    /// is).
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL with NORMAL is durable against process crashes and much faster than FULL.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true);
            if let Some(folder) = options.get_filename().parent()
                && !folder.as_os_str().is_empty()
            {
                std::fs::create_dir_all(folder)?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // A transaction that failed (a full disk) and could not be rolled back, or
                // that SQLite rolled back by itself, leaves a connection that sqlx believes is
                // still in it: its next transactions would be savepoints of the dead one,
                // "committed" without ever reaching the file. Such a connection is closed
                // (which rolls back whatever it held) instead of going back to the pool.
                .after_release(|conn, _| {
                    Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
                })
                .connect_with(options)
                .await?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .after_release(|conn, _| {
                    Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
                })
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            Db::Postgres(pool)
        } else {
            anyhow::bail!("database URL must start with sqlite:// or postgres://, got `{url}`");
        };
        Ok(db)
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest schema version this binary knows.
    pub fn known_schema_version(&self) -> i64 {
        let versions = self.migrator().iter().map(|m| m.version);
        versions.max().unwrap_or(0)
    }

    /// The schema versions applied to the database, in order (none for a new database), and
    /// whether each went through (`false`: it failed half-way).
    pub async fn applied_schema_versions(&self) -> StoreResult<Vec<(i64, bool)>> {
        // `_sqlx_migrations` is where sqlx records what it ran; it exists once a server started.
        let exists = on_db!(self, |pool| sqlx::query(match self {
            Db::Sqlite(_) =>
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Db::Postgres(_) => "SELECT 1 FROM pg_tables WHERE tablename = '_sqlx_migrations'",
        })
        .fetch_optional(pool)
        .await?
        .is_some());
        if !exists {
            return Ok(Vec::new());
        }
        let applied = on_db!(self, |pool| sqlx::query_as(
            "SELECT version, success FROM _sqlx_migrations ORDER BY version"
        )
        .fetch_all(pool)
        .await)?;
        Ok(applied)
    }

    /// Fails, saying which versions, when the database's schema is newer than this binary's:
    /// a downgrade would run old code on tables it does not know (restore the backup taken
    /// before the upgrade instead, or run the newer version).
    pub async fn refuse_newer_schema(&self) -> anyhow::Result<()> {
        let known = self.known_schema_version();
        let applied = self.applied_schema_versions().await?;
        let at = applied.iter().map(|&(v, _)| v).max().unwrap_or(0);
        if at > known {
            anyhow::bail!(
                "the database is at schema version {at}, newer than this binary knows \
                 (version {known}, Pratico {}): a newer Pratico has used it. Run that version \
                 (or newer), or restore the backup taken before the upgrade; downgrading is \
                 not supported",
                env!("CARGO_PKG_VERSION")
            );
        }
        Ok(())
    }

    async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> bool {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .is_ok())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}
