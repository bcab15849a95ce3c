//! The contract's upcast steps run over JSON with the runtime's own
//! helpers: the meaning the typed conversions must agree with.

use evc::model::{JsonType, Spanned, UpcastStep};
use evc_runtime::upcast::json::{self as steps, Scalar};
use serde_json::Value;

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The contract's steps, run over JSON: the meaning the typed conversion
/// must agree with.
pub fn run(value: &mut Value, upcast: &[Spanned<UpcastStep>]) {
    for step in upcast {
        let result = match &step.value {
            UpcastStep::Rename { from, to } => {
                let from = segments(from);
                let from: Vec<&str> = from.iter().map(String::as_str).collect();
                steps::rename(value, &from, to)
            }
            UpcastStep::Move { from, to } => {
                let (from, to) = (segments(from), segments(to));
                let from: Vec<&str> = from.iter().map(String::as_str).collect();
                let to: Vec<&str> = to.iter().map(String::as_str).collect();
                steps::move_to(value, &from, &to)
            }
            UpcastStep::Set {
                path,
                value: constant,
            } => {
                let path = segments(path);
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                steps::set(value, &path, constant.clone())
            }
            UpcastStep::Drop { path } => {
                let path = segments(path);
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                steps::drop(value, &path)
            }
            UpcastStep::Convert { path, to } => {
                let path = segments(path);
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                let to = match to {
                    JsonType::Integer => Scalar::Integer,
                    JsonType::Number => Scalar::Number,
                    JsonType::Boolean => Scalar::Boolean,
                    _ => Scalar::String,
                };
                steps::convert(value, &path, to)
            }
            UpcastStep::Custom => panic!("the bundled contracts have no custom upcast"),
        };
        result.expect("the steps apply");
    }
}
