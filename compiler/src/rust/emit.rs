//! Items to Rust tokens: the type declarations with their serde attributes
//! and their `Validate` impls.

use std::collections::HashMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::validate::{Access, Checks, Segment};
use crate::bind::ir::{Field, Item, ItemId, Items, Shape, Struct, Ty, Union, Variant};
use crate::bind::text::code_span;
use crate::model::SchemaId;

pub struct Emitter<'a> {
    pub items: &'a Items,
    /// See [`super::Options::non_exhaustive`].
    pub non_exhaustive: bool,
    pub checks: Checks<'a>,
}

/// An identifier, raw when the name asks for it (`r#type`).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type of a value; named items are written as `#module #Name`
/// (`module` empty, or a path such as `contracts::`).
pub fn type_tokens(ty: &Ty, items: &Items, rt: &TokenStream, module: &TokenStream) -> TokenStream {
    let of = |inner: &Ty| type_tokens(inner, items, rt, module);
    match ty {
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::U32 => quote!(u32),
        Ty::U64 => quote!(u64),
        Ty::F64 => quote!(f64),
        Ty::String => quote!(String),
        Ty::Unit => quote!(()),
        Ty::Value => quote!(#rt::serde_json::Value),
        Ty::Vec(inner) => {
            let inner = of(inner);
            quote!(Vec<#inner>)
        }
        Ty::Tuple(positions) => {
            let positions = positions.iter().map(of);
            quote!((#(#positions),*))
        }
        Ty::Map(inner) => {
            let inner = of(inner);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = of(inner);
            quote!(Option<#inner>)
        }
        Ty::Named(id) => {
            let name = ident(&items.get(*id).name);
            quote!(#module #name)
        }
        Ty::Boxed(id) => {
            let name = ident(&items.get(*id).name);
            quote!(Box<#module #name>)
        }
    }
}

/// `#[allow(deprecated)]` where the code names a deprecated type or field,
/// and nowhere else, so the allow marks the places that lean on one.
pub fn allow_deprecated(needed: bool) -> Option<TokenStream> {
    needed.then(|| quote!(#[allow(deprecated)]))
}

/// Whether a type names a deprecated item (an alias does not count: the
/// lint looks through it no more than the reader has to).
fn names_deprecated(ty: &Ty, items: &Items) -> bool {
    match ty {
        Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) => names_deprecated(inner, items),
        Ty::Tuple(positions) => positions.iter().any(|p| names_deprecated(p, items)),
        Ty::Named(id) | Ty::Boxed(id) => items.get(*id).deprecated,
        _ => false,
    }
}

/// The named items a type holds directly.
fn held_items(ty: &Ty, out: &mut Vec<ItemId>) {
    match ty {
        Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) => held_items(inner, out),
        Ty::Tuple(positions) => positions.iter().for_each(|p| held_items(p, out)),
        Ty::Named(id) | Ty::Boxed(id) => out.push(*id),
        _ => {}
    }
}

/// The types an item's members hold, and whether a member is deprecated.
fn members(item: &Item) -> (Vec<&Ty>, bool) {
    match &item.shape {
        Shape::Struct(s) => (
            s.fields.iter().map(|f| &f.ty).chain(&s.extra).collect(),
            s.fields.iter().any(|f| f.deprecated),
        ),
        Shape::Newtype(inner) => (vec![inner], false),
        Shape::Enum(_) => (Vec::new(), false),
        Shape::Union(u) => (u.variants.iter().map(|v| &v.data.ty).collect(), false),
    }
}

/// Whether code over an item's members names something deprecated.
pub fn members_deprecated(item: &Item, items: &Items) -> bool {
    let (types, deprecated_member) = members(item);
    deprecated_member || types.iter().any(|ty| names_deprecated(ty, items))
}

/// Whether the impls of an item name something deprecated: the item
/// itself, one of its fields, or a type one of its members holds.
pub fn touches_deprecated(item: &Item, items: &Items) -> bool {
    item.deprecated || members_deprecated(item, items)
}

/// Whether anything reachable from `id` is deprecated (an upcast reads and
/// builds nested values, field by field).
pub fn reaches_deprecated(id: ItemId, items: &Items) -> bool {
    let mut seen = vec![id];
    let mut next = 0;
    while let Some(&current) = seen.get(next) {
        next += 1;
        let item = items.get(current);
        if touches_deprecated(item, items) {
            return true;
        }
        let mut held = Vec::new();
        for ty in members(item).0 {
            held_items(ty, &mut held);
        }
        for id in held {
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
    }
    false
}

pub fn doc_attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| Literal::string(l));
    quote!(#(#[doc = #lines])*)
}

impl Emitter<'_> {
    pub fn ty(&self, ty: &Ty) -> TokenStream {
        type_tokens(ty, self.items, self.checks.rt, &TokenStream::new())
    }

    pub fn item(&self, id: ItemId) -> TokenStream {
        let item = self.items.get(id);
        match &item.shape {
            Shape::Struct(s) => self.structure(item, s),
            Shape::Newtype(inner) => self.newtype(item, inner),
            Shape::Enum(variants) => self.string_enum(item, variants),
            Shape::Union(u) => self.union(item, u),
        }
    }

    fn header(&self, item: &Item) -> TokenStream {
        let docs = doc_attrs(&item.docs);
        let deprecated = item.deprecated.then(|| quote!(#[deprecated]));
        quote!(#docs #deprecated)
    }

    /// `#[non_exhaustive]` on the types a minor version may grow (see
    /// [`super::Options::non_exhaustive`]); a newtype cannot grow, and
    /// marking it would only forbid building it outside the crate.
    fn growable(&self) -> Option<TokenStream> {
        self.non_exhaustive.then(|| quote!(#[non_exhaustive]))
    }

    /// Whether the impls of `item` need `#[allow(deprecated)]`.
    fn allow(&self, item: &Item) -> Option<TokenStream> {
        allow_deprecated(touches_deprecated(item, self.items))
    }

    /// The derives and the lints of a declaration: through `contracts!` the
    /// derives' reads of a deprecated field carry the macro's span and warn,
    /// so a declaration with a deprecated member allows it.
    fn derives(&self, item: &Item, extra: TokenStream) -> TokenStream {
        let rt = self.checks.rt;
        let serde_path = Literal::string(&format!("{}::serde", rt_path_text(rt)));
        let mut lints = vec![quote!(dead_code)];
        if members_deprecated(item, self.items) {
            lints.push(quote!(deprecated));
        }
        // A union's variants hold their branches by value; how far their
        // sizes differ depends on the schema.
        if matches!(item.shape, Shape::Union(_)) {
            lints.push(quote!(clippy::large_enum_variant));
        }
        quote! {
            #[derive(Debug, Clone, PartialEq, #extra)]
            #[serde(crate = #serde_path)]
            #[allow(#(#lints),*)]
        }
    }

    fn structure(&self, item: &Item, s: &Struct) -> TokenStream {
        let rt = self.checks.rt;
        let name = ident(&item.name);
        let header = self.header(item);
        let derives = self.derives(item, quote!(#rt::serde::Serialize, #rt::serde::Deserialize));
        let closed = s.closed.then(|| quote!(#[serde(deny_unknown_fields)]));
        let fields = s.fields.iter().map(|f| self.field(&item.name, f));
        let defaults = s
            .fields
            .iter()
            .filter_map(|f| self.default_fn(&item.name, f))
            .map(|(_, function)| function);
        let extra = s.extra.as_ref().map(|ty| {
            let ty = self.ty(&Ty::Map(Box::new(ty.clone())));
            quote! {
                /// Properties beyond the declared ones (`additionalProperties`).
                #[serde(flatten)]
                pub additional_properties: #ty,
            }
        });
        let own = crate::model::resolve::conjuncts(self.checks.types, item.schema);
        let mut checks = self
            .checks
            .whole(&own, &Access::bound(quote!(self)), &[], 0, None);
        for field in &s.fields {
            let member = ident(&field.ident);
            let path = [Segment::Property(field.wire.clone())];
            checks.extend(self.checks.value(
                &field.schemas,
                &field.ty,
                Access::place(quote!(self.#member)),
                &path,
                0,
            ));
        }
        if let Some(ty) = &s.extra {
            checks.extend(self.checks.extra_properties(
                item.schema,
                ty,
                Access::place(quote!(self.additional_properties)),
            ));
        }
        checks.extend(self.property_counts(&own, s));
        checks.extend(self.required_kept(&own, s));
        let validate = self.validate_impl(item, checks);
        let constructor = self.constructor(item, s);
        let growable = self.growable();
        quote! {
            #header
            #derives
            #growable
            #closed
            pub struct #name {
                #(#fields)*
                #extra
            }
            #constructor
            #(#defaults)*
            #validate
        }
    }

    /// A required name no field declares, on a struct that keeps its other
    /// properties in a map: it must be among them.
    fn required_kept(&self, own: &[SchemaId], s: &Struct) -> Vec<TokenStream> {
        if s.extra.is_none() {
            return Vec::new();
        }
        let rt = self.checks.rt;
        let fields: std::collections::HashSet<&str> =
            s.fields.iter().map(|f| f.wire.as_str()).collect();
        let names: std::collections::BTreeSet<&str> = own
            .iter()
            .flat_map(|id| &self.checks.types.get(*id).required)
            .map(|r| r.value.as_str())
            .filter(|name| !fields.contains(name))
            .collect();
        names
            .into_iter()
            .map(|name| {
                let name = Literal::string(name);
                quote! {
                    #rt::check::required_held(self.additional_properties.contains_key(#name), #name)?;
                }
            })
            .collect()
    }

    /// `minProperties`, `maxProperties` and `dependentRequired` on a struct,
    /// counting its properties as its JSON holds them: a required or
    /// defaulted field is always written, an optional one when it is `Some`,
    /// and the flattened map adds its entries. A property the struct neither
    /// declares nor keeps in a map is absent.
    fn property_counts(&self, own: &[SchemaId], s: &Struct) -> Vec<TokenStream> {
        let constrained = own.iter().map(|id| self.checks.types.get(*id)).any(|m| {
            m.min_properties.is_some()
                || m.max_properties.is_some()
                || !m.dependent_required.is_empty()
        });
        if !constrained {
            return Vec::new();
        }
        let optional = |f: &Field| !f.required && !f.defaulted && matches!(f.ty, Ty::Option(_));
        let always = s.fields.iter().filter(|f| !optional(f)).count();
        let mut terms = Vec::new();
        if always > 0 || s.fields.iter().all(|f| !optional(f)) && s.extra.is_none() {
            terms.push(quote!(#always));
        }
        for f in s.fields.iter().filter(|f| optional(f)) {
            let member = ident(&f.ident);
            terms.push(quote!(usize::from(self.#member.is_some())));
        }
        if s.extra.is_some() {
            terms.push(quote!(self.additional_properties.len()));
        }
        let count = quote!(#(#terms)+*);
        let fields: HashMap<&str, &Field> = s.fields.iter().map(|f| (f.wire.as_str(), f)).collect();
        let has_extra = s.extra.is_some();
        let present = |wire: &str| -> TokenStream {
            match fields.get(wire) {
                Some(f) if optional(f) => {
                    let member = ident(&f.ident);
                    quote!(self.#member.is_some())
                }
                Some(_) => quote!(true),
                None if has_extra => {
                    let name = Literal::string(wire);
                    quote!(self.additional_properties.contains_key(#name))
                }
                None => quote!(false),
            }
        };
        self.checks.properties(own, &count, &present, &[])
    }

    /// `new` with the required properties and a `with_` setter for each
    /// optional or defaulted one: producer code written this way keeps
    /// compiling when a minor version adds an optional property, where a
    /// struct literal would not.
    fn constructor(&self, item: &Item, s: &Struct) -> TokenStream {
        let name = ident(&item.name);
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        for f in &s.fields {
            let member = ident(&f.ident);
            let bare = f.ident.trim_start_matches("r#");
            let setter = format_ident!("with_{}", bare);
            let doc = Literal::string(&format!(" Sets `{}`.", code_span(&f.wire)));
            let default = f
                .defaulted
                .then(|| self.default_fn(&item.name, f))
                .flatten();
            match (&f.ty, f.required, default) {
                (_, _, Some((function, _))) => {
                    let ty = self.ty(&f.ty);
                    inits.push(quote!(#member: #function(),));
                    setters.push(quote! {
                        #[doc = #doc]
                        pub fn #setter(mut self, value: #ty) -> Self { self.#member = value; self }
                    });
                }
                (Ty::Option(inner), false, None) => {
                    let ty = self.ty(inner);
                    inits.push(quote!(#member: None,));
                    setters.push(quote! {
                        #[doc = #doc]
                        pub fn #setter(mut self, value: #ty) -> Self { self.#member = Some(value); self }
                    });
                }
                _ => {
                    let ty = self.ty(&f.ty);
                    params.push(quote!(#member: #ty));
                    inits.push(quote!(#member,));
                }
            }
        }
        let extra = s
            .extra
            .as_ref()
            .map(|_| quote!(additional_properties: Default::default(),));
        let lints = if touches_deprecated(item, self.items) {
            quote!(#[allow(dead_code, deprecated, clippy::too_many_arguments, clippy::new_without_default)])
        } else {
            quote!(#[allow(dead_code, clippy::too_many_arguments, clippy::new_without_default)])
        };
        quote! {
            #lints
            impl #name {
                /// A value with the required properties; the others start
                /// absent or at their default, to be set with the `with_`
                /// methods.
                pub fn new(#(#params),*) -> Self {
                    #name { #(#inits)* #extra }
                }
                #(#setters)*
            }
        }
    }

    /// The function serde calls for an absent defaulted field.
    fn default_fn(&self, owner: &str, f: &Field) -> Option<(Ident, TokenStream)> {
        if !f.defaulted {
            return None;
        }
        let name = default_fn_name(owner, f);
        let value = f.default.as_ref()?;
        let expr = match (&f.ty, value) {
            (Ty::String, serde_json::Value::String(text)) => {
                let text = Literal::string(text);
                quote!(String::from(#text))
            }
            (Ty::Bool, serde_json::Value::Bool(b)) => quote!(#b),
            (Ty::F64, serde_json::Value::Number(n)) => {
                let f = Literal::f64_suffixed(n.as_f64()?);
                quote!(#f)
            }
            (Ty::I64, serde_json::Value::Number(n)) => {
                let i = Literal::i64_suffixed(n.as_i64()?);
                quote!(#i)
            }
            (Ty::I32, serde_json::Value::Number(n)) => {
                let i = Literal::i32_suffixed(i32::try_from(n.as_i64()?).ok()?);
                quote!(#i)
            }
            (Ty::U32, serde_json::Value::Number(n)) => {
                let u = Literal::u32_suffixed(u32::try_from(n.as_u64()?).ok()?);
                quote!(#u)
            }
            (Ty::U64, serde_json::Value::Number(n)) => {
                let u = Literal::u64_suffixed(n.as_u64()?);
                quote!(#u)
            }
            (Ty::Named(item), serde_json::Value::String(wire)) => {
                let item = self.items.get(*item);
                let Shape::Enum(variants) = &item.shape else {
                    return None;
                };
                let variant = ident(&variants.iter().find(|v| &v.wire == wire)?.ident);
                let ty = ident(&item.name);
                quote!(#ty::#variant)
            }
            _ => return None,
        };
        let ty = self.ty(&f.ty);
        let doc = Literal::string(&format!(
            " `{value}`: the default of `{owner}::{}`.",
            f.ident
        ));
        let allow = allow_deprecated(names_deprecated(&f.ty, self.items));
        Some((
            name.clone(),
            quote! {
                #[doc = #doc]
                #allow
                fn #name() -> #ty {
                    #expr
                }
            },
        ))
    }

    fn field(&self, owner: &str, f: &Field) -> TokenStream {
        let rt = self.checks.rt;
        let rt_text = rt_path_text(rt);
        let name = ident(&f.ident);
        let mut docs = f.docs.clone();
        if let Some(default) = &f.default {
            if !docs.is_empty() {
                docs.push(String::new());
            }
            docs.push(format!(" Default when absent: `{default}`."));
        }
        let docs = doc_attrs(&docs);
        let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
        let rename = (name.to_string().trim_start_matches("r#") != f.wire).then(|| {
            let wire = Literal::string(&f.wire);
            quote!(#[serde(rename = #wire)])
        });
        let presence = match (f.required, f.nullable) {
            _ if f.defaulted => self.default_fn(owner, f).map(|(function, _)| {
                let path = Literal::string(&function.to_string());
                quote!(#[serde(default = #path)])
            }),
            // Present, but may be null: serde would otherwise default a missing Option.
            (true, true) => Some(quote!(#[serde(deserialize_with = "Option::deserialize")])),
            (true, false) => None,
            // Absent or null: both read as `None`.
            (false, true) => {
                Some(quote!(#[serde(default, skip_serializing_if = "Option::is_none")]))
            }
            // Absent reads as `None`; an explicit `null` is not a value of the type.
            (false, false) => {
                let present = Literal::string(&format!("{rt_text}::de::present"));
                Some(
                    quote!(#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = #present)]),
                )
            }
        };
        let ty = self.ty(&f.ty);
        quote! {
            #docs
            #deprecated
            #rename
            #presence
            pub #name: #ty,
        }
    }

    fn newtype(&self, item: &Item, inner: &Ty) -> TokenStream {
        let rt = self.checks.rt;
        let name = ident(&item.name);
        let header = self.header(item);
        let derives = self.derives(item, quote!(#rt::serde::Serialize, #rt::serde::Deserialize));
        let ty = self.ty(inner);
        let access = Access::place(quote!(self.0));
        let own = Some(item.schema);
        let checks = self
            .checks
            .value_of(&[item.schema], inner, access, &[], 0, own);
        let validate = self.validate_impl(item, checks);
        quote! {
            #header
            #derives
            #[serde(transparent)]
            pub struct #name(pub #ty);
            #validate
        }
    }

    fn string_enum(&self, item: &Item, variants: &[Variant<()>]) -> TokenStream {
        let rt = self.checks.rt;
        let name = ident(&item.name);
        let header = self.header(item);
        let derives = self.derives(
            item,
            quote!(Copy, Eq, Hash, PartialOrd, Ord, #rt::serde::Serialize, #rt::serde::Deserialize),
        );
        let idents: Vec<Ident> = variants.iter().map(|v| ident(&v.ident)).collect();
        let wires: Vec<Literal> = variants.iter().map(|v| Literal::string(&v.wire)).collect();
        let validate = self.validate_impl(item, Vec::new());
        let growable = self.growable();
        let allow = self.allow(item);
        quote! {
            #header
            #derives
            #growable
            pub enum #name {
                #( #[serde(rename = #wires)] #idents, )*
            }
            #allow
            impl #name {
                /// The value as written on the wire.
                pub fn as_str(&self) -> &'static str {
                    match self {
                        #( Self::#idents => #wires, )*
                    }
                }
            }
            #allow
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            #validate
        }
    }

    fn union(&self, item: &Item, u: &Union) -> TokenStream {
        let rt = self.checks.rt;
        let name = ident(&item.name);
        let header = self.header(item);
        let idents: Vec<Ident> = u.variants.iter().map(|v| ident(&v.ident)).collect();
        let tys: Vec<TokenStream> = u.variants.iter().map(|v| self.ty(&v.data.ty)).collect();
        let check_fns: Vec<Ident> = (0..u.variants.len())
            .map(|i| format_ident!("check_variant_{i}"))
            .collect();
        let check_bodies: Vec<TokenStream> = u
            .variants
            .iter()
            .map(|v| {
                // A `type`-list branch is checked against the union's own
                // schema: by keyword, not by decoding the union inside itself.
                let own = u.by_type.then_some(v.data.schema);
                let checks = self.checks.value_of(
                    &[v.data.schema],
                    &v.data.ty,
                    Access::bound(quote!(value)),
                    &[],
                    0,
                    own,
                );
                let unused = checks.is_empty().then(|| quote!(let _ = value;));
                quote!(#unused #(#checks)* Ok(()))
            })
            .collect();
        let validate = self.validate_impl(
            item,
            vec![quote! {
                match self {
                    #( Self::#idents(value) => Self::#check_fns(value)?, )*
                }
            }],
        );
        let allow = self.allow(item);
        let helpers = quote! {
            #allow
            impl #name {
                #(
                    #[allow(clippy::ptr_arg, clippy::trivially_copy_pass_by_ref)]
                    fn #check_fns(value: &#tys) -> Result<(), #rt::Violation> {
                        #check_bodies
                    }
                )*
            }
        };
        let growable = self.growable();
        if let Some(tag) = &u.tag {
            let tag = Literal::string(tag);
            let wires: Vec<Literal> = u
                .variants
                .iter()
                .map(|v| Literal::string(&v.wire))
                .collect();
            let derives =
                self.derives(item, quote!(#rt::serde::Serialize, #rt::serde::Deserialize));
            return quote! {
                #header
                #derives
                #growable
                #[serde(tag = #tag)]
                pub enum #name {
                    #( #[serde(rename = #wires)] #idents(#tys), )*
                }
                #helpers
                #validate
            };
        }
        let derives = self.derives(item, quote!(#rt::serde::Serialize));
        let decode = if u.by_type {
            self.decode_by_type(item, u, &idents)
        } else {
            self.decode_by_trial(item, u, (&idents, &tys, &check_fns))
        };
        let deserialize = self.deserialize_from_json(item, decode);
        quote! {
            #header
            #derives
            #growable
            #[serde(untagged)]
            pub enum #name {
                #( #idents(#tys), )*
            }
            #deserialize
            #helpers
            #validate
        }
    }

    /// `Deserialize` for an untagged enum: the value read as JSON (bound to
    /// `json`, a `1.0` in it an integer as JSON Schema counts it, so an
    /// `integer` branch matches it whatever else the payload holds), then
    /// `body`, which returns the variant or an error.
    fn deserialize_from_json(&self, item: &Item, body: TokenStream) -> TokenStream {
        let rt = self.checks.rt;
        let name = ident(&item.name);
        let allow = self.allow(item);
        quote! {
            #allow
            impl<'de> #rt::serde::Deserialize<'de> for #name {
                fn deserialize<D: #rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let mut json = <#rt::serde_json::Value as #rt::serde::Deserialize>::deserialize(deserializer)?;
                    #rt::de::integral_floats_as_integers(&mut json);
                    #body
                }
            }
        }
    }

    /// `oneOf`/`anyOf`: every branch decoded and checked in turn; `oneOf`
    /// takes exactly one that passes, `anyOf` the first.
    fn decode_by_trial(
        &self,
        item: &Item,
        u: &Union,
        (idents, tys, check_fns): (&[Ident], &[TokenStream], &[Ident]),
    ) -> TokenStream {
        let rt = self.checks.rt;
        let rule = if u.exclusive {
            "exactly one"
        } else {
            "at least one"
        };
        let message_none = Literal::string(&format!(
            "matches none of the {} branches of `{}` ({rule} must match)",
            u.variants.len(),
            item.name
        ));
        let message_many = Literal::string(&format!(
            "matches more than one branch of `{}` (exactly one must match)",
            item.name
        ));
        let attempts = idents
            .iter()
            .zip(tys)
            .zip(check_fns)
            .map(|((variant, ty), check)| {
                quote! {
                    if let Ok(value) = <#ty as #rt::serde::Deserialize>::deserialize(&json) {
                        if Self::#check(&value).is_ok() {
                            matched.push(Self::#variant(value));
                        }
                    }
                }
            });
        let pick = u.exclusive.then(|| {
            quote! {
                if matched.len() > 1 {
                    return Err(<D::Error as #rt::serde::de::Error>::custom(#message_many));
                }
            }
        });
        quote! {
            let mut matched: Vec<Self> = Vec::new();
            #(#attempts)*
            #pick
            matched
                .into_iter()
                .next()
                .ok_or_else(|| <D::Error as #rt::serde::de::Error>::custom(#message_none))
        }
    }

    /// A `type`-list enum reads the value's JSON type and decodes that
    /// variant alone: no trial decoding, and a value of an unlisted type is
    /// refused with the types the schema takes.
    fn decode_by_type(&self, item: &Item, u: &Union, idents: &[Ident]) -> TokenStream {
        let rt = self.checks.rt;
        let json = quote!(#rt::serde_json::Value);
        let arms = u.variants.iter().zip(idents).map(|(v, variant)| {
            let pattern = match v.wire.as_str() {
                "null" => quote!(#json::Null),
                "boolean" => quote!(#json::Bool(_)),
                "integer" | "number" => quote!(#json::Number(_)),
                "string" => quote!(#json::String(_)),
                "array" => quote!(#json::Array(_)),
                _ => quote!(#json::Object(_)),
            };
            quote!(value @ #pattern => #rt::serde_json::from_value(value).map(Self::#variant),)
        });
        // Six JSON types (integers are numbers): a seventh arm would be unreachable.
        let rest = (u.variants.len() < 6).then(|| {
            let wires: Vec<&str> = u.variants.iter().map(|v| v.wire.as_str()).collect();
            let message = Literal::string(&format!(
                "is of a type `{}` does not take (it takes {})",
                item.name,
                wires.join(", ")
            ));
            quote!(_ => return Err(<D::Error as #rt::serde::de::Error>::custom(#message)),)
        });
        quote! {
            let decoded = match json {
                #(#arms)*
                #rest
            };
            decoded.map_err(<D::Error as #rt::serde::de::Error>::custom)
        }
    }

    fn validate_impl(&self, item: &Item, checks: Vec<TokenStream>) -> TokenStream {
        let rt = self.checks.rt;
        let name = ident(&item.name);
        let allow = self.allow(item);
        quote! {
            #allow
            impl #rt::Validate for #name {
                fn validate(&self) -> Result<(), #rt::Violation> {
                    #(#checks)*
                    Ok(())
                }
            }
        }
    }
}

/// The runtime path as text, for serde attributes that take a path string.
/// The function that gives a defaulted field of `owner` its default.
pub fn default_fn_name(owner: &str, f: &Field) -> Ident {
    format_ident!(
        "default_{}_{}",
        heck::ToSnakeCase::to_snake_case(owner),
        f.ident.trim_start_matches("r#")
    )
}

pub fn rt_path_text(rt: &TokenStream) -> String {
    rt.to_string().replace(' ', "")
}
