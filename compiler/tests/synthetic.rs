//! The benchmark's synthetic contracts are themselves valid: a benchmark that
//! measured a run full of errors would measure the wrong path.

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::Path;

#[test]
fn synthetic_contracts_lint_clean() {
    let lint = evc::lint_inputs(support::inputs(30), Path::new("."));
    let found: Vec<String> = lint
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}: {} {}",
                lint.sources.get(d.place.file).display,
                d.rule,
                d.message
            )
        })
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(lint.model.contracts.len(), 30);
    assert!(lint.model.contracts.iter().all(|c| c.versions.len() == 3));
}

/// The version chains of the `versions` benchmark: every minor reads every
/// older version, so the only findings are the missing examples.
#[test]
fn version_chains_lint_clean() {
    for inputs in [support::adding(40), support::sharing(40)] {
        let lint = evc::lint_inputs(inputs, Path::new("."));
        let found: Vec<String> = lint
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.rule, d.message))
            .collect();
        assert_eq!(found.len(), 40, "{found:#?}");
        assert!(
            found.iter().all(|f| f.starts_with("EXAMPLES_MISSING")),
            "{found:#?}"
        );
        assert_eq!(lint.model.contracts[0].versions.len(), 40);
    }
}

/// `EVC_SYNTHETIC_DIR=/tmp/x EVC_SYNTHETIC_N=1000 cargo test -p evc-compiler --test synthetic -- --ignored`
/// writes a set to disk, to time the release binary on it.
#[test]
#[ignore = "writes files; run by hand to time `evc lint`"]
fn write_synthetic_set() {
    let dir = std::env::var("EVC_SYNTHETIC_DIR").expect("EVC_SYNTHETIC_DIR");
    let n = std::env::var("EVC_SYNTHETIC_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    support::write(Path::new(&dir), n).expect("written");
}

/// The generation benchmark's wide contract: valid, and one payload type
/// with every property.
#[test]
fn the_wide_contract_lints_clean() {
    let lint = evc::lint_inputs(support::wide(40), Path::new("."));
    assert!(!lint.has_errors());
    let binding = evc::bind::bind(&lint.model);
    assert_eq!(binding.lowered.roots.len(), 1);
}
