//! Loaded documents to the model: recognises each file's form, checks the
//! contract keys, and hands payload schemas to the schema builder.

use std::collections::BTreeMap;

use super::drafts::Draft;
use super::keywords::{
    suggest, CONTRACT_KEYS, DEFINITIONS_KEYS, SCHEMA_KEYWORDS, UNSUPPORTED_KEYWORDS, UPCAST_STEPS,
    VERSION_KEYS, X_EVC_KEYS,
};
use super::payloads::{self, Payloads};
use super::schema::{JsonType, SchemaId, Spanned, TypeSpace};
use super::schema_build::{Cursor, SchemaBuilder};
use super::urls::Urls;
use super::{place, wrong_type};
use super::{Contract, Example, Form, Kind, Model, UpcastStep, Version};
use crate::config::RefMap;
use crate::diagnostic::Diagnostic;
use crate::load::{Document, Entry, Node, Value};
use crate::rules::RuleId;
use crate::source::{FileId, Place, Sources};

/// Builds the model of every loaded document. Findings about structure and
/// references are returned with it; the model holds whatever could be built.
/// Takes the documents: payloads are freed as soon as they are built.
pub fn build(
    sources: &Sources,
    mut documents: Vec<Document>,
    refs: &RefMap,
) -> (Model, Vec<Diagnostic>) {
    // URLs are read from the whole trees, before payloads are taken out.
    let urls = Urls::new(&roots_of(sources, &documents), refs);
    let duplicates = duplicate_ids(sources, &documents, &urls);
    let payloads = payloads::take(&mut documents, sources, &urls);
    let mut builder = Builder {
        schemas: SchemaBuilder::with_urls(sources, roots_of(sources, &documents), urls),
        payloads,
        diagnostics: Vec::new(),
        contracts: Vec::new(),
    };
    for document in &documents {
        builder.document(document);
    }
    let contracts = group(builder.contracts, &mut builder.diagnostics);
    let mut diagnostics = duplicates;
    diagnostics.append(&mut builder.diagnostics);
    diagnostics.append(&mut builder.schemas.diagnostics);
    let model = Model::new(contracts, builder.schemas.types);
    (model, diagnostics)
}

/// Builds one plain JSON Schema document (the root of `file`, not a
/// contract) as a payload schema, for comparing schemas that live outside a
/// contracts root. `$ref`s may reach the other documents. Returns `None`
/// when the file did not load.
pub fn build_schema(
    sources: &Sources,
    documents: &[Document],
    file: FileId,
    refs: &RefMap,
) -> (TypeSpace, Option<SchemaId>, Vec<Diagnostic>) {
    let roots = roots_of(sources, documents);
    let root = roots.get(file.0 as usize).copied().flatten();
    let mut schemas = SchemaBuilder::new(sources, roots, refs);
    let id = root.map(|node| {
        let cursor = Cursor::new(file, Vec::new(), Vec::new());
        schemas.build_root(cursor, node, &[])
    });
    (schemas.types, id, schemas.diagnostics)
}

/// ID_DUPLICATE for each `$id` a second, different schema declares, at its
/// `$id`, with the first declaration as a note.
fn duplicate_ids(sources: &Sources, documents: &[Document], urls: &Urls) -> Vec<Diagnostic> {
    let roots = roots_of(sources, documents);
    let schema_at = |(file, pointer): &(FileId, Vec<String>)| {
        roots
            .get(file.0 as usize)
            .copied()
            .flatten()?
            .pointer(pointer)
    };
    let id_place = |file: FileId, schema: &Node| {
        let entry = schema.get("$id").or_else(|| schema.get("id"))?;
        Some(place(file, entry.value.span))
    };
    let mut out = Vec::new();
    for duplicate in urls.duplicates() {
        let (Some(again), Some(first)) = (schema_at(&duplicate.again), schema_at(&duplicate.first))
        else {
            continue;
        };
        // A bundled copy of one resource (each contract carrying the
        // schemas it refers to) names the same schema, and the versions of
        // one contract, a file each, may share the contract's `$id`.
        if again.to_json() == first.to_json() || same_contract(first, again) {
            continue;
        }
        let (Some(again), Some(first)) = (
            id_place(duplicate.again.0, again),
            id_place(duplicate.first.0, first),
        ) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                RuleId::IdDuplicate,
                again,
                if duplicate.first.0 == duplicate.again.0 {
                    format!(
                        "`$id` `{}` is declared by another schema of this file already: a `$ref` to it reaches that one, never this",
                        duplicate.id
                    )
                } else {
                    format!(
                        "`$id` `{}` is declared by another file already: a `$ref` to it from any other file reaches that one",
                        duplicate.id
                    )
                },
            )
            .related(first, "declared first here")
            .hint("give each schema its own `$id`, or keep one copy of the schema"),
        );
    }
    out
}

/// Whether both schemas are `x-evc` roots of one contract (its versions).
fn same_contract(a: &Node, b: &Node) -> bool {
    let identity = |root: &Node| {
        let evc = root.get("x-evc")?;
        let key = |k: &str| {
            evc.value
                .get(k)
                .and_then(|e| e.value.as_str().map(str::to_owned))
        };
        Some((key("namespace")?, key("name")?))
    };
    identity(a).is_some_and(|a| identity(b) == Some(a))
}

/// Each file's parsed root, by file id; `None` for a file that failed to load.
fn roots_of<'d>(sources: &Sources, documents: &'d [Document]) -> Vec<Option<&'d Node>> {
    let mut roots: Vec<Option<&Node>> = vec![None; sources.len()];
    for document in documents {
        roots[document.file.0 as usize] = Some(&document.root);
    }
    roots
}

struct Builder<'a> {
    schemas: SchemaBuilder<'a>,
    payloads: Payloads,
    diagnostics: Vec<Diagnostic>,
    contracts: Vec<Contract>,
}

impl Builder<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn document(&mut self, document: &Document) {
        let file = document.file;
        let root = &document.root;
        let Some(entries) = root.as_map() else {
            self.report(
                Diagnostic::new(
                    RuleId::NotAContract,
                    place(file, root.span),
                    format!(
                        "a contract file must hold a mapping, found {}",
                        root.type_name()
                    ),
                )
                .hint(FORMS_HINT),
            );
            return;
        };
        let has = |key: &str| entries.iter().any(|e| e.key == key);
        if has("event") || has("command") {
            self.contract(file, root, entries);
        } else if has("x-evc") {
            self.schema_contract(file, root);
        } else if is_schema_root(entries) {
            // A whole document that is one schema, reached by `$ref` (often by
            // its `$id`): its own `$defs` are part of it.
            let cursor = Cursor::new(file, Vec::new(), Vec::new());
            self.schemas.build_root(cursor, root, &[]);
        } else if has("$defs") || has("definitions") {
            self.definitions(file, entries);
        } else {
            self.report(
                Diagnostic::new(
                    RuleId::NotAContract,
                    place(file, root.span.start_point()),
                    "this file is neither a contract, a definitions file nor a schema",
                )
                .hint(FORMS_HINT),
            );
        }
    }

    fn contract(&mut self, file: FileId, root: &Node, entries: &[Entry]) {
        let mut kind = None;
        let mut name = None;
        let mut namespace = None;
        let mut description = None;
        let mut deprecated = false;
        let mut versions = None;
        for entry in entries {
            match entry.key.as_str() {
                "event" | "command" => {
                    let this = Kind::parse(&entry.key).unwrap_or(Kind::Event);
                    if kind.is_some() {
                        self.report(
                            Diagnostic::new(
                                RuleId::AmbiguousKind,
                                place(file, entry.key_span),
                                "a contract is either an `event` or a `command`, not both",
                            )
                            .hint("keep one of the two keys"),
                        );
                        continue;
                    }
                    kind = Some(this);
                    name = self.string(file, &entry.key, &entry.value);
                }
                "namespace" => namespace = self.string(file, "namespace", &entry.value),
                "description" => {
                    description = self
                        .string(file, "description", &entry.value)
                        .map(|s| s.value)
                }
                "deprecated" => deprecated = self.boolean(file, "deprecated", &entry.value),
                "versions" => versions = Some(entry),
                "$schema" => {
                    self.string(file, "$schema", &entry.value);
                }
                key if key.starts_with("x-") => {}
                "version" | "schema" | "upcast" | "examples" => self.report(
                    Diagnostic::new(
                        RuleId::UnknownKeyword,
                        place(file, entry.key_span),
                        format!("`{}` is not a contract key", entry.key),
                    )
                    .hint(format!(
                        "`{}` belongs to an entry of `versions:` (`- version: 1.0.0`)",
                        entry.key
                    )),
                ),
                _ => self.unknown_key(file, entry, CONTRACT_KEYS, "contract"),
            }
        }
        let head = place(file, root.span.start_point());
        let (Some(kind), Some(name)) = (kind, name) else {
            return;
        };
        let Some(namespace) = namespace.or_else(|| self.missing(head, "namespace", "the contract"))
        else {
            return;
        };
        let versions = match versions {
            Some(entry) => self.versions(file, entry),
            None => {
                self.missing::<()>(head, "versions", "the contract");
                return;
            }
        };
        self.contracts.push(Contract {
            kind,
            name,
            namespace,
            description,
            deprecated,
            form: Form::Contract,
            versions,
        });
    }

    fn versions(&mut self, file: FileId, entry: &Entry) -> Vec<Version> {
        let Some(items) = entry.value.as_seq() else {
            self.wrong_type(file, "versions", &entry.value, "a list of versions");
            return Vec::new();
        };
        if items.is_empty() {
            self.report(
                Diagnostic::new(
                    RuleId::VersionsEmpty,
                    place(file, entry.value.span),
                    "the contract has no versions",
                )
                .hint("add a first version: `- version: 1.0.0` with its `schema`"),
            );
        }
        let mut versions = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(version) = self.version(file, i, item) {
                versions.push(version);
            }
        }
        versions
    }

    fn version(&mut self, file: FileId, index: usize, node: &Node) -> Option<Version> {
        let Some(entries) = node.as_map() else {
            self.wrong_type(file, "versions", node, "a list of mappings");
            return None;
        };
        let mut version = None;
        let mut description = None;
        let mut deprecated = false;
        let mut schema = None;
        let mut upcast = None;
        let mut upcast_incomplete = false;
        let mut examples = Vec::new();
        for entry in entries {
            match entry.key.as_str() {
                "version" => version = Some(&entry.value),
                "description" => {
                    description = self
                        .string(file, "description", &entry.value)
                        .map(|s| s.value)
                }
                "deprecated" => deprecated = self.boolean(file, "deprecated", &entry.value),
                "schema" => {
                    let cursor = version_cursor(file, index);
                    schema = Some(match self.payloads.remove(&(file, index)) {
                        Some(payload) => self.schemas.build_payload(cursor, payload),
                        None => self.schemas.build_root(cursor, &entry.value, &[]),
                    });
                }
                "upcast" => (upcast, upcast_incomplete) = self.upcast(file, &entry.value),
                "examples" => examples = self.examples(file, &entry.value),
                key if key.starts_with("x-") => {}
                _ => self.unknown_key(file, entry, VERSION_KEYS, "version"),
            }
        }
        let head = place(file, node.span.start_point());
        let version_node = version.or_else(|| self.missing(head, "version", "the version"))?;
        let schema = schema.or_else(|| self.missing(head, "schema", "the version"))?;
        Some(Version {
            version: self.semver(file, version_node),
            version_place: place(file, version_node.span),
            description,
            deprecated,
            schema,
            upcast,
            upcast_incomplete,
            examples,
            place: head,
        })
    }

    fn schema_contract(&mut self, file: FileId, root: &Node) {
        let evc = &root.get("x-evc").expect("checked by the caller").value;
        let Some(entries) = evc.as_map() else {
            self.wrong_type(file, "x-evc", evc, "a mapping");
            return;
        };
        let mut fields: BTreeMap<&str, &Node> = BTreeMap::new();
        for entry in entries {
            if X_EVC_KEYS.contains(&entry.key.as_str()) {
                fields.insert(entry.key.as_str(), &entry.value);
            } else if !entry.key.starts_with("x-") {
                self.unknown_key(file, entry, X_EVC_KEYS, "`x-evc`");
            }
        }
        let head = place(file, evc.span.start_point());
        let required = |key: &str, this: &mut Self| {
            let node = fields.get(key).copied();
            node.or_else(|| this.missing(head, key, "`x-evc`"))
        };
        let kind_node = required("kind", self);
        let name_node = required("name", self);
        let namespace_node = required("namespace", self);
        let version_node = required("version", self);
        let kind = kind_node.and_then(|node| self.kind(file, node));
        let name = name_node.and_then(|node| self.string(file, "name", node));
        let namespace = namespace_node.and_then(|node| self.string(file, "namespace", node));
        let description = fields
            .get("description")
            .and_then(|node| self.string(file, "description", node))
            .map(|s| s.value);
        let deprecated = fields
            .get("deprecated")
            .is_some_and(|node| self.boolean(file, "deprecated", node));
        let (upcast, upcast_incomplete) = match fields.get("upcast") {
            Some(node) => self.upcast(file, node),
            None => (None, false),
        };
        // Draft-04 has no `examples`: there it is an annotation of the
        // publisher's (Google's name test-data URLs), not payloads.
        let draft = Draft::of(root.get("$schema").and_then(|e| e.value.as_str()));
        let examples = match root.get("examples") {
            Some(entry) if draft > Draft::Draft4 => self.examples(file, &entry.value),
            _ => Vec::new(),
        };
        let cursor = Cursor::new(file, Vec::new(), Vec::new());
        let schema = self.schemas.build_root(cursor, root, &["x-evc"]);
        let (Some(kind), Some(name), Some(namespace), Some(version_node)) =
            (kind, name, namespace, version_node)
        else {
            return;
        };
        let version = Version {
            version: self.semver(file, version_node),
            version_place: place(file, version_node.span),
            description: None,
            deprecated,
            schema,
            upcast,
            upcast_incomplete,
            examples,
            place: head,
        };
        self.contracts.push(Contract {
            kind,
            name,
            namespace,
            description,
            deprecated: false,
            form: Form::JsonSchema,
            versions: vec![version],
        });
    }

    fn definitions(&mut self, file: FileId, entries: &[Entry]) {
        for entry in entries {
            let key = entry.key.as_str();
            match key {
                "$defs" | "definitions" => {
                    let Some(defs) = entry.value.as_map() else {
                        self.wrong_type(file, key, &entry.value, "a mapping of schemas");
                        continue;
                    };
                    for def in defs {
                        let cursor =
                            Cursor::new(file, vec![key.to_owned(), def.key.clone()], Vec::new());
                        self.schemas.build_root(cursor, &def.value, &[]);
                    }
                }
                "$schema" | "$id" | "title" | "description" | "$comment" => {
                    self.string(file, key, &entry.value);
                }
                _ if key.starts_with("x-") => {}
                _ => self.unknown_key(file, entry, DEFINITIONS_KEYS, "definitions file"),
            }
        }
    }

    /// The steps, and whether some were wrong (reported, and left out).
    fn upcast(
        &mut self,
        file: FileId,
        node: &Node,
    ) -> (Option<Spanned<Vec<Spanned<UpcastStep>>>>, bool) {
        let Some(items) = node.as_seq() else {
            self.wrong_type(file, "upcast", node, "a list of steps");
            return (None, true);
        };
        let findings = self.diagnostics.len();
        let mut steps = Vec::new();
        for item in items {
            let entries = match item.as_map() {
                Some(entries) if entries.len() == 1 => entries,
                _ => {
                    self.report(
                        Diagnostic::new(
                            RuleId::WrongType,
                            place(file, item.span),
                            "each upcast step is a mapping with exactly one key",
                        )
                        .hint(format!("steps: {}", UPCAST_STEPS.join(", "))),
                    );
                    continue;
                }
            };
            for step in self.upcast_step(file, &entries[0]) {
                steps.push(Spanned {
                    value: step,
                    place: place(file, item.span),
                });
            }
        }
        let incomplete = self.diagnostics.len() > findings;
        if steps.is_empty() && !incomplete {
            // `upcast: []` or only `- custom: false`: no upcast at all. (Steps
            // that were wrong are reported already; no second finding.)
            return (None, false);
        }
        let custom = steps.iter().find(|s| s.value == UpcastStep::Custom);
        if let (Some(custom), true) = (custom, steps.len() > 1) {
            self.report(
                Diagnostic::new(
                    RuleId::InvalidValue,
                    custom.place,
                    "`custom: true` must be the only upcast step",
                )
                .hint(
                    "a custom upcast is written in Rust as a whole; move the other steps into it",
                ),
            );
        }
        let steps = Spanned {
            value: steps,
            place: place(file, node.span),
        };
        (Some(steps), incomplete)
    }

    fn upcast_step(&mut self, file: FileId, entry: &Entry) -> Vec<UpcastStep> {
        let value = &entry.value;
        let key = entry.key.as_str();
        match key {
            "rename" | "move" => self
                .string_pairs(file, key, value)
                .into_iter()
                .map(|(from, to)| (from, to.value))
                .map(|(from, to)| match key {
                    "rename" => UpcastStep::Rename { from, to },
                    _ => UpcastStep::Move { from, to },
                })
                .collect(),
            "set" => match value.as_map() {
                Some(entries) => entries
                    .iter()
                    .map(|e| UpcastStep::Set {
                        path: e.key.clone(),
                        value: e.value.to_json(),
                    })
                    .collect(),
                None => {
                    self.wrong_type(file, key, value, "a mapping of path: value");
                    Vec::new()
                }
            },
            "drop" => {
                let paths: Vec<&Node> = match &value.value {
                    Value::Seq(items) => items.iter().collect(),
                    _ => vec![value],
                };
                paths
                    .into_iter()
                    .filter_map(|p| self.string(file, "drop", p))
                    .map(|p| UpcastStep::Drop { path: p.value })
                    .collect()
            }
            "convert" => self
                .string_pairs(file, key, value)
                .into_iter()
                .filter_map(|(path, to)| match JsonType::parse(&to.value) {
                    Some(
                        ty @ (JsonType::String
                        | JsonType::Integer
                        | JsonType::Number
                        | JsonType::Boolean),
                    ) => Some(UpcastStep::Convert { path, to: ty }),
                    _ => {
                        self.report(
                            Diagnostic::new(
                                RuleId::InvalidValue,
                                to.place,
                                format!("cannot convert to `{}`", to.value),
                            )
                            .hint("convert to string, integer, number or boolean"),
                        );
                        None
                    }
                })
                .collect(),
            "custom" => match value.as_bool() {
                Some(true) => vec![UpcastStep::Custom],
                Some(false) => Vec::new(),
                None => {
                    self.wrong_type(file, key, value, "true or false");
                    Vec::new()
                }
            },
            _ => {
                self.unknown_key(file, entry, UPCAST_STEPS, "upcast step");
                Vec::new()
            }
        }
    }

    fn string_pairs(
        &mut self,
        file: FileId,
        key: &str,
        node: &Node,
    ) -> Vec<(String, Spanned<String>)> {
        let Some(entries) = node.as_map() else {
            self.wrong_type(file, key, node, "a mapping of `from: to`");
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| {
                let to = self.string(file, key, &e.value)?;
                Some((e.key.clone(), to))
            })
            .collect()
    }

    fn examples(&mut self, file: FileId, node: &Node) -> Vec<Example> {
        match node.as_seq() {
            Some(items) => items
                .iter()
                .map(|item| Example {
                    place: place(file, item.span),
                    node: item.clone(),
                })
                .collect(),
            None => {
                self.wrong_type(file, "examples", node, "a list of example payloads");
                Vec::new()
            }
        }
    }

    fn kind(&mut self, file: FileId, node: &Node) -> Option<Kind> {
        let text = self.string(file, "kind", node)?;
        let kind = Kind::parse(&text.value);
        if kind.is_none() {
            self.report(Diagnostic::new(
                RuleId::InvalidValue,
                text.place,
                format!("`kind` is `event` or `command`, not `{}`", text.value),
            ));
        }
        kind
    }

    fn semver(&mut self, file: FileId, node: &Node) -> Option<semver::Version> {
        let at = place(file, node.span);
        let Some(text) = node.scalar_text() else {
            self.wrong_type(file, "version", node, "a semver string such as 1.0.0");
            return None;
        };
        match semver::Version::parse(&text) {
            Ok(version) if !version.pre.is_empty() || !version.build.is_empty() => {
                self.report(
                    Diagnostic::new(
                        RuleId::VersionInvalid,
                        at,
                        format!("`{text}` carries a pre-release or build suffix"),
                    )
                    .hint("contract versions are plain MAJOR.MINOR.PATCH: every listed version is released"),
                );
                None
            }
            Ok(version) => Some(version),
            Err(error) => {
                self.report(
                    Diagnostic::new(
                        RuleId::VersionInvalid,
                        at,
                        format!("`{text}` is not a semver version: {error}"),
                    )
                    .hint("write MAJOR.MINOR.PATCH, e.g. `1.0.0`"),
                );
                None
            }
        }
    }

    fn string(&mut self, file: FileId, key: &str, node: &Node) -> Option<Spanned<String>> {
        match node.as_str() {
            Some(text) => Some(Spanned {
                value: text.to_owned(),
                place: place(file, node.span),
            }),
            None => {
                self.wrong_type(file, key, node, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, file: FileId, key: &str, node: &Node) -> bool {
        match node.as_bool() {
            Some(b) => b,
            None => {
                self.wrong_type(file, key, node, "true or false");
                false
            }
        }
    }

    fn wrong_type(&mut self, file: FileId, key: &str, node: &Node, expected: &str) {
        self.report(wrong_type(place(file, node.span), key, node, expected));
    }

    fn missing<T>(&mut self, at: Place, key: &str, owner: &str) -> Option<T> {
        self.report(Diagnostic::new(
            RuleId::MissingKey,
            at,
            format!("{owner} has no `{key}`"),
        ));
        None
    }

    fn unknown_key(&mut self, file: FileId, entry: &Entry, known: &[&str], owner: &str) {
        let diagnostic = Diagnostic::new(
            RuleId::UnknownKeyword,
            place(file, entry.key_span),
            format!("unknown {owner} key `{}`", entry.key),
        );
        let diagnostic = match suggest(&entry.key, known) {
            Some(close) => diagnostic.hint(format!("did you mean `{close}`?")),
            None => diagnostic.hint(format!(
                "expected one of: {}; prefix custom keys with `x-`",
                known.join(", ")
            )),
        };
        self.report(diagnostic);
    }
}

const FORMS_HINT: &str = "a contract starts with `event:` or `command:`; a JSON Schema contract carries `x-evc`; a definitions file holds `$defs`; a schema file holds schema keywords (`type`, `properties`, ...)";

/// A root that holds keywords of a schema itself, not only `$defs` and
/// annotations: a schema document.
fn is_schema_root(entries: &[Entry]) -> bool {
    entries.iter().any(|entry| {
        let key = entry.key.as_str();
        let annotation = matches!(
            key,
            "examples" | "default" | "deprecated" | "readOnly" | "writeOnly"
        );
        (SCHEMA_KEYWORDS.contains(&key) && !DEFINITIONS_KEYS.contains(&key) && !annotation)
            || UNSUPPORTED_KEYWORDS.contains(&key)
    })
}

fn version_cursor(file: FileId, index: usize) -> Cursor {
    let pointer = vec![
        "versions".to_owned(),
        index.to_string(),
        "schema".to_owned(),
    ];
    Cursor::new(file, pointer.clone(), pointer)
}

/// Merges the JSON Schema form's per-version files into contracts, refuses
/// duplicates, and sorts contracts by namespace and name.
fn group(contracts: Vec<Contract>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Contract> {
    let mut by_key: BTreeMap<(String, String), Contract> = BTreeMap::new();
    for contract in contracts {
        let key = (
            contract.namespace.value.clone(),
            contract.name.value.clone(),
        );
        let Some(existing) = by_key.get_mut(&key) else {
            by_key.insert(key, contract);
            continue;
        };
        let mergeable = existing.form == Form::JsonSchema && contract.form == Form::JsonSchema;
        if !mergeable {
            diagnostics.push(
                Diagnostic::new(
                    RuleId::DuplicateContract,
                    contract.name.place,
                    format!(
                        "contract `{}` in namespace `{}` is defined twice",
                        key.1, key.0
                    ),
                )
                .related(existing.name.place, "first defined here")
                .hint("keep every version of a contract in one file"),
            );
            continue;
        }
        if existing.kind != contract.kind {
            diagnostics.push(
                Diagnostic::new(
                    RuleId::ContractConflict,
                    contract.name.place,
                    format!(
                        "`{}` is {} here but {} in another file",
                        key.1,
                        contract.kind.with_article(),
                        existing.kind.with_article()
                    ),
                )
                .related(existing.name.place, "declared here"),
            );
            continue;
        }
        if existing.description.is_none() {
            existing.description = contract.description;
        }
        existing.versions.extend(contract.versions);
    }
    let mut contracts: Vec<Contract> = by_key.into_values().collect();
    for contract in &mut contracts {
        if contract.form == Form::JsonSchema {
            // Files carry no order of their own; semver gives one.
            contract
                .versions
                .sort_by(|a, b| a.version.cmp(&b.version).then(a.place.cmp(&b.place)));
        }
    }
    contracts
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::{Input, Inputs};

    /// The rules found in a root of `files`.
    fn rules(files: &[(&str, &str)]) -> Vec<String> {
        let inputs = Inputs {
            contracts: files.iter().map(|(n, t)| Input::new(*n, *t)).collect(),
            config: None,
        };
        let lint = crate::lint_inputs(inputs, Path::new("."));
        lint.diagnostics
            .iter()
            .filter(|d| d.rule != crate::rules::RuleId::ExamplesMissing)
            .map(|d| d.rule.to_string())
            .collect()
    }

    fn contract(name: &str, money: &str) -> String {
        format!(
            r#"{{"x-evc": {{"kind": "event", "name": "{name}", "namespace": "com.example.shop",
            "version": "1.0.0", "description": "x"}}, "type": "object",
            "properties": {{"total": {{"$ref": "https://example.com/money.json"}}}},
            "$defs": {{"money": {money}}}, "examples": [{{}}]}}"#
        )
    }

    #[test]
    fn bundled_copies_of_one_resource_are_no_duplicate_but_different_ones_are() {
        let money = r#"{"$id": "https://example.com/money.json", "type": "object",
            "properties": {"amount": {"type": "integer"}}}"#;
        let other = r#"{"$id": "https://example.com/money.json", "type": "object",
            "properties": {"amount": {"type": "string"}}}"#;
        let placed = contract("OrderPlaced", money);
        let paid = contract("OrderPaid", money);
        assert!(rules(&[("placed.json", &placed), ("paid.json", &paid)]).is_empty());
        let paid = contract("OrderPaid", other);
        assert_eq!(
            rules(&[("placed.json", &placed), ("paid.json", &paid)]),
            ["ID_DUPLICATE"]
        );
        // Two versions of one contract sharing the contract's `$id`.
        let version = |number: &str, ty: &str| {
            format!(
                r#"{{"$id": "https://example.com/order-placed.json", "x-evc": {{"kind": "event",
                "name": "OrderPlaced", "namespace": "com.example.shop", "version": "{number}",
                "description": "x"}}, "type": "object",
                "properties": {{"note": {{"type": "{ty}"}}}}, "examples": [{{}}]}}"#
            )
        };
        let (v1, v2) = (version("1.0.0", "string"), version("2.0.0", "integer"));
        assert!(rules(&[("v1.json", &v1), ("v2.json", &v2)])
            .iter()
            .all(|rule| rule != "ID_DUPLICATE"));
    }
}
