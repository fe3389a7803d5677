//! `parse_client_message` fed garbage, mutated messages and deep nesting: always an answer
//! with the frame's `req` and a documented code, never a panic.

use super::*;
use crate::domain::protocol::{CLIENT_TYPES, ClientMessage, parse_client_message};

/// Parses `text`, checks what every answer must be, and returns it.
fn parse(text: &str) -> (Option<String>, Result<ClientMessage, ErrorCode>) {
    let (req, parsed) = parse_client_message(text);
    let parsed = parsed.map_err(|(code, message)| {
        assert!(
            DOCUMENTED_CODES.contains(&code),
            "undocumented code {code} for {text:.200}"
        );
        assert!(
            [ErrorCode::BadMessage, ErrorCode::UnknownType].contains(&code),
            "decoding alone answers bad_message or unknown_type, got {code}"
        );
        assert!(!message.is_empty(), "an error says what went wrong");
        code
    });
    // Any string at the top level of an object the parser can read comes back.
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text)
        && let Some(Value::String(req_given)) = map.get("req")
    {
        assert_eq!(
            req.as_deref(),
            Some(req_given.as_str()),
            "req of {text:.200}"
        );
    }
    (req, parsed)
}

/// The `type` a decoded message was sent with.
fn type_of(message: &ClientMessage) -> &'static str {
    match message {
        ClientMessage::Join(_) => "join",
        ClientMessage::Ping => "ping",
        ClientMessage::ChatSend { .. } => "chat_send",
        ClientMessage::SetPage { .. } => "set_page",
        ClientMessage::GotoPage { .. } => "goto_page",
        ClientMessage::SetParams { .. } => "set_params",
        ClientMessage::Lock => "lock",
        ClientMessage::Unlock => "unlock",
        ClientMessage::Kick { .. } => "kick",
        ClientMessage::ChatDelete { .. } => "chat_delete",
        ClientMessage::Rename { .. } => "rename",
        ClientMessage::EndSession => "end_session",
        ClientMessage::QuizStart { .. } => "quiz_start",
        ClientMessage::QuizNext => "quiz_next",
        ClientMessage::QuizClose => "quiz_close",
        ClientMessage::QuizReveal => "quiz_reveal",
        ClientMessage::QuizEnd => "quiz_end",
        ClientMessage::QuizAnswer { .. } => "quiz_answer",
        ClientMessage::React { .. } => "react",
        ClientMessage::CloudStart { .. } => "cloud_start",
        ClientMessage::CloudSend { .. } => "cloud_send",
        ClientMessage::CloudHide { .. } => "cloud_hide",
        ClientMessage::CloudShow { .. } => "cloud_show",
        ClientMessage::CloudEnd => "cloud_end",
        ClientMessage::QaAsk { .. } => "qa_ask",
        ClientMessage::QaVote { .. } => "qa_vote",
        ClientMessage::QaMark { .. } => "qa_mark",
    }
}

/// The fields a message of this type cannot do without (docs/protocol.md).
fn required(kind: &str) -> &'static [&'static str] {
    match kind {
        "join" => &["as"],
        "chat_send" => &["text"],
        "set_page" | "goto_page" => &["page_id"],
        "set_params" => &["params"],
        "kick" => &["participant_id"],
        "chat_delete" => &["message_id"],
        "rename" => &["name"],
        "quiz_answer" => &["question_id"],
        "react" => &["reaction"],
        "cloud_start" => &["prompt"],
        "cloud_send" => &["text"],
        "cloud_hide" => &["word"],
        "cloud_show" => &["shown"],
        "qa_ask" => &["text"],
        "qa_vote" => &["question_id"],
        "qa_mark" => &["question_id", "mark"],
        _ => &[],
    }
}

const KEYS: &[&str] = &[
    "type",
    "req",
    "as",
    "first_name",
    "last_name",
    "resume_token",
    "token",
    "text",
    "page_id",
    "params",
    "participant_id",
    "ban",
    "message_id",
    "name",
    "quiz_id",
    "question_id",
    "choice_ids",
    "navigation",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter_map("finite", |x| serde_json::Number::from_f64(x)
            .map(Value::Number)),
        hostile_text().prop_map(Value::String),
        proptest::sample::select(CLIENT_TYPES).prop_map(|t| json!(t)),
        any::<u128>().prop_map(|n| json!(uuid::Uuid::from_u128(n))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object that looks like a message: a known `type` and random fields.
fn message_like() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(CLIENT_TYPES),
        proptest::collection::btree_map(key(), json_value(), 0..6),
    )
        .prop_map(|(kind, fields)| {
            let mut map: serde_json::Map<String, Value> = fields.into_iter().collect();
            map.insert("type".into(), json!(kind));
            Value::Object(map)
        })
}

fn uuid() -> impl Strategy<Value = String> {
    any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string())
}

/// A well-formed message of every type, with hostile strings where strings go.
fn valid_message() -> impl Strategy<Value = Value> {
    let text = || hostile_text();
    prop_oneof![
        (text(), text(), proptest::option::of(text())).prop_map(|(f, l, t)| json!({
            "type": "join", "as": "participant", "first_name": f, "last_name": l,
            "resume_token": t})),
        proptest::option::of(text())
            .prop_map(|t| json!({"type": "join", "as": "trainer", "token": t})),
        Just(json!({"type": "ping"})),
        text().prop_map(|t| json!({"type": "chat_send", "text": t})),
        text().prop_map(|t| json!({"type": "set_page", "page_id": t})),
        text().prop_map(|t| json!({"type": "goto_page", "page_id": t})),
        (
            proptest::option::of(proptest::sample::select(vec!["follow", "free"])),
            proptest::option::of(proptest::sample::select(vec!["view", "draw"])),
            proptest::option::of(proptest::sample::select(vec!["on", "off"])),
        )
            .prop_map(|(n, c, s)| {
                let mut params = serde_json::Map::new();
                for (k, v) in [("navigation", n), ("collaboration", c), ("chat", s)] {
                    if let Some(v) = v {
                        params.insert(k.into(), json!(v));
                    }
                }
                json!({"type": "set_params", "params": params})
            }),
        Just(json!({"type": "lock"})),
        Just(json!({"type": "unlock"})),
        (uuid(), proptest::option::of(any::<bool>())).prop_map(|(id, ban)| match ban {
            Some(ban) => json!({"type": "kick", "participant_id": id, "ban": ban}),
            None => json!({"type": "kick", "participant_id": id}),
        }),
        uuid().prop_map(|id| json!({"type": "chat_delete", "message_id": id})),
        text().prop_map(|t| json!({"type": "rename", "name": t})),
        Just(json!({"type": "end_session"})),
        proptest::option::of(uuid()).prop_map(|id| match id {
            Some(id) => json!({"type": "quiz_start", "quiz_id": id}),
            None => json!({"type": "quiz_start"}),
        }),
        Just(json!({"type": "quiz_next"})),
        Just(json!({"type": "quiz_close"})),
        Just(json!({"type": "quiz_reveal"})),
        Just(json!({"type": "quiz_end"})),
        (text(), proptest::collection::vec(text(), 0..4))
            .prop_map(|(q, c)| json!({"type": "quiz_answer", "question_id": q, "choice_ids": c})),
        (text(), text())
            .prop_map(|(q, t)| json!({"type": "quiz_answer", "question_id": q, "text": t})),
    ]
}

/// A valid message with a `req` of its own, maybe.
fn with_req() -> impl Strategy<Value = Value> {
    (valid_message(), proptest::option::of(hostile_text())).prop_map(|(mut m, req)| {
        if let Some(req) = req {
            m["req"] = json!(req);
        }
        m
    })
}

fn kind_of(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

proptest! {
    #[test]
    fn any_text_is_answered_without_a_panic(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn json_looking_text_is_answered_without_a_panic(
        text in "[\\[\\]{}\",:0-9a-z_ .eE+\\\\-]{0,200}",
    ) {
        let _ = parse(&text);
    }

    #[test]
    fn any_json_value_is_answered_with_its_req_and_a_documented_code(value in json_value()) {
        let (_, parsed) = parse(&value.to_string());
        if !value.is_object() {
            prop_assert_eq!(parsed.unwrap_err(), ErrorCode::BadMessage);
        }
    }

    #[test]
    fn message_like_objects_are_read_or_refused_with_bad_message(value in message_like()) {
        let (_, parsed) = parse(&value.to_string());
        // The type is known: a refusal is about the fields, never `unknown_type`.
        match parsed {
            Ok(message) => prop_assert_eq!(type_of(&message), value["type"].as_str().unwrap()),
            Err(code) => prop_assert_eq!(code, ErrorCode::BadMessage),
        }
    }

    #[test]
    fn well_formed_messages_are_read_as_their_type(value in with_req()) {
        let (req, parsed) = parse(&value.to_string());
        let message = parsed.unwrap();
        prop_assert_eq!(type_of(&message), value["type"].as_str().unwrap());
        prop_assert_eq!(req.as_deref(), value["req"].as_str());
        if let ClientMessage::ChatSend { text } = &message {
            prop_assert_eq!(Some(text.as_str()), value["text"].as_str(), "text as given");
        }
    }

    #[test]
    fn a_missing_required_field_is_a_bad_message(value in with_req(), pick in any::<prop::sample::Index>()) {
        let kind = value["type"].as_str().unwrap();
        let required = required(kind);
        prop_assume!(!required.is_empty());
        let field = pick.get(required);
        let mut value = value.clone();
        value.as_object_mut().unwrap().remove(*field);
        let (_, parsed) = parse(&value.to_string());
        prop_assert_eq!(parsed.unwrap_err(), ErrorCode::BadMessage);
    }

    #[test]
    fn a_field_of_the_wrong_kind_is_a_bad_message(
        value in with_req(),
        pick in any::<prop::sample::Index>(),
        replacement in json_value(),
    ) {
        let fields: Vec<String> = value
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !["type", "req"].contains(&k.as_str()))
            .cloned()
            .collect();
        prop_assume!(!fields.is_empty());
        let field = pick.get(&fields).clone();
        let original = &value[&field];
        // Null is "left out" for optional fields (so anything else fits where it was); a
        // struct also reads from an array.
        prop_assume!(!original.is_null() && !replacement.is_null());
        prop_assume!(kind_of(&replacement) != kind_of(original));
        prop_assume!(!(field == "params" && replacement.is_array()));
        let mut mutated = value.clone();
        mutated[&field] = replacement;
        let (_, parsed) = parse(&mutated.to_string());
        prop_assert_eq!(parsed.unwrap_err(), ErrorCode::BadMessage, "{} retyped", field);
    }

    #[test]
    fn unknown_fields_are_ignored(value in with_req(), extra in json_value()) {
        let mut mutated = value.clone();
        mutated["zz_extra"] = extra;
        let (_, original) = parse(&value.to_string());
        let (_, parsed) = parse(&mutated.to_string());
        prop_assert_eq!(parsed, original);
    }

    #[test]
    fn a_type_that_is_not_a_known_string_is_refused(
        value in with_req(),
        replacement in json_value(),
    ) {
        let mut mutated = value.clone();
        mutated["type"] = replacement.clone();
        let (req, parsed) = parse(&mutated.to_string());
        prop_assert_eq!(req.as_deref(), value["req"].as_str());
        match replacement.as_str() {
            Some(kind) if CLIENT_TYPES.contains(&kind) => {}
            Some(_) => prop_assert_eq!(parsed.unwrap_err(), ErrorCode::UnknownType),
            None => prop_assert_eq!(parsed.unwrap_err(), ErrorCode::BadMessage),
        }
    }

    /// With a key given twice the last one counts, like JavaScript's `JSON.parse`: for the
    /// `type` as for the `req`.
    #[test]
    fn duplicate_keys_count_once_the_last_wins(
        value in with_req(),
        shadow_type in proptest::sample::select(CLIENT_TYPES),
        shadow_req in hostile_text(),
    ) {
        let text = value.to_string();
        let shadowed = format!(
            "{{\"type\":{},\"req\":{},{}",
            json!(shadow_type),
            json!(shadow_req),
            &text[1..]
        );
        let (req, parsed) = parse(&shadowed);
        let (_, original) = parse(&text);
        prop_assert_eq!(parsed, original);
        let expected = value["req"].as_str().unwrap_or(&shadow_req);
        prop_assert_eq!(req.as_deref(), Some(expected));
    }
}

/// `depth` nested arrays, or objects, around `inner`.
fn nested(depth: usize, objects: bool, inner: &str) -> String {
    let (open, close) = if objects {
        ("{\"a\":", "}")
    } else {
        ("[", "]")
    };
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// Runs `f` on a thread with a small stack: a parser that recursed once per level of the
/// 10,000 below would overflow it (and abort the test binary).
fn on_a_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn ten_thousand_levels_of_nesting_are_a_bad_message_not_a_stack_overflow() {
    let frames = [
        nested(10_000, false, "1"),
        nested(10_000, true, "1"),
        format!(
            r#"{{"type":"chat_send","text":"x","req":"r","x":{}}}"#,
            nested(10_000, false, "")
        ),
        format!(
            r#"{{"type":"set_params","params":{}}}"#,
            nested(10_000, true, "{}")
        ),
        // Unclosed: the parser must give up before reaching the end.
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
    ];
    for frame in frames {
        let code = on_a_small_stack(move || parse(&frame).1.unwrap_err());
        assert_eq!(code, ErrorCode::BadMessage);
    }
    // Moderate nesting inside a field a message does not use is read as usual.
    let shallow = format!(
        r#"{{"type":"chat_send","text":"x","req":"r","x":{}}}"#,
        nested(64, true, "1")
    );
    let (req, parsed) = on_a_small_stack(move || parse(&shallow));
    assert_eq!(req.as_deref(), Some("r"));
    assert_eq!(
        parsed.unwrap(),
        ClientMessage::ChatSend { text: "x".into() }
    );
}

#[test]
fn huge_numbers_and_broken_escapes_are_bad_messages() {
    let id = uuid::Uuid::from_u128(7);
    for frame in [
        r#"{"type":"kick","participant_id":"ID","ban":1e400}"#.replace("ID", &id.to_string()),
        r#"{"type":"quiz_start","quiz_id":123456789012345678901234567890}"#.into(),
        format!(r#"{{"type":"ping","req":{}}}"#, "9".repeat(10_000)),
        format!(r#"{{"type":"ping","x":-{}}}"#, "9".repeat(10_000)),
        r#"{"type":"chat_send","text":"\ud800"}"#.into(),
        r#"{"type":"chat_send","text":"\u00"}"#.into(),
    ] {
        assert_eq!(
            parse(&frame).1.unwrap_err(),
            ErrorCode::BadMessage,
            "{frame:.80}"
        );
    }
    // A number that is only big is a number: a non-string `req` comes back as its text.
    let (req, parsed) = parse(r#"{"type":"ping","req":123456789012345678901234567890}"#);
    assert_eq!(parsed.unwrap(), ClientMessage::Ping);
    assert!(req.is_some_and(|r| r.starts_with("1.23456789")));
    let (req, parsed) = parse(r#"{"type":"ping","req":"x","n":1e308}"#);
    assert_eq!(
        (req.as_deref(), parsed.unwrap()),
        (Some("x"), ClientMessage::Ping)
    );
}

#[test]
fn a_huge_text_is_read_whole() {
    // Sizes are the socket's business (close 1009); decoding does not cut anything.
    let text = "😀".repeat(50_000);
    let frame = json!({"type": "chat_send", "text": text, "req": "big"}).to_string();
    let (req, parsed) = parse(&frame);
    assert_eq!(req.as_deref(), Some("big"));
    assert_eq!(parsed.unwrap(), ClientMessage::ChatSend { text });
}
