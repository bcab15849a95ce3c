//! `convert`: the scalar conversions between string, integer, number and
//! boolean. A value already of the asked type is left as it is.

use serde_json::{Number, Value};

use super::{kind, Reason};
use crate::model::JsonType;

/// The converted value, or `None` when the value is already of type `to`.
pub(super) fn convert(value: &Value, to: JsonType) -> Result<Option<Value>, Reason> {
    let cannot = || Reason::CannotConvert {
        found: kind(value),
        to,
    };
    match (value, to) {
        (Value::String(_), JsonType::String)
        | (Value::Bool(_), JsonType::Boolean)
        | (Value::Number(_), JsonType::Number) => Ok(None),
        (Value::String(text), JsonType::Integer) => integer_text(text).map(Some),
        (Value::String(text), JsonType::Number) => number_text(text).map(Some),
        (Value::String(text), JsonType::Boolean) => match text.as_str() {
            "true" => Ok(Some(Value::Bool(true))),
            "false" => Ok(Some(Value::Bool(false))),
            _ => Err(not_parsable(text, to)),
        },
        (Value::Number(n), JsonType::String) => Ok(Some(Value::String(n.to_string()))),
        (Value::Number(n), JsonType::Integer) => integral(n),
        (Value::Bool(b), JsonType::String) => Ok(Some(Value::String(b.to_string()))),
        _ => Err(cannot()),
    }
}

/// Optional `-` and ASCII digits, within the 64-bit range.
fn integer_text(text: &str) -> Result<Value, Reason> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_parsable(text, JsonType::Integer));
    }
    if let Ok(n) = text.parse::<i64>() {
        return Ok(Value::from(n));
    }
    match text.parse::<u64>() {
        Ok(n) => Ok(Value::from(n)),
        Err(_) => Err(Reason::OutOfRange {
            text: shorten(text),
        }),
    }
}

/// The JSON number grammar, exactly: no sign `+`, no surrounding space.
fn number_text(text: &str) -> Result<Value, Reason> {
    if text.trim() != text {
        return Err(not_parsable(text, JsonType::Number));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(number @ Value::Number(_)) => Ok(number),
        _ => Err(not_parsable(text, JsonType::Number)),
    }
}

/// An integer unchanged; a number with no fraction as an integer.
fn integral(n: &Number) -> Result<Option<Value>, Reason> {
    if n.is_i64() || n.is_u64() {
        return Ok(None);
    }
    let Some(f) = n.as_f64() else {
        return Err(Reason::NotIntegral {
            number: n.to_string(),
        });
    };
    if f.fract() != 0.0 {
        return Err(Reason::NotIntegral {
            number: n.to_string(),
        });
    }
    // 2^63 and 2^64 are exact in f64: the casts below cannot saturate.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Ok(Some(Value::from(f as i64)))
    } else if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
        Ok(Some(Value::from(f as u64)))
    } else {
        Err(Reason::OutOfRange {
            text: n.to_string(),
        })
    }
}

fn not_parsable(text: &str, to: JsonType) -> Reason {
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
