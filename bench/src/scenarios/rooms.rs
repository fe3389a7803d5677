//! S3: many small rooms at once, each with a page change every few seconds and a chat message
//! every second: latency from sender to every member, and the server's memory.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt, stream};
use tokio::time::{Instant, sleep, sleep_until};

use super::{Stage, Target, cpu_between};
use crate::crowd::Room;
use crate::net::jitter;
use crate::participant::{Chat, Plan};
use crate::report::Run;
use crate::stats::Stats;
use crate::trainer::Trainer;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 900)]
    pub rooms: usize,
    #[arg(long, default_value_t = 20)]
    pub per_room: usize,
    /// Length of the measured phase.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    /// Seconds between two page changes in a room.
    #[arg(long, default_value_t = 5)]
    pub page_every_s: u64,
}

/// A chat message per second in each room, its participants taking turns.
const CHAT_EVERY: Duration = Duration::from_secs(1);

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let mut stage = Stage::open(target, sources, &[]).await?;
    let mut rooms = Vec::with_capacity(settings.rooms);
    for _ in 0..settings.rooms {
        rooms.push(stage.room(false).await?);
    }
    let token = stage.api.token().to_owned();
    let crowd = Arc::clone(&stage.crowd);
    let trainers: Vec<Trainer> = stream::iter(&rooms)
        .map(|room| Trainer::join(&crowd, room, &token))
        .buffered(32)
        .try_collect()
        .await?;
    let since = std::time::Instant::now();
    for room in &rooms {
        let phase = jitter(CHAT_EVERY);
        for turn in 0..settings.per_room {
            let chat = Chat {
                period: CHAT_EVERY * settings.per_room as u32,
                offset: phase + CHAT_EVERY * turn as u32,
            };
            let plan = Plan {
                chat: Some(chat),
                ..Plan::default()
            };
            stage.spawn(room, 1, plan);
        }
    }
    let join_s = stage.joined(since).await?;
    let mut run = Run::default();
    run.put("connections", (stage.participants() + rooms.len()) as f64);
    run.put("join_s", join_s);

    let before = stage.usage();
    let end = Instant::now() + Duration::from_secs(settings.seconds);
    let page_every = Duration::from_secs(settings.page_every_s);
    crowd.talk.cancel();
    let presenting: Vec<_> = trainers
        .into_iter()
        .zip(rooms.iter().cloned())
        .map(|(trainer, room)| tokio::spawn(present(trainer, room, page_every, end)))
        .collect();
    sleep_until(end).await;
    crowd.hush.cancel();
    for trainer in presenting {
        trainer.await??;
    }
    let stats = &crowd.stats;
    stats
        .quiet(Duration::from_millis(500), Duration::from_secs(10))
        .await;
    let after = stage.usage();
    let sent = rooms.iter().map(|r| r.pages_sent()).sum::<u64>() + Stats::get(&stats.chats_sent);
    let expected = sent * settings.per_room as u64;
    run.put("messages_sent", sent as f64);
    run.put(
        "delivered_pct",
        100.0 * stats.broadcast.count() as f64 / expected as f64,
    );
    run.put("latency_p50_ms", stats.broadcast.ms(0.5));
    run.put("latency_p99_ms", stats.broadcast.ms(0.99));
    run.put("latency_max_ms", stats.broadcast.ms(1.0));
    run.put("server_cpu_s", cpu_between(before, after));
    run.put(
        "server_rss_mib",
        after.map_or(f64::NAN, |u| u.rss_kib as f64 / 1024.0),
    );
    stage.finish(&mut run).await;
    Ok(run)
}

/// The trainer of one room: a page change every `every` until `end`, starting at a random
/// moment so that rooms do not change page in step.
async fn present(
    mut trainer: Trainer,
    room: Arc<Room>,
    every: Duration,
    end: Instant,
) -> anyhow::Result<()> {
    sleep(jitter(every)).await;
    let pages = room.pages.len() as u32;
    let mut change = 0;
    while Instant::now() < end {
        trainer.goto(&room, 1 + change % (pages - 1)).await?;
        change += 1;
        sleep(every).await;
    }
    Ok(())
}
