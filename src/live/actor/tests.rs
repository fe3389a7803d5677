//! The actor against a real SQLite file whose tables the test takes away: what a failed batch
//! leaves behind, step by step (over sockets the order of a burst is left to chance).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::delivery::{Delivery, frame};
use super::{Actor, load};
use crate::domain::events::{EndReason, PageRef, RoomEvent};
use crate::domain::protocol::{ClientMessage, ErrorCode, ServerMessage};
use crate::domain::room::{RoomParams, RoomState};
use crate::domain::tldraw::PageInfo;
use crate::live::outbox::Inbox;
use crate::live::{ConnId, JoinAs, Live, LiveConfig, Outbox, Request};
use crate::store::rooms::{NewRoom, RoomDocument};
use crate::store::users::NewUser;
use crate::store::{Db, capsules, events, now_ms, rooms, users};

struct Fixture {
    _dir: tempfile::TempDir,
    db: Db,
    actor: Actor,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/pratico.db", dir.path().display()))
        .await
        .unwrap();
    let config = LiveConfig {
        heartbeat: Duration::from_secs(30),
        max_participants: 100,
        roster_limit: 200,
        max_seats_per_address: 100,
        max_frame_bytes: 65_536,
        rate_per_sec: 100,
        rate_burst: 100,
        idle_end: Duration::from_secs(3600),
        public_base: "http://127.0.0.1".into(),
    };
    let live = Live::start(db.clone(), config, CancellationToken::new())
        .await
        .unwrap();
    let now = now_ms();
    let user = NewUser {
        email: "ana@example.com",
        name: "Ana Martin",
        password_hash: "-",
    };
    let trainer = users::insert(&db, user, now).await.unwrap();
    let pages = [PageInfo {
        id: "page:1".into(),
        name: "Intro".into(),
        shape_count: 0,
    }];
    let empty = serde_json::value::to_raw_value(&json!({})).unwrap();
    let quota = capsules::Quota::NONE;
    let capsule = capsules::insert(&db, trainer.id, "Atelier", &empty, &pages, now, quota)
        .await
        .unwrap()
        .unwrap();
    let new_room = NewRoom {
        created_by: trainer.id,
        base_name: "atelier",
        suffix_if_taken: true,
        capsule_id: capsule.id,
        capsule_title: "Atelier",
        capsule_snapshot: RoomDocument::Given(&json!({})),
        quiz_id: None,
        params: RoomParams::default(),
        state: RoomState::default(),
    };
    let started = |name: &str| RoomEvent::SessionStarted {
        room_name: name.to_owned(),
        capsule_id: capsule.id,
        capsule_title: "Atelier".into(),
        trainer_name: "Ana Martin".into(),
        pages: vec![PageRef {
            id: "page:1".into(),
            name: "Intro".into(),
        }],
        params: RoomParams::default(),
        quiz_id: None,
    };
    let room = rooms::create(&db, new_room, started, now).await.unwrap();
    let loaded = load(&db, room.id, live.config().limits()).await.unwrap();
    Fixture {
        _dir: dir,
        db,
        actor: Actor::new(live, loaded),
    }
}

impl Fixture {
    async fn connect(&mut self) -> (ConnId, Inbox) {
        let (outbox, inbox) = Outbox::new();
        let conn = outbox.id;
        self.actor.handle(Request::Connect { conn, outbox }).await;
        (conn, inbox)
    }

    async fn join_trainer(&mut self, conn: ConnId) {
        let user_id = self.actor.room.facts.trainer_id;
        let who = JoinAs::Trainer { user_id };
        self.actor
            .handle(Request::Join {
                conn,
                req: None,
                who,
            })
            .await;
    }

    async fn join_participant(&mut self, conn: ConnId, first_name: &str) {
        let who = JoinAs::Participant {
            resume: None,
            first_name: Some(first_name.into()),
            last_name: Some("Petit".into()),
            from: IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        self.actor
            .handle(Request::Join {
                conn,
                req: None,
                who,
            })
            .await;
    }

    async fn say(&mut self, conn: ConnId, text: &str) {
        let message = ClientMessage::ChatSend { text: text.into() };
        let request = Request::Message {
            conn,
            req: None,
            message,
            received_at: now_ms(),
        };
        self.actor.handle(request).await;
    }

    /// Takes a table away (or brings it back): every write to it fails.
    async fn rename_table(&self, from: &str, to: &str) {
        let Db::Sqlite(pool) = &self.db else {
            unreachable!("these tests run on SQLite")
        };
        let sql = format!("ALTER TABLE {from} RENAME TO {to}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }

    async fn event_kinds(&self) -> Vec<String> {
        let rows = events::for_room(&self.db, self.actor.room.facts.id)
            .await
            .unwrap();
        rows.into_iter().map(|row| row.kind).collect()
    }
}

/// The messages waiting in an inbox, as JSON (close frames left out).
fn received(inbox: &mut Inbox) -> Vec<Value> {
    let frames = inbox.take().unwrap_or_default();
    frames
        .iter()
        .filter_map(|frame| {
            let bytes = frame.as_bytes();
            let start = bytes.iter().position(|&b| b == b'{')?;
            serde_json::from_slice(&bytes[start..]).ok()
        })
        .collect()
}

fn types(messages: &[Value]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m["type"].as_str().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn a_trainer_whose_join_was_rolled_back_is_registered_once_when_it_joins_again() {
    let mut f = fixture().await;
    let (trainer, mut trainer_inbox) = f.connect().await;
    let (zoe, _zoe_inbox) = f.connect().await;
    f.rename_table("room_events", "room_events_away").await;
    // One burst: the trainer's join and an arrival whose event cannot be stored.
    f.join_trainer(trainer).await;
    f.join_participant(zoe, "Zoé").await;
    f.actor.flush().await;
    assert!(f.actor.degraded);
    let refused = received(&mut trainer_inbox);
    assert_eq!(types(&refused), ["error"]);
    assert_eq!(refused[0]["code"], ErrorCode::Unavailable.as_str());
    assert!(
        f.actor.trainer_conns.is_empty(),
        "a refused socket gets no trainer-only frame (correct answers among them)"
    );

    f.rename_table("room_events_away", "room_events").await;
    f.actor.recover().await;
    assert!(!f.actor.degraded);
    f.join_trainer(trainer).await;
    f.actor.flush().await;
    assert_eq!(types(&received(&mut trainer_inbox)), ["welcome"]);
    assert_eq!(f.actor.trainer_conns, [trainer], "registered once");

    // What is for trainers alone reaches this one once.
    let for_trainers = frame(&ServerMessage::Pong { req: None });
    f.actor.deliveries.push(Delivery::Trainers(for_trainers));
    f.actor.deliver(true);
    assert_eq!(types(&received(&mut trainer_inbox)), ["pong"]);
}

#[tokio::test]
async fn a_room_whose_batch_failed_renames_and_ends_only_once_reloaded() {
    let mut f = fixture().await;
    let (trainer, _trainer_inbox) = f.connect().await;
    f.join_trainer(trainer).await;
    let (zoe, _zoe_inbox) = f.connect().await;
    f.join_participant(zoe, "Zoé").await;
    f.actor.flush().await;
    let (leo, _leo_inbox) = f.connect().await;

    // Léo's join goes in a batch with a chat message the database cannot store.
    f.rename_table("chat_messages", "chat_messages_away").await;
    f.join_participant(leo, "Léo").await;
    f.say(zoe, "Bonjour").await;
    let renamed = f.actor.rename("nouveau-nom".into()).await;
    assert_eq!(
        renamed.unwrap_err().code,
        ErrorCode::Unavailable,
        "the room cannot reload while the chat is away"
    );
    let ended = f.actor.end(EndReason::Trainer, None).await;
    assert_eq!(ended.unwrap_err().code, ErrorCode::Unavailable);
    assert_eq!(f.actor.room.name, "atelier");

    f.rename_table("chat_messages_away", "chat_messages").await;
    f.actor.rename("nouveau-nom".into()).await.unwrap();
    assert_eq!(f.actor.room.name, "nouveau-nom");
    let summary = f.actor.end(EndReason::Trainer, None).await.unwrap();
    assert_eq!(summary.name, "nouveau-nom");
    assert_eq!(
        f.event_kinds().await,
        [
            "session_started",
            "participant_joined",
            "room_renamed",
            "participant_left",
            "session_ended"
        ],
        "Léo's join never committed, so neither is a leave of his"
    );
    let left = events::for_room(&f.db, f.actor.room.facts.id)
        .await
        .unwrap();
    let zoe_id = f.actor.room.state.participants[0].participant_id;
    assert_eq!(left[3].data.0["participant_id"], json!(zoe_id));
}

#[tokio::test]
async fn a_socket_that_closed_before_its_leave_arrived_leaves_as_closed_not_too_slow() {
    let mut f = fixture().await;
    let (trainer, _trainer_inbox) = f.connect().await;
    f.join_trainer(trainer).await;
    let (zoe, _zoe_inbox) = f.connect().await;
    f.join_participant(zoe, "Zoé").await;
    let (leo, leo_inbox) = f.connect().await;
    f.join_participant(leo, "Léo").await;
    f.actor.flush().await;

    // Léo's tab closes (its writer is gone) while a message for everyone is on its way; his
    // own leave comes after it, as it does when a whole class closes at once.
    drop(leo_inbox);
    f.say(zoe, "Bonjour").await;
    f.actor.flush().await;
    let leave = Request::Disconnect {
        conn: leo,
        reason: crate::domain::events::LeaveReason::Closed,
    };
    f.actor.handle(leave).await;
    f.actor.flush().await;

    let rows = events::for_room(&f.db, f.actor.room.facts.id)
        .await
        .unwrap();
    let leaves: Vec<&Value> = (rows.iter())
        .filter(|row| row.kind == "participant_left")
        .map(|row| &row.data.0["reason"])
        .collect();
    assert_eq!(leaves, [&json!("closed")], "one leave, as closed");
}

#[test]
fn a_personal_frame_is_the_whole_message_with_its_own_part() {
    use crate::domain::protocol::{QuizOutcome, Standing, YourResult};
    use crate::domain::room::{Personal, Yours};
    let standing = |n: u128, score| Standing {
        participant_id: uuid::Uuid::from_u128(n),
        first_name: format!("P{n}"),
        last_name: "Petit \"le grand\"".into(),
        score,
        rank: 1,
    };
    let top = vec![standing(1, 900), standing(2, 800)];
    let ended = ServerMessage::QuizEnded(QuizOutcome {
        quiz_id: uuid::Uuid::from_u128(9),
        title: "Révisions".into(),
        leaderboard: top.clone(),
        yours: None,
    });
    let revealed = ServerMessage::QuizResults {
        question_id: "q1".into(),
        correct_choice_ids: vec!["c1".into()],
        distribution: Vec::new(),
        solution: None,
        top_answers: Vec::new(),
        answered: 2,
        leaderboard: top.clone(),
        yours: None,
    };
    let result = YourResult {
        answered: true,
        correct: Some(false),
        points: 0,
        score: 800,
        rank: 2,
    };
    for (common, yours) in [
        (ended, Yours::Standing(standing(2, 800))),
        (revealed, Yours::Result(result)),
    ] {
        let personal = Personal {
            common,
            yours: vec![(uuid::Uuid::from_u128(2), yours.clone())],
        };
        let frames: Vec<_> = super::delivery::personal_frames(&personal).collect();
        let bytes = frames[0].1.as_bytes();
        let start = bytes.iter().position(|&b| b == b'{').unwrap();
        let sent: Value = serde_json::from_slice(&bytes[start..]).unwrap();
        let whole = serde_json::to_value(personal.message(&yours)).unwrap();
        assert_eq!(sent, whole);
        assert_ne!(sent["yours"], Value::Null);
    }
}
