//! Identifiers from contract names, valid in Rust (the strictest target,
//! which other backends derive their names from): never a keyword clash, and
//! derived only from the source so they stay stable when unrelated contracts
//! change. The naming rules compare these, so a collision they report is
//! one the generated code would have.

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

/// Keeps ASCII letters and digits; anything else separates words. A sign
/// is a word of its own, so `+1` and `-1` stay apart (`plus_1`, `minus_1`);
/// a `-` between words is only a separator (`order-id`).
fn ascii_words(text: &str) -> String {
    let mut words = String::with_capacity(text.len());
    let mut previous: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let before_digit = chars.peek().is_some_and(char::is_ascii_digit);
        let after_word = previous.is_some_and(|p| p.is_ascii_alphanumeric());
        match c {
            c if c.is_ascii_alphanumeric() => words.push(c),
            '+' => words.push_str(" plus "),
            '-' if before_digit && !after_word => words.push_str(" minus "),
            _ => words.push(' '),
        }
        previous = Some(c);
    }
    words
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
        assert_eq!(field_name("+1"), "plus_1");
        assert_eq!(field_name("-1"), "minus_1");
        assert_eq!(field_name("order-id"), "order_id");
        assert_eq!(field_name("x-1"), "x_1");
        assert_eq!(type_name("+1", "X"), "Plus1");
        assert_eq!(type_name("-1", "X"), "Minus1");
        assert_eq!(field_name("C++"), "c_plus_plus");
    }
}
