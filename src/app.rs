//! Start-up and shutdown: connect the store, bind the socket, serve until told to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admin;
use crate::config::Config;
use crate::http::auth::hash_password;
use crate::http::live::SNAPSHOT_FETCHES_PER_MINUTE;
use crate::http::per_address::{AddressSlots, Throttle};
use crate::http::serve::serve;
use crate::http::{AppState, router};
use crate::limits;
use crate::live::{Live, LiveConfig};
use crate::store::{Db, assets, auth_tokens, events, now_ms};
use crate::telemetry;

/// Connections waiting to be accepted (tokio's default is 1,024): a room of thousands
/// reconnecting after a restart is thousands of SYNs at once, and past the backlog the kernel
/// drops them and clients retry only after 1 s, then 3 s. The kernel caps it at
/// `net.core.somaxconn` (4,096 on current Linux).
const LISTEN_BACKLOG: u32 = 4_096;

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Cancelled to stop serving (tests use it; `main` ties it to SIGINT/SIGTERM).
    shutdown: CancellationToken,
    /// This server's name among those running on the database (its heartbeat, for
    /// `pratico admin`).
    node: String,
    /// Background work beside the live rooms (the retention purge): waited for at shutdown,
    /// so that none of it is cut off by the database closing under it.
    tasks: TaskTracker,
}

impl Application {
    /// Connects and migrates the database and binds the listening socket.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        limits::raise_for_server(config.max_participants);
        let db = Db::connect(&config.database_url).await?;
        let purged = auth_tokens::purge_expired(&db, now_ms()).await?;
        tracing::debug!(purged, "expired log-in tokens removed");
        let listener = listen(config.listen)?;
        let bound = listener.local_addr()?;
        let dummy_password_hash = hash_password("not a password of anyone".to_owned())
            .await
            .map_err(|_| anyhow::anyhow!("argon2 could not hash"))?;
        let public_base: Arc<str> = config.public_base(bound).into();
        let shutdown = CancellationToken::new();
        let live_config = LiveConfig::from_config(&config, Arc::clone(&public_base));
        let live = Live::start(db.clone(), live_config, shutdown.clone()).await?;
        let tasks = TaskTracker::new();
        let node = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
        tasks.spawn(admin::rooms::serve_requests(
            Arc::clone(&live),
            node.clone(),
            shutdown.clone(),
        ));
        let grace = Duration::from_secs(config.unused_asset_grace_s);
        tasks.spawn(delete_unused_assets(db.clone(), grace, shutdown.clone()));
        if let Some(days) = config.event_retention_days {
            tasks.spawn(purge_old_sessions(db.clone(), days, shutdown.clone()));
        }
        let state = AppState {
            public_base,
            live,
            db,
            metrics: telemetry::metrics(),
            dummy_password_hash: dummy_password_hash.into(),
            live_sockets: AddressSlots::new(config.max_sockets_per_address),
            auth_attempts: Arc::new(Throttle::new(
                config.auth_attempts_per_minute,
                Duration::from_secs(60) / config.auth_attempts_per_minute,
            )),
            snapshot_fetches: Arc::new(Throttle::new(
                SNAPSHOT_FETCHES_PER_MINUTE,
                Duration::from_secs(60) / SNAPSHOT_FETCHES_PER_MINUTE,
            )),
            large_bodies: Arc::new(tokio::sync::Semaphore::new(
                config.large_bodies_at_once.max(1),
            )),
            config: Arc::new(config),
        };
        Ok(Self {
            listener,
            state,
            shutdown,
            node,
            tasks,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound socket has an address")
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// A token that stops the server when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until the shutdown token is cancelled: live rooms checkpoint and close their
    /// sockets, requests in flight finish, then the database closes.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        serve(
            self.listener,
            router(self.state.clone()),
            self.shutdown.clone(),
        )
        .await;
        self.state.live.wait_stopped().await;
        self.tasks.close();
        self.tasks.wait().await;
        admin::rooms::leave(&self.state.db, &self.node).await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Ticks at once, then every `period`.
fn ticks(period: Duration) -> tokio::time::Interval {
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every
}

/// Waits for the next tick: `false` once the server stops.
async fn next_tick(every: &mut tokio::time::Interval, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => false,
        _ = every.tick() => true,
    }
}

/// Deletes the images no document references once they are `grace` old: at start-up, then
/// every hour (or every quarter of `grace` when shorter), until shutdown.
async fn delete_unused_assets(db: Db, grace: Duration, shutdown: CancellationToken) {
    let period = (grace / 4).clamp(Duration::from_secs(1), Duration::from_secs(3600));
    let mut every = ticks(period);
    while next_tick(&mut every, &shutdown).await {
        let before = now_ms() - grace.as_millis() as i64;
        match assets::delete_unreferenced(&db, before).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "images no document uses any more deleted"),
            Err(error) => tracing::warn!(%error, "unused images not deleted"),
        }
    }
}

/// How often sessions past the retention period are looked for.
const RETENTION_CHECK_EVERY: Duration = Duration::from_secs(3600);

/// Erases the sessions whose last event is older than `days`, at once and then hourly, until
/// shutdown.
async fn purge_old_sessions(db: Db, days: u32, shutdown: CancellationToken) {
    let retention_ms = i64::from(days) * 86_400_000;
    let mut every = ticks(RETENTION_CHECK_EVERY);
    while next_tick(&mut every, &shutdown).await {
        match events::purge_sessions_before(&db, now_ms() - retention_ms).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, days, "events past the retention period erased"),
            Err(error) => tracing::warn!(%error, "events past the retention period not erased"),
        }
    }
}
