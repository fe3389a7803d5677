//! Big capsules (issue 20, item 4): a deck of 200,000 shapes (about 14 MiB) uploaded, read and
//! launched four at a time; the server's peak memory over what it held before each phase, as a
//! multiple of the deck's size, and `/healthz` latency while each phase runs.

use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::future::try_join_all;
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Stage, Target};
use crate::host;
use crate::report::Run;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Shapes in the deck (spread over ten pages).
    #[arg(long, default_value_t = 200_000)]
    pub shapes: usize,
    /// Uploads (then reads, then launches) at once.
    #[arg(long, default_value_t = 4)]
    pub at_once: usize,
}

/// The schema of the capsule every scenario uses (tldraw 5).
const FIXTURE: &str = include_str!("../../../tests/fixtures/tldraw/synthetic-5-pages-fr.tldr");

/// `{"title", "snapshot": {"store", "schema"}}` with `shapes` small shapes on ten pages.
fn deck(shapes: usize) -> anyhow::Result<String> {
    let fixture: Value = serde_json::from_str(FIXTURE)?;
    let schema = serde_json::to_string(&fixture["schema"])?;
    let mut out = String::with_capacity(shapes * 80 + 4096);
    out.push_str(r#"{"title":"Grand deck","snapshot":{"store":{"#);
    for p in 0..10 {
        out.push_str(&format!(
            r#""page:{p}":{{"id":"page:{p}","typeName":"page","index":"a{p}","name":"Page {p}","meta":{{}}}},"#
        ));
    }
    for s in 0..shapes {
        if s > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#""shape:{s}":{{"id":"shape:{s}","typeName":"shape","parentId":"page:{}","x":{s}}}"#,
            s % 10
        ));
    }
    out.push_str(r#"},"schema":"#);
    out.push_str(&schema);
    out.push_str("}}");
    Ok(out)
}

/// `/healthz` asked every 10 ms, one request at a time, until cancelled: each answer's latency.
async fn probe(base: String, stop: CancellationToken) -> Vec<f64> {
    let http = reqwest::Client::new();
    let mut latencies = Vec::new();
    while !stop.is_cancelled() {
        let start = Instant::now();
        let ok = http.get(format!("{base}/healthz")).send().await;
        if ok.is_ok_and(|r| r.status().is_success()) {
            latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    latencies
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Resets the process's peak resident memory (`VmHWM`) to what it holds now.
fn reset_peak(pid: u32) -> anyhow::Result<()> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").context("clear_refs")
}

struct Phase {
    name: &'static str,
    rss_ratio: &'static str,
    p50: &'static str,
    p99: &'static str,
    max: &'static str,
}

/// Runs `work` with `/healthz` probed beside it; puts the peak memory over the memory held
/// before, divided by `size`, and the probe's latencies.
async fn measure<F: Future<Output = anyhow::Result<()>>>(
    stage: &Stage,
    phase: Phase,
    size: usize,
    run: &mut Run,
    work: F,
) -> anyhow::Result<()> {
    let pid = stage.server.pid().context("the server's pid")?;
    reset_peak(pid)?;
    let before = host::usage(pid)?.rss_kib;
    let stop = CancellationToken::new();
    let prober = tokio::spawn(probe(format!("http://{}", stage.server.addr), stop.clone()));
    let start = Instant::now();
    work.await.with_context(|| phase.name)?;
    let took = start.elapsed().as_secs_f64();
    stop.cancel();
    let mut latencies = prober.await?;
    latencies.sort_by(f64::total_cmp);
    let peak = host::usage(pid)?.peak_rss_kib;
    let over = peak.saturating_sub(before) as f64 * 1024.0;
    eprintln!(
        "capsules: {} took {took:.1} s, peak {:.0} MiB over {:.0} MiB before",
        phase.name,
        over / 1048576.0,
        before as f64 / 1024.0
    );
    run.put(phase.rss_ratio, over / size as f64);
    run.put(phase.p50, percentile(&latencies, 0.5));
    run.put(phase.p99, percentile(&latencies, 0.99));
    run.put(phase.max, percentile(&latencies, 1.0));
    Ok(())
}

pub async fn run(target: &Target, sources: u8, settings: &Settings) -> anyhow::Result<Run> {
    let stage = Stage::open(target, sources, &[]).await?;
    let body = deck(settings.shapes)?;
    let size = body.len();
    let base = format!("http://{}", stage.server.addr);
    let token = stage.api.token().to_owned();
    let http = reqwest::Client::new();
    let mut run = Run::default();
    run.put("deck_mib", size as f64 / 1048576.0);
    let baseline = stage
        .usage()
        .map_or(f64::NAN, |u| u.rss_kib as f64 / 1024.0);
    run.put("rss_before_mib", baseline);

    let send = |request: reqwest::RequestBuilder, expected: u16| async move {
        let answer = request.send().await?;
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if status != expected {
            bail!("answered {status}: {body}");
        }
        Ok::<_, anyhow::Error>(body)
    };

    let mut ids = Vec::new();
    let uploads = (0..settings.at_once).map(|_| {
        let request = (http.post(format!("{base}/api/capsules")))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone());
        send(request, 201)
    });
    let phase = Phase {
        name: "upload",
        rss_ratio: "upload_peak_over_size",
        p50: "upload_healthz_p50_ms",
        p99: "upload_healthz_p99_ms",
        max: "upload_healthz_max_ms",
    };
    measure(&stage, phase, size, &mut run, async {
        for capsule in try_join_all(uploads).await? {
            ids.push(capsule["id"].as_str().context("an id")?.to_owned());
        }
        Ok(())
    })
    .await?;
    drop(body);

    let reads = ids.iter().map(|id| {
        let request = http
            .get(format!("{base}/api/capsules/{id}"))
            .bearer_auth(&token);
        async move {
            let answer = request.send().await?.error_for_status()?;
            answer.bytes().await?; // read, not parsed: the client is not measured
            Ok::<_, anyhow::Error>(())
        }
    });
    let phase = Phase {
        name: "read",
        rss_ratio: "read_peak_over_size",
        p50: "read_healthz_p50_ms",
        p99: "read_healthz_p99_ms",
        max: "read_healthz_max_ms",
    };
    measure(&stage, phase, size, &mut run, async {
        try_join_all(reads).await.map(|_| ())
    })
    .await?;

    let launches = ids.iter().map(|id| {
        let request = (http.post(format!("{base}/api/rooms")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"capsule_id": id}));
        send(request, 201)
    });
    let phase = Phase {
        name: "launch",
        rss_ratio: "launch_peak_over_size",
        p50: "launch_healthz_p50_ms",
        p99: "launch_healthz_p99_ms",
        max: "launch_healthz_max_ms",
    };
    measure(&stage, phase, size, &mut run, async {
        try_join_all(launches).await.map(|_| ())
    })
    .await?;

    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = stage
        .usage()
        .map_or(f64::NAN, |u| u.rss_kib as f64 / 1024.0);
    run.put("rss_after_mib", after);
    let mut run_out = run;
    stage.finish(&mut run_out).await;
    Ok(run_out)
}
