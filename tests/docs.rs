//! Documentation that is derived from code stays in sync with it.

use evc_tests::workspace_root;

/// `file` holds `table` between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
/// Run with `EVC_UPDATE_DOCS=1` to rewrite it after changing the registry.
fn check_table(file: &str, name: &str, table: &str) {
    let begin = format!("<!-- {name}:begin -->\n");
    let end_marker = format!("<!-- {name}:end -->");
    let path = workspace_root().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{file} exists"));
    let start = text.find(&begin).expect("begin marker") + begin.len();
    let end = text.find(&end_marker).expect("end marker");
    if std::env::var_os("EVC_UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).unwrap_or_else(|_| panic!("{file} is writable"));
        return;
    }
    assert_eq!(
        text[start..end],
        *table,
        "{file} is stale: run EVC_UPDATE_DOCS=1 cargo test -p evc-tests --test docs"
    );
}

/// `docs/rules.md` holds the rule registry.
#[test]
fn rules_doc_lists_the_registry() {
    check_table("docs/rules.md", "rules", &evc::rules::markdown_table());
}

/// `docs/evolution.md` holds the registry of change kinds.
#[test]
fn evolution_doc_lists_every_change_kind() {
    check_table(
        "docs/evolution.md",
        "kinds",
        &evc::evolution::markdown_table(),
    );
}
