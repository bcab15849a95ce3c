//! Catch-up subscriptions: a durable checkpoint across a stop and a
//! restart, then live appends.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use evc_bindings_tests::{Bus, OrderCreated};
use evc_store::{CatchUp, ExpectedVersion, Store};
use support::{eventually, order_created_envelope, publisher, with_store, PATIENCE};
use tokio::sync::oneshot;

type Seen = Arc<Mutex<Vec<String>>>;

fn bus(seen: &Seen) -> Bus {
    let mut bus = Bus::new(publisher());
    let sink = seen.clone();
    bus.subscribe::<OrderCreated>(move |_, ctx| {
        sink.lock().unwrap().push(ctx.id().to_owned());
        Ok(())
    });
    bus
}

async fn append(store: &Store, range: std::ops::Range<u32>) -> Vec<String> {
    let envelopes: Vec<_> = range.map(order_created_envelope).collect();
    store
        .append("orders", ExpectedVersion::Any, &envelopes)
        .await
        .expect("appended");
    envelopes.into_iter().map(|e| e.id).collect()
}

/// Runs a subscriber in a task; returns what stops it and the task.
fn start(
    subscription: CatchUp,
    seen: &Seen,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), evc_store::StoreError>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let mut bus = bus(seen);
    let task = tokio::spawn(async move {
        subscription
            .run(&mut bus, async {
                let _ = stopped.await;
            })
            .await
    });
    (stop, task)
}

async fn halt(
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), evc_store::StoreError>>,
) {
    stop.send(()).expect("running");
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the subscriber stops within 30 s")
        .expect("joined")
        .expect("no error");
}

#[tokio::test]
async fn a_stopped_subscriber_resumes_without_gap_or_repeat() {
    with_store(|store| async move {
        let mut expected = append(&store, 0..10).await;
        let seen: Seen = Arc::default();

        // Polling only every minute: notifications must carry the live part.
        let subscription = || {
            CatchUp::new(&store, "projector")
                .batch_size(4)
                .poll_interval(std::time::Duration::from_secs(60))
        };
        let (stop, task) = start(subscription(), &seen);
        eventually("the first 10 rows", || seen.lock().unwrap().len() >= 10).await;
        expected.extend(append(&store, 10..13).await);
        eventually("3 live rows", || seen.lock().unwrap().len() >= 13).await;
        halt(stop, task).await;
        assert_eq!(subscription().checkpoint().await.expect("checkpoint"), 13);

        // Appended while it is stopped.
        expected.extend(append(&store, 13..20).await);
        let (stop, task) = start(subscription(), &seen);
        eventually("the rows missed", || seen.lock().unwrap().len() >= 20).await;
        expected.extend(append(&store, 20..25).await);
        eventually("more live rows", || seen.lock().unwrap().len() >= 25).await;
        halt(stop, task).await;

        assert_eq!(*seen.lock().unwrap(), expected, "each row once, in order");
        assert_eq!(subscription().checkpoint().await.expect("checkpoint"), 25);
        // Another name starts from the beginning.
        let other = CatchUp::new(&store, "auditor");
        let seen_again: Seen = Arc::default();
        let handled = other
            .catch_up(&mut bus(&seen_again))
            .await
            .expect("caught up");
        assert_eq!(handled, 25);
    })
    .await;
}

#[tokio::test]
async fn polling_alone_follows_appends() {
    with_store(|store| async move {
        let seen: Seen = Arc::default();
        let subscription =
            CatchUp::new(&store, "poller").poll_interval(std::time::Duration::from_millis(50));
        let (stop, task) = start(subscription, &seen);
        // Sent around NOTIFY: the poll has to find it.
        let envelope = order_created_envelope(1);
        let schema = store.schema().as_str().to_owned();
        sqlx::query(&format!(
            "INSERT INTO \"{schema}\".events
                (global_position, stream_id, stream_position, wire_type, message_id, envelope)
             VALUES (nextval('\"{schema}\".events_global_position'), 's', 1, $1, $2, $3)"
        ))
        .bind(&envelope.ty)
        .bind(&envelope.id)
        .bind(envelope.to_vec())
        .execute(store.pool())
        .await
        .expect("inserted");
        eventually("the polled row", || seen.lock().unwrap().len() == 1).await;
        halt(stop, task).await;
    })
    .await;
}

#[tokio::test]
async fn a_subscriber_dead_letters_bad_rows_and_moves_on() {
    with_store(|store| async move {
        let ids = append(&store, 0..2).await;
        store
            .append_raw(
                "orders",
                ExpectedVersion::Any,
                &[
                    br#"{"specversion":"1.0","id":"x","source":"/s","type":"com.example.gone.v1"}"#
                        .to_vec(),
                ],
            )
            .await
            .expect("appended");
        let mut expected = ids;
        expected.extend(append(&store, 2..3).await);
        let seen: Seen = Arc::default();
        let subscription =
            CatchUp::new(&store, "tolerant").policy(evc_store::BadRowPolicy::DeadLetter);
        let handled = subscription
            .catch_up(&mut bus(&seen))
            .await
            .expect("caught up");
        assert_eq!(handled, 3);
        assert_eq!(*seen.lock().unwrap(), expected);
        assert_eq!(subscription.checkpoint().await.expect("checkpoint"), 4);
        let dead = store.dead_letters().await.expect("read");
        assert_eq!(
            dead.iter()
                .map(|d| (d.global_position, d.reason_kind))
                .collect::<Vec<_>>(),
            [(3, "unknown_type")]
        );

        // Under `Stop`, a subscriber halts at the row and keeps its place.
        let strict = CatchUp::new(&store, "strict");
        let error = strict
            .catch_up(&mut bus(&Arc::default()))
            .await
            .expect_err("stops");
        assert!(
            matches!(
                error,
                evc_store::StoreError::BadRow {
                    global_position: 3,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(strict.checkpoint().await.expect("checkpoint"), 2);
    })
    .await;
}

#[tokio::test]
async fn a_stop_is_heard_while_catching_up_on_a_backlog() {
    with_store(|store| async move {
        append(&store, 0..5).await;
        let seen = Seen::default();
        let subscription = CatchUp::new(&store, "backlog").batch_size(1);
        // Already stopped: not one page of the backlog is read.
        tokio::time::timeout(PATIENCE, subscription.run(&mut bus(&seen), async {}))
            .await
            .expect("stopped")
            .expect("no error");
        assert!(seen.lock().unwrap().is_empty());
        assert_eq!(subscription.checkpoint().await.expect("read"), 0);
    })
    .await;
}

#[tokio::test]
async fn two_instances_of_one_name_take_turns() {
    with_store(|store| async move {
        let seen = Seen::default();
        let instance = || CatchUp::new(&store, "one").poll_interval(Duration::from_millis(20));
        let (stop_a, task_a) = start(instance(), &seen);
        let (stop_b, task_b) = start(instance(), &seen);
        let mut expected = append(&store, 0..5).await;
        eventually("5 rows", || seen.lock().unwrap().len() >= 5).await;
        // Had both handled the rows, the second copies would come now.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(*seen.lock().unwrap(), expected, "one instance at a time");

        // Whichever held the name, the other goes on from the checkpoint.
        halt(stop_a, task_a).await;
        expected.extend(append(&store, 5..10).await);
        eventually("10 rows", || seen.lock().unwrap().len() >= 10).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(*seen.lock().unwrap(), expected, "no gap, no repeat");
        halt(stop_b, task_b).await;
    })
    .await;
}
