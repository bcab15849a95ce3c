//! CloudEvents 1.0 structured-mode JSON envelopes, with the spec's rules
//! enforced on the way in: required attributes present and non-empty,
//! attribute names lower-case ASCII letters and digits, `data` and
//! `data_base64` exclusive, extension values scalars, `time` RFC 3339,
//! `datacontenttype` an RFC 2046 media type, `dataschema` and `subject`
//! non-empty when present.
//!
//! Dispatch reads an [`EnvelopeRef`], which borrows attributes and `data`
//! from the message bytes, so the payload is parsed once, straight into its
//! generated type. [`Envelope`] is the owned form messages are built and
//! written in.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// The only CloudEvents version evc speaks.
pub const SPEC_VERSION: &str = "1.0";

/// One CloudEvents message, owned.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    pub id: String,
    pub source: String,
    pub specversion: String,
    /// The `type` attribute (`<namespace>.<snake_name>.v<major>`).
    pub ty: String,
    pub time: Option<String>,
    pub datacontenttype: Option<String>,
    pub dataschema: Option<String>,
    pub subject: Option<String>,
    /// The payload as raw JSON text.
    pub data: Option<Box<RawValue>>,
    pub data_base64: Option<String>,
    /// Extension: full semver of the payload's contract version.
    pub dataversion: Option<String>,
    /// Extension: id of the message that started the conversation.
    pub correlationid: Option<String>,
    /// Extension: id of the message that caused this one.
    pub causationid: Option<String>,
    /// Extension: W3C trace context.
    pub traceparent: Option<String>,
    /// Other extensions (strings, numbers, booleans) as the JSON text they
    /// were written in: a number no `f64` holds (`1e999`, a 30-digit
    /// integer) must reach the next consumer unchanged, not rounded or
    /// nulled. [`Envelope::set_extension`] builds one from a value.
    pub extensions: BTreeMap<String, Box<RawValue>>,
}

/// One CloudEvents message borrowed from its bytes.
#[derive(Debug, Clone, Default)]
pub struct EnvelopeRef<'a> {
    pub id: Cow<'a, str>,
    pub source: Cow<'a, str>,
    pub specversion: Cow<'a, str>,
    pub ty: Cow<'a, str>,
    pub time: Option<Cow<'a, str>>,
    pub datacontenttype: Option<Cow<'a, str>>,
    pub dataschema: Option<Cow<'a, str>>,
    pub subject: Option<Cow<'a, str>>,
    pub data: Option<&'a RawValue>,
    pub data_base64: Option<Cow<'a, str>>,
    pub dataversion: Option<Cow<'a, str>>,
    pub correlationid: Option<Cow<'a, str>>,
    pub causationid: Option<Cow<'a, str>>,
    pub traceparent: Option<Cow<'a, str>>,
    /// Other extensions, as their raw JSON scalars.
    pub extensions: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// Which CloudEvents rule a message breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Not a JSON object (or not JSON at all).
    #[error("not a CloudEvents JSON object: {0}")]
    NotJson(String),
    #[error("required attribute `{0}` is missing")]
    Missing(&'static str),
    #[error("attribute `{0}` is empty")]
    Empty(&'static str),
    #[error("attribute `{attribute}` must be {expected}, found {found}")]
    WrongType {
        attribute: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("specversion `{0}` is not supported (expected `{SPEC_VERSION}`)")]
    UnsupportedSpecVersion(String),
    #[error("attribute name `{0}` is not lower-case ASCII letters and digits")]
    InvalidAttributeName(String),
    #[error("time `{0}` is not an RFC 3339 timestamp")]
    InvalidTime(String),
    #[error("`data` and `data_base64` are both present")]
    DataAndDataBase64,
    #[error("attribute `{0}` appears twice")]
    DuplicateAttribute(String),
    /// `datacontenttype` is not `type/subtype` with optional parameters.
    #[error("datacontenttype `{0}` is not an RFC 2046 media type (`type/subtype`)")]
    InvalidMediaType(String),
    /// A string extension with an escape that is no Unicode character (a
    /// lone surrogate such as `"\ud800"`): CloudEvents strings exclude
    /// them, and the known attributes already refuse them.
    #[error("extension `{0}` holds an escape that is not a Unicode character")]
    InvalidString(String),
}

impl Envelope {
    /// Parses and checks a structured-mode JSON message.
    pub fn parse(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        EnvelopeRef::parse(bytes).map(|e| e.to_owned())
    }

    /// The message as structured-mode JSON.
    pub fn to_vec(&self) -> Vec<u8> {
        // Strings, raw JSON and JSON scalars only: this cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Sets extension `name` to `value` (meant for strings, numbers and
    /// booleans; the parser refuses objects and arrays).
    pub fn set_extension(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        let text = value.into().to_string();
        // A `Value` always prints as valid JSON.
        if let Ok(raw) = RawValue::from_string(text) {
            self.extensions.insert(name.into(), raw);
        }
    }
}

/// Decodes a payload straight from the message while the envelope is
/// parsed, when `type` comes before `data` (as evc and most producers write
/// it): the payload is then read once instead of twice.
pub trait Router {
    type Message;

    /// Decodes `data` for the wire type `ty`; returns `None` (having
    /// skipped the data) for a type it does not route.
    fn decode<'de, D: Deserializer<'de>>(
        &self,
        ty: &str,
        data: D,
    ) -> Result<Option<Self::Message>, D::Error>;
}

/// The router of a plain parse: `data` is kept raw.
struct Raw;

impl Router for Raw {
    type Message = std::convert::Infallible;

    fn decode<'de, D: Deserializer<'de>>(
        &self,
        _: &str,
        _: D,
    ) -> Result<Option<Self::Message>, D::Error> {
        Ok(None)
    }
}

impl<'a> EnvelopeRef<'a> {
    /// Parses and checks a structured-mode JSON message without copying it.
    pub fn parse(bytes: &'a [u8]) -> Result<EnvelopeRef<'a>, EnvelopeError> {
        Self::parse_with(bytes, None::<&Raw>).map(|(envelope, _)| envelope)
    }

    /// Parses a message and, when `type` precedes `data`, decodes the
    /// payload through `router` in the same pass; `data` is then not kept.
    /// A payload that does not decode fails the whole parse: parse again
    /// with [`EnvelopeRef::parse`] to tell envelope and payload errors apart.
    pub fn parse_routed<R: Router>(
        bytes: &'a [u8],
        router: &R,
    ) -> Result<(EnvelopeRef<'a>, Option<R::Message>), EnvelopeError> {
        Self::parse_with(bytes, Some(router))
    }

    fn parse_with<R: Router>(
        bytes: &'a [u8],
        router: Option<&R>,
    ) -> Result<(EnvelopeRef<'a>, Option<R::Message>), EnvelopeError> {
        // JSON is UTF-8: checked once over the whole message, it is then
        // read as text, and serde_json no longer checks each string (every
        // attribute, key and payload string) on its own. Bytes that are not
        // UTF-8 fail either way; they are read as before, for the same
        // error, and with no payload decode (nothing reaches a router).
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::parse_from(serde_json::Deserializer::from_str(text), router),
            Err(_) => Self::parse_from(serde_json::Deserializer::from_slice(bytes), None::<&Raw>)
                .map(|(envelope, _)| (envelope, None)),
        }
    }

    fn parse_from<R: Router, J: serde_json::de::Read<'a>>(
        mut deserializer: serde_json::Deserializer<J>,
        router: Option<&R>,
    ) -> Result<(EnvelopeRef<'a>, Option<R::Message>), EnvelopeError> {
        // The visitor fills these in place: a payload struct moved through
        // every layer of `Result` costs more than its decode's allocations.
        let mut envelope = EnvelopeRef::default();
        let mut payload = None;
        let visitor = EnvelopeVisitor {
            router,
            envelope: &mut envelope,
            payload: &mut payload,
        };
        let broken = deserializer
            .deserialize_map(visitor)
            .and_then(|broken| deserializer.end().map(|()| broken));
        match broken {
            Ok(None) => {
                envelope.check()?;
                Ok((envelope, payload))
            }
            Ok(Some(error)) => Err(error),
            Err(e) => Err(EnvelopeError::NotJson(e.to_string())),
        }
    }

    fn check(&self) -> Result<(), EnvelopeError> {
        let required = [
            ("id", &self.id),
            ("source", &self.source),
            ("specversion", &self.specversion),
            ("type", &self.ty),
        ];
        for (name, value) in required {
            if value.is_empty() {
                return Err(EnvelopeError::Empty(name));
            }
        }
        if self.specversion != SPEC_VERSION {
            return Err(EnvelopeError::UnsupportedSpecVersion(
                self.specversion.to_string(),
            ));
        }
        let optional = [
            ("datacontenttype", &self.datacontenttype),
            ("dataschema", &self.dataschema),
            ("subject", &self.subject),
        ];
        for (name, value) in optional {
            if value.as_ref().is_some_and(|v| v.is_empty()) {
                return Err(EnvelopeError::Empty(name));
            }
        }
        if let Some(kind) = &self.datacontenttype {
            if !is_media_type(kind) {
                return Err(EnvelopeError::InvalidMediaType(kind.to_string()));
            }
        }
        if let Some(time) = &self.time {
            if !crate::check::is_date_time(time) {
                return Err(EnvelopeError::InvalidTime(time.to_string()));
            }
        }
        if self.data.is_some() && self.data_base64.is_some() {
            return Err(EnvelopeError::DataAndDataBase64);
        }
        Ok(())
    }

    pub fn to_owned(&self) -> Envelope {
        let owned = |v: &Option<Cow<'a, str>>| v.as_ref().map(|s| s.to_string());
        Envelope {
            id: self.id.to_string(),
            source: self.source.to_string(),
            specversion: self.specversion.to_string(),
            ty: self.ty.to_string(),
            time: owned(&self.time),
            datacontenttype: owned(&self.datacontenttype),
            dataschema: owned(&self.dataschema),
            subject: owned(&self.subject),
            data: self.data.map(|d| d.to_owned()),
            data_base64: owned(&self.data_base64),
            dataversion: owned(&self.dataversion),
            correlationid: owned(&self.correlationid),
            causationid: owned(&self.causationid),
            traceparent: owned(&self.traceparent),
            extensions: self
                .extensions
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).to_owned()))
                .collect(),
        }
    }
}

/// RFC 2046 media type as RFC 2045 §5.1 writes it: `type/subtype`, both
/// tokens, then `; attribute=value` parameters, the value a token or a
/// quoted string. Whitespace around `;` is allowed, as HTTP's
/// `Content-Type` allows it.
fn is_media_type(text: &str) -> bool {
    fn token(b: u8) -> bool {
        b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b)
    }
    fn skip_space(bytes: &[u8], mut i: usize) -> usize {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        i
    }
    fn take_token(bytes: &[u8], mut i: usize) -> Option<usize> {
        let start = i;
        while i < bytes.len() && token(bytes[i]) {
            i += 1;
        }
        (i > start).then_some(i)
    }
    let bytes = text.as_bytes();
    let Some(mut i) = take_token(bytes, 0) else {
        return false;
    };
    if bytes.get(i) != Some(&b'/') {
        return false;
    }
    let Some(end) = take_token(bytes, i + 1) else {
        return false;
    };
    i = skip_space(bytes, end);
    while i < bytes.len() {
        if bytes[i] != b';' {
            return false;
        }
        i = skip_space(bytes, i + 1);
        let Some(end) = take_token(bytes, i) else {
            return false;
        };
        if bytes.get(end) != Some(&b'=') {
            return false;
        }
        i = end + 1;
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return false,
                    Some(b'"') => break,
                    Some(b'\\') => i += 2,
                    Some(_) => i += 1,
                }
            }
            i += 1;
        } else {
            let Some(end) = take_token(bytes, i) else {
                return false;
            };
            i = end;
        }
        i = skip_space(bytes, i);
    }
    true
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A JSON string borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// An attribute value: a string, or the JSON type found instead.
enum Attribute<'a> {
    Text(Cow<'a, str>),
    Null,
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Attribute<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttributeVisitor;
        impl<'de> Visitor<'de> for AttributeVisitor {
            type Value = Attribute<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_unit<E>(self) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Attribute<'de>, E> {
                Ok(Attribute::Other("a number"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Attribute<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Attribute::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attribute<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Attribute::Other("an object"))
            }
        }
        deserializer.deserialize_any(AttributeVisitor)
    }
}

/// Fills an envelope (and the payload, given a router) in place; yields the
/// first rule broken, kept instead of failing inside serde so the error
/// names the attribute and the rule.
struct EnvelopeVisitor<'r, 'o, 'de, R: Router> {
    router: Option<&'r R>,
    envelope: &'o mut EnvelopeRef<'de>,
    payload: &'o mut Option<R::Message>,
}

/// Hands `data` to the router with the type read before it.
struct Payload<'r, 't, R> {
    router: &'r R,
    ty: &'t str,
}

impl<'de, R: Router> serde::de::DeserializeSeed<'de> for Payload<'_, '_, R> {
    type Value = Option<R::Message>;

    fn deserialize<D: Deserializer<'de>>(self, data: D) -> Result<Self::Value, D::Error> {
        self.router.decode(self.ty, data)
    }
}

/// Bit of each known attribute, to find duplicates without allocating.
fn known(key: &str) -> Option<u32> {
    Some(match key {
        "id" => 0,
        "source" => 1,
        "specversion" => 2,
        "type" => 3,
        "time" => 4,
        "datacontenttype" => 5,
        "dataschema" => 6,
        "subject" => 7,
        "data" => 8,
        "data_base64" => 9,
        "dataversion" => 10,
        "correlationid" => 11,
        "causationid" => 12,
        "traceparent" => 13,
        _ => return None,
    })
}

impl<'de, R: Router> Visitor<'de> for EnvelopeVisitor<'_, '_, 'de, R> {
    type Value = Option<EnvelopeError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvents JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let e = self.envelope;
        let mut error: Option<EnvelopeError> = None;
        let mut seen = 0u32;
        let (mut id, mut source, mut specversion, mut ty) = (None, None, None, None);
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let known = known(&key);
            let duplicate = match known {
                Some(bit) => {
                    let before = seen;
                    seen |= 1 << bit;
                    before & (1 << bit) != 0
                }
                // Extensions are checked once at the end, sorted: a message
                // with many of them must not cost a comparison per pair.
                None => false,
            };
            if duplicate {
                error.get_or_insert(EnvelopeError::DuplicateAttribute(key.to_string()));
            }
            if key == "data" {
                match (self.router, ty.as_deref()) {
                    (Some(router), Some(ty)) => {
                        *self.payload = map.next_value_seed(Payload { router, ty })?;
                    }
                    _ => e.data = Some(map.next_value::<&'de RawValue>()?),
                }
                continue;
            }
            if known.is_none() {
                let value = map.next_value::<&'de RawValue>()?;
                if error.is_none() {
                    if let Err(broken) = extension(&key, value) {
                        error = Some(broken);
                    } else if value.get() != "null" {
                        e.extensions.push((key, value));
                    }
                }
                continue;
            }
            let value = map.next_value::<Attribute<'de>>()?;
            let text = match value {
                Attribute::Text(text) => Some(text),
                Attribute::Null => None,
                Attribute::Other(found) => {
                    error.get_or_insert(EnvelopeError::WrongType {
                        attribute: key.to_string(),
                        expected: "a string",
                        found,
                    });
                    None
                }
            };
            let slot = match key.as_ref() {
                "id" => &mut id,
                "source" => &mut source,
                "specversion" => &mut specversion,
                "type" => &mut ty,
                "time" => &mut e.time,
                "datacontenttype" => &mut e.datacontenttype,
                "dataschema" => &mut e.dataschema,
                "subject" => &mut e.subject,
                "data_base64" => &mut e.data_base64,
                "dataversion" => &mut e.dataversion,
                "correlationid" => &mut e.correlationid,
                "causationid" => &mut e.causationid,
                _ => &mut e.traceparent,
            };
            *slot = text;
        }
        if error.is_none() {
            error = duplicate_extension(&e.extensions);
        }
        if error.is_none() {
            let required = [
                ("id", &id),
                ("source", &source),
                ("specversion", &specversion),
                ("type", &ty),
            ];
            error = required
                .iter()
                .find(|(_, value)| value.is_none())
                .map(|(name, _)| EnvelopeError::Missing(name));
        }
        e.id = id.unwrap_or_default();
        e.source = source.unwrap_or_default();
        e.specversion = specversion.unwrap_or_default();
        e.ty = ty.unwrap_or_default();
        Ok(error)
    }
}

fn duplicate_extension(extensions: &[(Cow<'_, str>, &RawValue)]) -> Option<EnvelopeError> {
    let mut names: Vec<&str> = extensions.iter().map(|(name, _)| name.as_ref()).collect();
    names.sort_unstable();
    names
        .windows(2)
        .find(|pair| pair[0] == pair[1])
        .map(|pair| EnvelopeError::DuplicateAttribute(pair[0].to_owned()))
}

/// An extension attribute: a lower-case name and a scalar value.
fn extension(name: &str, value: &RawValue) -> Result<(), EnvelopeError> {
    if !valid_name(name) {
        return Err(EnvelopeError::InvalidAttributeName(name.to_owned()));
    }
    let text = value.get();
    let found = match text.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        // Only an escape can name a lone surrogate, and the raw value was
        // not decoded: decode the rare escaped string to find one.
        Some(b'"') if text.contains("\\u") => {
            return match serde_json::from_str::<String>(text) {
                Ok(_) => Ok(()),
                Err(_) => Err(EnvelopeError::InvalidString(name.to_owned())),
            };
        }
        _ => return Ok(()),
    };
    Err(EnvelopeError::WrongType {
        attribute: name.to_owned(),
        expected: "a string, number or boolean",
        found,
    })
}

impl Serialize for Envelope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("specversion", &self.specversion)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("source", &self.source)?;
        map.serialize_entry("type", &self.ty)?;
        let optional = [
            ("time", &self.time),
            ("datacontenttype", &self.datacontenttype),
            ("dataschema", &self.dataschema),
            ("subject", &self.subject),
            ("dataversion", &self.dataversion),
            ("correlationid", &self.correlationid),
            ("causationid", &self.causationid),
            ("traceparent", &self.traceparent),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &self.extensions {
            map.serialize_entry(name, value)?;
        }
        if let Some(data) = &self.data {
            map.serialize_entry("data", data)?;
        }
        if let Some(data) = &self.data_base64 {
            map.serialize_entry("data_base64", data)?;
        }
        map.end()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Envelope, EnvelopeError> {
        Envelope::parse(text.as_bytes())
    }

    #[test]
    fn the_spec_rules_are_enforced() {
        let ok = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":1}}"#;
        assert!(parse(ok).is_ok());
        assert_eq!(
            parse(r#"{"specversion":"1.0","source":"/s","type":"t"}"#).unwrap_err(),
            EnvelopeError::Missing("id")
        );
        assert_eq!(
            parse(r#"{"specversion":"1.0","id":"","source":"/s","type":"t"}"#).unwrap_err(),
            EnvelopeError::Empty("id")
        );
        assert!(matches!(
            parse(r#"{"specversion":"0.3","id":"1","source":"/s","type":"t"}"#),
            Err(EnvelopeError::UnsupportedSpecVersion(_))
        ));
        assert!(matches!(
            parse(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","Bad":"x"}"#),
            Err(EnvelopeError::InvalidAttributeName(_))
        ));
        assert!(matches!(
            parse(
                r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}"#
            ),
            Err(EnvelopeError::DataAndDataBase64)
        ));
        assert!(matches!(
            parse(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"yesterday"}"#),
            Err(EnvelopeError::InvalidTime(_))
        ));
        assert!(matches!(
            parse(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}}"#),
            Err(EnvelopeError::WrongType { .. })
        ));
        assert!(matches!(
            parse(r#"{"specversion":"1.0","id":1,"source":"/s","type":"t"}"#),
            Err(EnvelopeError::WrongType { .. })
        ));
        assert!(matches!(parse("[1]"), Err(EnvelopeError::NotJson(_))));
        assert!(matches!(
            parse(r#"{"specversion":"1.0","id":"1","id":"2","source":"/s","type":"t"}"#),
            Err(EnvelopeError::DuplicateAttribute(_))
        ));
    }

    #[test]
    fn media_types_follow_rfc_2046() {
        for good in [
            "text/plain",
            "application/cloudevents+json",
            "application/json; charset=utf-8",
            "text/plain;format=flowed ; charset=\"utf-8\"",
            "multipart/mixed; boundary=\"a b;c\\\"d\"",
        ] {
            assert!(is_media_type(good), "{good}");
        }
        for bad in [
            "",
            "xyz",
            "text/",
            "/plain",
            "text/plain/x",
            " text/plain",
            "text/plain; charset",
            "text/plain; charset=",
            "text/plain; charset=\"utf-8",
            "text/pl ain",
            "text/plain;",
        ] {
            assert!(!is_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn extension_values_are_kept_as_written() {
        let text = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","big":1e999,"long":123456789012345678901234567890,"esc":"a\u00e9\n\ud83d\ude00"}"#;
        let envelope = parse(text).unwrap();
        assert_eq!(envelope.extensions["big"].get(), "1e999");
        assert_eq!(
            envelope.extensions["long"].get(),
            "123456789012345678901234567890"
        );
        let again = Envelope::parse(&envelope.to_vec()).unwrap();
        assert_eq!(again.extensions["big"].get(), "1e999");
        assert_eq!(again.extensions["esc"].get(), r#""a\u00e9\n\ud83d\ude00""#);
        assert_eq!(
            parse(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","lone":"\ud800"}"#)
                .unwrap_err(),
            EnvelopeError::InvalidString("lone".into())
        );
    }

    #[test]
    fn many_extensions_are_checked_for_duplicates_in_one_sort() {
        let mut text = String::from(r#"{"specversion":"1.0","id":"1","source":"/s","type":"t""#);
        for i in 0..20_000 {
            text.push_str(&format!(r#","x{i}":1"#));
        }
        assert!(parse(&format!("{text}}}")).is_ok());
        assert_eq!(
            parse(&format!(r#"{text},"x7":2}}"#)).unwrap_err(),
            EnvelopeError::DuplicateAttribute("x7".into())
        );
    }

    #[test]
    fn messages_round_trip() {
        let text = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2024-01-01T00:00:00Z","dataversion":"1.2.0","correlationid":"c","causationid":"d","priority":3,"data":{"a":[1,2]}}"#;
        let envelope = parse(text).unwrap();
        let again = Envelope::parse(&envelope.to_vec()).unwrap();
        assert_eq!(again.to_vec(), envelope.to_vec());
        assert_eq!(again.extensions["priority"].get(), "3");
        assert_eq!(again.data.unwrap().get(), r#"{"a":[1,2]}"#);
    }
}
