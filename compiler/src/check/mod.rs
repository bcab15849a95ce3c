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

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::json::{bundle, reachable, validator};
use crate::model::{Model, SchemaId};

/// Whether the schema `id` and everything it reaches can be checked: a
/// schema already reported (invalid, or on a cycle) would only fail later
/// rules again for the same reason.
fn usable(model: &Model, cyclic: &BTreeSet<SchemaId>, id: SchemaId) -> bool {
    !reachable(&model.types, id)
        .iter()
        .any(|s| cyclic.contains(s) || model.types.invalid.contains(s))
}

/// Validators of version schemas, compiled once however many checks run
/// payloads against them (examples, upcast results): compiling is most of
/// what these checks cost.
pub struct Validators<'m> {
    model: &'m Model,
    compiled: RefCell<BTreeMap<SchemaId, Result<Rc<jsonschema::Validator>, String>>>,
}

impl<'m> Validators<'m> {
    fn new(model: &'m Model) -> Self {
        Validators {
            model,
            compiled: RefCell::new(BTreeMap::new()),
        }
    }

    /// The validator of the schema `id`, or why its bundle does not compile.
    pub fn get(&self, id: SchemaId) -> Result<Rc<jsonschema::Validator>, String> {
        if let Some(found) = self.compiled.borrow().get(&id) {
            return found.clone();
        }
        let compiled = validator(&bundle(&self.model.types, id))
            .map(Rc::new)
            .map_err(|e| e.to_string());
        self.compiled.borrow_mut().insert(id, compiled.clone());
        compiled
    }
}

/// Runs every rule on the model.
pub fn run(model: &Model, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    contracts::check(model, &mut out);
    versions::check(model, &mut out);
    naming::check(model, &config.naming, &mut out);
    let cyclic = references::check(model, &mut out);
    let validators = Validators::new(model);
    examples::check(model, &cyclic, &validators, &mut out);
    let compared = evolution::neighbours(model, &cyclic, config.evolution);
    evolution::check(model, &cyclic, &compared, config.evolution, &mut out);
    upcasts::check(
        model,
        &cyclic,
        &validators,
        config.evolution,
        &compared,
        &mut out,
    );
    out
}
