//! `evc breaking` as CI runs it: the bundled contracts committed to a
//! temporary git repository, changed, and compared with a revision or a
//! directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ORDER_CREATED: &str = "schemas/orders/order_created.yaml";
const PACKAGE_DELIVERED: &str = "schemas/delivery/package_delivered.yaml";

/// A git repository holding a copy of the bundled `schemas/`, committed.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        Repo::at("schemas")
    }

    /// The contracts at `relative` in the repository.
    fn at(relative: &str) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temporary directory"),
        };
        copy_dir(&bundled_schemas(), &repo.path(relative));
        repo.git(&["init", "-q"]);
        repo.commit("the bundled contracts");
        repo
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    fn git(&self, args: &[&str]) {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=evc",
                "-c",
                "user.email=evc@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Replaces the first occurrence of `from`, which must be there.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} holds {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Removes the text from `start` up to (not including) `end`.
    fn cut(&self, file: &str, start: &str, end: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let from = text.find(start).expect("start marker");
        let to = from + text[from..].find(end).expect("end marker");
        std::fs::write(&path, format!("{}{}", &text[..from], &text[to..])).unwrap();
    }

    fn append(&self, file: &str, more: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text + more).unwrap();
    }

    fn remove(&self, file: &str) {
        std::fs::remove_file(self.path(file)).unwrap();
    }
}

fn bundled_schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs `evc` in `cwd`; git above the temporary directories is out of its
/// sight, so one is never taken for part of an enclosing repository.
fn evc(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .output()
        .expect("evc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

/// `evc breaking schemas --against REF --format short` from the repository root.
fn short(repo: &Repo, against: &str) -> (Option<i32>, Vec<String>) {
    let output = evc(
        repo.root(),
        &[
            "breaking",
            "schemas",
            "--against",
            against,
            "--format",
            "short",
        ],
    );
    let lines = stdout(&output).lines().map(str::to_owned).collect();
    (output.status.code(), lines)
}

#[test]
fn an_unchanged_tree_breaks_nothing() {
    let repo = Repo::new();
    let output = evc(repo.root(), &["breaking", "schemas", "--against", "HEAD"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "evc: 0 breaking changes, 0 warnings against HEAD (19 contracts now, 19 in HEAD)\n"
    );
}

#[test]
fn a_removed_contract_is_named_where_the_baseline_had_it() {
    let repo = Repo::new();
    repo.remove("schemas/payments/payment_failed.yaml");
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [
            "HEAD:schemas/payments/payment_failed.yaml:1:8: CONTRACT_REMOVED: event \
          `PaymentFailed` of `com.example.payments` is gone since HEAD"
        ]
    );
}

#[test]
fn the_current_config_sets_the_level_of_a_removal() {
    let repo = Repo::new();
    repo.remove("schemas/payments/payment_failed.yaml");
    repo.edit(
        "schemas/evc.yaml",
        "    EXAMPLES_MISSING: error\n",
        "    EXAMPLES_MISSING: error\n    CONTRACT_REMOVED: warn\n",
    );
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(0));
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].ends_with("is gone since HEAD (warning)"),
        "{lines:?}"
    );
}

#[test]
fn a_new_namespace_is_a_removal_that_names_the_survivor() {
    let repo = Repo::new();
    repo.edit(
        PACKAGE_DELIVERED,
        "namespace: com.example.delivery",
        "namespace: com.example.carrier",
    );
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [
            "HEAD:schemas/delivery/package_delivered.yaml:1:8: CONTRACT_REMOVED: event \
          `PackageDelivered` of `com.example.delivery` is gone: `PackageDelivered` is now an \
          event of `com.example.carrier`, and a new kind or namespace is a removal plus a new \
          contract"
        ]
    );
}

#[test]
fn a_removed_version_is_named_where_the_baseline_had_it() {
    let repo = Repo::new();
    repo.cut(
        ORDER_CREATED,
        "  - version: 1.0.0\n",
        "  - version: 1.1.0\n",
    );
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [
            "HEAD:schemas/orders/order_created.yaml:7:14: VERSION_REMOVED: version 1.0.0 of \
          `OrderCreated` is no longer listed"
        ]
    );
}

#[test]
fn an_edited_released_version_points_at_both_versions_and_the_change() {
    let repo = Repo::new();
    repo.edit(ORDER_CREATED, "maxItems: 100", "maxItems: 50");
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [
            "schemas/orders/order_created.yaml:7:14: VERSION_EDITED: released version 1.0.0 of \
          `OrderCreated` was edited in place since HEAD: `/properties/lines/maxItems` is 50, \
          was 100"
        ]
    );
    let output = evc(repo.root(), &["breaking", "schemas", "--against", "HEAD"]);
    let text = stdout(&output);
    assert!(text.contains("error[VERSION_EDITED]"), "{text}");
    assert!(
        text.contains("┌─ schemas/orders/order_created.yaml:7:14"),
        "{text}"
    );
    assert!(
        text.contains("┌─ HEAD:schemas/orders/order_created.yaml:7:14"),
        "{text}"
    );
    assert!(text.contains("----- as released in HEAD"), "{text}");
    assert!(text.ends_with(
        "evc: 1 breaking change, 0 warnings against HEAD (19 contracts now, 19 in HEAD)\n"
    ));
}

#[test]
fn a_definition_edited_under_a_released_version_is_an_edit_of_each_user() {
    let repo = Repo::new();
    repo.edit(
        "schemas/common/money.yaml",
        "pattern: '^[A-Z]{3}$'",
        "pattern: '^[A-Z]{3,4}$'",
    );
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(1));
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.contains(": VERSION_EDITED: "), "{line}");
        assert!(line.contains("/currency/pattern` is "), "{line}");
    }
}

#[test]
fn a_documentation_edit_is_a_warning() {
    let repo = Repo::new();
    repo.edit(
        ORDER_CREATED,
        "description: Id of the new order.",
        "description: The id of the new order.",
    );
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(0));
    assert_eq!(
        lines,
        [
            "schemas/orders/order_created.yaml:7:14: VERSION_DOCS_EDITED: released version 1.0.0 \
          of `OrderCreated` has new annotations since HEAD: `/properties/order_id/description` \
          is \"The id of the new order.\", was \"Id of the new order.\" (warning)"
        ]
    );
    let denied = evc(
        repo.root(),
        &[
            "breaking",
            "schemas",
            "--against",
            "HEAD",
            "--deny-warnings",
        ],
    );
    assert_eq!(denied.status.code(), Some(1));
}

/// A minor version with one more optional property, a complete entry.
const PACKAGE_DELIVERED_1_1: &str = r#"
  - version: 1.1.0
    description: Adds the optional carrier name.
    schema:
      type: object
      additionalProperties: false
      required: [delivery_id, order_id, delivered_at, handover]
      properties:
        delivery_id: { description: Id of the delivery., type: string, format: uuid }
        order_id: { description: The delivered order., type: string, format: uuid }
        delivered_at: { description: When the last parcel was handed over., type: string, format: date-time }
        handover:
          description: How the parcels were handed over.
          type: string
          enum: [recipient, neighbour, safe_place, pickup_point]
        received_by: { description: Name of who signed., type: string, maxLength: 140 }
        proof_of_delivery_url: { description: Photo or signature., type: string, format: uri }
        carrier: { description: The carrier's name., type: string, maxLength: 80 }
    examples:
      - delivery_id: 7d71e524-5449-410e-a49e-4d3d2cc18e6c
        order_id: 6c4c1cd6-fb25-495d-8b2b-deca9b2d442d
        delivered_at: '2024-04-30T11:02:37+02:00'
        handover: neighbour
        carrier: Parcel Express
"#;

#[test]
fn a_new_compatible_version_breaks_nothing_and_history_is_compared_by_revision() {
    let repo = Repo::new();
    repo.append(PACKAGE_DELIVERED, PACKAGE_DELIVERED_1_1);
    repo.commit("PackageDelivered 1.1.0");
    assert_eq!(short(&repo, "HEAD~1"), (Some(0), vec![]));
    // The next change edits what the previous commit released.
    repo.edit(PACKAGE_DELIVERED, "maxLength: 80", "maxLength: 60");
    repo.commit("a shorter carrier name");
    let (code, lines) = short(&repo, "HEAD~1");
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [
            "schemas/delivery/package_delivered.yaml:44:14: VERSION_EDITED: released version \
          1.1.0 of `PackageDelivered` was edited in place since HEAD~1: \
          `/properties/carrier/maxLength` is 60, was 80"
        ]
    );
    // Against the first commit 1.1.0 was never released.
    assert_eq!(short(&repo, "HEAD~2"), (Some(0), vec![]));
    assert_eq!(short(&repo, "HEAD"), (Some(0), vec![]));
}

#[test]
fn the_current_trees_version_findings_are_reported() {
    let repo = Repo::new();
    repo.append(
        PACKAGE_DELIVERED,
        &PACKAGE_DELIVERED_1_1.replace("version: 1.1.0", "version: 2.0.0"),
    );
    let (code, lines) = short(&repo, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("schemas/delivery/package_delivered.yaml:44:14: UPCAST_MISSING: "),
        "{lines:?}"
    );
    // The semver rules speak too: nothing in 2.0.0 needed a new major.
    assert!(
        lines[1]
            .starts_with("schemas/delivery/package_delivered.yaml:44:14: VERSION_BUMP_UNNEEDED: "),
        "{lines:?}"
    );
}

#[test]
fn dir_may_be_any_subdirectory_of_the_repository() {
    let repo = Repo::new();
    repo.remove("schemas/payments/payment_failed.yaml");
    let inside = evc(
        &repo.path("schemas"),
        &["breaking", "--against", "HEAD", "--format", "short"],
    );
    assert_eq!(inside.status.code(), Some(1));
    assert_eq!(
        stdout(&inside),
        "HEAD:schemas/payments/payment_failed.yaml:1:8: CONTRACT_REMOVED: event \
         `PaymentFailed` of `com.example.payments` is gone since HEAD\n"
    );
}

#[test]
fn a_deeper_root_is_compared_with_the_same_directory_at_the_revision() {
    let repo = Repo::at("services/shop/contracts");
    repo.remove("services/shop/contracts/payments/payment_failed.yaml");
    let output = evc(
        &repo.path("services/shop"),
        &[
            "breaking",
            "contracts",
            "--against",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = &document["diagnostics"][0];
    assert_eq!(found["rule"], "CONTRACT_REMOVED");
    assert_eq!(found["category"], "breaking");
    assert_eq!(
        found["file"],
        "HEAD:services/shop/contracts/payments/payment_failed.yaml"
    );
    assert_eq!(
        (found["line"].as_u64(), found["column"].as_u64()),
        (Some(1), Some(8))
    );
    assert_eq!(document["diagnostics"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_part_of_the_contracts_is_not_a_root() {
    // `payments/` alone refers to `../common`: that baseline does not load.
    let repo = Repo::new();
    let output = evc(
        &repo.path("schemas/payments"),
        &["breaking", ".", "--against", "HEAD"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("HEAD:schemas/payments/payment_made.yaml:21:17: REF_ESCAPES_ROOT"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_directory_is_a_baseline_without_git() {
    let old = tempfile::tempdir().unwrap();
    copy_dir(&bundled_schemas(), old.path());
    let new = tempfile::tempdir().unwrap();
    copy_dir(&bundled_schemas(), new.path());
    std::fs::remove_file(new.path().join("payments/payment_failed.yaml")).unwrap();
    let output = evc(
        new.path(),
        &[
            "breaking",
            ".",
            "--against",
            old.path().to_str().unwrap(),
            "--format",
            "github",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let file = format!(
        "file={}/payments/payment_failed.yaml,line=1,col=8,",
        old.path().display()
    );
    assert!(text.starts_with("::error "), "{text}");
    assert!(text.contains(&file), "{text}");
    assert!(text.contains("title=CONTRACT_REMOVED::"), "{text}");
}

#[test]
fn sarif_names_the_baseline_file() {
    let repo = Repo::new();
    repo.remove("schemas/payments/payment_failed.yaml");
    let output = evc(
        repo.root(),
        &[
            "breaking",
            "schemas",
            "--against",
            "HEAD",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &document["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "CONTRACT_REMOVED");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "HEAD:schemas/payments/payment_failed.yaml"
    );
}

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let repo = Repo::new();
    for revision in ["no-such-branch", "HEAD~5", "-h"] {
        let against = format!("--against={revision}");
        let output = evc(repo.root(), &["breaking", "schemas", &against]);
        assert_eq!(output.status.code(), Some(2), "{revision}");
        assert!(
            stderr(&output).contains(&format!(
                "evc: `{revision}` is neither a directory nor a git revision"
            )),
            "{}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "");
    }
}

#[test]
fn a_root_outside_any_repository_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_schemas(), dir.path());
    let output = evc(dir.path(), &["breaking", ".", "--against", "HEAD"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("evc: . is not inside a git repository"),
        "{}",
        stderr(&output)
    );
    let missing = evc(dir.path(), &["breaking", "nowhere", "--against", "HEAD"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("evc: cannot read nowhere"));
}

#[test]
fn a_baseline_that_does_not_load_is_a_usage_error() {
    let repo = Repo::new();
    repo.edit(
        ORDER_CREATED,
        "namespace: com.example.orders",
        "namespace: [",
    );
    repo.commit("a broken file");
    repo.edit(
        ORDER_CREATED,
        "namespace: [",
        "namespace: com.example.orders",
    );
    let output = evc(repo.root(), &["breaking", "schemas", "--against", "HEAD"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("evc: the baseline HEAD does not load (1 error), so it cannot be compared"),
        "{text}"
    );
    assert!(
        text.contains("HEAD:schemas/orders/order_created.yaml:2:12: YAML_SYNTAX: "),
        "{text}"
    );
}

#[test]
fn errors_of_the_current_tree_are_reported_with_the_removals_they_cause() {
    let repo = Repo::new();
    repo.edit(
        ORDER_CREATED,
        "namespace: com.example.orders",
        "namespace: [",
    );
    let output = evc(repo.root(), &["breaking", "schemas", "--against", "HEAD"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[CONTRACT_REMOVED]"), "{text}");
    assert!(text.contains("error[YAML_SYNTAX]"), "{text}");
    assert!(
        text.contains("the current contracts have errors (reported here too)"),
        "{text}"
    );
    assert!(
        text.contains("1 breaking change, 1 other error, 0 warnings"),
        "{text}"
    );
}
