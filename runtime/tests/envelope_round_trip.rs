//! Parse, write, parse again: every attribute and extension of a valid
//! envelope survives, extension values down to the JSON text they were
//! written in (big exponents, long integers, escapes a `Value` would not
//! keep).

use evc_runtime::Envelope;
use proptest::prelude::*;
use serde_json::Value;

/// Extension names that are not the attributes evc knows by name.
fn extension_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,19}".prop_filter("not a known attribute", |name| {
        !matches!(
            name.as_str(),
            "id" | "source"
                | "specversion"
                | "type"
                | "time"
                | "datacontenttype"
                | "dataschema"
                | "subject"
                | "data"
                | "dataversion"
                | "correlationid"
                | "causationid"
                | "traceparent"
        )
    })
}

/// `text` as a JSON string literal, each character written as itself, a
/// short escape or a `\u` escape (a surrogate pair beyond the BMP).
fn json_string(text: &str, styles: &[u8]) -> String {
    let mut out = String::from('"');
    for (index, c) in text.chars().enumerate() {
        let style = styles.get(index).copied().unwrap_or(0) % 3;
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\t' => Some("\\t"),
            '\r' => Some("\\r"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '/' if style == 1 => Some("\\/"),
            _ => None,
        };
        if let (Some(short), false) = (short, style == 2) {
            out.push_str(short);
        } else if style == 2 || (c as u32) < 0x20 {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn any_string() -> impl Strategy<Value = String> {
    (any::<String>(), prop::collection::vec(any::<u8>(), 0..32))
        .prop_map(|(text, styles)| json_string(&text, &styles))
}

/// A scalar extension value as JSON text.
fn extension_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any_string(),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        // Beyond what `f64` holds, or more digits than it keeps.
        (any::<i32>(), 300u32..10_000, any::<bool>()).prop_map(|(m, e, negative)| {
            let sign = if negative { "-" } else { "" };
            format!("{m}e{sign}{e}")
        }),
        "-?[1-9][0-9]{20,40}(\\.[0-9]{1,30})?",
        "-?0\\.[0-9]{1,30}([eE][+-]?[0-9]{1,4})?",
    ]
}

fn non_empty_string() -> impl Strategy<Value = String> {
    (".+", prop::collection::vec(any::<u8>(), 0..32))
        .prop_map(|(text, styles)| json_string(&text, &styles))
}

#[derive(Debug, Clone)]
struct Written {
    /// `(name, JSON text)` of every member, in writing order.
    members: Vec<(String, String)>,
}

fn envelope() -> impl Strategy<Value = Written> {
    let optional = (
        prop::option::of(prop_oneof![
            Just("\"2024-02-29T23:59:60Z\"".to_owned()),
            Just("\"2018-04-05T17:31:00.000000001+05:30\"".to_owned()),
        ]),
        prop::option::of(prop_oneof![
            Just("\"application/json\"".to_owned()),
            Just("\"text/plain; charset=\\\"utf-8\\\"\"".to_owned()),
        ]),
        prop::option::of(non_empty_string()),
        prop::option::of(non_empty_string()),
        prop::option::of(non_empty_string()),
        prop::option::of(non_empty_string()),
    );
    (
        non_empty_string(),
        non_empty_string(),
        non_empty_string(),
        optional,
        prop::collection::btree_map(extension_name(), extension_value(), 0..8),
        prop::option::of(prop_oneof![
            any_string(),
            Just(r#"{"a":[1,2.50,1e999,"\u00e9"]}"#.to_owned()),
        ]),
    )
        .prop_map(
            |(
                id,
                source,
                ty,
                (time, kind, schema, subject, correlation, trace),
                extensions,
                data,
            )| {
                let mut members = vec![
                    ("specversion".to_owned(), "\"1.0\"".to_owned()),
                    ("id".to_owned(), id),
                    ("source".to_owned(), source),
                    ("type".to_owned(), ty),
                ];
                let optional = [
                    ("time", time),
                    ("datacontenttype", kind),
                    ("dataschema", schema),
                    ("subject", subject),
                    ("correlationid", correlation),
                    ("traceparent", trace),
                    ("data", data),
                ];
                for (name, value) in optional {
                    if let Some(value) = value {
                        members.push((name.to_owned(), value));
                    }
                }
                members.extend(extensions);
                Written { members }
            },
        )
}

impl Written {
    fn text(&self) -> String {
        let members: Vec<String> = self
            .members
            .iter()
            .map(|(name, value)| format!("\"{name}\":{value}"))
            .collect();
        format!("{{{}}}", members.join(","))
    }
}

/// An attribute's string value, decoded.
fn decoded(envelope: &Envelope, name: &str) -> Option<String> {
    let value = match name {
        "specversion" => Some(&envelope.specversion),
        "id" => Some(&envelope.id),
        "source" => Some(&envelope.source),
        "type" => Some(&envelope.ty),
        "time" => envelope.time.as_ref(),
        "datacontenttype" => envelope.datacontenttype.as_ref(),
        "dataschema" => envelope.dataschema.as_ref(),
        "subject" => envelope.subject.as_ref(),
        "correlationid" => envelope.correlationid.as_ref(),
        "traceparent" => envelope.traceparent.as_ref(),
        _ => None,
    };
    value.cloned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_write_parse_keeps_everything(written in envelope()) {
        let text = written.text();
        let first = Envelope::parse(text.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        let bytes = first.to_vec();
        let second = Envelope::parse(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&bytes))))?;
        for envelope in [&first, &second] {
            let mut extensions = 0;
            for (name, value) in &written.members {
                if name == "data" {
                    let data = envelope.data.as_ref().map(|d| d.get());
                    prop_assert_eq!(data, Some(value.as_str()));
                } else if let Some(found) = decoded(envelope, name) {
                    let expected: Value = serde_json::from_str(value).expect("a JSON string");
                    prop_assert_eq!(Some(found.as_str()), expected.as_str());
                } else {
                    extensions += 1;
                    let found = envelope.extensions.get(name).map(|v| v.get());
                    prop_assert_eq!(found, Some(value.as_str()), "extension {}", name);
                }
            }
            prop_assert_eq!(envelope.extensions.len(), extensions);
        }
        prop_assert_eq!(second.to_vec(), bytes);
    }
}
