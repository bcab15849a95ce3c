//! Upcasts: how a payload of an older major becomes the next major's type.
//!
//! The compiler generates an [`Upcast`] impl for every major step whose
//! contract declares its steps (`rename`, `move`, `set`, `drop`,
//! `convert`) as a typed conversion between the two generated structs; a
//! step declared `custom: true` is an impl the user writes. Dispatch runs
//! the chain (`V1 -> V2 -> V3`) before a handler sees the latest type.
//!
//! The meaning of the steps is defined once, here: [`apply`] runs them over
//! a JSON value, and is what the generated code runs for the rare step
//! lists the compiler cannot express as a typed conversion (a path through
//! an optional object, say), what `evc lint` runs on examples and what
//! `evc verify` runs on stored payloads. The typed conversions call the
//! same scalar conversions ([`convert`]), so both forms agree:
//!
//! - An absent value (or parent) is a no-op for `rename`, `move`, `drop`
//!   and `convert`; `move` and `set` create missing parent objects; a
//!   parent that exists but is not an object fails the step.
//! - `convert` of `null` is a no-op: an optional field stays `None`.
//! - `convert` to integer yields any integer of the `i64` or `u64` range
//!   (`"18446744073709551615"` converts); the new version's Rust type then
//!   decides whether it fits (`u32`, say), and an integer that does not is
//!   a failed upcast in both forms.
//! - A number with no fraction is an integer (`3.0` converts to `3`), and
//!   converts to the text of that integer (`3.0` becomes `"3"`): a generated
//!   `f64` field cannot tell `3` from `3.0`, so neither may the text.
//!   Reading the result ([`json::from_value`]), `3.0` fits an integer field.
//! - The typed form starts from the old payload as its type reads it: an
//!   absent property the old version defaults holds that default, where the
//!   steps over stored JSON see it absent. Only a default that changes
//!   across the major step tells the two apart (docs/contracts.md, "Step
//!   semantics").

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
    json::from_value(json).map_err(|e| UpcastError::new(pointer, e.reason()))
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

mod path;
mod scalar;
mod steps;

pub use path::{Path, PathError};
pub(crate) use scalar::whole;
pub use steps::{apply, Reason, Scalar, Step, StepError};

/// The scalar conversions of the `convert` step, as the typed conversions
/// call them; the JSON form runs the same ones.
pub mod convert {
    use super::{scalar, UpcastError};

    fn fail(pointer: &str, reason: super::Reason) -> UpcastError {
        UpcastError::new(pointer, reason.to_string())
    }

    /// `"42"` to `42`: decimal integer text, an optional `-` then ASCII
    /// digits (`"007"` is `7`), of the integer type the field has.
    pub fn str_to_integer<T: TryFrom<i128>>(text: &str, pointer: &str) -> Result<T, UpcastError> {
        let n = scalar::integer_text(text).map_err(|r| fail(pointer, r))?;
        fit(n, pointer)
    }

    /// `"4.5"` to `4.5`: JSON number text.
    pub fn str_to_number(text: &str, pointer: &str) -> Result<f64, UpcastError> {
        let n = scalar::number_text(text).map_err(|r| fail(pointer, r))?;
        n.as_f64()
            .ok_or_else(|| UpcastError::new(pointer, format!("`{text}` is not a number")))
    }

    /// `"true"` / `"false"`.
    pub fn str_to_bool(text: &str, pointer: &str) -> Result<bool, UpcastError> {
        scalar::bool_text(text).map_err(|r| fail(pointer, r))
    }

    /// A number with no fraction, as the integer type the field has.
    pub fn number_to_integer<T: TryFrom<i128>>(
        value: f64,
        pointer: &str,
    ) -> Result<T, UpcastError> {
        let n = scalar::float_to_integer(value).map_err(|r| fail(pointer, r))?;
        fit(n, pointer)
    }

    /// A number as text: one with no fraction as its integer (`3.0` is
    /// `"3"`), any other as JSON writes it (`2.5`).
    pub fn number_to_string(value: f64) -> String {
        scalar::float_text(value)
    }

    fn fit<T: TryFrom<i128>>(n: i128, pointer: &str) -> Result<T, UpcastError> {
        T::try_from(n)
            .map_err(|_| UpcastError::new(pointer, format!("{n} is out of the new type's range")))
    }
}

/// A payload between its generated type and JSON, for the step lists that
/// run over JSON.
pub mod json {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;

    use super::UpcastError;

    pub fn to_value<T: Serialize>(value: &T) -> Result<Value, UpcastError> {
        serde_json::to_value(value).map_err(|e| UpcastError::new("", e.to_string()))
    }

    /// The payload as the new type. A whole number written with a fraction
    /// (`3.0`) reads as the integer it is, as JSON Schema counts it: the
    /// typed form reads an old `f64` field into a new integer one, and the
    /// JSON form must not refuse what the typed form accepts.
    pub fn from_value<T: DeserializeOwned>(mut value: Value) -> Result<T, UpcastError> {
        crate::de::integral_floats_as_integers(&mut value);
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
}

#[cfg(test)]
mod tests;
