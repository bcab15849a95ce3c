//! The outbox and its relay: rows exist exactly when the caller's
//! transaction commits; a relay killed mid-batch loses nothing; two relays
//! never have a row in flight twice and keep each stream in order.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use evc_bindings_tests::OrderCreated;
use evc_runtime::{Contract, Envelope};
use evc_store::{Relay, Store};
use evc_transport::wire::Binding;
use evc_transport::{MemoryBroker, Publisher, RawMessage, TransportError};
use support::{order_created, with_store, PATIENCE};

const TOPIC: &str = OrderCreated::WIRE_TYPE;

fn ids(broker: &MemoryBroker) -> Vec<String> {
    broker
        .messages(TOPIC)
        .iter()
        .map(|m| Envelope::parse(&m.body).expect("an envelope").id)
        .collect()
}

/// Writes `n` messages over `streams` streams, one transaction each;
/// returns (id, stream) in write order.
async fn write(store: &Store, n: u32, streams: u32) -> Vec<(String, String)> {
    let outbox = store.outbox("/tests/store");
    let mut written = Vec::new();
    for i in 0..n {
        let stream = format!("order-{}", i % streams);
        let mut tx = store.pool().begin().await.expect("tx");
        let envelope = outbox
            .append_to(&mut tx, &stream, &order_created(i))
            .await
            .expect("written");
        tx.commit().await.expect("committed");
        written.push((envelope.id, stream));
    }
    written
}

#[tokio::test]
async fn rows_exist_exactly_when_the_transaction_commits() {
    with_store(|store| async move {
        let outbox = store.outbox("/tests/store");
        let mut tx = store.pool().begin().await.expect("tx");
        outbox
            .append(&mut tx, &order_created(1))
            .await
            .expect("written");
        tx.rollback().await.expect("rolled back");
        assert_eq!(store.outbox_pending().await.expect("count"), 0);

        let mut tx = store.pool().begin().await.expect("tx");
        let first = outbox
            .append(&mut tx, &order_created(2))
            .await
            .expect("written");
        let second = outbox
            .append(&mut tx, &order_created(3))
            .await
            .expect("written");
        tx.commit().await.expect("committed");
        assert_eq!(store.outbox_pending().await.expect("count"), 2);

        let broker = MemoryBroker::new();
        let relay = Relay::new(&store, broker.clone());
        assert_eq!(relay.drain().await.expect("relayed"), 2);
        assert_eq!(ids(&broker), [first.id.clone(), second.id]);
        assert_eq!(store.outbox_pending().await.expect("count"), 0);
        assert_eq!(
            relay.drain().await.expect("relayed"),
            0,
            "sent rows stay sent"
        );
        let published = Envelope::parse(&broker.messages(TOPIC)[0].body).expect("envelope");
        assert_eq!(published.source, "/tests/store");
        assert_eq!(published.ty, first.ty);
    })
    .await;
}

/// Publishes `budget` messages, then never returns: a relay stuck there
/// is killed mid-batch.
#[derive(Clone)]
struct Stalling {
    inner: MemoryBroker,
    budget: Arc<AtomicUsize>,
}

#[async_trait]
impl Publisher for Stalling {
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError> {
        let left = self.budget.load(Ordering::SeqCst);
        if left == 0 {
            return std::future::pending().await;
        }
        self.budget.store(left - 1, Ordering::SeqCst);
        self.inner.publish(topic, message).await
    }

    fn binding(&self) -> Binding {
        self.inner.binding()
    }
}

#[tokio::test]
async fn a_relay_killed_mid_batch_loses_nothing() {
    with_store(|store| async move {
        let written = write(&store, 20, 3).await;
        let broker = MemoryBroker::new();
        let stalling = Stalling {
            inner: broker.clone(),
            budget: Arc::new(AtomicUsize::new(4)),
        };
        let relay = Relay::new(&store, stalling).batch_size(10);
        let task = tokio::spawn(async move { relay.run_once().await });
        support::eventually("4 messages before the stall", || {
            broker.messages(TOPIC).len() == 4
        })
        .await;
        task.abort();
        assert!(task.await.expect_err("killed").is_cancelled());
        assert_eq!(
            store.outbox_pending().await.expect("count"),
            20,
            "the killed batch rolled back"
        );

        let relay = Relay::new(&store, broker.clone()).batch_size(10);
        tokio::time::timeout(PATIENCE, async {
            // The killed relay's connection rolls back as it goes back to
            // the pool; until then its rows are skipped, not lost.
            while store.outbox_pending().await.expect("count") > 0 {
                relay.drain().await.expect("relayed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the outbox drains within 30 s");

        let published = ids(&broker);
        assert_eq!(published.len(), 24, "4 published twice");
        assert_eq!(published[..4], published[4..8], "same ids the second time");
        let unique: HashSet<_> = published.iter().collect();
        assert_eq!(unique.len(), 20, "every row at least once");
        assert_eq!(
            published[4..].to_vec(),
            written.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>()
        );
    })
    .await;
}

/// Notes the messages in flight and any that is twice at once.
#[derive(Clone, Default)]
struct Tracking {
    inner: MemoryBroker,
    in_flight: Arc<Mutex<HashSet<String>>>,
    overlaps: Arc<AtomicUsize>,
}

#[async_trait]
impl Publisher for Tracking {
    async fn publish(&self, topic: &str, message: RawMessage) -> Result<(), TransportError> {
        let id = Envelope::parse(&message.body).expect("an envelope").id;
        if !self.in_flight.lock().unwrap().insert(id.clone()) {
            self.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        // Give the other relay every chance to pick the same row.
        tokio::time::sleep(Duration::from_millis(1)).await;
        let result = self.inner.publish(topic, message).await;
        self.in_flight.lock().unwrap().remove(&id);
        result
    }

    fn binding(&self) -> Binding {
        self.inner.binding()
    }
}

#[tokio::test]
async fn two_relays_at_once_never_overlap_and_keep_stream_order() {
    with_store(|store| async move {
        let written = write(&store, 120, 4).await;
        let broker = Tracking::default();
        let relays: Vec<_> = (0..2)
            .map(|_| Relay::new(&store, broker.clone()).batch_size(7))
            .collect();
        let counts = tokio::time::timeout(PATIENCE, async {
            let work = relays.iter().map(|relay| async {
                let mut published = 0;
                while store.outbox_pending().await.expect("count") > 0 {
                    published += relay.drain().await.expect("relayed");
                    tokio::task::yield_now().await;
                }
                published
            });
            futures::future::join_all(work).await
        })
        .await
        .expect("the outbox drains within 30 s");

        assert_eq!(broker.overlaps.load(Ordering::SeqCst), 0);
        let published = ids(&broker.inner);
        assert_eq!(published.len(), 120, "each row once: {counts:?}");
        let stream_of: HashMap<_, _> = written.iter().cloned().collect();
        for stream in 0..4 {
            let stream = format!("order-{stream}");
            let order = |ids: Vec<&String>| ids.into_iter().cloned().collect::<Vec<_>>();
            assert_eq!(
                order(
                    published
                        .iter()
                        .filter(|id| stream_of[*id] == stream)
                        .collect()
                ),
                order(
                    written
                        .iter()
                        .filter(|(_, s)| *s == stream)
                        .map(|(id, _)| id)
                        .collect()
                ),
                "{stream} in order"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_running_relay_publishes_what_commits_later_and_stops_on_request() {
    with_store(|store| async move {
        let broker = MemoryBroker::new();
        let relay = Relay::new(&store, broker.clone()).poll_interval(Duration::from_millis(20));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            relay
                .run(async {
                    let _ = stopped.await;
                })
                .await
        });
        let written = write(&store, 5, 2).await;
        support::eventually("5 relayed messages", || broker.messages(TOPIC).len() == 5).await;
        stop.send(()).expect("running");
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("the relay stops within 30 s")
            .expect("joined")
            .expect("no error");
        // In order per stream; the two streams may interleave either way.
        let published = ids(&broker);
        for stream in ["order-0", "order-1"] {
            let of_stream = |ids: Vec<&String>| ids.into_iter().cloned().collect::<Vec<_>>();
            let wanted: Vec<&String> = written
                .iter()
                .filter(|(_, s)| s == stream)
                .map(|(id, _)| id)
                .collect();
            let got: Vec<&String> = published.iter().filter(|id| wanted.contains(id)).collect();
            assert_eq!(of_stream(got), of_stream(wanted), "{stream} in order");
        }
        assert_eq!(published.len(), written.len());
    })
    .await;
}

#[tokio::test]
async fn a_second_writer_of_a_stream_waits_for_the_first_to_commit() {
    with_store(|store| async move {
        let outbox = store.outbox("/tests/store");
        let mut first_tx = store.pool().begin().await.expect("tx");
        let first = outbox
            .append_to(&mut first_tx, "order-1", &order_created(1))
            .await
            .expect("written");
        let (pool, writer) = (store.pool().clone(), outbox.clone());
        let second = tokio::spawn(async move {
            let mut tx = pool.begin().await.expect("tx");
            let envelope = writer
                .append_to(&mut tx, "order-1", &order_created(2))
                .await
                .expect("written");
            tx.commit().await.expect("committed");
            envelope
        });
        // Were it to commit first, a relay between the two commits would
        // publish the stream's second row before its first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !second.is_finished(),
            "the second writer committed before the first"
        );
        first_tx.commit().await.expect("committed");
        let second = tokio::time::timeout(PATIENCE, second)
            .await
            .expect("the second writer went on")
            .expect("no panic");
        let broker = MemoryBroker::new();
        assert_eq!(
            Relay::new(&store, broker.clone())
                .drain()
                .await
                .expect("relayed"),
            2
        );
        assert_eq!(ids(&broker), [first.id, second.id]);
    })
    .await;
}

#[tokio::test]
async fn a_running_relay_outlives_a_database_failure() {
    with_store(|store| async move {
        let written = write(&store, 3, 1).await;
        let schema = store.schema().as_str().to_owned();
        let rename = |from: &str, to: &str| {
            format!("ALTER TABLE \"{schema}\".\"{from}\" RENAME TO \"{to}\"")
        };
        // Every pass fails while the table is away, as while the database
        // restarts.
        sqlx::query(&rename("outbox", "outbox_away"))
            .execute(store.pool())
            .await
            .expect("renamed");
        let broker = MemoryBroker::new();
        let relay = Relay::new(&store, broker.clone()).poll_interval(Duration::from_millis(20));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            relay
                .run(async {
                    let _ = stopped.await;
                })
                .await
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!task.is_finished(), "the relay gave up on a database error");
        sqlx::query(&rename("outbox_away", "outbox"))
            .execute(store.pool())
            .await
            .expect("renamed back");
        support::eventually("3 relayed messages", || broker.messages(TOPIC).len() == 3).await;
        stop.send(()).expect("running");
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("the relay stops within 30 s")
            .expect("joined")
            .expect("no error");
        assert_eq!(
            ids(&broker),
            written.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
        );
    })
    .await;
}

/// Refuses every message, as a broker that is down.
#[derive(Clone)]
struct Refusing(MemoryBroker);

#[async_trait]
impl Publisher for Refusing {
    async fn publish(&self, _: &str, _: RawMessage) -> Result<(), TransportError> {
        Err(TransportError::new("the broker is down"))
    }

    fn binding(&self) -> Binding {
        self.0.binding()
    }
}

#[tokio::test]
async fn a_refused_row_stays_pending_and_counts_its_attempts() {
    with_store(|store| async move {
        write(&store, 1, 1).await;
        let relay = Relay::new(&store, Refusing(MemoryBroker::new()));
        for _ in 0..2 {
            let error = relay.run_once().await.expect_err("refused");
            assert!(
                matches!(error, evc_store::StoreError::Publish { .. }),
                "{error}"
            );
        }
        let schema = store.schema().as_str().to_owned();
        let attempts: i32 = sqlx::query_scalar(&format!(
            "SELECT attempts FROM \"{schema}\".outbox WHERE sent_at IS NULL"
        ))
        .fetch_one(store.pool())
        .await
        .expect("one pending row");
        assert_eq!(attempts, 2);
        assert_eq!(store.outbox_pending().await.expect("count"), 1);
    })
    .await;
}
