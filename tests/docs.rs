//! Documentation that is derived from code stays in sync with it.

use evc_tests::workspace_root;

const BEGIN: &str = "<!-- rules:begin -->\n";
const END: &str = "<!-- rules:end -->";

/// `docs/rules.md` holds the registry table between two markers. Run with
/// `EVC_UPDATE_DOCS=1` to rewrite it after changing the registry.
#[test]
fn rules_doc_lists_the_registry() {
    let path = workspace_root().join("docs/rules.md");
    let text = std::fs::read_to_string(&path).expect("docs/rules.md exists");
    let start = text.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = text.find(END).expect("end marker");
    let table = evc::rules::markdown_table();
    if std::env::var_os("EVC_UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).expect("docs/rules.md is writable");
        return;
    }
    assert_eq!(
        text[start..end],
        table,
        "docs/rules.md is stale: run EVC_UPDATE_DOCS=1 cargo test -p evc-tests --test docs"
    );
}
