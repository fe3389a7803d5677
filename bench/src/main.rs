//! Load benchmarks of Pratico Live: the real server over real sockets on loopback, in named
//! scenarios bounded in count and time. How to run them and the last figures:
//! `docs/benchmarks.md`.

mod api;
mod attack;
mod crowd;
mod host;
mod net;
mod participant;
mod report;
mod scenarios;
mod server;
mod stats;
mod trainer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use report::{Report, Run};
use scenarios::{
    Target, answers, broadcast, canvas, capsules, flood, idle, quiz, reactions, reconnect, rooms,
};
use server::{Backend, Launcher};

#[derive(Debug, Parser)]
#[command(
    name = "bench",
    about = "Load benchmarks of Pratico Live (docs/benchmarks.md)"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
    /// The server binary, started afresh (new database, free port) for each run.
    #[arg(long, global = true, default_value = "target/release/pratico")]
    server: PathBuf,
    /// The database of the servers started.
    #[arg(long, global = true, value_enum, default_value_t = Db::Sqlite)]
    db: Db,
    /// The PostgreSQL server where `--db postgres` creates (and drops) a database per run.
    #[arg(
        long,
        global = true,
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Measure a server already running at this address instead of starting one.
    #[arg(long, global = true)]
    url: Option<SocketAddr>,
    /// With `--url`: the server's process id, for its CPU time and memory.
    #[arg(long, global = true)]
    pid: Option<u32>,
    /// With `--url`: the server's database, to count the answers it stored.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Runs of the scenario; the table gives each, their median and spread.
    #[arg(long, global = true, default_value_t = 1)]
    runs: usize,
    /// Clients connect from 127.0.0.1 … 127.0.0.N (about 28,000 connections per address).
    #[arg(long, global = true, default_value_t = 4)]
    sources: u8,
    /// Also write the figures as JSON to this file.
    #[arg(long, global = true)]
    json: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Db {
    Sqlite,
    Postgres,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// S1: one room, the trainer changes page; broadcast latency and CPU per message.
    Broadcast(broadcast::Settings),
    /// S2: everyone answers one question within a second; acknowledgement latency.
    Answers(answers::Settings),
    /// S3: many small rooms with page changes and chat; latency and server memory.
    Rooms(rooms::Settings),
    /// S4: joined participants idle; server memory per connection.
    Idle(idle::Settings),
    /// S5: the server is killed mid-question and restarted; everyone back, nothing lost.
    Reconnect(reconnect::Settings),
    /// Honest participants' page changes, quiet then while bots flood joins, messages and
    /// idle sockets from another address; what the attackers got.
    Flood(flood::Settings),
    /// One room's shared canvas: people drawing, many watching; change-to-screen latency and
    /// CPU per delivered change.
    Canvas(canvas::Settings),
    /// One quiz: players join in waves, all answer at once, the trainer reveals; join, question,
    /// acknowledgement and results latency, the trainer's frames, CPU and memory.
    Quiz(quiz::Settings),
    /// The room's activities: everyone taps reactions, sends cloud words, votes for questions;
    /// the presenter's coalesced frames (rate, send-to-count latency), the class's, CPU.
    Reactions(reactions::Settings),
    /// Big capsules: a 200,000-shape deck uploaded, read and launched four at a time; peak
    /// memory as a multiple of the deck's size, and `/healthz` latency meanwhile.
    Capsules(capsules::Settings),
    /// A small run of every scenario that fails unless each behaves (for CI).
    Smoke,
}

/// No run may take longer than this.
const RUN_LIMIT: Duration = Duration::from_secs(900);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let open_files = pratico::limits::raise_open_files();
    eprintln!("bench: open-file limit {open_files:?}");
    let target = match cli.url {
        Some(addr) => Target::Running {
            addr,
            pid: cli.pid,
            database_url: cli.database_url.clone(),
        },
        None => Target::Start(Launcher {
            binary: cli.server.clone(),
            backend: match cli.db {
                Db::Sqlite => Backend::Sqlite,
                Db::Postgres => Backend::Postgres(cli.postgres.clone()),
            },
        }),
    };
    if let Scenario::Smoke = cli.scenario {
        return smoke(&target, cli.sources).await;
    }
    let (name, settings) = match &cli.scenario {
        Scenario::Broadcast(s) => ("S1 broadcast", format!("{s:?}")),
        Scenario::Answers(s) => ("S2 answers", format!("{s:?}")),
        Scenario::Rooms(s) => ("S3 rooms", format!("{s:?}")),
        Scenario::Idle(s) => ("S4 idle", format!("{s:?}")),
        Scenario::Reconnect(s) => ("S5 reconnect", format!("{s:?}")),
        Scenario::Flood(s) => ("flood", format!("{s:?}")),
        Scenario::Canvas(s) => ("canvas", format!("{s:?}")),
        Scenario::Quiz(s) => ("quiz", format!("{s:?}")),
        Scenario::Reactions(s) => ("reactions", format!("{s:?}")),
        Scenario::Capsules(s) => ("capsules", format!("{s:?}")),
        Scenario::Smoke => unreachable!("handled above"),
    };
    let mut report = Report {
        scenario: name.to_owned(),
        settings: json!({"scenario": settings, "db": format!("{:?}", cli.db), "sources": cli.sources}),
        commit: host::git_commit(),
        runs: Vec::new(),
    };
    for i in 1..=cli.runs {
        eprintln!("{name}: run {i} of {}", cli.runs);
        let run = tokio::time::timeout(RUN_LIMIT, one(&cli.scenario, &target, cli.sources)).await;
        report.runs.push(match run {
            Ok(run) => run?,
            Err(_) => bail!("run {i} took longer than {RUN_LIMIT:?}"),
        });
        println!("{}", report.table());
    }
    if let Some(path) = &cli.json {
        std::fs::write(path, serde_json::to_string_pretty(&report.json())?)?;
    }
    Ok(())
}

async fn one(scenario: &Scenario, target: &Target, sources: u8) -> anyhow::Result<Run> {
    match scenario {
        Scenario::Broadcast(s) => broadcast::run(target, sources, s).await,
        Scenario::Answers(s) => answers::run(target, sources, s).await,
        Scenario::Rooms(s) => rooms::run(target, sources, s).await,
        Scenario::Idle(s) => idle::run(target, sources, s).await,
        Scenario::Reconnect(s) => reconnect::run(target, sources, s).await,
        Scenario::Flood(s) => flood::run(target, sources, s).await,
        Scenario::Canvas(s) => canvas::run(target, sources, s).await,
        Scenario::Quiz(s) => quiz::run(target, sources, s).await,
        Scenario::Reactions(s) => reactions::run(target, sources, s).await,
        Scenario::Capsules(s) => capsules::run(target, sources, s).await,
        Scenario::Smoke => unreachable!("smoke runs the others"),
    }
}

/// Every scenario, small, once; fails when one misbehaves rather than when it is slow.
async fn smoke(target: &Target, sources: u8) -> anyhow::Result<()> {
    let broadcast = broadcast::Settings {
        participants: 200,
        changes: 3,
        interval_ms: 300,
    };
    let answers = answers::Settings {
        participants: 200,
        spread_ms: 500,
    };
    let rooms = rooms::Settings {
        rooms: 10,
        per_room: 5,
        seconds: 6,
        page_every_s: 2,
    };
    let idle = idle::Settings {
        participants: 200,
        rooms: 2,
        seconds: 1,
    };
    let reconnect = reconnect::Settings {
        participants: 200,
        rooms: 2,
        kill_after_ms: 300,
    };
    let flood = flood::Settings {
        participants: 200,
        changes: 3,
        interval_ms: 300,
        join_bots: 4,
        message_bots: 2,
        flood_rate: 1_000,
        idle_sockets: 20,
        linger_s: 1,
    };
    let canvas = canvas::Settings {
        drawers: 5,
        watchers: 20,
        every_ms: 50,
        seconds: 2,
        flooders: 1,
    };
    let quiz = quiz::Settings {
        players: 200,
        wave: 50,
    };
    let reactions = reactions::Settings {
        participants: 200,
        seconds: 3,
        tap_every_ms: 1_100,
        words: 2,
        questions: 4,
        votes: 2,
    };
    let delivered = [("delivered_pct", 100.0), ("drops", 0.0)];
    // Fails unless every upload, read and launch succeeds.
    let capsules = capsules::Settings {
        shapes: 20_000,
        at_once: 2,
    };
    let scenarios: [(Scenario, &[(&str, f64)]); 10] = [
        (Scenario::Broadcast(broadcast), &delivered),
        (
            Scenario::Answers(answers),
            &[("answers_acked", 200.0), ("acked_not_stored", 0.0)],
        ),
        (Scenario::Rooms(rooms), &delivered),
        (Scenario::Idle(idle), &[("drops", 0.0)]),
        (
            Scenario::Reconnect(reconnect),
            &[
                ("rejoined", 200.0),
                ("seat_changes", 0.0),
                ("acked_lost", 0.0),
            ],
        ),
        (
            Scenario::Flood(flood),
            &[
                ("quiet_delivered_pct", 100.0),
                ("attack_delivered_pct", 100.0),
                ("drops", 0.0),
            ],
        ),
        (Scenario::Canvas(canvas), &[("delivered_pct", 100.0)]),
        (
            Scenario::Quiz(quiz),
            &[
                ("answers_acked", 200.0),
                ("answers_stored", 200.0),
                ("acked_not_stored", 0.0),
                ("results_received", 200.0),
                ("progress_last_answered", 200.0),
                ("drops", 0.0),
            ],
        ),
        (
            Scenario::Reactions(reactions),
            &[
                ("reactions_rate_limited", 0.0),
                ("reactions_missing", 0.0),
                ("words_acked", 400.0),
                ("words_missing", 0.0),
                ("questions_asked", 4.0),
                ("votes_acked", 400.0),
                ("votes_missing", 0.0),
                ("drops", 0.0),
            ],
        ),
        (Scenario::Capsules(capsules), &[("drops", 0.0)]),
    ];
    let mut failed = Vec::new();
    for (scenario, checks) in &scenarios {
        let run = tokio::time::timeout(RUN_LIMIT, one(scenario, target, sources)).await??;
        for (figure, expected) in *checks {
            let value = run
                .figures
                .iter()
                .find(|(n, _)| n == figure)
                .map(|(_, v)| *v);
            if value != Some(*expected) {
                failed.push(format!(
                    "{scenario:?}: {figure} = {value:?}, expected {expected}"
                ));
            }
        }
        let report = Report {
            scenario: format!("smoke {scenario:?}"),
            settings: json!({}),
            commit: host::git_commit(),
            runs: vec![run],
        };
        println!("{}", report.table());
    }
    if !failed.is_empty() {
        bail!("the smoke run failed: {failed:#?}");
    }
    println!("smoke: every scenario ran and behaved");
    Ok(())
}
