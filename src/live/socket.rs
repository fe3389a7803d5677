//! One WebSocket connection: a reader task that checks and forwards what the client sends, and a
//! writer task that drains the connection's outbox. Neither ever waits on another client.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::ReadHalf;
use tokio::sync::oneshot;
use tokio_tungstenite::WebSocketStream;
use tungstenite::Message;
use tungstenite::protocol::{Role, WebSocketConfig};
use uuid::Uuid;

use super::actor::quiz_sheet;
use super::outbox::{Frame, write};
use super::wire::{ReadOnly, closing_handshake};
use super::{JoinAs, Live, Outbox, Request, RoomHandle};
use crate::domain::events::LeaveReason;
use crate::domain::protocol::{
    ClientMessage, CloseCode, ErrorCode, JoinRole, ServerMessage, parse_client_message,
};
use crate::store::{auth_tokens, now_ms};

type Io = TokioIo<Upgraded>;
type Stream = WebSocketStream<ReadOnly<ReadHalf<Io>>>;

/// Bytes read from a live socket at once: client frames are small (a larger one grows the
/// buffer). tungstenite's default, 128 KiB zero-filled per connection, is what made idle
/// connections expensive (docs/benchmarks.md, S4).
const READ_BUFFER: usize = 512;

/// Serves one client of one room until either side closes.
///
/// `cookie_token` is the trainer's log-in token from the upgrade request's cookie or header,
/// used when a trainer's `join` carries no token of its own. Frames past `transport_cap` end
/// the connection (the protocol's own, smaller limit is checked by the reader, with its close
/// code).
pub async fn serve(
    upgraded: Upgraded,
    transport_cap: usize,
    live: Arc<Live>,
    room_id: Uuid,
    cookie_token: Option<String>,
    from: IpAddr,
) {
    metrics::gauge!("live_connections").increment(1.0);
    let (read, write_half) = tokio::io::split(TokioIo::new(upgraded));
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(Some(transport_cap))
        .max_frame_size(Some(transport_cap));
    let mut stream =
        WebSocketStream::from_raw_socket(ReadOnly(read), Role::Server, Some(config)).await;
    let (outbox, inbox) = Outbox::new();
    // The server sends no pings of its own: clients prove they are alive (a `ping` message at
    // least every heartbeat timeout), which also tells them when their connection is dead.
    let writer = tokio::spawn(write(
        write_half,
        inbox,
        outbox.clone(),
        live.config().heartbeat,
    ));
    // Boxed: the wait for the room is large and over once connected; the task keeps only
    // what it needs for the connection's whole life.
    let connected = Box::pin(live.connect(room_id, outbox.clone())).await;
    match connected {
        Err(_) => outbox.close(CloseCode::Unavailable, "this session is not available"),
        Ok(room) => {
            let reason = Reader {
                live: &live,
                room: &room,
                room_id,
                outbox: &outbox,
                cookie_token,
                from,
            }
            .read(&mut stream)
            .await;
            let conn = outbox.id;
            let _ = room.send(Request::Disconnect { conn, reason }).await;
        }
    }
    outbox.close(CloseCode::Normal, "goodbye");
    let _ = writer.await;
    closing_handshake(&mut stream).await;
    metrics::gauge!("live_connections").decrement(1.0);
}

struct Reader<'a> {
    live: &'a Arc<Live>,
    /// The actor this connection registered with; if it stops, the client must reconnect.
    room: &'a RoomHandle,
    room_id: Uuid,
    outbox: &'a Outbox,
    cookie_token: Option<String>,
    /// The client's address.
    from: IpAddr,
}

impl Reader<'_> {
    /// Reads until the client leaves, is too quiet, misbehaves, or the room closes the
    /// connection; returns why, for the `participant_left` event.
    async fn read(&self, stream: &mut Stream) -> LeaveReason {
        let config = self.live.config();
        let mut bucket = TokenBucket::new(config.rate_per_sec, config.rate_burst);
        loop {
            let next = tokio::select! {
                next = tokio::time::timeout(config.heartbeat, stream.next()) => next,
                _ = self.outbox.closed() => return LeaveReason::Closed,
            };
            let message = match next {
                Err(_) => {
                    self.outbox.close(
                        CloseCode::Silent,
                        "no sign of life within the heartbeat timeout",
                    );
                    return LeaveReason::Timeout;
                }
                Ok(None) => return LeaveReason::Closed,
                Ok(Some(Err(error))) => {
                    if too_large(error) {
                        self.outbox.close(CloseCode::TooLarge, "message too large");
                    }
                    return LeaveReason::Closed;
                }
                Ok(Some(Ok(message))) => message,
            };
            // Stamped as read, so that two answers sent at the same instant score the same
            // however long the room takes to get to them.
            let received_at = now_ms();
            let text = match message {
                Message::Text(text) => text,
                Message::Close(_) => return LeaveReason::Closed,
                Message::Binary(_) => {
                    self.answer(ServerMessage::error(
                        ErrorCode::BadMessage,
                        "send JSON text frames",
                        None,
                    ));
                    continue;
                }
                // Pings and pongs only prove the client is alive; a ping gets its pong.
                Message::Ping(payload) => {
                    self.outbox.send(Frame::pong(&payload));
                    continue;
                }
                Message::Pong(_) | Message::Frame(_) => continue,
            };
            if text.len() > config.max_frame_bytes {
                self.outbox.close(CloseCode::TooLarge, "message too large");
                return LeaveReason::Closed;
            }
            match bucket.take(Instant::now()) {
                Rate::Ok => {}
                Rate::Limited => {
                    let message = format!(
                        "slow down: at most {} messages per second",
                        config.rate_per_sec
                    );
                    let (req, _) = parse_client_message(&text);
                    self.answer(ServerMessage::error(ErrorCode::RateLimited, message, req));
                    continue;
                }
                Rate::Flooding => {
                    self.outbox.close(
                        CloseCode::Flooding,
                        "flooding: far past the message rate limit",
                    );
                    return LeaveReason::Closed;
                }
            }
            // Boxed for the same reason as the connect: a join's checks are large and brief.
            if !Box::pin(self.forward(&text, received_at)).await {
                self.outbox
                    .close(CloseCode::Restarting, "the session restarted; reconnect");
                return LeaveReason::Closed;
            }
        }
    }

    /// Sends an answer the reader can give by itself (it never waits on a full outbox).
    fn answer(&self, message: ServerMessage) {
        self.outbox.send(Frame::from(&message));
    }

    /// Checks credentials of a `join` and hands the message to the room; `false` when the
    /// room's actor is gone.
    async fn forward(&self, text: &str, received_at: i64) -> bool {
        let (req, parsed) = parse_client_message(text);
        let message = match parsed {
            Ok(message) => message,
            Err((code, message)) => {
                self.answer(ServerMessage::error(code, message, req));
                return true;
            }
        };
        let conn = self.outbox.id;
        let request = match message {
            // Liveness needs no room: answered here, at once.
            ClientMessage::Ping => {
                self.answer(ServerMessage::Pong { req });
                return true;
            }
            ClientMessage::Join(join) => {
                let who = match join.role {
                    JoinRole::Participant => JoinAs::Participant {
                        resume: join
                            .resume_token
                            .as_deref()
                            .and_then(|t| self.live.key().verify(t, self.room_id)),
                        first_name: join.first_name,
                        last_name: join.last_name,
                        from: self.from,
                    },
                    JoinRole::Trainer => {
                        let token = join.token.or_else(|| self.cookie_token.clone());
                        match self.trainer(token).await {
                            Some(user_id) => JoinAs::Trainer { user_id },
                            None => {
                                let message = "log in first: give your token in `token`";
                                self.answer(ServerMessage::error(
                                    ErrorCode::Forbidden,
                                    message,
                                    req,
                                ));
                                return true;
                            }
                        }
                    }
                };
                Request::Join { conn, req, who }
            }
            ClientMessage::QuizStart { quiz_id } => return self.start_quiz(req, quiz_id).await,
            message => Request::Message {
                conn,
                req,
                message,
                received_at,
            },
        };
        self.room.send(request).await.is_ok()
    }

    /// `quiz_start`: the quiz is read from the database here, not in the room's loop (which
    /// would keep every other client of the room waiting meanwhile). The room says which
    /// quiz, if this connection may start one, then gets the sheet. This reader waits
    /// throughout, so the connection's messages still reach the room in order.
    async fn start_quiz(&self, req: Option<String>, quiz_id: Option<Uuid>) -> bool {
        let conn = self.outbox.id;
        let (reply, answer) = oneshot::channel();
        let ask = Request::QuizToLoad {
            conn,
            req: req.clone(),
            quiz_id,
            reply,
        };
        if self.room.send(ask).await.is_err() {
            return false;
        }
        // No key: refused (the room said why), or the room stopped (it closes its sockets).
        let Ok(Some(key)) = answer.await else {
            return true;
        };
        let quiz = quiz_sheet(self.live.db(), key).await.map(Box::new);
        let start = Request::QuizStart { conn, req, quiz };
        self.room.send(start).await.is_ok()
    }

    /// The trainer the token logs in; the socket then closes when the token is revoked.
    async fn trainer(&self, token: Option<String>) -> Option<Uuid> {
        let hash = auth_tokens::hash(&token?);
        let login = self.live.logins().hold(hash.clone());
        match auth_tokens::user_for(self.live.db(), &hash, now_ms()).await {
            Ok(user) => {
                let user = user?;
                let reason = "logged out: log in again";
                login.close_on_revoke(self.outbox.clone(), CloseCode::LoggedOut, reason);
                Some(user.id)
            }
            Err(error) => {
                tracing::warn!(%error, "could not check a trainer token");
                None
            }
        }
    }
}

/// Writes queued frames, and closes the socket with the outbox's close code once asked to.
///
/// A frame past the transport's own cap (far past `max_frame_bytes`) ends the stream with an
/// error rather than a message: it still deserves its close code.
fn too_large(error: tungstenite::Error) -> bool {
    matches!(error, tungstenite::Error::Capacity(_))
}

enum Rate {
    Ok,
    /// Over the rate: this message is refused.
    Limited,
    /// Far over it for long: the connection is closed.
    Flooding,
}

/// Per-connection rate limit: `rate` messages per second on average, `burst` at once.
struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
    /// Refusals not yet worked off (each accepted message works one off); past a threshold
    /// the client floods. Not reset by one accepted message: a bot at 50 times the rate gets
    /// one through every refill and would otherwise never be called a flooder.
    refused: u32,
}

impl TokenBucket {
    fn new(rate: u32, burst: u32) -> Self {
        Self {
            rate: f64::from(rate),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: Instant::now(),
            refused: 0,
        }
    }

    fn take(&mut self, now: Instant) -> Rate {
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.refused = self.refused.saturating_sub(1);
            return Rate::Ok;
        }
        self.refused += 1;
        if f64::from(self.refused) > self.burst * 2.0 {
            Rate::Flooding
        } else {
            Rate::Limited
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Sends `count` messages `every` apart from `start`; the outcome of each.
    fn send(bucket: &mut TokenBucket, start: Instant, every: Duration, count: u32) -> Vec<Rate> {
        (0..count).map(|i| bucket.take(start + every * i)).collect()
    }

    #[test]
    fn a_client_at_the_rate_is_never_limited() {
        let mut bucket = TokenBucket::new(20, 40);
        let sent = send(&mut bucket, Instant::now(), Duration::from_millis(50), 400);
        assert!(sent.iter().all(|r| matches!(r, Rate::Ok)));
    }

    #[test]
    fn a_burst_past_the_limit_is_refused_not_closed() {
        let mut bucket = TokenBucket::new(20, 40);
        let sent = send(&mut bucket, Instant::now(), Duration::ZERO, 100);
        assert!(sent[..40].iter().all(|r| matches!(r, Rate::Ok)));
        assert!(sent[40..].iter().all(|r| matches!(r, Rate::Limited)));
    }

    #[test]
    fn a_bot_at_fifty_times_the_rate_is_closed_as_a_flooder_within_a_second() {
        let mut bucket = TokenBucket::new(20, 40);
        let sent = send(&mut bucket, Instant::now(), Duration::from_millis(1), 1_000);
        assert!(
            sent.iter().any(|r| matches!(r, Rate::Flooding)),
            "one accepted message per refill must not wipe the refusals"
        );
    }
}
