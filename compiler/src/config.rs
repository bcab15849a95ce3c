//! `evc.yaml`: rule levels, path ignores and the naming allow-lists, in the
//! spirit of `buf.yaml`.
//!
//! ```yaml
//! version: v1
//! lint:
//!   rules: { EXAMPLES_MISSING: error, RESERVED_KEYWORD: off }
//!   ignore: [legacy/]
//!   ignore_only: { FIELD_NOT_SNAKE_CASE: [billing/old_invoice.yaml] }
//! naming:
//!   past_tense: [Shutdown]
//!   imperative: [Ship]
//!   allow: [ItemNotAvailable]
//!   schema_files: lenient   # or strict
//! evolution:
//!   open_objects: lenient   # or strict
//! refs:
//!   "https://cdevents.dev/0.4.1/schema/": vendor/cdevents/
//! ```

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::evolution::{OpenObjects, Policy};
use crate::load::{Document, Entry, Node};
use crate::rules::{Level, RuleId, RULES};
use crate::source::{FileId, Place, Sources};

/// Naming allow-lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Naming {
    /// Extra words accepted as past tense in event names.
    pub past_tense: Vec<String>,
    /// Extra words accepted as the leading verb of command names.
    pub imperative: Vec<String>,
    /// Contract names exempt from the tense and mood rules.
    pub allow: Vec<String>,
    /// Whether the property naming rules apply in JSON Schema files.
    pub schema_files: SchemaFiles,
}

/// How property names in JSON Schema files (`x-evc` files and definitions
/// files) are judged. Such files are often published by someone else, and
/// their property names are the wire's: generated code renames the field and
/// keeps the wire name, so only a collision stops it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SchemaFiles {
    /// `FIELD_NOT_SNAKE_CASE` and `RESERVED_KEYWORD` look only at contract
    /// files.
    #[default]
    Lenient,
    /// The property naming rules apply in every file.
    Strict,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub rules: BTreeMap<RuleId, Level>,
    /// Paths (files or directories, relative to the root) no configurable rule looks at.
    pub ignore: Vec<String>,
    pub ignore_only: BTreeMap<RuleId, Vec<String>>,
    pub naming: Naming,
    /// How optional properties added to or removed from open objects are
    /// judged when versions are compared, by the form of the contract.
    pub evolution: OpenObjects,
    /// Where `$ref` URLs are read from.
    pub refs: RefMap,
}

/// URL prefixes mapped to paths in the contracts root: a `$ref` to
/// `<prefix><rest>` reads the file `<path><rest>` (map
/// `https://example.com/schemas/` to `vendor/example/`). evc never fetches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefMap {
    /// Longest prefix first, so the most specific mapping wins.
    pub prefixes: Vec<(String, String)>,
}

impl RefMap {
    /// The root-relative path a URL (without fragment) maps to.
    pub fn local(&self, url: &str) -> Option<String> {
        self.prefixes.iter().find_map(|(prefix, folder)| {
            let rest = url.strip_prefix(prefix.as_str())?;
            Some(format!("{folder}{rest}"))
        })
    }
}

impl Config {
    /// Reads the config document; problems are reported and skipped.
    pub fn from_document(document: Option<&Document>) -> (Config, Vec<Diagnostic>) {
        let mut reader = Reader {
            config: Config::default(),
            diagnostics: Vec::new(),
            file: FileId(0),
        };
        if let Some(document) = document {
            reader.file = document.file;
            reader.root(&document.root);
        }
        (reader.config, reader.diagnostics)
    }

    /// Sets each diagnostic's level and drops what is off or ignored.
    /// Rules that are not configurable keep their level and are never ignored.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>, sources: &Sources) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut d| {
                if !d.rule.rule().configurable {
                    return Some(d);
                }
                let path = sources.get(d.place.file).relative_slash();
                let ignored = self.ignore.iter().any(|p| covers(p, &path))
                    || self
                        .ignore_only
                        .get(&d.rule)
                        .is_some_and(|paths| paths.iter().any(|p| covers(p, &path)));
                if ignored {
                    return None;
                }
                if let Some(level) = self.rules.get(&d.rule) {
                    d.level = *level;
                }
                (d.level != Level::Off).then_some(d)
            })
            .collect()
    }
}

/// A relative path that stays below the root.
fn is_inside_root(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains(':')
        && !path.contains('\\')
        && path.split('/').all(|part| part != "..")
}

/// Whether an ignore entry (a file or a directory) covers a path.
fn covers(entry: &str, path: &str) -> bool {
    let entry = entry.trim_start_matches("./").trim_end_matches('/');
    entry.is_empty() || path == entry || path.starts_with(&format!("{entry}/"))
}

struct Reader {
    config: Config,
    diagnostics: Vec<Diagnostic>,
    file: FileId,
}

impl Reader {
    fn place(&self, node: &Node) -> Place {
        Place {
            file: self.file,
            span: node.span,
        }
    }

    fn invalid(&mut self, place: Place, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(RuleId::ConfigInvalid, place, message));
    }

    fn entries<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Entry] {
        match node.as_map() {
            Some(entries) => entries,
            None => {
                self.invalid(self.place(node), format!("{what} must be a mapping"));
                &[]
            }
        }
    }

    fn unknown(&mut self, entry: &Entry, known: &str) {
        let place = Place {
            file: self.file,
            span: entry.key_span,
        };
        self.diagnostics.push(
            Diagnostic::new(
                RuleId::ConfigInvalid,
                place,
                format!("unknown config key `{}`", entry.key),
            )
            .hint(format!("expected one of: {known}")),
        );
    }

    fn root(&mut self, root: &Node) {
        for entry in self.entries(root, "evc.yaml") {
            match entry.key.as_str() {
                "version" => {
                    if entry.value.scalar_text().as_deref() != Some("v1") {
                        self.invalid(self.place(&entry.value), "config `version` must be `v1`");
                    }
                }
                "lint" => self.lint(&entry.value),
                "naming" => self.naming(&entry.value),
                "evolution" => self.evolution(&entry.value),
                "refs" => self.refs(&entry.value),
                _ => self.unknown(entry, "version, lint, naming, evolution, refs"),
            }
        }
    }

    fn lint(&mut self, node: &Node) {
        for entry in self.entries(node, "`lint`") {
            match entry.key.as_str() {
                "rules" => self.levels(&entry.value),
                "ignore" => self.config.ignore = self.strings(&entry.value, "`lint.ignore`"),
                "ignore_only" => {
                    for rule_entry in self.entries(&entry.value, "`lint.ignore_only`") {
                        if let Some(rule) = self.rule(rule_entry) {
                            let paths = self.strings(&rule_entry.value, "an `ignore_only` entry");
                            self.config.ignore_only.insert(rule, paths);
                        }
                    }
                }
                _ => self.unknown(entry, "rules, ignore, ignore_only"),
            }
        }
    }

    fn levels(&mut self, node: &Node) {
        for entry in self.entries(node, "`lint.rules`") {
            let Some(rule) = self.rule(entry) else {
                continue;
            };
            let level = entry.value.as_str().and_then(|s| s.parse::<Level>().ok());
            match level {
                Some(level) => {
                    self.config.rules.insert(rule, level);
                }
                None => self.invalid(
                    self.place(&entry.value),
                    format!("the level of `{}` must be error, warn or off", entry.key),
                ),
            }
        }
    }

    /// A configurable rule named by an entry's key.
    fn rule(&mut self, entry: &Entry) -> Option<RuleId> {
        let place = Place {
            file: self.file,
            span: entry.key_span,
        };
        match RuleId::from_name(&entry.key) {
            Some(rule) if rule.rule().configurable => Some(rule),
            Some(rule) => {
                self.invalid(
                    place,
                    format!(
                        "rule `{rule}` cannot be configured: {}",
                        rule.rule().why_not_configurable()
                    ),
                );
                None
            }
            None => {
                let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
                let hint = crate::model::suggest(&entry.key, &names)
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| "`evc rules` lists every rule".to_owned());
                self.diagnostics.push(
                    Diagnostic::new(
                        RuleId::ConfigInvalid,
                        place,
                        format!("unknown rule `{}`", entry.key),
                    )
                    .hint(hint),
                );
                None
            }
        }
    }

    fn naming(&mut self, node: &Node) {
        for entry in self.entries(node, "`naming`") {
            if entry.key == "schema_files" {
                match entry.value.as_str() {
                    Some("lenient") => self.config.naming.schema_files = SchemaFiles::Lenient,
                    Some("strict") => self.config.naming.schema_files = SchemaFiles::Strict,
                    _ => self.invalid(
                        self.place(&entry.value),
                        "`naming.schema_files` must be lenient or strict",
                    ),
                }
                continue;
            }
            let list = self.strings(&entry.value, "a naming list");
            match entry.key.as_str() {
                "past_tense" => self.config.naming.past_tense = list,
                "imperative" => self.config.naming.imperative = list,
                "allow" => self.config.naming.allow = list,
                _ => self.unknown(entry, "past_tense, imperative, allow, schema_files"),
            }
        }
    }

    fn refs(&mut self, node: &Node) {
        for entry in self.entries(node, "`refs`") {
            let key = Place {
                file: self.file,
                span: entry.key_span,
            };
            let absolute = fluent_uri::Uri::parse(entry.key.as_str()).is_ok();
            if !absolute {
                self.invalid(
                    key,
                    format!("`refs` key `{}` is not an absolute URL", entry.key),
                );
                continue;
            }
            let folder = match entry.value.as_str() {
                Some(folder) if is_inside_root(folder) => folder,
                _ => {
                    self.invalid(
                        self.place(&entry.value),
                        "a `refs` entry maps to a path relative to the contracts root, without `..`",
                    );
                    continue;
                }
            };
            let folder = folder.trim_start_matches("./").to_owned();
            self.config.refs.prefixes.push((entry.key.clone(), folder));
        }
        let prefixes = &mut self.config.refs.prefixes;
        prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    }

    fn evolution(&mut self, node: &Node) {
        for entry in self.entries(node, "`evolution`") {
            match entry.key.as_str() {
                "open_objects" if entry.value.as_str().is_some() => {
                    if let Some(policy) = self.policy(&entry.value, "`evolution.open_objects`") {
                        self.config.evolution = OpenObjects::every(policy);
                    }
                }
                "open_objects" if entry.value.as_map().is_some() => self.open_objects(&entry.value),
                "open_objects" => self.invalid(
                    self.place(&entry.value),
                    "`evolution.open_objects` must be lenient, strict, or a mapping of \
                     `contract_files` and `schema_files` to one of them",
                ),
                _ => self.unknown(entry, "open_objects"),
            }
        }
    }

    /// `open_objects: { contract_files: lenient, schema_files: strict }`.
    fn open_objects(&mut self, node: &Node) {
        for entry in self.entries(node, "`evolution.open_objects`") {
            let what = format!("`evolution.open_objects.{}`", entry.key);
            match entry.key.as_str() {
                "contract_files" => {
                    if let Some(policy) = self.policy(&entry.value, &what) {
                        self.config.evolution.contract_files = policy;
                    }
                }
                "schema_files" => {
                    if let Some(policy) = self.policy(&entry.value, &what) {
                        self.config.evolution.schema_files = policy;
                    }
                }
                _ => self.unknown(entry, "contract_files, schema_files"),
            }
        }
    }

    fn policy(&mut self, node: &Node, what: &str) -> Option<Policy> {
        let policy = node.as_str().and_then(|s| s.parse::<Policy>().ok());
        if policy.is_none() {
            self.invalid(
                self.place(node),
                format!("{what} must be lenient or strict"),
            );
        }
        policy
    }

    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        let Some(items) = node.as_seq() else {
            self.invalid(
                self.place(node),
                format!("{what} must be a list of strings"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_str() {
                Some(text) => out.push(text.to_owned()),
                None => self.invalid(self.place(item), format!("{what} must hold strings")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_entries_cover_files_and_directories() {
        assert!(covers("legacy/", "legacy/a.yaml"));
        assert!(covers("legacy", "legacy/x/a.yaml"));
        assert!(covers("a.yaml", "a.yaml"));
        assert!(!covers("legacy", "legacy2/a.yaml"));
    }

    fn read(text: &str) -> (Config, Vec<Diagnostic>) {
        let (_, node) = crate::load::parse_bytes(text.as_bytes(), false);
        let document = Document {
            file: FileId(0),
            root: node.expect("the config parses"),
        };
        Config::from_document(Some(&document))
    }

    #[test]
    fn the_open_object_policy_is_read_and_defaults_by_form() {
        let defaults = read("version: v1").0.evolution;
        assert_eq!(defaults.contract_files, Policy::Lenient);
        assert_eq!(defaults.schema_files, Policy::Strict);
        let (config, diagnostics) = read("evolution:\n  open_objects: strict\n");
        assert_eq!(
            (config.evolution, diagnostics.len()),
            (OpenObjects::every(Policy::Strict), 0)
        );
        let (config, diagnostics) = read("evolution:\n  open_objects: { schema_files: lenient }\n");
        assert_eq!(
            (config.evolution, diagnostics.len()),
            (OpenObjects::every(Policy::Lenient), 0)
        );
        let (config, diagnostics) = read("evolution:\n  open_objects: { json: strict }\n");
        assert_eq!((config.evolution, diagnostics.len()), (defaults, 1));
        let (_, diagnostics) = read("evolution:\n  open_objects: [strict]\n");
        assert!(diagnostics[0]
            .message
            .contains("lenient, strict, or a mapping"));
        let (config, diagnostics) = read("evolution:\n  open_objects: loose\n");
        assert_eq!(config.evolution, defaults);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].rule, RuleId::ConfigInvalid);
        assert_eq!(diagnostics[0].place.span.start.line, 2);
        let (_, diagnostics) = read("evolution:\n  closed_objects: strict\n");
        assert_eq!(diagnostics[0].rule, RuleId::ConfigInvalid);
    }

    #[test]
    fn a_rule_that_cannot_be_configured_says_why() {
        let message = |rule: &str| {
            let (_, diagnostics) = read(&format!("lint:\n  rules:\n    {rule}: off\n"));
            assert_eq!(diagnostics.len(), 1, "{rule}");
            assert_eq!(diagnostics[0].rule, RuleId::ConfigInvalid);
            diagnostics[0].message.clone()
        };
        assert!(message("YAML_SYNTAX").ends_with("leaves nothing to compile"));
        assert!(message("VERSION_EDITED").ends_with("a released version's schema never changes"));
        assert!(message("CONFIG_INVALID").ends_with("cannot say which rules apply"));
    }
}
