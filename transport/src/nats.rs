//! NATS JetStream (feature `nats`).
//!
//! - One stream (default `EVC`) captures the subjects `<prefix>.>`
//!   (default prefix `evc`); a topic goes to the subject
//!   `<prefix>.<topic>` (`evc.com.example.orders.order_created.v2`), with
//!   any character outside `A-Za-z0-9_-.` written `_`. Replace the mapping
//!   with [`NatsConfig::subject`].
//! - Publishing waits for the stream's acknowledgement.
//! - A consumer group is a durable pull consumer per topic, named
//!   `<group>-<hash of the subject>` (JetStream 2.9 filters one subject per
//!   consumer); the members of a group pull from the same consumers.
//!   Acknowledgement is explicit; a message not settled within
//!   `ack_wait` is delivered again. Each member pulls batches of the
//!   group's `prefetch`; the consumer lets four batches be unsettled at
//!   once (`ack_pending_ceiling` says why). Pulls ask the server for a
//!   heartbeat every 2 s while they wait; after two missed, the member
//!   opens its pull again (`HandBack` says why).
//! - Content modes: structured, and binary with `ce-` headers.
//! - NATS header values are printable ASCII: every header value is
//!   percent-encoded on the way out and decoded on the way in (a value
//!   that is not valid percent-encoding, from another producer, is kept as
//!   it came).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use async_nats::jetstream::consumer::pull::MessagesErrorKind;
use async_nats::jetstream::{self, consumer::pull, AckKind};
use async_trait::async_trait;
use futures::StreamExt;

use crate::broker::{
    merge, Deliveries, Delivery, Inbox, Publisher, Settle, Subscriber, Subscription, TransportError,
};
use crate::message::{Headers, RawMessage};
use crate::wire::{percent_decode, percent_encode, Binding};

/// Maps a topic to a subject.
pub type SubjectMapping = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Where and how the adapter keeps messages.
#[derive(Clone)]
pub struct NatsConfig {
    /// The JetStream stream (created when missing).
    pub stream: String,
    /// First token of every subject the stream captures.
    pub prefix: String,
    /// Redelivery deadline of an unsettled message.
    pub ack_wait: Duration,
    /// Replaces the default topic-to-subject mapping; the subjects it
    /// returns must start with `<prefix>.`.
    pub subject: Option<SubjectMapping>,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            stream: "EVC".to_owned(),
            prefix: "evc".to_owned(),
            ack_wait: Duration::from_secs(30),
            subject: None,
        }
    }
}

/// A JetStream connection with its stream.
#[derive(Clone)]
pub struct NatsBroker {
    jetstream: jetstream::Context,
    stream: jetstream::stream::Stream,
    config: Arc<NatsConfig>,
}

fn error(
    what: &str,
) -> impl FnOnce(Box<dyn std::error::Error + Send + Sync>) -> TransportError + '_ {
    move |source| TransportError::caused(what.to_owned(), source)
}

impl NatsBroker {
    /// Connects to `address` (`nats://127.0.0.1:4222`) and makes sure the
    /// stream exists.
    pub async fn connect(address: &str, config: NatsConfig) -> Result<Self, TransportError> {
        let client = async_nats::connect(address).await.map_err(|e| {
            TransportError::caused(format!("cannot connect to NATS at {address}"), e)
        })?;
        Self::with_client(client, config).await
    }

    pub async fn with_client(
        client: async_nats::Client,
        config: NatsConfig,
    ) -> Result<Self, TransportError> {
        let jetstream = jetstream::new(client);
        let stream = open_stream(&jetstream, &config).await?;
        Ok(NatsBroker {
            jetstream,
            stream,
            config: Arc::new(config),
        })
    }

    /// The subject of `topic`.
    pub fn subject(&self, topic: &str) -> String {
        match &self.config.subject {
            Some(mapping) => mapping(topic),
            None => format!("{}.{}", self.config.prefix, token_safe(topic)),
        }
    }

    /// The JetStream stream this adapter keeps messages in.
    pub fn stream_name(&self) -> &str {
        &self.config.stream
    }

    /// Deletes the stream and its consumers: everything this adapter made.
    pub async fn delete(self) -> Result<(), TransportError> {
        self.jetstream
            .delete_stream(&self.config.stream)
            .await
            .map(|_| ())
            .map_err(|e| {
                TransportError::caused(
                    format!("cannot delete the stream `{}`", self.config.stream),
                    e,
                )
            })
    }

    async fn consumer(
        &self,
        group: &str,
        topic: &str,
        prefetch: usize,
    ) -> Result<jetstream::consumer::Consumer<pull::Config>, TransportError> {
        let subject = self.subject(topic);
        let name = format!("{}-{:016x}", durable_safe(group), fnv1a(subject.as_bytes()));
        self.stream
            .get_or_create_consumer(
                &name,
                pull::Config {
                    durable_name: Some(name.clone()),
                    filter_subject: subject,
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    deliver_policy: jetstream::consumer::DeliverPolicy::All,
                    ack_wait: self.config.ack_wait,
                    max_ack_pending: ack_pending_ceiling(prefetch),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| TransportError::caused(format!("cannot open the consumer `{name}`"), e))
    }
}

/// The consumer's `max_ack_pending` for pull batches of `prefetch`: room
/// for four batches. The client asks for the next batch while half of the
/// current one is still to come, and messages in the handlers' hands are
/// unsettled too; at a ceiling of one batch the server parks those
/// requests, and a NATS 2.9 server can leave a parked request unanswered
/// until it expires, a 35-second stall (bench runs of 50,000 messages
/// under load, ceiling 64: 2 of 6 with batches of 64, 1 of 8 with
/// batches of 32; none in 16 with this room). A stall seen since with this
/// room had another cause, which `HandBack` deals with.
fn ack_pending_ceiling(prefetch: usize) -> i64 {
    prefetch.saturating_mul(4).try_into().unwrap_or(i64::MAX)
}

/// How often a stream the server failed to create (a JetStream error of
/// status 500) is asked for again.
const STREAM_RETRIES: u32 = 3;

/// Gets the stream, or creates it. A server-side failure is retried: a
/// NATS 2.9 server that deletes another stream of the account at the same
/// moment can remove the folder it is creating the new one in ("could not
/// create storage directory", error code 10049), and the next attempt
/// makes the folder again.
async fn open_stream(
    jetstream: &jetstream::Context,
    config: &NatsConfig,
) -> Result<jetstream::stream::Stream, TransportError> {
    let wanted = jetstream::stream::Config {
        name: config.stream.clone(),
        subjects: vec![format!("{}.>", config.prefix)],
        ..Default::default()
    };
    let mut attempt = 0;
    loop {
        match jetstream.get_or_create_stream(wanted.clone()).await {
            Ok(stream) => return Ok(stream),
            Err(error) if attempt < STREAM_RETRIES && is_server_failure(&error) => {
                attempt += 1;
                tracing::warn!(%error, attempt, stream = %config.stream, "the server failed to open the stream; asking again");
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
            Err(error) => {
                let what = if is_server_failure(&error) {
                    format!(
                        "the NATS server failed to open the stream `{}`",
                        config.stream
                    )
                } else {
                    format!("cannot open the stream `{}`", config.stream)
                };
                return Err(TransportError::caused(what, error));
            }
        }
    }
}

fn is_server_failure(error: &jetstream::context::CreateStreamError) -> bool {
    matches!(
        error.kind(),
        jetstream::context::CreateStreamErrorKind::JetStream(e)
            if e.code() >= 500
    )
}

/// Subject tokens: letters, digits, `_`, `-`, and `.` between tokens.
fn token_safe(topic: &str) -> String {
    topic
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Durable names: no `.`, `*`, `>` or whitespace.
fn durable_safe(group: &str) -> String {
    group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[async_trait]
impl Publisher for NatsBroker {
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError> {
        let headers = nats_headers(&message);
        let ack = self
            .jetstream
            .publish_with_headers(self.subject(topic), headers, message.body.into())
            .await
            .map_err(|e| TransportError::caused("publish to JetStream failed", e))?;
        ack.await
            .map(|_| ())
            .map_err(|e| TransportError::caused("JetStream did not acknowledge the message", e))
    }

    fn binding(&self) -> Binding {
        Binding::NATS
    }

    async fn reply(&self, address: &str, message: RawMessage) -> Result<(), TransportError> {
        self.jetstream
            .client()
            .publish_with_headers(
                address.to_owned(),
                nats_headers(&message),
                message.body.into(),
            )
            .await
            .map_err(|e| TransportError::caused("sending a reply failed", e))
    }
}

fn nats_headers(message: &RawMessage) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    for (name, value) in &message.headers {
        headers.insert(name.as_str(), percent_encode(value).as_str());
    }
    headers
}

fn raw_headers(map: Option<&async_nats::HeaderMap>) -> Headers {
    let mut headers = Headers::new();
    for (name, values) in map.into_iter().flat_map(|map| map.iter()) {
        if let Some(value) = values.first() {
            let value = value.as_str();
            let value = percent_decode(value).unwrap_or_else(|| value.to_owned());
            headers.insert(name.to_string(), value);
        }
    }
    headers
}

#[async_trait]
impl Subscriber for NatsBroker {
    async fn subscribe(&self, subscription: &Subscription) -> Result<Deliveries, TransportError> {
        let mut streams = Vec::with_capacity(subscription.topics.len());
        for topic in &subscription.topics {
            let consumer = self
                .consumer(&subscription.group, topic, subscription.prefetch)
                .await?;
            let messages = pull(&consumer, subscription.prefetch).await?;
            let topic = topic.clone();
            let messages = HandBack {
                messages: Some(messages),
                consumer,
                batch: subscription.prefetch,
                reopening: None,
            };
            streams.push(messages.map(move |next| next.map(|message| delivery(&topic, message))));
        }
        Ok(merge(streams))
    }

    /// A core NATS inbox subject: replies skip JetStream, as NATS
    /// request/reply does.
    async fn inbox(&self) -> Result<Inbox, TransportError> {
        let client = self.jetstream.client();
        let address = client.new_inbox();
        let subscriber = client
            .subscribe(address.clone())
            .await
            .map_err(|e| TransportError::caused("cannot open a reply inbox", e))?;
        let replies = subscriber.map(|message| RawMessage {
            headers: raw_headers(message.headers.as_ref()),
            body: message.payload.to_vec(),
        });
        Ok(Inbox {
            address,
            replies: Box::pin(replies),
        })
    }
}

/// How long a pull request may wait without a message before the server
/// sends a heartbeat. Two missed in a row mean the server holds no request
/// of this member: the pull is opened again (see [`HandBack`]).
const PULL_HEARTBEAT: Duration = Duration::from_secs(2);

/// How long one pull request waits on the server for messages.
const PULL_EXPIRES: Duration = Duration::from_secs(30);

/// Opens a pull stream on `consumer`, in batches of `batch`. A consumer
/// made elsewhere may cap how long a pull waits (`max_expires`): the pull
/// then waits that long, and its heartbeat stays under half of it, as the
/// server requires.
async fn pull(
    consumer: &jetstream::consumer::Consumer<pull::Config>,
    batch: usize,
) -> Result<pull::Stream, TransportError> {
    let cap = consumer.cached_info().config.max_expires;
    let expires = if cap.is_zero() {
        PULL_EXPIRES
    } else {
        PULL_EXPIRES.min(cap)
    };
    consumer
        .stream()
        .max_messages_per_batch(batch)
        .expires(expires)
        .heartbeat(PULL_HEARTBEAT.min(expires / 2))
        .messages()
        .await
        .map_err(|e| TransportError::caused("cannot pull from JetStream", e))
}

/// Opens the pull again, after `delay`.
fn reopen(
    consumer: &jetstream::consumer::Consumer<pull::Config>,
    batch: usize,
    delay: Duration,
) -> Reopening {
    let consumer = consumer.clone();
    Box::pin(async move {
        tokio::time::sleep(delay).await;
        pull(&consumer, batch).await
    })
}

/// How long a member waits before it asks again for a pull that could not
/// be opened (the connection is down): its stream reports each failure and
/// goes on trying.
const REOPEN_RETRY: Duration = Duration::from_secs(1);

type Reopening = Pin<Box<dyn Future<Output = Result<pull::Stream, TransportError>> + Send>>;

/// A member's pull stream, which
///
/// - opens the pull again when the server's heartbeats stop: the client
///   counts a request as in flight until it expires, and a NATS 2.9 server
///   was seen holding no request for a member that had one out (consumer
///   info: no waiting request, nothing unsettled, messages pending), so
///   the member stood still until the client's 35-second timer asked
///   again; now it waits two heartbeats. Where the heartbeats were only
///   late (a machine stalled for seconds), what the server still sends to
///   the old pull after its hand-back window waits out `ack_wait`;
/// - dropped, hands back at once what it fetched and did not hand out: the
///   client pulls a batch ahead, and those messages would otherwise wait
///   out `ack_wait` before another member got them.
struct HandBack {
    messages: Option<pull::Stream>,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    batch: usize,
    reopening: Option<Reopening>,
}

impl futures::Stream for HandBack {
    type Item = Result<jetstream::Message, TransportError>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(reopening) = self.reopening.as_mut() {
                match std::task::ready!(reopening.as_mut().poll(cx)) {
                    Ok(messages) => {
                        self.reopening = None;
                        self.messages = Some(messages);
                    }
                    Err(error) => {
                        self.reopening = Some(reopen(&self.consumer, self.batch, REOPEN_RETRY));
                        return Poll::Ready(Some(Err(error)));
                    }
                }
            }
            let Some(messages) = self.messages.as_mut() else {
                return Poll::Ready(None);
            };
            match std::task::ready!(messages.poll_next_unpin(cx)) {
                Some(Ok(message)) => return Poll::Ready(Some(Ok(message))),
                Some(Err(error)) if error.kind() == MessagesErrorKind::MissingHeartbeat => {
                    tracing::warn!(
                        consumer = %self.consumer.cached_info().name,
                        "no heartbeat from the server for the open pull request; pulling again"
                    );
                    if let Some(old) = self.messages.take() {
                        hand_back(old, self.batch);
                    }
                    self.reopening = Some(reopen(&self.consumer, self.batch, Duration::ZERO));
                }
                Some(Err(failure)) => {
                    return Poll::Ready(Some(Err(TransportError::caused(
                        "pulling from JetStream failed",
                        failure,
                    ))))
                }
                None => return Poll::Ready(None),
            }
        }
    }
}

/// How long a leaving member listens for the rest of a batch already on
/// its way.
const HAND_BACK_GRACE: Duration = Duration::from_millis(50);

impl Drop for HandBack {
    fn drop(&mut self) {
        if let Some(messages) = self.messages.take() {
            hand_back(messages, self.batch);
        }
    }
}

/// Hands back, in the background, what `messages` fetched and did not hand
/// out (up to a batch arriving within [`HAND_BACK_GRACE`]).
fn hand_back(mut messages: pull::Stream, batch: usize) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let batch = batch.max(1);
    runtime.spawn(async move {
        // Gathered first and handed back only once this pull stopped
        // listening: a nak'ed message must not come back to it.
        let mut held = Vec::new();
        while held.len() < batch {
            match tokio::time::timeout(HAND_BACK_GRACE, messages.next()).await {
                Ok(Some(Ok(message))) => held.push(message),
                Ok(Some(Err(_))) | Ok(None) | Err(_) => break,
            }
        }
        drop(messages);
        for message in held {
            let _ = message.ack_with(AckKind::Nak(None)).await;
        }
    });
}

fn delivery(topic: &str, message: jetstream::Message) -> Delivery {
    let headers = raw_headers(message.headers.as_ref());
    let raw = RawMessage {
        body: message.payload.to_vec(),
        headers,
    };
    Delivery::new(topic, raw, Box::new(NatsSettle(Some(message))))
}

struct NatsSettle(Option<jetstream::Message>);

#[async_trait]
impl Settle for NatsSettle {
    /// What `jetstream::Message::ack` sends, with the message let go
    /// first: the future kept across the wait holds the client, the reply
    /// subject and the 776-byte publish, not the message, and stays under
    /// 1 KiB (with the 408-byte message beside the 1,024-byte
    /// `Message::ack` future it is about 1.4 KiB, and every
    /// acknowledgement made glibc's allocator take its slow path for large
    /// blocks).
    async fn ack(mut self: Box<Self>) -> Result<(), TransportError> {
        let Some(message) = self.0.take() else {
            return Ok(());
        };
        let Some(reply) = message.reply.clone() else {
            return Err(TransportError::new(
                "acknowledging failed: the message has no reply subject (not from JetStream)",
            ));
        };
        let client = message.context.client();
        drop(message);
        client
            .publish(reply, Default::default())
            .await
            .map_err(|e| TransportError::caused("acknowledging failed", e))
    }

    async fn nack(mut self: Box<Self>) -> Result<(), TransportError> {
        match self.0.take() {
            Some(message) => message
                .ack_with(AckKind::Nak(None))
                .await
                .map_err(error("handing the message back failed")),
            None => Ok(()),
        }
    }
}

impl Drop for NatsSettle {
    fn drop(&mut self) {
        // Hand it back now rather than after `ack_wait`, where a runtime
        // is there to send the word.
        if let (Some(message), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn(async move {
                let _ = message.ack_with(AckKind::Nak(None)).await;
            });
        }
    }
}
