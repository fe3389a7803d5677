//! The way to one connection: a bounded queue of frames to write, a close signal, and the
//! writer that drains them onto the socket.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::time::Duration;

use futures_util::task::AtomicWaker;
use tokio::io::AsyncWrite;
use tokio_util::sync::CancellationToken;

use super::ConnId;
use super::wire::write_frames;
use crate::domain::protocol::{CloseCode, ServerMessage};

/// Frames a connection may have waiting before it counts as too slow and is dropped. The queue
/// allocates as it fills, so a roomy bound costs nothing for clients that keep up; it must hold
/// a burst such as a trainer's view of thousands of participants joining at once.
pub const OUTBOX_FRAMES: usize = 8_192;

/// A message ready to write: serialised and framed once, shared (reference-counted) by every
/// connection it goes to.
pub use super::wire::Frame;

impl From<&ServerMessage> for Frame {
    fn from(message: &ServerMessage) -> Self {
        Frame::json(message)
    }
}

/// Cheap to clone; the actor keeps one per connection, the socket's tasks share another.
#[derive(Clone)]
pub struct Outbox {
    pub id: ConnId,
    shared: Arc<Shared>,
}

struct Shared {
    /// Frames not yet taken by the writer. The writer takes the whole queue at once, so an
    /// idle connection holds no queue memory at all (a channel keeps blocks of slots).
    frames: Mutex<VecDeque<Frame>>,
    /// The writer, when it waits for frames.
    writer: AtomicWaker,
    /// Set once the writer is gone: nothing queued would ever be written.
    gone: AtomicBool,
    closing: CancellationToken,
    /// The close code and reason, set by whoever closes first.
    why: OnceLock<(CloseCode, &'static str)>,
}

/// The receiving half, owned by the socket's writer task.
pub struct Inbox {
    shared: Arc<Shared>,
}

impl Outbox {
    pub fn new() -> (Self, Inbox) {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let shared = Arc::new(Shared {
            frames: Mutex::new(VecDeque::new()),
            writer: AtomicWaker::new(),
            gone: AtomicBool::new(false),
            closing: CancellationToken::new(),
            why: OnceLock::new(),
        });
        let outbox = Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            shared: Arc::clone(&shared),
        };
        (outbox, Inbox { shared })
    }

    /// Queues a frame without waiting; `false` when the queue is full (a client too slow to
    /// keep up) or the connection is gone.
    pub fn send(&self, frame: Frame) -> bool {
        if self.shared.gone.load(Ordering::Acquire) {
            return false;
        }
        let mut frames = self.shared.frames.lock().expect("outbox lock");
        if frames.len() >= OUTBOX_FRAMES {
            return false;
        }
        let was_empty = frames.is_empty();
        frames.push_back(frame);
        drop(frames);
        // A queue that already held frames has its wake-up on the way.
        if was_empty {
            self.shared.writer.wake();
        }
        true
    }

    /// Whether the connection's writer is gone (its socket closed): a frame it refuses was
    /// not refused for slowness.
    pub fn is_gone(&self) -> bool {
        self.shared.gone.load(Ordering::Acquire)
    }

    /// Asks the connection to close with `code`; frames queued before are still written.
    pub fn close(&self, code: CloseCode, reason: &'static str) {
        let _ = self.shared.why.set((code, reason));
        self.shared.closing.cancel();
    }

    pub async fn closed(&self) {
        self.shared.closing.cancelled().await
    }

    /// Why the connection is closing (normal closure if nobody said).
    pub fn close_reason(&self) -> (CloseCode, &'static str) {
        self.shared
            .why
            .get()
            .copied()
            .unwrap_or((CloseCode::Normal, ""))
    }
}

impl Inbox {
    /// Waits for frames, then takes every frame queued.
    pub async fn next_burst(&mut self) -> VecDeque<Frame> {
        poll_fn(|cx| {
            if let Some(burst) = self.take() {
                return Poll::Ready(burst);
            }
            self.shared.writer.register(cx.waker());
            // A frame queued before the registration found no waker to wake.
            self.take().map_or(Poll::Pending, Poll::Ready)
        })
        .await
    }

    /// Every frame queued now, if any.
    pub fn take(&mut self) -> Option<VecDeque<Frame>> {
        let mut frames = self.shared.frames.lock().expect("outbox lock");
        (!frames.is_empty()).then(|| std::mem::take(&mut *frames))
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.shared.gone.store(true, Ordering::Release);
        self.shared.frames.lock().expect("outbox lock").clear();
    }
}

/// Writes what is queued for a connection until it is closed, then its close frame.
///
/// A write that cannot finish within `patience` means a client that stopped reading: it is
/// given up, so that it cannot hold its socket open forever.
pub async fn write<W: AsyncWrite + Unpin>(
    mut out: W,
    mut inbox: Inbox,
    outbox: Outbox,
    patience: Duration,
) {
    let closed = outbox.closed();
    tokio::pin!(closed);
    loop {
        tokio::select! {
            biased;
            mut burst = inbox.next_burst() => {
                // Boxed: the write holds a `writev` array while it lasts; the task, idle most
                // of its life, should not carry that room.
                let written = Box::pin(write_frames(&mut out, burst.make_contiguous()));
                if !matches!(tokio::time::timeout(patience, written).await, Ok(Ok(()))) {
                    outbox.close(CloseCode::Abnormal, "");
                    return;
                }
            }
            _ = &mut closed => break,
        }
    }
    // Frames queued before the close (a `kicked`, a `session_ended`) still go out, briefly,
    // then the close frame.
    let (code, reason) = outbox.close_reason();
    let mut last = inbox.take().unwrap_or_default();
    last.push_back(Frame::close(code.code(), reason));
    let written = Box::pin(write_frames(&mut out, last.make_contiguous()));
    let _ = tokio::time::timeout(Duration::from_secs(1), written).await;
    outbox.close(code, reason);
}
