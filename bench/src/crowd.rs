//! What every client of a run shares: the way to the server, the observations, the signals
//! that pace the run, and the rooms with their trainers' page changes.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::net::{Dialer, now_us};
use crate::stats::Stats;

/// First joins in flight at once: a crowd arriving within seconds, not in one instant.
const JOINS_IN_FLIGHT: usize = 64;

pub struct Crowd {
    pub dialer: Dialer,
    pub stats: Stats,
    /// Cancelled at the end of the run: every client leaves.
    pub stop: CancellationToken,
    /// Cancelled when the measured phase starts: clients with something to say start talking.
    pub talk: CancellationToken,
    /// Cancelled when it ends: they fall silent again.
    pub hush: CancellationToken,
    pub join_gate: Semaphore,
}

impl Crowd {
    pub fn new(dialer: Dialer) -> Self {
        Self {
            dialer,
            stats: Stats::default(),
            stop: CancellationToken::new(),
            talk: CancellationToken::new(),
            hush: CancellationToken::new(),
            join_gate: Semaphore::new(JOINS_IN_FLIGHT),
        }
    }
}

/// A live room as its clients see it.
pub struct Room {
    pub id: String,
    pub name: String,
    /// Page ids in order.
    pub pages: Vec<String>,
    /// The quiz chosen at launch.
    pub quiz_id: Option<String>,
    /// The trainer's page changes: (page index, `now_us` when sent).
    page_sends: Mutex<Vec<(u32, u64)>>,
    /// When the trainer last sent `quiz_next`, whose `quiz_question` participants time.
    pub question_sent: Stamp,
    /// When the trainer last sent `quiz_reveal`, whose `quiz_results` participants time.
    pub reveal_sent: Stamp,
}

impl Room {
    pub fn new(room: crate::api::Room, pages: Vec<String>, quiz_id: Option<String>) -> Self {
        Self {
            id: room.id,
            name: room.name,
            pages,
            quiz_id,
            page_sends: Mutex::new(Vec::new()),
            question_sent: Stamp::default(),
            reveal_sent: Stamp::default(),
        }
    }

    /// Notes that the trainer is sending `goto_page` to page `index` now.
    pub fn page_sent(&self, index: u32) {
        let mut sends = self.page_sends.lock().expect("page log lock");
        sends.push((index, now_us()));
    }

    pub fn pages_sent(&self) -> u64 {
        self.page_sends.lock().expect("page log lock").len() as u64
    }

    /// How long ago the last change to page `index` was sent, in microseconds.
    pub fn page_latency_us(&self, index: u32) -> Option<u64> {
        let now = now_us();
        let sends = self.page_sends.lock().expect("page log lock");
        let (_, sent) = sends.iter().rev().find(|(i, _)| *i == index)?;
        Some(now.saturating_sub(*sent))
    }
}

/// When something was sent (`now_us`), for its receivers to time it; unset until it is.
#[derive(Default)]
pub struct Stamp(AtomicU64);

impl Stamp {
    /// Notes that it is being sent now.
    pub fn set(&self) {
        self.0.store(now_us().max(1), Ordering::Relaxed);
    }

    /// Microseconds since it was sent; none if it never was.
    pub fn elapsed_us(&self) -> Option<u64> {
        let sent = self.0.load(Ordering::Relaxed);
        (sent > 0).then(|| now_us().saturating_sub(sent))
    }
}
