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
/// number of `value` that fits an `i64` or `u64` as that integer, and says
/// whether it changed any: decoders read the payload again only then, so
/// the common payload, which writes integers as integers, is read once.
pub fn integral_floats_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => match integral(n.as_f64().unwrap_or(f64::NAN)) {
            Some(integer) => {
                *n = integer;
                true
            }
            None => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            integral_floats_as_integers(item) | changed
        }),
        Value::Object(entries) => entries.values_mut().fold(false, |changed, item| {
            integral_floats_as_integers(item) | changed
        }),
        _ => false,
    }
}

/// `x` as a JSON integer, when it has no fraction and an integer type
/// holds it exactly.
fn integral(x: f64) -> Option<serde_json::Number> {
    // 2^63 and 2^64, exact in f64: the bounds of i64 and u64.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if x.fract() != 0.0 || !x.is_finite() {
        return None;
    }
    if (-I64_END..I64_END).contains(&x) {
        Some((x as i64).into())
    } else if (0.0..U64_END).contains(&x) {
        Some((x as u64).into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::integral_floats_as_integers;
    use serde_json::json;

    #[test]
    fn numbers_with_a_zero_fraction_become_integers() {
        let mut value = json!({"a": 1.0, "b": [2.5, -3.0, 1e19, 1e20], "c": 4, "d": "5.0"});
        assert!(integral_floats_as_integers(&mut value));
        assert_eq!(
            value,
            json!({"a": 1, "b": [2.5, -3, 10_000_000_000_000_000_000u64, 1e20], "c": 4, "d": "5.0"})
        );
        let mut plain = json!({"a": 1, "b": [2.5]});
        assert!(!integral_floats_as_integers(&mut plain));
    }
}
