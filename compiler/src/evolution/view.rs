//! A schema as a reader sees it: the node itself, the target of its `$ref`
//! and its `allOf` members, merged into one set of constraints. Comparing
//! merged views makes `{allOf: [{type: string}, {maxLength: 5}]}` and
//! `{type: string, maxLength: 5}` the same schema, and an inline schema the
//! same as the definition it was copied from.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;
use serde_json::{Number, Value as Json};
use smallvec::{smallvec, SmallVec};

use crate::model::json::same_value;
use crate::model::resolve;
use crate::model::{Additional, Format, JsonType, Schema, SchemaId, TypeSpace};
use crate::source::Place;

/// The conjunction of schemas that make up one node; empty is `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct View {
    pub ids: Vec<SchemaId>,
    /// Only `ids[union_from..]` contribute `oneOf`/`anyOf`: a branch compared
    /// in the context of its parent carries the parent's other keywords but
    /// not the parent's union again.
    pub union_from: usize,
    /// Only `ids[applied_from..]` contribute `if`, `dependentSchemas`,
    /// `propertyNames` and `patternProperties`: a `then`, `else` or
    /// dependent schema compared in the context of its parent carries the
    /// parent's other keywords but not these again.
    pub applied_from: usize,
}

impl View {
    pub fn empty() -> View {
        View {
            ids: Vec::new(),
            union_from: 0,
            applied_from: 0,
        }
    }

    /// This view with its own applicators left out, joined with `branches`
    /// (a `then`, an `else` or dependent schemas).
    pub fn with_applied(&self, space: &TypeSpace, branches: &[SchemaId]) -> View {
        let mut ids = self.ids.clone();
        let applied_from = ids.len();
        for id in View::of(space, branches).ids {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        View {
            ids,
            union_from: self.union_from,
            applied_from,
        }
    }

    /// The schemas `roots` stand for: each, then its `$ref` target and its
    /// `allOf` members, recursively, without repeats (a `$ref` cycle ends).
    pub fn of(space: &TypeSpace, roots: &[SchemaId]) -> View {
        View {
            ids: resolve::all_conjuncts(space, roots),
            union_from: 0,
            applied_from: 0,
        }
    }

    /// This view without its unions, joined with one branch of them.
    pub fn with_branch(&self, space: &TypeSpace, branch: SchemaId) -> View {
        let mut ids = self.ids.clone();
        let union_from = ids.len();
        for id in View::of(space, &[branch]).ids {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        View {
            ids,
            union_from,
            applied_from: self.applied_from,
        }
    }

    /// This view without its unions.
    pub fn without_unions(&self) -> View {
        View {
            ids: self.ids.clone(),
            union_from: self.ids.len(),
            applied_from: self.applied_from,
        }
    }
}

/// A lower or upper value bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: Number,
    pub exclusive: bool,
}

impl Bound {
    pub fn keyword(&self, lower: bool) -> &'static str {
        match (lower, self.exclusive) {
            (true, false) => "minimum",
            (true, true) => "exclusiveMinimum",
            (false, false) => "maximum",
            (false, true) => "exclusiveMaximum",
        }
    }

    pub fn text(&self, lower: bool) -> String {
        format!("{} {}", self.keyword(lower), self.value)
    }
}

/// What a view says about extra object properties.
#[derive(Debug, Clone, PartialEq)]
pub enum Extra {
    Open,
    Closed,
    /// Extra properties must match every one of these schemas.
    Map(Vec<SchemaId>),
}

/// `oneOf` or `anyOf` with its branches.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    pub keyword: &'static str,
    pub branches: Vec<SchemaId>,
}

/// `if` with its `then` and `else`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub test: SchemaId,
    pub then: Option<SchemaId>,
    pub otherwise: Option<SchemaId>,
}

/// The schemas a merged property must match, one in nearly every case.
pub type SchemaIds = SmallVec<[SchemaId; 2]>;

/// The merged constraints of a view.
#[derive(Debug, Clone)]
pub struct Merged<'a> {
    pub place: Option<Place>,
    /// `None`: any type.
    pub types: Option<BTreeSet<JsonType>>,
    /// `enum` and `const` intersected; `None`: any value.
    pub values: Option<Vec<Json>>,
    pub has_const: bool,
    pub has_enum: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    pub multiple_of: Vec<Number>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// `dependentRequired` of every conjunct: each property with the names
    /// its presence requires.
    pub dependent_required: BTreeMap<String, BTreeSet<String>>,
    pub patterns: Vec<String>,
    pub formats: Vec<Format>,
    /// Property name, its schemas and where the first was declared. Nearly
    /// every property has one schema, held inline: a wide object's views
    /// hold one entry per property.
    pub properties: Vec<(&'a str, SchemaIds, Place)>,
    /// Position of each name in `properties`: objects with many properties
    /// are compared by name, and a scan per name would be quadratic.
    /// Positions in `properties` by name: 5 bytes a property where a map
    /// of names took 32.
    by_name: HashTable<u32>,
    hasher: RandomState,
    pub required: BTreeSet<String>,
    pub extra: Extra,
    /// [`Self::extra`] is an `unevaluatedProperties`, compared as such.
    pub extra_unevaluated: bool,
    /// The items after `prefix` (every item without one): each must match
    /// every one of these schemas.
    pub items: Vec<SchemaId>,
    /// `prefixItems`: the schemas of the item at each position, from every
    /// conjunct (a conjunct with a shorter tuple adds its `items` there).
    pub prefix: Vec<Vec<SchemaId>>,
    /// `items: false`: the number of items a tuple holds at most.
    pub closed_after: Option<usize>,
    /// `contains` of each conjunct, with its `minContains` (1 unless
    /// written) and `maxContains`.
    pub contains: Vec<(SchemaId, u64, Option<u64>)>,
    pub unions: Vec<Union>,
    /// The schemas under `not` of every conjunct.
    pub negated: Vec<SchemaId>,
    /// `patternProperties` of every conjunct: pattern and schema.
    pub pattern_properties: Vec<(&'a str, SchemaId)>,
    /// `propertyNames` of every conjunct.
    pub property_names: Vec<SchemaId>,
    /// `dependentSchemas` of every conjunct: property and schema.
    pub dependent_schemas: Vec<(&'a str, SchemaId)>,
    /// `if` with its `then` and `else`, of every conjunct.
    pub conditions: Vec<Condition>,
    /// `unevaluatedProperties` of every conjunct.
    pub unevaluated_properties: Vec<SchemaId>,
    /// `unevaluatedItems` of every conjunct.
    pub unevaluated_items: Vec<SchemaId>,
    /// `contentEncoding` and `contentMediaType`, as written.
    pub content: Vec<(&'a str, &'a Json)>,
    pub content_schemas: Vec<SchemaId>,
    pub description: Option<&'a str>,
    pub title: Option<&'a str>,
    pub default: Option<&'a Json>,
    pub deprecated: bool,
    pub examples: Option<&'a [Json]>,
    /// The `$ref` text of the view's own node, when it has one.
    pub reference: Option<&'a str>,
}

impl<'a> Merged<'a> {
    pub fn of(space: &'a TypeSpace, view: &View) -> Merged<'a> {
        let schemas: Vec<&Schema> = view.ids.iter().map(|id| space.get(*id)).collect();
        let mut merged = Merged {
            place: schemas.first().map(|s| s.place),
            types: None,
            values: None,
            has_const: false,
            has_enum: false,
            min_length: None,
            max_length: None,
            lower: None,
            upper: None,
            multiple_of: Vec::new(),
            min_items: None,
            max_items: None,
            unique_items: false,
            min_properties: None,
            max_properties: None,
            dependent_required: BTreeMap::new(),
            patterns: Vec::new(),
            formats: Vec::new(),
            properties: Vec::new(),
            by_name: HashTable::new(),
            hasher: RandomState::new(),
            required: BTreeSet::new(),
            extra: Extra::Open,
            extra_unevaluated: false,
            items: Vec::new(),
            prefix: Vec::new(),
            closed_after: None,
            contains: Vec::new(),
            unions: Vec::new(),
            negated: Vec::new(),
            pattern_properties: Vec::new(),
            property_names: Vec::new(),
            dependent_schemas: Vec::new(),
            conditions: Vec::new(),
            unevaluated_properties: Vec::new(),
            unevaluated_items: Vec::new(),
            content: Vec::new(),
            content_schemas: Vec::new(),
            description: schemas.iter().find_map(|s| s.description.as_deref()),
            title: schemas.iter().find_map(|s| s.title.as_deref()),
            default: schemas.iter().find_map(|s| s.default.as_deref()),
            deprecated: schemas.iter().any(|s| s.deprecated),
            examples: schemas
                .iter()
                .find(|s| !s.examples.is_empty())
                .map(|s| s.examples.as_slice()),
            reference: schemas
                .first()
                .and_then(|s| s.reference.as_ref())
                .filter(|r| r.target.is_some())
                .map(|r| r.text.as_str()),
        };
        merged
            .properties
            .reserve_exact(schemas.iter().map(|s| s.properties.len()).sum());
        for (i, schema) in schemas.iter().enumerate() {
            merged.add(schema, i >= view.union_from, i >= view.applied_from);
        }
        merged
    }

    fn add(&mut self, schema: &'a Schema, with_unions: bool, with_applied: bool) {
        if let Some(types) = &schema.types {
            let these = types.value.iter().copied().collect();
            self.types = Some(match self.types.take() {
                None => normal(&these),
                Some(before) => intersect(&before, &these),
            });
        }
        if let Some(values) = &schema.enumeration {
            self.has_enum = true;
            self.restrict_values(&values.value);
        }
        if let Some(constant) = &schema.constant {
            self.has_const = true;
            self.restrict_values(std::slice::from_ref(&constant.value));
        }
        self.min_length = tighter(self.min_length, schema.min_length, Ordering::Greater);
        self.max_length = tighter(self.max_length, schema.max_length, Ordering::Less);
        self.min_items = tighter(self.min_items, schema.min_items, Ordering::Greater);
        self.max_items = tighter(self.max_items, schema.max_items, Ordering::Less);
        self.min_properties = tighter(
            self.min_properties,
            schema.min_properties,
            Ordering::Greater,
        );
        self.max_properties = tighter(self.max_properties, schema.max_properties, Ordering::Less);
        for (property, names) in &schema.dependent_required {
            self.dependent_required
                .entry(property.clone())
                .or_default()
                .extend(names.iter().cloned());
        }
        for (value, exclusive) in [(&schema.minimum, false), (&schema.exclusive_minimum, true)] {
            if let Some(value) = value {
                let bound = Bound {
                    value: (**value).clone(),
                    exclusive,
                };
                self.lower = Some(tighter_bound(self.lower.take(), bound, true));
            }
        }
        for (value, exclusive) in [(&schema.maximum, false), (&schema.exclusive_maximum, true)] {
            if let Some(value) = value {
                let bound = Bound {
                    value: (**value).clone(),
                    exclusive,
                };
                self.upper = Some(tighter_bound(self.upper.take(), bound, false));
            }
        }
        push_new(
            &mut self.multiple_of,
            schema.multiple_of.as_deref().cloned(),
        );
        self.unique_items |= schema.unique_items;
        push_new(
            &mut self.patterns,
            schema.pattern.as_ref().map(|p| p.value.clone()),
        );
        push_new(&mut self.formats, schema.format.as_ref().map(|f| f.value));
        self.add_properties(schema);
        self.required
            .extend(schema.required.iter().map(|r| r.value.clone()));
        self.extra = match (
            std::mem::replace(&mut self.extra, Extra::Open),
            &schema.additional,
        ) {
            (Extra::Closed, _) | (_, Additional::Allowed(false)) => Extra::Closed,
            (Extra::Map(mut ids), Additional::Schema(id)) => {
                ids.push(*id);
                Extra::Map(ids)
            }
            (Extra::Open, Additional::Schema(id)) => Extra::Map(vec![*id]),
            (before, _) => before,
        };
        // A conjunct's own `additionalProperties` decides `extra` from here on.
        if schema.additional != Additional::Absent {
            self.extra_unevaluated = false;
        }
        // Beside no `additionalProperties`, `unevaluatedProperties` is the
        // schema of the properties nothing else declares: read as one, so a
        // property declared later is compared with it.
        if let (Extra::Open, Additional::Absent, Some(id)) = (
            &self.extra,
            &schema.additional,
            schema.unevaluated_properties,
        ) {
            if schema.pattern_properties.is_empty() {
                self.extra = Extra::Map(vec![id]);
                self.extra_unevaluated = true;
            }
        }
        self.add_items(schema);
        if let Some(id) = schema.contains {
            let count = (id, schema.min_contains.unwrap_or(1), schema.max_contains);
            if !self.contains.contains(&count) {
                self.contains.push(count);
            }
        }
        self.negated.extend(schema.not);
        if with_applied {
            self.add_applicators(schema);
        }
        self.content_schemas.extend(schema.content_schema);
        for (key, value) in &schema.extensions {
            if matches!(key.as_str(), "contentEncoding" | "contentMediaType")
                && !self.content.iter().any(|(k, _)| k == key)
            {
                self.content.push((key.as_str(), value));
            }
        }
        if with_unions {
            for (keyword, branches) in [("oneOf", &schema.one_of), ("anyOf", &schema.any_of)] {
                if !branches.is_empty() {
                    self.unions.push(Union {
                        keyword,
                        branches: branches.clone(),
                    });
                }
            }
        }
    }

    fn add_applicators(&mut self, schema: &'a Schema) {
        let named =
            |entries: &'a [crate::model::Property]| entries.iter().map(|p| (&*p.name, p.schema));
        self.pattern_properties
            .extend(named(&schema.pattern_properties));
        self.property_names.extend(schema.property_names);
        self.unevaluated_properties
            .extend(schema.unevaluated_properties);
        self.unevaluated_items.extend(schema.unevaluated_items);
        self.dependent_schemas
            .extend(named(&schema.dependent_schemas));
        if let Some(test) = schema.if_schema {
            self.conditions.push(Condition {
                test,
                then: schema.then_schema,
                otherwise: schema.else_schema,
            });
        }
    }

    /// What stands for an undeclared property `name`: the schemas of the
    /// `patternProperties` whose pattern matches it (where
    /// `additionalProperties` does not reach), or else [`Self::extra`].
    pub fn extra_for(&self, name: &str) -> Extra {
        let matched: Vec<SchemaId> = self
            .pattern_properties
            .iter()
            .filter(|(pattern, _)| pattern_matches(pattern, name))
            .map(|(_, id)| *id)
            .collect();
        if matched.is_empty() {
            self.extra.clone()
        } else {
            Extra::Map(matched)
        }
    }

    /// Whether a keyword applies a subschema to the value beside its
    /// properties, items and union branches (`not`, `if`, `dependentSchemas`,
    /// `propertyNames`, `patternProperties`, `contentSchema`,
    /// `unevaluatedProperties`, `unevaluatedItems`).
    pub fn applies_subschemas(&self) -> bool {
        !self.negated.is_empty()
            || !self.pattern_properties.is_empty()
            || !self.property_names.is_empty()
            || !self.dependent_schemas.is_empty()
            || !self.conditions.is_empty()
            || !self.content_schemas.is_empty()
            || !self.unevaluated_properties.is_empty()
            || !self.unevaluated_items.is_empty()
    }

    /// `prefixItems` and `items`: position by position, each conjunct's
    /// prefix schema, or its `items` past its own prefix.
    fn add_items(&mut self, schema: &Schema) {
        let own = &schema.prefix_items;
        for (i, ids) in self.prefix.iter_mut().enumerate() {
            let id = own.get(i).copied().or(schema.items);
            if let Some(id) = id.filter(|id| !ids.contains(id)) {
                ids.push(id);
            }
        }
        for &id in own.iter().skip(self.prefix.len()) {
            let mut ids = self.items.clone();
            if !ids.contains(&id) {
                ids.push(id);
            }
            self.prefix.push(ids);
        }
        if let Some(id) = schema.items.filter(|id| !self.items.contains(id)) {
            self.items.push(id);
        }
        if schema.items_forbidden {
            let after = own.len();
            self.closed_after = Some(self.closed_after.map_or(after, |c| c.min(after)));
        }
    }

    /// The schemas of the item at `index`; `None` when no item may stand
    /// there.
    pub fn item_at(&self, index: usize) -> Option<&[SchemaId]> {
        if self.closed_after.is_some_and(|after| index >= after) {
            return None;
        }
        Some(self.prefix.get(index).unwrap_or(&self.items))
    }

    fn restrict_values(&mut self, values: &[Json]) {
        self.values = Some(match self.values.take() {
            None => values.to_vec(),
            Some(before) => before
                .into_iter()
                .filter(|v| values.iter().any(|w| same_value(v, w)))
                .collect(),
        });
    }

    /// Whether values of this JSON type can pass the view's `type`.
    pub fn allows(&self, ty: JsonType) -> bool {
        self.types.as_ref().is_none_or(|types| allows(types, ty))
    }

    pub fn property(&self, name: &str) -> Option<&[SchemaId]> {
        self.position(name)
            .map(|at| self.properties[at].1.as_slice())
    }

    fn position(&self, name: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(name);
        let found = self
            .by_name
            .find(hash, |&at| self.properties[at as usize].0 == name);
        found.map(|&at| at as usize)
    }

    /// Names are unique within one schema (the loader refuses duplicate
    /// keys), so only the conjuncts merged before can hold a name already.
    fn add_properties(&mut self, schema: &'a Schema) {
        let (properties, hasher) = (&self.properties, &self.hasher);
        self.by_name.reserve(schema.properties.len(), |&i| {
            hasher.hash_one(properties[i as usize].0)
        });
        for property in &schema.properties {
            if let Some(at) = self.position(&property.name) {
                let existing = &mut self.properties[at].1;
                if !existing.contains(&property.schema) {
                    existing.push(property.schema);
                }
                continue;
            }
            let at = self.properties.len() as u32;
            self.properties.push((
                &property.name,
                smallvec![property.schema],
                property.name_place,
            ));
            let (properties, hasher) = (&self.properties, &self.hasher);
            let hash = hasher.hash_one(&*property.name);
            self.by_name
                .insert_unique(hash, at, |&i| hasher.hash_one(properties[i as usize].0));
        }
    }
}

/// Whether a `type` set admits a type; `number` admits integers. `Number`
/// itself stands for the numbers that are not integers.
/// Whether no value can match two of `branches`: then `oneOf` and `anyOf`
/// of them accept the same values. Proven only where it is plain: the
/// branches' types do not meet, their `const`/`enum` values do not, or a
/// property both require has values (or types) that do not meet, as a
/// tagged union's tag. Anything else counts as overlapping.
pub fn disjoint_branches(space: &TypeSpace, branches: &[SchemaId]) -> bool {
    let merged: Vec<Merged> = branches
        .iter()
        .map(|b| Merged::of(space, &View::of(space, &[*b])))
        .collect();
    merged.iter().enumerate().all(|(i, a)| {
        merged[i + 1..]
            .iter()
            .all(|b| disjoint(space, a, b, DISJOINT_DEPTH))
    })
}

/// How deep through required properties [`disjoint`] looks for a tag.
const DISJOINT_DEPTH: usize = 2;

fn disjoint(space: &TypeSpace, a: &Merged, b: &Merged, depth: usize) -> bool {
    if let (Some(x), Some(y)) = (&a.types, &b.types) {
        if intersect(x, y).is_empty() {
            return true;
        }
    }
    if let (Some(x), Some(y)) = (&a.values, &b.values) {
        if !x.iter().any(|v| y.iter().any(|w| same_value(v, w))) {
            return true;
        }
    }
    // A tag tells objects apart; a value of another type both admit would
    // match both.
    let only_objects = JsonType::ALL
        .into_iter()
        .all(|t| t == JsonType::Object || !(a.allows(t) && b.allows(t)));
    if depth == 0 || !only_objects {
        return false;
    }
    a.required
        .intersection(&b.required)
        .any(|name| match (a.property(name), b.property(name)) {
            (Some(x), Some(y)) => {
                let x = Merged::of(space, &View::of(space, x));
                let y = Merged::of(space, &View::of(space, y));
                disjoint(space, &x, &y, depth - 1)
            }
            _ => false,
        })
}

pub fn allows(types: &BTreeSet<JsonType>, ty: JsonType) -> bool {
    types.contains(&ty) || (ty == JsonType::Integer && types.contains(&JsonType::Number))
}

/// Drops `integer` next to `number`, which admits it already.
fn normal(types: &BTreeSet<JsonType>) -> BTreeSet<JsonType> {
    let mut types = types.clone();
    if types.contains(&JsonType::Number) {
        types.remove(&JsonType::Integer);
    }
    types
}

fn intersect(a: &BTreeSet<JsonType>, b: &BTreeSet<JsonType>) -> BTreeSet<JsonType> {
    let both = JsonType::ALL
        .into_iter()
        .filter(|t| allows(a, *t) && allows(b, *t))
        .collect();
    normal(&both)
}

fn tighter(a: Option<u64>, b: Option<u64>, wins: Ordering) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.cmp(&a) == wins { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn tighter_bound(current: Option<Bound>, new: Bound, lower: bool) -> Bound {
    match current {
        Some(current) if compare_bounds(&new, &current, lower) != Ordering::Greater => current,
        _ => new,
    }
}

/// How much a bound restricts compared with another of the same side:
/// `Greater` when `a` admits less.
pub fn compare_bounds(a: &Bound, b: &Bound, lower: bool) -> Ordering {
    let by_value = compare_numbers(&a.value, &b.value);
    let by_value = if lower { by_value } else { by_value.reverse() };
    by_value.then(a.exclusive.cmp(&b.exclusive))
}

/// Numeric order of two JSON numbers: exact for integers, by `f64` otherwise.
pub fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    let integer = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => {
            let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            a.total_cmp(&b)
        }
    }
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, item: Option<T>) {
    if let Some(item) = item {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// Whether an ECMA-262 `pattern` finds a match in `text`, as the validator
/// evc agrees with reads it; a pattern that does not compile matches
/// nothing (the loader has refused it already).
pub fn pattern_matches(pattern: &str, text: &str) -> bool {
    let schema = serde_json::json!({ "pattern": pattern });
    jsonschema::draft202012::new(&schema).is_ok_and(|v| v.is_valid(&Json::String(text.to_owned())))
}
