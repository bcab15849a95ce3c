//! Property names of JSON Schema files are the wire's: by default the
//! property naming rules look only at contract files (`naming.schema_files`).
//! Where a published schema's names collide as identifiers, the generated
//! names are numbered; in a contract file the collision is an error.

use std::path::Path;

use evc::load::{Input, Inputs};
use evc::rules::RuleId;

/// A published schema, as GitHub writes its reactions object.
const SCHEMA_FILE: &str = r#"{
  "x-evc": {
    "kind": "event",
    "name": "ReactionsCounted",
    "namespace": "com.example.github",
    "version": "1.0.0",
    "description": "Reactions to a comment were counted."
  },
  "type": "object",
  "required": ["+1", "-1", "totalCount"],
  "properties": {
    "+1": { "type": "integer" },
    "-1": { "type": "integer" },
    "totalCount": { "type": "integer" },
    "type": { "type": "string" }
  },
  "examples": [ { "+1": 2, "-1": 0, "totalCount": 2 } ]
}"#;

const CONTRACT_FILE: &str = r#"
event: ReactionsCounted
namespace: com.example.github
description: Reactions to a comment were counted.
versions:
  - version: 1.0.0
    schema:
      type: object
      properties:
        totalCount: { type: integer }
    examples:
      - totalCount: 2
"#;

fn lint(file: &str, text: &str, config: Option<&str>) -> evc::Lint {
    evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new(file, text.as_bytes().to_vec())],
            config: config.map(|c| Input::new("evc.yaml", c.as_bytes().to_vec())),
        },
        Path::new("."),
    )
}

fn rules(file: &str, text: &str, config: Option<&str>) -> Vec<RuleId> {
    let lint = lint(file, text, config);
    lint.diagnostics.iter().map(|d| d.rule).collect()
}

#[test]
fn a_schema_files_property_names_are_its_own_by_default() {
    assert_eq!(rules("github/reactions.json", SCHEMA_FILE, None), []);
}

#[test]
fn strict_schema_files_follow_the_contract_files_rules() {
    let strict = "version: v1\nnaming:\n  schema_files: strict\n";
    let found = rules("github/reactions.json", SCHEMA_FILE, Some(strict));
    assert_eq!(
        found,
        [
            RuleId::FieldNotSnakeCase,
            RuleId::FieldNotSnakeCase,
            RuleId::FieldNotSnakeCase,
            RuleId::ReservedKeyword,
        ]
    );
}

#[test]
fn a_contract_files_property_names_follow_the_rules() {
    assert_eq!(
        rules("github/reactions.yaml", CONTRACT_FILE, None),
        [RuleId::FieldNotSnakeCase]
    );
}

#[test]
fn names_a_schema_file_publishes_are_numbered_where_they_collide() {
    let colliding = SCHEMA_FILE.replace(
        r#""type": { "type": "string" }"#,
        r#""total_count": { "type": "integer" }"#,
    );
    let lint = lint("github/reactions.json", &colliding, None);
    assert!(lint.diagnostics.is_empty(), "{:?}", lint.diagnostics);
    let code = evc::rust::generate(
        &evc::bind::bind(&lint.model),
        &evc::rust::Options::default(),
    );
    let fields: Vec<&str> = code
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub total_count"))
        .collect();
    assert_eq!(fields, [": i64,", "2: Option<i64>,"], "{code}");
    assert!(code.contains(r#"rename = "totalCount""#), "{code}");
}

#[test]
fn names_that_would_become_one_field_collide_in_a_contract_file() {
    let colliding = CONTRACT_FILE.replace(
        "totalCount: { type: integer }",
        "total_count: { type: integer }\n        totalCount: { type: integer }",
    );
    assert_eq!(
        rules("github/reactions.yaml", &colliding, None),
        [RuleId::FieldNotSnakeCase, RuleId::NameCollision]
    );
}

#[test]
fn an_unknown_schema_files_setting_is_a_config_error() {
    let wrong = "version: v1\nnaming:\n  schema_files: loose\n";
    assert_eq!(
        rules("github/reactions.json", SCHEMA_FILE, Some(wrong)),
        [RuleId::ConfigInvalid]
    );
}
