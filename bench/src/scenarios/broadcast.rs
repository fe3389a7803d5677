//! S1: one room, N participants, the trainer changes page every second: is every change
//! delivered, how fast, and at what server CPU cost per delivered message.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use super::{Stage, Target, cpu_between};
use crate::crowd::Room;
use crate::participant::Plan;
use crate::report::Run;
use crate::stats::Stats;
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
    let (stage, room, mut trainer, mut run) =
        joined_room(target, sources, &env, settings.participants).await?;
    let stats = &stage.crowd.stats;

    let before = stage.usage();
    let changes = Changes {
        participants: settings.participants,
        first: 0,
        count: settings.changes,
        interval: Duration::from_millis(settings.interval_ms),
    };
    let delivery = changes.run(&mut trainer, &room, stats).await?;
    let cpu_s = cpu_between(before, stage.usage());
    run.put("delivered_pct", delivery.delivered_pct);
    run.put("broadcast_p50_ms", delivery.p50_ms);
    run.put("broadcast_p99_ms", delivery.p99_ms);
    run.put("broadcast_max_ms", delivery.max_ms);
    run.put("server_cpu_s", cpu_s);
    run.put(
        "cpu_per_message_us",
        cpu_s * 1e6 / delivery.delivered as f64,
    );
    stage.finish(&mut run).await;
    Ok(run)
}

/// A server started with `env`, one room, its trainer, and `participants` joined, with the
/// join figures: how S1 and the flood begin.
pub async fn joined_room(
    target: &Target,
    sources: u8,
    env: &[(&str, String)],
    participants: usize,
) -> anyhow::Result<(Stage, Arc<Room>, Trainer, Run)> {
    let mut stage = Stage::open(target, sources, env).await?;
    let room = stage.room(false).await?;
    let trainer = Trainer::join(&stage.crowd, &room, stage.api.token()).await?;
    let since = std::time::Instant::now();
    stage.spawn(&room, participants, Plan::default());
    let join_s = stage.joined(since).await?;
    let mut run = Run::default();
    run.put("participants", participants as f64);
    run.put("join_s", join_s);
    run.put("join_p99_ms", stage.crowd.stats.join.ms(0.99));
    Ok((stage, room, trainer, run))
}

/// A series of the trainer's page changes, `interval` apart, to a room of `participants`.
pub struct Changes {
    pub participants: usize,
    /// The number of the first change: a series that follows another goes on from where it
    /// stopped, so that no change is to the page the room is on.
    pub first: u32,
    pub count: u32,
    pub interval: Duration,
}

/// What a series delivered, and how fast (trainer's send → a participant's receive).
pub struct Delivery {
    pub delivered: u64,
    pub delivered_pct: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Changes {
    /// Makes the changes, then waits up to 10 s for every participant to have received every
    /// one. Latencies recorded before the series are forgotten.
    pub async fn run(
        &self,
        trainer: &mut Trainer,
        room: &Room,
        stats: &Stats,
    ) -> anyhow::Result<Delivery> {
        stats.broadcast.reset();
        let start = Instant::now();
        let pages = room.pages.len() as u32;
        for change in 0..self.count {
            sleep_until(start + self.interval * change).await;
            // Pages 1, 2, …, back to 1: never the page the room is on.
            let number = self.first + change;
            trainer.goto(room, 1 + number % (pages - 1)).await?;
        }
        let expected = (self.participants as u64) * u64::from(self.count);
        let until = Instant::now() + Duration::from_secs(10);
        while stats.broadcast.count() < expected && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let delivered = stats.broadcast.count();
        Ok(Delivery {
            delivered,
            delivered_pct: 100.0 * delivered as f64 / expected as f64,
            p50_ms: stats.broadcast.ms(0.5),
            p99_ms: stats.broadcast.ms(0.99),
            max_ms: stats.broadcast.ms(1.0),
        })
    }
}
