//! Declarative upcast steps as the runtime runs them: the lint proofs run
//! them on a version's examples and `evc verify` on stored payloads. The
//! meaning of every step is `evc_runtime::upcast`'s, the same code generated
//! bindings run, so what evc proves or verifies is what a consumer does.

use serde_json::Value;

use crate::model::{JsonType, UpcastStep};

pub use evc_runtime::upcast::{Path, PathError, Reason, Scalar, Step, StepError as UpcastError};

/// The key a step is written with.
pub fn action(step: &UpcastStep) -> &'static str {
    runtime_step(step).action()
}

/// The runtime's form of a contract step.
pub fn runtime_step(step: &UpcastStep) -> Step {
    match step {
        UpcastStep::Rename { from, to } => Step::Rename {
            from: from.clone(),
            to: to.clone(),
        },
        UpcastStep::Move { from, to } => Step::Move {
            from: from.clone(),
            to: to.clone(),
        },
        UpcastStep::Set { path, value } => Step::Set {
            path: path.clone(),
            value: value.clone(),
        },
        UpcastStep::Drop { path } => Step::Drop { path: path.clone() },
        UpcastStep::Convert { path, to } => Step::Convert {
            path: path.clone(),
            to: scalar(*to),
        },
        UpcastStep::Custom => Step::Custom,
    }
}

/// The scalar a `convert` produces; the model holds only these four.
pub fn scalar(ty: JsonType) -> Scalar {
    match ty {
        JsonType::Integer => Scalar::Integer,
        JsonType::Number => Scalar::Number,
        JsonType::Boolean => Scalar::Boolean,
        _ => Scalar::String,
    }
}

/// Applies `steps` in order to `payload`, in place.
pub fn apply(steps: &[UpcastStep], payload: &mut Value) -> Result<(), UpcastError> {
    let steps: Vec<Step> = steps.iter().map(runtime_step).collect();
    evc_runtime::upcast::apply(&steps, payload)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn contract_steps_run_as_the_runtime_runs_them() {
        let steps = [
            UpcastStep::Move {
                from: "total".into(),
                to: "total/amount".into(),
            },
            UpcastStep::Convert {
                path: "total/amount".into(),
                to: JsonType::String,
            },
        ];
        let mut payload = json!({"total": 3.0});
        apply(&steps, &mut payload).unwrap();
        assert_eq!(payload, json!({"total": {"amount": "3"}}));
        let error = apply(&[UpcastStep::Custom], &mut json!({})).unwrap_err();
        assert_eq!((error.step, error.action), (0, "custom"));
        assert_eq!(error.reason, Reason::Custom);
    }
}
