//! Rules proven on the model. Each submodule is one family of rules; all of
//! them read the model and append findings, none of them stops the others.

mod contracts;
pub mod evolution;
mod examples;
mod naming;
mod references;
mod upcasts;
mod versions;
mod words;

pub use naming::{is_keyword, is_pascal_case, is_snake_case};

use std::collections::BTreeSet;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::json::reachable;
use crate::model::{Model, SchemaId};

/// Whether the schema `id` and everything it reaches can be checked: a
/// schema already reported (invalid, or on a cycle) would only fail later
/// rules again for the same reason.
fn usable(model: &Model, cyclic: &BTreeSet<SchemaId>, id: SchemaId) -> bool {
    !reachable(&model.types, id)
        .iter()
        .any(|s| cyclic.contains(s) || model.types.invalid.contains(s))
}

/// Runs every rule on the model.
pub fn run(model: &Model, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    contracts::check(model, &mut out);
    versions::check(model, &mut out);
    naming::check(model, &config.naming, &mut out);
    let cyclic = references::check(model, &mut out);
    references::recursive_unevaluated(model, &mut out);
    let validators = model.validators();
    examples::check(model, &cyclic, &validators, &mut out);
    let compared = evolution::neighbours(model, &cyclic, config.evolution);
    evolution::check(model, &cyclic, &compared, &mut out);
    upcasts::check(model, &cyclic, &validators, &compared, &mut out);
    out
}
