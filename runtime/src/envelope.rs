//! CloudEvents 1.0 structured-mode JSON envelopes, with the spec's rules
//! enforced on the way in: required attributes present and non-empty,
//! attribute names lower-case ASCII letters and digits, `data` and
//! `data_base64` exclusive, extension values scalars, `time` RFC 3339.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// The only CloudEvents version evc speaks.
pub const SPEC_VERSION: &str = "1.0";

/// One CloudEvents message. `data` stays raw JSON so the payload is parsed
/// once, straight into its generated type.
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
    /// Other extensions, kept so a message round-trips.
    pub extensions: BTreeMap<String, Value>,
}

/// Which CloudEvents rule a message breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Not a JSON object (or not JSON at all).
    NotJson(String),
    Missing(&'static str),
    Empty(&'static str),
    WrongType {
        attribute: String,
        expected: &'static str,
    },
    UnsupportedSpecVersion(String),
    InvalidAttributeName(String),
    InvalidTime(String),
    DataAndDataBase64,
    DuplicateAttribute(String),
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::NotJson(e) => write!(f, "not a CloudEvents JSON object: {e}"),
            EnvelopeError::Missing(a) => write!(f, "required attribute `{a}` is missing"),
            EnvelopeError::Empty(a) => write!(f, "required attribute `{a}` is empty"),
            EnvelopeError::WrongType {
                attribute,
                expected,
            } => {
                write!(f, "attribute `{attribute}` must be {expected}")
            }
            EnvelopeError::UnsupportedSpecVersion(v) => {
                write!(
                    f,
                    "specversion `{v}` is not supported (expected `{SPEC_VERSION}`)"
                )
            }
            EnvelopeError::InvalidAttributeName(n) => write!(
                f,
                "attribute name `{n}` is not lower-case ASCII letters and digits"
            ),
            EnvelopeError::InvalidTime(t) => write!(f, "time `{t}` is not an RFC 3339 timestamp"),
            EnvelopeError::DataAndDataBase64 => {
                f.write_str("`data` and `data_base64` are both present")
            }
            EnvelopeError::DuplicateAttribute(a) => write!(f, "attribute `{a}` appears twice"),
        }
    }
}

impl std::error::Error for EnvelopeError {}

impl Envelope {
    /// Parses and checks a structured-mode JSON message.
    pub fn parse(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let raw = match RawEnvelope::deserialize(&mut deserializer)
            .and_then(|e| deserializer.end().map(|()| e))
        {
            Ok(raw) => raw,
            Err(e) => return Err(EnvelopeError::NotJson(e.to_string())),
        };
        if let Some(error) = raw.error {
            return Err(error);
        }
        raw.envelope.checked()
    }

    fn checked(self) -> Result<Envelope, EnvelopeError> {
        for (name, value) in [
            ("id", &self.id),
            ("source", &self.source),
            ("specversion", &self.specversion),
            ("type", &self.ty),
        ] {
            if value.is_empty() {
                return Err(EnvelopeError::Empty(name));
            }
        }
        if self.specversion != SPEC_VERSION {
            return Err(EnvelopeError::UnsupportedSpecVersion(self.specversion));
        }
        if let Some(time) = &self.time {
            if !crate::check::is_date_time(time) {
                return Err(EnvelopeError::InvalidTime(time.clone()));
            }
        }
        if self.data.is_some() && self.data_base64.is_some() {
            return Err(EnvelopeError::DataAndDataBase64);
        }
        Ok(self)
    }

    /// The message as structured-mode JSON.
    pub fn to_vec(&self) -> Vec<u8> {
        // Every field is a string, raw JSON or a JSON value: this cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Deserialization result that keeps the first rule broken instead of
/// failing inside serde, so the error says which attribute and why.
struct RawEnvelope {
    envelope: Envelope,
    error: Option<EnvelopeError>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

impl<'de> Deserialize<'de> for RawEnvelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

/// A string attribute, or the wrong-type error for it.
fn text(attribute: &str, value: Value) -> Result<Option<String>, EnvelopeError> {
    match value {
        Value::String(s) => Ok(Some(s)),
        Value::Null => Ok(None),
        _ => Err(EnvelopeError::WrongType {
            attribute: attribute.to_owned(),
            expected: "a string",
        }),
    }
}

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = RawEnvelope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudEvents JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEnvelope, A::Error> {
        let mut e = Envelope::default();
        let mut error = None;
        let mut seen: Vec<String> = Vec::new();
        let (mut id, mut source, mut specversion, mut ty) = (None, None, None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = key.into_owned();
            if seen.contains(&key) {
                error.get_or_insert(EnvelopeError::DuplicateAttribute(key.clone()));
            }
            seen.push(key.clone());
            if key == "data" {
                e.data = Some(map.next_value::<Box<RawValue>>()?);
                continue;
            }
            let value: Value = map.next_value()?;
            if error.is_some() {
                continue;
            }
            let outcome = (|| -> Result<(), EnvelopeError> {
                match key.as_str() {
                    "data_base64" => e.data_base64 = text(&key, value)?,
                    _ if !valid_name(&key) => {
                        return Err(EnvelopeError::InvalidAttributeName(key.clone()))
                    }
                    "id" => id = text(&key, value)?,
                    "source" => source = text(&key, value)?,
                    "specversion" => specversion = text(&key, value)?,
                    "type" => ty = text(&key, value)?,
                    "time" => e.time = text(&key, value)?,
                    "datacontenttype" => e.datacontenttype = text(&key, value)?,
                    "dataschema" => e.dataschema = text(&key, value)?,
                    "subject" => e.subject = text(&key, value)?,
                    "dataversion" => e.dataversion = text(&key, value)?,
                    "correlationid" => e.correlationid = text(&key, value)?,
                    "causationid" => e.causationid = text(&key, value)?,
                    "traceparent" => e.traceparent = text(&key, value)?,
                    _ => match value {
                        Value::String(_) | Value::Bool(_) | Value::Number(_) => {
                            e.extensions.insert(key.clone(), value);
                        }
                        Value::Null => {}
                        _ => {
                            return Err(EnvelopeError::WrongType {
                                attribute: key.clone(),
                                expected: "a string, number or boolean",
                            })
                        }
                    },
                }
                Ok(())
            })();
            if let Err(broken) = outcome {
                error = Some(broken);
            }
        }
        if error.is_none() {
            for (name, value) in [
                ("id", &id),
                ("source", &source),
                ("specversion", &specversion),
                ("type", &ty),
            ] {
                if value.is_none() {
                    error = Some(EnvelopeError::Missing(name));
                    break;
                }
            }
        }
        e.id = id.unwrap_or_default();
        e.source = source.unwrap_or_default();
        e.specversion = specversion.unwrap_or_default();
        e.ty = ty.unwrap_or_default();
        Ok(RawEnvelope { envelope: e, error })
    }
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
    fn messages_round_trip() {
        let text = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2024-01-01T00:00:00Z","dataversion":"1.2.0","correlationid":"c","causationid":"d","priority":3,"data":{"a":[1,2]}}"#;
        let envelope = parse(text).unwrap();
        let again = Envelope::parse(&envelope.to_vec()).unwrap();
        assert_eq!(again.to_vec(), envelope.to_vec());
        assert_eq!(again.extensions["priority"], 3);
        assert_eq!(again.data.unwrap().get(), r#"{"a":[1,2]}"#);
    }
}
