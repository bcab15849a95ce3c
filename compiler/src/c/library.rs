//! The Rust source of the C ABI library: the `repr(C)` mirror of every
//! declaration of the header, conversions between it and the generated
//! Rust types (a borrowed view for dispatch, a checked read for encoding)
//! and the exported functions. The contract logic (decode, validation,
//! upcasts) is the Rust bindings' own, included as `contracts`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

mod convert;

use super::layout::TypeLayout;
use super::view::{CTy, ContractView, Decl, DeclKind, View};
use super::{Module, RustBindings};
use crate::bind::ir::Ty;
use crate::model::Kind;

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

/// A `::`-separated path of identifiers as tokens.
fn path(text: &str) -> TokenStream {
    let segments = text.split("::").map(ident);
    quote!(#(#segments)::*)
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

    /// The module of the C ABI: `repr(C)` types, conversions, exports.
    pub fn c_abi(&self) -> Module {
        let head = quote! {
            /// The C ABI: the header's types as `repr(C)` structs, and the
            /// exported functions.
            #[allow(non_camel_case_types, non_snake_case, deprecated)]
            pub mod c_abi
        };
        let mut items = vec![quote! {
            use ::evc_runtime::ffi;
            use super::contracts;
        }];
        items.extend(self.view.decls.iter().map(|d| self.declaration(d)));
        items.push(self.handler_table());
        items.push(self.layout_asserts());
        let (views, reads): (Vec<_>, Vec<_>) = self
            .view
            .decls
            .iter()
            .filter_map(|d| self.conversions(d))
            .map(|f| (f.view, f.read))
            .unzip();
        items.extend(views);
        items.extend(reads);
        items.push(self.exports());
        Module {
            head,
            name: format_ident!("c_abi"),
            items,
        }
    }

    fn name(&self, decl: &Decl) -> Ident {
        ident(&decl.name)
    }

    fn c_ty(&self, ty: &CTy) -> TokenStream {
        match ty {
            CTy::Bool | CTy::Null => quote!(u8),
            CTy::I32 => quote!(i32),
            CTy::I64 => quote!(i64),
            CTy::U32 => quote!(u32),
            CTy::U64 => quote!(u64),
            CTy::F64 => quote!(f64),
            CTy::Size => quote!(usize),
            CTy::Str | CTy::Json => quote!(ffi::Str),
            CTy::Named(name) | CTy::Union(name) => {
                let name = ident(name);
                quote!(#name)
            }
            CTy::Ptr(inner) => {
                let inner = self.c_ty(inner);
                quote!(*const #inner)
            }
        }
    }

    /// The Rust type of the bindings, seen from `c_abi`.
    fn rust_ty(&self, ty: &Ty) -> TokenStream {
        self.rust.type_tokens(ty, &quote!(contracts::))
    }

    /// The Rust type a declaration converts from and to.
    fn rust_of(&self, decl: &Decl) -> TokenStream {
        match &decl.kind {
            DeclKind::Record { item, .. }
            | DeclKind::Newtype { item, .. }
            | DeclKind::Enum { item, .. }
            | DeclKind::Union { item, .. } => self.rust_ty(&Ty::Named(*item)),
            DeclKind::Array { elem } => self.rust_ty(&Ty::Vec(Box::new(elem.clone()))),
            DeclKind::Map { value } | DeclKind::MapEntry { value } => {
                self.rust_ty(&Ty::Map(Box::new(value.clone())))
            }
            DeclKind::Optional { value } => self.rust_ty(&Ty::Option(Box::new(value.clone()))),
        }
    }

    fn declaration(&self, decl: &Decl) -> TokenStream {
        let name = self.name(decl);
        let doc = Literal::string(&format!(" `{}` of the header.", decl.name));
        if decl.is_enum() {
            return quote! {
                #[doc = #doc]
                pub type #name = i32;
            };
        }
        let fields = decl.slots.iter().map(|s| {
            let (member, ty) = (ident(&s.name), self.c_ty(&s.ty));
            quote!(pub #member: #ty,)
        });
        // A tagged union's members live in a C union declared before it.
        let union = match &decl.kind {
            DeclKind::Union {
                union_name,
                branches,
                ..
            } => {
                let union_name = ident(union_name);
                let members = branches.iter().map(|b| {
                    let (member, ty) = (ident(&b.member.name), self.c_ty(&b.member.ty));
                    quote!(pub #member: #ty,)
                });
                Some(quote! {
                    #[repr(C)]
                    #[derive(Clone, Copy)]
                    pub union #union_name { #(#members)* }
                    unsafe impl ffi::Plain for #union_name {}
                })
            }
            _ => None,
        };
        quote! {
            #union
            #[doc = #doc]
            #[repr(C)]
            #[derive(Clone, Copy)]
            pub struct #name { #(#fields)* }
            // SAFETY: made of integers, pointers and other plain types.
            unsafe impl ffi::Plain for #name {}
        }
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

    fn layout_asserts(&self) -> TokenStream {
        let checks = self.layouts.iter().map(|t| {
            let ty = path(&t.rust_name);
            let (size, align) = (t.size, t.align);
            let message = Literal::string(&format!("{}: layout differs from the header", t.c_name));
            let offsets = t.members.iter().map(|(_, member, offset)| {
                let member = ident(member);
                quote!((offset_of!(#ty, #member), #offset))
            });
            let table = ident(&t.c_name);
            quote! {
                let #table = [
                    (size_of::<#ty>(), #size),
                    (align_of::<#ty>(), #align),
                    #(#offsets,)*
                ];
                assert!(ffi::layout_agrees(#table), #message);
            }
        });
        quote! {
            // The header asserts the same numbers: both sides agree or neither builds.
            #[cfg(target_pointer_width = "64")]
            const _: () = {
                use ::core::mem::{align_of, offset_of, size_of};
                #(#checks)*
            };
        }
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
                let latest = self.rust_ty(&Ty::Named(c.item));
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
