//! Spanned payload schemas to the type graph: checks every keyword against the
//! subset and resolves `$ref`s through a worklist, so the depth of recursion is
//! bounded by the document and never by a chain of references.

use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::Number;

use super::drafts::{first_draft, kept_beside_ref, Draft};
use super::dynamic::DynamicScope;
use super::keywords::{suggest, CONTRACT_ONLY_KEYS, SCHEMA_KEYWORDS, UNSUPPORTED_KEYWORDS};
use super::reference::{self, pointer_text};
use super::schema::{
    Additional, DefKey, Format, JsonType, Origin, Property, Reference, Schema, SchemaId, Spanned,
    TypeList, TypeSpace,
};
use super::urls::{Located, Urls};
use super::{place, wrong_type};
use crate::config::RefMap;
use crate::diagnostic::Diagnostic;
use crate::load::{Entry, Node, Value};
use crate::rules::{Level, RuleId};
use crate::source::{FileId, Place, Sources, Span};

/// Where a schema node sits: its file, its pointer from the file root, and
/// the pointer of the resource root that `#` means for refs inside it.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub file: FileId,
    pub pointer: Vec<String>,
    pub base: Vec<String>,
    /// The `$dynamicAnchor`s in scope where the schema is reached.
    scope: DynamicScope,
}

impl Cursor {
    /// A schema reached from outside any other: its scope is empty.
    pub fn new(file: FileId, pointer: Vec<String>, base: Vec<String>) -> Cursor {
        Cursor {
            file,
            pointer,
            base,
            scope: DynamicScope::default(),
        }
    }

    fn child(&self, tokens: &[&str]) -> Cursor {
        let mut pointer = self.pointer.clone();
        pointer.extend(tokens.iter().map(|t| (*t).to_owned()));
        Cursor {
            file: self.file,
            pointer,
            base: self.base.clone(),
            scope: self.scope.clone(),
        }
    }

    fn is_resource_root(&self) -> bool {
        self.pointer == self.base
    }

    /// A branch of `allOf`, `anyOf` or `oneOf`, the schema under `not`,
    /// `if`, `then` or `else`, or a dependent schema constrains the object
    /// it is applied to: `required: [a]` alone there names the parent's `a`
    /// (or, under `not`, one that must be absent).
    fn is_branch(&self) -> bool {
        let n = self.pointer.len();
        // A property or definition may be named `not` or `if` too.
        let keyed = n >= 2
            && matches!(
                self.pointer[n - 2].as_str(),
                "properties"
                    | "patternProperties"
                    | "$defs"
                    | "definitions"
                    | "dependentSchemas"
                    | "dependencies"
            );
        self.pointer
            .last()
            .is_some_and(|last| matches!(last.as_str(), "not" | "if" | "then" | "else"))
            && !keyed
            || (n >= 2
                && matches!(
                    self.pointer[n - 2].as_str(),
                    "allOf" | "anyOf" | "oneOf" | "dependentSchemas" | "dependencies"
                ))
    }
}

/// A version's payload subtree, taken out of its document: the tree holds
/// `null` at `at` while the builder holds the subtree.
struct Payload {
    file: FileId,
    at: Vec<String>,
    node: Rc<Node>,
}

impl Payload {
    fn holds(&self, file: FileId, pointer: &[String]) -> bool {
        self.file == file && pointer.starts_with(&self.at)
    }
}

struct Pending {
    id: SchemaId,
    cursor: Cursor,
}

/// Builds schemas into one [`TypeSpace`].
pub struct SchemaBuilder<'a> {
    sources: &'a Sources,
    /// Root-relative path of each file, computed once.
    paths: Vec<Arc<str>>,
    /// Parsed documents by file id; `None` for files that failed to load.
    roots: Vec<Option<&'a Node>>,
    /// The version payload being built from a subtree taken out of its
    /// document (see [`SchemaBuilder::build_payload`]).
    payload: Option<Payload>,
    urls: Urls<'a>,
    pub types: TypeSpace,
    built: Vec<bool>,
    pending: Vec<Pending>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> SchemaBuilder<'a> {
    pub fn new(sources: &'a Sources, roots: Vec<Option<&'a Node>>, refs: &'a RefMap) -> Self {
        let urls = Urls::new(&roots, refs);
        Self::with_urls(sources, roots, urls)
    }

    /// A builder whose URLs were read before some payloads were taken out
    /// of `roots`.
    pub fn with_urls(sources: &'a Sources, roots: Vec<Option<&'a Node>>, urls: Urls<'a>) -> Self {
        let paths = sources
            .iter()
            .map(|(_, file)| Arc::from(file.relative_slash()))
            .collect();
        SchemaBuilder {
            sources,
            paths,
            payload: None,
            urls,
            roots,
            types: TypeSpace::default(),
            built: Vec::new(),
            pending: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Builds a schema that `$ref` can also reach (a version's payload, a
    /// definition), then everything it references.
    pub fn build_root(&mut self, cursor: Cursor, node: &Node, skip: &[&str]) -> SchemaId {
        let (id, built) = self.slot(&cursor, node.span);
        if !built {
            self.fill(id, &cursor, node, skip);
        }
        self.drain();
        id
    }

    /// Builds a version's payload from its subtree, taken out of the
    /// document so it is freed once built: a wide contract's tree then does
    /// not stay whole beside its model. The caller has made sure nothing
    /// outside the payload refers into it.
    pub fn build_payload(&mut self, cursor: Cursor, node: Node) -> SchemaId {
        let node = Rc::new(node);
        self.payload = Some(Payload {
            file: cursor.file,
            at: cursor.pointer.clone(),
            node: Rc::clone(&node),
        });
        let id = self.build_root(cursor, &node, &[]);
        self.payload = None;
        id
    }

    /// The node at `pointer` in `file`, wherever it is held now.
    fn node_at(&self, file: FileId, pointer: &[String]) -> Option<&Node> {
        if let Some(payload) = self.payload.as_ref().filter(|p| p.holds(file, pointer)) {
            return payload.node.pointer(&pointer[payload.at.len()..]);
        }
        self.roots[file.0 as usize]?.pointer(pointer)
    }

    fn drain(&mut self) {
        while let Some(Pending { id, cursor }) = self.pending.pop() {
            if self.built[id.0 as usize] {
                continue;
            }
            // A clone of the payload's handle: `fill` needs `self` mutably.
            let held = self
                .payload
                .as_ref()
                .filter(|p| p.holds(cursor.file, &cursor.pointer))
                .map(|p| (Rc::clone(&p.node), p.at.len()));
            let node = match &held {
                Some((payload, at)) => payload.pointer(&cursor.pointer[*at..]),
                None => self.roots[cursor.file.0 as usize].and_then(|r| r.pointer(&cursor.pointer)),
            };
            if let Some(node) = node {
                self.fill(id, &cursor, node, &[]);
            }
        }
    }

    /// The arena slot for a ref-reachable node, allocating it on first sight.
    fn slot(&mut self, cursor: &Cursor, span: Span) -> (SchemaId, bool) {
        // Keyed by the scope inside: a resource root reached from outside
        // and by a reference from within is one schema.
        let inside = self.inside(cursor);
        let scope = inside.as_ref().map_or(&cursor.scope, |c| &c.scope);
        let key = DefKey {
            file: self.path(cursor.file),
            pointer: pointer_text(&cursor.pointer),
            scope: scope.key(|file| self.paths[file.0 as usize].to_string()),
        };
        if let Some(&id) = self.types.defs.get(&key) {
            return (id, self.built[id.0 as usize]);
        }
        let id = self.alloc(cursor, span);
        self.types.defs.insert(key, id);
        (id, false)
    }

    fn alloc(&mut self, cursor: &Cursor, span: Span) -> SchemaId {
        let origin = Origin {
            file: self.path(cursor.file),
            pointer: pointer_text(&cursor.pointer).into_boxed_str(),
        };
        let id = self
            .types
            .add(Schema::new(place(cursor.file, span), origin));
        self.built.push(false);
        id
    }

    fn path(&self, file: FileId) -> Arc<str> {
        Arc::clone(&self.paths[file.0 as usize])
    }

    fn child(&mut self, cursor: Cursor, node: &Node) -> SchemaId {
        let id = self.alloc(&cursor, node.span);
        self.fill(id, &cursor, node, &[]);
        id
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn fill(&mut self, id: SchemaId, cursor: &Cursor, node: &Node, skip: &[&str]) {
        self.built[id.0 as usize] = true;
        let inside = self.inside(cursor);
        let cursor = inside.as_ref().unwrap_or(cursor);
        let origin = std::mem::take(&mut self.types.get_mut(id).origin);
        let mut schema = Schema::new(place(cursor.file, node.span), origin);
        let reported = self.diagnostics.len();
        match &node.value {
            Value::Map(entries) => {
                let draft = self.draft(cursor);
                let known = self.known_to(draft, cursor.file, entries);
                let entries = known.as_deref().unwrap_or(entries);
                let hidden = draft.ref_hides_siblings() && entries.iter().any(|e| e.key == "$ref");
                for entry in entries {
                    let key = entry.key.as_str();
                    if skip.contains(&key) {
                        continue;
                    }
                    if hidden && !kept_beside_ref(key) {
                        self.ignored_beside_ref(cursor.file, entry);
                        continue;
                    }
                    self.keyword(&mut schema, cursor, entry);
                }
                if draft == Draft::Draft4 && !hidden {
                    self.exclusive_flags(&mut schema, cursor.file, entries);
                }
                if !skip.contains(&"additionalItems") {
                    self.additional_items(&mut schema, cursor, entries);
                }
                self.contains_bounds(&mut schema, cursor.file, entries);
                self.condition_parts(&mut schema, cursor.file, entries);
                self.consistency(&schema, cursor.file, entries);
                if !cursor.is_branch() {
                    self.required_declared(&schema);
                }
            }
            // The boolean schemas: `true` accepts anything, as `{}` does;
            // `false` accepts nothing, as `{not: {}}` does.
            Value::Bool(true) => {}
            Value::Bool(false) => {
                let anything = self.alloc(&cursor.child(&["not"]), node.span);
                self.built[anything.0 as usize] = true;
                schema.not = Some(anything);
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        RuleId::WrongType,
                        schema.place,
                        format!(
                            "a schema must be a mapping or a boolean, found {}",
                            node.type_name()
                        ),
                    )
                    .hint("write a mapping of JSON Schema keywords, e.g. `{ type: string }`"),
                );
            }
        }
        // A warning (an annotation evc keeps but does not check) leaves the
        // schema whole.
        if self.diagnostics[reported..]
            .iter()
            .any(|d| d.level == Level::Error)
        {
            self.types.invalid.insert(id);
        }
        *self.types.get_mut(id) = schema;
    }

    fn keyword(&mut self, schema: &mut Schema, cursor: &Cursor, entry: &Entry) {
        let value = &entry.value;
        let at = place(cursor.file, value.span);
        let key = entry.key.as_str();
        match key {
            "type" => schema.types = self.types_of(cursor.file, value),
            "properties" => {
                if let Some(entries) = self.expect_map(cursor.file, key, value) {
                    schema.properties.reserve_exact(entries.len());
                    for property in entries {
                        let child =
                            self.child(cursor.child(&[key, &property.key]), &property.value);
                        schema.properties.push(Property {
                            name: property.key.as_str().into(),
                            name_place: place(cursor.file, property.key_span),
                            schema: child,
                        });
                    }
                }
            }
            "required" => schema.required = self.required(cursor.file, value),
            "additionalProperties" => {
                schema.additional = match value.value {
                    Value::Bool(b) => Additional::Allowed(b),
                    Value::Map(_) => Additional::Schema(self.child(cursor.child(&[key]), value)),
                    _ => {
                        self.wrong_type(cursor.file, key, value, "true, false or a schema");
                        Additional::Absent
                    }
                }
            }
            "items" => match &value.value {
                // The draft-07 spelling of `prefixItems`.
                Value::Seq(items) => {
                    if schema.prefix_items.is_empty() {
                        schema.prefix_items = self.tuple(cursor, key, items);
                    }
                }
                Value::Bool(allowed) => {
                    schema.items_forbidden = !allowed;
                    schema.items_allowed = *allowed;
                }
                _ => schema.items = Some(self.child(cursor.child(&[key]), value)),
            },
            "prefixItems" => {
                if let Some(items) = self.expect_non_empty_seq(cursor.file, key, value) {
                    schema.prefix_items = self.tuple(cursor, key, items);
                }
            }
            // Read once every keyword is, since it depends on `items`.
            "additionalItems" => {}
            "contains" => schema.contains = Some(self.child(cursor.child(&[key]), value)),
            "minContains" => schema.min_contains = self.count(cursor.file, key, value),
            "maxContains" => schema.max_contains = self.count(cursor.file, key, value),
            "enum" if value.as_seq().is_some_and(<[Node]>::is_empty) => {
                self.report(
                    Diagnostic::new(RuleId::EnumEmpty, at, "`enum` is empty: no value passes")
                        .hint("list the allowed values; to accept nothing on purpose, write `false` as the schema"),
                );
                schema.enumeration = Some(Box::new(Spanned {
                    value: Vec::new(),
                    place: at,
                }));
            }
            "enum" => {
                if let Some(items) = self.expect_non_empty_seq(cursor.file, key, value) {
                    let values: Vec<_> = items.iter().map(Node::to_json).collect();
                    self.no_duplicates(cursor.file, key, items, &values);
                    schema.enumeration_places =
                        items.iter().map(|i| place(cursor.file, i.span)).collect();
                    schema.enumeration = Some(Box::new(Spanned {
                        value: values,
                        place: at,
                    }));
                }
            }
            "const" => {
                schema.constant = Some(Box::new(Spanned {
                    value: value.to_json(),
                    place: at,
                }))
            }
            "oneOf" | "anyOf" | "allOf" => {
                let mut branches = Vec::new();
                if let Some(items) = self.expect_non_empty_seq(cursor.file, key, value) {
                    for (i, item) in items.iter().enumerate() {
                        branches.push(self.child(cursor.child(&[key, &i.to_string()]), item));
                    }
                }
                match key {
                    "oneOf" => schema.one_of = branches,
                    "anyOf" => schema.any_of = branches,
                    _ => schema.all_of = branches,
                }
            }
            "not" => schema.not = Some(self.child(cursor.child(&[key]), value)),
            "if" => schema.if_schema = Some(self.child(cursor.child(&[key]), value)),
            "then" => schema.then_schema = Some(self.child(cursor.child(&[key]), value)),
            "else" => schema.else_schema = Some(self.child(cursor.child(&[key]), value)),
            "propertyNames" => {
                schema.property_names = Some(self.child(cursor.child(&[key]), value))
            }
            "unevaluatedProperties" => {
                schema.unevaluated_properties = Some(self.child(cursor.child(&[key]), value))
            }
            "unevaluatedItems" => {
                schema.unevaluated_items = Some(self.child(cursor.child(&[key]), value))
            }
            "patternProperties" => {
                schema.pattern_properties = self.pattern_properties(cursor, value);
            }
            "dependentSchemas" => {
                if let Some(entries) = self.expect_map(cursor.file, key, value) {
                    for entry in entries {
                        self.dependent_schema(schema, cursor, key, entry);
                    }
                }
            }
            "$ref" => {
                if let Some(text) = self.expect_str(cursor.file, key, value) {
                    let reference = self.reference(cursor, text, at);
                    self.refer(schema, reference);
                }
            }
            "$dynamicRef" => {
                if let Some(text) = self.expect_str(cursor.file, key, value) {
                    let reference = self.dynamic_reference(cursor, text, at);
                    self.refer(schema, reference);
                }
            }
            "$dynamicAnchor" => {
                self.anchor_name(cursor.file, key, value);
            }
            "$defs" | "definitions" => {
                if let Some(entries) = self.expect_map(cursor.file, key, value) {
                    for def in entries {
                        let def_cursor = cursor.child(&[key, &def.key]);
                        let (id, built) = self.slot(&def_cursor, def.value.span);
                        if !built {
                            self.fill(id, &def_cursor, &def.value, &[]);
                        }
                        schema.defs.push((def.key.clone(), id));
                    }
                }
            }
            "format" => {
                schema.format = self.format(cursor.file, value);
                if schema.format.is_none() && value.as_str().is_some() {
                    schema.extensions.push((key.to_owned(), value.to_json()));
                }
            }
            // Annotations JSON Schema defines: kept for the bundle and the
            // docs, never checked.
            // What a string's content is, once decoded: annotations the
            // generated code keeps in the schema text and does not check,
            // compared between versions as a change of the data's meaning.
            "contentEncoding" | "contentMediaType" => {
                if value.as_str().is_some() {
                    schema.extensions.push((key.to_owned(), value.to_json()));
                } else {
                    self.wrong_type(cursor.file, key, value, "a string");
                }
            }
            "contentSchema" => {
                schema.content_schema = Some(self.child(cursor.child(&[key]), value));
            }
            "readOnly" | "writeOnly" => {
                if value.as_bool().is_some() {
                    schema.extensions.push((key.to_owned(), value.to_json()));
                } else {
                    self.wrong_type(cursor.file, key, value, "true or false");
                }
            }
            "minLength" => schema.min_length = self.count(cursor.file, key, value),
            "maxLength" => schema.max_length = self.count(cursor.file, key, value),
            "minItems" => schema.min_items = self.count(cursor.file, key, value),
            "maxItems" => schema.max_items = self.count(cursor.file, key, value),
            "minProperties" => schema.min_properties = self.count(cursor.file, key, value),
            "maxProperties" => schema.max_properties = self.count(cursor.file, key, value),
            "dependentRequired" | "dependencies" => {
                self.dependent_required(schema, cursor, key, value)
            }
            "minimum" => schema.minimum = self.number(cursor.file, key, value).map(Box::new),
            "maximum" => schema.maximum = self.number(cursor.file, key, value).map(Box::new),
            // A boolean is the draft-04 form, read once `minimum` is known.
            "exclusiveMinimum" | "exclusiveMaximum"
                if value.as_bool().is_some() && self.draft(cursor) == Draft::Draft4 => {}
            "exclusiveMinimum" => {
                schema.exclusive_minimum = self.number(cursor.file, key, value).map(Box::new)
            }
            "exclusiveMaximum" => {
                schema.exclusive_maximum = self.number(cursor.file, key, value).map(Box::new)
            }
            "multipleOf" => schema.multiple_of = self.multiple_of(cursor.file, value).map(Box::new),
            "pattern" => schema.pattern = self.pattern(cursor.file, value).map(Box::new),
            "uniqueItems" => schema.unique_items = self.expect_bool(cursor.file, key, value),
            "deprecated" => schema.deprecated = self.expect_bool(cursor.file, key, value),
            "title" => schema.title = self.expect_str(cursor.file, key, value).map(str::to_owned),
            "description" => {
                schema.description = self.expect_str(cursor.file, key, value).map(Box::from)
            }
            "$comment" => {
                schema.comment = self.expect_str(cursor.file, key, value).map(str::to_owned)
            }
            "default" => schema.default = Some(Box::new(value.to_json())),
            "examples" => {
                if let Some(items) = self.expect_seq(cursor.file, key, value) {
                    schema.examples = items.iter().map(Node::to_json).collect();
                }
            }
            "$anchor" => self.anchor_name(cursor.file, key, value),
            // An `$id` of a fragment alone is the draft-07 spelling of an
            // anchor.
            "$id" | "id" if value.as_str().is_some_and(|v| v.starts_with('#')) => {}
            // Draft-04 spells `$id` as `id`.
            "$schema" | "$id" | "id" if key != "id" || self.draft(cursor) == Draft::Draft4 => {
                if cursor.is_resource_root() || value.as_str().is_none() {
                    self.expect_str(cursor.file, key, value);
                } else if key == "$schema" {
                    self.report(
                        Diagnostic::new(
                            RuleId::UnsupportedKeyword,
                            place(cursor.file, entry.key_span),
                            "`$schema` is only allowed at a schema resource root: the file root, or a schema with its own `$id`",
                        )
                        .hint("give the schema an `$id`, or move `$schema` to the root"),
                    );
                } else {
                    // An identifier that is no resource stands beside a
                    // `$ref` of a draft that ignores it.
                    self.ignored_beside_ref(cursor.file, entry);
                }
            }
            _ if key.starts_with("x-") => schema.extensions.push((key.to_owned(), value.to_json())),
            _ => {
                if self.unknown_keyword(cursor.file, entry) {
                    schema.extensions.push((key.to_owned(), value.to_json()));
                }
            }
        }
    }

    fn anchor_name(&mut self, file: FileId, key: &str, value: &Node) {
        if !value.as_str().is_some_and(reference::is_anchor) {
            self.wrong_type(
                file,
                key,
                value,
                "a name (a letter or `_`, then letters, digits, `-`, `_`, `.`, `:`)",
            );
        }
    }

    /// Sets the schema's reference. One schema holds one: a second (a
    /// `$ref` beside a `$dynamicRef`) is refused, since read as an `allOf`
    /// member it could name the schema's own ancestor in place.
    fn refer(&mut self, schema: &mut Schema, reference: Reference) {
        if schema.reference.is_none() {
            schema.reference = Some(Box::new(reference));
            return;
        }
        self.report(
            Diagnostic::new(
                RuleId::UnsupportedKeyword,
                reference.place,
                "`$ref` and `$dynamicRef` in one schema are not supported",
            )
            .hint("move one of them into an `allOf` member: `allOf: [{ $dynamicRef: '#node' }]`"),
        );
    }

    /// The schemas of a tuple, one per position.
    fn tuple(&mut self, cursor: &Cursor, key: &str, items: &[Node]) -> Vec<SchemaId> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.child(cursor.child(&[key, &i.to_string()]), item))
            .collect()
    }

    /// `items` and `prefixItems` together, and the draft-07
    /// `additionalItems`: the schema (or `false`) of the items after an
    /// `items` list, and nothing at all without one.
    fn additional_items(&mut self, schema: &mut Schema, cursor: &Cursor, entries: &[Entry]) {
        let find = |key: &str| entries.iter().find(|e| e.key == key);
        let list = find("items").filter(|e| e.value.as_seq().is_some());
        if let (Some(list), Some(_)) = (list, find("prefixItems")) {
            self.report(
                Diagnostic::new(
                    RuleId::InvalidValue,
                    place(cursor.file, list.key_span),
                    "`items` is a list and `prefixItems` is given: write the tuple once",
                )
                .hint("with `prefixItems`, `items` is the one schema of the items after them"),
            );
            return;
        }
        let Some(entry) = find("additionalItems") else {
            return;
        };
        let value = &entry.value;
        if !matches!(value.value, Value::Bool(_) | Value::Map(_)) {
            self.wrong_type(cursor.file, &entry.key, value, "true, false or a schema");
            return;
        }
        if list.is_none() {
            self.report(
                Diagnostic::new(
                    RuleId::KeywordNoEffect,
                    place(cursor.file, entry.key_span),
                    "`additionalItems` has no effect without an `items` list",
                )
                .hint("it applies only after a draft-07 `items` list: remove it, or write the tuple as `prefixItems` with `items` for the items after them"),
            );
            return;
        }
        match value.value {
            Value::Bool(allowed) => {
                schema.items_forbidden = !allowed;
                schema.items_allowed = allowed;
            }
            _ => schema.items = Some(self.child(cursor.child(&["additionalItems"]), value)),
        }
    }

    /// `then` and `else` apply only after an `if`, and an `if` alone decides
    /// nothing: each is reported and dropped, as JSON Schema ignores it. A
    /// lone `if` is kept apart, since what it evaluates still counts for
    /// `unevaluatedProperties` and `unevaluatedItems`.
    fn condition_parts(&mut self, schema: &mut Schema, file: FileId, entries: &[Entry]) {
        let has_if = schema.if_schema.is_some();
        let has_branch = schema.then_schema.is_some() || schema.else_schema.is_some();
        if has_if == has_branch {
            return;
        }
        for entry in entries {
            let hint = match entry.key.as_str() {
                "if" => "it only chooses between `then` and `else`: add one, or remove it",
                "then" | "else" => "it applies only after an `if`: add the `if`, or move its keywords into the schema",
                _ => continue,
            };
            let what = if has_if {
                "without `then` or `else`"
            } else {
                "without `if`"
            };
            self.report(
                Diagnostic::new(
                    RuleId::KeywordNoEffect,
                    place(file, entry.key_span),
                    format!("`{}` has no effect {what}", entry.key),
                )
                .hint(hint),
            );
        }
        schema.lone_if = schema.if_schema.take();
        schema.then_schema = None;
        schema.else_schema = None;
    }

    /// `minContains` and `maxContains` count the items `contains` matches:
    /// without it they do nothing.
    fn contains_bounds(&mut self, schema: &mut Schema, file: FileId, entries: &[Entry]) {
        if schema.contains.is_some() {
            return;
        }
        for entry in entries {
            if matches!(entry.key.as_str(), "minContains" | "maxContains") {
                self.report(
                    Diagnostic::new(
                        RuleId::KeywordNoEffect,
                        place(file, entry.key_span),
                        format!("`{}` has no effect without `contains`", entry.key),
                    )
                    .hint(
                        "it counts the items that match `contains`: add `contains`, or remove it",
                    ),
                );
            }
        }
        // Cleared only when written: a write allocates the schema's rare part.
        if schema.min_contains.is_some() || schema.max_contains.is_some() {
            schema.min_contains = None;
            schema.max_contains = None;
        }
    }

    /// Where a pointer into `file` leads: the innermost resource around it
    /// is its base, or in a contract file the version's payload.
    fn found_at(&self, file: FileId, pointer: Vec<String>) -> Found {
        let contract = resource_base(self.roots[file.0 as usize], &pointer);
        let embedded = self
            .urls
            .of(file)
            .map(|resources| resources.around(&pointer).to_vec())
            .unwrap_or_default();
        let base = if embedded.len() >= contract.len() {
            embedded
        } else {
            contract
        };
        Found {
            file,
            pointer,
            base,
            written_from: 0,
        }
    }

    /// The pointer of the schema named `anchor` in `file`, under `base`
    /// (`$anchor: Name`, or the older `$id: '#Name'`).
    fn anchored(&self, file: FileId, base: &[String], anchor: &str) -> Option<Vec<String>> {
        let resource = self.node_at(file, base)?;
        self.urls.of(file)?.anchored(resource, base, anchor)
    }

    /// The draft of the schema at `cursor`: the `$schema` of its resource.
    /// An embedded resource without `$schema` is read in the draft of the
    /// resource around it.
    fn draft(&self, cursor: &Cursor) -> Draft {
        let outer = self
            .urls
            .of(cursor.file)
            .into_iter()
            .flat_map(|resources| resources.enclosing(&cursor.base));
        let uri = std::iter::once(cursor.base.as_slice())
            .chain(outer)
            .filter_map(|pointer| {
                let resource = self.node_at(cursor.file, pointer)?;
                resource.get("$schema")?.value.as_str()
            })
            .next();
        Draft::of(uri)
    }

    fn ignored_beside_ref(&mut self, file: FileId, entry: &Entry) {
        self.report(
            Diagnostic::new(
                RuleId::RefSiblingIgnored,
                place(file, entry.key_span),
                format!("`{}` beside `$ref` is ignored: the schema's `$schema` is a draft where `$ref` stands alone", entry.key),
            )
            .hint("move the keyword into an `allOf` with the `$ref`, or declare draft 2019-09 or later"),
        );
    }

    /// Draft-04's `exclusiveMinimum: true` makes `minimum` exclusive.
    fn exclusive_flags(&mut self, schema: &mut Schema, file: FileId, entries: &[Entry]) {
        for entry in entries {
            let Some(exclusive) = entry.value.as_bool() else {
                continue;
            };
            let (bound, key) = match entry.key.as_str() {
                "exclusiveMinimum" => (schema.minimum.take(), "minimum"),
                "exclusiveMaximum" => (schema.maximum.take(), "maximum"),
                _ => continue,
            };
            match (bound, exclusive) {
                (Some(bound), true) if key == "minimum" => schema.exclusive_minimum = Some(bound),
                (Some(bound), true) => schema.exclusive_maximum = Some(bound),
                (bound, false) if key == "minimum" => schema.minimum = bound,
                (bound, false) => schema.maximum = bound,
                (None, true) => self.report(
                    Diagnostic::new(
                        RuleId::InvalidValue,
                        place(file, entry.value.span),
                        format!(
                            "`{}: true` (the draft-04 form) needs `{key}` beside it",
                            entry.key
                        ),
                    )
                    .hint(format!(
                        "give `{key}`, or write the bound itself: `{}: <number>`",
                        entry.key
                    )),
                ),
            }
        }
    }

    /// The entries of a schema without the keywords of drafts later than
    /// its own (`None` when it has none, the usual case), each reported: a
    /// validator of the schema's draft ignores them, so every pass after
    /// this one must not see them either.
    fn known_to(&mut self, draft: Draft, file: FileId, entries: &[Entry]) -> Option<Vec<Entry>> {
        let later = |e: &Entry| first_draft(&e.key).filter(|first| draft < *first);
        if !entries.iter().any(|e| later(e).is_some()) {
            return None;
        }
        let mut known = Vec::new();
        for entry in entries {
            match later(entry) {
                Some(first) => self.later_keyword(file, entry, draft, first),
                None => known.push(entry.clone()),
            }
        }
        Some(known)
    }

    /// A keyword of a later draft than the schema's: ignored, as a
    /// validator of the schema's draft ignores it, and reported so the author
    /// can declare the draft they meant. (Not kept as an annotation: in the
    /// 2020-12 schemas evc publishes it would check.)
    fn later_keyword(&mut self, file: FileId, entry: &Entry, draft: Draft, first: Draft) {
        let (key, draft) = (entry.key.as_str(), draft.name());
        self.report(
            Diagnostic::new(
                RuleId::SchemaKeywordUnknown,
                place(file, entry.key_span),
                format!(
                    "`{key}` is not a keyword of {draft}, the draft this schema's `$schema` names: ignored, as a {draft} validator ignores it"
                ),
            )
            .hint(format!(
                "to have it checked, declare `$schema: {}` (or a later draft) at the schema's root",
                first.uri()
            )),
        );
    }

    /// Reports a keyword outside the subset; true when it is kept as an
    /// annotation (JSON Schema ignores keywords it does not define).
    fn unknown_keyword(&mut self, file: FileId, entry: &Entry) -> bool {
        let at = place(file, entry.key_span);
        let key = entry.key.as_str();
        let suggestion =
            suggest(key, SCHEMA_KEYWORDS).map(|known| format!("did you mean `{known}`?"));
        let (diagnostic, kept) = if UNSUPPORTED_KEYWORDS.contains(&key) {
            let diagnostic = Diagnostic::new(
                RuleId::UnsupportedKeyword,
                at,
                format!("JSON Schema keyword `{key}` is not supported by evc"),
            )
            .hint("see docs/contracts.md for the supported subset");
            (diagnostic, false)
        } else if CONTRACT_ONLY_KEYS.contains(&key) {
            let diagnostic = Diagnostic::new(
                RuleId::UnknownKeyword,
                at,
                format!("`{key}` is a contract key, not a schema keyword"),
            )
            .hint(suggestion.unwrap_or_else(|| {
                "move it to where the contract language expects it (docs/contracts.md)".to_owned()
            }));
            (diagnostic, false)
        } else {
            let diagnostic = Diagnostic::new(
                RuleId::SchemaKeywordUnknown,
                at,
                format!("`{key}` is not a JSON Schema keyword: kept as an annotation, not checked"),
            )
            .hint(suggestion.unwrap_or_else(|| {
                "name custom annotations with an `x-` prefix to say so; set \
                 SCHEMA_KEYWORD_UNKNOWN to `error` in evc.yaml to refuse them"
                    .to_owned()
            }));
            (diagnostic, true)
        };
        self.report(diagnostic);
        kept
    }

    /// Finds a `$ref` by its path relative to the referring file; `url` is
    /// what the reference resolved to against the file's `$id`, if it has one.
    fn by_path(
        &mut self,
        cursor: &Cursor,
        text: &str,
        at: Place,
        url: Option<String>,
    ) -> Option<Found> {
        let from = self.path(cursor.file);
        let target = match reference::parse(text, &from) {
            Ok(target) => target,
            Err(refused) => {
                // Read as a path it leaves the root; read against the
                // file's `$id` it was a URL no file claims.
                let hint = match &url {
                    Some(url) if refused.rule == RuleId::RefEscapesRoot => format!(
                        "against the file's `$id` it is `{url}`, which no file of the contracts root has as `$id`; map the URL's prefix to a folder under `refs` in evc.yaml"
                    ),
                    _ => refused.hint.to_owned(),
                };
                self.report(Diagnostic::new(refused.rule, at, refused.message).hint(hint));
                return None;
            }
        };
        if let Some(anchor) = &target.anchor {
            let (file, base) = match &target.file {
                None => (Some(cursor.file), cursor.base.clone()),
                Some(path) => (self.file_named(cursor.file, path, text), Vec::new()),
            };
            let pointer = file.and_then(|file| self.anchored(file, &base, anchor));
            return match (file, pointer) {
                (Some(file), Some(pointer)) => Some(self.found_at(file, pointer)),
                _ => {
                    self.report(
                        Diagnostic::new(
                            RuleId::RefTargetNotFound,
                            at,
                            format!("`$ref` `{text}`: no schema there has `$anchor: {anchor}`"),
                        )
                        .hint("give the schema `$anchor`, or write a JSON pointer such as `#/$defs/Money`"),
                    );
                    None
                }
            };
        }
        match &target.file {
            None => {
                let pointer = [cursor.base.clone(), target.pointer].concat();
                let mut found = self.found_at(cursor.file, pointer);
                if found.base.len() < cursor.base.len() {
                    found.base = cursor.base.clone();
                }
                found.written_from = cursor.base.len();
                Some(found)
            }
            Some(path) => match self.file_named(cursor.file, path, text) {
                Some(file) => Some(self.found_at(file, target.pointer)),
                None => {
                    let hint = match url {
                        Some(url) => format!("against the file's `$id` it is `{url}`, which no file of the contracts root has as `$id`, and as a path relative to the file it does not exist"),
                        None => "paths are relative to the file that holds the `$ref`".to_owned(),
                    };
                    self.report(
                        Diagnostic::new(
                            RuleId::RefFileNotFound,
                            at,
                            format!("`$ref` file `{path}` does not exist"),
                        )
                        .hint(hint),
                    );
                    None
                }
            },
        }
    }

    /// The file a reference names: by its root-relative `path`, or else
    /// by the relative `$id` its path part gives against the referring
    /// file's own.
    fn file_named(&self, from: FileId, path: &str, text: &str) -> Option<FileId> {
        self.sources.find_relative(path).or_else(|| {
            let written = text.split('#').next().unwrap_or_default();
            self.urls.by_relative_id(from, written)
        })
    }

    fn reference(&mut self, cursor: &Cursor, text: &str, at: Place) -> Reference {
        let target = self
            .target(cursor, text, at)
            .map(|(target, span)| self.follow(cursor, target, span));
        Reference {
            text: text.to_owned(),
            place: at,
            target,
        }
    }

    /// A `$dynamicRef`: a `$ref`, unless its first target carries the
    /// `$dynamicAnchor` its fragment names; then the schema the dynamic
    /// scope binds that name to (model/dynamic.rs).
    fn dynamic_reference(&mut self, cursor: &Cursor, text: &str, at: Place) -> Reference {
        let reported = self.diagnostics.len();
        let first = self.target(cursor, text, at);
        // Resolved as a `$ref` is, and said of the keyword the user wrote.
        for diagnostic in &mut self.diagnostics[reported..] {
            diagnostic.message = diagnostic.message.replacen("`$ref`", "`$dynamicRef`", 1);
        }
        let target = first.map(|(first, span)| {
            let bound = text
                .split_once('#')
                .filter(|(_, name)| {
                    self.node_at(first.file, &first.pointer)
                        .and_then(|node| node.get("$dynamicAnchor"))
                        .and_then(|entry| entry.value.as_str())
                        == Some(*name)
                })
                .and_then(|(_, name)| cursor.scope.get(name))
                .filter(|bound| *bound.pointer != first.pointer || bound.file != first.file)
                .cloned();
            let (target, span) = match bound {
                Some(bound) => {
                    let span = self
                        .node_at(bound.file, &bound.pointer)
                        .map_or(span, |node| node.span);
                    let found = self.found_at(bound.file, bound.pointer);
                    (Cursor::new(found.file, found.pointer, found.base), span)
                }
                None => (first, span),
            };
            self.follow(cursor, target, span)
        });
        Reference {
            text: text.to_owned(),
            place: at,
            target,
        }
    }

    /// The schema a reference at `from` leads to, in the scope it is
    /// reached in: `from`'s, with the target's resource entered.
    fn follow(&mut self, from: &Cursor, mut target: Cursor, span: Span) -> SchemaId {
        target.scope = from.scope.clone();
        if let Some(scope) = self.entered(&Cursor {
            pointer: target.base.clone(),
            ..target.clone()
        }) {
            target.scope = scope;
        }
        let (id, built) = self.slot(&target, span);
        if !built {
            self.pending.push(Pending { id, cursor: target });
        }
        id
    }

    /// Where the schema at `cursor` is read from inside, when that differs:
    /// its base moved to it where an `$id` makes it the root of a resource
    /// embedded in the one around it, and the resource it starts entered
    /// into the dynamic scope. `None` for the usual schema, which is read
    /// where it is.
    fn inside(&self, cursor: &Cursor) -> Option<Cursor> {
        let embedded = !cursor.is_resource_root()
            && self
                .urls
                .of(cursor.file)
                .is_some_and(|resources| resources.starts(&cursor.pointer));
        let mut inside = embedded.then(|| Cursor {
            base: cursor.pointer.clone(),
            ..cursor.clone()
        });
        if let Some(scope) = self.entered(inside.as_ref().unwrap_or(cursor)) {
            inside.get_or_insert_with(|| cursor.clone()).scope = scope;
        }
        inside
    }

    /// The scope after entering the resource `cursor` starts, when that
    /// binds a name some `$dynamicRef` asks for; `None` otherwise.
    fn entered(&self, cursor: &Cursor) -> Option<DynamicScope> {
        if !cursor.is_resource_root() {
            return None;
        }
        let anchors: Vec<(String, Vec<String>)> = self
            .urls
            .of(cursor.file)?
            .dynamic_anchors()
            .iter()
            .filter(|(pointer, name)| {
                self.urls.is_dynamic_name(name)
                    && pointer.starts_with(&cursor.base)
                    && self.found_at(cursor.file, pointer.clone()).base == cursor.base
            })
            .map(|(pointer, name)| (name.clone(), pointer.clone()))
            .collect();
        if anchors.is_empty() {
            return None;
        }
        cursor.scope.entered(cursor.file, &anchors)
    }

    /// Where a reference written at `cursor` leads, reported when it
    /// leads nowhere: the target's place, without its scope.
    fn target(&mut self, cursor: &Cursor, text: &str, at: Place) -> Option<(Cursor, Span)> {
        let located = self
            .urls
            .locate(text, cursor.file, &cursor.base, self.sources);
        let Found {
            file,
            pointer,
            base,
            written_from,
        } = match located {
            Some(Located {
                file: Some((file, resource)),
                fragment,
                ..
            }) => {
                let pointer = match reference::parse_fragment(&fragment) {
                    Some(pointer) => Some([resource.clone(), pointer].concat()),
                    None if reference::is_anchor(&fragment) => {
                        self.anchored(file, &resource, &fragment)
                    }
                    None => None,
                };
                let Some(pointer) = pointer else {
                    self.report(
                        Diagnostic::new(
                            RuleId::RefTargetNotFound,
                            at,
                            format!("`$ref` fragment `#{fragment}` is neither a JSON pointer nor an `$anchor` of that file"),
                        )
                        .hint("write a JSON pointer such as `#/$defs/Money`, or a name an `$anchor` gives"),
                    );
                    return None;
                };
                let mut found = self.found_at(file, pointer);
                found.written_from = resource.len().min(found.pointer.len());
                found
            }
            Some(located) if located.absolute => {
                self.report(
                    Diagnostic::new(
                        RuleId::RefUnsupported,
                        at,
                        format!(
                            "`$ref` `{text}` is not resolved: no file of the contracts root has the `$id` `{}`",
                            located.resource
                        ),
                    )
                    .hint("copy the schema into the contracts root (with its `$id`), or map the URL's prefix to a folder under `refs` in evc.yaml; evc never downloads"),
                );
                return None;
            }
            based => self.by_path(cursor, text, at, based.map(|l| l.resource))?,
        };
        // A file that failed to load was reported already; stay quiet.
        let root = self.roots[file.0 as usize]?;
        let Some(node) = self.node_at(file, &pointer) else {
            let written = &pointer[written_from..];
            let hint = if text.starts_with('#') && written.first().is_some_and(|t| t == "versions")
            {
                "in a contract file `#` is this version's `schema`: write `#/$defs/Name`".to_owned()
            } else {
                available_hint(|at| self.node_at(file, at), &pointer)
            };
            self.report(
                Diagnostic::new(
                    RuleId::RefTargetNotFound,
                    at,
                    format!(
                        "`$ref` target `{}` does not exist in `{}`",
                        pointer_text(written),
                        self.sources.get(file).relative_slash()
                    ),
                )
                .hint(hint),
            );
            return None;
        };
        if is_contract(Some(root)) && base.is_empty() {
            self.report(
                Diagnostic::new(
                    RuleId::RefTargetNotFound,
                    at,
                    format!(
                        "`$ref` `{text}` points into a contract file outside any version's schema"
                    ),
                )
                .hint("point at a schema (`file.yaml#/versions/0/schema/...`), or move shared schemas into a definitions file"),
            );
            return None;
        }
        // `true` and `false` are schemas too.
        if node.as_map().is_none() && node.as_bool().is_none() {
            self.report(
                Diagnostic::new(
                    RuleId::WrongType,
                    at,
                    format!("`$ref` `{text}` names {}, not a schema", node.type_name()),
                )
                .hint("point at a mapping of schema keywords (or `true`, `false`), e.g. `#/$defs/Name`"),
            );
            return None;
        }
        Some((Cursor::new(file, pointer, base), node.span))
    }

    fn types_of(&mut self, file: FileId, node: &Node) -> Option<Spanned<TypeList>> {
        let names: Vec<&Node> = match &node.value {
            Value::String(_) => vec![node],
            Value::Seq(items) if !items.is_empty() => items.iter().collect(),
            _ => {
                self.wrong_type(
                    file,
                    "type",
                    node,
                    "a type name or a non-empty list of them",
                );
                return None;
            }
        };
        let mut types = TypeList::EMPTY;
        for name in names {
            let parsed = name.as_str().and_then(JsonType::parse);
            match parsed {
                Some(ty) if types.contains(&ty) => self.report(Diagnostic::new(
                    RuleId::InvalidValue,
                    place(file, name.span),
                    format!("type `{}` is listed twice", ty.as_str()),
                )),
                Some(ty) => types.push(ty),
                None if matches!(name.value, Value::Null) => self.report(
                    Diagnostic::new(
                        RuleId::InvalidValue,
                        place(file, name.span),
                        "a bare `null` is YAML's null value, not the type name",
                    )
                    .hint("quote it: `'null'`"),
                ),
                None => self.report(
                    Diagnostic::new(
                        RuleId::InvalidValue,
                        place(file, name.span),
                        format!(
                            "`{}` is not a JSON type",
                            name.scalar_text().unwrap_or_default()
                        ),
                    )
                    .hint("use string, number, integer, boolean, object, array or null"),
                ),
            }
        }
        (!types.is_empty()).then(|| Spanned {
            value: types,
            place: place(file, node.span),
        })
    }

    fn required(&mut self, file: FileId, node: &Node) -> Vec<Spanned<String>> {
        let Some(items) = self.expect_seq(file, "required", node) else {
            return Vec::new();
        };
        let mut names: Vec<Spanned<String>> = Vec::new();
        for item in items {
            let Some(name) = item.as_str() else {
                self.wrong_type(file, "required", item, "a property name (string)");
                continue;
            };
            if names.iter().any(|n| n.value == name) {
                self.report(Diagnostic::new(
                    RuleId::InvalidValue,
                    place(file, item.span),
                    format!("`{name}` is listed twice in `required`"),
                ));
                continue;
            }
            names.push(Spanned {
                value: name.to_owned(),
                place: place(file, item.span),
            });
        }
        names
    }

    /// `dependentRequired`, or draft-07 `dependencies` whose list entries
    /// mean the same; its schema entries (`dependentSchemas`) are refused.
    /// Both keywords may name one property: their lists then add up.
    fn dependent_required(&mut self, schema: &mut Schema, cursor: &Cursor, key: &str, node: &Node) {
        let file = cursor.file;
        let Some(entries) = self.expect_map(file, key, node) else {
            return;
        };
        for entry in entries {
            let value = &entry.value;
            let Some(items) = value.as_seq() else {
                // The draft-07 spelling of `dependentSchemas`.
                if key == "dependencies" && matches!(value.value, Value::Map(_) | Value::Bool(_)) {
                    self.dependent_schema(schema, cursor, key, entry);
                } else {
                    let what = format!("{key}` entry `{}", entry.key);
                    self.wrong_type(file, &what, value, "a list of property names");
                }
                continue;
            };
            let mut names: Vec<String> = Vec::new();
            for item in items {
                let Some(name) = item.as_str() else {
                    self.wrong_type(file, key, item, "a property name (string)");
                    continue;
                };
                if names.iter().any(|n| n == name) {
                    self.report(Diagnostic::new(
                        RuleId::InvalidValue,
                        place(file, item.span),
                        format!("`{name}` is listed twice in `{key}` for `{}`", entry.key),
                    ));
                    continue;
                }
                names.push(name.to_owned());
            }
            match schema
                .dependent_required
                .iter_mut()
                .find(|(property, _)| *property == entry.key)
            {
                Some((_, existing)) => {
                    for name in names {
                        if !existing.contains(&name) {
                            existing.push(name);
                        }
                    }
                }
                None => schema.dependent_required.push((entry.key.clone(), names)),
            }
        }
    }

    /// One entry of `dependentSchemas` (or of `dependencies` with a schema).
    fn dependent_schema(&mut self, schema: &mut Schema, cursor: &Cursor, key: &str, entry: &Entry) {
        let child = self.child(cursor.child(&[key, &entry.key]), &entry.value);
        schema.dependent_schemas.push(Property {
            name: entry.key.as_str().into(),
            name_place: place(cursor.file, entry.key_span),
            schema: child,
        });
    }

    /// `patternProperties`: each key a pattern, checked as `pattern` is.
    fn pattern_properties(&mut self, cursor: &Cursor, node: &Node) -> Vec<Property> {
        let key = "patternProperties";
        let Some(entries) = self.expect_map(cursor.file, key, node) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let name_place = place(cursor.file, entry.key_span);
            if !self.valid_pattern(key, &entry.key, name_place) {
                continue;
            }
            out.push(Property {
                name: entry.key.as_str().into(),
                name_place,
                schema: self.child(cursor.child(&[key, &entry.key]), &entry.value),
            });
        }
        out
    }

    fn format(&mut self, file: FileId, node: &Node) -> Option<Spanned<Format>> {
        let name = self.expect_str(file, "format", node)?;
        match Format::parse(name) {
            Some(format) => Some(Spanned {
                value: format,
                place: place(file, node.span),
            }),
            // JSON Schema makes `format` an annotation unless a validator
            // is asked to assert it: a format evc does not check is kept
            // and named, not refused.
            None => {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                let hint = match suggest(name, &known) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("evc checks these formats: {}", known.join(", ")),
                };
                self.report(
                    Diagnostic::new(
                        RuleId::FormatUnknown,
                        place(file, node.span),
                        format!("format `{name}` is not checked by evc: kept as an annotation"),
                    )
                    .hint(hint),
                );
                None
            }
        }
    }

    fn pattern(&mut self, file: FileId, node: &Node) -> Option<Spanned<String>> {
        let text = self.expect_str(file, "pattern", node)?;
        let at = place(file, node.span);
        self.valid_pattern("pattern", text, at).then(|| Spanned {
            value: text.to_owned(),
            place: at,
        })
    }

    /// Whether `text` compiles as the validator evc agrees with compiles
    /// it, so ECMA-262 semantics hold; reported at `at` when it does not.
    fn valid_pattern(&mut self, key: &str, text: &str, at: Place) -> bool {
        let what = match key {
            "pattern" => "`pattern`".to_owned(),
            _ => format!("the `{key}` key `{text}`"),
        };
        let probe = serde_json::json!({ "pattern": text });
        let Err(error) = jsonschema::draft202012::new(&probe) else {
            return true;
        };
        self.report(
            Diagnostic::new(
                RuleId::InvalidValue,
                at,
                format!("{what} is not a valid regular expression: {error}"),
            )
            .hint("patterns follow ECMA-262 (JavaScript) regular expressions"),
        );
        false
    }

    fn count(&mut self, file: FileId, key: &str, node: &Node) -> Option<u64> {
        let Some(number) = node.as_number() else {
            self.wrong_type(file, key, node, "a non-negative integer");
            return None;
        };
        let whole = number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        });
        if whole.is_none() {
            self.report(Diagnostic::new(
                RuleId::InvalidValue,
                place(file, node.span),
                format!("`{key}` must be a non-negative integer, not {number}"),
            ));
        }
        whole
    }

    fn number(&mut self, file: FileId, key: &str, node: &Node) -> Option<Number> {
        let number = node.as_number().cloned();
        if number.is_none() {
            self.wrong_type(file, key, node, "a number");
        }
        number
    }

    fn multiple_of(&mut self, file: FileId, node: &Node) -> Option<Number> {
        let number = self.number(file, "multipleOf", node)?;
        if number.as_f64().is_some_and(|f| f > 0.0) {
            return Some(number);
        }
        self.report(Diagnostic::new(
            RuleId::InvalidValue,
            place(file, node.span),
            "`multipleOf` must be greater than 0",
        ));
        None
    }

    fn expect_str<'n>(&mut self, file: FileId, key: &str, node: &'n Node) -> Option<&'n str> {
        let text = node.as_str();
        if text.is_none() {
            self.wrong_type(file, key, node, "a string");
        }
        text
    }

    fn expect_bool(&mut self, file: FileId, key: &str, node: &Node) -> bool {
        match node.as_bool() {
            Some(b) => b,
            None => {
                self.wrong_type(file, key, node, "true or false");
                false
            }
        }
    }

    fn expect_map<'n>(&mut self, file: FileId, key: &str, node: &'n Node) -> Option<&'n [Entry]> {
        let entries = node.as_map();
        if entries.is_none() {
            self.wrong_type(file, key, node, "a mapping");
        }
        entries
    }

    fn expect_seq<'n>(&mut self, file: FileId, key: &str, node: &'n Node) -> Option<&'n [Node]> {
        let items = node.as_seq();
        if items.is_none() {
            self.wrong_type(file, key, node, "a list");
        }
        items
    }

    fn expect_non_empty_seq<'n>(
        &mut self,
        file: FileId,
        key: &str,
        node: &'n Node,
    ) -> Option<&'n [Node]> {
        let items = self.expect_seq(file, key, node)?;
        if items.is_empty() {
            self.report(Diagnostic::new(
                RuleId::InvalidValue,
                place(file, node.span),
                format!("`{key}` must not be empty"),
            ));
            return None;
        }
        Some(items)
    }

    fn no_duplicates(
        &mut self,
        file: FileId,
        key: &str,
        items: &[Node],
        values: &[serde_json::Value],
    ) {
        for (i, value) in values.iter().enumerate() {
            if values[..i].contains(value) {
                self.report(Diagnostic::new(
                    RuleId::InvalidValue,
                    place(file, items[i].span),
                    format!("`{key}` lists `{value}` twice"),
                ));
            }
        }
    }

    fn wrong_type(&mut self, file: FileId, key: &str, node: &Node, expected: &str) {
        self.report(wrong_type(place(file, node.span), key, node, expected));
    }

    /// Contradictions between keywords of one schema, reported at the
    /// keyword that closes the contradiction.
    fn consistency(&mut self, schema: &Schema, file: FileId, entries: &[Entry]) {
        let at = |key: &str| {
            entries
                .iter()
                .find(|e| e.key == key)
                .map_or(schema.place, |e| place(file, e.value.span))
        };
        let bounds = [
            (
                "minLength",
                schema.min_length,
                "maxLength",
                schema.max_length,
            ),
            ("minItems", schema.min_items, "maxItems", schema.max_items),
            (
                "minContains",
                schema.min_contains,
                "maxContains",
                schema.max_contains,
            ),
            (
                "minProperties",
                schema.min_properties,
                "maxProperties",
                schema.max_properties,
            ),
        ];
        for (min_key, min, max_key, max) in bounds {
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    self.report(Diagnostic::new(
                        RuleId::InvalidValue,
                        at(min_key),
                        format!("`{min_key}` ({min}) is greater than `{max_key}` ({max}): no value fits"),
                    ));
                }
            }
        }
        if let (Some(min), Some(max)) = (&schema.minimum, &schema.maximum) {
            if min.as_f64() > max.as_f64() {
                self.report(Diagnostic::new(
                    RuleId::InvalidValue,
                    at("minimum"),
                    format!("`minimum` ({min}) is greater than `maximum` ({max}): no value fits"),
                ));
            }
        }
        if let Some(format) = &schema.format {
            let applies = format.value.json_type();
            if schema.types.is_some() && !schema.allows(applies) {
                self.report(Diagnostic::new(
                    RuleId::InvalidValue,
                    format.place,
                    format!(
                        "format `{}` applies to {} values, but the schema's type excludes them",
                        format.value.as_str(),
                        applies.as_str()
                    ),
                ));
            }
        }
    }

    /// Every name `required` lists, in the schema or in its inline
    /// branches, is declared under `properties` there: a typo in `required`
    /// would otherwise make every payload invalid. Unknowable when a `$ref`
    /// brings properties in, so then nothing is reported.
    fn required_declared(&mut self, schema: &Schema) {
        let mut tree = Vec::new();
        if !self.inline_tree(schema, &mut tree) || tree.iter().all(|s| s.required.is_empty()) {
            return;
        }
        // By name: a long `required` list against many properties would
        // otherwise cost their product.
        let declared: HashSet<&str> = tree
            .iter()
            .flat_map(|s| s.properties.iter().map(|p| &*p.name))
            .collect();
        // Neither typed nor declaring anything, the schema only constrains
        // an object declared elsewhere: `allOf: [{properties: {a:
        // {required: [b]}}}]` beside the `a` that declares `b`.
        if declared.is_empty() && schema.types.is_none() {
            return;
        }
        let required = tree.iter().flat_map(|s| &s.required);
        let undeclared: Vec<Diagnostic> = required
            .filter(|name| !declared.contains(name.value.as_str()))
            .map(|name| {
                Diagnostic::new(
                    RuleId::RequiredUndeclared,
                    name.place,
                    format!(
                        "required property `{}` is not declared in `properties`: any value is accepted for it",
                        name.value
                    ),
                )
                .hint("declare it under `properties` to give it a type; if it is a typo, every payload without that name is refused")
            })
            .collect();
        for diagnostic in undeclared {
            self.report(diagnostic);
        }
    }

    /// `schema` and its inline branches, into `tree`; false when a `$ref`
    /// among them makes the declared properties unknowable.
    fn inline_tree<'s>(&'s self, schema: &'s Schema, tree: &mut Vec<&'s Schema>) -> bool {
        if schema.reference.is_some() {
            return false;
        }
        tree.push(schema);
        let branches = schema
            .all_of
            .iter()
            .chain(&schema.one_of)
            .chain(&schema.any_of)
            .copied()
            .chain(schema.conditional_applicators());
        for branch in branches {
            // A branch not built yet is a `$ref` cycle back to an ancestor.
            if !self.built[branch.0 as usize] || !self.inline_tree(self.types.get(branch), tree) {
                return false;
            }
        }
        true
    }
}

/// Where a `$ref` leads.
struct Found {
    file: FileId,
    pointer: Vec<String>,
    /// The resource root the pointer's own `#` refs resolve against.
    base: Vec<String>,
    /// Where the pointer as written starts in `pointer` (after the base
    /// prepended to a same-document reference).
    written_from: usize,
}

/// In a contract file, a pointer into `versions/N/schema` has that version's
/// payload as its resource root; everywhere else `#` is the file root.
fn resource_base(root: Option<&Node>, pointer: &[String]) -> Vec<String> {
    if is_contract(root) && pointer.len() >= 3 && pointer[0] == "versions" && pointer[2] == "schema"
    {
        return pointer[..3].to_vec();
    }
    Vec::new()
}

fn is_contract(root: Option<&Node>) -> bool {
    root.is_some_and(|r| r.get("event").is_some() || r.get("command").is_some())
}

/// Names what the pointer's last existing parent holds, to help fix a typo.
fn available_hint<'n>(
    node_at: impl Fn(&[String]) -> Option<&'n Node>,
    pointer: &[String],
) -> String {
    let parent = (0..pointer.len())
        .rev()
        .find_map(|n| node_at(&pointer[..n]).map(|node| (n, node)));
    match parent.and_then(|(n, node)| node.as_map().map(|entries| (n, entries))) {
        Some((n, entries)) if !entries.is_empty() => {
            let keys: Vec<&str> = entries.iter().take(12).map(|e| e.key.as_str()).collect();
            format!(
                "`{}` holds: {}",
                if n == 0 {
                    "#".to_owned()
                } else {
                    pointer_text(&pointer[..n])
                },
                keys.join(", ")
            )
        }
        _ => "check the path after `#`".to_owned(),
    }
}
