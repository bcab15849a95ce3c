//! The C backend: model to a C99 header (`<prefix>.h`), a handler skeleton
//! (`<prefix>_handlers.c`) and the Rust source of the C ABI library that
//! implements the header on top of the Rust bindings and evc-runtime.
//!
//! One [`view::View`] describes every C type, member and layout; the
//! templates render the header and skeleton from it, and [`library`]
//! generates the matching `repr(C)` types from the same description, so
//! the two sides cannot drift apart. Like every backend it reads only the
//! [`Binding`]: callers decide where the text goes. The library wraps the
//! Rust bindings, which the caller hands in as [`RustBindings`]: this
//! backend does not depend on the Rust one.

mod layout;
mod library;
mod names;
mod render;
mod view;

use proc_macro2::{Ident, TokenStream};

use crate::bind::ir::Ty;
use crate::bind::Binding;
use crate::model::Model;

/// The C ABI convention version: bumped when the shape of the generated
/// API (status numbers, fixed types, signatures) changes.
pub const ABI_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct Options {
    /// Starts every C identifier: `shop` → `shop.h`, `shop_dispatch`, `SHOP_STATUS_OK`.
    pub prefix: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            prefix: "evc".to_string(),
        }
    }
}

/// The generated files' text.
#[derive(Debug, Clone)]
pub struct Output {
    pub prefix: String,
    /// `<prefix>.h`.
    pub header: String,
    /// `<prefix>_handlers.c`.
    pub handlers: String,
    /// The library crate's `src/lib.rs`.
    pub library: String,
}

/// Why the C backend cannot bind a contract set.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "`{0}` cannot prefix C identifiers: use lower-case ASCII letters, digits and `_`, starting with a letter"
    )]
    InvalidPrefix(String),
    #[error("the contract set is empty: there is nothing to bind")]
    NoContracts,
    /// A `custom: true` upcast is Rust code the user writes; the generated
    /// library crate has no place to take it from.
    #[error(
        "`{contract}` {version} upcasts with `custom: true`, which needs a Rust impl the generated C library cannot hold; write the upcast as steps to bind it to C"
    )]
    CustomUpcast { contract: String, version: String },
    #[error("a C template failed to render: {0:#}")]
    Template(#[source] minijinja::Error),
}

/// What the C library needs of the Rust bindings of the same [`Binding`]:
/// the library is a Rust crate whose C functions convert to and from the
/// bindings' types and call their decode, checks and upcasts.
pub trait RustBindings {
    /// The bindings' items, included in the library as `mod contracts`.
    fn items(&self) -> Vec<TokenStream>;
    /// How the bindings write the type `ty`, named items as `#module Name`.
    fn type_tokens(&self, ty: &Ty, module: &TokenStream) -> TokenStream;
    /// The identifier the bindings give a binding name (`r#type`).
    fn ident(&self, name: &str) -> Ident;
    /// Library modules as the text of one formatted source file, the
    /// start of the library's. Each module is made when the one before it
    /// is written, and its items are printed one at a time, so a wide
    /// contract's syntax tree is never held whole.
    fn file(&self, modules: &mut dyn Iterator<Item = Module>) -> String;
}

/// A module of the library's source.
pub struct Module {
    /// Its attributes and `pub mod <name>`, without the body.
    pub head: TokenStream,
    pub name: Ident,
    pub items: Vec<TokenStream>,
}

pub fn generate(
    binding: &Binding,
    options: &Options,
    rust: &dyn RustBindings,
) -> Result<Output, Error> {
    let prefix = &options.prefix;
    let model = binding.model;
    if !names::valid_prefix(prefix) {
        return Err(Error::InvalidPrefix(prefix.clone()));
    }
    custom_upcasts(model)?;
    let view = view::View::build(model, &binding.lowered, prefix);
    if view.contracts.is_empty() {
        return Err(Error::NoContracts);
    }
    let layouts = layout::layouts(&view);
    let hash = digest(&view, &layouts);
    let default_source = format!("urn:evc:{prefix}");
    let rendered = render::render(
        &view,
        hash,
        &default_source,
        &layout::c_asserts(&layouts, &view.upper),
    )
    .map_err(Error::Template)?;
    let library = library::Library {
        view: &view,
        layouts: &layouts,
        hash,
        default_source: &default_source,
        rust,
    };
    // The bindings' items are dropped once printed, before the C ABI is made.
    let mut contracts = std::iter::once_with(|| library::Library::contracts(rust.items()));
    let mut source = rust.file(&mut contracts);
    source.push_str(&library.c_abi());
    Ok(Output {
        prefix: prefix.clone(),
        header: rendered.header,
        handlers: rendered.handlers,
        library: source,
    })
}

fn custom_upcasts(model: &Model) -> Result<(), Error> {
    for contract in &model.contracts {
        for version in &contract.versions {
            let custom = version.upcast.as_ref().is_some_and(|steps| {
                steps
                    .value
                    .iter()
                    .any(|s| s.value == crate::model::UpcastStep::Custom)
            });
            if custom {
                return Err(Error::CustomUpcast {
                    contract: contract.name.value.clone(),
                    version: version
                        .version
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                });
            }
        }
    }
    Ok(())
}

/// FNV-1a over every name, C type and offset of the ABI: equal digests mean
/// a header and a library agree on all of it.
fn digest(view: &view::View<'_>, layouts: &[layout::TypeLayout]) -> u64 {
    let mut text = format!("abi {ABI_VERSION}\n");
    for status in evc_runtime::ffi::Status::ALL {
        text.push_str(&format!("status {} {}\n", status.name(), status.code()));
    }
    for t in layouts {
        text.push_str(&format!("type {} {} {}\n", t.c_name, t.size, t.align));
        for (member, _, offset) in &t.members {
            text.push_str(&format!("  {member} {offset}\n"));
        }
    }
    for decl in &view.decls {
        text.push_str(&format!("decl {}\n", decl.name));
        for slot in &decl.slots {
            let ty = render::text(&slot.ty, &view.prefix);
            text.push_str(&format!("  {} {ty}\n", slot.name));
        }
        match &decl.kind {
            view::DeclKind::Enum { constants, .. } => {
                for c in constants {
                    text.push_str(&format!("  {} {} {}\n", c.name, c.value, c.wire));
                }
            }
            view::DeclKind::Union { branches, .. } => {
                for b in branches {
                    let ty = render::text(&b.member.ty, &view.prefix);
                    text.push_str(&format!(
                        "  {} {ty} {} {}\n",
                        b.member.name, b.tag.name, b.tag.value
                    ));
                }
            }
            _ => {}
        }
    }
    for c in &view.contracts {
        text.push_str(&format!(
            "contract {} {} {}\n",
            c.wire, c.function, c.c_type
        ));
    }
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The manifest of a standalone library crate around [`Output::library`]:
/// a static and a shared library named after the prefix. `runtime` is the
/// dependency line's value for evc-runtime (`"0.1"` or `{ path = "…" }`).
pub fn manifest(prefix: &str, runtime: &str) -> String {
    format!(
        "# @generated by evc; do not edit.\n\
         [package]\n\
         name = \"{prefix}\"\n\
         version = \"0.1.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\
         \n\
         [lib]\n\
         path = \"src/lib.rs\"\n\
         # No rlib: with one among the crate types rustc skips link-time\n\
         # optimisation, and Rust callers use `evc gen rust` instead.\n\
         crate-type = [\"staticlib\", \"cdylib\"]\n\
         \n\
         [dependencies]\n\
         evc-runtime = {runtime}\n\
         \n\
         # Size over build time: one codegen unit and link-time optimisation\n\
         # across evc-runtime and std drop the code C never calls; `strip`\n\
         # removes debug info and local symbols, never the exported entry points.\n\
         [profile.release]\n\
         opt-level = 3\n\
         lto = true\n\
         codegen-units = 1\n\
         strip = true\n\
         # Not \"abort\": every entry point catches a panic and returns\n\
         # STATUS_INTERNAL with its message, which needs unwinding; with abort\n\
         # a bug in the library would end the C program instead.\n\
         panic = \"unwind\"\n\
         \n\
         # A crate of its own, not a member of an enclosing workspace.\n\
         [workspace]\n"
    )
}
