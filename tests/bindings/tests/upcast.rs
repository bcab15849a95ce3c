//! Older majors through their upcast chains: every bundled example of an
//! older version reaches the handler as the latest type, equal to what the
//! contract's steps make of it over JSON; typed conversions of every step
//! kind; failures as `UpcastFailed` with the original bytes.

mod support;

use evc_bindings_tests::upcasts::{self, BinRelabeledV2, ShelfMovedV2, StockCountedV2};
use evc_bindings_tests::{decode, Bus, ItemReserved, ItemReservedV3};
use evc_runtime::{Publisher, Reason, Upcast};
use serde_json::{json, Value};

const ITEM_RESERVED_V1: &str = "com.example.inventory.item_reserved.v1";

#[test]
fn every_older_bundled_example_arrives_as_the_latest_type() {
    let lint = evc::lint_dir(&evc_tests_root().join("schemas")).expect("schemas readable");
    assert!(!lint.has_errors());
    let mut upcast = 0;
    for contract in &lint.model.contracts {
        let latest = contract
            .latest()
            .and_then(|v| v.version.clone())
            .expect("a version");
        for version in &contract.versions {
            let number = version.version.as_ref().expect("parsed");
            if number.major == latest.major {
                continue;
            }
            for example in &version.examples {
                let payload = example.node.to_json();
                let bytes = support::archived(
                    &contract.wire_type(number.major),
                    &number.to_string(),
                    &payload,
                );
                let (_, message) =
                    decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", contract.name.value));
                // The reference: the steps of each later major, over JSON.
                let mut expected = payload.clone();
                for later in &contract.versions {
                    let n = later.version.as_ref().expect("parsed");
                    if let (true, Some(steps)) = (
                        n.major > number.major && n.minor == 0 && n.patch == 0,
                        &later.upcast,
                    ) {
                        support::steps::run(&mut expected, &steps.value);
                    }
                }
                let latest_wire = contract.wire_type(latest.major);
                let bytes = support::archived(&latest_wire, &latest.to_string(), &expected);
                let (_, reference) =
                    decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", contract.name.value));
                assert_eq!(message, reference, "{} {number}", contract.name.value);
                assert_eq!(message.wire_type(), latest_wire);
                upcast += 1;
            }
        }
    }
    assert!(upcast >= 4, "{upcast} older examples");
}

fn evc_tests_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An `ItemReserved` as the legacy warehouse system sent it (1.0.0).
fn item_reserved_v1() -> Value {
    json!({
        "reservation_id": "9ff4288b-ff2f-44bc-9272-5c43179e952c",
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "sku": "SKU-10042-BLK",
        "quantity": "2",
        "warehouse": "WH-001",
        "reserved_at": "2024-04-29T09:14:05Z",
        "expires_at": "2024-04-29T09:59:05Z",
        "legacy_bin_code": "A-07-3"
    })
}

#[test]
fn a_two_step_chain_reaches_the_subscriber() {
    let v1 = item_reserved_v1();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut bus = Bus::new(Publisher::new("/tests"));
    let sink = seen.clone();
    bus.subscribe::<ItemReserved>(move |event, ctx| {
        sink.lock()
            .unwrap()
            .push((event.clone(), ctx.dataversion().map(str::to_owned)));
        Ok(())
    });
    let bytes = support::archived(ITEM_RESERVED_V1, "1.0.0", &v1);
    bus.dispatch(&bytes).expect("handled");
    let seen = seen.lock().unwrap();
    let (event, version): &(ItemReservedV3, _) = &seen[0];
    assert_eq!(
        version.as_deref(),
        Some("1.0.0"),
        "the handler sees the version as sent"
    );
    assert_eq!(event.quantity, 2);
    assert_eq!(event.warehouse_id, "WH-001");
    assert_eq!(event.hold.starts_at, "2024-04-29T09:14:05Z");
    assert_eq!(event.hold.kind.as_str(), "soft");
}

fn stock_counted_v1() -> Value {
    json!({
        "count": "12",
        "level": "high",
        "place": { "aisle": 4, "shelf": "B" },
        "items": [{ "sku": "A-1", "weight": 3 }, { "sku": "A-2" }],
        "checked": false,
        "obsolete": "x"
    })
}

fn upcast_stock(data: &Value) -> Result<StockCountedV2, evc_runtime::DispatchError> {
    let bytes = support::archived("com.example.upcasts.stock_counted.v1", "1.0.0", data);
    match upcasts::decode(&bytes)?.1 {
        upcasts::Message::Event(upcasts::Event::StockCounted(event)) => Ok(event),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_step_kind_converts_typed() {
    let event = upcast_stock(&stock_counted_v1()).expect("upcast");
    assert_eq!(event.count, 12u32);
    assert_eq!(event.level.as_str(), "high");
    assert_eq!(
        (event.location.aisle, event.location.shelf.as_str()),
        (4u32, "B")
    );
    assert_eq!(event.items.len(), 2);
    assert_eq!(event.items[0].weight, Some(3.0));
    assert_eq!(event.items[1].weight, None);
    assert_eq!(event.audit.checked, "false");
    assert_eq!(event.audit.by, "legacy");
    let encoded = serde_json::to_value(&event).expect("serializable");
    assert!(encoded.get("obsolete").is_none());
}

#[test]
fn a_failing_step_is_an_upcast_failure_with_the_bytes() {
    let cases = [
        ("count", json!("twelve"), "/count"),
        ("count", json!("-3"), "/count"),
        (
            "place",
            json!({ "aisle": -1, "shelf": "B" }),
            "/location/aisle",
        ),
    ];
    for (key, value, pointer) in cases {
        let mut data = stock_counted_v1();
        data[key] = value;
        let error = upcast_stock(&data).expect_err("fails");
        let Reason::UpcastFailed { reason, .. } = error.reason() else {
            panic!("{error}");
        };
        assert!(reason.contains(pointer), "{reason}");
        assert!(reason.contains("StockCounted 1.0.0 to 2.0.0"), "{reason}");
        assert_eq!(
            error.bytes(),
            support::archived("com.example.upcasts.stock_counted.v1", "1.0.0", &data)
        );
    }
    // An optional old property the new version requires.
    let mut data = stock_counted_v1();
    data.as_object_mut().unwrap().remove("checked");
    let error = upcast_stock(&data).expect_err("fails");
    assert!(
        matches!(error.reason(), Reason::UpcastFailed { .. }),
        "{error}"
    );
    // An invalid old payload is an invalid payload, not an upcast failure.
    let mut data = stock_counted_v1();
    data["level"] = json!("extreme");
    let error = upcast_stock(&data).expect_err("fails");
    assert!(
        matches!(error.reason(), Reason::InvalidPayload { .. }),
        "{error}"
    );
}

#[test]
fn steps_through_an_optional_object_run_over_json() {
    let old = upcasts::ShelfMovedV1::new("B".into())
        .with_origin(upcasts::ShelfMovedV1Origin::new().with_code("WH-1".into()));
    let new = ShelfMovedV2::upcast(old).expect("upcast");
    assert_eq!(
        new.origin.and_then(|o| o.warehouse).as_deref(),
        Some("WH-1")
    );
    let bare = ShelfMovedV2::upcast(upcasts::ShelfMovedV1::new("C".into())).expect("upcast");
    assert!(bare.origin.is_none());
}

#[test]
fn a_custom_upcast_is_the_users_impl() {
    let bytes = support::archived(
        "com.example.upcasts.bin_relabeled.v1",
        "1.0.0",
        &json!({ "label": "A/07" }),
    );
    let (_, message) = upcasts::decode(&bytes).expect("upcast");
    let upcasts::Message::Event(upcasts::Event::BinRelabeled(event)) = message else {
        panic!("{message:?}");
    };
    assert_eq!(event, BinRelabeledV2::new("A".into(), "07".into()));
    let bytes = support::archived(
        "com.example.upcasts.bin_relabeled.v1",
        "1.0.0",
        &json!({ "label": "A07" }),
    );
    let error = upcasts::decode(&bytes).expect_err("fails");
    assert!(
        matches!(error.reason(), Reason::UpcastFailed { .. }),
        "{error}"
    );
}

#[test]
fn an_unknown_minor_of_a_known_major_decodes_and_a_newer_major_does_not() {
    let mut v1 = item_reserved_v1();
    v1.as_object_mut()
        .expect("an object")
        .remove("legacy_bin_code");
    let bytes = support::archived(ITEM_RESERVED_V1, "1.7.0", &v1);
    assert!(decode(&bytes).is_ok());
    let bytes = support::archived("com.example.inventory.item_reserved.v4", "4.0.0", &v1);
    let error = decode(&bytes).expect_err("newer major");
    assert!(
        matches!(error.reason(), Reason::UnsupportedVersion { .. }),
        "{error}"
    );
}

fn upcast_event(wire: &str, data: Value) -> Result<upcasts::Event, evc_runtime::DispatchError> {
    let bytes = support::archived(wire, "1.0.0", &data);
    match upcasts::decode(&bytes)?.1 {
        upcasts::Message::Event(event) => Ok(event),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_recursive_type_converts_through_json_where_it_recurs() {
    let data = json!({ "name": "a", "root": { "label": "x", "next": { "label": "y", "kids": [{ "label": "z" }] } } });
    let upcasts::Event::TreeGrown(tree) =
        upcast_event("com.example.upcasts.tree_grown.v1", data).expect("upcast")
    else {
        panic!("another event")
    };
    assert_eq!(tree.title, "a");
    let next = tree.root.next.expect("kept");
    assert_eq!(next.label, "y");
    assert_eq!(next.kids.expect("kept")[0].label, "z");
}

#[test]
fn an_absent_optional_value_takes_the_new_default() {
    let upcasts::Event::TaskFiled(task) =
        upcast_event("com.example.upcasts.task_filed.v1", json!({ "name": "a" })).expect("upcast")
    else {
        panic!("another event")
    };
    assert_eq!(task.priority, "normal");
    let upcasts::Event::TaskFiled(task) = upcast_event(
        "com.example.upcasts.task_filed.v1",
        json!({ "name": "a", "priority": "high" }),
    )
    .expect("upcast") else {
        panic!("another event")
    };
    assert_eq!(task.priority, "high");
}

#[test]
fn integral_numbers_become_integers_and_others_fail() {
    let data = json!({ "price": 2.5, "weight": 3, "lines": [{ "qty": 1 }] });
    let upcasts::Event::PriceSet(price) =
        upcast_event("com.example.upcasts.price_set.v1", data).expect("upcast")
    else {
        panic!("another event")
    };
    assert_eq!(
        (price.price.as_str(), price.weight, price.lines[0].qty),
        ("2.5", 3, 1)
    );
    let data = json!({ "price": 2.5, "weight": 3.5, "lines": [] });
    let error = upcast_event("com.example.upcasts.price_set.v1", data).expect_err("fails");
    assert!(
        matches!(error.reason(), Reason::UpcastFailed { .. }),
        "{error}"
    );
}

#[test]
fn every_major_of_a_chain_is_checked_on_the_way() {
    // 1.0.0 takes any code, 3.0.0 too, but 2.0.0 allows three characters:
    // a payload the middle major refuses does not reach the handler.
    let ok = upcast_event(
        "com.example.upcasts.code_issued.v1",
        json!({ "code": "abc" }),
    );
    assert!(ok.is_ok(), "{ok:?}");
    let error = upcast_event(
        "com.example.upcasts.code_issued.v1",
        json!({ "code": "abcdef" }),
    )
    .expect_err("2.0.0 refuses it");
    let Reason::UpcastFailed { reason, .. } = error.reason() else {
        panic!("{error}");
    };
    assert!(reason.contains("CodeIssued 1.0.0 to 2.0.0"), "{reason}");
}
