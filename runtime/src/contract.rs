//! What every generated payload type is: a [`Contract`] with its wire
//! identity, and [`Validate`] for the keywords serde cannot enforce.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Event (a fact, broadcast) or command (a request, one handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Event,
    Command,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Event => "event",
            Kind::Command => "command",
        })
    }
}

/// A payload type generated from one major version of a contract.
pub trait Contract: Serialize + DeserializeOwned + Validate + Sized + 'static {
    const KIND: Kind;
    /// The contract's name, e.g. `OrderPlaced`.
    const NAME: &'static str;
    const NAMESPACE: &'static str;
    /// CloudEvents `type`: `<namespace>.<snake_name>.v<major>`.
    const WIRE_TYPE: &'static str;
    /// Full semver of the version the type was generated from (`dataversion`).
    const VERSION: &'static str;
    /// The payload's JSON Schema (2020-12), self-contained.
    const SCHEMA: &'static str;

    fn version() -> semver::Version {
        // The compiler only emits versions that parse.
        semver::Version::parse(Self::VERSION).unwrap_or_else(|_| semver::Version::new(0, 0, 0))
    }

    /// Decodes and validates a JSON payload: an invalid payload never
    /// becomes a value.
    fn decode(data: &[u8]) -> Result<Self, PayloadError> {
        let error = match serde_json::from_slice::<Self>(data) {
            Ok(value) => return validated(value),
            Err(error) => error,
        };
        // JSON Schema counts `1.0` as an integer: read again with such
        // numbers written as integers, only now, so a payload that writes
        // integers as integers is read once. Its error is the one to
        // report then: the `1.0`s are no fault.
        match crate::de::integral_numbers_in_text(data) {
            Some(integral) => match serde_json::from_slice::<Self>(&integral) {
                Ok(value) => validated(value),
                Err(error) => Err(PayloadError::from_serde::<Self>(&integral, error)),
            },
            None => Err(PayloadError::from_serde::<Self>(data, error)),
        }
    }

    fn decode_str(data: &str) -> Result<Self, PayloadError> {
        Self::decode(data.as_bytes())
    }

    /// Validates and encodes; a value that breaks its contract is not sent.
    /// A `number` that holds an integer is written as one (`120`).
    fn encode(&self) -> Result<Vec<u8>, PayloadError> {
        self.validate().map_err(PayloadError::from)?;
        let mut out = Vec::with_capacity(128);
        let mut writer = serde_json::Serializer::with_formatter(&mut out, IntegralNumbers);
        self.serialize(&mut writer)
            .map_err(|e| PayloadError::new("", e.to_string()))?;
        Ok(out)
    }
}

/// serde_json's compact output, but a float that holds an integer exactly
/// is written as that integer (`120`, not `120.0`), as JavaScript and most
/// producers write it: a payload read and sent again keeps its bytes, and a
/// reader whose schema says `integer` takes it.
struct IntegralNumbers;

impl serde_json::ser::Formatter for IntegralNumbers {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        // 2^53: every integer below it is exact in an f64.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if value.fract() == 0.0 && value.abs() < EXACT {
            serde_json::ser::CompactFormatter.write_i64(writer, value as i64)
        } else {
            serde_json::ser::CompactFormatter.write_f64(writer, value)
        }
    }

    fn write_f32<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f32,
    ) -> std::io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }
}

fn validated<T: Validate>(value: T) -> Result<T, PayloadError> {
    value.validate().map_err(PayloadError::from)?;
    Ok(value)
}

/// Checks of the JSON Schema keywords serde cannot express (lengths,
/// patterns, bounds, formats...), on a decoded value.
pub trait Validate {
    fn validate(&self) -> Result<(), Violation>;
}

/// A value that breaks its schema: where (a JSON pointer) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Segments from the outside in, kept reversed while the error travels
    /// up so that each level adds its own in O(1).
    reversed: Vec<String>,
    reason: String,
}

impl Violation {
    pub fn new(reason: impl Into<String>) -> Self {
        Violation {
            reversed: Vec::new(),
            reason: reason.into(),
        }
    }

    /// Adds a property (or map key) segment in front of the pointer.
    pub fn at(mut self, segment: &str) -> Self {
        self.reversed.push(segment.to_owned());
        self
    }

    /// Adds an array index segment in front of the pointer.
    pub fn at_index(mut self, index: usize) -> Self {
        self.reversed.push(index.to_string());
        self
    }

    /// RFC 6901 JSON pointer of the offending value (`""` for the root).
    pub fn pointer(&self) -> String {
        self.reversed
            .iter()
            .rev()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.pointer(), self.reason)
    }
}

impl std::error::Error for Violation {}

/// Why a payload did not decode: a JSON pointer and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    pub pointer: String,
    pub reason: String,
}

impl PayloadError {
    pub fn new(pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        PayloadError {
            pointer: pointer.into(),
            reason: reason.into(),
        }
    }

    /// serde_json reports a line and column, not a place in the value: on
    /// the error path only, the payload is read again with a path-tracking
    /// deserializer to name the field.
    fn from_serde<T: DeserializeOwned>(data: &[u8], first: serde_json::Error) -> Self {
        let mut deserializer = serde_json::Deserializer::from_slice(data);
        let (pointer, error) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(error) => (pointer_of(error.path()), error.into_inner()),
            // A deterministic Deserialize fails the same way twice.
            Ok(_) => (String::new(), first),
        };
        let mut reason = error.to_string();
        if let Some(cut) = reason.rfind(" at line ") {
            reason.truncate(cut);
        }
        // Inside the payload, serde_json says this of a fixed-size array
        // (a Rust tuple) given more items than it has positions.
        if reason == "trailing characters" && !pointer.is_empty() {
            reason = "has more items than the tuple's positions (`items: false`)".into();
        }
        PayloadError { pointer, reason }
    }
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        let text = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.replace('~', "~0").replace('/', "~1"),
            Segment::Enum { variant } => variant.replace('~', "~0").replace('/', "~1"),
            Segment::Unknown => continue,
        };
        pointer.push('/');
        pointer.push_str(&text);
    }
    pointer
}

impl From<Violation> for PayloadError {
    fn from(v: Violation) -> Self {
        PayloadError {
            pointer: v.pointer(),
            reason: v.reason,
        }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.pointer, self.reason)
    }
}

impl std::error::Error for PayloadError {}

macro_rules! always_valid {
    ($($t:ty),*) => {$(
        impl Validate for $t {
            fn validate(&self) -> Result<(), Violation> {
                Ok(())
            }
        }
    )*};
}

always_valid!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    (),
    serde_json::Value
);

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), Violation> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self) -> Result<(), Violation> {
        (**self).validate()
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self) -> Result<(), Violation> {
        for (i, item) in self.iter().enumerate() {
            item.validate().map_err(|v| v.at_index(i))?;
        }
        Ok(())
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self) -> Result<(), Violation> {
        for (key, value) in self {
            value.validate().map_err(|v| v.at(key))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_and_nest() {
        let v = Violation::new("bad").at("a/b").at_index(2).at("x~y");
        assert_eq!(v.pointer(), "/x~0y/2/a~1b");
    }

    #[test]
    fn serde_errors_get_a_pointer() {
        let data = br#"{"a": {"b": [1, 2, "x"]}}"#;
        type T = BTreeMap<String, BTreeMap<String, Vec<u8>>>;
        let err = serde_json::from_slice::<T>(data).unwrap_err();
        let e = PayloadError::from_serde::<T>(data, err);
        assert_eq!(e.pointer, "/a/b/2");
    }
}
