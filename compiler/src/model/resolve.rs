//! The one reading of `$ref` and `allOf`: a schema is also everything its
//! `$ref` target and its `allOf` members are. Every pass that looks through
//! them (binding, evolution, the checks, the backends) walks them here, so
//! they all meet the conjuncts in the same order and stop at the same
//! cycles.

use std::collections::HashSet;

use super::schema::{Schema, SchemaId, TypeSpace};
use crate::source::Place;

/// One schema a schema stands for directly, and where that link is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub target: SchemaId,
    /// The `$ref` keyword, or the `allOf` member.
    pub place: Place,
}

/// What `id` must also satisfy, one link away: its `$ref` target, then its
/// `allOf` members in source order.
pub fn links(types: &TypeSpace, id: SchemaId) -> impl Iterator<Item = Link> + '_ {
    let reference = types.get(id).reference.as_deref();
    linked(types.get(id)).enumerate().map(move |(i, target)| {
        let place = match reference {
            Some(r) if i == 0 && r.target.is_some() => r.place,
            _ => types.get(target).place,
        };
        Link { target, place }
    })
}

/// The targets of [`links`], without their places.
fn linked(schema: &Schema) -> impl Iterator<Item = SchemaId> + '_ {
    let target = schema.reference.as_ref().and_then(|r| r.target);
    target.into_iter().chain(schema.all_of.iter().copied())
}

/// `id` and everything it must also satisfy through `$ref` and `allOf`,
/// each once: see [`Conjuncts`] for the order.
pub fn conjuncts(types: &TypeSpace, id: SchemaId) -> Vec<SchemaId> {
    all_conjuncts(types, &[id])
}

/// The conjuncts of several schemas read together, each once.
pub fn all_conjuncts(types: &TypeSpace, roots: &[SchemaId]) -> Vec<SchemaId> {
    Conjuncts::new(types, roots).map(|c| c.id).collect()
}

/// A schema met on the walk, with the number of links that led to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conjunct {
    pub id: SchemaId,
    pub depth: usize,
}

/// A depth-first walk from some roots through `$ref` targets and `allOf`
/// members: a schema, then its target's conjuncts, then each member's in
/// source order. A schema met again (a diamond, or a cycle) is not yielded
/// again, so every walk ends; ids outside the space are skipped.
pub struct Conjuncts<'t> {
    types: &'t TypeSpace,
    stack: Vec<Conjunct>,
    seen: HashSet<SchemaId>,
    /// The schema yielded last, whose links are pushed on the next step
    /// unless the caller stops there.
    pending: Option<Conjunct>,
    branches: bool,
}

impl<'t> Conjuncts<'t> {
    pub fn new(types: &'t TypeSpace, roots: &[SchemaId]) -> Self {
        Conjuncts {
            types,
            stack: roots
                .iter()
                .rev()
                .map(|&id| Conjunct { id, depth: 0 })
                .collect(),
            seen: HashSet::new(),
            pending: None,
            branches: false,
        }
    }

    /// Also walks `oneOf` and `anyOf` branches, after the `allOf` members:
    /// for questions any branch may answer, such as which properties a
    /// value can have.
    pub fn with_branches(mut self) -> Self {
        self.branches = true;
        self
    }

    /// Leaves the links of the schema yielded last unfollowed: a caller that
    /// treats it as a whole (a named type) needs nothing behind it.
    pub fn stop_here(&mut self) {
        self.pending = None;
    }

    fn push_links(&mut self, from: Conjunct) {
        let depth = from.depth + 1;
        let schema = self.types.get(from.id);
        let branches = self
            .branches
            .then(|| schema.one_of.iter().chain(&schema.any_of))
            .into_iter()
            .flatten();
        let linked: Vec<SchemaId> = linked(schema).chain(branches.copied()).collect();
        self.stack
            .extend(linked.into_iter().rev().map(|id| Conjunct { id, depth }));
    }
}

impl Iterator for Conjuncts<'_> {
    type Item = Conjunct;

    fn next(&mut self) -> Option<Conjunct> {
        if let Some(done) = self.pending.take() {
            self.push_links(done);
        }
        while let Some(next) = self.stack.pop() {
            if next.id.0 as usize >= self.types.len() || !self.seen.insert(next.id) {
                continue;
            }
            self.pending = Some(next);
            return Some(next);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{Origin, Reference, Schema};
    use crate::source::{FileId, Span};

    fn place() -> Place {
        Place {
            file: FileId(0),
            span: Span::default(),
        }
    }

    fn add(types: &mut TypeSpace, target: Option<SchemaId>, all_of: &[SchemaId]) -> SchemaId {
        let mut schema = Schema::new(place(), Origin::default());
        schema.reference = target.map(|t| {
            Box::new(Reference {
                text: String::new(),
                place: place(),
                target: Some(t),
            })
        });
        if !all_of.is_empty() {
            schema.all_of = all_of.to_vec();
        }
        types.add(schema)
    }

    #[test]
    fn the_target_comes_before_the_members_and_each_comes_once() {
        let mut types = TypeSpace::default();
        let shared = add(&mut types, None, &[]);
        let left = add(&mut types, Some(shared), &[]);
        let right = add(&mut types, None, &[shared]);
        let base = add(&mut types, None, &[]);
        let root = add(&mut types, Some(base), &[left, right]);
        assert_eq!(
            conjuncts(&types, root),
            vec![root, base, left, shared, right]
        );
    }

    #[test]
    fn cycles_end_and_stray_ids_are_skipped() {
        let mut types = TypeSpace::default();
        let a = add(&mut types, Some(SchemaId(1)), &[]);
        let b = add(&mut types, Some(a), &[SchemaId(99)]);
        assert_eq!(conjuncts(&types, a), vec![a, b]);
        assert_eq!(all_conjuncts(&types, &[SchemaId(7), b]), vec![b, a]);
    }

    #[test]
    fn a_stopped_schema_keeps_its_links_unfollowed_and_depths_count_links() {
        let mut types = TypeSpace::default();
        let leaf = add(&mut types, None, &[]);
        let named = add(&mut types, Some(leaf), &[]);
        let middle = add(&mut types, None, &[named]);
        let root = add(&mut types, Some(middle), &[]);
        let mut walk = Conjuncts::new(&types, &[root]);
        let mut met = Vec::new();
        while let Some(c) = walk.next() {
            met.push((c.id, c.depth));
            if c.id == named {
                walk.stop_here();
            }
        }
        assert_eq!(met, vec![(root, 0), (middle, 1), (named, 2)]);
    }

    #[test]
    fn branches_are_walked_only_when_asked() {
        let mut types = TypeSpace::default();
        let branch = add(&mut types, None, &[]);
        let member = add(&mut types, None, &[]);
        let mut union = Schema::new(place(), Origin::default());
        union.one_of = vec![branch];
        union.all_of = vec![member];
        let root = types.add(union);
        assert_eq!(conjuncts(&types, root), vec![root, member]);
        let walk = Conjuncts::new(&types, &[root]).with_branches();
        let ids: Vec<SchemaId> = walk.map(|c| c.id).collect();
        assert_eq!(ids, vec![root, member, branch]);
    }
}
