//! The sockets opened with each trainer's log-in token, by the token's hash, so that logging out
//! (or changing one's password) closes them at once: a socket checks its token only when it
//! opens, and would otherwise act for the trainer as long as it stays open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::outbox::Outbox;
use crate::domain::protocol::CloseCode;

#[derive(Default)]
pub struct Logins {
    /// Only tokens some socket holds: an entry goes with its last socket, or when revoked.
    by_token: Mutex<HashMap<Vec<u8>, Held>>,
}

struct Held {
    revoked: CancellationToken,
    sockets: usize,
}

/// One socket's hold on a token: told when the token is revoked, forgotten once dropped.
pub struct Login {
    logins: Arc<Logins>,
    token_hash: Vec<u8>,
    revoked: CancellationToken,
}

impl Logins {
    /// Holds `token_hash` for a socket. Take it *before* checking the token in the database: a
    /// log-out that deletes the token after the check then finds the socket.
    pub fn hold(self: &Arc<Self>, token_hash: Vec<u8>) -> Login {
        let mut by_token = self.by_token.lock().expect("logins lock");
        let held = by_token.entry(token_hash.clone()).or_insert_with(|| Held {
            revoked: CancellationToken::new(),
            sockets: 0,
        });
        held.sockets += 1;
        Login {
            logins: Arc::clone(self),
            token_hash,
            revoked: held.revoked.clone(),
        }
    }

    /// Closes every socket opened with this token (call it once the token is deleted).
    pub fn revoke(&self, token_hash: &[u8]) {
        let held = self
            .by_token
            .lock()
            .expect("logins lock")
            .remove(token_hash);
        if let Some(held) = held {
            held.revoked.cancel();
        }
    }

    /// How many tokens some socket holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_token.lock().expect("logins lock").len()
    }
}

impl Login {
    /// Closes the connection of `out` with `code` and `reason` if the token is revoked while it
    /// lasts; the hold goes when the connection closes.
    pub fn close_on_revoke(self, out: Outbox, code: CloseCode, reason: &'static str) {
        tokio::spawn(async move {
            tokio::select! {
                _ = self.revoked.cancelled() => out.close(code, reason),
                _ = out.closed() => {}
            }
        });
    }
}

impl Drop for Login {
    fn drop(&mut self) {
        let mut by_token = self.logins.by_token.lock().expect("logins lock");
        // A revoked token's entry is gone already (and one of the same hash may have come since).
        if self.revoked.is_cancelled() {
            return;
        }
        if let Some(held) = by_token.get_mut(&self.token_hash) {
            held.sockets -= 1;
            if held.sockets == 0 {
                by_token.remove(&self.token_hash);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn revoking_a_token_closes_its_sockets_only_and_closed_sockets_leave_nothing() {
        let logins = Arc::new(Logins::default());
        let (a1, _inbox_a1) = Outbox::new();
        let (a2, _inbox_a2) = Outbox::new();
        let (b, _inbox_b) = Outbox::new();
        for (token, out) in [(b"a", &a1), (b"a", &a2), (b"b", &b)] {
            let login = logins.hold(token.to_vec());
            login.close_on_revoke(out.clone(), CloseCode::LoggedOut, "logged out");
        }
        assert_eq!(logins.len(), 2);

        logins.revoke(b"a");
        a1.closed().await;
        a2.closed().await;
        assert_eq!(a1.close_reason(), (CloseCode::LoggedOut, "logged out"));
        assert_eq!(b.close_reason(), (CloseCode::Normal, ""), "b is untouched");

        // A hold taken on a revoked token's hash starts afresh, and goes with its socket.
        let late = logins.hold(b"a".to_vec());
        assert_eq!(logins.len(), 2);
        drop(late);
        b.close(CloseCode::Normal, "goodbye");
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while logins.len() != 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("closed sockets release their tokens");
    }
}
