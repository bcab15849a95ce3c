//! Every test of every suite case evc compiles, for drafts 2020-12, 7 and 4
//! and evc's own cases (`cases/`, draft `evc`):
//! the generated type's verdict (decode = valid) against the `jsonschema`
//! crate's, with formats judged as evc judges them (the formats evc checks
//! asserted, the others annotations). Prints the agreement per draft; every
//! disagreement must be one of the documented deviations in docs/rust.md.

use std::collections::BTreeMap;
use std::path::Path;

use evc_suite_tests::{Case, Take, CASES};
use serde_json::Value;

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/json-schema-test-suite"
);

/// Where evc's own cases (draft `evc`: typed structs and maps, read as
/// 2020-12) are found, as `cases/<file>`.
const OWN: &str = env!("CARGO_MANIFEST_DIR");

/// `(file, case description, test description)` of each justified
/// deviation, explained in docs/rust.md ("Agreement with JSON Schema").
const DEVIATIONS: &[(&str, &str, &str)] = &[(
    "cases/typed-objects.json",
    "an optional property that admits null",
    "an explicit null",
)];

/// What each draft must keep: support must not shrink unnoticed.
const AT_LEAST: &[(&str, usize)] = &[
    ("draft2020-12", 394),
    ("draft7", 255),
    ("draft4", 158),
    ("evc", 32),
];

fn validator(case: &Case, schema: &Value) -> jsonschema::Validator {
    let draft = match case.draft {
        "draft7" => jsonschema::Draft::Draft7,
        "draft4" => jsonschema::Draft::Draft4,
        _ => jsonschema::Draft::Draft202012,
    };
    evc::model::json::options_in(draft)
        .with_retriever(Remotes)
        .build(schema)
        .expect("the suite's schemas compile")
}

/// Serves the suite's remote documents from its `remotes/` folder, as evc
/// reads them through the `refs` map: nothing goes to the network.
struct Remotes;

impl jsonschema::Retrieve for Remotes {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let rest = uri
            .as_str()
            .strip_prefix("http://localhost:1234/")
            .ok_or_else(|| format!("{uri} is not a suite remote"))?;
        let text = std::fs::read(Path::new(SUITE).join("remotes").join(rest))?;
        Ok(serde_json::from_slice(&text)?)
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    compiled: usize,
    tests: usize,
    agree: usize,
    refused_tests: usize,
    refused: BTreeMap<&'static str, usize>,
}

#[test]
fn generated_types_agree_with_jsonschema() {
    let mut files: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for case in CASES {
        files.entry(case.file).or_insert_with(|| {
            let dir = if case.draft == "evc" { OWN } else { SUITE };
            let text = std::fs::read(Path::new(dir).join(case.file)).expect("suite file");
            serde_json::from_slice(&text).expect("suite JSON")
        });
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for case in CASES {
        let suite_case = &files[case.file][case.index];
        let tests = suite_case["tests"].as_array().expect("tests");
        let tally = tallies.entry(case.draft).or_default();
        tally.cases += 1;
        let decode = match case.take {
            Take::Refused(rule) => {
                *tally.refused.entry(rule).or_default() += 1;
                tally.refused_tests += tests.len();
                continue;
            }
            Take::Compiled(decode) => decode,
        };
        tally.compiled += 1;
        let validator = validator(case, &suite_case["schema"]);
        for test in tests {
            let data = &test["data"];
            let theirs = validator.is_valid(data);
            let ours = decode(&serde_json::to_vec(data).expect("JSON")).is_ok();
            tally.tests += 1;
            if ours == theirs {
                tally.agree += 1;
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
    for (draft, tally) in &tallies {
        println!(
            "JSON Schema Test Suite {draft}: {} of {} cases compiled; {} of {} tests agree with jsonschema ({:.1}%); {} tests in refused cases",
            tally.compiled,
            tally.cases,
            tally.agree,
            tally.tests,
            100.0 * tally.agree as f64 / tally.tests.max(1) as f64,
            tally.refused_tests
        );
        println!("  refused cases by rule: {:?}", tally.refused);
    }
    for (draft, least) in AT_LEAST {
        let compiled = tallies.get(draft).map_or(0, |t| t.compiled);
        assert!(compiled >= *least, "{draft}: {compiled} cases compiled");
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
