//! One line per finding, `file:line:column: RULE: message`, as compilers
//! print them: for build-script warnings, compile errors and grep.

use crate::pipeline::Lint;
use crate::rules::Level;

pub fn render(lint: &Lint) -> String {
    let mut out = String::new();
    for d in &lint.diagnostics {
        let level = match d.level {
            Level::Error => "",
            _ => " (warning)",
        };
        out.push_str(&format!(
            "{}:{}:{}: {}: {}{level}\n",
            one_line(&lint.sources.get(d.place.file).display),
            d.place.span.start.line,
            d.place.span.start.column,
            d.rule.as_str(),
            one_line(&d.message),
        ));
        // Indented, so a reader of `file:line:column:` lines skips them.
        let file = |place: crate::source::Place| lint.sources.get(place.file).display.as_str();
        for line in super::consequences(d, file) {
            out.push_str(&format!("  {}\n", one_line(&line)));
        }
    }
    out
}

/// Control characters (a newline in a quoted key, say) would split the line.
pub(super) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
