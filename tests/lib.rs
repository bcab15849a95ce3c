//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};

/// The workspace root, whatever directory the test runs from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// A finding reduced to what tests compare: `RULE line:column`.
pub fn brief(lint: &evc::Lint) -> Vec<String> {
    lint.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {}:{}",
                lint.sources.get(d.place.file).display,
                d.rule,
                d.place.span.start.line,
                d.place.span.start.column
            )
        })
        .collect()
}
