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
    /// The position schemas of a closed tuple that Rust can hold as one:
    /// `prefixItems` (or a draft-07 `items` list) with nothing after it and
    /// every position required, said by one schema alone, without
    /// `uniqueItems`, `contains` or `unevaluatedItems`.
    pub tuple: Option<Vec<SchemaId>>,
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

/// The branches of a `type` list that names several types besides `null`,
/// in the order written: `integer` goes into `number` when both are named
/// (every integer is a number, so the two would overlap). `None` for one
/// type, one type and `null`, or no `type`.
pub fn type_branches(view: &View) -> Option<Vec<JsonType>> {
    let types = view.types.as_deref()?;
    let number = types.contains(&JsonType::Number);
    let mut branches: Vec<JsonType> = Vec::new();
    for ty in types {
        let ty = match ty {
            JsonType::Integer if number => JsonType::Number,
            other => *other,
        };
        if !branches.contains(&ty) {
            branches.push(ty);
        }
    }
    let non_null = branches.iter().filter(|t| **t != JsonType::Null).count();
    (non_null >= 2).then_some(branches)
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

/// The schema of every property a schema does not declare, when one
/// pattern is all that admits them (`patternProperties` of one entry beside
/// `additionalProperties: false`): such properties all match it, so a map
/// of them can be typed by it. The names are checked against the pattern.
pub fn closed_pattern(s: &Schema) -> Option<SchemaId> {
    match (s.pattern_properties.as_slice(), &s.additional) {
        ([only], Additional::Allowed(false)) => Some(only.schema),
        _ => None,
    }
}

/// Whether `s` says all there is to say about an array as a tuple of its
/// `prefixItems`: nothing after them, every position required (`minItems`
/// exactly their number: more would refuse every array), and no keyword
/// that reads the items as a list.
pub fn is_closed_tuple(s: &Schema) -> bool {
    let positions = s.prefix_items.len() as u64;
    s.items_forbidden
        && s.min_items == Some(positions)
        && s.max_items.is_none_or(|n| n >= positions)
        && !s.unique_items
        && s.contains.is_none()
        && s.unevaluated_items.is_none()
}

/// What `id` and its `$ref`/`allOf` conjuncts say together.
pub fn view(types: &TypeSpace, id: SchemaId) -> View {
    let mut view = View::default();
    let mut has_properties = false;
    let mut closed = false;
    let mut additional: Option<Option<SchemaId>> = None;
    let mut pattern_values = None;
    let members = conjuncts(types, id);
    // A tuple spread over `allOf` members, or with a position that may be
    // missing, stays a list of JSON values.
    if let [only] = members.as_slice() {
        let s = types.get(*only);
        if s.prefix_items.len() >= 2 && is_closed_tuple(s) {
            view.tuple = Some(s.prefix_items.clone());
        }
    }
    for member in members {
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
        pattern_values = pattern_values.or(closed_pattern(m));
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
        match (additional, pattern_values) {
            // Values some member types and a pattern's schema also checks:
            // JSON, which both read.
            (Some(_), Some(_)) => Some(None),
            (Some(values), None) => Some(values),
            (None, pattern) => Some(pattern),
        }
    };
    view
}
