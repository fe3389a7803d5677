//! The protocol with a stand-in schema; conformance to the reference is tested against its
//! recorded transcripts (tests/api/canvas_reference.rs).

use serde_json::{Value, json};

use super::*;

struct TestSchema(Value);

impl RecordSchema for TestSchema {
    fn serialized(&self) -> &Value {
        &self.0
    }
    fn scope(&self, type_name: &str) -> Option<RecordScope> {
        match type_name {
            "document" | "page" | "shape" => Some(RecordScope::Document),
            "instance_presence" => Some(RecordScope::Presence),
            "instance" => Some(RecordScope::Session),
            _ => None,
        }
    }
    fn validate(&self, type_name: &str, record: &Value) -> Result<(), String> {
        let id = record["id"].as_str().unwrap_or_default();
        if !id.starts_with(&format!("{type_name}:")) || record["typeName"] != type_name {
            return Err(format!("bad id or typeName: {record}"));
        }
        if type_name == "shape" && !record["x"].is_number() {
            return Err("x must be a number".into());
        }
        if type_name == "instance_presence" && !record["userName"].is_string() {
            return Err("userName must be a string".into());
        }
        Ok(())
    }
    fn compare(&self, client: &Value) -> SchemaCompat {
        if js::equal(client, &self.0) {
            SchemaCompat::Same
        } else {
            SchemaCompat::Refused("SERVER_TOO_OLD")
        }
    }
}

fn schema() -> Value {
    json!({"schemaVersion": 2, "sequences": {"com.tldraw.shape": 4}})
}

fn room() -> SyncRoom<TestSchema> {
    let doc = Document::from_snapshot(&json!({
        "documentClock": 3,
        "documents": [
            {"state": {"id": "document:document", "typeName": "document"}, "lastChangedClock": 1},
            {"state": {"id": "page:page", "typeName": "page", "name": "Page 1"}, "lastChangedClock": 2},
            {"state": {"id": "shape:a", "typeName": "shape", "x": 0, "props": {"text": "hi"}}, "lastChangedClock": 3},
        ],
        "tombstones": {},
        "tombstoneHistoryStartsAtClock": 1,
        "schema": schema(),
    }))
    .unwrap();
    let limits = Limits {
        message_bytes: 1 << 20,
        document_bytes: 4_000,
    };
    SyncRoom::new(TestSchema(schema()), doc, limits)
}

/// Every message each session got, as JSON, and the closes.
fn sent(out: &[Out]) -> Vec<(String, Value)> {
    let mut all = Vec::new();
    for o in out {
        match o {
            Out::Send { to, message } => {
                for s in to.sessions() {
                    all.push((s.to_string(), serde_json::to_value(message).unwrap()));
                }
            }
            Out::Close { session, reason } => {
                all.push((session.clone(), json!({"closed": reason})));
            }
            Out::Edited { .. } => {}
        }
    }
    all
}

fn connect(room: &mut SyncRoom<TestSchema>, session: &str, clock: i64, now: u64) -> Value {
    room.open(session, Access::Write, now);
    let message = json!({"type": "connect", "connectRequestId": format!("c-{session}"),
        "lastServerClock": clock, "protocolVersion": 8, "schema": schema()});
    let out = sent(&room.receive(session, &message.to_string(), now));
    assert_eq!(out.len(), 1, "{out:?}");
    out[0].1.clone()
}

fn push(
    room: &mut SyncRoom<TestSchema>,
    session: &str,
    push: Value,
    now: u64,
) -> Vec<(String, Value)> {
    sent(&room.receive(session, &push.to_string(), now))
}

#[test]
fn a_first_connect_gets_the_whole_document_and_a_current_one_nothing() {
    let mut room = room();
    let first = connect(&mut room, "a", -1, 0);
    assert_eq!(first["hydrationType"], "wipe_all");
    assert_eq!(first["serverClock"], 3);
    assert_eq!(first["diff"].as_object().unwrap().len(), 3);
    assert_eq!(first["connectRequestId"], "c-a");
    assert_eq!(first["isReadonly"], false);
    let current = connect(&mut room, "b", 3, 0);
    assert_eq!(current["hydrationType"], "wipe_presence");
    assert_eq!(current["diff"], json!({}));
    let older = connect(&mut room, "c", 2, 0);
    assert_eq!(older["hydrationType"], "wipe_presence");
    assert_eq!(
        older["diff"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["shape:a"]
    );
}

#[test]
fn pushes_commit_rebase_or_discard_and_reach_the_others_once() {
    let mut room = room();
    connect(&mut room, "a", -1, 0);
    connect(&mut room, "b", -1, 0);
    let moved = json!({"type": "push", "clientClock": 0,
        "diff": {"shape:a": ["patch", {"x": ["put", 10]}]}});
    let out = push(&mut room, "a", moved, 1);
    assert_eq!(
        out[0],
        (
            "a".into(),
            json!({"type": "push_result", "clientClock": 0, "serverClock": 4, "action": "commit"})
        )
    );
    assert_eq!(
        out[1],
        (
            "b".into(),
            json!({"type": "patch", "serverClock": 4,
        "diff": {"shape:a": ["patch", {"x": ["put", 10]}]}})
        )
    );
    assert_eq!(out.len(), 2);
    // b moves the same shape with a whole put: the server sends back only what changed.
    let put = json!({"type": "push", "clientClock": 0, "diff": {"shape:a": ["put",
        {"id": "shape:a", "typeName": "shape", "x": 20, "props": {"text": "hi"}}]}});
    let out = push(&mut room, "b", put, 2);
    assert_eq!(
        out[0].1["action"],
        json!({"rebaseWithDiff": {"shape:a": ["patch", {"x": ["put", 20]}]}})
    );
    // The same put again changes nothing: discarded, nobody told.
    let again = json!({"type": "push", "clientClock": 1, "diff": {"shape:a": ["put",
        {"id": "shape:a", "typeName": "shape", "x": 20, "props": {"text": "hi"}}]}});
    let out = push(&mut room, "b", again, 3);
    assert_eq!(
        out,
        vec![(
            "b".into(),
            json!({"type": "push_result", "clientClock": 1, "serverClock": 5, "action": "discard"})
        )]
    );
    assert_eq!(room.document().clock(), 5);
}

#[test]
fn an_invalid_record_refuses_the_whole_push_and_closes_with_4099() {
    let mut room = room();
    connect(&mut room, "a", -1, 0);
    connect(&mut room, "b", -1, 0);
    let bad = json!({"type": "push", "clientClock": 0, "diff": {
        "shape:b": ["put", {"id": "shape:b", "typeName": "shape", "x": 1}],
        "shape:c": ["put", {"id": "shape:c", "typeName": "shape", "x": "one"}]}});
    let out = push(&mut room, "a", bad, 1);
    assert_eq!(out, vec![("a".into(), json!({"closed": "INVALID_RECORD"}))]);
    assert!(room.document().get("shape:b").is_none());
    assert_eq!(room.document().clock(), 3);
    let unknown = json!({"type": "push", "clientClock": 0, "diff": {
        "instance:x": ["put", {"id": "instance:x", "typeName": "instance"}]}});
    assert_eq!(
        push(&mut room, "b", unknown, 1),
        vec![("b".into(), json!({"closed": "INVALID_RECORD"}))]
    );
}

#[test]
fn a_readonly_session_cannot_write_but_its_presence_travels() {
    let mut room = room();
    connect(&mut room, "a", -1, 0);
    room.open("r", Access::ReadOnly, 0);
    let hello = json!({"type": "connect", "connectRequestId": "x", "lastServerClock": -1,
        "protocolVersion": 8, "schema": schema()});
    let reply = sent(&room.receive("r", &hello.to_string(), 0));
    assert_eq!(reply[0].1["isReadonly"], true);
    let write = json!({"type": "push", "clientClock": 0,
        "presence": ["put", {"userName": "Liam", "id": "whatever"}],
        "diff": {"shape:a": ["remove"]}});
    let out = push(&mut room, "r", write, 1);
    assert_eq!(out[0].1["action"], "discard");
    assert_eq!(out[1].0, "a");
    let (id, op) = out[1].1["diff"].as_object().unwrap().iter().next().unwrap();
    assert!(id.starts_with("instance_presence:"));
    assert_eq!(op[1]["id"], json!(id));
    assert_eq!(op[1]["userName"], "Liam");
    assert!(room.document().get("shape:a").is_some());
}

#[test]
fn a_session_that_leaves_loses_its_presence_five_seconds_later() {
    let mut room = room();
    connect(&mut room, "a", -1, 0);
    connect(&mut room, "b", -1, 0);
    push(
        &mut room,
        "b",
        json!({"type": "push", "clientClock": 0, "presence": ["put", {"userName": "B"}]}),
        0,
    );
    assert_eq!(
        sent(&room.closed("b", 1_000)),
        vec![("b".into(), json!({"closed": null}))]
    );
    assert!(room.tick(5_000).is_empty());
    let out = sent(&room.tick(6_100));
    assert_eq!(out[0], ("b".into(), json!({"closed": null})));
    assert_eq!(out[1].0, "a");
    assert_eq!(
        out[1].1["diff"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap(),
        &json!(["remove"])
    );
}

#[test]
fn protocol_versions_and_schemas_are_checked_at_connect() {
    let cases = [
        (json!(9), json!(schema()), Some("SERVER_TOO_OLD")),
        (json!(4), json!(schema()), Some("CLIENT_TOO_OLD")),
        (Value::Null, json!(schema()), Some("CLIENT_TOO_OLD")),
        (json!(7), json!(schema()), None),
        (json!(8), Value::Null, Some("CLIENT_TOO_OLD")),
        (
            json!(8),
            json!({"schemaVersion": 2, "sequences": {}}),
            Some("SERVER_TOO_OLD"),
        ),
    ];
    for (version, client_schema, refusal) in cases {
        let mut room = room();
        room.open("a", Access::Write, 0);
        let hello = json!({"type": "connect", "connectRequestId": "x", "lastServerClock": -1,
            "protocolVersion": version, "schema": client_schema});
        let out = sent(&room.receive("a", &hello.to_string(), 0));
        match refusal {
            Some(reason) => assert_eq!(out, vec![("a".into(), json!({"closed": reason}))]),
            None => assert_eq!(out[0].1["type"], "connect"),
        }
    }
    let mut room = room();
    room.open("a", Access::Write, 0);
    let six = json!({"type": "connect", "protocolVersion": 6, "schema": {}});
    let out = sent(&room.receive("a", &six.to_string(), 0));
    assert_eq!(
        out[0].1,
        json!({"type": "incompatibility_error", "reason": "serverTooOld"})
    );
    assert_eq!(out[1].1, json!({"closed": null}));
}

#[test]
fn deletes_leave_tombstones_that_old_clients_receive_until_pruned() {
    let mut room = room();
    connect(&mut room, "a", -1, 0);
    push(
        &mut room,
        "a",
        json!({"type": "push", "clientClock": 0, "diff": {"shape:a": ["remove"]}}),
        0,
    );
    let old = connect(&mut room, "b", 3, 0);
    assert_eq!(old["diff"], json!({"shape:a": ["remove"]}));
    let snapshot = room.document().snapshot();
    assert_eq!(snapshot["tombstones"], json!({"shape:a": 4}));
    let reloaded = Document::from_snapshot(&snapshot).unwrap();
    assert_eq!(&reloaded, room.document());
}

#[test]
fn a_drawing_session_owns_what_it_draws_and_cannot_touch_the_rest() {
    let mut room = room();
    connect(&mut room, "t", -1, 0);
    room.open("p", Access::WriteOwn("zoe".into()), 0);
    let hello = json!({"type": "connect", "connectRequestId": "x", "lastServerClock": -1,
        "protocolVersion": 8, "schema": schema()});
    let reply = sent(&room.receive("p", &hello.to_string(), 0));
    assert_eq!(reply[0].1["isReadonly"], false);
    let stroke =
        json!({"id": "shape:z", "typeName": "shape", "x": 1, "meta": {"createdBy": "liam"}});
    let out = push(
        &mut room,
        "p",
        json!({"type": "push", "clientClock": 0,
        "diff": {"shape:z": ["put", stroke], "page:new": ["put", {"id": "page:new", "typeName": "page"}]}}),
        1,
    );
    // The stroke is marked as Zoé's whatever she claimed; she may not add a page.
    let action = &out[0].1["action"]["rebaseWithDiff"];
    assert_eq!(action["shape:z"][1]["meta"]["createdBy"], "zoe");
    assert!(action.get("page:new").is_none());
    assert_eq!(
        room.document().get("shape:z").unwrap()["meta"]["createdBy"],
        "zoe"
    );
    let out = push(
        &mut room,
        "p",
        json!({"type": "push", "clientClock": 1,
        "diff": {"shape:z": ["patch", {"x": ["put", 9]}], "shape:a": ["remove"]}}),
        2,
    );
    assert_eq!(
        out[0].1["action"],
        json!({"rebaseWithDiff": {"shape:z": ["patch", {"x": ["put", 9]}]}})
    );
    assert!(
        room.document().get("shape:a").is_some(),
        "the slide's shape stays"
    );
    let out = push(
        &mut room,
        "p",
        json!({"type": "push", "clientClock": 2,
        "diff": {"shape:z": ["patch", {"meta": ["put", {}]}]}}),
        3,
    );
    assert_eq!(
        out[0].1["action"], "discard",
        "nor can she give her stroke away"
    );
    let out = push(
        &mut room,
        "t",
        json!({"type": "push", "clientClock": 0, "diff": {"shape:z": ["remove"]}}),
        4,
    );
    assert_eq!(out[0].1["action"], "commit", "the trainer may clear it");
}

#[test]
fn a_push_that_would_make_the_document_too_large_is_discarded_with_a_reason() {
    let mut room = room();
    connect(&mut room, "a", -1, 0);
    connect(&mut room, "b", -1, 0);
    let big = "x".repeat(5_000);
    let out = push(
        &mut room,
        "a",
        json!({"type": "push", "clientClock": 0,
        "presence": ["put", {"userName": "A"}],
        "diff": {"shape:big": ["put", {"id": "shape:big", "typeName": "shape", "x": 0, "text": big}]}}),
        1,
    );
    assert_eq!(
        out[0].1,
        json!({"type": "custom", "data": {"type": "document_too_large", "max_bytes": 4_000}})
    );
    assert_eq!(out[1].1["action"], "discard");
    assert!(room.document().get("shape:big").is_none());
    // Only the presence reached the others.
    let relayed: Vec<&String> = out[2].1["diff"].as_object().unwrap().keys().collect();
    assert!(
        relayed
            .iter()
            .all(|id| id.starts_with("instance_presence:")),
        "{relayed:?}"
    );
    // Shrinking is always allowed.
    let out = push(
        &mut room,
        "a",
        json!({"type": "push", "clientClock": 1, "diff": {"shape:a": ["remove"]}}),
        2,
    );
    assert_eq!(out[0].1["action"], "commit");
}
