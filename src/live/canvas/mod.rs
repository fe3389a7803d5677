//! tldraw documents served live: a room's shared canvas, and a capsule open in trainers'
//! editors. One task per document that has sockets owns it (`domain::canvas::SyncRoom`).
//!
//! A room's canvas has a task of its own rather than a place in the room's actor: strokes arrive
//! at dozens of pushes per second per drawer, and must never queue behind a quiz's answers (nor
//! these behind strokes). The room's actor tells it what concerns it (the collaboration mode,
//! a participant kicked or banned, the end of the session) after committing it.
//!
//! A capsule is edited the same way, so that two tabs (or two trainers of the account) see each
//! other's changes and nobody's save overwrites another's: the server owns the document, and
//! saves it in the capsule within a second of a change.

mod batch;
mod edits;
mod schema;
mod snapshot;
mod socket;
mod task;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::Live;
use super::committer::CommitError;
use crate::domain::canvas::Limits;
use crate::domain::content_policy::ContentPolicy;
use crate::domain::room::Collaboration;
use crate::store::events::EventRow;
use crate::store::live::Write;
use crate::store::{Db, StoreError};
use crate::tlschema::TlSchema;

pub(super) use edits::Edit;
use edits::Edits;
use schema::PolicedSchema;
pub use snapshot::{Served, SnapshotError, Snapshots};
pub use socket::serve;

/// The document a canvas task serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Doc {
    /// A live room's shared canvas.
    Room(Uuid),
    /// A capsule, in its trainer's editors.
    Capsule(Uuid),
}

/// Who holds a canvas socket, once its credentials were checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Trainer,
    Participant(Uuid),
}

/// Limits of a room's canvas.
#[derive(Debug, Clone)]
pub struct CanvasConfig {
    /// The whole document, as JSON: a push that would make it larger is refused.
    pub max_document_bytes: usize,
    /// One client message (chunked ones put back together).
    pub max_message_bytes: usize,
    /// Messages a session may send per second, on average and in a burst.
    pub rate_per_sec: u32,
    pub rate_burst: u32,
}

impl Default for CanvasConfig {
    fn default() -> Self {
        CanvasConfig {
            max_document_bytes: 32 << 20,
            max_message_bytes: 16 << 20,
            rate_per_sec: 120,
            rate_burst: 120,
        }
    }
}

/// What the room's canvas task is asked to do.
enum Request {
    Open {
        session: String,
        who: Who,
        out: super::Outbox,
    },
    Frame {
        session: String,
        conn: u64,
        text: String,
    },
    Closed {
        session: String,
        conn: u64,
    },
    Mode(Collaboration),
    /// A participant kicked or banned from the room: off the canvas too.
    Refuse {
        participant_id: Uuid,
        banned: bool,
    },
    /// The trainer turned a participant's drawing off or back on (a committed
    /// `participant_drawing_changed`): their open sessions close, and reopen with their new
    /// access.
    Drawing {
        participant_id: Uuid,
        allowed: bool,
    },
    /// The document as it is now, as a tldraw store snapshot.
    Document {
        reply: oneshot::Sender<Value>,
    },
    /// A capsule's new document (a store snapshot), from its owner: taken and saved only if no
    /// editor has it open.
    Replace {
        snapshot: Value,
        reply: oneshot::Sender<Result<(), Replaced>>,
    },
    /// The session ended (the document goes with the room), or the capsule was deleted.
    End,
}

/// Canvas tasks by document.
pub struct Canvases {
    db: Db,
    /// tldraw's schema, loaded with the first canvas (a JavaScript engine: not paid for by a
    /// server whose rooms never open their canvas).
    schema: OnceLock<Arc<TlSchema>>,
    /// The rooms' actors, asked for a room's current params when its canvas starts.
    live: OnceLock<Weak<Live>>,
    config: CanvasConfig,
    /// What URLs documents may hold: pushes that break it are refused, stored documents
    /// stripped as they load.
    content: ContentPolicy,
    /// Rooms' documents as `GET /api/live/{name}/snapshot` serves them.
    snapshots: Snapshots,
    docs: Mutex<HashMap<Doc, TaskHandle>>,
    /// Each room's counts of edits per person and minute, until its actor appends them as
    /// `canvas_edited` events (see `edits`).
    edits: Mutex<HashMap<Uuid, Edits>>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

/// Why a capsule's document was not replaced.
#[derive(Debug)]
pub enum Replaced {
    /// Someone has it open in the editor.
    Open,
    /// The capsule was deleted.
    Gone,
    /// The database failed, or the document cannot be read.
    Unavailable(String),
}

/// Frames that may wait for a canvas task before their sockets' readers wait too. Small on
/// purpose: waiting readers take turns (tokio's channel serves them in order, one frame each),
/// so a client flooding the canvas cannot fill the queue ahead of everyone else's strokes.
const CANVAS_QUEUE: usize = 64;

/// The ways to a running canvas task.
#[derive(Clone)]
struct TaskHandle {
    /// Sockets' requests, bounded.
    frames: mpsc::Sender<Request>,
    /// What the room committed (a mode, a ban, the end): rare, never dropped nor queued
    /// behind strokes.
    control: mpsc::UnboundedSender<Request>,
}

impl Canvases {
    pub fn new(
        db: Db,
        config: CanvasConfig,
        content: ContentPolicy,
        shutdown: CancellationToken,
    ) -> Self {
        Canvases {
            snapshots: Snapshots::new(db.clone(), content.clone()),
            db,
            schema: OnceLock::new(),
            live: OnceLock::new(),
            config,
            content,
            docs: Mutex::new(HashMap::new()),
            edits: Mutex::new(HashMap::new()),
            shutdown,
            tasks: TaskTracker::new(),
        }
    }

    pub fn config(&self) -> &CanvasConfig {
        &self.config
    }

    pub fn content_policy(&self) -> &ContentPolicy {
        &self.content
    }

    pub fn snapshots(&self) -> &Snapshots {
        &self.snapshots
    }

    /// Writes through the rooms' committer, like every other write of a room.
    async fn commit(&self, write: Write) -> Result<(), CommitError> {
        let live = self.live.get().and_then(Weak::upgrade);
        // Only while the server stops: as if the database had gone with it.
        let gone = || Arc::new(StoreError::Database(sqlx::Error::PoolClosed));
        let live = live.ok_or_else(gone)?;
        live.committer().write(write).await
    }

    pub(super) fn bind(&self, live: Weak<Live>) {
        let _ = self.live.set(live);
    }

    /// The collaboration mode of a running room and whose drawing is off, as its actor has
    /// them now (its checkpoint in the database may be a second behind).
    async fn current_access(&self, room_id: Uuid) -> Option<(Collaboration, HashSet<Uuid>)> {
        let live = self.live.get()?.upgrade()?;
        let view = live.view(room_id).await.ok()?;
        let off = view.state.drawing_off.into_iter().collect();
        Some((view.params.collaboration, off))
    }

    fn limits(&self) -> Limits {
        Limits {
            message_bytes: self.config.max_message_bytes,
            document_bytes: self.config.max_document_bytes,
        }
    }

    fn schema(&self) -> PolicedSchema {
        let load = || Arc::new(TlSchema::load().expect("tldraw's schema, embedded, loads"));
        PolicedSchema {
            tldraw: Arc::clone(self.schema.get_or_init(load)),
            content: self.content.clone(),
        }
    }

    /// Waits until every canvas task has saved its document and stopped (after shutdown).
    pub async fn wait_stopped(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// The task of a document, started if it is not running.
    fn task(self: &Arc<Self>, doc: Doc) -> mpsc::Sender<Request> {
        let mut docs = self.docs.lock().expect("canvas registry lock");
        if let Some(handle) = docs.get(&doc).filter(|h| !h.frames.is_closed()) {
            return handle.frames.clone();
        }
        let (frames, frames_rx) = mpsc::channel(CANVAS_QUEUE);
        let (control, control_rx) = mpsc::unbounded_channel();
        let handle = TaskHandle { frames, control };
        docs.insert(doc, handle.clone());
        let inbox = task::Inbox {
            frames: frames_rx,
            control: control_rx,
        };
        self.tasks.spawn(task::run(Arc::clone(self), doc, inbox));
        handle.frames
    }

    /// The ways to a document's task, if one runs.
    fn running(&self, doc: Doc) -> Option<TaskHandle> {
        let docs = self.docs.lock().expect("canvas registry lock");
        docs.get(&doc).cloned()
    }

    /// Tells a running canvas (if any) of something the room committed; a canvas that is not
    /// running reads it from the room when it starts.
    fn tell(&self, doc: Doc, request: Request) {
        if let Some(handle) = self.running(doc) {
            let _ = handle.control.send(request);
        }
    }

    /// What the room committed that concerns its canvas: a new collaboration mode, a
    /// participant kicked or banned.
    pub fn observe(&self, room_id: Uuid, events: &[EventRow]) {
        for event in events {
            match event.kind.as_str() {
                "params_changed" => {
                    let mode = event.data.0["params"]["collaboration"].clone();
                    if let Ok(mode) = serde_json::from_value::<Collaboration>(mode) {
                        self.tell(Doc::Room(room_id), Request::Mode(mode));
                    }
                }
                "participant_left" => {
                    let data = &event.data.0;
                    let banned = data["reason"] == "banned";
                    let participant_id = data["participant_id"]
                        .as_str()
                        .and_then(|id| id.parse().ok());
                    if let Some(participant_id) = participant_id
                        && (banned || data["reason"] == "kicked")
                    {
                        self.tell(
                            Doc::Room(room_id),
                            Request::Refuse {
                                participant_id,
                                banned,
                            },
                        );
                    }
                }
                "participant_drawing_changed" => {
                    let data = &event.data.0;
                    let participant_id = data["participant_id"]
                        .as_str()
                        .and_then(|id| id.parse().ok());
                    if let (Some(participant_id), Some(allowed)) =
                        (participant_id, data["allowed"].as_bool())
                    {
                        let drawing = Request::Drawing {
                            participant_id,
                            allowed,
                        };
                        self.tell(Doc::Room(room_id), drawing);
                    }
                }
                _ => {}
            }
        }
    }

    /// The room's session ended, or the capsule was deleted: its editors are closed.
    pub fn ended(&self, doc: Doc) {
        self.tell(doc, Request::End);
        if let Doc::Room(room_id) = doc {
            self.snapshots.forget(room_id);
        }
    }

    /// A document as its running task has it now, as a tldraw store snapshot; `None` if no task
    /// runs (what was saved is then the document).
    pub async fn current_document(&self, doc: Doc) -> Option<Value> {
        let (reply, answer) = oneshot::channel();
        self.tell(doc, Request::Document { reply });
        answer.await.ok()
    }

    /// Replaces a capsule's document, unless someone has it open in the editor. Through its
    /// task (started if need be), the one writer of the capsule's document: a task that
    /// lingers after its last editor left would otherwise save its older copy over this one.
    pub async fn replace(
        self: &Arc<Self>,
        capsule_id: Uuid,
        snapshot: Value,
    ) -> Result<(), Replaced> {
        let (reply, answer) = oneshot::channel();
        let doc = Doc::Capsule(capsule_id);
        let mut replace = Some(Request::Replace { snapshot, reply });
        // Twice: the first task found may be stopping.
        for _ in 0..2 {
            let Some(request) = replace.take() else { break };
            if let Err(mpsc::error::SendError(request)) = self.task(doc).send(request).await {
                replace = Some(request);
            }
        }
        if replace.is_some() {
            return Err(Replaced::Unavailable(
                "the capsule's editor is stopping".into(),
            ));
        }
        answer.await.unwrap_or(Err(Replaced::Unavailable(
            "the capsule could not be loaded".into(),
        )))
    }

    /// Counts a push of `who` that changed the room's document at `at`.
    fn record(&self, room_id: Uuid, who: Who, at: i64, counts: (u32, u32, u32)) {
        let mut edits = self.edits.lock().expect("canvas edits lock");
        let (created, updated, deleted) = counts;
        (edits.entry(room_id).or_default()).record(who, at, created, updated, deleted);
    }

    /// Whether counts of minutes started before `until` wait for the room's actor.
    fn edits_waiting(&self, room_id: Uuid, until: i64) -> bool {
        let edits = self.edits.lock().expect("canvas edits lock");
        edits.get(&room_id).is_some_and(|e| e.any_before(until))
    }

    /// Takes a room's counts of the minutes started before `until`, for its actor to append.
    pub(super) fn take_edits(&self, room_id: Uuid, until: i64) -> Vec<Edit> {
        let mut edits = self.edits.lock().expect("canvas edits lock");
        let Some(room) = edits.get_mut(&room_id) else {
            return Vec::new();
        };
        let taken = room.take(until);
        if room.is_empty() {
            edits.remove(&room_id);
        }
        taken
    }

    /// Puts back counts the room's actor could not append: it takes them again later.
    pub(super) fn put_back_edits(&self, room_id: Uuid, taken: &[Edit]) {
        if taken.is_empty() {
            return;
        }
        let mut edits = self.edits.lock().expect("canvas edits lock");
        edits.entry(room_id).or_default().put_back(taken);
    }

    /// Forgets a room's counts: it ended, and what it held was taken before its end.
    fn discard_edits(&self, room_id: Uuid) {
        self.edits
            .lock()
            .expect("canvas edits lock")
            .remove(&room_id);
    }

    /// Asks the room's actor (started if it stopped) to append the counts of the minutes
    /// started before `until`. Without an answer: what it does not take stays counted.
    fn hand_over_edits(&self, room_id: Uuid, until: i64) {
        let Some(live) = self.live.get().and_then(Weak::upgrade) else {
            return;
        };
        tokio::spawn(async move {
            let request = super::Request::CanvasEdited { until };
            if let Err(error) = live.send(room_id, request).await {
                tracing::debug!(%room_id, %error, "canvas edits not handed over");
            }
        });
    }

    /// Waits, at most `within`, until the room's canvas task (if one runs) has stopped: at
    /// shutdown its actor then takes whatever the canvas counted.
    pub(super) async fn stopped(&self, room_id: Uuid, within: Duration) {
        if let Some(handle) = self.running(Doc::Room(room_id)) {
            let _ = tokio::time::timeout(within, handle.frames.closed()).await;
        }
    }

    fn forget(&self, doc: Doc) {
        let mut docs = self.docs.lock().expect("canvas registry lock");
        if docs.get(&doc).is_some_and(|h| h.frames.is_closed()) {
            docs.remove(&doc);
        }
    }
}
