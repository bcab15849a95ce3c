//! A closed tuple whose every position is required decodes to a Rust tuple;
//! other tuples decode to vectors of JSON values whose items are checked by
//! position: each `prefixItems` schema at its index, `items` after them, and
//! `items: false` (draft-07: `additionalItems: false`) refusing any more.
//! `contains` counts the items matching its schema, typed or JSON.

use evc_bindings_tests::tuples::PointPlotted;
use evc_runtime::{Contract, PayloadError};
use serde_json::{json, Value};

fn decode(value: &Value) -> Result<PointPlotted, PayloadError> {
    PointPlotted::decode(value.to_string().as_bytes())
}

fn payload() -> Value {
    json!({
        "position": [4.35, 50.85],
        "path": ["home", 1, 2, 3],
        "range": [-1, 2],
        "tagged": [{ "id": "0b7e2b2c-5f7e-4c9b-8f0e-1c2d3e4f5a6b" }, "abc", "de"]
    })
}

fn with(pointer: &str, value: Value) -> Value {
    let mut payload = payload();
    *payload.pointer_mut(pointer).expect("present") = value;
    payload
}

#[test]
fn a_valid_tuple_decodes_and_encodes_back_equal() {
    let decoded = decode(&payload()).expect("decodes");
    assert_eq!(decoded.position, (4.35, 50.85));
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), payload());
    let short = json!({ "position": [0, 0], "path": ["x"] });
    decode(&short).expect("the rest of an open tuple may be empty");
}

#[test]
fn each_position_is_checked_against_its_own_schema() {
    for (bad, pointer, words) in [
        (with("/position/0", json!(181)), "/position/0", "maximum"),
        (with("/position/1", json!(-91)), "/position/1", "minimum"),
        (with("/position/1", json!("north")), "/position/1", "type"),
        (with("/path/0", json!("")), "/path/0", "shorter"),
        (with("/path/0", json!(1)), "/path/0", "type"),
        (with("/path/2", json!(10)), "/path/2", "maximum"),
        (with("/path/3", json!("x")), "/path/3", "type"),
        (with("/range/1", json!(-1)), "/range/1", "minimum"),
        (with("/tagged/0", json!({})), "/tagged/0", "id"),
        (with("/tagged/0/id", json!("nope")), "/tagged/0/id", "uuid"),
        (with("/tagged/2", json!("four")), "/tagged/2", "longer"),
    ] {
        let error = decode(&bad).expect_err(&bad.to_string());
        assert_eq!(error.pointer, pointer, "{bad}: {error}");
        assert!(
            error.reason.contains(words),
            "{bad}: `{}` does not mention {words}",
            error.reason
        );
    }
}

#[test]
fn a_closed_tuple_refuses_more_items_and_an_open_one_takes_them() {
    let long = with("/position", json!([1, 2, 3]));
    let error = decode(&long).expect_err("items: false");
    assert_eq!(error.pointer, "/position");
    assert!(error.reason.contains("items: false"), "{error}");
    let long = with("/range", json!([1, 2, 3]));
    let error = decode(&long).expect_err("additionalItems: false");
    assert_eq!(error.pointer, "/range");
    let short = with("/range", json!([1]));
    decode(&short).expect("positions are optional without minItems");
    let short = with("/position", json!([1]));
    assert_eq!(decode(&short).expect_err("minItems").pointer, "/position");
    let long = with("/path", json!(["a", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    decode(&long).expect("an open tuple");
}

#[test]
fn contains_counts_the_matching_items() {
    let stop = |last: bool| json!({ "name": "s", "last": last });
    let ok = with("/position", json!([0, 0]));
    let mut payload = ok.clone();
    payload["stops"] = json!([stop(false), stop(true), stop(true)]);
    payload["readings"] = json!([101, "x", 102.5]);
    decode(&payload).expect("two final stops, two high readings");
    for (stops, readings, pointer, words) in [
        (json!([stop(false)]), json!([101, 102]), "/stops", "no item"),
        (json!([]), json!([101, 102]), "/stops", "no item"),
        (
            json!([stop(true), stop(true), stop(true)]),
            json!([101, 102]),
            "/stops",
            "maxContains",
        ),
        (
            json!([stop(true)]),
            json!([101, 100]),
            "/readings",
            "minContains",
        ),
        (
            json!([stop(true)]),
            json!(["101", 102]),
            "/readings",
            "minContains",
        ),
    ] {
        let mut bad = ok.clone();
        bad["stops"] = stops;
        bad["readings"] = readings;
        let error = decode(&bad).expect_err(&bad.to_string());
        assert_eq!(error.pointer, pointer, "{bad}: {error}");
        assert!(error.reason.contains(words), "{bad}: {error}");
    }
    let mut not_an_array = ok;
    not_an_array["readings"] = json!({ "a": 1 });
    decode(&not_an_array).expect("contains applies to arrays only");
}

/// A `number` that holds an integer is sent as the integer it was read as:
/// `[4, 50]` goes out as `[4,50]`, not `[4.0,50.0]`.
#[test]
fn integral_numbers_encode_as_integers() {
    let input = with("/position", json!([4, 50]));
    let decoded = decode(&input).expect("decodes");
    let encoded = decoded.encode().expect("encodes");
    let text = String::from_utf8(encoded).expect("UTF-8");
    assert!(text.contains(r#""position":[4,50]"#), "{text}");
    let fractional = decode(&payload())
        .expect("decodes")
        .encode()
        .expect("encodes");
    let text = String::from_utf8(fractional).expect("UTF-8");
    assert!(text.contains(r#""position":[4.35,50.85]"#), "{text}");
}
