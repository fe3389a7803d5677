//! The live socket: who joins as trainer, forged and moved resume tokens, and every trainer
//! command tried by every caller.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CALLERS, NOT_FOUND, World, random_token, refused_join};
use crate::helpers::WAIT;
use crate::live_client::{LiveClient, kind, participant, returning, trainer};

#[tokio::test]
async fn only_the_rooms_trainer_joins_as_trainer_whatever_token_is_offered_and_the_socket_stays_usable()
 {
    let world = World::new().await;
    let (app, name) = (&world.app, &world.room.name);
    let offered = [
        ("no token and no cookie", Value::Null),
        ("an empty token", json!("")),
        ("a random token", json!(random_token())),
        ("an expired token", json!(world.expired_token().await)),
        ("a logged-out token", json!(world.logged_out_token().await)),
        (
            "the participant's resume token",
            json!(world.zoe.resume_token),
        ),
        ("another room's resume token", json!(world.leo.resume_token)),
        ("another trainer's token", json!(world.other_room.token)),
    ];
    let mut client = LiveClient::connect(app, name).await;
    for (what, token) in offered {
        let join = json!({"type": "join", "as": "trainer", "token": token});
        refused_join(&mut client, join, "forbidden", what).await;
        let command = client.request(world.room.goto(1)).await;
        assert_eq!(
            command["code"], "bad_message",
            "still not joined: {command}"
        );
    }
    let welcome = client.join(trainer(&world.room.token)).await;
    assert_eq!(welcome["you"]["role"], "trainer");

    // The cookie, when the join carries no token; a token given wins over it.
    let as_trainer = json!({"type": "join", "as": "trainer"});
    let mut cookie = LiveClient::connect_with_cookie(app, name, &world.other_room.token).await;
    let what = "another trainer's cookie";
    refused_join(&mut cookie, as_trainer.clone(), "forbidden", what).await;
    let mut cookie = LiveClient::connect_with_cookie(app, name, &world.expired_token().await).await;
    let what = "an expired cookie";
    refused_join(&mut cookie, as_trainer.clone(), "forbidden", what).await;
    let mut cookie = LiveClient::connect_with_cookie(app, name, &world.room.token).await;
    let join = trainer(&world.other_room.token);
    let what = "another trainer's token over the trainer's cookie";
    refused_join(&mut cookie, join, "forbidden", what).await;
    let welcome = cookie.join(as_trainer).await;
    assert_eq!(
        welcome["you"]["participant_id"],
        world.room.trainer_id.as_str()
    );
}

/// `token` with one byte of its signature changed.
fn tampered(token: &str) -> String {
    let mut bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `token` (room ‖ participant ‖ signature) with its room replaced by `room_id`.
fn moved_to(token: &str, room_id: &str) -> String {
    let mut bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
    bytes[..16].copy_from_slice(Uuid::parse_str(room_id).unwrap().as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn forged_and_other_room_resume_tokens_are_ignored_by_join_and_refused_by_the_snapshot() {
    let world = World::new().await;
    let (app, room) = (&world.app, &world.room);
    let zoe = world.zoe.resume_token.as_deref().unwrap();
    let leo = world.leo.resume_token.as_deref().unwrap();
    // Zoé's seat id under Léo's signature: a valid signature, for another seat and room.
    let mut spliced = URL_SAFE_NO_PAD.decode(leo).unwrap();
    spliced[..32].copy_from_slice(&URL_SAFE_NO_PAD.decode(zoe).unwrap()[..32]);
    let forged = [
        ("a tampered signature", tampered(zoe)),
        ("another room's token", leo.to_owned()),
        (
            "another room's token moved to this room",
            moved_to(leo, &room.id),
        ),
        (
            "this seat with another seat's signature",
            URL_SAFE_NO_PAD.encode(spliced),
        ),
        ("the trainer's log-in token", room.token.clone()),
        ("garbage", "pas-un-jeton".to_owned()),
    ];
    let snapshot = format!("/api/live/{}/snapshot", room.name);
    let mut seats = vec![world.zoe.participant_id.clone()];
    for (what, token) in &forged {
        let mut client = LiveClient::connect(app, &room.name).await;
        refused_join(&mut client, returning(token), "bad_message", what).await;
        let mut with_names = participant("Nouveau", &format!("Venu {}", seats.len()));
        with_names["resume_token"] = json!(token);
        let welcome = client.join(with_names).await;
        let seat = welcome["you"]["participant_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            !seats.contains(&seat),
            "a join with {what} and names takes a new seat, not {seat}"
        );
        assert_eq!(welcome["state"]["answers"], json!([]), "{what}");
        seats.push(seat);
        if *what != "the trainer's log-in token" {
            let answer = app.get(&snapshot, token).await;
            assert!(
                NOT_FOUND.check(&answer).is_ok(),
                "the snapshot with {what}: {answer:?}"
            );
        }
    }
    // The real token still opens Zoé's seat, and fetches the document.
    let mut back = LiveClient::connect(app, &room.name).await;
    let welcome = back.join(returning(zoe)).await;
    assert_eq!(
        welcome["you"]["participant_id"],
        world.zoe.participant_id.as_str()
    );
    app.get(&snapshot, zoe).await.expect(StatusCode::OK);
}

/// What a live client must get.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Ack,
    Pong,
    Accepted,
    Refused(&'static str),
}

const NOT_JOINED: Reply = Reply::Refused("bad_message");
const FORBIDDEN: Reply = Reply::Refused("forbidden");

impl Reply {
    fn check(self, answer: &Value) -> Result<(), String> {
        let right = match self {
            Reply::Ack => kind(answer) == "ack",
            Reply::Pong => kind(answer) == "pong",
            Reply::Accepted => kind(answer) == "quiz_answer_accepted",
            Reply::Refused(code) => {
                kind(answer) == "error"
                    && answer["code"] == code
                    && answer["message"].as_str().is_some_and(|m| !m.is_empty())
            }
        };
        if right {
            Ok(())
        } else {
            Err(format!("expected {self:?}, got {answer}"))
        }
    }
}

/// A trainer's command: refused to everyone else, acknowledged to the trainer.
fn trainers(message: Value) -> (Value, [Reply; 5]) {
    let refused = [NOT_JOINED, FORBIDDEN, NOT_JOINED, NOT_JOINED, Reply::Ack];
    (message, refused)
}

#[tokio::test]
async fn participants_get_forbidden_for_every_trainer_command_strangers_bad_message_and_sockets_stay_usable()
 {
    let world = World::new().await;
    let World {
        app,
        room,
        other_room,
        quiz_id,
        zoe,
        leo,
        ..
    } = world;
    let teacher = room.trainer(&app).await;
    let mut observer = room.participant(&app, "Obs", "Erver").await;
    let kim = room.participant(&app, "Kim", "Nguyen").await;
    // Strangers on this room's socket: one who never joins, another trainer refused as
    // trainer, a participant of another room whose token is ignored.
    let anonymous = LiveClient::connect(&app, &room.name).await;
    let mut bruno = LiveClient::connect(&app, &room.name).await;
    let what = "another trainer's token";
    refused_join(&mut bruno, trainer(&other_room.token), "forbidden", what).await;
    let mut leo_here = LiveClient::connect(&app, &room.name).await;
    let leo_token = leo.resume_token.as_deref().unwrap();
    let what = "another room's resume token";
    refused_join(&mut leo_here, returning(leo_token), "bad_message", what).await;
    let mut zoe = zoe;
    zoe.command(json!({"type": "chat_send", "text": "à effacer"}))
        .await;
    let message_id = zoe.recv_type("chat_message").await["id"].clone();
    let answer = json!({"type": "quiz_answer", "question_id": "q1", "choice_ids": ["c1"]});
    let chat = json!({"type": "chat_send", "text": "Bonjour"});
    let participants = [NOT_JOINED, Reply::Ack, NOT_JOINED, NOT_JOINED, FORBIDDEN];

    // In an order in which each of the trainer's commands succeeds: the refusals before it are
    // about who sends it, not about the state of the room.
    let steps = [
        trainers(room.goto(1)),
        trainers(json!({"type": "set_params", "params": {"navigation": "free"}})),
        (
            json!({"type": "set_page", "page_id": room.page(2)}),
            participants,
        ),
        trainers(json!({"type": "lock"})),
        trainers(json!({"type": "unlock"})),
        (
            chat,
            [NOT_JOINED, Reply::Ack, NOT_JOINED, NOT_JOINED, Reply::Ack],
        ),
        trainers(json!({"type": "chat_delete", "message_id": message_id})),
        trainers(json!({"type": "kick", "participant_id": kim.participant_id})),
        trainers(json!({"type": "quiz_start", "quiz_id": quiz_id})),
        trainers(json!({"type": "quiz_next"})),
        (
            answer,
            [
                NOT_JOINED,
                Reply::Accepted,
                NOT_JOINED,
                NOT_JOINED,
                FORBIDDEN,
            ],
        ),
        trainers(json!({"type": "quiz_close"})),
        trainers(json!({"type": "quiz_reveal"})),
        trainers(json!({"type": "quiz_end"})),
        trainers(json!({"type": "rename", "name": "salle-renommee"})),
        (json!({"type": "ping"}), [Reply::Pong; 5]),
        trainers(json!({"type": "end_session"})),
    ];
    let mut clients = [anonymous, zoe, leo_here, bruno, teacher];
    let mut failures = Vec::new();
    for (message, replies) in steps {
        for (i, (who, reply)) in CALLERS.into_iter().zip(replies).enumerate() {
            let client = &mut clients[i];
            let answer = client.request(message.clone()).await;
            if let Err(wrong) = reply.check(&answer) {
                failures.push(format!("{message} by {who:?}: {wrong}"));
            }
            if matches!(reply, Reply::Refused(_)) {
                // The connection stays usable.
                client.ping().await;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Nothing refused happened: the observer saw each of the trainer's commands once.
    let (seen, close) = observer.read_to_end(WAIT).await;
    assert_eq!(close, Some(1000), "the session ended");
    let count = |wanted: &str| seen.iter().filter(|m| kind(m) == wanted).count();
    let kicked = seen
        .iter()
        .filter(|m| kind(m) == "participant_left" && m["reason"] == "kicked")
        .count();
    let counts = [
        ("page_changed", count("page_changed")),
        ("params_changed", count("params_changed")),
        ("locked", count("locked")),
        ("chat_message", count("chat_message")),
        ("chat_deleted", count("chat_deleted")),
        ("participant_left kicked", kicked),
        ("quiz_started", count("quiz_started")),
        ("quiz_question", count("quiz_question")),
        ("quiz_question_closed", count("quiz_question_closed")),
        ("quiz_results", count("quiz_results")),
        ("quiz_ended", count("quiz_ended")),
        ("renamed", count("renamed")),
        ("session_ended", count("session_ended")),
    ];
    assert_eq!(
        counts,
        [
            ("page_changed", 1),
            ("params_changed", 1),
            ("locked", 2),
            ("chat_message", 3),
            ("chat_deleted", 1),
            ("participant_left kicked", 1),
            ("quiz_started", 1),
            ("quiz_question", 1),
            ("quiz_question_closed", 1),
            ("quiz_results", 1),
            ("quiz_ended", 1),
            ("renamed", 1),
            ("session_ended", 1),
        ],
        "what the observer saw: {seen:#?}"
    );
    drop((kim, leo));
}
