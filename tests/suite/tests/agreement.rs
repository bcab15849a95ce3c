//! Every test of every suite case evc compiles: the generated type's
//! verdict (decode = valid) against the `jsonschema` crate's, with formats
//! asserted. Prints the agreement; every disagreement must be one of the
//! documented deviations in docs/rust.md.

use std::collections::BTreeMap;
use std::path::Path;

use evc_suite_tests::{Take, CASES};
use serde_json::Value;

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/json-schema-test-suite/draft2020-12"
);

/// `(file, case description, test description)` of each justified
/// deviation, explained in docs/rust.md ("Agreement with JSON Schema").
const DEVIATIONS: &[(&str, &str, &str)] = &[(
    "type.json",
    "integer type matches integers",
    "a float with zero fractional part is an integer",
)];

#[test]
fn generated_types_agree_with_jsonschema() {
    let mut files: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for case in CASES {
        files.entry(case.file).or_insert_with(|| {
            let text = std::fs::read(Path::new(SUITE).join(case.file)).expect("suite file");
            serde_json::from_slice(&text).expect("suite JSON")
        });
    }
    let (mut agree, mut total, mut refused_tests) = (0, 0, 0);
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for case in CASES {
        let suite_case = &files[case.file][case.index];
        let tests = suite_case["tests"].as_array().expect("tests");
        let decode = match case.take {
            Take::Refused(rule) => {
                *refused.entry(rule).or_default() += 1;
                refused_tests += tests.len();
                continue;
            }
            Take::Compiled(decode) => decode,
        };
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&suite_case["schema"])
            .expect("the suite's schemas compile");
        for test in tests {
            let data = &test["data"];
            let theirs = validator.is_valid(data);
            let ours = decode(&serde_json::to_vec(data).expect("JSON")).is_ok();
            total += 1;
            if ours == theirs {
                agree += 1;
                continue;
            }
            let key = (
                case.file,
                case.description,
                test["description"].as_str().unwrap_or_default(),
            );
            if !DEVIATIONS.contains(&key) {
                disagreements.push(format!(
                    "{key:?}: evc {ours}, jsonschema {theirs}, data {data}"
                ));
            }
        }
    }
    let compiled = CASES
        .iter()
        .filter(|c| matches!(c.take, Take::Compiled(_)))
        .count();
    println!(
        "JSON Schema Test Suite: {compiled} of {} cases compiled; {agree} of {total} tests agree with jsonschema ({:.1}%); {refused_tests} tests in refused cases",
        CASES.len(),
        100.0 * agree as f64 / total.max(1) as f64
    );
    println!("refused cases by rule: {refused:?}");
    // Support must not shrink unnoticed.
    assert!(
        compiled >= 122 && total >= 650,
        "{compiled} cases, {total} tests"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
