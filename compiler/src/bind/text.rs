//! Contract text on its way into generated code. Everything a contract
//! author writes reaches the output only as string literals (`#[doc = ".."]`,
//! `#[serde(rename = "..")]`), which `proc_macro2` escapes; this module also
//! keeps that text from being read as Markdown code (a doctest) or as more
//! than one line.

/// Doc lines for a title and a description: control characters become
/// spaces, code fences and indented blocks are defused.
pub fn docs(title: Option<&str>, description: Option<&str>) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        lines.push(line(title));
    }
    if let Some(description) = description.filter(|d| !d.trim().is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(description.trim_end().lines().map(line));
    }
    lines
}

/// A schema's name (a property's wire name, say) for a code span of one doc
/// line: control characters written as Rust escapes (`foo\rbar`), so the
/// line stays one line and names that differ only there stay apart, and a
/// backtick, which would close the span, as `'`.
pub fn code_span(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '`' => "'".to_owned(),
            c if c.is_control() => c.escape_debug().to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn line(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // A leading indent would start a Markdown code block, and fences start
    // one too: rustdoc would compile either as a doctest of the user's crate.
    let trimmed = clean.trim();
    format!(
        " {}",
        trimmed
            .replace("```", "\\`\\`\\`")
            .replace("~~~", "\\~\\~\\~")
    )
}

#[cfg(test)]
mod tests {
    use super::{code_span, docs};

    #[test]
    fn a_name_in_a_code_span_stays_on_its_line() {
        assert_eq!(code_span("foo\r\nbar`*/\u{0}"), "foo\\r\\nbar'*/\\0");
    }

    #[test]
    fn text_cannot_become_code() {
        let lines = docs(
            None,
            Some("a */ b\n```\nfn main() {}\n```\n    indented\r\n\u{0}x"),
        );
        assert_eq!(
            lines,
            [
                " a */ b",
                " \\`\\`\\`",
                " fn main() {}",
                " \\`\\`\\`",
                " indented",
                " x"
            ]
        );
    }
}
