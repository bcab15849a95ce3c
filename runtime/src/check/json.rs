//! `enum`, `const` and `uniqueItems`: JSON equality, where 1 and 1.0 are
//! the same number and object members have no order.

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use crate::Violation;

/// A typed value as JSON, for the keywords checked on its JSON (`oneOf`
/// branches, `not`, another `allOf` member's narrowing). A value serde
/// cannot write as JSON (a map with non-string keys) reads as `null`.
pub fn json_of<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// JSON text compiled into generated code, parsed once on first use.
pub struct JsonConst {
    text: &'static str,
    parsed: OnceLock<Value>,
}

impl JsonConst {
    pub const fn new(text: &'static str) -> Self {
        JsonConst {
            text,
            parsed: OnceLock::new(),
        }
    }

    pub fn value(&self) -> &Value {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.text).unwrap_or(Value::Null))
    }

    pub fn text(&self) -> &'static str {
        self.text
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value, Violation> {
    serde_json::to_value(value).map_err(|e| Violation::new(format!("cannot be read as JSON: {e}")))
}

pub fn enum_of<T: Serialize + ?Sized>(value: &T, allowed: &JsonConst) -> Result<(), Violation> {
    let value = to_json(value)?;
    let found = match allowed.value() {
        Value::Array(options) => options.iter().any(|o| json_eq(o, &value)),
        _ => false,
    };
    if found {
        Ok(())
    } else {
        Err(Violation::new(format!(
            "{value} is not one of {}",
            allowed.text()
        )))
    }
}

pub fn constant<T: Serialize + ?Sized>(value: &T, expected: &JsonConst) -> Result<(), Violation> {
    let value = to_json(value)?;
    if json_eq(expected.value(), &value) {
        Ok(())
    } else {
        Err(Violation::new(format!(
            "{value} is not the constant {}",
            expected.text()
        )))
    }
}

pub fn unique_items<T: Serialize>(items: &[T]) -> Result<(), Violation> {
    let values = items.iter().map(to_json).collect::<Result<Vec<_>, _>>()?;
    for (i, a) in values.iter().enumerate() {
        if let Some(j) = values[i + 1..].iter().position(|b| json_eq(a, b)) {
            return Err(Violation::new(format!(
                "items {i} and {} are equal; items must be unique",
                i + 1 + j
            )));
        }
    }
    Ok(())
}

/// Equality of JSON values as JSON Schema defines it.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_eq(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn number_eq(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!([1, {"a": 1.0}]), &json!([1.0, {"a": 1}])));
        assert!(!json_eq(&json!([1, 2]), &json!([2, 1])));
        assert!(unique_items(&[json!(1), json!(1.0)]).is_err());
        assert!(unique_items(&[json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})]).is_err());
        assert!(unique_items(&[json!(false), json!(0)]).is_ok());
    }
}
