//! Checks on values no single Rust type describes (`serde_json::Value`):
//! a schema without `type`, or with several. Generated code applies each
//! keyword to the JSON types it constrains, as JSON Schema does.

use serde_json::{Map, Value};

use crate::Violation;

/// `type`: `integer` also takes a number with a zero fraction (1.0).
pub fn json_type(value: &Value, allowed: &[&str]) -> Result<(), Violation> {
    let fits = |name: &str| match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => match value {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    };
    if allowed.iter().any(|name| fits(name)) {
        return Ok(());
    }
    Err(Violation::new(format!(
        "{} is not of type {}",
        kind(value),
        allowed.join(" or ")
    )))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub fn required(object: &Map<String, Value>, name: &str) -> Result<(), Violation> {
    required_held(object.contains_key(name), name)
}

/// `required` of a name a struct keeps among its other properties.
pub fn required_held(held: bool, name: &str) -> Result<(), Violation> {
    if held {
        Ok(())
    } else {
        Err(Violation::new(format!(
            "required property `{name}` is missing"
        )))
    }
}

/// `additionalProperties: false`: nothing beyond `declared`.
pub fn only_properties(object: &Map<String, Value>, declared: &[&str]) -> Result<(), Violation> {
    match object.keys().find(|k| !declared.contains(&k.as_str())) {
        Some(extra) => Err(Violation::new(format!("property `{extra}` is not allowed")).at(extra)),
        None => Ok(()),
    }
}

/// `additionalProperties: false` beside `patternProperties`: `key` is
/// neither declared nor matched by a pattern.
pub fn unmatched_property(key: &str) -> Result<(), Violation> {
    Err(Violation::new(format!(
        "property `{key}` is not allowed: it is not declared and matches no pattern of patternProperties"
    ))
    .at(key))
}

/// `propertyNames`: the name `key` failed the schema, whose violation is
/// `violation`; reported at the property.
pub fn property_name(key: &str, violation: Violation) -> Violation {
    Violation::new(format!(
        "property name `{key}` is not allowed: {}",
        violation.reason()
    ))
    .at(key)
}

/// `oneOf`: exactly one branch passed.
pub fn one_of(passed: &[bool]) -> Result<(), Violation> {
    match passed.iter().filter(|p| **p).count() {
        1 => Ok(()),
        0 => Err(Violation::new(format!(
            "matches none of the {} oneOf branches",
            passed.len()
        ))),
        n => Err(Violation::new(format!(
            "matches {n} oneOf branches; exactly one must match"
        ))),
    }
}

/// `anyOf`: at least one branch passed.
pub fn any_of(passed: &[bool]) -> Result<(), Violation> {
    if passed.contains(&true) {
        Ok(())
    } else {
        Err(Violation::new(format!(
            "matches none of the {} anyOf branches",
            passed.len()
        )))
    }
}

/// `not`: the value failed the negated schema.
pub fn not(passed: bool) -> Result<(), Violation> {
    if passed {
        Err(Violation::new("matches the schema under `not`"))
    } else {
        Ok(())
    }
}

/// A value that must be a valid `T` (a `$ref` to a generated type).
pub fn decodes<T: serde::de::DeserializeOwned + crate::Validate>(
    value: &Value,
) -> Result<(), Violation> {
    match T::deserialize(value) {
        Ok(decoded) => decoded.validate(),
        // An `integer` written `1.0`, as `Contract::decode` reads it; the
        // value is copied only when it holds one.
        Err(_) if crate::de::holds_integral_floats(value) => {
            let mut integral = value.clone();
            crate::de::integral_floats_as_integers(&mut integral);
            match T::deserialize(&integral) {
                Ok(decoded) => decoded.validate(),
                Err(e) => Err(Violation::new(e.to_string())),
            }
        }
        Err(e) => Err(Violation::new(e.to_string())),
    }
}
