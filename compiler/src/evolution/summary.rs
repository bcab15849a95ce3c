//! Change lists of any length in bounded memory: the first changes in full,
//! every change counted by kind. Two schemas that differ in 100,000 places
//! would otherwise be held, and printed, 100,000 times.

use std::collections::BTreeMap;

use super::{classify_each, Change, ChangeKind, Policy, Side};
use crate::rules::Bump;

/// Changes kept in full; findings name these and count the rest.
pub const SHOWN: usize = 12;

/// The first [`SHOWN`] changes pushed, and how many of each kind there were.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeList {
    first: Vec<Change>,
    total: usize,
    by_kind: BTreeMap<ChangeKind, usize>,
}

impl ChangeList {
    pub fn push(&mut self, change: Change) {
        self.total += 1;
        *self.by_kind.entry(change.kind).or_default() += 1;
        if self.first.len() < SHOWN {
            self.first.push(change);
        }
    }

    /// The first changes pushed, at most [`SHOWN`].
    pub fn first(&self) -> &[Change] {
        &self.first
    }

    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The changes after the first `shown`, counted by kind, most frequent
    /// first: "and 99,973 more: 60,000 PROPERTY_REMOVED_FROM_CLOSED_OBJECT,
    /// 39,973 TYPE_CHANGED"; empty when there are no more.
    pub fn rest(&self, shown: usize) -> String {
        let shown = shown.min(self.first.len());
        if self.total <= shown {
            return String::new();
        }
        let mut counts = self.by_kind.clone();
        for change in &self.first[..shown] {
            if let Some(n) = counts.get_mut(&change.kind) {
                *n -= 1;
            }
        }
        let mut counts: Vec<(ChangeKind, usize)> =
            counts.into_iter().filter(|&(_, n)| n > 0).collect();
        // Ties keep registry order, so the text is the same on every run.
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let kinds: Vec<String> = counts
            .iter()
            .map(|(kind, n)| format!("{} {}", thousands(*n), kind.id()))
            .collect();
        format!(
            "and {} more: {}",
            thousands(self.total - shown),
            kinds.join(", ")
        )
    }
}

/// What the version rules need to know of the changes between two schemas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Changes a reader of the new schema cannot read old data through.
    pub breaking: ChangeList,
    /// Changes to what payloads may hold: all but documentation.
    pub payload: ChangeList,
}

impl Summary {
    /// Classifies the changes from `old` to `new`, keeping only the summary.
    pub fn of(old: Side<'_>, new: Side<'_>, policy: Policy) -> Summary {
        let mut summary = Summary::default();
        classify_each(old, new, policy, |change| summary.push(change));
        summary
    }

    pub fn push(&mut self, change: Change) {
        if !change.backward {
            self.breaking.push(change.clone());
        }
        if !change.kind.is_documentation() {
            self.payload.push(change);
        }
    }

    /// The semver bump the changes need, as [`super::required_bump`] says.
    pub fn required_bump(&self) -> Bump {
        if self.payload.is_empty() {
            Bump::Patch
        } else if self.breaking.is_empty() {
            Bump::Minor
        } else {
            Bump::Major
        }
    }
}

/// `99973` as `99,973`: counts in messages are read, not parsed.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ChangeKind, backward: bool) -> Change {
        Change {
            kind,
            path: Vec::new(),
            old: None,
            new: None,
            detail: String::new(),
            backward,
            forward: false,
        }
    }

    #[test]
    fn a_long_list_keeps_the_first_changes_and_counts_the_rest_by_kind() {
        let mut list = ChangeList::default();
        for i in 0..100_000 {
            let kind = if i % 5 < 3 {
                ChangeKind::PropertyRemovedFromClosedObject
            } else {
                ChangeKind::TypeChanged
            };
            list.push(change(kind, false));
        }
        assert_eq!(list.len(), 100_000);
        assert_eq!(list.first().len(), SHOWN);
        // The first 12 hold 8 removals (i % 5 in 0..3) and 4 type changes.
        assert_eq!(
            list.rest(SHOWN),
            "and 99,988 more: 59,992 PROPERTY_REMOVED_FROM_CLOSED_OBJECT, 39,996 TYPE_CHANGED"
        );
        assert_eq!(
            list.rest(3),
            "and 99,997 more: 59,997 PROPERTY_REMOVED_FROM_CLOSED_OBJECT, 40,000 TYPE_CHANGED"
        );
    }

    #[test]
    fn a_short_list_has_no_rest() {
        let mut list = ChangeList::default();
        list.push(change(ChangeKind::TypeChanged, false));
        assert_eq!(list.rest(SHOWN), "");
        assert_eq!(list.rest(1), "");
        assert_eq!(list.rest(0), "and 1 more: 1 TYPE_CHANGED");
    }

    #[test]
    fn the_bump_follows_the_kinds_of_change() {
        let mut summary = Summary::default();
        assert_eq!(summary.required_bump(), Bump::Patch);
        summary.push(change(ChangeKind::DescriptionChanged, true));
        assert_eq!(summary.required_bump(), Bump::Patch);
        summary.push(change(ChangeKind::TypeWidened, true));
        assert_eq!(summary.required_bump(), Bump::Minor);
        summary.push(change(ChangeKind::TypeNarrowed, false));
        assert_eq!(summary.required_bump(), Bump::Major);
        assert_eq!(summary.breaking.len(), 1);
        assert_eq!(summary.payload.len(), 2);
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(99_973), "99,973");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
