//! `Contract` impls: what the runtime needs to know of each generated payload
//! type (kind, names, wire type, version, JSON Schema), and the alias naming
//! each contract's latest version.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::emit::{allow_deprecated, doc_attrs, ident, Emitter};
use crate::bind::{Lowered, Root};
use crate::model::{json::bundle, Kind, Model};

/// The `Contract` impl of one root type.
pub fn contract_impl(
    model: &Model,
    lowered: &Lowered,
    root: &Root,
    emitter: &Emitter,
) -> TokenStream {
    let rt = emitter.checks.rt;
    let contract = &model.contracts[root.contract];
    let version = &contract.versions[root.version];
    let item = lowered.items.get(root.item);
    let name = ident(&item.name);
    let kind = match contract.kind {
        Kind::Event => quote!(#rt::Kind::Event),
        Kind::Command => quote!(#rt::Kind::Command),
    };
    let contract_name = Literal::string(&contract.name.value);
    let namespace = Literal::string(&contract.namespace.value);
    let wire_type = Literal::string(&contract.wire_type(root.major));
    let number = version
        .version
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let number = Literal::string(&number);
    let schema = schema_literal(&bundle(&model.types, version.schema));
    let allow = allow_deprecated(item.deprecated);
    quote! {
        #allow
        impl #rt::Contract for #name {
            const KIND: #rt::Kind = #kind;
            const NAME: &'static str = #contract_name;
            const NAMESPACE: &'static str = #namespace;
            const WIRE_TYPE: &'static str = #wire_type;
            const VERSION: &'static str = #number;
            const SCHEMA: &'static str = #schema;
        }
    }
}

/// The alias naming the latest version of the contract `index`, when
/// `root` is that version.
pub fn latest_alias(model: &Model, lowered: &Lowered, root: &Root) -> TokenStream {
    let Some(alias) = lowered.latest.get(&root.contract) else {
        return TokenStream::new();
    };
    let latest = lowered.roots.iter().rfind(|r| r.contract == root.contract);
    if latest.is_none_or(|latest| latest.item != root.item) {
        return TokenStream::new();
    }
    let contract = &model.contracts[root.contract];
    let item = lowered.items.get(root.item);
    let target = ident(&item.name);
    let alias = ident(alias);
    let docs = doc_attrs(&[format!(
        " The latest version of the `{}` {} (`{}`).",
        contract.name.value,
        contract.kind,
        contract.wire_type(root.major)
    )]);
    let allow = allow_deprecated(item.deprecated);
    quote! {
        #docs
        #allow
        pub type #alias = #target;
    }
}

/// The schema as pretty-printed JSON in a raw string: readable in the
/// generated file, and no text of the schema can close the literal early,
/// since the delimiter has one `#` more than any `"#…` run inside.
fn schema_literal(schema: &serde_json::Value) -> Literal {
    let text = serde_json::to_string_pretty(schema).unwrap_or_else(|_| schema.to_string());
    let text = escape_bidi(&text);
    let hashes = "#".repeat(longest_quote_hashes(&text) + 1);
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(&text))
}

/// The longest run of `#` right after a `"`.
fn longest_quote_hashes(text: &str) -> usize {
    text.split('"')
        .skip(1)
        .map(|after| after.len() - after.trim_start_matches('#').len())
        .max()
        .unwrap_or(0)
}

/// Bidirectional controls written as JSON escapes: rustc refuses them in
/// literals (`text_direction_codepoint_in_literal`), and they can only stand
/// inside JSON strings, where the escape reads back as the same text.
fn escape_bidi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_outlasts_every_quote_hash_run() {
        let schema = serde_json::json!({ "description": "a \"## b \"#" });
        let literal = schema_literal(&schema).to_string();
        assert!(literal.starts_with("r###\""), "{literal}");
        let parsed: syn::LitStr = syn::parse_str(&literal).expect("a string literal");
        let back: serde_json::Value = serde_json::from_str(&parsed.value()).expect("JSON");
        assert_eq!(back, schema);
    }

    #[test]
    fn bidi_controls_are_escaped_and_read_back() {
        let schema = serde_json::json!({ "description": "a\u{202e}b\u{2066}c" });
        let literal = schema_literal(&schema).to_string();
        assert!(!literal.contains('\u{202e}') && !literal.contains('\u{2066}'));
        let parsed: syn::LitStr = syn::parse_str(&literal).expect("a string literal");
        let back: serde_json::Value = serde_json::from_str(&parsed.value()).expect("JSON");
        assert_eq!(back, schema);
    }
}
