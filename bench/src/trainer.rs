//! The trainer's connection: commands that wait for their `ack`, and a task that drains what
//! the room sends so the trainer never falls behind (it gets every join of a crowd).

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::{interval, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::crowd::{Crowd, Room};
use crate::net::{HEARTBEAT, Incoming, Ws, now_us};

/// The messages a trainer's driver waits for or looks at; the rest is read and dropped. Each
/// kept one gets `_at_us`: when it came (`now_us`).
const KEPT: [&str; 8] = [
    "welcome",
    "ack",
    "error",
    "quiz_question",
    "quiz_progress",
    "reactions",
    "cloud",
    "qa",
];

/// An answer that takes longer than this fails the run.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Trainer {
    out: mpsc::UnboundedSender<String>,
    inbox: mpsc::UnboundedReceiver<Value>,
    /// Kept messages read while waiting for another one.
    backlog: VecDeque<Value>,
    requests: u64,
}

impl Trainer {
    /// Connects and joins `room` as its trainer.
    pub async fn join(crowd: &Crowd, room: &Room, token: &str) -> anyhow::Result<Self> {
        let ws = crowd.dialer.open(&room.name).await?;
        let (out, outgoing) = mpsc::unbounded_channel();
        let (kept, inbox) = mpsc::unbounded_channel();
        tokio::spawn(pump(ws, outgoing, kept, crowd.stop.clone()));
        let mut trainer = Self {
            out,
            inbox,
            backlog: VecDeque::new(),
            requests: 0,
        };
        trainer.send(json!({"type": "join", "as": "trainer", "token": token}));
        let answer = trainer
            .next(|m| m["type"] == "welcome" || m["type"] == "error")
            .await?;
        if answer["type"] != "welcome" {
            bail!("the trainer's join was refused: {answer}");
        }
        Ok(trainer)
    }

    fn send(&self, message: Value) {
        let _ = self.out.send(message.to_string());
    }

    /// Sends a command and waits for its `ack`.
    pub async fn command(&mut self, mut message: Value) -> anyhow::Result<()> {
        self.requests += 1;
        let req = format!("t{}", self.requests);
        message["req"] = json!(req);
        self.send(message.clone());
        let answer = self.next(|m| m["req"] == req.as_str()).await?;
        if answer["type"] != "ack" {
            bail!("{message} → {answer}");
        }
        Ok(())
    }

    /// Brings everyone to page `index`, noting when it was asked.
    pub async fn goto(&mut self, room: &Room, index: u32) -> anyhow::Result<()> {
        room.page_sent(index);
        let page_id = &room.pages[index as usize];
        self.command(json!({"type": "goto_page", "page_id": page_id}))
            .await
    }

    /// The kept messages of type `kind` received so far, taken out of the backlog.
    pub fn take_all(&mut self, kind: &str) -> Vec<Value> {
        while let Ok(message) = self.inbox.try_recv() {
            self.backlog.push_back(message);
        }
        let (taken, kept): (Vec<_>, Vec<_>) =
            self.backlog.drain(..).partition(|m| m["type"] == kind);
        self.backlog = kept.into();
        taken
    }

    /// The first kept message that `matches`, waiting for it.
    pub async fn next(&mut self, matches: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        if let Some(at) = self.backlog.iter().position(&matches) {
            return Ok(self.backlog.remove(at).expect("a position in the backlog"));
        }
        loop {
            let message = timeout(ANSWER_TIMEOUT, self.inbox.recv())
                .await
                .context("the trainer waited a minute")?
                .context("the trainer's connection was lost")?;
            if matches(&message) {
                return Ok(message);
            }
            self.backlog.push_back(message);
        }
    }
}

/// Writes the trainer's messages and pings; reads everything, keeping what the driver wants.
async fn pump(
    ws: Ws,
    mut outgoing: mpsc::UnboundedReceiver<String>,
    kept: mpsc::UnboundedSender<Value>,
    stop: CancellationToken,
) {
    let (mut tx, mut rx) = ws.split();
    let mut heartbeat = interval(HEARTBEAT);
    loop {
        let text = tokio::select! {
            _ = stop.cancelled() => return,
            frame = rx.next() => {
                let Some(Ok(frame)) = frame else { return };
                if let Message::Text(text) = frame
                    && let Ok(message) = serde_json::from_str::<Incoming>(&text)
                    && KEPT.contains(&&*message.kind)
                    && let Ok(mut value) = serde_json::from_str::<Value>(&text)
                {
                    value["_at_us"] = json!(now_us());
                    let _ = kept.send(value);
                }
                continue;
            }
            text = outgoing.recv() => match text {
                Some(text) => text,
                None => return,
            },
            _ = heartbeat.tick() => json!({"type": "ping"}).to_string(),
        };
        if tx.send(Message::text(text)).await.is_err() {
            return;
        }
    }
}
