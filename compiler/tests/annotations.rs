//! Keywords and formats JSON Schema treats as annotations are kept, named
//! in a warning, and never checked: neither by the generated code nor by
//! the validator lint judges examples with.

use std::path::Path;

use evc::load::{Input, Inputs};
use evc::rules::{Level, RuleId};

const CONTRACT: &str = r#"
event: LinkShared
namespace: com.example.links
description: A user shared a link.
versions:
  - version: 1.0.0
    description: First release.
    schema:
      type: object
      additionalProperties: false
      required: [link_id, target, host]
      properties:
        link_id: { type: string, format: uuid, readOnly: true }
        target: { type: string, format: uri-template, example: /docs }
        host: { type: string, format: idn-hostname, tsType: string }
        avatar:
          type: string
          writeOnly: false
    examples:
      - link_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77
        target: "not a uri template: {unclosed and %%"
        host: "-not a hostname-"
"#;

fn findings(text: &str) -> Vec<(RuleId, Level, String)> {
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new(
                "links/link_shared.yaml",
                text.as_bytes().to_vec(),
            )],
            config: None,
        },
        Path::new("."),
    );
    lint.diagnostics
        .iter()
        .map(|d| (d.rule, d.level, d.message.clone()))
        .collect()
}

#[test]
fn annotations_are_kept_with_a_warning_and_never_checked() {
    let found = findings(CONTRACT);
    let rules: Vec<RuleId> = found.iter().map(|(rule, _, _)| *rule).collect();
    assert_eq!(
        rules,
        [
            RuleId::FormatUnknown,
            RuleId::SchemaKeywordUnknown,
            RuleId::FormatUnknown,
            RuleId::SchemaKeywordUnknown,
        ],
        "{found:#?}"
    );
    assert!(found.iter().all(|(_, level, _)| *level == Level::Warn));
    assert!(found[0].2.contains("`uri-template`"), "{}", found[0].2);
    assert!(found[1].2.contains("`example`"), "{}", found[1].2);
}

#[test]
fn contract_keys_among_schema_keywords_stay_errors() {
    let misplaced = CONTRACT.replace("tsType: string", "upcast: []");
    let found = findings(&misplaced);
    assert!(
        found
            .iter()
            .any(|(rule, level, _)| *rule == RuleId::UnknownKeyword && *level == Level::Error),
        "{found:#?}"
    );
}

#[test]
fn formats_evc_checks_are_still_asserted_on_examples() {
    let broken = CONTRACT.replace(
        "link_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77",
        "link_id: not-a-uuid",
    );
    let found = findings(&broken);
    assert!(
        found
            .iter()
            .any(|(rule, _, _)| *rule == RuleId::ExampleInvalid),
        "{found:#?}"
    );
}

#[test]
fn formats_once_annotations_are_asserted_on_examples() {
    for (format, example) in [
        ("uri-reference", "\"a b\""),
        ("hostname", "\"-not a hostname-\""),
        ("ipv4", "\"087.10.0.1\""),
        ("ipv6", "\"1::d6::42\""),
        ("time", "\"24:00:00Z\""),
        ("duration", "P1Y1D"),
        ("json-pointer", "/~2"),
        ("iri", "\"/âππ\""),
        ("iri-reference", "\"a b\""),
        ("relative-json-pointer", "\"01/a\""),
    ] {
        let contract = CONTRACT
            .replace("format: uri-template", &format!("format: {format}"))
            .replace("\"not a uri template: {unclosed and %%\"", example);
        let found = findings(&contract);
        assert!(
            found
                .iter()
                .any(|(rule, _, _)| *rule == RuleId::ExampleInvalid),
            "{format}: {found:#?}"
        );
        assert!(
            !found
                .iter()
                .any(|(rule, _, m)| *rule == RuleId::FormatUnknown
                    && m.contains(&format!("`{format}`"))),
            "{format}: {found:#?}"
        );
    }
}

/// Draft-04 has no `examples` keyword: at the root of a draft-04 `x-evc`
/// file it is the publisher's annotation (Google's event schemas list
/// test-data URLs there), not the version's example payloads.
#[test]
fn draft_04_examples_are_an_annotation_not_payloads() {
    let schema = |draft: &str| {
        format!(
            r#"{{
  "$schema": "{draft}",
  "x-evc": {{ "kind": "event", "name": "MessagePublished", "namespace": "com.google.events",
             "version": "1.0.0", "description": "A message was published." }},
  "type": "object",
  "properties": {{ "id": {{ "type": "string" }} }},
  "examples": [ "https://example.com/testdata/MessagePublished.json" ]
}}"#
        )
    };
    let rules = |text: String| -> Vec<RuleId> {
        let lint = evc::lint_inputs(
            Inputs {
                contracts: vec![Input::new("pubsub/message_published.json", text)],
                config: None,
            },
            Path::new("."),
        );
        lint.diagnostics.iter().map(|d| d.rule).collect()
    };
    assert_eq!(
        rules(schema("http://json-schema.org/draft-04/schema#")),
        [RuleId::ExamplesMissing]
    );
    assert_eq!(
        rules(schema("http://json-schema.org/draft-07/schema#")),
        [RuleId::ExampleInvalid]
    );
}
