//! Dead letters: a message the consumer gave up on, its original body and
//! headers byte for byte, plus headers that say why, published to a topic
//! of its own per consumer group, where it can be listed and re-driven.

use std::time::Duration;

use futures::StreamExt;

use crate::broker::{Delivery, Publisher, Subscriber, Subscription, TransportError};
use crate::message::RawMessage;

/// Prefix of the topic a group's dead letters go to.
pub const TOPIC_PREFIX: &str = "evc.dead_letter.";

/// Headers a dead letter carries besides the original ones.
pub mod header {
    /// The `DispatchError` kind (`invalid_payload`, `handler_failed`, …),
    /// or `not_a_cloudevent` for a message no envelope could be read from.
    pub const REASON: &str = "evc-dead-letter-reason";
    /// The error, as a sentence.
    pub const MESSAGE: &str = "evc-dead-letter-message";
    /// How many times the handlers ran (0 when the message never decoded).
    pub const ATTEMPTS: &str = "evc-dead-letter-attempts";
    /// The topic the message was read from: where a re-drive sends it.
    pub const TOPIC: &str = "evc-dead-letter-topic";
    /// The consumer group that gave up.
    pub const GROUP: &str = "evc-dead-letter-group";
    /// When, RFC 3339.
    pub const TIME: &str = "evc-dead-letter-time";
    /// The subscribers that failed, as a JSON array of their names, when
    /// the event has several: the others succeeded and are not run again
    /// for this message (with a dedup store, not even after a re-drive).
    pub const SUBSCRIBERS: &str = "evc-dead-letter-subscribers";
}

/// The dead-letter topic of a consumer group.
pub fn topic(group: &str) -> String {
    format!("{TOPIC_PREFIX}{group}")
}

/// The subscription that keeps and reads the dead letters of `group`: a
/// group named after the dead-letter topic. [`Consumer`](crate::Consumer)
/// declares it when it starts, so the letters are kept where the broker
/// keeps only what reaches a declared group (RabbitMQ: this group's queue
/// is the dead-letter queue).
pub fn subscription(group: &str) -> Subscription {
    let topic = topic(group);
    Subscription::new(topic.clone(), [topic])
}

/// Reads up to `limit` dead letters of `group`, holding them until none
/// has arrived for `idle`.
async fn gather<B: Subscriber>(
    broker: &B,
    group: &str,
    limit: usize,
    idle: Duration,
) -> Result<Vec<Delivery>, TransportError> {
    let mut letters = Vec::new();
    if limit == 0 {
        return Ok(letters);
    }
    let mut deliveries = broker
        .subscribe(&subscription(group).prefetch(limit))
        .await?;
    while letters.len() < limit {
        match tokio::time::timeout(idle, deliveries.next()).await {
            Ok(Some(Ok(delivery))) => letters.push(delivery),
            Ok(Some(Err(error))) => tracing::warn!(%error, "reading dead letters; going on"),
            Ok(None) | Err(_) => break,
        }
    }
    Ok(letters)
}

/// Up to `limit` dead letters of `group`, oldest first where the broker
/// keeps an order, left where they are: each is handed back after reading.
/// Reading stops once none has arrived for `idle`.
pub async fn list<B: Subscriber>(
    broker: &B,
    group: &str,
    limit: usize,
    idle: Duration,
) -> Result<Vec<DeadLetter>, TransportError> {
    let held = gather(broker, group, limit, idle).await?;
    let letters = held
        .iter()
        .map(|delivery| {
            DeadLetter::read(&delivery.message).unwrap_or_else(|| DeadLetter::unreadable(delivery))
        })
        .collect();
    for delivery in held {
        delivery.nack().await?;
    }
    Ok(letters)
}

/// Sends up to `limit` dead letters of `group` back to the topics they were
/// read from, each original message as it was (same bytes, same id, so a
/// deduplicating consumer still knows it), and removes each letter once the
/// broker has accepted its original. Stops once none has arrived for
/// `idle`. Returns what was re-driven.
pub async fn redrive<B: Publisher + Subscriber>(
    broker: &B,
    group: &str,
    limit: usize,
    idle: Duration,
) -> Result<Vec<DeadLetter>, TransportError> {
    let mut sent = Vec::new();
    if limit == 0 {
        return Ok(sent);
    }
    let mut deliveries = broker
        .subscribe(&subscription(group).prefetch(limit))
        .await?;
    // One at a time: a letter is settled before the next is read, so none
    // is held past its broker's acknowledgement deadline.
    while sent.len() < limit {
        let delivery = match tokio::time::timeout(idle, deliveries.next()).await {
            Ok(Some(Ok(delivery))) => delivery,
            Ok(Some(Err(error))) => {
                tracing::warn!(%error, "reading dead letters; going on");
                continue;
            }
            Ok(None) | Err(_) => break,
        };
        let Some(letter) = DeadLetter::read(&delivery.message) else {
            // Not ours to send anywhere: it stays for a person to look at.
            delivery.nack().await?;
            continue;
        };
        broker
            .publish(&letter.topic, letter.original.clone())
            .await?;
        delivery.ack().await?;
        sent.push(letter);
    }
    Ok(sent)
}

/// Why a message was given up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub reason: &'static str,
    pub message: String,
    pub attempts: u32,
    /// The subscribers that failed; empty when the message never reached
    /// them or the event has one.
    pub subscribers: Vec<String>,
}

/// The dead letter of `original`, read from `topic` by `group`.
pub fn letter(original: &RawMessage, topic: &str, group: &str, cause: &Cause) -> RawMessage {
    let mut letter = original.clone();
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for (name, value) in [
        (header::REASON, cause.reason.to_owned()),
        (header::MESSAGE, cause.message.clone()),
        (header::ATTEMPTS, cause.attempts.to_string()),
        (header::TOPIC, topic.to_owned()),
        (header::GROUP, group.to_owned()),
        (header::TIME, time),
    ] {
        letter.headers.insert(name.to_owned(), value);
    }
    if !cause.subscribers.is_empty() {
        letter.headers.insert(
            header::SUBSCRIBERS.to_owned(),
            serde_json::Value::from(cause.subscribers.clone()).to_string(),
        );
    }
    letter
}

/// A dead letter read back: the original message and why it died.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The message as it was received, dead-letter headers removed.
    pub original: RawMessage,
    pub reason: String,
    pub message: String,
    pub attempts: u32,
    pub topic: String,
    pub group: String,
    pub time: String,
    /// The subscribers that failed ([`header::SUBSCRIBERS`]).
    pub subscribers: Vec<String>,
}

impl DeadLetter {
    /// A message on a dead-letter topic without a dead letter's headers.
    fn unreadable(delivery: &Delivery) -> DeadLetter {
        DeadLetter {
            original: delivery.message.clone(),
            reason: "unknown".to_owned(),
            message: "not a dead letter: its headers are missing".to_owned(),
            attempts: 0,
            topic: String::new(),
            group: String::new(),
            time: String::new(),
            subscribers: Vec::new(),
        }
    }

    /// Reads a dead letter; `None` when the headers are not a dead letter's.
    pub fn read(letter: &RawMessage) -> Option<DeadLetter> {
        let mut original = letter.clone();
        let mut take = |name: &str| original.headers.remove(name);
        let reason = take(header::REASON)?;
        let message = take(header::MESSAGE).unwrap_or_default();
        let attempts = take(header::ATTEMPTS)?.parse().ok()?;
        let topic = take(header::TOPIC)?;
        let group = take(header::GROUP).unwrap_or_default();
        let time = take(header::TIME).unwrap_or_default();
        let subscribers = take(header::SUBSCRIBERS)
            .and_then(|names| serde_json::from_str(&names).ok())
            .unwrap_or_default();
        Some(DeadLetter {
            original,
            reason,
            message,
            attempts,
            topic,
            group,
            time,
            subscribers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_reads_back_to_its_original() {
        let original = RawMessage::new(b"\xff not even UTF-8".to_vec()).with_header("ce-id", "1");
        let cause = Cause {
            reason: "invalid_envelope",
            message: "not JSON".into(),
            attempts: 0,
            subscribers: vec!["#2".into(), "a, b".into()],
        };
        let letter = letter(&original, "com.example.a.v1", "billing", &cause);
        let read = DeadLetter::read(&letter).expect("a dead letter");
        assert_eq!(read.original, original);
        assert_eq!(read.reason, "invalid_envelope");
        assert_eq!(read.topic, "com.example.a.v1");
        assert_eq!(read.group, "billing");
        assert_eq!(read.subscribers, ["#2", "a, b"]);
        assert_eq!(DeadLetter::read(&original), None);
    }
}
