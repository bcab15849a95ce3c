//! rustc-style text for findings met while compiling, not linting: the
//! errors of `evc::Builder` in a build script and of the `contracts!` macro.
//! ASCII and no colour, since cargo relays the text through pipes and
//! consoles that may show neither box drawing nor escape codes.

use codespan_reporting::term::{self, termcolor::Buffer, Chars};

use super::short::one_line;
use crate::diagnostic::Diagnostic;
use crate::source::Sources;

/// Every finding as rustc prints it: `error[RULE]: message`, the
/// `--> file:line:col` line, the quoted source with a caret and the help.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    super::human::emit(sources, diagnostics, &config(), Buffer::no_color())
}

/// One finding for a `compile_error!`: rustc writes `error: ` before the
/// text, so the first line is `RULE: message` rather than a second
/// `error[RULE]`; the quoted source and the help follow.
pub fn render_one(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let header = format!(
        "{}: {}",
        diagnostic.rule.as_str(),
        one_line(&diagnostic.message)
    );
    let single = Diagnostic {
        message: one_line(&diagnostic.message),
        ..diagnostic.clone()
    };
    let text = render(sources, std::slice::from_ref(&single));
    // The message is one line, so codespan's header is too.
    let body = text.split_once('\n').map_or("", |(_, body)| body);
    format!("{header}\n{}", body.trim_end())
}

fn config() -> term::Config {
    term::Config {
        chars: Chars::ascii(),
        ..term::Config::default()
    }
}
