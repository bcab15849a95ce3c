//! The C handler path against the Rust handler path for the same messages,
//! in the same run: `shop_dispatch` (decode, validate, upcast, build the C
//! view, call a C-ABI handler through the table) against the generated
//! `Bus::dispatch` calling a Rust closure. Small (~200 B) and large (~20 KB)
//! current-version events, and a v1 event upcast on the way:
//!
//! `cargo bench -p evc-c-tests --bench c_dispatch`

use std::ffi::c_void;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use evc_c_tests::shop::c_abi::{shop_OrderCreated, shop_dispatch, shop_handlers};
use evc_c_tests::shop::contracts::{Bus, OrderCreated};
use evc_runtime::ffi::Meta;
use evc_runtime::Publisher;
use serde_json::{json, Value};

fn line(i: usize) -> Value {
    json!({ "sku": format!("SKU-{:05}-BLK", 10000 + i), "quantity": 1 + i % 9, "product_name": "Trail running shoe, black" })
}

fn current(lines: usize, labels: usize) -> Value {
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

fn envelope(major: u64, version: &str, data: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "b7f1a8f0-7a53-4a5b-9a0c-1f2e3d4c5b6a",
        "source": "/services/orders",
        "type": format!("com.example.orders.order_created.v{major}"),
        "time": "2024-04-29T09:14:03Z",
        "datacontenttype": "application/json",
        "dataversion": version,
        "data": data,
    }))
    .expect("serializable")
}

/// What the C handler reads: the same as the Rust closure below.
unsafe extern "C" fn on_order_created(
    ctx: *mut c_void,
    _meta: *const Meta,
    event: *const shop_OrderCreated,
) -> i32 {
    // SAFETY: dispatch passes the table's ctx (a counter) and a valid event.
    let (counter, lines) = unsafe { (&*ctx.cast::<AtomicUsize>(), (*event).lines.len) };
    counter.fetch_add(lines, Ordering::Relaxed);
    0
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("handler_path");
    let v1 = json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [line(0), line(1)],
        "total": 189.7,
        "created_at": "2024-04-29T09:14:03Z",
        "note": "Please leave the parcel with the neighbour."
    });
    let cases = [
        ("small", envelope(2, "2.0.0", &current(2, 0))),
        ("large", envelope(2, "2.0.0", &current(80, 100))),
        ("upcast_v1", envelope(1, "1.1.0", &v1)),
    ];
    for (name, bytes) in &cases {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        let mut bus = Bus::new(Publisher::new("/bench"));
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        bus.subscribe::<OrderCreated>(move |event, _ctx| {
            counter.fetch_add(event.lines.len(), Ordering::Relaxed);
            Ok(())
        });
        group.bench_with_input(BenchmarkId::new("rust_bus", name), bytes, |b, bytes| {
            b.iter(|| bus.dispatch(black_box(bytes)).expect("dispatched"))
        });
        let mut table: shop_handlers = unsafe { std::mem::zeroed() };
        table.on_order_created = Some(on_order_created);
        let count = AtomicUsize::new(0);
        let ctx: *mut c_void = (&count as *const AtomicUsize).cast_mut().cast();
        group.bench_with_input(BenchmarkId::new("c_dispatch", name), bytes, |b, bytes| {
            b.iter(|| {
                let bytes = black_box(bytes);
                let status = unsafe { shop_dispatch(bytes.as_ptr(), bytes.len(), &table, ctx) };
                assert_eq!(status, 0);
            })
        });
        assert!(seen.load(Ordering::Relaxed) > 0 && count.load(Ordering::Relaxed) > 0);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
