use std::io::Cursor;
use std::path::Path;

use serde_json::json;

use super::*;
use crate::load::{Input, Inputs};

const THINGS: &str = r#"
event: ThingHappened
namespace: com.example.things
description: A thing.
versions:
  - version: 1.0.0
    schema: { type: object, additionalProperties: false, required: [n], properties: { n: { type: string } } }
    examples: [ { n: '1' } ]
  - version: 1.1.0
    schema: { type: object, additionalProperties: false, required: [n], properties: { n: { type: string }, note: { type: string } } }
    examples: [ { n: '1', note: x } ]
  - version: 2.0.0
    schema: { type: object, additionalProperties: false, required: [count], properties: { count: { type: integer, minimum: 1 }, note: { type: string } } }
    upcast: [ { rename: { n: count } }, { convert: { count: integer } } ]
    examples: [ { count: 1 } ]
  - version: 3.0.0
    schema: { type: object, additionalProperties: false, required: [count, unit], properties: { count: { type: integer, minimum: 1 }, unit: { type: string }, note: { type: string } } }
    upcast: [ { set: { unit: piece } } ]
    examples: [ { count: 1, unit: piece } ]
  - version: 3.1.0
    schema: { type: object, additionalProperties: false, required: [count, unit], properties: { count: { type: integer, minimum: 1, maximum: 100 }, unit: { type: string }, note: { type: string } } }
    examples: [ { count: 1, unit: piece } ]
"#;

const PARCELS: &str = r#"
event: ParcelShipped
namespace: com.example.things
description: A parcel left.
versions:
  - version: 1.0.0
    schema: { type: object, properties: { id: { type: string } } }
    examples: [ { id: a } ]
  - version: 2.0.0
    schema: { type: object, properties: { key: { type: string } } }
    upcast: [ { custom: true } ]
    examples: [ { key: a } ]
"#;

fn model() -> Model {
    let inputs = Inputs {
        contracts: vec![
            Input::new("parcel_shipped.yaml", PARCELS),
            Input::new("thing_happened.yaml", THINGS),
        ],
        // 3.1.0 tightens a bound in a minor, which lint refuses; a team that
        // turned the rule off still gets the message refused by `verify`.
        config: Some(Input::new(
            "evc.yaml",
            "version: v1\nlint: { rules: { VERSION_BUMP_TOO_SMALL: off } }\n",
        )),
    };
    let lint = crate::lint_inputs(inputs, Path::new("."));
    let errors: Vec<&str> = lint
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    lint.model
}

fn envelope(ty: &str, version: Option<&str>, data: serde_json::Value) -> String {
    let mut e =
        json!({"specversion": "1.0", "id": "1", "source": "/test", "type": ty, "data": data});
    if let Some(version) = version {
        e["dataversion"] = json!(version);
    }
    e.to_string()
}

const THING: &str = "com.example.things.thing_happened";

fn run(lines: &[String]) -> Summary {
    replay(&model(), Cursor::new(lines.join("\n"))).expect("in memory")
}

/// The one failure of a one-line replay.
fn failure(line: String) -> (Kind, String) {
    let summary = run(&[line]);
    assert_eq!((summary.passed, summary.failed), (0, 1), "{summary:#?}");
    let first = &summary.groups[0].failures[0];
    (first.kind, first.message.clone())
}

#[test]
fn a_payload_of_every_version_goes_through_the_chain() {
    let lines = [
        envelope(&format!("{THING}.v1"), Some("1.0.0"), json!({"n": "4"})),
        envelope(
            &format!("{THING}.v1"),
            Some("1.1.0"),
            json!({"n": "5", "note": "x"}),
        ),
        envelope(&format!("{THING}.v2"), Some("2.0.0"), json!({"count": 3})),
        envelope(
            &format!("{THING}.v3"),
            Some("3.0.0"),
            json!({"count": 3, "unit": "kg"}),
        ),
        envelope(
            &format!("{THING}.v3"),
            Some("3.1.0"),
            json!({"count": 3, "unit": "kg"}),
        ),
    ];
    let summary = run(&lines);
    assert_eq!(summary.messages, 5);
    assert!(summary.all_passed(), "{summary:#?}");
    assert_eq!(summary.groups.len(), 5);
    assert!(summary
        .groups
        .iter()
        .all(|g| g.passed == 1 && g.failures.is_empty()));
}

#[test]
fn blank_lines_are_skipped_and_line_numbers_count_them() {
    let bad = envelope(&format!("{THING}.v1"), Some("1.0.0"), json!({"n": 4}));
    let summary = run(&["".into(), "   \r".into(), bad]);
    assert_eq!(summary.messages, 1);
    assert_eq!(summary.groups[0].failures[0].line, 3);
}

#[test]
fn without_dataversion_a_message_is_read_as_the_latest_of_its_major() {
    let summary = run(&[envelope(
        &format!("{THING}.v1"),
        None,
        json!({"n": "2", "note": "x"}),
    )]);
    assert!(summary.all_passed(), "{summary:#?}");
    assert_eq!(summary.groups[0].read_as.as_deref(), Some("1.1.0"));
    assert_eq!(summary.groups[0].dataversion, None);
}

#[test]
fn an_unknown_minor_is_read_tolerantly_unless_the_object_is_closed() {
    let open = envelope(
        "com.example.things.parcel_shipped.v2",
        Some("2.7.0"),
        json!({"key": "a", "added_later": true}),
    );
    let summary = run(&[open]);
    assert!(summary.all_passed(), "{summary:#?}");
    assert_eq!(summary.groups[0].read_as.as_deref(), Some("2.0.0"));
    let closed = envelope(
        &format!("{THING}.v3"),
        Some("3.4.0"),
        json!({"count": 1, "unit": "kg", "added_later": true}),
    );
    let (kind, message) = failure(closed);
    assert_eq!(kind, Kind::InvalidPayload);
    assert!(message.contains("added_later"), "{message}");
}

#[test]
fn each_kind_of_failure_is_told_apart() {
    let v1 = format!("{THING}.v1");
    let cases = [
        (
            "{not json".to_owned(),
            Kind::InvalidEnvelope,
            "not a CloudEvents JSON object",
        ),
        (
            r#"{"specversion":"1.0","id":"1","source":"/s"}"#.to_owned(),
            Kind::InvalidEnvelope,
            "`type`",
        ),
        (
            envelope(&v1, Some("one"), json!({})),
            Kind::InvalidEnvelope,
            "not a semver",
        ),
        (
            envelope(&v1, Some("2.0.0"), json!({})),
            Kind::InvalidEnvelope,
            "does not belong",
        ),
        (
            envelope("com.example.nothing.v1", None, json!({})),
            Kind::UnknownType,
            "no contract",
        ),
        (
            envelope(&format!("{THING}.v9"), None, json!({})),
            Kind::UnsupportedVersion,
            "major 9 of `ThingHappened` is not listed (known: v1, v2, v3)",
        ),
        (
            envelope(&v1, Some("1.0.0"), json!({"n": 1})),
            Kind::InvalidPayload,
            "at `/n`",
        ),
        (
            envelope(&v1, Some("1.0.0"), json!({"n": "x"})),
            Kind::UpcastFailed,
            "upcast from 1.1.0 to 2.0.0: step 2 (`convert` of `count`)",
        ),
        (
            envelope(&v1, Some("1.0.0"), json!({"n": "0"})),
            Kind::UpcastResultInvalid,
            "upcast from 1.1.0 to 2.0.0 yields a payload 2.0.0 refuses at `/count`",
        ),
        (
            envelope(&v1, Some("1.0.0"), json!({"n": "500"})),
            Kind::UpcastResultInvalid,
            "refused by the latest 3.1.0 at `/count`",
        ),
        (
            envelope(
                &format!("{THING}.v3"),
                Some("3.0.0"),
                json!({"count": 500, "unit": "kg"}),
            ),
            Kind::InvalidPayload,
            "valid for 3.0.0, is refused by the latest 3.1.0",
        ),
        (
            envelope(
                "com.example.things.parcel_shipped.v1",
                None,
                json!({"id": "a"}),
            ),
            Kind::CustomUpcast,
            "custom Rust code",
        ),
    ];
    for (line, kind, text) in cases {
        let (found, message) = failure(line.clone());
        assert_eq!(found, kind, "{line}: {message}");
        assert!(message.contains(text), "{line}: {message}");
    }
}

#[test]
fn payloads_the_runtime_refuses_are_invalid() {
    let v1 = format!("{THING}.v1");
    let mut base64: serde_json::Value =
        serde_json::from_str(&envelope(&v1, None, json!(null))).unwrap();
    base64.as_object_mut().unwrap().remove("data");
    let mut no_data = base64.clone();
    base64["data_base64"] = json!("e30=");
    let mut xml: serde_json::Value =
        serde_json::from_str(&envelope(&v1, None, json!({"n": "1"}))).unwrap();
    xml["datacontenttype"] = json!("application/xml");
    no_data["id"] = json!("2");
    for (line, text) in [
        (base64, "data_base64"),
        (no_data, "no `data`"),
        (xml, "is not JSON"),
    ] {
        let (kind, message) = failure(line.to_string());
        assert_eq!(kind, Kind::InvalidPayload);
        assert!(message.contains(text), "{message}");
    }
}

#[test]
fn counts_and_first_failures_per_group() {
    let v1 = format!("{THING}.v1");
    let lines = [
        envelope(&v1, Some("1.0.0"), json!({"n": "1"})),
        envelope(&v1, Some("1.0.0"), json!({"n": "x"})),
        envelope(&v1, Some("1.0.0"), json!({"n": "y"})),
        envelope(&v1, Some("1.0.0"), json!({"n": 3})),
        "garbage".to_owned(),
    ];
    let summary = run(&lines);
    assert_eq!(
        (summary.messages, summary.passed, summary.failed),
        (5, 1, 4)
    );
    assert_eq!(summary.groups[0].ty, None);
    let group = &summary.groups[1];
    assert_eq!((group.passed, group.failed), (1, 3));
    let kinds: Vec<(Kind, u64, u64)> = group
        .failures
        .iter()
        .map(|f| (f.kind, f.count, f.line))
        .collect();
    assert_eq!(
        kinds,
        [(Kind::InvalidPayload, 1, 4), (Kind::UpcastFailed, 2, 2)]
    );
    assert!(group.failures[1].message.contains("\"x\""));
}

#[test]
fn lines_are_read_one_at_a_time_and_long_ones_cut() {
    let mut input = Cursor::new(b"abc\r\n0123456789ABCDEF\nlast".to_vec());
    let mut line = Vec::new();
    assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), Some(false));
    assert_eq!(line, b"abc\r\n");
    line.clear();
    assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), Some(true));
    assert_eq!(line, b"01234567");
    line.clear();
    assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), Some(false));
    assert_eq!(line, b"last");
    line.clear();
    assert_eq!(read_line(&mut input, &mut line, 8).unwrap(), None);
}

#[test]
fn a_line_that_is_not_utf8_is_an_invalid_envelope() {
    let summary = replay(&model(), Cursor::new(b"\xff\xfe{}\n".to_vec())).unwrap();
    assert_eq!(summary.groups[0].failures[0].kind, Kind::InvalidEnvelope);
}

#[test]
fn the_summary_renders_for_terminals_and_as_json() {
    let lines = [
        envelope(&format!("{THING}.v1"), None, json!({"n": "1"})),
        "garbage".to_owned(),
    ];
    let summary = run(&lines);
    let text = render::human(&summary, "events.jsonl");
    assert!(text.contains("(not an envelope): 0 passed, 1 failed\n  invalid envelope (1): first at events.jsonl:2: "), "{text}");
    assert!(
        text.contains(
            "com.example.things.thing_happened.v1 (no dataversion, read as 1.1.0): 1 passed\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("evc verify: 2 messages in events.jsonl: 1 passed, 1 failed\n"),
        "{text}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&render::json(&summary, "events.jsonl")).unwrap();
    assert_eq!(
        doc["summary"],
        json!({"messages": 2, "passed": 1, "failed": 1})
    );
    assert_eq!(doc["groups"][0]["failures"][0]["kind"], "invalid_envelope");
    assert_eq!(doc["groups"][0]["failures"][0]["line"], 2);
    assert_eq!(doc["groups"][1]["read_as"], "1.1.0");
}
