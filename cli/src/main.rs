//! The `evc` command line; its arguments are defined in `evc_cli::cli`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use evc::report::{self, Format};
use evc::rules::{Level, RULES};
use evc_cli::cli::{self, Cli, ColorChoice, Command, Target, VerifyFormat};
use evc_cli::progress::Progress;

/// How human output is printed: the global `--quiet` and `--color`.
#[derive(Debug, Clone, Copy)]
struct Ui {
    quiet: bool,
    color: ColorChoice,
}

impl Ui {
    fn stdout_color(self) -> bool {
        self.color
            .enabled(std::io::stdout().is_terminal(), &cli::process_env)
    }

    fn stderr_color(self) -> bool {
        self.color
            .enabled(std::io::stderr().is_terminal(), &cli::process_env)
    }

    /// A status line: progress a user may want, but not an error.
    fn status(self, message: &str) {
        if !self.quiet {
            eprintln!("evc: {message}");
        }
    }

    /// With `--quiet`, the findings worth printing are the errors; the
    /// exit code is decided before this, so warnings still count there.
    fn keep_shown(self, lint: &mut evc::Lint) {
        if self.quiet {
            lint.diagnostics.retain(|d| d.level == Level::Error);
        }
    }

    /// The findings in a human format (`human` or `short`); `--quiet` drops
    /// the warnings and the summary line. Machine formats are data for
    /// tools and stay whole.
    fn findings(self, format: Format, lint: &mut evc::Lint, color: bool) -> String {
        if !matches!(format, Format::Human | Format::Short) {
            return report::render(format, lint, color);
        }
        self.keep_shown(lint);
        if self.quiet {
            report::render_findings(format, lint, color)
        } else {
            report::render(format, lint, color)
        }
    }
}

/// Lints a contracts root, with a progress bar on a terminal when that
/// takes a while; an unreadable root is reported here.
fn read(dir: &Path, ui: Ui) -> Option<evc::Lint> {
    let progress = Progress::stderr(ui.quiet, std::io::stderr().is_terminal());
    let result = evc::lint_dir_observed(dir, &mut |step| progress.observe(step));
    progress.finish();
    match result {
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

/// `mi_option_purge_delay` in the mimalloc 3 headers that libmimalloc-sys
/// builds (the crate names only the older options).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Pages freed go back to the system at once instead of a second later: what
/// loading frees (parser buffers, paths, the trees) is then not still held
/// when the model reaches its peak, which lowers a wide contract's peak by a
/// fifth. Transparent huge pages are turned off for the process: mimalloc
/// asks for them on the memory it commits ahead, and a 2 MiB page counts
/// whole however little of it is used, about 8 MB of a wide contract's peak
/// (the README's memory figures). mimalloc's own switch for them is read
/// before `main`, so the process's is used.
fn hold_only_the_memory_in_use() {
    // SAFETY: sets a process-wide option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory
    // of the process; failure (an old kernel) only leaves huge pages on.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    hold_only_the_memory_in_use();
    let cli = Cli::parse();
    let color = match cli.global.color_choice(&cli::process_env) {
        Ok(color) => color,
        Err(message) => {
            eprintln!("evc: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let ui = Ui {
        quiet: cli.global.quiet,
        color,
    };
    match cli.command {
        Command::Lint {
            dir,
            format,
            deny_warnings,
        } => lint(&dir, format.into(), deny_warnings, ui),
        Command::Breaking {
            dir,
            against,
            format,
            deny_warnings,
        } => breaking(&dir, &against, format.into(), deny_warnings, ui),
        Command::Gen {
            target: Target::Rust,
            dir,
            out,
            ..
        } => generate(&dir, out.as_deref(), ui),
        Command::Gen {
            target: Target::C,
            dir,
            out,
            prefix,
            runtime_path,
        } => generate_c(&dir, out.as_deref(), prefix, runtime_path.as_deref(), ui),
        Command::Build { dir, out } => build(&dir, &out, ui),
        Command::Verify {
            dir,
            payloads,
            format,
        } => verify(&dir, payloads, format, ui),
        Command::Rules => rules(),
        Command::Explain { rule } => explain(&rule),
        Command::Init { dir } => init(&dir, ui),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut cli::command(), "evc", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

/// Replays stored messages; contracts with errors cannot be replayed
/// against, so they are a usage error like an unreadable file.
fn verify(dir: &Path, payloads: PathBuf, format: VerifyFormat, ui: Ui) -> ExitCode {
    let Some(mut lint) = read(dir, ui) else {
        return ExitCode::from(EXIT_USAGE);
    };
    if lint.has_errors() {
        let color = ui.stderr_color();
        eprint!("{}", ui.findings(Format::Human, &mut lint, color));
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
        VerifyFormat::Human if ui.quiet && summary.all_passed() => String::new(),
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
fn build(dir: &Path, out: &Path, ui: Ui) -> ExitCode {
    let Some(mut lint) = read(dir, ui) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let failed = lint.has_errors();
    let color = ui.stderr_color();
    eprint!("{}", ui.findings(Format::Human, &mut lint, color));
    if failed {
        return ExitCode::from(EXIT_FINDINGS);
    }
    let outputs = [(
        out.join(evc::builder::DEFAULT_FILE),
        evc::rust::generate(
            &evc::bind::bind(&lint.model),
            &evc::rust::Options::default(),
        ),
    )];
    for (path, code) in &outputs {
        let written = evc::builder::write_if_changed(path, code.as_bytes());
        if let Err(error) = written {
            eprintln!("evc: cannot write {}: {error}", path.display());
            return ExitCode::from(EXIT_USAGE);
        }
        ui.status(&format!("wrote {}", path.display()));
    }
    ExitCode::SUCCESS
}

/// Lints for a generator: the lint when it has no errors, else the exit
/// code after printing the findings on stderr (stdout may be the code),
/// rendered as `evc lint` and `evc build` render them.
fn lint_for_generator(dir: &Path, ui: Ui) -> Result<evc::Lint, ExitCode> {
    let mut lint = read(dir, ui).ok_or(ExitCode::from(EXIT_USAGE))?;
    let failed = lint.has_errors();
    let color = ui.stderr_color();
    eprint!("{}", ui.findings(Format::Human, &mut lint, color));
    if failed {
        Err(ExitCode::from(EXIT_FINDINGS))
    } else {
        Ok(lint)
    }
}

fn generate_c(
    dir: &Path,
    out: Option<&Path>,
    prefix: String,
    runtime_path: Option<&Path>,
    ui: Ui,
) -> ExitCode {
    let Some(out) = out else {
        eprintln!("evc: `gen c` needs `--out DIR`: it writes a header, a skeleton and a crate");
        return ExitCode::from(EXIT_USAGE);
    };
    let lint = match lint_for_generator(dir, ui) {
        Ok(lint) => lint,
        Err(code) => return code,
    };
    let binding = evc::bind::bind(&lint.model);
    let output = match evc::generate_c(&binding, &evc::c::Options { prefix }) {
        Ok(output) => output,
        Err(error) => {
            eprintln!("evc: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let runtime = evc::builder::runtime_dependency(runtime_path, &evc::builder::checkout_runtime());
    match evc::builder::write_c_crate(out, &output, &runtime) {
        Ok(written) => {
            if let Some(kept) = written.kept {
                ui.status(&format!(
                    "kept {}: the handler skeleton is yours once written",
                    kept.display()
                ));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("evc: cannot write output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn generate(dir: &Path, out: Option<&Path>, ui: Ui) -> ExitCode {
    let lint = match lint_for_generator(dir, ui) {
        Ok(lint) => lint,
        Err(code) => return code,
    };
    let code = evc::rust::generate(
        &evc::bind::bind(&lint.model),
        &evc::rust::Options::default(),
    );
    let written = match out {
        Some(path) => evc::builder::write_if_changed(path, code.as_bytes()),
        None => write_stdout(&code),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("evc: cannot write output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn lint(dir: &Path, format: Format, deny_warnings: bool, ui: Ui) -> ExitCode {
    let Some(mut lint) = read(dir, ui) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let failed = lint.has_errors() || (deny_warnings && lint.count(Level::Warn) > 0);
    let color = ui.stdout_color();
    let output = ui.findings(format, &mut lint, color);
    if write_stdout(&output).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    // The process ends here: freeing every node one by one would only delay it.
    std::mem::forget(lint);
    if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

fn breaking(dir: &Path, against: &str, format: Format, deny_warnings: bool, ui: Ui) -> ExitCode {
    let mut comparison = match evc::breaking::against(dir, against) {
        Ok(comparison) => comparison,
        Err(error) => {
            eprintln!("evc: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let lint = &comparison.lint;
    let failed = lint.has_errors() || (deny_warnings && lint.count(Level::Warn) > 0);
    let color = ui.stdout_color();
    if matches!(format, Format::Human | Format::Short) {
        ui.keep_shown(&mut comparison.lint);
    }
    let mut output = report::render_findings(format, &comparison.lint, color);
    if format == Format::Human && !ui.quiet {
        output.push_str(&comparison.summary());
    }
    if write_stdout(&output).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    if failed {
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

fn init(dir: &Path, ui: Ui) -> ExitCode {
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
        if !ui.quiet {
            println!("wrote {}", path.display());
        }
    }
    if !ui.quiet {
        println!("next: evc lint {}", dir.display());
    }
    ExitCode::SUCCESS
}

/// Writes to stdout; a closed pipe (`evc lint | head`) is not a panic.
fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is not in libmimalloc-sys: reading mimalloc 3's
    /// documented default shows it names the option meant.
    #[test]
    fn the_options_set_are_the_ones_meant() {
        // SAFETY: reads a process-wide option.
        let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(
                get(PURGE_DELAY),
                1000,
                "mimalloc 3 purges after 1000 ms by default"
            );
        }
        hold_only_the_memory_in_use();
        assert_eq!(get(PURGE_DELAY), 0);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: reads the process's flag.
            let thp_disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
            assert_eq!(thp_disabled, 1, "huge pages are off for the process");
        }
    }
}
