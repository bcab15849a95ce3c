//! Whether two payload schemas are the same schema, and where they first
//! differ, read from the model keyword by keyword as their bundles (see
//! [`crate::model::json::bundle`]) write them, without writing either out.
//!
//! The comparison is structural: `$ref`s are followed on both sides, so
//! moving a definition to another file or inlining it changes nothing;
//! `required`, `type` and `enum` are sets. Annotations (descriptions,
//! titles, examples, defaults, `deprecated`, `$comment`, `x-` extensions)
//! never change which payloads a schema accepts, so they are compared apart.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use serde_json::Value as Json;

use crate::model::json::{same_value, Bundler, Field};
use crate::model::{Property, SchemaId, TypeSpace};

/// One place where the schemas differ, by JSON pointer into the current
/// schema, `$ref`s seen through (the path a payload's value would take).
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub pointer: String,
    /// `None` where the keyword is absent on that side.
    pub before: Option<Json>,
    pub after: Option<Json>,
}

/// The first difference in what the schemas accept, and the first in their
/// annotations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Differences {
    pub structural: Option<Difference>,
    pub annotation: Option<Difference>,
}

/// Compares the schema `before_root` of `before` with `after_root` of
/// `after`.
pub fn compare(
    before: &TypeSpace,
    before_root: SchemaId,
    after: &TypeSpace,
    after_root: SchemaId,
) -> Differences {
    let mut walk = Walk {
        before: Bundler::new(before, before_root),
        after: Bundler::new(after, after_root),
        queue: VecDeque::new(),
        seen: HashSet::new(),
        annotation: None,
    };
    let structural = walk.run();
    Differences {
        structural,
        annotation: walk.annotation,
    }
}

/// Keywords that describe a value without constraining it.
fn is_annotation(keyword: &str) -> bool {
    matches!(
        keyword,
        "title"
            | "description"
            | "examples"
            | "$comment"
            | "deprecated"
            | "default"
            | "readOnly"
            | "writeOnly"
    ) || keyword.starts_with("x-")
        || !crate::model::SCHEMA_KEYWORDS.contains(&keyword)
            && !crate::model::UNSUPPORTED_KEYWORDS.contains(&keyword)
}

/// Keywords whose value is one schema, or `true`/`false` in its place. The
/// others that hold schemas (`properties`, `patternProperties`,
/// `dependentSchemas`, `allOf`, `anyOf`, `oneOf`) have fields of their own;
/// the keywords evc does not compile never reach the model.
fn is_schema(keyword: &str) -> bool {
    matches!(
        keyword,
        "items"
            | "additionalProperties"
            | "contains"
            | "not"
            | "propertyNames"
            | "if"
            | "then"
            | "else"
            | "contentSchema"
            | "unevaluatedProperties"
            | "unevaluatedItems"
    )
}

/// Keywords whose value is a set: order carries no meaning.
fn is_set(keyword: &str) -> bool {
    matches!(keyword, "required" | "type" | "enum")
}

/// A schema as its bundle holds it: the root, a `$defs` entry (`inline:
/// false`, what a `$ref` leads to), or written where it is used. The same
/// schema in two places is two JSON values, and the walk tells them apart
/// as a walk of the JSON would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Node {
    id: SchemaId,
    inline: bool,
}

/// What stands where a schema may: a schema, or a value such as
/// `additionalProperties: false`.
#[derive(Debug, Clone, Copy)]
enum Slot<'f> {
    Schema(Node),
    Value(&'f Json),
}

/// A schema's keywords, by name.
struct Keywords<'a> {
    fields: Vec<(String, Field<'a>)>,
}

impl<'a> Keywords<'a> {
    fn get(&self, keyword: &str) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|(k, _)| k == keyword)
            .map(|(_, f)| f)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_str())
    }
}

/// Which side of the comparison.
#[derive(Debug, Clone, Copy)]
enum Side {
    Before,
    After,
}

struct Walk<'a> {
    before: Bundler<'a>,
    after: Bundler<'a>,
    /// Pairs of `$ref` targets still to compare, with the pointer where the
    /// `$ref`s were met. A queue, not recursion: a chain of definitions
    /// cannot grow the stack, only a schema's own nesting can.
    queue: VecDeque<(SchemaId, SchemaId, Pointer)>,
    /// Target pairs compared or queued already: a recursive schema meets the
    /// same pair again, and is equal there if it is anywhere.
    seen: HashSet<(SchemaId, SchemaId)>,
    annotation: Option<Difference>,
}

impl<'a> Walk<'a> {
    fn bundler(&self, side: Side) -> &Bundler<'a> {
        match side {
            Side::Before => &self.before,
            Side::After => &self.after,
        }
    }

    fn keywords(&self, side: Side, id: SchemaId) -> Keywords<'a> {
        Keywords {
            fields: self.bundler(side).fields(id),
        }
    }

    /// A slot as JSON, for a difference.
    fn json(&self, side: Side, slot: Slot<'_>) -> Json {
        match slot {
            Slot::Schema(node) => self.bundler(side).schema(node.id),
            Slot::Value(value) => value.clone(),
        }
    }

    fn field_json(&self, side: Side, field: Option<&Field<'_>>) -> Option<Json> {
        field.map(|f| self.bundler(side).value(f.clone()))
    }

    /// Compares the roots, then every pair of `$ref` targets met, first met
    /// first; stops at the first structural difference.
    fn run(&mut self) -> Option<Difference> {
        self.queue
            .push_back((self.before.root(), self.after.root(), Pointer::default()));
        while let Some((before, after, pointer)) = self.queue.pop_front() {
            if !self.seen.insert((before, after)) {
                continue;
            }
            let (b, a) = (target_node(before), target_node(after));
            if let Some(found) = self.schema(Slot::Schema(b), Slot::Schema(a), &pointer) {
                return Some(found);
            }
        }
        None
    }

    fn schema(
        &mut self,
        before: Slot<'_>,
        after: Slot<'_>,
        pointer: &Pointer,
    ) -> Option<Difference> {
        let (b, a) = (
            self.target_of_alias(Side::Before, before),
            self.target_of_alias(Side::After, after),
        );
        if let (Some(b), Some(a)) = (b, a) {
            self.annotations(before, after, pointer);
            self.queue.push_back((b.id, a.id, pointer.clone()));
            return None;
        }
        // A `$ref` on one side only stands for its target.
        let b = b.map_or(before, Slot::Schema);
        let a = a.map_or(after, Slot::Schema);
        self.annotations(b, a, pointer);
        self.body(b, a, pointer)
    }

    fn body(&mut self, before: Slot<'_>, after: Slot<'_>, pointer: &Pointer) -> Option<Difference> {
        let (Slot::Schema(b), Slot::Schema(a)) = (before, after) else {
            let (b, a) = (
                self.json(Side::Before, before),
                self.json(Side::After, after),
            );
            return (!same_value(&b, &a)).then(|| differ(pointer, &b, &a));
        };
        let (b, a) = (
            self.keywords(Side::Before, b.id),
            self.keywords(Side::After, a.id),
        );
        let keywords = a.names().chain(b.names().filter(|k| a.get(k).is_none()));
        for keyword in keywords {
            if is_annotation(keyword) {
                continue;
            }
            let at = child(pointer, keyword);
            let (Some(bv), Some(av)) = (b.get(keyword), a.get(keyword)) else {
                return Some(Difference {
                    pointer: at.render(),
                    before: self.field_json(Side::Before, b.get(keyword)),
                    after: self.field_json(Side::After, a.get(keyword)),
                });
            };
            let found = self.keyword(keyword, bv, av, pointer, &at);
            if found.is_some() {
                return found;
            }
        }
        None
    }

    fn keyword(
        &mut self,
        keyword: &str,
        before: &Field<'_>,
        after: &Field<'_>,
        pointer: &Pointer,
        at: &Pointer,
    ) -> Option<Difference> {
        match (before, after) {
            // The target stands where the `$ref` is.
            (Field::Reference(b), Field::Reference(a)) => {
                self.queue.push_back((*b, *a, pointer.clone()));
                None
            }
            (Field::Properties(b), Field::Properties(a)) => self.properties(b, a, at),
            (Field::Schemas(b), Field::Schemas(a)) => self.list(b, a, at),
            (Field::Value(b), Field::Value(a)) if is_set(keyword) => {
                let same = match (b, a) {
                    (Json::Array(b), Json::Array(a)) => {
                        b.len() == a.len()
                            && b.iter().all(|x| a.iter().any(|y| same_value(x, y)))
                            && a.iter().all(|y| b.iter().any(|x| same_value(x, y)))
                    }
                    _ => same_value(b, a),
                };
                (!same).then(|| differ(at, b, a))
            }
            (b, a) if is_schema(keyword) => {
                let (b, a) = (slot(b), slot(a));
                match (b, a) {
                    (Some(b), Some(a)) => self.schema(b, a, at),
                    _ => self.leaf(before, after, at),
                }
            }
            _ => self.leaf(before, after, at),
        }
    }

    /// Compares two keyword values as JSON.
    fn leaf(&self, before: &Field<'_>, after: &Field<'_>, at: &Pointer) -> Option<Difference> {
        let b = self.bundler(Side::Before).value(before.clone());
        let a = self.bundler(Side::After).value(after.clone());
        (!same_value(&b, &a)).then(|| differ(at, &b, &a))
    }

    fn properties(
        &mut self,
        before: &[Property],
        after: &[Property],
        at: &Pointer,
    ) -> Option<Difference> {
        let (b, a) = (PropertyMap::of(before), PropertyMap::of(after));
        let names = a
            .order
            .iter()
            .chain(b.order.iter().filter(|k| !a.by_name.contains_key(*k)));
        for &name in names {
            let here = child(at, name);
            match (b.by_name.get(name), a.by_name.get(name)) {
                (Some(&b), Some(&a)) => {
                    let (b, a) = (inline(b), inline(a));
                    if let Some(found) = self.schema(Slot::Schema(b), Slot::Schema(a), &here) {
                        return Some(found);
                    }
                }
                (b, a) => {
                    return Some(Difference {
                        pointer: here.render(),
                        before: b.map(|id| self.before.schema(*id)),
                        after: a.map(|id| self.after.schema(*id)),
                    })
                }
            }
        }
        None
    }

    fn list(
        &mut self,
        before: &[SchemaId],
        after: &[SchemaId],
        at: &Pointer,
    ) -> Option<Difference> {
        for (i, (b, a)) in before.iter().zip(after).enumerate() {
            let (b, a) = (Slot::Schema(inline(*b)), Slot::Schema(inline(*a)));
            if let Some(found) = self.schema(b, a, &child(at, &i.to_string())) {
                return Some(found);
            }
        }
        (before.len() != after.len()).then(|| {
            let i = before.len().min(after.len());
            Difference {
                pointer: child(at, &i.to_string()).render(),
                before: before.get(i).map(|id| self.before.schema(*id)),
                after: after.get(i).map(|id| self.after.schema(*id)),
            }
        })
    }

    /// Records the first annotation that differs between two schemas.
    fn annotations(&mut self, before: Slot<'_>, after: Slot<'_>, pointer: &Pointer) {
        let (Slot::Schema(before), Slot::Schema(after)) = (before, after) else {
            return;
        };
        if self.annotation.is_some() {
            return;
        }
        let (b, a) = (
            self.keywords(Side::Before, before.id),
            self.keywords(Side::After, after.id),
        );
        let keywords = a
            .names()
            .chain(b.names().filter(|k| a.get(k).is_none()))
            .filter(|k| is_annotation(k));
        for keyword in keywords {
            let (bv, av) = (
                self.field_json(Side::Before, b.get(keyword)),
                self.field_json(Side::After, a.get(keyword)),
            );
            let same = match (&bv, &av) {
                (Some(b), Some(a)) => same_value(b, a),
                _ => false,
            };
            if !same {
                self.annotation = Some(Difference {
                    pointer: child(pointer, keyword).render(),
                    before: bv,
                    after: av,
                });
                return;
            }
        }
    }

    /// A schema that is only a `$ref` (and annotations) stands for its
    /// target; followed through chains, at most as far as the bundle has
    /// schemas. `None` when the slot is not such a schema.
    fn target_of_alias(&self, side: Side, slot: Slot<'_>) -> Option<Node> {
        let Slot::Schema(start) = slot else {
            return None;
        };
        let root = self.bundler(side).root();
        let mut current = start;
        let mut followed = false;
        for _ in 0..64 {
            // The root document also holds `$schema`: never an alias.
            if current == target_node(root) {
                break;
            }
            let keywords = self.keywords(side, current.id);
            let Some(Field::Reference(target)) = keywords.get("$ref") else {
                break;
            };
            if keywords.names().any(|k| k != "$ref" && !is_annotation(k)) {
                break;
            }
            let target = target_node(*target);
            if target == current {
                break;
            }
            current = target;
            followed = true;
        }
        (followed && current != start).then_some(current)
    }
}

/// A schema as a `$ref` reaches it: a `$defs` entry, or the root.
fn target_node(id: SchemaId) -> Node {
    Node { id, inline: false }
}

/// A schema written where it is used.
fn inline(id: SchemaId) -> Node {
    Node { id, inline: true }
}

/// The slot a schema keyword's value fills.
fn slot<'f>(field: &'f Field<'_>) -> Option<Slot<'f>> {
    match field {
        Field::Schema(id) => Some(Slot::Schema(inline(*id))),
        Field::Value(value) => Some(Slot::Value(value)),
        _ => None,
    }
}

/// `properties` as a JSON object holds them: a name written twice keeps
/// its first place and its last schema.
struct PropertyMap<'p> {
    order: Vec<&'p str>,
    by_name: HashMap<&'p str, SchemaId>,
}

impl<'p> PropertyMap<'p> {
    fn of(properties: &'p [Property]) -> Self {
        let mut map = PropertyMap {
            order: Vec::with_capacity(properties.len()),
            by_name: HashMap::with_capacity(properties.len()),
        };
        for property in properties {
            if map
                .by_name
                .insert(&property.name, property.schema)
                .is_none()
            {
                map.order.push(&property.name);
            }
        }
        map
    }
}

fn differ(pointer: &Pointer, before: &Json, after: &Json) -> Difference {
    Difference {
        pointer: pointer.render(),
        before: Some(before.clone()),
        after: Some(after.clone()),
    }
}

fn child(pointer: &Pointer, token: &str) -> Pointer {
    Pointer(Some(Rc::new(Token {
        parent: pointer.clone(),
        text: token.replace('~', "~0").replace('/', "~1"),
    })))
}

/// A JSON pointer as a chain of tokens, each shared by everything under it:
/// paths through long chains of definitions cost a token each, and are
/// written out only for a difference.
#[derive(Debug, Clone, Default)]
struct Pointer(Option<Rc<Token>>);

#[derive(Debug)]
struct Token {
    parent: Pointer,
    text: String,
}

impl Pointer {
    fn render(&self) -> String {
        let mut tokens = Vec::new();
        let mut at = self.0.as_deref();
        while let Some(token) = at {
            tokens.push(token.text.as_str());
            at = token.parent.0.as_deref();
        }
        tokens.iter().rev().map(|t| format!("/{t}")).collect()
    }
}

impl Drop for Pointer {
    /// Unlinks the chain one token at a time: dropping it recursively could
    /// overflow the stack on a long one.
    fn drop(&mut self) {
        let mut next = self.0.take();
        while let Some(token) = next {
            next = match Rc::try_unwrap(token) {
                Ok(mut token) => token.parent.0.take(),
                Err(_) => None,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Input, Inputs};
    use serde_json::json;
    use std::path::Path;

    /// The schema as the model builds it from a file of its own.
    fn space(schema: &Json) -> (TypeSpace, SchemaId) {
        let mut inputs = Inputs::default();
        inputs.add(Input::new("schema.json", schema.to_string()));
        let document =
            crate::pipeline::schema_inputs(inputs, Path::new(""), Path::new("schema.json"));
        (document.types, document.root.expect("the schema loads"))
    }

    fn compare_json(before: &Json, after: &Json) -> Differences {
        let (before, before_root) = space(before);
        let (after, after_root) = space(after);
        compare(&before, before_root, &after, after_root)
    }

    fn structural(before: Json, after: Json) -> Option<String> {
        compare_json(&before, &after).structural.map(|d| d.pointer)
    }

    fn annotation(before: Json, after: Json) -> Option<String> {
        compare_json(&before, &after).annotation.map(|d| d.pointer)
    }

    #[test]
    fn a_changed_type_is_found_by_pointer() {
        let before = json!({"type": "object", "properties": {"total": {"type": "number"}}});
        let after = json!({"type": "object", "properties": {"total": {"type": "string"}}});
        let found = compare_json(&before, &after).structural.unwrap();
        assert_eq!(found.pointer, "/properties/total/type");
        assert_eq!(found.before, Some(json!("number")));
        assert_eq!(found.after, Some(json!("string")));
    }

    #[test]
    fn added_and_removed_properties_and_keywords_differ() {
        let base = json!({"properties": {"a": {"type": "string"}}});
        let added = json!({"properties": {"a": {"type": "string"}, "b": {}}});
        assert_eq!(
            structural(base.clone(), added.clone()).as_deref(),
            Some("/properties/b")
        );
        assert_eq!(structural(added, base).as_deref(), Some("/properties/b"));
        let bounded = json!({"properties": {"a": {"type": "string", "maxLength": 3}}});
        let open = json!({"properties": {"a": {"type": "string"}}});
        assert_eq!(
            structural(open, bounded).as_deref(),
            Some("/properties/a/maxLength")
        );
    }

    #[test]
    fn annotations_are_apart_from_structure() {
        let before = json!({"description": "old", "properties": {"a": {"type": "string", "examples": ["x"]}}});
        let after = json!({"description": "new", "properties": {"a": {"type": "string"}}});
        assert_eq!(structural(before.clone(), after.clone()), None);
        assert_eq!(annotation(before, after).as_deref(), Some("/description"));
        let before = json!({"properties": {"a": {"x-note": 1, "default": 2}}});
        let after = json!({"properties": {"a": {"x-note": 1, "default": 3}}});
        assert_eq!(structural(before.clone(), after.clone()), None);
        assert_eq!(
            annotation(before, after).as_deref(),
            Some("/properties/a/default")
        );
    }

    #[test]
    fn property_names_that_look_like_annotations_are_properties() {
        let before = json!({"properties": {"description": {"type": "string"}}});
        let after = json!({"properties": {"description": {"type": "integer"}}});
        assert_eq!(
            structural(before, after).as_deref(),
            Some("/properties/description/type")
        );
    }

    #[test]
    fn sets_ignore_order_and_numbers_ignore_their_spelling() {
        let before = json!({"required": ["a", "b"], "type": ["string", "null"], "maximum": 1});
        let after = json!({"required": ["b", "a"], "type": ["null", "string"], "maximum": 1.0});
        assert_eq!(compare_json(&before, &after), Differences::default());
        let fewer = json!({"required": ["a"], "type": ["string", "null"], "maximum": 1});
        assert_eq!(structural(before, fewer).as_deref(), Some("/required"));
    }

    #[test]
    fn references_are_compared_by_their_targets() {
        let moved = json!({
            "properties": {"total": {"$ref": "#/$defs/Money"}},
            "$defs": {"Money": {"type": "object", "properties": {"amount": {"type": "number"}}}}
        });
        let renamed = json!({
            "properties": {"total": {"$ref": "#/$defs/money.Money"}},
            "$defs": {"money.Money": {"type": "object", "properties": {"amount": {"type": "number"}}}}
        });
        let inlined = json!({
            "properties": {"total": {"type": "object", "properties": {"amount": {"type": "number"}}}}
        });
        let changed = json!({
            "properties": {"total": {"type": "object", "properties": {"amount": {"type": "string"}}}}
        });
        assert_eq!(structural(moved.clone(), renamed), None);
        assert_eq!(structural(moved.clone(), inlined), None);
        assert_eq!(
            structural(moved, changed).as_deref(),
            Some("/properties/total/properties/amount/type")
        );
    }

    #[test]
    fn recursive_schemas_terminate() {
        let tree = |leaf: &str| {
            json!({
                "type": "object",
                "properties": {
                    "value": {"type": leaf},
                    "children": {"type": "array", "items": {"$ref": "#"}}
                }
            })
        };
        assert_eq!(structural(tree("string"), tree("string")), None);
        assert_eq!(
            structural(tree("string"), tree("integer")).as_deref(),
            Some("/properties/value/type")
        );
        let cycle = json!({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}});
        assert_eq!(structural(cycle.clone(), cycle), None);
    }

    #[test]
    fn union_branches_are_compared_in_order() {
        let before = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        let after = json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]});
        assert_eq!(structural(before, after).as_deref(), Some("/oneOf/2"));
    }

    #[test]
    fn a_long_chain_of_definitions_needs_no_deep_stack() {
        let chain = |leaf: &str| {
            let mut defs = serde_json::Map::new();
            for i in 0..5_000 {
                let next = json!({"$ref": format!("#/$defs/d{}", i + 1)});
                defs.insert(
                    format!("d{i}"),
                    json!({"type": "object", "properties": {"next": next}}),
                );
            }
            defs.insert("d5000".into(), json!({"type": leaf}));
            json!({"$ref": "#/$defs/d0", "$defs": defs})
        };
        let found = compare_json(&chain("string"), &chain("integer"))
            .structural
            .unwrap();
        assert_eq!(
            found.pointer.len(),
            "/properties/next".len() * 5_000 + "/type".len()
        );
        assert_eq!(
            compare_json(&chain("string"), &chain("string")),
            Differences::default()
        );
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        let before = json!({"properties": {"a/b~c": {"type": "string"}}});
        let after = json!({"properties": {"a/b~c": {"type": "number"}}});
        assert_eq!(
            structural(before, after).as_deref(),
            Some("/properties/a~1b~0c/type")
        );
    }
}
