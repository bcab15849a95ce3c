//! CloudEvents on a broker message, in the two content modes of the
//! protocol bindings:
//!
//! - **structured**: the whole envelope as JSON in the body, with
//!   `content-type: application/cloudevents+json`;
//! - **binary**: the payload alone in the body, each attribute in a header
//!   under the binding's prefix (`ce-` for NATS, `cloudEvents:` for AMQP),
//!   `datacontenttype` as the message's `content-type`.
//!
//! Reading accepts both, whatever a producer chose: a CloudEvents
//! `content-type` means structured, a `specversion` header means binary,
//! and a message with neither (as `cloudevents-sdk`'s NATS binding sends
//! it) is read as structured JSON. Dispatch takes structured bytes, so a
//! binary message is rebuilt into one; the original stays untouched for a
//! dead letter.

use std::borrow::Cow;

use evc_runtime::serde_json::value::RawValue;
use evc_runtime::Envelope;
use serde_json::Value;

use crate::message::{Headers, RawMessage};

/// The media type of a structured-mode message.
pub const STRUCTURED_CONTENT_TYPE: &str = "application/cloudevents+json";

/// The header naming the message's media type.
pub const CONTENT_TYPE: &str = "content-type";

/// How a publisher lays an envelope on the broker message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ContentMode {
    /// The envelope as JSON in the body: every broker, every consumer.
    #[default]
    Structured,
    /// Attributes in headers, the payload alone in the body: brokers and
    /// middleware can route on attributes without parsing the body. Falls
    /// back to structured where the binding defines no binary mode.
    Binary,
}

/// The header conventions of one protocol binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// Prefix of attribute headers in binary mode; `None`: the protocol has
    /// no binary mode (Redis Streams, in memory), so messages are structured.
    pub prefix: Option<&'static str>,
}

impl Binding {
    /// NATS protocol binding: `ce-` headers (NATS 2.2 and later).
    pub const NATS: Binding = Binding {
        prefix: Some("ce-"),
    };
    /// AMQP protocol binding: `cloudEvents:` application properties.
    pub const AMQP: Binding = Binding {
        prefix: Some("cloudEvents:"),
    };
    /// No protocol binding: structured mode only.
    pub const STRUCTURED_ONLY: Binding = Binding { prefix: None };
}

/// Why a broker message is not a CloudEvent evc can dispatch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

/// Lays `envelope` on a broker message.
pub fn encode(envelope: &Envelope, mode: ContentMode, binding: Binding) -> RawMessage {
    match (mode, binding.prefix) {
        (ContentMode::Binary, Some(prefix)) => binary(envelope, prefix),
        _ => RawMessage::new(envelope.to_vec()).with_header(CONTENT_TYPE, STRUCTURED_CONTENT_TYPE),
    }
}

fn binary(envelope: &Envelope, prefix: &str) -> RawMessage {
    let mut headers = Headers::new();
    let mut put = |name: &str, value: &str| {
        headers.insert(format!("{prefix}{name}"), value.to_owned());
    };
    put("specversion", &envelope.specversion);
    put("id", &envelope.id);
    put("source", &envelope.source);
    put("type", &envelope.ty);
    let optional = [
        ("time", &envelope.time),
        ("dataschema", &envelope.dataschema),
        ("subject", &envelope.subject),
        ("dataversion", &envelope.dataversion),
        ("correlationid", &envelope.correlationid),
        ("causationid", &envelope.causationid),
        ("traceparent", &envelope.traceparent),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            put(name, value);
        }
    }
    for (name, value) in &envelope.extensions {
        put(name, &extension_text(value));
    }
    if let Some(kind) = &envelope.datacontenttype {
        headers.insert(CONTENT_TYPE.to_owned(), kind.clone());
    }
    let body = envelope
        .data
        .as_ref()
        .map(|data| data.get().as_bytes().to_vec())
        .unwrap_or_default();
    RawMessage { body, headers }
}

/// An extension's value as text: a string's characters, escapes decoded
/// (not its JSON quotes); a number or boolean as written.
pub fn extension_text(value: &RawValue) -> String {
    serde_json::from_str::<String>(value.get()).unwrap_or_else(|_| value.get().to_owned())
}

/// The message as structured-mode JSON for dispatch: the body itself,
/// borrowed, when it is structured, an envelope rebuilt from the headers
/// when binary.
pub fn structured(message: &RawMessage, binding: Binding) -> Result<Cow<'_, [u8]>, WireError> {
    match binding.prefix {
        Some(prefix) if is_binary(message, prefix) => rebuild(message, prefix).map(Cow::Owned),
        _ => Ok(Cow::Borrowed(&message.body)),
    }
}

fn is_binary(message: &RawMessage, prefix: &str) -> bool {
    let structured = message
        .header(CONTENT_TYPE)
        .is_some_and(|kind| kind.trim().starts_with("application/cloudevents"));
    !structured
        && message
            .headers
            .contains_key(&format!("{prefix}specversion"))
}

fn rebuild(message: &RawMessage, prefix: &str) -> Result<Vec<u8>, WireError> {
    let mut object = serde_json::Map::new();
    for (name, value) in &message.headers {
        let Some(attribute) = name.strip_prefix(prefix) else {
            continue;
        };
        object.insert(attribute.to_ascii_lowercase(), Value::String(value.clone()));
    }
    if let Some(kind) = message.header(CONTENT_TYPE) {
        object.insert("datacontenttype".to_owned(), Value::String(kind.to_owned()));
    }
    let mut text = serde_json::to_string(&object).map_err(|e| WireError(e.to_string()))?;
    if !message.body.is_empty() {
        let data = std::str::from_utf8(&message.body)
            .map_err(|_| WireError("the binary-mode body is not UTF-8 JSON".to_owned()))?;
        let data = RawValue::from_string(data.to_owned())
            .map_err(|e| WireError(format!("the binary-mode body is not JSON: {e}")))?;
        text.pop();
        if object.is_empty() {
            text.push_str("\"data\":");
        } else {
            text.push_str(",\"data\":");
        }
        text.push_str(data.get());
        text.push('}');
    }
    Ok(text.into_bytes())
}

/// Percent-encodes what a NATS header cannot carry, as the HTTP binding
/// prescribes for attribute values (§3.1.3.2): bytes outside printable
/// ASCII, space, `"` and `%`.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if (0x21..=0x7e).contains(&byte) && byte != b'"' && byte != b'%' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The inverse of [`percent_encode`]; `None` for a broken escape or bytes
/// that are not UTF-8.
pub fn percent_decode(value: &str) -> Option<String> {
    // Most values have nothing encoded: taken whole, not byte by byte.
    if !value.contains('%') {
        return Some(value.to_owned());
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = value.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope() -> Envelope {
        let mut envelope = Envelope::parse(
            br#"{"specversion":"1.0","id":"a b","source":"/s","type":"com.example.t.v1",
                "time":"2024-01-01T00:00:00Z","datacontenttype":"application/json",
                "subject":"caf\u00e9 100%","dataversion":"1.2.0","partitionkey":"k-1",
                "count":3,"data":{"x":[1,2]}}"#,
        )
        .expect("a valid envelope");
        envelope.correlationid = Some("c".into());
        envelope
    }

    #[test]
    fn binary_mode_round_trips_every_attribute() {
        for binding in [Binding::NATS, Binding::AMQP] {
            let message = encode(&envelope(), ContentMode::Binary, binding);
            assert_eq!(message.body, br#"{"x":[1,2]}"#);
            assert_eq!(message.header(CONTENT_TYPE), Some("application/json"));
            let rebuilt = Envelope::parse(&structured(&message, binding).unwrap()).unwrap();
            let original = envelope();
            assert_eq!(rebuilt.subject, original.subject);
            assert_eq!(rebuilt.id, original.id);
            assert_eq!(rebuilt.data.unwrap().get(), original.data.unwrap().get());
            assert_eq!(rebuilt.extensions["partitionkey"].get(), r#""k-1""#);
            // Header values are strings: a number extension arrives as text.
            assert_eq!(rebuilt.extensions["count"].get(), r#""3""#);
        }
    }

    #[test]
    fn extension_text_decodes_strings_and_keeps_scalars() {
        let raw = |text: &str| RawValue::from_string(text.to_owned()).unwrap();
        assert_eq!(extension_text(&raw(r#""a\"b\u00e9""#)), "a\"bé");
        assert_eq!(extension_text(&raw("12")), "12");
        assert_eq!(extension_text(&raw("true")), "true");
    }

    #[test]
    fn structured_mode_is_the_envelope_and_the_fallback() {
        let message = encode(&envelope(), ContentMode::Binary, Binding::STRUCTURED_ONLY);
        assert_eq!(message.header(CONTENT_TYPE), Some(STRUCTURED_CONTENT_TYPE));
        assert_eq!(
            structured(&message, Binding::NATS).unwrap(),
            envelope().to_vec()
        );
        // No headers at all, as cloudevents-sdk's NATS binding sends it.
        let bare = RawMessage::new(envelope().to_vec());
        assert_eq!(
            structured(&bare, Binding::NATS).unwrap(),
            envelope().to_vec()
        );
    }

    #[test]
    fn broken_binary_messages_are_errors() {
        let mut message = encode(&envelope(), ContentMode::Binary, Binding::NATS);
        message.body = b"{not json".to_vec();
        assert!(structured(&message, Binding::NATS).is_err());
        message.body = b"\xff".to_vec();
        assert!(structured(&message, Binding::NATS).is_err());
    }

    #[test]
    fn percent_encoding_round_trips() {
        for text in ["", "plain", "a b%c\"d", "ünïcödé ✓", "%"] {
            assert_eq!(percent_decode(&percent_encode(text)).as_deref(), Some(text));
        }
        assert_eq!(percent_encode("caf\u{e9} 1%"), "caf%C3%A9%201%25");
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
    }
}
