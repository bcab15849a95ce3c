//! `unevaluatedProperties` and `unevaluatedItems`: which properties and
//! items the keywords beside them evaluated (the generated code gathers
//! them, following JSON Schema's annotation rules), and the check of the
//! others.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::Violation;

/// The properties or items of one value that some keyword evaluated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Evaluated {
    all: bool,
    names: BTreeSet<String>,
    prefix: usize,
    indices: BTreeSet<usize>,
}

impl Evaluated {
    /// Every property or item (`additionalProperties`, `items` after the
    /// prefix, a nested `unevaluated*` that passed).
    pub fn everything(&mut self) {
        self.all = true;
    }

    /// A property named `name`.
    pub fn name(&mut self, name: &str) {
        if !self.all && !self.names.contains(name) {
            self.names.insert(name.to_owned());
        }
    }

    /// Each of `names` (`properties`).
    pub fn names(&mut self, names: &[&str]) {
        for name in names {
            self.name(name);
        }
    }

    /// The first `count` items (`prefixItems`).
    pub fn prefix(&mut self, count: usize) {
        self.prefix = self.prefix.max(count);
    }

    /// The item at `index` (one `contains` matched).
    pub fn index(&mut self, index: usize) {
        self.indices.insert(index);
    }

    /// What a passing subschema evaluated joins what this one did.
    pub fn join(&mut self, other: Evaluated) {
        self.all |= other.all;
        self.prefix = self.prefix.max(other.prefix);
        self.names.extend(other.names);
        self.indices.extend(other.indices);
    }

    pub fn has_name(&self, name: &str) -> bool {
        self.all || self.names.contains(name)
    }

    pub fn has_index(&self, index: usize) -> bool {
        self.all || index < self.prefix || self.indices.contains(&index)
    }
}

/// `unevaluatedProperties`: every property of `object` that `evaluated`
/// lacks passes `check`; a failure is reported at the property.
pub fn unevaluated_properties(
    object: &Map<String, Value>,
    evaluated: &Evaluated,
    check: impl Fn(&Value) -> Result<(), Violation>,
) -> Result<(), Violation> {
    for (key, value) in object {
        if evaluated.has_name(key) {
            continue;
        }
        check(value).map_err(|violation| {
            Violation::new(format!(
                "property `{key}` is not evaluated by any other keyword and `unevaluatedProperties` refuses it: {}",
                violation.reason()
            ))
            .at(key)
        })?;
    }
    Ok(())
}

/// `unevaluatedItems`: every item of `items` that `evaluated` lacks passes
/// `check`; a failure is reported at the item.
pub fn unevaluated_items(
    items: &[Value],
    evaluated: &Evaluated,
    check: impl Fn(&Value) -> Result<(), Violation>,
) -> Result<(), Violation> {
    for (index, item) in items.iter().enumerate() {
        if evaluated.has_index(index) {
            continue;
        }
        check(item).map_err(|violation| {
            Violation::new(format!(
                "item {index} is not evaluated by any other keyword and `unevaluatedItems` refuses it: {}",
                violation.reason()
            ))
            .at_index(index)
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refuse(_: &Value) -> Result<(), Violation> {
        Err(Violation::new("nothing passes"))
    }

    #[test]
    fn only_properties_left_unevaluated_are_checked() {
        let object = json!({"a": 1, "b": 2});
        let object = object.as_object().unwrap();
        let mut evaluated = Evaluated::default();
        evaluated.names(&["a"]);
        let error = unevaluated_properties(object, &evaluated, refuse).unwrap_err();
        assert!(error.to_string().contains("`b`"), "{error}");
        evaluated.name("b");
        assert!(unevaluated_properties(object, &evaluated, refuse).is_ok());
    }

    #[test]
    fn items_are_evaluated_by_prefix_index_or_everything() {
        let items = [json!(1), json!(2), json!(3)];
        let mut evaluated = Evaluated::default();
        evaluated.prefix(1);
        evaluated.index(2);
        let error = unevaluated_items(&items, &evaluated, refuse).unwrap_err();
        assert!(error.to_string().contains("item 1"), "{error}");
        let mut nested = Evaluated::default();
        nested.everything();
        evaluated.join(nested);
        assert!(unevaluated_items(&items, &evaluated, refuse).is_ok());
    }
}
