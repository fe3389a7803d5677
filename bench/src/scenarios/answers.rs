//! S2: N participants answer one question within a second: is every answer stored before its
//! acknowledgement, and how long does the acknowledgement take.

use std::collections::HashSet;
use std::time::Duration;

use super::{Stage, Target, cpu_between};
use crate::participant::Plan;
use crate::report::Run;
use crate::stats::Stats;
use crate::trainer::Trainer;
use serde_json::json;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 5_000)]
    pub participants: usize,
    /// Answers are sent at random within this many milliseconds of the question.
    #[arg(long, default_value_t = 1_000)]
    pub spread_ms: u64,
}

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let env = [(
        "PRATICO_MAX_PARTICIPANTS",
        settings.participants.to_string(),
    )];
    let mut stage = Stage::open(target, sources, &env).await?;
    let room = stage.room(true).await?;
    let mut trainer = Trainer::join(&stage.crowd, &room, stage.api.token()).await?;
    let spread = Duration::from_millis(settings.spread_ms);
    let plan = Plan {
        answer_within: Some(spread),
        ..Plan::default()
    };
    let since = std::time::Instant::now();
    stage.spawn(&room, settings.participants, plan);
    let join_s = stage.joined(since).await?;
    let stats = &stage.crowd.stats;
    let mut run = Run::default();
    run.put("participants", settings.participants as f64);
    run.put("join_s", join_s);

    let before = stage.usage();
    trainer
        .command(json!({"type": "quiz_start", "quiz_id": room.quiz_id}))
        .await?;
    trainer.command(json!({"type": "quiz_next"})).await?;
    let at_most = spread + Duration::from_secs(30);
    Stats::reach_len(&stats.acked, settings.participants, at_most).await;
    let cpu_s = cpu_between(before, stage.usage());
    let acked: HashSet<String> = stats.acked.lock().expect("acked lock").drain(..).collect();
    run.put("answers_acked", acked.len() as f64);
    stage.put_stored(&room, &acked, &mut run).await?;
    run.put("ack_p50_ms", stats.ack.ms(0.5));
    run.put("ack_p99_ms", stats.ack.ms(0.99));
    run.put("ack_max_ms", stats.ack.ms(1.0));
    run.put("server_cpu_s", cpu_s);
    stage.finish(&mut run).await;
    Ok(run)
}
