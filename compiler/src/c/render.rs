//! The header and the handler skeleton, rendered from `compiler/templates/c/` with
//! strict undefined: a name the template asks for and the context lacks is
//! an error, never an empty string in the output. Contract text reaches the
//! output only through the `comment` and `c_string` filters.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::layout::Assert;
use super::view::{self, CTy, Decl, DeclKind, View};

const HEADER: &str = include_str!("../../templates/c/header.h.j2");
const HANDLERS: &str = include_str!("../../templates/c/handlers.c.j2");

#[derive(Serialize)]
struct Status {
    name: &'static str,
    code: i32,
    doc: String,
}

#[derive(Serialize)]
struct Enum {
    name: String,
    docs: Vec<String>,
    constants: Vec<Constant>,
}

#[derive(Serialize)]
struct Constant {
    name: String,
    value: i32,
    wire: String,
}

#[derive(Serialize)]
struct Member {
    decl: String,
    docs: Vec<String>,
}

#[derive(Serialize)]
struct UnionPart {
    name: String,
    members: Vec<Member>,
    tags: Vec<Constant>,
}

#[derive(Serialize)]
struct Struct {
    name: String,
    docs: Vec<String>,
    members: Vec<Member>,
    union: Option<UnionPart>,
}

#[derive(Serialize)]
struct Contract {
    name: String,
    kind: String,
    wire: String,
    version: String,
    older: Vec<String>,
    docs: Vec<String>,
    function: String,
    macro_name: String,
    c_type: String,
}

#[derive(Serialize)]
struct AssertLine {
    c: String,
    message: String,
}

#[derive(Serialize)]
struct Context {
    prefix: String,
    upper: String,
    abi_version: u32,
    contracts_hash: String,
    default_source: String,
    statuses: Vec<Status>,
    enums: Vec<Enum>,
    structs: Vec<Struct>,
    contracts: Vec<Contract>,
    asserts: Vec<AssertLine>,
}

pub struct Rendered {
    pub header: String,
    pub handlers: String,
}

pub fn render(
    view: &View<'_>,
    hash: u64,
    default_source: &str,
    asserts: &[Assert],
) -> Result<Rendered, minijinja::Error> {
    let env = environment()?;
    // Turned into template values once for both templates.
    let context = minijinja::Value::from_serialize(context(view, hash, default_source, asserts));
    Ok(Rendered {
        header: env.get_template("header.h")?.render(&context)?,
        handlers: env.get_template("handlers.c")?.render(&context)?,
    })
}

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("comment", |lines: Vec<String>, indent: Option<usize>| {
        comment(&lines, indent.unwrap_or(0))
    });
    env.add_filter("c_string", |text: String| c_string(&text));
    env.add_template("header.h", HEADER)?;
    env.add_template("handlers.c", HANDLERS)?;
    Ok(env)
}

fn context(view: &View<'_>, hash: u64, default_source: &str, asserts: &[Assert]) -> Context {
    let statuses = evc_runtime::ffi::Status::ALL
        .iter()
        .map(|s| Status {
            name: s.name(),
            code: s.code(),
            doc: s.describe().to_string_lossy().into_owned(),
        })
        .collect();
    let enums = view
        .decls
        .iter()
        .filter_map(|d| match &d.kind {
            DeclKind::Enum { constants, .. } => Some(Enum {
                name: d.name.clone(),
                docs: describe(view, d),
                constants: constants.iter().map(constant).collect(),
            }),
            _ => None,
        })
        .collect();
    let structs = view
        .decls
        .iter()
        .filter(|d| !d.is_enum())
        .map(|d| structure(view, d))
        .collect();
    let contracts = view
        .contracts
        .iter()
        .map(|c| Contract {
            name: c.name.clone(),
            kind: c.kind.to_string(),
            wire: c.wire.clone(),
            version: c.version.clone(),
            older: c.older.clone(),
            docs: c.docs.clone(),
            function: c.function.clone(),
            macro_name: c.macro_name.clone(),
            c_type: c.c_type.clone(),
        })
        .collect();
    Context {
        prefix: view.prefix.clone(),
        upper: view.upper.clone(),
        abi_version: super::ABI_VERSION,
        contracts_hash: format!("0x{hash:016x}"),
        default_source: default_source.to_string(),
        statuses,
        enums,
        structs,
        contracts,
        asserts: asserts
            .iter()
            .map(|a| AssertLine {
                c: a.c.clone(),
                message: a.message.clone(),
            })
            .collect(),
    }
}

fn constant(c: &view::Constant) -> Constant {
    Constant {
        name: c.name.clone(),
        value: c.value,
        wire: c.wire.clone(),
    }
}

/// The item's own docs, or what the composite holds.
fn describe(view: &View<'_>, decl: &Decl) -> Vec<String> {
    if !decl.docs.is_empty() {
        return decl.docs.clone();
    }
    let of = |ty| text(&view.c_ty(ty), &view.prefix);
    let line = match &decl.kind {
        DeclKind::Array { elem } => format!("An array of {}.", of(elem)),
        DeclKind::Tuple { positions } => {
            let positions: Vec<String> = positions.iter().map(of).collect();
            format!("A JSON array of exactly: {}.", positions.join(", "))
        }
        DeclKind::Map { value } => format!("A map from strings to {}.", of(value)),
        DeclKind::MapEntry { .. } => "One key and its value.".into(),
        DeclKind::Optional { value } => format!("An optional {}.", of(value)),
        _ => format!("`{}`.", decl.part),
    };
    vec![line]
}

fn structure(view: &View<'_>, decl: &Decl) -> Struct {
    let members: Vec<Member> = decl
        .slots
        .iter()
        .map(|s| Member {
            decl: declare(&s.ty, &s.name, &view.prefix),
            docs: s.docs.clone(),
        })
        .collect();
    let union = match &decl.kind {
        DeclKind::Union {
            union_name,
            branches,
            ..
        } => Some(UnionPart {
            name: union_name.clone(),
            tags: branches.iter().map(|b| constant(&b.tag)).collect(),
            members: branches
                .iter()
                .map(|b| Member {
                    decl: declare(&b.member.ty, &b.member.name, &view.prefix),
                    docs: Vec::new(),
                })
                .collect(),
        }),
        _ => None,
    };
    Struct {
        name: decl.name.clone(),
        docs: describe(view, decl),
        members,
        union,
    }
}

/// The C text of a type.
pub fn text(ty: &CTy, prefix: &str) -> String {
    match ty {
        CTy::Bool => "bool".into(),
        CTy::I32 => "int32_t".into(),
        CTy::I64 => "int64_t".into(),
        CTy::U32 => "uint32_t".into(),
        CTy::U64 => "uint64_t".into(),
        CTy::F64 => "double".into(),
        CTy::Size => "size_t".into(),
        CTy::Str => format!("{prefix}_str"),
        CTy::Json => format!("{prefix}_json"),
        CTy::Null => "uint8_t".into(),
        CTy::Named(name) => name.clone(),
        CTy::Union(name) => format!("union {name}"),
        CTy::Ptr(inner) => format!("const {} *", text(inner, prefix)),
    }
}

/// `type name` as a member declaration.
fn declare(ty: &CTy, name: &str, prefix: &str) -> String {
    let ty = text(ty, prefix);
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}

/// A block comment whose text cannot end it early, open another, or form a
/// trigraph; control characters are dropped.
pub fn comment(lines: &[String], indent: usize) -> String {
    let clean: Vec<String> = lines
        .iter()
        .flat_map(|l| l.split(['\n', '\r']))
        .map(|l| {
            let l: String = l
                .chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect();
            let mut l = l.replace('\t', "    ");
            while l.contains("*/") || l.contains("/*") || l.contains("??") {
                l = l
                    .replace("*/", "* /")
                    .replace("/*", "/ *")
                    .replace("??", "? ?");
            }
            l.trim_end().trim_start_matches(' ').to_string()
        })
        .collect();
    let pad = " ".repeat(indent);
    match clean.as_slice() {
        [] => "/* */".into(),
        [one] => format!("/* {one} */"),
        many => {
            let mut out = String::from("/*\n");
            for line in many {
                if line.is_empty() {
                    out.push_str(&format!("{pad} *\n"));
                } else {
                    out.push_str(&format!("{pad} * {line}\n"));
                }
            }
            out.push_str(&format!("{pad} */"));
            out
        }
    }
}

/// The body of a C string literal: printable ASCII as is, everything else
/// as a three-digit octal escape (a hex escape would swallow what follows),
/// `?` escaped against trigraphs.
pub fn c_string(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'?' => out.push_str("\\?"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\{byte:03o}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cannot_be_broken_out_of() {
        let text = comment(&["a */ int x; /* b ??/".into(), "line\ttwo\u{7}".into()], 0);
        assert_eq!(text, "/*\n * a * / int x; / * b ? ?/\n * line    two\n */");
        for hostile in ["*/*/", "/*/", "**//**", "???/"] {
            let text = comment(&[hostile.into()], 0);
            let inner = &text[2..text.len() - 2];
            assert!(!inner.contains("*/") && !inner.contains("/*") && !inner.contains("??"));
        }
    }

    #[test]
    fn strings_escape_quotes_and_bytes() {
        assert_eq!(c_string("a\"b\\c?\n"), "a\\\"b\\\\c\\?\\012");
        assert_eq!(c_string("é"), "\\303\\251");
    }
}
