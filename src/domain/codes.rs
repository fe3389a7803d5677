//! Every code a client can be told: the `code` of a live `error` frame and of an HTTP error
//! body (`ErrorCode`), and the WebSocket close codes (`CloseCode`). Both are exported to
//! TypeScript (`web/src/protocol/`), so that the web client names them as the server does.

use serde::Serialize;
use ts_rs::TS;

/// The `code` of a live `error` frame (docs/protocol.md, "Errors") and of an HTTP error body
/// (`{"error": {"code", "message"}}`). The strings are the wire's: clients depend on them, so a
/// variant is never renamed, only added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[cfg_attr(test, derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[ts(export, repr(enum = name))]
pub enum ErrorCode {
    // Live frames (some also over HTTP).
    /// Not JSON, not an object, a missing or wrong field; `join` first.
    BadMessage,
    /// A message `type` the server does not know.
    UnknownType,
    /// Not this caller's to do (a trainer's command from a participant, someone else's room).
    Forbidden,
    /// No such page, participant, message, quiz, room or resource.
    NotFound,
    RoomLocked,
    RoomFull,
    Banned,
    /// Too many seats taken from one network address in this room.
    AddressFull,
    /// Over the per-connection message rate, the chat rate, or the log-in attempts.
    RateLimited,
    /// A chat text over the limit.
    TooLarge,
    ChatOff,
    /// A reaction the trainer does not offer (or none are).
    ReactionOff,
    /// A word for a cloud while none runs.
    NoCloud,
    /// A participant's words for this cloud are all sent.
    WordLimit,
    /// Questions from the class are off.
    QaOff,
    /// A vote for a question already voted for (or one's own).
    AlreadyVoted,
    /// The name of another live room.
    NameTaken,
    QuizInProgress,
    NotInQuiz,
    QuestionClosed,
    AlreadyAnswered,
    BadAnswer,
    /// The room could not commit: nothing was done, try again.
    Unavailable,

    // HTTP only.
    /// 400: the request could not be read.
    BadRequest,
    /// 400: the body is not valid JSON.
    MalformedJson,
    /// 400: a query-string parameter is wrong.
    BadQuery,
    /// 401: no valid log-in.
    Unauthorized,
    /// 401: wrong e-mail or password.
    InvalidCredentials,
    /// 405: the route exists, not with this method.
    MethodNotAllowed,
    /// 409: this already exists.
    Conflict,
    /// 409: an account already uses this e-mail.
    EmailTaken,
    /// 409: the session is still live (erase it once ended).
    SessionLive,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 415: the body's content type is not the one expected.
    UnsupportedMediaType,
    /// 422: a field breaks a rule (`field` names it).
    ValidationFailed,
    /// 422: a GIFT text that cannot be imported.
    InvalidGift,
    /// 422: a quiz names an image that is not one of its owner's assets (`field` says where).
    UnknownAsset,
    /// 426: `/api/live/{name}` without a WebSocket upgrade.
    UpgradeRequired,
    /// 429: too many live sockets from one network address.
    TooManyConnections,
    /// 500: something unexpected; logged, never detailed.
    Internal,
    /// 503: the database does not answer.
    DatabaseUnavailable,
    /// 507: the database's storage is full.
    StorageFull,
    /// 403: a request that acts with the log-in cookie came from a page of another origin.
    CrossOrigin,
    /// 401: two log-in cookies (one may have been planted by a sibling site); neither is used.
    DuplicateCookie,
    /// 507: the trainer's quota (capsules kept, bytes of their documents) would be exceeded.
    QuotaExceeded,
}

impl ErrorCode {
    /// The code as it travels.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadMessage => "bad_message",
            UnknownType => "unknown_type",
            Forbidden => "forbidden",
            NotFound => "not_found",
            RoomLocked => "room_locked",
            RoomFull => "room_full",
            Banned => "banned",
            AddressFull => "address_full",
            RateLimited => "rate_limited",
            TooLarge => "too_large",
            ChatOff => "chat_off",
            ReactionOff => "reaction_off",
            NoCloud => "no_cloud",
            WordLimit => "word_limit",
            QaOff => "qa_off",
            AlreadyVoted => "already_voted",
            NameTaken => "name_taken",
            QuizInProgress => "quiz_in_progress",
            NotInQuiz => "not_in_quiz",
            QuestionClosed => "question_closed",
            AlreadyAnswered => "already_answered",
            BadAnswer => "bad_answer",
            Unavailable => "unavailable",
            BadRequest => "bad_request",
            MalformedJson => "malformed_json",
            BadQuery => "bad_query",
            Unauthorized => "unauthorized",
            InvalidCredentials => "invalid_credentials",
            MethodNotAllowed => "method_not_allowed",
            Conflict => "conflict",
            EmailTaken => "email_taken",
            SessionLive => "session_live",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            ValidationFailed => "validation_failed",
            InvalidGift => "invalid_gift",
            UnknownAsset => "unknown_asset",
            UpgradeRequired => "upgrade_required",
            TooManyConnections => "too_many_connections",
            Internal => "internal",
            DatabaseUnavailable => "database_unavailable",
            StorageFull => "storage_full",
            QuotaExceeded => "quota_exceeded",
            CrossOrigin => "cross_origin",
            DuplicateCookie => "duplicate_cookie",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The WebSocket close codes the server closes a live socket with (docs/protocol.md, "Closing").
/// A client reconnects after any of them but `Normal`, `Kicked`, `Replaced` and `Banned`. A
/// canvas socket closes with `Normal` (reconnect), `TooSlow` or `CanvasRefused` (stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, TS)]
#[ts(export, repr(enum))]
#[repr(u16)]
pub enum CloseCode {
    /// The session ended (or the socket was done).
    Normal = 1000,
    /// Never sent: a socket that would not take its frames is dropped without a close frame.
    Abnormal = 1006,
    /// Flooding: far past the message rate limit.
    Flooding = 1008,
    /// A frame larger than the message size limit.
    TooLarge = 1009,
    /// The room could not be reached (no such live room, or the database did not answer).
    Unavailable = 1011,
    /// The server or the room restarted under the socket: reconnect.
    Restarting = 1012,
    /// No sign of life, or no `join`, within the heartbeat timeout.
    Silent = 4000,
    /// Removed by the trainer (may come back).
    Kicked = 4001,
    /// The same participant connected again (another tab, or a reconnect).
    Replaced = 4002,
    Banned = 4003,
    /// The log-in token the socket was opened with was logged out or revoked (a password
    /// change, "log out everywhere"): log in again.
    LoggedOut = 4004,
    /// The client did not read its messages fast enough: reconnect.
    TooSlow = 4008,
    /// Canvas sockets only: the shared canvas refused the session (tldraw's code; the reason
    /// names why, and tldraw's client stops rather than reconnect).
    CanvasRefused = 4099,
}

impl CloseCode {
    pub fn code(self) -> u16 {
        self as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire's strings, written out once more: a rename of a variant must not change them
    /// (an independent client checks them).
    const WIRE: &str = "bad_message unknown_type forbidden not_found room_locked room_full \
        banned address_full rate_limited too_large chat_off reaction_off no_cloud word_limit qa_off already_voted name_taken quiz_in_progress \
        not_in_quiz question_closed already_answered bad_answer unavailable bad_request \
        malformed_json bad_query unauthorized invalid_credentials method_not_allowed conflict \
        email_taken session_live payload_too_large unsupported_media_type validation_failed \
        invalid_gift unknown_asset upgrade_required too_many_connections internal database_unavailable \
        storage_full cross_origin duplicate_cookie quota_exceeded";

    #[test]
    fn every_code_docs_protocol_md_lists_is_one() {
        let doc = include_str!("../../docs/protocol.md");
        let errors = doc.split("## Errors").nth(1).unwrap();
        let table = errors.split("## Closing").next().unwrap();
        let wire: Vec<&str> = WIRE.split_whitespace().collect();
        let listed: Vec<&str> = table
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .flat_map(|cell| cell.split(" |").next())
            .flat_map(|cell| cell.split(", "))
            .map(|code| code.trim_matches('`'))
            .collect();
        assert!(listed.len() >= 17, "{listed:?}");
        for code in listed {
            assert!(wire.contains(&code), "docs/protocol.md lists `{code}`");
        }
    }

    #[test]
    fn every_code_travels_as_its_snake_case_string() {
        // The TypeScript type lists every variant, in order, as serde writes it.
        let typescript = ErrorCode::inline(&ts_rs::Config::from_env());
        let quoted: Vec<String> = WIRE
            .split_whitespace()
            .map(|c| format!("\"{c}\""))
            .collect();
        assert_eq!(typescript, quoted.join(" | "));
        for wire in WIRE.split_whitespace() {
            let code: ErrorCode = serde_json::from_value(wire.into()).unwrap();
            assert_eq!(code.as_str(), wire);
            assert_eq!(serde_json::to_value(code).unwrap(), wire);
        }
    }
}
