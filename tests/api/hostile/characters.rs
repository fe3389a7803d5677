//! Names and chat: control characters, NUL, right-to-left overrides and emoji runs, refused or
//! kept as given.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{chat, deck_with_page_names, report, session};
use crate::live_client::{LiveClient, assert_error, kind, participant};

#[tokio::test]
async fn hostile_names_with_control_characters_are_refused_naming_the_field() {
    let mut s = session().await;
    let mut newcomer = LiveClient::connect(&s.app, &s.room.name).await;
    // Inside the name: at either end, whitespace is trimmed first.
    for bad in [
        "Zo\u{0}é",
        "Zo\u{1b}[2Jé",
        "Zo\né",
        "Zo\té",
        "Zo\u{7f}é",
        "Zo\u{85}é",
        "Zo\u{9b}é",
        "\u{0}",
    ] {
        let refused = newcomer
            .refused(participant(bad, "Durand"), "bad_message")
            .await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("first_name"), "{bad:?}: {message}");
        let refused = newcomer
            .refused(participant("Zoé", bad), "bad_message")
            .await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains("last_name"), "{bad:?}: {message}");
        s.still_serves(&format!("the name {bad:?}")).await;
    }
    // The refused joins left the socket open, and took no seat.
    newcomer.join(participant("\tZoé\n", " Durand ")).await;
    assert_eq!(newcomer.welcome["you"]["first_name"], "Zoé");
    assert_eq!(newcomer.welcome["you"]["last_name"], "Durand");
    let joined: Vec<Value> = s
        .room
        .events(&s.app)
        .await
        .into_iter()
        .filter(|e| e.kind == "participant_joined")
        .map(|e| e.data.0)
        .collect();
    assert_eq!(joined.len(), 2, "{joined:#?}");
    for data in &joined {
        for field in ["first_name", "last_name"] {
            let name = data[field].as_str().unwrap();
            assert!(!name.chars().any(char::is_control), "{data}");
        }
    }
    s.still_serves("the honest join").await;
}

#[tokio::test]
async fn hostile_chat_with_control_characters_is_kept_as_given() {
    let mut s = session().await;
    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    // The protocol asks only 1–1,000 characters of a chat text (after trimming).
    let texts = [
        "ligne 1\nligne 2",
        "bip\u{7}",
        "\u{1b}[31mrouge\u{1b}[0m",
        "une\ttabulation",
        "  entouré d'espaces \n",
    ];
    for text in texts {
        zoe.command(chat(text)).await;
        let seen = s
            .trainer
            .recv_where(&format!("{text:?}"), |m| {
                kind(m) == "chat_message" && m["participant_id"] == zoe.participant_id.as_str()
            })
            .await;
        assert_eq!(seen["text"], text.trim(), "kept as given, trimmed");
        s.still_serves(&format!("the chat {text:?}")).await;
    }
    let late = s.room.participant(&s.app, "Léo", "Petit").await;
    let history: Vec<&str> = late.welcome["state"]["chat"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["participant_id"] == zoe.participant_id.as_str())
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    let trimmed: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
    assert_eq!(history, trimmed);
    let lengths: Vec<u64> = s
        .room
        .events(&s.app)
        .await
        .into_iter()
        .filter(|e| e.kind == "chat_message_sent" && e.data.0["first_name"] == "Zoé")
        .map(|e| e.data.0["length"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = trimmed.iter().map(|t| t.chars().count() as u64).collect();
    assert_eq!(lengths, expected);
}

/// U+0000 is a character like another for the protocol; PostgreSQL stores no NUL in `text`
/// nor in `jsonb`. A chat text or an open answer holding one must be kept or refused, never
/// turn the room's commit into a failure that stalls and reloads the room for everyone.
#[tokio::test]
async fn hostile_nul_characters_in_chat_are_kept_or_refused() {
    let mut s = session().await;
    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    let answer = zoe.request(chat("a\u{0}b")).await;
    match kind(&answer) {
        "ack" => {
            let seen = s.trainer.recv_type("chat_message").await;
            assert_eq!(seen["text"], "a\u{0}b");
        }
        _ => assert_error(&answer, "bad_message", "a NUL in a chat text"),
    }
    s.still_serves("a NUL in a chat text").await;
}

/// The same for an open answer, kept in `room_events.data`.
#[tokio::test]
async fn hostile_nul_characters_in_open_answers_are_kept_or_refused() {
    let mut s = session().await;
    let mut zoe = s.room.participant(&s.app, "Zoé", "Durand").await;
    let questions = json!([{"kind": "open", "prompt": "Une remarque ?"}]);
    let quiz = s
        .app
        .post(
            "/api/quizzes",
            &s.room.token,
            json!({"title": "Q", "questions": questions}),
        )
        .await
        .expect(StatusCode::CREATED);
    s.trainer
        .command(json!({"type": "quiz_start", "quiz_id": quiz["id"]}))
        .await;
    s.trainer.command(json!({"type": "quiz_next"})).await;
    let question_id = quiz["questions"][0]["id"].as_str().unwrap();
    let answer = zoe
        .request(json!({"type": "quiz_answer", "question_id": question_id, "text": "x\u{0}y"}))
        .await;
    assert!(
        kind(&answer) == "quiz_answer_accepted" || answer["code"] == "bad_answer",
        "{answer}"
    );
    s.still_serves("a NUL in an open answer").await;
}

/// A NUL where a trainer's documents hold text: kept, or refused with a 4xx.
#[tokio::test]
async fn hostile_nul_characters_in_documents_are_kept_or_refused() {
    let mut s = session().await;
    let token = s.room.token.clone();
    let questions = json!([{"kind": "open", "prompt": "Pour\u{0}quoi ?"}]);
    let quiz = json!({"title": "Q", "questions": questions});
    let deck = deck_with_page_names(&["Intro\u{0}duction"]);
    let capsule = json!({"title": "Atelier", "snapshot": deck});
    let mut answers = Vec::new();
    for (what, path, body) in [
        ("a quiz prompt", "/api/quizzes", quiz),
        ("a page name", "/api/capsules", capsule),
    ] {
        let answer = s.app.post(path, &token, body).await;
        answers.push((what, answer.status, answer.body));
        s.still_serves(&format!("a NUL in {what}")).await;
    }
    let failed: Vec<String> = answers
        .into_iter()
        .filter(|(_, status, _)| !(*status == StatusCode::CREATED || status.is_client_error()))
        .map(|(what, status, body)| format!("a NUL in {what}: {status} {body}"))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[tokio::test]
async fn hostile_rtl_overrides_are_refused_in_names_and_kept_in_chat() {
    let mut s = session().await;
    // A name that shows reversed (`Durand`, U+202E, `gnp.exe` reads as `Durandexe.png`) or as
    // nothing could pass for someone else in the trainer's list and in the reports.
    let mut newcomer = LiveClient::connect(&s.app, &s.room.name).await;
    for (first, last, field) in [
        ("\u{202E}éoZ", "Durand", "first_name"),
        ("Zoé", "Durand\u{202E}gnp.exe", "last_name"),
        ("Zoé", "\u{2066}Durand\u{2069}", "last_name"),
        ("\u{200B}", "Durand", "first_name"),
    ] {
        let refused = newcomer
            .refused(participant(first, last), "bad_message")
            .await;
        let message = refused["message"].as_str().unwrap();
        assert!(message.contains(field), "{first:?} {last:?}: {message}");
        s.still_serves(&format!("the name {first:?} {last:?}"))
            .await;
    }
    // A joiner inside a name is how some names are written.
    let (first, last) = ("Mohammad\u{200C}reza", "Durand");
    let mut zoe = s.room.participant(&s.app, first, last).await;
    assert_eq!(zoe.welcome["you"]["first_name"], first);

    // Chat text is kept as written: the trainer sees it inside a message bubble.
    let text = "\u{202E}!ruojnob\u{202C} et \u{2066}isolé\u{2069}";
    zoe.command(chat(text)).await;
    let seen = s
        .trainer
        .recv_where("zoé's chat", |m| {
            m["type"] == "chat_message" && m["text"] == text
        })
        .await;
    assert_eq!(seen["author_name"], format!("{first} {last}"));
    s.still_serves("right-to-left overrides").await;

    let events = s.room.events(&s.app).await;
    let joined = events
        .iter()
        .find(|e| e.kind == "participant_joined" && e.data.0["first_name"] == first)
        .expect("the join is recorded under the name given");
    assert_eq!(joined.data.0["last_name"], last);
    let body = report(&s.app, &s.room.id, &s.room.token, "")
        .await
        .json::<Value>()
        .await
        .unwrap();
    let attendance = body["attendance"].as_array().unwrap();
    assert!(
        attendance
            .iter()
            .all(|a| !a["last_name"].as_str().unwrap().contains('\u{202E}')),
        "{attendance:#?}"
    );
}

#[tokio::test]
async fn hostile_emoji_runs_are_counted_in_characters_and_refused_past_the_limits() {
    let mut s = session().await;
    // Names: 64 characters at most, an emoji being one (four bytes).
    let mut newcomer = LiveClient::connect(&s.app, &s.room.name).await;
    for too_long in ["😀".repeat(65), "👨‍👩‍👧‍👦".repeat(10), "😀".repeat(2_560)]
    {
        let refused = newcomer
            .refused(participant(&too_long, "Durand"), "bad_message")
            .await;
        assert!(refused["message"].as_str().unwrap().contains("first_name"));
        s.still_serves(&format!("a name of {} bytes", too_long.len()))
            .await;
    }
    let longest = "😀".repeat(64);
    newcomer.join(participant(&longest, "Durand")).await;
    assert_eq!(newcomer.welcome["you"]["first_name"], longest.as_str());

    // Chat: 1,000 characters at most.
    for (text, accepted) in [
        ("😀".repeat(1_000), true),
        ("👍🏽".repeat(500), true),
        ("😀".repeat(1_001), false),
        // 10 KB of emoji.
        ("😀".repeat(2_560), false),
        ("👨‍👩‍👧‍👦".repeat(400), false),
    ] {
        let label = format!("a chat of {} characters", text.chars().count());
        if accepted {
            newcomer.command(chat(&text)).await;
            let seen = s
                .trainer
                .recv_where(&label, |m| {
                    kind(m) == "chat_message"
                        && m["participant_id"] == newcomer.participant_id.as_str()
                })
                .await;
            assert_eq!(seen["text"], text.as_str(), "{label} kept as given");
        } else {
            newcomer.refused(chat(&text), "too_large").await;
        }
        s.still_serves(&label).await;
    }
}
