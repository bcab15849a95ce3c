//! Folding: a finding that only follows from another (an upcast result that
//! fails because the upcast misses a change) is shown under it as a note, so
//! the root cause comes first and its echoes do not bury it.

use std::collections::HashMap;

use super::{Consequence, Diagnostic};
use crate::rules::RuleId;
use crate::source::Place;

/// Consequences shown under a finding; the others are counted.
pub const MAX_CONSEQUENCES: usize = 4;

/// Folds every finding into the one it [follows from](Diagnostic::follows_from),
/// keeping the others in their order. A finding whose cause was not
/// reported (its rule is off, its path ignored) or is quieter than itself
/// stays a finding of its own: an error is never hidden under a warning, so
/// folding cannot change the exit status.
pub fn fold(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.iter().all(|d| d.cause.is_none()) {
        return diagnostics;
    }
    let roots = roots(&diagnostics);
    let mut folded: Vec<Vec<Consequence>> = vec![Vec::new(); diagnostics.len()];
    for (i, root) in roots.iter().enumerate() {
        if let Some(root) = *root {
            let d = &diagnostics[i];
            folded[root].push(Consequence {
                rule: d.rule,
                level: d.level,
                place: d.place,
                message: d.message.clone(),
            });
        }
    }
    for (d, mut consequences) in diagnostics.iter_mut().zip(folded) {
        consequences
            .sort_by(|a, b| (a.place, a.rule, &a.message).cmp(&(b.place, b.rule, &b.message)));
        consequences.dedup();
        d.folded += consequences.len();
        consequences.truncate(MAX_CONSEQUENCES.saturating_sub(d.consequences.len()));
        d.consequences.extend(consequences);
    }
    let mut i = 0;
    diagnostics.retain(|_| {
        i += 1;
        roots[i - 1].is_none()
    });
    diagnostics
}

/// For each finding, the finding it folds into, if any: its cause, or its
/// cause's cause when that one folds too, each step to a finding at least
/// as loud. Causes that go round in a circle fold nothing.
fn roots(diagnostics: &[Diagnostic]) -> Vec<Option<usize>> {
    let mut by_place: HashMap<(RuleId, Place), Vec<usize>> = HashMap::new();
    for (i, d) in diagnostics.iter().enumerate() {
        by_place.entry((d.rule, d.place)).or_default().push(i);
    }
    let cause_of = |i: usize| -> Option<usize> {
        let cause = diagnostics[i].cause.as_ref()?;
        by_place
            .get(&(cause.rule, cause.place))?
            .iter()
            .copied()
            .find(|&j| j != i && diagnostics[j].message == cause.message)
    };
    (0..diagnostics.len())
        .map(|i| {
            let mut chain = vec![i];
            let mut at = i;
            while let Some(next) = cause_of(at) {
                if diagnostics[next].level < diagnostics[at].level {
                    break;
                }
                if chain.contains(&next) {
                    return None;
                }
                chain.push(next);
                at = next;
            }
            (at != i).then_some(at)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Level;
    use crate::source::{FileId, Pos, Span};

    fn at(line: u32) -> Place {
        Place {
            file: FileId(0),
            span: Span::point(Pos::new(line, 1)),
        }
    }

    fn finding(rule: RuleId, line: u32, message: &str) -> Diagnostic {
        Diagnostic::new(rule, at(line), message)
    }

    #[test]
    fn consequences_become_notes_on_their_root() {
        let root = finding(RuleId::UpcastUncovered, 30, "the upcast misses `channel`");
        let mut found = vec![root.clone()];
        for line in (10..17).rev() {
            found.push(
                finding(
                    RuleId::UpcastResultInvalid,
                    line,
                    &format!("example {line}"),
                )
                .follows_from(&root),
            );
        }
        let other = finding(RuleId::UpcastResultInvalid, 5, "an unrelated failure");
        found.push(other.clone());
        let folded = fold(found);
        assert_eq!(folded.len(), 2, "{folded:#?}");
        let root = &folded[0];
        assert_eq!(root.rule, RuleId::UpcastUncovered);
        assert_eq!(root.folded, 7);
        assert_eq!(root.more_consequences(), 3);
        let lines: Vec<u32> = root
            .consequences
            .iter()
            .map(|c| c.place.span.start.line)
            .collect();
        assert_eq!(lines, [10, 11, 12, 13], "in source order");
        assert_eq!(folded[1], other);
    }

    #[test]
    fn a_consequence_stays_when_its_root_is_not_reported() {
        let root = finding(RuleId::UpcastUncovered, 30, "the upcast misses `channel`");
        let dependent = finding(RuleId::UpcastResultInvalid, 10, "example").follows_from(&root);
        let folded = fold(vec![dependent.clone()]);
        assert_eq!(folded, [dependent]);
    }

    #[test]
    fn an_error_is_not_folded_under_a_warning() {
        let mut root = finding(RuleId::UpcastUncovered, 30, "the upcast misses `channel`");
        root.level = Level::Warn;
        let dependent = finding(RuleId::UpcastResultInvalid, 10, "example").follows_from(&root);
        let folded = fold(vec![root.clone(), dependent.clone()]);
        assert_eq!(folded, [root, dependent]);
    }

    #[test]
    fn a_chain_folds_into_its_first_finding_and_a_cycle_ends() {
        let a = finding(RuleId::UpcastPathUnknown, 30, "a");
        let b = finding(RuleId::UpcastUncovered, 20, "b").follows_from(&a);
        let c = finding(RuleId::UpcastResultInvalid, 10, "c").follows_from(&b);
        let folded = fold(vec![a.clone(), b.clone(), c]);
        assert_eq!(folded.len(), 1, "{folded:#?}");
        assert_eq!(folded[0].folded, 2);
        let x = finding(RuleId::UpcastResultInvalid, 1, "x");
        let y = finding(RuleId::UpcastResultInvalid, 2, "y").follows_from(&x);
        let x = x.follows_from(&y);
        let folded = fold(vec![x.clone(), y.clone()]);
        assert_eq!(folded, [x, y], "a cycle has no root");
    }
}
