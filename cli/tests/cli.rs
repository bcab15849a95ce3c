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
fn init_starts_a_root_that_lints_clean_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("contracts");
    let output = Command::new(env!("CARGO_BIN_EXE_evc"))
        .arg("init")
        .arg(&root)
        .output()
        .expect("evc runs");
    assert_eq!(output.status.code(), Some(0));
    let lint = evc(&["lint", "--deny-warnings"], &root);
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
    let again = Command::new(env!("CARGO_BIN_EXE_evc"))
        .arg("init")
        .arg(&root)
        .output()
        .expect("evc runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
}

#[test]
fn explain_names_a_rule_and_suggests_near_misses() {
    let run = |rule: &str| {
        Command::new(env!("CARGO_BIN_EXE_evc"))
            .args(["explain", rule])
            .output()
            .expect("evc runs")
    };
    let known = run("field_not_snake_case");
    assert_eq!(known.status.code(), Some(0));
    let text = stdout(&known);
    assert!(text.starts_with("FIELD_NOT_SNAKE_CASE: "), "{text}");
    assert!(
        text.contains("rules: { FIELD_NOT_SNAKE_CASE: warn }"),
        "{text}"
    );
    let fixed = stdout(&run("YAML_SYNTAX"));
    assert!(fixed.contains("configurable: no"), "{fixed}");
    let unknown = run("FIELD_NOT_SNAKECASE");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("did you mean `FIELD_NOT_SNAKE_CASE`?")
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = Command::new(env!("CARGO_BIN_EXE_evc"))
            .args(["completions", shell])
            .output()
            .expect("evc runs");
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(stdout(&output).contains("explain"), "{shell}");
    }
}

/// `evc ARGS DIR` with the colour variables of the environment replaced by `env`.
fn evc_with_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evc"));
    command.args(args).arg(dir);
    for name in [
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "EVC_COLOR",
        "TERM",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("evc runs")
}

fn coloured(output: &Output) -> bool {
    output.stdout.contains(&0x1b) || output.stderr.contains(&0x1b)
}

#[test]
fn colour_follows_the_flag_then_evc_color_then_the_conventions() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let lint = |args: &[&str], env: &[(&str, &str)]| coloured(&evc_with_env(args, dir.path(), env));
    // Output to a pipe is plain unless something asks for colour.
    assert!(!lint(&["lint"], &[]));
    assert!(lint(&["lint", "--color", "always"], &[]));
    assert!(lint(&["--color=always", "lint"], &[("NO_COLOR", "1")]));
    assert!(lint(&["lint"], &[("EVC_COLOR", "always")]));
    assert!(!lint(
        &["lint", "--color", "never"],
        &[("EVC_COLOR", "always")]
    ));
    assert!(lint(&["lint"], &[("CLICOLOR_FORCE", "1")]));
    assert!(!lint(
        &["lint"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(lint(
        &["build", "--color", "always", "--out", "/nonexistent/out"],
        &[]
    ));
    let wrong = evc_with_env(&["lint"], dir.path(), &[("EVC_COLOR", "sometimes")]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("EVC_COLOR must be"));
}

#[test]
fn quiet_prints_errors_only_and_keeps_the_exit_code() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["lint", "--quiet"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[FIELD_NOT_SNAKE_CASE]"), "{text}");
    assert!(!text.contains("EXAMPLES_MISSING"), "no warnings: {text}");
    assert!(!text.contains("evc: 1 error"), "no summary: {text}");
    let short = stdout(&evc(&["-q", "lint", "--format", "short"], dir.path()));
    assert!(short.contains("FIELD_NOT_SNAKE_CASE") && !short.contains("(warning)"));
    // Machine formats are data for tools: --quiet leaves them whole.
    let json = stdout(&evc(&["-q", "lint", "--format", "json"], dir.path()));
    assert!(json.contains("EXAMPLES_MISSING"), "{json}");

    let warned = root(&[("ship_order.yaml", &FLAWED.replace("orderId", "order_id"))]);
    let clean = evc(&["lint", "-q"], warned.path());
    assert_eq!(clean.status.code(), Some(0));
    assert!(clean.stdout.is_empty() && clean.stderr.is_empty());
    let denied = evc(&["lint", "-q", "--deny-warnings"], warned.path());
    assert_eq!(denied.status.code(), Some(1), "the warning still counts");

    let out = warned.path().join("out");
    let out_arg = out.to_str().expect("UTF-8 temp path");
    let built = evc(&["-q", "build", "--out", out_arg], warned.path());
    assert_eq!(built.status.code(), Some(0));
    assert!(
        built.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let generated = evc(&["gen", "rust", "-q"], warned.path());
    assert_eq!(generated.status.code(), Some(0));
    assert!(generated.stderr.is_empty());
    assert!(stdout(&generated).contains("pub struct ShipOrderV1"));
}

#[test]
fn progress_is_not_drawn_when_stderr_is_not_a_terminal() {
    let dir = root(&[("shipping/order_shipped.yaml", CLEAN)]);
    let output = evc(&["lint"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_lint_observer_sees_each_file_then_the_checks() {
    let dir = root(&[
        ("evc.yaml", "version: v1\n"),
        ("shipping/order_shipped.yaml", CLEAN),
        ("ship_order.yaml", FLAWED),
        ("broken.yaml", "event: [\n"),
    ]);
    let mut steps = Vec::new();
    let lint = evc::lint_dir_observed(dir.path(), &mut |step| {
        steps.push(match step {
            evc::Step::Read { files } => format!("read {files}"),
            evc::Step::Parsed(path) => format!("parsed {}", path.display()),
            evc::Step::Checking { contracts } => format!("checking {contracts}"),
            evc::Step::Checked => "checked".to_owned(),
        });
    })
    .expect("readable");
    assert_eq!(
        steps,
        [
            "read 3",
            "parsed broken.yaml",
            "parsed ship_order.yaml",
            &format!(
                "parsed {}",
                Path::new("shipping").join("order_shipped.yaml").display()
            ),
            "checking 2",
            "checked",
        ]
    );
    assert!(lint.has_errors());
}

#[test]
fn a_folder_without_contracts_is_a_usage_error() {
    let empty = root(&[("README.md", "# nothing here\n")]);
    let only_config = root(&[("evc.yaml", "version: v1\n")]);
    for dir in [&empty, &only_config] {
        for command in ["lint", "build"] {
            let output = evc(&[command], dir.path());
            assert_eq!(output.status.code(), Some(2), "{command}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("no contracts under"), "{command}: {stderr}");
        }
    }
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

/// A major whose upcast leaves the new required `channel` unset: the run on
/// the example fails because of it.
const UNCOVERED_MAJOR: &str = "event: OrderCreated
namespace: com.example.orders
description: A customer created an order.
versions:
  - version: 1.0.0
    schema:
      type: object
      additionalProperties: false
      required: [order_id]
      properties:
        order_id: { type: string, format: uuid }
        note: { type: string }
    examples:
      - { order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77, note: hi }
  - version: 2.0.0
    schema:
      type: object
      additionalProperties: false
      required: [order_id, channel]
      properties:
        order_id: { type: string, format: uuid }
        comment: { type: string }
        channel: { type: string }
    upcast:
      - rename: { note: comment }
    examples:
      - { order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77, channel: web }
";

#[test]
fn a_consequence_is_folded_under_its_root_in_every_format() {
    let dir = root(&[("order_created.yaml", UNCOVERED_MAJOR)]);
    let output = evc(&["lint", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let findings = doc["diagnostics"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc:#}");
    let root = &findings[0];
    assert_eq!(root["rule"], "UPCAST_UNCOVERED");
    assert_eq!(root["line"], 25);
    let consequence = &root["consequences"][0];
    assert_eq!(consequence["rule"], "UPCAST_RESULT_INVALID");
    assert_eq!(
        (&consequence["line"], &consequence["column"]),
        (&14.into(), &9.into())
    );
    assert!(consequence["file"]
        .as_str()
        .unwrap()
        .ends_with("order_created.yaml"));
    assert_eq!(root["more_consequences"], 0);

    let short = stdout(&evc(&["lint", "--format", "short"], dir.path()));
    let lines: Vec<&str> = short.lines().collect();
    assert_eq!(lines.len(), 2, "{short}");
    assert!(lines[0].contains(":25:7: UPCAST_UNCOVERED: "), "{short}");
    assert!(
        lines[1].starts_with("  as a result, ")
            && lines[1].contains("order_created.yaml:14:9 UPCAST_RESULT_INVALID: "),
        "{short}"
    );
    let human = stdout(&evc(&["lint"], dir.path()));
    let root_at = human.find("error[UPCAST_UNCOVERED]").expect("the root");
    let note_at = human.find("= as a result, ").expect("the note");
    assert!(root_at < note_at, "{human}");
    assert!(!human.contains("error[UPCAST_RESULT_INVALID]"), "{human}");
    let sarif = stdout(&evc(&["lint", "--format", "sarif"], dir.path()));
    assert!(
        sarif.contains("as a result, UPCAST_RESULT_INVALID: "),
        "{sarif}"
    );
    let github = stdout(&evc(&["lint", "--format", "github"], dir.path()));
    assert_eq!(github.lines().count(), 1, "{github}");
    assert!(github.contains("%0Aas a result, "), "{github}");
}

/// A minor release that breaks its major: removes a property of a closed
/// object and adds a required one.
const BREAKING_MINOR: &str = "event: OrderCreated
namespace: com.example.orders
description: A customer created an order.
versions:
  - version: 1.0.0
    schema:
      type: object
      additionalProperties: false
      required: [order_id]
      properties:
        order_id: { type: string, format: uuid }
        note: { type: string }
    examples:
      - { order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77, note: hi }
  - version: 1.1.0
    schema:
      type: object
      additionalProperties: false
      required: [order_id, channel]
      properties:
        order_id: { type: string, format: uuid }
        channel: { type: string }
    examples:
      - { order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77, channel: web }
";

#[test]
fn a_semver_finding_lists_each_change_in_every_format() {
    let dir = root(&[("order_created.yaml", BREAKING_MINOR)]);
    let output = evc(&["lint", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let finding = &doc["diagnostics"][0];
    assert_eq!(finding["rule"], "VERSION_BUMP_TOO_SMALL");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(15), Some(14))
    );
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("requires a new major: 2 breaking changes since 1.0.0"),
        "{message}"
    );
    let related = finding["related"].as_array().unwrap();
    assert_eq!(related.len(), 2, "{related:?}");
    assert!(related[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("PROPERTY_REMOVED_FROM_CLOSED_OBJECT"));
    assert!(related[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("REQUIRED_ADDED"));

    let output = evc(&["lint", "--format", "sarif"], dir.path());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let related = doc["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .unwrap();
    assert_eq!(related.len(), 2);

    let output = evc(
        &["lint", "--format", "human", "--color", "never"],
        dir.path(),
    );
    let text = stdout(&output);
    assert!(
        text.contains("REQUIRED_ADDED: `channel` became required"),
        "{text}"
    );
    assert!(
        text.contains("= help: release it as 2.0.0 with an `upcast` from 1.0.0"),
        "{text}"
    );
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
fn gen_c_writes_a_header_a_skeleton_and_a_crate_and_keeps_the_skeleton() {
    let dir = root(&[("order_shipped.yaml", CLEAN)]);
    let out = tempfile::tempdir().expect("tmp");
    let out_arg = out.path().to_str().expect("UTF-8 temp path");
    let args = ["gen", "c", "--out", out_arg, "--prefix", "ship"];
    let first = evc(&args, dir.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let header = std::fs::read_to_string(out.path().join("ship.h")).expect("header");
    assert!(header.contains("#ifndef SHIP_H"));
    assert!(header.contains("struct ship_OrderShipped {"));
    assert!(header.contains(
        "ship_status ship_encode_order_shipped(const ship_OrderShipped *event, ship_buf *out);"
    ));
    let manifest = std::fs::read_to_string(out.path().join("Cargo.toml")).expect("manifest");
    assert!(manifest.contains("crate-type = [\"staticlib\", \"cdylib\"]"));
    // Size without giving up the INTERNAL status a caught panic becomes.
    assert!(manifest.contains("lto = true\ncodegen-units = 1\nstrip = true\n"));
    assert!(manifest.contains("panic = \"unwind\"") && !manifest.contains("panic = \"abort\""));
    let library = std::fs::read_to_string(out.path().join("src/lib.rs")).expect("library");
    assert!(library.contains("pub unsafe extern \"C\" fn ship_dispatch("));

    let skeleton = out.path().join("ship_handlers.c");
    std::fs::write(&skeleton, "/* mine */\n").expect("edited");
    let written = modified(&out.path().join("ship.h"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = evc(&args, dir.path());
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&skeleton).expect("kept"),
        "/* mine */\n"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("kept"));
    assert_eq!(
        modified(&out.path().join("ship.h")),
        written,
        "unchanged bytes, untouched file"
    );
}

#[test]
fn gen_c_needs_an_out_dir_and_a_c_prefix() {
    let dir = root(&[("order_shipped.yaml", CLEAN)]);
    let no_out = evc(&["gen", "c"], dir.path());
    assert_eq!(no_out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_out.stderr).contains("--out"));
    let out = tempfile::tempdir().expect("tmp");
    let out_arg = out.path().to_str().expect("UTF-8 temp path");
    let bad = evc(
        &["gen", "c", "--out", out_arg, "--prefix", "My-Lib"],
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("`My-Lib` cannot prefix C identifiers"),
        "{stderr}"
    );
    assert!(!out.path().join("My-Lib.h").exists());
}

#[test]
fn gen_c_refuses_contracts_with_errors() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let out = tempfile::tempdir().expect("tmp");
    let out_arg = out.path().to_str().expect("UTF-8 temp path");
    let output = evc(&["gen", "c", "--out", out_arg], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("FIELD_NOT_SNAKE_CASE"));
    assert!(!out.path().join("evc.h").exists());
}

#[test]
fn gen_rust_refuses_contracts_with_errors() {
    let dir = root(&[("ship_order.yaml", FLAWED)]);
    let output = evc(&["gen", "rust"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no code for broken contracts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[FIELD_NOT_SNAKE_CASE]: "), "{stderr}");
    assert!(stderr.contains("ship_order.yaml:9:9\n"), "{stderr}");
    assert!(stderr.contains("= help: rename it"), "{stderr}");
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

/// `evc verify`: the bundled contracts, and their examples as archived
/// messages, one envelope a line.
fn bundled() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn envelope(ty: &str, version: Option<&str>, data: serde_json::Value) -> String {
    let mut e = serde_json::json!({
        "specversion": "1.0", "id": "1", "source": "/archive", "type": ty, "data": data
    });
    if let Some(version) = version {
        e["dataversion"] = serde_json::json!(version);
    }
    e.to_string()
}

/// Every example of every bundled version, with its dataversion, and the
/// newest example of each major without one: (lines, how many).
fn archived_examples() -> (String, usize) {
    let lint = evc::lint_dir(&bundled()).expect("bundled contracts");
    let mut lines = Vec::new();
    for contract in &lint.model.contracts {
        for version in &contract.versions {
            let number = version.version.as_ref().expect("bundled versions parse");
            let ty = contract.wire_type(number.major);
            for example in &version.examples {
                let text = number.to_string();
                lines.push(envelope(&ty, Some(&text), example.node.to_json()));
            }
            let newest_of_major = contract
                .versions
                .iter()
                .rfind(|v| v.version.as_ref().map(|n| n.major) == Some(number.major));
            if std::ptr::eq(newest_of_major.unwrap(), version) {
                if let Some(example) = version.examples.last() {
                    lines.push(envelope(&ty, None, example.node.to_json()));
                }
            }
        }
    }
    let count = lines.len();
    (lines.join("\n") + "\n", count)
}

fn verify(args: &[&str], dir: &Path, payloads: &str) -> Output {
    let file = tempfile::NamedTempFile::new().expect("temporary file");
    std::fs::write(file.path(), payloads).unwrap();
    let mut all = vec!["verify", "--payloads", file.path().to_str().unwrap()];
    all.extend_from_slice(args);
    evc(&all, dir)
}

#[test]
fn verify_passes_every_bundled_example_of_every_version() {
    let (lines, count) = archived_examples();
    assert!(count >= 30, "{count} archived messages");
    let old = [
        "com.example.orders.order_created.v1\",\"data\"",
        "com.example.inventory.item_reserved.v1\",\"data\"",
        "com.example.users.user_registered.v1\",\"data\"",
    ];
    for ty in old {
        assert!(lines.contains(ty), "the fixture holds {ty}");
    }
    let output = verify(&[], &bundled(), &lines);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.starts_with("com.example."), "{text}");
    assert!(
        text.contains(&format!("evc verify: {count} messages in "))
            && text.ends_with(&format!(": {count} passed, 0 failed\n")),
        "{text}"
    );
    assert!(
        text.contains("com.example.orders.order_created.v1 1.0.0: 1 passed\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "com.example.orders.order_created.v1 (no dataversion, read as 1.1.0): 1 passed\n"
        ),
        "{text}"
    );
}

#[test]
fn verify_counts_each_kind_of_failure_with_its_first_line() {
    let (good, count) = archived_examples();
    let order_v2 = serde_json::json!({
        "order_id": "1b659ae0-a984-4b8c-926d-c121a5229881",
        "customer_id": "277e5a21-1130-4d91-9410-c6be3929afdd",
        "lines": [{"sku": "SKU-31008-XL", "quantity": 3}],
        "total": 147.0,
        "created_at": "2024-05-02T16:45:10Z"
    });
    let bad = [
        "this is not JSON".to_owned(),
        r#"{"specversion":"1.0","id":"1","type":"com.example.orders.order_created.v2"}"#.to_owned(),
        envelope(
            "com.example.orders.order_shipped.v1",
            None,
            serde_json::json!({}),
        ),
        envelope(
            "com.example.orders.order_created.v3",
            Some("3.0.0"),
            serde_json::json!({}),
        ),
        envelope(
            "com.example.orders.order_created.v2",
            Some("2.0.0"),
            order_v2.clone(),
        ),
        envelope(
            "com.example.orders.order_created.v2",
            Some("2.0.0"),
            order_v2,
        ),
    ];
    let payloads = format!("{good}\n{}\n", bad.join("\n"));
    let first_bad = count as u64 + 2;
    let output = verify(&["--format", "json"], &bundled(), &payloads);
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON document");
    let total = count as u64 + bad.len() as u64;
    assert_eq!(
        doc["summary"],
        serde_json::json!({"messages": total, "passed": count, "failed": bad.len()})
    );
    let groups = doc["groups"].as_array().unwrap();
    let failures: Vec<(String, u64, u64)> = groups
        .iter()
        .flat_map(|g| g["failures"].as_array().unwrap())
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["count"].as_u64().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        failures,
        [
            // Groups sorted by type: no envelope, order_created.v2, .v3,
            // then order_shipped.
            ("invalid_envelope".to_owned(), 2, first_bad),
            ("invalid_payload".to_owned(), 2, first_bad + 4),
            ("unsupported_version".to_owned(), 1, first_bad + 3),
            ("unknown_type".to_owned(), 1, first_bad + 2),
        ]
    );
}

const CHAINED: &str = r#"event: ThingHappened
namespace: com.example.things
description: A thing happened.
versions:
  - version: 1.0.0
    schema: { type: object, additionalProperties: false, required: [n], properties: { n: { type: string } } }
    examples: [ { n: '1' } ]
  - version: 2.0.0
    schema: { type: object, additionalProperties: false, required: [count], properties: { count: { type: integer, minimum: 1 } } }
    upcast: [ { rename: { n: count } }, { convert: { count: integer } } ]
    examples: [ { count: 1 } ]
  - version: 3.0.0
    schema: { type: object, additionalProperties: false, required: [total], properties: { total: { type: integer } } }
    upcast: [ { custom: true } ]
    examples: [ { total: 1 } ]
"#;

#[test]
fn verify_reports_failed_and_invalid_upcasts_and_custom_ones() {
    let dir = root(&[("thing_happened.yaml", CHAINED)]);
    let ty = |major: u64| format!("com.example.things.thing_happened.v{major}");
    let lines = [
        envelope(&ty(3), Some("3.0.0"), serde_json::json!({"total": 4})),
        envelope(&ty(1), Some("1.0.0"), serde_json::json!({"n": "ten"})),
        envelope(&ty(1), Some("1.0.0"), serde_json::json!({"n": "0"})),
        envelope(&ty(2), Some("2.0.0"), serde_json::json!({"count": 2})),
        envelope(&ty(1), Some("1.0.0"), serde_json::json!({"n": "7"})),
    ];
    let output = verify(&[], dir.path(), &lines.join("\n"));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("com.example.things.thing_happened.v1 1.0.0: 0 passed, 3 failed\n"),
        "{text}"
    );
    assert!(text.contains("  upcast failed (1): first at "), "{text}");
    assert!(text.contains(":2: upcast from 1.0.0 to 2.0.0: step 2 (`convert` of `count`): string \"ten\" is not decimal integer text\n"), "{text}");
    assert!(
        text.contains("  upcast result invalid (1): first at "),
        "{text}"
    );
    assert!(
        text.contains(":3: upcast from 1.0.0 to 2.0.0 yields a payload 2.0.0 refuses at `/count`"),
        "{text}"
    );
    assert!(text.contains("com.example.things.thing_happened.v2 2.0.0: 0 passed, 1 failed\n  custom upcast not checkable (1): first at "), "{text}");
    assert!(
        text.contains("com.example.things.thing_happened.v3 3.0.0: 1 passed\n"),
        "{text}"
    );
    assert!(text.contains(": 1 passed, 4 failed\n"), "{text}");
}

#[test]
fn verify_usage_and_io_errors_exit_two() {
    let missing = evc(
        &["verify", "--payloads", "/definitely/not/here.jsonl"],
        &bundled(),
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    let flawed = root(&[("ship_order.yaml", FLAWED)]);
    let output = verify(&[], flawed.path(), "");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("FIELD_NOT_SNAKE_CASE"));
    assert_eq!(
        evc(&["verify"], &bundled()).status.code(),
        Some(2),
        "no --payloads"
    );
}

#[test]
fn verify_of_an_empty_file_passes() {
    let output = verify(&[], &bundled(), "\n\n");
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("evc verify: 0 messages in "));
}
