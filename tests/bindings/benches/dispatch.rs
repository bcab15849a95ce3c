//! Decode + dispatch of a current-version event through the generated
//! table, against the same payload decoded by bare `serde_json` (the
//! floor), by the usual `jsonschema` validate + `serde_json` decode, and by
//! `cloudevents-sdk` + `serde_json`. Small (~200 B) and large (~20 KB)
//! payloads, measured in the same run:
//!
//! `cargo bench -p evc-bindings-tests --bench dispatch`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use evc_bindings_tests::{BareMessage, Bus, OrderCreated, OrderCreatedV2};
use evc_runtime::{Contract, Publisher};
use serde_json::{json, Value};

fn line(i: usize) -> Value {
    json!({ "sku": format!("SKU-{:05}-BLK", 10000 + i), "quantity": 1 + i % 9, "product_name": "Trail running shoe, black" })
}

fn payload(lines: usize, labels: usize) -> Value {
    let mut value = json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": (0..lines).map(line).collect::<Vec<_>>(),
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    });
    if labels > 0 {
        value["labels"] = (0..labels)
            .map(|i| (format!("label_{i:03}"), json!("x".repeat(120))))
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    value
}

fn envelope(data: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "b7f1a8f0-7a53-4a5b-9a0c-1f2e3d4c5b6a",
        "source": "/services/orders",
        "type": OrderCreatedV2::WIRE_TYPE,
        "time": "2024-04-29T09:14:03Z",
        "datacontenttype": "application/json",
        "dataversion": OrderCreatedV2::VERSION,
        "data": data,
    }))
    .expect("serializable")
}

fn bench(c: &mut Criterion) {
    let schema: Value = serde_json::from_str(OrderCreatedV2::SCHEMA).expect("schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let mut bus = Bus::new(Publisher::new("/bench"));
    bus.subscribe::<OrderCreated>(|event, _| {
        black_box(event);
        Ok(())
    });
    let mut group = c.benchmark_group("decode_dispatch");
    for (name, data) in [("small", payload(1, 0)), ("large", payload(100, 100))] {
        let data_bytes = serde_json::to_vec(&data).expect("serializable");
        let message = envelope(&data);
        group.throughput(Throughput::Bytes(message.len() as u64));
        println!(
            "{name}: payload {} B, envelope {} B",
            data_bytes.len(),
            message.len()
        );
        assert!(bus.dispatch(&message).is_ok());

        group.bench_with_input(
            BenchmarkId::new("serde_json_payload_only", name),
            &data_bytes,
            |b, bytes| {
                b.iter(|| {
                    serde_json::from_slice::<OrderCreatedV2>(black_box(bytes)).expect("decodes")
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("serde_json_message", name),
            &message,
            |b, bytes| {
                b.iter(|| serde_json::from_slice::<BareMessage>(black_box(bytes)).expect("decodes"))
            },
        );
        group.bench_with_input(
            BenchmarkId::new("evc_payload_only", name),
            &data_bytes,
            |b, bytes| b.iter(|| OrderCreatedV2::decode(black_box(bytes)).expect("decodes")),
        );
        group.bench_with_input(
            BenchmarkId::new("evc_bus_dispatch", name),
            &message,
            |b, bytes| b.iter(|| bus.dispatch(black_box(bytes)).expect("dispatches")),
        );
        group.bench_with_input(
            BenchmarkId::new("evc_decode", name),
            &message,
            |b, bytes| b.iter(|| evc_bindings_tests::decode(black_box(bytes)).expect("decodes")),
        );
        group.bench_with_input(
            BenchmarkId::new("jsonschema_then_serde_json", name),
            &message,
            |b, bytes| {
                b.iter(|| {
                    let mut envelope: Value =
                        serde_json::from_slice(black_box(bytes)).expect("json");
                    let data = envelope["data"].take();
                    assert!(validator.is_valid(&data));
                    serde_json::from_value::<OrderCreatedV2>(data).expect("decodes")
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("jsonschema_uncached_then_serde_json", name),
            &message,
            |b, bytes| {
                b.iter(|| {
                    let mut envelope: Value =
                        serde_json::from_slice(black_box(bytes)).expect("json");
                    let data = envelope["data"].take();
                    // The convenience entry point compiles the schema on every call.
                    assert!(jsonschema::is_valid(&schema, &data));
                    serde_json::from_value::<OrderCreatedV2>(data).expect("decodes")
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("cloudevents_sdk_then_serde_json", name),
            &message,
            |b, bytes| {
                b.iter(|| {
                    let event: cloudevents::Event =
                        serde_json::from_slice(black_box(bytes)).expect("event");
                    match event.data() {
                        Some(cloudevents::Data::Json(value)) => {
                            serde_json::from_value::<OrderCreatedV2>(value.clone())
                                .expect("decodes")
                        }
                        other => panic!("{other:?}"),
                    }
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
