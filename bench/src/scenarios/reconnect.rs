//! S5: N participants answering a question when the server is killed (`kill -9`) and started
//! again: how soon everyone is back on their seat, and whether any acknowledged answer was lost.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::bail;
use serde_json::json;

use super::{Stage, Target};
use crate::net::now_us;
use crate::participant::Plan;
use crate::report::Run;
use crate::stats::Stats;
use crate::trainer::Trainer;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 10_000)]
    pub participants: usize,
    /// Rooms the participants are spread over.
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// The server is killed this many milliseconds after the question opens, while the answers
    /// (spread over a second) come in.
    #[arg(long, default_value_t = 500)]
    pub kill_after_ms: u64,
}

/// How long the harness waits for everyone to come back.
const AT_MOST: Duration = Duration::from_secs(60);

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    if !matches!(target, Target::Start(_)) {
        bail!("the reconnect storm kills and restarts the server: let the harness start it");
    }
    let per_room = settings.participants.div_ceil(settings.rooms.max(1));
    let env = [("PRATICO_MAX_PARTICIPANTS", per_room.to_string())];
    let mut stage = Stage::open(target, sources, &env).await?;
    let plan = Plan {
        answer_within: Some(Duration::from_secs(1)),
        ..Plan::default()
    };
    let mut rooms = Vec::new();
    let mut trainers = Vec::new();
    let since = std::time::Instant::now();
    let mut left = settings.participants;
    for _ in 0..settings.rooms.max(1) {
        let room = stage.room(true).await?;
        trainers.push(Trainer::join(&stage.crowd, &room, stage.api.token()).await?);
        let count = left.min(per_room);
        stage.spawn(&room, count, plan);
        left -= count;
        rooms.push(room);
    }
    let join_s = stage.joined(since).await?;
    let mut run = Run::default();
    run.put("participants", settings.participants as f64);
    run.put("rooms", rooms.len() as f64);
    run.put("join_s", join_s);

    for (trainer, room) in trainers.iter_mut().zip(&rooms) {
        trainer
            .command(json!({"type": "quiz_start", "quiz_id": room.quiz_id}))
            .await?;
        trainer.command(json!({"type": "quiz_next"})).await?;
    }
    tokio::time::sleep(Duration::from_millis(settings.kill_after_ms)).await;
    stage.server.kill();
    drop(trainers);
    let stats = &stage.crowd.stats;
    let restarted_us = now_us();
    stage.server.spawn().await?;
    run.put("restart_s", (now_us() - restarted_us) as f64 / 1e6);
    let everyone = settings.participants as u64;
    Stats::reach(&stats.rejoined, everyone, AT_MOST).await;
    let rejoined = Stats::get(&stats.rejoined);
    let back_us = stats.last_rejoin_us.load(Ordering::Relaxed);
    run.put("rejoined", rejoined as f64);
    run.put(
        "all_back_s",
        match rejoined >= everyone {
            true => back_us.saturating_sub(restarted_us) as f64 / 1e6,
            false => f64::NAN,
        },
    );
    run.put("seat_changes", Stats::get(&stats.seat_changes) as f64);
    // Answers are sent once: every acknowledgement came before the kill.
    let acked: HashSet<String> = stats.acked.lock().expect("acked lock").drain(..).collect();
    let mut stored = HashSet::new();
    for room in &rooms {
        stored.extend(stage.stored_answers(room).await?.unwrap_or_default());
    }
    run.put("answers_acked", acked.len() as f64);
    run.put("acked_lost", acked.difference(&stored).count() as f64);
    stage.finish(&mut run).await;
    Ok(run)
}
