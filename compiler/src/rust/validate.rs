//! Generated `validate` bodies: every keyword serde cannot enforce, checked
//! on the decoded value by a call into `evc_runtime::check`, with the JSON
//! pointer of the offending value built only on the error path.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Number, Value as Json};

use super::ir::Ty;
use super::lower::conjuncts;
use crate::model::{Format, Schema, SchemaId, TypeSpace};

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
    fn by_ref(&self) -> TokenStream {
        let place = &self.place;
        if self.bound {
            quote!(#place)
        } else {
            quote!(&#place)
        }
    }

    /// An expression of type `T`, for `Copy` numbers.
    fn by_value(&self) -> TokenStream {
        let place = &self.place;
        if self.bound {
            quote!(*#place)
        } else {
            quote!(#place)
        }
    }

    /// A receiver for method calls (`.len()`, `.iter()`).
    fn receiver(&self) -> TokenStream {
        self.place.clone()
    }
}

pub struct Checks<'a> {
    pub types: &'a TypeSpace,
    pub rt: &'a TokenStream,
}

impl Checks<'_> {
    /// Statements checking `expr` (an expression of type `&T`, T the Rust
    /// type `ty`) against every schema in `schemas`.
    pub fn value(
        &self,
        schemas: &[SchemaId],
        ty: &Ty,
        expr: Access,
        path: &[Segment],
        depth: usize,
    ) -> Vec<TokenStream> {
        let rt = self.rt;
        let all: Vec<SchemaId> = schemas
            .iter()
            .flat_map(|s| conjuncts(self.types, *s))
            .collect();
        match ty {
            Ty::Named(_) | Ty::Boxed(_) => {
                let value = expr.by_ref();
                vec![wrap(quote!(#rt::Validate::validate(#value)), path)]
            }
            Ty::Option(inner) => {
                let value = format_ident!("value_{depth}");
                let body = self.value(
                    schemas,
                    inner,
                    Access::bound(quote!(#value)),
                    path,
                    depth + 1,
                );
                if body.is_empty() {
                    return body;
                }
                let source = expr.by_ref();
                vec![quote!(if let Some(#value) = #source { #(#body)* })]
            }
            Ty::Vec(inner) => self.array(&all, inner, expr, path, depth),
            Ty::Map(inner) => {
                let values: Vec<SchemaId> = all
                    .iter()
                    .filter_map(|s| match self.types.get(*s).additional {
                        crate::model::Additional::Schema(v) => Some(v),
                        _ => None,
                    })
                    .collect();
                let (key, value) = (format_ident!("key_{depth}"), format_ident!("value_{depth}"));
                let mut inner_path = path.to_vec();
                inner_path.push(Segment::Key(quote!(#key)));
                let body = self.value(
                    &values,
                    inner,
                    Access::bound(quote!(#value)),
                    &inner_path,
                    depth + 1,
                );
                if body.is_empty() {
                    return body;
                }
                let source = expr.by_ref();
                vec![quote!(for (#key, #value) in #source { #(#body)* })]
            }
            _ => all
                .iter()
                .flat_map(|s| self.scalar(self.types.get(*s), ty, &expr, path))
                .collect(),
        }
    }

    fn array(
        &self,
        all: &[SchemaId],
        inner: &Ty,
        expr: Access,
        path: &[Segment],
        depth: usize,
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
            items.extend(s.items);
        }
        let (index, item) = (
            format_ident!("index_{depth}"),
            format_ident!("item_{depth}"),
        );
        let mut inner_path = path.to_vec();
        inner_path.push(Segment::Index(quote!(#index)));
        let body = self.value(
            &items,
            inner,
            Access::bound(quote!(#item)),
            &inner_path,
            depth + 1,
        );
        if !body.is_empty() {
            out.push(quote!(for (#index, #item) in #receiver.iter().enumerate() { #(#body)* }));
        }
        out
    }

    /// Keyword checks of one schema on a scalar (or untyped) value.
    fn scalar(&self, s: &Schema, ty: &Ty, access: &Access, path: &[Segment]) -> Vec<TokenStream> {
        let rt = self.rt;
        let expr = access.by_ref();
        let mut out = Vec::new();
        let mut push = |call: TokenStream| out.push(wrap(call, path));
        if *ty == Ty::String {
            if let Some(n) = s.min_length {
                push(quote!(#rt::check::min_length(#expr, #n)));
            }
            if let Some(n) = s.max_length {
                push(quote!(#rt::check::max_length(#expr, #n)));
            }
            if let Some(pattern) = &s.pattern {
                let source = Literal::string(&pattern.value);
                push(quote! {
                    #rt::check::pattern(#expr, {
                        static PATTERN: #rt::check::Pattern = #rt::check::Pattern::new(#source);
                        &PATTERN
                    })
                });
            }
            if let Some(format) = &s.format {
                let check = match format.value {
                    Format::Uuid => Some(quote!(uuid)),
                    Format::DateTime => Some(quote!(date_time)),
                    Format::Date => Some(quote!(date)),
                    Format::Email => Some(quote!(email)),
                    Format::Uri => Some(quote!(uri)),
                    _ => None,
                };
                if let Some(check) = check {
                    push(quote!(#rt::check::#check(#expr)));
                }
            }
        }
        if ty.is_integer() || *ty == Ty::F64 {
            let value = access.by_value();
            let value = quote!(#rt::check::Number::from(#value));
            let bounds = [
                (&s.minimum, quote!(minimum)),
                (&s.maximum, quote!(maximum)),
                (&s.exclusive_minimum, quote!(exclusive_minimum)),
                (&s.exclusive_maximum, quote!(exclusive_maximum)),
                (&s.multiple_of, quote!(multiple_of)),
            ];
            for (bound, check) in bounds {
                if let Some(bound) = bound {
                    let bound = number(rt, bound);
                    push(quote!(#rt::check::#check(#value, #bound)));
                }
            }
        }
        if let Some(values) = &s.enumeration {
            let allowed = json_literal(&Json::Array(values.value.clone()));
            push(quote! {
                #rt::check::enum_of(#expr, {
                    static ALLOWED: #rt::check::JsonConst = #rt::check::JsonConst::new(#allowed);
                    &ALLOWED
                })
            });
        }
        if let Some(constant) = &s.constant {
            let expected = json_literal(&constant.value);
            push(quote! {
                #rt::check::constant(#expr, {
                    static EXPECTED: #rt::check::JsonConst = #rt::check::JsonConst::new(#expected);
                    &EXPECTED
                })
            });
        }
        out
    }
}

/// `call?`, with the pointer segments added to a violation on the way out.
fn wrap(call: TokenStream, path: &[Segment]) -> TokenStream {
    if path.is_empty() {
        return quote!(#call?;);
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
    quote!(#call.map_err(|violation| violation #(#steps)*)?;)
}

/// A bound as a `check::Number`: integers stay exact.
fn number(rt: &TokenStream, n: &Number) -> TokenStream {
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

/// JSON text as a string literal; the runtime parses it once, on first use.
fn json_literal(value: &Json) -> TokenStream {
    let text = Literal::string(&value.to_string());
    quote!(#text)
}
