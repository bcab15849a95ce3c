//! Migrations: applied by the crate, a second time a no-op; bad schema
//! names refused with a typed error.

mod support;

use evc_store::{SchemaName, Store, StoreError};
use support::with_store;

#[tokio::test]
async fn migrations_applied_twice_are_a_no_op() {
    with_store(|store| async move {
        let before = store.applied_migrations().await.expect("ledger");
        assert_eq!(before, vec![1]);
        store.migrate().await.expect("second run");
        // Concurrent runs wait on the lock and find nothing to do.
        let (a, b) = tokio::join!(store.migrate(), store.migrate());
        a.expect("concurrent run");
        b.expect("concurrent run");
        assert_eq!(store.applied_migrations().await.expect("ledger"), before);
        assert_eq!(store.stream_version("s").await.expect("usable"), 0);
    })
    .await;
}

#[tokio::test]
async fn bad_schema_names_are_refused() {
    with_store(|store| async move {
        for name in [
            "",
            "Orders",
            "1orders",
            "pg_catalog",
            "x\"; DROP TABLE y; --",
            "a b",
            &"a".repeat(53),
        ] {
            let error = Store::new(store.pool().clone(), name).expect_err(name);
            assert!(
                matches!(&error, StoreError::InvalidSchemaName { name: n } if n == name),
                "{error}"
            );
            assert!(error.to_string().contains("not a usable schema name"));
        }
        Store::new(store.pool().clone(), "orders_2").expect("a good name");
        // The longest name still has room for its notification channel.
        let longest = "a".repeat(SchemaName::MAX_LEN);
        let long = Store::new(store.pool().clone(), longest.as_str()).expect("the longest name");
        long.migrate().await.expect("migrated");
        long.append(
            "s",
            evc_store::ExpectedVersion::NoStream,
            &[support::order_created_envelope(0)],
        )
        .await
        .expect("an append notifies on its channel");
        sqlx::query(&format!("DROP SCHEMA \"{longest}\" CASCADE"))
            .execute(store.pool())
            .await
            .expect("dropped");
    })
    .await;
}
