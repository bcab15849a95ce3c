//! `oneOf`/`anyOf`: unions compared branch by branch, branches matched by
//! structure rather than by index.

use super::super::kinds::ChangeKind;
use super::super::path::Segment;
use super::super::view::{disjoint_branches, Merged, Union, View};
use super::super::Change;
use super::Comparer;
use crate::model::JsonType;

impl Comparer<'_, '_> {
    /// Both sides are unions (or neither is): the unions are compared in
    /// order, their branches matched by structure.
    pub(super) fn unions(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let count = o.unions.len().max(n.unions.len());
        for i in 0..count {
            let (old, new) = (o.unions.get(i), n.unions.get(i));
            if let (Some(old), Some(new)) = (old, new) {
                // Over branches no value can match two of, `oneOf` and
                // `anyOf` accept the same values.
                let kind = match (old.keyword, new.keyword) {
                    ("oneOf", "anyOf") if !disjoint_branches(self.old, &old.branches) => {
                        Some(ChangeKind::OneOfToAnyOf)
                    }
                    ("anyOf", "oneOf") if !disjoint_branches(self.new, &new.branches) => {
                        Some(ChangeKind::AnyOfToOneOf)
                    }
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
    pub(super) fn union_against_plain(
        &mut self,
        old: &View,
        new: &View,
        o: &Merged<'_>,
        n: &Merged<'_>,
    ) {
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
            // A branch of a type the old one shares first, whatever the
            // branches' order; a plain side pairs with any branch else.
            let free: Vec<usize> = (0..new.len()).filter(|&j| !taken[j]).collect();
            let typed = free
                .iter()
                .copied()
                .filter(|&j| self.share_a_type(&old[i], &new[j]))
                .min_by_key(|&j| costs[i][j]);
            let any = || free.iter().copied().min_by_key(|&j| costs[i][j]);
            if let Some(j) = typed.or_else(|| if whole { any() } else { None }) {
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
    pub(super) fn cost(&mut self, old: &View, new: &View) -> usize {
        let mut count = 0;
        self.trial(old, new, &mut |change| {
            if !change.kind.is_documentation() {
                count += 1;
            }
        });
        count
    }

    /// Compares two views without reporting: `sink` takes each change found.
    pub(super) fn trial(&mut self, old: &View, new: &View, sink: &mut dyn FnMut(Change)) {
        let mut trial = Comparer {
            old: self.old,
            new: self.new,
            policy: self.policy,
            ancestors: self.ancestors.clone(),
            path: Vec::new(),
            depth: self.depth,
            steps: self.steps,
            limited: self.limited,
            sink,
        };
        trial.node(old, new);
        self.steps = trial.steps;
    }

    fn share_a_type(&self, old: &View, new: &View) -> bool {
        let o = Merged::of(self.old, old);
        let n = Merged::of(self.new, new);
        JsonType::ALL
            .into_iter()
            .any(|t| o.allows(t) && n.allows(t))
    }
}
