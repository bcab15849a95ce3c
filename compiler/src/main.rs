//! The `evc` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use evc::report::{self, Format};
use evc::rules::{Level, RULES};

/// Schema-first event contract compiler.
#[derive(Debug, Parser)]
#[command(name = "evc", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check every contract under DIR: structure, references, versions, naming, examples.
    Lint {
        /// The contracts root (holds `evc.yaml` if there is one).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Colour the human format.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Compare the contracts under DIR with a baseline: removed contracts and
    /// versions, released versions edited in place, and semver violations.
    Breaking {
        /// The contracts root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The baseline: a directory when such a path exists, else a git
        /// revision of the repository holding DIR (its same subdirectory).
        #[arg(long, value_name = "REF")]
        against: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Colour the human format.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Lint the contracts under DIR and run every generator into OUT.
    Build {
        /// The contracts root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output directory (files are rewritten only when their bytes change).
        #[arg(long, default_value = "target/evc")]
        out: PathBuf,
        /// Colour the findings.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Generate code from the contracts under DIR (after linting them).
    Gen {
        /// What to generate.
        #[arg(value_enum)]
        target: Target,
        /// The contracts root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write: the file for `rust` (stdout when omitted), the
        /// library crate's directory for `c`. Files are rewritten only when
        /// their bytes change.
        #[arg(long)]
        out: Option<PathBuf>,
        /// `c`: the prefix of every C identifier and of the file names.
        #[arg(long, default_value = "evc")]
        prefix: String,
        /// `c`: the evc-runtime the library crate depends on, as a path
        /// (default: the crates.io release matching this compiler).
        #[arg(long)]
        runtime_path: Option<PathBuf>,
    },
    /// Replay archived CloudEvents messages through decode and upcast.
    Verify {
        /// The contracts root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// JSON Lines file of structured-mode envelopes, one a line (`-` for stdin).
        #[arg(long)]
        payloads: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
        format: VerifyFormat,
    },
    /// List every rule: id, category, default level and purpose.
    Rules,
    /// Explain one rule: what it checks, its level, whether `evc.yaml` may
    /// change it, and how.
    Explain {
        /// The rule id, as findings print it (`FIELD_NOT_SNAKE_CASE`).
        rule: String,
    },
    /// Start a contracts root in DIR: an `evc.yaml` and one event that lints
    /// clean. Existing files are never overwritten.
    Init {
        /// Where to start (created when missing).
        #[arg(default_value = "schemas")]
        dir: PathBuf,
    },
    /// Print a completion script for a shell, e.g.
    /// `evc completions bash > /etc/bash_completion.d/evc`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum VerifyFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Target {
    /// Rust types, `Contract` impls and the typed dispatch table.
    Rust,
    /// A C header, a handler skeleton and the C ABI library crate.
    C,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// `auto` colours a terminal unless `NO_COLOR` is set.
    fn enabled(self, terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// Lints a contracts root; an unreadable root is reported here.
fn read(dir: &std::path::Path) -> Option<evc::Lint> {
    match evc::lint_dir(dir) {
        // A CI step pointed at the wrong folder must not pass as clean.
        Ok(lint) if lint.model.contracts.is_empty() && !lint.has_errors() => {
            eprintln!(
                "evc: no contracts under {}: no `.yaml`, `.yml` or `.json` file there declares an `event`, a `command` or a `query`; is the path right?",
                dir.display()
            );
            None
        }
        Ok(lint) => Some(lint),
        Err(error) => {
            eprintln!("evc: cannot read {}: {error}", dir.display());
            None
        }
    }
}

/// Loading contracts allocates many small nodes; mimalloc handles that load
/// markedly faster than the system allocator (see the README's figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint {
            dir,
            format,
            deny_warnings,
            color,
        } => lint(dir, format, deny_warnings, color),
        Command::Breaking {
            dir,
            against,
            format,
            deny_warnings,
            color,
        } => breaking(dir, against, format, deny_warnings, color),
        Command::Gen {
            target: Target::Rust,
            dir,
            out,
            ..
        } => generate(dir, out),
        Command::Gen {
            target: Target::C,
            dir,
            out,
            prefix,
            runtime_path,
        } => generate_c(dir, out, prefix, runtime_path),
        Command::Build { dir, out, color } => build(dir, out, color),
        Command::Verify {
            dir,
            payloads,
            format,
        } => verify(dir, payloads, format),
        Command::Rules => rules(),
        Command::Explain { rule } => explain(&rule),
        Command::Init { dir } => init(&dir),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "evc", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

/// Replays stored messages; contracts with errors cannot be replayed
/// against, so they are a usage error like an unreadable file.
fn verify(dir: PathBuf, payloads: PathBuf, format: VerifyFormat) -> ExitCode {
    let Some(lint) = read(&dir) else {
        return ExitCode::from(EXIT_USAGE);
    };
    if lint.has_errors() {
        eprint!("{}", report::render(Format::Human, &lint, false));
        eprintln!("evc: fix the contracts' errors before verifying payloads against them");
        return ExitCode::from(EXIT_USAGE);
    }
    let label = payloads.display().to_string();
    let summary = if payloads.as_os_str() == "-" {
        evc::verify::replay(&lint.model, std::io::stdin().lock())
    } else {
        match std::fs::File::open(&payloads) {
            Ok(file) => evc::verify::replay(&lint.model, std::io::BufReader::new(file)),
            Err(error) => Err(error),
        }
    };
    let summary = match summary {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("evc: cannot read {label}: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let output = match format {
        VerifyFormat::Human => evc::verify::render::human(&summary, &label),
        VerifyFormat::Json => evc::verify::render::json(&summary, &label),
    };
    if write_stdout(&output).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    if summary.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
}

/// `lint`, then every backend: the command a CI job or a developer runs.
fn build(dir: PathBuf, out: PathBuf, color: Color) -> ExitCode {
    let Some(lint) = read(&dir) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let color = color.enabled(std::io::stderr().is_terminal());
    eprint!("{}", report::render(Format::Human, &lint, color));
    if lint.has_errors() {
        return ExitCode::from(EXIT_FINDINGS);
    }
    let outputs = [(
        out.join(evc::builder::DEFAULT_FILE),
        evc::rust::generate(&lint.model, &evc::rust::Options::default()),
    )];
    for (path, code) in &outputs {
        let written = evc::builder::write_if_changed(path, code.as_bytes());
        if let Err(error) = written {
            eprintln!("evc: cannot write {}: {error}", path.display());
            return ExitCode::from(EXIT_USAGE);
        }
        eprintln!("evc: wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

fn generate_c(
    dir: PathBuf,
    out: Option<PathBuf>,
    prefix: String,
    runtime_path: Option<PathBuf>,
) -> ExitCode {
    let Some(out) = out else {
        eprintln!("evc: `gen c` needs `--out DIR`: it writes a header, a skeleton and a crate");
        return ExitCode::from(EXIT_USAGE);
    };
    let options = evc::c::Options { prefix };
    let generated = match generated(evc::builder::generate_c_dir(&dir, &options)) {
        Ok(generated) => generated,
        Err(code) => return code,
    };
    eprint!("{}", generated.warnings);
    let runtime = match runtime_path {
        Some(path) => {
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            format!("{{ path = {:?} }}", path.display().to_string())
        }
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    match evc::builder::write_c_crate(&out, &generated.output, &runtime) {
        Ok(written) => {
            if let Some(kept) = written.kept {
                eprintln!(
                    "evc: kept {}: the handler skeleton is yours once written",
                    kept.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("evc: cannot write output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// A backend's result, or the exit code after reporting why there is none:
/// findings for contracts with errors, a usage error otherwise.
fn generated<T>(result: Result<T, evc::Error>) -> Result<T, ExitCode> {
    result.map_err(|error| match error {
        evc::Error::Contracts { report, .. } => {
            eprint!("{report}");
            ExitCode::from(EXIT_FINDINGS)
        }
        error => {
            eprintln!("evc: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    })
}

fn generate(dir: PathBuf, out: Option<PathBuf>) -> ExitCode {
    let generated = match generated(evc::generate_dir(&dir, &evc::rust::Options::default())) {
        Ok(generated) => generated,
        Err(code) => return code,
    };
    eprint!("{}", generated.warnings);
    let written = match &out {
        Some(path) => evc::builder::write_if_changed(path, generated.code.as_bytes()),
        None => write_stdout(&generated.code),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("evc: cannot write output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn lint(dir: PathBuf, format: Format, deny_warnings: bool, color: Color) -> ExitCode {
    let Some(lint) = read(&dir) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let color = color.enabled(std::io::stdout().is_terminal());
    let output = report::render(format, &lint, color);
    if write_stdout(&output).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    let failed = lint.has_errors() || (deny_warnings && lint.count(Level::Warn) > 0);
    // The process ends here: freeing every node one by one would only delay it.
    std::mem::forget(lint);
    if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

fn breaking(
    dir: PathBuf,
    against: String,
    format: Format,
    deny_warnings: bool,
    color: Color,
) -> ExitCode {
    let comparison = match evc::breaking::against(&dir, &against) {
        Ok(comparison) => comparison,
        Err(error) => {
            eprintln!("evc: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let color = color.enabled(std::io::stdout().is_terminal());
    let mut output = report::render_findings(format, &comparison.lint, color);
    if format == Format::Human {
        output.push_str(&comparison.summary());
    }
    if write_stdout(&output).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    let lint = &comparison.lint;
    if lint.has_errors() || (deny_warnings && lint.count(Level::Warn) > 0) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

fn rules() -> ExitCode {
    let mut out = String::new();
    for rule in RULES {
        out.push_str(&format!(
            "{:<24} {:<10} {:<6} {}\n",
            rule.name,
            rule.category.as_str(),
            rule.default_level.as_str(),
            rule.purpose
        ));
    }
    match write_stdout(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(EXIT_USAGE),
    }
}

fn explain(id: &str) -> ExitCode {
    let Some(rule) = RULES.iter().find(|r| r.name.eq_ignore_ascii_case(id)) else {
        let closest = RULES
            .iter()
            .map(|r| {
                (
                    strsim::jaro_winkler(&id.to_ascii_uppercase(), r.name),
                    r.name,
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score > 0.8)
            .map(|(_, name)| format!("; did you mean `{name}`?"))
            .unwrap_or_default();
        eprintln!("evc: no rule `{id}`{closest} (`evc rules` lists them all)");
        return ExitCode::from(EXIT_USAGE);
    };
    let mut out = format!(
        "{}: {}\n\ncategory: {}\ndefault level: {}\n",
        rule.name,
        rule.purpose,
        rule.category.as_str(),
        rule.default_level.as_str()
    );
    if rule.configurable {
        out.push_str(&format!(
            "configurable: yes, in evc.yaml:\n\n  lint:\n    rules: {{ {}: warn }}        # error, warn or off\n    ignore_only: {{ {}: [path/] }}  # or skip it for some paths\n",
            rule.name, rule.name
        ));
    } else {
        out.push_str("configurable: no: input it reports leaves nothing to compile, or breaks a released contract\n");
    }
    out.push_str("\nMore in docs/rules.md.\n");
    match write_stdout(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(EXIT_USAGE),
    }
}

const INIT_CONFIG: &str = "# evc's settings for the contracts under this folder; see docs/rules.md.
version: v1
lint:
  rules: {}
";

const INIT_CONTRACT: &str =
    "# One contract a file: its versions, each with a JSON Schema of its payload.
# See docs/contracts.md; `evc lint` checks it, `evc gen rust` compiles it.
event: OrderPlaced
namespace: com.example.orders
description: A customer placed an order.
versions:
  - version: 1.0.0
    schema:
      type: object
      additionalProperties: false
      required: [order_id, total]
      properties:
        order_id:
          description: Id of the order.
          type: string
          format: uuid
        total:
          description: Amount to pay, in major currency units.
          type: number
          minimum: 0
    examples:
      - order_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77
        total: 42.5
";

fn init(dir: &std::path::Path) -> ExitCode {
    let files = [
        (dir.join("evc.yaml"), INIT_CONFIG),
        (dir.join("orders").join("order_placed.yaml"), INIT_CONTRACT),
    ];
    if let Some((path, _)) = files.iter().find(|(path, _)| path.exists()) {
        eprintln!(
            "evc: {} exists; `evc init` writes only into a folder without it",
            path.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    for (path, text) in &files {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(error) = written {
            eprintln!("evc: cannot write {}: {error}", path.display());
            return ExitCode::from(EXIT_USAGE);
        }
        println!("wrote {}", path.display());
    }
    println!("next: evc lint {}", dir.display());
    ExitCode::SUCCESS
}

/// Writes to stdout; a closed pipe (`evc lint | head`) is not a panic.
fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}
