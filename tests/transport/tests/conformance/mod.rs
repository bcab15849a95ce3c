//! The conformance suite every adapter passes, after Watermill's universal
//! Pub/Sub tests: the broker-level behaviours (`pubsub_*`) and evc's own
//! on top of them (`evc_*`). Each adapter's test file instantiates it with
//! `conformance!(fixture)`; each test gets a broker of its own (fresh
//! stream, prefix or instance) and removes what it created.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use evc_bindings_tests::{Bus, CreateOrder, ItemReserved, OrderCreated};
use evc_transport::dead_letter::{self, DeadLetter};
use evc_transport::{
    Consumer, ContentMode, Deliveries, Delivery, MemoryDedup, Options, Producer, Publisher,
    RawMessage, Reply, Requester, Retry, SendError, Subscriber, Subscription,
};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// Long enough for any broker here; only a hung test ever waits this long.
const PATIENCE: Duration = Duration::from_secs(30);
/// How long "nothing arrives" is watched for.
const QUIET: Duration = Duration::from_millis(700);

/// Opens a fresh, isolated broker for one test.
#[async_trait]
pub trait Fixture: Send + Sync + 'static {
    type Broker: Publisher + Subscriber + Clone + 'static;
    /// `None` when the broker is unreachable: the test is skipped, loudly,
    /// unless `EVC_REQUIRE_BROKERS=1`, which fails it.
    async fn open(&self) -> Option<Self::Broker>;
    /// Removes what `open` created.
    async fn close(&self, broker: Self::Broker);
    /// The binary content mode exists for this protocol.
    fn binary_mode(&self) -> bool;
    /// Like `open`, with the broker's own redelivery of an unsettled
    /// message (acknowledgement deadline, idle claim) pushed beyond
    /// `PATIENCE`: a message that comes back in time was handed back.
    async fn open_patient(&self) -> Option<Self::Broker> {
        self.open().await
    }
}

/// Opens a NATS broker at `address`: `None` (said loudly) only when the
/// server cannot be reached. A server that answers but fails to open the
/// stream is a failure, not a skip.
pub async fn nats(
    address: &str,
    config: evc_transport::nats::NatsConfig,
) -> Option<evc_transport::nats::NatsBroker> {
    let client = match async_nats::connect(address).await {
        Ok(client) => client,
        Err(error) => {
            unreachable("NATS", address, &error);
            return None;
        }
    };
    match evc_transport::nats::NatsBroker::with_client(client, config).await {
        Ok(broker) => Some(broker),
        Err(error) => panic!("NATS at {address} answered, but: {error}"),
    }
}

/// Reports an unreachable broker: a failure under `EVC_REQUIRE_BROKERS=1`.
pub fn unreachable(broker: &str, address: &str, error: &dyn std::fmt::Display) {
    let message = format!("{broker} is unreachable at {address}: {error}");
    if std::env::var("EVC_REQUIRE_BROKERS").is_ok_and(|v| v == "1") {
        panic!("{message} (EVC_REQUIRE_BROKERS=1)");
    }
    eprintln!("\n*** SKIPPED: {message}; set EVC_REQUIRE_BROKERS=1 to fail instead ***\n");
}

fn unique(stem: &str) -> String {
    format!("{stem}_{}", uuid::Uuid::new_v4().simple())
}

async fn take(deliveries: &mut Deliveries, n: usize) -> Vec<Delivery> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let next = tokio::time::timeout(PATIENCE, deliveries.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} messages arrived", out.len()));
        out.push(next.expect("the stream goes on").expect("a delivery"));
    }
    out
}

async fn quiet(deliveries: &mut Deliveries) -> bool {
    tokio::time::timeout(QUIET, deliveries.next())
        .await
        .is_err()
}

fn numbered(i: usize) -> RawMessage {
    RawMessage::new(format!("{{\"n\":{i}}}")).with_header("x-number", i.to_string())
}

fn number(delivery: &Delivery) -> usize {
    delivery
        .message
        .header("x-number")
        .expect("x-number")
        .parse()
        .expect("a number")
}

// ---------------------------------------------------------------- pub/sub

pub async fn pubsub_publish_subscribe_with_metadata<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let topic = unique("topic");
    let mut deliveries = broker
        .subscribe(&Subscription::new(unique("group"), [&topic]))
        .await
        .expect("subscribed");
    for i in 0..100 {
        let message = numbered(i).with_header("x-meta", format!("value é {i}"));
        broker.publish(&topic, message).await.expect("published");
    }
    let mut seen = Vec::new();
    // Acknowledged as they arrive: more than a prefetch window's worth.
    while seen.len() < 100 {
        let delivery = take(&mut deliveries, 1).await.remove(0);
        let i = number(&delivery);
        assert_eq!(delivery.topic, topic);
        assert_eq!(delivery.message.body, format!("{{\"n\":{i}}}").into_bytes());
        assert_eq!(
            delivery.message.header("x-meta"),
            Some(format!("value é {i}").as_str())
        );
        seen.push(i);
        delivery.ack().await.expect("acked");
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    assert!(quiet(&mut deliveries).await, "a message arrived twice");
    drop(deliveries);
    fixture.close(broker).await;
}

pub async fn pubsub_topics_are_isolated<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let (mine, other) = (unique("mine"), unique("other"));
    let mut deliveries = broker
        .subscribe(&Subscription::new(unique("group"), [&mine]))
        .await
        .expect("subscribed");
    broker
        .publish(&other, numbered(1))
        .await
        .expect("published");
    broker.publish(&mine, numbered(2)).await.expect("published");
    let delivery = take(&mut deliveries, 1).await.remove(0);
    assert_eq!(
        (delivery.topic.as_str(), number(&delivery)),
        (mine.as_str(), 2)
    );
    delivery.ack().await.expect("acked");
    assert!(
        quiet(&mut deliveries).await,
        "a message of another topic arrived"
    );
    drop(deliveries);
    fixture.close(broker).await;
}

pub async fn pubsub_consumer_groups<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let topic = unique("topic");
    let (group_a, group_b) = (unique("a"), unique("b"));
    let mut a1 = broker
        .subscribe(&Subscription::new(&group_a, [&topic]).prefetch(1))
        .await
        .unwrap();
    let mut a2 = broker
        .subscribe(&Subscription::new(&group_a, [&topic]).prefetch(1))
        .await
        .unwrap();
    let mut b = broker
        .subscribe(&Subscription::new(&group_b, [&topic]))
        .await
        .unwrap();
    for i in 0..20 {
        broker
            .publish(&topic, numbered(i))
            .await
            .expect("published");
    }
    // Each group sees every message.
    let mut seen_b: Vec<usize> = Vec::new();
    for delivery in take(&mut b, 20).await {
        seen_b.push(number(&delivery));
        delivery.ack().await.unwrap();
    }
    seen_b.sort_unstable();
    assert_eq!(seen_b, (0..20).collect::<Vec<_>>());
    // The members of a group share them, each message once.
    let mut seen_a = Vec::new();
    while seen_a.len() < 20 {
        let next = tokio::select! {
            d = a1.next() => d,
            d = a2.next() => d,
            () = tokio::time::sleep(PATIENCE) => panic!("group a got {} of 20", seen_a.len()),
        };
        let delivery = next.expect("the stream goes on").expect("a delivery");
        seen_a.push(number(&delivery));
        delivery.ack().await.unwrap();
    }
    seen_a.sort_unstable();
    assert_eq!(seen_a, (0..20).collect::<Vec<_>>());
    drop((a1, a2, b));
    fixture.close(broker).await;
}

pub async fn pubsub_resend_after_nack<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let topic = unique("topic");
    let mut deliveries = broker
        .subscribe(&Subscription::new(unique("group"), [&topic]))
        .await
        .unwrap();
    broker.publish(&topic, numbered(7)).await.unwrap();
    let first = take(&mut deliveries, 1).await.remove(0);
    first.nack().await.expect("nacked");
    let again = take(&mut deliveries, 1).await.remove(0);
    assert_eq!(number(&again), 7);
    again.ack().await.unwrap();
    assert!(quiet(&mut deliveries).await);
    drop(deliveries);
    fixture.close(broker).await;
}

pub async fn pubsub_no_second_delivery_while_unacked<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let (topic, group) = (unique("topic"), unique("group"));
    let mut one = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    let mut two = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    broker.publish(&topic, numbered(1)).await.unwrap();
    let held = tokio::select! {
        d = one.next() => d,
        d = two.next() => d,
    }
    .expect("the stream goes on")
    .expect("a delivery");
    assert!(
        quiet(&mut one).await && quiet(&mut two).await,
        "delivered twice while unacked"
    );
    held.ack().await.unwrap();
    drop((one, two));
    fixture.close(broker).await;
}

pub async fn pubsub_continue_after_subscriber_closes<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let (topic, group) = (unique("topic"), unique("group"));
    let mut first = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    for i in 0..5 {
        broker.publish(&topic, numbered(i)).await.unwrap();
    }
    let held = take(&mut first, 1).await;
    // The member goes away holding a message it never settled.
    drop(held);
    drop(first);
    let mut second = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    let mut seen: Vec<usize> = Vec::new();
    while seen.len() < 5 {
        let delivery = take(&mut second, 1).await.remove(0);
        seen.push(number(&delivery));
        delivery.ack().await.unwrap();
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..5).collect::<Vec<_>>());
    drop(second);
    fixture.close(broker).await;
}

pub async fn pubsub_new_group_receives_old_messages<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let topic = unique("topic");
    let subscription = Subscription::new(unique("late"), [&topic]);
    // The group exists before any member joins: RabbitMQ keeps messages
    // only for queues that exist when they are published.
    broker.declare(&subscription).await.expect("declared");
    for i in 0..3 {
        broker.publish(&topic, numbered(i)).await.unwrap();
    }
    let mut late = broker.subscribe(&subscription).await.unwrap();
    let mut seen: Vec<usize> = Vec::new();
    for delivery in take(&mut late, 3).await {
        seen.push(number(&delivery));
        delivery.ack().await.unwrap();
    }
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2]);
    drop(late);
    fixture.close(broker).await;
}

pub async fn pubsub_concurrent_close<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let (topic, group) = (unique("topic"), unique("group"));
    let mut members = Vec::new();
    for _ in 0..8 {
        members.push(
            broker
                .subscribe(&Subscription::new(&group, [&topic]))
                .await
                .unwrap(),
        );
    }
    broker.publish(&topic, numbered(1)).await.unwrap();
    let closers: Vec<_> = members
        .into_iter()
        .map(|m| tokio::spawn(async move { drop(m) }))
        .collect();
    for closer in closers {
        closer.await.expect("closed without a panic");
    }
    // The message is still there for the next member.
    let mut next = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    let delivery = take(&mut next, 1).await.remove(0);
    assert_eq!(number(&delivery), 1);
    delivery.ack().await.unwrap();
    drop(next);
    fixture.close(broker).await;
}

pub async fn pubsub_member_leaving_hands_back_at_once<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open_patient().await else {
        return;
    };
    let topic = unique("topic");
    let subscription = Subscription::new(unique("group"), [&topic]).prefetch(10);
    broker.declare(&subscription).await.expect("declared");
    for i in 0..10 {
        broker
            .publish(&topic, numbered(i))
            .await
            .expect("published");
    }
    let mut leaving = broker.subscribe(&subscription).await.expect("subscribed");
    // One is taken and settled; the others it fetched are not started.
    let first = take(&mut leaving, 1).await.remove(0);
    let first_number = number(&first);
    first.ack().await.expect("acked");
    drop(leaving);
    // Only a hand-back brings them before the broker's own redelivery.
    let mut next = broker.subscribe(&subscription).await.expect("subscribed");
    let mut seen = vec![first_number];
    for delivery in take(&mut next, 9).await {
        seen.push(number(&delivery));
        delivery.ack().await.expect("acked");
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    drop(next);
    fixture.close(broker).await;
}

// -------------------------------------------------------------------- evc

/// A consumer running in the background until `stop` is sent.
struct Running {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), evc_transport::TransportError>>,
    report: Arc<evc_transport::Report>,
}

impl Running {
    /// Returns once the group is declared, so what the test publishes next
    /// is kept for it.
    async fn start<B>(broker: B, bus: Bus, options: Options) -> Running
    where
        B: Publisher + Subscriber + Clone + 'static,
    {
        let consumer = Consumer::new(broker, bus, options);
        consumer.declare().await.expect("the group is declared");
        let report = consumer.report();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(consumer.run(async move {
            let _ = stopped.await;
        }));
        Running { stop, task, report }
    }

    async fn stop(self) -> Arc<evc_transport::Report> {
        let _ = self.stop.send(());
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the consumer stops")
            .expect("no panic")
            .expect("no transport error");
        self.report
    }
}

fn quick_retries(attempts: u32) -> Retry {
    Retry {
        attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        multiplier: 2.0,
    }
}

fn order_created() -> OrderCreated {
    serde_json::from_value(json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    }))
    .expect("a valid OrderCreated")
}

fn envelope(ty: &str, id: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0", "id": id, "source": "/tests/old-producer",
        "type": ty, "datacontenttype": "application/json", "data": data,
    }))
    .expect("serializable")
}

const ORDER_CREATED: &str = "com.example.orders.order_created.v2";
const ITEM_RESERVED_V1: &str = "com.example.inventory.item_reserved.v1";

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn dead_letters<B: Subscriber>(broker: &B, group: &str, n: usize) -> Vec<DeadLetter> {
    // The group's dead-letter queue, which its consumer declared.
    let mut deliveries = broker
        .subscribe(&dead_letter::subscription(group))
        .await
        .expect("subscribed to the dead letters");
    let mut out = Vec::new();
    for delivery in take(&mut deliveries, n).await {
        out.push(DeadLetter::read(&delivery.message).expect("a dead letter"));
        delivery.ack().await.unwrap();
    }
    out
}

pub async fn evc_typed_round_trip<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let modes = if fixture.binary_mode() {
        vec![ContentMode::Structured, ContentMode::Binary]
    } else {
        vec![ContentMode::Structured]
    };
    for mode in modes {
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
        let sink = received.clone();
        bus.subscribe::<OrderCreated>(move |event, ctx| {
            sink.lock()
                .unwrap()
                .push((event.clone(), ctx.id().to_owned()));
            Ok(())
        });
        let running = Running::start(broker.clone(), bus, Options::new(unique("orders"))).await;
        let producer = Producer::new(broker.clone(), "/tests/producer").content_mode(mode);
        let sent = producer.publish(&order_created()).await.expect("published");
        wait_until("the event", || {
            received
                .lock()
                .unwrap()
                .iter()
                .any(|(_, id)| *id == sent.id)
        })
        .await;
        running.stop().await;
        // Where the broker keeps history, a new group also reads what the
        // loop's earlier rounds sent: look for this round's message.
        let received = received.lock().unwrap().clone();
        let (event, _) = received
            .iter()
            .find(|(_, id)| *id == sent.id)
            .expect("the message sent in this mode");
        assert_eq!(*event, order_created(), "{mode:?}");
    }
    fixture.close(broker).await;
}

pub async fn evc_old_version_reaches_the_current_handler_upcast<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let received = Arc::new(Mutex::new(Vec::<ItemReserved>::new()));
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let sink = received.clone();
    bus.subscribe::<ItemReserved>(move |event, _| {
        sink.lock().unwrap().push(event.clone());
        Ok(())
    });
    let running = Running::start(broker.clone(), bus, Options::new(unique("inventory"))).await;
    let v1 = json!({
        "reservation_id": "9ff4288b-ff2f-44bc-9272-5c43179e952c",
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "sku": "SKU-10042-BLK", "quantity": "2", "warehouse": "WH-001",
        "reserved_at": "2024-04-29T09:14:05Z", "expires_at": "2024-04-29T09:59:05Z"
    });
    let message = RawMessage::new(envelope(ITEM_RESERVED_V1, "old-1", v1));
    broker.publish(ITEM_RESERVED_V1, message).await.unwrap();
    wait_until("the upcast event", || !received.lock().unwrap().is_empty()).await;
    running.stop().await;
    let event = received.lock().unwrap()[0].clone();
    assert_eq!(event.quantity, 2);
    assert_eq!(event.warehouse_id, "WH-001");
    assert_eq!(event.hold.expires_at, "2024-04-29T09:59:05Z");
    fixture.close(broker).await;
}

pub async fn evc_dead_letters_keep_bytes_and_reason<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let group = unique("orders");
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    bus.subscribe::<OrderCreated>(|event, _| {
        if event.lines.len() > 1 {
            Err("the warehouse is on fire".into())
        } else {
            Ok(())
        }
    });
    let mut options = Options::new(&group);
    options.retry = quick_retries(3);
    let running = Running::start(broker.clone(), bus, options).await;
    let mut failing = serde_json::to_value(order_created()).unwrap();
    failing["lines"] = json!([{ "sku": "SKU-10042-BLK", "quantity": 2 }, { "sku": "SKU-10043-BLK", "quantity": 1 }]);
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "not JSON",
            ORDER_CREATED,
            b"\x00\xffnot a cloudevent".to_vec(),
        ),
        ("no envelope", ORDER_CREATED, br#"{"data":{}}"#.to_vec()),
        (
            "unknown type",
            ORDER_CREATED,
            envelope("com.example.nobody.v1", "u-1", json!({})),
        ),
        (
            "future major",
            ORDER_CREATED,
            envelope("com.example.orders.order_created.v9", "f-1", json!({})),
        ),
        (
            "invalid payload",
            ORDER_CREATED,
            envelope(ORDER_CREATED, "i-1", json!({ "order_id": 5 })),
        ),
        (
            "handler failure",
            ORDER_CREATED,
            envelope(ORDER_CREATED, "h-1", failing),
        ),
    ];
    for (_, topic, bytes) in &cases {
        let message = RawMessage::new(bytes.clone()).with_header("x-original", "kept");
        broker.publish(topic, message).await.unwrap();
    }
    let letters = dead_letters(&broker, &group, cases.len()).await;
    let report = running.stop().await;
    for (what, topic, bytes) in &cases {
        let letter = letters
            .iter()
            .find(|l| &l.original.body == bytes)
            .unwrap_or_else(|| panic!("no dead letter for {what}"));
        assert_eq!(letter.original.header("x-original"), Some("kept"), "{what}");
        assert_eq!(&letter.topic, topic, "{what}");
        assert_eq!(letter.group, group);
        let expected = match *what {
            "not JSON" | "no envelope" => "invalid_envelope",
            "unknown type" => "unknown_type",
            "future major" => "unsupported_version",
            "invalid payload" => "invalid_payload",
            _ => "handler_failed",
        };
        assert_eq!(letter.reason, expected, "{what}: {}", letter.message);
        let attempts = if expected == "handler_failed" { 3 } else { 0 };
        assert_eq!(letter.attempts, attempts, "{what}");
    }
    assert_eq!(report.retried.load(std::sync::atomic::Ordering::Relaxed), 2);
    fixture.close(broker).await;
}

pub async fn evc_redelivered_message_runs_once<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let runs = Arc::new(Mutex::new(0));
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let counter = runs.clone();
    bus.subscribe::<OrderCreated>(move |_, _| {
        *counter.lock().unwrap() += 1;
        Ok(())
    });
    let mut options = Options::new(unique("orders"));
    options.dedup = Some(Arc::new(MemoryDedup::new(1000)));
    let running = Running::start(broker.clone(), bus, options).await;
    let data = serde_json::to_value(order_created()).unwrap();
    let bytes = envelope(ORDER_CREATED, "same-id", data.clone());
    for _ in 0..3 {
        broker
            .publish(ORDER_CREATED, RawMessage::new(bytes.clone()))
            .await
            .unwrap();
    }
    // A different id is a different message.
    broker
        .publish(
            ORDER_CREATED,
            RawMessage::new(envelope(ORDER_CREATED, "other-id", data)),
        )
        .await
        .unwrap();
    let report = running.report.clone();
    wait_until("every delivery", || {
        let r = &report;
        r.handled.load(std::sync::atomic::Ordering::Relaxed)
            + r.deduplicated.load(std::sync::atomic::Ordering::Relaxed)
            >= 4
    })
    .await;
    running.stop().await;
    assert_eq!(*runs.lock().unwrap(), 2);
    assert_eq!(
        report
            .deduplicated
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    fixture.close(broker).await;
}

pub async fn evc_shutdown_drains_in_flight_messages<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let group = unique("orders");
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let runs = Arc::new(Mutex::new(0));
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let counter = runs.clone();
    bus.subscribe::<OrderCreated>(move |_, _| {
        let _ = started_tx.send(());
        std::thread::sleep(Duration::from_millis(300));
        *counter.lock().unwrap() += 1;
        Ok(())
    });
    let running = Running::start(broker.clone(), bus, Options::new(&group)).await;
    let producer = Producer::new(broker.clone(), "/tests/producer");
    producer.publish(&order_created()).await.unwrap();
    tokio::task::spawn_blocking(move || {
        started_rx
            .recv_timeout(PATIENCE)
            .expect("the handler started")
    })
    .await
    .unwrap();
    // Stop while the handler runs: it finishes and its message is acked.
    let report = running.stop().await;
    assert_eq!(*runs.lock().unwrap(), 1);
    assert_eq!(report.handled.load(std::sync::atomic::Ordering::Relaxed), 1);
    let mut again = broker
        .subscribe(&Subscription::new(&group, [ORDER_CREATED]))
        .await
        .unwrap();
    assert!(quiet(&mut again).await, "the drained message came back");
    drop(again);
    fixture.close(broker).await;
}

pub async fn evc_partition_key_keeps_order<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let seen = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let sink = seen.clone();
    bus.subscribe::<OrderCreated>(move |_, ctx| {
        sink.lock().unwrap().push((
            ctx.subject().unwrap_or_default().to_owned(),
            ctx.id().to_owned(),
        ));
        Ok(())
    });
    let mut options = Options::new(unique("orders"));
    options.concurrency = 4;
    options.ordering = evc_transport::Ordering::PartitionKey;
    let running = Running::start(broker.clone(), bus, options).await;
    let data = serde_json::to_value(order_created()).unwrap();
    for i in 0..40 {
        let key = format!("key-{}", i % 4);
        let mut value: Value =
            serde_json::from_slice(&envelope(ORDER_CREATED, &format!("{i:03}"), data.clone()))
                .unwrap();
        value["partitionkey"] = json!(key);
        value["subject"] = json!(key);
        broker
            .publish(
                ORDER_CREATED,
                RawMessage::new(serde_json::to_vec(&value).unwrap()),
            )
            .await
            .unwrap();
    }
    wait_until("every message", || seen.lock().unwrap().len() == 40).await;
    running.stop().await;
    let seen = seen.lock().unwrap().clone();
    for key in 0..4 {
        let ids: Vec<&str> = seen
            .iter()
            .filter(|(k, _)| k == &format!("key-{key}"))
            .map(|(_, id)| id.as_str())
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "key-{key} out of order");
    }
    fixture.close(broker).await;
}

pub async fn evc_subscribers_in_their_own_groups_fail_alone<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let counter = |runs: &Arc<Mutex<u32>>, failures: u32| {
        let runs = runs.clone();
        move |_: &OrderCreated,
              _: &mut evc_runtime::Context<'_>|
              -> Result<(), evc_runtime::HandlerError> {
            let mut runs = runs.lock().unwrap();
            *runs += 1;
            if *runs <= failures {
                return Err("not yet".into());
            }
            Ok(())
        }
    };
    let (mailer_runs, billing_runs) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    let mut mailer = Bus::new(evc_runtime::Publisher::new("/tests/mailer"));
    mailer.subscribe::<OrderCreated>(counter(&mailer_runs, 0));
    let mut billing = Bus::new(evc_runtime::Publisher::new("/tests/billing"));
    billing.subscribe::<OrderCreated>(counter(&billing_runs, 2));
    let options = |group: &str| {
        let mut options = Options::new(unique(group));
        options.retry = quick_retries(5);
        options
    };
    let mailer = Running::start(broker.clone(), mailer, options("mailer")).await;
    let billing = Running::start(broker.clone(), billing, options("billing")).await;
    Producer::new(broker.clone(), "/tests/producer")
        .publish(&order_created())
        .await
        .unwrap();
    wait_until("billing to succeed", || *billing_runs.lock().unwrap() == 3).await;
    wait_until("the mailer", || *mailer_runs.lock().unwrap() == 1).await;
    mailer.stop().await;
    billing.stop().await;
    // Billing's retries never ran the mailer again.
    assert_eq!(*mailer_runs.lock().unwrap(), 1);
    fixture.close(broker).await;
}

pub async fn evc_command_request_reply<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/orders"));
    bus.handle::<CreateOrder>(|command, ctx| {
        if command.note.as_deref() == Some("refuse") {
            return Err(evc_runtime::Rejection::new(
                "refused",
                "orders with this note are refused",
            )
            .into());
        }
        // A dry run decides as usual; what it emits goes back, not out.
        ctx.emit(order_created())?;
        Ok(())
    })
    .expect("one handler");
    let running = Running::start(broker.clone(), bus, Options::new(unique("orders"))).await;
    let watch = Subscription::new(unique("watch"), [ORDER_CREATED]);
    broker.declare(&watch).await.unwrap();
    let mut announced = broker.subscribe(&watch).await.unwrap();
    let requester = Requester::new(broker.clone(), "/tests/shop")
        .await
        .expect("an inbox");
    let command: CreateOrder = serde_json::from_value(create_order(None)).unwrap();
    assert_eq!(
        requester.send(&command, PATIENCE).await.expect("a reply"),
        Reply::Accepted { emitted: vec![] }
    );
    take(&mut announced, 1).await.remove(0).ack().await.unwrap();

    let refused: CreateOrder = serde_json::from_value(create_order(Some("refuse"))).unwrap();
    match requester.send(&refused, PATIENCE).await.expect("a reply") {
        Reply::Rejected(rejection) => assert_eq!(rejection.code, "refused"),
        other => panic!("a rejection expected, got {other:?}"),
    }
    match requester
        .dry_run(&command, PATIENCE)
        .await
        .expect("a reply")
    {
        Reply::Accepted { emitted } => {
            assert_eq!(emitted.len(), 1);
            assert_eq!(emitted[0]["type"], ORDER_CREATED);
            assert_eq!(
                emitted[0]["data"],
                serde_json::to_value(order_created()).unwrap()
            );
        }
        other => panic!("an acceptance expected, got {other:?}"),
    }
    assert!(
        quiet(&mut announced).await,
        "a rejected or dry-run command emitted an event"
    );
    let events_are_not_sent = requester.send(&order_created(), PATIENCE).await;
    assert!(matches!(events_are_not_sent, Err(SendError::Publish(_))));
    let report = running.stop().await;
    assert_eq!(
        report.rejected.load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    drop(announced);
    drop(requester);
    fixture.close(broker).await;
}

fn create_order(note: Option<&str>) -> Value {
    let mut value = json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "currency": "EUR",
        "shipping_address": {
            "recipient_name": "Ada Lovelace", "line1": "Invalidenstrasse 117",
            "city": "Berlin", "postal_code": "10115", "country_code": "DE"
        }
    });
    if let Some(note) = note {
        value["note"] = json!(note);
    }
    value
}

pub async fn evc_consumer_killed_mid_batch_loses_nothing<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let group = unique("orders");
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::<String>::new()));
    let bus = |seen: &Arc<Mutex<std::collections::BTreeSet<String>>>| {
        let seen = seen.clone();
        let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
        bus.subscribe::<OrderCreated>(move |_, ctx| {
            std::thread::sleep(Duration::from_millis(5));
            seen.lock().unwrap().insert(ctx.id().to_owned());
            Ok(())
        });
        bus
    };
    let mut options = Options::new(&group);
    options.concurrency = 4;
    let first = Running::start(broker.clone(), bus(&seen), options.clone()).await;
    let data = serde_json::to_value(order_created()).unwrap();
    for i in 0..50 {
        let bytes = envelope(ORDER_CREATED, &format!("kill-{i:02}"), data.clone());
        broker
            .publish(ORDER_CREATED, RawMessage::new(bytes))
            .await
            .unwrap();
    }
    wait_until("a few messages", || seen.lock().unwrap().len() >= 10).await;
    // Killed, not stopped: no drain, deliveries in flight are dropped.
    first.task.abort();
    let _ = first.task.await;
    let second = Running::start(broker.clone(), bus(&seen), options).await;
    wait_until("every message", || seen.lock().unwrap().len() == 50).await;
    second.stop().await;
    fixture.close(broker).await;
}

pub async fn evc_a_command_is_handled_once_across_services<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let runs = Arc::new(Mutex::new(0));
    let service = |name: &str| {
        let runs = runs.clone();
        let mut bus = Bus::new(evc_runtime::Publisher::new(format!("/tests/{name}")));
        bus.handle::<CreateOrder>(move |_, _| {
            *runs.lock().unwrap() += 1;
            Ok(())
        })
        .expect("one handler");
        bus
    };
    // Two services, each with a group of its own for its events: the
    // command still has one group, so one of them handles each command.
    let one = Running::start(broker.clone(), service("one"), Options::new(unique("one"))).await;
    let two = Running::start(broker.clone(), service("two"), Options::new(unique("two"))).await;
    let producer = Producer::new(broker.clone(), "/tests/shop");
    let command: CreateOrder = serde_json::from_value(create_order(None)).unwrap();
    for _ in 0..10 {
        producer.publish(&command).await.unwrap();
    }
    wait_until("ten commands", || *runs.lock().unwrap() >= 10).await;
    tokio::time::sleep(QUIET).await;
    one.stop().await;
    two.stop().await;
    assert_eq!(*runs.lock().unwrap(), 10, "a command was handled twice");
    fixture.close(broker).await;
}

pub async fn evc_dead_letters_listed_and_redriven<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let group = unique("orders");
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let down = broken.clone();
    bus.subscribe::<OrderCreated>(move |_, _| {
        if down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("the database is down".into());
        }
        Ok(())
    });
    let mut options = Options::new(&group);
    options.retry = quick_retries(1);
    let running = Running::start(broker.clone(), bus, options).await;
    let report = running.report.clone();
    let data = serde_json::to_value(order_created()).unwrap();
    let sent: Vec<Vec<u8>> = (0..3)
        .map(|i| envelope(ORDER_CREATED, &format!("dl-{i}"), data.clone()))
        .collect();
    for bytes in &sent {
        broker
            .publish(ORDER_CREATED, RawMessage::new(bytes.clone()))
            .await
            .unwrap();
    }
    let count =
        |counter: &std::sync::atomic::AtomicU64| counter.load(std::sync::atomic::Ordering::Relaxed);
    wait_until("three dead letters", || count(&report.dead_lettered) == 3).await;
    // A letter handed back to a reader that has left may stay out of sight
    // until its acknowledgement deadline (NATS: `ack_wait`), so each step
    // is checked for what it eventually shows; duplicates are allowed
    // (at-least-once), losses are not.
    let idle = Duration::from_secs(1);
    let expected: std::collections::BTreeSet<Vec<u8>> = sent.iter().cloned().collect();
    for _ in 0..2 {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let letters = dead_letter::list(&broker, &group, 10, idle)
                .await
                .expect("listed");
            assert!(letters.iter().all(|l| l.reason == "handler_failed"));
            let bodies: std::collections::BTreeSet<Vec<u8>> =
                letters.into_iter().map(|l| l.original.body).collect();
            assert!(bodies.is_subset(&expected), "a letter that was never sent");
            if bodies == expected {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "letters went missing"
            );
        }
    }
    broken.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut redriven = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while redriven != expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "letters were not re-driven"
        );
        for letter in dead_letter::redrive(&broker, &group, 10, idle)
            .await
            .expect("re-driven")
        {
            redriven.insert(letter.original.body);
        }
    }
    wait_until("the re-driven messages", || count(&report.handled) >= 3).await;
    tokio::time::sleep(QUIET).await;
    assert!(dead_letter::list(&broker, &group, 10, idle)
        .await
        .unwrap()
        .is_empty());
    running.stop().await;
    fixture.close(broker).await;
}

/// An `OrderCreated` table with two subscribers: `billing` counts its runs
/// in `second` and answers what `billing` says for its n-th run; the other,
/// registered after it so that it runs after a failure, counts its runs in
/// `first` and emits a `CreateOrder`.
fn two_subscribers(
    first: &Arc<Mutex<u32>>,
    second: &Arc<Mutex<u32>>,
    billing: impl Fn(u32) -> Result<(), evc_runtime::HandlerError> + Send + 'static,
) -> Bus {
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let runs = second.clone();
    bus.subscribe_named::<OrderCreated>("billing", move |_, _| {
        let mut runs = runs.lock().unwrap();
        *runs += 1;
        billing(*runs)
    })
    .expect("a free name");
    let runs = first.clone();
    bus.subscribe::<OrderCreated>(move |_, ctx| {
        *runs.lock().unwrap() += 1;
        let command: CreateOrder = serde_json::from_value(create_order(None))?;
        ctx.emit(command)?;
        Ok(())
    });
    bus
}

/// `billing`'s answer while the ledger is locked.
fn locked(locked: bool) -> Result<(), evc_runtime::HandlerError> {
    if locked {
        return Err("the ledger is locked".into());
    }
    Ok(())
}

fn create_order_type() -> &'static str {
    <CreateOrder as evc_runtime::Contract>::WIRE_TYPE
}

pub async fn evc_a_failed_subscriber_is_retried_alone<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let (first, second) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    let bus = two_subscribers(&first, &second, |run| locked(run == 1));
    let watch = Subscription::new(unique("watch"), [create_order_type()]);
    broker.declare(&watch).await.unwrap();
    let mut emitted = broker.subscribe(&watch).await.unwrap();
    let mut options = Options::new(unique("orders"));
    options.retry = quick_retries(3);
    let running = Running::start(broker.clone(), bus, options).await;
    Producer::new(broker.clone(), "/tests/producer")
        .publish(&order_created())
        .await
        .unwrap();
    wait_until("billing to succeed", || *second.lock().unwrap() == 2).await;
    let report = running.stop().await;
    assert_eq!(*first.lock().unwrap(), 1, "the first subscriber ran again");
    assert_eq!(report.handled.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(report.retried.load(std::sync::atomic::Ordering::Relaxed), 1);
    take(&mut emitted, 1).await.remove(0).ack().await.unwrap();
    assert!(
        quiet(&mut emitted).await,
        "the first subscriber's message was published twice"
    );
    drop(emitted);
    fixture.close(broker).await;
}

pub async fn evc_a_rejecting_subscriber_keeps_the_others_work<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let (first, second) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    // Billing rejects, and runs first: what runs after it still counts.
    let bus = two_subscribers(&first, &second, |_| {
        Err(evc_runtime::Rejection::new("closed", "the ledger is closed").into())
    });
    let watch = Subscription::new(unique("watch"), [create_order_type()]);
    broker.declare(&watch).await.unwrap();
    let mut emitted = broker.subscribe(&watch).await.unwrap();
    let mut options = Options::new(unique("orders"));
    options.retry = quick_retries(3);
    let running = Running::start(broker.clone(), bus, options).await;
    Producer::new(broker.clone(), "/tests/producer")
        .publish(&order_created())
        .await
        .unwrap();
    // What the other subscriber emitted is published, although billing
    // rejected the event; a rejection is final, so neither runs again.
    take(&mut emitted, 1).await.remove(0).ack().await.unwrap();
    let report = running.stop().await;
    assert_eq!(*first.lock().unwrap(), 1, "the first subscriber ran again");
    assert_eq!(*second.lock().unwrap(), 1, "a rejection was retried");
    assert_eq!(report.retried.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(
        quiet(&mut emitted).await,
        "the first subscriber's message was published twice"
    );
    drop(emitted);
    fixture.close(broker).await;
}

pub async fn evc_a_dead_letter_names_its_failed_subscribers<F: Fixture>(fixture: F) {
    let Some(broker) = fixture.open().await else {
        return;
    };
    let group = unique("orders");
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (first, second) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    let down = broken.clone();
    let bus = two_subscribers(&first, &second, move |_| {
        locked(down.load(std::sync::atomic::Ordering::SeqCst))
    });
    let watch = Subscription::new(unique("watch"), [create_order_type()]);
    broker.declare(&watch).await.unwrap();
    let mut emitted = broker.subscribe(&watch).await.unwrap();
    let mut options = Options::new(&group);
    options.retry = quick_retries(2);
    // The store keeps the first subscriber's success past the dead letter.
    options.dedup = Some(Arc::new(MemoryDedup::new(1000)));
    let running = Running::start(broker.clone(), bus, options).await;
    let report = running.report.clone();
    Producer::new(broker.clone(), "/tests/producer")
        .publish(&order_created())
        .await
        .unwrap();
    let count =
        |counter: &std::sync::atomic::AtomicU64| counter.load(std::sync::atomic::Ordering::Relaxed);
    wait_until("the dead letter", || count(&report.dead_lettered) == 1).await;
    assert_eq!(*second.lock().unwrap(), 2);
    broken.store(false, std::sync::atomic::Ordering::SeqCst);
    // A letter handed back to a reader that left may stay out of sight
    // until its acknowledgement deadline: read until it shows.
    let idle = Duration::from_secs(1);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let letter = loop {
        let mut letters = dead_letter::redrive(&broker, &group, 1, idle)
            .await
            .expect("re-driven");
        if let Some(letter) = letters.pop() {
            break letter;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the letter was not re-driven"
        );
    };
    assert_eq!(letter.subscribers, ["billing"]);
    assert_eq!(letter.attempts, 2);
    assert_eq!(letter.reason, "handler_failed");
    wait_until("the re-driven message", || count(&report.handled) == 1).await;
    running.stop().await;
    assert_eq!(*second.lock().unwrap(), 3);
    assert_eq!(*first.lock().unwrap(), 1, "the first subscriber ran again");
    take(&mut emitted, 1).await.remove(0).ack().await.unwrap();
    assert!(
        quiet(&mut emitted).await,
        "the first subscriber's message was published twice"
    );
    drop(emitted);
    fixture.close(broker).await;
}

/// Instantiates the suite for one fixture.
#[macro_export]
macro_rules! conformance {
    ($fixture:expr) => {
        $crate::conformance!(@tests $fixture;
            pubsub_publish_subscribe_with_metadata,
            pubsub_topics_are_isolated,
            pubsub_consumer_groups,
            pubsub_resend_after_nack,
            pubsub_no_second_delivery_while_unacked,
            pubsub_continue_after_subscriber_closes,
            pubsub_new_group_receives_old_messages,
            pubsub_concurrent_close,
            pubsub_member_leaving_hands_back_at_once,
            evc_typed_round_trip,
            evc_old_version_reaches_the_current_handler_upcast,
            evc_dead_letters_keep_bytes_and_reason,
            evc_redelivered_message_runs_once,
            evc_shutdown_drains_in_flight_messages,
            evc_partition_key_keeps_order,
            evc_subscribers_in_their_own_groups_fail_alone,
            evc_command_request_reply,
            evc_consumer_killed_mid_batch_loses_nothing,
            evc_a_command_is_handled_once_across_services,
            evc_dead_letters_listed_and_redriven,
            evc_a_failed_subscriber_is_retried_alone,
            evc_a_dead_letter_names_its_failed_subscribers,
            evc_a_rejecting_subscriber_keeps_the_others_work,
        );
    };
    (@tests $fixture:expr; $($name:ident,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                conformance::$name($fixture).await;
            }
        )*
    };
}
