//! Coverage: every breaking change of a major step is touched by one of its
//! upcast steps (a step on the changed property, on an object holding it, or
//! on a property inside it). A breaking change no step touches would reach
//! the new readers as old data they refuse.

use std::collections::HashSet;

use crate::check::evolution::Compared;
use crate::diagnostic::Diagnostic;
use crate::evolution::{classify_each, thousands, Change, ChangeList, Segment, Side};
use crate::model::{Model, UpcastStep};
use crate::rules::RuleId;
use crate::source::Place;
use crate::upcast::Path;

/// Uncovered changes named in the message; the related notes list the
/// first [`ChangeList`] keeps, and the message counts the rest by kind.
const MAX_NAMED: usize = 3;

/// One finding per upcast that leaves breaking changes untouched.
pub fn check(model: &Model, compared: &[Compared<'_>], out: &mut Vec<Diagnostic>) {
    for step in compared {
        if step.new_number.major <= step.old_number.major || step.changes.breaking.is_empty() {
            continue;
        }
        let Some(upcast) = &step.new.upcast else {
            continue; // UPCAST_MISSING
        };
        let custom = upcast.value.iter().any(|s| s.value == UpcastStep::Custom);
        if step.new.upcast_incomplete || custom || has_bad_step(out, upcast.place) {
            continue;
        }
        let touched = Touched::new(upcast.value.iter().flat_map(|s| touched(&s.value)));
        let uncovered = uncovered(model, step, &touched);
        if !uncovered.changes.is_empty() {
            out.push(finding(step, upcast.place, &uncovered));
        }
    }
}

/// The breaking changes no step touches, and whether some are inside arrays.
#[derive(Default)]
struct Uncovered {
    changes: ChangeList,
    in_arrays: bool,
    elsewhere: bool,
}

impl Uncovered {
    fn push(&mut self, touched: &Touched, change: Change) {
        if change.backward {
            return;
        }
        let path = payload_path(&change);
        if touched.covers(&path) {
            return;
        }
        if path.iter().any(|s| s == "*") {
            self.in_arrays = true;
        } else {
            self.elsewhere = true;
        }
        self.changes.push(change);
    }
}

/// The summary holds every breaking change when there are few; otherwise
/// they are classified again, one at a time, rather than kept.
fn uncovered(model: &Model, step: &Compared<'_>, touched: &Touched) -> Uncovered {
    let mut uncovered = Uncovered::default();
    let breaking = &step.changes.breaking;
    if breaking.first().len() == breaking.len() {
        for change in breaking.first() {
            uncovered.push(touched, change.clone());
        }
        return uncovered;
    }
    let side = |root| Side {
        types: &model.types,
        root,
    };
    classify_each(
        side(step.old.schema),
        side(step.new.schema),
        step.policy,
        |change| uncovered.push(touched, change),
    );
    uncovered
}

/// A step already reported as naming a wrong path: what it was meant to
/// cover is unknown, and a second finding would only repeat the first.
fn has_bad_step(found: &[Diagnostic], upcast: Place) -> bool {
    found.iter().any(|d| {
        matches!(d.rule, RuleId::UpcastPathUnknown | RuleId::InvalidValue)
            && d.place.file == upcast.file
            && upcast.span.start <= d.place.span.start
            && d.place.span.end <= upcast.span.end
    })
}

fn finding(step: &Compared<'_>, upcast: Place, uncovered: &Uncovered) -> Diagnostic {
    let changes = &uncovered.changes;
    let what = match changes.len() {
        1 => "a breaking change".to_owned(),
        n => format!("{} breaking changes", thousands(n)),
    };
    let mut named: Vec<String> = changes.first().iter().take(MAX_NAMED).map(name).collect();
    let rest = changes.rest(MAX_NAMED);
    if !rest.is_empty() {
        named.push(rest);
    }
    let mut diagnostic = Diagnostic::new(
        RuleId::UpcastUncovered,
        upcast,
        format!(
            "the upcast from {} to {} of `{}` leaves {what} untouched: {}",
            step.old_number,
            step.new_number,
            step.contract.name.value,
            named.join(", ")
        ),
    );
    for change in changes.first() {
        if let Some(place) = change.new.or(change.old) {
            diagnostic =
                diagnostic.related(place, format!("{}: {}", change.kind.id(), change.detail));
        }
    }
    const STEPS: &str = "add a step for it (`set` a value for a new required property, \
                         `rename`/`move` a moved one, `convert` a changed type, `drop` a \
                         removed one), or make the change compatible";
    const ARRAYS: &str = "declarative steps do not reach inside arrays: make the change \
                          compatible, or write the upcast as `custom: true`";
    let hint = match (uncovered.in_arrays, uncovered.elsewhere) {
        (true, false) => ARRAYS.to_owned(),
        (true, true) => format!("{STEPS}; {ARRAYS}"),
        _ => STEPS.to_owned(),
    };
    diagnostic.hint(hint)
}

/// A change by kind, payload path and detail.
fn name(change: &Change) -> String {
    let path = payload_path(change);
    let at = if path.is_empty() {
        "the payload".to_owned()
    } else {
        format!("`{}`", path.join("/"))
    };
    format!("{} at {at} ({})", change.kind.id(), change.detail)
}

/// The payload paths the steps touch, indexed: an upcast of many steps
/// against a change list of many changes would otherwise cost their product.
struct Touched {
    paths: Vec<Vec<String>>,
    exact: HashSet<Vec<String>>,
    /// Every prefix of a touched path, the empty one and the path included.
    prefixes: HashSet<Vec<String>>,
}

impl Touched {
    fn new(paths: impl Iterator<Item = Vec<String>>) -> Touched {
        let paths: Vec<Vec<String>> = paths.collect();
        let exact = paths.iter().cloned().collect();
        let prefixes = paths
            .iter()
            .flat_map(|p| (0..=p.len()).map(move |n| p[..n].to_vec()))
            .collect();
        Touched {
            paths,
            exact,
            prefixes,
        }
    }

    /// Whether a step is at, above or under the change's path.
    fn covers(&self, change: &[String]) -> bool {
        if change.iter().any(|s| s == "*") {
            // `*` matches any name: no index answers that.
            return self.paths.iter().any(|t| overlaps(t, change));
        }
        let above = (0..=change.len()).any(|n| self.exact.contains(&change[..n]));
        above || self.prefixes.contains(change)
    }
}

/// The payload properties a step reads or writes.
fn touched(step: &UpcastStep) -> Vec<Vec<String>> {
    let parse = |text: &str| Path::parse(text).ok();
    let paths = match step {
        UpcastStep::Rename { from, to } => {
            let from = parse(from);
            let to = from.as_ref().map(|f| f.sibling(to));
            vec![from, to]
        }
        UpcastStep::Move { from, to } => vec![parse(from), parse(to)],
        UpcastStep::Set { path, .. }
        | UpcastStep::Drop { path }
        | UpcastStep::Convert { path, .. } => {
            vec![parse(path)]
        }
        UpcastStep::Custom => Vec::new(),
    };
    paths
        .into_iter()
        .flatten()
        .map(|p| p.segments().to_vec())
        .collect()
}

/// The payload path of a change, array items as `*`.
fn payload_path(change: &Change) -> Vec<String> {
    change
        .path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Property(name) => Some(name.clone()),
            Segment::Items
            | Segment::AdditionalProperties
            | Segment::PrefixItem(_)
            | Segment::Contains => Some("*".to_owned()),
            _ => None,
        })
        .collect()
}

/// One path at or under the other. A `*` of the change (any item of an
/// array, any key of a map) matches whatever the step names there.
fn overlaps(step: &[String], change: &[String]) -> bool {
    step.iter().zip(change).all(|(s, c)| c == "*" || s == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<String> {
        text.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_index_answers_as_a_scan_of_every_step_would() {
        let touched = Touched::new([path("a/b"), path("c")].into_iter());
        let cases = [
            ("a/b", true),
            ("a", true),
            ("a/b/c", true),
            ("", true),
            ("c/d", true),
            ("a/x", false),
            ("d", false),
            ("*/b", true),
            ("*/x", true), // `c` is at the `*`
            ("x/*", false),
        ];
        for (change, covered) in cases {
            let change = path(change);
            assert_eq!(touched.covers(&change), covered, "{change:?}");
            let scanned = touched.paths.iter().any(|t| overlaps(t, &change));
            assert_eq!(scanned, covered, "{change:?}");
        }
    }
}
