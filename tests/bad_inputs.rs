//! The bad-input corpus. Each fixture must produce the findings that
//! `bad/EXPECTED` names for it, at the line and column it names, and every
//! rule of the registry must be among them. A snapshot of the rendered
//! findings keeps the messages themselves under review.
//!
//! - `bad/cases/<file>`: one file, linted with the definitions in `bad/shared/`.
//! - `bad/roots/<name>/`: a whole contracts root (several files, an `evc.yaml`).
//! - `bad/breaking/<name>/`: `current/` compared with `baseline/`, as
//!   `evc breaking --against` compares two directories.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use evc::load::{Input, Inputs};
use evc::rules::{Level, RuleId, RULES};
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

/// Lints a whole contracts root, shown as `bad/roots/<name>/...`.
fn lint_root(root: &Path, name: &str) -> evc::Lint {
    let inputs = evc::load::read_dir(&root.join("roots").join(name)).expect("readable");
    evc::lint_inputs(inputs, Path::new(&format!("bad/roots/{name}")))
}

/// Compares `current/` with `baseline/`, the baseline's files shown as
/// `bad/breaking/<name>/baseline/...`.
fn compare_pair(root: &Path, name: &str) -> evc::breaking::Comparison {
    let shown = format!("bad/breaking/{name}");
    let lint = |side: &str, display: &str| {
        let inputs =
            evc::load::read_dir(&root.join("breaking").join(name).join(side)).expect("readable");
        evc::lint_inputs(inputs, Path::new(display))
    };
    let current = lint("current", &format!("{shown}/current"));
    let baseline = lint("baseline", "");
    let label = format!("{shown}/baseline");
    evc::breaking::compare(current, baseline, &format!("{label}/"), &label)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The sorted names of the entries of one corpus folder, as EXPECTED writes
/// them: `cases/<file>`, `roots/<name>`, `breaking/<name>`.
fn entries(root: &Path, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(folder))
        .unwrap_or_else(|_| panic!("bad/{folder} exists"))
        .map(|e| {
            format!(
                "{folder}/{}",
                e.expect("entry").file_name().to_string_lossy()
            )
        })
        .collect();
    names.sort();
    names
}

/// Every fixture of the corpus by its EXPECTED name, with its findings.
fn lint_corpus(root: &Path) -> Vec<(String, evc::Lint)> {
    let mut out = Vec::new();
    for case in entries(root, "cases") {
        let lint = lint_case(root, read(root, &case));
        out.push((case, lint));
    }
    for name in entries(root, "roots") {
        let lint = lint_root(root, name.trim_start_matches("roots/"));
        out.push((name, lint));
    }
    for name in entries(root, "breaking") {
        let comparison = compare_pair(root, name.trim_start_matches("breaking/"));
        out.push((name, comparison.lint));
    }
    out
}

/// The findings of a lint as EXPECTED writes them: by file, from `bad/`,
/// those folded under another included: a consequence is still found, only
/// shown as a note.
fn findings(lint: &evc::Lint) -> BTreeMap<String, Vec<(String, u32, u32)>> {
    let folded = lint
        .diagnostics
        .iter()
        .flat_map(|d| d.consequences.iter().map(|c| (c.rule, c.place)));
    let mut out: BTreeMap<String, Vec<(String, u32, u32)>> = BTreeMap::new();
    for (rule, place) in lint
        .diagnostics
        .iter()
        .map(|d| (d.rule, d.place))
        .chain(folded)
    {
        let display = &lint.sources.get(place.file).display;
        let file = display.strip_prefix("bad/").unwrap_or(display);
        out.entry(file.to_owned()).or_default().push((
            rule.to_string(),
            place.span.start.line,
            place.span.start.column,
        ));
    }
    out
}

/// Whether an EXPECTED file belongs to a fixture: a case is one file, a root
/// or a pair is a folder.
fn belongs(file: &str, fixture: &str) -> bool {
    file == fixture
        || file
            .strip_prefix(fixture)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn is_warning(rule: &str) -> bool {
    RuleId::from_name(rule).is_some_and(|id| id.rule().default_level == Level::Warn)
}

#[test]
fn every_case_has_its_expected_finding() {
    let root = workspace_root().join("tests/bad");
    let expected = expectations();
    let corpus = lint_corpus(&root);
    assert!(
        corpus.len() >= 40,
        "the corpus holds {} fixtures",
        corpus.len()
    );
    let mut failures = Vec::new();
    for (fixture, lint) in &corpus {
        let wanted: Vec<(&String, &(String, u32, u32))> = expected
            .iter()
            .filter(|(file, _)| belongs(file, fixture))
            .flat_map(|(file, wants)| wants.iter().map(move |want| (file, want)))
            .collect();
        if wanted.is_empty() {
            failures.push(format!("{fixture}: no line in EXPECTED"));
            continue;
        }
        let found = findings(lint);
        for (file, want) in &wanted {
            let here = found.get(*file).map(Vec::as_slice).unwrap_or_default();
            if !here.contains(want) {
                failures.push(format!("{file}: expected {want:?}, found {here:?}"));
            }
        }
        // A case stands for a mistake, so it must fail the lint unless all it
        // is about is a warning.
        let warnings_only = wanted.iter().all(|(_, (rule, _, _))| is_warning(rule));
        let errors_here = lint.diagnostics.iter().any(|d| {
            d.is_error()
                && belongs(
                    &lint.sources.get(d.place.file).display,
                    &format!("bad/{fixture}"),
                )
        });
        if !errors_here && !warnings_only {
            failures.push(format!("{fixture}: no error in the fixture"));
        }
    }
    for file in expected.keys() {
        if !corpus.iter().any(|(fixture, _)| belongs(file, fixture)) {
            failures.push(format!("EXPECTED names {file}, which does not exist"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A file the loader cannot read. On disk that takes a file without read
/// permission, which root reads all the same (CI may run as root, and other
/// platforms have no mode bits), so when the read succeeds the test hands the
/// loader the failed read that `read_dir` would have returned.
fn unreadable_file() -> Inputs {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("order_created.yaml");
    std::fs::write(&path, "event: OrderCreated\n").expect("writable");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000))
            .expect("permissions can change");
    }
    let mut inputs = evc::load::read_dir(dir.path()).expect("the directory lists");
    let input = &mut inputs.contracts[0];
    if input.bytes.is_ok() {
        input.bytes = Err("Permission denied (os error 13)".to_owned());
    }
    inputs
}

/// Fixtures too big or too odd to keep in the corpus, made here: each with
/// the one finding it must produce.
fn generated_fixtures() -> Vec<(&'static str, evc::Lint, &'static str)> {
    let huge = Inputs {
        contracts: vec![Input::new(
            "huge.yaml",
            vec![b'#'; evc::load::MAX_FILE_BYTES + 10],
        )],
        config: None,
    };
    vec![
        (
            "a file over the size limit",
            evc::lint_inputs(huge, Path::new(".")),
            "huge.yaml FILE_TOO_LARGE 1:1",
        ),
        (
            "a file without read permission",
            evc::lint_inputs(unreadable_file(), Path::new(".")),
            "order_created.yaml FILE_UNREADABLE 1:1",
        ),
    ]
}

#[test]
fn generated_fixtures_have_their_finding() {
    for (what, lint, finding) in generated_fixtures() {
        assert_eq!(evc_tests::brief(&lint), [finding], "{what}");
    }
}

/// Every rule of the registry is named in EXPECTED for some fixture that
/// reports it, or fired by a generated fixture: a rule nothing fires is
/// either untested or dead.
#[test]
fn every_rule_has_a_fixture_that_fires_it() {
    let root = workspace_root().join("tests/bad");
    let expected = expectations();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    for (_, lint) in lint_corpus(&root) {
        for (file, found) in findings(&lint) {
            let Some(wanted) = expected.get(&file) else {
                continue;
            };
            fired.extend(
                found
                    .into_iter()
                    .filter(|f| wanted.contains(f))
                    .map(|(rule, _, _)| rule),
            );
        }
    }
    for (_, lint, finding) in generated_fixtures() {
        if evc_tests::brief(&lint) == [finding] {
            fired.extend(lint.diagnostics.iter().map(|d| d.rule.to_string()));
        }
    }
    let missing: Vec<&str> = RULES
        .iter()
        .map(|rule| rule.name)
        .filter(|name| !fired.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "rules no fixture fires (add a case under tests/bad/ and a line to \
         tests/bad/EXPECTED, or remove the rule): {missing:?}"
    );
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
fn rendered_root_findings() {
    let root = workspace_root().join("tests/bad");
    insta::glob!("bad/roots/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        let lint = lint_root(&root, &name);
        insta::assert_snapshot!(evc::report::render(
            evc::report::Format::Human,
            &lint,
            false
        ));
    });
}

/// As `evc breaking` prints a comparison: the findings, then its summary.
#[test]
fn rendered_breaking_findings() {
    let root = workspace_root().join("tests/bad");
    insta::glob!("bad/breaking/*", |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        let comparison = compare_pair(&root, &name);
        let mut text =
            evc::report::render_findings(evc::report::Format::Human, &comparison.lint, false);
        text.push_str(&comparison.summary());
        insta::assert_snapshot!(text);
    });
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
