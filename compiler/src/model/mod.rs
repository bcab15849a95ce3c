//! The contract IR: contracts, their versions, upcast steps and the payload
//! type graph. Built once from the loaded documents; every check and backend
//! reads this and nothing else.

mod build;
mod drafts;
mod dynamic;
pub mod identifier;
pub mod json;
mod keywords;
mod payloads;
mod reference;
pub mod resolve;
mod resources;
mod schema;
mod schema_build;
mod scope;
mod urls;
mod validators;

use std::fmt;

pub use build::{build, build_schema};
pub use keywords::{suggest, SCHEMA_KEYWORDS, UNSUPPORTED_KEYWORDS};
pub use schema::{
    Additional, DefKey, Format, JsonType, Origin, Property, Reference, Schema, SchemaId, Spanned,
    TypeSpace,
};
pub use scope::Scope;
pub use validators::Validators;

use crate::diagnostic::Diagnostic;
use crate::load::Node;
use crate::rules::RuleId;
use crate::source::{FileId, Place, Span};

fn place(file: FileId, span: Span) -> Place {
    Place { file, span }
}

/// The one wording of a value of the wrong type, for both builders.
fn wrong_type(at: Place, key: &str, node: &Node, expected: &str) -> Diagnostic {
    Diagnostic::new(
        RuleId::WrongType,
        at,
        format!("`{key}` must be {expected}, found {}", node.type_name()),
    )
}

/// Event or command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Event,
    Command,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Event => "event",
            Kind::Command => "command",
        }
    }

    /// The kind as a message says it: "an event", "a command".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Event => "an event",
            Kind::Command => "a command",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "event" => Some(Kind::Event),
            "command" => Some(Kind::Command),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The form a contract was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `event:`/`command:` with a `versions:` list, in YAML or JSON.
    Contract,
    /// Plain JSON Schema files carrying `x-evc`, one version each.
    JsonSchema,
}

/// A contract and all its versions.
#[derive(Debug, Clone)]
pub struct Contract {
    pub kind: Kind,
    pub name: Spanned<String>,
    pub namespace: Spanned<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub form: Form,
    /// Versions in increasing order when they parse; source order otherwise,
    /// so the version checks can point at the misplaced one.
    pub versions: Vec<Version>,
}

impl Contract {
    /// The CloudEvents `type` of a major version:
    /// `<namespace>.<snake_name>.v<major>`.
    pub fn wire_type(&self, major: u64) -> String {
        format!(
            "{}.{}.v{}",
            self.namespace.value,
            heck::ToSnakeCase::to_snake_case(self.name.value.as_str()),
            major
        )
    }

    pub fn latest(&self) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.version.is_some())
    }
}

/// One version of a contract.
#[derive(Debug, Clone)]
pub struct Version {
    /// `None` when the version text did not parse (already reported).
    pub version: Option<semver::Version>,
    pub version_place: Place,
    pub description: Option<String>,
    pub deprecated: bool,
    pub schema: SchemaId,
    pub upcast: Option<Spanned<Vec<Spanned<UpcastStep>>>>,
    /// Some written steps were wrong (and reported) and are missing from
    /// `upcast`: the list cannot be proven.
    pub upcast_incomplete: bool,
    pub examples: Vec<Example>,
    /// The version entry (or the file, in the JSON Schema form).
    pub place: Place,
}

/// An example payload, with its tree so findings can point inside it.
#[derive(Debug, Clone)]
pub struct Example {
    pub place: Place,
    pub node: Node,
}

/// One declarative upcast step. Paths are JSON pointers into the payload.
#[derive(Debug, Clone, PartialEq)]
pub enum UpcastStep {
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
        value: serde_json::Value,
    },
    Drop {
        path: String,
    },
    Convert {
        path: String,
        to: JsonType,
    },
    Custom,
}

/// Everything the model holds for one contracts root.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Sorted by namespace, then name.
    pub contracts: Vec<Contract>,
    pub types: TypeSpace,
    compiled: validators::Compiled,
}

impl Model {
    pub fn new(contracts: Vec<Contract>, types: TypeSpace) -> Model {
        Model {
            contracts,
            types,
            compiled: validators::Compiled::default(),
        }
    }

    /// The validators of this model's schemas, each compiled once.
    pub fn validators(&self) -> Validators<'_> {
        Validators {
            types: &self.types,
            compiled: &self.compiled,
        }
    }
}
