use evc_runtime::{DispatchError, EnvelopeError};
use evc_transport::TransportError;

use crate::ExpectedVersion;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A schema name outside `[a-z_][a-z0-9_]*` (at most 52 bytes, no
    /// `pg_` prefix).
    #[error(
        "`{name}` is not a usable schema name: use lowercase ASCII letters, digits and `_`, \
         not starting with a digit or `pg_`, at most 52 bytes"
    )]
    InvalidSchemaName { name: String },
    /// The stream is not at the version the append expected.
    #[error("stream `{stream}`: expected {expected}, but it is at version {actual}")]
    WrongExpectedVersion {
        stream: String,
        expected: ExpectedVersion,
        /// The stream's version: its last position, 0 when it has none.
        actual: u64,
    },
    /// Bytes handed to an append are not a CloudEvents envelope.
    #[error("message {index} of the append is not an envelope: {source}")]
    InvalidEnvelope { index: usize, source: EnvelopeError },
    /// A stored row could not be handed to a handler and the policy is
    /// to stop: the row's global position and why.
    #[error(
        "the row at global position {global_position} cannot be handled ({}): {source}",
        source.reason().kind()
    )]
    BadRow {
        global_position: u64,
        source: DispatchError,
    },
    /// A handler failed on the row at this global position.
    #[error("a handler failed on the row at global position {global_position}: {source}")]
    HandlerFailed {
        global_position: u64,
        source: DispatchError,
    },
    /// A message could not be stamped (its payload breaks its contract).
    #[error("the message breaks its contract: {0}")]
    Payload(#[source] evc_runtime::PayloadError),
    /// The relay's publisher refused the outbox row `outbox_id`.
    #[error("outbox row {outbox_id} was not published: {source}")]
    Publish {
        outbox_id: i64,
        source: TransportError,
    },
    /// A stored envelope of the outbox no longer parses.
    #[error("outbox row {outbox_id} holds no envelope: {source}")]
    CorruptOutboxRow {
        outbox_id: i64,
        source: EnvelopeError,
    },
    /// An aggregate's own command handler refused the command.
    #[error("the command was rejected: {0}")]
    Rejected(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A migration failed.
    #[error("migration {version} failed: {source}")]
    Migration { version: i32, source: sqlx::Error },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
