//! Resume tokens: a participant's proof of their seat, signed by the server.
//!
//! A token is `base64url(room_id ‖ participant_id ‖ HMAC-SHA256(key, room_id ‖ participant_id))`.
//! It needs no storage, survives restarts (the key lives in the database), and is worthless in
//! another room.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct ResumeKey(Vec<u8>);

impl ResumeKey {
    pub fn new(key: Vec<u8>) -> Self {
        Self(key)
    }

    fn mac(&self, room_id: Uuid, participant_id: Uuid) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(room_id.as_bytes());
        mac.update(participant_id.as_bytes());
        mac
    }

    pub fn sign(&self, room_id: Uuid, participant_id: Uuid) -> String {
        let tag = self.mac(room_id, participant_id).finalize().into_bytes();
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(room_id.as_bytes());
        bytes.extend_from_slice(participant_id.as_bytes());
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The participant a token names, if it was signed by this key for this room.
    pub fn verify(&self, token: &str, room_id: Uuid) -> Option<Uuid> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 64 || bytes[..16] != *room_id.as_bytes() {
            return None;
        }
        let participant_id = Uuid::from_slice(&bytes[16..32]).ok()?;
        self.mac(room_id, participant_id)
            .verify_slice(&bytes[32..])
            .ok()
            .map(|()| participant_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_its_own_seat_only() {
        let key = ResumeKey::new(b"secret".to_vec());
        let (room, other_room, who) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let token = key.sign(room, who);
        assert_eq!(key.verify(&token, room), Some(who));
        assert_eq!(key.verify(&token, other_room), None);
        assert_eq!(ResumeKey::new(b"other".to_vec()).verify(&token, room), None);
        let mut forged = token.into_bytes();
        forged[40] = if forged[40] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            key.verify(std::str::from_utf8(&forged).unwrap(), room),
            None
        );
        assert_eq!(key.verify("garbage", room), None);
    }
}
