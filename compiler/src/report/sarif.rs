//! SARIF 2.1.0, as GitHub code scanning reads it.

use serde_json::json;

use super::end_of;
use crate::pipeline::Lint;
use crate::rules::{Level, RULES};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(lint: &Lint) -> String {
    let rules: Vec<_> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name,
                "name": rule.name,
                "shortDescription": { "text": rule.purpose },
                "defaultConfiguration": { "level": sarif_level(rule.default_level) },
                "properties": { "category": rule.category.as_str() },
            })
        })
        .collect();
    let results: Vec<_> = lint
        .diagnostics
        .iter()
        .map(|d| {
            let end = end_of(d);
            let related: Vec<_> = d
                .related
                .iter()
                .enumerate()
                .map(|(id, (place, note))| {
                    json!({
                        "id": id,
                        "message": { "text": note },
                        "physicalLocation": {
                            "artifactLocation": { "uri": lint.sources.get(place.file).display },
                            "region": {
                                "startLine": place.span.start.line,
                                "startColumn": place.span.start.column,
                            }
                        }
                    })
                })
                .chain(d.consequences.iter().enumerate().map(|(i, c)| {
                    json!({
                        "id": d.related.len() + i,
                        "message": { "text": format!("as a result, {}: {}", c.rule.as_str(), c.message) },
                        "physicalLocation": {
                            "artifactLocation": { "uri": lint.sources.get(c.place.file).display },
                            "region": {
                                "startLine": c.place.span.start.line,
                                "startColumn": c.place.span.start.column,
                            }
                        }
                    })
                }))
                .collect();
            let file = |place: crate::source::Place| lint.sources.get(place.file).display.as_str();
            let mut text = d.message.clone();
            for line in super::consequences(d, file) {
                text.push('\n');
                text.push_str(&line);
            }
            if let Some(hint) = &d.hint {
                text.push_str(&format!("\nhelp: {hint}"));
            }
            json!({
                "ruleId": d.rule.as_str(),
                "ruleIndex": d.rule as usize,
                "level": sarif_level(d.level),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": lint.sources.get(d.place.file).display },
                        "region": {
                            "startLine": d.place.span.start.line,
                            "startColumn": d.place.span.start.column,
                            "endLine": end.line,
                            "endColumn": end.column,
                        }
                    }
                }],
                "relatedLocations": related,
            })
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "evc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/evc",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Off => "none",
    }
}
