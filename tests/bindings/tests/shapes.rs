//! The backend's focused sets as users meet them: unions, optionality,
//! recursion, `allOf` merges, maps, property counts and non-object payloads
//! decode what their schema accepts, refuse what it does not, and encode
//! back unchanged.

mod support;

use evc_bindings_tests::{
    formats, maps, merging, objects, optionality, recursion, semantics, unions,
};
use evc_runtime::{Contract, PayloadError};
use serde_json::{json, Value};
use support::holds;

fn decode<T: Contract>(value: Value) -> Result<T, PayloadError> {
    T::decode(value.to_string().as_bytes())
}

/// Decodes and encodes again: the result holds everything the input did,
/// plus the defaults of absent properties.
fn round_trip<T: Contract>(value: Value) -> T {
    let decoded: T = decode(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"));
    let encoded = serde_json::to_value(&decoded).expect("encodes");
    assert!(holds(&encoded, &value), "{encoded} does not hold {value}");
    decoded
}

#[test]
fn tagged_unions_route_on_their_tag() {
    use unions::{ShapeDrawn, ShapeDrawnV1Label, ShapeDrawnV1Layer, ShapeDrawnV1Shape};
    let drawn: ShapeDrawn = round_trip(json!({
        "shape": { "kind": "circle", "radius": 2.5 },
        "label": "abc",
        "layer": "background"
    }));
    assert!(matches!(drawn.shape, ShapeDrawnV1Shape::Circle(ref c) if c.radius == 2.5));
    assert_eq!(drawn.label, ShapeDrawnV1Label::String("abc".into()));
    assert!(matches!(drawn.layer, Some(ShapeDrawnV1Layer::LayerName(_))));

    let drawn: ShapeDrawn = round_trip(json!({
        "shape": { "kind": "rectangle", "width": 3, "height": 4 },
        "label": 12,
        "layer": 7
    }));
    assert_eq!(drawn.label, ShapeDrawnV1Label::Integer(12));
    assert!(matches!(drawn.layer, Some(ShapeDrawnV1Layer::Integer(7))));
}

#[test]
fn unions_refuse_what_no_branch_accepts() {
    use unions::ShapeDrawn;
    for bad in [
        json!({ "shape": { "kind": "triangle" }, "label": "a" }),
        json!({ "shape": { "kind": "circle", "radius": 0 }, "label": "a" }),
        json!({ "shape": { "kind": "circle", "radius": 1, "extra": 1 }, "label": "a" }),
        json!({ "shape": { "kind": "circle", "radius": 1 }, "label": "abcd" }),
        json!({ "shape": { "kind": "circle", "radius": 1 }, "label": -1 }),
        json!({ "shape": { "kind": "circle", "radius": 1 }, "label": "a", "layer": "UPPER" }),
    ] {
        assert!(decode::<ShapeDrawn>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn type_lists_are_enums_of_their_types() {
    use unions::{
        ValueRecorded, ValueRecordedV1Detail, ValueRecordedV1Key, ValueRecordedV1Reading,
        ValueRecordedV1Samples,
    };
    let recorded: ValueRecorded = round_trip(json!({
        "key": "order-1", "reading": 3.5, "samples": [1, 2], "detail": { "code": "x" }
    }));
    assert_eq!(recorded.key, ValueRecordedV1Key::String("order-1".into()));
    assert_eq!(recorded.reading, ValueRecordedV1Reading::Number(3.5));
    assert_eq!(
        recorded.samples,
        Some(ValueRecordedV1Samples::Array(vec![1, 2]))
    );
    assert!(matches!(
        recorded.detail,
        Some(ValueRecordedV1Detail::Object(_))
    ));

    // `integer` folds into `number`; `null` is a value of its own, apart from absence.
    let recorded: ValueRecorded =
        round_trip(json!({ "key": 42, "reading": null, "samples": 7, "detail": "plain" }));
    assert_eq!(recorded.key, ValueRecordedV1Key::Integer(42));
    assert_eq!(recorded.reading, ValueRecordedV1Reading::Null(()));
    assert_eq!(recorded.samples, Some(ValueRecordedV1Samples::Integer(7)));
    assert_eq!(
        recorded.detail,
        Some(ValueRecordedV1Detail::String("plain".into()))
    );
    let recorded: ValueRecorded = round_trip(json!({ "key": "k", "reading": 2 }));
    assert_eq!(recorded.reading, ValueRecordedV1Reading::Number(2.0));
    assert_eq!(recorded.samples, None);
}

#[test]
fn type_lists_check_each_type_by_its_own_keywords() {
    use unions::ValueRecorded;
    for bad in [
        // A type the list does not name.
        json!({ "key": true, "reading": 1 }),
        json!({ "key": [1], "reading": 1 }),
        json!({ "key": "k", "reading": [] }),
        json!({ "key": 1.5, "reading": 1 }),
        // Each type's own keywords.
        json!({ "key": "", "reading": 1 }),
        json!({ "key": "UPPER", "reading": 1 }),
        json!({ "key": 0, "reading": 1 }),
        json!({ "key": "k", "reading": "too long a label" }),
        json!({ "key": "k", "reading": -1 }),
        json!({ "key": "k", "reading": 1, "samples": 10 }),
        json!({ "key": "k", "reading": 1, "samples": [-1] }),
        json!({ "key": "k", "reading": 1, "detail": {} }),
        json!({ "key": "k", "reading": 1, "detail": { "code": "" } }),
    ] {
        assert!(decode::<ValueRecorded>(bad.clone()).is_err(), "{bad}");
    }
    // A keyword of another type does not apply: the string may exceed `maximum`.
    round_trip::<ValueRecorded>(json!({ "key": "99", "reading": "99999999" }));
}

#[test]
fn optional_required_and_nullable_follow_the_schema() {
    use optionality::ProfileUpdated;
    let id = "2f40bd99-29dd-4ed7-a512-3f99b9939338";
    let profile: ProfileUpdated = round_trip(json!({ "user_id": id, "nickname": null }));
    assert_eq!(profile.nickname, None);
    // Absent, so filled in from the schema's `default`.
    assert_eq!(profile.age, 18);
    round_trip::<ProfileUpdated>(
        json!({ "user_id": id, "nickname": "ada", "theme": "dark", "tags": ["a", "b"] }),
    );
    // Optional and nullable: null reads as absent.
    let profile: ProfileUpdated =
        decode(json!({ "user_id": id, "nickname": "ada", "website": null })).expect("valid");
    assert_eq!(profile.website, None);
    for bad in [
        json!({ "user_id": id }),
        json!({ "user_id": id, "nickname": "" }),
        json!({ "user_id": id, "nickname": "ada", "bio": null }),
        json!({ "user_id": id, "nickname": "ada", "age": -1 }),
        json!({ "user_id": id, "nickname": "ada", "theme": "blue" }),
        json!({ "user_id": id, "nickname": "ada", "tags": ["a", "a"] }),
        json!({ "user_id": id, "nickname": "ada", "website": "not a uri" }),
        json!({ "user_id": "x", "nickname": "ada" }),
    ] {
        assert!(decode::<ProfileUpdated>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn recursive_types_nest() {
    use recursion::CategoryCreated;
    let tree: CategoryCreated = round_trip(json!({
        "name": "shoes",
        "children": [{ "name": "running", "children": [{ "name": "trail" }] }],
        "featured": { "name": "boots" }
    }));
    assert_eq!(
        tree.featured.as_ref().map(|f| f.name.as_str()),
        Some("boots")
    );
    let error = decode::<CategoryCreated>(json!({ "name": "a", "children": [{ "name": "" }] }))
        .expect_err("too short");
    assert_eq!(error.pointer, "/children/0/name");
}

#[test]
fn all_of_merges_into_one_struct() {
    use merging::CustomerMoved;
    let moved: CustomerMoved = round_trip(json!({
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "city": "Berlin",
        "changed_at": "2024-04-29T09:14:03Z"
    }));
    assert_eq!(moved.city, "Berlin");
    assert!(decode::<CustomerMoved>(
        json!({ "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338", "city": "Berlin" })
    )
    .is_err());
}

#[test]
fn maps_keep_extra_properties_and_scalars_are_newtypes() {
    use maps::{RenameSku, StockCounted};
    let counted: StockCounted =
        round_trip(json!({ "warehouse": "WH-001", "counts": { "SKU-1": 3 }, "counter": "ada" }));
    assert_eq!(counted.additional_properties["counter"], "ada");
    // A declared property named like the generated map keeps its own field.
    let named: StockCounted =
        round_trip(json!({ "warehouse": "W", "counts": {}, "additional_properties": "x" }));
    assert_eq!(named.additional_properties2.as_deref(), Some("x"));
    assert!(named.additional_properties.is_empty());
    assert_eq!(counted.counts["SKU-1"], 3);
    let error = decode::<StockCounted>(json!({ "warehouse": "W", "counts": { "SKU-1": 100001 } }))
        .expect_err("too many");
    assert_eq!(error.pointer, "/counts/SKU-1");
    assert!(
        decode::<StockCounted>(json!({ "warehouse": "W", "counts": {}, "counter": 1 })).is_err()
    );

    let sku: RenameSku = round_trip(json!("SKU-42"));
    assert_eq!(sku.0, "SKU-42");
    assert!(decode::<RenameSku>(json!("42")).is_err());
}

#[test]
fn a_pattern_that_admits_every_key_types_the_map() {
    use maps::PricesListed;
    let listed: PricesListed = round_trip(json!({ "prices": { "EUR": 1200, "USD": 1300 } }));
    let prices: &std::collections::BTreeMap<String, i64> = &listed.prices;
    assert_eq!(prices["EUR"], 1200);
    for (bad, pointer) in [
        (json!({ "prices": { "eur": 1 } }), "/prices/eur"),
        (json!({ "prices": { "EUR": -1 } }), "/prices/EUR"),
        (json!({ "prices": { "EUR": "1" } }), "/prices/EUR"),
        (json!({ "prices": {} }), "/prices"),
    ] {
        let error = decode::<PricesListed>(bad.clone()).expect_err(&bad.to_string());
        assert_eq!(error.pointer, pointer, "{bad}: {error}");
    }
}

#[test]
fn required_only_branches_constrain_the_object_they_apply_to() {
    use unions::ContactAdded;
    // anyOf: at least one of `email`, `phone`.
    round_trip::<ContactAdded>(json!({ "name": "Ada", "email": "ada@example.com" }));
    round_trip::<ContactAdded>(json!({ "name": "Bob", "phone": "123" }));
    round_trip::<ContactAdded>(json!({ "name": "Cy", "email": "c@example.com", "phone": "1" }));
    // oneOf: exactly one of `street`, `city`.
    round_trip::<ContactAdded>(
        json!({ "name": "Di", "phone": "1", "address": { "city": "Paris" } }),
    );
    for bad in [
        json!({ "name": "Ada" }),
        json!({ "name": "Ada", "email": null }),
        json!({ "name": "Di", "phone": "1", "address": {} }),
        json!({ "name": "Di", "phone": "1", "address": { "street": "Rue", "city": "Paris" } }),
    ] {
        assert!(decode::<ContactAdded>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn not_refuses_what_its_schema_accepts() {
    use semantics::NameChosen;
    round_trip::<NameChosen>(json!({ "name": "ada", "tag": "x", "nested": { "x": 1 } }));
    round_trip::<NameChosen>(json!({ "name": "ada", "tag": 1.5, "nested": { "y": 1 } }));
    for bad in [
        json!({ "name": "admin" }),
        json!({ "name": "ada", "tag": 3 }),
        json!({ "name": "ada", "nested": { "x": 1, "y": 2 } }),
    ] {
        let error = decode::<NameChosen>(bad.clone()).expect_err(&bad.to_string());
        assert!(error.to_string().contains("`not`"), "{bad}: {error}");
    }
}

#[test]
fn property_counts_and_dependencies_are_checked_where_they_apply() {
    use objects::{LabelsAttached, ShipmentSplit};
    let attached: LabelsAttached = round_trip(json!({
        "product_id": "P-1",
        "labels": { "colour": "red" },
        "channel": "web",
    }));
    assert_eq!(attached.additional_properties["channel"], "web");
    let error = decode::<LabelsAttached>(json!({ "product_id": "P-1", "labels": {} }))
        .expect_err("an empty label map");
    assert_eq!(error.pointer, "/labels");
    assert!(error.reason.contains("minProperties"), "{error}");
    let error = decode::<LabelsAttached>(json!({
        "product_id": "P-1",
        "labels": { "a": "1" },
        "discount": 5,
    }))
    .expect_err("a discount without a coupon");
    assert_eq!(error.pointer, "");
    assert!(error.reason.contains("`coupon`"), "{error}");
    let crowded = json!({
        "product_id": "P-1",
        "labels": { "a": "1" },
        "x": 1, "y": 2, "z": 3, "w": 4, "v": 5,
    });
    let error = decode::<LabelsAttached>(crowded).expect_err("seven properties");
    assert!(error.reason.contains("maxProperties"), "{error}");
    // Encoding checks the same: a value built in code is counted as its JSON.
    let built = attached.clone().with_discount(1.0);
    assert!(built.encode().is_err());
    assert!(built.with_coupon("C".into()).encode().is_ok());

    round_trip::<ShipmentSplit>(
        json!({ "shipment_id": "S", "carrier": "c", "tracking_code": "t" }),
    );
    let error = decode::<ShipmentSplit>(json!({ "shipment_id": "S", "carrier": "c" }))
        .expect_err("draft-07 dependencies");
    assert!(error.reason.contains("`tracking_code`"), "{error}");
}

#[test]
fn string_formats_are_checked() {
    use formats::ConnectionOpened;
    let base = json!({
        "connection_id": "9a3c1f0e-5b2d-4c8e-a7f6-1d2e3f4a5b6c",
        "client_ipv4": "192.168.0.1",
        "opened_at": "09:14:03.250+02:00",
        "host": "api.example.com"
    });
    let with = |field: &str, value: Value| {
        let mut payload = base.clone();
        payload[field] = value;
        payload
    };
    round_trip::<ConnectionOpened>(base.clone());
    for good in [
        with("client_ipv6", json!("::ffff:192.168.0.1")),
        with("client_ipv6", Value::Null),
        with("opened_at", json!("23:59:60Z")),
        with("idle_timeout", json!("P1Y2M3DT4H5M6S")),
        with("idle_timeout", json!("P2W")),
        with("host", json!("localhost")),
        with("path", json!("")),
        with("path", json!("//cdn.example.com/a.png")),
        with("field", json!("")),
        with("field", json!("/a~0b/~1")),
    ] {
        decode::<ConnectionOpened>(good.clone()).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for bad in [
        with("client_ipv4", json!("192.168.0.256")),
        with("client_ipv4", json!("087.10.0.1")),
        with("client_ipv4", json!("::1")),
        with("client_ipv6", json!("1::d6::42")),
        with("client_ipv6", json!("fe80::a%eth1")),
        with("opened_at", json!("09:14:03")),
        with("opened_at", json!("22:59:60Z")),
        with("idle_timeout", json!("P1Y1D")),
        with("idle_timeout", json!("PT")),
        with("idle_timeout", json!("5 minutes")),
        with("host", json!("-api.example.com")),
        with("host", json!("api_v2.example.com")),
        with("host", json!("a".repeat(64))),
        with("path", json!("/a b")),
        with("field", json!("order/items")),
        with("field", json!("/order~2")),
    ] {
        let err = decode::<ConnectionOpened>(bad.clone()).expect_err(&bad.to_string());
        assert!(err.to_string().contains("is not a valid"), "{bad}: {err}");
    }
}

/// An `integer` written with a zero fraction decodes, as JSON Schema counts
/// it; the second reading that takes it keeps every other refusal of the
/// first (a repeated key), and a payload that still fails reports its own
/// fault, not the `1.0`.
#[test]
fn integers_written_with_a_fraction_decode_and_nothing_else_changes() {
    use evc_bindings_tests::minor_1_0::ParcelShipped;
    let id = "7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77";
    let parcel = format!(r#"{{"parcel_id": "{id}", "weight_grams": 1200.0}}"#);
    let decoded = ParcelShipped::decode(parcel.as_bytes()).expect("1200.0 is an integer");
    assert_eq!(decoded.weight_grams, 1200);
    let repeated = format!(r#"{{"parcel_id": "{id}", "parcel_id": "{id}", "weight_grams": 1.0}}"#);
    let error = ParcelShipped::decode(repeated.as_bytes()).expect_err("a repeated key");
    assert!(error.reason.contains("duplicate field"), "{error:?}");
    let wrong = format!(r#"{{"parcel_id": "{id}", "weight_grams": 7.0, "fragile": 5}}"#);
    let error = ParcelShipped::decode(wrong.as_bytes()).expect_err("fragile is a boolean");
    assert_eq!(error.pointer, "/fragile", "{error:?}");
    let fraction = format!(r#"{{"parcel_id": "{id}", "weight_grams": 7.5}}"#);
    let error = ParcelShipped::decode(fraction.as_bytes()).expect_err("7.5 is no integer");
    assert_eq!(error.pointer, "/weight_grams", "{error:?}");
}
