//! The consumer's and producer's counters through the `metrics` facade,
//! read back from a recorder installed for this test binary alone (a
//! global recorder is one per process).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use evc_bindings_tests::{Bus, OrderCreated};
use evc_transport::{Consumer, MemoryBroker, Options, Producer, Retry};
use metrics::{SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::CompositeKey;
use serde_json::json;
use tokio::sync::oneshot;

type Metrics = Vec<(CompositeKey, Option<Unit>, Option<SharedString>, DebugValue)>;

/// The value of the metric `name` with the label `group` (or `type`).
fn value<'a>(metrics: &'a Metrics, name: &str, label: (&str, &str)) -> Option<&'a DebugValue> {
    metrics
        .iter()
        .find(|(key, ..)| {
            let key = key.key();
            key.name() == name
                && key
                    .labels()
                    .any(|l| l.key() == label.0 && l.value() == label.1)
        })
        .map(|(.., value)| value)
}

fn order(lines: usize) -> OrderCreated {
    let line = json!({ "sku": "SKU-10042-BLK", "quantity": 2 });
    serde_json::from_value(json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": vec![line; lines],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    }))
    .expect("a valid OrderCreated")
}

#[tokio::test]
async fn counters_are_kept_per_group_and_type() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this binary");

    let broker = MemoryBroker::new();
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    bus.subscribe::<OrderCreated>(|event, _| {
        if event.lines.len() > 1 {
            Err("the warehouse is on fire".into())
        } else {
            Ok(())
        }
    });
    let mut options = Options::new("metered");
    options.retry = Retry {
        attempts: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        multiplier: 1.0,
    };
    let consumer = Consumer::new(broker.clone(), bus, options);
    consumer.declare().await.expect("declared");
    let report = consumer.report();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(consumer.run(async move {
        let _ = stopped.await;
    }));

    let producer = Producer::new(broker.clone(), "/tests/producer");
    for lines in [1, 1, 2] {
        producer.publish(&order(lines)).await.expect("published");
    }
    let settled = |report: &Arc<evc_transport::Report>| {
        report.handled.load(Ordering::SeqCst) + report.dead_lettered.load(Ordering::SeqCst)
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while settled(&report) < 3 {
        assert!(tokio::time::Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = stop.send(());
    task.await.expect("no panic").expect("no error");

    // One snapshot: taking one resets the counters.
    let metrics = snapshotter.snapshot().into_vec();
    let group = ("group", "metered");
    let counter = |name| value(&metrics, name, group);
    assert_eq!(
        counter("evc_transport_handled_total"),
        Some(&DebugValue::Counter(2))
    );
    assert_eq!(
        counter("evc_transport_retried_total"),
        Some(&DebugValue::Counter(1))
    );
    assert_eq!(
        counter("evc_transport_dead_lettered_total"),
        Some(&DebugValue::Counter(1))
    );
    assert_eq!(
        counter("evc_transport_in_flight"),
        Some(&DebugValue::Gauge(0.0.into())),
        "every message is out of the handlers' hands"
    );
    assert_eq!(
        value(
            &metrics,
            "evc_transport_published_total",
            ("type", "com.example.orders.order_created.v2")
        ),
        Some(&DebugValue::Counter(3))
    );
}
