//! Coverage: every breaking change of a major step is touched by one of its
//! upcast steps (a step on the changed property, on an object holding it, or
//! on a property inside it). A breaking change no step touches would reach
//! the new readers as old data they refuse.

use crate::check::evolution::Compared;
use crate::diagnostic::Diagnostic;
use crate::evolution::{Change, Segment};
use crate::model::UpcastStep;
use crate::rules::RuleId;
use crate::source::Place;
use crate::upcast::Path;

pub fn check(compared: &[Compared<'_>], out: &mut Vec<Diagnostic>) {
    for step in compared {
        if step.new_number.major <= step.old_number.major {
            continue;
        }
        let Some(upcast) = &step.new.upcast else {
            continue; // UPCAST_MISSING
        };
        let custom = upcast.value.iter().any(|s| s.value == UpcastStep::Custom);
        if step.new.upcast_incomplete || custom || has_bad_step(out, upcast.place) {
            continue;
        }
        let touched: Vec<Vec<String>> = upcast
            .value
            .iter()
            .flat_map(|s| touched(&s.value))
            .collect();
        for change in step.changes.iter().filter(|c| !c.backward) {
            let path = payload_path(change);
            if touched.iter().any(|t| overlaps(t, &path)) {
                continue;
            }
            out.push(uncovered(step, upcast.place, change, &path));
        }
    }
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

fn uncovered(step: &Compared<'_>, upcast: Place, change: &Change, path: &[String]) -> Diagnostic {
    let at = if path.is_empty() {
        "the payload".to_owned()
    } else {
        format!("`{}`", path.join("/"))
    };
    let mut diagnostic = Diagnostic::new(
        RuleId::UpcastUncovered,
        upcast,
        format!(
            "the upcast from {} to {} of `{}` leaves a breaking change untouched: {} at {at} ({})",
            step.old_number,
            step.new_number,
            step.contract.name.value,
            change.kind.id(),
            change.detail
        ),
    );
    if let Some(place) = change.new.or(change.old) {
        diagnostic = diagnostic.related(place, format!("{}: {}", change.kind.id(), change.detail));
    }
    let hint = if path.iter().any(|s| s == "*") {
        "declarative steps do not reach inside arrays: make the change compatible, or write the upcast as `custom: true`"
    } else {
        "add a step for it (`set` a value for a new required property, `rename`/`move` a moved one, \
         `convert` a changed type, `drop` a removed one), or make the change compatible"
    };
    diagnostic.hint(hint)
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
            Segment::Items | Segment::AdditionalProperties => Some("*".to_owned()),
            _ => None,
        })
        .collect()
}

/// One path at or under the other. A `*` of the change (any item of an
/// array, any key of a map) matches whatever the step names there.
fn overlaps(step: &[String], change: &[String]) -> bool {
    step.iter().zip(change).all(|(s, c)| c == "*" || s == c)
}
