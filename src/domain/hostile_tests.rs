//! Hostile input against the pure core (issue 8): whatever a client sends, decoding it and
//! driving a room with it never panics, and the rules still hold.
//!
//! Two halves: `decoding` feeds `parse_client_message` garbage, mutated messages and deep
//! nesting; `rooms` drives a `LiveRoom` with random joins (hostile names included), leaves,
//! kicks, bans, every command from any sender, and a quiz. `live_tests.rs` and
//! `live_quiz_tests.rs` each hold a narrower proptest of the same kind (page and chat commands
//! from seated senders; one quiz with fixed participants); the one here is their union, plus
//! hostile text, unknown senders and bans.

use proptest::prelude::*;
use serde_json::{Value, json};

/// Every `error` code of docs/protocol.md.
const DOCUMENTED_CODES: &[&str] = &[
    "bad_message",
    "unknown_type",
    "forbidden",
    "not_found",
    "room_locked",
    "room_full",
    "banned",
    "rate_limited",
    "too_large",
    "chat_off",
    "name_taken",
    "quiz_in_progress",
    "not_in_quiz",
    "question_closed",
    "already_answered",
    "bad_answer",
    "unavailable",
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

mod decoding {
    use super::*;
    use crate::domain::protocol::{CLIENT_TYPES, ClientMessage, parse_client_message};

    /// Parses `text`, checks what every answer must be, and returns it.
    fn parse(text: &str) -> (Option<String>, Result<ClientMessage, &'static str>) {
        let (req, parsed) = parse_client_message(text);
        let parsed = parsed.map_err(|(code, message)| {
            assert!(
                DOCUMENTED_CODES.contains(&code),
                "undocumented code {code} for {text:.200}"
            );
            assert!(
                ["bad_message", "unknown_type"].contains(&code),
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
            (text(), proptest::collection::vec(text(), 0..4)).prop_map(
                |(q, c)| json!({"type": "quiz_answer", "question_id": q, "choice_ids": c})
            ),
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
                prop_assert_eq!(parsed.unwrap_err(), "bad_message");
            }
        }

        #[test]
        fn message_like_objects_are_read_or_refused_with_bad_message(value in message_like()) {
            let (_, parsed) = parse(&value.to_string());
            // The type is known: a refusal is about the fields, never `unknown_type`.
            match parsed {
                Ok(message) => prop_assert_eq!(type_of(&message), value["type"].as_str().unwrap()),
                Err(code) => prop_assert_eq!(code, "bad_message"),
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
            prop_assert_eq!(parsed.unwrap_err(), "bad_message");
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
            prop_assert_eq!(parsed.unwrap_err(), "bad_message", "{} retyped", field);
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
                Some(_) => prop_assert_eq!(parsed.unwrap_err(), "unknown_type"),
                None => prop_assert_eq!(parsed.unwrap_err(), "bad_message"),
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
            assert_eq!(code, "bad_message");
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
            assert_eq!(parse(&frame).1.unwrap_err(), "bad_message", "{frame:.80}");
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
}

mod rooms {
    use std::collections::HashSet;

    use uuid::Uuid;

    use super::*;
    use crate::domain::events::{LeaveReason, PageRef, RoomEvent};
    use crate::domain::live::{
        Command, LiveRoom, MAX_CHAT_CHARS, Outcome, RoomFacts, RoomLimits, Sender,
    };
    use crate::domain::live_quiz::QuizSheet;
    use crate::domain::protocol::{QuizOutcome, ServerMessage};
    use crate::domain::quiz::{
        Answer, ChoiceInput, QuestionInput, QuestionKind, Scoring, parse_questions,
    };
    use crate::domain::room::{
        Collaboration, Navigation, ParamsPatch, RoomParams, RoomState, Switch,
    };

    const MAX_SEATS: usize = 6;
    const TRAINER: u128 = 2;

    fn room(roster_limit: usize) -> LiveRoom {
        let facts = RoomFacts {
            id: Uuid::from_u128(1),
            trainer_id: Uuid::from_u128(TRAINER),
            trainer_name: "Ana <b>Martin</b>".into(),
            created_at: 0,
            capsule_id: Uuid::from_u128(3),
            capsule_title: "Atelier".into(),
            pages: (0..3)
                .map(|i| PageRef {
                    id: format!("page:{i}"),
                    name: format!("Page {i}"),
                })
                .collect(),
        };
        let state = RoomState {
            page_id: Some("page:0".into()),
            ..RoomState::default()
        };
        LiveRoom::new(
            facts,
            "atelier".into(),
            RoomParams::default(),
            state,
            Vec::new(),
            RoomLimits {
                max_participants: MAX_SEATS,
                roster_limit,
            },
        )
    }

    /// One question of each kind: q1 single (c1), q2 multiple (c1 c3), q3 true/false (c2),
    /// q4 poll, q5 open.
    fn sheet(scoring: Scoring, empty: bool) -> QuizSheet {
        let choice = |text: &str, correct: bool| ChoiceInput {
            id: None,
            text: text.into(),
            correct,
        };
        let question = |kind, choices| QuestionInput {
            id: None,
            kind,
            prompt: "<i>?</i>".into(),
            choices,
            time_limit_s: Some(5),
            points: Some(1000),
        };
        let questions = parse_questions(vec![
            question(
                QuestionKind::Single,
                vec![choice("a", true), choice("b", false)],
            ),
            question(
                QuestionKind::Multiple,
                vec![choice("a", true), choice("b", false), choice("c", true)],
            ),
            question(
                QuestionKind::TrueFalse,
                vec![choice("Vrai", false), choice("Faux", true)],
            ),
            question(
                QuestionKind::Poll,
                vec![choice("x", false), choice("y", false)],
            ),
            question(QuestionKind::Open, vec![]),
        ])
        .unwrap();
        QuizSheet {
            id: Uuid::from_u128(77),
            title: "=Quiz".into(),
            scoring,
            questions: if empty { Vec::new() } else { questions },
        }
    }

    /// Who sends a command.
    #[derive(Debug, Clone)]
    enum Who {
        Trainer,
        /// The n-th seat taken so far (banned, offline or online), or nobody's if none.
        Seat(u8),
        /// An id no seat has.
        Unknown(u128),
    }

    #[derive(Debug, Clone)]
    enum What {
        Chat(String),
        SetPage(u8),
        GotoPage(u8),
        SetParams(Option<Navigation>, Option<Collaboration>, Option<Switch>),
        Lock,
        Unlock,
        /// Seat n, or an unknown id.
        Kick(Option<u8>, bool),
        /// The n-th message of the room's chat, or an unknown id.
        ChatDelete(Option<u8>),
        QuizStart {
            scoring: Scoring,
            empty: bool,
        },
        QuizNext,
        QuizClose,
        QuizReveal,
        QuizEnd,
        /// Question q(n % 6 + 1) (q6 does not exist).
        Answer(u8, Answer),
    }

    impl What {
        /// What only the trainer may do.
        fn trainer_only(&self) -> bool {
            !matches!(self, What::Chat(_) | What::SetPage(_) | What::Answer(..))
        }
    }

    #[derive(Debug, Clone)]
    enum Step {
        Join(String, String),
        /// A new seat under the names of seat n (the same person, or someone pretending).
        JoinAs(u8),
        Resume(u8),
        /// A resume token that verified but names no seat of this room, without names.
        ResumeUnknown(u128),
        Leave(u8, LeaveReason),
        Do(Who, What),
        Tick(u16),
    }

    fn answer() -> impl Strategy<Value = Answer> {
        let choice_ids = proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(vec!["c1", "c2", "c3"]).prop_map(str::to_owned),
                1 => hostile_text(),
            ],
            0..4,
        );
        prop_oneof![
            3 => choice_ids.prop_map(|choice_ids| Answer::Choices { choice_ids }),
            1 => hostile_text().prop_map(|text| Answer::Text { text }),
        ]
    }

    /// Left alone, or set to `a` or `b`.
    fn switch<T: Clone + std::fmt::Debug + 'static>(
        a: T,
        b: T,
    ) -> impl Strategy<Value = Option<T>> {
        proptest::option::of(prop_oneof![Just(a), Just(b)])
    }

    fn what() -> impl Strategy<Value = What> {
        prop_oneof![
            3 => hostile_text().prop_map(What::Chat),
            1 => any::<u8>().prop_map(What::SetPage),
            1 => any::<u8>().prop_map(What::GotoPage),
            1 => (
                switch(Navigation::Follow, Navigation::Free),
                switch(Collaboration::View, Collaboration::Draw),
                switch(Switch::On, Switch::Off),
            )
                .prop_map(|(n, c, s)| What::SetParams(n, c, s)),
            1 => Just(What::Lock),
            1 => Just(What::Unlock),
            2 => (proptest::option::of(any::<u8>()), any::<bool>())
                .prop_map(|(who, ban)| What::Kick(who, ban)),
            1 => proptest::option::of(any::<u8>()).prop_map(What::ChatDelete),
            1 => (
                prop_oneof![Just(Scoring::Accuracy), Just(Scoring::Speed)],
                proptest::bool::weighted(0.2),
            )
                .prop_map(|(scoring, empty)| What::QuizStart { scoring, empty }),
            2 => Just(What::QuizNext),
            1 => Just(What::QuizClose),
            1 => Just(What::QuizReveal),
            1 => Just(What::QuizEnd),
            5 => (any::<u8>(), answer()).prop_map(|(q, a)| What::Answer(q, a)),
        ]
    }

    fn who() -> impl Strategy<Value = Who> {
        prop_oneof![
            3 => Just(Who::Trainer),
            4 => any::<u8>().prop_map(Who::Seat),
            1 => any::<u128>().prop_map(Who::Unknown),
        ]
    }

    fn step() -> impl Strategy<Value = Step> {
        let reason = proptest::sample::select(vec![
            LeaveReason::Closed,
            LeaveReason::Timeout,
            LeaveReason::SessionEnded,
        ]);
        prop_oneof![
            3 => (hostile_text(), hostile_text()).prop_map(|(f, l)| Step::Join(f, l)),
            2 => (0u8..4).prop_map(|n| Step::Join(format!("P{n}"), "Durand".into())),
            1 => any::<u8>().prop_map(Step::JoinAs),
            2 => any::<u8>().prop_map(Step::Resume),
            1 => any::<u128>().prop_map(Step::ResumeUnknown),
            2 => (any::<u8>(), reason).prop_map(|(n, r)| Step::Leave(n, r)),
            12 => (who(), what()).prop_map(|(w, c)| Step::Do(w, c)),
            1 => (0u16..8_000).prop_map(Step::Tick),
        ]
    }

    /// The rule of docs/protocol.md for names, stated again: trimmed, 1–64 characters, no
    /// control characters.
    /// docs/protocol.md's rule for names, written out again: trimmed, 1–64 characters, no
    /// control characters, no text-direction or invisible characters, joiners only inside.
    fn acceptable_name(name: &str) -> bool {
        const HIDDEN: &[char] = &[
            '\u{AD}', '\u{61C}', '\u{180E}', '\u{200B}', '\u{200E}', '\u{200F}', '\u{202A}',
            '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2061}', '\u{2062}',
            '\u{2063}', '\u{2064}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}',
        ];
        const JOINERS: &[char] = &['\u{200C}', '\u{200D}'];
        let name = name.trim();
        !name.is_empty()
            && name.chars().count() <= 64
            && !name.chars().any(|c| c.is_control() || HIDDEN.contains(&c))
            && !name.starts_with(JOINERS)
            && !name.ends_with(JOINERS)
    }

    fn ban_key(first: &str, last: &str) -> String {
        format!("{} {}", first.to_lowercase(), last.to_lowercase())
    }

    /// Whether a message names a participant among its leaderboard or standings.
    fn ranks(message: &ServerMessage, id: Uuid) -> bool {
        match message {
            ServerMessage::QuizResults { leaderboard, .. } => {
                leaderboard.iter().any(|s| s.participant_id == id)
            }
            ServerMessage::QuizEnded(QuizOutcome {
                leaderboard, yours, ..
            }) => {
                leaderboard.iter().any(|s| s.participant_id == id)
                    || yours.as_ref().is_some_and(|s| s.participant_id == id)
            }
            _ => false,
        }
    }

    /// Whether a JSON value holds a key named `correct` anywhere.
    fn has_correct_key(value: &Value) -> bool {
        match value {
            Value::Object(map) => map
                .iter()
                .any(|(k, v)| k == "correct" || k == "correct_choice_ids" || has_correct_key(v)),
            Value::Array(items) => items.iter().any(has_correct_key),
            _ => false,
        }
    }

    /// Everything participants could receive from an outcome.
    fn to_participants(outcome: &Outcome) -> impl Iterator<Item = &ServerMessage> {
        outcome
            .broadcast
            .iter()
            .chain(&outcome.to_participants)
            .chain(outcome.to_each.iter().map(|(_, m)| m))
            .chain(&outcome.reply)
    }

    /// A session driven by `steps`. With `unknown_speakers` off, chat and answers from ids
    /// that hold no seat are left out (see `an_unknown_participant_s_chat_or_answer_is_refused`).
    fn drive(
        roster_limit: usize,
        steps: Vec<Step>,
        unknown_speakers: bool,
    ) -> Result<(), TestCaseError> {
        let mut live = room(roster_limit);
        let mut events: Vec<(RoomEvent, i64)> = Vec::new();
        let mut banned: HashSet<Uuid> = HashSet::new();
        let mut banned_names: HashSet<String> = HashSet::new();
        let mut now: i64 = 1_000_000;
        let mut fresh: u128 = 10_000;
        let seat = |live: &LiveRoom, n: u8| {
            let seats = &live.state.participants;
            seats
                .get(usize::from(n) % seats.len().max(1))
                .map_or(Uuid::nil(), |s| s.participant_id)
        };
        for step in steps {
            now += 100;
            fresh += 1;
            let stamp = (Uuid::from_u128(fresh), now);
            let outcome: Option<Outcome> = match step {
                Step::Join(first, last) => {
                    let was_locked = live.state.locked;
                    let joined = live.join(None, Some(&first), Some(&last), Uuid::from_u128(fresh));
                    let valid = acceptable_name(&first) && acceptable_name(&last);
                    match joined {
                        Ok((id, outcome)) => {
                            prop_assert!(valid, "{first:?} {last:?} was seated");
                            prop_assert!(!was_locked, "a locked room seated someone new");
                            let seat = live
                                .state
                                .participants
                                .iter()
                                .find(|s| s.participant_id == id)
                                .unwrap();
                            prop_assert_eq!(&seat.first_name, first.trim(), "names kept as given");
                            prop_assert_eq!(&seat.last_name, last.trim());
                            prop_assert!(
                                !banned_names.contains(&ban_key(first.trim(), last.trim()))
                            );
                            Some(outcome)
                        }
                        Err(error) => {
                            if !valid {
                                prop_assert_eq!(error.code, "bad_message");
                            } else {
                                prop_assert!(
                                    ["room_locked", "banned", "room_full"].contains(&error.code),
                                    "{:?}",
                                    error
                                );
                            }
                            None
                        }
                    }
                }
                Step::JoinAs(n) => {
                    let id = seat(&live, n);
                    let Some(s) = live
                        .state
                        .participants
                        .iter()
                        .find(|s| s.participant_id == id)
                        .cloned()
                    else {
                        continue;
                    };
                    let joined = live.join(
                        None,
                        Some(&s.first_name),
                        Some(&s.last_name),
                        Uuid::from_u128(fresh),
                    );
                    if banned_names.contains(&ban_key(&s.first_name, &s.last_name)) {
                        prop_assert!(joined.is_err(), "a banned name took a new seat");
                    }
                    joined.ok().map(|(_, o)| o)
                }
                Step::Resume(n) => {
                    let id = seat(&live, n);
                    let joined = live.join(Some(id), None, None, Uuid::from_u128(fresh));
                    if banned.contains(&id) {
                        prop_assert_eq!(joined.as_ref().map(|_| ()).unwrap_err().code, "banned");
                    } else if id != Uuid::nil() {
                        let (again, _) = joined.as_ref().unwrap();
                        prop_assert_eq!(*again, id, "the same seat comes back");
                    }
                    joined.ok().map(|(_, o)| o)
                }
                Step::ResumeUnknown(n) => {
                    let joined =
                        live.join(Some(Uuid::from_u128(n)), None, None, Uuid::from_u128(fresh));
                    prop_assert_eq!(joined.unwrap_err().code, "bad_message");
                    None
                }
                Step::Leave(n, reason) => {
                    let id = seat(&live, n);
                    let online = live.is_online(id);
                    let left = live.leave(id, reason);
                    prop_assert_eq!(left.is_some(), online);
                    left
                }
                Step::Tick(ms) => {
                    now += i64::from(ms);
                    live.quiz_tick(now)
                }
                Step::Do(who, what) => {
                    let sender = match who {
                        Who::Trainer => Sender::Trainer,
                        Who::Seat(n) => Sender::Participant(seat(&live, n)),
                        Who::Unknown(n) => Sender::Participant(Uuid::from_u128(n)),
                    };
                    let seated = match sender {
                        Sender::Trainer => true,
                        Sender::Participant(id) => live
                            .state
                            .participants
                            .iter()
                            .any(|s| s.participant_id == id),
                    };
                    if !unknown_speakers
                        && !seated
                        && matches!(what, What::Chat(_) | What::Answer(..))
                    {
                        continue;
                    }
                    let trainer_only = what.trainer_only();
                    let chat_text = match &what {
                        What::Chat(text) => Some(text.clone()),
                        _ => None,
                    };
                    let answering = matches!(what, What::Answer(..));
                    let command = match what {
                        What::Chat(text) => Command::ChatSend { text },
                        What::SetPage(p) => Command::SetPage {
                            page_id: format!("page:{}", p % 4),
                        },
                        What::GotoPage(p) => Command::GotoPage {
                            page_id: format!("page:{}", p % 4),
                        },
                        What::SetParams(navigation, collaboration, chat) => Command::SetParams {
                            params: ParamsPatch {
                                navigation,
                                collaboration,
                                chat,
                            },
                        },
                        What::Lock => Command::Lock,
                        What::Unlock => Command::Unlock,
                        What::Kick(target, ban) => Command::Kick {
                            participant_id: target
                                .map_or(Uuid::from_u128(fresh), |n| seat(&live, n)),
                            ban,
                        },
                        What::ChatDelete(n) => {
                            let chat = live.welcome_state(Sender::Trainer, 0).chat;
                            let id = n
                                .and_then(|n| chat.get(usize::from(n) % chat.len().max(1)))
                                .map_or(Uuid::from_u128(fresh), |m| m.id);
                            Command::ChatDelete { message_id: id }
                        }
                        What::QuizStart { scoring, empty } => Command::QuizStart {
                            quiz: Box::new(sheet(scoring, empty)),
                        },
                        What::QuizNext => Command::QuizNext,
                        What::QuizClose => Command::QuizClose,
                        What::QuizReveal => Command::QuizReveal,
                        What::QuizEnd => Command::QuizEnd,
                        What::Answer(q, answer) => Command::QuizAnswer {
                            question_id: format!("q{}", q % 6 + 1),
                            answer,
                            received_at: now,
                        },
                    };
                    let absent = matches!(sender, Sender::Participant(id) if !live.is_online(id));
                    let decided = live.decide(sender, command, stamp);
                    if absent {
                        // Only a participant in the room speaks.
                        prop_assert_eq!(
                            decided.as_ref().map(|_| ()).unwrap_err().code,
                            "forbidden"
                        );
                        continue;
                    }
                    if let Err(error) = &decided {
                        prop_assert!(DOCUMENTED_CODES.contains(&error.code), "{:?}", error);
                        prop_assert!(!error.message.is_empty());
                    }
                    if sender != Sender::Trainer && trainer_only {
                        prop_assert_eq!(
                            decided.as_ref().map(|_| ()).unwrap_err().code,
                            "forbidden"
                        );
                    }
                    if sender == Sender::Trainer && answering {
                        prop_assert_eq!(
                            decided.as_ref().map(|_| ()).unwrap_err().code,
                            "forbidden"
                        );
                    }
                    if let Some(text) = chat_text {
                        let trimmed = text.trim();
                        match &decided {
                            Ok(outcome) => {
                                let stored = &outcome.chat_insert.as_ref().unwrap().text;
                                prop_assert_eq!(stored.as_str(), trimmed, "chat kept as given");
                            }
                            Err(error) if trimmed.is_empty() => {
                                prop_assert_eq!(error.code, "bad_message")
                            }
                            Err(error) if trimmed.chars().count() > MAX_CHAT_CHARS => {
                                prop_assert_eq!(error.code, "too_large")
                            }
                            Err(error) if trimmed.contains('\0') => {
                                prop_assert_eq!(error.code, "bad_message")
                            }
                            Err(error) => prop_assert!(
                                ["chat_off", "rate_limited"].contains(&error.code),
                                "{:?}",
                                error
                            ),
                        }
                    }
                    decided.ok()
                }
            };
            let Some(outcome) = outcome else { continue };
            for event in &outcome.events {
                if let RoomEvent::ParticipantLeft {
                    participant_id,
                    first_name,
                    last_name,
                    reason: LeaveReason::Banned,
                } = event
                {
                    banned.insert(*participant_id);
                    banned_names.insert(ban_key(first_name, last_name));
                }
            }
            for message in to_participants(&outcome) {
                if !matches!(
                    message,
                    ServerMessage::QuizResults { .. } | ServerMessage::QuizEnded(_)
                ) {
                    let json = serde_json::to_value(message).unwrap();
                    prop_assert!(!has_correct_key(&json), "a participant would see {json}");
                }
            }
            for message in outcome
                .broadcast
                .iter()
                .chain(&outcome.to_trainers)
                .chain(outcome.to_each.iter().map(|(_, m)| m))
            {
                for id in &banned {
                    prop_assert!(!ranks(message, *id), "a banned seat is ranked: {message:?}");
                }
            }
            events.extend(outcome.events.into_iter().map(|e| (e, now)));

            // Banned seats never come back, by token or by name, and nobody lists them.
            for &id in &banned {
                prop_assert!(!live.is_online(id));
                let again = live.join(Some(id), None, None, Uuid::from_u128(fresh + 1));
                prop_assert_eq!(again.map(|_| ()).unwrap_err().code, "banned");
            }
            let listed = live.welcome_state(Sender::Trainer, 0).participants;
            prop_assert!(listed.iter().all(|p| !banned.contains(&p.participant_id)));
            prop_assert!(live.participant_count() <= MAX_SEATS);
            for id in live.online_participants() {
                prop_assert!(!banned.contains(&id));
                // Every participant's welcome can be built (a crowd sees only its own seat).
                live.welcome_state(Sender::Participant(id), 0);
            }
        }

        let mut replayed = room(roster_limit);
        for (event, at) in &events {
            replayed.evolve(event, *at);
        }
        // Every change is an event: the reveal and the last quiz's title included.
        prop_assert_eq!(&replayed.state, &live.state);
        prop_assert_eq!(replayed.params, live.params);
        prop_assert_eq!(&replayed.name, &live.name);
        prop_assert_eq!(replayed.quiz_id, live.quiz_id);
        prop_assert_eq!(&replayed.quiz_scores, &live.quiz_scores);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Joins with hostile names, leaves, kicks and bans, every command from the trainer,
        /// seated participants and strangers, and a quiz: nothing panics, a participant's
        /// trainer command is `forbidden`, names and chat are kept as given or refused by
        /// the rules, banned seats stay out, and replaying the events rebuilds the room.
        #[test]
        fn hostile_sessions_keep_the_rules_and_replay_to_the_same_room(
            roster_limit in prop_oneof![Just(2usize), Just(200)],
            steps in proptest::collection::vec(step(), 1..120),
        ) {
            drive(roster_limit, steps, false)?;
        }
    }

    /// The same sessions, chat and answers from ids that hold no seat included.
    #[test]
    fn hostile_sessions_with_strangers_speaking() {
        let config = ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        proptest!(config, |(
            roster_limit in prop_oneof![Just(2usize), Just(200)],
            steps in proptest::collection::vec(step(), 1..120),
        )| {
            drive(roster_limit, steps, true)?;
        });
    }

    /// The room answers a stranger's chat or answer (an id that holds no seat) with an error,
    /// as it does their trainer commands (`forbidden`) and page moves.
    #[test]
    fn an_unknown_participant_s_chat_or_answer_is_refused() {
        let mut live = room(200);
        let stranger = Sender::Participant(Uuid::from_u128(999));
        let chat = live.decide(
            stranger,
            Command::ChatSend {
                text: "Bonjour".into(),
            },
            (Uuid::from_u128(5), 1_000),
        );
        assert!(chat.is_err(), "a stranger's chat is refused: {chat:?}");

        live.join(None, Some("Zoé"), Some("Durand"), Uuid::from_u128(10))
            .unwrap();
        let quiz = Box::new(sheet(Scoring::Accuracy, false));
        live.decide(
            Sender::Trainer,
            Command::QuizStart { quiz },
            (Uuid::from_u128(6), 2_000),
        )
        .unwrap();
        live.decide(
            Sender::Trainer,
            Command::QuizNext,
            (Uuid::from_u128(7), 3_000),
        )
        .unwrap();
        let answer = live.decide(
            stranger,
            Command::QuizAnswer {
                question_id: "q1".into(),
                answer: Answer::Choices {
                    choice_ids: vec!["c1".into()],
                },
                received_at: 3_100,
            },
            (Uuid::from_u128(8), 3_100),
        );
        assert!(
            answer.is_err(),
            "a stranger's answer is refused: {answer:?}"
        );
    }

    /// A banned seat's own commands, decided before its connection is gone (the actor closes
    /// it only once the ban is committed), are refused.
    #[test]
    fn a_banned_seat_cannot_chat_or_answer_after_the_ban() {
        let mut live = room(200);
        let (zoe, _) = live
            .join(None, Some("Zoé"), Some("Durand"), Uuid::from_u128(10))
            .unwrap();
        let quiz = Box::new(sheet(Scoring::Accuracy, false));
        live.decide(
            Sender::Trainer,
            Command::QuizStart { quiz },
            (Uuid::from_u128(6), 2_000),
        )
        .unwrap();
        live.decide(
            Sender::Trainer,
            Command::QuizNext,
            (Uuid::from_u128(7), 3_000),
        )
        .unwrap();
        let ban = Command::Kick {
            participant_id: zoe,
            ban: true,
        };
        live.decide(Sender::Trainer, ban, (Uuid::from_u128(8), 3_050))
            .unwrap();
        let chat = live.decide(
            Sender::Participant(zoe),
            Command::ChatSend {
                text: "encore là".into(),
            },
            (Uuid::from_u128(9), 3_060),
        );
        assert!(chat.is_err(), "chat after the ban: {chat:?}");
        let answer = live.decide(
            Sender::Participant(zoe),
            Command::QuizAnswer {
                question_id: "q1".into(),
                answer: Answer::Choices {
                    choice_ids: vec!["c1".into()],
                },
                received_at: 3_070,
            },
            (Uuid::from_u128(11), 3_070),
        );
        assert!(answer.is_err(), "answer after the ban: {answer:?}");
    }
}
