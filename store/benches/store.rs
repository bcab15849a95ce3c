//! Append, replay and relay throughput on the local PostgreSQL, in one run:
//!
//! `cargo bench -p evc-store --bench store`
//!
//! - append: one `OrderCreated` per append (one transaction each), and
//!   batches of 100 in one append;
//! - replay: `Store::replay` through the generated `Bus` (read, decode,
//!   validate, upcast, dispatch to a handler) against a raw `SELECT` of the
//!   same rows, page by page, each decoded with `serde_json` into a
//!   `serde_json::Value`; once with current (v2) rows and once with
//!   `ItemReserved` v1 rows that evc upcasts to v3;
//! - relay: outbox rows published into NATS JetStream by `Relay::drain`
//!   (each waiting for the stream's acknowledgement).
//!
//! `EVC_BENCH_ROWS` (default 5000) sets the count; `EVC_POSTGRES_URL` and
//! `EVC_NATS_URL` the servers. Everything happens in a schema (and a
//! JetStream stream) of its own, dropped at the end.

use std::time::Instant;

use evc_bindings_tests::{Bus, ItemReserved, OrderCreated};
use evc_runtime::{Envelope, Publisher};
use evc_store::{ExpectedVersion, Relay, Store};
use evc_transport::nats::{NatsBroker, NatsConfig};
use serde_json::{json, Value};
use sqlx::Row;

fn order(n: usize) -> OrderCreated {
    serde_json::from_value(json!({
        "order_id": format!("6c4c1cd6-fb25-495d-8b2b-{n:012}"),
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [
            { "sku": "SKU-10042-BLK", "quantity": 2, "product_name": "Trail running shoe, black" },
            { "sku": "SKU-10043-BLK", "quantity": 1, "product_name": "Trail running sock, black" }
        ],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    }))
    .expect("a valid OrderCreated")
}

fn envelope(n: usize) -> Envelope {
    Publisher::new("/bench/orders")
        .envelope(&order(n))
        .expect("valid")
}

fn item_reserved_v1(n: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": format!("legacy-{n}"),
        "source": "/legacy/warehouse",
        "type": "com.example.inventory.item_reserved.v1",
        "dataversion": "1.0.0",
        "data": {
            "reservation_id": format!("9ff4288b-ff2f-44bc-9272-{n:012}"),
            "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
            "sku": "SKU-10042-BLK",
            "quantity": "2",
            "warehouse": "WH-001",
            "reserved_at": "2024-04-29T09:14:05Z",
            "expires_at": "2024-04-29T09:59:05Z",
            "legacy_bin_code": "A-07-3"
        }
    }))
    .expect("serializable")
}

fn rate(n: usize, start: Instant) -> f64 {
    n as f64 / start.elapsed().as_secs_f64()
}

/// A raw read of the rows of `wire_type`, page by page like a replay,
/// each envelope decoded with serde_json; returns how many were read.
async fn raw_read(store: &Store, wire_type: &str) -> usize {
    let sql = format!(
        "SELECT global_position, envelope FROM \"{}\".events
         WHERE global_position > $1 AND wire_type = $2 ORDER BY global_position LIMIT 512",
        store.schema()
    );
    let mut after = 0i64;
    let mut read = 0;
    loop {
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(wire_type)
            .fetch_all(store.pool())
            .await
            .expect("read");
        let Some(last) = rows.last() else {
            return read;
        };
        after = last.get(0);
        for row in &rows {
            let bytes: Vec<u8> = row.get(1);
            let value: Value = serde_json::from_slice(&bytes).expect("json");
            assert!(value.get("data").is_some());
            read += 1;
        }
    }
}

fn replay_bus() -> (Bus, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut bus = Bus::new(Publisher::new("/bench/replay"));
    let orders = seen.clone();
    bus.subscribe::<OrderCreated>(move |_, _| {
        orders.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    let reservations = seen.clone();
    bus.subscribe::<ItemReserved>(move |_, _| {
        reservations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    (bus, seen)
}

async fn replay_pair(store: &Store, wire_type: &str, n: usize) -> (f64, f64) {
    // Best of five each, alternating, so that neither side gets the
    // warmer cache.
    let (mut raw, mut evc) = (0f64, 0f64);
    for _ in 0..5 {
        let start = Instant::now();
        assert_eq!(raw_read(store, wire_type).await, n);
        raw = raw.max(rate(n, start));
        let (mut bus, seen) = replay_bus();
        let start = Instant::now();
        let report = store
            .replay()
            .selection(evc_store::Selection::Types(vec![wire_type.to_owned()]))
            .run(&mut bus)
            .await
            .expect("replayed");
        evc = evc.max(rate(n, start));
        assert_eq!(report.handled as usize, n);
        assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), n);
    }
    (raw, evc)
}

async fn bench(store: &Store, n: usize) {
    println!(
        "{n} rows; `OrderCreated` envelopes of {} bytes",
        envelope(0).to_vec().len()
    );
    println!("| measure | figure |");
    println!("|---|---|");

    let start = Instant::now();
    for i in 0..n {
        store
            .append(
                &format!("order-{}", i % 100),
                ExpectedVersion::Any,
                &[envelope(i)],
            )
            .await
            .expect("appended");
    }
    println!(
        "| append, 1 event per append | {:.0} events/s |",
        rate(n, start)
    );

    let batch: Vec<_> = (0..100).map(envelope).collect();
    let start = Instant::now();
    for i in 0..n / 100 {
        store
            .append(&format!("batch-{i}"), ExpectedVersion::NoStream, &batch)
            .await
            .expect("appended");
    }
    println!(
        "| append, 100 events per append | {:.0} events/s |",
        rate(n / 100 * 100, start)
    );

    let v1: Vec<_> = (0..n).map(item_reserved_v1).collect();
    for (i, chunk) in v1.chunks(500).enumerate() {
        store
            .append_raw(&format!("legacy-{i}"), ExpectedVersion::Any, chunk)
            .await
            .expect("appended");
    }
    let total = n + n / 100 * 100;
    let (raw, evc) = replay_pair(store, "com.example.orders.order_created.v2", total).await;
    println!("| replay v2 rows, raw SELECT + serde_json | {raw:.0} rows/s |");
    println!(
        "| replay v2 rows, evc (decode, validate, dispatch) | {evc:.0} rows/s ({:.2}× raw) |",
        evc / raw
    );
    let (raw, evc) = replay_pair(store, "com.example.inventory.item_reserved.v1", n).await;
    println!("| replay v1 rows, raw SELECT + serde_json | {raw:.0} rows/s |");
    println!("| replay v1 rows, evc (decode, validate, upcast to v3, dispatch) | {evc:.0} rows/s ({:.2}× raw) |", evc / raw);

    let address = std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let unique = store
        .schema()
        .as_str()
        .trim_start_matches("evc_bench_")
        .to_owned();
    let config = NatsConfig {
        stream: format!("EVC_STORE_BENCH_{unique}"),
        prefix: format!("evcstorebench{unique}"),
        ..NatsConfig::default()
    };
    match NatsBroker::connect(&address, config).await {
        Err(error) => println!("| relay into NATS | skipped: {error} |"),
        Ok(broker) => {
            let outbox = store.outbox("/bench/orders");
            let mut tx = store.pool().begin().await.expect("tx");
            for i in 0..n {
                outbox
                    .append_to(&mut tx, &format!("order-{}", i % 100), &order(i))
                    .await
                    .expect("written");
            }
            tx.commit().await.expect("committed");
            let relay = Relay::new(store, broker.clone());
            let start = Instant::now();
            assert_eq!(relay.drain().await.expect("relayed") as usize, n);
            println!(
                "| relay into NATS JetStream, batches of 100 | {:.0} messages/s |",
                rate(n, start)
            );
            broker.delete().await.expect("the bench stream is deleted");
        }
    }
}

fn main() {
    // `cargo test --benches` runs bench targets without `--bench`: measure
    // only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("EVC_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let url = std::env::var("EVC_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("evc_bench_{}", uuid::Uuid::new_v4().simple());
        let store = match Store::connect(&url, &schema).await {
            Ok(store) => store,
            Err(error) => {
                println!("PostgreSQL at {url} is unreachable, nothing measured: {error}");
                return;
            }
        };
        bench(&store, n).await;
        sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .execute(store.pool())
            .await
            .expect("the bench schema drops");
    });
}
