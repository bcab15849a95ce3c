//! Keywords that apply a schema according to what the value holds:
//! `if`/`then`/`else`, `dependentSchemas`, `propertyNames` and
//! `patternProperties` (with `additionalProperties: false` beside it). The
//! generated structs keep every property they were given, so the checks see
//! the JSON that was sent and encoding gives it back.

use evc_bindings_tests::applicators::{MetricsRecorded, ShipmentRouted, ShipmentRoutedV1Country};
use evc_runtime::{Contract, PayloadError};
use serde_json::{json, Value};

fn route(value: &Value) -> Result<ShipmentRouted, PayloadError> {
    ShipmentRouted::decode(value.to_string().as_bytes())
}

fn metrics(value: &Value) -> Result<MetricsRecorded, PayloadError> {
    MetricsRecorded::decode(value.to_string().as_bytes())
}

fn refused(result: Result<impl std::fmt::Debug, PayloadError>, pointer: &str, words: &str) {
    let error = result.expect_err("refused");
    assert_eq!(error.pointer, pointer, "{error}");
    assert!(
        error.reason.contains(words),
        "`{}` does not mention {words}",
        error.reason
    );
}

#[test]
fn then_applies_when_if_passes_and_else_otherwise() {
    let us = json!({ "shipment_id": "S-1", "country": "US", "postal_code": "94105-1234" });
    let decoded = route(&us).expect("a ZIP code in the US");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), us);
    let nl = json!({ "shipment_id": "S-2", "country": "NL", "postal_code": "1012 AB" });
    route(&nl).expect("any short code elsewhere");
    route(&json!({ "shipment_id": "S-3", "country": "CA" })).expect("else requires nothing");

    let letters = json!({ "shipment_id": "S-1", "country": "US", "postal_code": "1012 AB" });
    refused(route(&letters), "/postal_code", "pattern");
    refused(
        route(&json!({ "shipment_id": "S-1", "country": "US" })),
        "",
        "postal_code",
    );
    let long = json!({ "shipment_id": "S-2", "country": "NL", "postal_code": "12345678901" });
    refused(route(&long), "/postal_code", "longer");
}

#[test]
fn a_dependent_schema_applies_when_its_property_is_present() {
    let express = json!({
        "shipment_id": "S-4", "country": "CA", "express": true, "carrier": "dhl"
    });
    route(&express).expect("express with a carrier");
    let no_carrier = json!({ "shipment_id": "S-4", "country": "CA", "express": true });
    refused(route(&no_carrier), "", "carrier");
    let post = json!({
        "shipment_id": "S-4", "country": "CA", "express": false, "carrier": "post"
    });
    refused(route(&post), "", "not");
    let plain = json!({ "shipment_id": "S-5", "country": "CA", "carrier": "post" });
    route(&plain).expect("without `express` the dependent schema does not apply");
}

#[test]
fn pattern_properties_type_the_matching_names_and_close_the_rest() {
    let sent = json!({
        "host": "web-1",
        "metric_cpu": 0.5,
        "metric_requests": 120,
        "tags": { "region": "eu_west" }
    });
    let decoded = metrics(&sent).expect("decodes");
    assert_eq!(decoded.additional_properties.len(), 2);
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), sent);

    refused(
        metrics(&json!({ "host": "web-1", "metric_cpu": -1 })),
        "/metric_cpu",
        "minimum",
    );
    refused(
        metrics(&json!({ "host": "web-1", "metric_cpu": "high" })),
        "/metric_cpu",
        "type",
    );
    refused(
        metrics(&json!({ "host": "web-1", "cpu": 0.5 })),
        "/cpu",
        "matches no pattern",
    );
}

#[test]
fn property_names_are_checked_as_strings() {
    let tagged = |name: &str| json!({ "host": "web-1", "tags": { name: "x" } });
    metrics(&tagged("region_2")).expect("a lower-case identifier");
    refused(metrics(&tagged("Region")), "/tags/Region", "pattern");
    refused(
        metrics(&tagged(&"a".repeat(33))),
        &format!("/tags/{}", "a".repeat(33)),
        "longer",
    );
}

#[test]
fn producers_build_values_the_checks_accept() {
    let routed = ShipmentRouted::new("S-6".into(), ShipmentRoutedV1Country::Us)
        .with_postal_code("10001".into());
    let bytes = serde_json::to_vec(&routed).expect("encodes");
    assert_eq!(ShipmentRouted::decode(&bytes).expect("decodes"), routed);
}
