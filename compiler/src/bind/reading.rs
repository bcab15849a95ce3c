//! What a schema says once its `$ref` and `allOf` conjuncts are read
//! together: the facts the lowering decides types from.

use serde_json::Value as Json;

use crate::model::resolve::conjuncts;
use crate::model::{Additional, Format, JsonType, Schema, SchemaId, TypeSpace};

/// The combined reading of a schema and its conjuncts.
#[derive(Debug, Default, Clone)]
pub struct View {
    pub types: Option<Vec<JsonType>>,
    pub format: Option<Format>,
    pub items: Option<SchemaId>,
    /// `prefixItems` or `items: false` on some conjunct (the items differ by
    /// position), or `contains` or `unevaluatedItems` (which must see the items as they were
    /// written, not as a typed item would encode them, defaults filled and
    /// undeclared properties dropped): the items stay JSON values.
    pub json_items: bool,
    pub has_properties_or_closed: bool,
    /// For an object with no declared properties: `Some(Some(values))` is a
    /// map of values, `Some(None)` a map of anything.
    pub additional_only: Option<Option<SchemaId>>,
}

/// A `oneOf` or an `anyOf` and nothing else that constrains the value:
/// such a schema is a Rust enum of its branches. Any other mix is checked
/// on the value as JSON.
pub fn is_plain_union(s: &Schema) -> bool {
    if s.one_of.is_empty() == s.any_of.is_empty() {
        return false;
    }
    // Whatever else the schema says would be lost on the enum's variants.
    let mut rest = s.clone();
    rest.one_of.clear();
    rest.any_of.clear();
    rest.types = None;
    rest.reference.is_none() && !rest.has_assertions()
}

/// The values of an `enum` of strings (with whether `null` is among them),
/// when the schema allows nothing else.
pub fn string_enum(s: &Schema) -> Option<(Vec<String>, bool)> {
    let values = &s.enumeration.as_ref()?.value;
    let mut strings = Vec::new();
    let mut null = false;
    for value in values {
        match value {
            Json::String(text) if !strings.contains(text) => strings.push(text.clone()),
            Json::String(_) => {}
            Json::Null => null = true,
            _ => return None,
        }
    }
    let types_fit = s.types.as_ref().is_none_or(|t| {
        t.value.contains(&JsonType::String) && (!null || t.value.contains(&JsonType::Null))
    });
    (!strings.is_empty() && types_fit && s.all_of.is_empty() && s.reference.is_none())
        .then_some((strings, null))
}

pub fn json_type(value: &Json) -> JsonType {
    match value {
        Json::Null => JsonType::Null,
        Json::Bool(_) => JsonType::Boolean,
        Json::Number(n) if n.is_f64() => JsonType::Number,
        Json::Number(_) => JsonType::Integer,
        Json::String(_) => JsonType::String,
        Json::Array(_) => JsonType::Array,
        Json::Object(_) => JsonType::Object,
    }
}

pub fn is_scalar(value: &Json) -> bool {
    matches!(value, Json::Bool(_) | Json::Number(_) | Json::String(_))
}

/// What `id` and its `$ref`/`allOf` conjuncts say together.
pub fn view(types: &TypeSpace, id: SchemaId) -> View {
    let mut view = View::default();
    let mut has_properties = false;
    let mut closed = false;
    let mut additional: Option<Option<SchemaId>> = None;
    for member in conjuncts(types, id) {
        let m = types.get(member);
        if let Some(types) = &m.types {
            let mut allowed: Vec<JsonType> = types.value.to_vec();
            if allowed.contains(&JsonType::Number) && !allowed.contains(&JsonType::Integer) {
                allowed.push(JsonType::Integer);
            }
            view.types = Some(match view.types.take() {
                None => types.value.to_vec(),
                Some(previous) => previous
                    .into_iter()
                    .filter(|t| {
                        allowed.contains(t)
                            || (*t == JsonType::Number && allowed.contains(&JsonType::Integer))
                    })
                    .map(|t| {
                        if t == JsonType::Number && !allowed.contains(&JsonType::Number) {
                            JsonType::Integer
                        } else {
                            t
                        }
                    })
                    .collect(),
            });
        }
        if view.types.is_none() && m.enumeration.is_none() && m.constant.is_none() {
            if let Some(format) = &m.format {
                if format.value.json_type() == JsonType::Integer {
                    view.types = Some(vec![JsonType::Integer]);
                }
            }
        }
        view.format = view.format.or(m.format.as_ref().map(|f| f.value));
        view.items = view.items.or(m.items);
        view.json_items |= !m.prefix_items.is_empty()
            || m.items_forbidden
            || m.contains.is_some()
            || m.unevaluated_items.is_some();
        has_properties |= !m.properties.is_empty();
        match m.additional {
            _ if !m.pattern_properties.is_empty() => {}
            Additional::Allowed(false) => closed = true,
            Additional::Schema(values) => additional = Some(Some(values)),
            _ => {}
        }
        if let Some(constant) = &m.constant {
            if view.types.is_none() {
                // A number constant reads as `f64`: JSON Schema counts 1.0 as 1.
                let ty = match json_type(&constant.value) {
                    JsonType::Integer => JsonType::Number,
                    other => other,
                };
                view.types = Some(vec![ty]);
            }
        }
    }
    // Beside `patternProperties`, `additionalProperties` speaks only of the
    // names no pattern matches: read from the members without patterns, a
    // patterned member's own is checked with its patterns on the JSON.
    view.has_properties_or_closed = has_properties || closed;
    view.additional_only = if has_properties || closed {
        None
    } else {
        additional.or(Some(None))
    };
    view
}
