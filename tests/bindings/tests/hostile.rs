//! Contract text written to break out of generated comments, strings and
//! attributes compiles (the crate builds under `deny(warnings)`) and stays
//! data: it comes back unchanged through the JSON Schema constant and the
//! wire values.

use evc_bindings_tests::hostile::{NoteAdded, NoteAddedV1Kind};
use evc_runtime::Contract;
use serde_json::{json, Value};

#[test]
fn descriptions_survive_as_data() {
    let schema: Value = serde_json::from_str(NoteAdded::SCHEMA).expect("valid JSON");
    let note = &schema["properties"]["note"];
    assert_eq!(note["title"], "Title \"*/ #[doc = x]");
    assert_eq!(
        note["description"],
        "line one\nline two */ } // \\\n#[allow(unsafe_code)]"
    );
    assert_eq!(note["pattern"], "^[^\\\\]*\"?[}]*$");
    assert_eq!(
        schema["properties"]["kind"]["description"],
        "Enum values that are not identifiers; \"# and \"## would end a raw string."
    );
}

#[test]
fn odd_names_keep_their_wire_spelling() {
    let payload = json!({
        "note": "say \"hi\" }",
        "kind": "a\"b",
        "type": "plain",
        "self": 3,
        "quoted \" key": true
    });
    let decoded = NoteAdded::decode(payload.to_string().as_bytes()).expect("valid");
    assert_eq!(decoded.kind, NoteAddedV1Kind::AB);
    assert_eq!(decoded.r#type.as_deref(), Some("plain"));
    assert_eq!(decoded.self_, 3);
    assert_eq!(decoded.quoted_key, Some(true));
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), payload);
    for (variant, wire) in [
        (NoteAddedV1Kind::Empty, "*/"),
        (NoteAddedV1Kind::Self_, "Self"),
        (NoteAddedV1Kind::Abc, "A-B-c"),
    ] {
        assert_eq!(variant.as_str(), wire);
        assert_eq!(serde_json::to_value(variant).expect("encodes"), wire);
    }
}

#[test]
fn the_pattern_with_quotes_and_backslashes_is_enforced() {
    let bad = json!({ "note": "a \\ b", "kind": "*/" });
    let error =
        NoteAdded::decode(bad.to_string().as_bytes()).expect_err("pattern refuses a backslash");
    assert_eq!(error.pointer, "/note");
}
