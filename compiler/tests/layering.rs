//! The compiler's layering, enforced: a backend reads the binding model,
//! never another backend, never the loader, and never files; the stages
//! before binding know nothing of backends. Adding a backend means adding
//! its module name to `BACKENDS`.

use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules of `compiler/src` that generate code.
const BACKENDS: &[&str] = &["rust", "c", "jsonschema", "docs", "asyncapi"];

/// Modules no backend may use besides the other backends: reading files is
/// the loader's job, and a backend that did it would see other inputs than
/// the model it was handed.
const OFF_LIMITS: &[&str] = &["load"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files under `dir`, recursively, in a stable order.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The files of a top-level module: `src/<name>.rs` or everything under
/// `src/<name>/`.
fn module_files(name: &str) -> Vec<PathBuf> {
    let dir = src().join(name);
    if dir.is_dir() {
        return sources(&dir);
    }
    let file = src().join(format!("{name}.rs"));
    if file.is_file() {
        vec![file]
    } else {
        Vec::new()
    }
}

/// The module path of a file relative to `src`: `c/view.rs` → `[c, view]`,
/// `rust/upcast/mod.rs` → `[rust, upcast]`.
fn module_of(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The text without comments (doc links name other modules freely) and
/// without string and character literals.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                out.push(' ');
            }
            // A raw string: `r"…"`, `r#"…"#`, with as many `#` as it opens.
            (b'r', Some(b'"' | b'#'))
                if !text[..i].chars().next_back().is_some_and(is_ident)
                    && raw_string_end(bytes, i).is_some() =>
            {
                i = raw_string_end(bytes, i).expect("checked");
                out.push_str("\"\"");
            }
            // A character literal (`'"'`, `'\''`), not a lifetime (`'a`).
            (b'\'', Some(_)) if char_literal_end(text, i).is_some() => {
                i = char_literal_end(text, i).expect("checked");
                out.push_str("' '");
            }
            (b'"', _) => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            _ => {
                let c = text[i..].chars().next().expect("in bounds");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Where the raw string opening at `start` (its `r`) ends, just past it.
fn raw_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let hashes = bytes[start + 1..]
        .iter()
        .take_while(|&&b| b == b'#')
        .count();
    let open = start + 1 + hashes;
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let body = open + 1;
    bytes[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map(|at| body + at + close.len())
}

/// Where the character literal opening at `start` ends, just past it; `None`
/// for a lifetime or a label (`'a`, `'static`).
fn char_literal_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start + 1..)?;
    let first = rest.chars().next()?;
    let body = if first == '\\' {
        match rest[1..].chars().next()? {
            'u' => rest.find('}')? + 1,
            'x' => 4,
            escaped => 1 + escaped.len_utf8(),
        }
    } else {
        first.len_utf8()
    };
    rest.get(body..)?
        .starts_with('\'')
        .then_some(start + 1 + body + 1)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every top-level module `code` names through `crate::…`, or through a
/// `super::` chain that climbs out of `module`, with the line it is on.
fn top_level_uses(code: &str, module: &[String]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (start, _) in code.match_indices(['c', 's']) {
        if code[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[start..];
        let tail = if let Some(tail) = rest.strip_prefix("crate::") {
            tail
        } else {
            let mut tail = rest;
            let mut supers = 0;
            while let Some(next) = tail.strip_prefix("super::") {
                supers += 1;
                tail = next;
            }
            // Inside the file's own module tree the path stays local.
            if supers == 0 || supers < module.len() {
                continue;
            }
            tail
        };
        let line = code[..start].matches('\n').count() + 1;
        let names: Vec<String> = match tail.trim_start().strip_prefix('{') {
            Some(group) => group_heads(group),
            None => vec![tail.chars().take_while(|c| is_ident(*c)).collect()],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty())
                .map(|n| (n, line)),
        );
    }
    found
}

/// The first name of each item of a `{a::b, c, d::{e, f}}` group (`group`
/// starts after its opening brace).
fn group_heads(group: &str) -> Vec<String> {
    let mut level = 0;
    let mut items = vec![String::new()];
    for c in group.chars() {
        match c {
            '{' => level += 1,
            '}' if level == 0 => break,
            '}' => level -= 1,
            ',' if level == 0 => {
                items.push(String::new());
                continue;
            }
            _ => {}
        }
        items.last_mut().expect("one item").push(c);
    }
    items
        .iter()
        .map(|item| item.trim().chars().take_while(|c| is_ident(*c)).collect())
        .collect()
}

fn uses_of(file: &Path) -> Vec<(String, usize)> {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    top_level_uses(&code_only(&text), &module_of(file))
}

#[test]
fn backends_import_neither_each_other_nor_the_loader() {
    let mut violations = Vec::new();
    let mut seen = 0;
    for backend in BACKENDS {
        for file in module_files(backend) {
            seen += 1;
            for (name, line) in uses_of(&file) {
                let other_backend = BACKENDS.contains(&name.as_str()) && name != *backend;
                if other_backend || OFF_LIMITS.contains(&name.as_str()) {
                    violations.push(format!("{}:{line}: uses `{name}`", file.display()));
                }
            }
        }
    }
    assert!(
        seen > 0,
        "no backend source found under {}",
        src().display()
    );
    assert!(
        violations.is_empty(),
        "a backend reads the binding model only:\n{}",
        violations.join("\n")
    );
}

/// The stages before binding know nothing of generated code.
#[test]
fn the_front_end_generates_no_code() {
    let mut violations = Vec::new();
    for stage in ["load", "model", "check", "bind"] {
        for file in module_files(stage) {
            for (name, line) in uses_of(&file) {
                if BACKENDS.contains(&name.as_str()) || (stage != "bind" && name == "bind") {
                    violations.push(format!("{}:{line}: uses `{name}`", file.display()));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "loading, modelling and checking come before any backend:\n{}",
        violations.join("\n")
    );
}

#[test]
fn backends_read_no_files() {
    let mut violations = Vec::new();
    for backend in BACKENDS {
        for file in module_files(backend) {
            let text = fs::read_to_string(&file).expect("readable source");
            let code = code_only(&text);
            for (number, line) in code.lines().enumerate() {
                if ["std::fs", "fs::", "File::", "walkdir"]
                    .iter()
                    .any(|needle| line.contains(needle))
                {
                    violations.push(format!(
                        "{}:{}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "a backend returns text; its caller decides where it goes:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_relative_imports() {
    let code = code_only(
        "use crate::{bind::ir::Ty, rust::{self, Options}};\n\
         // use crate::load;\n\
         fn f() { let s = \"crate::load\"; crate::c::generate(); }\n\
         use super::super::docs::Page;\n\
         use super::view::View;\n",
    );
    let module = ["c".to_string(), "view".to_string()];
    let names: Vec<String> = top_level_uses(&code, &module)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["bind", "rust", "c", "docs"]);
}

#[test]
fn character_literals_and_raw_strings_do_not_hide_code() {
    let code = code_only(
        "fn f<'a>(x: &'a str) -> char { let q = '\"'; let e = '\\''; '\\u{22}' }\n\
         use crate::load;\n\
         const T: &str = r#\"crate::docs \" \"#;\n\
         use crate::rust::Options;\n",
    );
    let names: Vec<String> = top_level_uses(&code, &["c".to_string()])
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["load", "rust"]);
}
