//! The recursive comparison of two schema views. Keywords of one node are
//! compared first, then the schemas inside it (properties, map values, items,
//! union branches). `$ref`s are followed on both sides; the pairs of views on
//! the way down are remembered, so a recursive schema ends where it repeats.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Number, Value as Json};

use super::kinds::ChangeKind;
use super::path::Segment;
use super::view::{compare_bounds, compare_numbers, Bound, Extra, Merged, Union, View};
use super::{Change, Policy, Side};
use crate::model::{Format, JsonType, TypeSpace};
use crate::source::Place;

/// Deeper than this the classifier stops and reports [`ChangeKind::ComparisonLimit`].
const MAX_DEPTH: usize = 128;
/// Node comparisons one classification may make, trial matches of union
/// branches included; schemas sharing definitions in many places multiply.
const MAX_STEPS: usize = 200_000;

pub struct Comparer<'a> {
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
    pub changes: Vec<Change>,
}

impl<'a> Comparer<'a> {
    pub fn new(old: &Side<'a>, new: &Side<'a>, policy: Policy) -> Self {
        Comparer {
            old: old.types,
            new: new.types,
            policy,
            ancestors: HashSet::new(),
            path: Vec::new(),
            depth: 0,
            steps: 0,
            limited: false,
            changes: Vec::new(),
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
        self.changes.push(Change {
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
        if union_shapes_differ {
            // One side is a union, the other is not: compare the whole plain
            // side with each branch joined to its parent's other keywords.
            self.union_against_plain(old, new, &o, &n);
        } else {
            self.keywords(&o, &n);
            self.documentation(&o, &n);
            self.children(&o, &n);
            self.unions(&o, &n);
        }
        self.depth -= 1;
        self.ancestors.remove(&key);
    }

    fn keywords(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        self.types(o, n);
        self.values(o, n);
        let both = |ty| o.allows(ty) && n.allows(ty);
        if both(JsonType::String) {
            let lengths = [
                ("minLength", o.min_length, n.min_length, true),
                ("maxLength", o.max_length, n.max_length, false),
            ];
            self.counts(o, n, &lengths, LENGTH_KINDS);
            self.patterns(o, n);
        }
        if both(JsonType::String) || both(JsonType::Integer) {
            self.formats(o, n);
        }
        if both(JsonType::Integer) {
            self.bound(o, n, o.lower.as_ref(), n.lower.as_ref(), true);
            self.bound(o, n, o.upper.as_ref(), n.upper.as_ref(), false);
            self.multiple_of(o, n);
        }
        if both(JsonType::Array) {
            let counts = [
                ("minItems", o.min_items, n.min_items, true),
                ("maxItems", o.max_items, n.max_items, false),
            ];
            self.counts(o, n, &counts, ITEMS_KINDS);
            match (o.unique_items, n.unique_items) {
                (false, true) => self.at(
                    ChangeKind::UniqueItemsAdded,
                    "uniqueItems",
                    o,
                    n,
                    "uniqueItems added".into(),
                ),
                (true, false) => self.at(
                    ChangeKind::UniqueItemsRemoved,
                    "uniqueItems",
                    o,
                    n,
                    "uniqueItems removed".into(),
                ),
                _ => {}
            }
        }
    }

    /// A change of a keyword of the node being compared.
    fn at(
        &mut self,
        kind: ChangeKind,
        keyword: &'static str,
        o: &Merged<'_>,
        n: &Merged<'_>,
        detail: String,
    ) {
        self.emit(kind, Some(keyword), o.place, n.place, detail);
    }

    fn types(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.types == n.types {
            return;
        }
        let admits = |m: &Merged<'_>, ty| m.allows(ty);
        let widened = JsonType::ALL
            .into_iter()
            .all(|t| !admits(o, t) || admits(n, t));
        let narrowed = JsonType::ALL
            .into_iter()
            .all(|t| !admits(n, t) || admits(o, t));
        let kind = match (widened, narrowed) {
            (true, true) => return,
            (true, false) => ChangeKind::TypeWidened,
            (false, true) => ChangeKind::TypeNarrowed,
            (false, false) => ChangeKind::TypeChanged,
        };
        let detail = format!(
            "type changed from {} to {}",
            type_text(o.types.as_ref()),
            type_text(n.types.as_ref())
        );
        self.at(kind, "type", o, n, detail);
    }

    fn values(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let keyword = |m: &Merged<'_>| {
            if m.has_const && !m.has_enum {
                "const"
            } else {
                "enum"
            }
        };
        let (kind, keyword) = match (&o.values, &n.values) {
            (None, None) => return,
            (None, Some(_)) if n.has_const && !n.has_enum => (ChangeKind::ConstAdded, "const"),
            (None, Some(_)) => (ChangeKind::EnumAdded, "enum"),
            (Some(_), None) if o.has_const && !o.has_enum => (ChangeKind::ConstRemoved, "const"),
            (Some(_), None) => (ChangeKind::EnumRemoved, "enum"),
            (Some(old), Some(new)) => {
                let gained = new.iter().any(|v| !old.contains(v));
                let lost = old.iter().any(|v| !new.contains(v));
                let single = old.len() == 1 && new.len() == 1;
                let kind = match (gained, lost) {
                    (false, false) => return,
                    (true, false) => ChangeKind::EnumExtended,
                    (false, true) => ChangeKind::EnumNarrowed,
                    (true, true) if single => ChangeKind::ConstChanged,
                    (true, true) => ChangeKind::EnumChanged,
                };
                (kind, keyword(n))
            }
        };
        let detail = format!(
            "{keyword} changed from {} to {}",
            values_text(o.values.as_deref()),
            values_text(n.values.as_deref())
        );
        self.at(kind, keyword, o, n, detail);
    }

    /// `minLength`/`maxLength` or `minItems`/`maxItems`; `lower` marks a
    /// minimum, which tightens by growing.
    fn counts(
        &mut self,
        o: &Merged<'_>,
        n: &Merged<'_>,
        bounds: &[(&'static str, Option<u64>, Option<u64>, bool)],
        kinds: [ChangeKind; 4],
    ) {
        let [added, removed, tightened, relaxed] = kinds;
        for &(keyword, old, new, lower) in bounds {
            let (kind, detail) = match (old, new) {
                (None, None) => continue,
                (None, Some(new)) => (added, format!("{keyword} {new} added")),
                (Some(old), None) => (removed, format!("{keyword} {old} removed")),
                (Some(old), Some(new)) if old == new => continue,
                (Some(old), Some(new)) => {
                    let tighter = (new > old) == lower;
                    (
                        if tighter { tightened } else { relaxed },
                        format!("{keyword} {old} -> {new}"),
                    )
                }
            };
            self.at(kind, keyword, o, n, detail);
        }
    }

    fn bound(
        &mut self,
        o: &Merged<'_>,
        n: &Merged<'_>,
        old: Option<&Bound>,
        new: Option<&Bound>,
        lower: bool,
    ) {
        let (kind, keyword, detail) = match (old, new) {
            (None, None) => return,
            (None, Some(new)) => (
                ChangeKind::ValueBoundAdded,
                new.keyword(lower),
                format!("{} added", new.text(lower)),
            ),
            (Some(old), None) => (
                ChangeKind::ValueBoundRemoved,
                old.keyword(lower),
                format!("{} removed", old.text(lower)),
            ),
            (Some(old), Some(new)) => {
                let kind = match compare_bounds(new, old, lower) {
                    std::cmp::Ordering::Equal => return,
                    std::cmp::Ordering::Greater => ChangeKind::ValueBoundTightened,
                    std::cmp::Ordering::Less => ChangeKind::ValueBoundRelaxed,
                };
                (
                    kind,
                    new.keyword(lower),
                    format!("{} -> {}", old.text(lower), new.text(lower)),
                )
            }
        };
        self.at(kind, keyword, o, n, detail);
    }

    fn multiple_of(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let same = |a: &Number, b: &Number| compare_numbers(a, b).is_eq();
        let gained: Vec<&Number> = n
            .multiple_of
            .iter()
            .filter(|x| !o.multiple_of.iter().any(|y| same(x, y)))
            .collect();
        let lost: Vec<&Number> = o
            .multiple_of
            .iter()
            .filter(|x| !n.multiple_of.iter().any(|y| same(x, y)))
            .collect();
        let (kind, detail) = match (lost.as_slice(), gained.as_slice()) {
            ([], []) => return,
            ([old], [new]) => {
                let kind = if divides(new, old) {
                    ChangeKind::MultipleOfRelaxed
                } else if divides(old, new) {
                    ChangeKind::MultipleOfTightened
                } else {
                    ChangeKind::MultipleOfChanged
                };
                (kind, format!("multipleOf {old} -> {new}"))
            }
            ([], _) => (
                ChangeKind::MultipleOfAdded,
                format!("multipleOf {} added", numbers_text(&gained)),
            ),
            (_, []) => (
                ChangeKind::MultipleOfRemoved,
                format!("multipleOf {} removed", numbers_text(&lost)),
            ),
            _ => (
                ChangeKind::MultipleOfChanged,
                format!(
                    "multipleOf {} -> {}",
                    numbers_text(&lost),
                    numbers_text(&gained)
                ),
            ),
        };
        self.at(kind, "multipleOf", o, n, detail);
    }

    fn patterns(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let gained: Vec<&String> = n
            .patterns
            .iter()
            .filter(|p| !o.patterns.contains(p))
            .collect();
        let lost: Vec<&String> = o
            .patterns
            .iter()
            .filter(|p| !n.patterns.contains(p))
            .collect();
        let (kind, detail) = match (lost.as_slice(), gained.as_slice()) {
            ([], []) => return,
            ([], _) => (
                ChangeKind::PatternAdded,
                format!("pattern {} added", quoted(&gained)),
            ),
            (_, []) => (
                ChangeKind::PatternRemoved,
                format!("pattern {} removed", quoted(&lost)),
            ),
            _ => (
                ChangeKind::PatternChanged,
                format!("pattern {} -> {}", quoted(&lost), quoted(&gained)),
            ),
        };
        self.at(kind, "pattern", o, n, detail);
    }

    fn formats(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let gained: Vec<Format> = n
            .formats
            .iter()
            .copied()
            .filter(|f| !o.formats.contains(f))
            .collect();
        let lost: Vec<Format> = o
            .formats
            .iter()
            .copied()
            .filter(|f| !n.formats.contains(f))
            .collect();
        let names = |formats: &[Format]| {
            formats
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (kind, detail) = match (lost.as_slice(), gained.as_slice()) {
            ([], []) => return,
            ([], _) => (
                ChangeKind::FormatAdded,
                format!("format {} added", names(&gained)),
            ),
            (_, []) => (
                ChangeKind::FormatRemoved,
                format!("format {} removed", names(&lost)),
            ),
            ([old], [new]) => {
                let kind = match (old.integer_range(), new.integer_range()) {
                    (Some((a, b)), Some((c, d))) if c <= a && b <= d => ChangeKind::FormatWidened,
                    (Some((a, b)), Some((c, d))) if a <= c && d <= b => ChangeKind::FormatNarrowed,
                    _ => ChangeKind::FormatChanged,
                };
                (kind, format!("format {} -> {}", old.as_str(), new.as_str()))
            }
            _ => (
                ChangeKind::FormatChanged,
                format!("format {} -> {}", names(&lost), names(&gained)),
            ),
        };
        self.at(kind, "format", o, n, detail);
    }

    fn documentation(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.description != n.description {
            let detail = change_text(
                "description",
                o.description.is_some(),
                n.description.is_some(),
            );
            self.at(ChangeKind::DescriptionChanged, "description", o, n, detail);
        }
        if o.title != n.title {
            let detail = change_text("title", o.title.is_some(), n.title.is_some());
            self.at(ChangeKind::TitleChanged, "title", o, n, detail);
        }
        match (o.default, n.default) {
            (None, Some(new)) => self.at(
                ChangeKind::DefaultAdded,
                "default",
                o,
                n,
                format!("default {new} added"),
            ),
            (Some(old), None) => self.at(
                ChangeKind::DefaultRemoved,
                "default",
                o,
                n,
                format!("default {old} removed"),
            ),
            (Some(old), Some(new)) if old != new => self.at(
                ChangeKind::DefaultChanged,
                "default",
                o,
                n,
                format!("default {old} -> {new}"),
            ),
            _ => {}
        }
        match (o.deprecated, n.deprecated) {
            (false, true) => self.at(
                ChangeKind::DeprecatedAdded,
                "deprecated",
                o,
                n,
                "deprecated".into(),
            ),
            (true, false) => self.at(
                ChangeKind::DeprecatedRemoved,
                "deprecated",
                o,
                n,
                "no longer deprecated".into(),
            ),
            _ => {}
        }
        if o.examples != n.examples {
            self.at(
                ChangeKind::ExamplesChanged,
                "examples",
                o,
                n,
                "examples changed".into(),
            );
        }
    }

    fn children(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.allows(JsonType::Object) && n.allows(JsonType::Object) {
            self.properties(o, n);
            self.required(o, n);
            self.extra(o, n);
        }
        if o.allows(JsonType::Array)
            && n.allows(JsonType::Array)
            && !(o.items.is_empty() && n.items.is_empty())
        {
            let old = View::of(self.old, &o.items);
            let new = View::of(self.new, &n.items);
            self.descend(Segment::Items, &old, &new);
        }
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
            let segment = Segment::Property(name.clone());
            if let Some(new_ids) = n.property(name) {
                let new = View::of(self.new, new_ids);
                self.descend(segment, &old, &new);
                continue;
            }
            self.path.push(segment.clone());
            let (kind, detail) = match &n.extra {
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
                    format!("property `{name}` removed; `additionalProperties` now covers it"),
                ),
            };
            self.emit(kind, None, old_place, n.place, detail);
            self.path.pop();
            if let Extra::Map(ids) = &n.extra {
                let new = View::of(self.new, ids);
                self.descend(segment, &old, &new);
            }
        }
        for (name, new_ids, name_place) in &n.properties {
            if o.property(name).is_some() {
                continue;
            }
            let new = View::of(self.new, new_ids);
            let segment = Segment::Property(name.clone());
            self.path.push(segment.clone());
            let (kind, detail) = match &o.extra {
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
                    format!("property `{name}` added; `additionalProperties` covered it"),
                ),
            };
            self.emit(kind, None, o.place, Some(*name_place), detail);
            self.path.pop();
            if let Extra::Map(ids) = &o.extra {
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
        match (&o.extra, &n.extra) {
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

    /// Both sides are unions (or neither is): the unions are compared in
    /// order, their branches matched by structure.
    fn unions(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let count = o.unions.len().max(n.unions.len());
        for i in 0..count {
            let (old, new) = (o.unions.get(i), n.unions.get(i));
            if let (Some(old), Some(new)) = (old, new) {
                let kind = match (old.keyword, new.keyword) {
                    ("oneOf", "anyOf") => Some(ChangeKind::OneOfToAnyOf),
                    ("anyOf", "oneOf") => Some(ChangeKind::AnyOfToOneOf),
                    _ => None,
                };
                if let Some(kind) = kind {
                    let detail = format!("{} became {}", old.keyword, new.keyword);
                    self.emit(kind, Some(old.keyword), o.place, n.place, detail);
                }
            }
            // A union on one side only (the other has more unions) is
            // matched against `{}`, the single branch of "no union".
            let branches = |space, union: Option<&Union>| match union {
                Some(union) => union
                    .branches
                    .iter()
                    .map(|b| View::of(space, &[*b]))
                    .collect(),
                None => vec![View::empty()],
            };
            let old_branches: Vec<View> = branches(self.old, old);
            let new_branches: Vec<View> = branches(self.new, new);
            let keyword = new.or(old).map_or("anyOf", |u| u.keyword);
            self.match_branches(
                &old_branches,
                &new_branches,
                old.map(|u| u.keyword),
                new.map(|u| u.keyword),
                keyword,
                false,
            );
        }
    }

    /// One side is a union and the other is not. The plain side is one
    /// branch; each branch of the union side is joined with the keywords of
    /// its parent, so `{type: number, maximum: 100}` compares with
    /// `{type: number, anyOf: [{maximum: 100}, {minimum: 20}]}` as a union of
    /// `{type: number, maximum: 100}` and `{type: number, minimum: 20}`.
    fn union_against_plain(&mut self, old: &View, new: &View, o: &Merged<'_>, n: &Merged<'_>) {
        let joined = |space, view: &View, union: &Union| -> Vec<View> {
            let base = view.without_unions();
            union
                .branches
                .iter()
                .map(|b| base.with_branch(space, *b))
                .collect()
        };
        let (old_branches, new_branches, old_keyword, new_keyword) =
            if let Some(union) = n.unions.first() {
                (
                    vec![old.without_unions()],
                    joined(self.new, new, union),
                    None,
                    Some(union.keyword),
                )
            } else {
                let union = &o.unions[0];
                (
                    joined(self.old, old, union),
                    vec![new.without_unions()],
                    Some(union.keyword),
                    None,
                )
            };
        let keyword = new_keyword.or(old_keyword).unwrap_or("anyOf");
        self.match_branches(
            &old_branches,
            &new_branches,
            old_keyword,
            new_keyword,
            keyword,
            true,
        );
    }

    /// Pairs old and new branches: equal ones first, then each remaining old
    /// branch with the closest remaining new one (fewest changes) of a type
    /// they share. Unpaired branches are added or removed. `whole` means one
    /// side is a single plain schema, always paired with its closest branch.
    fn match_branches(
        &mut self,
        old: &[View],
        new: &[View],
        old_keyword: Option<&'static str>,
        new_keyword: Option<&'static str>,
        keyword: &'static str,
        whole: bool,
    ) {
        let mut pair_of: Vec<Option<usize>> = vec![None; old.len()];
        let mut taken = vec![false; new.len()];
        let costs: Vec<Vec<usize>> = old
            .iter()
            .map(|o| new.iter().map(|n| self.cost(o, n)).collect())
            .collect();
        for (i, row) in costs.iter().enumerate() {
            if let Some(j) = (0..new.len()).find(|&j| !taken[j] && row[j] == 0) {
                pair_of[i] = Some(j);
                taken[j] = true;
            }
        }
        for i in 0..old.len() {
            if pair_of[i].is_some() {
                continue;
            }
            let candidates = (0..new.len())
                .filter(|&j| !taken[j] && (whole || self.share_a_type(&old[i], &new[j])));
            if let Some(j) = candidates.min_by_key(|&j| costs[i][j]) {
                pair_of[i] = Some(j);
                taken[j] = true;
            }
        }
        let depth = self.path.len();
        for (i, pair) in pair_of.iter().enumerate() {
            match pair {
                Some(j) => {
                    if let Some(keyword) = new_keyword.or(old_keyword) {
                        let index = if new_keyword.is_some() { *j } else { i };
                        self.path.push(Segment::Combinator(keyword));
                        self.path.push(Segment::Branch(index));
                    }
                    self.node(&old[i], &new[*j]);
                    self.path.truncate(depth);
                }
                None => {
                    let place = Merged::of(self.old, &old[i]).place;
                    self.path
                        .push(Segment::Combinator(old_keyword.unwrap_or(keyword)));
                    self.path.push(Segment::Branch(i));
                    self.emit(
                        ChangeKind::BranchRemoved,
                        None,
                        place,
                        None,
                        format!("{} branch {i} removed", old_keyword.unwrap_or(keyword)),
                    );
                    self.path.truncate(depth);
                }
            }
        }
        for (j, taken) in taken.iter().enumerate() {
            if !taken {
                let place = Merged::of(self.new, &new[j]).place;
                self.path
                    .push(Segment::Combinator(new_keyword.unwrap_or(keyword)));
                self.path.push(Segment::Branch(j));
                self.emit(
                    ChangeKind::BranchAdded,
                    None,
                    None,
                    place,
                    format!("{} branch {j} added", new_keyword.unwrap_or(keyword)),
                );
                self.path.truncate(depth);
            }
        }
    }

    /// The number of payload changes between two views, by a trial
    /// comparison that shares this one's step budget.
    fn cost(&mut self, old: &View, new: &View) -> usize {
        let mut trial = Comparer {
            old: self.old,
            new: self.new,
            policy: self.policy,
            ancestors: self.ancestors.clone(),
            path: Vec::new(),
            depth: self.depth,
            steps: self.steps,
            limited: self.limited,
            changes: Vec::new(),
        };
        trial.node(old, new);
        self.steps = trial.steps;
        trial
            .changes
            .iter()
            .filter(|c| !c.kind.is_documentation())
            .count()
    }

    fn share_a_type(&self, old: &View, new: &View) -> bool {
        let o = Merged::of(self.old, old);
        let n = Merged::of(self.new, new);
        JsonType::ALL
            .into_iter()
            .any(|t| o.allows(t) && n.allows(t))
    }
}

/// The `default` of a declared property.
fn property_default(space: &TypeSpace, object: &Merged<'_>, name: &str) -> Option<Json> {
    let ids = object.property(name)?;
    let view = View::of(space, ids);
    Merged::of(space, &view).default.cloned()
}

const LENGTH_KINDS: [ChangeKind; 4] = [
    ChangeKind::LengthBoundAdded,
    ChangeKind::LengthBoundRemoved,
    ChangeKind::LengthBoundTightened,
    ChangeKind::LengthBoundRelaxed,
];

const ITEMS_KINDS: [ChangeKind; 4] = [
    ChangeKind::ItemsBoundAdded,
    ChangeKind::ItemsBoundRemoved,
    ChangeKind::ItemsBoundTightened,
    ChangeKind::ItemsBoundRelaxed,
];

/// Whether `divisor` divides `value`: every multiple of `value` is then a
/// multiple of `divisor`.
fn divides(divisor: &Number, value: &Number) -> bool {
    if let (Some(d), Some(v)) = (divisor.as_u64(), value.as_u64()) {
        return d != 0 && v % d == 0;
    }
    match (divisor.as_f64(), value.as_f64()) {
        (Some(d), Some(v)) if d > 0.0 => {
            let ratio = v / d;
            ratio >= 1.0 && (ratio - ratio.round()).abs() < 1e-9
        }
        _ => false,
    }
}

fn type_text(types: Option<&BTreeSet<JsonType>>) -> String {
    match types {
        None => "any".to_owned(),
        Some(types) if types.is_empty() => "none".to_owned(),
        Some(types) => types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn values_text(values: Option<&[Json]>) -> String {
    match values {
        None => "any value".to_owned(),
        Some(values) => {
            let list: Vec<String> = values.iter().map(Json::to_string).collect();
            format!("[{}]", list.join(", "))
        }
    }
}

fn numbers_text(numbers: &[&Number]) -> String {
    numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted(patterns: &[&String]) -> String {
    patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn change_text(keyword: &str, before: bool, after: bool) -> String {
    match (before, after) {
        (false, _) => format!("{keyword} added"),
        (_, false) => format!("{keyword} removed"),
        _ => format!("{keyword} changed"),
    }
}
