//! Generated `validate` bodies: every keyword serde cannot enforce, checked
//! on the decoded value by a call into `evc_runtime::check`, with the JSON
//! pointer of the offending value built only on the error path.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Number, Value as Json};

use crate::bind::ir::{Items, Ty};
use crate::bind::reading::{closed_pattern, is_closed_tuple};
use crate::model::resolve::conjuncts;
use crate::model::{Additional, Format, Schema, SchemaId, TypeSpace};

/// A step of the pointer from the checked item to a value.
#[derive(Clone)]
pub enum Segment {
    Property(String),
    Index(TokenStream),
    Key(TokenStream),
}

/// How a checked value is reached: a field of `self` (a place) or a
/// variable bound to a reference. Keeps generated code free of `&self.x`
/// borrows and `*&` round trips that clippy would flag in users' crates.
#[derive(Clone)]
pub struct Access {
    place: TokenStream,
    bound: bool,
}

impl Access {
    pub fn place(place: TokenStream) -> Self {
        Access {
            place,
            bound: false,
        }
    }

    pub fn bound(name: TokenStream) -> Self {
        Access {
            place: name,
            bound: true,
        }
    }

    /// An expression of type `&T`.
    pub fn by_ref(&self) -> TokenStream {
        let place = &self.place;
        if self.bound {
            quote!(#place)
        } else {
            quote!(&#place)
        }
    }

    /// An expression of type `T`, for `Copy` numbers.
    pub fn by_value(&self) -> TokenStream {
        let place = &self.place;
        if self.bound {
            quote!(*#place)
        } else {
            quote!(#place)
        }
    }

    /// A receiver for method calls (`.len()`, `.iter()`).
    pub fn receiver(&self) -> TokenStream {
        self.place.clone()
    }
}

pub struct Checks<'a> {
    pub types: &'a TypeSpace,
    pub items: &'a Items,
    pub rt: &'a TokenStream,
    /// Schemas that are generated types, by type name.
    pub named: std::collections::BTreeMap<SchemaId, String>,
}

impl Checks<'_> {
    /// Statements checking `expr` (of the Rust type `ty`) against every
    /// schema in `schemas`.
    pub fn value(
        &self,
        schemas: &[SchemaId],
        ty: &Ty,
        expr: Access,
        path: &[Segment],
        depth: usize,
    ) -> Vec<TokenStream> {
        self.value_of(schemas, ty, expr, path, depth, None)
    }

    /// [`Self::value`] for an item's own value: a `$ref` back to `own` is
    /// checked by keyword, not by decoding the item inside itself.
    pub fn value_of(
        &self,
        schemas: &[SchemaId],
        ty: &Ty,
        expr: Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let all: Vec<SchemaId> = schemas
            .iter()
            .flat_map(|s| conjuncts(self.types, *s))
            .collect();
        match ty {
            Ty::Named(item) | Ty::Boxed(item) => {
                let value = expr.by_ref();
                let mut out = vec![wrap(quote!(#rt::Validate::validate(#value)), path)];
                // The item checks its own schema; another one on the same
                // value (an `allOf` member narrowing a property to
                // `enum: [open]`) is checked here, on its JSON.
                let item_schema = self.items.get(*item).schema;
                let covered = conjuncts(self.types, item_schema);
                out.extend(self.on_json(&expr, depth, |json| {
                    schemas
                        .iter()
                        .filter(|s| !self.covered_by_item(**s, item_schema, &covered))
                        .flat_map(|s| self.dynamic(*s, json, path, depth + 1, own))
                        .collect()
                }));
                out
            }
            Ty::Option(inner) => {
                let value = format_ident!("value_{depth}");
                let bound = Access::bound(quote!(#value));
                let body = self.value_of(schemas, inner, bound, path, depth + 1, own);
                if body.is_empty() {
                    return body;
                }
                let source = expr.by_ref();
                vec![quote!(if let Some(#value) = #source { #(#body)* })]
            }
            Ty::Value => schemas
                .iter()
                .flat_map(|s| self.dynamic(*s, &expr, path, depth, own))
                .collect(),
            Ty::Vec(inner) => {
                let mut out = self.whole(&all, &expr, path, depth, own);
                out.extend(self.array(&all, inner, expr, path, depth, own));
                out
            }
            Ty::Tuple(positions) => {
                // The schema the tuple was typed from is checked by position;
                // any other one the value must match (a sibling `allOf`
                // member's `uniqueItems`, `items`...) reads it as JSON.
                let (tuples, others): (Vec<SchemaId>, Vec<SchemaId>) = all.iter().partition(|s| {
                    let s = self.types.get(**s);
                    s.prefix_items.len() == positions.len() && is_closed_tuple(s)
                });
                let mut out = self.whole(&tuples, &expr, path, depth, own);
                out.extend(self.positions(&tuples, positions, &expr, path, depth, own));
                out.extend(self.on_json(&expr, depth, |json| {
                    others
                        .iter()
                        .flat_map(|s| self.dynamic(*s, json, path, depth + 1, own))
                        .collect()
                }));
                out
            }
            Ty::Map(inner) => {
                let receiver = expr.receiver();
                // A map typed by its one closed pattern checks its names and
                // values itself (`map`), not again as JSON.
                let mut out = self.whole_of(&all, &expr, path, depth, own, true);
                // Serde holds any name in a map: `required` is checked here.
                for s in all.iter().map(|s| self.types.get(*s)) {
                    for name in &s.required {
                        let name = Literal::string(&name.value);
                        let held = quote!(#receiver.contains_key(#name));
                        out.push(wrap(quote!(#rt::check::required_held(#held, #name)), path));
                    }
                }
                out.extend(self.properties(
                    &all,
                    &quote!(#receiver.len()),
                    &|name| {
                        let name = Literal::string(name);
                        quote!(#receiver.contains_key(#name))
                    },
                    path,
                ));
                out.extend(self.map(&all, inner, expr, path, depth, own, true));
                out
            }
            _ => all
                .iter()
                .flat_map(|s| self.scalar(*s, ty, &expr, path, depth, own))
                .collect(),
        }
    }

    /// Whether the item declared for `item` checks `schema` already: it is
    /// `item` or one of its conjuncts (`covered`: its `$ref`, its `allOf`
    /// members), or only a `$ref` to one of them, through any chain of bare
    /// `$ref`s.
    fn covered_by_item(&self, schema: SchemaId, item: SchemaId, covered: &[SchemaId]) -> bool {
        let mut at = schema;
        // A chain of bare `$ref`s longer than the schemas there are loops.
        for _ in 0..=self.types.len() {
            if at == item || covered.contains(&at) {
                return true;
            }
            let s = self.types.get(at);
            match s.reference.as_ref().and_then(|r| r.target) {
                Some(next) if !s.has_assertions() => at = next,
                _ => return false,
            }
        }
        false
    }

    /// `enum`, `const`, `oneOf`, `anyOf`, `not` and the other applicators on a
    /// whole typed value, which is compared (or matched against the
    /// branches) as JSON.
    pub fn whole(
        &self,
        all: &[SchemaId],
        expr: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        self.whole_of(all, expr, path, depth, own, false)
    }

    /// [`Self::whole`], leaving out a closed pattern's checks when
    /// `typed_pattern` says the caller checks it on typed entries.
    fn whole_of(
        &self,
        all: &[SchemaId],
        expr: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
        typed_pattern: bool,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let value = expr.by_ref();
        let mut out = Vec::new();
        for s in all.iter().map(|s| self.types.get(*s)) {
            if let Some(values) = &s.enumeration {
                let allowed = json_const(rt, &Json::Array(values.value.clone()), "ALLOWED");
                out.push(wrap(quote!(#rt::check::enum_of(#value, #allowed)), path));
            }
            if let Some(constant) = &s.constant {
                let expected = json_const(rt, &constant.value, "EXPECTED");
                out.push(wrap(quote!(#rt::check::constant(#value, #expected)), path));
            }
            out.extend(self.on_json(expr, depth, |json| {
                let mut checks = self.unions(s, json, path, depth + 1, own);
                checks.extend(self.applicators(s, json, path, depth + 1, own, typed_pattern));
                checks
            }));
        }
        out
    }

    /// The checks of a struct's flattened map of other properties
    /// (`additionalProperties: <schema>`): its values. The whole-value
    /// keywords and the property counts are the struct's, checked on it.
    pub fn extra_properties(&self, schema: SchemaId, inner: &Ty, expr: Access) -> Vec<TokenStream> {
        let all = conjuncts(self.types, schema);
        // The struct checks its patterns on its JSON, declared properties
        // and all: its map of the others is not checked for them again.
        self.map(&all, inner, expr, &[], 0, None, false)
    }

    /// `minProperties`, `maxProperties` and `dependentRequired` on an
    /// object: `count` is an expression of its number of properties, and
    /// `present` gives an expression telling whether it holds a property.
    /// Nothing for schemas without them.
    pub fn properties(
        &self,
        all: &[SchemaId],
        count: &TokenStream,
        present: &dyn Fn(&str) -> TokenStream,
        path: &[Segment],
    ) -> Vec<TokenStream> {
        all.iter()
            .flat_map(|s| self.properties_of(self.types.get(*s), count, present, path))
            .collect()
    }

    /// [`Self::properties`] for one schema.
    pub fn properties_of(
        &self,
        s: &Schema,
        count: &TokenStream,
        present: &dyn Fn(&str) -> TokenStream,
        path: &[Segment],
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let mut out = Vec::new();
        if let Some(n) = s.min_properties {
            out.push(wrap(quote!(#rt::check::min_properties(#count, #n)), path));
        }
        if let Some(n) = s.max_properties {
            out.push(wrap(quote!(#rt::check::max_properties(#count, #n)), path));
        }
        for (property, names) in &s.dependent_required {
            let held = present(property);
            let property = Literal::string(property);
            let names = names.iter().map(|name| {
                let held = present(name);
                let name = Literal::string(name);
                quote!((#name, #held))
            });
            out.push(wrap(
                quote!(#rt::check::dependent_required(#property, #held, &[#(#names),*])),
                path,
            ));
        }
        out
    }

    fn array(
        &self,
        all: &[SchemaId],
        inner: &Ty,
        expr: Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let receiver = expr.receiver();
        let mut out = Vec::new();
        let mut items = Vec::new();
        for s in all.iter().map(|s| self.types.get(*s)) {
            if let Some(n) = s.min_items {
                out.push(wrap(
                    quote!(#rt::check::min_items(#receiver.len(), #n)),
                    path,
                ));
            }
            if let Some(n) = s.max_items {
                out.push(wrap(
                    quote!(#rt::check::max_items(#receiver.len(), #n)),
                    path,
                ));
            }
            if s.unique_items {
                out.push(wrap(
                    quote!(#rt::check::unique_items(#receiver.as_slice())),
                    path,
                ));
            }
            let json = *inner == Ty::Value;
            out.extend(self.contains(s, &quote!(#receiver), json, path, depth, own));
            if s.prefix_items.is_empty() && !s.items_forbidden {
                items.extend(s.items);
            } else {
                let list = quote!(#receiver);
                out.extend(self.tuple(s, &list, inner, path, depth, own));
            }
        }
        let (index, item) = (
            format_ident!("index_{depth}"),
            format_ident!("item_{depth}"),
        );
        let mut inner_path = path.to_vec();
        inner_path.push(Segment::Index(quote!(#index)));
        let bound = Access::bound(quote!(#item));
        let body = self.value_of(&items, inner, bound, &inner_path, depth + 1, own);
        if !body.is_empty() {
            out.push(quote!(for (#index, #item) in #receiver.iter().enumerate() { #(#body)* }));
        }
        out
    }

    /// Each position of a Rust tuple (`expr.0`, `expr.1`) against its
    /// `prefixItems` schema; the tuple's type already holds its length.
    fn positions(
        &self,
        all: &[SchemaId],
        positions: &[Ty],
        expr: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let receiver = expr.receiver();
        let mut out = Vec::new();
        for s in all.iter().map(|s| self.types.get(*s)) {
            for (i, (schema, ty)) in s.prefix_items.iter().zip(positions).enumerate() {
                let field = Literal::usize_unsuffixed(i);
                let position = Literal::usize_suffixed(i);
                let mut inner_path = path.to_vec();
                inner_path.push(Segment::Index(quote!(#position)));
                let at = Access::place(quote!(#receiver.#field));
                out.extend(self.value_of(&[*schema], ty, at, &inner_path, depth + 1, own));
            }
        }
        out
    }

    /// `prefixItems` and the `items` (a schema or `false`) after them, on
    /// `list` (an expression with `get`, `iter` and `len`) of items of type
    /// `inner`: each position checked against its own schema.
    pub fn tuple(
        &self,
        s: &Schema,
        list: &TokenStream,
        inner: &Ty,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let mut out = Vec::new();
        let (index, item) = (
            format_ident!("index_{depth}"),
            format_ident!("item_{depth}"),
        );
        let bound = Access::bound(quote!(#item));
        for (i, schema) in s.prefix_items.iter().enumerate() {
            let position = Literal::usize_suffixed(i);
            let mut inner_path = path.to_vec();
            inner_path.push(Segment::Index(quote!(#position)));
            let body = self.value_of(
                &[*schema],
                inner,
                bound.clone(),
                &inner_path,
                depth + 1,
                own,
            );
            if !body.is_empty() {
                // `get(0)` is `first()`, as clippy would have it.
                let get = if i == 0 {
                    quote!(first())
                } else {
                    quote!(get(#position))
                };
                out.push(quote!(if let Some(#item) = #list.#get { #(#body)* }));
            }
        }
        let prefix = s.prefix_items.len();
        if s.items_forbidden {
            out.push(wrap(
                quote!(#rt::check::no_items_after(#list.len(), #prefix)),
                path,
            ));
        } else if let Some(rest) = s.items {
            let mut inner_path = path.to_vec();
            inner_path.push(Segment::Index(quote!(#index)));
            let body = self.value_of(&[rest], inner, bound, &inner_path, depth + 1, own);
            if !body.is_empty() {
                out.push(quote! {
                    for (#index, #item) in #list.iter().enumerate().skip(#prefix) { #(#body)* }
                });
            }
        }
        out
    }

    /// The entries of a map. Beside `patternProperties`,
    /// `additionalProperties` applies to the names no pattern matches:
    /// checked with them, on the JSON. A lone pattern beside
    /// `additionalProperties: false` types the map, and with `typed_pattern`
    /// its entries are checked here: each name must match it, each value is
    /// of its schema.
    #[allow(clippy::too_many_arguments)]
    fn map(
        &self,
        all: &[SchemaId],
        inner: &Ty,
        expr: Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
        typed_pattern: bool,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let mut values: Vec<SchemaId> = Vec::new();
        let (key, value) = (format_ident!("key_{depth}"), format_ident!("value_{depth}"));
        let mut names = Vec::new();
        for s in all.iter().map(|s| self.types.get(*s)) {
            if let Some(schema) = closed_pattern(s).filter(|_| typed_pattern) {
                values.push(schema);
                let compiled = pattern(rt, &s.pattern_properties[0].name);
                let test = wrap_value(quote!(#rt::check::matches(#key, #compiled)), path);
                let refuse = wrap(quote!(#rt::check::unmatched_property(#key)), path);
                names.push(quote!(if !#test { #refuse }));
            } else if let (true, Additional::Schema(v)) =
                (s.pattern_properties.is_empty(), &s.additional)
            {
                values.push(*v);
            }
        }
        let mut inner_path = path.to_vec();
        inner_path.push(Segment::Key(quote!(#key)));
        let bound = Access::bound(quote!(#value));
        let checks = self.value_of(&values, inner, bound, &inner_path, depth + 1, own);
        if names.is_empty() && checks.is_empty() {
            return Vec::new();
        }
        // A pattern whose schema checks nothing of a typed value reads the names alone.
        if checks.is_empty() {
            let receiver = expr.receiver();
            return vec![quote!(for #key in #receiver.keys() { #(#names)* })];
        }
        let source = expr.by_ref();
        vec![quote!(for (#key, #value) in #source { #(#names)* #(#checks)* })]
    }

    /// Checks of `expr` converted to JSON, in one block that converts it
    /// once; `checks` is given the JSON value. Nothing when they check
    /// nothing, so nothing is converted.
    fn on_json(
        &self,
        expr: &Access,
        depth: usize,
        checks: impl FnOnce(&Access) -> Vec<TokenStream>,
    ) -> Option<TokenStream> {
        let rt = self.rt;
        let json = format_ident!("json_{depth}");
        let checks = checks(&Access::bound(quote!(#json)));
        if checks.is_empty() {
            return None;
        }
        let value = expr.by_ref();
        Some(quote!({
            let #json = &#rt::check::json_of(#value);
            #(#checks)*
        }))
    }

    /// Keyword checks of one schema on a string or number.
    fn scalar(
        &self,
        id: SchemaId,
        ty: &Ty,
        access: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let s = self.types.get(id);
        let mut out = Vec::new();
        if *ty == Ty::String {
            out.extend(self.string_keywords(s, &access.by_ref(), path));
        }
        if ty.is_integer() || *ty == Ty::F64 {
            let value = access.by_value();
            out.extend(self.number_keywords(s, &quote!(#rt::check::Number::from(#value)), path));
        }
        out.extend(self.whole(&[id], access, path, depth, own));
        out
    }

    /// `minLength`, `maxLength`, `pattern` and a string `format` on `text`
    /// (an expression of type `&str`).
    pub fn string_keywords(
        &self,
        s: &Schema,
        text: &TokenStream,
        path: &[Segment],
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let mut out = Vec::new();
        if let Some(n) = s.min_length {
            out.push(wrap(quote!(#rt::check::min_length(#text, #n)), path));
        }
        if let Some(n) = s.max_length {
            out.push(wrap(quote!(#rt::check::max_length(#text, #n)), path));
        }
        if let Some(p) = &s.pattern {
            let compiled = pattern(rt, &p.value);
            out.push(wrap(quote!(#rt::check::pattern(#text, #compiled)), path));
        }
        if let Some(check) = s.format.as_ref().and_then(|f| string_format(f.value)) {
            out.push(wrap(quote!(#rt::check::#check(#text)), path));
        }
        out
    }

    /// The numeric bounds and `multipleOf` on `value` (a `check::Number`).
    pub fn number_keywords(
        &self,
        s: &Schema,
        value: &TokenStream,
        path: &[Segment],
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let bounds = [
            (&s.minimum, quote!(minimum)),
            (&s.maximum, quote!(maximum)),
            (&s.exclusive_minimum, quote!(exclusive_minimum)),
            (&s.exclusive_maximum, quote!(exclusive_maximum)),
            (&s.multiple_of, quote!(multiple_of)),
        ];
        bounds
            .into_iter()
            .filter_map(|(bound, check)| {
                let bound = number(rt, bound.as_ref()?);
                Some(wrap(quote!(#rt::check::#check(#value, #bound)), path))
            })
            .collect()
    }
}

/// The check function of a string `format`.
pub fn string_format(format: Format) -> Option<TokenStream> {
    match format {
        Format::Uuid => Some(quote!(uuid)),
        Format::DateTime => Some(quote!(date_time)),
        Format::Date => Some(quote!(date)),
        Format::Time => Some(quote!(time)),
        Format::Duration => Some(quote!(duration)),
        Format::Email => Some(quote!(email)),
        Format::Hostname => Some(quote!(hostname)),
        Format::Ipv4 => Some(quote!(ipv4)),
        Format::Ipv6 => Some(quote!(ipv6)),
        Format::Uri => Some(quote!(uri)),
        Format::UriReference => Some(quote!(uri_reference)),
        Format::Iri => Some(quote!(iri)),
        Format::IriReference => Some(quote!(iri_reference)),
        Format::JsonPointer => Some(quote!(json_pointer)),
        Format::RelativeJsonPointer => Some(quote!(relative_json_pointer)),
        _ => None,
    }
}

/// A compiled `pattern`, as a reference to a static compiled on first use.
pub fn pattern(rt: &TokenStream, source: &str) -> TokenStream {
    let source = Literal::string(source);
    quote!({
        static PATTERN: #rt::check::Pattern = #rt::check::Pattern::new(#source);
        &PATTERN
    })
}

/// JSON compiled into the code, as a reference to a static parsed once.
pub fn json_const(rt: &TokenStream, value: &Json, name: &str) -> TokenStream {
    let text = Literal::string(&value.to_string());
    let name = format_ident!("{name}");
    quote!({
        static #name: #rt::check::JsonConst = #rt::check::JsonConst::new(#text);
        &#name
    })
}

/// `call?;`, with the pointer segments added to a violation on the way out.
pub fn wrap(call: TokenStream, path: &[Segment]) -> TokenStream {
    let expression = wrap_value(call, path);
    quote!(#expression;)
}

/// `call?` as an expression (for a call returning a value), with the
/// pointer segments added to a violation on the way out.
pub fn wrap_value(call: TokenStream, path: &[Segment]) -> TokenStream {
    if path.is_empty() {
        return quote!(#call?);
    }
    // `at` prepends, so the innermost segment goes first.
    let steps = path.iter().rev().map(|segment| match segment {
        Segment::Property(name) => {
            let name = Literal::string(name);
            quote!(.at(#name))
        }
        Segment::Index(index) => quote!(.at_index(#index)),
        Segment::Key(key) => quote!(.at(#key)),
    });
    quote!(#call.map_err(|violation| violation #(#steps)*)?)
}

/// A bound as a `check::Number`: integers stay exact.
pub fn number(rt: &TokenStream, n: &Number) -> TokenStream {
    if let Some(i) = n.as_i64() {
        let i = Literal::i64_suffixed(i);
        quote!(#rt::check::Number::from(#i))
    } else if let Some(u) = n.as_u64() {
        let u = Literal::u64_suffixed(u);
        quote!(#rt::check::Number::from(#u))
    } else {
        let f = Literal::f64_suffixed(n.as_f64().unwrap_or(f64::NAN));
        quote!(#rt::check::Number::from(#f))
    }
}
