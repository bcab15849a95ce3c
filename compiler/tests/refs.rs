//! `$ref`s as published schemas write them: resolved against the file's
//! `$id`, found by `$id` among the files of the root or through the `refs`
//! map of evc.yaml, and never fetched.

use std::path::Path;

use evc::load::{Input, Inputs};
use evc::rules::RuleId;

const EVENT: &str = r#"{
  "$id": "https://cdevents.dev/0.4.1/schema/artifact-packaged-event",
  "x-evc": { "kind": "event", "name": "ArtifactPackaged", "namespace": "dev.cdevents",
             "version": "1.0.0", "description": "An artifact was packaged." },
  "type": "object",
  "required": ["links"],
  "properties": { "links": { "$ref": "REF" } },
  "examples": [ { "links": [ { "target": "a" } ] } ]
}"#;

/// A schema file whose `$id` has no extension, kept under another name.
const LINKS: &str = r##"{
  "$id": "https://cdevents.dev/0.4.1/schema/links/embeddedlinksarray",
  "type": "array",
  "items": { "$ref": "#/$defs/link" },
  "$defs": { "link": { "type": "object", "properties": { "target": { "type": "string", "minLength": 1 } } } }
}"##;

fn lint(reference: &str, links_path: &str, config: Option<&str>) -> Vec<(RuleId, String)> {
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![
                Input::new(
                    "events/artifact_packaged.json",
                    EVENT.replace("REF", reference),
                ),
                Input::new(links_path, LINKS),
            ],
            config: config.map(|c| Input::new("evc.yaml", c)),
        },
        Path::new("."),
    );
    lint.diagnostics
        .iter()
        .map(|d| (d.rule, d.message.clone()))
        .collect()
}

#[test]
fn a_relative_ref_resolves_against_the_files_id() {
    assert_eq!(
        lint(
            "links/embeddedlinksarray",
            "vendor/cdevents/links.json",
            None
        ),
        []
    );
}

#[test]
fn an_absolute_ref_finds_the_file_with_that_id() {
    let url = "https://cdevents.dev/0.4.1/schema/links/embeddedlinksarray";
    assert_eq!(lint(url, "anywhere/links.json", None), []);
    // With a fragment: a pointer into that file.
    let found = lint(&format!("{url}#/$defs/link"), "anywhere/links.json", None);
    // The example holds an array where the target wants an object.
    assert_eq!(
        found.iter().map(|(rule, _)| *rule).collect::<Vec<_>>(),
        [RuleId::ExampleInvalid]
    );
}

#[test]
fn a_refs_entry_maps_a_url_prefix_to_a_folder() {
    // No `$id` match (the file's own `$id` differs), but the map applies;
    // the missing extension is tried.
    let other = "https://mirror.example/cdevents/links";
    let config = "version: v1\nrefs:\n  \"https://mirror.example/cdevents/\": vendor/cdevents/\n";
    assert_eq!(lint(other, "vendor/cdevents/links.json", Some(config)), []);
    let unmapped = lint(other, "vendor/cdevents/links.json", None);
    assert_eq!(unmapped.len(), 1);
    assert_eq!(unmapped[0].0, RuleId::RefUnsupported);
    assert!(
        unmapped[0].1.contains(
            "no file of the contracts root has the `$id` `https://mirror.example/cdevents/links`"
        ),
        "{}",
        unmapped[0].1
    );
}

#[test]
fn a_ref_that_leads_nowhere_names_the_url_it_tried() {
    let found = lint("links/missing", "vendor/cdevents/links.json", None);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, RuleId::RefFileNotFound);
}

#[test]
fn refs_entries_must_be_urls_mapped_inside_the_root() {
    for config in [
        "version: v1\nrefs:\n  not a url: vendor/\n",
        "version: v1\nrefs:\n  \"https://x.example/\": ../outside/\n",
        "version: v1\nrefs:\n  \"https://x.example/\": /etc/\n",
        "version: v1\nrefs: [a]\n",
    ] {
        let found = lint(
            "links/embeddedlinksarray",
            "vendor/links.json",
            Some(config),
        );
        assert_eq!(
            found.iter().map(|(rule, _)| *rule).collect::<Vec<_>>(),
            [RuleId::ConfigInvalid],
            "{config}"
        );
    }
}

#[test]
fn a_plain_name_fragment_finds_its_anchor() {
    let contract = r##"
event: AddressChanged
namespace: com.example.people
description: An address changed.
versions:
  - version: 1.0.0
    schema:
      type: object
      required: [home]
      properties:
        home: { $ref: "#Address" }
        work: { $ref: "shared.json#Phone" }
      $defs:
        address:
          $anchor: Address
          type: object
          required: [city]
          properties:
            city: { type: string }
    examples:
      - home: { city: Paris }
        work: "12"
"##;
    let shared = r##"{ "$defs": { "phone": { "$id": "#Phone", "type": "string" } } }"##;
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![
                Input::new("people/address_changed.yaml", contract),
                Input::new("people/shared.json", shared),
            ],
            config: None,
        },
        Path::new("."),
    );
    let found: Vec<RuleId> = lint.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(found, []);
    let broken = contract.replace("#Address", "#Adress");
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![
                Input::new("people/address_changed.yaml", broken),
                Input::new("people/shared.json", shared),
            ],
            config: None,
        },
        Path::new("."),
    );
    let found: Vec<RuleId> = lint.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(found, [RuleId::RefTargetNotFound]);
}

/// The rules of every finding of a lint of `files`.
fn lint_files(files: &[(&str, &str)], config: Option<&str>) -> Vec<RuleId> {
    let lint = evc::lint_inputs(
        Inputs {
            contracts: files
                .iter()
                .map(|(path, text)| Input::new(*path, *text))
                .collect(),
            config: config.map(|c| Input::new("evc.yaml", c)),
        },
        Path::new("."),
    );
    lint.diagnostics.iter().map(|d| d.rule).collect()
}

/// A JSON Schema contract: `BODY` holds its keywords, `EXAMPLE` its example.
const ORDER: &str = r#"{
  "$id": "https://example.com/orders/order",
  "x-evc": { "kind": "event", "name": "OrderPlaced", "namespace": "com.example.orders",
             "version": "1.0.0", "description": "An order was placed." },
  BODY,
  "examples": [ EXAMPLE ]
}"#;

fn order(body: &str, example: &str) -> String {
    ORDER.replace("BODY", body).replace("EXAMPLE", example)
}

#[test]
fn an_embedded_id_is_a_resource_with_its_own_base_and_pointers() {
    // `money` names the `$defs` entry whose `$id` is `money` (resolved
    // against the file's `$id`), and `#` inside it is that entry: its
    // `amount` is the integer, not the root's string.
    let body = r##""type": "object",
  "required": ["total"],
  "properties": { "total": { "$ref": "money" } },
  "$defs": {
    "money": {
      "$id": "money",
      "type": "object",
      "required": ["amount"],
      "properties": { "amount": { "$ref": "#/$defs/amount" } },
      "$defs": { "amount": { "type": "integer" } }
    },
    "amount": { "type": "string" }
  }"##;
    let file = |example: &str| order(body, example);
    let good = file(r#"{ "total": { "amount": 5 } }"#);
    assert_eq!(lint_files(&[("orders/order.json", &good)], None), []);
    let bad = file(r#"{ "total": { "amount": "5" } }"#);
    assert_eq!(
        lint_files(&[("orders/order.json", &bad)], None),
        [RuleId::ExampleInvalid]
    );
    // The absolute URL names it too, with a pointer into it.
    let absolute = body.replace(
        r#"{ "$ref": "money" }"#,
        r##"{ "$ref": "https://example.com/orders/money#/$defs/amount" }"##,
    );
    let file = order(&absolute, r#"{ "total": 5 }"#);
    assert_eq!(lint_files(&[("orders/order.json", &file)], None), []);
}

#[test]
fn anchors_belong_to_their_resource() {
    // Two `my_anchor`s: `child1#my_anchor` is the one directly in `child1`,
    // not the one in the resource `child2` embedded in it.
    let body = r##""$ref": "child1#my_anchor",
  "$defs": {
    "A": {
      "$id": "child1",
      "allOf": [
        { "$id": "child2", "$anchor": "my_anchor", "type": "number" },
        { "$anchor": "my_anchor", "type": "string" }
      ]
    }
  }"##;
    assert_eq!(lint_files(&[("o.json", &order(body, r#""a""#))], None), []);
    assert_eq!(
        lint_files(&[("o.json", &order(body, "1"))], None),
        [RuleId::ExampleInvalid]
    );
}

#[test]
fn a_mapped_document_without_id_resolves_its_refs_where_it_was_found() {
    let body = r#""$ref": "https://schemas.example/nested/foo-ref-string.json""#;
    let foo = r#"{ "type": "object", "properties": { "foo": { "$ref": "string.json" } } }"#;
    let string = r#"{ "type": "string" }"#;
    let config = "version: v1\nrefs:\n  \"https://schemas.example/\": vendor/\n";
    let files = |example: &str| {
        lint_files(
            &[
                ("orders/order.json", &order(body, example)),
                ("vendor/nested/foo-ref-string.json", foo),
                ("vendor/nested/string.json", string),
            ],
            Some(config),
        )
    };
    assert_eq!(files(r#"{ "foo": "a" }"#), []);
    assert_eq!(files(r#"{ "foo": 1 }"#), [RuleId::ExampleInvalid]);
}

#[test]
fn a_nested_absolute_id_is_found_from_another_file() {
    let body = r#""$ref": "https://schemas.example/the-nested-id.json""#;
    let holder = r#"{ "$defs": { "bar": { "$id": "https://schemas.example/the-nested-id.json", "type": "string" } } }"#;
    let files = |example: &str| {
        lint_files(
            &[
                ("orders/order.json", &order(body, example)),
                ("shared/holder.json", holder),
            ],
            None,
        )
    };
    assert_eq!(files(r#""a""#), []);
    assert_eq!(files("1"), [RuleId::ExampleInvalid]);
}

#[test]
fn a_draft_07_id_beside_ref_changes_nothing() {
    // The `$id` beside `$ref` is ignored (and said so): `foo.json` resolves
    // against the root's base, to the number.
    let body = r#""$schema": "http://json-schema.org/draft-07/schema#",
  "definitions": {
    "foo": { "$id": "https://example.com/orders/sibling/foo.json", "type": "string" },
    "base_foo": { "$id": "foo.json", "type": "number" }
  },
  "allOf": [ { "$id": "https://example.com/orders/sibling/", "$ref": "foo.json" } ]"#;
    assert_eq!(
        lint_files(&[("o.json", &order(body, "1"))], None),
        [RuleId::RefSiblingIgnored]
    );
    assert_eq!(
        lint_files(&[("o.json", &order(body, r#""a""#))], None),
        [RuleId::RefSiblingIgnored, RuleId::ExampleInvalid]
    );
}

#[test]
fn schema_keyword_needs_a_resource_root() {
    let nested = r#""type": "object",
  "properties": { "n": { "$schema": "http://json-schema.org/draft-07/schema#", "type": "number" } }"#;
    assert_eq!(
        lint_files(&[("o.json", &order(nested, r#"{ "n": 1 }"#))], None),
        [RuleId::UnsupportedKeyword]
    );
    // With its own `$id` the subschema is a resource, read in its draft
    // (draft-07 ignores `minimum` beside `$ref`), and its `#` is itself.
    let resource = r##""type": "object",
  "properties": { "n": { "$id": "n", "$schema": "http://json-schema.org/draft-07/schema#",
                         "definitions": { "num": { "type": "number" } },
                         "properties": { "v": { "$ref": "#/definitions/num", "minimum": 5 } } } }"##;
    assert_eq!(
        lint_files(
            &[("o.json", &order(resource, r#"{ "n": { "v": 1 } }"#))],
            None
        ),
        [RuleId::RefSiblingIgnored]
    );
}

/// A contract file whose payloads refer inside themselves, by pointer and
/// by anchor, in each version.
const PLACED: &str = "
event: OrderPlaced
namespace: com.example.orders
description: A customer placed an order.
versions:
  - version: 1.0.0
    schema:
      type: object
      properties:
        address: { $ref: '#/$defs/Address' }
        billing: { $ref: '#postal' }
      $defs:
        Address: { $anchor: postal, type: object, properties: { city: { type: string } } }
    examples: [{ address: { city: Lyon } }]
  - version: 1.1.0
    schema:
      type: object
      properties:
        address: { $ref: '#/$defs/Address' }
        billing: { $ref: '#postal' }
        note: { type: string }
      $defs:
        Address: { $anchor: postal, type: object, properties: { city: { type: string } } }
    examples: [{ address: { city: Lyon }, note: ring }]
";

const SHIPPED: &str = "
event: OrderShipped
namespace: com.example.orders
description: An order left the warehouse.
versions:
  - version: 1.0.0
    schema:
      type: object
      properties:
        to: { $ref: 'placed.yaml#/versions/1/schema/$defs/Address' }
    examples: [{ to: { city: Lyon } }]
";

/// Payloads nothing else names are freed once built; one another file
/// names stays readable. Either way every reference resolves.
#[test]
fn refs_inside_versions_and_into_another_files_version_resolve() {
    for files in [
        &[("orders/placed.yaml", PLACED)][..],
        &[
            ("orders/placed.yaml", PLACED),
            ("orders/shipped.yaml", SHIPPED),
        ],
    ] {
        let found = lint_files(files, None);
        assert!(
            !found
                .iter()
                .any(|rule| rule.rule().default_level == evc::rules::Level::Error),
            "{found:?}"
        );
    }
}

/// GitHub's webhook schemas give each file a relative `$id` and name shared
/// schemas by it (`common/user.schema.json`) from folders beside `common/`,
/// as validators that register schemas by `$id` read them.
#[test]
fn a_ref_names_a_file_by_its_relative_id() {
    let event = r#"{
  "$schema": "http://json-schema.org/draft-07/schema",
  "$id": "issues$opened",
  "x-evc": { "kind": "event", "name": "IssueOpened", "namespace": "com.github",
             "version": "1.0.0", "description": "An issue was opened." },
  "type": "object",
  "required": ["sender"],
  "properties": { "sender": { "$ref": "common/user.schema.json" } },
  "examples": [ { "sender": { "login": "octocat" } } ]
}"#;
    let user = r#"{
  "$schema": "http://json-schema.org/draft-07/schema",
  "$id": "common/user.schema.json",
  "type": "object",
  "required": ["login"],
  "properties": { "login": { "type": "string" }, "org": { "$ref": "org.schema.json" } }
}"#;
    let org = r#"{ "$id": "common/org.schema.json", "type": "object" }"#;
    let files = [
        ("api.github.com/issues/opened.schema.json", event),
        ("api.github.com/common/user.schema.json", user),
        ("api.github.com/common/org.schema.json", org),
    ];
    assert_eq!(lint_files(&files, None), []);
    let unknown = event.replace("common/user.schema.json", "common/nobody.schema.json");
    let files = [
        ("api.github.com/issues/opened.schema.json", unknown.as_str()),
        ("api.github.com/common/user.schema.json", user),
        ("api.github.com/common/org.schema.json", org),
    ];
    assert_eq!(lint_files(&files, None), [RuleId::RefFileNotFound]);
    // `./` and an empty fragment in an `$id` name the same path.
    let dotted = user.replace(
        "\"common/user.schema.json\"",
        "\"./common/./user.schema.json#\"",
    );
    assert_ne!(dotted, user);
    let files = [
        ("api.github.com/issues/opened.schema.json", event),
        ("api.github.com/common/user.schema.json", dotted.as_str()),
        ("api.github.com/common/org.schema.json", org),
    ];
    assert_eq!(lint_files(&files, None), []);
}
