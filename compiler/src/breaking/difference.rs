//! Whether two bundled payload schemas (see [`crate::model::json::bundle`])
//! are the same schema, and where they first differ.
//!
//! The comparison is structural: `$ref`s are followed on both sides, so
//! moving a definition to another file or inlining it changes nothing;
//! `required`, `type` and `enum` are sets. Annotations (descriptions,
//! titles, examples, defaults, `deprecated`, `$comment`, `x-` extensions)
//! never change which payloads a schema accepts, so they are compared apart.

use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use serde_json::Value as Json;

use crate::model::json::resolve;

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

/// Compares two bundled schemas.
pub fn compare(before: &Json, after: &Json) -> Differences {
    let mut walk = Walk {
        before_root: before,
        after_root: after,
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

/// Keywords whose value is a map from names to schemas.
fn is_schema_map(keyword: &str) -> bool {
    matches!(
        keyword,
        "properties" | "patternProperties" | "dependentSchemas"
    )
}

/// Keywords whose value is one schema.
fn is_schema(keyword: &str) -> bool {
    matches!(
        keyword,
        "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "propertyNames"
            | "if"
            | "then"
            | "else"
            | "unevaluatedProperties"
            | "unevaluatedItems"
    )
}

/// Keywords whose value is a list of schemas, in order.
fn is_schema_list(keyword: &str) -> bool {
    matches!(keyword, "allOf" | "anyOf" | "oneOf" | "prefixItems")
}

/// Keywords whose value is a set: order carries no meaning.
fn is_set(keyword: &str) -> bool {
    matches!(keyword, "required" | "type" | "enum")
}

/// Keywords of the bundle itself, not of the payload: `$defs` is reached
/// through the `$ref`s that use it.
fn is_bundle(keyword: &str) -> bool {
    matches!(keyword, "$schema" | "$defs" | "$id")
}

struct Walk<'a> {
    before_root: &'a Json,
    after_root: &'a Json,
    /// Pairs of `$ref` targets still to compare, with the pointer where the
    /// `$ref`s were met. A queue, not recursion: a chain of definitions
    /// cannot grow the stack, only a schema's own nesting can.
    queue: VecDeque<(&'a Json, &'a Json, Pointer)>,
    /// Target pairs compared or queued already: a recursive schema meets the
    /// same pair again, and is equal there if it is anywhere.
    seen: HashSet<(*const Json, *const Json)>,
    annotation: Option<Difference>,
}

impl<'a> Walk<'a> {
    /// Compares the roots, then every pair of `$ref` targets met, first met
    /// first; stops at the first structural difference.
    fn run(&mut self) -> Option<Difference> {
        self.queue
            .push_back((self.before_root, self.after_root, Pointer::default()));
        while let Some((before, after, pointer)) = self.queue.pop_front() {
            if !self.seen.insert((before, after)) {
                continue;
            }
            if let Some(found) = self.schema(before, after, &pointer) {
                return Some(found);
            }
        }
        None
    }

    fn schema(
        &mut self,
        before: &'a Json,
        after: &'a Json,
        pointer: &Pointer,
    ) -> Option<Difference> {
        let (b, a) = (
            target_of_alias(self.before_root, before),
            target_of_alias(self.after_root, after),
        );
        let moved = (!std::ptr::eq(b, before), !std::ptr::eq(a, after));
        if moved == (true, true) {
            self.annotations(before, after, pointer);
            self.queue.push_back((b, a, pointer.clone()));
            return None;
        }
        // A `$ref` on one side only stands for its target.
        self.annotations(b, a, pointer);
        self.body(b, a, pointer)
    }

    fn body(&mut self, before: &'a Json, after: &'a Json, pointer: &Pointer) -> Option<Difference> {
        let (Json::Object(b), Json::Object(a)) = (before, after) else {
            return (!same_value(before, after)).then(|| differ(pointer, before, after));
        };
        let keywords = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
        for keyword in keywords {
            if is_annotation(keyword) || is_bundle(keyword) {
                continue;
            }
            let at = child(pointer, keyword);
            let (Some(bv), Some(av)) = (b.get(keyword), a.get(keyword)) else {
                return Some(Difference {
                    pointer: at.render(),
                    before: b.get(keyword).cloned(),
                    after: a.get(keyword).cloned(),
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
        before: &'a Json,
        after: &'a Json,
        pointer: &Pointer,
        at: &Pointer,
    ) -> Option<Difference> {
        match (before, after) {
            (Json::String(b), Json::String(a)) if keyword == "$ref" => {
                match (resolve(self.before_root, b), resolve(self.after_root, a)) {
                    // The target stands where the `$ref` is.
                    (Some(b), Some(a)) => {
                        self.queue.push_back((b, a, pointer.clone()));
                        None
                    }
                    _ => (b != a).then(|| differ(at, before, after)),
                }
            }
            (Json::Object(b), Json::Object(a)) if is_schema_map(keyword) => {
                let names = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
                for name in names {
                    let here = child(at, name);
                    match (b.get(name), a.get(name)) {
                        (Some(b), Some(a)) => {
                            if let Some(found) = self.schema(b, a, &here) {
                                return Some(found);
                            }
                        }
                        (b, a) => {
                            return Some(Difference {
                                pointer: here.render(),
                                before: b.cloned(),
                                after: a.cloned(),
                            })
                        }
                    }
                }
                None
            }
            (Json::Array(b), Json::Array(a)) if is_schema_list(keyword) => {
                for (i, (b, a)) in b.iter().zip(a).enumerate() {
                    if let Some(found) = self.schema(b, a, &child(at, &i.to_string())) {
                        return Some(found);
                    }
                }
                (b.len() != a.len()).then(|| {
                    let i = b.len().min(a.len());
                    Difference {
                        pointer: child(at, &i.to_string()).render(),
                        before: b.get(i).cloned(),
                        after: a.get(i).cloned(),
                    }
                })
            }
            _ if is_schema(keyword) => self.schema(before, after, at),
            (Json::Array(b), Json::Array(a)) if is_set(keyword) => {
                let same = b.len() == a.len()
                    && b.iter().all(|x| a.iter().any(|y| same_value(x, y)))
                    && a.iter().all(|y| b.iter().any(|x| same_value(x, y)));
                (!same).then(|| differ(at, before, after))
            }
            _ => (!same_value(before, after)).then(|| differ(at, before, after)),
        }
    }

    /// Records the first annotation that differs between two schema objects.
    fn annotations(&mut self, before: &Json, after: &Json, pointer: &Pointer) {
        let (Json::Object(before), Json::Object(after)) = (before, after) else {
            return;
        };
        if self.annotation.is_some() {
            return;
        }
        let keywords = after
            .keys()
            .chain(before.keys().filter(|k| !after.contains_key(*k)))
            .filter(|k| is_annotation(k));
        for keyword in keywords {
            let (b, a) = (before.get(keyword), after.get(keyword));
            let same = match (b, a) {
                (Some(b), Some(a)) => same_value(b, a),
                _ => false,
            };
            if !same {
                self.annotation = Some(Difference {
                    pointer: child(pointer, keyword).render(),
                    before: b.cloned(),
                    after: a.cloned(),
                });
                return;
            }
        }
    }
}

/// A schema that is only a `$ref` (and annotations) stands for its target;
/// followed through chains, at most as far as the bundle has schemas.
fn target_of_alias<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    let mut current = schema;
    for _ in 0..64 {
        let Json::Object(map) = current else {
            break;
        };
        let Some(Json::String(reference)) = map.get("$ref") else {
            break;
        };
        if map.keys().any(|k| k != "$ref" && !is_annotation(k)) {
            break;
        }
        match resolve(root, reference) {
            Some(target) if !std::ptr::eq(target, current) => current = target,
            _ => break,
        }
    }
    current
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

/// JSON equality with `1` and `1.0` the same number, as a validator sees them.
fn same_value(a: &Json, b: &Json) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn structural(before: Json, after: Json) -> Option<String> {
        compare(&before, &after).structural.map(|d| d.pointer)
    }

    fn annotation(before: Json, after: Json) -> Option<String> {
        compare(&before, &after).annotation.map(|d| d.pointer)
    }

    #[test]
    fn a_changed_type_is_found_by_pointer() {
        let before = json!({"type": "object", "properties": {"total": {"type": "number"}}});
        let after = json!({"type": "object", "properties": {"total": {"type": "string"}}});
        let found = compare(&before, &after).structural.unwrap();
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
        assert_eq!(compare(&before, &after), Differences::default());
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
        let found = compare(&chain("string"), &chain("integer"))
            .structural
            .unwrap();
        assert_eq!(
            found.pointer.len(),
            "/properties/next".len() * 5_000 + "/type".len()
        );
        assert_eq!(
            compare(&chain("string"), &chain("string")),
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
