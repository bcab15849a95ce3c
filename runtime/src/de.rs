//! serde helpers named by generated `#[serde(deserialize_with)]` attributes.

use serde::{Deserialize, Deserializer};

/// An optional property whose schema does not admit `null`: absent reads
/// as `None` (through `#[serde(default)]`), an explicit `null` is refused
/// as it is by JSON Schema rather than read as absent.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// JSON Schema counts a number with a zero fraction (`1.0`, `2e3`) as an
/// `integer`, where serde refuses it for a Rust integer. Rewrites each such
/// number of `value` that fits an `i64` or `u64` as that integer. A union's
/// decoder calls it before trying its branches, so `1.0` matches an
/// `integer` branch whatever else the payload holds.
pub fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(integer) = n.as_f64().and_then(crate::upcast::whole) {
                *value = integer;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(entries) => entries.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// Whether [`integral_floats_as_integers`] would change `value`, without
/// copying it.
pub fn holds_integral_floats(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .filter(|_| n.is_f64())
            .and_then(crate::upcast::whole)
            .is_some(),
        Value::Array(items) => items.iter().any(holds_integral_floats),
        Value::Object(entries) => entries.values().any(holds_integral_floats),
        _ => false,
    }
}

/// JSON text with each number written with a zero fraction (`1.0`, `-2.00`,
/// `3e2`) written as the integer it is; `None` when it has none. The text
/// is rewritten rather than read into a `Value`, so a typed decode of the
/// result still refuses what it refuses in the original (a repeated key).
/// `<digits>.<zeros>` keeps its digits exactly; an exponent form is read as
/// an `f64`, as [`integral_floats_as_integers`] reads it.
pub fn integral_numbers_in_text(json: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut copied = 0;
    let mut at = 0;
    while at < json.len() {
        match json[at] {
            b'"' => at = string_end(json, at + 1),
            b'-' | b'0'..=b'9' => {
                let start = at;
                while at < json.len()
                    && matches!(json[at], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    at += 1;
                }
                if let Some(integer) = integer_text(&json[start..at]) {
                    out.extend_from_slice(&json[copied..start]);
                    out.extend_from_slice(integer.as_bytes());
                    copied = at;
                }
            }
            _ => at += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.extend_from_slice(&json[copied..]);
    Some(out)
}

/// Where the string whose text starts at `at` ends (after its quote).
fn string_end(json: &[u8], mut at: usize) -> usize {
    while at < json.len() {
        match json[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    json.len()
}

/// A number token with a fraction or exponent that is an integer, as
/// integer text.
fn integer_text(token: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(token).ok()?;
    if let Some((whole, fraction)) = text.split_once('.') {
        let plain = !fraction.is_empty() && fraction.bytes().all(|b| b == b'0');
        if plain && !whole.is_empty() {
            return Some(whole.to_owned());
        }
    }
    if !text.contains(['e', 'E']) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    crate::upcast::whole(value).map(|integer| integer.to_string())
}

#[cfg(test)]
mod tests {
    use super::{holds_integral_floats, integral_floats_as_integers, integral_numbers_in_text};
    use serde_json::json;

    #[test]
    fn integral_numbers_are_rewritten_in_text_and_strings_are_left_alone() {
        let text =
            br#"{"a": 1.0, "b": [-2.00, 3e2, 2.5, 1e300], "c": "4.0", "d\"\\": 5.0, "e": 7}"#;
        let rewritten = integral_numbers_in_text(text).expect("changed");
        assert_eq!(
            String::from_utf8(rewritten).unwrap(),
            r#"{"a": 1, "b": [-2, 300, 2.5, 1e300], "c": "4.0", "d\"\\": 5, "e": 7}"#
        );
        assert_eq!(integral_numbers_in_text(br#"{"a": 1, "b": "1.0"}"#), None);
        // Exact digits, past what an f64 holds.
        let big = integral_numbers_in_text(b"[9007199254740993.0]").expect("changed");
        assert_eq!(big, b"[9007199254740993]");
    }

    #[test]
    fn numbers_with_a_zero_fraction_become_integers() {
        let mut value = json!({"a": 1.0, "b": [2.5, -3.0, 1e19, 1e20], "c": 4, "d": "5.0"});
        assert!(holds_integral_floats(&value));
        integral_floats_as_integers(&mut value);
        assert_eq!(
            value,
            json!({"a": 1, "b": [2.5, -3, 10_000_000_000_000_000_000u64, 1e20], "c": 4, "d": "5.0"})
        );
        let mut plain = json!({"a": 1, "b": [2.5]});
        assert!(!holds_integral_floats(&plain));
        let before = plain.clone();
        integral_floats_as_integers(&mut plain);
        assert_eq!(plain, before);
        assert!(holds_integral_floats(&json!({"a": [1.0]})));
    }
}
