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
    use super::docs;

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
