//! Upcast proofs: for each upcast, every step names properties that exist
//! (in the version it reads from, or the one it writes to), and the steps,
//! run on the examples of the previous major, yield payloads the new
//! version's schema accepts. Custom upcasts are Rust code: nothing to run.

mod paths;
mod results;

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::json::reachable;
use crate::model::{Contract, Model, SchemaId, Spanned, UpcastStep, Version};

/// One upcast: the version it reads from, and the version carrying it.
struct Step<'m> {
    contract: &'m Contract,
    from: &'m Version,
    from_version: &'m semver::Version,
    to: &'m Version,
    to_version: &'m semver::Version,
    steps: &'m [Spanned<UpcastStep>],
    /// The `upcast:` list itself.
    upcast: &'m Spanned<Vec<Spanned<UpcastStep>>>,
}

pub fn check(model: &Model, cyclic: &BTreeSet<SchemaId>, out: &mut Vec<Diagnostic>) {
    // A schema already reported (or on a cycle) would only fail the proofs
    // again for the same reason.
    let usable = |id: SchemaId| {
        !reachable(&model.types, id)
            .iter()
            .any(|s| cyclic.contains(s) || model.types.invalid.contains(s))
    };
    for contract in &model.contracts {
        let listed: Vec<(&Version, &semver::Version)> = contract
            .versions
            .iter()
            .filter_map(|v| v.version.as_ref().map(|n| (v, n)))
            .collect();
        for (i, &(to, to_version)) in listed.iter().enumerate().skip(1) {
            let Some(upcast) = &to.upcast else {
                continue;
            };
            let custom = upcast.value.iter().any(|s| s.value == UpcastStep::Custom);
            if custom || to.upcast_incomplete {
                continue;
            }
            let (from, from_version) = listed[i - 1];
            if !usable(from.schema) || !usable(to.schema) {
                continue;
            }
            let step = Step {
                contract,
                from,
                from_version,
                to,
                to_version,
                steps: &upcast.value,
                upcast,
            };
            let runnable = paths::check(model, &step, out);
            if runnable {
                // Earlier versions of the same major are read as the one
                // right before the upcast, so their examples go through it too.
                let sources = listed[..i]
                    .iter()
                    .filter(|(v, n)| n.major == from_version.major && usable(v.schema))
                    .map(|(v, n)| (*v, *n));
                results::check(model, &step, sources, out);
            }
        }
    }
}
