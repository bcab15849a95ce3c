use serde_json::json;

use super::end_of;
use crate::pipeline::Lint;
use crate::rules::Level;

pub fn render(lint: &Lint) -> String {
    let diagnostics: Vec<_> = lint
        .diagnostics
        .iter()
        .map(|d| {
            let end = end_of(d);
            let rule = d.rule.rule();
            let related: Vec<_> = d
                .related
                .iter()
                .map(|(place, note)| {
                    json!({
                        "file": lint.sources.get(place.file).display,
                        "line": place.span.start.line,
                        "column": place.span.start.column,
                        "message": note,
                    })
                })
                .collect();
            let consequences: Vec<_> = d
                .consequences
                .iter()
                .map(|c| {
                    json!({
                        "rule": c.rule.as_str(),
                        "level": c.level.as_str(),
                        "file": lint.sources.get(c.place.file).display,
                        "line": c.place.span.start.line,
                        "column": c.place.span.start.column,
                        "message": c.message,
                    })
                })
                .collect();
            json!({
                "rule": rule.name,
                "category": rule.category.as_str(),
                "level": d.level.as_str(),
                "file": lint.sources.get(d.place.file).display,
                "line": d.place.span.start.line,
                "column": d.place.span.start.column,
                "end_line": end.line,
                "end_column": end.column,
                "message": d.message,
                "hint": d.hint,
                "related": related,
                "consequences": consequences,
                "more_consequences": d.more_consequences(),
            })
        })
        .collect();
    let document = json!({
        "diagnostics": diagnostics,
        "summary": {
            "errors": lint.count(Level::Error),
            "warnings": lint.count(Level::Warn),
            "files": lint.sources.len(),
            "contracts": lint.model.contracts.len(),
        }
    });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
