//! Identifiers from contract names, valid in Rust (the strictest target,
//! which other backends derive their names from): never a keyword clash,
//! unique within their scope, and derived only from the source so
//! they stay stable when unrelated contracts change.

use heck::{ToPascalCase, ToSnakeCase};

pub use crate::model::Scope;

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

/// The scope of a file's types: the names the generated code itself
/// defines are taken.
impl Scope {
    pub fn for_types() -> Self {
        Scope::separated("", TAKEN_TYPES.iter().map(|t| t.to_string()))
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
}
