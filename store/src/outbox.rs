//! The transactional outbox and its relay.

use std::future::Future;
use std::time::Duration;

use evc_runtime::{Contract, Envelope};
use evc_transport::{ContentMode, Producer, Publisher};
use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};

use crate::{SchemaName, Store, StoreError};

/// Writes messages into the outbox table inside the caller's transaction:
/// they exist exactly when the business change they describe commits.
#[derive(Debug, Clone)]
pub struct Outbox {
    schema: SchemaName,
    stamper: evc_runtime::Publisher,
}

impl Outbox {
    pub(crate) fn new(schema: SchemaName, source: impl Into<String>) -> Self {
        Outbox {
            schema,
            stamper: evc_runtime::Publisher::new(source),
        }
    }

    /// Stamps `message` (type, version, a fresh id, time, this outbox's
    /// source) and writes it in `tx`, in the stream named by its wire type;
    /// returns the envelope the relay will publish.
    pub async fn append<T: Contract>(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        message: &T,
    ) -> Result<Envelope, StoreError> {
        self.append_to(tx, T::WIRE_TYPE, message).await
    }

    /// [`Outbox::append`] in the stream `stream`: the relay publishes the
    /// rows of one stream in the order they were written (an order id,
    /// say, keeps the messages of one order in order).
    pub async fn append_to<T: Contract>(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        stream: &str,
        message: &T,
    ) -> Result<Envelope, StoreError> {
        let envelope = self
            .stamper
            .envelope(message)
            .map_err(StoreError::Payload)?;
        self.append_envelope(tx, stream, &envelope).await?;
        Ok(envelope)
    }

    /// Writes an envelope built elsewhere, keeping its id.
    pub async fn append_envelope(
        &self,
        conn: &mut PgConnection,
        stream: &str,
        envelope: &Envelope,
    ) -> Result<(), StoreError> {
        // Writers of one stream take turns until they commit, so row ids
        // (the relay's order) follow commit order within a stream: two
        // transactions could otherwise commit their rows the other way
        // round. The lock (a key of its own, apart from the relay's) is
        // taken in the INSERT's own statement, before its id is drawn: no
        // extra round trip per message.
        let outbox = self.schema.table("outbox");
        sqlx::query(&format!(
            "WITH turn AS (
                 SELECT pg_advisory_xact_lock(hashtext('evc-outbox-write:' || $5), hashtext($1))
             )
             INSERT INTO {outbox} (stream_id, message_id, wire_type, envelope)
             SELECT $1, $2, $3, $4 FROM turn"
        ))
        .bind(stream)
        .bind(&envelope.id)
        .bind(&envelope.ty)
        .bind(envelope.to_vec())
        .bind(self.schema.as_str())
        .execute(conn)
        .await?;
        Ok(())
    }
}

impl Store {
    /// How many outbox rows wait for the relay.
    pub async fn outbox_pending(&self) -> Result<u64, StoreError> {
        let outbox = self.schema.table("outbox");
        let n: i64 = sqlx::query(&format!(
            "SELECT count(*) FROM {outbox} WHERE sent_at IS NULL"
        ))
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(n as u64)
    }
}

/// What one relay pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RelayReport {
    /// Rows published and marked sent.
    pub published: u64,
}

/// Publishes pending outbox rows through an `evc-transport` publisher.
///
/// Each pass, in one transaction: takes a transaction-scoped advisory lock
/// on the streams of the oldest pending rows (skipping streams another
/// relay holds), then claims up to a batch of those streams' pending rows
/// with `FOR UPDATE SKIP LOCKED`, so that a second relay skips both the
/// rows and the streams in flight here (and cannot publish row 6 of a
/// stream while row 5 is still on its way); publishes them in id order, each
/// waiting for the broker's acknowledgement; marks them sent; commits. A
/// relay that dies mid-pass rolls back: its rows are pending again and
/// the next pass publishes them again, with the same bytes and so the
/// same CloudEvents id, for consumers to deduplicate (at-least-once).
pub struct Relay<P> {
    pool: PgPool,
    schema: SchemaName,
    producer: Producer<P>,
    batch: i64,
    poll: Duration,
}

impl<P: Publisher> Relay<P> {
    pub fn new(store: &Store, broker: P) -> Self {
        Relay {
            pool: store.pool.clone(),
            schema: store.schema.clone(),
            producer: Producer::new(broker, ""),
            batch: 100,
            poll: Duration::from_millis(200),
        }
    }

    pub fn batch_size(mut self, batch: u32) -> Self {
        self.batch = i64::from(batch.max(1));
        self
    }

    /// How long [`Relay::run`] waits after a pass that found nothing.
    pub fn poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    pub fn content_mode(mut self, mode: ContentMode) -> Self {
        self.producer = self.producer.content_mode(mode);
        self
    }

    pub fn broker(&self) -> &P {
        self.producer.broker()
    }

    /// One pass: claims, publishes and marks sent up to a batch of rows.
    /// On a broker failure the rows published before it are marked sent
    /// and the error returned; the rest stay pending.
    pub async fn run_once(&self) -> Result<RelayReport, StoreError> {
        let outbox = self.schema.table("outbox");
        let mut tx = self.pool.begin().await?;
        // The streams of the oldest pending rows, locked first and in a
        // statement of their own: the rows are read by a later statement,
        // whose snapshot sees everything a relay that held one of these
        // streams before committed. Locking inside the row query instead
        // would let it test a stream's lock on row 5 while another relay
        // still held it and on row 6 after it let go, and publish 6 first.
        let candidates = sqlx::query(&format!(
            "SELECT stream_id FROM {outbox} WHERE sent_at IS NULL ORDER BY id LIMIT $1"
        ))
        .bind(self.batch)
        .fetch_all(&mut *tx)
        .await?;
        let mut streams: Vec<String> = Vec::new();
        for row in &candidates {
            let stream: String = row.try_get(0)?;
            if !streams.contains(&stream) {
                streams.push(stream);
            }
        }
        let locked: Vec<String> = sqlx::query(
            "SELECT s FROM unnest($2::text[]) WITH ORDINALITY AS u(s, n)
             WHERE pg_try_advisory_xact_lock(hashtext('evc-outbox:' || $1), hashtext(s))
             ORDER BY n",
        )
        .bind(self.schema.as_str())
        .bind(&streams)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
        if locked.is_empty() {
            tx.commit().await?;
            return Ok(RelayReport::default());
        }
        let rows = sqlx::query(&format!(
            "SELECT id, envelope FROM {outbox}
             WHERE sent_at IS NULL AND stream_id = ANY($1)
             ORDER BY id LIMIT $2
             FOR UPDATE SKIP LOCKED"
        ))
        .bind(&locked)
        .bind(self.batch)
        .fetch_all(&mut *tx)
        .await?;
        let mut sent = Vec::with_capacity(rows.len());
        let mut failure = None;
        for row in &rows {
            let id: i64 = row.try_get(0)?;
            let bytes: Vec<u8> = row.try_get(1)?;
            let envelope = match Envelope::parse(&bytes) {
                Ok(envelope) => envelope,
                Err(source) => {
                    failure = Some(StoreError::CorruptOutboxRow {
                        outbox_id: id,
                        source,
                    });
                    break;
                }
            };
            if let Err(source) = self.producer.publish_envelope(&envelope).await {
                failure = Some(StoreError::Publish {
                    outbox_id: id,
                    source,
                });
                break;
            }
            sent.push(id);
        }
        if !sent.is_empty() {
            sqlx::query(&format!(
                "UPDATE {outbox} SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)"
            ))
            .bind(&sent)
            .execute(&mut *tx)
            .await?;
        }
        // A row the broker refused counts its attempt too, for whoever
        // looks into rows that stay pending.
        if let Some(StoreError::Publish { outbox_id, .. }) = &failure {
            sqlx::query(&format!(
                "UPDATE {outbox} SET attempts = attempts + 1 WHERE id = $1"
            ))
            .bind(outbox_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        match failure {
            Some(error) => Err(error),
            None => Ok(RelayReport {
                published: sent.len() as u64,
            }),
        }
    }

    /// Passes until one finds nothing to claim; returns how many rows were
    /// published. Rows another relay holds are left to it.
    pub async fn drain(&self) -> Result<u64, StoreError> {
        let mut published = 0;
        loop {
            let report = self.run_once().await?;
            if report.published == 0 {
                return Ok(published);
            }
            published += report.published;
        }
    }

    /// Relays until `stop` completes. A broker or database failure is
    /// logged and the pass retried, after the poll interval doubled per
    /// failure in a row (at most [`MAX_BACKOFF`]): a relay outlives a
    /// restarted broker or database. A row whose envelope no longer parses
    /// ends it with [`StoreError::CorruptOutboxRow`]: skipping it would
    /// publish the rest of its stream out of order.
    pub async fn run(&self, stop: impl Future<Output = ()>) -> Result<(), StoreError> {
        tokio::pin!(stop);
        let mut failures: u32 = 0;
        loop {
            let pause = match self.run_once().await {
                Ok(report) => {
                    failures = 0;
                    // After a pass that found work, the next starts at once.
                    (report.published == 0).then_some(self.poll)
                }
                Err(error @ (StoreError::Publish { .. } | StoreError::Database(_))) => {
                    failures = failures.saturating_add(1);
                    let pause = self
                        .poll
                        .saturating_mul(1 << failures.min(16))
                        .min(MAX_BACKOFF);
                    tracing::warn!(%error, failures, ?pause, "relay pass failed; retrying");
                    Some(pause)
                }
                Err(other) => return Err(other),
            };
            match pause {
                Some(pause) => tokio::select! {
                    () = &mut stop => return Ok(()),
                    () = tokio::time::sleep(pause) => {}
                },
                None if crate::finished(stop.as_mut()) => return Ok(()),
                None => {}
            }
        }
    }
}

/// The longest pause between failed relay passes.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
