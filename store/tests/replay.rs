//! Replay through the generated dispatch table: older rows upcast, a
//! selection by stream, type, position and time, dry runs, and bad rows
//! under both policies.

mod support;

use std::sync::{Arc, Mutex};

use evc_bindings_tests::{upcasts, Bus, CreateOrder, ItemReserved, OrderCreated};
use evc_runtime::{Envelope, Reason};
use evc_store::{BadRowPolicy, ExpectedVersion, Selection, Start, Store, StoreError};
use serde_json::json;
use support::{item_reserved_v1, order_created_envelope, publisher, with_store};

type Seen = Arc<Mutex<Vec<(u32, Option<String>)>>>;

/// A bus whose `ItemReserved` (v3) subscriber notes the quantity and the
/// version as stored.
fn reservations_bus() -> (Bus, Seen) {
    let seen: Seen = Arc::default();
    let mut bus = Bus::new(publisher());
    let sink = seen.clone();
    bus.subscribe::<ItemReserved>(move |event, ctx| {
        sink.lock()
            .unwrap()
            .push((event.quantity, ctx.dataversion().map(str::to_owned)));
        Ok(())
    });
    (bus, seen)
}

async fn append_v1(store: &Store, stream: &str, range: std::ops::Range<u32>) {
    let rows: Vec<Vec<u8>> = range.map(item_reserved_v1).collect();
    store
        .append_raw(stream, ExpectedVersion::Any, &rows)
        .await
        .expect("appended");
}

#[tokio::test]
async fn stored_v1_rows_reach_v3_handlers() {
    with_store(|store| async move {
        append_v1(&store, "reservations", 0..5).await;
        let (mut bus, seen) = reservations_bus();
        let report = store.replay().run(&mut bus).await.expect("replayed");
        assert_eq!(report.handled, 5);
        assert!(report.dead_lettered.is_empty());
        assert_eq!(report.last_position, Some(5));
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        assert_eq!(
            seen.iter().map(|(q, _)| *q).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5],
            "the v1 decimal strings arrive as v3 integers"
        );
        assert!(seen.iter().all(|(_, v)| v.as_deref() == Some("1.0.0")));
        // Replay reads; it never rewrites what was stored.
        let stored = store.read_all(0, 10).await.expect("read");
        assert_eq!(stored[0].envelope, item_reserved_v1(0));
        assert_eq!(
            stored[0].wire_type,
            "com.example.inventory.item_reserved.v1"
        );
    })
    .await;
}

#[tokio::test]
async fn selections_by_stream_type_position_and_time() {
    with_store(|store| async move {
        append_v1(&store, "a", 0..3).await;
        store
            .append("orders", ExpectedVersion::Any, &[order_created_envelope(1)])
            .await
            .expect("appended");
        append_v1(&store, "b", 3..5).await;
        let (mut bus, seen) = reservations_bus();
        let quantities = |seen: &Seen| {
            std::mem::take(&mut *seen.lock().unwrap())
                .into_iter()
                .map(|(q, _)| q)
                .collect::<Vec<_>>()
        };

        let report = store
            .replay()
            .selection(Selection::Stream("b".into()))
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(report.handled, 2);
        assert_eq!(quantities(&seen), [4, 5]);

        let types = Selection::handled_by(&bus);
        let Selection::Types(names) = &types else {
            panic!("{types:?}")
        };
        assert!(names.contains(&"com.example.inventory.item_reserved.v1".to_owned()));
        let report = store
            .replay()
            .selection(types.clone())
            .start(Start::Position(3))
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(report.handled, 3, "positions 3, 5, 6; 4 is an OrderCreated");
        assert_eq!(quantities(&seen), [3, 4, 5]);

        // Everything: the OrderCreated has no subscriber here and is simply
        // handled by nobody.
        let report = store.replay().run(&mut bus).await.expect("replayed");
        assert_eq!(report.handled, 6);
        assert_eq!(quantities(&seen), [1, 2, 3, 4, 5]);

        let cut = store.read_all(5, 1).await.expect("read")[0].recorded_at;
        let report = store
            .replay()
            .start(Start::Time(cut))
            .batch_size(1)
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(report.handled, 1);
        assert_eq!(quantities(&seen), [5]);
    })
    .await;
}

fn create_order(n: u32) -> Envelope {
    let command = support::create_order(&format!("6c4c1cd6-fb25-495d-8b2b-{n:012}"));
    publisher().envelope(&command).expect("stamped")
}

/// A bus whose handler emits one `OrderCreated` per `CreateOrder`, and
/// records whether each call was told it runs dry.
fn ordering_bus() -> (Bus, Arc<Mutex<Vec<bool>>>) {
    let dry_runs = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&dry_runs);
    let mut bus = Bus::new(publisher());
    bus.handle::<CreateOrder>(move |command, ctx| {
        seen.lock().unwrap().push(ctx.dry_run());
        let mut event = support::order_created(0);
        event.order_id = command.order_id.clone();
        ctx.emit::<OrderCreated>(event)?;
        Ok(())
    })
    .expect("one handler");
    (bus, dry_runs)
}

#[tokio::test]
async fn a_dry_run_collects_what_handlers_emit_and_writes_nothing() {
    with_store(|store| async move {
        let commands: Vec<_> = (0..3).map(create_order).collect();
        store
            .append("commands", ExpectedVersion::NoStream, &commands)
            .await
            .expect("appended");
        let outbox = store.outbox("/tests/store");
        let (mut bus, dry_runs) = ordering_bus();
        let report = store
            .replay()
            .dry_run(true)
            .emit_into(outbox.clone())
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(*dry_runs.lock().unwrap(), [true, true, true]);
        dry_runs.lock().unwrap().clear();
        assert_eq!(report.handled, 3);
        assert_eq!(report.emitted.len(), 3);
        assert_eq!(
            report.emitted[1].causationid.as_deref(),
            Some(commands[1].id.as_str())
        );
        assert_eq!(store.outbox_pending().await.expect("count"), 0);

        let report = store
            .replay()
            .emit_into(outbox)
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(*dry_runs.lock().unwrap(), [false, false, false]);
        assert_eq!(report.emitted.len(), 3);
        assert_eq!(store.outbox_pending().await.expect("count"), 3);
    })
    .await;
}

/// Rows 2 (bytes corrupted after the fact), 3 (a type no contract has) and
/// 4 (a payload breaking its v1 contract) among good rows 1 and 5.
async fn store_with_bad_rows(store: &Store) -> Vec<Vec<u8>> {
    let mut unknown: serde_json::Value =
        serde_json::from_slice(&item_reserved_v1(2)).expect("json");
    unknown["type"] = json!("com.example.removed.thing_happened.v1");
    let mut invalid: serde_json::Value =
        serde_json::from_slice(&item_reserved_v1(3)).expect("json");
    invalid["data"]["quantity"] = json!("0");
    let rows = vec![
        item_reserved_v1(0),
        item_reserved_v1(1),
        serde_json::to_vec(&unknown).expect("json"),
        serde_json::to_vec(&invalid).expect("json"),
        item_reserved_v1(4),
    ];
    store
        .append_raw("r", ExpectedVersion::NoStream, &rows)
        .await
        .expect("appended");
    let events = store.schema().as_str().to_owned();
    sqlx::query(&format!(
        "UPDATE \"{events}\".events SET envelope = $1 WHERE global_position = 2"
    ))
    .bind(b"{\"specversion\":\"1.0\",\"id\":\x00garbage".to_vec())
    .execute(store.pool())
    .await
    .expect("corrupted");
    let mut stored: Vec<_> = store
        .read_all(0, 10)
        .await
        .expect("read")
        .into_iter()
        .map(|e| e.envelope)
        .collect();
    stored.truncate(5);
    stored
}

#[tokio::test]
async fn a_bad_row_stops_the_replay_naming_its_position() {
    with_store(|store| async move {
        store_with_bad_rows(&store).await;
        let (mut bus, seen) = reservations_bus();
        let error = store
            .replay()
            .policy(BadRowPolicy::Stop)
            .run(&mut bus)
            .await
            .expect_err("stops");
        let StoreError::BadRow {
            global_position,
            source,
        } = &error
        else {
            panic!("{error}");
        };
        assert_eq!(*global_position, 2);
        assert!(
            matches!(source.reason(), Reason::InvalidEnvelope(_)),
            "{source}"
        );
        assert!(error.to_string().contains("global position 2"), "{error}");
        assert_eq!(seen.lock().unwrap().len(), 1, "only the row before it ran");
        assert!(store.dead_letters().await.expect("read").is_empty());

        // Started after it, the next bad row stops it in turn.
        let error = store
            .replay()
            .start(Start::Position(3))
            .run(&mut bus)
            .await
            .expect_err("stops");
        assert!(
            matches!(&error, StoreError::BadRow { global_position: 3, source }
                if matches!(source.reason(), Reason::UnknownType { .. })),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_rows_go_to_the_dead_letters_with_their_bytes() {
    with_store(|store| async move {
        let stored = store_with_bad_rows(&store).await;
        let (mut bus, seen) = reservations_bus();

        // A dry run reports them and writes nothing.
        let report = store
            .replay()
            .policy(BadRowPolicy::DeadLetter)
            .dry_run(true)
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(report.dead_lettered.len(), 3);
        for d in &report.dead_lettered {
            assert_eq!(
                d.envelope,
                stored[d.global_position as usize - 1],
                "stored bytes"
            );
        }
        assert!(store.dead_letters().await.expect("read").is_empty());
        seen.lock().unwrap().clear();

        let report = store
            .replay()
            .policy(BadRowPolicy::DeadLetter)
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(report.handled, 2);
        assert_eq!(
            seen.lock()
                .unwrap()
                .iter()
                .map(|(q, _)| *q)
                .collect::<Vec<_>>(),
            [1, 5]
        );
        let dead = store.dead_letters().await.expect("read");
        assert_eq!(
            dead.iter()
                .map(|d| (d.global_position, d.reason_kind))
                .collect::<Vec<_>>(),
            [
                (2, "invalid_envelope"),
                (3, "unknown_type"),
                (4, "invalid_payload")
            ]
        );
        for d in &dead {
            assert_eq!(d.envelope, stored[d.global_position as usize - 1]);
            assert_eq!(d.stream_id, "r");
            assert!(!d.reason.is_empty());
        }
        assert_eq!(report.dead_lettered, dead);
    })
    .await;
}

#[tokio::test]
async fn a_failed_upcast_is_a_bad_row() {
    with_store(|store| async move {
        let row = |count: &str| {
            serde_json::to_vec(&json!({
                "specversion": "1.0",
                "id": format!("stock-{count}"),
                "source": "/legacy",
                "type": "com.example.upcasts.stock_counted.v1",
                "dataversion": "1.0.0",
                "data": {
                    "count": count,
                    "level": "high",
                    "place": { "aisle": 4, "shelf": "B" },
                    "items": [{ "sku": "A-1", "weight": 3 }],
                    "checked": false
                }
            }))
            .expect("json")
        };
        store
            .append_raw(
                "stock",
                ExpectedVersion::Any,
                &[row("12"), row("twelve"), row("7")],
            )
            .await
            .expect("appended");
        let counts = Arc::new(Mutex::new(Vec::new()));
        let mut bus = upcasts::Bus::new(publisher());
        let sink = counts.clone();
        bus.subscribe::<upcasts::StockCounted>(move |event, _| {
            sink.lock().unwrap().push(event.count);
            Ok(())
        });
        let error = store.replay().run(&mut bus).await.expect_err("stops");
        assert!(
            matches!(&error, StoreError::BadRow { global_position: 2, source }
                if matches!(source.reason(), Reason::UpcastFailed { .. })),
            "{error}"
        );
        counts.lock().unwrap().clear();
        let report = store
            .replay()
            .policy(BadRowPolicy::DeadLetter)
            .run(&mut bus)
            .await
            .expect("replayed");
        assert_eq!(*counts.lock().unwrap(), [12, 7]);
        assert_eq!(report.dead_lettered[0].reason_kind, "upcast_failed");
        assert_eq!(report.dead_lettered[0].envelope, row("twelve"));
    })
    .await;
}
