//! Publish and consume throughput and end-to-end latency, evc's typed path
//! against the raw client moving the same bytes, per broker, in one run:
//!
//! `cargo bench -p evc-transport-tests --bench throughput`
//!
//! - publish: `Producer::publish` of an `OrderCreated` (validate, envelope,
//!   serialize, wait for the broker's acknowledgement) against the broker
//!   client publishing the same envelope bytes and waiting the same way;
//! - consume: `Consumer` running the generated `Bus` (decode, validate,
//!   dispatch to a handler, acknowledge) against the client receiving and
//!   acknowledging the same messages;
//! - latency: one message at a time, from publish to handler, p50 and p99;
//! - CPU per message: this process's CPU time (every thread, user and
//!   system) over each publish and consume measure, which a slow broker
//!   moves less than it moves a rate; the broker's own CPU is not in it
//!   (except the in-memory broker's, which runs in this process);
//! - two more consume measures tell where evc's cost lies: evc's consumer
//!   with a table that decodes nothing (its plumbing: receive, settle,
//!   metrics) against the raw loop, and evc's typed consumer against a raw
//!   loop that also decodes each message into the same payload type with
//!   serde (what a hand-written consumer does). Both read the messages
//!   their side already published, in a group of their own.
//!
//! `EVC_BENCH_RAW_SPAWNED` (any value) runs the raw NATS consume loop in a
//! spawned task, as evc's consumer runs, rather than on the bench's thread;
//! `EVC_BENCH_MESSAGES` (default 5000) sets the count;
//! `EVC_BENCH_ROUNDS` (default 1) repeats every measure, raw and evc in
//! turn on fresh streams, and ends with each ratio's median and range;
//! `EVC_BENCH_BROKERS=nats` (or a comma-separated list of `memory`, `nats`,
//! `amqp`, `redis`) benches only those; a broker that is unreachable is
//! reported and skipped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use evc_bindings_tests::{BareMessage, Bus, OrderCreated};
use evc_transport::amqp::{AmqpBroker, AmqpConfig};
use evc_transport::nats::{NatsBroker, NatsConfig};
use evc_transport::redis::{RedisBroker, RedisConfig};
use evc_transport::{
    Consumer, MemoryBroker, Options, Producer, Publisher, RawMessage, Subscriber, Subscription,
};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::{oneshot, Notify};

const LATENCY_SAMPLES: usize = 300;

fn order() -> OrderCreated {
    serde_json::from_value(json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
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

/// The bytes evc sends for `order()`, for the raw client to move.
fn envelope_bytes() -> Vec<u8> {
    evc_runtime::Publisher::new("/bench/orders")
        .envelope(&order())
        .expect("valid")
        .to_vec()
}

const TYPE: &str = "com.example.orders.order_created.v2";

/// One side's figures.
#[derive(Default, Clone, Copy)]
struct Figures {
    publish_per_s: f64,
    consume_per_s: f64,
    /// This process's CPU time (all threads, user and system) per message;
    /// an out-of-process broker's is not in it.
    publish_cpu: Duration,
    consume_cpu: Duration,
    /// The raw client's consume loop that also decodes each message with
    /// serde: rate and CPU.
    decoded: Option<(f64, Duration)>,
    /// evc's consumer with a table that decodes nothing: rate and CPU.
    plumbing: Option<(f64, Duration)>,
    p50: Duration,
    p99: Duration,
}

/// Wall time and this process's CPU time from one moment.
struct Meter {
    wall: Instant,
    cpu: Duration,
}

impl Meter {
    fn start() -> Self {
        Meter {
            wall: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// Messages per second, and CPU time per message, for `n` messages.
    fn rates(&self, n: usize) -> (f64, Duration) {
        let per_s = n as f64 / self.wall.elapsed().as_secs_f64();
        let cpu = process_cpu().saturating_sub(self.cpu) / n.max(1) as u32;
        (per_s, cpu)
    }
}

fn process_cpu() -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct,
    // and `getrusage` writes only into the one it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF is a valid target and `usage` is a live struct.
    let status = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(status, 0, "getrusage failed");
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// How many messages the handler saw, and a wake-up once it has seen
/// `target`: the raw loops hand no message to another task, so the
/// handler does not either, except at the end of a measure.
#[derive(Default)]
struct Handled {
    count: AtomicUsize,
    target: AtomicUsize,
    reached: Notify,
}

impl Handled {
    async fn reach(&self, target: usize) {
        self.target.store(target, Ordering::SeqCst);
        while self.count.load(Ordering::SeqCst) < target {
            let reached = self.reached.notified();
            if self.count.load(Ordering::SeqCst) >= target {
                break;
            }
            reached.await;
        }
    }

    fn hit(&self) {
        let count = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        if count >= self.target.load(Ordering::SeqCst) {
            self.reached.notify_one();
        }
    }
}

/// A dispatch table that decodes nothing and only counts: the consumer
/// without the typed path (envelope, payload, checks), to tell the cost
/// of the transport's plumbing from the cost of decoding.
struct CountingTable(Arc<Handled>);

impl evc_runtime::Dispatch for CountingTable {
    fn dispatch(
        &mut self,
        _: &[u8],
    ) -> Result<Vec<evc_runtime::Envelope>, evc_runtime::DispatchError> {
        self.0.hit();
        Ok(Vec::new())
    }

    /// The generated table's own: the current major and the older one it
    /// upcasts, so this consumer pulls the same streams as the typed one.
    fn handled_types(&self) -> Vec<(&'static str, evc_runtime::Kind)> {
        counting_bus().0.handled_types()
    }
}

/// A consumer of `OrderCreated` whose handler counts each message.
fn counting_bus() -> (Bus, Arc<Handled>) {
    let handled = Arc::new(Handled::default());
    let seen = handled.clone();
    let mut bus = Bus::new(evc_runtime::Publisher::new("/bench/consumer"));
    bus.subscribe::<OrderCreated>(move |_, _| {
        seen.hit();
        Ok(())
    });
    (bus, handled)
}

async fn evc_side<B>(broker: B, n: usize) -> Figures
where
    B: Publisher + Subscriber + Clone + 'static,
{
    let producer = Producer::new(broker.clone(), "/bench/orders");
    let order = order();
    let (bus, handled) = counting_bus();
    let consumer = Consumer::new(broker.clone(), bus, Options::new("bench-evc"));
    // A second group reads the same messages through a table that only
    // counts.
    let counted = Arc::new(Handled::default());
    let plumbing = Consumer::new(
        broker.clone(),
        CountingTable(counted.clone()),
        Options::new("bench-plumbing"),
    );
    // RabbitMQ keeps messages only for queues that exist.
    consumer.declare().await.expect("declared");
    plumbing.declare().await.expect("declared");
    let meter = Meter::start();
    for _ in 0..n {
        producer.publish(&order).await.expect("published");
    }
    let (publish_per_s, publish_cpu) = meter.rates(n);

    let (stop, stopped) = oneshot::channel::<()>();
    let meter = Meter::start();
    let task = tokio::spawn(consumer.run(async move {
        let _ = stopped.await;
    }));
    handled.reach(n).await;
    let (consume_per_s, consume_cpu) = meter.rates(n);

    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 1..=LATENCY_SAMPLES {
        let sent = Instant::now();
        producer.publish(&order).await.expect("published");
        handled.reach(n + i).await;
        samples.push(sent.elapsed());
    }
    let _ = stop.send(());
    task.await.expect("no panic").expect("no error");

    let (stop, stopped) = oneshot::channel::<()>();
    let meter = Meter::start();
    let task = tokio::spawn(plumbing.run(async move {
        let _ = stopped.await;
    }));
    counted.reach(n).await;
    let (plumbing_per_s, plumbing_cpu) = meter.rates(n);
    let _ = stop.send(());
    task.await.expect("no panic").expect("no error");
    Figures {
        publish_per_s,
        consume_per_s,
        publish_cpu,
        consume_cpu,
        decoded: None,
        plumbing: Some((plumbing_per_s, plumbing_cpu)),
        p50: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
    }
}

/// The adapter traits with pre-encoded bytes: the in-memory broker has no
/// client of its own, so this is its raw path.
async fn raw_memory(broker: MemoryBroker, n: usize) -> Figures {
    let bytes = envelope_bytes();
    let meter = Meter::start();
    for _ in 0..n {
        broker
            .publish(TYPE, RawMessage::new(bytes.clone()))
            .await
            .unwrap();
    }
    let (publish_per_s, publish_cpu) = meter.rates(n);
    let mut deliveries = broker
        .subscribe(&Subscription::new("bench-raw", [TYPE]))
        .await
        .unwrap();
    let meter = Meter::start();
    for _ in 0..n {
        deliveries
            .next()
            .await
            .unwrap()
            .unwrap()
            .ack()
            .await
            .unwrap();
    }
    let (consume_per_s, consume_cpu) = meter.rates(n);
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for _ in 0..LATENCY_SAMPLES {
        let sent = Instant::now();
        broker
            .publish(TYPE, RawMessage::new(bytes.clone()))
            .await
            .unwrap();
        deliveries
            .next()
            .await
            .unwrap()
            .unwrap()
            .ack()
            .await
            .unwrap();
        samples.push(sent.elapsed());
    }
    Figures {
        publish_per_s,
        consume_per_s,
        publish_cpu,
        consume_cpu,
        decoded: None,
        plumbing: None,
        p50: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
    }
}

/// The header evc's structured mode sends: the raw client moves the same
/// NATS message, headers included.
fn structured_headers() -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("content-type", "application/cloudevents+json");
    headers
}

/// The raw client's consume loop on a new durable consumer `name`, timed
/// from before the consumer exists, as evc's side is (both create their
/// pull consumer and open their stream inside the measure); with `decode`,
/// each message is also read into a [`BareMessage`].
async fn raw_nats_consume(
    js: &jetstream::Context,
    stream: &str,
    subject: &str,
    name: &str,
    n: usize,
    decode: bool,
) -> jetstream::consumer::pull::Stream {
    let (js, stream, subject, name) = (
        js.clone(),
        stream.to_owned(),
        subject.to_owned(),
        name.to_owned(),
    );
    let consume = async move {
        let consumer = js
            .get_stream(stream)
            .await
            .unwrap()
            .get_or_create_consumer(
                &name,
                jetstream::consumer::pull::Config {
                    durable_name: Some(name.clone()),
                    filter_subject: subject,
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    // evc's consumer lets four pull batches be unsettled.
                    max_ack_pending: 4 * 64,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(64)
            .messages()
            .await
            .unwrap();
        for _ in 0..n {
            let message = messages.next().await.unwrap().unwrap();
            if decode {
                std::hint::black_box(
                    serde_json::from_slice::<BareMessage>(&message.payload).expect("decodes"),
                );
            }
            message.ack().await.unwrap();
        }
        messages
    };
    if std::env::var_os("EVC_BENCH_RAW_SPAWNED").is_some() {
        tokio::spawn(consume).await.unwrap()
    } else {
        consume.await
    }
}

async fn raw_nats(address: &str, stream: &str, subject: &str, n: usize) -> Figures {
    let client = async_nats::connect(address).await.expect("connected");
    let js = jetstream::new(client);
    let bytes = bytes_of(envelope_bytes());
    let meter = Meter::start();
    for _ in 0..n {
        js.publish_with_headers(subject.to_owned(), structured_headers(), bytes.clone())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let (publish_per_s, publish_cpu) = meter.rates(n);
    let meter = Meter::start();
    let mut messages = raw_nats_consume(&js, stream, subject, "bench-raw", n, false).await;
    let (consume_per_s, consume_cpu) = meter.rates(n);
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for _ in 0..LATENCY_SAMPLES {
        let sent = Instant::now();
        js.publish_with_headers(subject.to_owned(), structured_headers(), bytes.clone())
            .await
            .unwrap()
            .await
            .unwrap();
        messages.next().await.unwrap().unwrap().ack().await.unwrap();
        samples.push(sent.elapsed());
    }
    let meter = Meter::start();
    raw_nats_consume(&js, stream, subject, "bench-raw-decode", n, true).await;
    let decoded = meter.rates(n);
    Figures {
        publish_per_s,
        consume_per_s,
        publish_cpu,
        consume_cpu,
        decoded: Some(decoded),
        plumbing: None,
        p50: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
    }
}

async fn raw_amqp(address: &str, exchange: &str, n: usize) -> Figures {
    use lapin::options::{
        BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
        ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
    };
    use lapin::types::FieldTable;
    use lapin::{BasicProperties, Connection, ConnectionProperties, ExchangeKind};
    let connection = Connection::connect(address, ConnectionProperties::default())
        .await
        .expect("connected");
    let channel = connection.create_channel().await.unwrap();
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .exchange_declare(
            exchange.into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await
        .unwrap();
    let queue = format!("{exchange}.raw");
    let options = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .queue_declare(queue.as_str().into(), options, FieldTable::default())
        .await
        .unwrap();
    channel
        .queue_bind(
            queue.as_str().into(),
            exchange.into(),
            TYPE.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let bytes = envelope_bytes();
    let properties = BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/cloudevents+json".into());
    let publish = || async {
        channel
            .basic_publish(
                exchange.into(),
                TYPE.into(),
                BasicPublishOptions::default(),
                &bytes,
                properties.clone(),
            )
            .await
            .unwrap()
            .await
            .unwrap();
    };
    let meter = Meter::start();
    for _ in 0..n {
        publish().await;
    }
    let (publish_per_s, publish_cpu) = meter.rates(n);
    let reader = connection.create_channel().await.unwrap();
    reader
        .basic_qos(64, BasicQosOptions::default())
        .await
        .unwrap();
    let mut consumer = reader
        .basic_consume(
            queue.as_str().into(),
            "bench-raw".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let meter = Meter::start();
    for _ in 0..n {
        let delivery = consumer.next().await.unwrap().unwrap();
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
    }
    let (consume_per_s, consume_cpu) = meter.rates(n);
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for _ in 0..LATENCY_SAMPLES {
        let sent = Instant::now();
        publish().await;
        let delivery = consumer.next().await.unwrap().unwrap();
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
        samples.push(sent.elapsed());
    }
    let _ = channel
        .queue_delete(queue.as_str().into(), Default::default())
        .await;
    let _ = channel
        .exchange_delete(exchange.into(), Default::default())
        .await;
    Figures {
        publish_per_s,
        consume_per_s,
        publish_cpu,
        consume_cpu,
        decoded: None,
        plumbing: None,
        p50: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
    }
}

async fn raw_redis(address: &str, key: &str, n: usize) -> Figures {
    let client = redis::Client::open(address).expect("a Redis address");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("connected");
    let bytes = envelope_bytes();
    let meter = Meter::start();
    for _ in 0..n {
        let _: String = redis::cmd("XADD")
            .arg(key)
            .arg("*")
            .arg("body")
            .arg(bytes.as_slice())
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    let (publish_per_s, publish_cpu) = meter.rates(n);
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(key)
        .arg("raw")
        .arg("0")
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut reader = client.get_multiplexed_async_connection().await.unwrap();
    let read = |count: usize| {
        let mut command = redis::cmd("XREADGROUP");
        command
            .arg("GROUP")
            .arg("raw")
            .arg("c")
            .arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(1000)
            .arg("STREAMS")
            .arg(key)
            .arg(">");
        command
    };
    let ids = |reply: redis::Value| -> Vec<String> {
        // [[key, [[id, [field, value, …]], …]]]
        let mut out = Vec::new();
        if let redis::Value::Array(streams) = reply {
            for stream in streams {
                if let redis::Value::Array(parts) = stream {
                    if let Some(redis::Value::Array(entries)) = parts.get(1) {
                        for entry in entries {
                            if let redis::Value::Array(fields) = entry {
                                if let Some(redis::Value::BulkString(id)) = fields.first() {
                                    out.push(String::from_utf8_lossy(id).into_owned());
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    };
    let meter = Meter::start();
    let mut consumed = 0;
    while consumed < n {
        let reply: redis::Value = read(64).query_async(&mut reader).await.unwrap();
        for id in ids(reply) {
            let _: i64 = redis::cmd("XACK")
                .arg(key)
                .arg("raw")
                .arg(&id)
                .query_async(&mut reader)
                .await
                .unwrap();
            consumed += 1;
        }
    }
    let (consume_per_s, consume_cpu) = meter.rates(n);
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for _ in 0..LATENCY_SAMPLES {
        let sent = Instant::now();
        let _: String = redis::cmd("XADD")
            .arg(key)
            .arg("*")
            .arg("body")
            .arg(bytes.as_slice())
            .query_async(&mut connection)
            .await
            .unwrap();
        let mut got = Vec::new();
        while got.is_empty() {
            got = ids(read(1).query_async(&mut reader).await.unwrap());
        }
        let _: i64 = redis::cmd("XACK")
            .arg(key)
            .arg("raw")
            .arg(&got[0])
            .query_async(&mut reader)
            .await
            .unwrap();
        samples.push(sent.elapsed());
    }
    let _: i64 = redis::cmd("DEL")
        .arg(key)
        .query_async(&mut connection)
        .await
        .unwrap();
    Figures {
        publish_per_s,
        consume_per_s,
        publish_cpu,
        consume_cpu,
        decoded: None,
        plumbing: None,
        p50: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
    }
}

fn bytes_of(bytes: Vec<u8>) -> bytes::Bytes {
    bytes.into()
}

/// evc's figures over the raw client's: publish and consume rates, p50,
/// publish and consume CPU per message, the consume rate with a table that
/// decodes nothing (over the raw loop), and the typed consume rate over the
/// raw loop that decodes with serde.
type Ratios = [f64; 7];

fn row(broker: &'static str, raw: Figures, evc: Figures, ratios: &mut Vec<(&'static str, Ratios)>) {
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    ratios.push((
        broker,
        [
            evc.publish_per_s / raw.publish_per_s,
            evc.consume_per_s / raw.consume_per_s,
            micros(evc.p50) / micros(raw.p50),
            micros(evc.publish_cpu) / micros(raw.publish_cpu),
            micros(evc.consume_cpu) / micros(raw.consume_cpu),
            evc.plumbing
                .map_or(f64::NAN, |(per_s, _)| per_s / raw.consume_per_s),
            raw.decoded
                .map_or(f64::NAN, |(per_s, _)| evc.consume_per_s / per_s),
        ],
    ));
    println!(
        "| {broker} | publish | {:.0}/s | {:.0}/s | {:.2} |",
        raw.publish_per_s,
        evc.publish_per_s,
        evc.publish_per_s / raw.publish_per_s
    );
    println!(
        "| {broker} | consume | {:.0}/s | {:.0}/s | {:.2} |",
        raw.consume_per_s,
        evc.consume_per_s,
        evc.consume_per_s / raw.consume_per_s
    );
    println!(
        "| {broker} | latency p50 / p99 | {:.0} / {:.0} µs | {:.0} / {:.0} µs | {:.2} |",
        micros(raw.p50),
        micros(raw.p99),
        micros(evc.p50),
        micros(evc.p99),
        micros(evc.p50) / micros(raw.p50)
    );
    for (measure, raw, evc) in [
        ("publish", raw.publish_cpu, evc.publish_cpu),
        ("consume", raw.consume_cpu, evc.consume_cpu),
    ] {
        println!(
            "| {broker} | {measure} CPU / message | {:.1} µs | {:.1} µs | {:.2} |",
            micros(raw),
            micros(evc),
            micros(evc) / micros(raw)
        );
    }
    if let Some((per_s, cpu)) = evc.plumbing {
        println!(
            "| {broker} | consume, table decoding nothing | {:.0}/s, {:.1} µs | {per_s:.0}/s, {:.1} µs | {:.2} |",
            raw.consume_per_s,
            micros(raw.consume_cpu),
            micros(cpu),
            per_s / raw.consume_per_s
        );
    }
    if let Some((per_s, cpu)) = raw.decoded {
        println!(
            "| {broker} | consume, raw loop decoding with serde | {per_s:.0}/s, {:.1} µs | {:.0}/s, {:.1} µs | {:.2} |",
            micros(cpu),
            evc.consume_per_s,
            micros(evc.consume_cpu),
            evc.consume_per_s / per_s
        );
    }
}

/// The median and range of each broker's ratios over the rounds.
fn summary(ratios: &[(&'static str, Ratios)], rounds: usize) {
    let mut brokers: Vec<&str> = Vec::new();
    for (broker, _) in ratios {
        if !brokers.contains(broker) {
            brokers.push(broker);
        }
    }
    println!();
    println!("evc / raw over {rounds} rounds: median (min–max)");
    println!(
        "| broker | publish | consume | latency p50 | publish CPU | consume CPU | consume, evc decoding nothing | consume, raw decoding with serde |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for broker in brokers {
        let cell = |i: usize| {
            let mut values: Vec<f64> = ratios
                .iter()
                .filter(|(b, _)| *b == broker)
                .map(|(_, r)| r[i])
                .filter(|ratio| !ratio.is_nan())
                .collect();
            if values.is_empty() {
                // A measure this broker has no side of.
                return "–".to_owned();
            }
            values.sort_by(f64::total_cmp);
            let median = values[values.len() / 2];
            format!(
                "{median:.2} ({:.2}–{:.2})",
                values[0],
                values[values.len() - 1]
            )
        };
        println!(
            "| {broker} | {} | {} | {} | {} | {} | {} | {} |",
            cell(0),
            cell(1),
            cell(2),
            cell(3),
            cell(4),
            cell(5),
            cell(6)
        );
    }
}

/// Whether `EVC_BENCH_BROKERS` (a comma-separated list of `memory`,
/// `nats`, `amqp`, `redis`; all when unset) names `broker`.
fn wanted(broker: &str) -> bool {
    std::env::var("EVC_BENCH_BROKERS").map_or(true, |list| {
        list.split(',')
            .any(|name| name.trim().eq_ignore_ascii_case(broker))
    })
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench`-less args;
    // measure only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("EVC_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let rounds: usize = std::env::var("EVC_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        println!(
            "{n} messages of {} bytes each way; latency over {LATENCY_SAMPLES} round trips",
            envelope_bytes().len()
        );
        println!("| broker | measure | raw client | evc | evc / raw |");
        println!("|---|---|---|---|---|");
        let mut ratios = Vec::new();
        for round in 0..rounds {
            if wanted("memory") {
                let raw = raw_memory(MemoryBroker::new(), n).await;
                let evc = evc_side(MemoryBroker::new(), n).await;
                row("memory", raw, evc, &mut ratios);
            }

            let address =
                std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
            let unique = format!(
                "{:x}r{round}",
                Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id())
            );
            let config = |side: &str| NatsConfig {
                stream: format!("EVC_BENCH_{side}_{unique}"),
                prefix: format!("evcbench{side}{unique}"),
                ..NatsConfig::default()
            };
            match NatsBroker::connect(&address, config("evc")).await {
                _ if !wanted("nats") => {}
                Err(error) => println!("NATS skipped: {error}"),
                Ok(evc_broker) => {
                    let raw_broker = NatsBroker::connect(&address, config("raw"))
                        .await
                        .expect("connected");
                    let subject = raw_broker.subject(TYPE);
                    // A first pass warms the server's store and both clients.
                    let warm = NatsBroker::connect(&address, config("warm"))
                        .await
                        .expect("connected");
                    evc_side(warm.clone(), n / 5).await;
                    let _ = warm.delete().await;
                    let raw = raw_nats(&address, &config("raw").stream, &subject, n).await;
                    let evc = evc_side(evc_broker.clone(), n).await;
                    row("NATS JetStream", raw, evc, &mut ratios);
                    let _ = raw_broker.delete().await;
                    let _ = evc_broker.delete().await;
                }
            }

            let address = std::env::var("EVC_AMQP_URL")
                .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
            let config = |side: &str| AmqpConfig {
                exchange: format!("evc_bench_{side}_{unique}"),
                queue_prefix: format!("evcbench{side}{unique}"),
                ..AmqpConfig::default()
            };
            match AmqpBroker::connect(&address, config("evc")).await {
                _ if !wanted("amqp") => {}
                Err(error) => println!("RabbitMQ skipped: {error}"),
                Ok(evc_broker) => {
                    let warm = AmqpBroker::connect(&address, config("warm"))
                        .await
                        .expect("connected");
                    evc_side(warm.clone(), n / 5).await;
                    let _ = warm.delete().await;
                    let raw = raw_amqp(&address, &config("raw").exchange, n).await;
                    let evc = evc_side(evc_broker.clone(), n).await;
                    row("RabbitMQ", raw, evc, &mut ratios);
                    let _ = evc_broker.delete().await;
                }
            }

            let address =
                std::env::var("EVC_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
            let config = |side: &str| RedisConfig {
                prefix: format!("evcbench:{side}:{unique}:"),
                ..RedisConfig::default()
            };
            match RedisBroker::connect(&address, config("evc")).await {
                _ if !wanted("redis") => {}
                Err(error) => println!("Redis skipped: {error}"),
                Ok(evc_broker) => {
                    let warm = RedisBroker::connect(&address, config("warm"))
                        .await
                        .expect("connected");
                    evc_side(warm.clone(), n / 5).await;
                    let _ = warm.delete().await;
                    let raw_key = format!("evcbench:raw:{unique}:{TYPE}");
                    let raw = raw_redis(&address, &raw_key, n).await;
                    let evc = evc_side(evc_broker.clone(), n).await;
                    row("Redis Streams", raw, evc, &mut ratios);
                    let _ = evc_broker.delete().await;
                }
            }
        }
        if rounds > 1 {
            summary(&ratios, rounds);
        }
    });
}
