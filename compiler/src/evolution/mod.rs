//! Schema evolution: the differences between two payload schemas, each typed
//! and located, with whether readers of either version read data of the
//! other. The rules for version bumps and upcasts build on [`classify`].
//!
//! Both schemas are compared as readers see them: `$ref`s are followed and
//! `allOf` members merged into their parent (see [`view`]), so moving a
//! schema into a definition, or splitting it into `allOf` parts, is no change.
//! docs/evolution.md lists every [`ChangeKind`] with its verdicts.

mod compare;
mod kinds;
mod path;
pub(crate) mod shape;
mod summary;
mod view;

use std::str::FromStr;

pub use kinds::{markdown_table, ChangeKind, KindInfo, Verdict, KINDS};
pub use path::{instance_path, pointer, Segment};
pub use summary::{thousands, ChangeList, Summary};

use crate::model::{SchemaId, TypeSpace};
use crate::rules::Bump;
use crate::source::Place;

/// How adding or removing an optional property on an OPEN object (one
/// without `additionalProperties: false`) is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Policy {
    /// An open object admits any value under any undeclared name, so old
    /// data may already hold a newly declared property with another type,
    /// and new data may hold a removed one with any type: adding is not
    /// backward compatible, removing is not forward compatible.
    Strict,
    /// Producers write only the properties their schema declares and readers
    /// ignore the others: adding and removing an optional property are both
    /// compatible.
    #[default]
    Lenient,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Strict => "strict",
            Policy::Lenient => "lenient",
        }
    }
}

impl FromStr for Policy {
    type Err = ();
    fn from_str(text: &str) -> Result<Policy, ()> {
        match text {
            "strict" => Ok(Policy::Strict),
            "lenient" => Ok(Policy::Lenient),
            _ => Err(()),
        }
    }
}

/// The open-object policy of each form a contract is written in. Contract
/// files are lenient by default: evc's generated producers write only what
/// the schema declares, and its readers ignore the rest. Plain JSON Schema
/// files (`x-evc`) are strict by default: they often describe data other
/// tools write, and JSON Schema, like the registries that judge it
/// (Confluent, Apicurio), admits any value under an undeclared name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenObjects {
    pub contract_files: Policy,
    pub schema_files: Policy,
}

impl Default for OpenObjects {
    fn default() -> Self {
        OpenObjects {
            contract_files: Policy::Lenient,
            schema_files: Policy::Strict,
        }
    }
}

impl OpenObjects {
    /// One policy for both forms.
    pub fn every(policy: Policy) -> Self {
        OpenObjects {
            contract_files: policy,
            schema_files: policy,
        }
    }

    pub fn of(self, form: crate::model::Form) -> Policy {
        match form {
            crate::model::Form::Contract => self.contract_files,
            crate::model::Form::JsonSchema => self.schema_files,
        }
    }
}

/// One of the two schemas compared: a type space and the payload schema in it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub types: &'a TypeSpace,
    pub root: SchemaId,
}

/// One difference between the old and the new schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    /// Where, from the payload root.
    pub path: Vec<Segment>,
    /// The old schema node the change is about, when there is one.
    pub old: Option<Place>,
    /// The new schema node the change is about, when there is one.
    pub new: Option<Place>,
    /// What changed, for people: "maxLength 20 -> 10".
    pub detail: String,
    /// A reader of the NEW schema reads data written with the OLD one.
    pub backward: bool,
    /// A reader of the OLD schema reads data written with the NEW one.
    pub forward: bool,
}

impl Change {
    /// The JSON pointer of the change through the schema's keywords, e.g.
    /// `/properties/lines/items/properties/sku/maxLength`; `""` is the root.
    pub fn pointer(&self) -> String {
        pointer(&self.path)
    }

    /// The payload path the change is about, as upcast steps write it:
    /// `total/amount`, array items as `*` (`lines/*/sku`); `""` for the root.
    pub fn instance_path(&self) -> String {
        instance_path(&self.path)
    }
}

/// Every difference between two payload schemas, in a fixed order: keywords
/// of a node before the schemas inside it, properties in declaration order.
pub fn classify(old: Side<'_>, new: Side<'_>, policy: Policy) -> Vec<Change> {
    let mut changes = Vec::new();
    classify_each(old, new, policy, |change| changes.push(change));
    changes
}

/// The changes [`classify`] lists, handed to `each` one at a time in the
/// same order, so a caller that keeps a summary runs in bounded memory.
pub fn classify_each(old: Side<'_>, new: Side<'_>, policy: Policy, mut each: impl FnMut(Change)) {
    let mut comparer = compare::Comparer::new(&old, &new, policy, &mut each);
    comparer.root(&old, &new);
}

/// The semver bump a set of changes needs: patch for none or documentation
/// only, minor when every change is backward compatible, major otherwise.
pub fn required_bump(changes: &[Change]) -> Bump {
    if changes.iter().all(|c| c.kind.is_documentation()) {
        Bump::Patch
    } else if changes.iter().all(|c| c.backward) {
        Bump::Minor
    } else {
        Bump::Major
    }
}
