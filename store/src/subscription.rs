//! Catch-up subscriptions with a durable checkpoint.

use std::future::Future;
use std::time::Duration;

use evc_runtime::Dispatch;
use sqlx::postgres::{PgConnection, PgListener};
use sqlx::Connection;
use sqlx::Row;

use crate::events::clamp;
use crate::replay::{fetch, handle_rows, record};
use crate::{BadRowPolicy, Outbox, Selection, Store, StoreError};

/// A named subscriber: it reads every selected row after its checkpoint,
/// in global order, through a dispatch table, and moves the checkpoint on
/// after each page, in the transaction that writes the page's dead letters
/// and emitted messages. Stopped and started again under the same name, it
/// continues after the last row it finished; a crash between a handler
/// and the checkpoint hands that page's rows to the handlers again
/// (at-least-once).
///
/// Live appends are followed with LISTEN/NOTIFY (every append notifies
/// the schema's channel in its transaction) and, as a fallback for a lost
/// listener connection or a missed notification, a poll every
/// [`CatchUp::poll_interval`] (1 s by default).
pub struct CatchUp {
    store: Store,
    name: String,
    selection: Selection,
    policy: BadRowPolicy,
    outbox: Option<Outbox>,
    batch: u64,
    poll: Duration,
}

impl CatchUp {
    pub fn new(store: &Store, name: impl Into<String>) -> Self {
        CatchUp {
            store: store.clone(),
            name: name.into(),
            selection: Selection::All,
            policy: BadRowPolicy::Stop,
            outbox: None,
            batch: 256,
            poll: Duration::from_secs(1),
        }
    }

    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    pub fn policy(mut self, policy: BadRowPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Writes what handlers emit into `outbox`, with the checkpoint.
    pub fn emit_into(mut self, outbox: Outbox) -> Self {
        self.outbox = Some(outbox);
        self
    }

    pub fn batch_size(mut self, batch: u64) -> Self {
        self.batch = batch.max(1);
        self
    }

    pub fn poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The last global position this subscriber finished, 0 before its
    /// first row.
    pub async fn checkpoint(&self) -> Result<u64, StoreError> {
        let checkpoints = self.store.schema.table("checkpoints");
        let row = sqlx::query(&format!(
            "SELECT global_position FROM {checkpoints} WHERE subscriber = $1"
        ))
        .bind(&self.name)
        .fetch_optional(&self.store.pool)
        .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>(0)? as u64,
            None => 0,
        })
    }

    /// Handles every selected row committed after the checkpoint; returns
    /// how many reached handlers.
    pub async fn catch_up(&self, dispatch: &mut dyn Dispatch) -> Result<u64, StoreError> {
        self.pages(dispatch, || true).await
    }

    /// [`CatchUp::catch_up`], asking `go_on` before each page.
    async fn pages(
        &self,
        dispatch: &mut dyn Dispatch,
        mut go_on: impl FnMut() -> bool,
    ) -> Result<u64, StoreError> {
        let mut after = self.checkpoint().await?;
        let mut handled = 0;
        while go_on() {
            let rows = fetch(&self.store, &self.selection, after, None, self.batch).await?;
            if rows.is_empty() {
                return Ok(handled);
            }
            let outcome = handle_rows(&rows, dispatch, self.policy, false);
            handled += outcome.handled;
            if let Some(last) = outcome.last_position {
                let mut tx = self.store.pool.begin().await?;
                record(
                    &mut tx,
                    &self.store,
                    Some(&self.name),
                    &outcome,
                    self.outbox.as_ref(),
                )
                .await?;
                let checkpoints = self.store.schema.table("checkpoints");
                sqlx::query(&format!(
                    "INSERT INTO {checkpoints} (subscriber, global_position) VALUES ($1, $2)
                     ON CONFLICT (subscriber) DO UPDATE
                     SET global_position = GREATEST({checkpoints}.global_position, excluded.global_position),
                         updated_at = now()"
                ))
                .bind(&self.name)
                .bind(clamp(last))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                after = last;
            }
            if let Some(error) = outcome.error {
                return Err(error);
            }
        }
        Ok(handled)
    }

    /// Catches up, then follows live appends until `stop` completes. It is
    /// looked at between pages, also while catching up on a long backlog,
    /// so the checkpoint always names the last row handled.
    ///
    /// One instance per name runs at a time: it holds a session advisory
    /// lock on (schema, name) on a connection of its own, and a second
    /// instance under the same name waits as a standby (checking every poll
    /// interval) until the first stops or its connection drops.
    pub async fn run(
        &self,
        dispatch: &mut dyn Dispatch,
        stop: impl Future<Output = ()>,
    ) -> Result<(), StoreError> {
        tokio::pin!(stop);
        let Some(lease) = self.lease(stop.as_mut()).await? else {
            return Ok(());
        };
        let result = self.follow(dispatch, stop).await;
        // Closing the connection releases the lock for a standby.
        if let Err(error) = lease.close().await {
            tracing::warn!(%error, subscriber = %self.name, "closing the subscriber's lock connection");
        }
        result
    }

    /// Waits until this instance holds the name's lock; `None` when `stop`
    /// came first.
    async fn lease<F: Future<Output = ()>>(
        &self,
        mut stop: std::pin::Pin<&mut F>,
    ) -> Result<Option<PgConnection>, StoreError> {
        let mut connection = PgConnection::connect_with(&self.store.pool.connect_options()).await?;
        loop {
            let held: bool = sqlx::query_scalar(
                "SELECT pg_try_advisory_lock(hashtext('evc-catch-up:' || $1), hashtext($2))",
            )
            .bind(self.store.schema.as_str())
            .bind(&self.name)
            .fetch_one(&mut connection)
            .await?;
            if held {
                return Ok(Some(connection));
            }
            tokio::select! {
                () = &mut stop => {
                    let _ = connection.close().await;
                    return Ok(None);
                }
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    async fn follow<F: Future<Output = ()>>(
        &self,
        dispatch: &mut dyn Dispatch,
        mut stop: std::pin::Pin<&mut F>,
    ) -> Result<(), StoreError> {
        let mut listener = self.listen().await;
        loop {
            let mut stopped = false;
            self.pages(dispatch, || {
                stopped = stopped || crate::finished(stop.as_mut());
                !stopped
            })
            .await?;
            if stopped {
                return Ok(());
            }
            let notified = async {
                match listener.as_mut() {
                    Some(l) => l.try_recv().await.map(|_| ()),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut stop => return Ok(()),
                received = notified => {
                    if let Err(error) = received {
                        tracing::warn!(%error, subscriber = %self.name,
                            "lost the notification connection; polling until it is back");
                        listener = None;
                    }
                }
                () = tokio::time::sleep(self.poll) => {
                    if listener.is_none() {
                        listener = self.listen().await;
                    }
                }
            }
        }
    }

    async fn listen(&self) -> Option<PgListener> {
        let result = async {
            let mut listener = PgListener::connect_with(&self.store.pool).await?;
            listener.listen(&self.store.schema.channel()).await?;
            Ok::<_, sqlx::Error>(listener)
        }
        .await;
        match result {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, subscriber = %self.name,
                    "cannot LISTEN for appends; polling instead");
                None
            }
        }
    }
}
