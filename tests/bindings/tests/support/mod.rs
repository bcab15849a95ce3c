//! Payloads and comparisons the binding tests share.
#![allow(dead_code)]

pub mod instances;
pub mod steps;

use evc_bindings_tests::OrderCreated;
use serde_json::{json, Value};

/// A stored message as a producer of `version` wrote it.
pub fn archived(wire_type: &str, version: &str, data: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "archived-1",
        "source": "/tests/upcast",
        "type": wire_type,
        "dataversion": version,
        "data": data,
    }))
    .expect("serializable")
}

/// A valid `CreateOrder` payload.
pub fn create_order() -> Value {
    json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "currency": "EUR",
        "shipping_address": {
            "recipient_name": "Ada Lovelace",
            "line1": "Invalidenstrasse 117",
            "city": "Berlin",
            "postal_code": "10115",
            "country_code": "DE"
        }
    })
}

/// A valid `OrderCreated` (latest version).
pub fn order_created() -> OrderCreated {
    serde_json::from_value(json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    }))
    .expect("a valid OrderCreated")
}

/// Whether `encoded` says everything `original` does (numbers compared as
/// JSON: 147 equals 147.0); it may say more, such as filled-in defaults.
pub fn holds(encoded: &Value, original: &Value) -> bool {
    match (encoded, original) {
        (Value::Object(e), Value::Object(o)) => {
            o.iter().all(|(k, v)| e.get(k).is_some_and(|w| holds(w, v)))
        }
        (Value::Array(e), Value::Array(o)) => {
            e.len() == o.len() && e.iter().zip(o).all(|(a, b)| holds(a, b))
        }
        _ => evc_runtime::check::json_eq(encoded, original),
    }
}
