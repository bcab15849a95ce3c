//! Generating Rust bindings from a build script, like `prost-build`:
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     evc::Builder::new().contracts("schemas").compile()?;
//!     Ok(())
//! }
//! // src/lib.rs: include!(concat!(env!("OUT_DIR"), "/evc_contracts.rs"));
//! ```

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, TokenStream};

use crate::bind::{self, ir::Ty, Binding};
use crate::diagnostic::Finding;
use crate::report;
use crate::rules::Level;
use crate::rust::{self, Options};
use crate::{c, Lint};

/// The file name the bindings are written to in `OUT_DIR`.
pub const DEFAULT_FILE: &str = "evc_contracts.rs";

/// Configures and runs the Rust backend for a build script.
#[derive(Debug, Clone)]
pub struct Builder {
    contracts: PathBuf,
    out_dir: Option<PathBuf>,
    file_name: String,
    options: Options,
    cargo_directives: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            contracts: PathBuf::from("schemas"),
            out_dir: None,
            file_name: DEFAULT_FILE.to_string(),
            options: Options::default(),
            cargo_directives: true,
        }
    }

    /// The contracts root (default `schemas`, relative to the package).
    pub fn contracts(mut self, dir: impl AsRef<Path>) -> Self {
        self.contracts = dir.as_ref().to_path_buf();
        self
    }

    /// Where to write (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// How generated code names `evc-runtime` (default `::evc_runtime`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.options.runtime = path.into();
        self
    }

    /// Whether payload structs, string enums and unions are
    /// `#[non_exhaustive]` (on by default). Off lets other crates build the
    /// structs with literals and match the enums exhaustively, at the price
    /// of breaking that code when a minor version adds a property, an enum
    /// value or a union branch. Within the crate that includes the bindings
    /// the attribute has no effect either way.
    pub fn non_exhaustive(mut self, on: bool) -> Self {
        self.options.non_exhaustive = on;
        self
    }

    /// Whether to print `cargo:` directives (on by default; off outside a
    /// build script).
    pub fn cargo_directives(mut self, on: bool) -> Self {
        self.cargo_directives = on;
        self
    }

    /// Lints the contracts and writes the bindings; returns the file written.
    /// The file is rewritten only when its bytes change, so an unchanged
    /// contract set does not rebuild the crate that includes it.
    pub fn compile(self) -> Result<PathBuf, Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let generated = generate_dir(&self.contracts, &self.options)?;
        if self.cargo_directives {
            for file in &generated.read {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            for warning in &generated.warnings {
                println!("cargo:warning={}", report::compile::line(warning));
            }
        }
        let path = out_dir.join(&self.file_name);
        write_if_changed(&path, generated.code.as_bytes()).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}

/// Generated bindings and what produced them.
#[derive(Debug)]
pub struct Generated {
    pub code: String,
    /// Every file read (the root directory first, so new files are noticed).
    pub read: Vec<PathBuf>,
    /// Warnings found on the way (`report::compile::line` renders one as
    /// `file:line:col: RULE: message; help: hint`).
    pub warnings: Vec<Finding>,
}

/// Lints `root` and, when no error is found, generates its Rust bindings.
pub fn generate_dir(root: &Path, options: &Options) -> Result<Generated, Error> {
    let lint = crate::lint_dir(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    generate_from(root, &lint, options)
}

/// Generates from an existing lint result.
pub fn generate_from(root: &Path, lint: &Lint, options: &Options) -> Result<Generated, Error> {
    let (read, warnings) = clean(root, lint)?;
    Ok(Generated {
        code: rust::generate(&bind::bind(&lint.model), options),
        read,
        warnings,
    })
}

/// The files a clean lint read and its rendered warnings; the findings
/// when it has errors, for no backend runs on such a model.
fn clean(root: &Path, lint: &Lint) -> Result<(Vec<PathBuf>, Vec<Finding>), Error> {
    if lint.has_errors() {
        return Err(Error::Contracts {
            report: report::compile::render(&lint.sources, &lint.diagnostics),
            findings: Finding::all_at(&lint.sources, &lint.diagnostics, Level::Error),
        });
    }
    let mut read = vec![root.to_path_buf()];
    read.extend(lint.sources.iter().map(|(_, f)| root.join(&f.relative)));
    let warnings = Finding::all_at(&lint.sources, &lint.diagnostics, Level::Warn);
    Ok((read, warnings))
}

/// The C backend's files for `binding`. The C library wraps the Rust
/// bindings of the same binding, so this is where the two backends meet:
/// neither imports the other.
pub fn generate_c(binding: &Binding, options: &c::Options) -> Result<c::Output, c::Error> {
    // The library's Rust is formatted through syn, as `rust::generate` is.
    crate::stack::deep(|| c::generate(binding, options, &RustForC { binding }))
}

/// The Rust backend as the C library sees it, with the default options:
/// the library names evc-runtime `::evc_runtime`, its own dependency.
struct RustForC<'b, 'm> {
    binding: &'b Binding<'m>,
}

impl c::RustBindings for RustForC<'_, '_> {
    fn items(&self) -> Vec<TokenStream> {
        rust::items(self.binding, &Options::default())
    }

    fn type_tokens(&self, ty: &Ty, module: &TokenStream) -> TokenStream {
        rust::type_tokens(ty, &self.binding.lowered.items, &Options::default(), module)
    }

    fn ident(&self, name: &str) -> Ident {
        rust::ident(name)
    }

    fn file(&self, modules: &mut dyn Iterator<Item = c::Module>) -> String {
        let mut out = rust::HEADER.to_string();
        for module in modules {
            out.push_str(&rust::format_module(
                module.head,
                &module.name,
                module.items,
            ));
        }
        out
    }
}

/// Writes `bytes` unless the file already holds them, so an unchanged
/// output keeps its timestamp and does not trigger a rebuild.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, bytes)
}

/// Why bindings could not be generated.
///
/// `Debug` prints what `Display` does: a build script that unwraps the
/// result, or returns it from `main`, shows its user `{:?}`, and that should
/// be the findings as rustc renders them, not a dump of this enum.
#[derive(thiserror::Error)]
pub enum Error {
    /// The contracts have errors: each one in `findings`, and all of them
    /// rendered rustc-style in `report` (`error[RULE]`, `--> file:line:col`,
    /// the quoted line, help).
    #[error(
        "{report}error: {} error{} in the contracts; no bindings were generated",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    )]
    Contracts {
        report: String,
        findings: Vec<Finding>,
    },
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("OUT_DIR is not set: call `out_dir` outside a build script")]
    NoOutDir,
    /// The C backend refused the contracts (an invalid prefix, a custom upcast).
    #[error(transparent)]
    C(#[from] c::Error),
}

impl Error {
    /// The findings behind [`Error::Contracts`]; none for the other kinds.
    pub fn findings(&self) -> &[Finding] {
        match self {
            Error::Contracts { findings, .. } => findings,
            _ => &[],
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Starts on its own line: `main` prints `Error: ` before it.
        if matches!(self, Error::Contracts { .. }) {
            f.write_str("\n")?;
        }
        fmt::Display::fmt(self, f)
    }
}

/// The C backend's files for the contracts under `root`, with the paths
/// read (for rebuild tracking) and the warnings.
#[derive(Debug)]
pub struct CGenerated {
    pub output: crate::c::Output,
    pub read: Vec<PathBuf>,
    pub warnings: Vec<Finding>,
}

/// Lints the contracts under `root` and runs the C backend.
pub fn generate_c_dir(root: &Path, options: &crate::c::Options) -> Result<CGenerated, Error> {
    let lint = crate::lint_dir(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let (read, warnings) = clean(root, &lint)?;
    let output = generate_c(&bind::bind(&lint.model), options)?;
    Ok(CGenerated {
        output,
        read,
        warnings,
    })
}

/// What `write_c_crate` did with each file.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    /// The handler skeleton already existed and was kept: it is the user's.
    pub kept: Option<PathBuf>,
}

/// Writes the C bindings as a library crate: `<prefix>.h`, the skeleton
/// `<prefix>_handlers.c` (only when absent), `Cargo.toml` and `src/lib.rs`.
/// `runtime` is the evc-runtime dependency's value in the manifest.
pub fn write_c_crate(out: &Path, output: &crate::c::Output, runtime: &str) -> io::Result<Written> {
    let prefix = &output.prefix;
    let mut written = Written::default();
    let files = [
        (out.join(format!("{prefix}.h")), output.header.clone()),
        (out.join("Cargo.toml"), crate::c::manifest(prefix, runtime)),
        (out.join("src").join("lib.rs"), output.library.clone()),
    ];
    for (path, text) in files {
        write_if_changed(&path, text.as_bytes())?;
        written.files.push(path);
    }
    let skeleton = out.join(format!("{prefix}_handlers.c"));
    if skeleton.exists() {
        written.kept = Some(skeleton);
    } else {
        write_if_changed(&skeleton, output.handlers.as_bytes())?;
        written.files.push(skeleton);
    }
    Ok(written)
}

/// Where evc-runtime sits in the checkout this compiler was built from.
pub fn checkout_runtime() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("runtime")
}

/// The evc-runtime dependency of a library crate, as [`c::manifest`] takes it:
/// `explicit` when given; else `checkout` when it holds evc-runtime, so a
/// compiler built from a checkout pairs with that checkout's runtime even
/// between releases; else the crates.io release of exactly this version,
/// because the generated code calls the runtime's unstable internals.
pub fn runtime_dependency(explicit: Option<&Path>, checkout: &Path) -> String {
    let path = explicit.map(Path::to_path_buf).or_else(|| {
        let manifest = fs::read_to_string(checkout.join("Cargo.toml")).ok()?;
        manifest
            .lines()
            .any(|line| line.trim() == "name = \"evc-runtime\"")
            .then(|| checkout.to_path_buf())
    });
    match path {
        Some(path) => {
            let path = fs::canonicalize(&path).unwrap_or(path);
            format!("{{ path = {} }}", toml_string(&path.display().to_string()))
        }
        None => format!("\"={}\"", env!("CARGO_PKG_VERSION")),
    }
}

/// A TOML basic string: Windows paths and odd characters stay one value.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkout_pairs_with_its_own_runtime() {
        let dependency = runtime_dependency(None, &checkout_runtime());
        let runtime = fs::canonicalize(checkout_runtime()).expect("this is a checkout");
        assert_eq!(
            dependency,
            format!(
                "{{ path = {} }}",
                toml_string(&runtime.display().to_string())
            )
        );
    }

    #[test]
    fn without_a_checkout_the_registry_release_of_this_version_is_pinned() {
        let nowhere = Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-runtime");
        assert_eq!(
            runtime_dependency(None, &nowhere),
            format!("\"={}\"", env!("CARGO_PKG_VERSION"))
        );
        // A folder named `runtime` that is some other crate is not taken.
        let other = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(runtime_dependency(None, other).starts_with("\"="));
    }

    #[test]
    fn an_explicit_path_wins_and_is_quoted_for_toml() {
        let explicit = Path::new("/no/such/dir \"quoted\"\\x");
        assert_eq!(
            runtime_dependency(Some(explicit), &checkout_runtime()),
            r#"{ path = "/no/such/dir \"quoted\"\\x" }"#
        );
    }
}
