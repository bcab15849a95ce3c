//! The generic pieces a generated dispatch table is built from: the
//! handler [`Context`], per-event [`Subscribers`], per-command
//! [`CommandSlot`]s, a [`Publisher`] that stamps outgoing envelopes, and
//! [`decode_payload`].

use serde_json::value::RawValue;

use crate::error::{DispatchError, Reason, RegistrationError};
use crate::{Contract, Envelope, EnvelopeRef};

/// What a handler may return as its failure.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// Stamps envelopes for messages this service sends: user code never
/// writes a wire type, a version or an id by hand.
#[derive(Debug, Clone)]
pub struct Publisher {
    source: String,
}

impl Publisher {
    /// `source` is this service's CloudEvents `source` (a URI reference).
    pub fn new(source: impl Into<String>) -> Self {
        Publisher {
            source: source.into(),
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// A new envelope for `payload`: type and dataversion from its contract,
    /// a fresh v4 id, the current time. The payload is validated first.
    pub fn envelope<T: Contract>(&self, payload: &T) -> Result<Envelope, crate::PayloadError> {
        let data = payload.encode()?;
        let data =
            String::from_utf8(data).map_err(|e| crate::PayloadError::new("", e.to_string()))?;
        let data =
            RawValue::from_string(data).map_err(|e| crate::PayloadError::new("", e.to_string()))?;
        Ok(Envelope {
            id: uuid::Uuid::new_v4().to_string(),
            source: self.source.clone(),
            specversion: crate::SPEC_VERSION.to_owned(),
            ty: T::WIRE_TYPE.to_owned(),
            time: Some(now()),
            datacontenttype: Some("application/json".to_owned()),
            data: Some(data),
            dataversion: Some(T::VERSION.to_owned()),
            ..Envelope::default()
        })
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Handed to a handler with the message: its metadata, read-only, and the
/// outgoing queue, append-only.
pub struct Context<'a> {
    incoming: &'a EnvelopeRef<'a>,
    publisher: &'a Publisher,
    outgoing: &'a mut Vec<Envelope>,
}

impl<'a> Context<'a> {
    pub fn new(
        incoming: &'a EnvelopeRef<'a>,
        publisher: &'a Publisher,
        outgoing: &'a mut Vec<Envelope>,
    ) -> Self {
        Context {
            incoming,
            publisher,
            outgoing,
        }
    }

    pub fn id(&self) -> &str {
        &self.incoming.id
    }

    pub fn source(&self) -> &str {
        &self.incoming.source
    }

    pub fn type_(&self) -> &str {
        &self.incoming.ty
    }

    pub fn time(&self) -> Option<&str> {
        self.incoming.time.as_deref()
    }

    pub fn subject(&self) -> Option<&str> {
        self.incoming.subject.as_deref()
    }

    pub fn dataversion(&self) -> Option<&str> {
        self.incoming.dataversion.as_deref()
    }

    /// The conversation this message belongs to (its own id if it starts one).
    pub fn correlation_id(&self) -> &str {
        self.incoming
            .correlationid
            .as_deref()
            .unwrap_or(&self.incoming.id)
    }

    pub fn causation_id(&self) -> Option<&str> {
        self.incoming.causationid.as_deref()
    }

    /// Whether the message asks for a dry run (the CloudEvents extension
    /// `dryrun: true`): handlers decide as usual but change nothing, and
    /// what they emit goes back to the sender instead of out.
    pub fn dry_run(&self) -> bool {
        is_dry_run(self.incoming)
    }

    pub fn traceparent(&self) -> Option<&str> {
        self.incoming.traceparent.as_deref()
    }

    /// Queues a derived message: it joins this message's conversation
    /// (correlationid), names this message as its cause (causationid), and
    /// carries the trace context on.
    pub fn emit<T: Contract>(&mut self, payload: T) -> Result<(), crate::PayloadError> {
        let mut envelope = self.publisher.envelope(&payload)?;
        envelope.correlationid = Some(self.correlation_id().to_owned());
        envelope.causationid = Some(self.incoming.id.to_string());
        envelope.traceparent = self.incoming.traceparent.as_ref().map(|t| t.to_string());
        self.outgoing.push(envelope);
        Ok(())
    }

    /// Messages queued so far by this handler call and the ones before it.
    pub fn queued(&self) -> usize {
        self.outgoing.len()
    }
}

type EventFn<T> = Box<dyn FnMut(&T, &mut Context<'_>) -> Result<(), HandlerError> + Send>;
type CommandFn<T> = Box<dyn FnMut(T, &mut Context<'_>) -> Result<(), HandlerError> + Send>;

/// The name of a subscriber added without one: its 1-based place among the
/// subscribers of its event (`#1`, `#2`, …). Stable while the subscribers
/// are registered in the same order; a name given with
/// [`Subscribers::add_named`] survives reordering.
pub fn default_subscriber_name(position: usize) -> String {
    format!("#{position}")
}

/// The name [`Dispatch::dispatch_each`] gives a command's one handler.
pub const COMMAND_HANDLER_NAME: &str = "handler";

/// One subscriber's run in [`Dispatch::dispatch_each`]: what it emitted, or
/// why it failed.
#[derive(Debug)]
pub struct SubscriberRun {
    /// The subscriber's stable name (see [`Dispatch::subscribers`]).
    pub name: String,
    pub result: Result<Vec<Envelope>, DispatchError>,
}

/// The handlers of one event: zero or more, run in registration order.
pub struct Subscribers<T> {
    handlers: Vec<(String, EventFn<T>)>,
}

impl<T> Default for Subscribers<T> {
    fn default() -> Self {
        Subscribers {
            handlers: Vec::new(),
        }
    }
}

impl<T: Contract> Subscribers<T> {
    /// Adds a subscriber named after its place ([`default_subscriber_name`]).
    pub fn add(
        &mut self,
        handler: impl FnMut(&T, &mut Context<'_>) -> Result<(), HandlerError> + Send + 'static,
    ) {
        let name = default_subscriber_name(self.handlers.len() + 1);
        self.handlers.push((name, Box::new(handler)));
    }

    /// Adds a subscriber under a name of its own, which a transport records
    /// its completions under. Refused when empty, when it starts with `#`
    /// (the default names' mark) or when another subscriber of this event
    /// has it.
    pub fn add_named(
        &mut self,
        name: impl Into<String>,
        handler: impl FnMut(&T, &mut Context<'_>) -> Result<(), HandlerError> + Send + 'static,
    ) -> Result<(), SubscriberNameError> {
        let name = name.into();
        let problem = if name.is_empty() {
            Some(NameProblem::Empty)
        } else if name.starts_with('#') {
            Some(NameProblem::Reserved)
        } else if self.handlers.iter().any(|(taken, _)| *taken == name) {
            Some(NameProblem::Taken)
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(SubscriberNameError {
                type_: T::WIRE_TYPE,
                name,
                problem,
            });
        }
        self.handlers.push((name, Box::new(handler)));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// The subscribers' names, in the order they run.
    pub fn names(&self) -> Vec<String> {
        self.handlers.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Runs every subscriber; the first failure stops the rest, so a
    /// retried message is not seen twice by the ones that did not run.
    pub fn run(
        &mut self,
        bytes: &[u8],
        event: &T,
        ctx: &mut Context<'_>,
    ) -> Result<(), DispatchError> {
        for (_, handler) in &mut self.handlers {
            handler(event, ctx).map_err(|source| handler_failed::<T>(bytes, source))?;
        }
        Ok(())
    }

    /// Runs each subscriber that is not `done`, on its own: a failure does
    /// not stop the others, and each keeps what it emitted.
    pub fn run_each(
        &mut self,
        bytes: &[u8],
        event: &T,
        incoming: &EnvelopeRef<'_>,
        publisher: &Publisher,
        done: &dyn Fn(&str) -> bool,
    ) -> Vec<SubscriberRun> {
        let mut runs = Vec::with_capacity(self.handlers.len());
        for (name, handler) in &mut self.handlers {
            if done(name) {
                continue;
            }
            let mut outgoing = Vec::new();
            let mut ctx = Context::new(incoming, publisher, &mut outgoing);
            let result = handler(event, &mut ctx)
                .map(|()| outgoing)
                .map_err(|source| handler_failed::<T>(bytes, source));
            runs.push(SubscriberRun {
                name: name.clone(),
                result,
            });
        }
        runs
    }
}

fn handler_failed<T: Contract>(bytes: &[u8], source: HandlerError) -> DispatchError {
    DispatchError::new(
        bytes,
        Reason::HandlerFailed {
            type_: T::WIRE_TYPE.to_owned(),
            source,
        },
    )
}

/// Why a subscriber name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    /// Starts with `#`, which marks the default names.
    Reserved,
    /// Another subscriber of the event has it.
    Taken,
}

/// A subscriber name [`Subscribers::add_named`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberNameError {
    pub type_: &'static str,
    pub name: String,
    pub problem: NameProblem,
}

impl std::fmt::Display for SubscriberNameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, type_) = (&self.name, self.type_);
        match self.problem {
            NameProblem::Empty => write!(f, "a subscriber of `{type_}` has an empty name"),
            NameProblem::Reserved => write!(
                f,
                "the subscriber name `{name}` of `{type_}` starts with `#`, \
                 which marks the names given by position"
            ),
            NameProblem::Taken => write!(
                f,
                "the event `{type_}` already has a subscriber named `{name}`"
            ),
        }
    }
}

impl std::error::Error for SubscriberNameError {}

/// The one handler of a command.
pub struct CommandSlot<T> {
    handler: Option<CommandFn<T>>,
}

impl<T> Default for CommandSlot<T> {
    fn default() -> Self {
        CommandSlot { handler: None }
    }
}

impl<T: Contract> CommandSlot<T> {
    /// Registers the handler; a second registration is refused.
    pub fn set(
        &mut self,
        handler: impl FnMut(T, &mut Context<'_>) -> Result<(), HandlerError> + Send + 'static,
    ) -> Result<(), RegistrationError> {
        if self.handler.is_some() {
            return Err(RegistrationError {
                type_: T::WIRE_TYPE,
            });
        }
        self.handler = Some(Box::new(handler));
        Ok(())
    }

    pub fn is_set(&self) -> bool {
        self.handler.is_some()
    }

    pub fn run(
        &mut self,
        bytes: &[u8],
        command: T,
        ctx: &mut Context<'_>,
    ) -> Result<(), DispatchError> {
        let Some(handler) = &mut self.handler else {
            return Err(DispatchError::new(
                bytes,
                Reason::NoHandler {
                    type_: T::WIRE_TYPE.to_owned(),
                },
            ));
        };
        handler(command, ctx).map_err(|source| {
            DispatchError::new(
                bytes,
                Reason::HandlerFailed {
                    type_: T::WIRE_TYPE.to_owned(),
                    source,
                },
            )
        })
    }
}

impl<T: Contract> CommandSlot<T> {
    /// [`run`](Self::run) as the one subscriber of [`Dispatch::dispatch_each`],
    /// named [`COMMAND_HANDLER_NAME`]; nothing runs when `done` says it is.
    pub fn run_each(
        &mut self,
        bytes: &[u8],
        command: T,
        incoming: &EnvelopeRef<'_>,
        publisher: &Publisher,
        done: &dyn Fn(&str) -> bool,
    ) -> Vec<SubscriberRun> {
        if done(COMMAND_HANDLER_NAME) {
            return Vec::new();
        }
        let mut outgoing = Vec::new();
        let mut ctx = Context::new(incoming, publisher, &mut outgoing);
        let result = self.run(bytes, command, &mut ctx).map(|()| outgoing);
        vec![SubscriberRun {
            name: COMMAND_HANDLER_NAME.to_owned(),
            result,
        }]
    }
}

/// Parses an envelope, keeping the bytes for the error.
pub fn parse_envelope(bytes: &[u8]) -> Result<EnvelopeRef<'_>, DispatchError> {
    EnvelopeRef::parse(bytes).map_err(|e| DispatchError::new(bytes, Reason::InvalidEnvelope(e)))
}

/// Parses a message and decodes its payload: in one pass when `type`
/// precedes `data` and everything is valid, otherwise through the two-pass
/// path that names the precise error. `route` decodes a message from an
/// already parsed envelope (the generated `decode_envelope`).
pub fn receive<'a, R, M>(
    bytes: &'a [u8],
    router: &R,
    route: impl FnOnce(&[u8], &EnvelopeRef<'_>) -> Result<M, DispatchError>,
) -> Result<(EnvelopeRef<'a>, M), DispatchError>
where
    R: crate::envelope::Router<Message = M>,
    M: crate::Validate,
{
    if let Ok((envelope, Some(message))) = EnvelopeRef::parse_routed(bytes, router) {
        let invalid = |pointer, reason| invalid_payload(bytes, &envelope, pointer, reason);
        json_content(&envelope).map_err(|reason| invalid(String::new(), reason))?;
        message
            .validate()
            .map_err(|v| invalid(v.pointer(), v.reason().to_owned()))?;
        return Ok((envelope, message));
    }
    let envelope = parse_envelope(bytes)?;
    let message = route(bytes, &envelope)?;
    Ok((envelope, message))
}

fn invalid_payload(
    bytes: &[u8],
    envelope: &EnvelopeRef<'_>,
    pointer: String,
    reason: String,
) -> DispatchError {
    DispatchError::new(
        bytes,
        Reason::InvalidPayload {
            type_: envelope.ty.to_string(),
            pointer,
            reason,
        },
    )
}

/// `datacontenttype`, when given, must be JSON.
fn json_content(envelope: &EnvelopeRef<'_>) -> Result<(), String> {
    if let Some(kind) = envelope.datacontenttype.as_deref() {
        // Compared without case and without a lower-cased copy: this runs
        // on every message.
        let media = kind.split(';').next().unwrap_or("").trim().as_bytes();
        let suffix = b"+json";
        let json = media.eq_ignore_ascii_case(b"application/json")
            || (media.len() >= suffix.len()
                && media[media.len() - suffix.len()..].eq_ignore_ascii_case(suffix));
        if !json {
            return Err(format!("datacontenttype `{kind}` is not JSON"));
        }
    }
    Ok(())
}

/// Decodes the envelope's `data` as `T`; the payload must be inline JSON.
pub fn decode_payload<T: Contract>(
    bytes: &[u8],
    envelope: &EnvelopeRef<'_>,
) -> Result<T, DispatchError> {
    let invalid = |pointer, reason| invalid_payload(bytes, envelope, pointer, reason);
    let data = inline_data(envelope).map_err(|reason| invalid(String::new(), reason))?;
    T::decode(data.get().as_bytes()).map_err(|e| invalid(e.pointer, e.reason))
}

/// The payload as evc reads it: inline JSON `data`, under a JSON
/// `datacontenttype` when one is given.
pub fn inline_data<'e>(envelope: &'e EnvelopeRef<'_>) -> Result<&'e RawValue, String> {
    json_content(envelope)?;
    match (envelope.data, &envelope.data_base64) {
        (Some(data), _) => Ok(data),
        (None, Some(_)) => {
            Err("the payload is in `data_base64`; evc contracts travel as JSON `data`".to_owned())
        }
        (None, None) => Err("the message has no `data`".to_owned()),
    }
}

/// One major step of an upcast chain, inside dispatch: the result is
/// checked against its own version, as a decoded payload would be, and a
/// failure keeps the message's bytes and names the step. A result that
/// breaks the new schema is a failed upcast, not an invalid payload: the
/// payload as sent was valid.
pub fn upcast<Old, New>(
    bytes: &[u8],
    envelope: &EnvelopeRef<'_>,
    old: Old,
) -> Result<New, DispatchError>
where
    Old: Contract,
    New: Contract + crate::Upcast<Old>,
{
    let new =
        New::upcast(old).map_err(|error| upcast_failed::<Old, New>(bytes, envelope, &error))?;
    match new.validate() {
        Ok(()) => Ok(new),
        Err(violation) => {
            let error = crate::UpcastError::new(violation.pointer(), violation.reason());
            Err(upcast_failed::<Old, New>(bytes, envelope, &error))
        }
    }
}

fn upcast_failed<Old: Contract, New: Contract>(
    bytes: &[u8],
    envelope: &EnvelopeRef<'_>,
    error: &crate::UpcastError,
) -> DispatchError {
    DispatchError::new(
        bytes,
        Reason::UpcastFailed {
            type_: envelope.ty.to_string(),
            reason: format!(
                "{} {} to {}: {error}",
                Old::NAME,
                Old::VERSION,
                New::VERSION
            ),
        },
    )
}

/// [`upcast`] inside the one-pass decoder, where a failure only has to
/// send the message down the two-pass path.
pub fn routed_upcast<Old, New, E>(old: Old) -> Result<New, E>
where
    New: crate::Upcast<Old> + crate::Validate,
    E: serde::de::Error,
{
    routed_valid(New::upcast(old).map_err(E::custom)?)
}

/// A check inside the one-pass decoder: an old payload before its upcast.
pub fn routed_valid<T: crate::Validate, E: serde::de::Error>(value: T) -> Result<T, E> {
    match value.validate() {
        Ok(()) => Ok(value),
        Err(violation) => Err(E::custom(violation.reason())),
    }
}

/// Implemented by a generated `Bus` for each event it routes: where that
/// event's subscribers live. Lets `bus.subscribe::<OrderPlaced>(..)` stay
/// typed without a map keyed by type at run time.
pub trait EventRoute<T: Contract> {
    fn subscribers(&mut self) -> &mut Subscribers<T>;
}

/// Implemented by a generated `Bus` for each command it routes.
pub trait CommandRoute<T: Contract> {
    fn slot(&mut self) -> &mut CommandSlot<T>;
}

/// A dispatch table that something outside the process can feed: the
/// generated `Bus` implements it, so a broker consumer runs the same
/// handlers as in-process dispatch.
pub trait Dispatch: Send {
    /// Decodes a structured-mode message, upcasts it to the latest version
    /// and runs its handlers; returns the messages they emitted.
    fn dispatch(&mut self, bytes: &[u8]) -> Result<Vec<Envelope>, DispatchError>;

    /// Every wire type this table has a handler for, with its kind: each
    /// subscribed event and handled command, at its latest major and at
    /// every older one (those arrive upcast, or fail as
    /// `UnsupportedVersion` without a chain), so a consumer receives what
    /// old producers still send.
    fn handled_types(&self) -> Vec<(&'static str, crate::Kind)>;

    /// The names of the subscribers a message of `wire_type` runs (any
    /// major), in order: what [`dispatch_each`](Self::dispatch_each) reports
    /// its runs under. Empty for a type this table does not route; a
    /// command's one handler is [`COMMAND_HANDLER_NAME`].
    fn subscribers(&self, wire_type: &str) -> Vec<String> {
        let _ = wire_type;
        Vec::new()
    }

    /// Decodes a message like [`dispatch`](Self::dispatch), then runs each
    /// of its subscribers whose name is not `done`, each on its own: one's
    /// failure neither stops the others nor drops what they emitted. The
    /// outer error is a message that did not decode (nothing ran).
    ///
    /// The default runs the whole table as one unnamed subscriber.
    fn dispatch_each(
        &mut self,
        bytes: &[u8],
        done: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<SubscriberRun>, DispatchError> {
        if done("") {
            return Ok(Vec::new());
        }
        let result = match self.dispatch(bytes) {
            Ok(emitted) => Ok(emitted),
            Err(error) if matches!(error.reason(), Reason::HandlerFailed { .. }) => Err(error),
            Err(error) => return Err(error),
        };
        Ok(vec![SubscriberRun {
            name: String::new(),
            result,
        }])
    }
}

/// The CloudEvents extension a dry run is asked for with.
pub const DRY_RUN_EXTENSION: &str = "dryrun";

/// Whether `envelope` carries `dryrun: true` (JSON `true` or the string
/// `"true"`, as a binary-mode header brings it).
pub fn is_dry_run(envelope: &EnvelopeRef<'_>) -> bool {
    envelope.extensions.iter().any(|(name, value)| {
        name == DRY_RUN_EXTENSION && matches!(value.get(), "true" | "\"true\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(kind: &str) -> Result<(), String> {
        let envelope = EnvelopeRef {
            datacontenttype: Some(kind.into()),
            ..EnvelopeRef::default()
        };
        json_content(&envelope)
    }

    #[test]
    fn json_content_types_are_told_apart_without_case() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/json ;charset=utf-8",
            "application/cloudevents+json",
            "application/vnd.example+JSON",
        ] {
            assert_eq!(content(json), Ok(()), "{json}");
        }
        for other in [
            "text/plain",
            "application/jsonx",
            "json",
            "application/xml; x=+json",
        ] {
            assert_eq!(
                content(other),
                Err(format!("datacontenttype `{other}` is not JSON")),
                "{other}"
            );
        }
        let none = EnvelopeRef::default();
        assert_eq!(json_content(&none), Ok(()));
    }

    #[test]
    fn a_message_that_is_not_utf8_is_not_json() {
        let mut bytes = br#"{"specversion":"1.0","id":"1","source":"/s","type":"t","x":"#.to_vec();
        bytes.extend_from_slice(b"\"\xff\"}");
        assert!(matches!(
            EnvelopeRef::parse(&bytes),
            Err(crate::EnvelopeError::NotJson(_))
        ));
    }
}
