use std::fmt;

use evc_runtime::{DispatchError, EnvelopeError};
use evc_transport::TransportError;

use crate::ExpectedVersion;

/// Why a store operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// A schema name outside `[a-z_][a-z0-9_]*` (at most 52 bytes, no
    /// `pg_` prefix).
    InvalidSchemaName {
        name: String,
    },
    /// The stream is not at the version the append expected.
    WrongExpectedVersion {
        stream: String,
        expected: ExpectedVersion,
        /// The stream's version: its last position, 0 when it has none.
        actual: u64,
    },
    /// Bytes handed to an append are not a CloudEvents envelope.
    InvalidEnvelope {
        index: usize,
        source: EnvelopeError,
    },
    /// A stored row could not be handed to a handler and the policy is
    /// to stop: the row's global position and why.
    BadRow {
        global_position: u64,
        source: DispatchError,
    },
    /// A handler failed on the row at this global position.
    HandlerFailed {
        global_position: u64,
        source: DispatchError,
    },
    /// A message could not be stamped (its payload breaks its contract).
    Payload(evc_runtime::PayloadError),
    /// The relay's publisher refused the outbox row `outbox_id`.
    Publish {
        outbox_id: i64,
        source: TransportError,
    },
    /// A stored envelope of the outbox no longer parses.
    CorruptOutboxRow {
        outbox_id: i64,
        source: EnvelopeError,
    },
    /// An aggregate's own command handler refused the command.
    Rejected(Box<dyn std::error::Error + Send + Sync>),
    /// A migration failed.
    Migration {
        version: i32,
        source: sqlx::Error,
    },
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::InvalidSchemaName { name } => write!(
                f,
                "`{name}` is not a usable schema name: use lowercase ASCII letters, digits and `_`, \
                 not starting with a digit or `pg_`, at most 52 bytes"
            ),
            StoreError::WrongExpectedVersion {
                stream,
                expected,
                actual,
            } => write!(
                f,
                "stream `{stream}`: expected {expected}, but it is at version {actual}"
            ),
            StoreError::InvalidEnvelope { index, source } => {
                write!(f, "message {index} of the append is not an envelope: {source}")
            }
            StoreError::BadRow {
                global_position,
                source,
            } => write!(
                f,
                "the row at global position {global_position} cannot be handled ({}): {source}",
                source.reason().kind()
            ),
            StoreError::HandlerFailed {
                global_position,
                source,
            } => write!(
                f,
                "a handler failed on the row at global position {global_position}: {source}"
            ),
            StoreError::Payload(e) => write!(f, "the message breaks its contract: {e}"),
            StoreError::Publish { outbox_id, source } => {
                write!(f, "outbox row {outbox_id} was not published: {source}")
            }
            StoreError::CorruptOutboxRow { outbox_id, source } => {
                write!(f, "outbox row {outbox_id} holds no envelope: {source}")
            }
            StoreError::Rejected(e) => write!(f, "the command was rejected: {e}"),
            StoreError::Migration { version, source } => {
                write!(f, "migration {version} failed: {source}")
            }
            StoreError::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::InvalidEnvelope { source, .. } => Some(source),
            StoreError::BadRow { source, .. } | StoreError::HandlerFailed { source, .. } => {
                Some(source)
            }
            StoreError::Payload(e) => Some(e),
            StoreError::Publish { source, .. } => Some(source),
            StoreError::CorruptOutboxRow { source, .. } => Some(source),
            StoreError::Rejected(e) => Some(e.as_ref()),
            StoreError::Migration { source, .. } => Some(source),
            StoreError::Database(e) => Some(e),
            StoreError::InvalidSchemaName { .. } | StoreError::WrongExpectedVersion { .. } => None,
        }
    }
}
