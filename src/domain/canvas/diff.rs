//! tldraw's network diff: how one record becomes another, op by op, and how an op applies.
//!
//! A record op is `["put", record]`, `["patch", objectDiff]` or `["remove"]`; an object diff maps
//! a key (an index for arrays) to `["put", value]`, `["delete"]`, `["append", tail, offset]` or
//! `["patch", objectDiff]`. The diffs computed here are the ones tldraw computes (strings that
//! grow become appends, arrays that grow at the end become appends, an array with more than a
//! fifth of its items changed is put whole), so a client sees the same ops from this server as
//! from the reference. Ops are kept as JSON values: a client may send anything, and whatever is
//! not a known op is ignored, as the reference ignores it.

use serde_json::{Map, Value, json};

use super::js;

/// The keys of a record whose values are always diffed in depth.
const NESTED_KEYS: [&str; 2] = ["props", "meta"];

/// The ops that turn record `prev` into `next`, or `None` if they are equal. `legacy` leaves out
/// string appends (for clients of protocol 7).
pub fn diff_record(prev: &Value, next: &Value, legacy: bool) -> Option<Map<String, Value>> {
    diff_object(prev, next, true, legacy)
}

fn keys(v: &Value) -> Vec<String> {
    match v {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => (0..items.len()).map(|i| i.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// `obj[key]` for an object or array.
fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(map) => map.get(key),
        Value::Array(items) => js::read_index(key).and_then(|i| items.get(i)),
        _ => None,
    }
}

fn diff_object(
    prev: &Value,
    next: &Value,
    top_level: bool,
    legacy: bool,
) -> Option<Map<String, Value>> {
    let mut result = Map::new();
    for key in keys(prev) {
        let (Some(before), after) = (get(prev, &key), get(next, &key)) else {
            continue;
        };
        let Some(after) = after else {
            result.insert(key, json!(["delete"]));
            continue;
        };
        let in_depth = (top_level && NESTED_KEYS.contains(&key.as_str()))
            || (before.is_array() && after.is_array())
            || (before.is_string() && after.is_string());
        if in_depth {
            if let Some(op) = diff_value(before, after, legacy) {
                result.insert(key, op);
            }
        } else if !js::equal(before, after) {
            result.insert(key, json!(["put", after]));
        }
    }
    for key in keys(next) {
        if get(prev, &key).is_none() {
            let value = get(next, &key).cloned().unwrap_or(Value::Null);
            result.insert(key, json!(["put", value]));
        }
    }
    (!result.is_empty()).then_some(result)
}

fn diff_value(a: &Value, b: &Value, legacy: bool) -> Option<Value> {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => diff_array(x, y, legacy),
        (Value::String(x), Value::String(y)) => {
            if x == y {
                None
            } else if !legacy && y.starts_with(x.as_str()) {
                Some(json!(["append", &y[x.len()..], js::js_len(x)]))
            } else {
                Some(json!(["put", y]))
            }
        }
        _ if !js::is_object_like(a) || !js::is_object_like(b) => {
            (!js::equal(a, b)).then(|| json!(["put", b]))
        }
        _ => diff_object(a, b, false, legacy).map(|d| json!(["patch", d])),
    }
}

fn diff_array(prev: &[Value], next: &[Value], legacy: bool) -> Option<Value> {
    if prev.len() == next.len() {
        let most = (prev.len() as f64 / 5.0).max(1.0);
        let mut changed = Vec::new();
        for (i, (a, b)) in prev.iter().zip(next).enumerate() {
            if !js::equal(a, b) {
                changed.push(i);
                if changed.len() as f64 > most {
                    return Some(json!(["put", next]));
                }
            }
        }
        if changed.is_empty() {
            return None;
        }
        let mut diff = Map::new();
        for i in changed {
            let (a, b) = (&prev[i], &next[i]);
            let op = if js::falsy(a) || js::falsy(b) {
                Some(json!(["put", b]))
            } else if js::is_object_like(a) && js::is_object_like(b) {
                diff_value(a, b, legacy)
            } else {
                Some(json!(["put", b]))
            };
            if let Some(op) = op {
                diff.insert(i.to_string(), op);
            }
        }
        return Some(json!(["patch", diff]));
    }
    if prev.iter().zip(next).any(|(a, b)| !js::equal(a, b)) || next.len() < prev.len() {
        return Some(json!(["put", next]));
    }
    Some(json!(["append", &next[prev.len()..], prev.len()]))
}

/// JavaScript threw a `TypeError` (`Object.entries(null)`): the reference then closes the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeError;

/// Applies an object diff; `Ok(None)` when nothing changed (the reference keeps the same
/// object). Malformed ops are ignored, as by the reference, except a missing inner diff.
pub fn apply_object_diff(object: &Value, diff: &Value) -> Result<Option<Value>, TypeError> {
    if !js::is_object_like(object) {
        return Ok(None);
    }
    if diff.is_null() {
        return Err(TypeError);
    }
    let mut copy: Option<Value> = None;
    for (key, op) in entries(diff) {
        let current = get(object, &key);
        let Some(op) = op.as_array() else { continue };
        match op.first().and_then(Value::as_str) {
            Some("put") => {
                let value = op.get(1);
                if !js::equal_opt(current, value) {
                    set(
                        copy.get_or_insert_with(|| object.clone()),
                        &key,
                        value.cloned(),
                    );
                }
            }
            Some("append") => {
                let offset = op.get(2).and_then(Value::as_f64);
                let grown = match (current, op.get(1)) {
                    (Some(Value::Array(items)), Some(Value::Array(tail)))
                        if offset == Some(items.len() as f64) =>
                    {
                        Some(Value::Array(items.iter().chain(tail).cloned().collect()))
                    }
                    (Some(Value::String(text)), Some(Value::String(tail)))
                        if offset == Some(js::js_len(text) as f64) =>
                    {
                        Some(Value::String(format!("{text}{tail}")))
                    }
                    _ => None,
                };
                if let Some(grown) = grown {
                    set(
                        copy.get_or_insert_with(|| object.clone()),
                        &key,
                        Some(grown),
                    );
                }
            }
            Some("patch") => {
                if let Some(current) = current.filter(|c| js::is_object_like(c)) {
                    let inner = op.get(1).unwrap_or(&Value::Null);
                    if let Some(patched) = apply_object_diff(current, inner)? {
                        set(
                            copy.get_or_insert_with(|| object.clone()),
                            &key,
                            Some(patched),
                        );
                    }
                }
            }
            Some("delete") if current.is_some() => {
                match copy.get_or_insert_with(|| object.clone()) {
                    Value::Object(map) => {
                        map.remove(&key);
                    }
                    // Deleting an array item leaves a hole, which JSON writes as null.
                    Value::Array(items) => {
                        if let Some(item) = js::read_index(&key).and_then(|i| items.get_mut(i)) {
                            *item = Value::Null;
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(copy)
}

/// `Object.entries(diff)`: an object's entries, an array's by index, nothing for the rest.
pub fn entries(v: &Value) -> Vec<(String, &Value)> {
    match v {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    }
}

/// `target[key] = value` on a copy; `undefined` (`None`) drops an object key when written as
/// JSON, and an array written past its end grows with holes (nulls in JSON).
fn set(target: &mut Value, key: &str, value: Option<Value>) {
    match target {
        // Setting `__proto__` changes an object's prototype, never its JSON.
        Value::Object(_) if key == "__proto__" => {}
        Value::Object(map) => match value {
            Some(value) => {
                map.insert(key.to_owned(), value);
            }
            None => {
                map.remove(key);
            }
        },
        Value::Array(items) => {
            if let Some(i) = js::write_index(key) {
                if i >= items.len() {
                    items.resize(i + 1, Value::Null);
                }
                items[i] = value.unwrap_or(Value::Null);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
