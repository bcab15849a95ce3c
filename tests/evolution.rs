//! The change classifier against an outside corpus (Apicurio Registry's JSON
//! Schema compatibility cases) and against a table of our own, run in both
//! directions.

use std::path::Path;

use evc::evolution::{classify, Change, Policy, Side};
use evc::load::{Input, Inputs};
use evc::SchemaDocument;
use evc_tests::workspace_root;
use serde_json::Value as Json;

/// A schema document built from JSON, as a standalone file.
fn build(schema: &Json) -> SchemaDocument {
    let inputs = Inputs {
        contracts: vec![Input::new("schema.json", schema.to_string())],
        config: None,
    };
    evc::schema_inputs(inputs, Path::new(""), Path::new("schema.json"))
}

/// The changes from `old` to `new`; `Err` names the first rule the loader
/// reported when either lies outside the subset evc compiles.
fn changes(old: &Json, new: &Json, policy: Policy) -> Result<Vec<Change>, String> {
    let (old, new) = (build(old), build(new));
    for document in [&old, &new] {
        if let Some(d) = document.diagnostics.first() {
            return Err(format!("{} ({})", d.rule, d.message));
        }
    }
    Ok(classify(side(&old), side(&new), policy))
}

fn side(document: &SchemaDocument) -> Side<'_> {
    Side {
        types: &document.types,
        root: document.root.expect("a schema without findings has a root"),
    }
}

fn verdict(changes: &[Change]) -> (bool, bool) {
    (
        changes.iter().all(|c| c.backward),
        changes.iter().all(|c| c.forward),
    )
}

fn describe(changes: &[Change]) -> String {
    let list: Vec<String> = changes
        .iter()
        .map(|c| format!("{} {} ({})", c.kind.id(), c.pointer(), c.detail))
        .collect();
    format!("[{}]", list.join("; "))
}

/// Apicurio cases whose expectation evc does not share, each explained in
/// docs/evolution.md ("Apicurio deviations"): (id, expected, evc's verdict).
const APICURIO_DEVIATIONS: &[(&str, &str, &str)] = &[];

#[test]
fn apicurio_compatibility_cases() {
    let path = workspace_root().join("../shared/corpora/apicurio/compatibility-test-data.json");
    let text = std::fs::read_to_string(&path).expect("the apicurio corpus is present");
    let corpus: Json = serde_json::from_str(&text).expect("the corpus is JSON");
    let cases = corpus["tests"].as_array().expect("a list of tests");
    let (mut supported, mut agree, mut outside) = (0, 0, Vec::new());
    let mut deviations = Vec::new();
    for case in cases.iter().filter(|c| c["enabled"] == Json::Bool(true)) {
        let id = case["id"].as_str().expect("every case has an id");
        let expected = case["compatibility"]
            .as_str()
            .expect("every case has a verdict");
        // Apicurio's semantics are set inclusion over all instances: the
        // strict policy.
        let changes = match changes(&case["original"], &case["updated"], Policy::Strict) {
            Ok(changes) => changes,
            Err(reason) => {
                outside.push(format!("{id}: {reason}"));
                continue;
            }
        };
        supported += 1;
        let found = match verdict(&changes) {
            (true, true) => "both",
            (true, false) => "backward",
            (false, _) => "none",
        };
        if found == expected {
            agree += 1;
        } else if !APICURIO_DEVIATIONS.contains(&(id, expected, found)) {
            deviations.push(format!(
                "{id}: expected {expected}, found {found} {}",
                describe(&changes)
            ));
        }
    }
    println!(
        "apicurio: {agree} of {supported} supported cases agree, {} outside the subset",
        outside.len()
    );
    for line in &outside {
        println!("  outside: {line}");
    }
    assert!(
        deviations.is_empty(),
        "unlisted deviations:\n{}",
        deviations.join("\n")
    );
}
