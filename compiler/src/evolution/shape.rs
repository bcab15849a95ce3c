//! Structural keys of schemas as readers see them. Two views with one key
//! compare alike against any third: the classifier reads nothing of a view
//! but its merged keywords and, recursively, the views under it. Places and
//! `$ref` texts only end up in messages, so they are left out and a field
//! copied into every version shares one key.
//!
//! A view holding a union is keyed by its schema ids instead: branches are
//! joined with their parent's ids, which structure alone does not capture.

use std::collections::HashMap;
use std::fmt::Write;

use super::view::{Extra, Merged, View};
use super::Side;
use crate::model::{JsonType, TypeSpace};

/// An interned structure; equal keys are equal structures.
pub type Key = u32;

/// Nesting beyond which a view gets no key: the classifier stops far
/// earlier, and the recursion here must not exhaust the stack.
const MAX_NESTING: usize = 256;

/// The parts of a payload root the classifier compares separately: changes
/// under `properties/NAME` (and `required` entries, reported at the same
/// path) come from that name alone; every other change comes from `own`.
#[derive(Debug, Clone)]
pub struct Split {
    /// Root keywords, `additionalProperties` and `items`.
    pub own: Key,
    /// What the root says about undeclared properties.
    pub extra: Key,
    /// Declared or required names, each with its property's key (when
    /// declared) and whether it is required.
    pub members: Vec<(String, Option<Key>, bool)>,
}

/// How a payload root can be compared in parts.
#[derive(Debug, Clone)]
pub struct Root {
    /// The whole root; by its schema ids when it nests too deep to key.
    pub whole: Key,
    /// Present when the root splits: an object without unions anywhere in
    /// it, small enough that no comparison with another such root reaches
    /// the classifier's step budget.
    pub split: Option<Split>,
}

/// Roots no bigger than this (in expanded schema nodes) split. Without
/// unions the classifier pairs nodes of equal depth, each pair at most once,
/// one side possibly an absent `items` or map: at most 3 x 250 x 250 steps,
/// under its budget of 200,000, so no comparison of two such roots stops
/// early and the parts add up to the whole.
const MAX_SPLIT_NODES: usize = 250;

/// Keys views of one type space, remembering those already keyed.
pub struct Shapes<'a> {
    space: &'a TypeSpace,
    interned: HashMap<String, Key>,
    keyed: HashMap<View, Option<Shape>>,
}

/// What is known of a keyed view.
#[derive(Debug, Clone, Copy)]
struct Shape {
    key: Key,
    /// Expanded schema nodes, saturating.
    nodes: usize,
    has_union: bool,
}

impl<'a> Shapes<'a> {
    pub fn new(space: &'a TypeSpace) -> Self {
        Shapes {
            space,
            interned: HashMap::new(),
            keyed: HashMap::new(),
        }
    }

    /// The keys of the payload root of `side`.
    pub fn root(&mut self, side: Side<'_>) -> Root {
        let view = View::of(self.space, &[side.root]);
        let whole = self.shape(&view, 0);
        let split = whole
            .filter(|s| !s.has_union && s.nodes <= MAX_SPLIT_NODES)
            .and_then(|_| self.split(&view));
        let whole = match whole {
            Some(shape) => shape.key,
            None => self.intern(format!("ids {:?} {}", view.ids, view.union_from)),
        };
        Root { whole, split }
    }

    /// The key of an object that allows undeclared properties.
    pub fn open(&mut self) -> Key {
        self.intern("extra open".to_owned())
    }

    fn split(&mut self, view: &View) -> Option<Split> {
        let merged = Merged::of(self.space, view);
        if !merged.allows(JsonType::Object) {
            return None;
        }
        let mut text = String::from("own");
        own_keywords(&mut text, &merged);
        let extra = self.extra(&merged, 1)?;
        let items = self.items(&merged, 1)?;
        let _ = write!(text, "|extra {}|items {items:?}", extra.key);
        let mut members = Vec::new();
        for (name, ids, _) in &merged.properties {
            let key = self.shape(&View::of(self.space, ids), 1)?.key;
            members.push((name.to_string(), Some(key), merged.required.contains(*name)));
        }
        for name in &merged.required {
            if merged.property(name).is_none() {
                members.push((name.clone(), None, true));
            }
        }
        Some(Split {
            own: self.intern(text),
            extra: extra.key,
            members,
        })
    }

    fn shape(&mut self, view: &View, nesting: usize) -> Option<Shape> {
        if let Some(known) = self.keyed.get(view) {
            return *known;
        }
        let shape = if nesting > MAX_NESTING {
            None
        } else {
            self.describe(view, nesting)
        };
        self.keyed.insert(view.clone(), shape);
        shape
    }

    fn describe(&mut self, view: &View, nesting: usize) -> Option<Shape> {
        let merged = Merged::of(self.space, view);
        // Subschemas applied to the value itself are not in the structural
        // key: such a view is keyed by its ids, as a union is.
        if !merged.unions.is_empty() || merged.applies_subschemas() {
            let key = self.intern(format!("ids {:?} {}", view.ids, view.union_from));
            let nodes = self.children_nodes(&merged, nesting)?;
            return Some(Shape {
                key,
                nodes,
                has_union: true,
            });
        }
        let mut text = String::from("node");
        own_keywords(&mut text, &merged);
        let _ = write!(text, "|required {:?}", merged.required);
        let mut nodes = 1usize;
        let mut has_union = false;
        for (name, ids, _) in &merged.properties {
            let child = self.shape(&View::of(self.space, ids), nesting + 1)?;
            let _ = write!(text, "|property {name:?} {}", child.key);
            nodes = nodes.saturating_add(child.nodes);
            has_union |= child.has_union;
        }
        for child in [
            self.extra(&merged, nesting + 1)?,
            self.items(&merged, nesting + 1)?,
        ] {
            let _ = write!(text, "|child {}", child.key);
            nodes = nodes.saturating_add(child.nodes);
            has_union |= child.has_union;
        }
        Some(Shape {
            key: self.intern(text),
            nodes,
            has_union,
        })
    }

    /// Expanded nodes under a union view, counted for the split bound only.
    fn children_nodes(&mut self, merged: &Merged<'_>, nesting: usize) -> Option<usize> {
        let mut nodes = 1usize;
        let branches: Vec<_> = merged
            .unions
            .iter()
            .flat_map(|u| u.branches.iter().copied())
            .collect();
        for id in branches {
            let child = self.shape(&View::of(self.space, &[id]), nesting + 1)?;
            nodes = nodes.saturating_add(child.nodes);
        }
        Some(nodes)
    }

    /// `additionalProperties`: open, closed, or a map of one shape.
    fn extra(&mut self, merged: &Merged<'_>, nesting: usize) -> Option<Shape> {
        let (text, map) = match &merged.extra {
            Extra::Open => ("open".to_owned(), None),
            Extra::Closed => ("closed".to_owned(), None),
            Extra::Map(ids) => {
                let map = self.shape(&View::of(self.space, ids), nesting)?;
                (format!("map {}", map.key), Some(map))
            }
        };
        Some(Shape {
            key: self.intern(format!("extra {text}")),
            nodes: map.map_or(0, |m| m.nodes),
            has_union: map.is_some_and(|m| m.has_union),
        })
    }

    /// `items`, empty when there are none (the classifier compares an
    /// absent `items` as `{}`, but only when the other side has one).
    /// With `prefixItems` or `items: false`, the key holds each position
    /// and where the tuple closes.
    fn items(&mut self, merged: &Merged<'_>, nesting: usize) -> Option<Shape> {
        let rest = if merged.items.is_empty() {
            Shape {
                key: self.intern("no items".to_owned()),
                nodes: 0,
                has_union: false,
            }
        } else {
            let items = self.shape(&View::of(self.space, &merged.items), nesting)?;
            Shape {
                key: self.intern(format!("items {}", items.key)),
                ..items
            }
        };
        if merged.prefix.is_empty() && merged.closed_after.is_none() && merged.contains.is_empty() {
            return Some(rest);
        }
        let mut text = format!("tuple {:?} {}", merged.closed_after, rest.key);
        let mut shape = rest;
        for ids in &merged.prefix {
            let item = self.shape(&View::of(self.space, ids), nesting)?;
            let _ = write!(text, "|{}", item.key);
            shape.nodes = shape.nodes.saturating_add(item.nodes);
            shape.has_union |= item.has_union;
        }
        for (id, min, max) in &merged.contains {
            let item = self.shape(&View::of(self.space, &[*id]), nesting)?;
            let _ = write!(text, "|contains {} {min} {max:?}", item.key);
            shape.nodes = shape.nodes.saturating_add(item.nodes);
            shape.has_union |= item.has_union;
        }
        shape.key = self.intern(text);
        Some(shape)
    }

    fn intern(&mut self, text: String) -> Key {
        let next = self.interned.len() as Key;
        *self.interned.entry(text).or_insert(next)
    }
}

/// The keywords the classifier reads on a node itself, documentation
/// included (it is not breaking, but a key must tell what differs).
fn own_keywords(text: &mut String, m: &Merged<'_>) {
    let _ = write!(
        text,
        "|{:?}|{:?}|{} {}|{:?} {:?}|{:?} {:?}|{:?}|{:?} {:?} {}|{:?} {:?} {:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
        m.types,
        m.values,
        m.has_const,
        m.has_enum,
        m.min_length,
        m.max_length,
        m.lower,
        m.upper,
        m.multiple_of,
        m.min_items,
        m.max_items,
        m.unique_items,
        m.min_properties,
        m.max_properties,
        m.dependent_required,
        m.patterns,
        m.formats,
        m.description,
        m.title,
        m.default,
        m.deprecated,
        m.examples,
    );
}
