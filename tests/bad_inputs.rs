//! The bad-input corpus: every file under `bad/cases/` is linted with the
//! definitions in `bad/shared/`, and must produce the finding that
//! `bad/EXPECTED` names for it, at the line and column it names. A snapshot of
//! the rendered findings keeps the messages themselves under review.

use std::collections::BTreeMap;
use std::path::Path;

use evc::load::{Input, Inputs};
use evc_tests::workspace_root;

/// `case-file RULE line:col` lines; `#` starts a comment.
fn expectations() -> BTreeMap<String, Vec<(String, u32, u32)>> {
    let path = workspace_root().join("tests/bad/EXPECTED");
    let text = std::fs::read_to_string(&path).expect("tests/bad/EXPECTED exists");
    let mut out: BTreeMap<String, Vec<(String, u32, u32)>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [file, rule, at] = fields[..] else {
            panic!("EXPECTED line {}: want `file RULE line:col`", n + 1);
        };
        let (l, c) = at.split_once(':').expect("line:col");
        out.entry(file.to_owned()).or_default().push((
            rule.to_owned(),
            l.parse().expect("line"),
            c.parse().expect("column"),
        ));
    }
    out
}

fn read(root: &Path, relative: &str) -> Input {
    Input::new(
        relative,
        std::fs::read(root.join(relative)).expect("readable"),
    )
}

fn shared(root: &Path) -> Vec<Input> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("shared"))
        .expect("bad/shared exists")
        .map(|e| e.expect("entry").path())
        .filter(|path| path.is_file() && evc::load::is_contract_path(path))
        .map(|path| format!("shared/{}", path.file_name().unwrap().to_string_lossy()))
        .collect();
    names.sort();
    names.iter().map(|n| read(root, n)).collect()
}

/// Lints one case with the shared definitions, as if they were one root.
fn lint_case(root: &Path, case: Input) -> evc::Lint {
    let mut contracts = shared(root);
    contracts.push(case);
    contracts.sort_by(|a, b| a.relative.cmp(&b.relative));
    let inputs = Inputs {
        contracts,
        config: None,
    };
    evc::lint_inputs(inputs, Path::new("bad"))
}

/// The findings in the case file, those folded under another included: a
/// consequence is still found, only shown as a note.
fn findings(lint: &evc::Lint, case: &str) -> Vec<(String, u32, u32)> {
    let folded = lint
        .diagnostics
        .iter()
        .flat_map(|d| d.consequences.iter().map(|c| (c.rule, c.place)));
    lint.diagnostics
        .iter()
        .map(|d| (d.rule, d.place))
        .chain(folded)
        .filter(|(_, place)| lint.sources.get(place.file).relative_slash() == case)
        .map(|(rule, place)| {
            (
                rule.to_string(),
                place.span.start.line,
                place.span.start.column,
            )
        })
        .collect()
}

#[test]
fn every_case_has_its_expected_finding() {
    let root = workspace_root().join("tests/bad");
    let expected = expectations();
    let mut cases: Vec<String> = std::fs::read_dir(root.join("cases"))
        .expect("bad/cases exists")
        .map(|e| format!("cases/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus holds {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let Some(wanted) = expected.get(case) else {
            failures.push(format!("{case}: no line in EXPECTED"));
            continue;
        };
        let lint = lint_case(&root, read(&root, case));
        let found = findings(&lint, case);
        for want in wanted {
            if !found.contains(want) {
                failures.push(format!("{case}: expected {want:?}, found {found:?}"));
            }
        }
        let errors_here = lint
            .diagnostics
            .iter()
            .any(|d| d.is_error() && lint.sources.get(d.place.file).relative_slash() == *case);
        if !errors_here {
            failures.push(format!("{case}: no error in the case file"));
        }
    }
    for file in expected.keys() {
        if !cases.contains(file) {
            failures.push(format!("EXPECTED names {file}, which does not exist"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn shared_definitions_are_clean_on_their_own() {
    let root = workspace_root().join("tests/bad");
    let inputs = Inputs {
        contracts: shared(&root),
        config: None,
    };
    let lint = evc::lint_inputs(inputs, Path::new("bad"));
    assert!(lint.diagnostics.is_empty(), "{:?}", evc_tests::brief(&lint));
}

#[test]
fn rendered_findings() {
    let root = workspace_root().join("tests/bad");
    insta::glob!("bad/cases/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        let lint = lint_case(&root, read(&root, &format!("cases/{name}")));
        insta::assert_snapshot!(evc::report::render(
            evc::report::Format::Human,
            &lint,
            false
        ));
    });
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it_all() {
    let big = vec![b'#'; evc::load::MAX_FILE_BYTES + 10];
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new("huge.yaml", big)],
            config: None,
        },
        Path::new("."),
    );
    assert_eq!(evc_tests::brief(&lint), ["huge.yaml FILE_TOO_LARGE 1:1"]);
}

#[test]
fn a_large_valid_file_lints() {
    // 5,000 properties: well under the size limit, far over any real contract.
    let mut text = String::from(
        "event: BigThingHappened\nnamespace: com.example.big\ndescription: Many fields.\nversions:\n  - version: 1.0.0\n    schema:\n      type: object\n      properties:\n",
    );
    for i in 0..5_000 {
        text.push_str(&format!(
            "        field_{i}: {{ type: string, maxLength: 10 }}\n"
        ));
    }
    text.push_str("    examples:\n      - field_1: x\n");
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new("big.yaml", text)],
            config: None,
        },
        Path::new("."),
    );
    assert!(lint.diagnostics.is_empty(), "{:?}", evc_tests::brief(&lint));
}
