//! The server under test: the real `pratico` binary on a fresh database and a free port,
//! started, killed (`kill -9`) and restarted by the harness; or one already running.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::time::Instant;

/// Where the database of a run lives.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// A server URL; each run creates its own database there and drops it afterwards.
    Postgres(String),
}

/// How to start servers.
#[derive(Debug, Clone)]
pub struct Launcher {
    pub binary: PathBuf,
    pub backend: Backend,
}

/// The server under test. One the harness started is killed and its database removed when
/// dropped; one started elsewhere is only measured.
pub struct Server {
    pub addr: SocketAddr,
    /// Where its events are, to count what it kept (unknown for a server started elsewhere).
    pub database_url: Option<String>,
    /// The process, for CPU and memory (unknown unless given for a server started elsewhere).
    pid: Option<u32>,
    own: Option<Own>,
}

/// What the harness needs to restart and clean up a server it started.
struct Own {
    child: Option<Child>,
    binary: PathBuf,
    env: Vec<(String, String)>,
    database_url: String,
    /// The run's folder: the SQLite file and the server's log.
    dir: PathBuf,
    postgres: Option<PgDatabase>,
}

/// A database made for one run on a PostgreSQL server.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Launcher {
    /// Starts a server on a new database with `env` (`PRATICO_*` settings) and waits until it
    /// answers `/healthz`.
    pub async fn start(&self, env: &[(&str, String)]) -> anyhow::Result<Server> {
        let run = format!("pratico-bench-{}", uuid::Uuid::new_v4().simple());
        let dir = std::env::temp_dir().join(&run);
        std::fs::create_dir_all(&dir)?;
        let (database_url, postgres) = match &self.backend {
            Backend::Sqlite => (format!("sqlite://{}", dir.join("bench.db").display()), None),
            Backend::Postgres(admin_url) => {
                let name = run.replace('-', "_");
                let mut admin = PgConnection::connect(admin_url).await?;
                let create = format!("CREATE DATABASE {name}");
                sqlx::query(AssertSqlSafe(create))
                    .execute(&mut admin)
                    .await?;
                let (base, _) = admin_url.rsplit_once('/').context("a postgres URL")?;
                let url = format!("{base}/{name}");
                let admin_url = admin_url.clone();
                (url, Some(PgDatabase { admin_url, name }))
            }
        };
        let mut server = Server {
            addr: free_local_addr()?,
            database_url: Some(database_url.clone()),
            pid: None,
            own: Some(Own {
                child: None,
                binary: self.binary.clone(),
                env: env
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
                database_url,
                dir,
                postgres,
            }),
        };
        server.spawn().await?;
        Ok(server)
    }
}

impl Server {
    /// A server started elsewhere, at `addr`.
    pub fn running(addr: SocketAddr, pid: Option<u32>, database_url: Option<String>) -> Self {
        Self {
            addr,
            database_url,
            pid,
            own: None,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Starts the binary (again) on the same database and address.
    pub async fn spawn(&mut self) -> anyhow::Result<()> {
        let own = self
            .own
            .as_mut()
            .context("only a server the harness started can be restarted")?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(own.dir.join("server.log"))?;
        let child = Command::new(&own.binary)
            .env("PRATICO_DATABASE_URL", &own.database_url)
            .env("PRATICO_LISTEN", self.addr.to_string())
            .env("PRATICO_LOG", "info,tower_http=warn")
            // Thousands of participants come from a handful of loopback addresses here.
            .env("PRATICO_MAX_SOCKETS_PER_ADDRESS", "1000000")
            .env("PRATICO_MAX_SEATS_PER_ADDRESS", "1000000")
            .envs(own.env.iter().map(|(k, v)| (k, v)))
            .env_remove("PRATICO_PUBLIC_URL")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", own.binary.display()))?;
        self.pid = Some(child.id());
        own.child = Some(child);
        self.wait_until_healthy().await
    }

    async fn wait_until_healthy(&mut self) -> anyhow::Result<()> {
        let url = format!("http://{}/healthz", self.addr);
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(own) = &mut self.own
                && let Some(child) = &mut own.child
                && let Some(status) = child.try_wait()?
            {
                let log = own.dir.join("server.log");
                bail!("the server exited: {status}; see {}", log.display());
            }
            if let Ok(answer) = reqwest::get(&url).await
                && answer.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > until {
                bail!("the server is not healthy after a minute");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9`: no shutdown, no last checkpoint.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.own.as_mut().and_then(|own| own.child.take()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills a server the harness started and removes its database.
    pub async fn stop(mut self) {
        self.kill();
        let Some(own) = self.own.take() else { return };
        let _ = std::fs::remove_dir_all(&own.dir);
        if let Some(PgDatabase { admin_url, name }) = own.postgres
            && let Ok(mut admin) = PgConnection::connect(&admin_url).await
        {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(AssertSqlSafe(drop)).execute(&mut admin).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A local address nobody listens on (bound, then released).
fn free_local_addr() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}
