//! The declarative steps over a JSON value: the one interpreter of
//! `rename`, `move`, `set`, `drop` and `convert`, run by generated code
//! whose steps have no typed form and by `evc lint` and `evc verify`.

use std::fmt;

use serde_json::{Map, Value};

use super::path::{Path, PathError};
use super::scalar;

/// The scalar type a `convert` step produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

impl Scalar {
    pub fn as_str(self) -> &'static str {
        match self {
            Scalar::String => "string",
            Scalar::Integer => "integer",
            Scalar::Number => "number",
            Scalar::Boolean => "boolean",
        }
    }
}

/// One step, its paths as written in the contract (`a/b`, with the `~0`
/// and `~1` escapes).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Rename {
        from: String,
        to: String,
    },
    Move {
        from: String,
        to: String,
    },
    Set {
        path: String,
        value: Value,
    },
    Drop {
        path: String,
    },
    Convert {
        path: String,
        to: Scalar,
    },
    /// `custom: true`: Rust code of the user's, which cannot run here.
    Custom,
}

impl Step {
    /// The key the step is written with.
    pub fn action(&self) -> &'static str {
        match self {
            Step::Rename { .. } => "rename",
            Step::Move { .. } => "move",
            Step::Set { .. } => "set",
            Step::Drop { .. } => "drop",
            Step::Convert { .. } => "convert",
            Step::Custom => "custom",
        }
    }
}

/// A step that could not be applied. The payload is then left partly
/// upcast and must be discarded.
#[derive(Debug, Clone, PartialEq)]
pub struct StepError {
    /// Zero-based index of the step in its list.
    pub step: usize,
    /// `rename`, `move`, `set`, `drop`, `convert` or `custom`.
    pub action: &'static str,
    /// The step's path as written (empty for `custom`).
    pub path: String,
    pub reason: Reason,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The path text does not parse.
    InvalidPath(PathError),
    /// The payload itself is not an object.
    PayloadNotObject { found: &'static str },
    /// A parent on the path exists but is not an object.
    ParentNotObject { parent: String, found: &'static str },
    /// `convert` of a value of a type that has no conversion to `to`.
    CannotConvert { found: &'static str, to: Scalar },
    /// `convert` of a string that is not text of the type `to`.
    NotParsable { text: String, to: Scalar },
    /// `convert` to integer of a number with a fraction.
    NotIntegral { number: String },
    /// `convert` to integer of a value outside the range of both `i64` and
    /// `u64`.
    OutOfRange { text: String },
    /// `custom: true`: the upcast is written in Rust and cannot be run here.
    Custom,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::InvalidPath(error) => write!(f, "{error}"),
            Reason::PayloadNotObject { found } => {
                write!(f, "the payload is not an object (found {found})")
            }
            Reason::ParentNotObject { parent, found } => {
                write!(f, "`{parent}` holds {found}, not an object")
            }
            Reason::CannotConvert { found, to } => {
                write!(f, "cannot convert {found} to {}", to.as_str())
            }
            Reason::NotParsable { text, to } => {
                let what = match to {
                    Scalar::Integer => "decimal integer text",
                    Scalar::Number => "JSON number text",
                    Scalar::Boolean => "`true` or `false`",
                    Scalar::String => "a string",
                };
                write!(f, "string {text:?} is not {what}")
            }
            Reason::NotIntegral { number } => write!(f, "{number} is not a whole number"),
            Reason::OutOfRange { text } => write!(f, "{text} does not fit a 64-bit integer"),
            Reason::Custom => {
                f.write_str("a custom upcast is written in Rust: evc cannot run it on JSON values")
            }
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} (`{}`", self.step + 1, self.action)?;
        if !self.path.is_empty() {
            write!(f, " of `{}`", self.path)?;
        }
        write!(f, "): {}", self.reason)
    }
}

impl std::error::Error for StepError {}

impl From<StepError> for super::UpcastError {
    /// At the step's path when it parses, with the step named in the reason.
    fn from(error: StepError) -> Self {
        let pointer = Path::parse(&error.path)
            .map(|p| p.pointer())
            .unwrap_or_default();
        super::UpcastError::new(pointer, error.to_string())
    }
}

/// Applies `steps` in order to `payload`, in place.
pub fn apply(steps: &[Step], payload: &mut Value) -> Result<(), StepError> {
    for (index, step) in steps.iter().enumerate() {
        run(step, payload).map_err(|(path, reason)| StepError {
            step: index,
            action: step.action(),
            path: path.to_owned(),
            reason,
        })?;
    }
    Ok(())
}

/// A failure with the path text it concerns.
type Failure<'s> = (&'s str, Reason);

fn parse(text: &str) -> Result<Path, Failure<'_>> {
    Path::parse(text).map_err(|e| (text, Reason::InvalidPath(e)))
}

fn run<'s>(step: &'s Step, payload: &mut Value) -> Result<(), Failure<'s>> {
    match step {
        Step::Rename { from, to } => {
            let path = parse(from)?;
            let name = Path::parse_name(to).map_err(|e| (to.as_str(), Reason::InvalidPath(e)))?;
            relocate(payload, (from, &path), (from, &path.sibling(&name)))
        }
        Step::Move { from, to } => {
            let source = parse(from)?;
            let target = parse(to)?;
            relocate(payload, (from, &source), (to, &target))
        }
        Step::Set { path, value } => {
            let parsed = parse(path)?;
            let parent =
                object_at(payload, &parsed, Create::Yes).map_err(|r| (path.as_str(), r))?;
            if let Some(parent) = parent {
                parent.insert(parsed.last().to_owned(), value.clone());
            }
            Ok(())
        }
        Step::Drop { path } => {
            let parsed = parse(path)?;
            let parent = object_at(payload, &parsed, Create::No).map_err(|r| (path.as_str(), r))?;
            if let Some(parent) = parent {
                parent.shift_remove(parsed.last());
            }
            Ok(())
        }
        Step::Convert { path, to } => {
            let parsed = parse(path)?;
            let parent = object_at(payload, &parsed, Create::No).map_err(|r| (path.as_str(), r))?;
            let value = parent.and_then(|p| p.get_mut(parsed.last()));
            let Some(value) = value.filter(|v| !v.is_null()) else {
                return Ok(());
            };
            if let Some(converted) = scalar::convert(value, *to).map_err(|r| (path.as_str(), r))? {
                *value = converted;
            }
            Ok(())
        }
        Step::Custom => Err(("", Reason::Custom)),
    }
}

/// Removes the value at `from` and puts it at `to`, creating `to`'s
/// parents; an absent `from` changes nothing.
fn relocate<'s>(
    payload: &mut Value,
    (from_text, from): (&'s str, &Path),
    (to_text, to): (&'s str, &Path),
) -> Result<(), Failure<'s>> {
    if from == to {
        // Still a step on an existing parent: a non-object on the way fails.
        object_at(payload, from, Create::No).map_err(|r| (from_text, r))?;
        return Ok(());
    }
    let parent = object_at(payload, from, Create::No).map_err(|r| (from_text, r))?;
    let Some(value) = parent.and_then(|p| p.shift_remove(from.last())) else {
        return Ok(());
    };
    let parent = object_at(payload, to, Create::Yes).map_err(|r| (to_text, r))?;
    if let Some(parent) = parent {
        parent.insert(to.last().to_owned(), value);
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Create {
    Yes,
    No,
}

/// The object holding the last name of `path`: `None` when a parent is
/// absent and not to be created.
fn object_at<'v>(
    payload: &'v mut Value,
    path: &Path,
    create: Create,
) -> Result<Option<&'v mut Map<String, Value>>, Reason> {
    let mut current = match payload {
        Value::Object(map) => map,
        other => return Err(Reason::PayloadNotObject { found: kind(other) }),
    };
    let parents = path.parent();
    for (depth, name) in parents.iter().enumerate() {
        let child = match create {
            Create::Yes => current
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            Create::No => match current.get_mut(name) {
                Some(child) => child,
                None => return Ok(None),
            },
        };
        current = match child {
            Value::Object(map) => map,
            other => {
                return Err(Reason::ParentNotObject {
                    parent: Path::text(&parents[..=depth]),
                    found: kind(other),
                });
            }
        };
    }
    Ok(Some(current))
}

/// The JSON type of a value, with its article, for messages.
pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
