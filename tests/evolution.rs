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
    // A warning (an annotation kept, a keyword a draft ignores) still
    // compiles; an error puts the case outside the subset.
    for document in [&old, &new] {
        if let Some(d) = document.diagnostics.iter().find(|d| d.is_error()) {
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

/// Cases of the corpus the loader accepts; the rest use keywords outside the
/// subset evc compiles (docs/evolution.md lists them by reason).
const APICURIO_SUPPORTED: usize = 145;

#[test]
fn apicurio_compatibility_cases() {
    let path = workspace_root().join("tests/data/apicurio/compatibility-test-data.json");
    let text = std::fs::read_to_string(&path).expect("the apicurio corpus is present");
    let corpus: Json = serde_json::from_str(&text).expect("the corpus is JSON");
    let cases = corpus["tests"].as_array().expect("a list of tests");
    let (mut supported, mut agree, mut outside) = (0, 0, Vec::new());
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    let mut deviations = Vec::new();
    let mut policy_differences = 0;
    for case in cases.iter().filter(|c| c["enabled"] == Json::Bool(true)) {
        let id = case["id"].as_str().expect("every case has an id");
        let expected = case["compatibility"]
            .as_str()
            .expect("every case has a verdict");
        // Apicurio judges by inclusion of the sets of valid instances: the
        // strict policy.
        let changes = match changes(&case["original"], &case["updated"], Policy::Strict) {
            Ok(changes) => changes,
            Err(reason) => {
                let rule = reason.split(' ').next().unwrap_or_default().to_owned();
                *reasons.entry(rule).or_default() += 1;
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
        let lenient = changes_or_panic(&case["original"], &case["updated"], Policy::Lenient);
        if verdict(&lenient) != verdict(&changes) {
            policy_differences += 1;
            assert!(
                changes.iter().any(|c| c.kind.is_policy_dependent()),
                "{id}: the policies disagree without an open-object property change"
            );
        }
    }
    println!(
        "apicurio: {agree} of {supported} supported cases agree, {} outside the subset",
        outside.len()
    );
    println!("  outside by rule: {reasons:?}");
    println!("  judged differently by the lenient policy: {policy_differences}");
    for line in &outside {
        println!("  outside: {line}");
    }
    assert!(
        deviations.is_empty(),
        "unlisted deviations:\n{}",
        deviations.join("\n")
    );
    assert_eq!(
        supported, APICURIO_SUPPORTED,
        "the supported subset of the corpus changed: update docs/evolution.md"
    );
}

fn changes_or_panic(old: &Json, new: &Json, policy: Policy) -> Vec<Change> {
    changes(old, new, policy).unwrap_or_else(|e| panic!("outside the subset: {e}"))
}

/// One pair of the table in tests/evolution/pairs.yaml.
struct Pair {
    name: String,
    policy: Policy,
    old: Json,
    new: Json,
    changes: Vec<String>,
    reverse: Vec<String>,
    compatible: (bool, bool),
}

fn compatibility(text: &str) -> (bool, bool) {
    match text {
        "both" => (true, true),
        "backward" => (true, false),
        "forward" => (false, true),
        "none" => (false, false),
        other => panic!("`compatible: {other}` is not both, backward, forward or none"),
    }
}

fn pairs() -> Vec<Pair> {
    let path = workspace_root().join("tests/evolution/pairs.yaml");
    let bytes = std::fs::read(&path).expect("the pairs table is present");
    let (_, node) = evc::load::parse_bytes(&bytes, false);
    let table = node.expect("the pairs table parses").to_json();
    let strings = |value: &Json, key: &str| -> Vec<String> {
        value[key]
            .as_array()
            .unwrap_or_else(|| panic!("`{key}` is a list in {value}"))
            .iter()
            .map(|s| s.as_str().expect("changes are strings").to_owned())
            .collect()
    };
    table
        .as_array()
        .expect("the table is a list")
        .iter()
        .map(|pair| Pair {
            name: pair["name"].as_str().expect("a name").to_owned(),
            policy: match pair.get("policy").and_then(Json::as_str) {
                None | Some("lenient") => Policy::Lenient,
                Some("strict") => Policy::Strict,
                Some(other) => panic!("unknown policy {other}"),
            },
            old: pair["old"].clone(),
            new: pair["new"].clone(),
            changes: strings(pair, "changes"),
            reverse: strings(pair, "reverse"),
            compatible: compatibility(pair["compatible"].as_str().expect("a verdict")),
        })
        .collect()
}

/// A change as the table writes it: `KIND POINTER`, or `KIND` at the root.
fn written(change: &Change) -> String {
    format!("{} {}", change.kind.id(), change.pointer())
        .trim_end()
        .to_owned()
}

#[test]
fn table_of_pairs_in_both_directions() {
    let pairs = pairs();
    assert!(pairs.len() >= 80, "the table holds {} pairs", pairs.len());
    let mut failures = Vec::new();
    for pair in &pairs {
        let forward = changes(&pair.old, &pair.new, pair.policy)
            .unwrap_or_else(|e| panic!("{}: old -> new outside the subset: {e}", pair.name));
        let reverse = changes(&pair.new, &pair.old, pair.policy)
            .unwrap_or_else(|e| panic!("{}: new -> old outside the subset: {e}", pair.name));
        let found: Vec<String> = forward.iter().map(written).collect();
        let found_reverse: Vec<String> = reverse.iter().map(written).collect();
        if found != pair.changes {
            failures.push(format!(
                "{}: old -> new expected {:?}, found {}",
                pair.name,
                pair.changes,
                describe(&forward)
            ));
        }
        if found_reverse != pair.reverse {
            failures.push(format!(
                "{}: new -> old expected {:?}, found {}",
                pair.name,
                pair.reverse,
                describe(&reverse)
            ));
        }
        let (backward, forward_ok) = verdict(&forward);
        if (backward, forward_ok) != pair.compatible {
            failures.push(format!(
                "{}: expected (backward, forward) {:?}, found {:?}",
                pair.name,
                pair.compatible,
                (backward, forward_ok)
            ));
        }
        // Reading old data with the new schema is reading "new" data with the
        // "old" schema of the reverse direction.
        let mirrored = verdict(&reverse);
        if mirrored != (forward_ok, backward) {
            failures.push(format!(
                "{}: reverse verdict {mirrored:?} does not mirror {:?}",
                pair.name,
                (backward, forward_ok)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every change kind of the registry is reported for a pair of the table
/// that expects it, in one direction or the other, or made by [`deep_pair`]:
/// a kind no pair shows is either untested or dead.
#[test]
fn every_change_kind_has_a_pair() {
    let mut shown = std::collections::BTreeSet::new();
    for pair in pairs() {
        let directions = [
            (&pair.old, &pair.new, &pair.changes),
            (&pair.new, &pair.old, &pair.reverse),
        ];
        for (old, new, expected) in directions {
            let found = changes(old, new, pair.policy)
                .unwrap_or_else(|e| panic!("{}: outside the subset: {e}", pair.name));
            shown.extend(
                found
                    .iter()
                    .filter(|c| expected.contains(&written(c)))
                    .map(|c| c.kind),
            );
        }
    }
    let (old, new) = deep_pair();
    shown.extend(
        changes_or_panic(&old, &new, Policy::Lenient)
            .iter()
            .map(|c| c.kind),
    );
    let missing: Vec<&str> = evc::evolution::KINDS
        .iter()
        .filter(|k| !shown.contains(&k.kind))
        .map(|k| k.id)
        .collect();
    assert!(
        missing.is_empty(),
        "change kinds no pair shows (add one to tests/evolution/pairs.yaml, or \
         remove the kind): {missing:?}"
    );
}

#[test]
fn the_bump_follows_the_changes() {
    use evc::rules::Bump;
    let bump = |old: Json, new: Json| {
        evc::evolution::required_bump(&changes_or_panic(&old, &new, Policy::Lenient))
    };
    let string = serde_json::json!({"type": "string"});
    assert_eq!(bump(string.clone(), string.clone()), Bump::Patch);
    let described = serde_json::json!({"type": "string", "description": "An id."});
    assert_eq!(bump(string.clone(), described), Bump::Patch);
    let nullable = serde_json::json!({"type": ["string", "null"]});
    assert_eq!(bump(string.clone(), nullable.clone()), Bump::Minor);
    assert_eq!(bump(nullable, string), Bump::Major);
}

#[test]
fn changes_name_their_places_and_payload_paths() {
    let old = serde_json::json!({
        "type": "object",
        "properties": {"lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}}},
        "$defs": {"Line": {"type": "object", "properties": {"sku": {"type": "string", "maxLength": 20}}}}
    });
    let mut new = old.clone();
    new["$defs"]["Line"]["properties"]["sku"]["maxLength"] = 10.into();
    let new_doc = build(&new);
    let old_doc = build(&old);
    let found = classify(side(&old_doc), side(&new_doc), Policy::Lenient);
    assert_eq!(found.len(), 1, "{}", describe(&found));
    let change = &found[0];
    assert_eq!(
        change.pointer(),
        "/properties/lines/items/properties/sku/maxLength"
    );
    assert_eq!(change.instance_path(), "lines/*/sku");
    assert_eq!(change.detail, "maxLength 20 -> 10");
    assert!(change.path.contains(&evc::evolution::Segment::Definition(
        "#/$defs/Line".to_owned()
    )));
    // The places are the `sku` schemas of each document.
    for (doc, place) in [(&old_doc, change.old), (&new_doc, change.new)] {
        let place = place.expect("both sides have the node");
        let text = &doc.sources.get(place.file).text;
        let at = doc.sources.get(place.file).offset(place.span.start);
        assert!(text[..at].ends_with("\"sku\":"), "{}", &text[..at]);
    }
    // The same inputs give the same changes.
    assert_eq!(
        found,
        classify(side(&old_doc), side(&new_doc), Policy::Lenient)
    );
}

/// Two chains of 300 nested objects that differ in the type at the end:
/// deeper than the classifier compares, too deep to write in the table.
fn deep_pair() -> (Json, Json) {
    let chain = |leaf: &str| {
        let mut defs = serde_json::Map::new();
        for i in 0..300 {
            let next = format!("#/$defs/D{}", i + 1);
            defs.insert(
                format!("D{i}"),
                serde_json::json!({"type": "object", "properties": {"next": {"$ref": next}}}),
            );
        }
        defs.insert("D300".to_owned(), serde_json::json!({"type": leaf}));
        serde_json::json!({"$ref": "#/$defs/D0", "$defs": defs})
    };
    (chain("string"), chain("integer"))
}

#[test]
fn a_very_deep_comparison_stops_and_is_judged_incompatible() {
    let (old, new) = deep_pair();
    let found = changes_or_panic(&old, &new, Policy::Lenient);
    let kinds: Vec<&str> = found.iter().map(|c| c.kind.id()).collect();
    assert_eq!(kinds, ["COMPARISON_LIMIT"]);
    assert_eq!(verdict(&found), (false, false));
}
