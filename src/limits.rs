//! Process limits: every live connection holds a file descriptor, and the usual default soft
//! limit (1,024) would cap a server at about a thousand participants.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Descriptors kept for everything but live connections: the listener, the database pool,
/// logs, requests in flight.
const RESERVED: u64 = 64;

/// Raises the open-file soft limit to the hard limit and returns the limit now in force
/// (`None`: unlimited).
pub fn raise_open_files() -> Option<u64> {
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    match setrlimit(Resource::Nofile, raised) {
        Ok(()) => limit.maximum,
        Err(_) => limit.current,
    }
}

/// Live connections a process can hold under an open-file limit.
pub fn connections_allowed(open_files: u64) -> u64 {
    open_files.saturating_sub(RESERVED)
}

/// Raises the limit at start-up, and says so when it caps the seats of a full room.
pub fn raise_for_server(max_participants: usize) {
    let Some(limit) = raise_open_files() else {
        tracing::info!("open-file limit: unlimited");
        return;
    };
    let allowed = connections_allowed(limit);
    if allowed < max_participants as u64 {
        tracing::warn!(
            open_files = limit,
            "the open-file limit caps this server at about {allowed} live connections, \
             fewer than the {max_participants} participants a room may seat; raise it (ulimit -Hn)"
        );
    } else {
        tracing::info!(
            open_files = limit,
            "open-file limit {limit}: room for about {allowed} live connections"
        );
    }
}

/// glibc's allocator gives threads arenas of their own, up to eight per core, each keeping
/// freed memory: on two cores that was about 7 MiB of a 1,000-player quiz's 39 MiB peak, for no
/// gain in speed (docs/benchmarks.md, "Quiz"). Two arenas are enough for a server whose work
/// is a few runtime threads. Call before any thread starts; `MALLOC_ARENA_MAX` still wins.
///
/// Buffers over 1 MiB (a capsule's document) are mapped apart and given back to the system when
/// freed: otherwise glibc raises its threshold after the first large free and keeps later
/// ones in its heaps, and the memory a burst of big uploads took never came back (97–173 MiB
/// after `bench capsules` instead of 38–46 MiB). `MALLOC_MMAP_THRESHOLD_` still wins.
pub fn few_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: mallopt only sets an allocator parameter; nothing else runs yet.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: as above.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
            }
        }
    }
}
