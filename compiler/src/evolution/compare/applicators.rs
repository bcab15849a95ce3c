//! Keywords that apply a subschema to the value according to what it holds:
//! `if`/`then`/`else`, `dependentSchemas`, `propertyNames` and
//! `patternProperties`. Where both sides apply a schema under the same
//! condition (the same `if`, property or pattern), the schemas are compared
//! as any other; where the condition itself changed, the change is reported
//! with no direction assumed.
//!
//! `then`, `else` and a dependent schema apply to the value together with the
//! schema around them: `then: {properties: {a: {type: string}}}` under an `a`
//! declared as a string restates it. Each is compared joined with its
//! parent, and what the parent alone already changes is left out, being
//! reported where it is written.

use std::collections::{BTreeMap, HashSet};

use super::Comparer;
use crate::evolution::kinds::ChangeKind;
use crate::evolution::path::Segment;
use crate::evolution::view::{pattern_matches, Condition, Extra, Merged, View};
use crate::evolution::Change;
use crate::model::{JsonType, Schema, SchemaId, TypeSpace};

/// The parents of the schemas compared in context, with the changes they
/// alone show, found once for all of their branches.
struct Context<'v> {
    parents: (&'v View, &'v View),
    known: Option<HashSet<(ChangeKind, Vec<Segment>)>>,
}

impl Comparer<'_, '_> {
    /// `parents`: the old and new views `o` and `n` merge.
    pub(super) fn applicators(&mut self, parents: (&View, &View), o: &Merged<'_>, n: &Merged<'_>) {
        let mut context = Context {
            parents,
            known: None,
        };
        self.conditions(&mut context, o, n);
        if o.allows(JsonType::Object) && n.allows(JsonType::Object) {
            self.property_names(o, n);
            self.pattern_properties(o, n);
            self.dependent_schemas(&mut context, o, n);
            let kinds = (
                ChangeKind::UnevaluatedPropertiesAdded,
                ChangeKind::UnevaluatedPropertiesRemoved,
            );
            let ids = (&o.unevaluated_properties, &n.unevaluated_properties);
            self.restricting_schema("unevaluatedProperties", kinds, ids, o, n);
        }
        if o.allows(JsonType::Array) && n.allows(JsonType::Array) {
            let kinds = (
                ChangeKind::UnevaluatedItemsAdded,
                ChangeKind::UnevaluatedItemsRemoved,
            );
            let ids = (&o.unevaluated_items, &n.unevaluated_items);
            self.restricting_schema("unevaluatedItems", kinds, ids, o, n);
            self.unevaluated_items_reach(o, n);
        }
    }

    /// The changes between the parents, their own applicators left out, by
    /// kind and path from the parents.
    fn known<'c>(
        &mut self,
        context: &'c mut Context<'_>,
    ) -> &'c HashSet<(ChangeKind, Vec<Segment>)> {
        let parents = context.parents;
        context.known.get_or_insert_with(|| {
            let bare = (
                parents.0.with_applied(self.old, &[]),
                parents.1.with_applied(self.new, &[]),
            );
            let mut known = HashSet::new();
            self.trial(&bare.0, &bare.1, &mut |change| {
                known.insert((change.kind, change.path));
            });
            known
        })
    }

    /// Compares the schemas `old` and `new` (none: `{}`), each side joined
    /// with its parent, under `segment`; the changes the parents alone show
    /// (their applicators left out on both counts) are left out.
    fn in_context(
        &mut self,
        segment: Segment,
        context: &mut Context<'_>,
        old: &[SchemaId],
        new: &[SchemaId],
    ) {
        let parents = context.parents;
        let old = parents.0.with_applied(self.old, old);
        let new = parents.1.with_applied(self.new, new);
        let known = self.known(context);
        let mut found: Vec<Change> = Vec::new();
        self.trial(&old, &new, &mut |change| {
            if !known.contains(&(change.kind, change.path.clone())) {
                found.push(change);
            }
        });
        let depth = self.path.len();
        self.path.push(segment);
        for mut change in found {
            let mut path = self.path.clone();
            path.append(&mut change.path);
            change.path = path;
            (self.sink)(change);
        }
        self.path.truncate(depth);
    }

    /// `if`/`then`/`else`, paired in order: with the same `if`, `then` and
    /// `else` are compared (a missing one reads as `{}`).
    fn conditions(&mut self, context: &mut Context<'_>, o: &Merged<'_>, n: &Merged<'_>) {
        let (kind, detail) = match (o.conditions.as_slice(), n.conditions.as_slice()) {
            ([], []) => return,
            ([], _) => (ChangeKind::ConditionAdded, "if added"),
            (_, []) => (ChangeKind::ConditionRemoved, "if removed"),
            (old, new) if old.len() == new.len() => {
                let tests_alike = old.iter().zip(new).all(|(a, b)| {
                    let (a, b) = (View::of(self.old, &[a.test]), View::of(self.new, &[b.test]));
                    self.cost(&a, &b) == 0
                });
                if tests_alike {
                    for (a, b) in old.iter().zip(new) {
                        self.condition_branches(context, a, b);
                    }
                    return;
                }
                (ChangeKind::ConditionChanged, "the schema under if changed")
            }
            _ => (ChangeKind::ConditionChanged, "ifs added or removed"),
        };
        self.emit(kind, Some("if"), o.place, n.place, detail.to_owned());
    }

    fn condition_branches(&mut self, context: &mut Context<'_>, old: &Condition, new: &Condition) {
        let pairs = [
            ("then", old.then, new.then),
            ("else", old.otherwise, new.otherwise),
        ];
        for (keyword, a, b) in pairs {
            if a.is_some() || b.is_some() {
                let segment = Segment::Applied(keyword);
                self.in_context(segment, context, a.as_slice(), b.as_slice());
            }
        }
    }

    /// `propertyNames`: the names are values of its schema. One that
    /// accepts any string (`{}`, `true`) restricts nothing.
    fn property_names(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let kinds = (
            ChangeKind::PropertyNamesAdded,
            ChangeKind::PropertyNamesRemoved,
        );
        let ids = (&o.property_names, &n.property_names);
        self.restricting_schema("propertyNames", kinds, ids, o, n);
    }

    /// `prefixItems`, `items` and `contains` decide which items an
    /// `unevaluatedItems` on both sides covers: where they change, so does
    /// its reach, in no direction the item schemas alone tell.
    fn unevaluated_items_reach(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.unevaluated_items.is_empty() || n.unevaluated_items.is_empty() {
            return;
        }
        let reach = |m: &Merged<'_>| {
            let contains: Vec<SchemaId> = m.contains.iter().map(|c| c.0).collect();
            (
                m.prefix.len(),
                m.items.is_empty(),
                m.closed_after,
                contains.len(),
            )
        };
        if reach(o) != reach(n) {
            let detail = "the items unevaluatedItems covers changed".to_owned();
            let keyword = Some("unevaluatedItems");
            self.emit(
                ChangeKind::UnevaluatedItemsReach,
                keyword,
                o.place,
                n.place,
                detail,
            );
        }
    }

    /// A keyword whose schema restricts some members of the value
    /// (`propertyNames`, `unevaluatedProperties`, `unevaluatedItems`): added
    /// (`kinds.0`), removed (`kinds.1`), or compared as any schema. One that
    /// accepts anything restricts nothing. For `unevaluated*`, the keywords
    /// that evaluate members are compared where they are written, as on an
    /// open object or array.
    fn restricting_schema(
        &mut self,
        keyword: &'static str,
        kinds: (ChangeKind, ChangeKind),
        ids: (&Vec<SchemaId>, &Vec<SchemaId>),
        o: &Merged<'_>,
        n: &Merged<'_>,
    ) {
        let restricting = |space: &TypeSpace, ids: &[SchemaId]| -> Vec<SchemaId> {
            let anything = |s: &Schema| s.reference.is_none() && !s.has_assertions();
            ids.iter()
                .copied()
                .filter(|id| !anything(space.get(*id)))
                .collect()
        };
        let (old, new) = (restricting(self.old, ids.0), restricting(self.new, ids.1));
        let (kind, detail) = match (old.is_empty(), new.is_empty()) {
            (true, true) => return,
            (true, false) => (kinds.0, format!("{keyword} added")),
            (false, true) => (kinds.1, format!("{keyword} removed")),
            (false, false) => {
                let old = View::of(self.old, &old);
                let new = View::of(self.new, &new);
                self.descend(Segment::Applied(keyword), &old, &new);
                return;
            }
        };
        self.emit(kind, Some(keyword), o.place, n.place, detail);
    }

    /// `patternProperties`, by pattern text: the values under one pattern
    /// are compared; a pattern added or removed narrows or widens an open
    /// object, and changes both ways what `additionalProperties` covers.
    fn pattern_properties(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let (old, new) = (by_key(&o.pattern_properties), by_key(&n.pattern_properties));
        let open = matches!((&o.extra, &n.extra), (Extra::Open, Extra::Open));
        // Beside `false` on both sides, a pattern alone admits names the
        // other side refused, unless it also constrains a property both
        // sides declare (a name of one side only is compared on its own).
        let closed = matches!((&o.extra, &n.extra), (Extra::Closed, Extra::Closed));
        let alone = |pattern: &str, others: &BTreeMap<&str, Vec<SchemaId>>| {
            closed
                && others.is_empty()
                && !o.properties.iter().any(|(name, _, _)| {
                    n.property(name).is_some() && pattern_matches(pattern, name)
                })
        };
        for (pattern, ids) in &new {
            let Some(old_ids) = old.get(pattern) else {
                let kind = match open {
                    true => ChangeKind::PatternPropertyAdded,
                    false if alone(pattern, &old) => ChangeKind::PatternPropertyAddedToClosedObject,
                    false => ChangeKind::PatternPropertiesChanged,
                };
                let detail = format!("patternProperties `{pattern}` added");
                self.emit(kind, Some("patternProperties"), o.place, n.place, detail);
                continue;
            };
            let (a, b) = (View::of(self.old, old_ids), View::of(self.new, ids));
            let segment = Segment::Entry("patternProperties", (*pattern).to_owned());
            self.descend(segment, &a, &b);
        }
        for pattern in old.keys().filter(|p| !new.contains_key(*p)) {
            let kind = match open {
                true => ChangeKind::PatternPropertyRemoved,
                false if alone(pattern, &new) => ChangeKind::PatternPropertyRemovedFromClosedObject,
                false => ChangeKind::PatternPropertiesChanged,
            };
            let detail = format!("patternProperties `{pattern}` removed");
            self.emit(kind, Some("patternProperties"), o.place, n.place, detail);
        }
    }

    /// `dependentSchemas`, by property: the schemas of one property are
    /// compared.
    fn dependent_schemas(&mut self, context: &mut Context<'_>, o: &Merged<'_>, n: &Merged<'_>) {
        let (old, new) = (by_key(&o.dependent_schemas), by_key(&n.dependent_schemas));
        let keyword = Some("dependentSchemas");
        for (name, ids) in &new {
            let Some(old_ids) = old.get(name) else {
                let detail = format!("dependentSchemas `{name}` added");
                let kind = ChangeKind::DependentSchemaAdded;
                self.emit(kind, keyword, o.place, n.place, detail);
                continue;
            };
            let segment = Segment::Entry("dependentSchemas", (*name).to_owned());
            self.in_context(segment, context, old_ids, ids);
        }
        for name in old.keys().filter(|p| !new.contains_key(*p)) {
            let detail = format!("dependentSchemas `{name}` removed");
            let kind = ChangeKind::DependentSchemaRemoved;
            self.emit(kind, keyword, o.place, n.place, detail);
        }
    }
}

/// Entries grouped by key, each key's schemas read together.
fn by_key<'a>(entries: &[(&'a str, SchemaId)]) -> BTreeMap<&'a str, Vec<SchemaId>> {
    let mut out: BTreeMap<&str, Vec<SchemaId>> = BTreeMap::new();
    for (key, id) in entries {
        out.entry(key).or_default().push(*id);
    }
    out
}
