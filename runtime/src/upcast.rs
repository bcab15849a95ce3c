//! Upcasts: how a payload of an older major becomes the next major's type.
//!
//! The compiler generates an [`Upcast`] impl for every major step whose
//! contract declares its steps (`rename`, `move`, `set`, `drop`,
//! `convert`) as a typed conversion between the two generated structs; a
//! step declared `custom: true` is an impl the user writes. Dispatch runs
//! the chain (`V1 -> V2 -> V3`) before a handler sees the latest type.
//!
//! The scalar conversions of `convert` live in [`convert`]. [`json`] holds
//! the same steps over a JSON value, for the rare step lists the compiler
//! cannot express as a typed conversion (a path through an optional object,
//! say).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A typed upcast from the previous major's payload type `Old`.
#[diagnostic::on_unimplemented(
    message = "no upcast from `{Old}` to `{Self}`",
    label = "the contract declares `custom: true` for this major step",
    note = "write `impl evc_runtime::Upcast<{Old}> for {Self}`: a custom upcast is yours to implement"
)]
pub trait Upcast<Old>: Sized {
    fn upcast(old: Old) -> Result<Self, UpcastError>;
}

/// Why an upcast could not produce the new payload: where (a JSON pointer
/// into the payload being upcast) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpcastError {
    pointer: String,
    reason: String,
}

impl UpcastError {
    pub fn new(pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        UpcastError {
            pointer: pointer.into(),
            reason: reason.into(),
        }
    }

    /// A property the new version requires that the upcast did not produce.
    pub fn missing(pointer: &str) -> Self {
        UpcastError::new(
            pointer,
            "the new version requires it and the upcast leaves it absent",
        )
    }

    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for UpcastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "at `{at}`: {}", self.reason)
    }
}

impl std::error::Error for UpcastError {}

/// A value moved between two generated types that serde maps the same way
/// but Rust sees as different (two unions of the same branches, say).
pub fn via_json<A: Serialize, B: DeserializeOwned>(
    value: A,
    pointer: &str,
) -> Result<B, UpcastError> {
    let json = serde_json::to_value(value).map_err(|e| UpcastError::new(pointer, e.to_string()))?;
    serde_json::from_value(json).map_err(|e| UpcastError::new(pointer, e.to_string()))
}

/// A constant of a `set` step that is not a plain scalar, as JSON text.
pub fn constant<T: DeserializeOwned>(json: &str, pointer: &str) -> Result<T, UpcastError> {
    serde_json::from_str(json).map_err(|e| UpcastError::new(pointer, e.to_string()))
}

/// Narrowing between the generated integer types (`i64` to `u32`, ...).
pub fn narrow<A, B>(value: A, pointer: &str) -> Result<B, UpcastError>
where
    A: Copy + fmt::Display,
    B: TryFrom<A>,
{
    B::try_from(value)
        .map_err(|_| UpcastError::new(pointer, format!("{value} is out of the new type's range")))
}

/// The scalar conversions of the `convert` step.
pub mod convert {
    use super::UpcastError;

    /// `"42"` to `42`: decimal integer text, an optional `-` then ASCII
    /// digits (`"007"` is `7`), within the 64-bit range.
    pub fn str_to_integer(text: &str, pointer: &str) -> Result<i64, UpcastError> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        match (plain, text.parse::<i64>()) {
            (true, Ok(n)) => Ok(n),
            _ => Err(UpcastError::new(
                pointer,
                format!("`{text}` is not an integer"),
            )),
        }
    }

    /// `"4.5"` to `4.5`: JSON number text.
    pub fn str_to_number(text: &str, pointer: &str) -> Result<f64, UpcastError> {
        // serde_json allows whitespace around a document; a number text does not.
        let parsed = (text.trim() == text)
            .then(|| serde_json::from_str::<serde_json::Number>(text).ok())
            .flatten()
            .and_then(|n| n.as_f64());
        parsed.ok_or_else(|| UpcastError::new(pointer, format!("`{text}` is not a number")))
    }

    /// `"true"` / `"false"`.
    pub fn str_to_bool(text: &str, pointer: &str) -> Result<bool, UpcastError> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(UpcastError::new(
                pointer,
                format!("`{text}` is not `true` or `false`"),
            )),
        }
    }

    /// A number with no fractional part, as an integer.
    pub fn number_to_integer(value: f64, pointer: &str) -> Result<i64, UpcastError> {
        // i64::MAX as f64 rounds up to 2^63, which is out of range.
        let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&value);
        if value.fract() == 0.0 && in_range {
            Ok(value as i64)
        } else {
            Err(UpcastError::new(
                pointer,
                format!("{value} is not an integer"),
            ))
        }
    }

    /// A number as JSON writes it (`2.5`, `3.0`).
    pub fn number_to_string(value: f64) -> String {
        serde_json::Number::from_f64(value)
            .map(|n| n.to_string())
            .unwrap_or_else(|| value.to_string())
    }
}

/// The declarative steps over a JSON value, with the same meaning as the
/// typed conversions. Paths are property names, outermost first.
pub mod json {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::{Map, Value};

    use super::{convert, UpcastError};

    /// The scalar type a `convert` step produces.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Scalar {
        String,
        Integer,
        Number,
        Boolean,
    }

    impl Scalar {
        pub fn as_str(self) -> &'static str {
            match self {
                Scalar::String => "string",
                Scalar::Integer => "integer",
                Scalar::Number => "number",
                Scalar::Boolean => "boolean",
            }
        }
    }

    pub fn to_value<T: Serialize>(value: &T) -> Result<Value, UpcastError> {
        serde_json::to_value(value).map_err(|e| UpcastError::new("", e.to_string()))
    }

    pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, UpcastError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let pointer = pointer_of(&e.path().to_string());
            UpcastError::new(pointer, e.into_inner().to_string())
        })
    }

    fn pointer_of(path: &str) -> String {
        if path == "." {
            return String::new();
        }
        path.split('.')
            .map(|segment| format!("/{}", segment.trim_start_matches('[').trim_end_matches(']')))
            .collect()
    }

    fn pointer(path: &[&str]) -> String {
        path.iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }

    /// The object holding the last segment of `path`; `create` makes the
    /// missing ones on the way. `None` when a parent is absent.
    fn parent<'v>(
        value: &'v mut Value,
        path: &[&str],
        create: bool,
    ) -> Result<Option<&'v mut Map<String, Value>>, UpcastError> {
        let mut here = value;
        for (depth, segment) in path[..path.len().saturating_sub(1)].iter().enumerate() {
            let Value::Object(map) = here else {
                return Err(not_object(&path[..depth]));
            };
            if !map.contains_key(*segment) {
                if !create {
                    return Ok(None);
                }
                map.insert((*segment).to_owned(), Value::Object(Map::new()));
            }
            here = map.get_mut(*segment).unwrap_or_else(|| unreachable!());
        }
        match here {
            Value::Object(map) => Ok(Some(map)),
            _ => Err(not_object(&path[..path.len().saturating_sub(1)])),
        }
    }

    fn not_object(path: &[&str]) -> UpcastError {
        UpcastError::new(pointer(path), "the upcast needs an object here")
    }

    fn take(value: &mut Value, path: &[&str]) -> Result<Option<Value>, UpcastError> {
        let Some(last) = path.last() else {
            return Ok(None);
        };
        Ok(parent(value, path, false)?.and_then(|map| map.remove(*last)))
    }

    fn put(value: &mut Value, path: &[&str], new: Value) -> Result<(), UpcastError> {
        let Some(last) = path.last() else {
            *value = new;
            return Ok(());
        };
        if let Some(map) = parent(value, path, true)? {
            map.insert((*last).to_owned(), new);
        }
        Ok(())
    }

    pub fn rename(value: &mut Value, from: &[&str], to: &str) -> Result<(), UpcastError> {
        if let Some(moved) = take(value, from)? {
            let mut target = from.to_vec();
            if let Some(last) = target.last_mut() {
                *last = to;
            }
            put(value, &target, moved)?;
        }
        Ok(())
    }

    pub fn move_to(value: &mut Value, from: &[&str], to: &[&str]) -> Result<(), UpcastError> {
        match take(value, from)? {
            Some(moved) => put(value, to, moved),
            None => Ok(()),
        }
    }

    pub fn set(value: &mut Value, path: &[&str], constant: Value) -> Result<(), UpcastError> {
        put(value, path, constant)
    }

    pub fn drop(value: &mut Value, path: &[&str]) -> Result<(), UpcastError> {
        take(value, path).map(|_| ())
    }

    pub fn convert(value: &mut Value, path: &[&str], to: Scalar) -> Result<(), UpcastError> {
        let Some(last) = path.last() else {
            return Ok(());
        };
        let Some(map) = parent(value, path, false)? else {
            return Ok(());
        };
        let Some(slot) = map.get_mut(*last) else {
            return Ok(());
        };
        let at = pointer(path);
        *slot = match (std::mem::take(slot), to) {
            (Value::Null, _) => Value::Null,
            (Value::String(text), Scalar::Integer) => convert::str_to_integer(&text, &at)?.into(),
            (Value::String(text), Scalar::Number) => {
                Value::from(convert::str_to_number(&text, &at)?)
            }
            (Value::String(text), Scalar::Boolean) => convert::str_to_bool(&text, &at)?.into(),
            (Value::Number(n), Scalar::String) => Value::String(n.to_string()),
            (Value::Number(n), Scalar::Number) => Value::Number(n),
            (Value::Number(n), Scalar::Integer) => match n.as_i64() {
                Some(i) => i.into(),
                None => convert::number_to_integer(n.as_f64().unwrap_or(f64::NAN), &at)?.into(),
            },
            (Value::Bool(b), Scalar::String) => Value::String(b.to_string()),
            (same @ Value::String(_), Scalar::String)
            | (same @ Value::Bool(_), Scalar::Boolean) => same,
            (other, to) => {
                return Err(UpcastError::new(
                    at,
                    format!("cannot convert {other} to {}", to.as_str()),
                ))
            }
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::convert::*;
    use super::json::{self, Scalar};
    use serde_json::json;

    #[test]
    fn integer_text() {
        assert_eq!(str_to_integer("42", "/q"), Ok(42));
        assert_eq!(str_to_integer("-7", "/q"), Ok(-7));
        assert_eq!(str_to_integer("007", "/q"), Ok(7));
        for bad in ["", "-", "+1", "1.0", " 1", "abc", "99999999999999999999"] {
            assert!(str_to_integer(bad, "/q").is_err(), "{bad}");
        }
    }

    #[test]
    fn number_text_and_integral_numbers() {
        assert_eq!(str_to_number("4.5", "/n"), Ok(4.5));
        assert!(str_to_number("4.5x", "/n").is_err());
        assert!(str_to_number(" 4", "/n").is_err());
        assert_eq!(number_to_integer(3.0, "/n"), Ok(3));
        assert!(number_to_integer(3.5, "/n").is_err());
        assert!(number_to_integer(f64::NAN, "/n").is_err());
        assert!(number_to_integer(9.3e18, "/n").is_err());
        assert_eq!(number_to_string(2.5), "2.5");
    }

    #[test]
    fn json_steps() {
        let mut v = json!({"total": 5, "note": "hi", "q": "3", "old": 1});
        json::move_to(&mut v, &["total"], &["total", "amount"]).unwrap();
        json::set(&mut v, &["total", "currency"], json!("USD")).unwrap();
        json::rename(&mut v, &["note"], "comment").unwrap();
        json::convert(&mut v, &["q"], Scalar::Integer).unwrap();
        json::drop(&mut v, &["old"]).unwrap();
        json::rename(&mut v, &["absent"], "x").unwrap();
        assert_eq!(
            v,
            json!({"total": {"amount": 5, "currency": "USD"}, "comment": "hi", "q": 3})
        );
        let mut v = json!({"a": 1});
        let error = json::set(&mut v, &["a", "b"], json!(2)).unwrap_err();
        assert_eq!(error.pointer(), "/a");
        let mut v = json!({"q": "x"});
        assert_eq!(
            json::convert(&mut v, &["q"], Scalar::Integer)
                .unwrap_err()
                .pointer(),
            "/q"
        );
    }
}
