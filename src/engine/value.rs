//! Lenient, path-aware reads of page-supplied JSON.
//!
//! Storefront contexts arrive as arbitrary JSON. These helpers read one field at a time and report
//! *where* a value was missing or of the wrong type, so that a bad input becomes a diagnostic naming
//! the field path (`changedProducts.items[0].product.sku`) instead of a panic or a silent default.

use super::json::{self, Map, Value};

/// The pieces of `text` between `separator` bytes (as `str::split` with an ASCII separator, but
/// without the general pattern-searching machinery, which costs the wasm about a kilobyte).
pub fn pieces(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let current = rest?;
        let (piece, after) = match split_at_byte(current, separator) {
            Some((piece, after)) => (piece, Some(after)),
            None => (current, None),
        };
        rest = after;
        Some(piece)
    })
}

/// `text` split at its first `separator` byte.
pub fn split_at_byte(text: &str, separator: u8) -> Option<(&str, &str)> {
    // An index loop: `bytes().position` measured twice the size in the wasm.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == separator {
            return Some((text.get(..i)?, text.get(i + 1..)?));
        }
        i += 1;
    }
    None
}

/// Looks up a dotted path of object keys (`"pricing.regularPrice"`); `None` when any step is absent
/// or not an object. JSON `null` counts as absent, as the reference's `||` fallbacks treat it.
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    map_at(value.as_object()?, path)
}

/// [`at`] for a payload that is still a bare object map.
pub fn map_at<'a>(map: &'a Map, path: &str) -> Option<&'a Value> {
    let (mut current, mut rest) = (map, path);
    while let Some((key, tail)) = split_at_byte(rest, b'.') {
        current = current.get(key)?.as_object()?;
        rest = tail;
    }
    current.get(rest).filter(|v| !v.is_null())
}

/// A present, non-empty string at `path`.
pub fn str_at<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    at(value, path).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A finite number at `path`; numeric strings (`"12.5"`) are accepted as JavaScript's `Number()` would.
pub fn num_at(value: &Value, path: &str) -> Option<f64> {
    at(value, path).and_then(as_number)
}

/// Converts a JSON number or numeric string to a finite `f64`.
pub fn as_number(value: &Value) -> Option<f64> {
    let n = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => json::parse_f64(s)?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// A JSON value rendered as JavaScript's `String(x)` would, for ids that may be numbers or strings.
pub fn as_id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(number_to_js_string(n)),
        _ => None,
    }
}

/// Formats a JSON number as JavaScript's `String(n)` does for ids: integral values without a
/// fraction (`42.0` → `42`), anything else as written.
pub fn number_to_js_string(n: &json::Number) -> String {
    let f = n.as_f64();
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        let mut out = String::new();
        json::push_int(&mut out, f as i64);
        out
    } else {
        n.as_str().to_owned()
    }
}

/// Sets `path` (dotted keys) inside `root`, creating objects on the way and replacing any
/// non-object met on the path.
pub fn set_path(root: &mut Map, path: &str, value: Value) {
    let (mut current, mut rest) = (root, path);
    while let Some((key, tail)) = split_at_byte(rest, b'.') {
        rest = tail;
        if !current.get(key).is_some_and(Value::is_object) {
            current.insert_value(key, Value::Object(Map::new()));
        }
        current = match current.get_mut(key) {
            Some(Value::Object(map)) => map,
            _ => return,
        };
    }
    current.insert_value(rest, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::json::json;

    #[test]
    fn reads_nested_paths_and_treats_null_as_absent() {
        let v = json!({"a": {"b": {"c": "x"}, "n": null, "num": "12.5"}});
        assert_eq!(str_at(&v, "a.b.c"), Some("x"));
        assert_eq!(at(&v, "a.n"), None);
        assert_eq!(num_at(&v, "a.num"), Some(12.5));
        assert_eq!(at(&v, "a.b.c.d"), None);
    }

    #[test]
    fn id_strings_follow_javascript_string_conversion() {
        assert_eq!(as_id_string(&json!(42)), Some("42".into()));
        assert_eq!(as_id_string(&json!(42.0)), Some("42".into()));
        assert_eq!(as_id_string(&json!(4.5)), Some("4.5".into()));
        assert_eq!(as_id_string(&json!("")), None);
    }

    #[test]
    fn set_path_creates_intermediate_objects() {
        let mut m = Map::new();
        set_path(&mut m, "web.webPageDetails.name", json!("home"));
        set_path(&mut m, "web.webPageDetails.pageViews.value", json!(1));
        assert_eq!(Value::Object(m), json!({"web": {"webPageDetails": {"name": "home", "pageViews": {"value": 1}}}}));
    }
}
