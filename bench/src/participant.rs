//! One simulated participant: joins, listens, pings, answers and chats as its plan says, and,
//! like the real client, comes back with its resume token after a random pause (full jitter)
//! when the connection is lost.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
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
    /// Reacts, sends cloud words, asks and votes (the `reactions` scenario).
    pub activities: Option<Activities>,
}

/// What a participant does in the room's activities.
#[derive(Debug, Clone, Copy)]
pub struct Activities {
    /// Taps a reaction this often while the crowd is told to talk.
    pub tap_every: Duration,
    /// Words sent to a word cloud, each at a random moment within `spread` of its start.
    pub words: u32,
    /// Participants numbered up to this ask a question when the trainer opens questions.
    pub askers: usize,
    /// Votes for others' questions, each at a random moment within `spread` of seeing enough
    /// questions to vote for.
    pub votes: u32,
    pub spread: Duration,
}

/// Where a participant stands in the activities.
#[derive(Default)]
struct Doing {
    /// When the next words and votes are due, latest first.
    words_due: Vec<Instant>,
    votes_due: Vec<Instant>,
    words_sent: u32,
    /// A question to ask now.
    ask_due: bool,
    /// The questions seen last that one may still vote for.
    votable: Vec<String>,
    voted: HashSet<String>,
    /// When each `cloud_send` and `qa_vote` awaiting its `ack` was sent, by `req`.
    in_flight: HashMap<String, u64>,
    /// The class `cloud` and `qa` frames received, and when the last came (`now_us`).
    cloud_frames: (u64, u64),
    qa_frames: (u64, u64),
}

/// The words of the cloud: few enough that the trainer's frame (the 100 sent most) holds
/// them all, so its counts add up to every word received.
const WORDS: [&str; 40] = [
    "écoute",
    "rythme",
    "exemples",
    "pause",
    "clarté",
    "humour",
    "pratique",
    "schémas",
    "questions",
    "concret",
    "vidéo",
    "quiz",
    "groupe",
    "calme",
    "énergie",
    "méthode",
    "partage",
    "écran",
    "sons",
    "lumière",
    "café",
    "notes",
    "résumé",
    "débat",
    "jeu",
    "histoire",
    "chiffres",
    "cas",
    "outils",
    "retour",
    "temps",
    "suite",
    "bases",
    "détails",
    "images",
    "voix",
    "plan",
    "liens",
    "défis",
    "merci",
];

/// The reactions offered in the `reactions` scenario; participant `n` taps the `n % 3`th.
pub const REACTIONS: [&str; 3] = ["clap", "heart", "thumbs_up"];

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
    doing: Doing,
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
        doing: Doing::default(),
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
        let mut taps: Option<Interval> = None;
        let tap_every = self.plan.activities.map(|a| a.tap_every);
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
                _ = crowd.talk.cancelled(),
                    if tap_every.is_some() && taps.is_none() && !crowd.hush.is_cancelled() =>
                {
                    taps = tap_every.map(|every| interval_at(Instant::now() + jitter(every), every));
                    continue;
                }
                _ = tick(&mut taps) => {
                    if crowd.hush.is_cancelled() {
                        taps = None;
                        continue;
                    }
                    Stats::sent(&crowd.stats.tap_sends, now_us());
                    json!({"type": "react", "reaction": REACTIONS[self.number % REACTIONS.len()]})
                }
                _ = sleep_until(self.doing.next_due()), if self.doing.has_due() => {
                    match self.next_activity() {
                        Some(message) => message,
                        None => continue,
                    }
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
            "cloud_started" => {
                if let Some(plan) = self.plan.activities {
                    self.doing.words_due = schedule(plan.words, plan.spread);
                }
            }
            "params_changed" => {
                let qa = message.params.and_then(|p| p.qa);
                let asker = self
                    .plan
                    .activities
                    .is_some_and(|plan| self.number <= plan.askers);
                if asker && qa.is_some_and(|qa| qa != "off") && !self.doing.ask_due {
                    self.doing.ask_due = true;
                }
            }
            "cloud" => self.class_frame(now, false),
            "qa" => {
                self.class_frame(now, true);
                let own = self.own_question();
                let doing = &mut self.doing;
                doing.votable = (message.questions.unwrap_or_default().into_iter())
                    .filter(|q| q.text != own && !doing.voted.contains(&q.question_id))
                    .map(|q| q.question_id)
                    .collect();
                if let Some(plan) = self.plan.activities
                    && doing.voted.is_empty()
                    && doing.votes_due.is_empty()
                    && doing.votable.len() >= plan.votes as usize
                {
                    doing.votes_due = schedule(plan.votes, plan.spread);
                }
            }
            // Taps are the only commands sent without `req`.
            "ack" if message.req.is_none() => Stats::add(&stats.taps_acked),
            "ack" => {
                let req = message.req.as_deref().unwrap_or_default();
                match (req.chars().next(), self.doing.in_flight.remove(req)) {
                    (Some('w'), Some(sent)) => stats.word_ack.record_us(now - sent),
                    (Some('v'), Some(sent)) => stats.vote_ack.record_us(now - sent),
                    (Some('a'), _) => Stats::add(&stats.asked),
                    _ => {}
                }
            }
            _ => {}
        }
        None
    }

    /// Counts a class frame of the word cloud or the questions, and whether it came too soon:
    /// after the first (a `cloud_show` is sent at once), they come a second apart.
    fn class_frame(&mut self, now: u64, qa: bool) {
        let stats = &self.crowd.stats;
        let (count, last) = match qa {
            true => &mut self.doing.qa_frames,
            false => &mut self.doing.cloud_frames,
        };
        if *count >= 2 && now - *last < 500_000 {
            Stats::add(&stats.class_frames_too_close);
        }
        *count += 1;
        *last = now;
        Stats::add(&stats.class_frames);
    }

    fn own_question(&self) -> String {
        format!(
            "Question {} : pouvez-vous revenir sur ce point ?",
            self.number
        )
    }

    /// The question, word or vote due now, if one is.
    fn next_activity(&mut self) -> Option<Value> {
        if std::mem::take(&mut self.doing.ask_due) {
            return Some(json!({"type": "qa_ask", "text": self.own_question(), "req": "a"}));
        }
        let now = Instant::now();
        let stats = &self.crowd.stats;
        let doing = &mut self.doing;
        if doing.words_due.last().is_some_and(|at| *at <= now) {
            doing.words_due.pop();
            let k = doing.words_sent as usize;
            doing.words_sent += 1;
            let word = WORDS[(self.number * 7 + k * 11) % WORDS.len()];
            let req = format!("w{k}");
            let sent = now_us();
            doing.in_flight.insert(req.clone(), sent);
            Stats::sent(&stats.word_sends, sent);
            return Some(json!({"type": "cloud_send", "text": word, "req": req}));
        }
        if doing.votes_due.last().is_some_and(|at| *at <= now) {
            doing.votes_due.pop();
            if doing.votable.is_empty() {
                return None;
            }
            let question = doing
                .votable
                .swap_remove(rand::random_range(0..doing.votable.len()));
            let req = format!("v{}", doing.voted.len());
            doing.voted.insert(question.clone());
            let sent = now_us();
            doing.in_flight.insert(req.clone(), sent);
            Stats::sent(&stats.vote_sends, sent);
            return Some(json!({"type": "qa_vote", "question_id": question, "req": req}));
        }
        None
    }
}

impl Doing {
    fn has_due(&self) -> bool {
        self.ask_due || !self.words_due.is_empty() || !self.votes_due.is_empty()
    }

    /// The soonest moment something is due (only meaningful when `has_due`).
    fn next_due(&self) -> Instant {
        let soonest = [self.words_due.last(), self.votes_due.last()]
            .into_iter()
            .flatten()
            .min()
            .copied();
        match self.ask_due {
            true => Instant::now(),
            false => soonest.unwrap_or_else(Instant::now),
        }
    }
}

/// `count` random moments within `spread` from now, latest first.
fn schedule(count: u32, spread: Duration) -> Vec<Instant> {
    let now = Instant::now();
    let mut due: Vec<Instant> = (0..count).map(|_| now + jitter(spread)).collect();
    due.sort_unstable_by(|a, b| b.cmp(a));
    due
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
