//! The oldest version of a major whose data a newer minor's readers cannot
//! read, found without comparing the minor with every older version.
//!
//! Older versions are grouped by what the classifier would see of them: two
//! with one structural key compare alike against the minor, so each group is
//! compared once, through the first version holding it. An object payload
//! splits further, because a change under `properties/NAME` depends on that
//! name's property alone: a field copied into every version is one group
//! whatever the number of versions, and a field of one version is compared
//! only by the versions that name it. A version is unreadable when any part
//! breaks, so the first unreadable one is the first version of the first
//! breaking group.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::evolution::shape::{Key, Root, Shapes, Split};
use crate::evolution::{classify_each, Change, ChangeKind, Policy, Segment, Side};
use crate::model::{Contract, Model, SchemaId, TypeSpace, Version};

/// What a name is in one version: its property's key when declared, whether
/// it is required, and, when undeclared, what the object says of undeclared
/// names (which decides how adding or removing it is judged).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    declared: Option<Key>,
    required: bool,
    extra: Option<Key>,
}

impl State {
    fn of(declared: Option<Key>, required: bool, extra: Key) -> State {
        State {
            declared,
            required,
            extra: declared.is_none().then_some(extra),
        }
    }
}

/// Two groups compared, and which of their changes count.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Pair {
    /// Every change.
    Whole(Key, Key),
    /// Changes outside `properties`.
    Own(Key, Key),
    /// Changes under one property name.
    Member(State, State),
}

/// Versions of a major older than the one being read, grouped.
#[derive(Default)]
struct Window {
    major: Option<u64>,
    /// Each whole (or own) key, with the first version holding it.
    groups: HashMap<Key, usize>,
    /// Each name, with each of its states and the first version in it.
    members: HashMap<String, HashMap<State, usize>>,
    /// Per `additionalProperties` key, where names are absent.
    absences: HashMap<Key, Absences>,
}

/// The first version (of those with one `additionalProperties` key) that
/// neither declares nor requires a name, tracked without visiting every
/// name for every version: only names present in every such version so far
/// are still open, and those are named by each new version.
struct Absences {
    first: usize,
    unresolved: HashSet<String>,
    resolved: HashMap<String, usize>,
}

impl Absences {
    fn first_without(&self, name: &str) -> Option<usize> {
        match self.resolved.get(name) {
            Some(found) => Some(*found),
            None if self.unresolved.contains(name) => None,
            None => Some(self.first),
        }
    }

    fn add(&mut self, index: usize, names: &HashSet<&str>) {
        let gone: Vec<String> = self
            .unresolved
            .iter()
            .filter(|n| !names.contains(n.as_str()))
            .cloned()
            .collect();
        for name in gone {
            self.unresolved.remove(&name);
            self.resolved.insert(name, index);
        }
    }
}

/// The comparable versions of one contract, their keys, and the older
/// versions of the major being read.
pub struct Readers<'m> {
    pub contract: &'m Contract,
    model: &'m Model,
    policy: Policy,
    listed: Vec<(&'m Version, &'m semver::Version)>,
    roots: Vec<Root>,
    /// Every root splits into parts.
    split: bool,
    /// Listed versions strictly increase, so a major's versions are one run.
    increasing: bool,
    open: Key,
    window: Window,
    /// The next listed version to enter the window.
    next: usize,
    verdicts: HashMap<Pair, bool>,
}

impl<'m> Readers<'m> {
    pub fn new(
        model: &'m Model,
        cyclic: &BTreeSet<SchemaId>,
        contract: &'m Contract,
        policy: Policy,
        shapes: &mut Shapes<'m>,
    ) -> Self {
        let listed = super::listed(model, cyclic, contract);
        let roots: Vec<Root> = listed
            .iter()
            .map(|(v, _)| shapes.root(side(model, v.schema)))
            .collect();
        Readers {
            contract,
            model,
            policy,
            split: roots.iter().all(|r| r.split.is_some()),
            increasing: listed.windows(2).all(|p| p[0].1 < p[1].1),
            listed,
            roots,
            open: shapes.open(),
            window: Window::default(),
            next: 0,
            verdicts: HashMap::new(),
        }
    }

    pub fn types(&self) -> &'m TypeSpace {
        &self.model.types
    }

    pub fn listed(&self, index: usize) -> (&'m Version, &'m semver::Version) {
        self.listed[index]
    }

    /// The first version of the major of the listed version `new`, older
    /// than the one right before it, whose data `new`'s readers cannot read.
    /// Calls must come in increasing order of `new`.
    pub fn first_unreadable(&mut self, new: usize) -> Option<usize> {
        if new == 0 || new >= self.listed.len() {
            return None;
        }
        if !self.increasing {
            return self.scan(new);
        }
        if new < 2 {
            return None;
        }
        while self.next <= new - 2 {
            self.enter(self.next);
            self.next += 1;
        }
        if self.window.major != Some(self.listed[new].1.major) {
            return None;
        }
        let mut candidates = self.candidates(new);
        candidates.sort_by_key(|c| c.0);
        let Readers {
            model,
            policy,
            listed,
            verdicts,
            ..
        } = self;
        let context = Context {
            model,
            policy: *policy,
            listed: listed.as_slice(),
        };
        candidates
            .into_iter()
            .find(|(older, pair, name)| {
                *verdicts
                    .entry(pair.clone())
                    .or_insert_with(|| context.breaks(pair, *older, new, name.as_deref()))
            })
            .map(|c| c.0)
    }

    /// Versions not listed in increasing order (already an error): each
    /// older one of the major, wherever it is listed, is compared, as the
    /// rule is defined.
    fn scan(&mut self, new: usize) -> Option<usize> {
        let (_, old_number) = self.listed[new - 1];
        let major = self.listed[new].1.major;
        let Readers {
            model,
            policy,
            listed,
            roots,
            verdicts,
            ..
        } = self;
        let context = Context {
            model,
            policy: *policy,
            listed: listed.as_slice(),
        };
        (0..listed.len())
            .filter(|&j| listed[j].1.major == major && listed[j].1 < old_number)
            .find(|&j| {
                let pair = Pair::Whole(roots[j].whole, roots[new].whole);
                *verdicts
                    .entry(pair.clone())
                    .or_insert_with(|| context.breaks(&pair, j, new, None))
            })
    }

    fn enter(&mut self, index: usize) {
        let major = self.listed[index].1.major;
        if self.window.major != Some(major) {
            self.window = Window {
                major: Some(major),
                ..Window::default()
            };
        }
        let root = &self.roots[index];
        let Some(split) = root.split.as_ref().filter(|_| self.split) else {
            self.window.groups.entry(root.whole).or_insert(index);
            return;
        };
        let window = &mut self.window;
        window.groups.entry(split.own).or_insert(index);
        for (name, declared, required) in &split.members {
            let state = State::of(*declared, *required, split.extra);
            window
                .members
                .entry(name.clone())
                .or_default()
                .entry(state)
                .or_insert(index);
        }
        let names: HashSet<&str> = split.members.iter().map(|m| m.0.as_str()).collect();
        match window.absences.get_mut(&split.extra) {
            Some(absences) => absences.add(index, &names),
            None => {
                let absences = Absences {
                    first: index,
                    unresolved: names.iter().map(|n| (*n).to_owned()).collect(),
                    resolved: HashMap::new(),
                };
                window.absences.insert(split.extra, absences);
            }
        }
    }

    /// Every group of the window, each with its first version and what to
    /// compare it by.
    fn candidates(&self, new: usize) -> Vec<(usize, Pair, Option<String>)> {
        let root = &self.roots[new];
        let Some(split) = root.split.as_ref().filter(|_| self.split) else {
            return self
                .window
                .groups
                .iter()
                .map(|(key, first)| (*first, Pair::Whole(*key, root.whole), None))
                .collect();
        };
        let mut out: Vec<(usize, Pair, Option<String>)> = self
            .window
            .groups
            .iter()
            .map(|(key, first)| (*first, Pair::Own(*key, split.own), None))
            .collect();
        for (name, declared, required) in &split.members {
            let now = State::of(*declared, *required, split.extra);
            self.member_candidates(name, &now, &mut out);
        }
        if !self.removals_read(split) {
            self.removed_candidates(split, &mut out);
        }
        out
    }

    /// The groups of one name the new version holds: its older states, and
    /// the versions without it.
    fn member_candidates(
        &self,
        name: &str,
        now: &State,
        out: &mut Vec<(usize, Pair, Option<String>)>,
    ) {
        let states = self.window.members.get(name).into_iter().flatten();
        for (state, first) in states {
            out.push((
                *first,
                Pair::Member(state.clone(), now.clone()),
                Some(name.to_owned()),
            ));
        }
        for (extra, absences) in &self.window.absences {
            if let Some(first) = absences.first_without(name) {
                let absent = State::of(None, false, *extra);
                out.push((
                    first,
                    Pair::Member(absent, now.clone()),
                    Some(name.to_owned()),
                ));
            }
        }
    }

    /// The groups of names older versions hold and the new one does not.
    fn removed_candidates(&self, split: &Split, out: &mut Vec<(usize, Pair, Option<String>)>) {
        let names: HashSet<&str> = split.members.iter().map(|m| m.0.as_str()).collect();
        let now = State::of(None, false, split.extra);
        for (name, states) in &self.window.members {
            if names.contains(name.as_str()) {
                continue;
            }
            for (state, first) in states {
                out.push((
                    *first,
                    Pair::Member(state.clone(), now.clone()),
                    Some(name.clone()),
                ));
            }
        }
    }

    /// Whether readers of an open object read data holding any name it
    /// dropped: removing a property, or a `required` entry, is backward
    /// compatible under the policy.
    fn removals_read(&self, split: &Split) -> bool {
        split.extra == self.open
            && [
                ChangeKind::PropertyRemovedFromOpenObject,
                ChangeKind::RequiredRemoved,
                ChangeKind::RequiredRemovedWithDefault,
            ]
            .iter()
            .all(|k| k.verdict(self.policy).backward)
    }
}

/// What comparing two listed versions needs.
struct Context<'a, 'm> {
    model: &'m Model,
    policy: Policy,
    listed: &'a [(&'m Version, &'m semver::Version)],
}

impl Context<'_, '_> {
    /// Whether the changes of `pair`, between the listed versions `old` and
    /// `new`, hold a breaking one.
    fn breaks(&self, pair: &Pair, old: usize, new: usize, name: Option<&str>) -> bool {
        // Streamed: only the verdict is kept, not a list that can run to
        // one change per property.
        let mut breaks = false;
        classify_each(
            side(self.model, self.listed[old].0.schema),
            side(self.model, self.listed[new].0.schema),
            self.policy,
            |change| breaks |= !change.backward && counts(pair, &change, name),
        );
        breaks
    }
}

/// Whether a change belongs to the part `pair` compares.
fn counts(pair: &Pair, change: &Change, name: Option<&str>) -> bool {
    let member = match change.path.first() {
        Some(Segment::Property(found)) => Some(found.as_str()),
        _ => None,
    };
    match pair {
        Pair::Whole(..) => true,
        Pair::Own(..) => member.is_none(),
        Pair::Member(..) => member.is_some() && member == name,
    }
}

fn side(model: &Model, root: SchemaId) -> Side<'_> {
    Side {
        types: &model.types,
        root,
    }
}
