//! Dead letters: a message the consumer gave up on, its original body and
//! headers byte for byte, plus headers that say why, published to a topic
//! of its own per consumer group, where it can be listed and re-driven.

use crate::broker::Subscription;
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

/// Why a message was given up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub reason: &'static str,
    pub message: String,
    pub attempts: u32,
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
}

impl DeadLetter {
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
        Some(DeadLetter {
            original,
            reason,
            message,
            attempts,
            topic,
            group,
            time,
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
        };
        let letter = letter(&original, "com.example.a.v1", "billing", &cause);
        let read = DeadLetter::read(&letter).expect("a dead letter");
        assert_eq!(read.original, original);
        assert_eq!(read.reason, "invalid_envelope");
        assert_eq!(read.topic, "com.example.a.v1");
        assert_eq!(read.group, "billing");
        assert_eq!(DeadLetter::read(&original), None);
    }
}
