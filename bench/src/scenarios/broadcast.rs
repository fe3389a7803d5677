//! S1: one room, N participants, the trainer changes page every second: is every change
//! delivered, how fast, and at what server CPU cost per delivered message.

use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use super::{Stage, Target, cpu_between};
use crate::participant::Plan;
use crate::report::Run;
use crate::trainer::Trainer;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 1_000)]
    pub participants: usize,
    /// Page changes.
    #[arg(long, default_value_t = 20)]
    pub changes: u32,
    /// Milliseconds between two page changes.
    #[arg(long, default_value_t = 1_000)]
    pub interval_ms: u64,
}

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let env = [(
        "PRATICO_MAX_PARTICIPANTS",
        settings.participants.to_string(),
    )];
    let mut stage = Stage::open(target, sources, &env).await?;
    let room = stage.room(false).await?;
    let mut trainer = Trainer::join(&stage.crowd, &room, stage.api.token()).await?;
    let since = std::time::Instant::now();
    stage.spawn(&room, settings.participants, Plan::default());
    let join_s = stage.joined(since).await?;
    let stats = &stage.crowd.stats;
    let mut run = Run::default();
    run.put("participants", settings.participants as f64);
    run.put("join_s", join_s);
    run.put("join_p99_ms", stats.join.ms(0.99));

    let before = stage.usage();
    let start = Instant::now();
    let interval = Duration::from_millis(settings.interval_ms);
    let pages = room.pages.len() as u32;
    for change in 0..settings.changes {
        sleep_until(start + interval * change).await;
        // Pages 1, 2, …, back to 1: never the page the room is on.
        trainer.goto(&room, 1 + change % (pages - 1)).await?;
    }
    let expected = (settings.participants as u64) * u64::from(settings.changes);
    let until = Instant::now() + Duration::from_secs(10);
    while stats.broadcast.count() < expected && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cpu_s = cpu_between(before, stage.usage());
    let delivered = stats.broadcast.count();
    run.put("delivered_pct", 100.0 * delivered as f64 / expected as f64);
    run.put("broadcast_p50_ms", stats.broadcast.ms(0.5));
    run.put("broadcast_p99_ms", stats.broadcast.ms(0.99));
    run.put("broadcast_max_ms", stats.broadcast.ms(1.0));
    run.put("server_cpu_s", cpu_s);
    run.put("cpu_per_message_us", cpu_s * 1e6 / delivered as f64);
    stage.finish(&mut run).await;
    Ok(run)
}
