//! The quiz workload (issue 18): one room with a one-question quiz; N players join 50 at a
//! time, the trainer starts the quiz and opens the question, every player answers at once, the
//! trainer reveals the results and ends the quiz. How long each step takes, how many frames the
//! trainer gets during the answers, and the whole run's server CPU and memory.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use serde_json::json;

use super::{Stage, Target, cpu_between};
use crate::net::now_us;
use crate::participant::Plan;
use crate::report::Run;
use crate::stats::{Latencies, Stats};
use crate::trainer::Trainer;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 1_000)]
    pub players: usize,
    /// Players joining at once; each wave starts when the previous one has its `welcome`s.
    #[arg(long, default_value_t = 50)]
    pub wave: usize,
}

/// A step that takes longer has failed (the question stays open for a minute).
const STEP: Duration = Duration::from_secs(30);

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let players = settings.players;
    let env = [("PRATICO_MAX_PARTICIPANTS", players.to_string())];
    let mut stage = Stage::open(target, sources, &env).await?;
    let room = stage.room(true).await?;
    let mut trainer = Trainer::join(&stage.crowd, &room, stage.api.token()).await?;
    let crowd = Arc::clone(&stage.crowd);
    let stats = &crowd.stats;
    let plan = Plan {
        answer_within: Some(Duration::ZERO),
        answer_on_talk: true,
        ..Plan::default()
    };
    let mut run = Run::default();
    run.put("players", players as f64);

    let before = stage.usage();
    let first_join_us = now_us();
    while stage.participants() < players {
        let wave = settings.wave.max(1).min(players - stage.participants());
        stage.spawn(&room, wave, plan);
        let started = stage.participants() as u64;
        if !stats.joined_at_least(started, STEP).await {
            let joined = Stats::get(&stats.joined);
            let errors = stats.errors.lock().expect("errors lock").clone();
            bail!("{joined} of {started} players joined within {STEP:?}; {errors:?}");
        }
    }
    let last_join_us = Stats::get(&stats.last_join_us);
    run.put("all_joined_s", (last_join_us - first_join_us) as f64 / 1e6);
    run.put("join_p50_ms", stats.join.ms(0.5));
    run.put("join_p99_ms", stats.join.ms(0.99));
    settle(stats).await;

    trainer
        .command(json!({"type": "quiz_start", "quiz_id": room.quiz_id}))
        .await?;
    settle(stats).await;
    room.question_sent.set();
    trainer.command(json!({"type": "quiz_next"})).await?;
    everyone(&stats.broadcast, players).await;
    run.put("question_p50_ms", stats.broadcast.ms(0.5));
    run.put("question_p99_ms", stats.broadcast.ms(0.99));

    // Every player holds the question: they all answer now.
    crowd.talk.cancel();
    Stats::reach_len(&stats.acked, players, STEP).await;
    let acked: HashSet<String> = stats.acked.lock().expect("acked lock").drain(..).collect();
    run.put("answers_acked", acked.len() as f64);
    run.put("ack_p50_ms", stats.ack.ms(0.5));
    run.put("ack_p99_ms", stats.ack.ms(0.99));
    settle(stats).await;

    room.reveal_sent.set();
    trainer.command(json!({"type": "quiz_reveal"})).await?;
    everyone(&stats.results, players).await;
    run.put("results_received", stats.results.count() as f64);
    run.put("results_p50_ms", stats.results.ms(0.5));
    run.put("results_p99_ms", stats.results.ms(0.99));
    run.put("all_results_ms", stats.results.ms(1.0));
    // The trainer's progress frames came before the reveal's ack; the first (0 answered)
    // came with the question.
    let progress = trainer.take_all("quiz_progress");
    let burst = progress.iter().filter(|p| p["answered"] != 0).count();
    let last = progress.last().and_then(|p| p["answered"].as_f64());
    run.put("progress_frames", burst as f64);
    run.put("progress_last_answered", last.unwrap_or(f64::NAN));

    trainer.command(json!({"type": "quiz_end"})).await?;
    settle(stats).await;
    let after = stage.usage();
    let cpu_s = cpu_between(before, after);
    let messages = Stats::get(&stats.received) + players as u64;
    run.put("server_cpu_s", cpu_s);
    run.put("server_cpu_total_s", after.map_or(f64::NAN, |u| u.cpu_s));
    run.put("messages_received", messages as f64);
    run.put("cpu_per_message_us", cpu_s * 1e6 / messages as f64);
    stage.put_stored(&room, &acked, &mut run).await?;
    stage.finish(&mut run).await;
    Ok(run)
}

/// Waits until `players` latencies are recorded (each player's), or a step's time is over.
async fn everyone(latencies: &Latencies, players: usize) {
    Stats::until(STEP, || latencies.count() >= players as u64).await;
}

/// Waits until the clients have received nothing for 200 ms: the step before has been
/// delivered.
async fn settle(stats: &Stats) {
    stats
        .quiet(Duration::from_millis(200), Duration::from_secs(10))
        .await;
}
