//! The payload type graph: every schema node of the supported JSON Schema
//! subset, typed, in one arena shared by every contract version. `$ref`s are
//! resolved to arena ids, so backends never see paths or pointers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Number, Value as Json};

use crate::source::Place;

/// Index of a schema in the [`TypeSpace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaId(pub u32);

/// The JSON types of the `type` keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    pub const ALL: [JsonType; 7] = [
        JsonType::Null,
        JsonType::Boolean,
        JsonType::Integer,
        JsonType::Number,
        JsonType::String,
        JsonType::Array,
        JsonType::Object,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }

    pub fn parse(name: &str) -> Option<JsonType> {
        JsonType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The types of one `type` keyword, in the order written, each once. Held
/// inline: a wide payload has one per property, and seven fit in 8 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeList {
    len: u8,
    items: [JsonType; 7],
}

impl TypeList {
    pub const EMPTY: TypeList = TypeList {
        len: 0,
        items: [JsonType::Null; 7],
    };

    /// Adds `ty` unless it is already listed.
    pub fn push(&mut self, ty: JsonType) {
        if !self.contains(&ty) {
            self.items[usize::from(self.len)] = ty;
            self.len += 1;
        }
    }
}

impl std::ops::Deref for TypeList {
    type Target = [JsonType];

    fn deref(&self) -> &[JsonType] {
        &self.items[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for TypeList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The formats evc understands; others are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Uuid,
    DateTime,
    Date,
    Time,
    Duration,
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Uri,
    UriReference,
    Iri,
    IriReference,
    JsonPointer,
    RelativeJsonPointer,
    Int32,
    Int64,
    Uint32,
    Uint64,
}

impl Format {
    pub const ALL: [Format; 19] = [
        Format::Uuid,
        Format::DateTime,
        Format::Date,
        Format::Time,
        Format::Duration,
        Format::Email,
        Format::Hostname,
        Format::Ipv4,
        Format::Ipv6,
        Format::Uri,
        Format::UriReference,
        Format::Iri,
        Format::IriReference,
        Format::JsonPointer,
        Format::RelativeJsonPointer,
        Format::Int32,
        Format::Int64,
        Format::Uint32,
        Format::Uint64,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Time => "time",
            Format::Duration => "duration",
            Format::Email => "email",
            Format::Hostname => "hostname",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uri => "uri",
            Format::UriReference => "uri-reference",
            Format::Iri => "iri",
            Format::IriReference => "iri-reference",
            Format::JsonPointer => "json-pointer",
            Format::RelativeJsonPointer => "relative-json-pointer",
            Format::Int32 => "int32",
            Format::Int64 => "int64",
            Format::Uint32 => "uint32",
            Format::Uint64 => "uint64",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The JSON type a format applies to.
    pub fn json_type(self) -> JsonType {
        match self {
            Format::Int32 | Format::Int64 | Format::Uint32 | Format::Uint64 => JsonType::Integer,
            _ => JsonType::String,
        }
    }

    /// Inclusive integer range of the sized-integer formats.
    pub fn integer_range(self) -> Option<(i128, i128)> {
        match self {
            Format::Int32 => Some((i32::MIN.into(), i32::MAX.into())),
            Format::Int64 => Some((i64::MIN.into(), i64::MAX.into())),
            Format::Uint32 => Some((0, u32::MAX.into())),
            Format::Uint64 => Some((0, u64::MAX.into())),
            _ => None,
        }
    }
}

/// `additionalProperties`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Additional {
    /// Not written: the object is open.
    #[default]
    Absent,
    /// `true` or `false`.
    Allowed(bool),
    /// A schema: the object is a map of these values.
    Schema(SchemaId),
}

/// One entry of `properties`, in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Boxed: a wide payload has one per property, so no spare capacity.
    pub name: Box<str>,
    pub name_place: Place,
    pub schema: SchemaId,
}

/// A `$ref`, resolved when its target exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub text: String,
    pub place: Place,
    pub target: Option<SchemaId>,
}

/// Keyword values with the place they were written, for precise diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub place: Place,
}

/// One schema node of the subset. A payload with 100,000 properties holds
/// 100,000 of these, so the node keeps only what nearly every schema uses;
/// the other keywords live in [`Rare`], allocated for the schemas that write
/// one. Reads of a rare keyword go through `Deref` (`schema.pattern`), and
/// writes through `DerefMut`, which allocates the rare part on first write.
#[derive(Debug, Clone)]
pub struct Schema {
    pub place: Place,
    /// Where the schema sits: file-relative path and JSON pointer, for naming
    /// nested types by their path and for messages.
    pub origin: Origin,
    pub types: Option<Spanned<TypeList>>,
    pub properties: Vec<Property>,
    pub additional: Additional,
    pub items: Option<SchemaId>,
    pub reference: Option<Box<Reference>>,
    pub format: Option<Spanned<Format>>,
    pub description: Option<Box<str>>,
    pub deprecated: bool,
    rare: Option<Box<Rare>>,
}

/// The keywords most schemas lack; see [`Schema`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rare {
    pub required: Vec<Spanned<String>>,
    pub enumeration: Option<Box<Spanned<Vec<Json>>>>,
    /// Where each value of `enumeration` is written, in the same order.
    pub enumeration_places: Vec<Place>,
    pub constant: Option<Box<Spanned<Json>>>,
    pub one_of: Vec<SchemaId>,
    pub any_of: Vec<SchemaId>,
    pub all_of: Vec<SchemaId>,
    /// `not`: a value must fail this schema.
    pub not: Option<SchemaId>,
    /// `contentSchema`: what the decoded content of a string holds
    /// (an annotation, like `contentEncoding` and `contentMediaType`).
    pub content_schema: Option<SchemaId>,
    pub defs: Vec<(String, SchemaId)>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<Box<Spanned<String>>>,
    pub minimum: Option<Box<Number>>,
    pub maximum: Option<Box<Number>>,
    pub exclusive_minimum: Option<Box<Number>>,
    pub exclusive_maximum: Option<Box<Number>>,
    pub multiple_of: Option<Box<Number>>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    /// `prefixItems` (or a draft-07 `items` list): the schema of each item
    /// by position; `items` then constrains the items after them.
    pub prefix_items: Vec<SchemaId>,
    /// `items: false` (or a draft-07 `additionalItems: false` after an
    /// `items` list): no item after `prefix_items`.
    pub items_forbidden: bool,
    /// `items: true` (or a draft-07 `additionalItems: true` after an `items`
    /// list): it checks nothing, but evaluates the items after
    /// `prefix_items` for `unevaluatedItems`.
    pub items_allowed: bool,
    /// `contains`: some items (`min_contains`, 1 when absent, up to
    /// `max_contains`) match this schema.
    pub contains: Option<SchemaId>,
    pub min_contains: Option<u64>,
    pub max_contains: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// `dependentRequired` (and the list form of draft-07 `dependencies`):
    /// when the property is present, the listed ones must be too. In source
    /// order, one entry per property.
    pub dependent_required: Vec<(String, Vec<String>)>,
    /// `patternProperties`, in source order: each property whose name
    /// matches the pattern (the entry's `name`) matches its schema.
    pub pattern_properties: Vec<Property>,
    /// `propertyNames`: every property name, as a string, matches it.
    pub property_names: Option<SchemaId>,
    /// `dependentSchemas` (and the schema form of draft-07
    /// `dependencies`): when the property (the entry's `name`) is present,
    /// the whole object matches the schema too.
    pub dependent_schemas: Vec<Property>,
    /// `if`, `then` and `else`: a value that passes `if` must pass `then`,
    /// any other must pass `else`.
    pub if_schema: Option<SchemaId>,
    pub then_schema: Option<SchemaId>,
    pub else_schema: Option<SchemaId>,
    /// An `if` without `then` or `else`: it decides nothing, but what it
    /// evaluates when it passes counts for `unevaluatedProperties` and
    /// `unevaluatedItems`.
    pub lone_if: Option<SchemaId>,
    /// `unevaluatedProperties`: the properties no keyword beside it (nor
    /// one in a subschema applied in place that passed) evaluated match it.
    pub unevaluated_properties: Option<SchemaId>,
    /// `unevaluatedItems`: the items no keyword beside it (nor one in a
    /// subschema applied in place that passed) evaluated match it.
    pub unevaluated_items: Option<SchemaId>,
    pub title: Option<String>,
    pub default: Option<Box<Json>>,
    pub examples: Vec<Json>,
    pub comment: Option<String>,
    /// `x-` keywords, kept as annotations.
    pub extensions: Vec<(String, Json)>,
}

impl Rare {
    const NONE: Rare = Rare {
        required: Vec::new(),
        enumeration: None,
        enumeration_places: Vec::new(),
        constant: None,
        one_of: Vec::new(),
        any_of: Vec::new(),
        all_of: Vec::new(),
        not: None,
        content_schema: None,
        defs: Vec::new(),
        min_length: None,
        max_length: None,
        pattern: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        multiple_of: None,
        min_items: None,
        max_items: None,
        unique_items: false,
        prefix_items: Vec::new(),
        items_forbidden: false,
        items_allowed: false,
        contains: None,
        min_contains: None,
        max_contains: None,
        min_properties: None,
        max_properties: None,
        dependent_required: Vec::new(),
        pattern_properties: Vec::new(),
        property_names: None,
        dependent_schemas: Vec::new(),
        if_schema: None,
        then_schema: None,
        else_schema: None,
        lone_if: None,
        unevaluated_properties: None,
        unevaluated_items: None,
        title: None,
        default: None,
        examples: Vec::new(),
        comment: None,
        extensions: Vec::new(),
    };
}

/// What a schema without rare keywords reads.
static NO_RARE: Rare = Rare::NONE;

impl std::ops::Deref for Schema {
    type Target = Rare;

    fn deref(&self) -> &Rare {
        self.rare.as_deref().unwrap_or(&NO_RARE)
    }
}

impl std::ops::DerefMut for Schema {
    fn deref_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(|| Box::new(Rare::NONE))
    }
}

/// Equal when every keyword is: a rare part allocated but left empty equals
/// none at all.
impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        self.place == other.place
            && self.origin == other.origin
            && self.types == other.types
            && self.properties == other.properties
            && self.additional == other.additional
            && self.items == other.items
            && self.reference == other.reference
            && self.format == other.format
            && self.description == other.description
            && self.deprecated == other.deprecated
            && **self == **other
    }
}

/// File and JSON pointer of a schema node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Origin {
    /// Root-relative path, shared by every schema of the file.
    pub file: Arc<str>,
    /// Boxed: one per schema node, so no spare capacity.
    pub pointer: Box<str>,
}

impl Schema {
    pub fn new(place: Place, origin: Origin) -> Self {
        Schema {
            place,
            origin,
            types: None,
            properties: Vec::new(),
            additional: Additional::Absent,
            items: None,
            reference: None,
            format: None,
            description: None,
            deprecated: false,
            rare: None,
        }
    }

    /// Schemas this one contains directly, in a stable order.
    pub fn children(&self) -> impl Iterator<Item = SchemaId> + '_ {
        let additional = match self.additional {
            Additional::Schema(id) => Some(id),
            _ => None,
        };
        self.properties
            .iter()
            .map(|p| p.schema)
            .chain(additional)
            .chain(self.pattern_properties.iter().map(|p| p.schema))
            .chain(self.property_names)
            .chain(self.prefix_items.iter().copied())
            .chain(self.items)
            .chain(self.contains)
            .chain(self.one_of.iter().copied())
            .chain(self.any_of.iter().copied())
            .chain(self.all_of.iter().copied())
            .chain(self.not)
            .chain(self.dependent_schemas.iter().map(|p| p.schema))
            .chain(self.if_schema)
            .chain(self.then_schema)
            .chain(self.else_schema)
            .chain(self.lone_if)
            .chain(self.unevaluated_properties)
            .chain(self.unevaluated_items)
            .chain(self.content_schema)
            .chain(self.defs.iter().map(|(_, id)| *id))
    }

    /// Whether a schema says more than annotations beside its `$ref`.
    pub fn has_assertions(&self) -> bool {
        self.types.is_some()
            || !self.properties.is_empty()
            || !self.required.is_empty()
            || self.additional != Additional::Absent
            || self.items.is_some()
            || !self.prefix_items.is_empty()
            || self.items_forbidden
            || self.contains.is_some()
            || self.enumeration.is_some()
            || self.constant.is_some()
            || !self.one_of.is_empty()
            || !self.any_of.is_empty()
            || !self.all_of.is_empty()
            || self.not.is_some()
            || self.format.is_some()
            || self.min_length.is_some()
            || self.max_length.is_some()
            || self.pattern.is_some()
            || self.minimum.is_some()
            || self.maximum.is_some()
            || self.exclusive_minimum.is_some()
            || self.exclusive_maximum.is_some()
            || self.multiple_of.is_some()
            || self.min_items.is_some()
            || self.max_items.is_some()
            || self.unique_items
            || self.min_properties.is_some()
            || self.max_properties.is_some()
            || !self.dependent_required.is_empty()
            || self.applies_to_properties()
            || self.if_schema.is_some()
            || self.unevaluated_items.is_some()
    }

    /// Whether a keyword reads the object's properties by name, beyond the
    /// declared ones: the generated type must keep every property it was
    /// given, and the keyword is checked on the object as JSON.
    pub fn applies_to_properties(&self) -> bool {
        !self.pattern_properties.is_empty()
            || self.property_names.is_some()
            || !self.dependent_schemas.is_empty()
            || self.unevaluated_properties.is_some()
    }

    /// The subschemas checked against the value itself, as a whole, as a
    /// condition holds: `if`/`then`/`else` and `dependentSchemas` (beside
    /// `not` and `allOf`/`anyOf`/`oneOf`, which callers list with their own
    /// meaning).
    pub fn conditional_applicators(&self) -> impl Iterator<Item = SchemaId> + '_ {
        self.if_schema
            .iter()
            .chain(&self.then_schema)
            .chain(&self.else_schema)
            .copied()
            .chain(self.dependent_schemas.iter().map(|p| p.schema))
    }

    pub fn allows(&self, ty: JsonType) -> bool {
        match &self.types {
            None => true,
            Some(types) => {
                types.value.contains(&ty)
                    || (ty == JsonType::Integer && types.value.contains(&JsonType::Number))
            }
        }
    }
}

/// Key of a schema reachable by `$ref`: a file and a pointer from its root,
/// and the dynamic scope it is built in (empty unless a `$dynamicRef` can
/// read it: model/dynamic.rs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DefKey {
    pub file: Arc<str>,
    pub pointer: String,
    pub scope: String,
}

/// Schemas per block of the [`TypeSpace`] arena.
const BLOCK: usize = 1024;

/// The arena of every schema node of a project. Fixed-size blocks rather than
/// one vector: a vector of 200,000 schemas doubling its capacity would copy
/// them all and, for a moment, hold them twice.
#[derive(Debug, Clone, Default)]
pub struct TypeSpace {
    blocks: Vec<Vec<Schema>>,
    len: usize,
    /// Schemas that `$ref` can reach, by file and pointer.
    pub defs: BTreeMap<DefKey, SchemaId>,
    /// Schemas (with what they contain) that had a structure error: later
    /// checks skip them rather than report its consequences again.
    pub invalid: BTreeSet<SchemaId>,
}

impl TypeSpace {
    pub fn add(&mut self, schema: Schema) -> SchemaId {
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(Vec::with_capacity(BLOCK));
        }
        if let Some(block) = self.blocks.last_mut() {
            block.push(schema);
        }
        self.len += 1;
        SchemaId(self.len as u32 - 1)
    }

    pub fn get(&self, id: SchemaId) -> &Schema {
        let index = id.0 as usize;
        &self.blocks[index / BLOCK][index % BLOCK]
    }

    pub fn get_mut(&mut self, id: SchemaId) -> &mut Schema {
        let index = id.0 as usize;
        &mut self.blocks[index / BLOCK][index % BLOCK]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = (SchemaId, &Schema)> {
        self.blocks
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, s)| (SchemaId(i as u32), s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size a 100,000-property payload pays per property; a field added
    /// to `Schema` rather than `Rare` shows up here.
    #[test]
    fn a_schema_node_stays_small() {
        assert!(
            std::mem::size_of::<Schema>() <= 216,
            "{}",
            std::mem::size_of::<Schema>()
        );
    }

    #[test]
    fn plain_schemas_built_from_a_contract_leave_the_rare_part_unallocated() {
        use crate::load::{Input, Inputs};
        let contract = "event: ThingHappened\nnamespace: com.example\ndescription: A thing.\n\
            versions:\n  - version: 1.0.0\n    description: First.\n    schema:\n      \
            type: object\n      additionalProperties: false\n      \
            properties: { a: { type: string }, b: { type: integer, description: B. } }\n";
        let inputs = Inputs {
            contracts: vec![Input::new("thing_happened.yaml", contract)],
            config: None,
        };
        let lint = crate::lint_inputs(inputs, std::path::Path::new("."));
        let errors: Vec<_> = lint.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let types = &lint.model.types;
        assert!(types.len() >= 3);
        // Wide payloads stay small only while plain schemas leave the part
        // for rare keywords unallocated.
        for (id, schema) in types.iter() {
            assert!(schema.rare.is_none(), "{id:?} at {}", schema.origin.pointer);
        }
    }

    fn schema() -> Schema {
        let place = Place {
            file: crate::source::FileId(0),
            span: crate::source::Span::default(),
        };
        Schema::new(place, Origin::default())
    }

    #[test]
    fn the_arena_hands_out_ids_across_blocks() {
        let mut space = TypeSpace::default();
        let ids: Vec<SchemaId> = (0..BLOCK * 2 + 3)
            .map(|i| {
                let mut schema = schema();
                schema.min_length = Some(i as u64);
                space.add(schema)
            })
            .collect();
        assert_eq!(space.len(), BLOCK * 2 + 3);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(id.0 as usize, i);
            assert_eq!(space.get(*id).min_length, Some(i as u64));
        }
        assert!(space
            .iter()
            .all(|(id, s)| s.min_length == Some(id.0 as u64)));
        let empty = schema();
        let mut touched = empty.clone();
        touched.unique_items = false;
        assert_eq!(empty, touched, "an empty rare part equals none");
    }
}
