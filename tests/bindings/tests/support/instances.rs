//! Random instances of a JSON Schema of the contract subset, for property
//! tests: every keyword the bundled contracts use steers the generator, and
//! the caller keeps only what `jsonschema` accepts.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Instances of the bundled (self-contained) schema `root`.
pub fn instances(root: &Value) -> BoxedStrategy<Value> {
    Generator { root }.schema(root, 0)
}

struct Generator<'a> {
    root: &'a Value,
}

const MAX_DEPTH: usize = 8;

impl Generator<'_> {
    fn schema(&self, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return self.schema(self.resolve(reference), depth);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return proptest::sample::select(values.clone()).boxed();
        }
        if let Some(constant) = schema.get("const") {
            return Just(constant.clone()).boxed();
        }
        for union in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(union).and_then(Value::as_array) {
                let options: Vec<_> = branches.iter().map(|b| self.schema(b, depth + 1)).collect();
                return proptest::strategy::Union::new(options).boxed();
            }
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec!["object"],
        };
        let options: Vec<_> = types.iter().map(|t| self.typed(schema, t, depth)).collect();
        proptest::strategy::Union::new(options).boxed()
    }

    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference.trim_start_matches('#');
        self.root.pointer(pointer).unwrap_or(&Value::Bool(true))
    }

    fn typed(&self, schema: &Value, ty: &str, depth: usize) -> BoxedStrategy<Value> {
        match ty {
            "null" => Just(Value::Null).boxed(),
            "boolean" => any::<bool>().prop_map(Value::from).boxed(),
            "integer" => integer(schema),
            "number" => number(schema),
            "string" => string(schema).prop_map(Value::from).boxed(),
            "array" => self.array(schema, depth),
            _ => self.object(schema, depth),
        }
    }

    fn array(&self, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
        let min = bound(schema, "minItems").unwrap_or(0.0) as usize;
        let max = bound(schema, "maxItems")
            .map_or(min + 3, |m| m as usize)
            .min(min + 3);
        let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
        if depth >= MAX_DEPTH {
            return Just(Value::Array(Vec::new())).boxed();
        }
        proptest::collection::vec(self.schema(&items, depth + 1), min..=max)
            .prop_map(Value::Array)
            .boxed()
    }

    fn object(&self, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let name = name.clone();
                let required = required.contains(&name.as_str());
                // A recursive schema ends in the optional properties it leaves out.
                if !required && depth >= MAX_DEPTH {
                    continue;
                }
                let value = self.schema(property, depth + 1);
                fields.push(if required {
                    value.prop_map(move |v| Some((name.clone(), v))).boxed()
                } else {
                    proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
                });
            }
        }
        let extra = match schema.get("additionalProperties") {
            Some(Value::Object(_)) if depth < MAX_DEPTH => {
                let values = self.schema(&schema["additionalProperties"], depth + 1);
                proptest::collection::btree_map("[a-z]{1,8}", values, 0..3).boxed()
            }
            _ => Just(Default::default()).boxed(),
        };
        (fields, extra)
            .prop_map(|(fields, extra)| {
                let mut object: Map<String, Value> = extra.into_iter().collect();
                object.extend(fields.into_iter().flatten());
                Value::Object(object)
            })
            .boxed()
    }
}

fn bound(schema: &Value, keyword: &str) -> Option<f64> {
    schema.get(keyword).and_then(Value::as_f64)
}

/// Integers of the schema's range; for `uint64`, the part beyond `i64` too.
fn integer(schema: &Value) -> BoxedStrategy<Value> {
    let small = signed(schema).prop_map(Value::from);
    match schema.get("format").and_then(Value::as_str) {
        Some("uint64") => {
            prop_oneof![small, (i64::MAX as u64..=u64::MAX).prop_map(Value::from)].boxed()
        }
        _ => small.boxed(),
    }
}

fn signed(schema: &Value) -> BoxedStrategy<i64> {
    let range = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
        Some("uint32") => (0, i64::from(u32::MAX)),
        Some("uint64") => (0, i64::MAX),
        _ => (-1_000_000, 1_000_000),
    };
    let low = bound(schema, "minimum")
        .map(|m| m.ceil() as i64)
        .or(bound(schema, "exclusiveMinimum").map(|m| m.floor() as i64 + 1))
        .unwrap_or(range.0)
        .max(range.0);
    let high = bound(schema, "maximum")
        .map(|m| m.floor() as i64)
        .or(bound(schema, "exclusiveMaximum").map(|m| m.ceil() as i64 - 1))
        .unwrap_or(range.1)
        .min(range.1);
    let step = bound(schema, "multipleOf").map_or(1, |m| (m as i64).max(1));
    (low..=high.max(low))
        .prop_map(move |n| n - n.rem_euclid(step))
        .boxed()
}

/// Numbers as producers write them: with a fraction, whole but written
/// with one (`3.0`), and whole written as integers (`3`).
fn number(schema: &Value) -> BoxedStrategy<Value> {
    let fraction = cents(schema);
    let whole = cents(schema).prop_map(f64::trunc);
    prop_oneof![
        fraction.prop_map(Value::from),
        whole.clone().prop_map(Value::from),
        whole.prop_map(|w| Value::from(w as i64)),
    ]
    .boxed()
}

fn cents(schema: &Value) -> BoxedStrategy<f64> {
    let low = bound(schema, "minimum")
        .or(bound(schema, "exclusiveMinimum"))
        .unwrap_or(-1e6);
    let high = bound(schema, "maximum")
        .or(bound(schema, "exclusiveMaximum"))
        .unwrap_or(1e6);
    // Cents: what money amounts look like, and exact in decimal text.
    ((low * 100.0) as i64..=(high * 100.0) as i64)
        .prop_map(|cents| cents as f64 / 100.0)
        .boxed()
}

fn string(schema: &Value) -> BoxedStrategy<String> {
    let format = schema.get("format").and_then(Value::as_str);
    let pattern = match (format, schema.get("pattern").and_then(Value::as_str)) {
        (Some("uuid"), _) => {
            "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}".to_owned()
        }
        (Some("date-time"), _) => {
            "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?(Z|[+-]0[0-9]:00)".to_owned()
        }
        (Some("date"), _) => "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])".to_owned(),
        (Some("email"), _) => "[a-z]{1,10}(\\.[a-z]{1,5})?@[a-z]{1,10}\\.(com|org|de)".to_owned(),
        (Some("uri"), _) => "https://[a-z]{1,10}\\.example/[a-z]{0,8}".to_owned(),
        (_, Some(pattern)) => pattern
            .trim_start_matches('^')
            .trim_end_matches('$')
            .to_owned(),
        _ => {
            let min = bound(schema, "minLength").unwrap_or(0.0) as usize;
            let max = bound(schema, "maxLength").map_or(min + 12, |m| m as usize).min(min + 12);
            format!("[ -~\u{e9}\u{4e16}]{{{min},{max}}}")
        }
    };
    proptest::string::string_regex(&pattern)
        .unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
        .boxed()
}
