//! Turns every test case (schema) of the JSON Schema Test Suite into a
//! contract in JSON Schema form, lints each alone, and generates Rust types
//! for the ones evc accepts. The refused ones are listed with the rule that
//! refused them, so the test can account for every case. evc's own cases
//! under `cases/`, in the suite's format (draft `evc`, read as 2020-12), go
//! through the same path.
//!
//! The suite's remote documents (`http://localhost:1234/...`, its
//! `remotes/` folder) are read offline: evc.yaml maps that prefix to a copy
//! of the folder given beside each case that names the host.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// Relative to this package: the repository's copy (tests/data/README.md).
const SUITE: &str = "../data/json-schema-test-suite";

/// The host the suite's remote references name, and the folder (relative to
/// the suite and to the contracts root) that serves it.
const REMOTE_HOST: &str = "http://localhost:1234/";
const REMOTES: &str = "remotes";

/// Relative to this package: evc's own cases in the suite's format, for
/// what the suite's untyped schemas do not reach (typed structs and maps).
const OWN: &str = "cases";

/// Each draft's folder and the `$schema` a case without one is read with.
const DRAFTS: &[(&str, &str)] = &[
    (
        "draft2020-12",
        "https://json-schema.org/draft/2020-12/schema",
    ),
    ("draft7", "http://json-schema.org/draft-07/schema#"),
    ("draft4", "http://json-schema.org/draft-04/schema#"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let suite = Path::new(SUITE);
    println!("cargo:rerun-if-changed={SUITE}");
    let mut accepted = Vec::new();
    let mut number = 0;
    let mut table = String::from("/// Every suite case: file, case description, and how evc took it.\npub static CASES: &[Case] = &[\n");
    let remotes = clean_remotes(&suite.join(REMOTES))?;
    let mut remotes_used = false;
    let mut sources: Vec<(&str, &str, PathBuf, String)> = Vec::new();
    for (draft, dialect) in DRAFTS {
        for path in files(suite, draft)? {
            let file = path
                .strip_prefix(suite)?
                .to_string_lossy()
                .replace('\\', "/");
            sources.push((draft, dialect, path, file));
        }
    }
    println!("cargo:rerun-if-changed={OWN}");
    for path in own_files()? {
        let file = path.to_string_lossy().replace('\\', "/");
        sources.push(("evc", DRAFTS[0].1, path, file));
    }
    for (draft, dialect, path, file) in sources {
        let cases: Vec<Value> = serde_json::from_slice(&fs::read(&path)?)?;
        for (index, case) in cases.iter().enumerate() {
            let description = case["description"].as_str().unwrap_or_default();
            let name = format!("Case{number:04}Checked");
            number += 1;
            let verdict = match contract(&case["schema"], &name, dialect) {
                Err(reason) => format!("Take::Refused({reason:?})"),
                Ok(text) => {
                    let remote = text.contains(REMOTE_HOST);
                    let mut contracts =
                        vec![evc::load::Input::new(format!("{name}.json"), text.clone())];
                    if remote {
                        contracts.extend(inputs(&remotes));
                    }
                    let lint = evc::lint_inputs(
                        evc::load::Inputs {
                            contracts,
                            config: Some(config()),
                        },
                        Path::new("suite"),
                    );
                    match lint.diagnostics.iter().find(|d| d.is_error()) {
                        Some(d) => format!("Take::Refused({:?})", d.rule.as_str()),
                        None => {
                            remotes_used |= remote;
                            accepted.push(evc::load::Input::new(format!("{name}.json"), text));
                            format!("Take::Compiled(|bytes| <types::{name}V1 as evc_runtime::Contract>::decode(bytes).map(|_| ()))")
                        }
                    }
                }
            };
            writeln!(table, "    Case {{ draft: {draft:?}, file: {file:?}, index: {index}, description: {description:?}, take: {verdict} }},")?;
        }
    }
    table.push_str("];\n");
    if remotes_used {
        accepted.extend(inputs(&remotes));
    }
    let lint = evc::lint_inputs(
        evc::load::Inputs {
            contracts: accepted,
            config: Some(config()),
        },
        Path::new("suite"),
    );
    if lint.has_errors() {
        return Err(evc::report::render(evc::report::Format::Short, &lint, false).into());
    }
    let code = evc::rust::generate(
        &evc::bind::bind(&lint.model),
        &evc::rust::Options::default(),
    );
    fs::write(out.join("suite_types.rs"), code)?;
    fs::write(out.join("suite_cases.rs"), table)?;
    Ok(())
}

/// The suite names properties `foo\nbar` and `__proto__`: naming style is
/// not what it tests.
fn config() -> evc::load::Input {
    evc::load::Input::new(
        "evc.yaml",
        format!("version: v1\nlint:\n  rules:\n    FIELD_NOT_SNAKE_CASE: off\n    RESERVED_KEYWORD: off\nrefs:\n  \"{REMOTE_HOST}\": {REMOTES}/\n"),
    )
}

/// A remote document: its path under the contracts root, and its bytes.
type Remote = (String, Vec<u8>);

type Failing<T> = Result<T, Box<dyn std::error::Error>>;

/// The remote documents as inputs under `remotes/`.
fn inputs(remotes: &[Remote]) -> Vec<evc::load::Input> {
    remotes
        .iter()
        .map(|(name, bytes)| evc::load::Input::new(name, bytes.clone()))
        .collect()
}

/// The remote documents evc accepts, each with what it references: the
/// others (the later drafts' `$dynamicRef`s, say) would make every case
/// that names the host fail, whichever document it uses.
fn clean_remotes(dir: &Path) -> Failing<Vec<Remote>> {
    let mut remotes = Vec::new();
    for path in json_files_below(dir)? {
        let name = format!(
            "{REMOTES}/{}",
            path.strip_prefix(dir)?.to_string_lossy().replace('\\', "/")
        );
        remotes.push((name, fs::read(&path)?));
    }
    loop {
        let lint = evc::lint_inputs(
            evc::load::Inputs {
                contracts: inputs(&remotes),
                config: Some(config()),
            },
            Path::new("suite"),
        );
        let refused: HashSet<String> = lint
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| lint.sources.get(d.place.file).relative_slash())
            .collect();
        let before = remotes.len();
        remotes.retain(|(name, _)| !refused.contains(name));
        // Dropping one can break a document that references it: again.
        if remotes.len() == before {
            return Ok(remotes);
        }
    }
}

/// Every `.json` file below `dir`, sorted.
fn json_files_below(dir: &Path) -> Failing<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir)
            .map_err(|e| format!("the test suite copy {} is unreadable: {e}", dir.display()))?;
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Every keyword file of a draft; for 2020-12 also the format files whose
/// formats evc asserts (the suite's optional assertion tests).
fn files(suite: &Path, draft: &str) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let mut dirs = vec![suite.join(draft)];
    if draft == "draft2020-12" {
        dirs.push(suite.join(draft).join("optional/format"));
    }
    let mut files = Vec::new();
    for dir in dirs {
        // A missing corpus is an error: an empty table would pass vacuously.
        let entries = fs::read_dir(&dir)
            .map_err(|e| format!("the test suite copy {} is unreadable: {e}", dir.display()))?;
        files.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json")),
        );
    }
    files.sort();
    Ok(files)
}

/// evc's own case files, sorted.
fn own_files() -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let mut files: Vec<PathBuf> = fs::read_dir(OWN)
        .map_err(|e| format!("{OWN}/ is unreadable: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// The case's schema as a JSON Schema contract file, read in its draft. A
/// boolean root is written as the mapping it equals (`{}`, `{not: {}}`), the
/// one form a contract file's root can take.
fn contract(schema: &Value, name: &str, dialect: &str) -> Result<String, &'static str> {
    let mut map = match schema {
        Value::Object(map) => map.clone(),
        Value::Bool(true) => serde_json::Map::new(),
        Value::Bool(false) => json!({ "not": {} })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        _ => return Err("NOT_A_SCHEMA"),
    };
    map.entry("$schema").or_insert_with(|| json!(dialect));
    map.insert(
        "x-evc".into(),
        json!({
            "kind": "event",
            "name": name,
            "namespace": "suite.draft",
            "version": "1.0.0",
            "description": "A JSON Schema Test Suite case."
        }),
    );
    Ok(Value::Object(map).to_string())
}
