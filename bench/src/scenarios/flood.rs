//! Flood (issue 8): the latency of honest participants while bots flood the server. One room;
//! the honest participants join from the usual source addresses and the trainer changes page
//! as in S1, first in quiet, then while attackers from an address of their own (127.0.0.200)
//! flood joins and messages and hold sockets that never join (`crate::attack`). The server
//! runs with its default per-address limits; the figures say what the honest participants
//! felt and what the attackers got.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::CommandFactory;

use super::broadcast::{Changes, Delivery, joined_room};
use super::{Target, cpu_between};
use crate::attack::{ATTACKER, Attack, Bots};
use crate::net::Dialer;
use crate::report::Run;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Honest participants, from the usual source addresses.
    #[arg(long, default_value_t = 1_000)]
    pub participants: usize,
    /// Page changes in each phase (quiet, then under attack).
    #[arg(long, default_value_t = 20)]
    pub changes: u32,
    /// Milliseconds between two page changes.
    #[arg(long, default_value_t = 1_000)]
    pub interval_ms: u64,
    /// Join-flood bots: each connects and joins under fresh names as fast as it can, and
    /// keeps every socket.
    #[arg(long, default_value_t = 16)]
    pub join_bots: usize,
    /// Message-flood bots: each joins, sends `chat_send` and `ping` at `--flood-rate`, and
    /// comes back to its seat whenever it is closed.
    #[arg(long, default_value_t = 4)]
    pub message_bots: usize,
    /// Messages a second of each message-flood bot (the server allows 20, burst 40).
    #[arg(long, default_value_t = 1_000)]
    pub flood_rate: u32,
    /// Sockets that connect and never join.
    #[arg(long, default_value_t = 300)]
    pub idle_sockets: usize,
    /// Seconds the attackers' sockets stay open after the attack, for the server to close
    /// them (its heartbeat timeout is 30 s).
    #[arg(long, default_value_t = 35)]
    pub linger_s: u64,
}

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    if sources >= ATTACKER.octets()[3] {
        bail!("honest clients must keep off the attackers' address {ATTACKER}: --sources < 200");
    }
    // The server's own defaults, passed explicitly: they override the harness's (which lifts
    // them for the other scenarios, whose crowds share a few loopback addresses).
    let sockets = server_default("max_sockets_per_address")?;
    let seats = server_default("max_seats_per_address")?;
    let per_source = settings.participants.div_ceil(usize::from(sources.max(1)));
    if per_source >= seats.min(sockets) {
        bail!(
            "{per_source} honest participants per source address would meet the server's \
             per-address limits ({seats} seats, {sockets} sockets): give more --sources"
        );
    }
    let mut env = vec![
        ("PRATICO_MAX_SOCKETS_PER_ADDRESS", sockets.to_string()),
        ("PRATICO_MAX_SEATS_PER_ADDRESS", seats.to_string()),
    ];
    // The room's own limit stays the default unless the honest crowd alone would fill it.
    let room_seats = server_default("max_participants")?;
    if settings.participants > room_seats {
        env.push((
            "PRATICO_MAX_PARTICIPANTS",
            settings.participants.to_string(),
        ));
    }
    let (stage, room, mut trainer, mut run) =
        joined_room(target, sources, &env, settings.participants).await?;
    let stats = &stage.crowd.stats;

    let interval = Duration::from_millis(settings.interval_ms);
    let mut changes = Changes {
        participants: settings.participants,
        first: 0,
        count: settings.changes,
        interval,
    };
    let before = stage.usage();
    let quiet = changes.run(&mut trainer, &room, stats).await?;
    let quiet_cpu_s = cpu_between(before, stage.usage());

    let attack = Attack::new(
        Dialer::from_address(stage.server.addr, ATTACKER),
        &room.name,
    );
    let before = stage.usage();
    attack.launch(Bots {
        joiners: settings.join_bots,
        flooders: settings.message_bots,
        flood_rate: settings.flood_rate,
        idle: settings.idle_sockets,
    });
    // The flood is under way before the first change.
    tokio::time::sleep(interval).await;
    changes.first = settings.changes;
    let attacked = changes.run(&mut trainer, &room, stats).await?;
    let attack_cpu_s = cpu_between(before, stage.usage());
    attack.stop(Duration::from_secs(settings.linger_s)).await;

    put(&mut run, QUIET, &quiet, quiet_cpu_s);
    put(&mut run, ATTACK, &attacked, attack_cpu_s);
    run.put("p99_ratio", attacked.p99_ms / quiet.p99_ms);
    attack.report(&mut run);
    let attacker_errors = std::mem::take(&mut run.errors);
    stage.finish(&mut run).await;
    run.errors.extend(attacker_errors);
    Ok(run)
}

/// A phase's figures: delivered %, p50, p99, max, server CPU.
const QUIET: [&str; 5] = [
    "quiet_delivered_pct",
    "quiet_p50_ms",
    "quiet_p99_ms",
    "quiet_max_ms",
    "quiet_server_cpu_s",
];
const ATTACK: [&str; 5] = [
    "attack_delivered_pct",
    "attack_p50_ms",
    "attack_p99_ms",
    "attack_max_ms",
    "attack_server_cpu_s",
];

fn put(run: &mut Run, names: [&'static str; 5], delivery: &Delivery, cpu_s: f64) {
    let values = [
        delivery.delivered_pct,
        delivery.p50_ms,
        delivery.p99_ms,
        delivery.max_ms,
        cpu_s,
    ];
    for (name, value) in names.into_iter().zip(values) {
        run.put(name, value);
    }
}

/// The server's default for one of its settings (`max_seats_per_address`, …), read from its
/// own definition so that it cannot drift from what the server does.
fn server_default(id: &str) -> anyhow::Result<usize> {
    let command = pratico::config::Config::command();
    let arg = command
        .get_arguments()
        .find(|a| a.get_id() == id)
        .with_context(|| format!("the server has no setting {id}"))?;
    let value = arg
        .get_default_values()
        .first()
        .with_context(|| format!("the server's {id} has no default"))?;
    value
        .to_str()
        .context("a default in UTF-8")?
        .replace('_', "")
        .parse()
        .with_context(|| format!("the server's default {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_per_address_defaults_are_read_from_its_own_settings() {
        let seats = server_default("max_seats_per_address").unwrap();
        let sockets = server_default("max_sockets_per_address").unwrap();
        assert!(seats > 0 && sockets > 0);
        assert!(server_default("no_such_setting").is_err());
    }
}
