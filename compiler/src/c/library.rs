//! The Rust source of the C ABI library: the `repr(C)` mirror of every
//! declaration of the header, conversions between it and the generated
//! Rust types (a borrowed view for dispatch, a checked read for encoding)
//! and the exported functions. The contract logic (decode, validation,
//! upcasts) is the Rust bindings' own, included as `contracts`.
//!
//! The types, layout checks and conversions are written as text (see
//! [`text`]), in the layout prettyplease would give them; the handler
//! table and the exports are tokens printed by prettyplease.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

mod convert;
mod text;

use super::layout::TypeLayout;
use super::view::{CTy, ContractView, Decl, DeclKind, Slot, View};
use super::{Module, RustBindings};
use crate::bind::ir::Ty;
use crate::model::Kind;
use text::Writer;

/// A Rust identifier for a C name: raw when it is a Rust keyword.
fn ident(name: &str) -> Ident {
    if plainly_not_keyword(name) || syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// Whether `name` is an identifier no Rust keyword can be, told without
/// parsing it: every keyword but `Self` is lower-case letters alone (`_`
/// included), so a C name with a digit, an upper-case letter or an
/// underscore among other characters is none.
fn plainly_not_keyword(name: &str) -> bool {
    name.len() > 1
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.bytes().any(|b| !b.is_ascii_lowercase())
        && name != "Self"
}

/// A `::`-separated path of identifiers.
fn path(text: &str) -> String {
    let segments: Vec<String> = text.split("::").map(|s| ident(s).to_string()).collect();
    segments.join("::")
}

pub struct Library<'v, 'a> {
    pub view: &'v View<'a>,
    pub layouts: &'v [TypeLayout],
    pub hash: u64,
    pub default_source: &'v str,
    pub rust: &'v dyn RustBindings,
}

impl Library<'_, '_> {
    /// The module of the Rust bindings the C functions are built on.
    pub fn contracts(bindings: Vec<TokenStream>) -> Module {
        Module {
            head: quote! {
                /// The contract types, their checks and the dispatch table: the
                /// Rust bindings the C functions are built on.
                pub mod contracts
            },
            name: format_ident!("contracts"),
            items: bindings,
        }
    }

    /// The C ABI module's source: `repr(C)` types, layout checks,
    /// conversions, exports. The per-type items are written as text; the
    /// few irregular ones are printed from tokens.
    pub fn c_abi(&self) -> String {
        let module = format_ident!("c_abi");
        let mut w = Writer::new(0);
        w.doc("The C ABI: the header's types as `repr(C)` structs, and the");
        w.doc("exported functions.");
        w.line("#[allow(non_camel_case_types, non_snake_case, deprecated)]");
        w.open("pub mod c_abi {");
        w.line("use ::evc_runtime::ffi;");
        w.line("use super::contracts;");
        for decl in &self.view.decls {
            self.declaration(&mut w, decl);
        }
        let mut out = w.finish();
        out.push_str(&text::printed(&module, self.handler_table()));
        let mut w = Writer::new(1);
        self.layout_asserts(&mut w);
        out.push_str(&w.finish());
        let (views, reads): (Vec<_>, Vec<_>) = self
            .view
            .decls
            .iter()
            .filter_map(|d| self.conversions(d))
            .map(|f| (f.view, f.read))
            .unzip();
        for function in views.iter().chain(&reads) {
            out.push_str(function);
        }
        out.push_str(&text::printed(&module, self.exports()));
        out.push_str("}\n");
        out
    }

    fn c_ty(&self, ty: &CTy) -> String {
        match ty {
            CTy::Bool | CTy::Null => "u8".to_string(),
            CTy::I32 => "i32".to_string(),
            CTy::I64 => "i64".to_string(),
            CTy::U32 => "u32".to_string(),
            CTy::U64 => "u64".to_string(),
            CTy::F64 => "f64".to_string(),
            CTy::Size => "usize".to_string(),
            CTy::Str | CTy::Json => "ffi::Str".to_string(),
            CTy::Named(name) | CTy::Union(name) => ident(name).to_string(),
            CTy::Ptr(inner) => format!("*const {}", self.c_ty(inner)),
        }
    }

    /// The Rust type of the bindings, seen from `c_abi`.
    fn rust_ty(&self, ty: &Ty) -> String {
        text::type_text(self.rust_ty_tokens(ty))
    }

    fn rust_ty_tokens(&self, ty: &Ty) -> TokenStream {
        self.rust.type_tokens(ty, &quote!(contracts::))
    }

    /// The Rust type a declaration converts from and to.
    fn rust_of(&self, decl: &Decl) -> String {
        match &decl.kind {
            DeclKind::Record { item, .. }
            | DeclKind::Newtype { item, .. }
            | DeclKind::Enum { item, .. }
            | DeclKind::Union { item, .. } => self.rust_ty(&Ty::Named(*item)),
            DeclKind::Array { elem } => self.rust_ty(&Ty::Vec(Box::new(elem.clone()))),
            DeclKind::Tuple { positions } => self.rust_ty(&Ty::Tuple(positions.clone())),
            DeclKind::Map { value } | DeclKind::MapEntry { value } => {
                self.rust_ty(&Ty::Map(Box::new(value.clone())))
            }
            DeclKind::Optional { value } => self.rust_ty(&Ty::Option(Box::new(value.clone()))),
        }
    }

    fn declaration(&self, w: &mut Writer, decl: &Decl) {
        let name = ident(&decl.name);
        let doc = format!("`{}` of the header.", decl.name);
        if decl.is_enum() {
            w.doc(&doc);
            w.line(&format!("pub type {name} = i32;"));
            return;
        }
        // A tagged union's members live in a C union declared before it.
        if let DeclKind::Union {
            union_name,
            branches,
            ..
        } = &decl.kind
        {
            let members = branches.iter().map(|b| &b.member);
            self.plain(w, &format!("pub union {}", ident(union_name)), members);
        }
        w.doc(&doc);
        self.plain(w, &format!("pub struct {name}"), decl.slots.iter());
    }

    /// A `repr(C)` struct or union of `members`, and its `Plain` impl.
    fn plain<'s>(&self, w: &mut Writer, head: &str, members: impl Iterator<Item = &'s Slot>) {
        w.line("#[repr(C)]");
        w.line("#[derive(Clone, Copy)]");
        let mut members = members.peekable();
        if members.peek().is_none() {
            w.line(&format!("{head} {{}}"));
        } else {
            w.open(&format!("{head} {{"));
            for member in members {
                w.line(&format!(
                    "pub {}: {},",
                    ident(&member.name),
                    self.c_ty(&member.ty)
                ));
            }
            w.close("}");
        }
        let name = head.rsplit(' ').next().unwrap_or_default();
        w.line("// SAFETY: made of integers, pointers and other plain types.");
        w.line(&format!("unsafe impl ffi::Plain for {name} {{}}"));
    }

    fn handler_table(&self) -> TokenStream {
        let name = format_ident!("{}_handlers", self.view.prefix);
        let entries = self.view.contracts.iter().map(|c| {
            let entry = format_ident!("on_{}", c.function);
            let ty = ident(&c.c_type);
            quote!(pub #entry: ffi::Handler<#ty>,)
        });
        quote! {
            /// `<prefix>_handlers`: one C function (or NULL) per contract.
            #[repr(C)]
            #[derive(Clone, Copy)]
            pub struct #name { #(#entries)* }
        }
    }

    /// The header asserts the same numbers: both sides agree or neither builds.
    fn layout_asserts(&self, w: &mut Writer) {
        w.line("#[cfg(target_pointer_width = \"64\")]");
        w.open("const _: () = {");
        w.line("use ::core::mem::{align_of, offset_of, size_of};");
        for t in self.layouts {
            let ty = path(&t.rust_name);
            let table = ident(&t.c_name);
            w.open(&format!("let {table} = ["));
            w.line(&format!("(size_of::<{ty}>(), {}usize),", t.size));
            w.line(&format!("(align_of::<{ty}>(), {}usize),", t.align));
            for (_, member, offset) in &t.members {
                w.line(&format!(
                    "(offset_of!({ty}, {}), {offset}usize),",
                    ident(member)
                ));
            }
            w.close("];");
            let message = text::string(&format!("{}: layout differs from the header", t.c_name));
            w.macro_call(
                "assert!",
                &[format!("ffi::layout_agrees({table})"), message],
                ";",
            );
        }
        w.close("};");
    }

    fn exports(&self) -> TokenStream {
        let prefix = &self.view.prefix;
        let f = |suffix: &str| format_ident!("{prefix}_{suffix}");
        let (dispatch, set_source, buf_free, status_str, last_error, abi_version, check_abi) = (
            f("dispatch"),
            f("set_source"),
            f("buf_free"),
            f("status_str"),
            f("last_error"),
            f("abi_version"),
            f("check_abi"),
        );
        let handlers = f("handlers");
        let (abi, hash) = (super::ABI_VERSION, Literal::u64_suffixed(self.hash));
        let default_source = Literal::string(self.default_source);
        let events = self.arms(Kind::Event);
        let commands = self.arms(Kind::Command);
        let encoders = self.view.contracts.iter().map(|c| self.encoder(c));
        quote! {
            /// The ABI convention and the digest of the contracts this library was built from.
            pub const ABI: (u32, u64) = (#abi, #hash);

            static SOURCE: ffi::Source = ffi::Source::new(#default_source);

            /// Decodes, validates and upcasts one message and calls its handler.
            ///
            /// # Safety
            /// `bytes` is NULL or points to `len` readable bytes; `handlers` is NULL
            /// or points to a table whose entries are NULL or functions of their
            /// declared signature.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn #dispatch(
                bytes: *const u8,
                len: usize,
                handlers: *const #handlers,
                ctx: *mut ::std::ffi::c_void,
            ) -> i32 {
                ffi::guard(|| {
                    // SAFETY: the caller's promise above.
                    let bytes = unsafe { ffi::bytes_arg(bytes, len) }?;
                    // SAFETY: NULL or a valid table.
                    let handlers = unsafe { handlers.as_ref() }.ok_or_else(|| ffi::Failure::null("handlers"))?;
                    let (envelope, message) = ::evc_runtime::dispatch::receive(
                        bytes,
                        &contracts::Router,
                        contracts::decode_envelope,
                    )?;
                    let mut arena = ffi::Arena::default();
                    let meta = ffi::Meta::of(&envelope, &mut arena);
                    match message {
                        contracts::Message::Event(event) => match event { #(#events)* },
                        contracts::Message::Command(command) => match command { #(#commands)* },
                    }
                })
            }

            #(#encoders)*

            /// Sets the CloudEvents `source` of encoded envelopes.
            ///
            /// # Safety
            /// `source` is NULL or a NUL-terminated string.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn #set_source(source: *const ::std::ffi::c_char) -> i32 {
                ffi::guard(|| {
                    // SAFETY: the caller's promise above.
                    let source = unsafe { ffi::text_arg(source, "source") }?;
                    SOURCE.set(source)
                })
            }

            /// Releases a buffer an encode function filled.
            ///
            /// # Safety
            /// `buf` is NULL or a buffer the library filled and nobody changed.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn #buf_free(buf: *mut ffi::Buf) {
                let _ = ffi::guard(|| {
                    // SAFETY: the caller's promise above.
                    unsafe { ffi::Buf::free(buf) };
                    Ok(())
                });
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn #status_str(status: i32) -> *const ::std::ffi::c_char {
                ffi::status_str(status)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn #last_error() -> *const ::std::ffi::c_char {
                ffi::last_error()
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn #abi_version() -> u32 {
                ABI.0
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn #check_abi(abi_version: u32, contracts_hash: u64) -> i32 {
                ffi::guard(|| ffi::check_abi(ABI, (abi_version, contracts_hash)))
            }
        }
    }

    fn arms(&self, kind: Kind) -> Vec<TokenStream> {
        self.view
            .contracts
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| {
                let variant = self.rust.ident(&c.variant);
                let entry = format_ident!("on_{}", c.function);
                let entry_name = Literal::string(&entry.to_string());
                let part = self.view.item_part(c.item);
                let view = format_ident!("view_{part}");
                let latest = self.rust_ty_tokens(&Ty::Named(c.item));
                match kind {
                    Kind::Event => quote! {
                        contracts::Event::#variant(event) => {
                            let view = #view(&event, &mut arena);
                            // SAFETY: the table's entries are NULL or of this signature.
                            unsafe { ffi::call_event(handlers.#entry, ctx, &meta, &view, #entry_name) }
                        }
                    },
                    Kind::Command => quote! {
                        contracts::Command::#variant(command) => {
                            let view = #view(&command, &mut arena);
                            // SAFETY: the table's entries are NULL or of this signature.
                            unsafe {
                                ffi::call_command(
                                    handlers.#entry,
                                    ctx,
                                    &meta,
                                    &view,
                                    #entry_name,
                                    <#latest as ::evc_runtime::Contract>::WIRE_TYPE,
                                )
                            }
                        }
                    },
                }
            })
            .collect()
    }

    fn encoder(&self, c: &ContractView) -> TokenStream {
        let function = format_ident!("{}_encode_{}", self.view.prefix, c.function);
        let ty = ident(&c.c_type);
        let read = format_ident!("read_{}", self.view.item_part(c.item));
        let argument = Literal::string(&c.kind.to_string());
        let doc = Literal::string(&format!(
            " Validates a `{}` from C and encodes it as a new CloudEvents envelope.",
            c.name
        ));
        quote! {
            #[doc = #doc]
            ///
            /// # Safety
            /// `value` is NULL or points to a value whose pointers are NULL or
            /// valid for their lengths; `out` is NULL or writable.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn #function(value: *const #ty, out: *mut ffi::Buf) -> i32 {
                ffi::guard(|| {
                    // SAFETY: the caller's promise above.
                    let out = unsafe { out.as_mut() }.ok_or_else(|| ffi::Failure::null("out"))?;
                    *out = ffi::Buf::EMPTY;
                    // SAFETY: the caller's promise above.
                    let value = unsafe { value.as_ref() }.ok_or_else(|| ffi::Failure::null(#argument))?;
                    // SAFETY: the caller's promise above.
                    let payload = unsafe { #read(value) }?;
                    ffi::encode(&SOURCE, &payload, out)
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut must never call a keyword plain: it agrees with syn on
    /// every Rust keyword and on the shapes C names take.
    #[test]
    fn plain_names_are_told_without_parsing_as_syn_tells_them() {
        let keywords = [
            "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
            "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen",
            "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override",
            "priv", "pub", "ref", "return", "Self", "self", "static", "struct", "super", "trait",
            "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where",
            "while", "yield",
        ];
        let names = [
            "p0",
            "has_p1",
            "w_WideThing",
            "x_T",
            "__",
            "_a",
            "value",
            "A",
            "a",
        ];
        for name in keywords.iter().chain(&names) {
            let parsed = syn::parse_str::<Ident>(name).is_ok();
            if plainly_not_keyword(name) {
                assert!(
                    parsed,
                    "{name} is called plain but syn parses no identifier"
                );
            }
        }
        assert!(plainly_not_keyword("has_p1") && plainly_not_keyword("w_WideThing"));
        assert_eq!(ident("has_p1").to_string(), "has_p1");
        assert_eq!(ident("type").to_string(), "r#type");
    }
}
