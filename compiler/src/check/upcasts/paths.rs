//! UPCAST_PATH_UNKNOWN: the properties a step reads exist in the version it
//! upcasts from, and the properties it writes exist in the new version. A
//! path under a property an earlier step wrote is read from the new version.

use std::collections::{BTreeSet, HashMap};

use super::Step;
use crate::diagnostic::Diagnostic;
use crate::model::resolve::Conjuncts;
use crate::model::{suggest, Additional, JsonType, Model, SchemaId, TypeSpace, UpcastStep};
use crate::rules::RuleId;
use crate::source::Place;
use crate::upcast::{self, Path, PathError};

/// Reports unknown and malformed paths; returns whether every path parses,
/// so the steps can run.
pub(super) fn check(model: &Model, step: &Step<'_>, out: &mut Vec<Diagnostic>) -> bool {
    let mut proof = Proof {
        model,
        step,
        names: Names::default(),
        written: Vec::new(),
        parsed: true,
        out,
    };
    for s in step.steps {
        let at = s.place;
        let action = upcast::action(&s.value);
        match &s.value {
            UpcastStep::Rename { from, to } => {
                let source = proof.parse(at, from, Path::parse(from));
                let name = proof.parse(at, to, Path::parse_name(to));
                if let Some(source) = source {
                    proof.reads(at, action, &source);
                    if let Some(name) = name {
                        proof.writes(at, action, source.sibling(&name));
                    }
                }
            }
            UpcastStep::Move { from, to } => {
                if let Some(source) = proof.parse(at, from, Path::parse(from)) {
                    proof.reads(at, action, &source);
                }
                if let Some(target) = proof.parse(at, to, Path::parse(to)) {
                    proof.writes(at, action, target);
                }
            }
            UpcastStep::Set { path, .. } => {
                if let Some(target) = proof.parse(at, path, Path::parse(path)) {
                    proof.writes(at, action, target);
                }
            }
            UpcastStep::Drop { path } | UpcastStep::Convert { path, .. } => {
                if let Some(source) = proof.parse(at, path, Path::parse(path)) {
                    proof.reads(at, action, &source);
                }
            }
            UpcastStep::Custom => {}
        }
    }
    proof.parsed
}

struct Proof<'a, 'm> {
    model: &'m Model,
    step: &'a Step<'m>,
    names: Names<'m>,
    /// Destinations of the steps so far.
    written: Vec<Path>,
    parsed: bool,
    out: &'a mut Vec<Diagnostic>,
}

impl Proof<'_, '_> {
    fn parse<T>(&mut self, at: Place, text: &str, parsed: Result<T, PathError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.parsed = false;
                self.out.push(
                    Diagnostic::new(
                        RuleId::InvalidValue,
                        at,
                        format!("`{text}` is not an upcast path: {error}"),
                    )
                    .hint(
                        "a path is property names separated by `/`, without a leading `/`; \
                         inside a name write `~1` for `/` and `~0` for `~`",
                    ),
                );
                None
            }
        }
    }

    fn reads(&mut self, at: Place, action: &str, path: &Path) {
        let step = self.step;
        let (version, number) = if self.written.iter().any(|w| w.overlaps(path)) {
            (step.to, step.to_version)
        } else {
            (step.from, step.from_version)
        };
        self.lookup(at, "reads", action, path, version.schema, number);
    }

    fn writes(&mut self, at: Place, action: &str, path: Path) {
        let step = self.step;
        self.lookup(at, "writes", action, &path, step.to.schema, step.to_version);
        self.written.push(path);
    }

    fn lookup(
        &mut self,
        at: Place,
        verb: &str,
        action: &str,
        path: &Path,
        root: SchemaId,
        version: &semver::Version,
    ) {
        let Err(miss) = walk(&self.model.types, &mut self.names, root, path) else {
            return;
        };
        let names = path.segments();
        let name = &names[miss.depth];
        let under = match miss.depth {
            0 => String::new(),
            n => format!(" under `{}`", Path::text(&names[..n])),
        };
        let message = format!(
            "`{action}` {verb} `{path}`, but version {version} of `{}` has no property `{name}`{under}",
            self.step.contract.name.value
        );
        let known: Vec<&str> = miss.candidates.iter().map(String::as_str).collect();
        let hint = match suggest(name, &known) {
            Some(close) => format!("did you mean `{}`?", path_with(names, miss.depth, close)),
            None if known.is_empty() => "no property is declared there".to_owned(),
            None => format!("the properties there: {}", list(&known)),
        };
        self.out
            .push(Diagnostic::new(RuleId::UpcastPathUnknown, at, message).hint(hint));
    }
}

/// Where a path leaves the schema, and the names declared there.
struct Miss {
    depth: usize,
    candidates: BTreeSet<String>,
}

/// Follows `path` through the properties of `root`, looking through `$ref`,
/// `allOf` members and `oneOf`/`anyOf` branches; a map
/// (`additionalProperties: schema`) or an object that declares nothing
/// about its properties holds any name.
fn walk<'m>(
    types: &'m TypeSpace,
    names: &mut Names<'m>,
    root: SchemaId,
    path: &Path,
) -> Result<(), Miss> {
    let mut current = vec![root];
    for (depth, name) in path.segments().iter().enumerate() {
        let facets = facets(types, &current);
        let mut next = Vec::new();
        let mut declared = false;
        let mut free = false;
        for &facet in &facets {
            let schema = types.get(facet);
            next.extend_from_slice(names.get(types, facet, name));
            declared |= !schema.properties.is_empty();
            match schema.additional {
                Additional::Schema(values) => next.push(values),
                Additional::Absent | Additional::Allowed(true) => {
                    free |= schema.properties.is_empty() && schema.allows(JsonType::Object);
                }
                Additional::Allowed(false) => {}
            }
        }
        let any_name = free && !declared;
        if next.is_empty() && !any_name {
            let candidates = facets
                .iter()
                .flat_map(|&f| types.get(f).properties.iter().map(|p| p.name.to_string()))
                .collect();
            return Err(Miss { depth, candidates });
        }
        if next.is_empty() {
            // Nothing is known below a free-form object.
            return Ok(());
        }
        current = next;
    }
    Ok(())
}

/// The property names of the schemas walked, indexed on first use: an
/// upcast of many steps looks names up in the same large objects again and
/// again, and a scan per lookup would be quadratic.
#[derive(Default)]
struct Names<'m> {
    by_schema: HashMap<SchemaId, HashMap<&'m str, Vec<SchemaId>>>,
}

impl<'m> Names<'m> {
    /// The schemas of the properties of `id` named `name`.
    fn get(&mut self, types: &'m TypeSpace, id: SchemaId, name: &str) -> &[SchemaId] {
        let index = self.by_schema.entry(id).or_insert_with(|| {
            let mut index: HashMap<&str, Vec<SchemaId>> = HashMap::new();
            for property in &types.get(id).properties {
                index
                    .entry(&*property.name)
                    .or_default()
                    .push(property.schema);
            }
            index
        });
        index.get(name).map_or(&[], Vec::as_slice)
    }
}

/// The schemas whose properties apply to a value of `ids`: themselves, and
/// what their `$ref`s, `allOf` members and union branches lead to.
fn facets(types: &TypeSpace, ids: &[SchemaId]) -> Vec<SchemaId> {
    Conjuncts::new(types, ids)
        .with_branches()
        .map(|c| c.id)
        .collect()
}

/// The path with its name at `depth` replaced by `name`.
fn path_with(names: &[String], depth: usize, name: &str) -> String {
    let mut names = names[..=depth].to_vec();
    names[depth] = name.to_owned();
    Path::text(&names)
}

fn list(names: &[&str]) -> String {
    const SHOWN: usize = 12;
    let mut text: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        text.push(format!("and {} more", names.len() - SHOWN));
    }
    text.join(", ")
}
