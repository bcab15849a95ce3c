//! C identifiers: a prefix for everything the header declares, members
//! that are never a C or C++ keyword, and upper-case constant names. Every
//! name is built from ASCII letters, digits and `_` only, so no contract
//! text can reach the header outside a comment or a string literal.

use heck::ToShoutySnakeCase;

pub use crate::bind::names::Scope;

/// Words a member may not be in C99, C11 or C++11 (the header compiles as
/// both), and names the standard headers it includes may define as macros.
const RESERVED: &[&str] = &[
    "alignas",
    "alignof",
    "and",
    "and_eq",
    "asm",
    "auto",
    "bitand",
    "bitor",
    "bool",
    "break",
    "case",
    "catch",
    "char",
    "char16_t",
    "char32_t",
    "class",
    "compl",
    "complex",
    "const",
    "const_cast",
    "constexpr",
    "continue",
    "decltype",
    "default",
    "delete",
    "do",
    "double",
    "dynamic_cast",
    "else",
    "enum",
    "explicit",
    "export",
    "extern",
    "false",
    "float",
    "for",
    "friend",
    "goto",
    "if",
    "imaginary",
    "inline",
    "int",
    "long",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "offsetof",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "register",
    "reinterpret_cast",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "static_cast",
    "struct",
    "switch",
    "template",
    "this",
    "thread_local",
    "throw",
    "true",
    "try",
    "typedef",
    "typeid",
    "typename",
    "union",
    "unsigned",
    "using",
    "virtual",
    "void",
    "volatile",
    "wchar_t",
    "while",
    "xor",
    "xor_eq",
    "errno",
    "assert",
    "NULL",
    "self",
    "super",
    "crate",
    "Self",
    // Predefined by gcc outside strict ISO modes, or keywords of GNU C, C23, C++20.
    "linux",
    "unix",
    "i386",
    "typeof",
    "typeof_unqual",
    "concept",
    "requires",
    "co_await",
    "co_yield",
    "co_return",
    "char8_t",
    "consteval",
    "constinit",
];

/// Whether `prefix` can start every identifier of a header: a C identifier
/// in lower case (its upper-case form names the macros).
pub fn valid_prefix(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A member name from a Rust field or variant identifier (`r#type` → `type`).
pub fn member(rust_ident: &str) -> String {
    let mut name: String = rust_ident
        .trim_start_matches("r#")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "m_");
    }
    // A leading `_` followed by a capital, or two, is reserved to the
    // implementation.
    if name.starts_with('_') {
        name.insert(0, 'm');
    }
    if RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// `OrderCreatedV2Status` → `ORDER_CREATED_V2_STATUS`.
pub fn upper(text: &str) -> String {
    text.to_shouty_snake_case()
}

/// Names unique within one C scope (a struct's members, the file's macros
/// and constants): a clash gets `_` and the lowest free number.
pub fn scope(taken: impl IntoIterator<Item = String>) -> Scope {
    Scope::separated("_", taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_never_keywords() {
        assert_eq!(member("r#type"), "type");
        assert_eq!(member("default"), "default_");
        assert_eq!(member("class"), "class_");
        assert_eq!(member("_Hidden"), "m_Hidden");
        assert_eq!(member("2fa"), "m_2fa");
        assert_eq!(member("linux"), "linux_");
    }

    #[test]
    fn prefixes_are_lower_case_identifiers() {
        assert!(valid_prefix("shop"));
        assert!(valid_prefix("evc_orders2"));
        assert!(!valid_prefix("Shop"));
        assert!(!valid_prefix("2shop"));
        assert!(!valid_prefix("shop-app"));
        assert!(!valid_prefix(""));
    }

    #[test]
    fn clashes_get_an_underscored_suffix() {
        let mut members = scope([]);
        assert_eq!(members.claim("has_note".into()), "has_note");
        assert_eq!(members.claim("has_note".into()), "has_note_2");
        let mut macros = scope(["SHOP_ABI_VERSION".to_string()]);
        assert_eq!(
            macros.claim_with("SHOP_ABI".into(), &["_TYPE", "_VERSION"]),
            "SHOP_ABI_2"
        );
    }
}
