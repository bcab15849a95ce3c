//! `contracts!("schemas")`: the Rust bindings of a directory of contracts,
//! generated at compile time.
//!
//! The path is relative to the crate's `Cargo.toml`. Contract errors become
//! compile errors as rustc renders its own: `RULE: message`, the
//! `--> file:line:column` line, the quoted source and the help. Every file read is
//! also `include_bytes!`-ed, so Cargo rebuilds the crate when a contract
//! changes; a file *added* to the directory is noticed on the next change to
//! an existing one (or use `evc::Builder` in `build.rs`, which watches the
//! directory).

use std::path::PathBuf;

use proc_macro::TokenStream;
use proc_macro2::{Literal, Span};
use quote::quote;
use syn::{parse_macro_input, LitStr};

#[proc_macro]
pub fn contracts(input: TokenStream) -> TokenStream {
    let dir = parse_macro_input!(input as LitStr);
    expand(&dir).into()
}

fn expand(dir: &LitStr) -> proc_macro2::TokenStream {
    let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return error(
            dir.span(),
            "CARGO_MANIFEST_DIR is not set; build with Cargo",
        );
    };
    let root = PathBuf::from(manifest).join(dir.value());
    let options = evc::rust::Options::default();
    // Findings name files as the macro call does, relative to the crate.
    let lint = match evc::load::read_dir(&root) {
        Ok(inputs) => evc::lint_inputs(inputs, std::path::Path::new(&dir.value())),
        Err(e) => {
            return error(
                dir.span(),
                &format!(
                    "evc: cannot read the contracts directory `{}` (relative to the crate's Cargo.toml): {e}",
                    dir.value()
                ),
            )
        }
    };
    let watched = lint
        .sources
        .iter()
        .map(|(_, file)| root.join(&file.relative))
        .filter_map(|path| path.to_str().map(Literal::string));
    let watch = quote!(#(const _: &[u8] = include_bytes!(#watched);)*);
    if !lint.has_errors() {
        let code = evc::rust::tokens(&evc::bind::bind(&lint.model), &options);
        return quote!(#watch #code);
    }
    // One compile error per finding, each quoting its line and help: rustc
    // shows each, none is lost.
    let errors = lint.diagnostics.iter().filter(|d| d.is_error()).map(|d| {
        error(
            dir.span(),
            &evc::report::compile::render_one(&lint.sources, d),
        )
    });
    let fallback = only_configurable(&lint)
        .then(|| evc::rust::tokens(&evc::bind::bind(&lint.model), &options));
    quote!(#watch #(#errors)* #fallback)
}

/// Whether every error is of a rule users may lower. Those leave a complete
/// model behind, so the bindings are still generated next to the errors (as
/// syn and thiserror expand a fallback beside `compile_error!`): the crate
/// then shows the contract's errors and not a cascade of "cannot find type"
/// where it uses the bindings. Other errors leave nothing sound to generate.
fn only_configurable(lint: &evc::Lint) -> bool {
    lint.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .all(|d| d.rule.rule().configurable)
}

fn error(span: Span, message: &str) -> proc_macro2::TokenStream {
    syn::Error::new(span, message).to_compile_error()
}
