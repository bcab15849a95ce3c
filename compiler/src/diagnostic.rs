//! Diagnostics: what every stage reports, always with a place and a rule id.

use crate::rules::{Level, RuleId};
use crate::source::Place;

mod finding;
mod fold;

pub use finding::Finding;
pub use fold::{fold, MAX_CONSEQUENCES};

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
    /// The finding this one follows from; see [`fold`].
    pub cause: Option<Cause>,
    /// Findings folded under this one, the first [`MAX_CONSEQUENCES`] of them.
    pub consequences: Vec<Consequence>,
    /// How many findings were folded under this one, kept or not.
    pub folded: usize,
}

/// Which finding another follows from: its rule, place and message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cause {
    pub rule: RuleId,
    pub place: Place,
    pub message: String,
}

/// A finding folded under the one it follows from, shown as "as a result, …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consequence {
    pub rule: RuleId,
    pub level: Level,
    pub place: Place,
    pub message: String,
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
            cause: None,
            consequences: Vec::new(),
            folded: 0,
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

    /// Marks this finding as a consequence of `root`: when both are
    /// reported, this one becomes a note on `root` rather than a finding
    /// of its own that users would read, and fix, first.
    pub fn follows_from(mut self, root: &Diagnostic) -> Self {
        self.cause = Some(Cause {
            rule: root.rule,
            place: root.place,
            message: root.message.clone(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// Consequences folded here beyond those kept.
    pub fn more_consequences(&self) -> usize {
        self.folded.saturating_sub(self.consequences.len())
    }
}
