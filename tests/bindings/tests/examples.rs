//! Every example of every bundled contract version decodes through the
//! generated types and dispatch table, and encodes back to the same JSON.
//! Examples of older minor versions decode with their major's latest type:
//! a minor step is backward compatible.

use std::path::Path;

mod support;

use evc_bindings_tests::{decode, Message};
use serde_json::{json, Value};
use support::{create_order, holds};

fn envelope(wire_type: &str, version: &str, data: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "6f1c2a3b-0000-4000-8000-000000000001",
        "source": "/tests/examples",
        "type": wire_type,
        "dataversion": version,
        "datacontenttype": "application/json",
        "data": data,
    }))
    .expect("serializable")
}

#[test]
fn every_example_round_trips_through_its_latest_minor() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    let lint = evc::lint_dir(&root).expect("schemas/ is readable");
    let mut checked = 0;
    for contract in &lint.model.contracts {
        let newest_major = contract
            .latest()
            .and_then(|v| v.version.as_ref())
            .map(|v| v.major);
        for version in &contract.versions {
            let Some(number) = &version.version else {
                continue;
            };
            if Some(number.major) != newest_major {
                // Older majors reach handlers through upcasts (not compiled yet).
                continue;
            }
            for example in &version.examples {
                let data = example.node.to_json();
                let bytes = envelope(
                    &contract.wire_type(number.major),
                    &number.to_string(),
                    &data,
                );
                let (_, message) = decode(&bytes)
                    .unwrap_or_else(|e| panic!("{} {number}: {e}\n{data:#}", contract.name.value));
                assert_eq!(message.wire_type(), contract.wire_type(number.major));
                let encoded = serde_json::to_value(&message).expect("encodes");
                // Everything the example says comes back (a `number` written
                // 147 as 147.0), plus the defaults of absent properties.
                assert!(
                    holds(&encoded, &data),
                    "{} {number}:\n{encoded:#}\n{data:#}",
                    contract.name.value
                );
                let again = envelope(
                    &contract.wire_type(number.major),
                    &number.to_string(),
                    &encoded,
                );
                assert_eq!(decode(&again).expect("decodes again").1, message);
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "only {checked} examples checked");
}

#[test]
fn messages_route_to_the_right_variant() {
    let bytes = envelope(
        "com.example.orders.create_order.v1",
        "1.0.0",
        &create_order(),
    );
    match decode(&bytes) {
        Ok((_, Message::Command(evc_bindings_tests::Command::CreateOrder(command)))) => {
            assert_eq!(command.lines.len(), 1);
        }
        other => panic!("{other:?}"),
    }
}
