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
        match serde_json::from_slice::<Self>(data) {
            Ok(value) => {
                value.validate().map_err(PayloadError::from)?;
                Ok(value)
            }
            Err(error) => Err(PayloadError::from_serde(data, error)),
        }
    }

    fn decode_str(data: &str) -> Result<Self, PayloadError> {
        Self::decode(data.as_bytes())
    }

    /// Validates and encodes; a value that breaks its contract is not sent.
    fn encode(&self) -> Result<Vec<u8>, PayloadError> {
        self.validate().map_err(PayloadError::from)?;
        serde_json::to_vec(self).map_err(|e| PayloadError::new("", e.to_string()))
    }
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

    /// serde_json reports a line and column; the pointer is found by
    /// walking the document up to that place (only on the error path).
    fn from_serde(data: &[u8], error: serde_json::Error) -> Self {
        let pointer = pointer_at(data, error.line(), error.column());
        let mut reason = error.to_string();
        if let Some(cut) = reason.rfind(" at line ") {
            reason.truncate(cut);
        }
        PayloadError { pointer, reason }
    }
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

/// The JSON pointer of the innermost value open at `line:column` (1-based,
/// as serde_json counts), found by a small scan of the text: containers,
/// keys and array positions. Malformed text yields the deepest pointer seen.
fn pointer_at(data: &[u8], line: usize, column: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let (mut l, mut c) = (1usize, 0usize);
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'\n' {
            l += 1;
            c = 0;
        } else {
            c += 1;
        }
        if l > line || (l == line && c >= column) {
            break;
        }
        match b {
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Array(n)) = stack.last_mut() {
                    *n += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < data.len() && data[j] != b'"' {
                    if data[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let text = String::from_utf8_lossy(&data[start..j.min(data.len())]).into_owned();
                c += j.saturating_sub(i);
                i = j;
                let mut k = j + 1;
                while k < data.len() && data[k].is_ascii_whitespace() {
                    k += 1;
                }
                if data.get(k) == Some(&b':') {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        *key = Some(text);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut pointer = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Frame::Object(None) => {}
            Frame::Array(n) => pointer.push_str(&format!("/{n}")),
        }
    }
    // The innermost frame names the container the error is in; a scalar
    // value's own key is already on it.
    pointer
}

enum Frame {
    Object(Option<String>),
    Array(usize),
}

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
        let err = serde_json::from_slice::<BTreeMap<String, BTreeMap<String, Vec<u8>>>>(data)
            .unwrap_err();
        let e = PayloadError::from_serde(data, err);
        assert_eq!(e.pointer, "/a/b/2");
    }
}
