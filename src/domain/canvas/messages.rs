//! What the server sends on a canvas socket, and why it may close one.

use serde::Serialize;
use serde_json::{Map, Value};

/// Server → client messages of tldraw's sync protocol (the caller batches `patch` and
/// `push_result` into `{"type": "data", "data": [...]}` frames).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    #[serde(rename_all = "camelCase")]
    Connect {
        #[serde(skip_serializing_if = "Option::is_none")]
        connect_request_id: Option<Value>,
        hydration_type: &'static str,
        protocol_version: i64,
        schema: Value,
        server_clock: i64,
        diff: Map<String, Value>,
        is_readonly: bool,
        object_access: &'static str,
    },
    #[serde(rename_all = "camelCase")]
    Patch {
        diff: Map<String, Value>,
        server_clock: i64,
    },
    #[serde(rename_all = "camelCase")]
    PushResult {
        #[serde(skip_serializing_if = "Option::is_none")]
        client_clock: Option<Value>,
        server_clock: i64,
        action: Value,
    },
    Pong,
    Custom {
        data: Value,
    },
    /// Only for protocol 6 clients, which expect this instead of a close reason.
    IncompatibilityError {
        reason: &'static str,
    },
}

impl ServerMessage {
    /// Whether the message may wait a few milliseconds to travel with others in a `data` frame.
    pub fn is_data(&self) -> bool {
        matches!(
            self,
            ServerMessage::Patch { .. } | ServerMessage::PushResult { .. }
        )
    }

    /// Whether the message is a patch of presence records only (cursors, selections).
    pub fn is_presence_only(&self) -> bool {
        matches!(self, ServerMessage::Patch { diff, .. }
        if !diff.is_empty() && diff.keys().all(|id| {
            id.split_once(':').is_some_and(|(kind, _)| kind == super::room::PRESENCE_TYPE)
        }))
    }
}

/// The reason of a 4099 close (tldraw's `TLSyncErrorCloseEventReason`): the client stops
/// reconnecting and shows an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    Forbidden,
    NotAuthenticated,
    UnknownError,
    ClientTooOld,
    ServerTooOld,
    InvalidRecord,
    RateLimited,
    RoomFull,
}

/// The close code of every refusal.
pub const CLOSE_CODE: u16 = crate::domain::codes::CloseCode::CanvasRefused as u16;

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "NOT_FOUND",
            Reason::Forbidden => "FORBIDDEN",
            Reason::NotAuthenticated => "NOT_AUTHENTICATED",
            Reason::UnknownError => "UNKNOWN_ERROR",
            Reason::ClientTooOld => "CLIENT_TOO_OLD",
            Reason::ServerTooOld => "SERVER_TOO_OLD",
            Reason::InvalidRecord => "INVALID_RECORD",
            Reason::RateLimited => "RATE_LIMITED",
            Reason::RoomFull => "ROOM_FULL",
        }
    }

    /// The reason named by a string (an unknown one is an unknown error).
    pub fn named(reason: &str) -> Reason {
        [
            Reason::NotFound,
            Reason::Forbidden,
            Reason::NotAuthenticated,
            Reason::ClientTooOld,
            Reason::ServerTooOld,
            Reason::InvalidRecord,
            Reason::RateLimited,
            Reason::RoomFull,
        ]
        .into_iter()
        .find(|r| r.as_str() == reason)
        .unwrap_or(Reason::UnknownError)
    }

    /// The deprecated `incompatibility_error` reason sent to protocol 6 clients.
    pub fn legacy(self) -> &'static str {
        match self {
            Reason::ClientTooOld => "clientTooOld",
            Reason::ServerTooOld => "serverTooOld",
            Reason::InvalidRecord => "invalidRecord",
            _ => "invalidOperation",
        }
    }
}
