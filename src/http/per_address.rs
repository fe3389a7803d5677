//! Limits per client address: open live sockets, and log-in and sign-up attempts.
//!
//! Participants of one school often share one address (a NAT): the defaults leave room for
//! hundreds of them, and stop one machine from holding thousands of sockets or guessing
//! passwords at speed.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Open connections per address, up to a limit.
#[derive(Debug)]
pub struct AddressSlots {
    open: Mutex<HashMap<IpAddr, usize>>,
    limit: usize,
}

/// One open connection of an address; the slot frees itself when dropped.
#[derive(Debug)]
pub struct AddressSlot {
    slots: Arc<AddressSlots>,
    addr: IpAddr,
}

impl AddressSlots {
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            open: Mutex::new(HashMap::new()),
            limit,
        })
    }

    /// A slot for `addr`, or `None` if it already holds `limit`.
    pub fn take(self: &Arc<Self>, addr: IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock().expect("address slots lock");
        let count = open.entry(addr).or_default();
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            slots: Arc::clone(self),
            addr,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().expect("address slots lock");
        if let Some(count) = open.get_mut(&self.addr) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.addr);
            }
        }
    }
}

/// Attempts per address (or per any other key, such as a room's seat): `burst` at once, then
/// one every `every`.
#[derive(Debug)]
pub struct Throttle<K = IpAddr> {
    buckets: Mutex<HashMap<K, Bucket>>,
    burst: f64,
    every: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Addresses remembered before full buckets are forgotten (bounded memory under a scan).
const REMEMBERED: usize = 100_000;

impl<K: Hash + Eq> Throttle<K> {
    pub fn new(burst: u32, every: Duration) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            burst: f64::from(burst),
            every,
        }
    }

    /// Counts an attempt; `Err(wait)` if `addr` must wait that long first.
    pub fn attempt(&self, addr: K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().expect("throttle lock");
        if buckets.len() >= REMEMBERED {
            buckets.retain(|_, b| self.refilled(*b, now) < self.burst);
        }
        let bucket = buckets.entry(addr).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = self.refilled(*bucket, now);
        if tokens < 1.0 {
            return Err(self.every.mul_f64(1.0 - tokens));
        }
        *bucket = Bucket {
            tokens: tokens - 1.0,
            at: now,
        };
        Ok(())
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let earned = now.duration_since(bucket.at).as_secs_f64() / self.every.as_secs_f64();
        (bucket.tokens + earned).min(self.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 8));

    #[test]
    fn slots_are_bounded_per_address_and_freed_when_dropped() {
        let slots = AddressSlots::new(2);
        let first = slots.take(A).unwrap();
        let _second = slots.take(A).unwrap();
        assert!(slots.take(A).is_none());
        assert!(slots.take(B).is_some(), "other addresses are not affected");
        drop(first);
        assert!(slots.take(A).is_some());
    }

    #[test]
    fn a_throttle_allows_a_burst_then_one_attempt_per_period() {
        let throttle = Throttle::new(3, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(throttle.attempt(A, start).is_ok());
        }
        let wait = throttle.attempt(A, start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(throttle.attempt(B, start).is_ok());
        assert!(throttle.attempt(A, start + Duration::from_secs(5)).is_err());
        assert!(throttle.attempt(A, start + Duration::from_secs(10)).is_ok());
    }
}
