//! Golden files of the Rust backend: the generated code for the bundled
//! contracts and for each focused set under `contracts/rust/`. Review a
//! change with `cargo insta review`.

use evc_tests::workspace_root;

fn generate(dir: &std::path::Path) -> String {
    match evc::generate_dir(dir, &evc::rust::Options::default()) {
        Ok(generated) => generated.code,
        Err(e) => panic!("{}: {e}", dir.display()),
    }
}

#[test]
fn bundled_contracts() {
    let code = generate(&workspace_root().join("schemas"));
    insta::assert_snapshot!("bundled", code);
}

/// The focused sets under `tests/contracts/rust/`, by name, in order.
fn focused_dirs() -> Vec<(String, std::path::PathBuf)> {
    let root = workspace_root().join("tests/contracts/rust");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/contracts/rust exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    dirs.into_iter()
        .map(|dir| {
            let name = dir
                .file_name()
                .expect("named")
                .to_string_lossy()
                .into_owned();
            (name, dir)
        })
        .collect()
}

#[test]
fn focused_sets() {
    for (name, dir) in focused_dirs() {
        insta::assert_snapshot!(name, generate(&dir));
    }
}

#[test]
fn generation_is_deterministic() {
    let dir = workspace_root().join("schemas");
    assert_eq!(generate(&dir), generate(&dir));
}

/// The C backend's header and skeleton for the same sets (the library
/// source is compiled and run by tests/c instead of kept as a golden file).
#[test]
fn c_headers() {
    let mut dirs = vec![("schemas".to_string(), workspace_root().join("schemas"))];
    // A custom upcast has no C binding (tests/c checks the refusal).
    dirs.extend(
        focused_dirs()
            .into_iter()
            .filter(|(name, _)| name != "upcasts"),
    );
    for (name, dir) in dirs {
        let options = evc::c::Options {
            prefix: name.clone(),
        };
        let generated = evc::builder::generate_c_dir(&dir, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        insta::assert_snapshot!(format!("c_{name}_h"), generated.output.header);
        if name == "schemas" {
            insta::assert_snapshot!("c_schemas_handlers_c", generated.output.handlers);
        }
    }
}
