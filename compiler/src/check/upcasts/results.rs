//! UPCAST_RESULT_INVALID: the steps, run on every example of the previous
//! major that is valid for its own version, succeed and yield a payload the
//! new version's schema accepts (as judged by the `jsonschema` crate).

use super::Step;
use crate::diagnostic::Diagnostic;
use crate::model::UpcastStep;
use crate::rules::RuleId;
use crate::upcast;

/// Runs the steps on the examples of `step.sources`; a failure follows from
/// the first of `roots` (findings about the upcast itself), the one about
/// the failing step when there is one.
pub(super) fn check(
    validators: &crate::model::Validators<'_>,
    step: &Step<'_>,
    roots: &[Diagnostic],
    out: &mut Vec<Diagnostic>,
) {
    // A schema that does not compile is reported with its examples.
    let Ok(target) = validators.get(step.to.schema) else {
        return;
    };
    let steps: Vec<UpcastStep> = step.steps.iter().map(|s| s.value.clone()).collect();
    let name = &step.contract.name.value;
    let to = step.to_version;
    let follows = |d: Diagnostic, root: Option<&Diagnostic>| match root {
        Some(root) => d.follows_from(root),
        None => d,
    };
    for &(version, number) in &step.sources {
        let Ok(own) = validators.get(version.schema) else {
            continue;
        };
        for example in &version.examples {
            let mut payload = example.node.to_json();
            // An invalid example is reported as such; its upcast proves nothing.
            if !own.is_valid(&payload) {
                continue;
            }
            if let Err(error) = upcast::apply(&steps, &mut payload) {
                let at = step.steps[error.step].place;
                let root = roots.iter().find(|r| r.place == at).or(roots.first());
                let finding = Diagnostic::new(
                    RuleId::UpcastResultInvalid,
                    example.place,
                    format!("upcasting this example of `{name}` {number} to {to} fails at {error}"),
                )
                .related(at, "this step")
                .hint("fix the step, or the example if it is not a real payload");
                out.push(follows(finding, root));
                continue;
            }
            for error in target.iter_errors(&payload) {
                let pointer = error.instance_path().as_str().to_owned();
                let finding = Diagnostic::new(
                    RuleId::UpcastResultInvalid,
                    example.place,
                    format!(
                        "this example of `{name}` {number}, upcast to {to}, does not match \
                         {to} at `{}`: {}",
                        if pointer.is_empty() { "/" } else { &pointer },
                        error.masked()
                    ),
                )
                .related(
                    step.upcast.place,
                    format!("the upcast from {}", step.from_version),
                )
                .hint(format!(
                    "change the upcast steps so that every {} payload becomes a valid {to} payload",
                    step.from_version
                ));
                out.push(follows(finding, roots.first()));
            }
        }
    }
}
