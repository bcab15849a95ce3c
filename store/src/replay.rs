//! Stored rows through a generated dispatch table.

use chrono::{DateTime, Utc};
use evc_runtime::{Dispatch, Envelope, Reason};
use sqlx::{PgConnection, Postgres, Transaction};

use crate::events::clamp;
use crate::{Outbox, Store, StoreError};

/// Which rows a replay or subscription reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    /// Every stream.
    #[default]
    All,
    /// One stream.
    Stream(String),
    /// Rows of these wire types (an older major is a type of its own:
    /// [`Selection::handled_by`] lists every major a table takes).
    Types(Vec<String>),
}

impl Selection {
    /// The wire types `dispatch` has handlers for, older majors included.
    pub fn handled_by(dispatch: &dyn Dispatch) -> Self {
        Selection::Types(
            dispatch
                .handled_types()
                .into_iter()
                .map(|(ty, _)| ty.to_owned())
                .collect(),
        )
    }
}

/// Where a replay starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Start {
    #[default]
    Beginning,
    /// From this global position, inclusive.
    Position(u64),
    /// From the first row recorded at or after this time.
    Time(DateTime<Utc>),
}

/// What happens to a row that cannot reach a handler: its envelope does not
/// parse, its type is unknown or of a major this build cannot decode, its
/// payload breaks the contract, or its upcast fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRowPolicy {
    /// Stop with [`StoreError::BadRow`] naming the row's global position.
    #[default]
    Stop,
    /// Move it into the `dead_letters` table (reason and original bytes)
    /// and go on.
    DeadLetter,
}

/// A row that went to the dead-letter table (or would have, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub global_position: u64,
    pub stream_id: String,
    /// [`Reason::kind`]: `invalid_envelope`, `unknown_type`, ...
    pub reason_kind: &'static str,
    pub reason: String,
    /// The row's bytes as stored.
    pub envelope: Vec<u8>,
}

/// What a replay did.
#[derive(Debug, Default)]
pub struct ReplayReport {
    /// Rows whose handlers ran.
    pub handled: u64,
    /// Rows of commands nobody in the table handles: not bad data, not run.
    pub unhandled: u64,
    pub dead_lettered: Vec<BadRow>,
    /// What the handlers emitted, in order: in a dry run this is the only
    /// place it goes.
    pub emitted: Vec<Envelope>,
    /// The global position of the last row read.
    pub last_position: Option<u64>,
}

/// Reads stored rows in global order and runs them through a dispatch
/// table: older versions arrive upcast, as off a broker.
pub struct Replay<'s> {
    store: &'s Store,
    selection: Selection,
    start: Start,
    policy: BadRowPolicy,
    dry_run: bool,
    outbox: Option<Outbox>,
    batch: u64,
}

impl Store {
    /// A replay of every stream from the beginning; narrow it with the
    /// builder methods.
    pub fn replay(&self) -> Replay<'_> {
        Replay {
            store: self,
            selection: Selection::All,
            start: Start::Beginning,
            policy: BadRowPolicy::Stop,
            dry_run: false,
            outbox: None,
            batch: 512,
        }
    }
}

impl Replay<'_> {
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    pub fn start(mut self, start: Start) -> Self {
        self.start = start;
        self
    }

    pub fn policy(mut self, policy: BadRowPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Handlers run and what they emit is collected in the report; nothing
    /// is written: no dead letters, no outbox rows.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Writes what handlers emit into `outbox` (stream: the row's stream),
    /// in the transaction that records the batch's dead letters. Ignored in
    /// a dry run.
    pub fn emit_into(mut self, outbox: Outbox) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// Rows read per query.
    pub fn batch_size(mut self, batch: u64) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Runs the replay to the last row committed when each page is read.
    pub async fn run(self, dispatch: &mut dyn Dispatch) -> Result<ReplayReport, StoreError> {
        let mut report = ReplayReport::default();
        let mut after = match self.start {
            Start::Position(p) => p.saturating_sub(1),
            Start::Beginning | Start::Time(_) => 0,
        };
        let since = match self.start {
            Start::Time(t) => Some(t),
            _ => None,
        };
        loop {
            let rows = fetch(self.store, &self.selection, after, since, self.batch).await?;
            let Some(last) = rows.last() else {
                return Ok(report);
            };
            after = last.global_position;
            let outcome = handle_rows(&rows, dispatch, self.policy, self.dry_run);
            report.handled += outcome.handled;
            report.unhandled += outcome.unhandled;
            report.last_position = outcome.last_position.or(report.last_position);
            let writes =
                !outcome.bad.is_empty() || (self.outbox.is_some() && !outcome.emitted.is_empty());
            if !self.dry_run && writes {
                let mut tx = self.store.pool.begin().await?;
                record(&mut tx, self.store, None, &outcome, self.outbox.as_ref()).await?;
                tx.commit().await?;
            }
            report
                .emitted
                .extend(outcome.emitted.into_iter().map(|(_, e)| e));
            report.dead_lettered.extend(outcome.bad);
            if let Some(error) = outcome.error {
                return Err(error);
            }
            if (rows.len() as u64) < self.batch {
                return Ok(report);
            }
        }
    }
}

/// What a replay needs of a row: the rest of [`crate::RecordedEvent`] is
/// not read, to keep the read path as lean as a raw `SELECT`.
pub(crate) struct StoredRow {
    pub global_position: u64,
    pub stream_id: String,
    pub envelope: Vec<u8>,
}

/// A page of rows after global position `after`.
pub(crate) async fn fetch(
    store: &Store,
    selection: &Selection,
    after: u64,
    since: Option<DateTime<Utc>>,
    limit: u64,
) -> Result<Vec<StoredRow>, StoreError> {
    let events = store.schema.table("events");
    let mut filter = String::from("global_position > $1");
    match selection {
        Selection::All => {}
        Selection::Stream(_) => filter.push_str(" AND stream_id = $3"),
        Selection::Types(_) => filter.push_str(" AND wire_type = ANY($3)"),
    }
    if since.is_some() {
        filter.push_str(" AND recorded_at >= $4");
    }
    let sql =
        format!("SELECT global_position, stream_id, envelope FROM {events} WHERE {filter} ORDER BY global_position LIMIT $2");
    let mut query = sqlx::query(&sql).bind(clamp(after)).bind(clamp(limit));
    query = match selection {
        Selection::All => query.bind(None::<String>),
        Selection::Stream(stream) => query.bind(stream),
        Selection::Types(types) => query.bind(types),
    };
    if let Some(since) = since {
        query = query.bind(since);
    }
    let rows = query.fetch_all(&store.pool).await?;
    rows.iter()
        .map(|row| {
            use sqlx::Row;
            Ok(StoredRow {
                global_position: row.try_get::<i64, _>(0)? as u64,
                stream_id: row.try_get(1)?,
                envelope: row.try_get(2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::Database)
}

/// What a page of rows did in the dispatch table.
#[derive(Default)]
pub(crate) struct Outcome {
    pub handled: u64,
    pub unhandled: u64,
    pub bad: Vec<BadRow>,
    /// Emitted envelopes with the stream of the row that caused them.
    pub emitted: Vec<(String, Envelope)>,
    /// The last row fully dealt with (handled, unhandled or dead-lettered).
    pub last_position: Option<u64>,
    /// Why the page stopped early.
    pub error: Option<StoreError>,
}

pub(crate) fn handle_rows(
    rows: &[StoredRow],
    dispatch: &mut dyn Dispatch,
    policy: BadRowPolicy,
    dry_run: bool,
) -> Outcome {
    let mut outcome = Outcome::default();
    for row in rows {
        let result = if dry_run {
            dispatch.dispatch(&marked_dry_run(&row.envelope))
        } else {
            dispatch.dispatch(&row.envelope)
        };
        match result {
            Ok(emitted) => {
                outcome.handled += 1;
                outcome
                    .emitted
                    .extend(emitted.into_iter().map(|e| (row.stream_id.clone(), e)));
            }
            Err(error) => match error.reason() {
                Reason::NoHandler { .. } => outcome.unhandled += 1,
                Reason::HandlerFailed { .. } => {
                    outcome.error = Some(StoreError::HandlerFailed {
                        global_position: row.global_position,
                        source: error,
                    });
                    return outcome;
                }
                _ => match policy {
                    BadRowPolicy::Stop => {
                        outcome.error = Some(StoreError::BadRow {
                            global_position: row.global_position,
                            source: error,
                        });
                        return outcome;
                    }
                    BadRowPolicy::DeadLetter => {
                        tracing::warn!(
                            global_position = row.global_position,
                            stream = %row.stream_id,
                            reason = %error,
                            "stored row moved to the dead letters"
                        );
                        outcome.bad.push(BadRow {
                            global_position: row.global_position,
                            stream_id: row.stream_id.clone(),
                            reason_kind: error.reason().kind(),
                            reason: error.to_string(),
                            envelope: row.envelope.clone(),
                        });
                    }
                },
            },
        }
        outcome.last_position = Some(row.global_position);
    }
    outcome
}

/// The row's envelope with the CloudEvents extension `dryrun: true`, so
/// handlers see [`evc_runtime::Context::dry_run`] in a dry-run replay as they
/// would for a dry-run command. Bytes that are not a JSON object go through
/// unchanged, to fail in dispatch as they would otherwise; a bad row keeps
/// its stored bytes either way.
fn marked_dry_run(envelope: &[u8]) -> Vec<u8> {
    use evc_runtime::serde_json;
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(envelope) {
        Ok(mut object) => {
            object.insert(
                evc_runtime::dispatch::DRY_RUN_EXTENSION.to_owned(),
                serde_json::Value::Bool(true),
            );
            serde_json::to_vec(&object).unwrap_or_else(|_| envelope.to_vec())
        }
        Err(_) => envelope.to_vec(),
    }
}

/// Writes a page's dead letters and emitted messages.
pub(crate) async fn record(
    tx: &mut Transaction<'_, Postgres>,
    store: &Store,
    subscriber: Option<&str>,
    outcome: &Outcome,
    outbox: Option<&Outbox>,
) -> Result<(), StoreError> {
    let conn: &mut PgConnection = tx;
    if !outcome.bad.is_empty() {
        let dead_letters = store.schema.table("dead_letters");
        for bad in &outcome.bad {
            sqlx::query(&format!(
                "INSERT INTO {dead_letters}
                    (global_position, stream_id, subscriber, reason_kind, reason, envelope)
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ))
            .bind(clamp(bad.global_position))
            .bind(&bad.stream_id)
            .bind(subscriber)
            .bind(bad.reason_kind)
            .bind(&bad.reason)
            .bind(&bad.envelope)
            .execute(&mut *conn)
            .await?;
        }
    }
    if let Some(outbox) = outbox {
        for (stream, envelope) in &outcome.emitted {
            outbox.append_envelope(&mut *conn, stream, envelope).await?;
        }
    }
    Ok(())
}

impl Store {
    /// The rows moved to the dead-letter table, oldest first.
    pub async fn dead_letters(&self) -> Result<Vec<BadRow>, StoreError> {
        use sqlx::Row;
        let dead_letters = self.schema.table("dead_letters");
        let rows = sqlx::query(&format!(
            "SELECT global_position, stream_id, reason_kind, reason, envelope
             FROM {dead_letters} ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get(2)?;
                Ok(BadRow {
                    global_position: row.try_get::<i64, _>(0)? as u64,
                    stream_id: row.try_get(1)?,
                    reason_kind: reason_kind(&kind),
                    reason: row.try_get(3)?,
                    envelope: row.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::Database)
    }
}

/// The static name of a stored reason kind.
fn reason_kind(kind: &str) -> &'static str {
    [
        "invalid_envelope",
        "unknown_type",
        "unsupported_version",
        "invalid_payload",
        "upcast_failed",
        "no_handler",
        "handler_failed",
    ]
    .into_iter()
    .find(|k| *k == kind)
    .unwrap_or("other")
}
