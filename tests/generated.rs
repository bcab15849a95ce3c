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

#[test]
fn focused_sets() {
    let root = workspace_root().join("tests/contracts/rust");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/contracts/rust exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let name = dir
            .file_name()
            .expect("named")
            .to_string_lossy()
            .into_owned();
        insta::assert_snapshot!(name, generate(&dir));
    }
}

#[test]
fn generation_is_deterministic() {
    let dir = workspace_root().join("schemas");
    assert_eq!(generate(&dir), generate(&dir));
}
