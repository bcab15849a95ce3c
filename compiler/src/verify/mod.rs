//! `evc verify`: replays archived CloudEvents messages (JSON Lines, one
//! structured-mode envelope a line) through decode and upcast, as the
//! generated dispatch will, and tallies per wire type and `dataversion`
//! how many pass, with the first failure of each kind.
//!
//! The input is streamed: one line in memory at a time, each version's
//! validator compiled once.

mod catalog;
pub mod render;

use std::collections::BTreeMap;
use std::io::{self, BufRead};

use serde::Serialize;
use serde_json::Value;

use crate::model::Model;
use catalog::Catalog;

/// Longest line read; the rest of a longer one is skipped, and the line
/// fails as an invalid envelope.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// The kinds of failure, in the order a message meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Not JSON, or not a valid CloudEvents envelope.
    InvalidEnvelope,
    /// No contract has the `type`.
    UnknownType,
    /// A known contract, but a major that is not listed.
    UnsupportedVersion,
    /// The payload is not valid for its version.
    InvalidPayload,
    /// An upcast step failed on the payload.
    UpcastFailed,
    /// An upcast yielded a payload its target version refuses.
    UpcastResultInvalid,
    /// The chain holds a custom (Rust) upcast, which evc cannot run.
    CustomUpcast,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::InvalidEnvelope => "invalid envelope",
            Kind::UnknownType => "unknown type",
            Kind::UnsupportedVersion => "unsupported version",
            Kind::InvalidPayload => "invalid payload",
            Kind::UpcastFailed => "upcast failed",
            Kind::UpcastResultInvalid => "upcast result invalid",
            Kind::CustomUpcast => "custom upcast not checkable",
        }
    }
}

/// Why one message failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
}

impl Failure {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

/// The first failure of one kind in a group, and how many there were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstFailure {
    pub kind: Kind,
    pub count: u64,
    /// One-based line number in the input.
    pub line: u64,
    pub message: String,
}

/// The messages of one wire type and `dataversion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// `None` for lines that are not an envelope at all.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// As written; `None` when absent.
    pub dataversion: Option<String>,
    /// The listed version the messages are read as, when there is one.
    pub read_as: Option<String>,
    pub passed: u64,
    pub failed: u64,
    /// In the order of [`Kind`].
    pub failures: Vec<FirstFailure>,
}

/// The result of a replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Non-blank lines read.
    pub messages: u64,
    pub passed: u64,
    pub failed: u64,
    /// Sorted by type, then dataversion; lines that are no envelope first.
    pub groups: Vec<Group>,
}

impl Summary {
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

/// Replays every line of `input` against the contracts of `model`. Only a
/// read error is an `Err`; every bad line is a counted failure.
pub fn replay(model: &Model, mut input: impl BufRead) -> io::Result<Summary> {
    let mut catalog = Catalog::new(model);
    let mut tally = Tally::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let Some(cut) = read_line(&mut input, &mut line, MAX_LINE_BYTES)? else {
            break;
        };
        number += 1;
        let text = trim(&line);
        if text.is_empty() {
            continue;
        }
        let (key, read_as, outcome) = if cut {
            let failure = Failure::new(
                Kind::InvalidEnvelope,
                format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
            );
            (Key::default(), None, Err(failure))
        } else {
            one(&mut catalog, text)
        };
        tally.add(key, read_as, number, outcome);
    }
    Ok(tally.summary())
}

/// Group key and read-as version of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    ty: Option<String>,
    dataversion: Option<String>,
}

/// Decodes and upcasts one envelope: its group, the listed version it is
/// read as (when there is one), and the outcome.
fn one(catalog: &mut Catalog<'_>, bytes: &[u8]) -> (Key, Option<String>, Result<(), Failure>) {
    let envelope = match evc_runtime::EnvelopeRef::parse(bytes) {
        Ok(envelope) => envelope,
        Err(error) => {
            let failure = Failure::new(Kind::InvalidEnvelope, error.to_string());
            return (Key::default(), None, Err(failure));
        }
    };
    let key = Key {
        ty: Some(envelope.ty.to_string()),
        dataversion: envelope.dataversion.as_deref().map(str::to_owned),
    };
    let resolved = match catalog.resolve(&envelope.ty, envelope.dataversion.as_deref()) {
        Ok(resolved) => resolved,
        Err(failure) => return (key, None, Err(failure)),
    };
    let read_as = Some(catalog.number(&resolved));
    let outcome = payload(&envelope).and_then(|payload| catalog.replay(&resolved, payload));
    (key, read_as, outcome)
}

/// The inline JSON payload, as the runtime accepts it.
fn payload(envelope: &evc_runtime::EnvelopeRef<'_>) -> Result<Value, Failure> {
    let data = evc_runtime::dispatch::inline_data(envelope)
        .map_err(|reason| Failure::new(Kind::InvalidPayload, reason))?;
    // The envelope parser checked it is JSON already.
    serde_json::from_str(data.get())
        .map_err(|e| Failure::new(Kind::InvalidPayload, format!("`data` does not parse: {e}")))
}

/// Reads up to and including the next `\n`, keeping at most `limit`
/// bytes; `None` at the end of the input, else whether the line was cut.
fn read_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<bool>> {
    let mut any = false;
    let mut cut = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(any.then_some(cut));
        }
        any = true;
        let (chunk, done) = match buffer.iter().position(|b| *b == b'\n') {
            Some(end) => (&buffer[..=end], true),
            None => (buffer, false),
        };
        let room = limit.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        cut |= chunk.len() > room;
        let used = chunk.len();
        input.consume(used);
        if done {
            return Ok(Some(cut));
        }
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let start = line.iter().position(|b| !b.is_ascii_whitespace());
    let end = line.iter().rposition(|b| !b.is_ascii_whitespace());
    match (start, end) {
        (Some(start), Some(end)) => &line[start..=end],
        _ => &[],
    }
}

#[derive(Default)]
struct Tally {
    groups: BTreeMap<Key, Group>,
}

impl Tally {
    fn add(&mut self, key: Key, read_as: Option<String>, line: u64, outcome: Result<(), Failure>) {
        let group = self.groups.entry(key.clone()).or_insert_with(|| Group {
            ty: key.ty,
            dataversion: key.dataversion,
            read_as: None,
            passed: 0,
            failed: 0,
            failures: Vec::new(),
        });
        if group.read_as.is_none() {
            group.read_as = read_as;
        }
        match outcome {
            Ok(()) => group.passed += 1,
            Err(failure) => {
                group.failed += 1;
                match group.failures.iter_mut().find(|f| f.kind == failure.kind) {
                    Some(first) => first.count += 1,
                    None => {
                        group.failures.push(FirstFailure {
                            kind: failure.kind,
                            count: 1,
                            line,
                            message: failure.message,
                        });
                        group.failures.sort_by_key(|f| f.kind);
                    }
                }
            }
        }
    }

    fn summary(self) -> Summary {
        let groups: Vec<Group> = self.groups.into_values().collect();
        let passed = groups.iter().map(|g| g.passed).sum();
        let failed = groups.iter().map(|g| g.failed).sum();
        Summary {
            messages: passed + failed,
            passed,
            failed,
            groups,
        }
    }
}

#[cfg(test)]
mod tests;
