//! Streams: expected versions, reads both ways and across streams, and
//! concurrent writers.

mod support;

use std::collections::BTreeSet;

use evc_store::{Direction, ExpectedVersion, StoreError};
use support::{order_created_envelope, with_store};

#[tokio::test]
async fn appends_and_reads() {
    with_store(|store| async move {
        let first: Vec<_> = (0..3).map(order_created_envelope).collect();
        let v = store
            .append("order-1", ExpectedVersion::NoStream, &first)
            .await
            .expect("appended");
        assert_eq!(v, 3);
        let v = store
            .append(
                "order-2",
                ExpectedVersion::Any,
                &[order_created_envelope(9)],
            )
            .await
            .expect("appended");
        assert_eq!(v, 1);
        let v = store
            .append(
                "order-1",
                ExpectedVersion::Exact(3),
                &[order_created_envelope(3)],
            )
            .await
            .expect("appended");
        assert_eq!(v, 4);

        let forwards = store
            .read_stream("order-1", Direction::Forwards, 1, 100)
            .await
            .expect("read");
        assert_eq!(
            forwards
                .iter()
                .map(|e| e.stream_position)
                .collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        // Kept byte for byte, with its type and version beside it.
        assert_eq!(forwards[0].envelope, first[0].to_vec());
        assert_eq!(forwards[0].message_id, first[0].id);
        assert_eq!(forwards[0].wire_type, "com.example.orders.order_created.v2");
        assert!(forwards[0].version.is_some());

        let backwards = store
            .read_stream("order-1", Direction::Backwards, u64::MAX, 2)
            .await
            .expect("read");
        assert_eq!(
            backwards
                .iter()
                .map(|e| e.stream_position)
                .collect::<Vec<_>>(),
            [4, 3]
        );

        let all = store.read_all(0, 100).await.expect("read");
        let globals: Vec<_> = all.iter().map(|e| e.global_position).collect();
        assert_eq!(globals, [1, 2, 3, 4, 5]);
        assert_eq!(all[3].stream_id, "order-2");
        let rest = store.read_all(3, 100).await.expect("read");
        assert_eq!(rest.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_conflict_names_both_versions() {
    with_store(|store| async move {
        store
            .append("s", ExpectedVersion::NoStream, &[order_created_envelope(1)])
            .await
            .expect("appended");
        for (expected, shown) in [
            (ExpectedVersion::NoStream, "no stream"),
            (ExpectedVersion::Exact(5), "version 5"),
        ] {
            let error = store
                .append("s", expected, &[order_created_envelope(2)])
                .await
                .expect_err("conflict");
            let StoreError::WrongExpectedVersion {
                stream,
                expected: e,
                actual,
            } = &error
            else {
                panic!("{error}");
            };
            assert_eq!((stream.as_str(), *e, *actual), ("s", expected, 1));
            assert_eq!(
                error.to_string(),
                format!("stream `s`: expected {shown}, but it is at version 1")
            );
        }
        let error = store
            .append(
                "empty",
                ExpectedVersion::Exact(1),
                &[order_created_envelope(2)],
            )
            .await
            .expect_err("conflict");
        assert!(matches!(
            error,
            StoreError::WrongExpectedVersion { actual: 0, .. }
        ));
        assert_eq!(store.stream_version("s").await.expect("version"), 1);
    })
    .await;
}

#[tokio::test]
async fn bytes_that_are_no_envelope_are_refused() {
    with_store(|store| async move {
        let error = store
            .append_raw("s", ExpectedVersion::Any, &[b"{\"id\":1}".to_vec()])
            .await
            .expect_err("refused");
        assert!(
            matches!(error, StoreError::InvalidEnvelope { index: 0, .. }),
            "{error}"
        );
        assert_eq!(store.stream_version("s").await.expect("version"), 0);
    })
    .await;
}

#[tokio::test]
async fn eight_concurrent_writers_lose_and_duplicate_nothing() {
    with_store(|store| async move {
        const WRITERS: u32 = 8;
        const EACH: u32 = 10;
        let mut tasks = Vec::new();
        for writer in 0..WRITERS {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut written = 0;
                let mut conflicts = 0;
                while written < EACH {
                    let version = store.stream_version("hot").await.expect("version");
                    let expected = if version == 0 {
                        ExpectedVersion::NoStream
                    } else {
                        ExpectedVersion::Exact(version)
                    };
                    let envelope = order_created_envelope(writer * 1000 + written);
                    match store.append("hot", expected, &[envelope]).await {
                        Ok(new) => {
                            assert!(new > version);
                            written += 1;
                        }
                        Err(StoreError::WrongExpectedVersion { actual, .. }) => {
                            assert_ne!(actual, version);
                            conflicts += 1;
                        }
                        Err(other) => panic!("{other}"),
                    }
                }
                conflicts
            }));
        }
        let mut conflicts = 0;
        for task in tasks {
            conflicts += task.await.expect("writer");
        }
        let events = store
            .read_stream("hot", Direction::Forwards, 1, 1000)
            .await
            .expect("read");
        let total = (WRITERS * EACH) as u64;
        assert_eq!(
            events.iter().map(|e| e.stream_position).collect::<Vec<_>>(),
            (1..=total).collect::<Vec<_>>(),
            "positions without gaps or repeats"
        );
        let ids: BTreeSet<_> = events.iter().map(|e| e.message_id.clone()).collect();
        assert_eq!(ids.len() as u64, total, "every write once");
        let globals: Vec<_> = events.iter().map(|e| e.global_position).collect();
        assert!(globals.windows(2).all(|w| w[0] < w[1]));
        println!("{conflicts} conflicts reported");
    })
    .await;
}
