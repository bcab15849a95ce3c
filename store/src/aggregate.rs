//! Aggregates: state folded from a stream, commands deciding new events.

use evc_runtime::{Contract, DispatchError, Envelope, HandlerError, PayloadError};

use crate::events::Direction;
use crate::{ExpectedVersion, Store, StoreError};

/// A consistency boundary stored as one stream.
///
/// `decode` is usually the generated `decode` of the contracts' bindings
/// (it upcasts, so `apply` only ever sees current versions); `apply` folds
/// one event into the state; `handle` looks at the state and decides the
/// events a command produces, or refuses it.
pub trait Aggregate: Default + Send {
    /// What the stream holds, decoded (often the generated `Message`).
    type Event;
    type Command;

    fn decode(bytes: &[u8]) -> Result<Self::Event, DispatchError>;

    fn apply(&mut self, event: Self::Event);

    fn handle(&self, command: Self::Command, decision: &mut Decision) -> Result<(), HandlerError>;
}

/// The events a command handler decides, stamped as it emits them.
pub struct Decision {
    stamper: evc_runtime::Publisher,
    subject: String,
    events: Vec<Envelope>,
}

impl Decision {
    /// Queues `event`; its envelope's `subject` is the stream id.
    pub fn emit<T: Contract>(&mut self, event: T) -> Result<(), PayloadError> {
        let mut envelope = self.stamper.envelope(&event)?;
        envelope.subject = Some(self.subject.clone());
        self.events.push(envelope);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// An executed command: the state after its events, the stream's version
/// and the events appended.
#[derive(Debug)]
pub struct Executed<A> {
    pub state: A,
    pub version: u64,
    pub events: Vec<Envelope>,
}

impl Store {
    /// Folds the stream into `A`; returns it with the stream's version. A
    /// row `A::decode` refuses stops the load with
    /// [`StoreError::BadRow`]: state built past a hole would be wrong.
    pub async fn load<A: Aggregate>(&self, stream: &str) -> Result<(A, u64), StoreError> {
        let mut state = A::default();
        let mut version = 0;
        loop {
            let rows = self
                .read_stream(stream, Direction::Forwards, version + 1, 512)
                .await?;
            let Some(last) = rows.last() else {
                return Ok((state, version));
            };
            let last = last.stream_position;
            for row in rows {
                let event = A::decode(&row.envelope).map_err(|source| StoreError::BadRow {
                    global_position: row.global_position,
                    source,
                })?;
                state.apply(event);
            }
            version = last;
        }
    }

    /// Loads `A` from `stream`, runs its command handler, and appends the
    /// events it decided, expecting the version it loaded: a concurrent
    /// writer makes this fail with [`StoreError::WrongExpectedVersion`]
    /// (load and decide again to retry). `source` stamps the events.
    pub async fn execute<A: Aggregate>(
        &self,
        stream: &str,
        source: &evc_runtime::Publisher,
        command: A::Command,
    ) -> Result<Executed<A>, StoreError> {
        let (mut state, version) = self.load::<A>(stream).await?;
        let mut decision = Decision {
            stamper: source.clone(),
            subject: stream.to_owned(),
            events: Vec::new(),
        };
        state
            .handle(command, &mut decision)
            .map_err(StoreError::Rejected)?;
        let expected = if version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(version)
        };
        // Decoded before they are stored: an event the aggregate cannot
        // read back fails the command with nothing written, so a retry does
        // not store the decision twice.
        let decided = decision
            .events
            .iter()
            .map(|envelope| {
                A::decode(&envelope.to_vec()).map_err(|source| StoreError::BadRow {
                    global_position: 0,
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let version = self.append(stream, expected, &decision.events).await?;
        for event in decided {
            state.apply(event);
        }
        Ok(Executed {
            state,
            version,
            events: decision.events,
        })
    }
}
