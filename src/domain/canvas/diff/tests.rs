use serde_json::{Value, json};

use super::*;

fn shape(x: f64, text: &str, points: Value) -> Value {
    json!({"id": "shape:a", "typeName": "shape", "x": x, "index": "a1",
           "props": {"text": text, "points": points}, "meta": {}})
}

fn round_trip(prev: &Value, next: &Value) {
    let diff = diff_record(prev, next, false).map(Value::Object);
    let applied = match &diff {
        Some(diff) => apply_object_diff(prev, diff)
            .unwrap()
            .unwrap_or(prev.clone()),
        None => prev.clone(),
    };
    assert!(
        js::equal(&applied, next),
        "{prev} -> {next} via {diff:?} gave {applied}"
    );
}

#[test]
fn equal_records_have_no_diff_even_when_numbers_are_written_differently() {
    let a = shape(1.0, "hi", json!([1, 2]));
    let b = json!({"id": "shape:a", "typeName": "shape", "x": 1, "index": "a1",
                   "props": {"text": "hi", "points": [1.0, 2.0]}, "meta": {}});
    assert_eq!(diff_record(&a, &b, false), None);
}

#[test]
fn growing_text_and_arrays_become_appends_with_utf16_offsets() {
    let a = shape(0.0, "h😀", json!([1, 2]));
    let b = shape(5.0, "h😀llo", json!([1, 2, 3]));
    let diff = diff_record(&a, &b, false).unwrap();
    assert_eq!(
        Value::Object(diff),
        json!({"x": ["put", 5.0], "props": ["patch", {
            "text": ["append", "llo", 3], "points": ["append", [3], 2]}]})
    );
    let legacy = diff_record(&a, &b, true).unwrap();
    assert_eq!(
        legacy["props"],
        json!(["patch", {"text": ["put", "h😀llo"], "points": ["append", [3], 2]}])
    );
    round_trip(&a, &b);
}

#[test]
fn arrays_with_more_than_a_fifth_changed_are_put_whole() {
    let a = shape(0.0, "", json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    let two = shape(0.0, "", json!([0, 2, 3, 4, 5, 6, 7, 8, 9, 0]));
    assert_eq!(
        Value::Object(diff_record(&a, &two, false).unwrap()),
        json!({"props": ["patch", {"points": ["patch", {"0": ["put", 0], "9": ["put", 0]}]}]})
    );
    let three = shape(0.0, "", json!([0, 0, 3, 4, 5, 6, 7, 8, 9, 0]));
    assert_eq!(
        diff_record(&a, &three, false).unwrap()["props"],
        json!(["patch", {"points": ["put", [0, 0, 3, 4, 5, 6, 7, 8, 9, 0]]}])
    );
    round_trip(&a, &two);
    round_trip(&a, &three);
    round_trip(&three, &shape(1.0, "x", json!([0])));
}

#[test]
fn props_and_meta_are_patched_in_depth_but_deeper_objects_put_whole() {
    let a = json!({"id": "x", "props": {"a": {"b": 1, "c": 2}}, "meta": {"k": 1}, "extra": true});
    let b = json!({"id": "x", "props": {"a": {"b": 1, "c": 3}}, "meta": {}});
    assert_eq!(
        Value::Object(diff_record(&a, &b, false).unwrap()),
        json!({"props": ["patch", {"a": ["put", {"b": 1, "c": 3}]}],
               "meta": ["patch", {"k": ["delete"]}], "extra": ["delete"]})
    );
    round_trip(&a, &b);
    round_trip(&b, &a);
}

#[test]
fn ops_that_do_not_fit_are_ignored() {
    let a = shape(0.0, "ab", json!([1]));
    let wrong_offset = json!({"props": ["patch", {"text": ["append", "c", 1]}]});
    assert_eq!(apply_object_diff(&a, &wrong_offset).unwrap(), None);
    let wrong_kind = json!({"props": ["patch", {"text": ["append", [1], 2]}], "x": ["patch", {"y": ["put", 1]}]});
    assert_eq!(apply_object_diff(&a, &wrong_kind).unwrap(), None);
    let garbage = json!({"x": "put", "y": ["bogus"], "z": 7, "props": ["put"]});
    // `["put"]` puts `undefined`: the key disappears from the JSON.
    let applied = apply_object_diff(&a, &garbage).unwrap().unwrap();
    assert!(applied.get("props").is_none());
    assert_eq!(applied["x"], json!(0.0));
    let same = json!({"x": ["put", 0], "props": ["patch", {"text": ["put", "ab"]}]});
    assert_eq!(apply_object_diff(&a, &same).unwrap(), None);
}

#[test]
fn a_missing_inner_diff_is_a_type_error_as_in_javascript() {
    let a = shape(0.0, "ab", json!([1]));
    assert_eq!(
        apply_object_diff(&a, &json!({"props": ["patch"]})),
        Err(TypeError)
    );
    assert_eq!(apply_object_diff(&a, &Value::Null), Err(TypeError));
    // On a key that is not an object, the patch is skipped before the diff is read.
    assert_eq!(apply_object_diff(&a, &json!({"x": ["patch"]})), Ok(None));
}

#[test]
fn array_writes_follow_number_conversion_and_deletes_leave_holes() {
    let a = json!({"points": [1, 2, 3]});
    let diff = json!({"points": ["patch", {"01": ["put", 9], "5": ["put", 6], "2": ["delete"], "x": ["put", 1]}]});
    let applied = apply_object_diff(&a, &diff).unwrap().unwrap();
    assert_eq!(applied, json!({"points": [1, 9, null, null, null, 6]}));
    let proto = json!({"__proto__": ["put", {"polluted": true}]});
    assert_eq!(apply_object_diff(&a, &proto).unwrap(), Some(a.clone()));
}
