//! JSON values read the way JavaScript reads them, where tldraw's sync depends on it: deep
//! equality compares numbers by value (`1 == 1.0`), strings are measured in UTF-16 code units,
//! a key is turned into an array index the way `Number(key)` would.

use serde_json::Value;

/// lodash's `isEqual` on JSON values.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|other| equal(v, other)))
        }
        _ => a == b,
    }
}

/// `equal` where either side may be `undefined` (absent).
pub fn equal_opt(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => equal(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// JavaScript's falsy values among JSON ones: `null`, `false`, `0`, `""`.
pub fn falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// A non-null object or array (`typeof v === 'object' && v !== null`).
pub fn is_object_like(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Array(_))
}

/// `String.prototype.length`: UTF-16 code units.
pub fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `Number(v)` for a JSON value (`NaN` for objects and arrays of more than one item).
pub fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(items) if items.is_empty() => 0.0,
        Value::Array(items) if items.len() == 1 => to_number(&items[0]),
        _ => f64::NAN,
    }
}

/// `Number(s)`: trimmed, empty is 0, decimal or `0x`/`0o`/`0b` integers, `Infinity`.
pub fn string_to_number(s: &str) -> f64 {
    let s = s.trim();
    if s.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = s.strip_prefix(prefix) {
            return u128::from_str_radix(digits, radix)
                .map(|n| n as f64)
                .unwrap_or(f64::NAN);
        }
    }
    match s.trim_start_matches(['+', '-']) {
        "Infinity" if s.starts_with('-') => f64::NEG_INFINITY,
        "Infinity" => f64::INFINITY,
        // Rust accepts "inf", "nan" and such words that JavaScript does not.
        rest if rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b)) =>
        {
            s.parse().unwrap_or(f64::NAN)
        }
        _ => f64::NAN,
    }
}

/// The array index a property key names when read (`arr["1"]`): only canonical index strings.
pub fn read_index(key: &str) -> Option<usize> {
    let canonical = key == "0" || (!key.starts_with('0') && !key.is_empty());
    if !canonical || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>()
        .ok()
        .filter(|&i| i != u32::MAX)
        .map(|i| i as usize)
}

/// The array index `arr[Number(key)] = …` writes to, if `Number(key)` is an index at all.
pub fn write_index(key: &str) -> Option<usize> {
    let n = string_to_number(key);
    (n.fract() == 0.0 && n >= 0.0 && n < f64::from(u32::MAX)).then_some(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_equal_by_value_and_objects_regardless_of_order() {
        assert!(equal(&json!(1), &json!(1.0)));
        assert!(equal(
            &json!({"a": [1, {"b": 2}], "c": null}),
            &json!({"c": null, "a": [1.0, {"b": 2}]})
        ));
        assert!(!equal(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert!(!equal(&json!([1]), &json!({"0": 1})));
    }

    #[test]
    fn strings_measure_in_utf16_units() {
        assert_eq!(js_len("a😀é"), 4);
    }

    #[test]
    fn keys_become_indexes_as_in_javascript() {
        assert_eq!(read_index("1"), Some(1));
        assert_eq!(read_index("01"), None);
        assert_eq!(write_index("01"), Some(1));
        assert_eq!(write_index(""), Some(0));
        assert_eq!(write_index(" 2 "), Some(2));
        assert_eq!(write_index("0x10"), Some(16));
        assert_eq!(write_index("1.5"), None);
        assert_eq!(write_index("-1"), None);
        assert_eq!(write_index("length"), None);
        assert!(string_to_number("inf").is_nan());
        assert_eq!(string_to_number("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(to_number(&json!("8")), 8.0);
        assert!(to_number(&json!({})).is_nan());
    }
}
