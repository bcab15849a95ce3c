//! Naming rules: tense and mood of contract names, case conventions, names
//! that collide once converted, and names that are keywords in Rust or C.

use std::collections::{BTreeMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::words::{IMPERATIVE_VERBS, IRREGULAR_PAST, NOT_PAST_ED};
use crate::config::{Naming, SchemaFiles};
use crate::diagnostic::Diagnostic;
use crate::model::identifier::{field_name, type_name};
use crate::model::{Contract, Form, Kind, Model};
use crate::rules::RuleId;
use crate::source::FileId;

pub fn check(model: &Model, naming: &Naming, out: &mut Vec<Diagnostic>) {
    for contract in &model.contracts {
        contract_name(contract, naming, out);
        namespace(contract, out);
    }
    contract_collisions(model, out);
    fields(model, naming, out);
}

/// Files written in the contract language: the property naming rules look
/// at these, and at JSON Schema files only when `naming.schema_files` is
/// strict.
fn contract_files(model: &Model) -> HashSet<FileId> {
    model
        .contracts
        .iter()
        .filter(|c| c.form == Form::Contract)
        .map(|c| c.name.place.file)
        .collect()
}

fn contract_name(contract: &Contract, naming: &Naming, out: &mut Vec<Diagnostic>) {
    let name = &contract.name;
    if !is_pascal_case(&name.value) {
        let suggestion = name.value.to_upper_camel_case();
        let diagnostic = Diagnostic::new(
            RuleId::NameNotPascalCase,
            name.place,
            format!("contract name `{}` is not PascalCase", name.value),
        );
        out.push(if is_pascal_case(&suggestion) {
            diagnostic.hint(format!("rename it `{suggestion}`"))
        } else {
            diagnostic.hint("use letters and digits, starting with an upper-case letter")
        });
    }
    if naming.allow.iter().any(|a| a == &name.value) {
        return;
    }
    let words = split_words(&name.value);
    match contract.kind {
        Kind::Event if !words.iter().any(|w| is_past(w, naming)) => out.push(
            Diagnostic::new(
                RuleId::EventNotPastTense,
                name.place,
                format!(
                    "event `{}` should be named in the past tense: an event states a fact that happened",
                    name.value
                ),
            )
            .hint(format!(
                "e.g. `{}Created`, `{}Updated`; if the name is right, add it to `naming.allow` in evc.yaml",
                words.first().map(String::as_str).unwrap_or("Order"),
                words.first().map(String::as_str).unwrap_or("Order")
            )),
        ),
        Kind::Command if !words.first().is_some_and(|w| is_imperative(w, naming)) => {
            out.push(
                Diagnostic::new(
                    RuleId::CommandNotImperative,
                    name.place,
                    format!(
                        "command `{}` should start with an imperative verb: a command asks for something to be done",
                        name.value
                    ),
                )
                .hint(imperative_hint(&words)),
            );
        }
        _ => {}
    }
}

/// Suggests moving a verb that appears later to the front (`OrderCreate` ->
/// `CreateOrder`), or says how to teach evc a verb it does not know.
fn imperative_hint(words: &[String]) -> String {
    let first = words.first().map(String::as_str).unwrap_or_default();
    let verb = words
        .iter()
        .position(|w| IMPERATIVE_VERBS.contains(&w.as_str()));
    match verb {
        Some(i) => {
            let mut reordered = vec![words[i].clone()];
            reordered.extend(words.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, w)| w.clone()));
            format!(
                "rename it `{}`; if `{first}` is a verb here, add it to `naming.imperative` in evc.yaml",
                reordered.concat()
            )
        }
        None => format!(
            "e.g. `CreateOrder`, `CancelPayment`; if `{first}` is a verb here, add it to `naming.imperative` in evc.yaml"
        ),
    }
}

fn namespace(contract: &Contract, out: &mut Vec<Diagnostic>) {
    let ns = &contract.namespace;
    let valid = !ns.value.is_empty()
        && ns.value.split('.').all(|segment| {
            let mut chars = segment.chars();
            chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if !valid {
        out.push(
            Diagnostic::new(
                RuleId::NamespaceInvalid,
                ns.place,
                format!(
                    "namespace `{}` is not lower-case dot-separated words",
                    ns.value
                ),
            )
            .hint(
                "e.g. `com.example.orders`: each segment starts with a letter, then a-z, 0-9 or _",
            ),
        );
    }
}

/// Contracts become types of one generated module: two names that convert
/// to the same identifier cannot both exist there.
fn contract_collisions(model: &Model, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, &Contract> = BTreeMap::new();
    for contract in &model.contracts {
        let key = type_name(&contract.name.value, "Contract");
        match seen.get(&key) {
            Some(first) => out.push(
                Diagnostic::new(
                    RuleId::NameCollision,
                    contract.name.place,
                    format!(
                        "contract `{}` ({}) and `{}` ({}) both become the type `{key}`",
                        contract.name.value,
                        contract.namespace.value,
                        first.name.value,
                        first.namespace.value
                    ),
                )
                .related(first.name.place, "the other contract")
                .hint("rename one of them"),
            ),
            None => {
                seen.insert(key, contract);
            }
        }
    }
}

fn fields(model: &Model, naming: &Naming, out: &mut Vec<Diagnostic>) {
    let contract_files = contract_files(model);
    for (_, schema) in model.types.iter() {
        // A published schema's names are the wire's: where they are no
        // snake_case, or collide as fields or variants, the generated names
        // are converted and numbered (`foo_bar`, `foo_bar_2`) instead.
        let conventions = naming.schema_files == SchemaFiles::Strict
            || contract_files.contains(&schema.place.file);
        if !conventions {
            continue;
        }
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for property in &schema.properties {
            let name = &*property.name;
            if !is_snake_case(name) {
                let suggestion = name.to_snake_case();
                let diagnostic = Diagnostic::new(
                    RuleId::FieldNotSnakeCase,
                    property.name_place,
                    format!("property `{name}` is not snake_case"),
                );
                out.push(if is_snake_case(&suggestion) {
                    diagnostic.hint(format!("rename it `{suggestion}`"))
                } else {
                    diagnostic.hint("use lower-case letters, digits and single underscores, starting with a letter")
                });
            }
            if is_keyword(name) {
                out.push(
                    Diagnostic::new(
                        RuleId::ReservedKeyword,
                        property.name_place,
                        format!("property `{name}` is a Rust or C keyword"),
                    )
                    .hint(format!(
                        "generated code will call it `r#{name}` in Rust and `{name}_` in C; rename it to avoid that"
                    )),
                );
            }
            let key = field_name(name);
            match seen.get(&key) {
                Some(first) => out.push(
                    Diagnostic::new(
                        RuleId::NameCollision,
                        property.name_place,
                        format!("properties `{first}` and `{name}` both become the field `{key}`"),
                    )
                    .hint("rename one of them"),
                ),
                None => {
                    seen.insert(key, name);
                }
            }
        }
        enum_collisions(schema, out);
    }
}

/// String enum values become enum variants.
fn enum_collisions(schema: &crate::model::Schema, out: &mut Vec<Diagnostic>) {
    let Some(values) = &schema.enumeration else {
        return;
    };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let strings = values
        .value
        .iter()
        .zip(
            schema
                .enumeration_places
                .iter()
                .chain(std::iter::repeat(&values.place)),
        )
        .filter_map(|(v, place)| Some((v.as_str()?, *place)));
    for (value, place) in strings {
        let key = type_name(value, "Empty");
        match seen.get(&key) {
            // Equal values are a duplicate, reported by the structure rules.
            Some(first) if *first == value => {}
            Some(first) => out.push(
                Diagnostic::new(
                    RuleId::NameCollision,
                    place,
                    format!("enum values `{first}` and `{value}` both become the variant `{key}`"),
                )
                .hint("keep one spelling"),
            ),
            None => {
                seen.insert(key, value);
            }
        }
    }
}

fn is_past(word: &str, naming: &Naming) -> bool {
    if naming
        .past_tense
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word))
    {
        return true;
    }
    if IRREGULAR_PAST.contains(&word) {
        return true;
    }
    word.len() > 3 && word.ends_with("ed") && !NOT_PAST_ED.contains(&word)
}

fn is_imperative(word: &str, naming: &Naming) -> bool {
    naming
        .imperative
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word))
        || IMPERATIVE_VERBS.contains(&word)
}

/// `PaymentMadeV2` -> `["Payment", "Made", "V2"]`, following heck's rules.
fn split_words(name: &str) -> Vec<String> {
    name.to_snake_case()
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_upper_camel_case())
        .collect()
}

pub fn is_pascal_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.to_upper_camel_case() == name
}

pub fn is_snake_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}

/// Rust (2021, strict and reserved) and C99/C11 keywords.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "auto", "await", "become", "bool", "box", "break", "case", "char",
    "const", "continue", "crate", "default", "do", "double", "dyn", "else", "enum", "extern",
    "false", "final", "float", "fn", "for", "gen", "goto", "if", "impl", "in", "inline", "int",
    "let", "long", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "register", "restrict", "return", "self", "short", "signed", "sizeof", "static",
    "struct", "super", "switch", "trait", "true", "try", "type", "typedef", "typeof", "union",
    "unsafe", "unsigned", "unsized", "use", "virtual", "void", "volatile", "where", "while",
    "yield",
];

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naming() -> Naming {
        Naming::default()
    }

    #[test]
    fn past_tense_covers_regular_and_irregular_verbs() {
        for word in [
            "Created",
            "Canceled",
            "Made",
            "Sent",
            "Paid",
            "Bought",
            "Withdrawn",
        ] {
            assert!(is_past(word, &naming()), "{word}");
        }
        for word in ["Create", "Need", "Speed", "Order", "Available"] {
            assert!(!is_past(word, &naming()), "{word}");
        }
    }

    #[test]
    fn words_follow_case_conversion() {
        assert_eq!(
            split_words("ItemNotAvailable"),
            ["Item", "Not", "Available"]
        );
        assert_eq!(split_words("MakePayment"), ["Make", "Payment"]);
    }

    #[test]
    fn case_predicates() {
        assert!(is_pascal_case("OrderCreated"));
        assert!(!is_pascal_case("orderCreated"));
        assert!(!is_pascal_case("HTTPRequested"));
        assert!(is_snake_case("order_id"));
        assert!(is_snake_case("line2"));
        assert!(!is_snake_case("orderId"));
        assert!(!is_snake_case("order__id"));
    }
}
