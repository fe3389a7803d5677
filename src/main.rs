use clap::Parser;
use pratico::app::Application;
use pratico::config::Config;
use pratico::telemetry;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    telemetry::init_logs(&config);
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    tracing::info!(
        database = app.db().backend(),
        "Pratico Live is listening on http://{addr}"
    );
    println!("Pratico Live is running: open http://{addr}");
    stop_on_signal(app.shutdown_token());
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Cancels `token` on SIGINT (Ctrl-C) or SIGTERM.
fn stop_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let terminate = async {
            let mut signal =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler installs");
            signal.recv().await;
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
        }
        tracing::info!("shutting down");
        token.cancel();
    });
}
