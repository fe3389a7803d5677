//! Group commit: a task writes what every live room hands it, many rooms per transaction.
//!
//! Each room's actor waits for its own batch before it answers anyone, so a room never has two
//! batches in flight and their order is kept. While one transaction runs, the writes of other
//! rooms queue up; the next transaction takes all of them. Under load the transactions grow
//! rather than multiply: 900 rooms chatting are a few transactions a second, not 2,000
//! (SQLite has one writer: rooms committing on their own waited on each other's locks).
//!
//! Checkpoints (a room's whole state, 650 KB for 5,000 seats) never hold up batches, which
//! someone is waiting for: on PostgreSQL they have a lane of their own (a second task, a
//! second connection); on SQLite, whose one writer would make the lanes wait on each other's
//! locks, each round commits its batches first and its checkpoints in a second transaction.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::store::live::{self as live_store, Write};
use crate::store::{Db, StoreError};

/// Why a write failed; shared by every room of the transaction that failed.
pub type CommitError = Arc<StoreError>;

/// Writes gathered into one transaction, at most.
const WRITES_PER_TRANSACTION: usize = 2_048;

/// Rooms' writes waiting for the committer; senders wait beyond that.
const QUEUE: usize = 4_096;

struct Job {
    write: Write,
    done: oneshot::Sender<Result<(), CommitError>>,
}

/// The way to the committer's tasks; cheap to clone.
#[derive(Clone)]
pub struct Committer {
    batches: mpsc::Sender<Job>,
    checkpoints: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer's tasks; they stop once every handle is dropped.
    pub fn start(db: Db) -> Self {
        let (batches, rx) = mpsc::channel(QUEUE);
        let checkpoints = match db {
            Db::Sqlite(_) => batches.clone(),
            Db::Postgres(_) => {
                let (checkpoints, rx) = mpsc::channel(QUEUE);
                tokio::spawn(run(db.clone(), rx));
                checkpoints
            }
        };
        tokio::spawn(run(db, rx));
        Self {
            batches,
            checkpoints,
        }
    }

    fn lane(&self, write: &Write) -> &mpsc::Sender<Job> {
        match write {
            // Large and debounced: never ahead of a room's events (answers wait on those).
            Write::Checkpoint(_) | Write::Canvas { .. } => &self.checkpoints,
            _ => &self.batches,
        }
    }

    /// Writes `write` durably, with whatever else is waiting.
    pub async fn write(&self, write: Write) -> Result<(), CommitError> {
        let (done, result) = oneshot::channel();
        let lane = self.lane(&write);
        if lane.send(Job { write, done }).await.is_err() {
            return Err(stopped());
        }
        result.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Queues `write` without waiting for it; `None` when the queue is full (try later).
    pub fn hand_over(&self, write: Write) -> Option<Pending> {
        let (done, result) = oneshot::channel();
        let lane = self.lane(&write);
        lane.try_send(Job { write, done }).ok()?;
        Some(Pending(result))
    }
}

/// A write handed over and not waited for.
pub struct Pending(oneshot::Receiver<Result<(), CommitError>>);

impl Pending {
    /// `None` while the write is still queued or running, then its outcome.
    pub fn outcome(&mut self) -> Option<Result<(), CommitError>> {
        match self.0.try_recv() {
            Ok(result) => Some(result),
            Err(oneshot::error::TryRecvError::Empty) => None,
            Err(oneshot::error::TryRecvError::Closed) => Some(Err(stopped())),
        }
    }
}

fn stopped() -> CommitError {
    Arc::new(StoreError::Database(sqlx::Error::PoolClosed))
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::new();
    while rx.recv_many(&mut jobs, WRITES_PER_TRANSACTION).await > 0 {
        // Batches first (a stable partition keeps each room's writes in order); a room waits
        // for each of its writes, so a room's rename or end is never in a round with its batch.
        let (alone, jobs): (Vec<Job>, Vec<Job>) = jobs.drain(..).partition(|j| j.write.alone());
        let (batches, checkpoints): (Vec<Job>, Vec<Job>) = jobs
            .into_iter()
            .partition(|job| matches!(job.write, Write::Batch { .. }));
        for jobs in [batches, checkpoints] {
            if !jobs.is_empty() {
                commit(&db, jobs).await;
            }
        }
        for job in alone {
            let result = live_store::write_alone(&db, &job.write).await;
            let _ = job.done.send(result.map_err(Arc::new));
        }
    }
}

/// Writes `jobs` in one transaction and tells each how it went.
async fn commit(db: &Db, jobs: Vec<Job>) {
    let writes: Vec<&Write> = jobs.iter().map(|j| &j.write).collect();
    let started = std::time::Instant::now();
    let result = live_store::write_all(db, &writes).await;
    metrics::histogram!("live_commit_seconds").record(started.elapsed().as_secs_f64());
    metrics::histogram!("live_commit_writes").record(jobs.len() as f64);
    match result {
        Ok(()) => {
            for job in jobs {
                let _ = job.done.send(Ok(()));
            }
        }
        // A refusal of the data itself (a constraint) is one room's fault: each write is tried
        // on its own so that only that room's fails.
        Err(StoreError::Database(sqlx::Error::Database(_))) if jobs.len() > 1 => {
            for job in jobs {
                let result = live_store::write_all(db, &[&job.write]).await;
                let _ = job.done.send(result.map_err(Arc::new));
            }
        }
        // The database is away (or full): every room hears so and retries in its own time.
        Err(error) => {
            let error = Arc::new(error);
            for job in jobs {
                let _ = job.done.send(Err(Arc::clone(&error)));
            }
        }
    }
}
