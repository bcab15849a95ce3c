//! The replay summary as text for a terminal, or as one JSON document.

use std::fmt::Write;

use serde_json::json;

use super::{Group, Summary};

/// What a reader of a terminal wants: totals, then each group with the
/// first failure of each kind.
pub fn human(summary: &Summary, input: &str) -> String {
    let mut out = String::new();
    for group in &summary.groups {
        let _ = write!(out, "{}", title(group));
        let _ = write!(out, ": {} passed", group.passed);
        if group.failed > 0 {
            let _ = write!(out, ", {} failed", group.failed);
        }
        out.push('\n');
        for failure in &group.failures {
            let _ = writeln!(
                out,
                "  {} ({}): first at {input}:{}: {}",
                failure.kind.label(),
                failure.count,
                failure.line,
                failure.message
            );
        }
    }
    if !summary.groups.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "evc verify: {} {} in {input}: {} passed, {} failed",
        summary.messages,
        if summary.messages == 1 {
            "message"
        } else {
            "messages"
        },
        summary.passed,
        summary.failed
    );
    out
}

fn title(group: &Group) -> String {
    let Some(ty) = &group.ty else {
        return "(not an envelope)".to_owned();
    };
    let read_as = group.read_as.as_deref();
    match (group.dataversion.as_deref(), read_as) {
        (None, Some(read_as)) => format!("{ty} (no dataversion, read as {read_as})"),
        (None, None) => format!("{ty} (no dataversion)"),
        (Some(version), Some(read_as)) if version != read_as => {
            format!("{ty} {version} (read as {read_as})")
        }
        (Some(version), _) => format!("{ty} {version}"),
    }
}

/// One JSON document: the input, totals and the groups.
pub fn json(summary: &Summary, input: &str) -> String {
    let document = json!({
        "payloads": input,
        "summary": {
            "messages": summary.messages,
            "passed": summary.passed,
            "failed": summary.failed,
        },
        "groups": summary.groups,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
