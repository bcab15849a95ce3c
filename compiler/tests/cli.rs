//! The `evc` binary as CI runs it: exit codes, output formats, and the
//! project config.

use std::path::Path;
use std::process::{Command, Output};

const CLEAN: &str = r#"event: OrderShipped
namespace: com.example.shipping
description: An order left the warehouse.
versions:
  - version: 1.0.0
    schema:
      type: object
      required: [order_id]
      properties:
        order_id: { type: string, format: uuid }
    examples:
      - order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77
"#;

/// One error (a camelCase field) and one warning (no examples).
const FLAWED: &str = r#"command: ShipOrder
namespace: com.example.shipping
description: Ship an order.
versions:
  - version: 1.0.0
    schema:
      type: object
      properties:
        orderId: { type: string }
"#;

fn evc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evc"))
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("evc runs")
}

fn root(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn clean_contracts_exit_zero() {
    let dir = root(&[("shipping/order_shipped.yaml", CLEAN)]);
    let output = evc(&["lint"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("evc: 0 errors, 0 warnings in 1 file (1 contract)"));
}

#[test]
fn errors_exit_one_with_rustc_style_output() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["lint"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[FIELD_NOT_SNAKE_CASE]: property `orderId` is not snake_case"));
    assert!(text.contains("ship_order.yaml:9:9"), "{text}");
    assert!(
        text.contains("orderId: { type: string }"),
        "quotes the source line"
    );
    assert!(text.contains("^^^^^^^"), "underlines the name");
    assert!(text.contains("help: rename it `order_id`"));
    assert!(text.contains("warning[EXAMPLES_MISSING]"));
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = root(&[("ship_order.yaml", &FLAWED.replace("orderId", "order_id"))]);
    assert_eq!(evc(&["lint"], dir.path()).status.code(), Some(0));
    assert_eq!(
        evc(&["lint", "--deny-warnings"], dir.path()).status.code(),
        Some(1)
    );
}

#[test]
fn usage_and_io_errors_exit_two() {
    let missing = Path::new("/definitely/not/here");
    let output = evc(&["lint"], missing);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
    let dir = root(&[("a.yaml", CLEAN)]);
    assert_eq!(
        evc(&["lint", "--format", "xml"], dir.path()).status.code(),
        Some(2)
    );
}

#[test]
fn json_format_names_file_line_column_and_rule() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["lint", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    // Findings come in source order: the missing examples (line 5) first.
    assert_eq!(doc["diagnostics"][0]["rule"], "EXAMPLES_MISSING");
    let first = &doc["diagnostics"][1];
    assert_eq!(first["rule"], "FIELD_NOT_SNAKE_CASE");
    assert_eq!(first["level"], "error");
    assert_eq!(first["category"], "naming");
    assert_eq!(first["line"], 9);
    assert_eq!(first["column"], 9);
    assert_eq!(first["end_column"], 16);
    assert!(first["file"].as_str().unwrap().ends_with("ship_order.yaml"));
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 1);
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["lint", "--format", "sarif"], dir.path());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "evc");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), evc::rules::RULES.len());
    let result = &run["results"][1];
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 9);
    assert_eq!(region["startColumn"], 9);
}

#[test]
fn github_format_emits_workflow_commands() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["lint", "--format", "github"], dir.path());
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("::warning file="), "{text}");
    assert!(lines[1].starts_with("::error file="), "{text}");
    assert!(lines[1].contains(
        "ship_order.yaml,line=9,col=9,endLine=9,endColumn=16,title=FIELD_NOT_SNAKE_CASE::"
    ));
    assert!(lines[1].contains("%0Ahelp: rename it `order_id`"));
}

#[test]
fn config_sets_levels_and_ignores_paths() {
    let config = r#"version: v1
lint:
  rules:
    EXAMPLES_MISSING: error
    FIELD_NOT_SNAKE_CASE: off
  ignore: [legacy/]
naming:
  allow: [StockLow]
"#;
    let stock_low = CLEAN
        .replace("OrderShipped", "StockLow")
        .replace("com.example.shipping", "com.example.stock");
    let dir = root(&[
        ("evc.yaml", config),
        ("ship_order.yaml", FLAWED),
        (
            "legacy/old.yaml",
            &FLAWED.replace("ShipOrder", "ShipParcel"),
        ),
        ("stock_low.yaml", &stock_low),
    ]);
    let output = evc(&["lint", "--format", "json"], dir.path());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let found: Vec<(String, String, String)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"]
                    .as_str()
                    .unwrap()
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap()
                    .to_owned(),
                d["rule"].as_str().unwrap().to_owned(),
                d["level"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "ship_order.yaml".to_owned(),
            "EXAMPLES_MISSING".to_owned(),
            "error".to_owned()
        )]
    );
}

#[test]
fn config_mistakes_are_diagnostics_in_the_config_file() {
    let config = "version: v1\nlint:\n  rules:\n    FIELD_NOT_SNAKE: off\n    YAML_SYNTAX: off\n  ignore_only:\n    NAME_NOT_PASCAL_CASE: [a.yaml]\n  colour: red\n";
    let dir = root(&[("evc.yaml", config), ("a.yaml", CLEAN)]);
    let output = evc(&["lint", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let found: Vec<String> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}:{}", d["rule"], d["line"], d["column"]))
        .collect();
    assert_eq!(
        found,
        [
            "\"CONFIG_INVALID\" 4:5",
            "\"CONFIG_INVALID\" 5:5",
            "\"CONFIG_INVALID\" 8:3"
        ]
    );
    let text = stdout(&evc(&["lint"], dir.path()));
    assert!(
        text.contains("did you mean `FIELD_NOT_SNAKE_CASE`?"),
        "{text}"
    );
}

#[test]
fn ignore_only_silences_one_rule_for_one_path() {
    let config =
        "version: v1\nlint:\n  ignore_only:\n    FIELD_NOT_SNAKE_CASE: [ship_order.yaml]\n";
    let dir = root(&[("evc.yaml", config), ("ship_order.yaml", FLAWED)]);
    let output = evc(&["lint", "--format", "json"], dir.path());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let rules: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["EXAMPLES_MISSING"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn rules_lists_the_registry() {
    let output = Command::new(env!("CARGO_BIN_EXE_evc"))
        .arg("rules")
        .output()
        .unwrap();
    let text = stdout(&output);
    for rule in evc::rules::RULES {
        assert!(text.contains(rule.name), "{}", rule.name);
    }
}

#[test]
fn output_is_identical_across_runs() {
    let dir = root(&[("ship_order.yaml", FLAWED), ("a.yaml", CLEAN)]);
    let first = stdout(&evc(&["lint", "--format", "sarif"], dir.path()));
    let second = stdout(&evc(&["lint", "--format", "sarif"], dir.path()));
    assert_eq!(first, second);
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime")
}

#[test]
fn gen_rust_writes_bindings_and_leaves_an_unchanged_file_alone() {
    let dir = root(&[("order_shipped.yaml", CLEAN)]);
    let out = dir.path().join("bindings.rs");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let first = evc(&["gen", "rust", "--out", out_arg], dir.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let code = std::fs::read_to_string(&out).expect("written");
    assert!(code.contains("pub struct OrderShippedV1"));
    assert!(code.contains("\"com.example.shipping.order_shipped.v1\""));
    let written = modified(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = evc(&["gen", "rust", "--out", out_arg], dir.path());
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(modified(&out), written);
}

#[test]
fn gen_rust_refuses_contracts_with_errors() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["gen", "rust"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no code for broken contracts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ship_order.yaml:9:9: FIELD_NOT_SNAKE_CASE:"),
        "{stderr}"
    );
}

#[test]
fn build_lints_and_generates() {
    let dir = root(&[("order_shipped.yaml", CLEAN)]);
    let out = dir.path().join("out");
    let output = evc(
        &["build", "--out", out.to_str().expect("UTF-8 temp path")],
        dir.path(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.join("evc_contracts.rs").is_file());
}
