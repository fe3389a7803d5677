use std::io::Write;

use anyhow::Context;
use clap::Parser;
use pratico::app::Application;
use pratico::config::{Command, Config, ReportArgs};
use pratico::export::locale::Locale;
use pratico::store::{Db, StoreError, events, now_ms};
use pratico::{export, telemetry};
use tokio_util::sync::CancellationToken;

fn main() -> anyhow::Result<()> {
    // Before any thread: the allocator's arenas are made as threads first allocate.
    pratico::limits::few_allocator_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let config = Config::parse();
    if let Some(Command::Report(args)) = &config.command {
        return report(&config, args).await;
    }
    if let Some(Command::Admin(args)) = &config.command {
        // An operator's mistake (an unknown e-mail, a room already ended) is a sentence and
        // exit code 1, never a backtrace.
        if let Err(error) = pratico::admin::run(&config, args).await {
            eprintln!("error: {error:#}");
            std::process::exit(1);
        }
        return Ok(());
    }
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

/// `pratico report <room_id>`: the report, from the events in the database, to a file or to
/// standard output (nothing else is written there).
async fn report(config: &Config, args: &ReportArgs) -> anyhow::Result<()> {
    let locale = Locale::new(args.lang.unwrap_or_default(), args.utc_offset)
        .with_context(|| format!("--utc-offset: {}", Locale::offset_rule()))?;
    let db = Db::connect(&config.database_url).await?;
    let session = match events::session_events(&db, args.room_id).await {
        Err(StoreError::NotFound) => anyhow::bail!("no session {} in this database", args.room_id),
        other => other?,
    };
    let report = session.report(args.scoring, now_ms());
    let for_people = args.lang.is_some();
    let rendered = export::render(
        &report,
        args.format,
        args.table.as_deref(),
        &locale,
        for_people,
    )?;
    match &args.output {
        Some(path) => std::fs::write(path, &rendered.bytes)
            .with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().lock().write_all(&rendered.bytes)?,
    }
    db.close().await;
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
