//! rustc-style text for findings met while compiling, not linting: the
//! errors of `evc::Builder` in a build script and of the `contracts!` macro.
//! ASCII and no colour, since cargo relays the text through pipes and
//! consoles that may show neither box drawing nor escape codes.

use codespan_reporting::term::{self, termcolor::Buffer, Chars};

use super::short::one_line;
use crate::diagnostic::{Diagnostic, Finding};
use crate::source::Sources;

/// Every finding as rustc prints it: `error[RULE]: message`, the
/// `--> file:line:col` line, the quoted source with a caret and the help.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    // A newline in a message (a quoted key holding one) would split the header.
    let single: Vec<Diagnostic> = diagnostics
        .iter()
        .map(|d| Diagnostic {
            message: one_line(&d.message),
            ..d.clone()
        })
        .collect();
    super::human::emit(sources, &single, &config(), Buffer::no_color())
}

/// One finding for a `compile_error!`: rustc writes `error: ` before the
/// text, so the first line is `RULE: message` rather than a second
/// `error[RULE]`; the quoted source and the help follow.
pub fn render_one(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let text = render(sources, std::slice::from_ref(diagnostic));
    let body = text.split_once('\n').map_or("", |(_, body)| body);
    format!(
        "{}: {}\n{}",
        diagnostic.rule.as_str(),
        one_line(&diagnostic.message),
        body.trim_end()
    )
}

/// A finding on one line, `file:line:col: RULE: message; help: hint`, for
/// `cargo:warning`, which shows single lines: the help is appended since a
/// build script's user sees nothing else.
pub fn line(finding: &Finding) -> String {
    let mut out = one_line(&finding.to_string());
    if let Some(hint) = &finding.hint {
        out.push_str("; help: ");
        out.push_str(&one_line(hint));
    }
    out
}

fn config() -> term::Config {
    term::Config {
        chars: Chars::ascii(),
        ..term::Config::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;
    use crate::source::{Place, Pos, SourceFile, Span};

    fn one() -> (Sources, Diagnostic) {
        let mut sources = Sources::default();
        let file = sources.add(SourceFile {
            relative: "a.yaml".into(),
            display: "schemas/a.yaml".into(),
            text: "event: A\nnamespace: x\n".into(),
        });
        let place = Place {
            file,
            span: Span::new(Pos::new(2, 12), Pos::new(2, 13)),
        };
        let d = Diagnostic::new(RuleId::NamespaceInvalid, place, "bad\nnamespace").hint("fix it");
        (sources, d)
    }

    #[test]
    fn a_compile_error_starts_with_the_rule_then_quotes_the_line() {
        let (sources, d) = one();
        let text = render_one(&sources, &d);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAMESPACE_INVALID: bad namespace");
        assert_eq!(lines[1].trim_start(), "--> schemas/a.yaml:2:12");
        assert!(text.contains("2 | namespace: x"), "{text}");
        assert!(text.ends_with("= help: fix it"), "{text}");
    }

    #[test]
    fn a_cargo_warning_line_carries_the_help() {
        let (sources, d) = one();
        assert_eq!(
            line(&Finding::new(&sources, &d)),
            "schemas/a.yaml:2:12: NAMESPACE_INVALID: bad namespace; help: fix it"
        );
    }

    #[test]
    fn findings_render_as_rustc_does_in_ascii() {
        let (sources, d) = one();
        let text = render(&sources, &[d]);
        assert!(
            text.starts_with("error[NAMESPACE_INVALID]: bad namespace\n"),
            "{text}"
        );
        assert!(text.is_ascii(), "{text}");
    }
}
