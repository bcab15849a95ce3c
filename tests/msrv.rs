//! The minimum Rust version the workspace states (`rust-version`) is one it
//! can build with: no locked dependency asks for a newer one. (Code of our
//! own using a newer std API is clippy's `incompatible_msrv`, in the gates.)

use std::process::Command;

use evc_tests::workspace_root;
use serde_json::Value;

/// `1.89` and `1.89.0` alike: major, minor, patch.
fn version(text: &str) -> [u64; 3] {
    let mut parts = text.split('.').map(|part| part.parse().unwrap_or(0));
    [(); 3].map(|()| parts.next().unwrap_or(0))
}

#[test]
fn no_dependency_needs_a_newer_rust_than_the_workspace_states() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let members: Vec<&Value> = packages.iter().filter(|p| p["source"].is_null()).collect();
    let stated = members
        .iter()
        .find(|p| p["name"] == "evc-compiler")
        .and_then(|p| p["rust_version"].as_str())
        .expect("evc-compiler states a rust-version");
    for member in &members {
        assert_eq!(
            member["rust_version"].as_str(),
            Some(stated),
            "{}",
            member["name"]
        );
    }
    let newer: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(stated))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        newer.is_empty(),
        "rust-version {stated} is stated, but {newer:?}"
    );
}
