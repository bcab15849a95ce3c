//! Contract-level rules that are not about names or versions.

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::rules::RuleId;

pub fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for contract in &model.contracts {
        let documented = contract
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty());
        if !documented {
            out.push(
                Diagnostic::new(
                    RuleId::DescriptionMissing,
                    contract.name.place,
                    format!(
                        "{} `{}` has no description",
                        contract.kind, contract.name.value
                    ),
                )
                .hint("say in one sentence what happened (event) or what is asked (command)"),
            );
        }
    }
}
