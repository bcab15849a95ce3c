//! A version's payload schema as one self-contained JSON Schema document:
//! every schema it references is bundled under `$defs`. Used to validate
//! examples with the `jsonschema` crate, and by the JSON Schema backend.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value as Json};

use super::schema::{Additional, SchemaId, TypeSpace};

pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The schema rooted at `root`, with referenced schemas under `$defs`.
pub fn bundle(types: &TypeSpace, root: SchemaId) -> Json {
    let targets = reachable_targets(types, root);
    let names = def_names(types, root, &targets);
    let emitter = Emitter {
        types,
        root,
        names: &names,
    };
    let mut document = Map::new();
    document.insert("$schema".into(), json!(DIALECT));
    if let Json::Object(body) = emitter.schema(root) {
        document.extend(body);
    }
    if !names.is_empty() {
        let defs: Map<String, Json> = names
            .iter()
            .map(|(id, name)| (name.clone(), emitter.schema(*id)))
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
const ANNOTATION_FORMATS: &[&str] = &[
    "duration",
    "hostname",
    "idn-email",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri-reference",
    "uri-template",
];

/// A validator of a bundled schema as evc reads it: draft 2020-12, the
/// formats evc knows asserted, the others annotations.
pub fn validator(
    schema: &Json,
) -> Result<jsonschema::Validator, jsonschema::ValidationError<'static>> {
    ANNOTATION_FORMATS
        .iter()
        .fold(jsonschema::options(), |options, name| {
            options.with_format(*name, |_: &str| true)
        })
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
}

/// Whether `value` is valid against the schema `id`.
pub fn accepts(types: &TypeSpace, id: SchemaId, value: &Json) -> bool {
    validator(&bundle(types, id)).is_ok_and(|v| v.is_valid(value))
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
    let mut names = BTreeMap::new();
    let mut used = BTreeSet::new();
    for id in ordered {
        let base = short(id);
        let mut name = if count[&base] > 1 {
            format!("{}.{}", file_stem(&types.get(id).origin.file), base)
        } else {
            base
        };
        let stem = name.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{stem}_{n}");
            n += 1;
        }
        names.insert(id, name);
    }
    names
}

fn file_stem(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split('.').next().unwrap_or(name).to_owned()
}

struct Emitter<'a> {
    types: &'a TypeSpace,
    root: SchemaId,
    names: &'a BTreeMap<SchemaId, String>,
}

impl Emitter<'_> {
    fn schema(&self, id: SchemaId) -> Json {
        let s = self.types.get(id);
        let mut out = Map::new();
        let mut put = |key: &str, value: Json| {
            out.insert(key.to_owned(), value);
        };
        if let Some(title) = &s.title {
            put("title", json!(title));
        }
        if let Some(description) = &s.description {
            put("description", json!(description));
        }
        if let Some(reference) = &s.reference {
            if let Some(target) = reference.target {
                put("$ref", json!(self.ref_text(target)));
            }
        }
        if let Some(types) = &s.types {
            let names: Vec<&str> = types.value.iter().map(|t| t.as_str()).collect();
            put(
                "type",
                if names.len() == 1 {
                    json!(names[0])
                } else {
                    json!(names)
                },
            );
        }
        if let Some(format) = &s.format {
            put("format", json!(format.value.as_str()));
        }
        if let Some(values) = &s.enumeration {
            put("enum", Json::Array(values.value.clone()));
        }
        if let Some(constant) = &s.constant {
            put("const", constant.value.clone());
        }
        if !s.properties.is_empty() {
            let properties: Map<String, Json> = s
                .properties
                .iter()
                .map(|p| (p.name.clone(), self.schema(p.schema)))
                .collect();
            put("properties", Json::Object(properties));
        }
        if !s.required.is_empty() {
            let names: Vec<&str> = s.required.iter().map(|r| r.value.as_str()).collect();
            put("required", json!(names));
        }
        match s.additional {
            Additional::Absent => {}
            Additional::Allowed(allowed) => put("additionalProperties", json!(allowed)),
            Additional::Schema(id) => put("additionalProperties", self.schema(id)),
        }
        if let Some(items) = s.items {
            put("items", self.schema(items));
        }
        for (key, branches) in [
            ("oneOf", &s.one_of),
            ("anyOf", &s.any_of),
            ("allOf", &s.all_of),
        ] {
            if !branches.is_empty() {
                put(key, branches.iter().map(|b| self.schema(*b)).collect());
            }
        }
        let counts = [
            ("minLength", s.min_length),
            ("maxLength", s.max_length),
            ("minItems", s.min_items),
            ("maxItems", s.max_items),
        ];
        for (key, value) in counts {
            if let Some(value) = value {
                put(key, json!(value));
            }
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
        self.integer_range(s, &mut put);
        if s.unique_items {
            put("uniqueItems", json!(true));
        }
        if let Some(default) = &s.default {
            put("default", (**default).clone());
        }
        if s.deprecated {
            put("deprecated", json!(true));
        }
        if !s.examples.is_empty() {
            put("examples", Json::Array(s.examples.clone()));
        }
        if let Some(comment) = &s.comment {
            put("$comment", json!(comment));
        }
        for (key, value) in &s.extensions {
            put(key, value.clone());
        }
        Json::Object(out)
    }

    /// Sized-integer formats carry their range as bounds, so a validator
    /// that treats `int32` as an annotation still refuses 2^31.
    fn integer_range(&self, s: &super::schema::Schema, put: &mut impl FnMut(&str, Json)) {
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
