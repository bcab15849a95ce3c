//! Why a message was not handled. Every [`DispatchError`] carries the
//! original bytes, so the caller can dead-letter the message as received.

use std::fmt;

use crate::EnvelopeError;

/// A message the runtime could not hand to a handler, with its bytes.
#[derive(Debug)]
pub struct DispatchError {
    bytes: Vec<u8>,
    reason: Reason,
}

/// The typed reason of a [`DispatchError`].
#[derive(Debug)]
pub enum Reason {
    /// The envelope breaks a CloudEvents rule.
    InvalidEnvelope(EnvelopeError),
    /// No contract of this set has this wire type.
    UnknownType { type_: String },
    /// A known contract, but a major version (or an older major without an
    /// upcast) this build cannot decode.
    UnsupportedVersion { type_: String, version: String },
    /// The payload does not match the contract: where and why.
    InvalidPayload {
        type_: String,
        pointer: String,
        reason: String,
    },
    /// An upcast from an older version failed.
    UpcastFailed { type_: String, reason: String },
    /// A command nobody handles.
    NoHandler { type_: String },
    /// The handler returned an error.
    HandlerFailed {
        type_: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Reason {
    /// A stable snake_case name of the reason, for dead-letter headers,
    /// metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::InvalidEnvelope(_) => "invalid_envelope",
            Reason::UnknownType { .. } => "unknown_type",
            Reason::UnsupportedVersion { .. } => "unsupported_version",
            Reason::InvalidPayload { .. } => "invalid_payload",
            Reason::UpcastFailed { .. } => "upcast_failed",
            Reason::NoHandler { .. } => "no_handler",
            Reason::HandlerFailed { .. } => "handler_failed",
        }
    }

    /// Whether the same bytes may succeed later: only a handler's failure
    /// can be transient; every other reason is in the message itself or in
    /// this build, so a retry would fail the same way.
    pub fn is_retryable(&self) -> bool {
        match self {
            Reason::HandlerFailed { source, .. } => !source.is::<Rejection>(),
            _ => false,
        }
    }
}

impl DispatchError {
    pub fn new(bytes: &[u8], reason: Reason) -> Self {
        DispatchError {
            bytes: bytes.to_vec(),
            reason,
        }
    }

    /// The message exactly as it was received.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// An unmatched wire type: a known contract with an unknown major is
    /// `UnsupportedVersion`, anything else `UnknownType`. `known` lists the
    /// set's type prefixes (`<namespace>.<snake_name>.v`).
    pub fn unmatched(bytes: &[u8], type_: &str, version: Option<&str>, known: &[&str]) -> Self {
        let prefix = type_.rfind(".v").map(|i| &type_[..i + 2]);
        let major = prefix.map(|p| &type_[p.len()..]);
        let reason = match (prefix, major) {
            (Some(prefix), Some(major))
                if known.contains(&prefix)
                    && !major.is_empty()
                    && major.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Reason::UnsupportedVersion {
                    type_: type_.to_owned(),
                    version: version.map_or_else(|| format!("{major}.x"), str::to_owned),
                }
            }
            _ => Reason::UnknownType {
                type_: type_.to_owned(),
            },
        };
        DispatchError::new(bytes, reason)
    }
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::InvalidEnvelope(e) => write!(f, "invalid envelope: {e}"),
            Reason::UnknownType { type_ } => write!(f, "unknown message type `{type_}`"),
            Reason::UnsupportedVersion { type_, version } => {
                write!(
                    f,
                    "`{type_}` version {version} is not supported by this build"
                )
            }
            Reason::InvalidPayload {
                type_,
                pointer,
                reason,
            } => {
                write!(f, "invalid `{type_}` payload at `{pointer}`: {reason}")
            }
            Reason::UpcastFailed { type_, reason } => {
                write!(f, "upcast of `{type_}` failed: {reason}")
            }
            Reason::NoHandler { type_ } => {
                write!(f, "no handler is registered for the command `{type_}`")
            }
            Reason::HandlerFailed { type_, source } => {
                write!(f, "handler of `{type_}` failed: {source}")
            }
        }
    }
}

impl std::error::Error for DispatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            Reason::InvalidEnvelope(e) => Some(e),
            Reason::HandlerFailed { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// A second handler for a command that already has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the command `{type_}` already has a handler; a command has exactly one")]
pub struct RegistrationError {
    pub type_: &'static str,
}

/// A command handler's refusal: a business outcome, not a fault. A
/// transport does not retry it or dead-letter it; it acknowledges the
/// command and tells the sender, with the code and message given here.
///
/// ```
/// # use evc_runtime::{HandlerError, Rejection};
/// fn reserve(available: u32, wanted: u32) -> Result<(), HandlerError> {
///     if wanted > available {
///         return Err(Rejection::new("out_of_stock", format!("{available} left")).into());
///     }
///     Ok(())
/// }
/// # assert!(reserve(1, 2).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rejected ({code}): {message}")]
pub struct Rejection {
    pub code: String,
    pub message: String,
}

impl Rejection {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Rejection {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl DispatchError {
    /// The handler's [`Rejection`], when it refused the message.
    pub fn rejection(&self) -> Option<&Rejection> {
        match &self.reason {
            Reason::HandlerFailed { source, .. } => source.downcast_ref::<Rejection>(),
            _ => None,
        }
    }
}
