//! Runtime of evc's generated Rust bindings.
//!
//! Generated code names everything through this crate, so a user adds one
//! dependency: the payload types derive serde through the re-exports below,
//! implement [`Contract`] and [`Validate`], and the generated dispatch table
//! is built from [`dispatch`]'s pieces. What the compiler proved (wire
//! names, versions, constraints) is enforced here at run time: an invalid
//! payload never becomes a value, and a message that cannot be handled comes
//! back as a [`DispatchError`] holding its original bytes.

pub mod check;
mod contract;
pub mod de;
pub mod dispatch;
mod envelope;
mod error;
pub mod ffi;
pub mod upcast;

pub use contract::{Contract, Kind, PayloadError, Validate, Violation};
pub use dispatch::{
    CommandRoute, CommandSlot, Context, Dispatch, EventRoute, HandlerError, NameProblem, Publisher,
    SubscriberNameError, SubscriberRun, Subscribers,
};
pub use envelope::{Envelope, EnvelopeError, EnvelopeRef, Router, SPEC_VERSION};
pub use error::{DispatchError, Reason, RegistrationError, Rejection};
pub use upcast::{Upcast, UpcastError};

pub use serde;
pub use serde_json;
