//! The sizes and offsets both sides of the ABI must agree on, computed
//! once for LP64 targets: the header checks them with static assertions
//! (C11, C++11) and the library with `const` assertions, so a mismatch
//! fails a build rather than corrupting memory.

use super::view::{DeclKind, View};

/// One type's expected layout, named on both sides.
#[derive(Debug, Clone)]
pub struct TypeLayout {
    pub c_name: String,
    /// The Rust type, as a path from the library's root module.
    pub rust_name: String,
    pub size: usize,
    pub align: usize,
    /// `(C member, Rust field, offset)`.
    pub members: Vec<(String, String, usize)>,
}

/// One static assertion of the header.
#[derive(Debug, Clone)]
pub struct Assert {
    pub c: String,
    pub message: String,
}

/// Every type of the header: the fixed ones, then the view's.
pub fn layouts(view: &View<'_>) -> Vec<TypeLayout> {
    let prefix = &view.prefix;
    let pair = |c: &str, rust: &str, names: &[(&str, &str, usize)], size| TypeLayout {
        c_name: format!("{prefix}_{c}"),
        rust_name: rust.to_string(),
        size,
        align: 8,
        members: names
            .iter()
            .map(|(c, r, o)| (c.to_string(), r.to_string(), *o))
            .collect(),
    };
    let mut out = vec![
        pair(
            "str",
            "ffi::Str",
            &[("ptr", "ptr", 0), ("len", "len", 8)],
            16,
        ),
        pair(
            "buf",
            "ffi::Buf",
            &[("data", "data", 0), ("len", "len", 8)],
            16,
        ),
        pair("meta", "ffi::Meta", &META, 160),
    ];
    let handlers: Vec<(String, String, usize)> = view
        .contracts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let entry = format!("on_{}", c.function);
            (entry.clone(), entry, i * 8)
        })
        .collect();
    out.push(TypeLayout {
        c_name: format!("{prefix}_handlers"),
        rust_name: format!("{prefix}_handlers"),
        size: view.contracts.len() * 8,
        align: 8,
        members: handlers,
    });
    for decl in &view.decls {
        let members = match &decl.kind {
            DeclKind::Enum { .. } => Vec::new(),
            _ => decl
                .slots
                .iter()
                .map(|s| (s.name.clone(), s.name.clone(), s.offset))
                .collect(),
        };
        out.push(TypeLayout {
            c_name: decl.name.clone(),
            rust_name: decl.name.clone(),
            size: decl.layout.size,
            align: decl.layout.align,
            members,
        });
    }
    out
}

/// `ffi::Meta`'s members: C name, Rust name, offset.
const META: [(&str, &str, usize); 12] = [
    ("id", "id", 0),
    ("source", "source", 16),
    ("type", "type_", 32),
    ("has_time", "has_time", 48),
    ("time", "time", 56),
    ("has_subject", "has_subject", 72),
    ("subject", "subject", 80),
    ("has_dataversion", "has_dataversion", 96),
    ("dataversion", "dataversion", 104),
    ("correlation_id", "correlation_id", 120),
    ("has_causation_id", "has_causation_id", 136),
    ("causation_id", "causation_id", 144),
];

pub fn c_asserts(layouts: &[TypeLayout], upper: &str) -> Vec<Assert> {
    let mut out = Vec::new();
    for t in layouts {
        out.push(Assert {
            c: format!("sizeof({}) == {}", t.c_name, t.size),
            message: format!("{}: size", t.c_name),
        });
        out.push(Assert {
            c: format!("{upper}_ALIGNOF({}) == {}", t.c_name, t.align),
            message: format!("{}: alignment", t.c_name),
        });
        for (member, _, offset) in &t.members {
            out.push(Assert {
                c: format!("offsetof({}, {member}) == {offset}", t.c_name),
                message: format!("{}: offset of {member}", t.c_name),
            });
        }
    }
    out
}
