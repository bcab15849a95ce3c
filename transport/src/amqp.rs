//! RabbitMQ, AMQP 0-9-1 (feature `amqp`, on a tokio runtime).
//!
//! - One durable topic exchange (default `evc`); a topic is published with
//!   the routing key of the same name
//!   (`com.example.orders.order_created.v2`). Replace the mapping with
//!   [`AmqpConfig::routing_key`]; a `*` or `#` in a key acts as a wildcard
//!   where it binds a queue.
//! - Publishing waits for the publisher confirm: the channel is in confirm
//!   mode and a message counts as accepted once the broker acks it (a nack
//!   is an error). Messages are persistent (delivery mode 2).
//! - A consumer group is one durable queue, `<queue_prefix>.<group>`
//!   (default prefix `evc`; a group with characters outside
//!   `A-Za-z0-9_-.`, or a long one, gets them written `_` and a hash of the
//!   group appended, so distinct groups never share a queue), bound to the
//!   exchange with the routing key of each topic it subscribes. The members
//!   of a group consume that queue and share its messages; each group has
//!   its own, so each gets every message. A queue keeps the bindings of
//!   every topic a member of its group subscribed. Replace the naming with
//!   [`AmqpConfig::queue`].
//! - **A group receives only messages published after its queue exists.**
//!   RabbitMQ keeps no history: a message routed to no queue is dropped
//!   (and still confirmed).
//!   [`Subscriber::declare`] creates the queue and its bindings without
//!   consuming, for groups that must not miss what is published before
//!   their first member joins; [`Consumer`](crate::Consumer) declares its
//!   group before it consumes.
//! - Dead letters: the consumer publishes them to the topic
//!   `evc.dead_letter.<group>` ([`crate::dead_letter`]) on the same
//!   exchange. The dead-letter queue is the queue of the group of that
//!   name, `evc.evc.dead_letter.<group>` by default
//!   ([`dead_letter::subscription`](crate::dead_letter::subscription)): the
//!   consumer declares it when it starts, so dead letters are kept until
//!   someone reads them.
//! - Acknowledgement is explicit; `basic.qos` limits a member's unsettled
//!   messages to the subscription's prefetch. A nack requeues the message;
//!   a delivery dropped unsettled is nacked at once where a tokio runtime
//!   is there to send the word, and otherwise requeued by the broker when
//!   the member's channel closes. Leaving the group cancels the consumer;
//!   its channel stays open until the deliveries it handed out are settled
//!   or dropped, then closes, which requeues what it still held.
//! - Content modes: structured, and binary with `cloudEvents:` application
//!   properties. Headers are AMQP headers with long-string values, except
//!   `content-type`, which is the message's `content_type` property (a
//!   value longer than the 255 bytes a property holds goes in the headers).
//!   Header values of other AMQP types, from other producers, arrive as
//!   text; nested tables and arrays are left out.
//! - A lost connection is recovered by lapin's automatic recovery: it
//!   connects again and replays the exchange, the queues, their bindings,
//!   the prefetch and the consumers. Operations in flight when the link
//!   drops fail (a publish whose confirm never came is reported as failed
//!   and may still have reached the broker: publishing again can
//!   duplicate it, which deduplication by id absorbs); deliveries that were
//!   unsettled are requeued by the broker and delivered again. A publish
//!   started while the connection is being recovered waits for it, up to
//!   `AmqpConfig::recovery_wait`.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{
    Acker, BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
};

use crate::broker::{
    Deliveries, Delivery, Inbox, Publisher, Settle, Subscriber, Subscription, TransportError,
};
use crate::message::{Headers, RawMessage};
use crate::wire::{Binding, CONTENT_TYPE};

/// Maps a topic to a routing key, or a group to a queue name.
pub type NameMapping = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Where and how the adapter keeps messages.
#[derive(Clone)]
pub struct AmqpConfig {
    /// The topic exchange every topic is published to (declared durable
    /// when missing).
    pub exchange: String,
    /// First part of the name of each group's queue.
    pub queue_prefix: String,
    /// Replaces the default topic-to-routing-key mapping (the topic itself).
    pub routing_key: Option<NameMapping>,
    /// Replaces the default group-to-queue naming
    /// (`<queue_prefix>.<group>`); names starting `amq.` are the broker's.
    pub queue: Option<NameMapping>,
    /// How long a publish waits for a lost connection to be recovered
    /// before it fails (default 10 s).
    pub recovery_wait: Duration,
}

impl Default for AmqpConfig {
    fn default() -> Self {
        AmqpConfig {
            exchange: "evc".to_owned(),
            queue_prefix: "evc".to_owned(),
            routing_key: None,
            queue: None,
            recovery_wait: Duration::from_secs(10),
        }
    }
}

/// A RabbitMQ connection with its exchange; clones share it.
#[derive(Clone)]
pub struct AmqpBroker {
    shared: Arc<Shared>,
}

struct Shared {
    connection: Connection,
    /// In confirm mode; replaced when the broker closed it.
    publisher: Mutex<Channel>,
    /// The queues this broker declared, for [`AmqpBroker::delete`].
    queues: Mutex<BTreeSet<String>>,
    config: AmqpConfig,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each guarded value is replaced or extended in one step: a panic
    // elsewhere cannot leave it half-written.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An AMQP short string (exchange, queue, routing key, header name), which
/// holds at most 255 bytes.
fn short(what: &str, value: &str) -> Result<ShortString, TransportError> {
    ShortString::try_new(value)
        .map_err(|e| TransportError::caused(format!("{what} `{value}` is too long for AMQP"), e))
}

fn error<'a>(what: &'a str) -> impl FnOnce(lapin::Error) -> TransportError + 'a {
    move |source| TransportError::caused(what.to_owned(), source)
}

impl AmqpBroker {
    /// Connects to `address` (`amqp://guest:guest@127.0.0.1:5672/%2f`) and
    /// makes sure the exchange exists. Runs on the current tokio runtime.
    pub async fn connect(address: &str, config: AmqpConfig) -> Result<Self, TransportError> {
        if let Err(e) = tokio::runtime::Handle::try_current() {
            return Err(TransportError::caused(
                "the AMQP adapter runs on a tokio runtime",
                e,
            ));
        }
        let unreachable = |e| {
            let address = without_credentials(address);
            TransportError::caused(format!("cannot connect to RabbitMQ at {address}"), e)
        };
        // With recovery on, lapin retries a refused first connection for
        // minutes: one plain attempt first reports an unreachable broker
        // at once.
        Connection::connect(address, ConnectionProperties::default())
            .await
            .map_err(unreachable)?
            .close(200, "OK".into())
            .await
            .map_err(unreachable)?;
        let properties = ConnectionProperties::default().enable_auto_recover();
        let connection = Connection::connect(address, properties)
            .await
            .map_err(unreachable)?;
        let channel = connection
            .create_channel()
            .await
            .map_err(error("cannot open an AMQP channel"))?;
        let exchange = short("the exchange", &config.exchange)?;
        channel
            .exchange_declare(
                exchange,
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| {
                TransportError::caused(
                    format!("cannot declare the exchange `{}`", config.exchange),
                    e,
                )
            })?;
        let publisher = confirming(&connection).await?;
        Ok(AmqpBroker {
            shared: Arc::new(Shared {
                connection,
                publisher: Mutex::new(publisher),
                queues: Mutex::new(BTreeSet::new()),
                config,
            }),
        })
    }

    /// The routing key of `topic`.
    pub fn routing_key(&self, topic: &str) -> String {
        match &self.shared.config.routing_key {
            Some(mapping) => mapping(topic),
            None => topic.to_owned(),
        }
    }

    /// The queue of consumer group `group`.
    pub fn queue(&self, group: &str) -> String {
        match &self.shared.config.queue {
            Some(mapping) => mapping(group),
            None => queue_name(&self.shared.config.queue_prefix, group),
        }
    }

    /// Deletes the exchange and the queues this broker (or a clone)
    /// declared, everything it made, and closes the connection.
    pub async fn delete(self) -> Result<(), TransportError> {
        let queues = std::mem::take(&mut *lock(&self.shared.queues));
        let mut first_error = None;
        for queue in queues {
            // A failed operation closes its channel: one channel each.
            let deleted = match (self.channel().await, short("the queue", &queue)) {
                (Ok(channel), Ok(name)) => channel
                    .queue_delete(name, QueueDeleteOptions::default())
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        TransportError::caused(format!("cannot delete the queue `{queue}`"), e)
                    }),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            if let Err(e) = deleted {
                first_error.get_or_insert(e);
            }
        }
        let exchange = &self.shared.config.exchange;
        let deleted = match self.channel().await {
            Ok(channel) => channel
                .exchange_delete(
                    short("the exchange", exchange)?,
                    ExchangeDeleteOptions::default(),
                )
                .await
                .map_err(|e| {
                    TransportError::caused(format!("cannot delete the exchange `{exchange}`"), e)
                }),
            Err(e) => Err(e),
        };
        let _ = self.shared.connection.close(200, "OK".into()).await;
        match first_error {
            Some(e) => Err(e),
            None => deleted,
        }
    }

    async fn channel(&self) -> Result<Channel, TransportError> {
        self.shared
            .connection
            .create_channel()
            .await
            .map_err(error("cannot open an AMQP channel"))
    }

    /// Whether the connection is up (not recovering, not closed): for
    /// health checks.
    pub fn connected(&self) -> bool {
        self.shared.connection.status().connected()
    }

    /// The publishing channel. While lapin recovers a lost connection (and
    /// the channel with it) a publish waits, up to `recovery_wait`, rather
    /// than fail at once; a channel the broker closed for good (a channel
    /// error) is replaced by a new one.
    async fn publisher(&self) -> Result<Channel, TransportError> {
        let deadline = Instant::now() + self.shared.config.recovery_wait;
        let mut pause = Duration::from_millis(10);
        loop {
            let current = lock(&self.shared.publisher).clone();
            if current.status().connected() {
                return Ok(current);
            }
            let connection = self.shared.connection.status();
            if connection.connected() && !current.status().reconnecting() {
                let fresh = confirming(&self.shared.connection).await?;
                *lock(&self.shared.publisher) = fresh.clone();
                return Ok(fresh);
            }
            if connection.closing() || connection.closed() {
                return Err(TransportError::new("the RabbitMQ connection is closed"));
            }
            if Instant::now() >= deadline {
                return Err(TransportError::new(format!(
                    "the RabbitMQ connection was not recovered within {:?}",
                    self.shared.config.recovery_wait
                )));
            }
            tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// Declares the queue of `subscription.group` on `channel` and binds it
    /// to each topic's routing key; returns the queue's name.
    async fn declare_on(
        &self,
        channel: &Channel,
        subscription: &Subscription,
    ) -> Result<String, TransportError> {
        if subscription.topics.is_empty() {
            return Err(TransportError::new(format!(
                "the subscription of group `{}` names no topic",
                subscription.group
            )));
        }
        let queue = self.queue(&subscription.group);
        let name = short("the queue", &queue)?;
        channel
            .queue_declare(
                name.clone(),
                QueueDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| {
                TransportError::caused(format!("cannot declare the queue `{queue}`"), e)
            })?;
        lock(&self.shared.queues).insert(queue.clone());
        let exchange = short("the exchange", &self.shared.config.exchange)?;
        for topic in &subscription.topics {
            let key = self.routing_key(topic);
            channel
                .queue_bind(
                    name.clone(),
                    exchange.clone(),
                    short("the routing key", &key)?,
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| {
                    TransportError::caused(format!("cannot bind the queue `{queue}` to `{key}`"), e)
                })?;
        }
        Ok(queue)
    }
}

/// `address` with its user and password written `***`: errors get logged.
fn without_credentials(address: &str) -> String {
    let Some((scheme, rest)) = address.split_once("://") else {
        return address.to_owned();
    };
    let authority = rest.split('/').next().unwrap_or_default();
    match authority.rsplit_once('@') {
        Some((_, host)) => {
            let path = &rest[authority.len()..];
            format!("{scheme}://***@{host}{path}")
        }
        None => address.to_owned(),
    }
}

/// A channel in confirm mode.
async fn confirming(connection: &Connection) -> Result<Channel, TransportError> {
    let channel = connection
        .create_channel()
        .await
        .map_err(error("cannot open an AMQP channel"))?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(error("cannot turn publisher confirms on"))?;
    Ok(channel)
}

/// `<prefix>.<group>`, the group kept as it is when it is made of
/// `A-Za-z0-9_-.` and short; otherwise written safe and told apart by a
/// hash of the original.
fn queue_name(prefix: &str, group: &str) -> String {
    const LONGEST_GROUP: usize = 160;
    let safe: String = group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe == group && group.len() <= LONGEST_GROUP {
        format!("{prefix}.{group}")
    } else {
        let head: String = safe.chars().take(LONGEST_GROUP).collect();
        format!("{prefix}.{head}-{:016x}", fnv1a(group.as_bytes()))
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The properties of an outgoing message: persistent, `content-type` as
/// the property, every other header a long string.
fn properties(message: &RawMessage) -> Result<BasicProperties, TransportError> {
    let mut headers = FieldTable::default();
    let mut properties = BasicProperties::default().with_delivery_mode(2);
    for (name, value) in &message.headers {
        if name == CONTENT_TYPE {
            if let Ok(kind) = ShortString::try_new(value.as_str()) {
                properties = properties.with_content_type(kind);
                continue;
            }
        }
        headers.insert(
            short("the header", name)?,
            AMQPValue::LongString(LongString::from(value.as_bytes())),
        );
    }
    Ok(properties.with_headers(headers))
}

/// A header value as text; `None` for tables, arrays and void.
fn text(value: &AMQPValue) -> Option<String> {
    Some(match value {
        AMQPValue::LongString(text) => String::from_utf8_lossy(text.as_bytes()).into_owned(),
        AMQPValue::ShortString(text) => text.as_str().to_owned(),
        AMQPValue::ByteArray(bytes) => String::from_utf8_lossy(bytes.as_slice()).into_owned(),
        AMQPValue::Boolean(value) => value.to_string(),
        AMQPValue::ShortShortInt(value) => value.to_string(),
        AMQPValue::ShortShortUInt(value) => value.to_string(),
        AMQPValue::ShortInt(value) => value.to_string(),
        AMQPValue::ShortUInt(value) => value.to_string(),
        AMQPValue::LongInt(value) => value.to_string(),
        AMQPValue::LongUInt(value) => value.to_string(),
        AMQPValue::LongLongInt(value) => value.to_string(),
        AMQPValue::Float(value) => value.to_string(),
        AMQPValue::Double(value) => value.to_string(),
        AMQPValue::Timestamp(value) => value.to_string(),
        AMQPValue::DecimalValue(_)
        | AMQPValue::FieldArray(_)
        | AMQPValue::FieldTable(_)
        | AMQPValue::Void => return None,
    })
}

/// The headers of an incoming message, `content_type` included.
fn headers(properties: &BasicProperties) -> Headers {
    let mut headers = Headers::new();
    if let Some(table) = properties.headers() {
        for (name, value) in table {
            if let Some(value) = text(value) {
                headers.insert(name.as_str().to_owned(), value);
            }
        }
    }
    if let Some(kind) = properties.content_type() {
        headers.insert(CONTENT_TYPE.to_owned(), kind.as_str().to_owned());
    }
    headers
}

#[async_trait]
impl Publisher for AmqpBroker {
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError> {
        let exchange = short("the exchange", &self.shared.config.exchange)?;
        let key = short("the routing key", &self.routing_key(topic))?;
        let properties = properties(&message)?;
        let confirm = self
            .publisher()
            .await?
            .basic_publish(
                exchange,
                key,
                BasicPublishOptions::default(),
                &message.body,
                properties,
            )
            .await
            .map_err(error("publish to RabbitMQ failed"))?;
        match confirm
            .await
            .map_err(error("RabbitMQ did not confirm the message"))?
        {
            Confirmation::Ack(_) => Ok(()),
            Confirmation::Nack(_) => Err(TransportError::new(
                "RabbitMQ refused the message (publisher confirm nack)",
            )),
            Confirmation::NotRequested => Err(TransportError::new(
                "the publishing channel is not in confirm mode",
            )),
        }
    }

    fn binding(&self) -> Binding {
        Binding::AMQP
    }

    /// Through the default exchange, straight to the inbox queue.
    async fn reply(&self, address: &str, message: RawMessage) -> Result<(), TransportError> {
        let properties = properties(&message)?;
        self.publisher()
            .await?
            .basic_publish(
                ShortString::from(""),
                short("the reply queue", address)?,
                BasicPublishOptions::default(),
                &message.body,
                properties,
            )
            .await
            .map_err(error("sending a reply failed"))?
            .await
            .map_err(error("RabbitMQ did not take the reply"))?;
        Ok(())
    }
}

/// Tells apart the consumers of one connection.
static CONSUMERS: AtomicU64 = AtomicU64::new(0);

#[async_trait]
impl Subscriber for AmqpBroker {
    async fn subscribe(&self, subscription: &Subscription) -> Result<Deliveries, TransportError> {
        let channel = self.channel().await?;
        let queue = self.declare_on(&channel, subscription).await?;
        let prefetch = u16::try_from(subscription.prefetch.max(1)).unwrap_or(u16::MAX);
        channel
            .basic_qos(prefetch, BasicQosOptions::default())
            .await
            .map_err(error("cannot set the prefetch"))?;
        let tag = format!(
            "evc-{}-{}",
            std::process::id(),
            CONSUMERS.fetch_add(1, Ordering::Relaxed)
        );
        let consumer = channel
            .basic_consume(
                short("the queue", &queue)?,
                short("the consumer tag", &tag)?,
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| {
                TransportError::caused(format!("cannot consume the queue `{queue}`"), e)
            })?;
        let topics: HashMap<String, String> = subscription
            .topics
            .iter()
            .rev()
            .map(|topic| (self.routing_key(topic), topic.clone()))
            .collect();
        // Dropping the stream drops the consumer, which cancels it; the
        // channel stays open while a delivery it handed out is unsettled.
        let member = Arc::new(channel);
        let deliveries = consumer.map(move |next| match next {
            Ok(delivery) => {
                let key = delivery.routing_key.as_str();
                let topic = topics.get(key).map_or(key, String::as_str).to_owned();
                let raw = RawMessage {
                    headers: headers(&delivery.properties),
                    body: delivery.data,
                };
                let settle = AmqpSettle {
                    acker: Some(delivery.acker),
                    channel: member.clone(),
                };
                Ok(Delivery::new(topic, raw, Box::new(settle)))
            }
            Err(e) => Err(TransportError::caused("consuming from RabbitMQ failed", e)),
        });
        Ok(Box::pin(deliveries))
    }

    async fn declare(&self, subscription: &Subscription) -> Result<(), TransportError> {
        let channel = self.channel().await?;
        self.declare_on(&channel, subscription).await?;
        Ok(())
    }

    /// A server-named, exclusive queue that goes with its channel, consumed
    /// without acknowledgements: replies are not kept.
    async fn inbox(&self) -> Result<Inbox, TransportError> {
        let channel = self.channel().await?;
        let queue = channel
            .queue_declare(
                ShortString::from(""),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(error("cannot declare a reply queue"))?;
        let address = queue.name().as_str().to_owned();
        let consumer = channel
            .basic_consume(
                queue.name().clone(),
                short("the consumer tag", &format!("{address}-inbox"))?,
                BasicConsumeOptions {
                    no_ack: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(error("cannot consume the reply queue"))?;
        let channel = Arc::new(channel);
        let replies = consumer.filter_map(move |next| {
            // The channel lives as long as the inbox does.
            let _channel = &channel;
            std::future::ready(next.ok().map(|delivery| RawMessage {
                headers: headers(&delivery.properties),
                body: delivery.data,
            }))
        });
        Ok(Inbox {
            address,
            replies: Box::pin(replies),
        })
    }
}

struct AmqpSettle {
    acker: Option<Acker>,
    /// Kept open until this delivery is settled: closing it would requeue
    /// the message.
    channel: Arc<Channel>,
}

/// `Ok(false)` from lapin: the channel closed, and with it the delivery,
/// which the broker requeued.
fn settled(what: &str, outcome: lapin::Result<bool>) -> Result<(), TransportError> {
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(TransportError::new(format!(
            "{what} failed: the channel closed, so the broker delivers the message again"
        ))),
        Err(e) => Err(TransportError::caused(format!("{what} failed"), e)),
    }
}

fn requeue() -> BasicNackOptions {
    BasicNackOptions {
        multiple: false,
        requeue: true,
    }
}

#[async_trait]
impl Settle for AmqpSettle {
    async fn ack(mut self: Box<Self>) -> Result<(), TransportError> {
        match self.acker.take() {
            Some(acker) => settled("acknowledging", acker.ack(BasicAckOptions::default()).await),
            None => Ok(()),
        }
    }

    async fn nack(mut self: Box<Self>) -> Result<(), TransportError> {
        match self.acker.take() {
            Some(acker) => settled("handing the message back", acker.nack(requeue()).await),
            None => Ok(()),
        }
    }
}

impl Drop for AmqpSettle {
    fn drop(&mut self) {
        // Hand it back now rather than when the channel closes, where a
        // runtime is there to send the word.
        if let (Some(acker), Ok(runtime)) =
            (self.acker.take(), tokio::runtime::Handle::try_current())
        {
            let channel = self.channel.clone();
            runtime.spawn(async move {
                let _ = acker.nack(requeue()).await;
                drop(channel);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_out_of_errors() {
        assert_eq!(
            without_credentials("amqp://guest:s3cret@rabbit:5672/%2f"),
            "amqp://***@rabbit:5672/%2f"
        );
        assert_eq!(
            without_credentials("amqp://rabbit:5672"),
            "amqp://rabbit:5672"
        );
        assert_eq!(without_credentials("not a url"), "not a url");
    }

    #[test]
    fn queue_names_are_safe_and_distinct() {
        assert_eq!(queue_name("evc", "billing.v2"), "evc.billing.v2");
        let spaced = queue_name("evc", "a b");
        let underscored = queue_name("evc", "a_b");
        assert_ne!(spaced, underscored);
        assert!(spaced.starts_with("evc.a_b-"));
        let long = queue_name("evc", &"g".repeat(400));
        assert!(long.len() <= 255);
        assert_ne!(long, queue_name("evc", &"g".repeat(401)));
    }

    #[test]
    fn content_type_is_the_property_and_comes_back_as_a_header() {
        let message = RawMessage::new("{}")
            .with_header(CONTENT_TYPE, "application/json")
            .with_header("cloudEvents:id", "é 1");
        let properties = properties(&message).expect("properties");
        assert_eq!(
            properties.content_type().as_ref().map(ShortString::as_str),
            Some("application/json")
        );
        assert_eq!(properties.delivery_mode(), &Some(2));
        let table = properties.headers().as_ref().expect("headers");
        assert!(!table.contains_key(CONTENT_TYPE));
        assert_eq!(headers(&properties), message.headers);
    }

    #[test]
    fn a_content_type_too_long_for_the_property_travels_as_a_header() {
        let long = format!("application/{}", "x".repeat(300));
        let message = RawMessage::new("{}").with_header(CONTENT_TYPE, long.as_str());
        let properties = properties(&message).expect("properties");
        assert_eq!(properties.content_type(), &None);
        assert_eq!(headers(&properties), message.headers);
    }

    #[test]
    fn foreign_header_types_arrive_as_text() {
        let mut table = FieldTable::default();
        table.insert("n".into(), AMQPValue::LongInt(-3));
        table.insert("flag".into(), AMQPValue::Boolean(true));
        table.insert(
            "nested".into(),
            AMQPValue::FieldTable(FieldTable::default()),
        );
        let read = headers(&BasicProperties::default().with_headers(table));
        assert_eq!(read.get("n").map(String::as_str), Some("-3"));
        assert_eq!(read.get("flag").map(String::as_str), Some("true"));
        assert!(!read.contains_key("nested"));
    }
}
