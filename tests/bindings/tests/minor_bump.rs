//! A backward-compatible minor bump must not break Rust producers: the
//! same producer source, written against 1.0.0, compiles against the
//! bindings of 1.0.0 and of 1.1.0 (which adds an optional property), and
//! both produce the same valid message.

use evc_runtime::Contract;

mod against_1_0 {
    use evc_bindings_tests::minor_1_0 as contracts;
    include!("support/producer.rs");
}

mod against_1_1 {
    use evc_bindings_tests::minor_1_1 as contracts;
    include!("support/producer.rs");
}

#[test]
fn producer_code_survives_a_minor_bump() {
    let old = against_1_0::shipped();
    let new = against_1_1::shipped();
    assert_eq!(
        new.carrier_note, None,
        "the new optional property starts absent"
    );
    let old_json: serde_json::Value =
        serde_json::from_slice(&old.encode().expect("valid")).unwrap();
    let new_json: serde_json::Value =
        serde_json::from_slice(&new.encode().expect("valid")).unwrap();
    assert_eq!(old_json, new_json);
    assert_eq!(
        old_json,
        serde_json::json!({
            "parcel_id": "7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77",
            "weight_grams": 1200,
            "fragile": true,
            "label": "glass"
        })
    );
}
