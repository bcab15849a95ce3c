//! `evc::Builder` as a build script uses it: it writes into the output
//! directory, reports every file it read (so Cargo reruns it), and leaves an
//! unchanged output alone.

use std::path::Path;

const ORDER: &str = r#"event: OrderShipped
namespace: com.example.shipping
description: An order left the warehouse.
versions:
  - version: 1.0.0
    schema:
      type: object
      required: [order_id, total]
      properties:
        order_id: { type: string, format: uuid }
        total: { $ref: 'common/money.yaml#/$defs/Money' }
    examples:
      - { order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77, total: { amount: 1 } }
"#;

const MONEY: &str = r#"$defs:
  Money:
    type: object
    required: [amount]
    properties:
      amount: { type: number }
"#;

fn contracts(dir: &Path) {
    std::fs::create_dir_all(dir.join("common")).expect("dirs");
    std::fs::write(dir.join("order_shipped.yaml"), ORDER).expect("write");
    std::fs::write(dir.join("common/money.yaml"), MONEY).expect("write");
}

#[test]
fn every_file_read_is_reported_including_ref_targets() {
    let dir = tempfile::tempdir().expect("temp dir");
    contracts(dir.path());
    let generated = evc::generate_dir(dir.path(), &evc::rust::Options::default()).expect("clean");
    assert_eq!(generated.read[0], dir.path());
    assert!(generated
        .read
        .contains(&dir.path().join("common/money.yaml")));
    assert!(generated
        .read
        .contains(&dir.path().join("order_shipped.yaml")));
    assert!(generated.code.contains("pub struct Money"));
}

#[test]
fn non_exhaustive_is_on_by_default_and_can_be_turned_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    contracts(dir.path());
    let out = dir.path().join("out");
    let build = |builder: evc::Builder, name: &str| {
        let path = builder
            .contracts(dir.path())
            .out_dir(&out)
            .file_name(name)
            .cargo_directives(false)
            .compile()
            .expect("compiles");
        std::fs::read_to_string(path).expect("read")
    };
    let default = build(evc::Builder::new(), "default.rs");
    assert!(
        default.contains("#[non_exhaustive]\npub struct Money"),
        "{default}"
    );
    let off = build(evc::Builder::new().non_exhaustive(false), "off.rs");
    assert!(off.contains("pub struct Money"), "{off}");
    assert!(!off.contains("non_exhaustive"), "{off}");
}

#[test]
fn output_is_rewritten_only_when_it_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    contracts(dir.path());
    let out = dir.path().join("out");
    let build = || {
        evc::Builder::new()
            .contracts(dir.path())
            .out_dir(&out)
            .cargo_directives(false)
            .compile()
            .expect("compiles")
    };
    let path = build();
    let first = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    build();
    assert_eq!(
        std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        first
    );
    std::fs::write(
        dir.path().join("common/money.yaml"),
        MONEY.replace(
            "amount: { type: number }",
            "amount: { type: number, minimum: 0 }",
        ),
    )
    .expect("write");
    build();
    assert!(std::fs::read_to_string(&path)
        .expect("read")
        .contains("minimum"));
}

fn broken_build_error() -> (tempfile::TempDir, evc::Error) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("broken.yaml"),
        ORDER.replace("type: string, format: uuid", "type: strng, format: uuid"),
    )
    .expect("write");
    let error = evc::Builder::new()
        .contracts(dir.path())
        .out_dir(dir.path())
        .cargo_directives(false)
        .compile()
        .expect_err("broken contracts");
    (dir, error)
}

#[test]
fn contract_errors_render_as_rustc_does() {
    let (dir, error) = broken_build_error();
    let text = error.to_string();
    let root = evc::source::slash_path(dir.path());
    let expected_place = format!("--> {root}/broken.yaml:10:27");
    for wanted in [
        "error[INVALID_VALUE]: ",
        expected_place.as_str(),
        "10 |         order_id: { type: strng, format: uuid }",
        "^^^^^",
        "= help: ",
        "error: 2 errors in the contracts; no bindings were generated",
    ] {
        assert!(text.contains(wanted), "no `{wanted}` in:\n{text}");
    }
}

#[test]
fn contract_errors_are_structured_too() {
    // A build script can act on each finding without parsing the text.
    let (_dir, error) = broken_build_error();
    let findings = error.findings();
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let first = &findings[0];
    assert_eq!(first.rule, evc::rules::RuleId::InvalidValue);
    assert!(first.is_error());
    assert!(first.file.ends_with("broken.yaml"), "{first:?}");
    assert_eq!((first.line, first.column), (10, 27));
    assert!(first.hint.is_some(), "{first:?}");
}

#[test]
fn a_c_backend_refusal_keeps_its_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    contracts(dir.path());
    let options = evc::c::Options {
        prefix: "Not A Prefix".into(),
    };
    let error = evc::builder::generate_c_dir(dir.path(), &options).expect_err("bad prefix");
    assert!(
        matches!(error, evc::Error::C(evc::c::Error::InvalidPrefix(_))),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("cannot prefix C identifiers"),
        "{error}"
    );
}

#[test]
fn debug_shows_the_rendered_findings_not_the_enum() {
    // What `fn main() -> Result<..>` and `.unwrap()` in build.rs print.
    let (_dir, error) = broken_build_error();
    let debug = format!("{error:?}");
    assert_eq!(debug, format!("\n{error}"));
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert!(format!("{boxed:?}").contains("error[INVALID_VALUE]"));
}

#[test]
fn warnings_for_cargo_are_one_line_each_with_their_help() {
    let dir = tempfile::tempdir().expect("temp dir");
    contracts(dir.path());
    std::fs::write(
        dir.path().join("order_shipped.yaml"),
        ORDER.replace("description: An order left the warehouse.\n", ""),
    )
    .expect("write");
    let generated = evc::generate_dir(dir.path(), &evc::rust::Options::default()).expect("clean");
    let warning = generated
        .warnings
        .iter()
        .find(|w| w.rule == evc::rules::RuleId::DescriptionMissing)
        .expect("a warning");
    assert_eq!((warning.line, warning.column), (1, 8));
    assert!(warning.file.ends_with("order_shipped.yaml"), "{warning:?}");
    let line = evc::report::compile::line(warning);
    assert!(
        line.contains("order_shipped.yaml:1:8: DESCRIPTION_MISSING: "),
        "{line}"
    );
    assert!(line.contains("; help: say in one sentence"), "{line}");
}
