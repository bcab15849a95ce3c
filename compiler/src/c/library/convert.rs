//! Conversions between the `repr(C)` types and the Rust bindings' types:
//! `view_*` lends a Rust value to C (dispatch), `read_*` checks a C value and
//! copies it into Rust (encoding). Both directions of every case are written
//! side by side, from the one description of the view, so a type converted
//! one way is converted back the same way.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{ident, Library};
use crate::bind::ir::{Shape, Ty};
use crate::c::view::{Branch, Constant, Decl, DeclKind, ExtraSlot, FieldSlots};

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

/// One value converted both ways.
struct Value {
    /// The C value of the Rust value.
    view: TokenStream,
    /// The Rust value of the C value.
    read: Read,
    /// Whether the view allocates in the arena.
    arena: bool,
}

/// A declaration's two conversion functions.
pub(super) struct Functions {
    pub view: TokenStream,
    pub read: TokenStream,
}

/// What a declaration converts between, and the names of its conversions.
struct Target {
    /// The `repr(C)` type.
    name: Ident,
    /// The bindings' type.
    rust: TokenStream,
    view_fn: Ident,
    read_fn: Ident,
    /// The C name, for errors.
    type_name: Literal,
}

/// The bodies of a declaration's conversions, before their signatures.
struct Bodies {
    view: TokenStream,
    arena: bool,
    read: TokenStream,
}

impl Library<'_, '_> {
    /// The `view_*` and `read_*` functions of a declaration. A map's entry
    /// has none: its map's functions convert it in place.
    pub(super) fn conversions(&self, decl: &Decl) -> Option<Functions> {
        let target = Target {
            name: self.name(decl),
            rust: self.rust_of(decl),
            view_fn: format_ident!("view_{}", decl.part),
            read_fn: format_ident!("read_{}", decl.part),
            type_name: Literal::string(&decl.name),
        };
        let Target {
            name,
            rust,
            view_fn,
            read_fn,
            ..
        } = &target;
        let bodies = match &decl.kind {
            DeclKind::MapEntry { .. } => return None,
            DeclKind::Enum { constants, .. } => {
                return Some(self.enumeration(constants, &target));
            }
            DeclKind::Record { fields, extra, .. } if fields.is_empty() && extra.is_none() => {
                return Some(Functions {
                    view: quote! {
                        fn #view_fn(_value: &#rust, _arena: &mut ffi::Arena) -> #name {
                            #name { unused_: 0, }
                        }
                    },
                    read: quote! {
                        unsafe fn #read_fn(_c: &#name) -> Result<#rust, ffi::ReadError> {
                            Ok(#rust {})
                        }
                    },
                });
            }
            DeclKind::Array { elem } => return Some(self.array(elem, &target)),
            DeclKind::Record { fields, extra, .. } => {
                self.record(decl, fields, extra.as_ref(), &target)
            }
            DeclKind::Newtype { inner, .. } => {
                let value = self.value(
                    inner,
                    &Place::Value(quote!(value.0)),
                    &Place::Value(quote!(c.value)),
                );
                let (view, read) = (value.view, value.read.unwrap());
                Bodies {
                    view: quote!(#name { value: #view }),
                    arena: value.arena,
                    read: quote!(Ok(#rust(#read))),
                }
            }
            DeclKind::Union {
                union_name,
                branches,
                ..
            } => self.union(branches, &ident(union_name), &target),
            DeclKind::Map { value } => self.map(value, name, decl),
            DeclKind::Optional { value } => self.optional(value, name),
        };
        let arena = if bodies.arena {
            quote!(arena)
        } else {
            quote!(_arena)
        };
        // Nested values recurse through these: the guard bounds how deep C can make them.
        let depth = matches!(
            decl.kind,
            DeclKind::Record { .. } | DeclKind::Newtype { .. } | DeclKind::Union { .. }
        )
        .then(|| quote!(let _depth = ffi::Depth::enter()?;));
        let (view, read) = (bodies.view, bodies.read);
        Some(Functions {
            view: quote! {
                fn #view_fn(value: &#rust, #arena: &mut ffi::Arena) -> #name {
                    #view
                }
            },
            read: quote! {
                /// # Safety
                /// Every pointer inside `c` is NULL or valid for its length.
                unsafe fn #read_fn(c: &#name) -> Result<#rust, ffi::ReadError> {
                    #depth
                    #read
                }
            },
        })
    }

    /// A value of type `ty` at `rust` (Rust side) and at `c` (C side).
    fn value(&self, ty: &Ty, rust: &Place, c: &Place) -> Value {
        let (copy, by_ref) = (rust.copy(), rust.by_ref());
        let (c_copy, c_ref) = (c.copy(), c.by_ref());
        let plain = |view, read| Value {
            view,
            read: Read::Plain(read),
            arena: false,
        };
        match ty {
            Ty::Bool => plain(quote!(u8::from(#copy)), quote!(#c_copy != 0)),
            Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 => plain(copy, c_copy),
            Ty::Unit => plain(quote!(0u8), quote!(())),
            Ty::String => Value {
                view: quote!(arena.str(#by_ref)),
                read: Read::Checked(quote!(unsafe { ffi::read_str(#c_copy) })),
                arena: true,
            },
            Ty::Value => Value {
                view: quote!(arena.json(#by_ref)),
                read: Read::Checked(quote!(unsafe { ffi::read_json(#c_copy) })),
                arena: true,
            },
            Ty::Boxed(id) => {
                let part = self.view.item_part(*id);
                let (view_fn, read_fn) =
                    (format_ident!("view_{part}"), format_ident!("read_{part}"));
                Value {
                    view: quote!({
                        let target = #view_fn(#by_ref, arena);
                        arena.boxed(target)
                    }),
                    read: Read::Checked(quote!(unsafe { ffi::read_ref(#c_copy) }
                        .and_then(|target| unsafe { #read_fn(target) })
                        .map(Box::new))),
                    arena: true,
                }
            }
            _ => {
                let part = self.view.part(ty);
                let (view_fn, read_fn) =
                    (format_ident!("view_{part}"), format_ident!("read_{part}"));
                if self.is_enum(ty) {
                    Value {
                        view: quote!(#view_fn(#by_ref)),
                        read: Read::Checked(quote!(#read_fn(#c_copy))),
                        arena: false,
                    }
                } else {
                    Value {
                        view: quote!(#view_fn(#by_ref, arena)),
                        read: Read::Checked(quote!(unsafe { #read_fn(#c_ref) })),
                        arena: true,
                    }
                }
            }
        }
    }

    fn is_enum(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(id) if matches!(self.view.items.get(*id).shape, Shape::Enum(_)))
    }

    fn enumeration(&self, constants: &[Constant], target: &Target) -> Functions {
        let Target {
            name,
            rust,
            view_fn,
            read_fn,
            type_name,
        } = target;
        let variants: Vec<_> = constants
            .iter()
            .map(|c| (self.rust.ident(&c.variant), c.value))
            .collect();
        let views = variants.iter().map(|(v, n)| quote!(#rust::#v => #n,));
        let reads = variants.iter().map(|(v, n)| quote!(#n => Ok(#rust::#v),));
        Functions {
            view: quote! {
                fn #view_fn(value: &#rust) -> #name {
                    match value { #(#views)* }
                }
            },
            read: quote! {
                fn #read_fn(value: #name) -> Result<#rust, ffi::ReadError> {
                    match value {
                        #(#reads)*
                        other => Err(ffi::unknown_constant(other, #type_name)),
                    }
                }
            },
        }
    }

    fn record(
        &self,
        decl: &Decl,
        fields: &[FieldSlots],
        extra: Option<&ExtraSlot>,
        Target { name, rust, .. }: &Target,
    ) -> Bodies {
        let mut views = Vec::new();
        let mut reads = Vec::new();
        let mut arena = false;
        for field in fields {
            let rust_member = self.rust.ident(&field.field);
            let member = ident(&decl.slots[field.value].name);
            let wire = Literal::string(&field.wire);
            match field.has {
                Some(has) => {
                    let has = ident(&decl.slots[has].name);
                    let value = self.value(
                        &field.ty,
                        &Place::Ref(quote!(item)),
                        &Place::Value(quote!(c.#member)),
                    );
                    arena |= value.arena;
                    // An enum's view is a function of the reference alone: pass it as is.
                    let view = if self.is_enum(&field.ty) {
                        let function = format_ident!("view_{}", self.view.part(&field.ty));
                        quote!(#function)
                    } else {
                        let view = value.view;
                        quote!(|item| #view)
                    };
                    let read = match value.read {
                        Read::Plain(e) => quote!(Ok(#e)),
                        Read::Checked(e) => e,
                    };
                    views.push(quote!(#has: u8::from(value.#rust_member.is_some()),));
                    views.push(quote! {
                        #member: value.#rust_member.as_ref().map_or_else(ffi::zeroed, #view),
                    });
                    reads.push(quote!(#rust_member: ffi::optional(#wire, c.#has, || #read)?,));
                }
                None => {
                    let value = self.value(
                        &field.ty,
                        &Place::Value(quote!(value.#rust_member)),
                        &Place::Value(quote!(c.#member)),
                    );
                    arena |= value.arena;
                    let (view, read) = (value.view, value.read.at(quote!(#wire)));
                    views.push(quote!(#member: #view,));
                    reads.push(quote!(#rust_member: #read,));
                }
            }
        }
        if let Some(extra) = extra {
            let member = ident(&decl.slots[extra.slot].name);
            let value = self.value(
                &Ty::Map(Box::new(extra.value.clone())),
                &Place::Value(quote!(value.additional_properties)),
                &Place::Value(quote!(c.#member)),
            );
            arena |= value.arena;
            let (view, read) = (value.view, value.read.unwrap());
            views.push(quote!(#member: #view,));
            reads.push(quote!(additional_properties: #read,));
        }
        Bodies {
            view: quote!(#name { #(#views)* }),
            arena,
            read: quote!(Ok(#rust { #(#reads)* })),
        }
    }

    fn union(
        &self,
        branches: &[Branch],
        union_name: &Ident,
        Target {
            name,
            rust,
            type_name,
            ..
        }: &Target,
    ) -> Bodies {
        let mut arena = false;
        let mut views = Vec::new();
        let mut reads = Vec::new();
        for branch in branches {
            let variant = self.rust.ident(&branch.tag.variant);
            let member = ident(&branch.member.name);
            let tag = branch.tag.value;
            let value = self.value(
                &branch.ty,
                &Place::Ref(quote!(item)),
                &Place::Ref(quote!(member)),
            );
            arena |= value.arena;
            let (view, read) = (value.view, value.read.unwrap());
            views.push(quote! {
                #rust::#variant(item) => #name {
                    tag: #tag,
                    value: #union_name { #member: #view },
                },
            });
            reads.push(quote! {
                #tag => {
                    // SAFETY: the tag says which member C set.
                    let member = unsafe { &c.value.#member };
                    Ok(#rust::#variant(#read))
                }
            });
        }
        Bodies {
            view: quote!(match value { #(#views)* }),
            arena,
            read: quote! {
                match c.tag {
                    #(#reads)*
                    other => Err(ffi::unknown_constant(other, #type_name).at("tag")),
                }
            },
        }
    }

    fn array(&self, elem: &Ty, target: &Target) -> Functions {
        let Target {
            name,
            rust,
            view_fn,
            read_fn,
            ..
        } = target;
        let value = self.value(elem, &Place::Ref(quote!(item)), &Place::Ref(quote!(item)));
        let (view, read) = (value.view, value.read.at(quote!(index)));
        let elem_c = self.c_ty(&self.view.c_ty(elem));
        let elem_rust = self.rust_ty(elem);
        let arena = if value.arena {
            quote!(arena)
        } else {
            quote!(_)
        };
        Functions {
            view: quote! {
                fn #view_fn(value: &[#elem_rust], arena: &mut ffi::Arena) -> #name {
                    let (ptr, len) = arena.fill(value.iter(), |#arena, item| -> #elem_c { #view });
                    #name { ptr, len }
                }
            },
            read: quote! {
                /// # Safety
                /// Every pointer inside `c` is NULL or valid for its length.
                unsafe fn #read_fn(c: &#name) -> Result<#rust, ffi::ReadError> {
                    // SAFETY: the caller promises `ptr` is NULL or points to `len` values.
                    let items = unsafe { ffi::read_slice(c.ptr, c.len) }?;
                    let mut out = Vec::with_capacity(items.len());
                    for (index, item) in items.iter().enumerate() {
                        out.push(#read);
                    }
                    Ok(out)
                }
            },
        }
    }

    fn map(&self, value: &Ty, name: &Ident, decl: &Decl) -> Bodies {
        let entry = format_ident!("{}_entry", decl.name);
        let value = self.value(
            value,
            &Place::Ref(quote!(item)),
            &Place::Value(quote!(entry.value)),
        );
        let (view, read) = (value.view, value.read.at(quote!(&key)));
        Bodies {
            view: quote! {
                let (ptr, len) = arena.fill(value.iter(), |arena, (key, item)| #entry {
                    key: arena.str(key),
                    value: #view,
                });
                #name { ptr, len }
            },
            arena: true,
            read: quote! {
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
            },
        }
    }

    fn optional(&self, value: &Ty, name: &Ident) -> Bodies {
        let value = self.value(
            value,
            &Place::Ref(quote!(item)),
            &Place::Value(quote!(c.value)),
        );
        let view = value.view;
        let read = match value.read {
            Read::Plain(e) => quote!(Ok(Some(#e))),
            Read::Checked(e) => quote!(#e.map(Some)),
        };
        Bodies {
            view: quote! {
                match value {
                    Some(item) => #name { has_value: 1, value: #view },
                    None => ffi::zeroed(),
                }
            },
            arena: value.arena,
            read: quote! {
                if c.has_value != 0 {
                    #read
                } else {
                    Ok(None)
                }
            },
        }
    }
}
