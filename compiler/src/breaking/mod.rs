//! `evc breaking`: what a change to the contracts breaks for the producers
//! and consumers of a baseline (another directory, or a git revision).
//!
//! A contract of the baseline must still exist, with the same kind and
//! namespace; each of its versions must still be listed; and a version that
//! was released never changes its payload schema. Both trees go through the
//! whole lint pipeline first, and the current tree's semver findings (the
//! `version` rules) are part of the answer.

mod difference;

use std::path::{Path, PathBuf};

pub use difference::{compare as compare_schemas, Difference, Differences};

use crate::baseline::{self, Baseline};
use crate::diagnostic::Diagnostic;
use crate::model::{Contract, Model, Version};
use crate::pipeline::{lint_dir, lint_inputs, Lint};
use crate::report::{self, Format};
use crate::rules::{Category, Level, RuleId};
use crate::source::{FileId, Place, Sources};

/// The outcome of comparing the current tree with a baseline.
#[derive(Debug)]
pub struct Comparison {
    /// The current tree's model and config; the files of both trees (the
    /// baseline's shown with its prefix, e.g. `HEAD~1:schemas/...`); and
    /// the findings, sorted, in the form the report renderers take.
    pub lint: Lint,
    /// The baseline as the user named it.
    pub label: String,
    pub baseline_contracts: usize,
}

impl Comparison {
    /// Errors that break a consumer or producer: the breaking rules and the
    /// semver rules.
    pub fn breaking_changes(&self) -> usize {
        self.lint
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && is_breaking(d.rule))
            .count()
    }

    /// The closing line of the human format.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let breaking = self.breaking_changes();
        let other = self.lint.count(Level::Error) - breaking;
        let mut counts = vec![plural(breaking, "breaking change")];
        if other > 0 {
            counts.push(plural(other, "other error"));
        }
        counts.push(plural(self.lint.count(Level::Warn), "warning"));
        format!(
            "evc: {} against {} ({} now, {} in {})\n",
            counts.join(", "),
            self.label,
            plural(self.lint.model.contracts.len(), "contract"),
            self.baseline_contracts,
            self.label,
        )
    }
}

fn is_breaking(rule: RuleId) -> bool {
    matches!(rule.rule().category, Category::Breaking | Category::Version)
}

/// Why there is no comparison. Each is a usage error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The contracts root cannot be read.
    #[error("cannot read {}: {error}", dir.display())]
    Unreadable {
        dir: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error(transparent)]
    Baseline(#[from] baseline::Error),
    /// The baseline does not load whole, so a missing contract could be a
    /// file that failed to parse; its findings in the short format.
    #[error(
        "the baseline {label} does not load ({errors} error{}), so it cannot be \
         compared:\n{findings}",
        if *errors == 1 { "" } else { "s" }
    )]
    BaselineInvalid {
        label: String,
        errors: usize,
        findings: String,
    },
}

/// Lints the contracts under `dir` and the baseline `against` names (see
/// [`baseline::resolve`]), and compares them.
pub fn against(dir: &Path, against: &str) -> Result<Comparison, Error> {
    let current = lint_dir(dir).map_err(|error| Error::Unreadable {
        dir: dir.to_path_buf(),
        error,
    })?;
    let Baseline {
        label,
        display_prefix,
        inputs,
    } = baseline::resolve(dir, against)?;
    let before = lint_inputs(inputs, Path::new(""));
    compare(current, before, &display_prefix, &label)
}

/// Compares two linted trees. The baseline's paths are shown as
/// `display_prefix` + its own display paths. The current tree keeps its
/// semver (`version`) findings and its errors; its other warnings are
/// `evc lint`'s business. The current config sets the breaking rules'
/// levels and ignores.
pub fn compare(
    current: Lint,
    baseline: Lint,
    display_prefix: &str,
    label: &str,
) -> Result<Comparison, Error> {
    refuse_incomplete(&baseline, display_prefix, label)?;
    let Lint {
        mut sources,
        model,
        config,
        diagnostics,
    } = current;
    let baseline_contracts = baseline.model.contracts.len();
    let offset = sources.append(baseline.sources, display_prefix);
    let judge = Judge {
        current: &model,
        baseline: &baseline.model,
        offset,
        label,
        current_incomplete: diagnostics
            .iter()
            .any(|d| d.is_error() && loses_contracts(d)),
    };
    let found = config.apply(judge.changes(), &sources);
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.is_error() || d.rule.rule().category == Category::Version)
        .chain(found)
        .collect();
    crate::pipeline::sort(&mut diagnostics, &sources);
    Ok(Comparison {
        lint: Lint {
            sources,
            model,
            config,
            diagnostics,
        },
        label: label.to_owned(),
        baseline_contracts,
    })
}

/// Errors after which the model lacks what the files hold: a file that does
/// not parse, a schema that does not build, a `$ref` that leads nowhere.
fn loses_contracts(d: &Diagnostic) -> bool {
    let rule = d.rule.rule();
    !rule.configurable
        && matches!(
            rule.category,
            Category::Syntax | Category::Structure | Category::Reference
        )
}

/// A baseline missing part of its model would report what it lacks as
/// removed. Its other errors (naming, semver, examples) are history, and
/// judged when that tree was current.
fn refuse_incomplete(baseline: &Lint, display_prefix: &str, label: &str) -> Result<(), Error> {
    let broken: Vec<Diagnostic> = baseline
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && loses_contracts(d))
        .cloned()
        .collect();
    if broken.is_empty() {
        return Ok(());
    }
    let mut sources = Sources::default();
    sources.append(baseline.sources.clone(), display_prefix);
    let shown = Lint {
        sources,
        model: Model::default(),
        config: baseline.config.clone(),
        diagnostics: broken,
    };
    Err(Error::BaselineInvalid {
        label: label.to_owned(),
        errors: shown.diagnostics.len(),
        findings: report::render(Format::Short, &shown, false),
    })
}

struct Judge<'a> {
    current: &'a Model,
    baseline: &'a Model,
    /// Added to the baseline's file ids: its files follow the current ones.
    offset: u32,
    label: &'a str,
    current_incomplete: bool,
}

impl Judge<'_> {
    fn changes(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for old in &self.baseline.contracts {
            let same = self.current.contracts.iter().find(|c| {
                c.kind == old.kind
                    && c.namespace.value == old.namespace.value
                    && c.name.value == old.name.value
            });
            match same {
                Some(new) => self.versions(old, new, &mut out),
                None => out.push(self.removed(old)),
            }
        }
        out
    }

    /// A place in the baseline, in the combined sources.
    fn before(&self, place: Place) -> Place {
        Place {
            file: FileId(place.file.0 + self.offset),
            span: place.span,
        }
    }

    fn removed(&self, old: &Contract) -> Diagnostic {
        let what = format!(
            "{} `{}` of `{}`",
            old.kind, old.name.value, old.namespace.value
        );
        let renamed = self
            .current
            .contracts
            .iter()
            .find(|c| c.name.value == old.name.value);
        let mut diagnostic = match renamed {
            Some(new) => Diagnostic::new(
                RuleId::ContractRemoved,
                self.before(old.name.place),
                format!(
                    "{what} is gone: `{}` is now {} of `{}`, and a new kind or namespace \
                     is a removal plus a new contract",
                    new.name.value,
                    new.kind.with_article(),
                    new.namespace.value
                ),
            )
            .related(new.name.place, "the contract of that name now"),
            None => Diagnostic::new(
                RuleId::ContractRemoved,
                self.before(old.name.place),
                format!("{what} is gone since {}", self.label),
            ),
        };
        diagnostic = diagnostic.hint(if self.current_incomplete {
            "the current contracts have errors (reported here too): a contract whose file \
             does not load looks removed"
        } else {
            "consumers still receive it and producers still send it: restore it, and mark \
             it `deprecated: true` until nobody does"
        });
        diagnostic
    }

    fn versions(&self, old: &Contract, new: &Contract, out: &mut Vec<Diagnostic>) {
        for released in &old.versions {
            let Some(number) = &released.version else {
                continue;
            };
            let now = new
                .versions
                .iter()
                .find(|v| v.version.as_ref() == Some(number));
            match now {
                Some(now) => out.extend(self.edited(new, released, now, number)),
                None => out.push(
                    Diagnostic::new(
                        RuleId::VersionRemoved,
                        self.before(released.version_place),
                        format!(
                            "version {number} of `{}` is no longer listed",
                            old.name.value
                        ),
                    )
                    .related(new.name.place, "the contract is still here")
                    .hint(
                        "stored and in-flight payloads of this version still need to decode \
                         and upcast: keep it, marked `deprecated: true`",
                    ),
                ),
            }
        }
    }

    fn edited(
        &self,
        contract: &Contract,
        released: &Version,
        now: &Version,
        number: &semver::Version,
    ) -> Option<Diagnostic> {
        let differences = compare_schemas(
            &self.baseline.types,
            released.schema,
            &self.current.types,
            now.schema,
        );
        let (rule, difference, hint) = match (differences.structural, differences.annotation) {
            (Some(difference), _) => (
                RuleId::VersionEdited,
                difference,
                "a released version's schema never changes: restore it, and make the change \
                 a new version (minor when backward compatible, major with `upcast` otherwise)",
            ),
            (None, Some(difference)) => (
                RuleId::VersionDocsEdited,
                difference,
                "the payload schema accepts the same values; documentation changes belong \
                 in a new patch version",
            ),
            (None, None) => return None,
        };
        let what = match rule {
            RuleId::VersionEdited => "was edited in place",
            _ => "has new annotations",
        };
        Some(
            Diagnostic::new(
                rule,
                now.version_place,
                format!(
                    "released version {number} of `{}` {what} since {}: {}",
                    contract.name.value,
                    self.label,
                    describe(&difference)
                ),
            )
            .related(
                self.before(released.version_place),
                format!("as released in {}", self.label),
            )
            .hint(hint),
        )
    }
}

/// `/properties/total/type` is "string", was "number".
fn describe(difference: &Difference) -> String {
    let at = if difference.pointer.is_empty() {
        "the schema".to_owned()
    } else {
        format!("`{}`", difference.pointer)
    };
    match (&difference.before, &difference.after) {
        (Some(before), Some(after)) => {
            format!("{at} is {}, was {}", value(after), value(before))
        }
        (None, Some(after)) => format!("{at} is new: {}", value(after)),
        (Some(before), None) => format!("{at} is gone, was {}", value(before)),
        (None, None) => format!("{at} differs"),
    }
}

/// A value in a message: compact JSON, cut short.
fn value(value: &serde_json::Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}
