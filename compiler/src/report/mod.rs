//! Renders a lint's findings for humans and machines. Every format names the
//! file, line, column and rule id of every finding.

pub mod compile;
mod github;
mod human;
mod json;
mod sarif;
mod short;

use crate::pipeline::Lint;

/// Output formats of `evc lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style: the source line, a caret, the rule id and a hint.
    Human,
    /// One JSON document with every finding and a summary.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// One line per finding: `file:line:column: RULE: message`.
    Short,
}

/// Renders the findings; `color` applies to the human format only.
pub fn render(format: Format, lint: &Lint, color: bool) -> String {
    match format {
        Format::Human => human::render(lint, color),
        Format::Json => json::render(lint),
        Format::Sarif => sarif::render(lint),
        Format::Github => github::render(lint),
        Format::Short => short::render(lint),
    }
}

/// Renders the findings as [`render`] does, but without the closing summary
/// line of the human format: for commands that sum up in their own words.
pub fn render_findings(format: Format, lint: &Lint, color: bool) -> String {
    match format {
        Format::Human => human::findings(lint, color),
        _ => render(format, lint, color),
    }
}

/// Line and column of a finding's end, never before its start.
fn end_of(d: &crate::diagnostic::Diagnostic) -> crate::source::Pos {
    d.place.span.last()
}

/// The findings folded under `d`, one line each, then how many more:
/// "as a result, file:15:9 UPCAST_RESULT_INVALID: …". `file` names a place's file.
fn consequences<'a>(
    d: &crate::diagnostic::Diagnostic,
    file: impl Fn(crate::source::Place) -> &'a str,
) -> Vec<String> {
    let mut lines: Vec<String> = d
        .consequences
        .iter()
        .map(|c| {
            format!(
                "as a result, {}:{}:{} {}: {}",
                file(c.place),
                c.place.span.start.line,
                c.place.span.start.column,
                c.rule.as_str(),
                c.message
            )
        })
        .collect();
    match d.more_consequences() {
        0 => {}
        1 => lines.push("and 1 more finding that follows from this one".to_owned()),
        n => lines.push(format!(
            "and {} more findings that follow from this one",
            crate::evolution::thousands(n)
        )),
    }
    lines
}
