//! Live rooms: one actor task per running room, the registry that finds or starts it, and the
//! per-connection socket tasks.
//!
//! A room's actor is the only code that changes the room. Sockets and HTTP handlers send it
//! requests over a bounded channel; it decides them with the sans-IO `domain::room::LiveRoom`,
//! commits their events in batches, and only then answers and broadcasts.

mod actor;
pub mod canvas;
pub mod committer;
mod error;
pub mod logins;
mod outbox;
pub mod resume;
pub mod socket;
mod wire;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::config::Config;
use crate::domain::content_policy::ContentPolicy;
use crate::domain::events::{EndReason, LeaveReason};
use crate::domain::protocol::ClientMessage;
use crate::domain::room::{ParamsPatch, QuizSheet, RoomError, RoomLimits, RoomParams, RoomState};
use crate::store::{Db, live as live_store, now_ms, secrets};
use committer::Committer;
pub use error::LiveError;
pub use outbox::{Frame, Outbox};
use resume::ResumeKey;

/// Limits and timings of live rooms.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub heartbeat: Duration,
    pub max_participants: usize,
    pub roster_limit: usize,
    pub max_seats_per_address: usize,
    pub max_frame_bytes: usize,
    pub rate_per_sec: u32,
    pub rate_burst: u32,
    pub idle_end: Duration,
    /// Base of absolute links, for `renamed`.
    pub public_base: Arc<str>,
}

impl LiveConfig {
    pub fn from_config(config: &Config, public_base: Arc<str>) -> Self {
        Self {
            heartbeat: Duration::from_secs(config.heartbeat_timeout_s.max(1)),
            max_participants: config.max_participants,
            roster_limit: config.roster_limit,
            max_seats_per_address: config.max_seats_per_address,
            max_frame_bytes: config.max_frame_bytes,
            rate_per_sec: config.rate_per_sec.max(1),
            rate_burst: config.rate_burst.max(1),
            idle_end: Duration::from_secs_f64(config.idle_end_hours.max(0.0) * 3600.0),
            public_base,
        }
    }

    pub fn limits(&self) -> RoomLimits {
        RoomLimits {
            max_participants: self.max_participants,
            roster_limit: self.roster_limit,
        }
    }
}

/// A connection's id, unique within the process.
pub type ConnId = u64;

/// Who a joining connection is, once the socket has checked its credentials.
#[derive(Debug)]
pub enum JoinAs {
    Trainer {
        user_id: Uuid,
    },
    Participant {
        /// The seat a valid resume token names.
        resume: Option<Uuid>,
        first_name: Option<String>,
        last_name: Option<String>,
        /// The client's address, for the seats-per-address limit.
        from: IpAddr,
    },
}

/// What a room's actor is asked to do.
pub enum Request {
    Connect {
        conn: ConnId,
        outbox: Outbox,
    },
    Join {
        conn: ConnId,
        req: Option<String>,
        who: JoinAs,
    },
    Message {
        conn: ConnId,
        req: Option<String>,
        message: ClientMessage,
        /// When the socket read the frame, in epoch milliseconds: answers are timed by it.
        received_at: i64,
    },
    /// `quiz_start`, first step: which quiz to load (`None` if the room refused, which it
    /// tells the client itself, in order with its other answers).
    QuizToLoad {
        conn: ConnId,
        req: Option<String>,
        quiz_id: Option<Uuid>,
        reply: oneshot::Sender<Option<QuizKey>>,
    },
    /// `quiz_start`, second step: the sheet, loaded outside the room's loop (or why it could
    /// not be).
    QuizStart {
        conn: ConnId,
        req: Option<String>,
        quiz: Result<Box<QuizSheet>, RoomError>,
    },
    Disconnect {
        conn: ConnId,
        reason: LeaveReason,
    },
    /// A change from the REST API (`PATCH /api/rooms/{id}`, or a participant's drawing on the
    /// shared canvas turned off or on).
    Update {
        name: Option<String>,
        params: Option<ParamsPatch>,
        drawing: Option<(Uuid, bool)>,
        reply: oneshot::Sender<Result<RoomView, RoomError>>,
    },
    End {
        reason: EndReason,
        reply: oneshot::Sender<Result<EndSummary, RoomError>>,
    },
    Peek {
        reply: oneshot::Sender<RoomView>,
    },
    /// Whether the room is locked: all the join page needs, without a copy of every seat.
    Locked {
        reply: oneshot::Sender<bool>,
    },
    /// Whether a seat was banned (its resume token then opens nothing).
    Banned {
        participant_id: Uuid,
        reply: oneshot::Sender<bool>,
    },
    /// The room's canvas counted edits: append, as `canvas_edited` events, the counts of the
    /// minutes started before `until` (epoch ms). They wait in `Canvases` until taken, so a
    /// request that is lost loses nothing: the canvas asks again.
    CanvasEdited {
        until: i64,
    },
}

/// A quiz to load: `quiz_id` among the quizzes of `owner`, the room's trainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuizKey {
    pub owner: Uuid,
    pub quiz_id: Uuid,
}

/// The live view of a room's changing parts.
#[derive(Debug, Clone)]
pub struct RoomView {
    pub name: String,
    pub params: RoomParams,
    pub state: RoomState,
}

#[derive(Debug, Clone)]
pub struct EndSummary {
    pub room_id: Uuid,
    pub name: String,
    pub started_at: i64,
    pub ended_at: i64,
    pub duration_s: i64,
    pub participant_count: usize,
    pub reason: EndReason,
}

/// The way to one running room's actor.
#[derive(Clone)]
pub struct RoomHandle {
    tx: mpsc::Sender<Request>,
}

impl RoomHandle {
    /// Waits for room in the actor's queue; fails once that actor has stopped.
    pub async fn send(&self, request: Request) -> Result<(), mpsc::error::SendError<Request>> {
        self.tx.send(request).await
    }
}

/// Room actors by room id. Holds no lock across an await.
pub struct Live {
    db: Db,
    /// Writes of every room, many per transaction.
    committer: Committer,
    key: ResumeKey,
    config: LiveConfig,
    rooms: Mutex<HashMap<Uuid, RoomHandle>>,
    /// Held while a stopped room is loaded (one lock per stripe of rooms): a crowd reconnecting
    /// after a restart loads its room once, not once per connection.
    loading: [tokio::sync::Mutex<()>; LOAD_STRIPES],
    /// Cancelled at shutdown: actors checkpoint and close their sockets.
    shutdown: CancellationToken,
    tasks: TaskTracker,
    /// The rooms' shared canvases.
    canvases: Arc<canvas::Canvases>,
    /// Trainers' sockets by log-in token, to close them when the token is revoked.
    logins: Arc<logins::Logins>,
}

/// How many requests may wait for a room's actor before senders wait too.
const ROOM_QUEUE: usize = 8_192;

/// Rooms that can be loaded at the same time.
const LOAD_STRIPES: usize = 16;

impl Live {
    pub async fn start(
        db: Db,
        config: LiveConfig,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Arc<Self>> {
        let key = secrets::get_or_create(
            &db,
            "resume_token_key",
            || rand::random::<[u8; 32]>().to_vec(),
            now_ms(),
        )
        .await?;
        let canvases = canvas::Canvases::new(
            db.clone(),
            canvas::CanvasConfig::default(),
            ContentPolicy::new(&config.public_base),
            shutdown.clone(),
        );
        let live = Arc::new(Self {
            canvases: Arc::new(canvases),
            committer: Committer::start(db.clone()),
            db,
            key: ResumeKey::new(key),
            config,
            rooms: Mutex::new(HashMap::new()),
            loading: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
            shutdown,
            tasks: TaskTracker::new(),
            logins: Arc::default(),
        });
        live.canvases.bind(Arc::downgrade(&live));
        live.tasks.spawn(Arc::clone(&live).sweep_idle_rooms());
        Ok(live)
    }

    pub fn config(&self) -> &LiveConfig {
        &self.config
    }

    pub fn key(&self) -> &ResumeKey {
        &self.key
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    fn committer(&self) -> &Committer {
        &self.committer
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until every actor has checkpointed and stopped (after the shutdown token fired).
    pub async fn wait_stopped(&self) {
        self.tasks.close();
        self.tasks.wait().await;
        self.canvases.wait_stopped().await;
    }

    pub fn logins(&self) -> &Arc<logins::Logins> {
        &self.logins
    }

    pub fn canvases(&self) -> Arc<canvas::Canvases> {
        Arc::clone(&self.canvases)
    }

    fn running(&self, room_id: Uuid) -> Option<RoomHandle> {
        let rooms = self.rooms.lock().expect("registry lock");
        rooms.get(&room_id).filter(|h| !h.tx.is_closed()).cloned()
    }

    /// The actor of a room, started (from the database) if it is not running.
    async fn handle(self: &Arc<Self>, room_id: Uuid) -> Result<RoomHandle, LiveError> {
        if let Some(handle) = self.running(room_id) {
            return Ok(handle);
        }
        let stripe = &self.loading[room_id.as_u128() as usize % LOAD_STRIPES];
        let _loading = stripe.lock().await;
        // Another task may have started it while this one waited.
        if let Some(handle) = self.running(room_id) {
            return Ok(handle);
        }
        let room = actor::load(&self.db, room_id, self.config.limits()).await?;
        let mut rooms = self.rooms.lock().expect("registry lock");
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let handle = RoomHandle { tx };
        rooms.insert(room_id, handle.clone());
        self.tasks.spawn(actor::run(Arc::clone(self), room, rx));
        Ok(handle)
    }

    /// Forgets a stopping actor, unless requests reached it meanwhile (then it carries on).
    fn unregister(&self, room_id: Uuid, rx: &mpsc::Receiver<Request>) -> bool {
        let mut rooms = self.rooms.lock().expect("registry lock");
        if !rx.is_empty() {
            return false;
        }
        rooms.remove(&room_id);
        true
    }

    /// Sends a request to a room's actor, restarting it if it stopped in between; returns the
    /// actor that took it.
    pub async fn send(
        self: &Arc<Self>,
        room_id: Uuid,
        mut request: Request,
    ) -> Result<RoomHandle, LiveError> {
        for _ in 0..3 {
            let handle = self.handle(room_id).await?;
            match handle.tx.send(request).await {
                Ok(()) => return Ok(handle),
                Err(mpsc::error::SendError(back)) => request = back,
            }
        }
        Err(LiveError::NotFound)
    }

    /// Registers a new connection with a room's actor (started if needed) and returns that
    /// actor: the connection talks to it alone, and reconnects if it stops.
    pub async fn connect(
        self: &Arc<Self>,
        room_id: Uuid,
        outbox: Outbox,
    ) -> Result<RoomHandle, LiveError> {
        let conn = outbox.id;
        self.send(room_id, Request::Connect { conn, outbox })
            .await?;
        self.running(room_id).ok_or(LiveError::NotFound)
    }

    /// Renames and/or changes the params of a room through its actor.
    pub async fn update(
        self: &Arc<Self>,
        room_id: Uuid,
        name: Option<String>,
        params: Option<ParamsPatch>,
    ) -> Result<RoomView, LiveError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            room_id,
            Request::Update {
                name,
                params,
                drawing: None,
                reply,
            },
        )
        .await?;
        answer
            .await
            .map_err(|_| LiveError::NotFound)?
            .map_err(LiveError::Refused)
    }

    /// Turns a participant's drawing on the room's shared canvas off or back on, through the
    /// room (a `participant_drawing_changed` event; its canvas follows once it is saved).
    pub async fn set_drawing(
        self: &Arc<Self>,
        room_id: Uuid,
        participant_id: Uuid,
        allowed: bool,
    ) -> Result<RoomView, LiveError> {
        let (reply, answer) = oneshot::channel();
        let drawing = Some((participant_id, allowed));
        let update = Request::Update {
            name: None,
            params: None,
            drawing,
            reply,
        };
        self.send(room_id, update).await?;
        answer
            .await
            .map_err(|_| LiveError::NotFound)?
            .map_err(LiveError::Refused)
    }

    /// Ends a session through its actor: clients are told, the room is deleted.
    pub async fn end(
        self: &Arc<Self>,
        room_id: Uuid,
        reason: EndReason,
    ) -> Result<EndSummary, LiveError> {
        let (reply, answer) = oneshot::channel();
        self.send(room_id, Request::End { reason, reply }).await?;
        answer
            .await
            .map_err(|_| LiveError::NotFound)?
            .map_err(LiveError::Refused)
    }

    /// A live room as its actor has it now, the actor loaded if it was not running.
    pub async fn view(self: &Arc<Self>, room_id: Uuid) -> Result<RoomView, LiveError> {
        let (reply, answer) = oneshot::channel();
        self.send(room_id, Request::Peek { reply }).await?;
        answer.await.map_err(|_| LiveError::NotFound)
    }

    /// The live view of a room if its actor runs (the database may lag it by a second).
    pub async fn peek(&self, room_id: Uuid) -> Option<RoomView> {
        self.ask(room_id, |reply| Request::Peek { reply }).await
    }

    /// Whether a running room is locked; `None` if it is not running.
    pub async fn locked(&self, room_id: Uuid) -> Option<bool> {
        self.ask(room_id, |reply| Request::Locked { reply }).await
    }

    /// Whether a seat of a running room was banned; `None` if the room is not running.
    pub async fn banned(&self, room_id: Uuid, participant_id: Uuid) -> Option<bool> {
        let ask = |reply| Request::Banned {
            participant_id,
            reply,
        };
        self.ask(room_id, ask).await
    }

    /// A question to a running room's actor; `None` if it is not running (none is started).
    async fn ask<T>(
        &self,
        room_id: Uuid,
        question: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Option<T> {
        let handle = self.running(room_id)?;
        let (reply, answer) = oneshot::channel();
        handle.tx.send(question(reply)).await.ok()?;
        answer.await.ok()
    }

    /// Ends rooms nobody has been connected to for `idle_end`, checking every minute (more
    /// often when the idle time is shorter).
    async fn sweep_idle_rooms(self: Arc<Self>) {
        let every =
            (self.config.idle_end / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = self.shutdown.cancelled() => return,
            }
            let cutoff = now_ms() - self.config.idle_end.as_millis() as i64;
            let idle = match live_store::untouched_since(&self.db, cutoff).await {
                Ok(ids) => ids,
                Err(error) => {
                    tracing::warn!(%error, "idle sweep could not list rooms");
                    continue;
                }
            };
            for room_id in idle {
                if self.running(room_id).is_some() {
                    continue;
                }
                match self.end(room_id, EndReason::Idle).await {
                    Ok(summary) => {
                        tracing::info!(%room_id, name = summary.name, "idle room ended")
                    }
                    Err(error) => tracing::warn!(%room_id, %error, "idle room could not end"),
                }
            }
        }
    }
}
