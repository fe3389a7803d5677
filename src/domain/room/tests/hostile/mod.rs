//! Hostile input against the pure core (issue 8): whatever a client sends, decoding it and
//! driving a room with it never panics, and the rules still hold.
//!
//! Two halves: `decoding` feeds `parse_client_message` garbage, mutated messages and deep
//! nesting; `rooms` drives a `LiveRoom` with random joins (hostile names included), leaves,
//! kicks, bans, every command from any sender, and a quiz. `tests/commands.rs` and
//! `tests/quiz.rs` each hold a narrower proptest of the same kind (page and chat commands
//! from seated senders; one quiz with fixed participants); the one here is their union, plus
//! hostile text, unknown senders and bans.

mod decoding;
mod rooms;

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::domain::protocol::ErrorCode;

/// Every `error` code of docs/protocol.md.
const DOCUMENTED_CODES: &[ErrorCode] = &[
    ErrorCode::BadMessage,
    ErrorCode::UnknownType,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::RoomLocked,
    ErrorCode::RoomFull,
    ErrorCode::Banned,
    ErrorCode::RateLimited,
    ErrorCode::TooLarge,
    ErrorCode::ChatOff,
    ErrorCode::ReactionOff,
    ErrorCode::NoCloud,
    ErrorCode::WordLimit,
    ErrorCode::QaOff,
    ErrorCode::AlreadyVoted,
    ErrorCode::NameTaken,
    ErrorCode::QuizInProgress,
    ErrorCode::NotInQuiz,
    ErrorCode::QuestionClosed,
    ErrorCode::AlreadyAnswered,
    ErrorCode::BadAnswer,
    ErrorCode::Unavailable,
    // REST only (docs/protocol.md, "Editing a quiz").
    ErrorCode::UnknownAsset,
];

/// Text people could type, the nasty kinds first.
fn hostile_text() -> impl Strategy<Value = String> {
    let fixed: Vec<String> = vec![
        "Zoé".into(),
        "<script>alert(1)</script>".into(),
        "'); DROP TABLE room_events;--".into(),
        "=HYPERLINK(\"http://evil.example\",\"clic\")".into(),
        "+1+1".into(),
        "-2+3".into(),
        "@SUM(A1)".into(),
        "\u{202E}gnp.exe".into(),
        "a\u{0}b".into(),
        "\u{1b}[31mrouge".into(),
        "a\u{85}b".into(),
        "\u{7f}".into(),
        "\u{200B}".into(),
        "  \t ".into(),
        String::new(),
        "\r\n".into(),
        "😀".repeat(64),
        "😀".repeat(65),
        "👨‍👩‍👧‍👦".repeat(9),
        "é".repeat(1_000),
        "é".repeat(1_001),
        // 10 KB of emoji.
        "😀".repeat(2_560),
        " padded ".into(),
    ];
    prop_oneof![
        4 => proptest::sample::select(fixed),
        2 => any::<String>(),
        2 => "\\PC{1,70}",
    ]
}
