//! evc contracts on PostgreSQL.
//!
//! - [`Store`]: append-only streams of CloudEvents envelopes, kept as the
//!   bytes written, with an expected version on every append
//!   ([`ExpectedVersion`]); read a stream forwards or backwards, or every
//!   stream from a global position.
//! - [`Replay`]: stored rows through a generated dispatch table, so older
//!   versions reach the current handlers upcast, exactly as off a broker;
//!   bad rows go to a [`BadRowPolicy`].
//! - [`CatchUp`]: a named subscriber with a durable checkpoint that reads
//!   what it missed, then follows live appends.
//! - [`Outbox`] and [`Relay`]: messages written in the caller's own
//!   transaction, then published through any `evc-transport` publisher.
//! - [`Aggregate`]: state folded from its stream, commands deciding new
//!   events, appended under optimistic concurrency.
//!
//! Every table lives in one PostgreSQL schema of the caller's choosing;
//! [`Store::migrate`] creates it. Queries are built at run time, so
//! building needs no database. docs/store.md in the repository has the
//! semantics.

mod aggregate;
mod error;
mod events;
mod migrate;
mod outbox;
mod replay;
mod subscription;

pub use aggregate::{Aggregate, Decision, Executed};
pub use error::StoreError;
pub use events::{Direction, ExpectedVersion, RecordedEvent};
pub use outbox::{Outbox, Relay, RelayReport, MAX_BACKOFF};
pub use replay::{BadRow, BadRowPolicy, Replay, ReplayReport, Selection, Start};
pub use subscription::CatchUp;

pub use sqlx;

use sqlx::PgPool;

/// A PostgreSQL schema name, checked once: lowercase ASCII letters, digits
/// and `_`, not starting with a digit, at most [`SchemaName::MAX_LEN`]
/// bytes: PostgreSQL's identifier limit is 63, and the schema's
/// LISTEN/NOTIFY channel (`evc_events_<schema>`) must fit in it too. It is
/// still quoted wherever it is used, so the check is about clear errors,
/// not about injection alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

impl SchemaName {
    /// 63 bytes less the channel's `evc_events_` prefix.
    pub const MAX_LEN: usize = 63 - CHANNEL_PREFIX.len();

    pub fn new(name: impl Into<String>) -> Result<Self, StoreError> {
        let name = name.into();
        let valid = !name.is_empty()
            && name.len() <= Self::MAX_LEN
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && !name.starts_with("pg_")
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(SchemaName(name))
        } else {
            Err(StoreError::InvalidSchemaName { name })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as a quoted SQL identifier.
    pub(crate) fn quoted(&self) -> String {
        format!("\"{}\"", self.0.replace('"', "\"\""))
    }

    /// `"schema"."table"`.
    pub(crate) fn table(&self, table: &str) -> String {
        format!("{}.\"{table}\"", self.quoted())
    }

    /// The LISTEN/NOTIFY channel of appends to this schema's streams.
    pub(crate) fn channel(&self) -> String {
        format!("{CHANNEL_PREFIX}{}", self.0)
    }
}

const CHANNEL_PREFIX: &str = "evc_events_";

impl std::fmt::Display for SchemaName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The event store, outbox and checkpoints of one schema, over a pool.
/// Clones share the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: PgPool,
    schema: SchemaName,
}

impl Store {
    /// A store over `pool` in `schema`; call [`Store::migrate`] before use.
    pub fn new(pool: PgPool, schema: &str) -> Result<Self, StoreError> {
        Ok(Store {
            pool,
            schema: SchemaName::new(schema)?,
        })
    }

    /// Connects to `url` and applies the migrations.
    pub async fn connect(url: &str, schema: &str) -> Result<Self, StoreError> {
        let schema = SchemaName::new(schema)?;
        let pool = PgPool::connect(url).await.map_err(StoreError::Database)?;
        let store = Store { pool, schema };
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn schema(&self) -> &SchemaName {
        &self.schema
    }

    /// Creates the schema and applies the embedded migrations not applied
    /// yet, under a transaction-scoped advisory lock, so that services
    /// starting together do not race; applying them again is a no-op.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrate::run(&self.pool, &self.schema).await
    }

    /// The migrations applied to this schema, by version.
    pub async fn applied_migrations(&self) -> Result<Vec<i32>, StoreError> {
        migrate::applied(&self.pool, &self.schema).await
    }

    /// The outbox of this store's schema, stamping messages with `source`.
    pub fn outbox(&self, source: impl Into<String>) -> Outbox {
        Outbox::new(self.schema.clone(), source)
    }
}

/// Whether `future` has completed, polled once without waiting. Once it
/// says so the caller stops: a finished future is never polled again.
pub(crate) fn finished<F: std::future::Future>(future: std::pin::Pin<&mut F>) -> bool {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    future.poll(&mut context).is_ready()
}
