//! Semver rules: the bump between two versions matches the change between
//! their payload schemas. A patch changes documentation only; a minor is
//! backward compatible with every older version of its major (its readers
//! read all their data); anything else is a new major.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::evolution::{Change, ChangeList, Policy, Side, Summary};
use crate::model::{Contract, Model, SchemaId, Version};
use crate::rules::{Bump, RuleId};

/// Changes named in a finding's message; its related notes list the first
/// [`ChangeList`] keeps.
const MAX_NAMED: usize = 3;

/// Two versions of one contract, with the changes between them summarised.
pub struct Compared<'m> {
    pub contract: &'m Contract,
    pub old: &'m Version,
    pub new: &'m Version,
    pub old_number: &'m semver::Version,
    pub new_number: &'m semver::Version,
    pub changes: Summary,
}

/// Each version against the one listed before it.
pub fn neighbours<'m>(
    model: &'m Model,
    cyclic: &BTreeSet<SchemaId>,
    policy: Policy,
) -> Vec<Compared<'m>> {
    let mut out = Vec::new();
    for contract in &model.contracts {
        let listed = listed(model, cyclic, contract);
        for pair in listed.windows(2) {
            let ((old, old_number), (new, new_number)) = (pair[0], pair[1]);
            if new_number <= old_number {
                continue; // VERSION_NOT_INCREASING says so already.
            }
            out.push(compare(
                model,
                contract,
                (old, old_number),
                (new, new_number),
                policy,
            ));
        }
    }
    out
}

/// The versions that parse and whose schemas can be compared.
fn listed<'m>(
    model: &'m Model,
    cyclic: &BTreeSet<SchemaId>,
    contract: &'m Contract,
) -> Vec<(&'m Version, &'m semver::Version)> {
    contract
        .versions
        .iter()
        .filter(|v| super::usable(model, cyclic, v.schema))
        .filter_map(|v| v.version.as_ref().map(|n| (v, n)))
        .collect()
}

fn compare<'m>(
    model: &'m Model,
    contract: &'m Contract,
    (old, old_number): (&'m Version, &'m semver::Version),
    (new, new_number): (&'m Version, &'m semver::Version),
    policy: Policy,
) -> Compared<'m> {
    let side = |root| Side {
        types: &model.types,
        root,
    };
    Compared {
        contract,
        old,
        new,
        old_number,
        new_number,
        changes: Summary::of(side(old.schema), side(new.schema), policy),
    }
}

/// The bump from `old` to `new`.
fn bump(old: &semver::Version, new: &semver::Version) -> Bump {
    if new.major > old.major {
        Bump::Major
    } else if new.minor > old.minor {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

pub fn check(
    model: &Model,
    cyclic: &BTreeSet<SchemaId>,
    compared: &[Compared<'_>],
    policy: Policy,
    out: &mut Vec<Diagnostic>,
) {
    for step in compared {
        let given = bump(step.old_number, step.new_number);
        let needed = step.changes.required_bump();
        if needed > given {
            out.push(too_small(step, given, needed));
        } else if given == Bump::Major && needed < Bump::Major {
            out.push(unneeded_major(step, needed));
        } else if given == Bump::Minor || given == Bump::Patch {
            // A minor's readers read every older version of its major, not
            // only the one before it.
            if let Some(finding) = older_of_major(model, cyclic, step, policy) {
                out.push(finding);
            }
        }
    }
}

fn too_small(step: &Compared<'_>, given: Bump, needed: Bump) -> Diagnostic {
    let relevant = match needed {
        Bump::Major => &step.changes.breaking,
        _ => &step.changes.payload,
    };
    let what = match needed {
        Bump::Major => "breaking",
        _ => "payload",
    };
    let message = format!(
        "version {} of `{}` is a {} bump but requires a new {}: {} since {}{}",
        step.new_number,
        step.contract.name.value,
        bump_name(given),
        bump_name(needed),
        count(relevant.len(), &format!("{what} change")),
        step.old_number,
        named(relevant),
    );
    let hint = match needed {
        Bump::Major => format!(
            "release it as {}.0.0 with an `upcast` from {}, or make the changes compatible \
             (a new required property needs a `default`)",
            step.old_number.major + 1,
            step.old_number
        ),
        _ => format!(
            "release it as {}.{}.0: a patch changes documentation only",
            step.old_number.major,
            step.old_number.minor + 1
        ),
    };
    notes(
        Diagnostic::new(RuleId::VersionBumpTooSmall, step.new.version_place, message),
        relevant,
    )
    .hint(hint)
}

fn unneeded_major(step: &Compared<'_>, needed: Bump) -> Diagnostic {
    let suggestion = match needed {
        Bump::Minor => format!("{}.{}.0", step.old_number.major, step.old_number.minor + 1),
        _ => format!(
            "{}.{}.{}",
            step.old_number.major,
            step.old_number.minor,
            step.old_number.patch + 1
        ),
    };
    Diagnostic::new(
        RuleId::VersionBumpUnneeded,
        step.new.version_place,
        format!(
            "version {} of `{}` is a new major, but every change since {} is backward compatible",
            step.new_number, step.contract.name.value, step.old_number
        ),
    )
    .hint(format!(
        "{suggestion} would do: a new major makes every consumer upcast and subscribe to a new wire type"
    ))
}

/// A minor or patch whose readers cannot read an older version of its
/// major than the one right before it.
fn older_of_major(
    model: &Model,
    cyclic: &BTreeSet<SchemaId>,
    step: &Compared<'_>,
    policy: Policy,
) -> Option<Diagnostic> {
    let older = listed(model, cyclic, step.contract)
        .into_iter()
        .filter(|(_, n)| n.major == step.new_number.major && *n < step.old_number);
    for (version, number) in older {
        let compared = compare(
            model,
            step.contract,
            (version, number),
            (step.new, step.new_number),
            policy,
        );
        let breaking = &compared.changes.breaking;
        if breaking.is_empty() {
            continue;
        }
        let message = format!(
            "version {} of `{}` cannot read data of {}, an older version of its major: {}{}",
            step.new_number,
            step.contract.name.value,
            number,
            count(breaking.len(), "breaking change"),
            named(breaking),
        );
        let diagnostic =
            Diagnostic::new(RuleId::VersionBumpTooSmall, step.new.version_place, message).related(
                version.version_place,
                format!("{number} is read by {} readers too", step.new_number),
            );
        return Some(notes(diagnostic, breaking).hint(format!(
            "a minor reads every older version of its major; release it as {}.0.0 with an `upcast`",
            step.new_number.major + 1
        )));
    }
    None
}

fn notes(mut diagnostic: Diagnostic, changes: &ChangeList) -> Diagnostic {
    for change in changes.first() {
        if let Some(place) = change.new.or(change.old) {
            diagnostic =
                diagnostic.related(place, format!("{}: {}", change.kind.id(), change.detail));
        }
    }
    diagnostic
}

/// The first changes by kind and path, the others counted by kind, for
/// formats that show one line.
fn named(changes: &ChangeList) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let mut names: Vec<String> = changes.first().iter().take(MAX_NAMED).map(name).collect();
    let rest = changes.rest(MAX_NAMED);
    if !rest.is_empty() {
        names.push(rest);
    }
    format!(" ({})", names.join(", "))
}

fn name(change: &Change) -> String {
    match change.instance_path().as_str() {
        "" => change.kind.id().to_owned(),
        path => format!("{} at `{path}`", change.kind.id()),
    }
}

fn count(n: usize, noun: &str) -> String {
    let n = crate::evolution::thousands(n);
    if n == "1" {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn bump_name(bump: Bump) -> &'static str {
    match bump {
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::{Input, Inputs};

    /// Findings of the version rules for a contract with `versions` (YAML
    /// list items), under an optional `evc.yaml`.
    fn lint(versions: &str, config: Option<&str>) -> Vec<String> {
        let text = format!(
            "event: ThingHappened\nnamespace: com.example.things\ndescription: A thing.\n\
             versions:\n{versions}"
        );
        let inputs = Inputs {
            contracts: vec![Input::new("thing_happened.yaml", text)],
            config: config.map(|c| Input::new("evc.yaml", c.to_owned())),
        };
        let lint = crate::lint_inputs(inputs, Path::new("."));
        lint.diagnostics
            .iter()
            .filter(|d| d.rule != crate::rules::RuleId::ExamplesMissing)
            .map(|d| format!("{} {}", d.rule, d.message))
            .collect()
    }

    fn version(number: &str, properties: &str, extra: &str) -> String {
        format!(
            "  - version: {number}\n    schema:\n      type: object\n      \
             properties: {properties}\n{extra}"
        )
    }

    #[test]
    fn a_compatible_minor_and_a_documentation_patch_are_clean() {
        let versions = [
            version("1.0.0", "{ a: { type: string } }", ""),
            version(
                "1.0.1",
                "{ a: { type: string, description: Now documented. } }",
                "",
            ),
            version("1.1.0", "{ a: { type: string }, b: { type: integer } }", ""),
        ]
        .concat();
        assert_eq!(lint(&versions, None), Vec::<String>::new());
    }

    #[test]
    fn the_open_object_policy_decides_an_added_optional_property() {
        let versions = [
            version("1.0.0", "{ a: { type: string } }", ""),
            version("1.1.0", "{ a: { type: string }, b: { type: integer } }", ""),
        ]
        .concat();
        assert!(lint(
            &versions,
            Some("version: v1\nevolution: { open_objects: lenient }\n")
        )
        .is_empty());
        let strict = lint(
            &versions,
            Some("version: v1\nevolution: { open_objects: strict }\n"),
        );
        assert_eq!(strict.len(), 1, "{strict:#?}");
        assert!(
            strict[0].starts_with("VERSION_BUMP_TOO_SMALL"),
            "{strict:#?}"
        );
        assert!(
            strict[0].contains("PROPERTY_ADDED_TO_OPEN_OBJECT at `b`"),
            "{strict:#?}"
        );
    }

    #[test]
    fn a_major_of_compatible_changes_is_a_warning() {
        let versions = [
            version("1.0.0", "{ a: { type: string } }", ""),
            version(
                "2.0.0",
                "{ a: { type: string }, b: { type: integer } }",
                "    upcast:\n      - set: { b: 1 }\n",
            ),
        ]
        .concat();
        let found = lint(&versions, None);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("VERSION_BUMP_UNNEEDED"), "{found:#?}");
        assert!(found[0].contains("every change since 1.0.0 is backward compatible"));
    }

    #[test]
    fn a_required_property_with_a_default_is_a_minor() {
        let versions = [
            version("1.0.0", "{ a: { type: string } }", ""),
            version(
                "1.1.0",
                "{ a: { type: string }, b: { type: integer, default: 0 } }\n      required: [b]",
                "",
            ),
        ]
        .concat();
        assert_eq!(lint(&versions, None), Vec::<String>::new());
    }
}
