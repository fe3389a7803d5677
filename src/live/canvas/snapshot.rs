//! A live room's document as `GET /api/live/{name}/snapshot` serves it: read, cleaned and
//! serialised once per version of the document, compressed once per encoding, off the async
//! workers, and kept while the room lives (within [`CACHE_BYTES`] for all rooms).
//!
//! A deck with images is megabytes: compressing 14 MiB takes a quarter of a second of CPU, so
//! doing it per request let a few participants stall the server. The document changes only when
//! the room's canvas is saved ([`Snapshots::saved`]), which makes the cached copy stale.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use serde_json::Value;
use uuid::Uuid;

use crate::compression::Encoding;
use crate::domain::canvas::Document;
use crate::domain::content_policy::ContentPolicy;
use crate::domain::tldraw;
use crate::store::{Db, StoreError, rooms};

/// What the cache may hold for all rooms together. Past it, other rooms' copies are dropped
/// (they are built again when asked for); a room whose copy alone is larger keeps it.
pub const CACHE_BYTES: usize = 64 << 20;

/// Rooms' documents, ready to serve.
pub struct Snapshots {
    db: Db,
    content: ContentPolicy,
    rooms: Mutex<HashMap<Uuid, Arc<Slot>>>,
    /// Bytes held by every room's copy (each copy counts itself in and, when dropped, out).
    cached: Arc<AtomicUsize>,
}

/// One room's place in the cache.
#[derive(Default)]
struct Slot {
    /// Moves on at each save of the room's canvas: a copy built before is stale.
    version: AtomicU64,
    /// The copy; requests that find it missing or stale wait while one of them builds it.
    built: tokio::sync::Mutex<Option<Built>>,
}

struct Built {
    version: u64,
    etag: Arc<str>,
    /// The JSON, and the encodings asked for so far.
    plain: Bytes,
    encoded: HashMap<Encoding, Bytes>,
    /// `Snapshots::cached`.
    cached: Arc<AtomicUsize>,
}

impl Built {
    fn bytes(&self) -> usize {
        self.plain.len() + self.encoded.values().map(Bytes::len).sum::<usize>()
    }

    fn add(&mut self, encoding: Encoding, body: Bytes) {
        counted(&self.cached, body.len() as isize);
        self.encoded.insert(encoding, body);
    }
}

impl Drop for Built {
    fn drop(&mut self) {
        counted(&self.cached, -(self.bytes() as isize));
    }
}

/// Moves the count of cached bytes by `change`, and the gauge with it.
fn counted(cached: &AtomicUsize, change: isize) {
    let total = if change >= 0 {
        cached.fetch_add(change as usize, Ordering::AcqRel) + change as usize
    } else {
        cached.fetch_sub(change.unsigned_abs(), Ordering::AcqRel) - change.unsigned_abs()
    };
    metrics::gauge!("live_snapshot_cache_bytes").set(total as f64);
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored document cannot be read (a fault of the server's, not of the request).
    #[error("the room's document cannot be read: {0}")]
    Unreadable(String),
}

/// The answer to one request.
pub enum Served {
    /// The client's copy (`If-None-Match`) is current.
    NotModified { etag: Arc<str> },
    /// The document, in the encoding asked for (`None`: plain JSON).
    Body {
        etag: Arc<str>,
        encoding: Option<Encoding>,
        body: Bytes,
    },
}

impl Snapshots {
    pub fn new(db: Db, content: ContentPolicy) -> Snapshots {
        Snapshots {
            db,
            content,
            rooms: Mutex::new(HashMap::new()),
            cached: Arc::default(),
        }
    }

    /// The room's document for a client that has `known` (its `If-None-Match`) and takes
    /// `encoding`.
    pub async fn serve(
        &self,
        room_id: Uuid,
        known: Option<&str>,
        encoding: Option<Encoding>,
    ) -> Result<Served, SnapshotError> {
        let slot = self.slot(room_id);
        let mut built = slot.built.lock().await;
        let version = slot.version.load(Ordering::Acquire);
        if built.as_ref().is_none_or(|b| b.version != version) {
            *built = None;
            *built = Some(self.build(room_id, version).await?);
        }
        let current = built.as_mut().expect("built above");
        let etag = Arc::clone(&current.etag);
        if known == Some(&*etag) {
            return Ok(Served::NotModified { etag });
        }
        let body = match encoding {
            None => current.plain.clone(),
            Some(encoding) => match current.encoded.get(&encoding) {
                Some(body) => body.clone(),
                None => {
                    let plain = current.plain.clone();
                    let body = off_workers(move || Bytes::from(encoding.compress(&plain))).await;
                    metrics::counter!("live_snapshot_compressions_total", "encoding" => encoding.name())
                        .increment(1);
                    current.add(encoding, body.clone());
                    body
                }
            },
        };
        drop(built);
        self.make_room(room_id);
        Ok(Served::Body {
            etag,
            encoding,
            body,
        })
    }

    /// The room's canvas was saved: its copy is stale.
    pub fn saved(&self, room_id: Uuid) {
        if let Some(slot) = self.rooms.lock().expect("snapshots lock").get(&room_id) {
            slot.version.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The room ended: its copy goes (once a request still serving it is done).
    pub fn forget(&self, room_id: Uuid) {
        self.rooms.lock().expect("snapshots lock").remove(&room_id);
    }

    fn slot(&self, room_id: Uuid) -> Arc<Slot> {
        let mut rooms = self.rooms.lock().expect("snapshots lock");
        Arc::clone(rooms.entry(room_id).or_default())
    }

    /// Reads the room's document and makes it what participants may get: a saved canvas as the
    /// store snapshot it holds, without what the content policy refuses (a room launched
    /// before the policy), as JSON. Its ETag names the room and the canvas's clock.
    async fn build(&self, room_id: Uuid, version: u64) -> Result<Built, SnapshotError> {
        let stored = rooms::snapshot_text(&self.db, room_id).await?;
        let content = self.content.clone();
        let built = off_workers(move || {
            let mut snapshot: Value = serde_json::from_str(&stored)?;
            let mut clock = 0;
            if snapshot.get("documents").is_some() {
                let doc = Document::from_snapshot(&snapshot).map_err(invalid)?;
                clock = doc.clock();
                snapshot = doc.store_snapshot();
            } else {
                // Copied from the capsule at launch, by the database: the trainer's notes are
                // still in it.
                tldraw::strip_speaker_notes(&mut snapshot);
            }
            content.strip(&mut snapshot);
            Ok::<_, serde_json::Error>((clock, Bytes::from(serde_json::to_vec(&snapshot)?)))
        })
        .await;
        let (clock, plain) = built.map_err(|e| SnapshotError::Unreadable(e.to_string()))?;
        metrics::counter!("live_snapshot_builds_total").increment(1);
        counted(&self.cached, plain.len() as isize);
        Ok(Built {
            version,
            etag: format!("\"{room_id}-{clock}\"").into(),
            plain,
            encoded: HashMap::new(),
            cached: Arc::clone(&self.cached),
        })
    }

    /// Over the budget: drops other rooms' copies (those not being served right now).
    fn make_room(&self, keep: Uuid) {
        if self.cached.load(Ordering::Acquire) <= CACHE_BYTES {
            return;
        }
        let others: Vec<Arc<Slot>> = {
            let rooms = self.rooms.lock().expect("snapshots lock");
            (rooms.iter())
                .filter(|(id, _)| **id != keep)
                .map(|(_, slot)| Arc::clone(slot))
                .collect()
        };
        for slot in others {
            if self.cached.load(Ordering::Acquire) <= CACHE_BYTES {
                break;
            }
            if let Ok(mut built) = slot.built.try_lock() {
                *built = None;
            }
        }
    }
}

fn invalid(message: String) -> serde_json::Error {
    serde::de::Error::custom(message)
}

/// Runs CPU-bound work on the blocking pool, so that the async workers keep answering.
async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("building a snapshot does not panic")
}
