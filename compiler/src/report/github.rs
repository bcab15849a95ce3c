//! GitHub Actions workflow commands: one `::error` or `::warning` line per
//! finding, which the runner turns into annotations on the pull request.

use super::end_of;
use crate::pipeline::Lint;
use crate::rules::Level;

pub fn render(lint: &Lint) -> String {
    let mut out = String::new();
    for d in &lint.diagnostics {
        let command = if d.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        let end = end_of(d);
        let file = |place: crate::source::Place| lint.sources.get(place.file).display.as_str();
        let mut message = d.message.clone();
        for line in super::consequences(d, file) {
            message.push('\n');
            message.push_str(&line);
        }
        if let Some(hint) = &d.hint {
            message.push_str(&format!("\nhelp: {hint}"));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&lint.sources.get(d.place.file).display),
            d.place.span.start.line,
            d.place.span.start.column,
            end.line,
            end.column,
            property(d.rule.as_str()),
            data(&message),
        ));
    }
    out
}

/// Escapes a command's message (the toolkit's `escapeData`).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (the toolkit's `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_actions_toolkit() {
        assert_eq!(data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(property("x:y,z"), "x%3Ay%2Cz");
    }
}
