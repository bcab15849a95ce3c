//! evc's contracts between services: typed publishers and consumers over
//! brokers, on top of the generated bindings and `evc-runtime`.
//!
//! Two small traits make an adapter, [`Publisher`] and [`Subscriber`]
//! (see [`broker`]); [`MemoryBroker`] implements them in process, and each
//! broker has its own behind a feature: `nats` (JetStream), `amqp`
//! (RabbitMQ), `redis` (Redis Streams). On top of them:
//!
//! - [`Producer::publish`] stamps a contract value into a CloudEvents
//!   envelope and returns once the broker durably accepted it, in the
//!   structured or binary content mode of the protocol binding ([`wire`]);
//! - [`Consumer`] runs a generated dispatch table (`Bus`) on a durable
//!   consumer group: decode, upcast to the current version, typed handler,
//!   acknowledge after success; retries with backoff, dead letters that keep
//!   the original bytes ([`dead_letter`]), deduplication ([`dedup`]),
//!   concurrency with per-key ordering, and a draining shutdown; each
//!   command in one consumer group of its own, whichever service handles it;
//! - [`Requester`] sends a command and waits for its [`Reply`] (accepted,
//!   rejected, failed), or asks for a dry run ([`request`]).
//!
//! docs/transport.md in the repository has the semantics and mappings.

#[cfg(feature = "amqp")]
pub mod amqp;
pub mod broker;
mod consumer;
pub mod dead_letter;
pub mod dedup;
mod memory;
mod message;
#[cfg(feature = "nats")]
pub mod nats;
mod producer;
#[cfg(feature = "redis")]
pub mod redis;
pub mod request;
pub mod wire;

pub use broker::{Deliveries, Delivery, Publisher, Subscriber, Subscription, TransportError};
pub use consumer::{command_group, Consumer, Options, Ordering, Report, Retry};
pub use dead_letter::DeadLetter;
pub use dedup::{Dedup, MemoryDedup};
pub use memory::MemoryBroker;
pub use message::{Headers, RawMessage};
pub use producer::{Producer, PublishError};
pub use request::{Reply, Requester, SendError};
pub use wire::ContentMode;
