//! The attackers of the flood scenario, all from one address of their own: bots that join
//! under fresh names as fast as they can and keep every socket, bots that send messages far
//! past the rate limit (and come back to their seat each time they are closed), and sockets
//! that connect and never join. They count what the server let them have, and how it refused
//! and closed them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::{Instant, interval, sleep, timeout};
use tokio_tungstenite::tungstenite::{self, Message, protocol::CloseFrame};
use tokio_util::sync::CancellationToken;

use crate::net::{Dialer, Incoming, Ws};
use crate::report::Run;
use crate::stats::Stats;

/// Where every attacker connects from; honest clients use 127.0.0.1 … 127.0.0.N, N < 200.
pub const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 200);

/// A connection or a join unanswered for this long has failed.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// Sockets the attackers hold at most: past that they let new ones go, so that the harness
/// stays bounded even if the server's per-address limit does not hold.
const HOLD_AT_MOST: u64 = 10_000;
/// A message-flood bot sends its messages in volleys this far apart.
const VOLLEY_EVERY: Duration = Duration::from_millis(10);

/// How a socket ended when it was neither closed with a code nor still open.
const LOST: &str = "lost without a close frame";
const OPEN_AT_END: &str = "still open at the end";

/// What the attack is made of.
#[derive(Debug, Clone, Copy)]
pub struct Bots {
    /// Bots joining under fresh names as fast as they can, each keeping every socket.
    pub joiners: usize,
    /// Bots that join, then send `chat_send` and `ping` at `flood_rate` a second.
    pub flooders: usize,
    pub flood_rate: u32,
    /// Sockets that connect and never join.
    pub idle: usize,
}

pub struct Attack {
    dialer: Dialer,
    room: String,
    /// Cancelled when the attack ends: the bots stop connecting and sending.
    cease: CancellationToken,
    /// Cancelled when the sockets still held are let go.
    release: CancellationToken,
    tally: Tally,
    /// Bot names handed out, so that every join is under a fresh one.
    names: AtomicU64,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// What the attackers got.
#[derive(Default)]
struct Tally {
    /// Connection attempts (TCP connect and upgrade request).
    connects: AtomicU64,
    /// Upgrades to a live socket.
    upgraded: AtomicU64,
    /// Live sockets held now, and at most at once.
    open: AtomicU64,
    max_open: AtomicU64,
    /// `join`s sent, new seats taken, seats taken back with a resume token.
    joins_sent: AtomicU64,
    joins_accepted: AtomicU64,
    rejoins: AtomicU64,
    /// Messages sent by the message-flood bots.
    flood_sent: AtomicU64,
    /// Refusals and ends, by what the server said: `http 429 too_many_connections`,
    /// `error address_full`, `close 1008`, …
    outcomes: Mutex<BTreeMap<String, u64>>,
}

/// The outcomes shown as figures of their own; any other goes to the run's errors.
const SHOWN: [(&str, &str); 7] = [
    ("bot_http_429", "http 429 too_many_connections"),
    ("refused_address_full", "error address_full"),
    ("refused_room_full", "error room_full"),
    ("refused_rate_limited", "error rate_limited"),
    ("closed_1008", "close 1008"),
    ("closed_4000", "close 4000"),
    ("bot_open_at_end", OPEN_AT_END),
];

/// One of the attackers' live sockets, counted as open until dropped.
struct Slot(Arc<Attack>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.tally.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How the server answered a `join`.
enum Answer {
    /// A seat, and its resume token.
    Welcome(String),
    Refused(String),
    /// The socket ended first (how).
    Ended(String),
}

impl Attack {
    pub fn new(dialer: Dialer, room: &str) -> Arc<Self> {
        Arc::new(Self {
            dialer,
            room: room.to_owned(),
            cease: CancellationToken::new(),
            release: CancellationToken::new(),
            tally: Tally::default(),
            names: AtomicU64::new(1),
            workers: Mutex::new(Vec::new()),
        })
    }

    /// Starts every bot at once: the message-flood bots first (so that they find a seat before
    /// the join flood takes the address's share), the idle sockets, the join flood.
    pub fn launch(self: &Arc<Self>, bots: Bots) {
        let mut workers = self.workers.lock().expect("workers lock");
        for _ in 0..bots.flooders {
            workers.push(tokio::spawn(
                Arc::clone(self).message_flood(bots.flood_rate),
            ));
        }
        for _ in 0..bots.idle {
            workers.push(tokio::spawn(Arc::clone(self).idle()));
        }
        for _ in 0..bots.joiners {
            workers.push(tokio::spawn(Arc::clone(self).join_flood()));
        }
    }

    /// Stops the bots; the sockets they hold stay open until the server closes them or until
    /// `linger` has passed, then are let go.
    pub async fn stop(&self, linger: Duration) {
        self.cease.cancel();
        let workers = std::mem::take(&mut *self.workers.lock().expect("workers lock"));
        for worker in workers {
            let _ = worker.await;
        }
        let until = Instant::now() + linger;
        while Stats::get(&self.tally.open) > 0 && Instant::now() < until {
            sleep(Duration::from_millis(50)).await;
        }
        self.release.cancel();
        let until = Instant::now() + Duration::from_secs(5);
        while Stats::get(&self.tally.open) > 0 && Instant::now() < until {
            sleep(Duration::from_millis(20)).await;
        }
    }

    /// Adds what the attackers got to `run`: counts as figures, and the outcomes that have no
    /// figure of their own (as `attacker: …`) to its errors.
    pub fn report(&self, run: &mut Run) {
        let t = &self.tally;
        run.put("bot_connects", Stats::get(&t.connects) as f64);
        run.put("bot_upgraded", Stats::get(&t.upgraded) as f64);
        run.put("bot_max_open", Stats::get(&t.max_open) as f64);
        run.put("bot_joins_sent", Stats::get(&t.joins_sent) as f64);
        run.put("bot_joins_accepted", Stats::get(&t.joins_accepted) as f64);
        run.put("bot_rejoins", Stats::get(&t.rejoins) as f64);
        run.put("flood_messages_sent", Stats::get(&t.flood_sent) as f64);
        let outcomes = t.outcomes.lock().expect("outcomes lock").clone();
        let (shown, others) = split_outcomes(&outcomes);
        for (figure, count) in shown {
            run.put(figure, count as f64);
        }
        run.put("bot_other_outcomes", others.values().sum::<u64>() as f64);
        for (what, count) in others {
            run.errors.insert(format!("attacker: {what}"), count);
        }
    }

    fn outcome(&self, what: &str) {
        let mut outcomes = self.tally.outcomes.lock().expect("outcomes lock");
        *outcomes.entry(what.to_owned()).or_default() += 1;
    }

    /// One connection attempt; records how it was refused. `None` also when the attack ends.
    async fn connect_once(self: &Arc<Self>) -> Option<(Ws, Slot)> {
        Stats::add(&self.tally.connects);
        let opened = tokio::select! {
            _ = self.cease.cancelled() => return None,
            opened = timeout(ANSWER_TIMEOUT, self.dialer.open(&self.room)) => opened,
        };
        match opened {
            Ok(Ok(ws)) => {
                let t = &self.tally;
                Stats::add(&t.upgraded);
                let open = t.open.fetch_add(1, Ordering::Relaxed) + 1;
                t.max_open.fetch_max(open, Ordering::Relaxed);
                Some((ws, Slot(Arc::clone(self))))
            }
            Ok(Err(error)) => {
                let refusal = refusal(&error);
                self.outcome(&refusal);
                // Refused by the server: try again at once. Failed on this side (no port
                // left, say): pause rather than spin.
                if !refusal.starts_with("http ") {
                    sleep(Duration::from_millis(10)).await;
                }
                None
            }
            Err(_) => {
                self.outcome("connect timed out");
                None
            }
        }
    }

    /// Connects, trying again at once after each refusal; `None` once the attack ends.
    async fn connect(self: &Arc<Self>) -> Option<(Ws, Slot)> {
        while !self.cease.is_cancelled() {
            if let Some(socket) = self.connect_once().await {
                return Some(socket);
            }
        }
        None
    }

    fn fresh_join(&self) -> Message {
        let number = self.names.fetch_add(1, Ordering::Relaxed);
        let join = json!({"type": "join", "as": "participant", "first_name": format!("Bot{number}"),
                          "last_name": "Flood", "resume_token": null});
        Message::text(join.to_string())
    }

    /// Sends `join` and reads the answer; records refusals and ends.
    async fn join(&self, ws: &mut Ws, join: Message) -> Answer {
        Stats::add(&self.tally.joins_sent);
        let answer = match ws.send(join).await {
            Err(_) => Answer::Ended(LOST.to_owned()),
            Ok(()) => timeout(ANSWER_TIMEOUT, answer(ws))
                .await
                .unwrap_or_else(|_| Answer::Refused("(no answer in time)".to_owned())),
        };
        match &answer {
            Answer::Welcome(_) => {}
            Answer::Refused(code) => self.outcome(&format!("error {code}")),
            Answer::Ended(how) => self.outcome(how),
        }
        answer
    }

    /// Connects and joins under a fresh name, again and again, keeping every socket, seated or
    /// refused, until the attack ends.
    async fn join_flood(self: Arc<Self>) {
        while let Some((mut ws, slot)) = self.connect().await {
            match self.join(&mut ws, self.fresh_join()).await {
                Answer::Welcome(_) => Stats::add(&self.tally.joins_accepted),
                Answer::Refused(_) => {}
                Answer::Ended(_) => continue,
            }
            self.hold(ws, slot);
        }
    }

    /// One socket that connects and never says anything.
    async fn idle(self: Arc<Self>) {
        if let Some((ws, slot)) = self.connect_once().await {
            self.hold(ws, slot);
        }
    }

    /// Joins, then sends far past the rate limit until closed; comes back to its seat (resume
    /// token) and starts again, until the attack ends.
    async fn message_flood(self: Arc<Self>, rate: u32) {
        let per_volley = (u64::from(rate) * VOLLEY_EVERY.as_millis() as u64 / 1000).max(1);
        let mut token: Option<String> = None;
        while let Some((mut ws, slot)) = self.connect().await {
            let join = match &token {
                None => self.fresh_join(),
                Some(token) => Message::text(
                    json!({"type": "join", "as": "participant", "resume_token": token}).to_string(),
                ),
            };
            let Answer::Welcome(seat) = self.join(&mut ws, join).await else {
                // Refused (no seat left for this address, say): try again.
                continue;
            };
            match token {
                None => Stats::add(&self.tally.joins_accepted),
                Some(_) => Stats::add(&self.tally.rejoins),
            }
            token = Some(seat);
            let (mut tx, mut rx) = ws.split();
            let mut volleys = interval(VOLLEY_EVERY);
            let ended = loop {
                tokio::select! {
                    _ = self.cease.cancelled() => break None,
                    _ = volleys.tick() => {
                        if !self.volley(&mut tx, per_volley).await {
                            break Some(ending(&mut rx).await);
                        }
                    }
                    frame = rx.next() => match frame {
                        Some(Ok(Message::Text(text))) => {
                            if let Ok(message) = serde_json::from_str::<Incoming>(&text)
                                && message.kind == "error"
                            {
                                self.outcome(&format!("error {}", message.code.as_deref().unwrap_or("?")));
                            }
                        }
                        Some(Ok(Message::Close(frame))) => break Some(close_key(frame.as_ref())),
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break Some(LOST.to_owned()),
                    },
                }
            };
            match ended {
                Some(how) => self.outcome(&how),
                // The attack is over: the socket stays, silent, like the others.
                None => {
                    if let Ok(ws) = tx.reunite(rx) {
                        self.hold(ws, slot);
                    }
                    return;
                }
            }
        }
    }

    /// Sends `count` messages, `chat_send` and `ping` in turn; `false` when the socket broke.
    async fn volley(&self, tx: &mut SplitSink<Ws, Message>, count: u64) -> bool {
        for _ in 0..count {
            let n = self.tally.flood_sent.fetch_add(1, Ordering::Relaxed);
            let message = match n % 2 {
                0 => json!({"type": "chat_send", "text": format!("flood {n}")}),
                _ => json!({"type": "ping"}),
            };
            if tx.feed(Message::text(message.to_string())).await.is_err() {
                return false;
            }
        }
        tx.flush().await.is_ok()
    }

    /// Keeps a socket in a task of its own (or lets it go past the harness's own cap).
    fn hold(self: &Arc<Self>, ws: Ws, slot: Slot) {
        if Stats::get(&self.tally.open) > HOLD_AT_MOST {
            self.outcome("let go (the harness's cap)");
            return;
        }
        tokio::spawn(Arc::clone(self).keep(ws, slot));
    }

    /// Reads a socket until the server closes it or the sockets are let go; records which.
    async fn keep(self: Arc<Self>, mut ws: Ws, slot: Slot) {
        let how = loop {
            tokio::select! {
                _ = self.release.cancelled() => break OPEN_AT_END.to_owned(),
                frame = ws.next() => match frame {
                    Some(Ok(Message::Close(frame))) => break close_key(frame.as_ref()),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break LOST.to_owned(),
                },
            }
        };
        self.outcome(&how);
        drop(ws);
        drop(slot);
    }
}

/// Reads what is left after a write failed, for the close frame that explains it.
async fn ending(rx: &mut SplitStream<Ws>) -> String {
    let read = async {
        while let Some(frame) = rx.next().await {
            match frame {
                Ok(Message::Close(frame)) => return close_key(frame.as_ref()),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        LOST.to_owned()
    };
    timeout(Duration::from_secs(1), read)
        .await
        .unwrap_or_else(|_| LOST.to_owned())
}

/// Reads until the answer to a `join`.
async fn answer(ws: &mut Ws) -> Answer {
    while let Some(frame) = ws.next().await {
        match frame {
            Ok(Message::Text(text)) => {
                let Ok(message) = serde_json::from_str::<Incoming>(&text) else {
                    continue;
                };
                match &*message.kind {
                    "welcome" => return Answer::Welcome(message.resume_token.unwrap_or_default()),
                    "error" => {
                        let code = message.code.as_deref().unwrap_or("?");
                        return Answer::Refused(code.to_owned());
                    }
                    _ => {}
                }
            }
            Ok(Message::Close(frame)) => return Answer::Ended(close_key(frame.as_ref())),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Answer::Ended(LOST.to_owned())
}

fn close_key(frame: Option<&CloseFrame>) -> String {
    match frame {
        Some(frame) => format!("close {}", u16::from(frame.code)),
        None => "close without a code".to_owned(),
    }
}

/// How a connection attempt failed: `http <status> <code>` when the server refused the
/// upgrade (the code from its `{"error": {"code"}}` body), else the error itself.
fn refusal(error: &anyhow::Error) -> String {
    match error.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Http(response)) => {
            let code = response
                .body()
                .as_deref()
                .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
                .and_then(|body| body["error"]["code"].as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("http {} {code}", response.status().as_u16())
                .trim_end()
                .to_owned()
        }
        _ => format!("connect: {error}"),
    }
}

/// The outcomes that have a figure of their own (each, zero if never seen), and the others.
fn split_outcomes(
    outcomes: &BTreeMap<String, u64>,
) -> (Vec<(&'static str, u64)>, BTreeMap<String, u64>) {
    let shown = SHOWN
        .iter()
        .map(|(figure, key)| (*figure, outcomes.get(*key).copied().unwrap_or(0)))
        .collect();
    let others = outcomes
        .iter()
        .filter(|(key, _)| !SHOWN.iter().any(|(_, shown)| shown == key))
        .map(|(key, count)| (key.clone(), *count))
        .collect();
    (shown, others)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::http::Response;

    #[test]
    fn an_upgrade_refusal_is_named_by_its_status_and_code() {
        let body = br#"{"error": {"code": "too_many_connections", "message": "..."}}"#.to_vec();
        let response = Response::builder().status(429).body(Some(body)).unwrap();
        let error = anyhow::Error::from(tungstenite::Error::Http(Box::new(response)));
        assert_eq!(refusal(&error), "http 429 too_many_connections");
        let bare = Response::builder().status(404).body(None).unwrap();
        let error = anyhow::Error::from(tungstenite::Error::Http(Box::new(bare)));
        assert_eq!(refusal(&error), "http 404");
        let io = anyhow::Error::from(std::io::Error::other("no port left"));
        assert_eq!(refusal(&io), "connect: no port left");
    }

    #[test]
    fn known_outcomes_become_figures_and_the_rest_errors() {
        let outcomes = BTreeMap::from([
            ("close 1008".to_owned(), 7),
            ("error address_full".to_owned(), 3),
            ("close 1011".to_owned(), 1),
        ]);
        let (shown, others) = split_outcomes(&outcomes);
        assert_eq!(shown.len(), SHOWN.len());
        assert!(shown.contains(&("closed_1008", 7)));
        assert!(shown.contains(&("refused_address_full", 3)));
        assert!(shown.contains(&("closed_4000", 0)));
        assert_eq!(others, BTreeMap::from([("close 1011".to_owned(), 1)]));
    }

    #[test]
    fn close_frames_are_named_by_their_code() {
        let frame = CloseFrame {
            code: 1008.into(),
            reason: "flooding".into(),
        };
        assert_eq!(close_key(Some(&frame)), "close 1008");
        assert_eq!(close_key(None), "close without a code");
    }
}
