//! A schema of its own for each test, on the PostgreSQL the machine runs.
#![allow(dead_code)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use evc_bindings_tests::{CreateOrder, OrderCreated};
use evc_runtime::{Envelope, Publisher};
use evc_store::Store;
use futures::FutureExt;
use serde_json::{json, Value};

/// Only a hung test waits this long: not a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(30);

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Runs `test` against a store in a fresh schema, dropped afterwards (also
/// when the test fails). An unreachable database skips the test, loudly,
/// unless `EVC_REQUIRE_POSTGRES=1`, which fails it.
pub async fn with_store<F, Fut>(test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let url = std::env::var("EVC_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let schema = format!("evc_test_{}", uuid::Uuid::new_v4().simple());
    // A refused connection is retried until the acquire timeout: keep it
    // short, so that a machine without PostgreSQL skips quickly.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url);
    let pool = match tokio::time::timeout(PATIENCE, pool).await {
        Ok(Ok(pool)) => pool,
        Ok(Err(error)) => return unreachable(&url, &error),
        Err(_) => return unreachable(&url, &"no answer within 30 s"),
    };
    let store = Store::new(pool, &schema).expect("a valid schema name");
    store.migrate().await.expect("migrations apply");
    let outcome = AssertUnwindSafe(test(store.clone())).catch_unwind().await;
    let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
    sqlx::query(&drop)
        .execute(store.pool())
        .await
        .expect("the test schema drops");
    store.pool().close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Reports an unreachable database: a failure under `EVC_REQUIRE_POSTGRES=1`.
pub fn unreachable(url: &str, error: &dyn std::fmt::Display) {
    let message = format!("PostgreSQL is unreachable at {url}: {error}");
    if std::env::var("EVC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("{message} (EVC_REQUIRE_POSTGRES=1)");
    }
    eprintln!("\n*** SKIPPED: {message}; set EVC_REQUIRE_POSTGRES=1 to fail instead ***\n");
}

/// Waits for `condition`, polling; fails the test after [`PATIENCE`].
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let wait = async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .unwrap_or_else(|_| panic!("waited 30 s for {what}"));
}

pub fn publisher() -> Publisher {
    Publisher::new("/tests/store")
}

/// A valid `OrderCreated` (latest version) for order `n`.
pub fn order_created(n: u32) -> OrderCreated {
    serde_json::from_value(json!({
        "order_id": format!("6c4c1cd6-fb25-495d-8b2b-{n:012}"),
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    }))
    .expect("a valid OrderCreated")
}

/// A valid `CreateOrder` for the order `order_id`.
pub fn create_order(order_id: &str) -> CreateOrder {
    serde_json::from_value(json!({
        "order_id": order_id,
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
    }))
    .expect("a valid CreateOrder")
}

pub fn order_created_envelope(n: u32) -> Envelope {
    publisher().envelope(&order_created(n)).expect("stamped")
}

/// An `ItemReserved` as the legacy warehouse system sent it (1.0.0).
pub fn item_reserved_v1(n: u32) -> Vec<u8> {
    let data: Value = json!({
        "reservation_id": format!("9ff4288b-ff2f-44bc-9272-{n:012}"),
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "sku": "SKU-10042-BLK",
        "quantity": (n + 1).to_string(),
        "warehouse": "WH-001",
        "reserved_at": "2024-04-29T09:14:05Z",
        "expires_at": "2024-04-29T09:59:05Z",
        "legacy_bin_code": "A-07-3"
    });
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": format!("legacy-{n}"),
        "source": "/legacy/warehouse",
        "type": "com.example.inventory.item_reserved.v1",
        "dataversion": "1.0.0",
        "data": data,
    }))
    .expect("serializable")
}
