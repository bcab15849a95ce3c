//! Upcast proofs: for each upcast, every step names properties that exist
//! (in the version it reads from, or the one it writes to), and the steps,
//! run on the examples of the previous major, yield payloads the new
//! version's schema accepts. Custom upcasts are Rust code: nothing to run.

mod coverage;
mod paths;
mod results;

use std::collections::BTreeSet;

use crate::check::evolution::Compared;
use crate::diagnostic::Diagnostic;
use crate::model::{Contract, Model, SchemaId, Spanned, UpcastStep, Version};
use crate::rules::RuleId;

/// One upcast: the version it reads from, and the version carrying it.
struct Step<'m> {
    contract: &'m Contract,
    from: &'m Version,
    from_version: &'m semver::Version,
    to: &'m Version,
    to_version: &'m semver::Version,
    steps: &'m [Spanned<UpcastStep>],
    /// The `upcast:` list itself.
    upcast: &'m Spanned<Vec<Spanned<UpcastStep>>>,
    /// The versions of its major up to the one it reads from: their
    /// examples are read as that one, so they go through it too.
    sources: Vec<(&'m Version, &'m semver::Version)>,
}

/// Paths first, then coverage, then the runs: a run that fails because a
/// step names a wrong path, or leaves a change untouched, is folded under
/// that finding, which says what to fix.
pub fn check(
    model: &Model,
    cyclic: &BTreeSet<SchemaId>,
    validators: &crate::model::Validators<'_>,
    compared: &[Compared<'_>],
    out: &mut Vec<Diagnostic>,
) {
    let runnable: Vec<Step<'_>> = steps(model, cyclic)
        .filter(|step| paths::check(model, step, out))
        .collect();
    coverage::check(model, compared, out);
    for step in &runnable {
        let roots: Vec<Diagnostic> = out
            .iter()
            .filter(|d| is_root_in(d, step))
            .cloned()
            .collect();
        results::check(validators, step, &roots, out);
    }
}

/// The declarative upcasts whose two versions can be checked.
fn steps<'m>(
    model: &'m Model,
    cyclic: &'m BTreeSet<SchemaId>,
) -> impl Iterator<Item = Step<'m>> + 'm {
    let usable = move |id: SchemaId| super::usable(model, cyclic, id);
    model.contracts.iter().flat_map(move |contract| {
        let listed: Vec<(&Version, &semver::Version)> = contract
            .versions
            .iter()
            .filter_map(|v| v.version.as_ref().map(|n| (v, n)))
            .collect();
        let mut found = Vec::new();
        for (i, &(to, to_version)) in listed.iter().enumerate().skip(1) {
            let Some(upcast) = &to.upcast else {
                continue;
            };
            let custom = upcast.value.iter().any(|s| s.value == UpcastStep::Custom);
            if custom || to.upcast_incomplete {
                continue;
            }
            let (from, from_version) = listed[i - 1];
            if !usable(from.schema) || !usable(to.schema) {
                continue;
            }
            let sources = listed[..i]
                .iter()
                .filter(|(v, n)| n.major == from_version.major && usable(v.schema))
                .copied()
                .collect();
            found.push(Step {
                contract,
                from,
                from_version,
                to,
                to_version,
                steps: &upcast.value,
                upcast,
                sources,
            });
        }
        found
    })
}

/// A finding about the upcast itself, which its failed runs follow from.
fn is_root_in(d: &Diagnostic, step: &Step<'_>) -> bool {
    let upcast = step.upcast.place;
    matches!(d.rule, RuleId::UpcastPathUnknown | RuleId::UpcastUncovered)
        && d.place.file == upcast.file
        && upcast.span.start <= d.place.span.start
        && d.place.span.end <= upcast.span.end
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::{Input, Inputs};

    /// A contract whose 2.0.0 upcasts from 1.0.0; `old` and `new` are the
    /// `properties` of each, `steps` the upcast, `example` the 1.0.0 example.
    fn lint(old: &str, new: &str, steps: &str, example: &str) -> Vec<String> {
        diagnostics(old, new, steps, example)
            .iter()
            .map(|d| format!("{} {}", d.rule, d.message))
            .collect()
    }

    fn diagnostics(
        old: &str,
        new: &str,
        steps: &str,
        example: &str,
    ) -> Vec<crate::diagnostic::Diagnostic> {
        let text = format!(
            "event: ThingHappened\nnamespace: com.example.things\ndescription: A thing.\n\
             versions:\n  - version: 1.0.0\n    schema:\n      type: object\n      \
             properties: {old}\n    examples:\n      - {example}\n  - version: 2.0.0\n    \
             schema:\n      type: object\n      properties: {new}\n    upcast: {steps}\n"
        );
        let inputs = Inputs {
            contracts: vec![Input::new("thing_happened.yaml", text)],
            config: None,
        };
        let lint = crate::lint_inputs(inputs, Path::new("."));
        lint.diagnostics
            .into_iter()
            .filter(|d| d.rule != crate::rules::RuleId::ExamplesMissing)
            .collect()
    }

    fn clean(old: &str, new: &str, steps: &str, example: &str) {
        let found = lint(old, new, steps, example);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn paths_are_found_through_all_of_unions_and_maps() {
        let old = "{ a: { allOf: [ { type: object, properties: { b: { type: string } } } ] }, \
                   m: { type: object, additionalProperties: { type: object, properties: { x: { type: integer } } } }, \
                   u: { oneOf: [ { type: string }, { type: object, properties: { c: { type: integer } } } ] }, \
                   f: { type: object } }";
        let new = "{ b: { type: string }, m: { type: object }, u: {}, f: {} }";
        let steps = "[ { move: { a/b: b } }, { drop: [ a, m/any/x, u/c, f/free ] } ]";
        clean(old, new, steps, "{ a: { b: x } }");
    }

    #[test]
    fn a_path_under_an_earlier_destination_is_read_from_the_new_version() {
        let old = "{ total: { type: number } }";
        let new = "{ total: { type: object, properties: { amount: { type: string } } } }";
        let steps = "[ { move: { total: total/amount } }, { convert: { total/amount: string } } ]";
        clean(old, new, steps, "{ total: 5 }");
    }

    #[test]
    fn unknown_paths_in_closed_or_scalar_schemas_are_reported() {
        let old = "{ a: { type: string }, o: { type: object, additionalProperties: false } }";
        let new = "{ a: { type: string } }";
        let found = lint(old, new, "[ { drop: [ a/b, o/c, zz ] } ]", "{ a: x }");
        let unknown: Vec<&String> = found
            .iter()
            .filter(|f| f.starts_with("UPCAST_PATH_UNKNOWN"))
            .collect();
        assert_eq!(unknown.len(), 3, "{found:#?}");
        assert!(
            unknown[0].contains("no property `b` under `a`"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_custom_upcast_is_not_run() {
        let old = "{ a: { type: string } }";
        let new = "{ a: { type: integer } }";
        let found = lint(old, new, "[ { custom: true } ]", "{ a: x }");
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn an_invalid_example_is_not_upcast() {
        let old = "{ a: { type: string } }";
        let new = "{ a: { type: integer } }";
        let found = lint(old, new, "[ { convert: { a: integer } } ]", "{ a: [1] }");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("EXAMPLE_INVALID"), "{found:#?}");
    }

    #[test]
    fn a_result_that_breaks_the_new_schema_is_reported_with_the_pointer() {
        let old = "{ a: { type: string } }";
        let new = "{ a: { type: integer, minimum: 10 } }";
        let found = lint(old, new, "[ { convert: { a: integer } } ]", "{ a: '3' }");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("UPCAST_RESULT_INVALID this example of `ThingHappened` 1.0.0, upcast to 2.0.0, does not match 2.0.0 at `/a`"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_run_that_fails_for_an_uncovered_change_is_folded_under_it() {
        let old = "{ a: { type: string } }\n      additionalProperties: false";
        let new = "{ a: { type: string }, b: { type: string } }\n      required: [b]\n      additionalProperties: false";
        let found = diagnostics(old, new, "[ { drop: [ zz/never ] } ]", "{ a: x }");
        let rules: Vec<String> = found.iter().map(|d| d.rule.to_string()).collect();
        // The wrong path is the root here: coverage says nothing more.
        assert_eq!(rules, ["UPCAST_PATH_UNKNOWN"], "{found:#?}");
        assert_eq!(found[0].folded, 1, "{found:#?}");

        let found = diagnostics(old, new, "[ { convert: { a: string } } ]", "{ a: x }");
        assert_eq!(found.len(), 1, "{found:#?}");
        let root = &found[0];
        assert_eq!(root.rule, crate::rules::RuleId::UpcastUncovered);
        assert!(
            root.message.ends_with(
                "leaves a breaking change untouched: REQUIRED_ADDED at `b` (`b` became required)"
            ),
            "{root:#?}"
        );
        assert_eq!(root.consequences.len(), 1, "{root:#?}");
        let consequence = &root.consequences[0];
        assert_eq!(consequence.rule, crate::rules::RuleId::UpcastResultInvalid);
        assert!(consequence.message.contains("\"b\" is a required property"));
    }

    #[test]
    fn uncovered_changes_are_one_finding_per_upcast_with_the_rest_counted() {
        let names = |ty: &str| -> String {
            let list: Vec<String> = (0..20).map(|i| format!("p{i}: {{ type: {ty} }}")).collect();
            format!("{{ {}, keep: {{ type: string }} }}", list.join(", "))
        };
        let found = lint(
            &names("string"),
            &names("integer"),
            "[ { set: { keep: k } } ]",
            "{ keep: k }",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with(
                "UPCAST_UNCOVERED the upcast from 1.0.0 to 2.0.0 of `ThingHappened` leaves \
                 20 breaking changes untouched: TYPE_CHANGED at `p0` (type changed from string to integer), \
                 TYPE_CHANGED at `p1`"
            ),
            "{found:#?}"
        );
        assert!(
            found[0].ends_with(", and 17 more: 17 TYPE_CHANGED"),
            "{found:#?}"
        );
    }

    #[test]
    fn thousands_of_changes_and_failed_runs_are_one_finding_of_bounded_size() {
        const N: usize = 5_000;
        let names = |ty: &str| -> String {
            let list: Vec<String> = (0..N).map(|i| format!("p{i}: {{ type: {ty} }}")).collect();
            format!("{{ {} }}", list.join(", "))
        };
        let example: Vec<String> = (0..N).map(|i| format!("p{i}: x")).collect();
        let example = format!("{{ {} }}", example.join(", "));
        let found = diagnostics(
            &names("string"),
            &names("integer"),
            "[ { drop: [ p0 ] } ]",
            &example,
        );
        assert_eq!(found.len(), 1, "{:#?}", &found[..found.len().min(3)]);
        let root = &found[0];
        assert!(
            root.message
                .ends_with(", and 4,996 more: 4,996 TYPE_CHANGED"),
            "{}",
            root.message
        );
        assert!(root.message.len() < 600, "{}", root.message);
        // The first changes, each at its place.
        assert_eq!(root.related.len(), 12);
        // Every other field of the example fails to validate after the upcast.
        assert_eq!(root.folded, N - 1);
        assert_eq!(root.consequences.len(), crate::diagnostic::MAX_CONSEQUENCES);
    }
}
