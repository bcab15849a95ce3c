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
