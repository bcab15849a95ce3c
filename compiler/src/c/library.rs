//! The Rust source of the C ABI library: the `repr(C)` mirror of every
//! declaration of the header, conversions between it and the generated
//! Rust types (a borrowed view for dispatch, a checked read for encoding)
//! and the exported functions. The contract logic (decode, validation,
//! upcasts) is the Rust bindings' own, included as `contracts`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::layout::TypeLayout;
use super::view::{CTy, ContractView, Decl, DeclKind, View};
use super::RustBindings;
use crate::bind::ir::{Shape, Ty};
use crate::model::Kind;

/// A Rust identifier for a C name: raw when it is a Rust keyword.
fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// Where a value is: an expression of the value itself, or a binding that
/// holds a reference to it.
enum Place {
    Value(TokenStream),
    Ref(TokenStream),
}

impl Place {
    fn copy(&self) -> TokenStream {
        match self {
            Place::Value(e) => e.clone(),
            Place::Ref(r) => quote!(*#r),
        }
    }

    fn by_ref(&self) -> TokenStream {
        match self {
            Place::Value(e) => quote!(&#e),
            Place::Ref(r) => r.clone(),
        }
    }
}

/// How a C value reads back into Rust: a plain copy, or a check that may fail.
enum Read {
    Plain(TokenStream),
    Checked(TokenStream),
}

impl Read {
    /// The value, a failure located at `segment` and returned early.
    fn at(&self, segment: TokenStream) -> TokenStream {
        match self {
            Read::Plain(e) => e.clone(),
            Read::Checked(e) => quote!(#e.map_err(|e| e.at(#segment))?),
        }
    }

    /// The value, a failure returned early as it is.
    fn unwrap(&self) -> TokenStream {
        match self {
            Read::Plain(e) => e.clone(),
            Read::Checked(e) => quote!(#e?),
        }
    }
}

pub struct Library<'v, 'a> {
    pub view: &'v View<'a>,
    pub layouts: &'v [TypeLayout],
    pub hash: u64,
    pub default_source: &'v str,
    pub rust: &'v dyn RustBindings,
}

impl Library<'_, '_> {
    pub fn tokens(&self, bindings: TokenStream) -> TokenStream {
        let types = self.view.decls.iter().map(|d| self.declaration(d));
        let handlers = self.handler_table();
        let asserts = self.layout_asserts();
        let views = self.view.decls.iter().map(|d| self.view_fn(d));
        let reads = self.view.decls.iter().map(|d| self.read_fn(d));
        let exports = self.exports();
        quote! {
            /// The contract types, their checks and the dispatch table: the
            /// Rust bindings the C functions are built on.
            pub mod contracts {
                #bindings
            }

            /// The C ABI: the header's types as `repr(C)` structs, and the
            /// exported functions.
            #[allow(non_camel_case_types, non_snake_case, deprecated)]
            pub mod c_abi {
                use ::evc_runtime::ffi;
                use super::contracts;

                #(#types)*
                #handlers
                #asserts
                #(#views)*
                #(#reads)*
                #exports
            }
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
            | DeclKind::Newtype { item }
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
        let union = match &decl.kind {
            DeclKind::Union {
                union_name,
                variants,
                ..
            } => {
                let union_name = ident(union_name);
                let members = variants.iter().map(|s| {
                    let (member, ty) = (ident(&s.name), self.c_ty(&s.ty));
                    quote!(pub #member: #ty,)
                });
                quote! {
                    #[repr(C)]
                    #[derive(Clone, Copy)]
                    pub union #union_name { #(#members)* }
                    unsafe impl ffi::Plain for #union_name {}
                }
            }
            _ => TokenStream::new(),
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
            let ty: TokenStream = t.rust_name.parse().unwrap_or_else(|_| quote!(()));
            let (size, align) = (t.size, t.align);
            let message = Literal::string(&format!("{}: layout differs from the header", t.c_name));
            let offsets = t.members.iter().map(|(_, member, offset)| {
                let member = ident(member);
                quote!(assert!(::core::mem::offset_of!(#ty, #member) == #offset, #message);)
            });
            quote! {
                assert!(::core::mem::size_of::<#ty>() == #size, #message);
                assert!(::core::mem::align_of::<#ty>() == #align, #message);
                #(#offsets)*
            }
        });
        quote! {
            // The header asserts the same numbers: both sides agree or neither builds.
            #[cfg(target_pointer_width = "64")]
            const _: () = { #(#checks)* };
        }
    }

    /// Whether converting `ty` to C allocates in the arena.
    fn uses_arena(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Bool | Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 | Ty::Unit => false,
            Ty::Named(id) => !matches!(self.view.items.get(*id).shape, Shape::Enum(_)),
            _ => true,
        }
    }

    fn is_enum(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(id) if matches!(self.view.items.get(*id).shape, Shape::Enum(_)))
    }

    /// The C value of the Rust value at `place`.
    fn to_view(&self, ty: &Ty, place: &Place) -> TokenStream {
        match ty {
            Ty::Bool => {
                let v = place.copy();
                quote!(u8::from(#v))
            }
            Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 => place.copy(),
            Ty::Unit => quote!(0u8),
            Ty::String => {
                let r = place.by_ref();
                quote!(arena.str(#r))
            }
            Ty::Value => {
                let r = place.by_ref();
                quote!(arena.json(#r))
            }
            Ty::Boxed(id) => {
                let function = format_ident!("view_{}", self.view.item_part(*id));
                let r = place.by_ref();
                quote!({
                    let target = #function(#r, arena);
                    arena.boxed(target)
                })
            }
            _ => {
                let function = format_ident!("view_{}", self.view.part(ty));
                let r = place.by_ref();
                if self.is_enum(ty) {
                    quote!(#function(#r))
                } else {
                    quote!(#function(#r, arena))
                }
            }
        }
    }

    /// The `view_*` function: the borrowed C view of a Rust value.
    fn view_fn(&self, decl: &Decl) -> TokenStream {
        let name = self.name(decl);
        let function = format_ident!("view_{}", decl.part);
        let rust = self.rust_of(decl);
        let (body, arena) = match &decl.kind {
            DeclKind::Enum { item, constants } => {
                let Shape::Enum(variants) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let arms = variants.iter().zip(constants).map(|(v, c)| {
                    let variant = self.rust.ident(&v.ident);
                    let value = c.value;
                    quote!(#rust::#variant => #value,)
                });
                return quote! {
                    fn #function(value: &#rust) -> #name {
                        match value { #(#arms)* }
                    }
                };
            }
            DeclKind::Record {
                item,
                fields,
                extra,
            } => {
                let Shape::Struct(s) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let mut members = Vec::new();
                let mut arena = false;
                for (field, slots) in s.fields.iter().zip(fields) {
                    let rust_member = self.rust.ident(&field.ident);
                    let member = ident(&decl.slots[slots.value].name);
                    let place = Place::Value(quote!(value.#rust_member));
                    match (&field.ty, slots.has) {
                        (Ty::Option(inner), Some(has)) => {
                            let has = ident(&decl.slots[has].name);
                            let converted = self.to_view(inner, &Place::Ref(quote!(item)));
                            arena |= self.uses_arena(inner);
                            members.push(quote!(#has: u8::from(value.#rust_member.is_some()),));
                            members.push(quote! {
                                #member: match &value.#rust_member {
                                    Some(item) => #converted,
                                    None => ffi::zeroed(),
                                },
                            });
                        }
                        (ty, _) => {
                            arena |= self.uses_arena(ty);
                            let converted = self.to_view(ty, &place);
                            members.push(quote!(#member: #converted,));
                        }
                    }
                }
                if let (Some(slot), Some(ty)) = (extra, &s.extra) {
                    let member = ident(&decl.slots[*slot].name);
                    let map = Ty::Map(Box::new(ty.clone()));
                    let converted =
                        self.to_view(&map, &Place::Value(quote!(value.additional_properties)));
                    arena = true;
                    members.push(quote!(#member: #converted,));
                }
                if members.is_empty() {
                    members.push(quote!(unused_: 0,));
                    return quote! {
                        fn #function(_value: &#rust, _arena: &mut ffi::Arena) -> #name {
                            #name { #(#members)* }
                        }
                    };
                }
                (quote!(#name { #(#members)* }), arena)
            }
            DeclKind::Newtype { item } => {
                let Shape::Newtype(inner) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let converted = self.to_view(inner, &Place::Value(quote!(value.0)));
                (quote!(#name { value: #converted }), self.uses_arena(inner))
            }
            DeclKind::Union {
                item,
                union_name,
                variants,
                constants,
                ..
            } => {
                let Shape::Union(u) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let union_name = ident(union_name);
                let mut arena = false;
                let arms: Vec<TokenStream> = u
                    .variants
                    .iter()
                    .zip(variants.iter().zip(constants))
                    .map(|(v, (slot, constant))| {
                        let variant = self.rust.ident(&v.ident);
                        let member = ident(&slot.name);
                        let tag = constant.value;
                        arena |= self.uses_arena(&v.data.ty);
                        let converted = self.to_view(&v.data.ty, &Place::Ref(quote!(item)));
                        quote! {
                            #rust::#variant(item) => #name {
                                tag: #tag,
                                value: #union_name { #member: #converted },
                            },
                        }
                    })
                    .collect();
                (quote!(match value { #(#arms)* }), arena)
            }
            DeclKind::Array { elem } => {
                let converted = self.to_view(elem, &Place::Ref(quote!(item)));
                let elem_c = self.c_ty(&self.view.c_ty(elem));
                let elem_rust = self.rust_ty(elem);
                let arena = if self.uses_arena(elem) {
                    quote!(arena)
                } else {
                    quote!(_)
                };
                return quote! {
                    fn #function(value: &[#elem_rust], arena: &mut ffi::Arena) -> #name {
                        let (ptr, len) = arena.fill(value.iter(), |#arena, item| -> #elem_c { #converted });
                        #name { ptr, len }
                    }
                };
            }
            DeclKind::Map { value } => {
                let entry = format_ident!("{}_entry", decl.name);
                let converted = self.to_view(value, &Place::Ref(quote!(item)));
                (
                    quote! {
                        let (ptr, len) = arena.fill(value.iter(), |arena, (key, item)| #entry {
                            key: arena.str(key),
                            value: #converted,
                        });
                        #name { ptr, len }
                    },
                    true,
                )
            }
            DeclKind::MapEntry { .. } => return TokenStream::new(),
            DeclKind::Optional { value } => {
                let converted = self.to_view(value, &Place::Ref(quote!(item)));
                (
                    quote! {
                        match value {
                            Some(item) => #name { has_value: 1, value: #converted },
                            None => ffi::zeroed(),
                        }
                    },
                    self.uses_arena(value),
                )
            }
        };
        let arena = if arena { quote!(arena) } else { quote!(_arena) };
        quote! {
            fn #function(value: &#rust, #arena: &mut ffi::Arena) -> #name {
                #body
            }
        }
    }

    /// The Rust value of the C value at `place`.
    fn read_back(&self, ty: &Ty, place: &Place) -> Read {
        match ty {
            Ty::Bool => {
                let v = place.copy();
                Read::Plain(quote!(#v != 0))
            }
            Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 => Read::Plain(place.copy()),
            Ty::Unit => Read::Plain(quote!(())),
            Ty::String => {
                let v = place.copy();
                Read::Checked(quote!(unsafe { ffi::read_str(#v) }))
            }
            Ty::Value => {
                let v = place.copy();
                Read::Checked(quote!(unsafe { ffi::read_json(#v) }))
            }
            Ty::Boxed(id) => {
                let function = format_ident!("read_{}", self.view.item_part(*id));
                let v = place.copy();
                Read::Checked(quote!(unsafe { ffi::read_ref(#v) }
                    .and_then(|target| unsafe { #function(target) })
                    .map(Box::new)))
            }
            _ if self.is_enum(ty) => {
                let function = format_ident!("read_{}", self.view.part(ty));
                let v = place.copy();
                Read::Checked(quote!(#function(#v)))
            }
            _ => {
                let function = format_ident!("read_{}", self.view.part(ty));
                let r = place.by_ref();
                Read::Checked(quote!(unsafe { #function(#r) }))
            }
        }
    }

    /// The `read_*` function: a C value checked and copied into Rust.
    fn read_fn(&self, decl: &Decl) -> TokenStream {
        let name = self.name(decl);
        let function = format_ident!("read_{}", decl.part);
        let rust = self.rust_of(decl);
        let type_name = Literal::string(&decl.name);
        let body = match &decl.kind {
            DeclKind::Enum { item, constants } => {
                let Shape::Enum(variants) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let arms = variants.iter().zip(constants).map(|(v, c)| {
                    let variant = self.rust.ident(&v.ident);
                    let value = c.value;
                    quote!(#value => Ok(#rust::#variant),)
                });
                return quote! {
                    fn #function(value: #name) -> Result<#rust, ffi::ReadError> {
                        match value {
                            #(#arms)*
                            other => Err(ffi::unknown_constant(other, #type_name)),
                        }
                    }
                };
            }
            DeclKind::Record {
                item,
                fields,
                extra,
            } => {
                let Shape::Struct(s) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let mut members = Vec::new();
                for (field, slots) in s.fields.iter().zip(fields) {
                    let rust_member = self.rust.ident(&field.ident);
                    let member = ident(&decl.slots[slots.value].name);
                    let wire = Literal::string(&field.wire);
                    match (&field.ty, slots.has) {
                        (Ty::Option(inner), Some(has)) => {
                            let has = ident(&decl.slots[has].name);
                            let read = self
                                .read_back(inner, &Place::Value(quote!(c.#member)))
                                .at(quote!(#wire));
                            members.push(quote! {
                                #rust_member: if c.#has != 0 {
                                    Some(#read)
                                } else {
                                    None
                                },
                            });
                        }
                        (ty, _) => {
                            let read = self
                                .read_back(ty, &Place::Value(quote!(c.#member)))
                                .at(quote!(#wire));
                            members.push(quote!(#rust_member: #read,));
                        }
                    }
                }
                if let (Some(slot), Some(ty)) = (extra, &s.extra) {
                    let member = ident(&decl.slots[*slot].name);
                    let map = Ty::Map(Box::new(ty.clone()));
                    let read = self
                        .read_back(&map, &Place::Value(quote!(c.#member)))
                        .unwrap();
                    members.push(quote!(additional_properties: #read,));
                }
                if members.is_empty() {
                    return quote! {
                        unsafe fn #function(_c: &#name) -> Result<#rust, ffi::ReadError> {
                            Ok(#rust {})
                        }
                    };
                }
                quote!(Ok(#rust { #(#members)* }))
            }
            DeclKind::Newtype { item } => {
                let Shape::Newtype(inner) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let read = self
                    .read_back(inner, &Place::Value(quote!(c.value)))
                    .unwrap();
                quote!(Ok(#rust(#read)))
            }
            DeclKind::Union {
                item,
                variants,
                constants,
                ..
            } => {
                let Shape::Union(u) = &self.view.items.get(*item).shape else {
                    return TokenStream::new();
                };
                let arms = u.variants.iter().zip(variants.iter().zip(constants)).map(
                    |(v, (slot, constant))| {
                        let variant = self.rust.ident(&v.ident);
                        let member = ident(&slot.name);
                        let tag = constant.value;
                        let read = self
                            .read_back(&v.data.ty, &Place::Ref(quote!(member)))
                            .unwrap();
                        quote! {
                            #tag => {
                                // SAFETY: the tag says which member C set.
                                let member = unsafe { &c.value.#member };
                                Ok(#rust::#variant(#read))
                            }
                        }
                    },
                );
                quote! {
                    match c.tag {
                        #(#arms)*
                        other => Err(ffi::unknown_constant(other, #type_name).at("tag")),
                    }
                }
            }
            DeclKind::Array { elem } => {
                let read = self
                    .read_back(elem, &Place::Ref(quote!(item)))
                    .at(quote!(index));
                quote! {
                    // SAFETY: the caller promises `ptr` is NULL or points to `len` values.
                    let items = unsafe { ffi::read_slice(c.ptr, c.len) }?;
                    let mut out = Vec::with_capacity(items.len());
                    for (index, item) in items.iter().enumerate() {
                        out.push(#read);
                    }
                    Ok(out)
                }
            }
            DeclKind::Map { value } => {
                let read = self
                    .read_back(value, &Place::Value(quote!(entry.value)))
                    .at(quote!(&key));
                quote! {
                    // SAFETY: the caller promises `ptr` is NULL or points to `len` entries.
                    let entries = unsafe { ffi::read_slice(c.ptr, c.len) }?;
                    let mut out = ::std::collections::BTreeMap::new();
                    for (index, entry) in entries.iter().enumerate() {
                        let key = unsafe { ffi::read_str(entry.key) }.map_err(|e| e.at(index))?;
                        if out.contains_key(&key) {
                            return Err(ffi::ReadError::new(format!("duplicate key `{key}`")).at(index));
                        }
                        let value = #read;
                        out.insert(key, value);
                    }
                    Ok(out)
                }
            }
            DeclKind::MapEntry { .. } => return TokenStream::new(),
            DeclKind::Optional { value } => {
                let read = match self.read_back(value, &Place::Value(quote!(c.value))) {
                    Read::Plain(e) => quote!(Ok(Some(#e))),
                    Read::Checked(e) => quote!(#e.map(Some)),
                };
                quote! {
                    if c.has_value != 0 {
                        #read
                    } else {
                        Ok(None)
                    }
                }
            }
        };
        let depth = matches!(
            decl.kind,
            DeclKind::Record { .. } | DeclKind::Newtype { .. } | DeclKind::Union { .. }
        )
        .then(|| quote!(let _depth = ffi::Depth::enter()?;));
        quote! {
            /// # Safety
            /// Every pointer inside `c` is NULL or valid for its length.
            unsafe fn #function(c: &#name) -> Result<#rust, ffi::ReadError> {
                #depth
                #body
            }
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
