//! The whole lint pipeline: load -> model -> check -> config.

use std::io;
use std::path::Path;

use crate::check;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::load::{self, Inputs};
use crate::model::{self, Model, SchemaId, TypeSpace};
use crate::rules::Level;
use crate::source::Sources;

/// The outcome of linting one contracts root.
#[derive(Debug)]
pub struct Lint {
    pub sources: Sources,
    pub model: Model,
    pub config: Config,
    /// Sorted by file, position and rule; levels as configured.
    pub diagnostics: Vec<Diagnostic>,
}

impl Lint {
    pub fn count(&self, level: Level) -> usize {
        self.diagnostics.iter().filter(|d| d.level == level).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Level::Error) > 0
    }
}

/// One plain JSON Schema document built as a payload schema.
#[derive(Debug)]
pub struct SchemaDocument {
    pub sources: Sources,
    pub types: TypeSpace,
    /// `None` when the file did not load.
    pub root: Option<SchemaId>,
    /// What the loader and the schema builder found, sorted; a schema with
    /// any finding uses something outside the subset evc compiles.
    pub diagnostics: Vec<Diagnostic>,
}

/// Builds the file `schema` of `inputs` (a plain JSON Schema, e.g. one kept
/// by a schema registry) as a payload schema; the other inputs are there for
/// its `$ref`s. `display_root` prefixes paths in messages.
pub fn schema_inputs(inputs: Inputs, display_root: &Path, schema: &Path) -> SchemaDocument {
    let loaded = load::load(inputs, display_root);
    let file = loaded
        .sources
        .find_relative(&crate::source::slash_path(schema));
    let (types, root, model_diagnostics) = match file {
        Some(file) => {
            let (config, _) = Config::from_document(loaded.config.as_ref());
            model::build_schema(&loaded.sources, &loaded.documents, file, &config.refs)
        }
        None => (TypeSpace::default(), None, Vec::new()),
    };
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(model_diagnostics);
    diagnostics.sort_by(|a, b| (a.place, a.rule, &a.message).cmp(&(b.place, b.rule, &b.message)));
    diagnostics.dedup();
    SchemaDocument {
        sources: loaded.sources,
        types,
        root,
        diagnostics,
    }
}

/// How far [`lint_dir_observed`] has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// The root was read: this many contract files (the config aside).
    Read { files: usize },
    /// One contract file was parsed, by its path relative to the root.
    Parsed(&'a Path),
    /// Every file is parsed; the checks over the whole model start.
    Checking { contracts: usize },
    /// The checks are done.
    Checked,
}

/// Reads and lints every contract under `root`. Only an unreadable root is an
/// `Err`; everything wrong inside it is a diagnostic.
pub fn lint_dir(root: &Path) -> io::Result<Lint> {
    lint_dir_observed(root, &mut |_| {})
}

/// [`lint_dir`], telling `observer` each [`Step`] as it is reached: for a
/// progress bar on roots large enough to take a while.
pub fn lint_dir_observed(root: &Path, observer: &mut dyn FnMut(Step)) -> io::Result<Lint> {
    let inputs = load::read_dir(root)?;
    observer(Step::Read {
        files: inputs.contracts.len(),
    });
    Ok(lint_observed(inputs, root, observer))
}

/// Lints files already in memory; `display_root` prefixes paths in messages.
pub fn lint_inputs(inputs: Inputs, display_root: &Path) -> Lint {
    lint_observed(inputs, display_root, &mut |_| {})
}

fn lint_observed(inputs: Inputs, display_root: &Path, observer: &mut dyn FnMut(Step)) -> Lint {
    let loaded = load::load_observed(inputs, display_root, &mut |path| {
        observer(Step::Parsed(path))
    });
    let (config, config_diagnostics) = Config::from_document(loaded.config.as_ref());
    // The build consumes the trees: the model owns what later stages need.
    let (model, model_diagnostics) = model::build(&loaded.sources, loaded.documents, &config.refs);
    observer(Step::Checking {
        contracts: model.contracts.len(),
    });
    let check_diagnostics = check::run(&model, &config);
    observer(Step::Checked);
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(config_diagnostics);
    diagnostics.extend(model_diagnostics);
    diagnostics.extend(check_diagnostics);
    // Folded after the config has its say, so a consequence of a finding
    // turned off or ignored is still reported.
    let mut diagnostics = crate::diagnostic::fold(config.apply(diagnostics, &loaded.sources));
    sort(&mut diagnostics, &loaded.sources);
    Lint {
        sources: loaded.sources,
        model,
        config,
        diagnostics,
    }
}

/// The order findings are reported in: file, position, rule; repeats once.
pub(crate) fn sort(diagnostics: &mut Vec<Diagnostic>, sources: &Sources) {
    let path = |d: &Diagnostic| sources.get(d.place.file).display.clone();
    diagnostics.sort_by(|a, b| {
        (path(a), a.place.span, a.rule, &a.message).cmp(&(
            path(b),
            b.place.span,
            b.rule,
            &b.message,
        ))
    });
    diagnostics.dedup();
}
