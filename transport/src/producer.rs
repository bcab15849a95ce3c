//! Typed publishing: a contract value in, a CloudEvents message durably on
//! the broker out.

use evc_runtime::{Contract, Envelope, PayloadError};

use crate::broker::{Publisher, TransportError};
use crate::wire::{self, ContentMode};

/// Why a message was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The value breaks its contract: nothing was sent.
    #[error("the message breaks its contract: {0}")]
    Payload(#[source] PayloadError),
    /// The broker did not accept the message.
    #[error("the broker did not accept the message: {0}")]
    Transport(#[source] TransportError),
}

/// Publishes contract values through a broker: the envelope is stamped
/// (type, dataversion, id, time, source), the payload validated, and the
/// message sent to the topic of its wire type.
pub struct Producer<P> {
    broker: P,
    stamper: evc_runtime::Publisher,
    mode: ContentMode,
}

impl<P: Publisher> Producer<P> {
    /// `source` is this service's CloudEvents `source`.
    pub fn new(broker: P, source: impl Into<String>) -> Self {
        Producer {
            broker,
            stamper: evc_runtime::Publisher::new(source),
            mode: ContentMode::default(),
        }
    }

    /// Structured (the default) or binary content mode.
    pub fn content_mode(mut self, mode: ContentMode) -> Self {
        self.mode = mode;
        self
    }

    pub fn broker(&self) -> &P {
        &self.broker
    }

    /// Sends `payload`; returns the envelope sent once the broker has
    /// durably accepted it.
    pub async fn publish<T: Contract>(&self, payload: &T) -> Result<Envelope, PublishError> {
        let envelope = self
            .stamper
            .envelope(payload)
            .map_err(PublishError::Payload)?;
        self.publish_envelope(&envelope)
            .await
            .map_err(PublishError::Transport)?;
        Ok(envelope)
    }

    /// Sends an envelope built elsewhere (a handler's emitted message, an
    /// outbox row) to the topic of its `type`, keeping its id.
    pub async fn publish_envelope(&self, envelope: &Envelope) -> Result<(), TransportError> {
        let message = wire::encode(envelope, self.mode, self.broker.binding());
        self.broker.publish(&envelope.ty, message).await?;
        metrics::counter!("evc_transport_published_total", "type" => envelope.ty.clone())
            .increment(1);
        Ok(())
    }
}
