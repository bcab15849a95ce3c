//! Findings as users of the library receive them: a build script or a tool
//! that calls evc reads each field instead of parsing rendered text.

use std::fmt;

use super::Diagnostic;
use crate::rules::{Level, RuleId};
use crate::source::Sources;

/// One diagnostic with its place resolved to the file as shown
/// (`schemas/order.yaml`) and one-based line and column numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    pub level: Level,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Where the spanned text ends; the start again for a point.
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(sources: &Sources, diagnostic: &Diagnostic) -> Self {
        let span = diagnostic.place.span;
        let end = span.last();
        Finding {
            rule: diagnostic.rule,
            level: diagnostic.level,
            file: sources.get(diagnostic.place.file).display.clone(),
            line: span.start.line,
            column: span.start.column,
            end_line: end.line,
            end_column: end.column,
            message: diagnostic.message.clone(),
            hint: diagnostic.hint.clone(),
        }
    }

    /// Every diagnostic of `level`, in order.
    pub fn all_at(sources: &Sources, diagnostics: &[Diagnostic], level: Level) -> Vec<Finding> {
        diagnostics
            .iter()
            .filter(|d| d.level == level)
            .map(|d| Finding::new(sources, d))
            .collect()
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// `file:line:column: RULE: message`, the short format of `evc lint`.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file,
            self.line,
            self.column,
            self.rule.as_str(),
            self.message
        )
    }
}
