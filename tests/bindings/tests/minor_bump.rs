//! A backward-compatible minor bump must not break Rust producers or
//! consumers: the same source, written against 1.0.0 in this crate (not the
//! one holding the bindings, so `#[non_exhaustive]` applies), compiles
//! against the bindings of 1.0.0 and of 1.1.0 (which adds an optional
//! property and an enum value), and both produce the same valid message.

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
            "label": "glass",
            "service": "express"
        })
    );
}

#[test]
fn consumer_code_survives_a_new_enum_value() {
    use evc_bindings_tests::minor_1_1::ParcelShippedV1Service as Service;
    assert_eq!(
        against_1_0::promise(evc_bindings_tests::minor_1_0::ParcelShippedV1Service::Express),
        "tomorrow"
    );
    assert_eq!(against_1_1::promise(Service::Express), "tomorrow");
    assert_eq!(against_1_1::promise(Service::Overnight), "ask the carrier");
}
