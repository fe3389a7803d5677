use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::engine::{Engine, EngineError, Limits};
use super::{RecordScope, SchemaCompat, TlSchema};
use crate::domain::tldraw::read_document;

static SCHEMA: LazyLock<TlSchema> = LazyLock::new(|| TlSchema::load().expect("the bundle loads"));

fn schema() -> &'static TlSchema {
    &SCHEMA
}

fn rich_text(text: &str) -> Value {
    json!({"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

fn geo_shape() -> Value {
    json!({
        "id": "shape:geo1", "typeName": "shape", "type": "geo", "x": 100, "y": 160, "rotation": 0,
        "index": "a3", "parentId": "page:page", "isLocked": false, "opacity": 1, "meta": {},
        "props": {
            "geo": "rectangle", "dash": "draw", "url": "", "w": 420, "h": 100, "growY": 0,
            "scale": 1, "flipX": false, "flipY": false, "labelColor": "black", "color": "violet",
            "fill": "semi", "size": "m", "font": "draw", "align": "middle",
            "verticalAlign": "middle", "richText": rich_text("Que vaut 2 + 3 × 4 ?")
        }
    })
}

/// A draw shape of `points` points, encoded the way tldraw 5 does (base64 of 16-bit floats:
/// the validator only sees a string of that length).
fn draw_shape(points: usize) -> Value {
    let path: String = "AAAAAAAAAAAA".chars().cycle().take(points * 8).collect();
    json!({
        "id": "shape:draw1", "typeName": "shape", "type": "draw", "x": 10, "y": 20, "rotation": 0,
        "index": "a4", "parentId": "page:page", "isLocked": false, "opacity": 1, "meta": {},
        "props": {
            "color": "black", "fill": "none", "dash": "draw", "size": "m",
            "segments": [{"type": "free", "path": path}],
            "isComplete": true, "isClosed": false, "isPen": false,
            "scale": 1, "scaleX": 1, "scaleY": 1
        }
    })
}

fn presence() -> Value {
    json!({
        "id": "instance_presence:abc", "typeName": "instance_presence",
        "userId": "user:trainer", "userName": "Alice", "lastActivityTimestamp": 1_700_000_000_000u64,
        "followingUserId": null,
        "cursor": {"x": 1.5, "y": 2, "type": "default", "rotation": 0},
        "color": "#FF0000", "camera": {"x": 0, "y": 0, "z": 1},
        "screenBounds": {"x": 0, "y": 0, "w": 1280, "h": 720},
        "selectedShapeIds": ["shape:geo1"], "currentPageId": "page:page",
        "brush": null, "scribbles": [], "chatMessage": "", "meta": {}
    })
}

fn page() -> Value {
    json!({"id": "page:page", "typeName": "page", "name": "Page 1", "index": "a1", "meta": {}})
}

/// `record` with the field at `pointer` set (added if its parent exists).
fn set(mut record: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let parent = record.pointer_mut(parent).expect("the parent exists");
    parent
        .as_object_mut()
        .expect("an object")
        .insert(key.into(), value);
    record
}

#[test]
fn the_pinned_schema_has_tldraw_5_4_2_sequences() {
    let serialized = schema().serialized();
    assert_eq!(serialized["schemaVersion"], 2);
    let sequences = &serialized["sequences"];
    for (sequence, version) in [
        ("com.tldraw.store", 5),
        ("com.tldraw.document", 2),
        ("com.tldraw.page", 1),
        ("com.tldraw.shape", 4),
        ("com.tldraw.instance", 26),
        ("com.tldraw.instance_presence", 6),
        ("com.tldraw.user", 1),
        ("com.tldraw.shape.geo", 12),
        ("com.tldraw.shape.note", 13),
        ("com.tldraw.shape.draw", 5),
        ("com.tldraw.shape.arrow", 8),
        ("com.tldraw.shape.text", 4),
        ("com.tldraw.shape.highlight", 4),
        ("com.tldraw.binding.arrow", 1),
    ] {
        assert_eq!(sequences[sequence], version, "{sequence}");
    }
}

#[test]
fn scopes_are_read_once_at_load() {
    let s = schema();
    for document in ["document", "page", "shape", "binding", "asset", "user"] {
        assert_eq!(s.scope(document), Some(RecordScope::Document), "{document}");
    }
    assert_eq!(s.scope("instance_presence"), Some(RecordScope::Presence));
    for session in ["instance", "instance_page_state", "camera", "pointer"] {
        assert_eq!(s.scope(session), Some(RecordScope::Session), "{session}");
    }
    for unknown in ["comment", "constructor", "__proto__", "toString", ""] {
        assert_eq!(s.scope(unknown), None, "{unknown}");
    }
}

#[test]
fn valid_records_of_several_types_pass() {
    let s = schema();
    let records = [
        json!({"id": "document:document", "typeName": "document", "name": "", "gridSize": 10, "meta": {}}),
        page(),
        geo_shape(),
        draw_shape(200),
        json!({"id": "user:u1", "typeName": "user", "name": "Alice", "color": "#ff0000", "imageUrl": "", "meta": {}}),
        json!({
            "id": "asset:a1", "typeName": "asset", "type": "image", "meta": {},
            "props": {"name": "a.png", "src": "data:image/png;base64,iVBORw0KGgo=", "w": 10, "h": 10,
                      "mimeType": "image/png", "isAnimated": false, "fileSize": 12}
        }),
    ];
    for record in records {
        assert_eq!(s.validate_new(&record), Ok(()), "{record}");
    }
}

#[test]
fn invalid_records_fail_with_tldraws_message() {
    let s = schema();
    let cases = [
        (
            set(geo_shape(), "/props/w", json!("wide")),
            "At shape(type = geo).props.w: Expected number, got a string",
        ),
        (
            set(geo_shape(), "/props/geo", json!("blob")),
            "At shape(type = geo).props.geo: Expected",
        ),
        (
            set(geo_shape(), "/props/url", json!("javascript:alert(1)")),
            "(invalid protocol)",
        ),
        (
            set(page(), "/name", json!(3)),
            "At page.name: Expected string, got a number",
        ),
        (
            set(page(), "/id", json!("shape:x")),
            "At page.id: Error: page ID must start with \"page:\"",
        ),
        (
            set(geo_shape(), "/props/unexpected", json!(1)),
            "At shape(type = geo).props.unexpected: Unexpected property",
        ),
        (
            set(geo_shape(), "/type", json!("blob")),
            "At shape.type: Expected one of",
        ),
    ];
    for (record, expected) in cases {
        let error = s.validate_new(&record).expect_err(&record.to_string());
        assert!(
            error.contains(expected),
            "{error:?} should contain {expected:?}"
        );
    }
}

#[test]
fn only_document_types_may_be_put_like_the_reference_room() {
    let s = schema();
    for record in [
        presence(),
        json!({"id": "camera:page:page", "typeName": "camera", "x": 0, "y": 0, "z": 1, "meta": {}}),
        json!({"id": "comment:1", "typeName": "comment"}),
        json!({"id": "x", "typeName": "constructor"}),
        json!({"id": "x", "typeName": "__proto__"}),
        json!({"id": "x"}),
        json!([1, 2]),
        json!("shape"),
        Value::Null,
    ] {
        assert_eq!(
            s.validate_new(&record),
            Err("invalid record".into()),
            "{record}"
        );
    }
}

#[test]
fn presence_is_validated_with_the_presence_type() {
    let s = schema();
    assert_eq!(s.validate_presence(&presence()), Ok(()));
    let mut missing = presence();
    missing.as_object_mut().unwrap().remove("userId");
    let error = s.validate_presence(&missing).unwrap_err();
    assert!(error.contains("instance_presence.userId"), "{error}");
    let error = s
        .validate_presence(&set(presence(), "/cursor/type", json!("laser-gun")))
        .unwrap_err();
    assert!(error.contains("cursor.type"), "{error}");
    assert_eq!(
        s.validate_presence(&geo_shape()),
        Err("invalid record".into())
    );
    // A presence patch goes through validate_update, as in the reference.
    let moved = set(presence(), "/cursor/x", json!(99));
    assert_eq!(s.validate_update(&presence(), &moved), Ok(()));
}

#[test]
fn an_update_validates_the_new_value_only_when_it_changed() {
    let s = schema();
    let bad = set(geo_shape(), "/props/w", json!(-5));
    // No change, no validation (the reference computes an empty diff and stops there).
    assert_eq!(s.validate_update(&bad, &bad), Ok(()));
    assert_eq!(
        s.validate_update(&geo_shape(), &set(geo_shape(), "/x", json!(7))),
        Ok(())
    );
    let error = s.validate_update(&geo_shape(), &bad).unwrap_err();
    assert!(error.contains("props.w"), "{error}");
    // 1 and 1.0 are one number in JavaScript: no change.
    let float = set(geo_shape(), "/x", json!(100.0));
    assert_eq!(s.validate_update(&geo_shape(), &float), Ok(()));
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tldraw")
}

fn fixture_snapshot(file: &str) -> Value {
    let text = std::fs::read_to_string(fixture_dir().join(file)).expect("fixture");
    read_document(Value::String(text))
        .expect("a tldraw 2+ document")
        .snapshot
}

const BAD_FIXTURE: &str = "Dhruv-Boghani__RIFT-CI-CD__architecture.tldr";

/// The fixtures that the manifest says are tldraw 2+ documents (so not the tldraw 1 file).
fn tldraw2_fixtures() -> Vec<String> {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join("manifest.json")).unwrap(),
    )
    .unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["format"] != "legacy-v1")
        .map(|f| f["file"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn old_capsules_migrate_to_the_pinned_schema_and_then_validate() {
    let s = schema();
    let files = tldraw2_fixtures();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let migrated = s
            .migrate_store_snapshot(&fixture_snapshot(&file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(&migrated["schema"], s.serialized(), "{file}");
        let store = migrated["store"].as_object().unwrap();
        assert!(!store.is_empty(), "{file}");
        let mut failures = Vec::new();
        for record in store.values() {
            let type_name = record["typeName"].as_str().unwrap();
            assert_eq!(s.scope(type_name), Some(RecordScope::Document), "{file}");
            if let Err(error) = s.validate_new(record) {
                failures.push(error);
            }
        }
        if file == BAD_FIXTURE {
            assert!(
                failures.iter().any(|e| e.contains(
                    "At shape(type = arrow).props.labelPosition: Expected number, got undefined"
                )),
                "{failures:?}"
            );
        } else {
            assert!(failures.is_empty(), "{file}: {failures:?}");
        }
    }
}

#[test]
fn a_tldraw_2_0_capsule_gets_rich_text() {
    let s = schema();
    let snapshot = fixture_snapshot("metatypedev__ghjk__architecture.tldr");
    assert_eq!(snapshot["schema"]["schemaVersion"], 1);
    let before = snapshot["store"].as_object().unwrap();
    let old_text = before
        .values()
        .find(|r| r["typeName"] == "shape" && r["props"]["text"] == "Ports Module")
        .expect("a shape with text")
        .clone();
    let migrated = s.migrate_store_snapshot(&snapshot).unwrap();
    let after = &migrated["store"][old_text["id"].as_str().unwrap()];
    assert!(after["props"].get("text").is_none(), "{after}");
    assert_eq!(after["props"]["richText"], rich_text("Ports Module"));
    // Session records (instance, camera, pointer, page states) are gone.
    assert!(before.values().any(|r| r["typeName"] == "instance"));
    assert!(
        migrated["store"]
            .as_object()
            .unwrap()
            .values()
            .all(|r| s.scope(r["typeName"].as_str().unwrap()) == Some(RecordScope::Document))
    );
}

#[test]
fn a_current_capsule_is_filtered_to_document_scope_too() {
    let s = schema();
    let snapshot = fixture_snapshot("synthetic-5-pages-fr.tldr");
    assert_eq!(&snapshot["schema"], s.serialized());
    let migrated = s.migrate_store_snapshot(&snapshot).unwrap();
    let store = migrated["store"].as_object().unwrap();
    assert!(
        store.keys().all(|id| !id.starts_with("instance")),
        "{store:?}"
    );
    assert!(store.contains_key("document:document"));
}

#[test]
fn migration_refuses_newer_schemas_and_unknown_types() {
    let s = schema();
    let mut newer = s.serialized().clone();
    newer["sequences"]["com.tldraw.shape.geo"] = json!(99);
    let error = s
        .migrate_store_snapshot(&json!({"store": {}, "schema": newer}))
        .unwrap_err();
    assert!(error.contains("Incompatible schema"), "{error}");
    let error = s
        .migrate_store_snapshot(&json!({
            "store": {"x:1": {"id": "x:1", "typeName": "x"}},
            "schema": s.serialized()
        }))
        .unwrap_err();
    assert!(error.contains("unknown type"), "{error}");
    assert!(s.migrate_store_snapshot(&json!({"store": []})).is_err());
}

#[test]
fn schema_comparison_follows_the_reference_room() {
    let s = schema();
    assert_eq!(s.compare_schema(s.serialized()), SchemaCompat::Same);
    // A client with an extra (custom) sequence needs no migration: the reference accepts it.
    let mut custom = s.serialized().clone();
    custom["sequences"]["com.example.shape.card"] = json!(3);
    assert_eq!(s.compare_schema(&custom), SchemaCompat::Same);
    // tldraw 5.1 (note 12, draw 4, geo 11): record migrations with a down: older, reachable.
    let mut older = s.serialized().clone();
    older["sequences"]["com.tldraw.shape.geo"] = json!(11);
    assert_eq!(s.compare_schema(&older), SchemaCompat::ClientOlder);
    let mut newer = s.serialized().clone();
    newer["sequences"]["com.tldraw.shape.geo"] = json!(13);
    assert_eq!(s.compare_schema(&newer), SchemaCompat::ServerTooOld);
    // tldraw 2.0's schema: store migrations in between, which cannot be undone.
    let v1 = fixture_snapshot("metatypedev__ghjk__architecture.tldr")["schema"].clone();
    assert_eq!(s.compare_schema(&v1), SchemaCompat::ClientTooOld);
    assert_eq!(s.compare_schema(&Value::Null), SchemaCompat::ClientTooOld);
    assert_eq!(
        s.compare_schema(&json!({"schemaVersion": 3, "sequences": {}})),
        SchemaCompat::ServerTooOld
    );
    assert_eq!(
        s.compare_schema(&json!({"schemaVersion": 1})),
        SchemaCompat::ClientTooOld
    );
}

#[test]
fn hostile_records_are_refused_without_harm() {
    let s = schema();
    // Prototype tricks: keys are data, never the object's prototype.
    let proto: Value =
        serde_json::from_str(r#"{"id":"page:p","typeName":"page","name":"P","index":"a1","meta":{},"__proto__":{"typeName":"shape"}}"#)
            .unwrap();
    let error = s.validate_new(&proto).unwrap_err();
    assert!(error.contains("__proto__: Unexpected property"), "{error}");
    let meta_proto = set(
        page(),
        "/meta",
        json!({"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}),
    );
    assert_eq!(s.validate_new(&meta_proto), Ok(()));
    let constructor = set(page(), "/typeName", json!("constructor"));
    assert_eq!(s.validate_new(&constructor), Err("invalid record".into()));
    // Nothing leaked into the engine's Object.prototype.
    assert_eq!(s.validate_new(&page()), Ok(()));
    assert_eq!(s.validate_new(&set(page(), "/meta", json!({}))), Ok(()));

    // A 10 MB string: validated (a page name may be long), in bounded time and memory.
    let huge = "x".repeat(10 << 20);
    assert_eq!(s.validate_new(&set(page(), "/name", json!(huge))), Ok(()));
    let error = s
        .validate_new(&set(geo_shape(), "/props/url", json!(huge)))
        .unwrap_err();
    assert!(error.contains("Expected a valid url"), "{}", &error[..200]);

    // Deep nesting (deeper than serde_json parses, which stops at 128): an error from the JS
    // stack limit, not a crash. Built on a thread with room for serde_json's own recursion.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut deep = json!(1);
            for _ in 0..100_000 {
                deep = Value::Array(vec![deep]);
            }
            let mut record = page();
            record["meta"]["deep"] = deep;
            let error = schema().validate_new(&record).unwrap_err();
            assert!(
                error.contains("Maximum call stack size exceeded"),
                "{error}"
            );
        })
        .unwrap()
        .join()
        .unwrap();

    // The pool still answers correctly afterwards.
    assert_eq!(s.validate_new(&geo_shape()), Ok(()));
}

fn small_limits() -> Limits {
    Limits {
        memory_bytes: 64 << 20,
        call_budget: Duration::from_millis(300),
        ..Limits::default()
    }
}

#[test]
fn an_infinite_loop_is_interrupted_and_the_engine_stays_usable() {
    let engine = Engine::new(small_limits()).unwrap();
    let started = Instant::now();
    let error = engine
        .eval_for_test("for (;;) {}", Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(error, EngineError::Interrupted);
    assert!(started.elapsed() < Duration::from_secs(5));
    // Not even a catch-all in the script keeps it alive.
    let error = engine
        .eval_for_test(
            "for (;;) { try { for (;;) {} } catch {} }",
            Duration::from_millis(100),
        )
        .unwrap_err();
    assert_eq!(error, EngineError::Interrupted);
    assert_eq!(
        engine.eval_for_test("1 + 1", Duration::from_secs(1)),
        Ok("2".into())
    );
}

#[test]
fn the_memory_limit_stops_a_runaway_allocation() {
    let engine = Engine::new(small_limits()).unwrap();
    let error = engine
        .eval_for_test(
            "const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length)",
            Duration::from_secs(10),
        )
        .unwrap_err();
    assert!(
        matches!(&error, EngineError::Failed(m) if m.contains("out of memory")),
        "{error:?}"
    );
    assert_eq!(
        engine.eval_for_test("'ok'", Duration::from_secs(1)),
        Ok("ok".into())
    );
}

#[test]
fn the_pool_replaces_an_engine_whose_call_failed() {
    let s = TlSchema::load_with(1, small_limits()).unwrap();
    let result =
        s.with_engine(|engine| engine.eval_for_test("for (;;) {}", Duration::from_millis(50)));
    assert_eq!(result, Err(EngineError::Interrupted));
    // A global left by the failed call is gone: the engine is a fresh one.
    s.with_engine(|engine| engine.eval_for_test("globalThis.leftover = 1", Duration::from_secs(1)))
        .unwrap();
    let result = s.with_engine(|e| e.eval_for_test("for (;;) {}", Duration::from_millis(50)));
    assert!(result.is_err());
    let leftover = s
        .with_engine(|engine| engine.eval_for_test("typeof leftover", Duration::from_secs(1)))
        .unwrap();
    assert_eq!(leftover, "undefined");
    assert_eq!(s.validate_new(&geo_shape()), Ok(()));
}

#[test]
fn the_schema_is_shared_by_many_threads() {
    let s = Arc::new(TlSchema::load_with(2, Limits::default()).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || {
                for j in 0..50 {
                    let record = set(geo_shape(), "/x", json!(i * 1000 + j));
                    assert_eq!(s.validate_new(&record), Ok(()));
                    assert!(
                        s.validate_new(&set(record, "/props/h", json!("tall")))
                            .is_err()
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn the_polyfills_behave_like_the_web_apis() {
    let engine = Engine::new(Limits::default()).unwrap();
    let eval = |code: &str| engine.eval_for_test(code, Duration::from_secs(1)).unwrap();
    // URL: WHATWG parsing (Rust's url crate), as the link and src validators use it.
    assert_eq!(
        eval("new URL('HTTPS://Example.com:443/a/../b?x=1#h').href"),
        "https://example.com/b?x=1#h"
    );
    assert_eq!(eval("new URL('mailto:a@b.c').protocol"), "mailto:");
    assert_eq!(
        eval("new URL('/img.png', 'http://example.com').href"),
        "http://example.com/img.png"
    );
    assert_eq!(eval("URL.canParse('not a url')"), "false");
    assert_eq!(eval("URL.canParse('http://exa mple.com')"), "false");
    assert_eq!(
        eval("try { new URL('') } catch (e) { e instanceof TypeError }"),
        "true"
    );
    assert_eq!(
        eval("new URL('https://www.youtube.com/embed/x?a=1&b=2').hostname"),
        "www.youtube.com"
    );
    assert_eq!(
        eval(
            "const u = new URL('https://x.y/embed?url=https%3A%2F%2Fa.b%2Fc&k=v'); u.searchParams.get('url')"
        ),
        "https://a.b/c"
    );
    assert_eq!(
        eval(
            "const v = new URL('https://x.y/p/embed?a=1&b=2'); v.pathname = v.pathname.replace(/\\/embed$/, '/pub'); v.searchParams.delete('a'); v.searchParams.set('c', 'd e'); v.href"
        ),
        "https://x.y/p/pub?b=2&c=d+e"
    );
    // structuredClone keeps "__proto__" as a key and undefined values.
    assert_eq!(
        eval(
            "const o = JSON.parse('{\"__proto__\": {\"a\": 1}}'); const c = structuredClone(o); [Object.getPrototypeOf(c) === Object.prototype, Object.keys(c).join(), c.__proto__.a].join()"
        ),
        "true,__proto__,1"
    );
    assert_eq!(
        eval(
            "const d = structuredClone({a: undefined, b: [1, {c: 2}]}); ['a' in d, d.b[1].c].join()"
        ),
        "true,2"
    );
    assert_eq!(
        eval("try { structuredClone({f() {}}); 'cloned' } catch (e) { 'refused' }"),
        "refused"
    );
    // crypto.getRandomValues fills the array.
    assert_eq!(
        eval("crypto.getRandomValues(new Uint8Array(64)).some((b) => b !== 0)"),
        "true"
    );
    assert_eq!(eval("typeof console.error"), "function");
}

/// The corpus of records (`{"record": ..., "lane"?: "presence"}`) and the verdicts the reference
/// (tldraw 5.4.2's room, in Node) gave them, made by tests/tldraw-ref/. PRATICO_TLDRAW_CORPUS
/// points elsewhere. Missing files fail the test.
#[test]
fn verdicts_match_the_reference_on_the_corpus() {
    let dir = std::env::var("PRATICO_TLDRAW_CORPUS").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tldraw-ref/corpus"),
        PathBuf::from,
    );
    let read = |name: &str| -> Vec<Value> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (set PRATICO_TLDRAW_CORPUS)", path.display()));
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).expect("one JSON value per line"))
            .collect()
    };
    let records = read("records.jsonl");
    let verdicts = read("verdicts.jsonl");
    assert_eq!(records.len(), verdicts.len(), "one verdict per record");
    assert!(!records.is_empty());
    let s = schema();
    let mut mismatches = Vec::new();
    for (i, (line, verdict)) in records.iter().zip(&verdicts).enumerate() {
        let record = &line["record"];
        // The presence lane: the room overwrites id and typeName before validating.
        let ours = if line["lane"] == "presence" {
            let mut presence = record.as_object().cloned().unwrap_or_default();
            presence.insert("id".into(), json!("instance_presence:oracle"));
            presence.insert("typeName".into(), json!("instance_presence"));
            s.validate_presence(&Value::Object(presence))
        } else {
            s.validate_new(record)
        };
        let expected = verdict["ok"].as_bool().expect("a verdict has ok");
        if ours.is_ok() != expected {
            let short = |v: &Value| v.to_string().chars().take(300).collect::<String>();
            mismatches.push(format!(
                "line {}: reference {} ({}), ours {:?}: {}",
                i + 1,
                if expected { "accepts" } else { "refuses" },
                verdict["error"].as_str().unwrap_or(""),
                ours,
                short(record)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} verdicts differ:\n{}",
        mismatches.len(),
        records.len(),
        mismatches.join("\n")
    );
}
