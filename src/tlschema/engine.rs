//! One QuickJS runtime holding the schema bundle, and the guard around each call into it: a time
//! budget (interrupt handler), a memory limit and a stack limit, so that no input can hang the
//! caller or exhaust the process. An engine is used by one thread at a time (the pool in
//! `mod.rs` locks it); one whose call failed abnormally is thrown away and built anew.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rquickjs::function::Opt;
use rquickjs::{Context, Ctx, Function, Object, Runtime};

/// The bundle of tldraw's MIT schema code and our entry (tools/tlschema-bundle/).
pub(super) const BUNDLE: &str = include_str!("tlschema.js");

/// Past this input size, a call ends with a garbage collection.
const LARGE_INPUT_BYTES: usize = 1 << 20;

/// Bounds on what one engine may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Heap of one engine (QuickJS counts every allocation it makes). The loaded schema takes
    /// about 1 MiB of it; the rest is room for one record or one capsule being migrated.
    pub memory_bytes: usize,
    /// JS stack of one call. Must stay well below the calling thread's own stack (tokio's worker
    /// threads have 2 MiB).
    pub stack_bytes: usize,
    /// Time budget of one validation or schema comparison.
    pub call_budget: Duration,
    /// Time budget of one snapshot migration (a large capsule).
    pub migrate_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            stack_bytes: 512 << 10,
            call_budget: Duration::from_secs(1),
            migrate_budget: Duration::from_secs(20),
        }
    }
}

/// Why a call produced no answer. Any of these makes the pool replace the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("the schema engine ran out of its time budget")]
    Interrupted,
    #[error("the schema engine failed: {0}")]
    Failed(String),
}

pub(super) struct Engine {
    // Field order matters: the context must be dropped before its runtime.
    context: Context,
    runtime: Runtime,
    /// Nanoseconds since `epoch` after which the interrupt handler stops the running code;
    /// `u64::MAX` when no call is running.
    deadline: Arc<AtomicU64>,
    epoch: Instant,
    limits: Limits,
}

impl Engine {
    /// A fresh runtime with the bundle evaluated (`globalThis.__tlschema` defined).
    pub(super) fn new(limits: Limits) -> Result<Engine, String> {
        let runtime = Runtime::new().map_err(|e| format!("QuickJS runtime: {e}"))?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(limits.stack_bytes);
        let epoch = Instant::now();
        let deadline = Arc::new(AtomicU64::new(u64::MAX));
        let watched = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let deadline = watched.load(Ordering::Relaxed);
            deadline != u64::MAX && elapsed_nanos(epoch) > deadline
        })));
        let context = Context::full(&runtime).map_err(|e| format!("QuickJS context: {e}"))?;
        let engine = Engine {
            context,
            runtime,
            deadline,
            epoch,
            limits,
        };
        // Loading gets the migration budget: it is one-off and does real work (createTLSchema).
        engine
            .guarded(limits.migrate_budget, |ctx| {
                install_natives(&ctx)?;
                ctx.eval::<(), _>(BUNDLE)
            })
            .map_err(|e| format!("loading the schema bundle: {e}"))?;
        Ok(engine)
    }

    /// Calls `globalThis.__tlschema[name](...args)`, whose result is a string or null.
    pub(super) fn call(
        &self,
        name: &str,
        args: &[&str],
        budget: Duration,
    ) -> Result<Option<String>, EngineError> {
        let result = self.guarded(budget, |ctx| {
            let api: Object = ctx.globals().get("__tlschema")?;
            let function: Function = api.get(name)?;
            let mut js_args = rquickjs::function::Args::new(ctx.clone(), args.len());
            for arg in args {
                js_args.push_arg(rquickjs::String::from_str(ctx.clone(), arg)?)?;
            }
            let result: Option<rquickjs::String> = function.call_arg(js_args)?;
            result.map(|s| s.to_string()).transpose()
        });
        // Reference counting frees most garbage at once; the cycles a large input left behind
        // are collected now rather than carried into the next calls. (Measuring the heap instead
        // would walk all of it on every call.)
        if args.iter().map(|a| a.len()).sum::<usize>() > LARGE_INPUT_BYTES {
            self.runtime.run_gc();
        }
        result
    }

    /// The limits this engine was built with.
    pub(super) fn limits(&self) -> Limits {
        self.limits
    }

    /// Bytes the JS heap holds now.
    pub(super) fn heap_bytes(&self) -> i64 {
        self.runtime.memory_usage().memory_used_size
    }

    /// Runs arbitrary code under the same guard (tests of the guard only).
    #[cfg(test)]
    pub(super) fn eval_for_test(
        &self,
        code: &str,
        budget: Duration,
    ) -> Result<String, EngineError> {
        self.guarded(budget, |ctx| {
            let value: rquickjs::Coerced<String> = ctx.eval(code)?;
            Ok(value.0)
        })
    }

    /// Runs `f` with the deadline armed, turning a JS exception into an error with its message.
    fn guarded<T>(
        &self,
        budget: Duration,
        f: impl for<'js> FnOnce(Ctx<'js>) -> rquickjs::Result<T>,
    ) -> Result<T, EngineError> {
        let deadline = elapsed_nanos(self.epoch).saturating_add(budget.as_nanos() as u64);
        self.deadline.store(deadline, Ordering::Relaxed);
        let result = self.context.with(|ctx| {
            f(ctx.clone()).map_err(|error| match error {
                rquickjs::Error::Exception => describe_exception(&ctx),
                other => EngineError::Failed(other.to_string()),
            })
        });
        self.deadline.store(u64::MAX, Ordering::Relaxed);
        result
    }
}

fn elapsed_nanos(epoch: Instant) -> u64 {
    epoch.elapsed().as_nanos() as u64
}

fn describe_exception(ctx: &Ctx<'_>) -> EngineError {
    let exception = ctx.catch();
    let message = match exception.as_exception() {
        Some(e) => e.message().unwrap_or_default(),
        None => exception
            .as_string()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_else(|| format!("{:?}", exception.type_of())),
    };
    if message == "interrupted" {
        EngineError::Interrupted
    } else {
        EngineError::Failed(message)
    }
}

/// `globalThis.__pratico_native`: what the bundle's polyfills (polyfills.js) need from Rust.
fn install_natives(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let native = Object::new(ctx.clone())?;
    native.set(
        "randomBytes",
        Function::new(ctx.clone(), |n: usize| -> Vec<u8> {
            let mut bytes = vec![0u8; n.min(65536)];
            rand::fill(&mut bytes[..]);
            bytes
        })?,
    )?;
    native.set(
        "urlParse",
        Function::new(ctx.clone(), |input: String, base: Opt<String>| {
            let parsed = match base.0 {
                Some(base) => url::Url::parse(&base).and_then(|base| base.join(&input)),
                None => url::Url::parse(&input),
            };
            parsed.ok().map(|url| url_parts(&url))
        })?,
    )?;
    native.set(
        "urlSet",
        Function::new(ctx.clone(), |href: String, part: String, value: String| {
            let mut url = url::Url::parse(&href).ok()?;
            let url_ref = &mut url;
            let ok = match part.as_str() {
                "href" => url::quirks::set_href(url_ref, &value).is_ok(),
                "protocol" => url::quirks::set_protocol(url_ref, &value).is_ok(),
                "username" => url::quirks::set_username(url_ref, &value).is_ok(),
                "password" => url::quirks::set_password(url_ref, &value).is_ok(),
                "host" => url::quirks::set_host(url_ref, &value).is_ok(),
                "hostname" => url::quirks::set_hostname(url_ref, &value).is_ok(),
                "port" => url::quirks::set_port(url_ref, &value).is_ok(),
                "pathname" => {
                    url::quirks::set_pathname(url_ref, &value);
                    true
                }
                "search" => {
                    url::quirks::set_search(url_ref, &value);
                    true
                }
                "hash" => {
                    url::quirks::set_hash(url_ref, &value);
                    true
                }
                _ => false,
            };
            ok.then(|| url_parts(&url))
        })?,
    )?;
    native.set(
        "formParse",
        Function::new(ctx.clone(), |query: String| {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
        })?,
    )?;
    native.set(
        "formSerialize",
        Function::new(ctx.clone(), |pairs: String| {
            let pairs: Vec<(String, String)> = serde_json::from_str(&pairs).unwrap_or_default();
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        })?,
    )?;
    ctx.globals().set("__pratico_native", native)
}

/// The WHATWG URL getters of `url`, as the JSON object the URL polyfill reads.
fn url_parts(url: &url::Url) -> String {
    use url::quirks;
    serde_json::json!({
        "href": quirks::href(url),
        "origin": quirks::origin(url),
        "protocol": quirks::protocol(url),
        "username": quirks::username(url),
        "password": quirks::password(url),
        "host": quirks::host(url),
        "hostname": quirks::hostname(url),
        "port": quirks::port(url),
        "pathname": quirks::pathname(url),
        "search": quirks::search(url),
        "hash": quirks::hash(url),
    })
    .to_string()
}
