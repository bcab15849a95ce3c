//! The conformance suite on Redis Streams (`EVC_REDIS_URL`, default
//! `redis://127.0.0.1:6379`): each test under a key prefix of its own,
//! whose streams are deleted at the end; then the Redis dedup store and
//! the takeover of a member's forgotten messages.

mod conformance;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use evc_bindings_tests::{Bus, OrderCreated};
use evc_transport::dedup::{Claim, Dedup};
use evc_transport::redis::{RedisBroker, RedisConfig, RedisDedup};
use evc_transport::{Consumer, Options, Publisher, RawMessage, Subscriber, Subscription};
use futures::StreamExt;
use serde_json::json;

/// Only a hung test waits this long.
const PATIENCE: Duration = Duration::from_secs(30);

struct Redis;

fn address() -> String {
    std::env::var("EVC_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn open() -> Option<RedisBroker> {
    // Short, so a member that dies holding messages hands them on soon;
    // well beyond the 0.7 s the suite watches a held message for.
    open_claiming_after(Duration::from_secs(4)).await
}

async fn open_claiming_after(claim_idle: Duration) -> Option<RedisBroker> {
    let config = RedisConfig {
        prefix: format!("evctest:{}:", unique()),
        claim_idle,
        block: Duration::from_millis(200),
        ..RedisConfig::default()
    };
    match RedisBroker::connect(&address(), config).await {
        Ok(broker) => Some(broker),
        Err(error) => {
            conformance::unreachable("Redis", &address(), &error);
            None
        }
    }
}

#[async_trait]
impl conformance::Fixture for Redis {
    type Broker = RedisBroker;

    async fn open(&self) -> Option<RedisBroker> {
        open().await
    }

    async fn open_patient(&self) -> Option<RedisBroker> {
        open_claiming_after(Duration::from_secs(600)).await
    }

    async fn close(&self, broker: RedisBroker) {
        broker.delete().await.expect("the test streams are deleted");
    }

    fn binary_mode(&self) -> bool {
        false
    }
}

conformance!(Redis);

async fn dedup() -> Option<RedisDedup> {
    match RedisDedup::connect(&address(), format!("evctest:{}:dedup:", unique())).await {
        Ok(dedup) => Some(dedup),
        Err(error) => {
            conformance::unreachable("Redis", &address(), &error);
            None
        }
    }
}

#[tokio::test]
async fn dedup_claims_once_until_released_and_remembers_completion() {
    let Some(dedup) = dedup().await else {
        return;
    };
    let long = Duration::from_secs(60);
    assert_eq!(dedup.claim("a", long).await.unwrap(), Claim::First);
    assert_eq!(dedup.claim("a", long).await.unwrap(), Claim::InFlight);
    dedup.release("a").await.unwrap();
    assert_eq!(dedup.claim("a", long).await.unwrap(), Claim::First);
    dedup.complete("a", long).await.unwrap();
    assert_eq!(dedup.claim("a", long).await.unwrap(), Claim::Done);
    assert_eq!(dedup.claim("b", long).await.unwrap(), Claim::First);
    dedup.clear().await.unwrap();
    assert_eq!(dedup.claim("a", long).await.unwrap(), Claim::First);
    dedup.clear().await.unwrap();
}

#[tokio::test]
async fn dedup_tells_completed_keys_in_one_lookup() {
    let Some(dedup) = dedup().await else {
        return;
    };
    let long = Duration::from_secs(60);
    dedup.complete("m\u{1f}#1", long).await.unwrap();
    dedup.claim("m\u{1f}billing", long).await.unwrap();
    let keys = ["m\u{1f}#1", "m\u{1f}billing", "m\u{1f}mailer"].map(str::to_owned);
    assert_eq!(dedup.completed(&keys).await.unwrap(), [true, false, false]);
    assert!(dedup.completed(&[]).await.unwrap().is_empty());
    dedup.clear().await.unwrap();
}

fn order_created(id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0", "id": id, "source": "/tests/producer",
        "type": "com.example.orders.order_created.v2",
        "datacontenttype": "application/json",
        "data": {
            "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
            "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
            "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
            "total": { "amount": 189.7, "currency": "EUR" },
            "created_at": "2024-04-29T09:14:03Z"
        }
    }))
    .expect("serializable")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_dedup_store_runs_a_message_published_three_times_once() {
    let (Some(broker), Some(dedup)) = (open().await, dedup().await) else {
        return;
    };
    let runs = Arc::new(Mutex::new(0));
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    let counter = runs.clone();
    bus.subscribe::<OrderCreated>(move |_, _| {
        *counter.lock().unwrap() += 1;
        Ok(())
    });
    let mut options = Options::new(format!("orders_{}", unique()));
    options.dedup = Some(Arc::new(dedup.clone()));
    let consumer = Consumer::new(broker.clone(), bus, options);
    let report = consumer.report();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(consumer.run(async move {
        let _ = stopped.await;
    }));
    for _ in 0..3 {
        broker
            .publish(
                "com.example.orders.order_created.v2",
                RawMessage::new(order_created("same-id")),
            )
            .await
            .unwrap();
    }
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while report.handled.load(std::sync::atomic::Ordering::Relaxed)
        + report
            .deduplicated
            .load(std::sync::atomic::Ordering::Relaxed)
        < 3
    {
        assert!(tokio::time::Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the consumer stops")
        .expect("no panic")
        .expect("no transport error");
    assert_eq!(*runs.lock().unwrap(), 1);
    assert_eq!(
        report
            .deduplicated
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    dedup.clear().await.unwrap();
    broker.delete().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_delivery_goes_to_another_member_once_idle() {
    let Some(broker) = open().await else {
        return;
    };
    let (topic, group) = (format!("topic_{}", unique()), format!("group_{}", unique()));
    let mut first = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    let message = RawMessage::new(&b"\x00\xffbytes"[..]).with_header("x-kept", "yes é");
    broker.publish(&topic, message.clone()).await.unwrap();
    let taken = tokio::time::timeout(PATIENCE, first.next())
        .await
        .expect("delivered")
        .expect("the stream goes on")
        .expect("a delivery");
    // Neither settled nor handed back, as when a process dies.
    std::mem::forget(taken);
    drop(first);
    let mut second = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    let again = tokio::time::timeout(PATIENCE, second.next())
        .await
        .expect("taken over after the claim idle time")
        .expect("the stream goes on")
        .expect("a delivery");
    assert_eq!(again.topic, topic);
    assert_eq!(again.message, message);
    again.ack().await.unwrap();
    drop(second);
    broker.delete().await.unwrap();
}

async fn consumers(
    connection: &mut ::redis::aio::MultiplexedConnection,
    key: &str,
    group: &str,
) -> usize {
    ::redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(key)
        .arg(group)
        .query_async::<Vec<::redis::Value>>(connection)
        .await
        .expect("XINFO CONSUMERS")
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_leaves_settled_removes_its_consumer() {
    let Some(broker) = open().await else {
        return;
    };
    let (topic, group) = (format!("topic_{}", unique()), format!("group_{}", unique()));
    let mut member = broker
        .subscribe(&Subscription::new(&group, [&topic]))
        .await
        .unwrap();
    broker.publish(&topic, RawMessage::new("x")).await.unwrap();
    let delivery = tokio::time::timeout(PATIENCE, member.next())
        .await
        .expect("delivered")
        .expect("the stream goes on")
        .expect("a delivery");
    delivery.ack().await.unwrap();
    let client = ::redis::Client::open(address()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let key = broker.stream_key(&topic);
    assert_eq!(consumers(&mut connection, &key, &group).await, 1);
    drop(member);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while consumers(&mut connection, &key, &group).await > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the consumer stayed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    broker.delete().await.unwrap();
}
