//! `minProperties`, `maxProperties`, `dependentRequired` and the list form of
//! draft-07 `dependencies`: what the loader accepts and refuses, and the
//! bundle the validator lint and the generated code read.

use std::path::Path;

use evc::load::{Input, Inputs};
use evc::rules::RuleId;

fn contract(keywords: &str) -> String {
    format!(
        r#"
event: ParcelSent
namespace: com.example.parcels
description: A parcel was sent.
versions:
  - version: 1.0.0
    schema:
      type: object
      required: [parcel_id]
{keywords}
      properties:
        parcel_id: {{ type: string }}
        carrier: {{ type: string }}
        tracking_code: {{ type: string }}
        insured: {{ type: boolean }}
    examples:
      - parcel_id: P-1
"#
    )
}

/// The payload schema as the generated code bundles it.
fn bundle(lint: &evc::Lint) -> serde_json::Value {
    let code = evc::rust::generate(
        &evc::bind::bind(&lint.model),
        &evc::rust::Options::default(),
    );
    let schema = code
        .split("const SCHEMA: &'static str = r#\"")
        .nth(1)
        .and_then(|rest| rest.split("\"#;").next())
        .expect("the bundled schema");
    serde_json::from_str(schema).expect("JSON")
}

fn lint(text: &str) -> evc::Lint {
    evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new(
                "parcels/parcel_sent.yaml",
                text.as_bytes().to_vec(),
            )],
            config: None,
        },
        Path::new("."),
    )
}

fn errors(text: &str) -> Vec<(RuleId, String)> {
    lint(text)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.rule, d.message.clone()))
        .collect()
}

#[test]
fn both_forms_of_draft_07_dependencies_are_read() {
    let text = contract(
        "      dependencies: { carrier: [tracking_code], insured: { required: [carrier] } }",
    );
    let lint = lint(&text);
    assert!(lint.diagnostics.is_empty(), "{:?}", lint.diagnostics);
    let bundle = bundle(&lint);
    assert_eq!(
        bundle["dependentRequired"],
        serde_json::json!({ "carrier": ["tracking_code"] })
    );
    assert_eq!(
        bundle["dependentSchemas"],
        serde_json::json!({ "insured": { "required": ["carrier"] } })
    );
}

#[test]
fn a_condition_part_alone_is_reported_and_dropped_but_a_lone_if_is_bundled() {
    for (keywords, word) in [
        (
            "      then: { required: [carrier] }",
            "`then` has no effect without `if`",
        ),
        (
            "      else: { required: [carrier] }",
            "`else` has no effect without `if`",
        ),
        (
            "      if: { required: [carrier] }",
            "`if` has no effect without `then` or `else`",
        ),
    ] {
        let lint = lint(&contract(keywords));
        let found: Vec<_> = lint
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.message.as_str()))
            .collect();
        assert_eq!(found, [(RuleId::KeywordNoEffect, word)], "{keywords}");
        let bundle = bundle(&lint);
        for key in ["then", "else"] {
            assert!(bundle.get(key).is_none(), "{keywords}: {bundle}");
        }
        // A lone `if` stays: what it evaluates counts for `unevaluated*`.
        let kept = keywords.trim_start().starts_with("if");
        assert_eq!(bundle.get("if").is_some(), kept, "{keywords}: {bundle}");
    }
}

#[test]
fn both_spellings_of_a_dependency_add_up_in_the_bundle() {
    let text = contract(
        "      minProperties: 1\n      maxProperties: 3\n      dependentRequired: { carrier: [tracking_code] }\n      dependencies: { carrier: [insured, tracking_code], insured: [] }",
    );
    let lint = lint(&text);
    assert!(!lint.has_errors(), "{:?}", lint.diagnostics);
    let bundle = bundle(&lint);
    assert_eq!(bundle["minProperties"], 1);
    assert_eq!(bundle["maxProperties"], 3);
    assert_eq!(
        bundle["dependentRequired"],
        serde_json::json!({ "carrier": ["tracking_code", "insured"], "insured": [] })
    );
    assert!(bundle.get("dependencies").is_none(), "{bundle}");
}

#[test]
fn wrong_values_are_refused_with_their_rule() {
    let cases = [
        (
            "      minProperties: 1.5",
            RuleId::InvalidValue,
            "non-negative integer",
        ),
        (
            "      maxProperties: many",
            RuleId::WrongType,
            "`maxProperties`",
        ),
        (
            "      dependentRequired: [carrier]",
            RuleId::WrongType,
            "`dependentRequired`",
        ),
        (
            "      dependentRequired: { carrier: [1] }",
            RuleId::WrongType,
            "property name",
        ),
        (
            "      dependentRequired: { carrier: [insured, insured] }",
            RuleId::InvalidValue,
            "listed twice",
        ),
        (
            "      dependentSchemas: [carrier]",
            RuleId::WrongType,
            "`dependentSchemas`",
        ),
        (
            "      patternProperties: { \"^x_[\": {} }",
            RuleId::InvalidValue,
            "the `patternProperties` key `^x_[` is not a valid regular expression",
        ),
        (
            "      patternProperties: [x]",
            RuleId::WrongType,
            "`patternProperties`",
        ),
        (
            "      minProperties: 2\n      maxProperties: 1",
            RuleId::InvalidValue,
            "greater than `maxProperties`",
        ),
    ];
    for (keywords, rule, words) in cases {
        let found = errors(&contract(keywords));
        assert_eq!(found.len(), 1, "{keywords}: {found:?}");
        assert_eq!(found[0].0, rule, "{keywords}: {found:?}");
        assert!(found[0].1.contains(words), "{keywords}: {found:?}");
    }
}

/// A `$ref` under `unevaluatedProperties` is bundled with its target, so
/// the example is checked against the referenced schema, not the root.
#[test]
fn a_ref_under_unevaluated_properties_is_bundled_with_its_target() {
    let text = contract(
        "      unevaluatedProperties: { $ref: '#/$defs/Note' }\n      $defs:\n        Note: { type: integer }",
    )
    .replace("      - parcel_id: P-1", "      - { parcel_id: P-1, weight: 5 }");
    assert_eq!(errors(&text), []);
    let wrong = text.replace("weight: 5", "weight: heavy");
    let found = errors(&wrong);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, RuleId::ExampleInvalid);
}

/// A schema carrying `unevaluatedItems` that contains itself would make the
/// generated gathering expand without end: it is refused.
#[test]
fn unevaluated_items_on_a_schema_that_contains_itself_is_refused() {
    let text = contract("").replace(
        "        insured: { type: boolean }",
        "        insured: { type: boolean }\n        tree:\n          type: array\n          contains: { anyOf: [ { type: string }, { $ref: '#/properties/tree' } ] }\n          unevaluatedItems: false",
    );
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, RuleId::UnsupportedKeyword);
    assert!(found[0].1.contains("`unevaluatedItems`"), "{found:?}");
}

/// A `required` in a schema that declares nothing and has no type constrains
/// an object declared elsewhere (published schemas write it under `allOf`);
/// only where it sits beside declared properties can it be a typo.
#[test]
fn required_in_a_constraint_only_schema_names_properties_declared_elsewhere() {
    let text = contract(
        "      allOf: [ { properties: { carrier: { required: [name] } } } ]\n      dependentSchemas: { insured: { properties: { carrier: { type: object, properties: { id: { type: string } }, required: [nmae] } } } }",
    );
    let rules: Vec<RuleId> = lint(&text).diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, [RuleId::RequiredUndeclared]);
}
