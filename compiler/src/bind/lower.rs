//! Model to items: decides the type of every schema and names the
//! ones that become declarations. Names come from where a schema is written
//! (a contract version, a `$defs` entry, a property path), never from a
//! counter, so adding a contract does not rename another's types.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use super::ir::{Branch, Field, ItemId, Items, Shape, Struct, Ty, Union, Variant};
use super::names::{field_name, type_name, Scope};
use super::reading::{is_plain_union, is_scalar, string_enum, type_branches, view, View};
use super::recursion;
use super::text::docs;
use crate::model::resolve::conjuncts;
use crate::model::{
    json::reachable_targets, Additional, Format, JsonType, Model, SchemaId, TypeSpace, Validators,
};

/// `links/embedded_link.v1.json` -> `embedded_link`.
fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

/// One generated payload type: the latest version of one major of a contract.
#[derive(Debug, Clone)]
pub struct Root {
    pub contract: usize,
    pub version: usize,
    pub major: u64,
    pub item: ItemId,
}

/// Everything the emitters need.
#[derive(Debug)]
pub struct Lowered {
    pub items: Items,
    pub roots: Vec<Root>,
    /// Per contract, the alias naming its latest version (`OrderCreated`).
    pub latest: BTreeMap<usize, String>,
}

pub fn lower(model: &Model) -> Lowered {
    let mut lowerer = Lowerer {
        types: &model.types,
        validators: model.validators(),
        items: Items::default(),
        scope: Scope::for_types(),
        named: BTreeMap::new(),
    };
    let majors = majors(model);
    let mut latest = BTreeMap::new();
    // Contract types claim their names first: they are what users write.
    let mut roots = Vec::new();
    for (contract, version, major) in &majors {
        let c = &model.contracts[*contract];
        let name = lowerer
            .scope
            .claim(format!("{}V{major}", type_name(&c.name.value, "Contract")));
        let schema = c.versions[*version].schema;
        let item = lowerer.items.reserve(name, schema);
        lowerer.named.insert(schema, item);
        roots.push(Root {
            contract: *contract,
            version: *version,
            major: *major,
            item,
        });
    }
    for (index, contract) in model.contracts.iter().enumerate() {
        if roots.iter().any(|r| r.contract == index) {
            latest.insert(
                index,
                lowerer
                    .scope
                    .claim(type_name(&contract.name.value, "Contract")),
            );
        }
    }
    lowerer.name_definitions(&roots, model);
    for root in &roots {
        let c = &model.contracts[root.contract];
        let v = &c.versions[root.version];
        let description = match (&c.description, &v.description) {
            (Some(contract), Some(version)) => Some(format!("{contract}\n\n{version}")),
            (contract, version) => contract.clone().or(version.clone()),
        };
        lowerer.fill(root.item, description.as_deref());
        let item = lowerer.items.get_mut(root.item);
        item.deprecated |= v.deprecated || c.deprecated;
    }
    let mut items = lowerer.items;
    recursion::box_cycles(&mut items);
    Lowered {
        items,
        roots,
        latest,
    }
}

/// For each contract, the latest parsed version of each major, in order.
fn majors(model: &Model) -> Vec<(usize, usize, u64)> {
    let mut out = Vec::new();
    for (index, contract) in model.contracts.iter().enumerate() {
        let mut last: BTreeMap<u64, (usize, &semver::Version)> = BTreeMap::new();
        for (v, version) in contract.versions.iter().enumerate() {
            if let Some(number) = &version.version {
                let entry = last.entry(number.major).or_insert((v, number));
                if number >= entry.1 {
                    *entry = (v, number);
                }
            }
        }
        out.extend(last.into_iter().map(|(major, (v, _))| (index, v, major)));
    }
    out
}

struct Lowerer<'a> {
    types: &'a TypeSpace,
    /// The model's validators, which the checks compiled for the version
    /// roots already.
    validators: Validators<'a>,
    items: Items,
    scope: Scope,
    /// Schemas that are declarations of their own: version roots and `$ref`
    /// targets.
    named: BTreeMap<SchemaId, ItemId>,
}

impl Lowerer<'_> {
    /// Names every `$ref` target that needs a declaration. Definitions in a
    /// shared file keep their own name (`Money`); those inside a contract are
    /// prefixed by the version type that holds them (`OrderCreatedV1Line`).
    fn name_definitions(&mut self, roots: &[Root], model: &Model) {
        let mut targets: BTreeSet<SchemaId> = BTreeSet::new();
        for root in roots {
            let schema = model.contracts[root.contract].versions[root.version].schema;
            targets.extend(reachable_targets(self.types, schema));
        }
        let mut ordered: Vec<SchemaId> = targets
            .into_iter()
            .filter(|t| !self.named.contains_key(t) && self.needs_item(*t))
            .collect();
        ordered.sort_by(|a, b| self.types.get(*a).origin.cmp(&self.types.get(*b).origin));
        for target in ordered {
            let origin = &self.types.get(target).origin;
            let last = match origin.pointer.rsplit('/').next() {
                // A whole file that is one schema is named after the file.
                None | Some("") => file_stem(&origin.file).to_owned(),
                Some(last) => last.replace("~1", "/").replace("~0", "~"),
            };
            let own = type_name(&last, "Definition");
            let holder = roots.iter().find(|r| {
                let root = self.types.get(self.items.get(r.item).schema);
                root.origin.file == origin.file && origin.pointer.starts_with(&*root.origin.pointer)
            });
            let wanted = match holder {
                Some(root) => format!("{}{own}", self.items.get(root.item).name),
                None => own,
            };
            let name = self.scope.claim(wanted);
            let item = self.items.reserve(name, target);
            self.named.insert(target, item);
        }
        let pending: Vec<(SchemaId, ItemId)> = self
            .named
            .iter()
            .map(|(s, i)| (*s, *i))
            .filter(|(s, _)| !roots.iter().any(|r| self.items.get(r.item).schema == *s))
            .collect();
        for (schema, item) in pending {
            let description = self.types.get(schema).description.clone();
            self.fill(item, description.as_deref());
        }
    }

    /// Whether a schema is a declaration when it stands alone: objects,
    /// string enums and unions are; plain scalars are used in place.
    fn needs_item(&self, id: SchemaId) -> bool {
        let s = self.types.get(id);
        if s.reference.is_some() && !s.has_assertions() {
            return false;
        }
        matches!(
            self.shape_kind(id),
            ShapeKind::Struct | ShapeKind::Enum | ShapeKind::Union | ShapeKind::Types
        )
    }

    /// Gives a reserved item its shape and docs.
    fn fill(&mut self, item: ItemId, description: Option<&str>) {
        let schema = self.items.get(item).schema;
        let name = self.items.get(item).name.clone();
        let s = self.types.get(schema);
        let shape = match self.shape_kind(schema) {
            ShapeKind::Struct => Shape::Struct(self.structure(schema, &name)),
            ShapeKind::Enum => Shape::Enum(self.string_enum(schema)),
            ShapeKind::Union => Shape::Union(self.union(schema, &name)),
            ShapeKind::Types => Shape::Union(self.type_union(schema, &name)),
            ShapeKind::Scalar => Shape::Newtype(self.value_ty(schema, &name, true)),
        };
        let title = s.title.as_deref();
        let item = self.items.get_mut(item);
        item.docs = docs(title, description.or(s.description.as_deref()));
        item.deprecated = s.deprecated;
        item.shape = shape;
    }

    fn shape_kind(&self, id: SchemaId) -> ShapeKind {
        let s = self.types.get(id);
        let view = view(self.types, id);
        if string_enum(s).is_some() {
            return ShapeKind::Enum;
        }
        if is_plain_union(s)
            && view
                .types
                .as_deref()
                .is_none_or(|t| t == [JsonType::Object])
        {
            return ShapeKind::Union;
        }
        if type_branches(&view).is_some() {
            return ShapeKind::Types;
        }
        if view.types.as_deref() == Some(&[JsonType::Object])
            && view.additional_only.is_none()
            && view.has_properties_or_closed
        {
            return ShapeKind::Struct;
        }
        ShapeKind::Scalar
    }

    /// The Rust type of a value described by `id`; `hint` names a declaration
    /// made for it (a nested object takes its path as its name).
    fn ty(&mut self, id: SchemaId, hint: &str) -> Ty {
        let s = self.types.get(id);
        if let Some(item) = self.named.get(&id) {
            return self.nullable_named(id, *item);
        }
        if let Some(target) = s.reference.as_ref().and_then(|r| r.target) {
            if !s.has_assertions() {
                return self.ty(target, hint);
            }
        }
        self.value_ty(id, hint, false)
    }

    fn value_ty(&mut self, id: SchemaId, hint: &str, own_item: bool) -> Ty {
        let kind = self.shape_kind(id);
        let declared = matches!(
            kind,
            ShapeKind::Struct | ShapeKind::Enum | ShapeKind::Union | ShapeKind::Types
        );
        if !own_item && declared {
            let name = self.scope.claim(hint.to_string());
            let item = self.items.reserve(name, id);
            self.named.insert(id, item);
            self.fill(item, None);
            return self.nullable_named(id, item);
        }
        let view = view(self.types, id);
        let Some(types) = view.types.clone() else {
            return Ty::Value;
        };
        let non_null: Vec<JsonType> = types
            .iter()
            .copied()
            .filter(|t| *t != JsonType::Null)
            .collect();
        let nullable = non_null.len() < types.len();
        let base = match non_null.as_slice() {
            [] => Ty::Unit,
            [single] => self.single(*single, &view, hint),
            [JsonType::Integer, JsonType::Number] | [JsonType::Number, JsonType::Integer] => {
                Ty::F64
            }
            _ => Ty::Value,
        };
        if nullable && base != Ty::Unit && base != Ty::Value {
            Ty::Option(Box::new(base))
        } else {
            base
        }
    }

    /// A declared item used where its schema is read: a string enum that
    /// also admits `null` declares only its strings, so every use of it,
    /// the first and each later one, is an `Option`.
    fn nullable_named(&self, id: SchemaId, item: ItemId) -> Ty {
        let admits_null = view(self.types, id)
            .types
            .as_deref()
            .is_none_or(|t| t.contains(&JsonType::Null))
            && string_enum(self.types.get(id)).is_some_and(|(_, null)| null);
        if admits_null {
            Ty::Option(Box::new(Ty::Named(item)))
        } else {
            Ty::Named(item)
        }
    }

    fn single(&mut self, ty: JsonType, view: &View, hint: &str) -> Ty {
        match ty {
            JsonType::Null => Ty::Unit,
            JsonType::Boolean => Ty::Bool,
            JsonType::String => Ty::String,
            JsonType::Number => Ty::F64,
            JsonType::Integer => match view.format {
                Some(Format::Int32) => Ty::I32,
                Some(Format::Uint32) => Ty::U32,
                Some(Format::Uint64) => Ty::U64,
                _ => Ty::I64,
            },
            JsonType::Array if view.tuple.is_some() => {
                let positions = view.tuple.iter().flatten().enumerate();
                Ty::Tuple(
                    positions
                        .map(|(i, position)| self.ty(*position, &format!("{hint}{i}")))
                        .collect(),
                )
            }
            JsonType::Array => match view.items {
                _ if view.json_items => Ty::Vec(Box::new(Ty::Value)),
                Some(items) => Ty::Vec(Box::new(self.ty(items, &format!("{hint}Item")))),
                None => Ty::Vec(Box::new(Ty::Value)),
            },
            JsonType::Object => match view.additional_only {
                Some(Some(values)) => Ty::Map(Box::new(self.ty(values, &format!("{hint}Value")))),
                _ => Ty::Map(Box::new(Ty::Value)),
            },
        }
    }

    fn structure(&mut self, id: SchemaId, name: &str) -> Struct {
        let members = conjuncts(self.types, id);
        let mut fields: Vec<Field> = Vec::new();
        let mut scope = Scope::default();
        let mut required: BTreeSet<String> = BTreeSet::new();
        let mut closed = false;
        let mut extra = None;
        // `minProperties`, `maxProperties`, `dependentRequired` and the
        // applicators (`not`, `if`, `dependentSchemas`, `propertyNames`,
        // `patternProperties`) read which properties the JSON holds: the
        // struct keeps every one it was given.
        let mut counted = false;
        for member in &members {
            let m = self.types.get(*member);
            counted |= m.min_properties.is_some()
                || m.max_properties.is_some()
                || !m.dependent_required.is_empty()
                || m.applies_to_properties()
                || m.if_schema.is_some()
                || m.not.is_some();
            required.extend(m.required.iter().map(|r| r.value.clone()));
            match m.additional {
                // Beside its own patterns it speaks only of the names no
                // pattern matches: checked with them on the JSON, and the
                // struct (counted) takes the other properties as JSON.
                // Another member's patterns do not reach it.
                _ if !m.pattern_properties.is_empty() => {}
                Additional::Allowed(false) => closed = true,
                Additional::Schema(values) if extra.is_none() => {
                    extra = Some(self.ty(values, &format!("{name}Value")));
                }
                _ => {}
            }
        }
        if counted && !closed && extra.is_none() {
            // An open object's undeclared properties count: kept as JSON.
            extra = Some(Ty::Value);
        }
        if extra.is_some() {
            // The flattened map of the other properties is a field too.
            scope.claim("additional_properties".to_string());
        }
        // A property declared by several conjuncts is one field: found by
        // name through an index, as a scan would be quadratic on wide payloads.
        let mut by_wire: HashMap<String, usize> = HashMap::new();
        for member in &members {
            let m = self.types.get(*member);
            for property in &m.properties {
                if let Some(&index) = by_wire.get(&*property.name) {
                    fields[index].schemas.push(property.schema);
                    continue;
                }
                by_wire.insert(property.name.to_string(), fields.len());
                let hint = format!("{name}{}", type_name(&property.name, "Field"));
                let ty = self.ty(property.schema, &hint);
                let p = self.types.get(property.schema);
                let docs = docs(p.title.as_deref(), p.description.as_deref());
                fields.push(Field {
                    ident: scope.claim(field_name(&property.name)),
                    wire: property.name.to_string(),
                    ty: ty.clone(),
                    required: false,
                    nullable: matches!(ty, Ty::Option(_)),
                    schemas: vec![property.schema],
                    docs,
                    deprecated: p.deprecated,
                    default: p.default.as_deref().cloned().filter(is_scalar),
                    defaulted: false,
                });
            }
        }
        // A required name no conjunct declares must be present with any
        // value; an open object keeps it in a field of its own. (A closed one
        // refuses it, so no payload passes; a map holds it among its entries.)
        if !closed && extra.is_none() {
            for wire in &required {
                if !by_wire.contains_key(wire) {
                    by_wire.insert(wire.clone(), fields.len());
                    fields.push(Field {
                        ident: scope.claim(field_name(wire)),
                        wire: wire.clone(),
                        ty: Ty::Value,
                        required: true,
                        // `null` is one of the values `Value` holds: no
                        // `Option` around it.
                        nullable: false,
                        schemas: Vec::new(),
                        docs: docs(
                            None,
                            Some("Required; any value (no `properties` entry declares it)."),
                        ),
                        deprecated: false,
                        default: None,
                        defaulted: false,
                    });
                }
            }
        }
        for field in &mut fields {
            field.required = required.contains(&field.wire);
            // A defaulted field is written even when the property was
            // absent; counted objects keep absence as `None`.
            if !field.required && !counted && self.default_fits(field) {
                field.defaulted = true;
                continue;
            }
            if !field.required && !matches!(field.ty, Ty::Option(_)) {
                field.ty = Ty::Option(Box::new(std::mem::replace(&mut field.ty, Ty::Unit)));
            }
        }
        Struct {
            fields,
            closed: closed && extra.is_none(),
            extra,
        }
    }

    /// Whether an optional field's default is a value of its Rust type, so
    /// the field can be `T` filled in when absent rather than `Option<T>`.
    fn default_fits(&self, field: &Field) -> bool {
        let Some(value) = &field.default else {
            return false;
        };
        // A default its own schema refuses would fail every payload that
        // leaves the property out; such a field stays `Option`.
        let valid = || {
            field
                .schemas
                .iter()
                .all(|s| self.validators.get(*s).is_ok_and(|v| v.is_valid(value)))
        };
        let fits = match (&field.ty, value) {
            (Ty::String, Json::String(_)) | (Ty::Bool, Json::Bool(_)) => true,
            (Ty::F64, Json::Number(_)) => true,
            (Ty::I64, Json::Number(n)) => n.as_i64().is_some(),
            (Ty::I32, Json::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            (Ty::U32, Json::Number(n)) => n.as_u64().is_some_and(|u| u32::try_from(u).is_ok()),
            (Ty::U64, Json::Number(n)) => n.as_u64().is_some(),
            (Ty::Named(item), Json::String(wire)) => match &self.items.get(*item).shape {
                Shape::Enum(variants) => variants.iter().any(|v| &v.wire == wire),
                _ => false,
            },
            _ => false,
        };
        fits && valid()
    }

    fn string_enum(&mut self, id: SchemaId) -> Vec<Variant<()>> {
        let (values, _) = string_enum(self.types.get(id)).unwrap_or_default();
        let mut scope = Scope::default();
        values
            .into_iter()
            .map(|wire| Variant {
                ident: scope.claim(type_name(&wire, "Empty")),
                wire,
                data: (),
            })
            .collect()
    }

    fn union(&mut self, id: SchemaId, name: &str) -> Union {
        let s = self.types.get(id);
        let exclusive = !s.one_of.is_empty();
        let branches: Vec<SchemaId> = if exclusive {
            s.one_of.clone()
        } else {
            s.any_of.clone()
        };
        let tag = self.discriminator(&branches);
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        for (index, branch) in branches.iter().enumerate() {
            let b = self.types.get(*branch);
            let wire = match &tag {
                Some(tag) => self.tag_value(*branch, tag).unwrap_or_default(),
                None => String::new(),
            };
            let label = if !wire.is_empty() {
                type_name(&wire, "Variant")
            } else if let Some(target) = b.reference.as_ref().and_then(|r| r.target) {
                let last = self
                    .types
                    .get(target)
                    .origin
                    .pointer
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                type_name(&last, "Variant")
            } else if let Some(title) = &b.title {
                type_name(title, "Variant")
            } else {
                view(self.types, *branch)
                    .types
                    .as_ref()
                    .filter(|t| t.len() == 1)
                    .map(|t| type_name(t[0].as_str(), "Variant"))
                    .unwrap_or_else(|| format!("Variant{index}"))
            };
            let ident = scope.claim(label);
            let ty = self.ty(*branch, &format!("{name}{ident}"));
            if let (Some(tag), Ty::Named(item)) = (&tag, &ty) {
                // serde consumes the tag before the branch sees the object.
                if let Shape::Struct(s) = &mut self.items.get_mut(*item).shape {
                    s.fields.retain(|f| &f.wire != tag);
                }
            }
            variants.push(Variant {
                ident,
                wire,
                data: Branch {
                    ty,
                    schema: *branch,
                },
            });
        }
        Union {
            exclusive,
            tag,
            by_type: false,
            variants,
        }
    }

    /// An enum of the JSON types a `type` list names, one variant per type
    /// (`null` too, so absent and `null` stay apart). Each variant's value is
    /// typed as the schema would be for that type alone, except an object
    /// with declared properties, which stays JSON: its checks read it whole.
    fn type_union(&mut self, id: SchemaId, name: &str) -> Union {
        let view = view(self.types, id);
        let branches = type_branches(&view).unwrap_or_default();
        let variants = branches
            .into_iter()
            .map(|json_type| {
                let ident = type_name(json_type.as_str(), "Variant");
                let ty = match json_type {
                    JsonType::Object if view.additional_only.is_none() => Ty::Value,
                    other => self.single(other, &view, &format!("{name}{ident}")),
                };
                Variant {
                    ident,
                    wire: json_type.as_str().to_owned(),
                    data: Branch { ty, schema: id },
                }
            })
            .collect();
        Union {
            exclusive: true,
            tag: None,
            by_type: true,
            variants,
        }
    }

    /// A property every branch requires with a distinct `const` string, when
    /// every branch is an inline object (a shared `$ref` target cannot lose
    /// the property to the tag).
    fn discriminator(&self, branches: &[SchemaId]) -> Option<String> {
        let first = self.types.get(*branches.first()?);
        let candidates = first.required.iter().map(|r| r.value.clone());
        for candidate in candidates {
            let mut seen = BTreeSet::new();
            let all = branches.iter().all(|b| {
                let s = self.types.get(*b);
                s.reference.is_none()
                    && s.all_of.is_empty()
                    && s.required.iter().any(|r| r.value == candidate)
                    && self
                        .tag_value(*b, &candidate)
                        .is_some_and(|v| seen.insert(v))
            });
            if all {
                return Some(candidate);
            }
        }
        None
    }

    fn tag_value(&self, branch: SchemaId, tag: &str) -> Option<String> {
        let s = self.types.get(branch);
        let property = s.properties.iter().find(|p| &*p.name == tag)?;
        let p = self.types.get(property.schema);
        match (&p.constant, &p.enumeration) {
            (Some(c), _) => c.value.as_str().map(str::to_owned),
            (None, Some(e)) if e.value.len() == 1 => e.value[0].as_str().map(str::to_owned),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShapeKind {
    Struct,
    Enum,
    Union,
    /// A `type` list of several types.
    Types,
    Scalar,
}
