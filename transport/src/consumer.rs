//! Runs a generated dispatch table on a consumer group: each message is
//! decoded, upcast to the current version and handed to its typed
//! handlers; it is acknowledged only after they succeed (at-least-once).
//!
//! - Before consuming, it declares its group and its dead-letter group
//!   ([`Subscriber::declare`]), where a broker keeps messages only for the
//!   groups that exist.
//! - A handler's failure is retried in place with exponential backoff, the
//!   message held unacknowledged, up to `Retry::attempts`; then it is dead-
//!   lettered. Every other failure (not a CloudEvent, unknown type,
//!   unsupported major, invalid payload, failed upcast, no handler) is in
//!   the message or the build, so it is dead-lettered at once.
//! - An event's subscribers run one by one; each one's success counts on
//!   its own: what it emitted is published at once and a retry runs only
//!   the subscribers not done (kept across deliveries with a dedup store).
//! - Messages emitted by the handlers are published, durably, before the
//!   message that caused them is acknowledged.
//! - Deliveries run on `concurrency` lanes; with `Ordering::PartitionKey`
//!   messages of one CloudEvents `partitionkey` share a lane, in order.
//! - Shutdown stops taking messages, hands back at once what was fetched
//!   and not started (the broker client's read-ahead, a lane's queue), lets
//!   every lane finish the message it runs (handlers, publishes,
//!   acknowledgements), then returns: a message is either settled or
//!   handed back, never lost.

use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evc_runtime::dispatch::is_dry_run;
use evc_runtime::{Dispatch, DispatchError, EnvelopeRef, Kind, Rejection};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::broker::{merge, Delivery, Publisher, Subscriber, Subscription, TransportError};
use crate::dead_letter::{self, Cause};
use crate::dedup::{subscriber_key, Claim, Dedup};
use crate::producer::Producer;
use crate::request::{Reply, REPLY_TO};
use crate::wire::{self, ContentMode};

/// Retries of a failed handler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    /// Runs in all, the first included; 1 dead-letters on the first failure.
    pub attempts: u32,
    /// The wait before the second run.
    pub initial_backoff: Duration,
    /// The longest wait.
    pub max_backoff: Duration,
    /// Each wait is the previous one times this.
    pub multiplier: f64,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            multiplier: 2.0,
        }
    }
}

impl Retry {
    /// The wait after run `attempt` (1-based) failed.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(64) as i32;
        let factor = self.multiplier.max(1.0).powi(exponent);
        self.initial_backoff
            .mul_f64(factor.min(1e6))
            .min(self.max_backoff)
    }
}

/// Whether messages of one key keep their order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Ordering {
    /// Any lane takes any message.
    #[default]
    None,
    /// Messages with one CloudEvents `partitionkey` run on one lane, in the
    /// order the group receives them; messages without one go anywhere.
    PartitionKey,
}

/// How a consumer runs.
#[derive(Clone)]
pub struct Options {
    pub group: String,
    /// Messages handled at once (lanes).
    pub concurrency: usize,
    /// Messages the broker may hand over before they are settled (on
    /// NATS, the pull batch; the server lets four batches be unsettled).
    pub prefetch: usize,
    pub retry: Retry,
    pub ordering: Ordering,
    /// Deduplication by (`source`, `id`), per group; none by default.
    pub dedup: Option<Arc<dyn Dedup>>,
    /// How long a handled message is remembered as done.
    pub dedup_window: Duration,
    /// How long a claim holds while its message is handled.
    pub claim_timeout: Duration,
    /// Content mode of the messages the handlers emit (their `source` is
    /// the dispatch table's own).
    pub content_mode: ContentMode,
}

impl Options {
    pub fn new(group: impl Into<String>) -> Self {
        Options {
            group: group.into(),
            concurrency: 1,
            prefetch: 64,
            retry: Retry::default(),
            ordering: Ordering::None,
            dedup: None,
            dedup_window: Duration::from_secs(24 * 3600),
            claim_timeout: Duration::from_secs(60),
            content_mode: ContentMode::Structured,
        }
    }
}

/// What a consumer did, counted since it started.
#[derive(Debug, Default)]
pub struct Report {
    pub handled: AtomicU64,
    pub retried: AtomicU64,
    pub dead_lettered: AtomicU64,
    pub deduplicated: AtomicU64,
    pub emitted: AtomicU64,
    /// Commands their handler refused (a [`Rejection`]): acknowledged.
    pub rejected: AtomicU64,
    /// Handed back to the broker (shutdown during a backoff, a publish or
    /// dead-letter that failed, a message in flight elsewhere).
    pub returned: AtomicU64,
}

/// One of the counts of a [`Report`], each also a metric per group.
#[derive(Debug, Clone, Copy)]
enum Tally {
    Handled,
    Retried,
    DeadLettered,
    Deduplicated,
    Emitted,
    Rejected,
    Returned,
}

// `Group::counters` is indexed by `tally as usize`: `ALL` keeps the
// declaration order.
const _: () = {
    let mut i = 0;
    while i < Tally::ALL.len() {
        assert!(Tally::ALL[i] as usize == i, "Tally::ALL out of order");
        i += 1;
    }
};

impl Tally {
    const ALL: [Tally; 7] = [
        Tally::Handled,
        Tally::Retried,
        Tally::DeadLettered,
        Tally::Deduplicated,
        Tally::Emitted,
        Tally::Rejected,
        Tally::Returned,
    ];

    fn metric(self) -> &'static str {
        match self {
            Tally::Handled => "evc_transport_handled_total",
            Tally::Retried => "evc_transport_retried_total",
            Tally::DeadLettered => "evc_transport_dead_lettered_total",
            Tally::Deduplicated => "evc_transport_deduplicated_total",
            Tally::Emitted => "evc_transport_emitted_total",
            Tally::Rejected => "evc_transport_rejected_total",
            Tally::Returned => "evc_transport_returned_total",
        }
    }
}

impl Report {
    fn of(&self, tally: Tally) -> &AtomicU64 {
        match tally {
            Tally::Handled => &self.handled,
            Tally::Retried => &self.retried,
            Tally::DeadLettered => &self.dead_lettered,
            Tally::Deduplicated => &self.deduplicated,
            Tally::Emitted => &self.emitted,
            Tally::Rejected => &self.rejected,
            Tally::Returned => &self.returned,
        }
    }
}

/// A consumer group this consumer is a member of, with its metrics,
/// registered once: the `metrics` macros build and hash a key on every
/// call, which the consume path would pay per message.
struct Group {
    name: Arc<str>,
    in_flight: metrics::Gauge,
    counters: [metrics::Counter; Tally::ALL.len()],
}

impl Group {
    fn new(name: &str) -> Self {
        let name: Arc<str> = name.into();
        Group {
            in_flight: metrics::gauge!("evc_transport_in_flight", "group" => name.clone()),
            counters: Tally::ALL
                .map(|tally| metrics::counter!(tally.metric(), "group" => name.clone())),
            name,
        }
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// A dispatch table on a consumer group of a broker.
pub struct Consumer<B, D> {
    broker: B,
    bus: Arc<Mutex<D>>,
    options: Options,
    report: Arc<Report>,
}

impl<B, D> Consumer<B, D>
where
    B: Publisher + Subscriber + Clone + 'static,
    D: Dispatch + 'static,
{
    pub fn new(broker: B, bus: D, options: Options) -> Self {
        Consumer {
            broker,
            bus: Arc::new(Mutex::new(bus)),
            options,
            report: Arc::new(Report::default()),
        }
    }

    /// The counts, shared: read them while the consumer runs.
    pub fn report(&self) -> Arc<Report> {
        self.report.clone()
    }

    /// The subscriptions this consumer takes: the events its table handles
    /// in its own group, and each command it handles in that command's one
    /// group, [`command_group`], shared by every consumer of the command in
    /// every service, so each command is handled once.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        let mut events = Vec::new();
        let mut commands: Vec<(String, Vec<&'static str>)> = Vec::new();
        for (wire_type, kind) in lock(&self.bus).handled_types() {
            match kind {
                Kind::Event => events.push(wire_type),
                Kind::Command => {
                    let group = command_group(wire_type);
                    match commands.iter_mut().find(|(g, _)| *g == group) {
                        Some((_, types)) => types.push(wire_type),
                        None => commands.push((group, vec![wire_type])),
                    }
                }
            }
        }
        let mut subscriptions = Vec::new();
        if !events.is_empty() {
            subscriptions.push(Subscription::new(self.options.group.clone(), events));
        }
        for (group, types) in commands {
            subscriptions.push(Subscription::new(group, types));
        }
        subscriptions
            .into_iter()
            .map(|s| s.prefetch(self.options.prefetch))
            .collect()
    }

    /// Creates the groups and their dead-letter groups durably without
    /// consuming (see [`Subscriber::declare`]): messages published from now
    /// on are kept for them. [`run`](Self::run) does it too.
    pub async fn declare(&self) -> Result<(), TransportError> {
        for subscription in self.subscriptions() {
            self.broker.declare(&subscription).await?;
            self.broker
                .declare(&dead_letter::subscription(&subscription.group))
                .await?;
        }
        Ok(())
    }

    /// Consumes until `shutdown` completes, then drains and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), TransportError> {
        let subscriptions = self.subscriptions();
        if subscriptions.is_empty() {
            return Err(TransportError::new(format!(
                "group `{}`: the dispatch table has no handler, so there is nothing to consume",
                self.options.group
            )));
        }
        self.declare().await?;
        let mut streams = Vec::with_capacity(subscriptions.len());
        for subscription in subscriptions {
            let group = Arc::new(Group::new(&subscription.group));
            let deliveries = self.broker.subscribe(&subscription).await?;
            streams.push(deliveries.map(move |next| next.map(|d| (group.clone(), d))));
        }
        let mut deliveries = merge(streams);
        let lanes = self.options.concurrency.max(1);
        let worker = Arc::new(Worker {
            producer: Producer::new(self.broker.clone(), "")
                .content_mode(self.options.content_mode),
            broker: self.broker.clone(),
            bus: self.bus.clone(),
            options: self.options.clone(),
            report: self.report.clone(),
        });
        let mut senders = Vec::with_capacity(lanes);
        let mut tasks = tokio::task::JoinSet::new();
        // Set on shutdown: what a lane holds and has not started goes back.
        let leaving = Arc::new(AtomicBool::new(false));
        // One lane runs in this task: no hand-over between tasks per message.
        let inline = lanes == 1;
        for _ in 0..lanes.saturating_sub(usize::from(inline)) {
            let (sender, mut receiver) = mpsc::channel::<(Arc<Group>, Delivery)>(1);
            senders.push(sender);
            let worker = worker.clone();
            let leaving = leaving.clone();
            tasks.spawn(async move {
                while let Some((group, delivery)) = receiver.recv().await {
                    if leaving.load(AtomicOrdering::Acquire) {
                        worker.hand_back(&group, delivery).await;
                    } else {
                        worker.handle(&group, delivery).await;
                    }
                }
            });
        }
        tokio::pin!(shutdown);
        let mut turn = 0usize;
        let outcome = loop {
            let next = tokio::select! {
                biased;
                () = &mut shutdown => break Ok(()),
                next = deliveries.next() => next,
            };
            match next {
                Some(Ok((group, delivery))) if inline => worker.handle(&group, delivery).await,
                Some(Ok((group, delivery))) => {
                    let lane = match self.options.ordering {
                        Ordering::PartitionKey => partition_key(&delivery, self.broker.binding())
                            .map(|key| lane_of(&key, lanes)),
                        Ordering::None => None,
                    }
                    .unwrap_or_else(|| {
                        turn = turn.wrapping_add(1);
                        turn % lanes
                    });
                    // A busy lane is waited for, but not past a shutdown:
                    // then the delivery goes back rather than start late.
                    let permit = tokio::select! {
                        biased;
                        () = &mut shutdown => {
                            worker.hand_back(&group, delivery).await;
                            break Ok(());
                        }
                        permit = senders[lane].reserve() => permit,
                    };
                    match permit {
                        Ok(permit) => permit.send((group, delivery)),
                        Err(_) => break Err(TransportError::new("a consumer lane stopped")),
                    }
                }
                Some(Err(error)) => {
                    // A broker's stream reports trouble (a missed heartbeat,
                    // a reconnect) and goes on; a consumer that stopped here
                    // would leave its group for a hiccup.
                    tracing::warn!(%error, "receiving failed; going on");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                None => break Ok(()),
            }
        };
        // Leave the group first, so nothing new arrives and what the
        // broker client fetched ahead goes back; then let every lane finish
        // the message it runs and hand back the one it holds.
        leaving.store(true, AtomicOrdering::Release);
        drop(deliveries);
        drop(senders);
        while tasks.join_next().await.is_some() {}
        outcome
    }
}

/// The one consumer group of a command, whichever service handles it:
/// `evc.command.<namespace>.<snake_name>` (every major of the command
/// shares it).
pub fn command_group(wire_type: &str) -> String {
    let contract = wire_type
        .rfind(".v")
        .filter(|&at| wire_type[at + 2..].bytes().all(|b| b.is_ascii_digit()))
        .map_or(wire_type, |at| &wire_type[..at]);
    format!("evc.command.{contract}")
}

fn lock<D>(bus: &Mutex<D>) -> std::sync::MutexGuard<'_, D> {
    bus.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lane_of(key: &str, lanes: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    (hasher.finish() % lanes as u64) as usize
}

/// The CloudEvents `partitionkey` of a delivery, from a binary-mode header
/// or the structured envelope.
fn partition_key(delivery: &Delivery, binding: wire::Binding) -> Option<String> {
    if let Some(prefix) = binding.prefix {
        if let Some(key) = delivery.message.header(&format!("{prefix}partitionkey")) {
            return Some(key.to_owned());
        }
    }
    let envelope = EnvelopeRef::parse(&delivery.message.body).ok()?;
    let (_, value) = envelope
        .extensions
        .iter()
        .find(|(name, _)| name == "partitionkey")?;
    Some(wire::extension_text(value))
}

struct Worker<B, D> {
    producer: Producer<B>,
    broker: B,
    bus: Arc<Mutex<D>>,
    options: Options,
    report: Arc<Report>,
}

/// How one delivery ended.
enum Outcome {
    /// `emitted` lists what a dry run would have published.
    Handled {
        emitted: Vec<Value>,
    },
    Rejected(Rejection),
    DeadLetter(Cause),
    Returned,
}

impl<B, D> Worker<B, D>
where
    B: Publisher + Subscriber + Clone + 'static,
    D: Dispatch + 'static,
{
    fn count(&self, group: &Group, tally: Tally) {
        self.report.of(tally).fetch_add(1, AtomicOrdering::Relaxed);
        group.counters[tally as usize].increment(1);
    }

    async fn handle(&self, group: &Group, delivery: Delivery) {
        let span = tracing::info_span!(
            "evc.consume",
            group = %group,
            topic = %delivery.topic,
            id = tracing::field::Empty,
            traceparent = tracing::field::Empty,
        );
        group.in_flight.increment(1.0);
        self.settle(group, delivery).instrument(span).await;
        group.in_flight.decrement(1.0);
    }

    /// Returns a delivery not started to the group, for another member.
    async fn hand_back(&self, group: &Group, delivery: Delivery) {
        self.count(group, Tally::Returned);
        if let Err(error) = delivery.nack().await {
            tracing::warn!(%error, "handing a message back failed; the broker redelivers it later");
        }
    }

    async fn settle(&self, group: &Group, delivery: Delivery) {
        let structured = wire::structured(&delivery.message, self.broker.binding());
        let outcome = match &structured {
            Err(error) => Outcome::DeadLetter(Cause {
                reason: "not_a_cloudevent",
                message: error.to_string(),
                attempts: 0,
                subscribers: Vec::new(),
            }),
            Ok(bytes) => self.run(group, bytes).await,
        };
        let reply_to = delivery.message.header(REPLY_TO).map(str::to_owned);
        // Read before the delivery is settled: `structured` may borrow its
        // body.
        let command_id = reply_to.as_ref().and_then(|_| {
            let bytes = structured.as_ref().ok()?;
            EnvelopeRef::parse(bytes).ok().map(|e| e.id.into_owned())
        });
        drop(structured);
        let (settled, reply) = match outcome {
            Outcome::Handled { emitted } => {
                (delivery.ack().await, Some(Reply::Accepted { emitted }))
            }
            Outcome::Rejected(rejection) => {
                tracing::info!(code = %rejection.code, message = %rejection.message, "rejected");
                self.count(group, Tally::Rejected);
                (delivery.ack().await, Some(Reply::Rejected(rejection)))
            }
            Outcome::Returned => {
                self.count(group, Tally::Returned);
                (delivery.nack().await, None)
            }
            Outcome::DeadLetter(cause) => {
                tracing::warn!(reason = cause.reason, message = %cause.message, "dead letter");
                let letter =
                    dead_letter::letter(&delivery.message, &delivery.topic, &group.name, &cause);
                match self
                    .broker
                    .publish(&dead_letter::topic(&group.name), letter)
                    .await
                {
                    Ok(()) => {
                        self.count(group, Tally::DeadLettered);
                        let reply = Reply::Failed {
                            reason: cause.reason.to_owned(),
                            message: cause.message,
                        };
                        (delivery.ack().await, Some(reply))
                    }
                    Err(error) => {
                        tracing::error!(%error, "the dead letter was not accepted; the message goes back");
                        (delivery.nack().await, None)
                    }
                }
            }
        };
        if let Err(error) = settled {
            // The broker will deliver the message again: at-least-once.
            tracing::warn!(%error, "settling a delivery failed");
        }
        let (Some(address), Some(reply)) = (reply_to, reply) else {
            return;
        };
        if let Some(id) = command_id {
            if let Err(error) = self.broker.reply(&address, reply.to_message(&id)).await {
                tracing::warn!(%error, "the reply was not sent; the requester times out");
            }
        }
    }

    /// Claims, dispatches with retries, publishes what the handlers emitted.
    async fn run(&self, group: &Group, bytes: &[u8]) -> Outcome {
        // The envelope is read here only for the dedup key and the span;
        // dispatch reads it again in its one pass.
        let span = tracing::Span::current();
        let wanted = self.options.dedup.is_some() || !span.is_disabled();
        let read = wanted
            .then(|| EnvelopeRef::parse(bytes).ok())
            .flatten()
            .map(|envelope| {
                span.record("id", envelope.id.as_ref());
                if let Some(trace) = &envelope.traceparent {
                    span.record("traceparent", trace.as_ref());
                }
                (
                    format!("{group}\u{1f}{}\u{1f}{}", envelope.source, envelope.id),
                    envelope.ty.into_owned(),
                )
            });
        let dedup = self.options.dedup.as_ref().zip(read.as_ref());
        if let Some((dedup, (key, _))) = dedup {
            match dedup.claim(key, self.options.claim_timeout).await {
                Ok(Claim::First) => {}
                Ok(Claim::Done) => {
                    self.count(group, Tally::Deduplicated);
                    return Outcome::Handled {
                        emitted: Vec::new(),
                    };
                }
                Ok(Claim::InFlight) => return Outcome::Returned,
                Err(error) => {
                    tracing::warn!(%error, "the dedup store failed; the message goes back");
                    return Outcome::Returned;
                }
            }
        }
        let outcome = match dedup {
            Some((dedup, (key, ty))) => {
                let store = SubscriberStore {
                    dedup: dedup.as_ref(),
                    key,
                };
                self.dispatch_with_retries(group, bytes, Some((store, ty.as_str())))
                    .await
            }
            None => self.dispatch_with_retries(group, bytes, None).await,
        };
        if let Some((dedup, (key, _))) = dedup {
            let stored = match outcome {
                Outcome::Handled { .. } | Outcome::Rejected(_) => {
                    dedup.complete(key, self.options.dedup_window).await
                }
                _ => dedup.release(key).await,
            };
            if let Err(error) = stored {
                tracing::warn!(%error, "the dedup store failed to record the outcome");
            }
        }
        outcome
    }

    /// Runs the subscribers one by one: the emitted messages of each that
    /// succeeds are published and its success recorded before any retry,
    /// and a retry runs only the subscribers not done. With a dedup store
    /// and several subscribers the record outlives the delivery, so a
    /// redelivery or a re-driven dead letter skips them too.
    async fn dispatch_with_retries(
        &self,
        group: &Group,
        bytes: &[u8],
        store: Option<(SubscriberStore<'_>, &str)>,
    ) -> Outcome {
        let retry = self.options.retry;
        // A handful of names at most: a list is cheaper than a hash set to
        // fill on every message and to search on a retry.
        let mut done: Vec<String> = Vec::new();
        let store = match store {
            Some((store, ty)) => {
                let names = lock(&self.bus).subscribers(ty);
                // One subscriber is done when its message is: the message's
                // own record says so, with no extra lookup.
                if names.len() > 1 {
                    match store.completed(names).await {
                        Ok(completed) => done.extend(completed),
                        Err(error) => {
                            tracing::warn!(%error, "the dedup store failed; the message goes back");
                            return Outcome::Returned;
                        }
                    }
                    Some(store)
                } else {
                    None
                }
            }
            None => None,
        };
        // Decided at most once: a dry run records nothing, whether or not a
        // subscriber emitted anything.
        let mut dry_run: Option<bool> = None;
        let mut dry_emitted = Vec::new();
        let mut attempt = 1;
        loop {
            let result = {
                let skip = |name: &str| done.iter().any(|d| d == name);
                lock(&self.bus).dispatch_each(bytes, &skip)
            };
            let runs = match result {
                Ok(runs) => runs,
                Err(error) => return failed(&error, attempt, Vec::new()),
            };
            let mut failures = Vec::new();
            // Every run is dealt with before a rejection is answered: the
            // other subscribers' successes are published and recorded, not
            // dropped with the message.
            let mut rejection = None;
            for run in runs {
                let emitted = match run.result {
                    Ok(emitted) => emitted,
                    Err(error) => {
                        if rejection.is_none() {
                            rejection = error.rejection().cloned();
                        }
                        failures.push((run.name, error));
                        continue;
                    }
                };
                // Asked only when it matters (something to publish or to
                // record): parsing the envelope again costs every message.
                let dry = (!emitted.is_empty() || store.is_some())
                    && *dry_run.get_or_insert_with(|| {
                        EnvelopeRef::parse(bytes).is_ok_and(|envelope| is_dry_run(&envelope))
                    });
                if dry {
                    // Decided, not done: the sender gets what would go out,
                    // and nothing is recorded.
                    dry_emitted.extend(
                        emitted
                            .iter()
                            .filter_map(|envelope| serde_json::from_slice(&envelope.to_vec()).ok()),
                    );
                    done.push(run.name);
                    continue;
                }
                for envelope in &emitted {
                    if let Err(error) = self.producer.publish_envelope(envelope).await {
                        // Succeeded, but its consequences are not out: run
                        // it again rather than lose them.
                        tracing::warn!(%error, "an emitted message was not accepted");
                        return Outcome::Returned;
                    }
                    self.count(group, Tally::Emitted);
                }
                if let Some(store) = &store {
                    if let Err(error) = store.complete(&run.name, self.options.dedup_window).await {
                        // Only a later delivery would run it again.
                        tracing::warn!(%error, subscriber = %run.name, "the dedup store failed to record a subscriber");
                    }
                }
                done.push(run.name);
            }
            if let (Some(rejection), 1) = (rejection, failures.len()) {
                return Outcome::Rejected(rejection);
            }
            if failures.is_empty() {
                self.count(group, Tally::Handled);
                return Outcome::Handled {
                    emitted: dry_emitted,
                };
            }
            let retryable = failures.iter().all(|(_, e)| e.reason().is_retryable());
            if retryable && attempt < retry.attempts.max(1) {
                for (name, error) in &failures {
                    tracing::info!(%error, subscriber = %name, attempt, "handler failed; retrying");
                }
                self.count(group, Tally::Retried);
                tokio::time::sleep(retry.backoff(attempt)).await;
                attempt += 1;
                continue;
            }
            let names = failures
                .iter()
                .map(|(name, _)| name.clone())
                .filter(|name| !name.is_empty())
                .collect();
            let first = failures
                .iter()
                .find(|(_, e)| !e.reason().is_retryable())
                .unwrap_or(&failures[0]);
            let mut cause = failed_cause(&first.1, attempt, names);
            if failures.len() > 1 {
                let messages: Vec<String> = failures
                    .iter()
                    .map(|(name, error)| format!("{name}: {error}"))
                    .collect();
                cause.message = messages.join("; ");
            }
            return Outcome::DeadLetter(cause);
        }
    }
}

/// Where the subscribers of one message record their completions.
struct SubscriberStore<'a> {
    dedup: &'a dyn Dedup,
    key: &'a str,
}

impl SubscriberStore<'_> {
    /// The subscribers among `names` that are done.
    async fn completed(&self, names: Vec<String>) -> Result<Vec<String>, TransportError> {
        let keys: Vec<String> = names
            .iter()
            .map(|name| subscriber_key(self.key, name))
            .collect();
        let flags = self.dedup.completed(&keys).await?;
        Ok(names
            .into_iter()
            .zip(flags)
            .filter_map(|(name, done)| done.then_some(name))
            .collect())
    }

    async fn complete(&self, name: &str, keep: Duration) -> Result<(), TransportError> {
        self.dedup
            .complete(&subscriber_key(self.key, name), keep)
            .await
    }
}

fn failed(error: &DispatchError, attempts: u32, subscribers: Vec<String>) -> Outcome {
    match error.rejection() {
        Some(rejection) => Outcome::Rejected(rejection.clone()),
        None => Outcome::DeadLetter(failed_cause(error, attempts, subscribers)),
    }
}

fn failed_cause(error: &DispatchError, attempts: u32, subscribers: Vec<String>) -> Cause {
    Cause {
        subscribers,
        ..cause(error, attempts)
    }
}

fn cause(error: &DispatchError, attempts: u32) -> Cause {
    let attempts = if error.reason().is_retryable() {
        attempts
    } else {
        0
    };
    Cause {
        reason: error.reason().kind(),
        message: error.to_string(),
        attempts,
        subscribers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_has_one_group_for_all_its_majors() {
        assert_eq!(
            command_group("com.example.orders.create_order.v1"),
            "evc.command.com.example.orders.create_order"
        );
        assert_eq!(
            command_group("com.example.orders.create_order.v12"),
            command_group("com.example.orders.create_order.v1")
        );
        assert_eq!(command_group("odd.version"), "evc.command.odd.version");
    }

    #[test]
    fn backoff_grows_to_its_ceiling() {
        let retry = Retry {
            attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            multiplier: 2.0,
        };
        let waits: Vec<u128> = (1..=6).map(|a| retry.backoff(a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(retry.backoff(u32::MAX), Duration::from_secs(1));
    }
}
