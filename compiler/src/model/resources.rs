//! The schema resources of each file: its root, and every subschema with
//! an `$id` of its own (draft-04: `id`), an embedded resource. A resource
//! is what `#` means for the references inside it, and its `$id`, resolved
//! against the resource around it, is the base URL of those references and
//! a URL other references may name.

use std::collections::{BTreeMap, BTreeSet};

use fluent_uri::{Uri, UriRef};

use super::drafts::Draft;
use crate::load::{Node, Value};

/// Values that hold data, not schemas: an `$id` inside them names nothing.
const DATA_KEYWORDS: &[&str] = &["enum", "const", "examples", "default"];

/// Keywords whose value maps names to schemas: a name there is no keyword.
const NAMED_SCHEMAS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
];

/// One file's resources, by pointer; the URL is `None` when the `$id` is
/// relative and nothing around it gives it a base.
#[derive(Debug, Default)]
pub struct FileResources {
    by_pointer: BTreeMap<Vec<String>, Option<Uri<String>>>,
    /// Every `$dynamicAnchor` (2020-12): its pointer and name.
    dynamic_anchors: Vec<(Vec<String>, String)>,
    /// The names `$dynamicRef` fragments ask for (2020-12).
    dynamic_names: BTreeSet<String>,
    /// The root's `$id` when it is relative and nothing gives it a base
    /// (`common/user.schema.json`): other files may name the file by it.
    relative_root: Option<String>,
}

impl FileResources {
    /// Reads the resources of a file's root node.
    pub fn of(root: &Node) -> FileResources {
        let mut resources = FileResources::default();
        let draft = Draft::of(schema_uri(root));
        let base = root_id(root, draft);
        resources.by_pointer.insert(Vec::new(), base.clone());
        if base.is_none() {
            resources.relative_root = id_text(root, draft).map(str::to_owned);
        }
        if draft == Draft::Draft202012 {
            resources.dynamic(root, &[]);
        }
        let mut pointer = Vec::new();
        resources.children(root, &mut pointer, base.as_ref(), draft, false);
        resources
    }

    /// Whether no URL or relative `$id` names the file or a schema in it:
    /// then only a path can reach into it from another file.
    pub fn has_no_urls(&self) -> bool {
        self.relative_root.is_none()
            && self
                .by_pointer
                .iter()
                .all(|(pointer, url)| pointer.is_empty() && url.is_none())
    }

    /// The root's relative `$id`, when it has one and no base.
    pub fn relative_root(&self) -> Option<&str> {
        self.relative_root.as_deref()
    }

    /// Every `$dynamicAnchor` of the file: its pointer and name.
    pub fn dynamic_anchors(&self) -> &[(Vec<String>, String)] {
        &self.dynamic_anchors
    }

    /// The names the file's `$dynamicRef`s ask for.
    pub fn dynamic_names(&self) -> &BTreeSet<String> {
        &self.dynamic_names
    }

    /// Whether the schema at `pointer` starts a resource (the root does).
    pub fn starts(&self, pointer: &[String]) -> bool {
        self.by_pointer.contains_key(pointer)
    }

    /// The innermost resource holding `pointer`: its pointer.
    pub fn around<'p>(&self, pointer: &'p [String]) -> &'p [String] {
        (0..=pointer.len())
            .rev()
            .map(|n| &pointer[..n])
            .find(|prefix| self.by_pointer.contains_key(*prefix))
            .unwrap_or(&[])
    }

    /// The resources holding `pointer`, innermost first.
    pub fn enclosing<'s, 'p>(
        &'s self,
        pointer: &'p [String],
    ) -> impl Iterator<Item = &'p [String]> + use<'s, 'p> {
        (0..=pointer.len())
            .rev()
            .map(move |n| &pointer[..n])
            .filter(|prefix| self.by_pointer.contains_key(*prefix))
    }

    /// The URL of the resource at `pointer`, when it has one.
    pub fn url(&self, pointer: &[String]) -> Option<&Uri<String>> {
        self.by_pointer.get(pointer)?.as_ref()
    }

    /// Every resource with a URL, in document order.
    pub fn urls(&self) -> impl Iterator<Item = (&Vec<String>, &Uri<String>)> {
        self.by_pointer
            .iter()
            .filter_map(|(pointer, url)| url.as_ref().map(|url| (pointer, url)))
    }

    /// The resource named `url` (normalized, without fragment).
    pub fn named(&self, url: &str) -> Option<&[String]> {
        self.urls()
            .find(|(_, own)| own.strip_fragment().as_str() == url)
            .map(|(pointer, _)| pointer.as_slice())
    }

    /// The pointer of the schema named `anchor` (`$anchor: Name`, or the
    /// older `$id: '#Name'`) in the resource at `base`, whose node is
    /// `resource`.
    pub fn anchored(&self, resource: &Node, base: &[String], anchor: &str) -> Option<Vec<String>> {
        let search = AnchorSearch {
            anchor,
            resources: self,
            base,
        };
        let mut found = None;
        search.find(resource, &mut base.to_vec(), &mut found);
        found
    }

    fn walk(
        &mut self,
        node: &Node,
        pointer: &mut Vec<String>,
        base: Option<&Uri<String>>,
        draft: Draft,
    ) {
        let Value::Map(_) = &node.value else {
            return self.children(node, pointer, base, draft, false);
        };
        let draft = schema_uri(node).map_or(draft, |uri| Draft::of(Some(uri)));
        let hidden = draft.ref_hides_siblings() && node.get("$ref").is_some();
        if draft == Draft::Draft202012 {
            self.dynamic(node, pointer);
        }
        let id = id_text(node, draft).filter(|_| !hidden);
        match id {
            Some(id) => {
                let url = resolve(id, base);
                self.by_pointer.insert(pointer.clone(), url.clone());
                self.children(node, pointer, url.as_ref(), draft, false);
            }
            None => self.children(node, pointer, base, draft, false),
        }
    }

    fn dynamic(&mut self, node: &Node, pointer: &[String]) {
        let text = |key: &str| node.get(key).and_then(|e| e.value.as_str());
        if let Some(name) = text("$dynamicAnchor") {
            self.dynamic_anchors
                .push((pointer.to_vec(), name.to_owned()));
        }
        if let Some((_, name)) = text("$dynamicRef").and_then(|r| r.split_once('#')) {
            self.dynamic_names.insert(name.to_owned());
        }
    }

    /// `names`: the node maps names to schemas, so no key of it is data.
    fn children(
        &mut self,
        node: &Node,
        pointer: &mut Vec<String>,
        base: Option<&Uri<String>>,
        draft: Draft,
        names: bool,
    ) {
        match &node.value {
            Value::Map(entries) => {
                for entry in entries {
                    let key = entry.key.as_str();
                    if !names && DATA_KEYWORDS.contains(&key) {
                        continue;
                    }
                    pointer.push(entry.key.clone());
                    if !names && NAMED_SCHEMAS.contains(&key) {
                        self.children(&entry.value, pointer, base, draft, true);
                    } else {
                        self.walk(&entry.value, pointer, base, draft);
                    }
                    pointer.pop();
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    pointer.push(i.to_string());
                    self.walk(item, pointer, base, draft);
                    pointer.pop();
                }
            }
            _ => {}
        }
    }
}

/// A depth-first search for the schema carrying an anchor within one
/// resource: values that are data, not schemas (`enum`, `const`,
/// `examples`, `default`), and embedded resources (their anchors are their
/// own) are skipped.
struct AnchorSearch<'s> {
    anchor: &'s str,
    resources: &'s FileResources,
    base: &'s [String],
}

impl AnchorSearch<'_> {
    fn find(&self, node: &Node, pointer: &mut Vec<String>, found: &mut Option<Vec<String>>) {
        if found.is_some() {
            return;
        }
        match &node.value {
            Value::Map(entries) => {
                if pointer.as_slice() != self.base && self.resources.starts(pointer) {
                    return;
                }
                let named = |key: &str, prefix: &str| {
                    node.get(key)
                        .and_then(|e| e.value.as_str())
                        .and_then(|v| v.strip_prefix(prefix))
                        == Some(self.anchor)
                };
                // A `$dynamicAnchor` is also a plain anchor for `$ref`.
                if named("$anchor", "")
                    || named("$dynamicAnchor", "")
                    || named("$id", "#")
                    || named("id", "#")
                {
                    *found = Some(pointer.clone());
                    return;
                }
                for entry in entries {
                    if DATA_KEYWORDS.contains(&entry.key.as_str()) {
                        continue;
                    }
                    pointer.push(entry.key.clone());
                    self.find(&entry.value, pointer, found);
                    pointer.pop();
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    pointer.push(i.to_string());
                    self.find(item, pointer, found);
                    pointer.pop();
                }
            }
            _ => {}
        }
    }
}

fn schema_uri(node: &Node) -> Option<&str> {
    node.get("$schema").and_then(|e| e.value.as_str())
}

/// The identifier a schema gives itself; a fragment alone (`#Name`) is an
/// anchor, not a resource.
fn id_text(node: &Node, draft: Draft) -> Option<&str> {
    let key = if draft == Draft::Draft4 { "id" } else { "$id" };
    node.get(key)
        .and_then(|e| e.value.as_str())
        .filter(|id| !id.starts_with('#'))
}

/// A file root's `$id` is its base whatever stands beside it, as evc has
/// always read it; only an absolute one is a URL.
fn root_id(root: &Node, draft: Draft) -> Option<Uri<String>> {
    let id = id_text(root, draft)?;
    Uri::parse(id).ok().map(|uri| uri.normalize())
}

/// `id` resolved against the base around it (RFC 3986).
fn resolve(id: &str, base: Option<&Uri<String>>) -> Option<Uri<String>> {
    if let Ok(uri) = Uri::parse(id) {
        return Some(uri.normalize());
    }
    let reference = UriRef::parse(id).ok()?;
    Some(reference.resolve_against(base?).ok()?.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources(text: &str) -> FileResources {
        let root = crate::load::yaml::parse(text).unwrap().unwrap();
        FileResources::of(&root)
    }

    fn tokens(pointer: &str) -> Vec<String> {
        pointer.split('/').skip(1).map(str::to_owned).collect()
    }

    #[test]
    fn an_id_resolves_against_the_nearest_resource_around_it() {
        let found = resources(
            r#"{ "$id": "http://example.com/a.json",
                 "$defs": { "x": { "$id": "http://example.com/b/c.json",
                                   "not": { "$defs": { "y": { "$id": "d.json" } } } } } }"#,
        );
        let y = tokens("/$defs/x/not/$defs/y");
        assert_eq!(
            found.url(&y).unwrap().as_str(),
            "http://example.com/b/d.json"
        );
        assert_eq!(
            found.named("http://example.com/b/d.json"),
            Some(y.as_slice())
        );
        let inside = tokens("/$defs/x/not/$defs/y/properties/p");
        assert_eq!(found.around(&inside), y.as_slice());
        let outer: Vec<&[String]> = found.enclosing(&inside).collect();
        assert_eq!(outer, [&y[..], &y[..2], &[][..]]);
    }

    #[test]
    fn data_anchors_and_ids_beside_an_old_ref_are_no_resources() {
        let found = resources(
            r##"{ "$schema": "http://json-schema.org/draft-07/schema#",
                  "$id": "http://example.com/root.json",
                  "enum": [ { "$id": "http://example.com/data" } ],
                  "properties": { "enum": { "$id": "named-enum.json" } },
                  "definitions": { "a": { "$id": "#anchor" },
                                   "b": { "$id": "b.json", "$ref": "#/definitions/a" } } }"##,
        );
        let urls: Vec<&str> = found.urls().map(|(_, url)| url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://example.com/root.json",
                "http://example.com/named-enum.json"
            ]
        );
    }

    #[test]
    fn draft_04_spells_it_id_and_a_relative_id_without_base_has_no_url() {
        let found = resources(
            r#"{ "$schema": "http://json-schema.org/draft-04/schema#",
                 "definitions": { "a": { "id": "http://example.com/a" },
                                  "b": { "id": "b.json" },
                                  "c": { "$id": "http://example.com/c" } } }"#,
        );
        assert!(found.url(&tokens("/definitions/a")).is_some());
        assert!(found.starts(&tokens("/definitions/b")));
        assert!(found.url(&tokens("/definitions/b")).is_none());
        assert!(!found.starts(&tokens("/definitions/c")));
    }
}
