//! The in-process broker: the embedded default for examples and unit
//! tests, with the semantics of the persistent adapters, so code moves to
//! a real broker unchanged. Each topic is an append-only log kept for the
//! broker's lifetime; a consumer group has a cursor per topic (a new group
//! starts at the oldest message) and a queue of messages handed back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use tokio::sync::Notify;

use crate::broker::{
    Deliveries, Delivery, Inbox, Publisher, Settle, Subscriber, Subscription, TransportError,
};
use crate::message::RawMessage;
use crate::wire::Binding;

/// An in-memory broker; clones share it.
#[derive(Clone, Default)]
pub struct MemoryBroker {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Default)]
struct State {
    logs: HashMap<String, Vec<RawMessage>>,
    groups: HashMap<String, Group>,
    inboxes: HashMap<String, tokio::sync::mpsc::UnboundedSender<RawMessage>>,
    opened: u64,
}

#[derive(Default)]
struct Group {
    cursors: HashMap<String, usize>,
    returned: VecDeque<(String, RawMessage)>,
    turn: usize,
}

impl MemoryBroker {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere never leaves the logs half-written: every
        // mutation is one push or one index update.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every message published to `topic` so far, oldest first (dead
    /// letters included: they are a topic like any other).
    pub fn messages(&self, topic: &str) -> Vec<RawMessage> {
        self.state().logs.get(topic).cloned().unwrap_or_default()
    }

    /// The next message for a member of `group` reading `topics`: one handed
    /// back first, then the oldest unread, taking the topics in turn.
    fn take(&self, group: &str, topics: &[String]) -> Option<(String, RawMessage)> {
        let mut state = self.state();
        let State { logs, groups, .. } = &mut *state;
        let group = groups.entry(group.to_owned()).or_default();
        if let Some(returned) = group.returned.pop_front() {
            return Some(returned);
        }
        for offset in 0..topics.len() {
            let topic = &topics[(group.turn + offset) % topics.len()];
            let log = logs.get(topic).map(Vec::as_slice).unwrap_or_default();
            let cursor = group.cursors.entry(topic.clone()).or_default();
            if let Some(message) = log.get(*cursor) {
                *cursor += 1;
                group.turn = group.turn.wrapping_add(offset + 1);
                return Some((topic.clone(), message.clone()));
            }
        }
        None
    }

    fn hand_back(&self, group: &str, topic: String, message: RawMessage) {
        self.state()
            .groups
            .entry(group.to_owned())
            .or_default()
            .returned
            .push_back((topic, message));
        self.shared.changed.notify_waiters();
    }

    async fn next(&self, group: &str, topics: &[String]) -> Delivery {
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some((topic, message)) = self.take(group, topics) {
                let settle = MemorySettle {
                    broker: self.clone(),
                    group: group.to_owned(),
                    topic: topic.clone(),
                    message: Some(message.clone()),
                };
                return Delivery::new(topic, message, Box::new(settle));
            }
            changed.await;
        }
    }
}

#[async_trait]
impl Publisher for MemoryBroker {
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError> {
        self.state()
            .logs
            .entry(topic.to_owned())
            .or_default()
            .push(message);
        self.shared.changed.notify_waiters();
        Ok(())
    }

    fn binding(&self) -> Binding {
        Binding::STRUCTURED_ONLY
    }

    async fn reply(&self, address: &str, message: RawMessage) -> Result<(), TransportError> {
        let mut state = self.state();
        if let Some(inbox) = state.inboxes.get(address) {
            if inbox.send(message).is_err() {
                state.inboxes.remove(address);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Subscriber for MemoryBroker {
    async fn subscribe(&self, subscription: &Subscription) -> Result<Deliveries, TransportError> {
        if subscription.topics.is_empty() {
            return Err(TransportError::new(format!(
                "the subscription of group `{}` names no topic",
                subscription.group
            )));
        }
        let member = (
            self.clone(),
            subscription.group.clone(),
            subscription.topics.clone(),
        );
        let deliveries = futures::stream::unfold(member, |member| async move {
            let delivery = member.0.next(&member.1, &member.2).await;
            Some((Ok(delivery), member))
        });
        Ok(Box::pin(deliveries))
    }

    async fn inbox(&self) -> Result<Inbox, TransportError> {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let mut state = self.state();
        state.opened += 1;
        let address = format!("memory.inbox.{}", state.opened);
        state.inboxes.insert(address.clone(), sender);
        let replies = futures::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|reply| (reply, receiver))
        });
        Ok(Inbox {
            address,
            replies: Box::pin(replies),
        })
    }
}

struct MemorySettle {
    broker: MemoryBroker,
    group: String,
    topic: String,
    /// Still held: settled deliveries have taken it.
    message: Option<RawMessage>,
}

#[async_trait]
impl Settle for MemorySettle {
    async fn ack(mut self: Box<Self>) -> Result<(), TransportError> {
        self.message = None;
        Ok(())
    }

    async fn nack(mut self: Box<Self>) -> Result<(), TransportError> {
        if let Some(message) = self.message.take() {
            self.broker
                .hand_back(&self.group, std::mem::take(&mut self.topic), message);
        }
        Ok(())
    }
}

impl Drop for MemorySettle {
    fn drop(&mut self) {
        if let Some(message) = self.message.take() {
            self.broker
                .hand_back(&self.group, std::mem::take(&mut self.topic), message);
        }
    }
}
