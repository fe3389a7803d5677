//! Logs and metrics set-up.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Crates that log what they carry (frames, headers) below `info`: tokens, cookies and chat
/// text would reach the logs at `--log trace`, so they are held at `info` whatever is asked.
const CARRIERS: [&str; 5] = [
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
];

/// The filter for `--log`: as asked, but never below `info` for `CARRIERS`.
fn log_filter(asked: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(asked).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in CARRIERS {
        let cap = format!("{target}=info").parse().expect("a valid directive");
        filter = filter.add_directive(cap);
    }
    filter
}

/// Installs the global log subscriber (call once, from `main`).
pub fn init_logs(config: &Config) {
    let builder = tracing_subscriber::fmt().with_env_filter(log_filter(&config.log));
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// The process-wide Prometheus recorder; installed on first use so that several applications
/// in one process (the tests) share it.
pub fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_trace_never_shows_what_sockets_carry() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(log_filter("trace,tungstenite=trace"))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "tungstenite::protocol", "frame: token=SECRET");
            tracing::trace!(target: "hyper::proto::h1::io", "header: Cookie: SECRET");
            tracing::trace!(target: "pratico::live", "our own trace");
        });
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("our own trace"), "{logs}");
        assert!(!logs.contains("SECRET"), "{logs}");
    }
}
