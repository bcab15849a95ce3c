//! Identifiers from contract names, valid in Rust (the strictest target,
//! which other backends derive their names from): never a keyword clash,
//! unique within their scope, and derived only from the source so
//! they stay stable when unrelated contracts change.

use std::collections::BTreeSet;

use heck::{ToPascalCase, ToSnakeCase};

/// Strict and reserved keywords of Rust 2021.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Names generated code uses itself, which a contract type must not take.
const TAKEN_TYPES: &[&str] = &[
    "Event",
    "Command",
    "Message",
    "Bus",
    "EventHandler",
    "CommandHandler",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
];

/// Keeps ASCII letters, digits and `_`; anything else separates words.
fn ascii_words(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// A PascalCase type or variant name; `fallback` when nothing usable is left.
pub fn type_name(text: &str, fallback: &str) -> String {
    let mut name = ascii_words(text).to_pascal_case();
    if name.is_empty() {
        name = fallback.to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name.len() > 2 && name.chars().all(|c| c.is_ascii_uppercase()) {
        // `ABC` reads as an acronym, which clippy's `upper_case_acronyms`
        // refuses in a private module: written as a word, `Abc`.
        name[1..].make_ascii_lowercase();
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A snake_case field name; keywords become raw identifiers (`r#type`).
pub fn field_name(text: &str) -> String {
    let mut name = ascii_words(text).to_snake_case();
    if name.is_empty() {
        name = "field".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "field_");
    }
    if NOT_RAW.contains(&name.as_str()) || name == "_" {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// Hands out names unique within one scope (a file's types, a struct's
/// fields, a C struct's members, the header's macros): a clash gets the
/// lowest free numeric suffix. Every backend resolves its clashes with it,
/// so names are numbered the same way everywhere.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
    /// Between a clashing name and its number: empty for Rust names
    /// (`Money2`), `_` for C's (`has_note_2`).
    separator: &'static str,
}

impl Scope {
    pub fn for_types() -> Self {
        Scope {
            taken: TAKEN_TYPES.iter().map(|t| t.to_string()).collect(),
            separator: "",
        }
    }

    /// A scope whose clashes are numbered after `separator`, with `taken`
    /// already in use.
    pub fn separated(separator: &'static str, taken: impl IntoIterator<Item = String>) -> Self {
        Scope {
            taken: taken.into_iter().collect(),
            separator,
        }
    }

    pub fn claim(&mut self, wanted: String) -> String {
        self.claim_with(wanted, &[""])
    }

    /// A stem whose every `stem + suffix` is free, all claimed: for macros
    /// the header spells as `<stem>_TYPE`, `<stem>_VERSION`.
    pub fn claim_with(&mut self, wanted: String, suffixes: &[&str]) -> String {
        let free = |taken: &BTreeSet<String>, stem: &str| {
            suffixes
                .iter()
                .all(|s| !taken.contains(&format!("{stem}{s}")))
        };
        // A number glued on drops the `_` that escaped a keyword
        // (`self_` → `self2`), which would otherwise sit mid-name.
        let base = if self.separator.is_empty() {
            wanted.trim_end_matches('_')
        } else {
            wanted.as_str()
        };
        let separator = self.separator;
        let stem = std::iter::once(wanted.clone())
            .chain((2..).map(|n| format!("{base}{separator}{n}")))
            .find(|stem| free(&self.taken, stem))
            .unwrap_or_else(|| wanted.clone());
        for suffix in suffixes {
            self.taken.insert(format!("{stem}{suffix}"));
        }
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_valid() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2fa code"), "field_2fa_code");
        assert_eq!(field_name("é"), "field");
        assert_eq!(field_name("orderId"), "order_id");
        assert_eq!(type_name("shipping_address", "X"), "ShippingAddress");
        assert_eq!(type_name("*/", "Variant"), "Variant");
        assert_eq!(type_name("1st", "X"), "V1st");
        assert_eq!(type_name("A-B-c", "X"), "Abc");
        assert_eq!(type_name("HTTP", "X"), "Http");
        assert_eq!(type_name("A B", "X"), "AB");
    }

    #[test]
    fn clashes_get_a_suffix() {
        let mut scope = Scope::for_types();
        assert_eq!(scope.claim("Event".into()), "Event2");
        assert_eq!(scope.claim("Money".into()), "Money");
        assert_eq!(scope.claim("Money".into()), "Money2");
        assert_eq!(scope.claim("self_".into()), "self_");
        assert_eq!(scope.claim("self_".into()), "self2");
    }

    #[test]
    fn separated_clashes_keep_every_suffix_free() {
        let mut members = Scope::separated("_", []);
        assert_eq!(members.claim("has_note".into()), "has_note");
        assert_eq!(members.claim("has_note".into()), "has_note_2");
        let mut macros = Scope::separated("_", ["SHOP_ABI_VERSION".to_string()]);
        assert_eq!(
            macros.claim_with("SHOP_ABI".into(), &["_TYPE", "_VERSION"]),
            "SHOP_ABI_2"
        );
        assert_eq!(macros.claim("SHOP_ABI_2_TYPE".into()), "SHOP_ABI_2_TYPE_2");
    }
}
