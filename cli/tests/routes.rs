//! The three ways into the Rust bindings — `evc::Builder` in build.rs, the
//! `contracts!` macro, and `evc gen rust` + `include!` — behave alike: the
//! crates under tests/routes, outside this workspace, take every bundled and
//! focused contract set each way, as a library's public modules and as a
//! binary's private modules, and must pass `clippy -D warnings` under
//! `#![deny(warnings)]`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The contract sets each route compiles, by the names tests/routes uses.
const SETS: &[(&str, &str)] = &[
    ("bundled", "schemas"),
    ("hostile", "tests/contracts/hostile"),
    ("unions", "tests/contracts/rust/unions"),
    ("optionality", "tests/contracts/rust/optionality"),
    ("recursion", "tests/contracts/rust/recursion"),
    ("merging", "tests/contracts/rust/merging"),
    ("maps", "tests/contracts/rust/maps"),
    ("upcasts", "tests/contracts/rust/upcasts"),
    ("tuples", "tests/contracts/rust/tuples"),
    ("applicators", "tests/contracts/rust/applicators"),
    ("objects", "tests/contracts/rust/objects"),
    ("published", "tests/contracts/rust/published"),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `evc gen rust` for every set, as a user of the CLI route would.
fn generate_with_the_cli(out: &Path) {
    std::fs::create_dir_all(out).expect("output directory");
    for (name, dir) in SETS {
        let output = Command::new(env!("CARGO_BIN_EXE_evc"))
            .args(["gen", "rust"])
            .arg(workspace().join(dir))
            .arg("--out")
            .arg(out.join(format!("{name}.rs")))
            .output()
            .expect("evc runs");
        assert!(
            output.status.success(),
            "evc gen rust {dir}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn every_route_is_warning_free_in_a_library_and_in_a_binary() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("routes");
    let generated = scratch.join("generated");
    generate_with_the_cli(&generated);
    let routes = workspace().join("tests/routes");
    // The outside crates resolve exactly the versions this workspace locked.
    std::fs::copy(workspace().join("Cargo.lock"), routes.join("Cargo.lock")).expect("lock file");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
        ])
        .args(["--", "-D", "warnings"])
        .current_dir(&routes)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("EVC_ROUTES_GENERATED", &generated)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "a route does not build warning-free:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
