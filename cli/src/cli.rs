//! The `evc` command line's arguments: one definition for the binary, its
//! shell completions and the tests that hold the docs to it.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Schema-first event contract compiler.
#[derive(Debug, Parser)]
#[command(name = "evc", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, before or after its name.
#[derive(Debug, Clone, Copy, Args)]
pub struct Global {
    /// Print errors only: no warnings, summaries, status lines or progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour the human output: `auto` colours a terminal unless `NO_COLOR`
    /// is set (`CLICOLOR_FORCE` forces it); the default comes from `EVC_COLOR`.
    #[arg(long, value_enum, value_name = "WHEN", global = true)]
    pub color: Option<ColorChoice>,
}

/// `evc`'s command line as clap sees it: for completions and for tests.
pub fn command() -> clap::Command {
    Cli::command()
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
    },
    /// Lint the contracts under DIR and run every generator into OUT.
    Build {
        /// The contracts root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output directory (files are rewritten only when their bytes change).
        #[arg(long, default_value = "target/evc")]
        out: PathBuf,
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
        /// (default: the runtime of the evc checkout this binary was built
        /// from, else the crates.io release of this exact version).
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

/// Output formats of `evc lint` and `evc breaking`: the library's
/// [`evc::report::Format`], as the command line spells them. The library
/// stays free of clap, so the two are converted; the conversions match
/// exhaustively both ways, so a format added to one fails to compile until
/// the other has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style: the source line, a caret, the rule id and a hint.
    Human,
    /// One JSON document with every finding and a summary.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// One line per finding: `file:line:column: RULE: message`.
    Short,
}

impl From<Format> for evc::report::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Human => evc::report::Format::Human,
            Format::Json => evc::report::Format::Json,
            Format::Sarif => evc::report::Format::Sarif,
            Format::Github => evc::report::Format::Github,
            Format::Short => evc::report::Format::Short,
        }
    }
}

impl From<evc::report::Format> for Format {
    fn from(format: evc::report::Format) -> Self {
        match format {
            evc::report::Format::Human => Format::Human,
            evc::report::Format::Json => Format::Json,
            evc::report::Format::Sarif => Format::Sarif,
            evc::report::Format::Github => Format::Github,
            evc::report::Format::Short => Format::Short,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Rust types, `Contract` impls and the typed dispatch table.
    Rust,
    /// A C header, a handler skeleton and the C ABI library crate.
    C,
}

/// When to colour, as `--color` and `EVC_COLOR` spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The environment variable that sets `--color` when the flag is absent,
/// as `CARGO_TERM_COLOR` does for cargo.
pub const COLOR_ENV: &str = "EVC_COLOR";

impl Global {
    /// The colour choice in force: the flag, else `EVC_COLOR`, else `auto`.
    /// A malformed `EVC_COLOR` is an error rather than silently ignored.
    pub fn color_choice(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ColorChoice, String> {
        if let Some(choice) = self.color {
            return Ok(choice);
        }
        match env(COLOR_ENV) {
            None => Ok(ColorChoice::Auto),
            Some(value) => ColorChoice::from_str(value.trim(), true).map_err(|_| {
                format!("{COLOR_ENV} must be `auto`, `always` or `never`, not `{value}`")
            }),
        }
    }
}

impl ColorChoice {
    /// Whether to colour a stream, given whether it is a terminal. `auto`
    /// follows the common conventions: `NO_COLOR` (non-empty) turns colour
    /// off, then `CLICOLOR_FORCE` (not `0`) turns it on, then `CLICOLOR=0`
    /// or `TERM=dumb` turn it off; otherwise a terminal is coloured.
    pub fn enabled(self, terminal: bool, env: &dyn Fn(&str) -> Option<String>) -> bool {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        let is = |name: &str, value: &str| env(name).is_some_and(|v| v == value);
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR") => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE") && !is("CLICOLOR_FORCE", "0") => true,
            ColorChoice::Auto => terminal && !is("CLICOLOR", "0") && !is("TERM", "dumb"),
        }
    }
}

/// Reads the process environment, for [`Global::color_choice`] and
/// [`ColorChoice::enabled`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn auto_colours_a_terminal_only() {
        assert!(ColorChoice::Auto.enabled(true, &env(&[])));
        assert!(!ColorChoice::Auto.enabled(false, &env(&[])));
        assert!(ColorChoice::Always.enabled(false, &env(&[("NO_COLOR", "1")])));
        assert!(!ColorChoice::Never.enabled(true, &env(&[("CLICOLOR_FORCE", "1")])));
    }

    #[test]
    fn auto_honours_the_colour_conventions() {
        assert!(!ColorChoice::Auto.enabled(true, &env(&[("NO_COLOR", "1")])));
        assert!(ColorChoice::Auto.enabled(true, &env(&[("NO_COLOR", "")])));
        assert!(ColorChoice::Auto.enabled(false, &env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!ColorChoice::Auto.enabled(false, &env(&[("CLICOLOR_FORCE", "0")])));
        let both = env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(!ColorChoice::Auto.enabled(true, &both));
        assert!(!ColorChoice::Auto.enabled(true, &env(&[("CLICOLOR", "0")])));
        assert!(!ColorChoice::Auto.enabled(true, &env(&[("TERM", "dumb")])));
    }

    #[test]
    fn the_flag_beats_evc_color_which_beats_auto() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).expect("parses").global;
        let always = env(&[(COLOR_ENV, "always")]);
        let flag = parse(&["evc", "lint", "--color", "never"]);
        assert_eq!(flag.color_choice(&always), Ok(ColorChoice::Never));
        let none = parse(&["evc", "--color=never", "rules"]);
        assert_eq!(none.color_choice(&env(&[])), Ok(ColorChoice::Never));
        let plain = parse(&["evc", "rules"]);
        assert_eq!(plain.color_choice(&always), Ok(ColorChoice::Always));
        assert_eq!(plain.color_choice(&env(&[])), Ok(ColorChoice::Auto));
        let wrong = plain.color_choice(&env(&[(COLOR_ENV, "sometimes")]));
        assert!(wrong.unwrap_err().contains("EVC_COLOR must be"));
    }

    #[test]
    fn every_format_means_the_same_to_the_library() {
        for &format in Format::value_variants() {
            assert_eq!(Format::from(evc::report::Format::from(format)), format);
        }
    }

    #[test]
    fn quiet_is_global() {
        let before = Cli::try_parse_from(["evc", "-q", "lint"]).expect("parses");
        let after = Cli::try_parse_from(["evc", "lint", "--quiet"]).expect("parses");
        assert!(before.global.quiet && after.global.quiet);
    }
}
