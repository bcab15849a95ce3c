//! Connections cut mid-stream: a TCP proxy inside the test stands between
//! the adapter and the broker and drops every connection twice while
//! messages flow. Every message whose publish was confirmed must still
//! reach the handler, on every broker.

mod conformance;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evc_bindings_tests::{Bus, OrderCreated};
use evc_transport::nats::NatsConfig;
use evc_transport::{Consumer, Options, Producer, Publisher, Subscriber};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;

const PATIENCE: Duration = Duration::from_secs(60);

/// Forwards every connection to `upstream` until told to cut them all.
struct Proxy {
    address: String,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("bound").to_string();
        let connections: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let open = connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy {
            address,
            connections,
            accept,
        }
    }

    /// Drops every open connection, as a broken network would.
    fn cut(&self) -> usize {
        let cut: Vec<AbortHandle> = std::mem::take(&mut *self.connections.lock().unwrap());
        for connection in &cut {
            connection.abort();
        }
        cut.len()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

fn order() -> OrderCreated {
    serde_json::from_value(json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    }))
    .expect("a valid OrderCreated")
}

/// Publishes 60 messages, cutting every connection after the 20th and the
/// 40th; returns the ids the broker confirmed. A publish that fails while
/// the client reconnects is not confirmed and is tried again.
async fn confirmed_across_cuts<B>(broker: &B, proxy: &Proxy) -> BTreeSet<String>
where
    B: Publisher + Subscriber + Clone + 'static,
{
    let producer = Producer::new(broker.clone(), "/tests/reconnect");
    let mut confirmed = BTreeSet::new();
    let mut cut_at = vec![40, 20];
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while confirmed.len() < 60 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "publishing never recovered"
        );
        // Once per mark: cutting again on every failed retry would cut
        // the reconnected links too, and nothing could ever recover.
        if cut_at.last() == Some(&confirmed.len()) {
            cut_at.pop();
            assert!(proxy.cut() > 0, "nothing to cut");
        }
        match producer.publish(&order()).await {
            Ok(sent) => {
                confirmed.insert(sent.id);
            }
            Err(error) => {
                eprintln!("publish: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await
            }
        }
    }
    confirmed
}

async fn every_confirmed_message_arrives<B>(broker: B, proxy: &Proxy)
where
    B: Publisher + Subscriber + Clone + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let sink = seen.clone();
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    bus.subscribe::<OrderCreated>(move |_, ctx| {
        sink.lock().unwrap().insert(ctx.id().to_owned());
        Ok(())
    });
    let consumer = Consumer::new(broker.clone(), bus, Options::new("reconnect"));
    consumer.declare().await.expect("declared");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(consumer.run(async move {
        let _ = stopped.await;
    }));
    let confirmed = confirmed_across_cuts(&broker, proxy).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let missing: Vec<String> = confirmed
            .difference(&seen.lock().unwrap())
            .cloned()
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} confirmed messages never arrived: {missing:?}",
            missing.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the consumer stops")
        .expect("no panic")
        .expect("no error");
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_delivers_every_confirmed_message_across_cut_connections() {
    let address = std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let upstream = address.trim_start_matches("nats://").to_owned();
    let proxy = Proxy::start(upstream).await;
    let unique = unique();
    let config = NatsConfig {
        stream: format!("EVC_RECONNECT_{unique}"),
        prefix: format!("evcreconnect{unique}"),
        ack_wait: Duration::from_secs(2),
        subject: None,
    };
    let Some(broker) = conformance::nats(&format!("nats://{}", proxy.address), config).await else {
        return;
    };
    every_confirmed_message_arrives(broker.clone(), &proxy).await;
    broker.delete().await.expect("deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_delivers_every_confirmed_message_across_cut_connections() {
    let address =
        std::env::var("EVC_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let upstream = address.trim_start_matches("redis://").to_owned();
    let proxy = Proxy::start(upstream).await;
    let config = evc_transport::redis::RedisConfig {
        prefix: format!("evcreconnect:{}:", unique()),
        claim_idle: Duration::from_secs(2),
        ..Default::default()
    };
    let broker = match evc_transport::redis::RedisBroker::connect(
        &format!("redis://{}", proxy.address),
        config,
    )
    .await
    {
        Ok(broker) => broker,
        Err(error) => return conformance::unreachable("Redis", &address, &error),
    };
    every_confirmed_message_arrives(broker.clone(), &proxy).await;
    broker.delete().await.expect("deleted");
}

/// A RabbitMQ broker reached through a new proxy, with its own exchange and
/// queues; `None` (said loudly) when RabbitMQ is unreachable.
async fn rabbitmq_through_proxy(
    recovery_wait: Duration,
) -> Option<(evc_transport::amqp::AmqpBroker, Proxy)> {
    let address = std::env::var("EVC_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let (scheme, rest) = address.split_once("://").expect("an amqp:// address");
    let (credentials, rest) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (upstream, vhost) = rest.split_once('/').unwrap_or((rest, ""));
    let proxy = Proxy::start(upstream.to_owned()).await;
    let at = if credentials.is_empty() { "" } else { "@" };
    let through = format!("{scheme}://{credentials}{at}{}/{vhost}", proxy.address);
    let unique = unique();
    let config = evc_transport::amqp::AmqpConfig {
        exchange: format!("evc-reconnect-{unique}"),
        queue_prefix: format!("evc-reconnect-{unique}"),
        recovery_wait,
        ..Default::default()
    };
    match evc_transport::amqp::AmqpBroker::connect(&through, config).await {
        Ok(broker) => Some((broker, proxy)),
        Err(error) => {
            conformance::unreachable("RabbitMQ", &address, &error);
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_delivers_every_confirmed_message_across_cut_connections() {
    let default_wait = evc_transport::amqp::AmqpConfig::default().recovery_wait;
    let Some((broker, proxy)) = rabbitmq_through_proxy(default_wait).await else {
        return;
    };
    every_confirmed_message_arrives(broker.clone(), &proxy).await;
    broker.delete().await.expect("deleted");
}

/// A publish started while lapin is still recovering the connection waits
/// for it instead of failing: the caller needs no retry loop of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_publish_waits_for_the_connection_to_recover() {
    let Some((broker, proxy)) = rabbitmq_through_proxy(PATIENCE).await else {
        return;
    };
    let producer = Producer::new(broker.clone(), "/tests/reconnect");
    producer
        .publish(&order())
        .await
        .expect("published before the cut");
    assert!(proxy.cut() > 0, "nothing to cut");
    // Publish only once the client has seen the link go down: a publish
    // already on the wire when it drops fails, as documented.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while broker.connected() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cut is never noticed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    producer
        .publish(&order())
        .await
        .expect("the publish waits for recovery and is confirmed");
    assert!(broker.connected());
    broker.delete().await.expect("deleted");
}
