//! The CloudEvents JSON format conformance vectors (single events) from
//! github.com/cloudevents/conformance, copied under `tests/data/cloudevents/`:
//! every invalid event refused, every valid one accepted.

use evc_runtime::Envelope;
use serde_json::Value;

fn cases(file: &str) -> Vec<(String, Vec<u8>)> {
    let path = format!(
        "{}/../tests/data/cloudevents/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let document: Value = serde_json::from_str(&text).expect("the vectors are JSON");
    document["tests"]
        .as_array()
        .expect("a `tests` array")
        .iter()
        .map(|case| {
            let id = case["id"].as_str().expect("a test id").to_owned();
            let event = serde_json::to_vec(&case["event"]).expect("an event");
            (id, event)
        })
        .collect()
}

#[test]
fn every_invalid_event_is_refused() {
    let cases = cases("invalid-events.json");
    assert_eq!(cases.len(), 25);
    let accepted: Vec<&str> = cases
        .iter()
        .filter(|(_, event)| Envelope::parse(event).is_ok())
        .map(|(id, _)| id.as_str())
        .collect();
    assert!(accepted.is_empty(), "invalid events accepted: {accepted:?}");
}

#[test]
fn every_valid_event_is_accepted() {
    let cases = cases("valid-events.json");
    assert_eq!(cases.len(), 10);
    let refused: Vec<String> = cases
        .iter()
        .filter_map(|(id, event)| Envelope::parse(event).err().map(|e| format!("{id}: {e}")))
        .collect();
    assert!(refused.is_empty(), "valid events refused: {refused:?}");
}

#[test]
fn valid_events_keep_their_extensions_as_written() {
    let cases = cases("valid-events.json");
    let (_, event) = cases
        .iter()
        .find(|(id, _)| id == "validAllExtensionTypes")
        .expect("the extension vector");
    let envelope = Envelope::parse(event).expect("valid");
    let again = Envelope::parse(&envelope.to_vec()).expect("still valid");
    let text = |e: &Envelope, name: &str| e.extensions[name].get().to_owned();
    assert_eq!(text(&again, "extinteger"), "10");
    assert_eq!(text(&again, "extboolean"), "true");
    assert_eq!(text(&again, "extbinary"), r#""TWE=""#);
    assert_eq!(again.extensions.len(), 7);
}
