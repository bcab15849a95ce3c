//! The recursive comparison of two schema views. Keywords of one node are
//! compared first, then the schemas inside it (properties, map values, items,
//! union branches). `$ref`s are followed on both sides; the pairs of views on
//! the way down are remembered, so a recursive schema ends where it repeats.

mod applicators;
mod keywords;
mod unions;

use std::collections::HashSet;

use serde_json::Value as Json;

use super::kinds::ChangeKind;
use super::path::Segment;
use super::view::{Extra, Merged, View};
use super::{Change, Policy, Side};
use crate::model::{JsonType, SchemaId, TypeSpace};
use crate::source::Place;

/// Deeper than this the classifier stops and reports [`ChangeKind::ComparisonLimit`].
const MAX_DEPTH: usize = 128;
/// Node comparisons one classification may make, trial matches of union
/// branches included; schemas sharing definitions in many places multiply.
const MAX_STEPS: usize = 200_000;

pub struct Comparer<'a, 's> {
    old: &'a TypeSpace,
    new: &'a TypeSpace,
    policy: Policy,
    /// Pairs of views being compared on the way from the root.
    ancestors: HashSet<(View, View)>,
    path: Vec<Segment>,
    /// Nesting of [`Comparer::node`] calls, trial comparisons included.
    depth: usize,
    steps: usize,
    limited: bool,
    /// Takes each change as it is found: a list of every change between
    /// large schemas would cost more than the comparison.
    sink: &'s mut dyn FnMut(Change),
}

impl<'a, 's> Comparer<'a, 's> {
    pub fn new(
        old: &Side<'a>,
        new: &Side<'a>,
        policy: Policy,
        sink: &'s mut dyn FnMut(Change),
    ) -> Self {
        Comparer {
            old: old.types,
            new: new.types,
            policy,
            ancestors: HashSet::new(),
            path: Vec::new(),
            depth: 0,
            steps: 0,
            limited: false,
            sink,
        }
    }

    pub fn root(&mut self, old: &Side<'_>, new: &Side<'_>) {
        let old = View::of(self.old, &[old.root]);
        let new = View::of(self.new, &[new.root]);
        self.node(&old, &new);
    }

    fn emit(
        &mut self,
        kind: ChangeKind,
        keyword: Option<&'static str>,
        old: Option<Place>,
        new: Option<Place>,
        detail: String,
    ) {
        let verdict = kind.verdict(self.policy);
        let mut path = self.path.clone();
        path.extend(keyword.map(Segment::Keyword));
        (self.sink)(Change {
            kind,
            path,
            old,
            new,
            detail,
            backward: verdict.backward,
            forward: verdict.forward,
        });
    }

    fn node(&mut self, old: &View, new: &View) {
        let key = (old.clone(), new.clone());
        if self.ancestors.contains(&key) {
            return;
        }
        self.steps += 1;
        if self.depth > MAX_DEPTH || self.steps > MAX_STEPS {
            if !self.limited {
                self.limited = true;
                let o = Merged::of(self.old, old).place;
                let n = Merged::of(self.new, new).place;
                let detail = "comparison stopped here: the schemas nest or repeat too much".into();
                self.emit(ChangeKind::ComparisonLimit, None, o, n, detail);
            }
            return;
        }
        self.ancestors.insert(key.clone());
        self.depth += 1;
        let o = Merged::of(self.old, old);
        let n = Merged::of(self.new, new);
        let union_shapes_differ = o.unions.is_empty() != n.unions.is_empty();
        let (old_nothing, new_nothing) = (Self::nothing(self.old, &o), Self::nothing(self.new, &n));
        if old_nothing || new_nothing {
            // `false` (or `not: {}`): no value passes, so any other schema
            // accepts more, and the keywords beside it say nothing.
            let kind = match (old_nothing, new_nothing) {
                (true, false) => Some((
                    ChangeKind::SchemaOpened,
                    "a schema that accepted nothing accepts values",
                )),
                (false, true) => Some((ChangeKind::SchemaClosed, "the schema accepts nothing")),
                _ => None,
            };
            if let Some((kind, detail)) = kind {
                self.emit(kind, None, o.place, n.place, detail.to_owned());
            }
        } else if union_shapes_differ {
            // One side is a union, the other is not: compare the whole plain
            // side with each branch joined to its parent's other keywords.
            self.union_against_plain(old, new, &o, &n);
        } else {
            self.keywords(&o, &n);
            self.negated(&o, &n);
            self.applicators((old, new), &o, &n);
            self.content(&o, &n);
            self.documentation(&o, &n);
            self.children(&o, &n);
            self.unions(&o, &n);
        }
        self.depth -= 1;
        self.ancestors.remove(&key);
    }

    fn children(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.allows(JsonType::Object) && n.allows(JsonType::Object) {
            self.properties(o, n);
            self.required(o, n);
            self.extra(o, n);
        }
        if o.allows(JsonType::Array) && n.allows(JsonType::Array) {
            self.tuple(o, n);
            self.contains(o, n);
            match (o.closed_after.is_some(), n.closed_after.is_some()) {
                (true, true) => {}
                (true, false) => self.emit(
                    ChangeKind::ItemsOpened,
                    Some("items"),
                    o.place,
                    n.place,
                    "items: false removed".into(),
                ),
                (false, true) => self.emit(
                    ChangeKind::ItemsClosed,
                    Some("items"),
                    o.place,
                    n.place,
                    "items: false added".into(),
                ),
                (false, false) if !(o.items.is_empty() && n.items.is_empty()) => {
                    let old = View::of(self.old, &o.items);
                    let new = View::of(self.new, &n.items);
                    self.descend(Segment::Items, &old, &new);
                }
                (false, false) => {}
            }
        }
    }

    /// `contains` with its counts: added, removed, or changed when a
    /// count or a schema differs (a trial comparison finds no change). With
    /// one `contains` each side, the same `minContains` and no
    /// `maxContains`, a schema that admits more items admits more arrays,
    /// so the schemas are compared as any other.
    fn contains(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if let ([(old, min, None)], [(new, new_min, None)]) =
            (o.contains.as_slice(), n.contains.as_slice())
        {
            if min == new_min {
                let old = View::of(self.old, &[*old]);
                let new = View::of(self.new, &[*new]);
                self.descend(Segment::Contains, &old, &new);
                return;
            }
        }
        let (kind, detail) = match (o.contains.is_empty(), n.contains.is_empty()) {
            (true, true) => return,
            (true, false) => (ChangeKind::ContainsAdded, "contains added"),
            (false, true) => (ChangeKind::ContainsRemoved, "contains removed"),
            (false, false) => {
                let same = o.contains.len() == n.contains.len()
                    && o.contains.iter().zip(&n.contains).all(|(old, new)| {
                        (old.1, old.2) == (new.1, new.2) && {
                            let old = View::of(self.old, &[old.0]);
                            let new = View::of(self.new, &[new.0]);
                            self.cost(&old, &new) == 0
                        }
                    });
                if same {
                    return;
                }
                (
                    ChangeKind::ContainsChanged,
                    "contains, minContains or maxContains changed",
                )
            }
        };
        self.emit(kind, Some("contains"), o.place, n.place, detail.into());
    }

    /// The positions of `prefixItems`, compared one by one: a position only
    /// one side has is compared with the other side's `items` there.
    fn tuple(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        for index in 0..o.prefix.len().max(n.prefix.len()) {
            let segment = Segment::PrefixItem(index);
            match (o.item_at(index), n.item_at(index)) {
                (None, None) => {}
                // A position of `false` beside `items: false` admits no
                // item, as no position there did.
                (None, Some(new)) if Self::admits_nothing(self.new, new) => {}
                (Some(old), None) if Self::admits_nothing(self.old, old) => {}
                (None, Some(_)) => {
                    self.path.push(segment);
                    let detail = format!("item {index} added to a tuple with items: false");
                    let kind = ChangeKind::PrefixItemAddedToClosedTuple;
                    self.emit(kind, None, o.place, n.place, detail);
                    self.path.pop();
                }
                (Some(_), None) => {
                    self.path.push(segment);
                    let detail = format!("item {index} removed from a tuple with items: false");
                    let kind = ChangeKind::PrefixItemRemovedFromClosedTuple;
                    self.emit(kind, None, o.place, n.place, detail);
                    self.path.pop();
                }
                (Some(old), Some(new)) if !(old.is_empty() && new.is_empty()) => {
                    let old = View::of(self.old, old);
                    let new = View::of(self.new, new);
                    self.descend(segment, &old, &new);
                }
                (Some(_), Some(_)) => {}
            }
        }
    }

    /// `not`: a value must pass the schema under it to be refused, so a
    /// change there turns around: the schema under `not` accepting less
    /// means the outer schema accepts more.
    fn negated(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let (kind, detail) = match (o.negated.as_slice(), n.negated.as_slice()) {
            ([], []) => return,
            ([], _) => (ChangeKind::NotAdded, "not added"),
            (_, []) => (ChangeKind::NotRemoved, "not removed"),
            // Several `not`s (from `allOf`) refuse what any of them accepts;
            // compared pairwise only when they line up one to one.
            ([old], [new]) => {
                let (old, new) = (View::of(self.old, &[*old]), View::of(self.new, &[*new]));
                let (mut backward, mut forward) = (true, true);
                self.trial(&old, &new, &mut |change| {
                    backward &= change.forward;
                    forward &= change.backward;
                });
                match (backward, forward) {
                    (true, true) => return,
                    (true, false) => (ChangeKind::NotWidened, "the schema under not accepts less"),
                    (false, true) => (ChangeKind::NotNarrowed, "the schema under not accepts more"),
                    (false, false) => (ChangeKind::NotChanged, "the schema under not changed"),
                }
            }
            _ => {
                let old = View::of(self.old, &o.negated);
                let new = View::of(self.new, &n.negated);
                let mut same = o.negated.len() == n.negated.len();
                self.trial(&old, &new, &mut |change| {
                    same &= change.backward && change.forward;
                });
                if same {
                    return;
                }
                (ChangeKind::NotChanged, "the schemas under not changed")
            }
        };
        self.emit(kind, Some("not"), o.place, n.place, detail.to_owned());
    }

    /// Whether no value passes the view: it negates a schema that accepts
    /// anything (`false` reads as `not: {}`).
    fn nothing(space: &TypeSpace, m: &Merged<'_>) -> bool {
        m.negated.iter().any(|id| {
            let schema = space.get(*id);
            schema.reference.is_none() && !schema.has_assertions()
        })
    }

    /// Whether the schemas `ids` admit no value (`false`, `not: {}`).
    fn admits_nothing(space: &TypeSpace, ids: &[SchemaId]) -> bool {
        Self::nothing(space, &Merged::of(space, &View::of(space, ids)))
    }

    /// Whether a property declared with `ids` on one side says what the
    /// other side's undeclared properties say of it: `false` where the
    /// object is closed, and a schema that admits anything (`true`, `{}`,
    /// only annotations) where it is open. Declaring or dropping it then
    /// changes no value's verdict.
    fn same_as_extra(space: &TypeSpace, ids: &[SchemaId], covering: &Extra) -> bool {
        match covering {
            Extra::Closed => Self::admits_nothing(space, ids),
            Extra::Open => View::of(space, ids)
                .ids
                .iter()
                .all(|id| !space.get(*id).has_assertions()),
            Extra::Map(_) => false,
        }
    }

    /// `contentEncoding`, `contentMediaType`, `contentSchema`: what the
    /// string's content means. Readers decode it, so any change counts.
    fn content(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        for keyword in ["contentEncoding", "contentMediaType"] {
            let old = o
                .content
                .iter()
                .find(|(k, _)| *k == keyword)
                .map(|(_, v)| *v);
            let new = n
                .content
                .iter()
                .find(|(k, _)| *k == keyword)
                .map(|(_, v)| *v);
            let (kind, detail) = match (old, new) {
                (None, None) => continue,
                (None, Some(new)) => (ChangeKind::ContentAdded, format!("{keyword} {new} added")),
                (Some(old), None) => (
                    ChangeKind::ContentRemoved,
                    format!("{keyword} {old} removed"),
                ),
                (Some(old), Some(new)) if old != new => (
                    ChangeKind::ContentChanged,
                    format!("{keyword} {old} -> {new}"),
                ),
                _ => continue,
            };
            self.emit(kind, Some(keyword), o.place, n.place, detail);
        }
        let (kind, detail) = match (o.content_schemas.as_slice(), n.content_schemas.as_slice()) {
            ([], []) => return,
            ([], _) => (ChangeKind::ContentAdded, "contentSchema added"),
            (_, []) => (ChangeKind::ContentRemoved, "contentSchema removed"),
            (old, new) => {
                let (old, new) = (View::of(self.old, old), View::of(self.new, new));
                let mut same = true;
                self.trial(&old, &new, &mut |change| {
                    same &= change.kind.is_documentation()
                });
                if same {
                    return;
                }
                (ChangeKind::ContentChanged, "contentSchema changed")
            }
        };
        self.emit(
            kind,
            Some("contentSchema"),
            o.place,
            n.place,
            detail.to_owned(),
        );
    }

    /// Compares two views one segment further down.
    fn descend(&mut self, segment: Segment, old: &View, new: &View) {
        let depth = self.path.len();
        self.path.push(segment);
        if let Some(reference) = Merged::of(self.new, new).reference {
            self.path.push(Segment::Definition(reference.to_owned()));
        }
        self.node(old, new);
        self.path.truncate(depth);
    }

    fn properties(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        for (name, old_ids, _) in &o.properties {
            let old = View::of(self.old, old_ids);
            let old_place = Merged::of(self.old, &old).place;
            let segment = Segment::Property(name.to_string());
            if let Some(new_ids) = n.property(name) {
                let new = View::of(self.new, new_ids);
                self.descend(segment, &old, &new);
                continue;
            }
            let covering = n.extra_for(name);
            if Self::same_as_extra(self.old, old_ids, &covering) {
                continue;
            }
            self.path.push(segment.clone());
            let (kind, detail) = match &covering {
                Extra::Closed => (
                    ChangeKind::PropertyRemovedFromClosedObject,
                    format!("property `{name}` removed; the object is closed"),
                ),
                Extra::Open => (
                    ChangeKind::PropertyRemovedFromOpenObject,
                    format!("property `{name}` removed; the object allows other properties"),
                ),
                Extra::Map(_) => (
                    ChangeKind::PropertyRemovedFromMap,
                    format!("property `{name}` removed; `additionalProperties` or a pattern now covers it"),
                ),
            };
            self.emit(kind, None, old_place, n.place, detail);
            self.path.pop();
            if let Extra::Map(ids) = &covering {
                let new = View::of(self.new, ids);
                self.descend(segment, &old, &new);
            }
        }
        for (name, new_ids, name_place) in &n.properties {
            if o.property(name).is_some() {
                continue;
            }
            let new = View::of(self.new, new_ids);
            let segment = Segment::Property(name.to_string());
            let covering = o.extra_for(name);
            if Self::same_as_extra(self.new, new_ids, &covering) {
                continue;
            }
            self.path.push(segment.clone());
            let (kind, detail) = match &covering {
                Extra::Closed => (
                    ChangeKind::PropertyAddedToClosedObject,
                    format!("property `{name}` added to a closed object"),
                ),
                Extra::Open => (
                    ChangeKind::PropertyAddedToOpenObject,
                    format!("property `{name}` added to an object that allowed other properties"),
                ),
                Extra::Map(_) => (
                    ChangeKind::PropertyAddedToMap,
                    format!(
                        "property `{name}` added; `additionalProperties` or a pattern covered it"
                    ),
                ),
            };
            self.emit(kind, None, o.place, Some(*name_place), detail);
            self.path.pop();
            if let Extra::Map(ids) = &covering {
                let old = View::of(self.old, ids);
                self.descend(segment, &old, &new);
            }
        }
    }

    fn required(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        for name in n.required.difference(&o.required) {
            let (kind, detail) = match property_default(self.new, n, name) {
                Some(value) => (
                    ChangeKind::RequiredAddedWithDefault,
                    format!("`{name}` became required, with default {value}"),
                ),
                None => (
                    ChangeKind::RequiredAdded,
                    format!("`{name}` became required"),
                ),
            };
            self.property_change(kind, name, o.place, n.place, detail);
        }
        for name in o.required.difference(&n.required) {
            // The old reader fills the default when new data lacks the
            // property, as a new reader does for a newly required one.
            let (kind, detail) = match property_default(self.old, o, name) {
                Some(value) => (
                    ChangeKind::RequiredRemovedWithDefault,
                    format!("`{name}` is no longer required; its default is {value}"),
                ),
                None => (
                    ChangeKind::RequiredRemoved,
                    format!("`{name}` is no longer required"),
                ),
            };
            self.property_change(kind, name, o.place, n.place, detail);
        }
    }

    fn property_change(
        &mut self,
        kind: ChangeKind,
        name: &str,
        old: Option<Place>,
        new: Option<Place>,
        detail: String,
    ) {
        self.path.push(Segment::Property(name.to_owned()));
        self.emit(kind, None, old, new, detail);
        self.path.pop();
    }

    fn extra(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let keyword = Some("additionalProperties");
        // An `unevaluatedProperties` read as the extra schema is compared
        // under its own name (compare/applicators.rs).
        let own = |m: &Merged<'_>| match m.extra_unevaluated {
            true => Extra::Open,
            false => m.extra.clone(),
        };
        match (&own(o), &own(n)) {
            (Extra::Closed, Extra::Closed) | (Extra::Open, Extra::Open) => {}
            (Extra::Closed, _) => self.emit(
                ChangeKind::AdditionalPropertiesOpened,
                keyword,
                o.place,
                n.place,
                "additionalProperties: false removed".into(),
            ),
            (_, Extra::Closed) => self.emit(
                ChangeKind::AdditionalPropertiesClosed,
                keyword,
                o.place,
                n.place,
                "additionalProperties: false added".into(),
            ),
            (old, new) => {
                let view = |space, extra: &Extra| match extra {
                    Extra::Map(ids) => View::of(space, ids),
                    _ => View::empty(),
                };
                let (old, new) = (view(self.old, old), view(self.new, new));
                self.descend(Segment::AdditionalProperties, &old, &new);
            }
        }
    }
}

/// The `default` of a declared property.
fn property_default(space: &TypeSpace, object: &Merged<'_>, name: &str) -> Option<Json> {
    let ids = object.property(name)?;
    let view = View::of(space, ids);
    Merged::of(space, &view).default.cloned()
}
