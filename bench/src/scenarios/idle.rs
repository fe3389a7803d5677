//! S4: participants joined and idle, pinging as the protocol asks: the server memory each
//! connection costs.

use std::time::Duration;

use super::{Stage, Target};
use crate::participant::Plan;
use crate::report::Run;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 10_000)]
    pub participants: usize,
    /// Rooms the participants are spread over.
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// How long they stay idle before memory is read.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
}

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let per_room = settings.participants.div_ceil(settings.rooms.max(1));
    let env = [("PRATICO_MAX_PARTICIPANTS", per_room.to_string())];
    let mut stage = Stage::open(target, sources, &env).await?;
    let mut rooms = Vec::new();
    for _ in 0..settings.rooms.max(1) {
        rooms.push(stage.room(false).await?);
    }
    let before = stage.usage();
    let since = std::time::Instant::now();
    let mut left = settings.participants;
    for room in &rooms {
        let count = left.min(per_room);
        stage.spawn(room, count, Plan::default());
        left -= count;
    }
    let join_s = stage.joined(since).await?;
    tokio::time::sleep(Duration::from_secs(settings.seconds)).await;
    let after = stage.usage();
    let mut run = Run::default();
    run.put("participants", settings.participants as f64);
    run.put("rooms", rooms.len() as f64);
    run.put("join_s", join_s);
    let mib = |u: Option<crate::host::Usage>| u.map_or(f64::NAN, |u| u.rss_kib as f64 / 1024.0);
    run.put("rss_before_mib", mib(before));
    run.put("rss_idle_mib", mib(after));
    run.put(
        "kib_per_connection",
        (mib(after) - mib(before)) * 1024.0 / settings.participants as f64,
    );
    stage.finish(&mut run).await;
    Ok(run)
}
