//! Commands as requests: [`Requester::send`] publishes a command like any
//! message, naming an inbox in its `evc-reply-to` header, and waits for
//! the handler's outcome, correlated by the command's CloudEvents id.
//!
//! The command itself travels durably to its one consumer group; only the
//! reply is fire-and-forget (NATS request/reply, an AMQP reply queue, a
//! Redis pub/sub channel). A requester that timed out has lost nothing: the
//! command is still handled, once.
//!
//! The reply is a JSON document in the body:
//! `{"status": "accepted", "emitted": [<envelope>, …]}` (emitted messages
//! are listed for a dry run only), `{"status": "rejected", "code": …,
//! "message": …}` for a handler's [`Rejection`], or `{"status": "failed",
//! "reason": <DispatchError kind>, "message": …}` when the command was
//! dead-lettered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use evc_runtime::dispatch::DRY_RUN_EXTENSION;
use evc_runtime::{Contract, Envelope, Kind, Rejection};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::broker::{Publisher, Subscriber, TransportError};
use crate::message::RawMessage;
use crate::producer::PublishError;
use crate::wire::{self, ContentMode};

/// The header naming the inbox a reply goes to.
pub const REPLY_TO: &str = "evc-reply-to";
/// The header of a reply naming the command's CloudEvents id.
pub const REPLY_FOR: &str = "evc-reply-for";

/// What the command's handler made of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Handled. `emitted` holds what the handler emitted when the command
    /// was a dry run (nothing was published); it is empty otherwise.
    Accepted { emitted: Vec<Value> },
    /// The handler refused it.
    Rejected(Rejection),
    /// It could not be handled and went to the dead letters: `reason` is
    /// the `DispatchError` kind.
    Failed { reason: String, message: String },
}

impl Reply {
    pub(crate) fn to_message(&self, command_id: &str) -> RawMessage {
        let body = match self {
            Reply::Accepted { emitted } => json!({ "status": "accepted", "emitted": emitted }),
            Reply::Rejected(rejection) => json!({
                "status": "rejected", "code": rejection.code, "message": rejection.message,
            }),
            Reply::Failed { reason, message } => {
                json!({ "status": "failed", "reason": reason, "message": message })
            }
        };
        RawMessage::new(body.to_string())
            .with_header(REPLY_FOR, command_id)
            .with_header(wire::CONTENT_TYPE, "application/json")
    }

    fn read(message: &RawMessage) -> Result<Reply, String> {
        let body: Value = serde_json::from_slice(&message.body)
            .map_err(|e| format!("the reply is not JSON: {e}"))?;
        let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
        match body["status"].as_str() {
            Some("accepted") => Ok(Reply::Accepted {
                emitted: body["emitted"].as_array().cloned().unwrap_or_default(),
            }),
            Some("rejected") => Ok(Reply::Rejected(Rejection::new(
                text("code"),
                text("message"),
            ))),
            Some("failed") => Ok(Reply::Failed {
                reason: text("reason"),
                message: text("message"),
            }),
            other => Err(format!("the reply has no known status: {other:?}")),
        }
    }
}

/// Why no reply came back.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The value is not a command, or breaks its contract: nothing was sent.
    #[error(transparent)]
    Publish(PublishError),
    /// No reply within the timeout. The command was sent and may still be
    /// handled.
    #[error("no reply to command `{id}` within {after:?}; it may still be handled")]
    Timeout { id: String, after: Duration },
    /// A reply came that cannot be read.
    #[error("{0}")]
    BadReply(String),
}

type Pending = Arc<Mutex<HashMap<String, oneshot::Sender<RawMessage>>>>;

/// Sends commands and waits for their outcome. One inbox serves every
/// request of a requester; replies find their request by command id.
pub struct Requester<B> {
    broker: B,
    stamper: evc_runtime::Publisher,
    mode: ContentMode,
    address: String,
    pending: Pending,
    router: tokio::task::JoinHandle<()>,
}

impl<B> Drop for Requester<B> {
    fn drop(&mut self) {
        self.router.abort();
    }
}

fn lock(
    pending: &Pending,
) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<RawMessage>>> {
    pending.lock().unwrap_or_else(|p| p.into_inner())
}

impl<B: Publisher + Subscriber + Clone + 'static> Requester<B> {
    /// Opens the inbox; `source` is this service's CloudEvents `source`.
    pub async fn new(broker: B, source: impl Into<String>) -> Result<Self, TransportError> {
        let inbox = broker.inbox().await?;
        let pending: Pending = Arc::default();
        let routes = pending.clone();
        let mut replies = inbox.replies;
        let router = tokio::spawn(async move {
            while let Some(reply) = replies.next().await {
                let waiting = reply
                    .header(REPLY_FOR)
                    .and_then(|id| lock(&routes).remove(id));
                if let Some(waiting) = waiting {
                    let _ = waiting.send(reply);
                }
            }
        });
        Ok(Requester {
            broker,
            stamper: evc_runtime::Publisher::new(source),
            mode: ContentMode::default(),
            address: inbox.address,
            pending,
            router,
        })
    }

    pub fn content_mode(mut self, mode: ContentMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sends `command` and waits up to `timeout` for its outcome.
    pub async fn send<T: Contract>(
        &self,
        command: &T,
        timeout: Duration,
    ) -> Result<Reply, SendError> {
        self.request(command, false, timeout).await
    }

    /// Sends `command` as a dry run: the handler decides as usual, and
    /// what it would emit comes back in [`Reply::Accepted`] instead of out.
    pub async fn dry_run<T: Contract>(
        &self,
        command: &T,
        timeout: Duration,
    ) -> Result<Reply, SendError> {
        self.request(command, true, timeout).await
    }

    async fn request<T: Contract>(
        &self,
        command: &T,
        dry_run: bool,
        timeout: Duration,
    ) -> Result<Reply, SendError> {
        if T::KIND != Kind::Command {
            let error = evc_runtime::PayloadError::new(
                "",
                format!(
                    "`{}` is not a command: events are published, not sent",
                    T::NAME
                ),
            );
            return Err(SendError::Publish(PublishError::Payload(error)));
        }
        let mut envelope: Envelope = self
            .stamper
            .envelope(command)
            .map_err(|e| SendError::Publish(PublishError::Payload(e)))?;
        if dry_run {
            envelope.set_extension(DRY_RUN_EXTENSION, true);
        }
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending).insert(envelope.id.clone(), sender);
        let message = wire::encode(&envelope, self.mode, self.broker.binding())
            .with_header(REPLY_TO, &self.address);
        if let Err(error) = self.broker.publish(&envelope.ty, message).await {
            lock(&self.pending).remove(&envelope.id);
            return Err(SendError::Publish(PublishError::Transport(error)));
        }
        match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok(reply)) => Reply::read(&reply).map_err(SendError::BadReply),
            _ => {
                lock(&self.pending).remove(&envelope.id);
                Err(SendError::Timeout {
                    id: envelope.id,
                    after: timeout,
                })
            }
        }
    }
}
