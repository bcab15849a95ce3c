//! Diagnostics: what every stage reports, always with a place and a rule id.

use crate::rules::{Level, RuleId};
use crate::source::Place;

/// One finding. `level` starts as the rule's default and is adjusted by the
/// project config before reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub level: Level,
    pub place: Place,
    pub message: String,
    pub hint: Option<String>,
    /// Secondary places, e.g. where a duplicate was first defined.
    pub related: Vec<(Place, String)>,
}

impl Diagnostic {
    pub fn new(rule: RuleId, place: Place, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            level: rule.rule().default_level,
            place,
            message: message.into(),
            hint: None,
            related: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(mut self, place: Place, note: impl Into<String>) -> Self {
        self.related.push((place, note.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}
