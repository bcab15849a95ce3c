//! Append-only streams.

use std::fmt;

use chrono::{DateTime, Utc};
use evc_runtime::{Envelope, EnvelopeRef};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::{Store, StoreError};

/// What an append expects the stream's version (its last position, 0 when
/// it has no event) to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Whatever it is.
    Any,
    /// The stream has no event yet.
    NoStream,
    /// The stream's last position is exactly this.
    Exact(u64),
}

impl ExpectedVersion {
    fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exact(n) => actual == n,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exact(n) => write!(f, "version {n}"),
        }
    }
}

/// Which way a stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forwards,
    Backwards,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Position among every event of the store, from 1, in commit order
    /// (gaps are possible: a rolled-back append uses positions up).
    pub global_position: u64,
    pub stream_id: String,
    /// Position in its stream, from 1, without gaps.
    pub stream_position: u64,
    /// The envelope's `type`, as written (an older major stays older).
    pub wire_type: String,
    /// The envelope's `dataversion`.
    pub version: Option<String>,
    /// The envelope's `id`.
    pub message_id: String,
    /// The envelope exactly as appended.
    pub envelope: Vec<u8>,
    pub recorded_at: DateTime<Utc>,
}

pub(crate) const COLUMNS: &str =
    "global_position, stream_id, stream_position, wire_type, version, message_id, envelope, recorded_at";

impl RecordedEvent {
    pub(crate) fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(RecordedEvent {
            global_position: row.try_get::<i64, _>(0)? as u64,
            stream_id: row.try_get(1)?,
            stream_position: row.try_get::<i64, _>(2)? as u64,
            wire_type: row.try_get(3)?,
            version: row.try_get(4)?,
            message_id: row.try_get(5)?,
            envelope: row.try_get(6)?,
            recorded_at: row.try_get(7)?,
        })
    }
}

/// Positions never exceed `i64::MAX` in PostgreSQL; a larger bound means
/// "to the end".
pub(crate) fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// Appends envelopes to `stream` if its version is `expected`; returns
    /// the stream's new version. Appends are serialised per schema (a
    /// transaction-scoped advisory lock) so that global positions commit in
    /// order: a catch-up reader never sees position 9 before 8.
    pub async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        envelopes: &[Envelope],
    ) -> Result<u64, StoreError> {
        let bytes: Vec<Vec<u8>> = envelopes.iter().map(Envelope::to_vec).collect();
        self.append_raw(stream, expected, &bytes).await
    }

    /// [`Store::append`] for envelopes already serialised: each is kept
    /// byte for byte, after a check that it is one.
    pub async fn append_raw(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        envelopes: &[Vec<u8>],
    ) -> Result<u64, StoreError> {
        let mut types = Vec::with_capacity(envelopes.len());
        let mut versions = Vec::with_capacity(envelopes.len());
        let mut ids = Vec::with_capacity(envelopes.len());
        for (index, bytes) in envelopes.iter().enumerate() {
            let envelope = EnvelopeRef::parse(bytes)
                .map_err(|source| StoreError::InvalidEnvelope { index, source })?;
            types.push(envelope.ty.into_owned());
            versions.push(envelope.dataversion.map(|v| v.into_owned()));
            ids.push(envelope.id.into_owned());
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('evc-store-append'), hashtext($1))")
            .bind(self.schema.as_str())
            .execute(&mut *tx)
            .await?;
        let events = self.schema.table("events");
        let actual: i64 = sqlx::query(&format!(
            "SELECT coalesce(max(stream_position), 0) FROM {events} WHERE stream_id = $1"
        ))
        .bind(stream)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let actual = actual as u64;
        if !expected.admits(actual) {
            return Err(StoreError::WrongExpectedVersion {
                stream: stream.to_owned(),
                expected,
                actual,
            });
        }
        if envelopes.is_empty() {
            return Ok(actual);
        }
        let positions: Vec<i64> = (1..=envelopes.len() as i64)
            .map(|i| actual as i64 + i)
            .collect();
        let sequence = self.schema.table("events_global_position");
        let last: Option<i64> = sqlx::query(&format!(
            "INSERT INTO {events}
                (global_position, stream_id, stream_position, wire_type, version, message_id, envelope)
             SELECT nextval('{sequence}'), $1, p, t, v, i, e
             FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bytea[])
                 WITH ORDINALITY AS u(p, t, v, i, e, n)
             ORDER BY n
             RETURNING global_position"
        ))
        .bind(stream)
        .bind(&positions)
        .bind(&types)
        .bind(&versions)
        .bind(&ids)
        .bind(envelopes)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.get::<i64, _>(0))
        .max();
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(self.schema.channel())
            .bind(last.unwrap_or_default().to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(actual + envelopes.len() as u64)
    }

    /// The stream's version: its last position, 0 when it has no event.
    pub async fn stream_version(&self, stream: &str) -> Result<u64, StoreError> {
        let events = self.schema.table("events");
        let version: i64 = sqlx::query(&format!(
            "SELECT coalesce(max(stream_position), 0) FROM {events} WHERE stream_id = $1"
        ))
        .bind(stream)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(version as u64)
    }

    /// Up to `limit` events of `stream`: forwards from position `from`
    /// (inclusive; 1 is the first), or backwards from it (`u64::MAX` is
    /// the last).
    pub async fn read_stream(
        &self,
        stream: &str,
        direction: Direction,
        from: u64,
        limit: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let events = self.schema.table("events");
        let (compare, order) = match direction {
            Direction::Forwards => (">=", "ASC"),
            Direction::Backwards => ("<=", "DESC"),
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {events}
             WHERE stream_id = $1 AND stream_position {compare} $2
             ORDER BY stream_position {order} LIMIT $3"
        ))
        .bind(stream)
        .bind(clamp(from))
        .bind(clamp(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(RecordedEvent::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Up to `limit` events of every stream after global position `after`
    /// (exclusive; 0 reads from the start), in global order.
    pub async fn read_all(&self, after: u64, limit: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        let events = self.schema.table("events");
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {events} WHERE global_position > $1
             ORDER BY global_position LIMIT $2"
        ))
        .bind(clamp(after))
        .bind(clamp(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(RecordedEvent::from_row)
            .collect::<Result<_, _>>()?)
    }
}
