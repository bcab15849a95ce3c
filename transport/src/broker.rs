//! The two small traits every adapter implements, as in Watermill:
//! [`Publisher`] puts a message on a topic and returns once the broker has
//! durably accepted it; [`Subscriber`] hands out the messages of some topics
//! to a consumer group, each to be acknowledged or handed back.
//!
//! A topic is a logical name: the wire type of a contract
//! (`com.example.orders.order_created.v2`) or a dead-letter topic. Each
//! adapter maps it to its own destination (a subject, a routing key, a
//! stream key) by a documented mapping that its configuration can replace.

use std::pin::Pin;

use async_trait::async_trait;
use futures::Stream;

use crate::message::RawMessage;
use crate::wire::Binding;

/// A broker operation that failed.
#[derive(Debug)]
pub struct TransportError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    pub fn new(message: impl Into<String>) -> Self {
        TransportError {
            message: message.into(),
            source: None,
        }
    }

    /// `message`, caused by `source`.
    pub fn caused(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {source}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Puts messages on topics.
#[async_trait]
pub trait Publisher: Send + Sync {
    /// Returns when the broker has durably accepted the message (a
    /// JetStream ack, an AMQP publisher confirm, an `XADD` reply).
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError>;

    /// The CloudEvents header conventions of this broker's protocol.
    fn binding(&self) -> Binding;

    /// Sends a reply to a requester's [`Inbox`]. Replies are not stored:
    /// a requester that is gone (it timed out) does not get them, and that
    /// is not an error.
    async fn reply(&self, address: &str, message: RawMessage) -> Result<(), TransportError> {
        let _ = message;
        Err(TransportError::new(format!(
            "this broker carries no replies (to `{address}`)"
        )))
    }
}

/// Where a requester receives replies: an address to name in
/// `evc-reply-to`, and what arrives there.
pub struct Inbox {
    pub address: String,
    pub replies: Pin<Box<dyn Stream<Item = RawMessage> + Send>>,
}

/// What a consumer group reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The consumer group: each group receives every message of its
    /// topics; the members of one group share them.
    pub group: String,
    pub topics: Vec<String>,
    /// How many messages may be delivered and not yet settled.
    pub prefetch: usize,
}

impl Subscription {
    pub fn new(
        group: impl Into<String>,
        topics: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Subscription {
            group: group.into(),
            topics: topics.into_iter().map(Into::into).collect(),
            prefetch: 64,
        }
    }

    pub fn prefetch(mut self, prefetch: usize) -> Self {
        self.prefetch = prefetch.max(1);
        self
    }
}

/// Settles one delivery with the broker.
#[async_trait]
pub trait Settle: Send {
    /// The message is done with: the broker will not deliver it again.
    async fn ack(self: Box<Self>) -> Result<(), TransportError>;
    /// The message goes back to the group, to be delivered again.
    async fn nack(self: Box<Self>) -> Result<(), TransportError>;
}

/// One message handed to a member of a consumer group. Dropped without
/// being settled, it goes back to the group (at once where the broker can
/// be told, otherwise when its acknowledgement deadline passes).
pub struct Delivery {
    pub topic: String,
    pub message: RawMessage,
    settle: Box<dyn Settle>,
}

impl Delivery {
    pub fn new(topic: impl Into<String>, message: RawMessage, settle: Box<dyn Settle>) -> Self {
        Delivery {
            topic: topic.into(),
            message,
            settle,
        }
    }

    pub async fn ack(self) -> Result<(), TransportError> {
        self.settle.ack().await
    }

    pub async fn nack(self) -> Result<(), TransportError> {
        self.settle.nack().await
    }
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("topic", &self.topic)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// The deliveries of one subscription; dropping it leaves the group.
pub type Deliveries = Pin<Box<dyn Stream<Item = Result<Delivery, TransportError>> + Send>>;

/// One stream of the items of `streams`, as each comes. A lone stream is
/// returned as it is: `select_all` re-queues its stream after every item,
/// an allocation per message on the consume path.
pub(crate) fn merge<S>(mut streams: Vec<S>) -> Pin<Box<dyn Stream<Item = S::Item> + Send>>
where
    S: Stream + Send + Unpin + 'static,
{
    if streams.len() == 1 {
        if let Some(only) = streams.pop() {
            return Box::pin(only);
        }
    }
    Box::pin(futures::stream::select_all(streams))
}

/// Hands out the messages of topics to consumer groups.
#[async_trait]
pub trait Subscriber: Send + Sync {
    /// Joins `subscription.group` (creating it, durably, if it is new: a new
    /// group starts at the oldest message the broker keeps).
    async fn subscribe(&self, subscription: &Subscription) -> Result<Deliveries, TransportError>;

    /// Creates `subscription.group` durably without consuming, so that the
    /// messages of its topics published from now on are kept for it.
    /// Brokers that keep each topic's history (JetStream, in memory) have
    /// nothing to do; on RabbitMQ a group receives only what reaches its
    /// queue, so a group that must see messages published before its first
    /// member joins is declared first, as RabbitMQ topologies are.
    async fn declare(&self, _subscription: &Subscription) -> Result<(), TransportError> {
        Ok(())
    }

    /// Opens an inbox for replies, alive while its stream is.
    async fn inbox(&self) -> Result<Inbox, TransportError> {
        Err(TransportError::new("this broker carries no replies"))
    }
}
