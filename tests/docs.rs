//! Documentation that is derived from code stays in sync with it.

use evc_tests::workspace_root;

/// `file` holds `table` between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
/// Run with `EVC_UPDATE_DOCS=1` to rewrite it after changing the registry.
fn check_table(file: &str, name: &str, table: &str) {
    let begin = format!("<!-- {name}:begin -->\n");
    let end_marker = format!("<!-- {name}:end -->");
    let path = workspace_root().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{file} exists"));
    let start = text.find(&begin).expect("begin marker") + begin.len();
    let end = text.find(&end_marker).expect("end marker");
    if std::env::var_os("EVC_UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).unwrap_or_else(|_| panic!("{file} is writable"));
        return;
    }
    assert_eq!(
        text[start..end],
        *table,
        "{file} is stale: run EVC_UPDATE_DOCS=1 cargo test -p evc-tests --test docs"
    );
}

/// `docs/rules.md` holds the rule registry.
#[test]
fn rules_doc_lists_the_registry() {
    check_table("docs/rules.md", "rules", &evc::rules::markdown_table());
}

/// `docs/evolution.md` holds the registry of change kinds.
#[test]
fn evolution_doc_lists_every_change_kind() {
    check_table(
        "docs/evolution.md",
        "kinds",
        &evc::evolution::markdown_table(),
    );
}

/// README.md and every docs/*.md, by their path from the workspace root.
fn markdown_files() -> Vec<(String, String)> {
    let root = workspace_root();
    let mut names = vec!["README.md".to_owned()];
    let docs = std::fs::read_dir(root.join("docs")).expect("docs/ exists");
    let mut found: Vec<String> = docs
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    found.sort();
    names.extend(found);
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(root.join(&name)).expect("readable");
            (name, text)
        })
        .collect()
}

/// Every piece of code in a Markdown text, with its first line: each
/// inline code span (which may wrap onto the next lines, read as one), and
/// each line of a fenced block.
fn code(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut span: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push((number + 1, line.to_owned()));
            continue;
        }
        for (i, part) in line.split('`').enumerate() {
            if i > 0 {
                // A backtick opens or closes a span.
                match span.take() {
                    Some(done) => out.push(done),
                    None => span = Some((number + 1, String::new())),
                }
            }
            if let Some((_, text)) = &mut span {
                text.push_str(part);
            }
        }
        if let Some((_, text)) = &mut span {
            text.push(' ');
        }
        if line.trim().is_empty() {
            // A span never crosses a paragraph; an unmatched backtick ends here.
            span = None;
        }
    }
    out
}

/// One `evc …` invocation in the docs: the subcommand (`None` for `evc`
/// alone) and the long and short flags written with it.
#[derive(Debug)]
struct Invocation {
    at: String,
    subcommand: Option<String>,
    flags: Vec<String>,
}

/// The flag a token names, `--out` of `[--out`, `--color=never`, `--out,`.
fn flag(token: &str) -> Option<String> {
    let token = token.trim_start_matches('[');
    let name = token.strip_prefix("--").map_or_else(
        || {
            token
                .strip_prefix('-')
                .filter(|s| s.len() == 1 || s.ends_with(']'))
        },
        Some,
    )?;
    let name: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let dashes = if token.starts_with("--") { "--" } else { "-" };
    (!name.is_empty()).then(|| format!("{dashes}{name}"))
}

/// The invocation in a code line that runs `evc` (as `evc`, `$ evc` or
/// `cargo run -p evc-cli --`), if it does.
fn invocation(at: String, line: &str) -> Option<Invocation> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let start = tokens
        .iter()
        .enumerate()
        .position(|(i, t)| *t == "evc" || (*t == "evc-cli" && i > 0 && tokens[i - 1] == "-p"))?;
    let before = &tokens[..start];
    let mut rest = &tokens[start + 1..];
    let runs = match before {
        [] | ["$"] | ["/usr/bin/time"] => true,
        [.., "-p"] if rest.first() == Some(&"--") => {
            rest = &rest[1..];
            true
        }
        _ => false,
    };
    if !runs {
        return None;
    }
    let end = rest
        .iter()
        .position(|t| matches!(*t, "|" | ">" | "&&" | ";") || t.starts_with('#'))
        .unwrap_or(rest.len());
    let rest = &rest[..end];
    let mut subcommand = None;
    let mut flags = Vec::new();
    for token in rest {
        match flag(token) {
            Some(flag) => flags.push(flag),
            None if subcommand.is_none() && flags.is_empty() => {
                let word = token.trim_end_matches([':', ',', '.', ')']);
                if !word.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    return None;
                }
                subcommand = Some(word.to_owned());
            }
            None => {}
        }
    }
    Some(Invocation {
        at,
        subcommand,
        flags,
    })
}

/// Every `evc` invocation in the docs, and every flag written on its own
/// in an inline span (`--format json`).
fn documented() -> (Vec<Invocation>, Vec<String>) {
    let mut invocations = Vec::new();
    let mut loose = Vec::new();
    for (file, text) in markdown_files() {
        for (line, code) in code(&text) {
            let code = code.trim();
            match invocation(format!("{file}:{line}"), code) {
                Some(found) => invocations.push(found),
                None => loose.extend(code.split_whitespace().next().and_then(flag)),
            }
        }
    }
    (invocations, loose)
}

/// The names a command's arguments answer to: `--long` and `-s`.
fn flags_of(command: &clap::Command) -> Vec<String> {
    command
        .get_arguments()
        .filter(|a| !a.is_positional())
        .flat_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            long.into_iter().chain(short)
        })
        .collect()
}

fn built_cli() -> clap::Command {
    let mut command = evc_cli::cli::command();
    // Building propagates the global flags and adds --help and --version.
    command.build();
    command
}

/// Every `evc SUBCOMMAND --flag` the README and docs/ mention exists.
#[test]
fn documented_commands_and_flags_exist() {
    let cli = built_cli();
    let (invocations, _) = documented();
    assert!(
        invocations.len() > 10,
        "the docs show `evc` commands: {invocations:?}"
    );
    let mut wrong = Vec::new();
    for invocation in &invocations {
        let command = match &invocation.subcommand {
            None => &cli,
            Some(name) => match cli.find_subcommand(name) {
                Some(command) => command,
                None => {
                    wrong.push(format!("{}: no subcommand `evc {name}`", invocation.at));
                    continue;
                }
            },
        };
        let known = flags_of(command);
        for flag in &invocation.flags {
            if !known.contains(flag) {
                wrong.push(format!(
                    "{}: `evc {}` has no flag `{flag}`",
                    invocation.at,
                    command.get_name()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "the docs drifted:\n{}", wrong.join("\n"));
}

/// Every subcommand and every long flag of `evc` is documented: the
/// subcommand as `evc NAME`, a flag with its subcommand or on its own.
#[test]
fn every_command_and_flag_is_documented() {
    let cli = built_cli();
    let (invocations, loose) = documented();
    let with = |name: &str, flag: &str| {
        loose.iter().any(|f| f == flag)
            || invocations.iter().any(|i| {
                i.flags.iter().any(|f| f == flag)
                    && (i.subcommand.as_deref() == Some(name) || cli.get_name() == name)
            })
    };
    let mut missing = Vec::new();
    let commands = std::iter::once(&cli).chain(cli.get_subcommands());
    for command in commands.filter(|c| c.get_name() != "help") {
        let name = command.get_name();
        let shown = name == cli.get_name()
            || invocations
                .iter()
                .any(|i| i.subcommand.as_deref() == Some(name));
        if !shown {
            missing.push(format!("`evc {name}`"));
        }
        let shown_as = |flag: &str| {
            if name == cli.get_name() {
                format!("`evc {flag}`")
            } else {
                format!("`evc {name} {flag}`")
            }
        };
        for argument in command.get_arguments() {
            let Some(long) = argument.get_long() else {
                continue;
            };
            let flag = format!("--{long}");
            let builtin = matches!(long, "help" | "version");
            let global = argument.is_global_set() && name != cli.get_name();
            if !builtin && !global && !with(name, &flag) {
                missing.push(shown_as(&flag));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented in README.md and docs/*.md:\n{}",
        missing.join("\n")
    );
}
