//! One simulated participant: joins, listens, pings, answers and chats as its plan says, and,
//! like the real client, comes back with its resume token after a random pause (full jitter)
//! when the connection is lost.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio::time::{Instant, Interval, interval_at, sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::crowd::{Crowd, Room};
use crate::net::{HEARTBEAT, Incoming, Ws, jitter, now_us};
use crate::stats::Stats;

/// A join (connect, upgrade, `welcome`) that takes longer has failed.
const JOIN_TIMEOUT: Duration = Duration::from_secs(60);

/// What a participant does besides listening and pinging.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plan {
    /// Answers the open question after a random delay below this.
    pub answer_within: Option<Duration>,
    /// Holds the answer until the crowd is told to talk: with `answer_within` zero, everyone
    /// holding the question then answers at once (a barrier).
    pub answer_on_talk: bool,
    /// Chats while the crowd is told to talk.
    pub chat: Option<Chat>,
}

/// A chat message every `period`, the first `offset` after the crowd is told to talk.
#[derive(Debug, Clone, Copy)]
pub struct Chat {
    pub period: Duration,
    pub offset: Duration,
}

struct Seat {
    participant_id: String,
    resume_token: String,
}

/// An answer waiting for its moment: when, to which question, which choice.
type Pending = (Instant, String, String);

pub struct Participant {
    crowd: Arc<Crowd>,
    room: Arc<Room>,
    number: usize,
    plan: Plan,
    seat: Option<Seat>,
    /// An answer was sent (it is never sent twice, even after a reconnect).
    answered: bool,
    /// When the answer awaiting its acceptance was sent (`now_us`).
    answer_sent_us: Option<u64>,
}

pub fn spawn(crowd: Arc<Crowd>, room: Arc<Room>, number: usize, plan: Plan) -> JoinHandle<()> {
    let participant = Participant {
        crowd,
        room,
        number,
        plan,
        seat: None,
        answered: false,
        answer_sent_us: None,
    };
    tokio::spawn(participant.run())
}

impl Participant {
    async fn run(mut self) {
        let mut attempt = 0;
        let stop = self.crowd.stop.clone();
        loop {
            let joined = tokio::select! {
                _ = stop.cancelled() => return,
                joined = self.join() => joined,
            };
            match joined {
                Ok(ws) => {
                    attempt = 0;
                    if !self.session(ws).await {
                        return;
                    }
                    Stats::add(&self.crowd.stats.drops);
                }
                Err(error) => self.crowd.stats.error(&format!("join: {error}")),
            }
            attempt += 1;
            if !self.pause(attempt).await {
                return;
            }
        }
    }

    /// Sleeps a random time below a cap that doubles with each attempt, up to 2 s; `false`
    /// when the run stops meanwhile.
    async fn pause(&self, attempt: u32) -> bool {
        let cap_ms = (100u64 << attempt.min(5)).min(2_000);
        let pause = Duration::from_millis(rand::random_range(0..cap_ms));
        tokio::select! {
            _ = self.crowd.stop.cancelled() => false,
            _ = sleep(pause) => true,
        }
    }

    /// Connects and joins (as new, or back on the seat); records how long it took.
    async fn join(&mut self) -> anyhow::Result<Ws> {
        let first = self.seat.is_none();
        let _in_flight = match first {
            true => Some(self.crowd.join_gate.acquire().await?),
            false => None,
        };
        let started = now_us();
        let mut ws = timeout(JOIN_TIMEOUT, self.crowd.dialer.open(&self.room.name))
            .await
            .context("connect timed out")??;
        let join = match &self.seat {
            None => {
                json!({"type": "join", "as": "participant", "first_name": format!("P{}", self.number),
                           "last_name": "Bench", "resume_token": null})
            }
            Some(seat) => {
                json!({"type": "join", "as": "participant", "resume_token": seat.resume_token})
            }
        };
        ws.send(Message::text(join.to_string())).await?;
        let (participant_id, resume_token) = timeout(JOIN_TIMEOUT, welcome(&mut ws))
            .await
            .context("no welcome in time")??;
        let stats = &self.crowd.stats;
        match &self.seat {
            None => {
                let now = now_us();
                stats.join.record_us(now - started);
                stats.last_join_us.fetch_max(now, Ordering::Relaxed);
                Stats::add(&stats.joined);
                stats.join_signal.notify_waiters();
            }
            Some(seat) => {
                if seat.participant_id != participant_id {
                    Stats::add(&stats.seat_changes);
                }
                stats.last_rejoin_us.fetch_max(now_us(), Ordering::Relaxed);
                Stats::add(&stats.rejoined);
            }
        }
        self.seat = Some(Seat {
            participant_id,
            resume_token,
        });
        Ok(ws)
    }

    /// Serves one connection; `true` when it was lost, `false` when the run stopped.
    async fn session(&mut self, ws: Ws) -> bool {
        let (mut tx, mut rx) = ws.split();
        let mut heartbeat = interval_at(Instant::now() + jitter(HEARTBEAT), HEARTBEAT);
        let mut chat: Option<Interval> = None;
        let mut pending: Option<Pending> = None;
        let crowd = Arc::clone(&self.crowd);
        let chat_plan = self.plan.chat;
        let answer_gate = self.plan.answer_on_talk.then_some(&crowd.talk);
        loop {
            let message = tokio::select! {
                _ = crowd.stop.cancelled() => return false,
                frame = rx.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(answer) = self.on_message(&text) {
                            pending = Some(answer);
                        }
                        continue;
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return true,
                    Some(Ok(_)) => continue,
                },
                _ = heartbeat.tick() => json!({"type": "ping"}),
                _ = crowd.talk.cancelled(),
                    if chat_plan.is_some() && chat.is_none() && !crowd.hush.is_cancelled() =>
                {
                    chat = chat_plan.map(|c| interval_at(Instant::now() + c.offset, c.period));
                    continue;
                }
                _ = tick(&mut chat) => {
                    if crowd.hush.is_cancelled() {
                        chat = None;
                        continue;
                    }
                    Stats::add(&crowd.stats.chats_sent);
                    json!({"type": "chat_send", "text": format!("bench {}", now_us())})
                }
                _ = due(&pending, answer_gate) => {
                    let Some((_, question_id, choice_id)) = pending.take() else { continue };
                    self.answered = true;
                    self.answer_sent_us = Some(now_us());
                    json!({"type": "quiz_answer", "question_id": question_id,
                           "choice_ids": [choice_id], "req": "answer"})
                }
            };
            if tx.send(Message::text(message.to_string())).await.is_err() {
                return true;
            }
        }
    }

    /// Records what a message tells; returns an answer to schedule for a new question.
    fn on_message(&mut self, text: &str) -> Option<Pending> {
        let stats = &self.crowd.stats;
        let now = now_us();
        let Ok(message) = serde_json::from_str::<Incoming>(text) else {
            stats.error("unreadable message");
            return None;
        };
        // Pongs come all the time; anything else means the room is still talking.
        if message.kind != "pong" {
            stats.last_message_us.store(now, Ordering::Relaxed);
            Stats::add(&stats.received);
        }
        match &*message.kind {
            "page_changed" => {
                let latency = message
                    .page_index
                    .and_then(|index| self.room.page_latency_us(index));
                if let Some(us) = latency {
                    stats.broadcast.record_us(us);
                }
            }
            "chat_message" => {
                let sent = message
                    .text
                    .as_deref()
                    .and_then(|t| t.strip_prefix("bench "))
                    .and_then(|t| t.parse::<u64>().ok());
                if let Some(sent) = sent {
                    stats.broadcast.record_us(now.saturating_sub(sent));
                }
            }
            "quiz_question" => {
                if let Some(us) = self.room.question_sent.elapsed_us() {
                    stats.broadcast.record_us(us);
                }
                if self.answered {
                    return None;
                }
                let within = self.plan.answer_within?;
                let question = message.question?;
                let choice = question.choices.first()?.id.clone();
                return Some((Instant::now() + jitter(within), question.id, choice));
            }
            "quiz_answer_accepted" => {
                if let Some(sent) = self.answer_sent_us.take() {
                    stats.ack.record_us(now.saturating_sub(sent));
                }
                if let Some(seat) = &self.seat {
                    let mut acked = stats.acked.lock().expect("acked lock");
                    acked.push(seat.participant_id.clone());
                }
            }
            "quiz_results" => match message.yours {
                Some(yours) if yours.answered => {
                    if let Some(us) = self.room.reveal_sent.elapsed_us() {
                        stats.results.record_us(us);
                    }
                }
                _ => stats.error("quiz_results without the participant's answer"),
            },
            "error" => stats.error(message.code.as_deref().unwrap_or("unknown")),
            _ => {}
        }
        None
    }
}

/// Reads until the `welcome` (its participant id and resume token) or a refusal.
async fn welcome(ws: &mut Ws) -> anyhow::Result<(String, String)> {
    while let Some(frame) = ws.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let message: Incoming = serde_json::from_str(&text)?;
        match &*message.kind {
            "welcome" => {
                let you = message.you.context("welcome.you")?;
                let token = message.resume_token.context("welcome.resume_token")?;
                return Ok((you.participant_id, token));
            }
            "error" => bail!("refused: {}", message.code.as_deref().unwrap_or("?")),
            _ => {}
        }
    }
    bail!("closed before the welcome")
}

async fn tick(interval: &mut Option<Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// When the pending answer is due: its moment, once `gate` (if any) is open.
async fn due(pending: &Option<Pending>, gate: Option<&CancellationToken>) {
    let Some((at, _, _)) = pending else {
        return std::future::pending().await;
    };
    if let Some(gate) = gate {
        gate.cancelled().await;
    }
    sleep_until(*at).await;
}
