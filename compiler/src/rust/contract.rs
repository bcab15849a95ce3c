//! `Contract` impls: what the runtime needs to know of each generated payload
//! type (kind, names, wire type, version, JSON Schema), and the alias naming
//! each contract's latest version.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::emit::{doc_attrs, ident, Emitter};
use crate::bind::Lowered;
use crate::model::{json::bundle, Kind, Model};

pub fn impls(model: &Model, lowered: &Lowered, emitter: &Emitter) -> TokenStream {
    let rt = emitter.checks.rt;
    let mut out = TokenStream::new();
    for root in &lowered.roots {
        let contract = &model.contracts[root.contract];
        let version = &contract.versions[root.version];
        let name = ident(&lowered.items.get(root.item).name);
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
        let schema = Literal::string(&bundle(&model.types, version.schema).to_string());
        out.extend(quote! {
            #[allow(deprecated)]
            impl #rt::Contract for #name {
                const KIND: #rt::Kind = #kind;
                const NAME: &'static str = #contract_name;
                const NAMESPACE: &'static str = #namespace;
                const WIRE_TYPE: &'static str = #wire_type;
                const VERSION: &'static str = #number;
                const SCHEMA: &'static str = #schema;
            }
        });
    }
    for (index, alias) in &lowered.latest {
        let Some(latest) = lowered.roots.iter().rfind(|r| r.contract == *index) else {
            continue;
        };
        let contract = &model.contracts[*index];
        let target = ident(&lowered.items.get(latest.item).name);
        let alias = ident(alias);
        let docs = doc_attrs(&[format!(
            " The latest version of the `{}` {} (`{}`).",
            contract.name.value,
            contract.kind,
            contract.wire_type(latest.major)
        )]);
        out.extend(quote! {
            #docs
            #[allow(deprecated)]
            pub type #alias = #target;
        });
    }
    out
}
