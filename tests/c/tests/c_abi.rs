//! The generated C bindings as a C programmer meets them, built with the
//! machine's gcc: headers compiled alone under strict warnings as C99, C11
//! and C++11; C programs linked against this crate's static library that
//! consume every bundled example, check field values and statuses, and
//! produce messages the Rust runtime decodes; the same programs under
//! AddressSanitizer/UBSan and under valgrind.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{cc, compile_header, generated, run, Build};

const SETS: &[&str] = &[
    "shop",
    "unions",
    "optionality",
    "recursion",
    "merging",
    "maps",
    "tuples",
    "applicators",
    "published",
    "objects",
    "hostile",
    "names",
    "shapes",
];

#[test]
fn every_header_compiles_alone_under_strict_warnings() {
    for prefix in SETS {
        let header = generated(prefix).join(format!("{prefix}.h"));
        compile_header(&header);
    }
}

#[test]
fn a_custom_upcast_cannot_be_bound_and_says_so() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/rust/upcasts");
    let lint = evc::lint_dir(&dir).expect("readable");
    assert!(!lint.has_errors());
    let options = evc::c::Options {
        prefix: "upcasts".into(),
    };
    let error = evc::generate_c(&evc::bind::bind(&lint.model), &options).expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("`BinRelabeled` 2.0.0 upcasts with `custom: true`"),
        "{error}"
    );
}

#[test]
fn generation_is_deterministic_and_matches_the_build() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    let options = evc::c::Options {
        prefix: "shop".into(),
    };
    let first = evc::builder::generate_c_dir(&dir, &options).expect("generated");
    let second = evc::builder::generate_c_dir(&dir, &options).expect("generated");
    assert_eq!(first.output.header, second.output.header);
    assert_eq!(first.output.library, second.output.library);
    assert_eq!(first.output.handlers, second.output.handlers);
    let built = std::fs::read_to_string(generated("shop").join("shop.h")).expect("built header");
    assert_eq!(built, first.output.header);
}

#[test]
fn the_skeleton_compiles_and_handles_every_bundled_message() {
    let dir = generated("shop");
    let tmp = tempfile::tempdir().expect("tmp");
    let main = tmp.path().join("main.c");
    std::fs::write(&main, support::skeleton_main()).expect("written");
    let exe = cc(
        Build::Plain,
        &[&main, &dir.join("shop_handlers.c")],
        &dir,
        tmp.path(),
        &["-Wmissing-prototypes", "-Wmissing-declarations"],
    );
    let messages = tmp.path().join("messages.jsonl");
    let sent = support::write_examples("../../schemas", &messages);
    let stdout = run(Build::Plain, &exe, &[&messages]);
    assert_eq!(stdout.trim(), format!("dispatched {sent}"), "{stdout}");
}

macro_rules! round_trip {
    ($name:ident, $prefix:ident, $dir:literal) => {
        #[test]
        fn $name() {
            for build in [Build::Plain, Build::Sanitized, Build::Valgrind] {
                let results = support::round_trip(stringify!($prefix), $dir, build);
                let mut types = std::collections::BTreeSet::new();
                for (original, line) in &results {
                    let Some(encoded) = line.strip_prefix("ok ") else {
                        panic!("{build:?}: C dispatch failed: {line}\nmessage: {original}");
                    };
                    let (_, sent) = evc_c_tests::$prefix::contracts::decode(original.as_bytes())
                        .unwrap_or_else(|e| panic!("{e}: {original}"));
                    let (envelope, back) =
                        evc_c_tests::$prefix::contracts::decode(encoded.as_bytes())
                            .unwrap_or_else(|e| panic!("{build:?}: C encoded {encoded}: {e}"));
                    assert_eq!(sent, back, "{build:?}: {original}\nthrough C: {encoded}");
                    types.insert(envelope.ty);
                }
                assert!(!results.is_empty());
                let contracts = support::contracts_with_examples($dir);
                assert_eq!(
                    types.len(),
                    contracts,
                    "{build:?}: every contract reached C: {types:?}"
                );
            }
        }
    };
}

round_trip!(
    every_bundled_example_reaches_a_c_handler_and_encodes_back_equal,
    shop,
    "../../schemas"
);
round_trip!(
    unions_round_trip_through_c,
    unions,
    "../contracts/rust/unions"
);
round_trip!(
    optionality_round_trips_through_c,
    optionality,
    "../contracts/rust/optionality"
);
round_trip!(
    recursion_round_trips_through_c,
    recursion,
    "../contracts/rust/recursion"
);
round_trip!(
    merging_round_trips_through_c,
    merging,
    "../contracts/rust/merging"
);
round_trip!(maps_round_trip_through_c, maps, "../contracts/rust/maps");
round_trip!(
    tuples_round_trip_through_c,
    tuples,
    "../contracts/rust/tuples"
);
round_trip!(
    applicators_round_trip_through_c,
    applicators,
    "../contracts/rust/applicators"
);
round_trip!(
    published_schemas_round_trip_through_c,
    published,
    "../contracts/rust/published"
);
round_trip!(
    objects_round_trip_through_c,
    objects,
    "../contracts/rust/objects"
);
round_trip!(
    hostile_names_round_trip_through_c,
    names,
    "../contracts/c/hostile_names"
);
round_trip!(
    empty_nullable_and_named_shapes_round_trip_through_c,
    shapes,
    "../contracts/c/shapes"
);

#[test]
fn a_c_consumer_checks_values_and_statuses_and_a_c_producer_is_decoded() {
    for build in [Build::Plain, Build::Sanitized, Build::Valgrind] {
        let dir = generated("shop");
        let tmp = tempfile::tempdir().expect("tmp");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("c/checks.c");
        let exe = cc(build, &[&source], &dir, tmp.path(), &[]);
        let stdout = run(build, &exe, &[]);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.last(), Some(&"ok"), "{build:?}: {stdout}");
        assert_eq!(lines.len(), 4, "{stdout}");
        produced_create_order(lines[0]);
        let (_, cancel) =
            evc_c_tests::shop::contracts::decode(lines[1].as_bytes()).expect("decodes");
        let expected: evc_c_tests::shop::contracts::Message = decoded_payload(
            "com.example.orders.cancel_order.v1",
            serde_json::json!({
                "order_id": "e3591b00-f8df-40c8-8322-b3574700f94a",
                "reason": "fraud_suspected",
                "requested_by": "2f40bd99-29dd-4ed7-a512-3f99b9939338"
            }),
        );
        assert_eq!(cancel, expected);
        let (_, payment) =
            evc_c_tests::shop::contracts::decode(lines[2].as_bytes()).expect("decodes");
        let expected = decoded_payload(
            "com.example.payments.make_payment.v1",
            serde_json::json!({
                "payment_id": "9af4f25b-a571-4e96-b6e5-58fb10f0d168",
                "order_id": "1b659ae0-a984-4b8c-926d-c121a5229881",
                "amount": { "amount": 147.0, "currency": "GBP" },
                "method": {
                    "kind": "bank_transfer",
                    "iban": "DE89370400440532013000",
                    "account_holder": "Grace Hopper"
                }
            }),
        );
        assert_eq!(payment, expected);
    }
}

/// The command `checks.c` built field by field, as the Rust runtime reads it.
fn produced_create_order(line: &str) {
    let (envelope, message) =
        evc_c_tests::shop::contracts::decode(line.as_bytes()).expect("the C envelope decodes");
    assert_eq!(envelope.source, "/warehouse/gateway-3");
    assert_eq!(envelope.ty, "com.example.orders.create_order.v1");
    assert_eq!(envelope.dataversion.as_deref(), Some("1.1.0"));
    assert!(envelope.time.is_some() && !envelope.id.is_empty());
    let expected = decoded_payload(
        "com.example.orders.create_order.v1",
        serde_json::json!({
            "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
            "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
            "lines": [
                { "sku": "SKU-10042-BLK", "quantity": 2, "product_name": "Trail running shoe, black" },
                { "sku": "SKU-20017", "quantity": 1 }
            ],
            "currency": "EUR",
            "shipping_address": {
                "recipient_name": "Ada Lovelace",
                "line1": "Invalidenstrasse 117",
                "city": "Berlin",
                "postal_code": "10115",
                "country_code": "DE"
            },
            "note": "Please leave the parcel with the neighbour."
        }),
    );
    assert_eq!(message, expected);
}

fn decoded_payload(wire: &str, data: Value) -> evc_c_tests::shop::contracts::Message {
    let bytes = serde_json::to_vec(&serde_json::json!({
        "specversion": "1.0", "id": "expected", "source": "/tests", "type": wire, "data": data,
    }))
    .expect("json");
    evc_c_tests::shop::contracts::decode(&bytes)
        .expect("the expected payload decodes")
        .1
}

#[test]
fn the_readme_example_builds_and_runs() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/c/main.c");
    let tmp = tempfile::tempdir().expect("tmp");
    let exe = cc(
        Build::Sanitized,
        &[&example],
        &generated("shop"),
        tmp.path(),
        &[],
    );
    let stdout = run(Build::Sanitized, &exe, &[]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "com.example.orders.order_created.v1: order 6c4c1cd6-fb25-495d-8b2b-deca9b2d442d, 189.70 USD",
            "  2 x SKU-10042-BLK",
        ],
        "{stdout}"
    );
    let (envelope, _) =
        evc_c_tests::shop::contracts::decode(lines[2].as_bytes()).expect("the C envelope decodes");
    assert_eq!(envelope.source, "/services/gateway");
}

/// Mutated messages (bytes flipped, cut, spliced) into `shop_dispatch` from
/// Rust: every call returns a status of the list, none is `INTERNAL` (the
/// code a caught panic would become), and a zeroed table still builds the
/// C view of every event that decodes.
#[test]
fn mutated_messages_get_a_status_and_never_an_internal_error() {
    use evc_c_tests::shop::c_abi::{shop_dispatch, shop_handlers};
    use evc_runtime::ffi::Status;
    let table: shop_handlers = unsafe { std::mem::zeroed() };
    let examples = support::examples("../../schemas");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut statuses = std::collections::BTreeMap::new();
    for example in &examples {
        for round in 0..60 {
            let mut bytes = example.as_bytes().to_vec();
            match round % 4 {
                0 => {
                    let at = next(bytes.len());
                    bytes[at] = next(256) as u8;
                }
                1 => bytes.truncate(next(bytes.len())),
                2 => {
                    let other = examples[next(examples.len())].as_bytes();
                    let (cut, from) = (next(bytes.len()), next(other.len()));
                    bytes.truncate(cut);
                    bytes.extend_from_slice(&other[from..]);
                }
                _ => {
                    let at = next(bytes.len());
                    let junk = [
                        "null",
                        "-1e999",
                        "\"\\u0000\"",
                        "[]",
                        "{}",
                        "9007199254740993",
                    ];
                    bytes.splice(at..at, junk[next(junk.len())].bytes());
                }
            }
            let code =
                unsafe { shop_dispatch(bytes.as_ptr(), bytes.len(), &table, std::ptr::null_mut()) };
            let status = Status::from_code(code).unwrap_or_else(|| panic!("status {code}"));
            assert_ne!(
                status,
                Status::Internal,
                "{}",
                String::from_utf8_lossy(&bytes)
            );
            *statuses.entry(status.name()).or_insert(0) += 1;
        }
    }
    eprintln!("{} messages: {statuses:?}", examples.len() * 60);
    assert!(statuses.len() >= 4, "{statuses:?}");
}

/// A C value whose pointers form a cycle is refused as too deep, never a
/// stack overflow.
#[test]
fn a_cycle_of_pointers_from_c_is_an_invalid_payload() {
    use evc_c_tests::recursion::c_abi::{
        recursion_CategoryCreated, recursion_CategoryCreatedV1Category,
        recursion_encode_category_created, recursion_last_error,
    };
    use evc_runtime::ffi::{zeroed, Buf, Status, Str};
    let name = Str {
        ptr: c"loop".as_ptr(),
        len: 4,
    };
    let mut inner: Box<recursion_CategoryCreatedV1Category> = Box::new(zeroed());
    inner.name = name;
    inner.has_featured = 1;
    inner.featured = &*inner;
    let mut event: recursion_CategoryCreated = zeroed();
    event.name = name;
    event.has_featured = 1;
    event.featured = *inner;
    let mut out = Buf::EMPTY;
    let code = unsafe { recursion_encode_category_created(&event, &mut out) };
    assert_eq!(Status::from_code(code), Some(Status::InvalidPayload));
    let message = unsafe { std::ffi::CStr::from_ptr(recursion_last_error()) };
    assert!(
        message
            .to_string_lossy()
            .contains("nested deeper than 128 levels"),
        "{message:?}"
    );
    assert!(out.data.is_null());
}
