//! `evc gen c` without `--runtime-path` writes a crate that builds as it
//! is: `cargo check` on it needs no flag and no edit.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_generated_crate_builds_without_extra_flags() {
    let out = tempfile::tempdir().expect("temporary directory");
    let generated = Command::new(env!("CARGO_BIN_EXE_evc"))
        .args(["gen", "c"])
        .arg(workspace().join("schemas"))
        .arg("--out")
        .arg(out.path())
        .args(["--prefix", "shop"])
        .output()
        .expect("evc runs");
    assert!(
        generated.status.success(),
        "evc gen c: {}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let manifest = std::fs::read_to_string(out.path().join("Cargo.toml")).expect("manifest");
    let runtime = std::fs::canonicalize(workspace().join("runtime")).expect("runtime");
    assert!(
        manifest.contains(&format!(
            "evc-runtime = {{ path = {:?} }}",
            runtime.display().to_string()
        )),
        "a checkout's evc pairs with the checkout's runtime:\n{manifest}"
    );

    // The workspace's versions, already downloaded, and a target directory
    // kept between runs, so the check compiles little but the crate itself.
    std::fs::copy(
        workspace().join("Cargo.lock"),
        out.path().join("Cargo.lock"),
    )
    .expect("lock file");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gen_c");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let checked = Command::new(cargo)
        .args(["check", "--offline", "--quiet"])
        .current_dir(out.path())
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        checked.status.success(),
        "the generated crate does not build:\n{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}
