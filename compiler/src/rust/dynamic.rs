//! Checks on `serde_json::Value`s: what a schema with no single type
//! compiles to. Each keyword applies only to the JSON types it constrains,
//! as JSON Schema says; a `$ref` to a generated type checks that the value
//! decodes as that type, which also bounds the generated code for recursive
//! schemas.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::validate::{json_const, wrap, Access, Checks, Segment};
use crate::bind::ir::Ty;
use crate::model::resolve::Conjuncts;
use crate::model::{Additional, Schema, SchemaId};

/// Generated checks nest no deeper than this; only a schema that recurses
/// without passing through a named type reaches it.
const MAX_DEPTH: usize = 48;

impl Checks<'_> {
    /// Statements checking `value` (an expression of type `&Value`) against
    /// `schema`; `own` is the schema of the item being validated, which must
    /// not check itself by decoding itself.
    pub fn dynamic(
        &self,
        schema: SchemaId,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let by_ref = value.by_ref();
        let mut out = Vec::new();
        let mut walk = Conjuncts::new(self.types, &[schema]);
        while let Some(conjunct) = walk.next() {
            let depth = depth + conjunct.depth;
            if depth > MAX_DEPTH {
                walk.stop_here();
                continue;
            }
            let named = Some(conjunct.id)
                .filter(|id| Some(*id) != own)
                .and_then(|id| self.named.get(&id));
            if let Some(name) = named {
                let name = super::emit::ident(name);
                out.push(wrap(quote!(#rt::check::decodes::<#name>(#by_ref)), path));
                walk.stop_here();
                continue;
            }
            let s = self.types.get(conjunct.id);
            out.extend(self.keywords(s, value, path, depth, own));
        }
        out
    }

    fn keywords(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let by_ref = value.by_ref();
        let mut out = Vec::new();
        if let Some(types) = &s.types {
            let names = types.value.iter().map(|t| t.as_str());
            out.push(wrap(
                quote!(#rt::check::json_type(#by_ref, &[#(#names),*])),
                path,
            ));
        }
        if let Some(values) = &s.enumeration {
            let allowed = json_const(
                rt,
                &serde_json::Value::Array(values.value.clone()),
                "ALLOWED",
            );
            out.push(wrap(quote!(#rt::check::enum_of(#by_ref, #allowed)), path));
        }
        if let Some(constant) = &s.constant {
            let expected = json_const(rt, &constant.value, "EXPECTED");
            out.push(wrap(quote!(#rt::check::constant(#by_ref, #expected)), path));
        }
        out.extend(self.strings(s, value, path, depth));
        out.extend(self.numbers(s, value, path, depth));
        out.extend(self.arrays(s, value, path, depth, own));
        out.extend(self.objects(s, value, path, depth, own));
        out.extend(self.unions(s, value, path, depth, own));
        out.extend(self.applicators(s, value, path, depth, own, false));
        out
    }

    fn strings(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
    ) -> Option<TokenStream> {
        let receiver = value.receiver();
        let text = format_ident!("text_{depth}");
        let checks = self.string_keywords(s, &quote!(#text), path);
        (!checks.is_empty())
            .then(|| quote!(if let Some(#text) = #receiver.as_str() { #(#checks)* }))
    }

    fn numbers(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
    ) -> Option<TokenStream> {
        let rt = self.rt;
        let receiver = value.receiver();
        let n = format_ident!("number_{depth}");
        let mut checks = self.number_keywords(s, &quote!(#n), path);
        // On an untyped value a sized-integer format is a range; a typed
        // field gets it from its Rust type.
        if let Some((lo, hi)) = s.format.as_ref().and_then(|f| f.value.integer_range()) {
            for (limit, check) in [(lo, quote!(minimum)), (hi, quote!(maximum))] {
                let limit = Literal::i128_suffixed(limit);
                let call = quote!(#rt::check::#check(#n, #rt::check::Number::Int(#limit)));
                checks.push(wrap(call, path));
            }
        }
        (!checks.is_empty()).then(|| {
            quote! {
                if let Some(#n) = #receiver.as_number() {
                    let #n = #rt::check::Number::from_json(#n);
                    #(#checks)*
                }
            }
        })
    }

    fn arrays(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let rt = self.rt;
        let receiver = value.receiver();
        let items = format_ident!("items_{depth}");
        let mut checks = Vec::new();
        if let Some(n) = s.min_items {
            checks.push(wrap(quote!(#rt::check::min_items(#items.len(), #n)), path));
        }
        if let Some(n) = s.max_items {
            checks.push(wrap(quote!(#rt::check::max_items(#items.len(), #n)), path));
        }
        if s.unique_items {
            checks.push(wrap(quote!(#rt::check::unique_items(#items)), path));
        }
        if !s.prefix_items.is_empty() || s.items_forbidden {
            checks.extend(self.tuple(s, &quote!(#items), &Ty::Value, path, depth, own));
        } else if let Some(schema) = s.items {
            let (index, item) = (
                format_ident!("index_{depth}"),
                format_ident!("item_{depth}"),
            );
            let mut inner = path.to_vec();
            inner.push(Segment::Index(quote!(#index)));
            let body = self.dynamic(
                schema,
                &Access::bound(quote!(#item)),
                &inner,
                depth + 1,
                own,
            );
            if !body.is_empty() {
                checks.push(quote!(for (#index, #item) in #items.iter().enumerate() { #(#body)* }));
            }
        }
        checks.extend(self.contains(s, &quote!(#items), true, path, depth, own));
        (!checks.is_empty())
            .then(|| quote!(if let Some(#items) = #receiver.as_array() { #(#checks)* }))
    }

    fn objects(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let rt = self.rt;
        let receiver = value.receiver();
        let object = format_ident!("object_{depth}");
        let mut checks = Vec::new();
        for name in &s.required {
            let name = Literal::string(&name.value);
            checks.push(wrap(quote!(#rt::check::required(#object, #name)), path));
        }
        checks.extend(self.properties_of(
            s,
            &quote!(#object.len()),
            &|name| {
                let name = Literal::string(name);
                quote!(#object.contains_key(#name))
            },
            path,
        ));
        let property = format_ident!("property_{depth}");
        for p in &s.properties {
            let mut inner = path.to_vec();
            inner.push(Segment::Property(p.name.to_string()));
            let body = self.dynamic(
                p.schema,
                &Access::bound(quote!(#property)),
                &inner,
                depth + 1,
                own,
            );
            if !body.is_empty() {
                let name = Literal::string(&p.name);
                checks.push(quote!(if let Some(#property) = #object.get(#name) { #(#body)* }));
            }
        }
        let declared: Vec<Literal> = s
            .properties
            .iter()
            .map(|p| Literal::string(&p.name))
            .collect();
        // Beside `patternProperties` it is checked with the patterns.
        let additional = match s.pattern_properties.is_empty() {
            true => &s.additional,
            false => &Additional::Absent,
        };
        match *additional {
            Additional::Allowed(false) => {
                checks.push(wrap(
                    quote!(#rt::check::only_properties(#object, &[#(#declared),*])),
                    path,
                ));
            }
            Additional::Schema(values) => {
                let (key, extra) = (format_ident!("key_{depth}"), format_ident!("extra_{depth}"));
                let mut inner = path.to_vec();
                inner.push(Segment::Key(quote!(#key)));
                let body = self.dynamic(
                    values,
                    &Access::bound(quote!(#extra)),
                    &inner,
                    depth + 1,
                    own,
                );
                if !body.is_empty() {
                    checks.push(quote! {
                        for (#key, #extra) in #object {
                            if [#(#declared),*].contains(&#key.as_str()) {
                                continue;
                            }
                            #(#body)*
                        }
                    });
                }
            }
            _ => {}
        }
        (!checks.is_empty())
            .then(|| quote!(if let Some(#object) = #receiver.as_object() { #(#checks)* }))
    }

    /// A local function `name` checking a JSON value against `schema`, for
    /// the keywords that need a yes or a no from a subschema (a union
    /// branch, `not`, `if`, `contains`, `propertyNames`); with whether it
    /// checks anything at all.
    pub fn local_check(
        &self,
        name: &Ident,
        schema: SchemaId,
        depth: usize,
        own: Option<SchemaId>,
    ) -> (TokenStream, bool) {
        let rt = self.rt;
        let body = self.dynamic(schema, &Access::bound(quote!(value)), &[], depth + 1, own);
        let checks = !body.is_empty();
        let unused = (!checks).then(|| quote!(let _ = value;));
        let function = quote! {
            fn #name(value: &#rt::serde_json::Value) -> Result<(), #rt::Violation> {
                #unused
                #(#body)*
                Ok(())
            }
        };
        (function, checks)
    }

    /// `contains` with `minContains` and `maxContains` on `list` (an
    /// expression with `iter`): the items matching the schema, counted as
    /// JSON (`json`: the items are JSON values already).
    pub fn contains(
        &self,
        s: &Schema,
        list: &TokenStream,
        json: bool,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let rt = self.rt;
        let schema = s.contains?;
        let name = format_ident!("contains_{depth}");
        let (function, _) = self.local_check(&name, schema, depth, own);
        let count = if json {
            quote!(#list.iter().filter(|item| #name(item).is_ok()).count())
        } else {
            quote!(#list
                .iter()
                .filter(|item| {
                    #rt::serde_json::to_value(item).is_ok_and(|value| #name(&value).is_ok())
                })
                .count())
        };
        let min = s.min_contains.unwrap_or(1);
        let max = match s.max_contains {
            Some(max) => quote!(Some(#max)),
            None => quote!(None),
        };
        let call = wrap(quote!(#rt::check::contains(#count, #min, #max)), path);
        Some(quote! {{
            #function
            #call
        }})
    }

    /// `oneOf`, `anyOf` and `not`: each branch is a local function run on
    /// the JSON value.
    pub fn unions(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let mut out = Vec::new();
        for (branches, check) in [(&s.one_of, quote!(one_of)), (&s.any_of, quote!(any_of))] {
            if branches.is_empty() {
                continue;
            }
            let names: Vec<_> = (0..branches.len())
                .map(|i| format_ident!("branch_{depth}_{i}"))
                .collect();
            let functions = names
                .iter()
                .zip(branches.iter())
                .map(|(name, b)| self.local_check(name, *b, depth, own).0);
            let by_ref = value.by_ref();
            let call = wrap(
                quote!(#rt::check::#check(&[#(#names(#by_ref).is_ok()),*])),
                path,
            );
            out.push(quote! {{
                #(#functions)*
                #call
            }});
        }
        if let Some(not) = s.not {
            let name = format_ident!("negated_{depth}");
            let (function, _) = self.local_check(&name, not, depth, own);
            let by_ref = value.by_ref();
            let call = wrap(quote!(#rt::check::not(#name(#by_ref).is_ok())), path);
            out.push(quote! {{
                #function
                #call
            }});
        }
        out
    }
}
