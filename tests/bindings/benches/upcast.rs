//! The upcast path: a v1 `ItemReserved` dispatched through its two-step
//! chain (v1 -> v2 -> v3) to a v3 subscriber, against a v3 message of the
//! same content dispatched directly, in the same run. Both go through the
//! bus and its checks; the difference is the older decode and the two
//! typed conversions.
//!
//! `cargo bench -p evc-bindings-tests --bench upcast`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evc_bindings_tests::{Bus, ItemReserved};
use evc_runtime::Publisher;
use serde_json::{json, Value};

fn envelope(wire_type: &str, version: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "b7f1a8f0-7a53-4a5b-9a0c-1f2e3d4c5b6a",
        "source": "/services/inventory",
        "type": wire_type,
        "time": "2024-04-29T09:14:05Z",
        "datacontenttype": "application/json",
        "dataversion": version,
        "data": data,
    }))
    .expect("serializable")
}

fn v1() -> Vec<u8> {
    envelope(
        "com.example.inventory.item_reserved.v1",
        "1.0.0",
        json!({
            "reservation_id": "9ff4288b-ff2f-44bc-9272-5c43179e952c",
            "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
            "sku": "SKU-10042-BLK",
            "quantity": "2",
            "warehouse": "WH-001",
            "reserved_at": "2024-04-29T09:14:05Z",
            "expires_at": "2024-04-29T09:59:05Z",
            "legacy_bin_code": "A-07-3"
        }),
    )
}

/// What the chain makes of `v1()`, sent as v3.
fn v3() -> Vec<u8> {
    envelope(
        "com.example.inventory.item_reserved.v3",
        "3.0.0",
        json!({
            "reservation_id": "9ff4288b-ff2f-44bc-9272-5c43179e952c",
            "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
            "sku": "SKU-10042-BLK",
            "quantity": 2,
            "warehouse_id": "WH-001",
            "hold": {
                "starts_at": "2024-04-29T09:14:05Z",
                "expires_at": "2024-04-29T09:59:05Z",
                "kind": "soft"
            }
        }),
    )
}

fn bench(c: &mut Criterion) {
    let mut bus = Bus::new(Publisher::new("/bench"));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    bus.subscribe::<ItemReserved>(move |event, _| {
        if let Ok(mut seen) = sink.try_lock() {
            if seen.len() < 2 {
                seen.push(event.clone());
            }
        }
        Ok(())
    });
    let (old, new) = (v1(), v3());
    bus.dispatch(&old).expect("v1 dispatches");
    bus.dispatch(&new).expect("v3 dispatches");
    {
        let seen = seen.lock().expect("not poisoned");
        assert_eq!(seen[0], seen[1], "the chain yields the v3 payload");
    }
    let mut group = c.benchmark_group("upcast");
    group.bench_with_input(BenchmarkId::new("dispatch", "v3"), &new, |b, bytes| {
        b.iter(|| bus.dispatch(black_box(bytes)).expect("dispatches"))
    });
    group.bench_with_input(
        BenchmarkId::new("dispatch", "v1_via_v2_to_v3"),
        &old,
        |b, bytes| b.iter(|| bus.dispatch(black_box(bytes)).expect("dispatches")),
    );
    group.bench_with_input(BenchmarkId::new("decode", "v3"), &new, |b, bytes| {
        b.iter(|| evc_bindings_tests::decode(black_box(bytes)).expect("decodes"))
    });
    group.bench_with_input(
        BenchmarkId::new("decode", "v1_via_v2_to_v3"),
        &old,
        |b, bytes| b.iter(|| evc_bindings_tests::decode(black_box(bytes)).expect("decodes")),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
