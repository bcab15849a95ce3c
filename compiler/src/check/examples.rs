//! Example rules: every example payload validates against its version's
//! schema, as judged by the `jsonschema` crate with formats asserted.

use std::collections::BTreeSet;

use jsonschema::error::ValidationErrorKind;

use crate::diagnostic::Diagnostic;
use crate::load::Node;
use crate::model::{Contract, Example, Model, SchemaId, Version};
use crate::rules::RuleId;
use crate::source::Place;

pub fn check(
    model: &Model,
    cyclic: &BTreeSet<SchemaId>,
    validators: &crate::model::Validators<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for contract in &model.contracts {
        for version in &contract.versions {
            if version.examples.is_empty() {
                out.push(missing(contract, version));
                continue;
            }
            if !super::usable(model, cyclic, version.schema) {
                continue;
            }
            validate(validators, version, out);
        }
    }
}

fn missing(contract: &Contract, version: &Version) -> Diagnostic {
    let label = version
        .version
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "?".into());
    Diagnostic::new(
        RuleId::ExamplesMissing,
        version.version_place,
        format!(
            "version {label} of `{}` has no example payload",
            contract.name.value
        ),
    )
    .hint("add `examples:` with at least one payload; evc validates it against the schema")
}

fn validate(
    validators: &crate::model::Validators<'_>,
    version: &Version,
    out: &mut Vec<Diagnostic>,
) {
    let validator = match validators.get(version.schema) {
        Ok(validator) => validator,
        Err(error) => {
            out.push(Diagnostic::new(
                RuleId::ExampleInvalid,
                version.version_place,
                format!("the examples cannot be checked: the schema does not compile ({error})"),
            ));
            return;
        }
    };
    for example in &version.examples {
        let instance = example.node.to_json();
        for error in validator.iter_errors(&instance) {
            let pointer = error.instance_path().as_str().to_owned();
            let key = match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => unexpected.first(),
                _ => None,
            };
            out.push(
                Diagnostic::new(
                    RuleId::ExampleInvalid,
                    locate(example, &pointer, key.map(String::as_str)),
                    format!(
                        "example does not match the schema at `{}`: {}",
                        if pointer.is_empty() { "/" } else { &pointer },
                        error.masked()
                    ),
                )
                .hint("fix the example, or the schema if the example is right"),
            );
        }
    }
}

/// The place of the example node an instance path names (or of one of its
/// keys), else of the deepest existing ancestor.
fn locate(example: &Example, pointer: &str, key: Option<&str>) -> Place {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let node: &Node = (0..=tokens.len())
        .rev()
        .find_map(|n| example.node.pointer(&tokens[..n]))
        .unwrap_or(&example.node);
    let key_span = key.and_then(|k| node.get(k)).map(|entry| entry.key_span);
    Place {
        file: example.place.file,
        span: key_span.unwrap_or(node.span),
    }
}
