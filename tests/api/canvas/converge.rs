//! tldraw's own client (`TLSyncClient` from npm, headless on Node: tests/tldraw-ref/converge.mjs)
//! editing against this server: several clients making random edits, each reconnecting once,
//! end with identical documents.

use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::live_client::{LiveClient, LiveRoom, participant};

/// Runs converge.mjs against the canvas of `room` with `token`; its summary.
async fn converge(addr: std::net::SocketAddr, room: &str, token: &str, args: &[&str]) -> Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tldraw-ref");
    let url = format!("ws://{addr}/api/live/{room}/canvas?token={token}");
    let output = tokio::process::Command::new("node")
        .current_dir(dir)
        .arg("converge.mjs")
        .args(["--url", &url, "--timeout-ms", "60000"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("node runs (tests/tldraw-ref: `bash run-checks.sh` installs its packages)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the clients did not converge:\n{stdout}\n{stderr}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(summary).unwrap_or_else(|e| panic!("summary {summary:?}: {e}"))
}

#[tokio::test]
async fn three_trainer_tabs_editing_at_random_converge() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let summary = converge(
        app.addr,
        &room.name,
        &room.token,
        &["--clients", "3", "--edits", "300", "--seed", "7"],
    )
    .await;
    assert_eq!(summary["clients"], 3);
    assert!(summary["records"].as_u64().unwrap() > 5, "{summary}");
}

#[tokio::test]
async fn participants_drawing_together_converge() {
    let app = spawn_app().await;
    let room = LiveRoom::launch(&app).await;
    let seat = LiveClient::joined(&app, &room.name, participant("Léa", "Roux")).await;
    let path = format!("/api/rooms/{}", room.id);
    app.patch(
        &path,
        &room.token,
        json!({"params": {"collaboration": "draw"}}),
    )
    .await
    .expect(StatusCode::OK);
    let resume = seat.resume_token.clone().unwrap();
    let summary = converge(
        app.addr,
        &room.name,
        &resume,
        &["--clients", "2", "--edits", "200", "--seed", "11"],
    )
    .await;
    assert_eq!(summary["clients"], 2);
}
