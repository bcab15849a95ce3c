//! The contract's upcast steps run over JSON by the runtime's interpreter,
//! as `evc lint` and `evc verify` run them.

use evc::model::{Spanned, UpcastStep};
use serde_json::Value;

/// The contract's steps, run over JSON.
pub fn apply(
    value: &mut Value,
    upcast: &[Spanned<UpcastStep>],
) -> Result<(), evc::upcast::UpcastError> {
    let steps: Vec<UpcastStep> = upcast.iter().map(|s| s.value.clone()).collect();
    evc::upcast::apply(&steps, value)
}

/// The same, for steps that apply.
pub fn run(value: &mut Value, upcast: &[Spanned<UpcastStep>]) {
    apply(value, upcast).expect("the steps apply");
}
