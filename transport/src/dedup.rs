//! Idempotency by CloudEvents (`source`, `id`): a redelivered or
//! re-published message runs its handlers once per consumer group.
//!
//! A message is *claimed* before its handlers run and *completed* after
//! they succeed; a failure *releases* the claim so a retry or a re-driven
//! dead letter runs again. A claim expires on its own, so a consumer that
//! dies mid-message does not block the message for ever.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::broker::TransportError;

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nobody has handled the message: run it.
    First,
    /// Handled already: acknowledge it without running anything.
    Done,
    /// Another delivery of it is being handled right now: hand it back.
    InFlight,
}

/// Where claims are kept.
#[async_trait]
pub trait Dedup: Send + Sync {
    /// Claims `key` for `in_flight`, unless it is done or claimed.
    async fn claim(&self, key: &str, in_flight: Duration) -> Result<Claim, TransportError>;
    /// Marks `key` done for `keep`.
    async fn complete(&self, key: &str, keep: Duration) -> Result<(), TransportError>;
    /// Drops a claim that did not complete.
    async fn release(&self, key: &str) -> Result<(), TransportError>;
    /// Which of `keys` are done, in their order: one lookup for the
    /// subscribers of a message (see [`subscriber_key`]).
    async fn completed(&self, keys: &[String]) -> Result<Vec<bool>, TransportError>;
}

/// The key one subscriber's completion of the message `message_key` is
/// kept under: the subscribers of an event succeed one by one, and a retry
/// runs only the ones not done.
pub fn subscriber_key(message_key: &str, subscriber: &str) -> String {
    format!("{message_key}\u{1f}{subscriber}")
}

/// Claims in this process's memory, at most `capacity` of them: the
/// oldest go first, so a bounded window of recent messages is deduplicated.
pub struct MemoryDedup {
    capacity: usize,
    state: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<String, (Claim, Instant)>,
    order: VecDeque<String>,
}

impl MemoryDedup {
    pub fn new(capacity: usize) -> Self {
        MemoryDedup {
            capacity: capacity.max(1),
            state: Mutex::new(Entries::default()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Entries {
    fn live(&mut self, key: &str, now: Instant) -> Option<Claim> {
        match self.by_key.get(key) {
            Some((claim, until)) if *until > now => Some(*claim),
            Some(_) => {
                self.by_key.remove(key);
                None
            }
            None => None,
        }
    }

    fn put(&mut self, key: &str, claim: Claim, until: Instant, capacity: usize) {
        if self.by_key.insert(key.to_owned(), (claim, until)).is_none() {
            self.order.push_back(key.to_owned());
        }
        while self.by_key.len() > capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.by_key.remove(&oldest);
        }
        // Keys removed by expiry or release linger in `order`; drop them
        // once they outnumber the live ones.
        if self.order.len() > 2 * capacity {
            let by_key = &self.by_key;
            self.order.retain(|k| by_key.contains_key(k));
        }
    }
}

#[async_trait]
impl Dedup for MemoryDedup {
    async fn claim(&self, key: &str, in_flight: Duration) -> Result<Claim, TransportError> {
        let now = Instant::now();
        let mut entries = self.entries();
        match entries.live(key, now) {
            Some(Claim::Done) => Ok(Claim::Done),
            Some(_) => Ok(Claim::InFlight),
            None => {
                entries.put(key, Claim::InFlight, now + in_flight, self.capacity);
                Ok(Claim::First)
            }
        }
    }

    async fn complete(&self, key: &str, keep: Duration) -> Result<(), TransportError> {
        let until = Instant::now() + keep;
        self.entries().put(key, Claim::Done, until, self.capacity);
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), TransportError> {
        self.entries().by_key.remove(key);
        Ok(())
    }

    async fn completed(&self, keys: &[String]) -> Result<Vec<bool>, TransportError> {
        let now = Instant::now();
        let mut entries = self.entries();
        Ok(keys
            .iter()
            .map(|key| entries.live(key, now) == Some(Claim::Done))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn a_key_is_claimed_once_and_done_after_completion() {
        let dedup = MemoryDedup::new(10);
        assert_eq!(dedup.claim("a", LONG).await.unwrap(), Claim::First);
        assert_eq!(dedup.claim("a", LONG).await.unwrap(), Claim::InFlight);
        dedup.complete("a", LONG).await.unwrap();
        assert_eq!(dedup.claim("a", LONG).await.unwrap(), Claim::Done);
    }

    #[tokio::test]
    async fn completed_tells_done_keys_from_claimed_and_unknown_ones() {
        let dedup = MemoryDedup::new(10);
        dedup.complete("a", LONG).await.unwrap();
        dedup.claim("b", LONG).await.unwrap();
        let keys = ["a", "b", "c"].map(str::to_owned);
        assert_eq!(dedup.completed(&keys).await.unwrap(), [true, false, false]);
    }

    #[tokio::test]
    async fn a_released_or_expired_claim_can_be_taken_again() {
        let dedup = MemoryDedup::new(10);
        dedup.claim("a", LONG).await.unwrap();
        dedup.release("a").await.unwrap();
        assert_eq!(dedup.claim("a", LONG).await.unwrap(), Claim::First);
        dedup.claim("b", Duration::ZERO).await.unwrap();
        assert_eq!(dedup.claim("b", LONG).await.unwrap(), Claim::First);
    }

    #[tokio::test]
    async fn the_oldest_keys_go_first_beyond_capacity() {
        let dedup = MemoryDedup::new(2);
        for key in ["a", "b", "c"] {
            dedup.complete(key, LONG).await.unwrap();
        }
        assert_eq!(dedup.claim("a", LONG).await.unwrap(), Claim::First);
        assert_eq!(dedup.claim("c", LONG).await.unwrap(), Claim::Done);
    }
}
