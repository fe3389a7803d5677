//! A flood guard per participant: at most `burst` actions in any `window_ms`.

use std::collections::{HashMap, VecDeque};

use uuid::Uuid;

#[derive(Debug, Clone)]
pub(super) struct Throttle {
    burst: usize,
    window_ms: i64,
    times: HashMap<Uuid, VecDeque<i64>>,
}

impl Throttle {
    pub(super) fn new(burst: usize, window_ms: i64) -> Self {
        Self {
            burst,
            window_ms,
            times: HashMap::new(),
        }
    }

    /// Whether `who` may act at `now`; an action allowed is counted.
    pub(super) fn allow(&mut self, who: Uuid, now: i64) -> bool {
        let times = self.times.entry(who).or_default();
        while times.front().is_some_and(|t| now - t >= self.window_ms) {
            times.pop_front();
        }
        if times.len() >= self.burst {
            return false;
        }
        times.push_back(now);
        true
    }

    pub(super) fn burst(&self) -> usize {
        self.burst
    }

    pub(super) fn window_s(&self) -> i64 {
        self.window_ms / 1000
    }
}
