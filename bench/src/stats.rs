//! What the clients of a run observed, recorded from every connection task at once.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::sync::Notify;

use crate::net::now_us;

/// Latencies in microseconds, up to a minute, to three significant digits.
pub struct Latencies(Mutex<Histogram<u64>>);

impl Default for Latencies {
    fn default() -> Self {
        let histogram = Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
        Self(Mutex::new(histogram))
    }
}

impl Latencies {
    pub fn record_us(&self, us: u64) {
        let mut histogram = self.0.lock().expect("histogram lock");
        histogram.saturating_record(us.max(1));
    }

    /// Several at once (one lock).
    pub fn record_all_us(&self, all: impl IntoIterator<Item = u64>) {
        let mut histogram = self.0.lock().expect("histogram lock");
        for us in all {
            histogram.saturating_record(us.max(1));
        }
    }

    /// Forgets what was recorded: a new series starts.
    pub fn reset(&self) {
        self.0.lock().expect("histogram lock").reset();
    }

    pub fn count(&self) -> u64 {
        self.0.lock().expect("histogram lock").len()
    }

    /// The value at `quantile` (0.5, 0.99, 1.0), in milliseconds; NaN when nothing was recorded.
    pub fn ms(&self, quantile: f64) -> f64 {
        let histogram = self.0.lock().expect("histogram lock");
        if histogram.is_empty() {
            return f64::NAN;
        }
        histogram.value_at_quantile(quantile) as f64 / 1000.0
    }
}

#[derive(Default)]
pub struct Stats {
    /// Connect → `welcome`, for first joins.
    pub join: Latencies,
    /// Trainer's (or chat sender's) send → a participant's receive.
    pub broadcast: Latencies,
    /// `quiz_answer` sent → `quiz_answer_accepted` received.
    pub ack: Latencies,
    /// Trainer's `quiz_reveal` sent → a participant's `quiz_results` (with their answer).
    pub results: Latencies,
    pub joined: AtomicU64,
    /// When the last first join got its `welcome` (`now_us`).
    pub last_join_us: AtomicU64,
    /// Woken at every first join: a wave of joins is waited for without polling.
    pub join_signal: Notify,
    /// Joins with a resume token after a lost connection.
    pub rejoined: AtomicU64,
    /// Rejoins that did not get the same seat back.
    pub seat_changes: AtomicU64,
    /// When the last rejoin happened (`now_us`).
    pub last_rejoin_us: AtomicU64,
    /// Connections the server closed or lost while the client wanted them.
    pub drops: AtomicU64,
    pub chats_sent: AtomicU64,
    /// Participants whose answer was accepted.
    pub acked: Mutex<Vec<String>>,
    /// `error` messages received, by code.
    pub errors: Mutex<BTreeMap<String, u64>>,
    /// When any client last received anything (`now_us`).
    pub last_message_us: AtomicU64,
    /// Messages participants received after their `welcome`, pongs left out.
    pub received: AtomicU64,
    /// When each reaction, cloud word and vote was sent (`now_us`).
    pub tap_sends: Mutex<Vec<u64>>,
    pub word_sends: Mutex<Vec<u64>>,
    pub vote_sends: Mutex<Vec<u64>>,
    /// `cloud_send` and `qa_vote` sent → their `ack`.
    pub word_ack: Latencies,
    pub vote_ack: Latencies,
    /// Reactions acknowledged (the others refused: `rate_limited` errors).
    pub taps_acked: AtomicU64,
    /// Questions from the class acknowledged.
    pub asked: AtomicU64,
    /// `cloud` and `qa` frames participants received, and those that came less than half a
    /// second after the one before of the same kind (the class is promised one a second).
    pub class_frames: AtomicU64,
    pub class_frames_too_close: AtomicU64,
}

impl Stats {
    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Notes the moment `now` in a list of sends.
    pub fn sent(list: &Mutex<Vec<u64>>, now: u64) {
        list.lock().expect("sends lock").push(now);
    }

    pub fn error(&self, code: &str) {
        *self
            .errors
            .lock()
            .expect("errors lock")
            .entry(code.to_owned())
            .or_default() += 1;
    }

    /// Waits until no client has received anything for `silence` (a join storm or a broadcast
    /// has drained), or `at_most` has passed.
    pub async fn quiet(&self, silence: Duration, at_most: Duration) {
        let until = now_us() + at_most.as_micros() as u64;
        loop {
            let now = now_us();
            let last = Self::get(&self.last_message_us);
            if now.saturating_sub(last) >= silence.as_micros() as u64 || now >= until {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `done()`, checking every 10 ms, or `at_most` has passed; returns whether it
    /// happened.
    pub async fn until(at_most: Duration, done: impl Fn() -> bool) -> bool {
        let until = now_us() + at_most.as_micros() as u64;
        while !done() {
            if now_us() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Waits until `counter` reaches `target`, or `at_most` has passed; returns whether it did.
    pub async fn reach(counter: &AtomicU64, target: u64, at_most: Duration) -> bool {
        Self::until(at_most, || Self::get(counter) >= target).await
    }

    /// Waits until `list` holds `target` items, or `at_most` has passed; returns whether it did.
    pub async fn reach_len(list: &Mutex<Vec<String>>, target: usize, at_most: Duration) -> bool {
        Self::until(at_most, || list.lock().expect("list lock").len() >= target).await
    }

    /// Waits until `target` participants have joined, woken by each join (no polling delay),
    /// or `at_most` has passed; returns whether they did.
    pub async fn joined_at_least(&self, target: u64, at_most: Duration) -> bool {
        let all = async {
            loop {
                let mut woken = std::pin::pin!(self.join_signal.notified());
                woken.as_mut().enable();
                if Self::get(&self.joined) >= target {
                    return;
                }
                woken.await;
            }
        };
        tokio::time::timeout(at_most, all).await.is_ok()
    }
}
