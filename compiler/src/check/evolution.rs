//! Semver rules: the bump between two versions matches the change between
//! their payload schemas. A patch changes documentation only; a minor is
//! backward compatible with every older version of its major (its readers
//! read all their data); anything else is a new major.

mod readers;

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::evolution::shape::Shapes;
use crate::evolution::{Change, ChangeList, OpenObjects, Policy, Side, Summary};
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
    /// Where `new` is among the contract's comparable versions.
    pub index: usize,
    /// The open-object policy of the contract's form.
    pub policy: Policy,
    pub changes: Summary,
}

/// Each version against the one listed before it.
pub fn neighbours<'m>(
    model: &'m Model,
    cyclic: &BTreeSet<SchemaId>,
    open_objects: OpenObjects,
) -> Vec<Compared<'m>> {
    let mut out = Vec::new();
    for contract in &model.contracts {
        let policy = open_objects.of(contract.form);
        let listed = listed(model, cyclic, contract);
        for (index, pair) in listed.windows(2).enumerate() {
            let ((old, old_number), (new, new_number)) = (pair[0], pair[1]);
            if new_number <= old_number {
                continue; // VERSION_NOT_INCREASING says so already.
            }
            let mut step = compare(
                model,
                contract,
                (old, old_number),
                (new, new_number),
                policy,
            );
            step.index = index + 1;
            out.push(step);
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
        index: 0,
        policy,
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
    out: &mut Vec<Diagnostic>,
) {
    let mut shapes = Shapes::new(&model.types);
    let mut readers: Option<readers::Readers<'_>> = None;
    for step in compared {
        if let Some(finding) = bump_finding(step) {
            out.push(finding);
            continue;
        }
        if bump(step.old_number, step.new_number) == Bump::Major {
            continue;
        }
        if readers
            .as_ref()
            .is_none_or(|r| !std::ptr::eq(r.contract, step.contract))
        {
            readers = Some(readers::Readers::new(
                model,
                cyclic,
                step.contract,
                step.policy,
                &mut shapes,
            ));
        }
        if let Some(finding) = readers.as_mut().and_then(|r| older_of_major(r, step)) {
            out.push(finding);
        }
    }
}

/// A bump too small for the changes since the version before, or a major
/// none of them needs; `None` for a fitting minor or patch, whose readers
/// are still to be checked against every older version of its major.
fn bump_finding(step: &Compared<'_>) -> Option<Diagnostic> {
    let given = bump(step.old_number, step.new_number);
    let needed = step.changes.required_bump();
    if needed > given {
        Some(too_small(step, given, needed))
    } else if given == Bump::Major && needed < Bump::Major {
        Some(unneeded_major(step, needed))
    } else {
        None
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
/// major than the one right before it. Only the first such version is
/// reported, so only it is compared in full.
fn older_of_major(readers: &mut readers::Readers<'_>, step: &Compared<'_>) -> Option<Diagnostic> {
    let older = readers.first_unreadable(step.index)?;
    let (version, number) = readers.listed(older);
    let side = |root| Side {
        types: readers.types(),
        root,
    };
    let changes = Summary::of(side(version.schema), side(step.new.schema), step.policy);
    unreadable(step, version, number, &changes.breaking)
}

/// The finding for a minor whose readers cannot read `version`.
fn unreadable(
    step: &Compared<'_>,
    version: &Version,
    number: &semver::Version,
    breaking: &ChangeList,
) -> Option<Diagnostic> {
    if breaking.is_empty() {
        return None;
    }
    let message = format!(
        "version {} of `{}` cannot read data of {}, an older version of its major: {}{}",
        step.new_number,
        step.contract.name.value,
        number,
        count(breaking.len(), "breaking change"),
        named(breaking),
    );
    let diagnostic = Diagnostic::new(RuleId::VersionBumpTooSmall, step.new.version_place, message)
        .related(
            version.version_place,
            format!("{number} is read by {} readers too", step.new_number),
        );
    Some(notes(diagnostic, breaking).hint(format!(
        "a minor reads every older version of its major; release it as {}.0.0 with an `upcast`",
        step.new_number.major + 1
    )))
}

/// The rule as defined, comparing each minor with every older version of
/// its major: the reference the grouped search must agree with.
#[cfg(test)]
fn every_older(
    model: &Model,
    cyclic: &BTreeSet<SchemaId>,
    step: &Compared<'_>,
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
            step.policy,
        );
        if let Some(finding) = unreadable(step, version, number, &compared.changes.breaking) {
            return Some(finding);
        }
    }
    None
}

/// [`check`] with [`every_older`].
#[cfg(test)]
fn check_every_older(
    model: &Model,
    cyclic: &BTreeSet<SchemaId>,
    compared: &[Compared<'_>],
    out: &mut Vec<Diagnostic>,
) {
    for step in compared {
        if let Some(finding) = bump_finding(step) {
            out.push(finding);
        } else if bump(step.old_number, step.new_number) != Bump::Major {
            if let Some(finding) = every_older(model, cyclic, step) {
                out.push(finding);
            }
        }
    }
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
        findings(vec![Input::new("thing_happened.yaml", text)], config)
    }

    /// `RULE message` of each finding but EXAMPLES_MISSING in a root of
    /// `contracts`, under an optional `evc.yaml`.
    fn findings(contracts: Vec<Input>, config: Option<&str>) -> Vec<String> {
        let inputs = Inputs {
            contracts,
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

    /// The same two versions as `x-evc` JSON Schema files.
    fn lint_schema_files(config: Option<&str>) -> Vec<String> {
        let file = |version: &str, properties: &str| {
            format!(
                r#"{{"x-evc": {{"kind": "event", "name": "ThingHappened",
                "namespace": "com.example.things", "description": "A thing.",
                "version": "{version}"}}, "type": "object", "properties": {properties}}}"#
            )
        };
        let contracts = vec![
            Input::new(
                "thing.v1.json",
                file("1.0.0", r#"{"a": {"type": "string"}}"#),
            ),
            Input::new(
                "thing.v1_1.json",
                file(
                    "1.1.0",
                    r#"{"a": {"type": "string"}, "b": {"type": "integer"}}"#,
                ),
            ),
        ];
        findings(contracts, config)
    }

    #[test]
    fn json_schema_files_judge_open_objects_strictly_by_default() {
        let default = lint_schema_files(None);
        assert_eq!(default.len(), 1, "{default:#?}");
        assert!(
            default[0].starts_with("VERSION_BUMP_TOO_SMALL")
                && default[0].contains("PROPERTY_ADDED_TO_OPEN_OBJECT at `b`"),
            "{default:#?}"
        );
        let versions = [
            version("1.0.0", "{ a: { type: string } }", ""),
            version("1.1.0", "{ a: { type: string }, b: { type: integer } }", ""),
        ]
        .concat();
        assert!(lint(&versions, None).is_empty());
        for lenient in [
            "version: v1\nevolution: { open_objects: lenient }\n",
            "version: v1\nevolution: { open_objects: { schema_files: lenient } }\n",
        ] {
            assert!(lint_schema_files(Some(lenient)).is_empty(), "{lenient}");
        }
        let contract_files_strict =
            "version: v1\nevolution: { open_objects: { contract_files: strict } }\n";
        assert_eq!(lint(&versions, Some(contract_files_strict)).len(), 1);
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
    #[test]
    fn a_minor_that_cannot_read_an_older_minor_names_the_first() {
        let versions = [
            version("1.0.0", "{ a: { type: string } }", ""),
            version("1.1.0", "{ b: { type: string } }", ""),
            version("1.2.0", "{ b: { type: string } }", ""),
            version("1.3.0", "{ a: { type: integer } }", ""),
        ]
        .concat();
        let found = lint(&versions, None);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with(
                "VERSION_BUMP_TOO_SMALL version 1.3.0 of `ThingHappened` cannot read data of 1.0.0"
            ),
            "{found:#?}"
        );
        assert!(found[0].contains("TYPE_CHANGED at `a`"), "{found:#?}");
    }
}

/// The grouped search for unreadable older versions against the reference
/// that compares every pair, on random version chains.
#[cfg(test)]
mod agreement {
    use std::path::Path;

    use proptest::prelude::*;

    use crate::diagnostic::Diagnostic;
    use crate::load::{Input, Inputs};

    const DEFS: &str = "$defs:\n  Code: { type: string, maxLength: 3 }\n  \
                        Pair: { type: object, properties: { x: { type: integer } } }\n";

    /// Property schemas to draw from: each pair of them is some change.
    const PROPERTIES: &[&str] = &[
        "{ type: string }",
        "{ type: string, maxLength: 5 }",
        "{ type: string, maxLength: 9 }",
        "{ type: string, description: Documented. }",
        "{ type: integer }",
        "{ type: integer, default: 1 }",
        "{ type: number }",
        "{ type: string, enum: [x, y] }",
        "{ type: string, enum: [x] }",
        "{ $ref: '../common/defs.yaml#/$defs/Code' }",
        "{ $ref: '../common/defs.yaml#/$defs/Pair' }",
        "{ type: object, properties: { x: { type: integer } } }",
        "{ type: object, additionalProperties: false, properties: { x: { type: string } } }",
        "{ type: object, additionalProperties: { type: string } }",
        "{ type: array, items: { type: string } }",
        "{ oneOf: [ { type: string }, { type: integer } ] }",
    ];

    const NAMES: &[&str] = &["a", "b", "c", "d"];

    const EXTRAS: &[&str] = &[
        "",
        "      additionalProperties: false\n",
        "      additionalProperties: { type: integer }\n",
    ];

    /// One version's schema: per name, absent or one of [`PROPERTIES`], and
    /// whether it is required; the root's `additionalProperties`; and, now
    /// and then, a root that is not a plain object.
    fn schema() -> impl Strategy<Value = String> {
        let member = (
            prop::option::weighted(0.6, 0..PROPERTIES.len()),
            prop::bool::weighted(0.3),
        );
        (
            prop::collection::vec(member, NAMES.len()),
            0..EXTRAS.len(),
            0..20usize,
        )
            .prop_map(|(members, extra, root)| match root {
                0 => "      type: string\n".to_owned(),
                1 => "      oneOf: [ { type: object }, { type: string } ]\n".to_owned(),
                _ => object(&members, EXTRAS[extra]),
            })
    }

    fn object(members: &[(Option<usize>, bool)], extra: &str) -> String {
        let properties: Vec<String> = NAMES
            .iter()
            .zip(members)
            .filter_map(|(name, (p, _))| p.map(|p| format!("{name}: {}", PROPERTIES[p])))
            .collect();
        let required: Vec<&str> = NAMES
            .iter()
            .zip(members)
            .filter(|(_, (_, r))| *r)
            .map(|(name, _)| *name)
            .collect();
        format!(
            "      type: object\n      properties: {{ {} }}\n      required: [{}]\n{extra}",
            properties.join(", "),
            required.join(", ")
        )
    }

    /// Version numbers, mostly minors and patches so that readers of a
    /// major have older versions to read; sometimes out of order.
    fn numbers(steps: &[u8]) -> Vec<String> {
        let (mut major, mut minor, mut patch) = (1u64, 0u64, 0u64);
        let mut out = vec!["1.0.0".to_owned()];
        for step in steps {
            match step {
                0..=3 => (minor, patch) = (minor + 1, 0),
                4..=5 => patch += 1,
                6 => (major, minor, patch) = (major + 1, 0, 0),
                7 => {}
                _ => minor = minor.saturating_sub(2),
            }
            out.push(format!("{major}.{minor}.{patch}"));
        }
        out
    }

    fn findings(text: &str, strict: bool, every_older: bool) -> Vec<Diagnostic> {
        let config = if strict { "strict" } else { "lenient" };
        let inputs = Inputs {
            contracts: vec![
                Input::new("common/defs.yaml", DEFS),
                Input::new("contracts/thing.yaml", text.to_owned()),
            ],
            config: Some(Input::new(
                "evc.yaml",
                format!("version: v1\nevolution: {{ open_objects: {config} }}\n"),
            )),
        };
        let loaded = crate::load::load(inputs, Path::new("."));
        let (config, _) = crate::config::Config::from_document(loaded.config.as_ref());
        let (model, _) = crate::model::build(&loaded.sources, loaded.documents, &config.refs);
        let cyclic = crate::check::references::check(&model, &mut Vec::new());
        let compared = super::neighbours(&model, &cyclic, config.evolution);
        let mut out = Vec::new();
        if every_older {
            super::check_every_older(&model, &cyclic, &compared, &mut out);
        } else {
            super::check(&model, &cyclic, &compared, &mut out);
        }
        out
    }

    fn contract(numbers: &[String], schemas: &[String]) -> String {
        let mut text = String::from(
            "event: ThingHappened\nnamespace: com.example.things\ndescription: A thing.\nversions:\n",
        );
        for (number, schema) in numbers.iter().zip(schemas) {
            text.push_str(&format!("  - version: {number}\n    schema:\n{schema}"));
            if number.ends_with(".0.0") && number != "1.0.0" {
                text.push_str("    upcast: [ { custom: true } ]\n");
            }
        }
        text
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn grouped_search_agrees_with_every_older(
            steps in prop::collection::vec(0u8..10, 1..14),
            schemas in prop::collection::vec(schema(), 14),
            strict in any::<bool>(),
        ) {
            let text = contract(&numbers(&steps), &schemas);
            let fast = findings(&text, strict, false);
            let reference = findings(&text, strict, true);
            prop_assert_eq!(fast, reference, "{}", text);
        }
    }

    /// The generator reaches the rule: a chain where only an older version
    /// is unreadable is found by both searches.
    #[test]
    fn the_generated_shape_reaches_the_rule() {
        let schemas: Vec<String> = [Some(0), None, None, Some(4)]
            .iter()
            .map(|a| {
                object(
                    &[(*a, false), (Some(1), false), (None, false), (None, false)],
                    "",
                )
            })
            .collect();
        let text = contract(&numbers(&[0, 0, 0]), &schemas);
        let fast = findings(&text, false, false);
        assert_eq!(fast.len(), 1, "{fast:#?}");
        assert!(
            fast[0].message.contains("cannot read data of 1.0.0"),
            "{fast:#?}"
        );
        assert_eq!(fast, findings(&text, false, true));
    }
}
