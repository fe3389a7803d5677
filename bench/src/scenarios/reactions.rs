//! The room's activities at scale (issue 16): one room of N participants. They tap reactions
//! for a while (each a tap every 1.1 s, about the most the flood guard lets through for long);
//! then a word cloud runs, shown to the class, each participant sending three words; then
//! questions from the class: a few ask, everyone votes three times. For each activity: the
//! presenter's coalesced frames (how many a second; how long from a participant's send to the
//! first frame that counts it), the class frames (one a second promised), how long stored words
//! and votes take to be acknowledged, the server CPU per action, and whether every one of them
//! shows in the presenter's counts.

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use serde_json::{Value, json};

use super::{Stage, Target, cpu_between};
use crate::net::now_us;
use crate::participant::{Activities, Plan, REACTIONS};
use crate::report::Run;
use crate::stats::{Latencies, Stats};
use crate::trainer::Trainer;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[arg(long, default_value_t = 1_000)]
    pub participants: usize,
    /// Seconds of tapping; each participant's words and votes are spread over as many.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Milliseconds between two taps of a participant.
    #[arg(long, default_value_t = 1_100)]
    pub tap_every_ms: u64,
    /// Words each participant sends to the cloud.
    #[arg(long, default_value_t = 3)]
    pub words: u32,
    /// Participants who ask a question.
    #[arg(long, default_value_t = 20)]
    pub questions: usize,
    /// Votes each participant casts for others' questions.
    #[arg(long, default_value_t = 3)]
    pub votes: u32,
}

/// How long the last acknowledgements and presenter frames of an activity may take after its
/// sends are spread.
const DRAIN: Duration = Duration::from_secs(30);

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    if settings.questions <= settings.votes as usize {
        bail!("--questions must be more than --votes: nobody votes for their own question");
    }
    let participants = settings.participants;
    let spread = Duration::from_secs(settings.seconds);
    let env = [("PRATICO_MAX_PARTICIPANTS", participants.to_string())];
    let mut stage = Stage::open(target, sources, &env).await?;
    let room = stage.room(false).await?;
    let mut trainer = Trainer::join(&stage.crowd, &room, stage.api.token()).await?;
    let plan = Plan {
        activities: Some(Activities {
            tap_every: Duration::from_millis(settings.tap_every_ms),
            words: settings.words,
            askers: settings.questions,
            votes: settings.votes,
            spread,
        }),
        ..Plan::default()
    };
    let since = std::time::Instant::now();
    stage.spawn(&room, participants, plan);
    let mut run = Run::default();
    run.put("participants", participants as f64);
    run.put("join_s", stage.joined(since).await?);
    let crowd = Arc::clone(&stage.crowd);
    let stats = &crowd.stats;

    // Reactions: everyone taps while the crowd talks.
    trainer
        .command(json!({"type": "set_params", "params": {"reactions": REACTIONS}}))
        .await?;
    settle(stats).await;
    let phase = Phase::begin(&stage, stats);
    crowd.talk.cancel();
    tokio::time::sleep(spread).await;
    crowd.hush.cancel();
    // Every tap answered: counted (`ack`) or refused by the flood guard.
    let taps = stats.tap_sends.lock().expect("sends lock").len() as u64;
    let answered = || Stats::get(&stats.taps_acked) + rate_limited(stats);
    Stats::until(DRAIN, || answered() >= taps).await;
    let limited = rate_limited(stats);
    let expected = Stats::get(&stats.taps_acked);
    let frames = presenter_frames(&mut trainer, "reactions", reaction_total, expected).await;
    phase.end(
        &stage,
        &mut run,
        "reaction",
        &stats.tap_sends,
        limited,
        &frames,
    );
    run.put("reactions_rate_limited", limited as f64);

    // A word cloud, shown to the class as it grows.
    let phase = Phase::begin(&stage, stats);
    let prompt = "Un mot pour cette matinée ?";
    trainer
        .command(json!({"type": "cloud_start", "prompt": prompt, "max_words": settings.words}))
        .await?;
    trainer
        .command(json!({"type": "cloud_show", "shown": true}))
        .await?;
    let words = participants as u64 * u64::from(settings.words);
    acknowledged(&stats.word_ack, words, spread + DRAIN).await;
    let acked = stats.word_ack.count();
    let frames = presenter_frames(&mut trainer, "cloud", word_total, acked).await;
    phase.end(&stage, &mut run, "word", &stats.word_sends, 0, &frames);
    put_acks(&mut run, "word", &stats.word_ack);
    trainer.command(json!({"type": "cloud_end"})).await?;
    settle(stats).await;

    // Questions from the class: a few ask, everyone votes.
    let phase = Phase::begin(&stage, stats);
    trainer
        .command(json!({"type": "set_params", "params": {"qa": "on"}}))
        .await?;
    let votes = participants as u64 * u64::from(settings.votes);
    acknowledged(&stats.vote_ack, votes, spread + DRAIN).await;
    let acked = stats.vote_ack.count();
    let frames = presenter_frames(&mut trainer, "qa", vote_total, acked).await;
    phase.end(&stage, &mut run, "vote", &stats.vote_sends, 0, &frames);
    put_acks(&mut run, "vote", &stats.vote_ack);
    run.put("questions_asked", Stats::get(&stats.asked) as f64);
    run.put(
        "class_frames_too_close",
        Stats::get(&stats.class_frames_too_close) as f64,
    );
    stage.finish(&mut run).await;
    Ok(run)
}

/// One activity being measured: where the server's CPU and the class's frames stood when it
/// began.
struct Phase {
    cpu: Option<crate::host::Usage>,
    class_frames: u64,
    started_us: u64,
}

impl Phase {
    fn begin(stage: &Stage, stats: &Stats) -> Self {
        Self {
            cpu: stage.usage(),
            class_frames: Stats::get(&stats.class_frames),
            started_us: now_us(),
        }
    }

    /// Puts the activity's figures, named after `what` (a tap is a `reaction`): sends, how
    /// many the presenter's last frame counts and how many not `refused` it misses, how long a
    /// send took to be counted there, the presenter's frames a second at most, the class's
    /// frames each over the phase's seconds, server CPU per send.
    fn end(
        self,
        stage: &Stage,
        run: &mut Run,
        what: &str,
        sends: &std::sync::Mutex<Vec<u64>>,
        refused: u64,
        frames: &[(u64, u64)],
    ) {
        let cpu_s = cpu_between(self.cpu, stage.usage());
        let seconds = (now_us() - self.started_us) as f64 / 1e6;
        let mut sends = std::mem::take(&mut *sends.lock().expect("sends lock"));
        sends.sort_unstable();
        let shown = frames.last().map_or(0, |(_, total)| *total);
        run.put(format!("{what}s_sent"), sends.len() as f64);
        run.put(format!("{what}s_shown"), shown as f64);
        // Sent, not refused, yet not in the presenter's counts.
        let missing = sends.len() as f64 - refused as f64 - shown as f64;
        run.put(format!("{what}s_missing"), missing);
        let latencies = Latencies::default();
        latencies.record_all_us(until_counted(&sends, frames));
        run.put(format!("{what}_to_presenter_p50_ms"), latencies.ms(0.5));
        run.put(format!("{what}_to_presenter_p99_ms"), latencies.ms(0.99));
        run.put(
            format!("{what}_presenter_frames_max_per_s"),
            most_in_a_second(frames) as f64,
        );
        let participants = stage.participants() as f64;
        let class = Stats::get(&stage.crowd.stats.class_frames) - self.class_frames;
        run.put(format!("{what}_seconds"), seconds);
        run.put(
            format!("{what}_class_frames_each"),
            class as f64 / participants,
        );
        run.put(
            format!("{what}_cpu_us"),
            cpu_s * 1e6 / sends.len().max(1) as f64,
        );
    }
}

/// For each send (in time order), how long until the first presenter frame that counts as
/// many as had been sent by then: the k-th send is counted once a frame's total reaches k. The
/// server may take sends in a slightly different order than they left; over thousands that
/// evens out.
fn until_counted(sends: &[u64], frames: &[(u64, u64)]) -> Vec<u64> {
    let mut frame = 0;
    let mut latencies = Vec::with_capacity(sends.len());
    for (k, sent) in sends.iter().enumerate() {
        while frame < frames.len() && frames[frame].1 < k as u64 + 1 {
            frame += 1;
        }
        let Some((at, _)) = frames.get(frame) else {
            break;
        };
        latencies.push(at.saturating_sub(*sent));
    }
    latencies
}

/// The most frames that came within any one second.
fn most_in_a_second(frames: &[(u64, u64)]) -> usize {
    let mut first = 0;
    let mut most = 0;
    for (last, (at, _)) in frames.iter().enumerate() {
        while frames[first].0 + 1_000_000 <= *at {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

/// The presenter's frames of `kind` as (when, total counted), waiting until one counts
/// `expected` (or a few seconds have passed: what is missing then shows in the figures).
async fn presenter_frames(
    trainer: &mut Trainer,
    kind: &str,
    total: fn(&Value) -> u64,
    expected: u64,
) -> Vec<(u64, u64)> {
    let mut frames = Vec::new();
    let until = now_us() + 5_000_000;
    loop {
        frames.extend(trainer.take_all(kind).iter().map(|frame| {
            let at = frame["_at_us"].as_u64().unwrap_or_default();
            (at, total(frame))
        }));
        let counted = frames.last().map_or(0, |(_, total)| *total);
        if counted >= expected || now_us() >= until {
            return frames;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Taps counted in a `reactions` frame (every reaction since the room's task started).
fn reaction_total(frame: &Value) -> u64 {
    let counts = frame["counts"].as_object().into_iter().flatten();
    counts.filter_map(|(_, n)| n.as_u64()).sum()
}

/// Words counted in a `cloud` frame (the scenario's words all fit in its 100).
fn word_total(frame: &Value) -> u64 {
    let words = frame["words"].as_array().into_iter().flatten();
    words.filter_map(|word| word["count"].as_u64()).sum()
}

/// Votes counted in a `qa` frame (the trainer's lists every question).
fn vote_total(frame: &Value) -> u64 {
    let questions = frame["questions"].as_array().into_iter().flatten();
    questions.filter_map(|q| q["votes"].as_u64()).sum()
}

fn put_acks(run: &mut Run, what: &str, acks: &Latencies) {
    run.put(format!("{what}s_acked"), acks.count() as f64);
    run.put(format!("{what}_ack_p50_ms"), acks.ms(0.5));
    run.put(format!("{what}_ack_p99_ms"), acks.ms(0.99));
}

fn rate_limited(stats: &Stats) -> u64 {
    let errors = stats.errors.lock().expect("errors lock");
    errors.get("rate_limited").copied().unwrap_or_default()
}

/// Waits until `expected` acknowledgements are recorded, or `at_most` has passed.
async fn acknowledged(acks: &Latencies, expected: u64, at_most: Duration) {
    Stats::until(at_most, || acks.count() >= expected).await;
}

/// Waits until the clients have received nothing for half a second.
async fn settle(stats: &Stats) {
    stats
        .quiet(Duration::from_millis(500), Duration::from_secs(10))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_send_waits_for_the_first_frame_counting_it() {
        let sends = [10, 20, 30, 40];
        let frames = [(25, 2), (50, 3), (70, 4)];
        assert_eq!(until_counted(&sends, &frames), vec![15, 5, 20, 30]);
        assert_eq!(until_counted(&sends, &frames[..2]), vec![15, 5, 20]);
    }

    #[test]
    fn frames_in_a_second_are_counted_in_any_window() {
        let frames = [
            (0, 1),
            (400_000, 2),
            (900_000, 3),
            (1_000_000, 4),
            (1_300_000, 5),
        ];
        assert_eq!(most_in_a_second(&frames), 4);
        assert_eq!(most_in_a_second(&[]), 0);
    }
}
