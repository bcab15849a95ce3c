//! The scalar conversions of `convert`, once: the JSON form of the steps
//! and the typed conversions the compiler generates both call these, so a
//! text or a number converts the same way whichever form runs.

use serde_json::{Number, Value};

use super::steps::{kind, Reason, Scalar};

/// The smallest and one past the largest integer a `convert` yields: the
/// union of the `i64` and `u64` ranges, every integer a generated type
/// (`i32`, `i64`, `u32`, `u64`) can hold.
const MIN: i128 = i64::MIN as i128;
const END: i128 = u64::MAX as i128 + 1;

/// The converted value, or `None` when the value is already of type `to`.
pub(super) fn convert(value: &Value, to: Scalar) -> Result<Option<Value>, Reason> {
    match (value, to) {
        (Value::String(_), Scalar::String)
        | (Value::Bool(_), Scalar::Boolean)
        | (Value::Number(_), Scalar::Number) => Ok(None),
        (Value::String(text), Scalar::Integer) => integer_text(text).map(|n| Some(json_integer(n))),
        (Value::String(text), Scalar::Number) => number_text(text).map(|n| Some(Value::Number(n))),
        (Value::String(text), Scalar::Boolean) => bool_text(text).map(|b| Some(Value::Bool(b))),
        (Value::Number(n), Scalar::String) => Ok(Some(Value::String(number_to_text(n)))),
        (Value::Number(n), Scalar::Integer) => integral(n).map(|i| i.map(json_integer)),
        (Value::Bool(b), Scalar::String) => Ok(Some(Value::String(b.to_string()))),
        _ => Err(Reason::CannotConvert {
            found: kind(value),
            to,
        }),
    }
}

/// An optional `-` and ASCII digits (`"007"` is `7`), within the range of
/// the generated integer types.
pub(super) fn integer_text(text: &str) -> Result<i128, Reason> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_parsable(text, Scalar::Integer));
    }
    match text.parse::<i128>() {
        Ok(n) if (MIN..END).contains(&n) => Ok(n),
        _ => Err(Reason::OutOfRange {
            text: shorten(text),
        }),
    }
}

/// The JSON number grammar, exactly: no sign `+`, no surrounding space.
pub(super) fn number_text(text: &str) -> Result<Number, Reason> {
    if text.trim() != text {
        return Err(not_parsable(text, Scalar::Number));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Number(number)) => Ok(number),
        _ => Err(not_parsable(text, Scalar::Number)),
    }
}

pub(super) fn bool_text(text: &str) -> Result<bool, Reason> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(not_parsable(text, Scalar::Boolean)),
    }
}

/// `None` for a number already written as an integer; an integral number
/// written with a fraction or exponent (`3.0`, `1e3`) as that integer.
fn integral(n: &Number) -> Result<Option<i128>, Reason> {
    if n.is_i64() || n.is_u64() {
        return Ok(None);
    }
    float_to_integer(n.as_f64().unwrap_or(f64::NAN)).map(Some)
}

/// A float with no fraction as the integer it equals.
pub(super) fn float_to_integer(value: f64) -> Result<i128, Reason> {
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(Reason::NotIntegral {
            number: float_text(value),
        });
    }
    // MIN and END are powers of two, exact in f64: the cast cannot saturate.
    if (MIN as f64..END as f64).contains(&value) {
        Ok(value as i128)
    } else {
        Err(Reason::OutOfRange {
            text: float_text(value),
        })
    }
}

/// A number as text. A float with no fraction is written as the integer it
/// equals (`3.0` is `"3"`): a generated `f64` field cannot tell `3` from
/// `3.0`, so neither may the text.
pub(super) fn number_to_text(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if !(n.is_i64() || n.is_u64()) => float_text(f),
        _ => n.to_string(),
    }
}

pub(super) fn float_text(value: f64) -> String {
    match float_to_integer_exact(value) {
        Some(integer) => integer.to_string(),
        None => Number::from_f64(value)
            .map(|n| n.to_string())
            .unwrap_or_else(|| value.to_string()),
    }
}

fn float_to_integer_exact(value: f64) -> Option<i128> {
    let whole = value.is_finite() && value.fract() == 0.0;
    (whole && (MIN as f64..END as f64).contains(&value)).then_some(value as i128)
}

/// A float with no fraction, within the converted range, as a JSON integer.
pub(crate) fn whole(value: f64) -> Option<Value> {
    float_to_integer_exact(value).map(json_integer)
}

/// An integer of the converted range (`MIN..END`, which every caller
/// checks) as a JSON number.
fn json_integer(n: i128) -> Value {
    match i64::try_from(n) {
        Ok(i) => Value::from(i),
        Err(_) => Value::from(n as u64),
    }
}

fn not_parsable(text: &str, to: Scalar) -> Reason {
    Reason::NotParsable {
        text: shorten(text),
        to,
    }
}

/// Long texts are cut for messages.
fn shorten(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
