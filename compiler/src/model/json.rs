//! A version's payload schema as one self-contained JSON Schema document:
//! every schema it references is bundled under `$defs`. Used to validate
//! examples with the `jsonschema` crate, and by the JSON Schema backend.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value as Json};

use super::schema::{Additional, Property, Schema, SchemaId, TypeSpace};
use super::scope::Scope;

pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema rooted at `root`, with referenced schemas under `$defs`.
pub fn bundle(types: &TypeSpace, root: SchemaId) -> Json {
    let bundler = Bundler::new(types, root);
    let mut document = Map::new();
    document.insert("$schema".into(), json!(DIALECT));
    if let Json::Object(body) = bundler.schema(root) {
        document.extend(body);
    }
    if !bundler.names.is_empty() {
        let defs: Map<String, Json> = bundler
            .names
            .iter()
            .map(|(id, name)| (name.clone(), bundler.schema(*id)))
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect();
        document.insert("$defs".into(), Json::Object(defs));
    }
    Json::Object(document)
}

/// Formats the `jsonschema` crate checks but evc keeps as annotations
/// (FORMAT_UNKNOWN): the generated code does not check them, so neither may
/// the validator that lint and `evc verify` judge payloads with.
const ANNOTATION_FORMATS: &[&str] = &["idn-email", "idn-hostname", "regex", "uri-template"];

/// A validator of a bundled schema as evc reads it: draft 2020-12, the
/// formats evc knows asserted, the others annotations.
pub fn validator(
    schema: &Json,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    validator_in(schema, jsonschema::Draft::Draft202012)
}

/// [`validator`] for a schema of another draft, judging formats as evc does.
pub fn validator_in(
    schema: &Json,
    draft: jsonschema::Draft,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    options_in(draft).build(schema)
}

/// The options of [`validator_in`], for a caller that adds to them (the
/// documents a schema's remote references name, say).
pub fn options_in(draft: jsonschema::Draft) -> jsonschema::ValidationOptions<'static> {
    ANNOTATION_FORMATS
        .iter()
        .fold(jsonschema::options(), |options, name| {
            options.with_format(*name, |_: &str| true)
        })
        // `jsonschema` also decodes `xn--` labels and checks the Unicode
        // they spell (RFC 5891); evc checks RFC 1123 labels only, and the
        // validator must judge as the generated code does.
        .with_format("hostname", evc_runtime::check::is_hostname)
        .with_draft(draft)
        .should_validate_formats(true)
}

/// JSON equality with `1` and `1.0` the same number, as a validator sees them.
pub fn same_value(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

/// Every schema under `root`, following `$ref`s, `root` included.
pub fn reachable(types: &TypeSpace, root: SchemaId) -> BTreeSet<SchemaId> {
    let mut seen = BTreeSet::from([root]);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let schema = types.get(id);
        let target = schema.reference.as_ref().and_then(|r| r.target);
        for next in schema.children().chain(target) {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen
}

/// Every schema a `$ref` under `root` leads to, transitively.
pub fn reachable_targets(types: &TypeSpace, root: SchemaId) -> BTreeSet<SchemaId> {
    let mut targets: BTreeSet<SchemaId> = reachable(types, root)
        .into_iter()
        .filter_map(|id| types.get(id).reference.as_ref().and_then(|r| r.target))
        .collect();
    targets.remove(&root);
    targets
}

/// Readable, unique, deterministic `$defs` names: the last pointer token,
/// qualified by the file when two targets share it.
fn def_names(
    types: &TypeSpace,
    root: SchemaId,
    targets: &BTreeSet<SchemaId>,
) -> BTreeMap<SchemaId, String> {
    let mut ordered: Vec<SchemaId> = targets.iter().copied().filter(|t| *t != root).collect();
    ordered.sort_by(|a, b| types.get(*a).origin.cmp(&types.get(*b).origin));
    let short = |id: SchemaId| {
        let origin = &types.get(id).origin;
        let last = origin.pointer.rsplit('/').next().unwrap_or("");
        if last.is_empty() {
            file_stem(&origin.file)
        } else {
            last.replace("~1", "_").replace("~0", "_")
        }
    };
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for id in &ordered {
        *count.entry(short(*id)).or_default() += 1;
    }
    let mut scope = Scope::separated("_", []);
    let mut names = BTreeMap::new();
    for id in ordered {
        let base = short(id);
        let wanted = if count[&base] > 1 {
            format!("{}.{}", file_stem(&types.get(id).origin.file), base)
        } else {
            base
        };
        names.insert(id, scope.claim(wanted));
    }
    names
}

fn file_stem(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split('.').next().unwrap_or(name).to_owned()
}

/// A keyword of a bundled schema, its subschemas not yet written out: a
/// comparison reads a schema keyword by keyword, and writes out JSON only
/// where it finds a difference.
#[derive(Debug, Clone)]
pub enum Field<'a> {
    Value(Json),
    /// `$ref`, to the schema it names.
    Reference(SchemaId),
    /// `items` or `additionalProperties`.
    Schema(SchemaId),
    /// `oneOf`, `anyOf`, `allOf` or `prefixItems`.
    Schemas(&'a [SchemaId]),
    Properties(&'a [Property]),
}

/// Writes the schemas under one root as its bundle does: the `$defs` name of
/// every `$ref` target is fixed first.
pub struct Bundler<'a> {
    types: &'a TypeSpace,
    root: SchemaId,
    names: BTreeMap<SchemaId, String>,
}

impl<'a> Bundler<'a> {
    pub fn new(types: &'a TypeSpace, root: SchemaId) -> Self {
        let targets = reachable_targets(types, root);
        let names = def_names(types, root, &targets);
        Bundler { types, root, names }
    }

    pub fn root(&self) -> SchemaId {
        self.root
    }

    /// The schema `id` as JSON, with what it contains.
    pub fn schema(&self, id: SchemaId) -> Json {
        let fields = self.fields(id);
        Json::Object(
            fields
                .into_iter()
                .map(|(key, field)| (key, self.value(field)))
                .collect(),
        )
    }

    /// A field written out as JSON.
    pub fn value(&self, field: Field<'_>) -> Json {
        match field {
            Field::Value(value) => value,
            Field::Reference(target) => json!(self.ref_text(target)),
            Field::Schema(id) => self.schema(id),
            Field::Schemas(ids) => ids.iter().map(|id| self.schema(*id)).collect(),
            Field::Properties(properties) => Json::Object(
                properties
                    .iter()
                    .map(|p| (p.name.to_string(), self.schema(p.schema)))
                    .collect(),
            ),
        }
    }

    /// The keywords of the schema `id`, in the order its JSON has them.
    pub fn fields(&self, id: SchemaId) -> Vec<(String, Field<'a>)> {
        let s = self.types.get(id);
        let mut out: Vec<(String, Field<'a>)> = Vec::new();
        // A keyword written twice keeps its first place, as in a JSON map.
        let mut put = |key: &str, value: Field<'a>| match out.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key.to_owned(), value)),
        };
        if let Some(title) = &s.title {
            put("title", Field::Value(json!(title)));
        }
        if let Some(description) = &s.description {
            put("description", Field::Value(json!(description)));
        }
        if let Some(target) = s.reference.as_ref().and_then(|r| r.target) {
            put("$ref", Field::Reference(target));
        }
        if let Some(types) = &s.types {
            let names: Vec<&str> = types.value.iter().map(|t| t.as_str()).collect();
            let value = if names.len() == 1 {
                json!(names[0])
            } else {
                json!(names)
            };
            put("type", Field::Value(value));
        }
        if let Some(format) = &s.format {
            put("format", Field::Value(json!(format.value.as_str())));
        }
        if let Some(values) = &s.enumeration {
            put("enum", Field::Value(Json::Array(values.value.clone())));
        }
        if let Some(constant) = &s.constant {
            put("const", Field::Value(constant.value.clone()));
        }
        if !s.properties.is_empty() {
            put("properties", Field::Properties(&s.properties));
        }
        if !s.required.is_empty() {
            let names: Vec<&str> = s.required.iter().map(|r| r.value.as_str()).collect();
            put("required", Field::Value(json!(names)));
        }
        match s.additional {
            Additional::Absent => {}
            Additional::Allowed(allowed) => {
                put("additionalProperties", Field::Value(json!(allowed)))
            }
            Additional::Schema(id) => put("additionalProperties", Field::Schema(id)),
        }
        if !s.pattern_properties.is_empty() {
            put(
                "patternProperties",
                Field::Properties(&s.pattern_properties),
            );
        }
        if let Some(names) = s.property_names {
            put("propertyNames", Field::Schema(names));
        }
        if let Some(rest) = s.unevaluated_properties {
            put("unevaluatedProperties", Field::Schema(rest));
        }
        if !s.prefix_items.is_empty() {
            put("prefixItems", Field::Schemas(&s.prefix_items));
        }
        if s.items_forbidden {
            put("items", Field::Value(json!(false)));
        } else if let Some(items) = s.items {
            put("items", Field::Schema(items));
        } else if s.items_allowed {
            put("items", Field::Value(json!(true)));
        }
        if let Some(contains) = s.contains {
            put("contains", Field::Schema(contains));
        }
        if let Some(rest) = s.unevaluated_items {
            put("unevaluatedItems", Field::Schema(rest));
        }
        for (key, branches) in [
            ("oneOf", &s.one_of),
            ("anyOf", &s.any_of),
            ("allOf", &s.all_of),
        ] {
            if !branches.is_empty() {
                put(key, Field::Schemas(branches));
            }
        }
        if let Some(not) = s.not {
            put("not", Field::Schema(not));
        }
        let condition = [
            ("if", s.if_schema.or(s.lone_if)),
            ("then", s.then_schema),
            ("else", s.else_schema),
        ];
        for (key, branch) in condition {
            if let Some(branch) = branch {
                put(key, Field::Schema(branch));
            }
        }
        if !s.dependent_schemas.is_empty() {
            put("dependentSchemas", Field::Properties(&s.dependent_schemas));
        }
        if let Some(content) = s.content_schema {
            put("contentSchema", Field::Schema(content));
        }
        self.constraints(s, &mut |key, value| put(key, Field::Value(value)));
        if let Some(default) = &s.default {
            put("default", Field::Value((**default).clone()));
        }
        if s.deprecated {
            put("deprecated", Field::Value(json!(true)));
        }
        if !s.examples.is_empty() {
            put("examples", Field::Value(Json::Array(s.examples.clone())));
        }
        if let Some(comment) = &s.comment {
            put("$comment", Field::Value(json!(comment)));
        }
        for (key, value) in &s.extensions {
            put(key, Field::Value(value.clone()));
        }
        out
    }

    /// The length, range, item and property-count keywords.
    fn constraints(&self, s: &Schema, put: &mut impl FnMut(&str, Json)) {
        let counts = [
            ("minLength", s.min_length),
            ("maxLength", s.max_length),
            ("minItems", s.min_items),
            ("maxItems", s.max_items),
            ("minContains", s.min_contains),
            ("maxContains", s.max_contains),
            ("minProperties", s.min_properties),
            ("maxProperties", s.max_properties),
        ];
        for (key, value) in counts {
            if let Some(value) = value {
                put(key, json!(value));
            }
        }
        if !s.dependent_required.is_empty() {
            let dependencies: serde_json::Map<String, Json> = s
                .dependent_required
                .iter()
                .map(|(property, names)| (property.clone(), json!(names)))
                .collect();
            put("dependentRequired", Json::Object(dependencies));
        }
        if let Some(pattern) = &s.pattern {
            put("pattern", json!(pattern.value));
        }
        let bounds = [
            ("minimum", &s.minimum),
            ("maximum", &s.maximum),
            ("exclusiveMinimum", &s.exclusive_minimum),
            ("exclusiveMaximum", &s.exclusive_maximum),
            ("multipleOf", &s.multiple_of),
        ];
        for (key, value) in bounds {
            if let Some(value) = value {
                put(key, Json::Number((**value).clone()));
            }
        }
        self.integer_range(s, put);
        if s.unique_items {
            put("uniqueItems", json!(true));
        }
    }

    /// Sized-integer formats carry their range as bounds, so a validator
    /// that treats `int32` as an annotation still refuses 2^31.
    fn integer_range(&self, s: &Schema, put: &mut impl FnMut(&str, Json)) {
        let Some((low, high)) = s.format.as_ref().and_then(|f| f.value.integer_range()) else {
            return;
        };
        let tighter_low = s
            .minimum
            .as_ref()
            .and_then(|m| m.as_f64())
            .is_some_and(|m| m >= low as f64);
        let tighter_high = s
            .maximum
            .as_ref()
            .and_then(|m| m.as_f64())
            .is_some_and(|m| m <= high as f64);
        if !tighter_low {
            put("minimum", number(low));
        }
        if !tighter_high {
            put("maximum", number(high));
        }
    }

    fn ref_text(&self, target: SchemaId) -> String {
        if target == self.root {
            return "#".to_owned();
        }
        match self.names.get(&target) {
            Some(name) => format!("#/$defs/{}", name.replace('~', "~0").replace('/', "~1")),
            None => "#".to_owned(),
        }
    }
}

fn number(value: i128) -> Json {
    if let Ok(v) = i64::try_from(value) {
        json!(v)
    } else {
        json!(value as u64)
    }
}
