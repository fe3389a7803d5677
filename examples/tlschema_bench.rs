//! Figures for `crate::tlschema` (the embedded tldraw schema): load time, RSS, per-call times and
//! throughput. `cargo run --release --example tlschema_bench`. Prints; asserts nothing on time.

use std::sync::Arc;
use std::time::Instant;

use pratico::tlschema::{Limits, TlSchema};
use serde_json::{Value, json};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn geo() -> Value {
    json!({
        "id": "shape:geo1", "typeName": "shape", "type": "geo", "x": 100, "y": 160, "rotation": 0,
        "index": "a3", "parentId": "page:page", "isLocked": false, "opacity": 1, "meta": {},
        "props": {
            "geo": "rectangle", "dash": "draw", "url": "", "w": 420, "h": 100, "growY": 0,
            "scale": 1, "flipX": false, "flipY": false, "labelColor": "black", "color": "violet",
            "fill": "semi", "size": "m", "font": "draw", "align": "middle",
            "verticalAlign": "middle",
            "richText": {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Que vaut 2 + 3 × 4 ?"}]}]}
        }
    })
}

fn draw(points: usize) -> Value {
    let path: String = "AAAAAAAAAAAA".chars().cycle().take(points * 8).collect();
    json!({
        "id": "shape:draw1", "typeName": "shape", "type": "draw", "x": 10, "y": 20, "rotation": 0,
        "index": "a4", "parentId": "page:page", "isLocked": false, "opacity": 1, "meta": {},
        "props": {
            "color": "black", "fill": "none", "dash": "draw", "size": "m",
            "segments": [{"type": "free", "path": path}],
            "isComplete": true, "isClosed": false, "isPen": false,
            "scale": 1, "scaleX": 1, "scaleY": 1
        }
    })
}

fn presence() -> Value {
    json!({
        "id": "instance_presence:abc", "typeName": "instance_presence",
        "userId": "user:trainer", "userName": "Alice", "lastActivityTimestamp": 1_700_000_000_000u64,
        "followingUserId": null, "cursor": {"x": 1.5, "y": 2, "type": "default", "rotation": 0},
        "color": "#FF0000", "camera": {"x": 0, "y": 0, "z": 1},
        "screenBounds": {"x": 0, "y": 0, "w": 1280, "h": 720},
        "selectedShapeIds": ["shape:geo1"], "currentPageId": "page:page",
        "brush": null, "scribbles": [], "chatMessage": "", "meta": {}
    })
}

fn micros_per_call(calls: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..calls / 10 {
        f();
    }
    let started = Instant::now();
    for _ in 0..calls {
        f();
    }
    started.elapsed().as_secs_f64() * 1e6 / calls as f64
}

fn calls_per_second(schema: &Arc<TlSchema>, threads: usize, total: usize) -> f64 {
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let schema = schema.clone();
            std::thread::spawn(move || {
                let record = geo();
                for _ in 0..total / threads {
                    schema.validate_new(&record).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let rss_start = rss_kib();
    let first = Arc::new(TlSchema::load_with(1, Limits::default()).unwrap());
    let rss_first = rss_kib();
    drop(first);
    let mut loads: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            drop(TlSchema::load_with(1, Limits::default()).unwrap());
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    loads.sort_by(f64::total_cmp);
    let rss_before = rss_kib();
    let one = Arc::new(TlSchema::load_with(1, Limits::default()).unwrap());
    let rss_one = rss_kib();
    let two = Arc::new(TlSchema::load_with(2, Limits::default()).unwrap());
    let rss_two = rss_kib();
    println!(
        "RSS at start {rss_start} KiB, +{} KiB after the first load (1 engine)",
        rss_first - rss_start
    );
    println!(
        "load (1 engine), median of 5: {:.1} ms (min {:.1}, max {:.1})",
        loads[2], loads[0], loads[4]
    );
    println!(
        "RSS: +{} KiB for a 1-engine schema, +{} KiB for a 2-engine one",
        rss_one.saturating_sub(rss_before),
        rss_two.saturating_sub(rss_one)
    );
    println!(
        "JS heap of a loaded engine: {:?} bytes",
        one.engine_heap_bytes()
    );

    let (geo, draw, presence) = (geo(), draw(200), presence());
    let mut moved = geo.clone();
    moved["x"] = json!(101);
    let n = 20_000;
    println!(
        "validate_new geo: {:.1} µs",
        micros_per_call(n, || one.validate_new(&geo).unwrap())
    );
    println!(
        "validate_new draw (200 points): {:.1} µs",
        micros_per_call(n, || one.validate_new(&draw).unwrap())
    );
    println!(
        "validate_presence: {:.1} µs",
        micros_per_call(n, || one.validate_presence(&presence).unwrap())
    );
    println!(
        "validate_update geo (x changed): {:.1} µs",
        micros_per_call(n, || one.validate_update(&geo, &moved).unwrap())
    );
    println!(
        "compare_schema (same): {:.1} µs",
        micros_per_call(n / 10, || {
            one.compare_schema(one.serialized());
        })
    );
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tldraw/metatypedev__ghjk__architecture.tldr"
    );
    let text = std::fs::read_to_string(fixture).unwrap();
    let snapshot = pratico::domain::tldraw::read_document(Value::String(text))
        .unwrap()
        .snapshot;
    println!(
        "migrate_store_snapshot (tldraw 2.0 capsule, 91 records): {:.1} ms",
        micros_per_call(20, || {
            one.migrate_store_snapshot(&snapshot).unwrap();
        }) / 1e3
    );
    let total = 100_000;
    println!(
        "throughput 1 thread, 1 engine: {:.0}/s",
        calls_per_second(&one, 1, total)
    );
    println!(
        "throughput 2 threads, 1 engine (a mutex): {:.0}/s",
        calls_per_second(&one, 2, total)
    );
    println!(
        "throughput 2 threads, 2 engines (the pool): {:.0}/s",
        calls_per_second(&two, 2, total)
    );
    println!(
        "throughput 8 threads, 2 engines (the pool): {:.0}/s",
        calls_per_second(&two, 8, total)
    );
}
