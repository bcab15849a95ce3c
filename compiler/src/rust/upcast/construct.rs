//! Builds a value of the new version's Rust type from the reshaped old
//! payload: old fields moved (and converted where the type changed),
//! constants written as literals, absent optional fields `None`, absent
//! defaulted fields their default.

use std::cell::{Cell, RefCell};

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value as Json;

use super::super::emit::{default_fn_name, ident, Emitter};
use super::symbolic::{Sym, Unsupported};
use crate::bind::ir::{ItemId, Items, Shape, Ty};

pub struct Constructor<'a> {
    pub items: &'a Items,
    pub emitter: &'a Emitter<'a>,
    pub rt: &'a TokenStream,
    /// Whether the conversion read anything of the old payload.
    pub used_old: Cell<bool>,
    /// The struct pairs being converted, outermost first: a recursive type
    /// meets its own pair again, and that value goes through JSON instead
    /// of unfolding the conversion forever.
    pub converting: RefCell<Vec<(ItemId, ItemId)>>,
}

/// An expression and whether it can fail (holds a `?` or a `return`).
struct Expr {
    tokens: TokenStream,
    fallible: bool,
}

impl Expr {
    fn sure(tokens: TokenStream) -> Self {
        Expr {
            tokens,
            fallible: false,
        }
    }

    fn fallible(tokens: TokenStream) -> Self {
        Expr {
            tokens,
            fallible: true,
        }
    }
}

impl Constructor<'_> {
    /// The value `sym` as an expression of type `target`.
    pub fn value(&self, sym: Sym, target: &Ty, at: &str) -> Result<TokenStream, Unsupported> {
        match sym {
            Sym::Old { expr, ty } => {
                self.used_old.set(true);
                Ok(self.convert(expr, &ty, target, at).tokens)
            }
            Sym::Const(json) => Ok(self.constant(&json, target, at)),
            Sym::Integer { expr, optional } => {
                self.used_old.set(true);
                integer(expr, optional, target)
            }
            object @ Sym::Object { .. } => {
                // An object made only of values the old payload may lack
                // would be present here and absent in the JSON form.
                if !object.certain() {
                    return Err(Unsupported);
                }
                let Sym::Object { entries, .. } = object else {
                    return Err(Unsupported);
                };
                self.object(entries, target, at)
            }
        }
    }

    fn object(
        &self,
        entries: Vec<(String, Sym)>,
        target: &Ty,
        at: &str,
    ) -> Result<TokenStream, Unsupported> {
        match target {
            Ty::Option(inner) => {
                let value = self.object(entries, inner, at)?;
                Ok(quote!(Some(#value)))
            }
            Ty::Named(id) => self.structure(entries, *id, at),
            Ty::Boxed(id) => {
                let value = self.structure(entries, *id, at)?;
                Ok(quote!(Box::new(#value)))
            }
            _ => Err(Unsupported),
        }
    }

    /// A struct literal of the item `id` from the properties `entries`.
    pub fn structure(
        &self,
        mut entries: Vec<(String, Sym)>,
        id: ItemId,
        at: &str,
    ) -> Result<TokenStream, Unsupported> {
        let item = self.items.get(id);
        let Shape::Struct(s) = &item.shape else {
            return Err(Unsupported);
        };
        let name = ident(&item.name);
        let mut fields = Vec::new();
        for field in &s.fields {
            let member = ident(&field.ident);
            let here = format!("{at}/{}", field.wire.replace('~', "~0").replace('/', "~1"));
            let default = || {
                let function = default_fn_name(&item.name, field);
                quote!(#function())
            };
            let value = match entries.iter().position(|(wire, _)| *wire == field.wire) {
                Some(index) => match entries.remove(index).1 {
                    // An optional old value the new version defaults.
                    Sym::Old {
                        expr,
                        ty: Ty::Option(inner),
                    } if field.defaulted && !matches!(field.ty, Ty::Option(_)) => {
                        self.used_old.set(true);
                        let value = self.convert(quote!(value), &inner, &field.ty, &here).tokens;
                        let default = default();
                        quote!(match #expr { Some(value) => #value, None => #default })
                    }
                    Sym::Integer {
                        expr,
                        optional: true,
                    } if field.defaulted && field.ty.is_integer() => {
                        self.used_old.set(true);
                        let default = default();
                        quote!(match #expr { Some(value) => value, None => #default })
                    }
                    sym => self.value(sym, &field.ty, &here)?,
                },
                None if field.defaulted => default(),
                None if matches!(field.ty, Ty::Option(_)) => quote!(None),
                // The new version requires it and nothing produces it: the
                // JSON form reports it at run time.
                None => return Err(Unsupported),
            };
            fields.push(quote!(#member: #value));
        }
        if s.closed && !entries.is_empty() {
            // Properties the closed new object refuses: the JSON form
            // reports them when they are there.
            return Err(Unsupported);
        }
        if s.extra.is_some() {
            if !entries.is_empty() {
                // Leftover properties would land in the map of extra ones.
                return Err(Unsupported);
            }
            fields.push(quote!(additional_properties: ::std::collections::BTreeMap::new()));
        }
        Ok(quote!(#name { #(#fields),* }))
    }

    /// An old value of type `from` as a value of type `to`.
    fn convert(&self, expr: TokenStream, from: &Ty, to: &Ty, at: &str) -> Expr {
        let rt = self.rt;
        if from == to {
            return Expr::sure(expr);
        }
        match (from, to) {
            (Ty::Option(a), Ty::Option(b)) => {
                let inner = self.convert(quote!(value), a, b, at);
                let body = inner.tokens;
                if inner.fallible {
                    Expr::fallible(quote!(match #expr { Some(value) => Some(#body), None => None }))
                } else {
                    Expr::sure(quote!(#expr.map(|value| #body)))
                }
            }
            (Ty::Option(a), b) => {
                let inner = self.convert(quote!(value), a, b, at).tokens;
                Expr::fallible(quote! {
                    match #expr {
                        Some(value) => #inner,
                        None => return Err(#rt::UpcastError::missing(#at)),
                    }
                })
            }
            (a, Ty::Option(b)) => {
                let inner = self.convert(expr, a, b, at);
                Expr {
                    tokens: {
                        let t = inner.tokens;
                        quote!(Some(#t))
                    },
                    fallible: inner.fallible,
                }
            }
            (Ty::Vec(a), Ty::Vec(b)) => {
                let inner = self.convert(quote!(value), a, b, &format!("{at}/*"));
                self.collect(expr, quote!(value), inner)
            }
            (Ty::Map(a), Ty::Map(b)) => {
                let inner = self.convert(quote!(value), a, b, &format!("{at}/*"));
                let body = inner.tokens;
                let inner = Expr {
                    tokens: quote!((key, #body)),
                    fallible: inner.fallible,
                };
                self.collect(expr, quote!((key, value)), inner)
            }
            (Ty::Boxed(a), b) => self.convert(quote!((*#expr)), &Ty::Named(*a), b, at),
            (a, Ty::Boxed(b)) => {
                let inner = self.convert(expr, a, &Ty::Named(*b), at);
                let t = inner.tokens;
                Expr {
                    tokens: quote!(Box::new(#t)),
                    fallible: inner.fallible,
                }
            }
            (a, Ty::F64) if a.is_integer() => Expr::sure(quote!(#expr as f64)),
            (Ty::F64, b) if b.is_integer() => {
                let ty = self.emitter.ty(b);
                Expr::fallible(quote!(#rt::upcast::convert::number_to_integer::<#ty>(#expr, #at)?))
            }
            (a, b) if a.is_integer() && b.is_integer() => {
                if widens(a, b) {
                    Expr::sure(quote!(::core::convert::From::from(#expr)))
                } else {
                    Expr::fallible(quote!(#rt::upcast::narrow(#expr, #at)?))
                }
            }
            (Ty::Named(a), Ty::Named(b)) => self
                .named(expr.clone(), *a, *b, at)
                .unwrap_or_else(|| self.via_json(expr, at)),
            _ => self.via_json(expr, at),
        }
    }

    fn via_json(&self, expr: TokenStream, at: &str) -> Expr {
        let rt = self.rt;
        // `(*boxed)` needs no parentheses as an argument.
        let expr = unparenthesized(expr);
        Expr::fallible(quote!(#rt::upcast::via_json(#expr, #at)?))
    }

    fn collect(&self, expr: TokenStream, pattern: TokenStream, inner: Expr) -> Expr {
        let rt = self.rt;
        let body = inner.tokens;
        if inner.fallible {
            Expr::fallible(quote! {
                #expr.into_iter()
                    .map(|#pattern| Ok(#body))
                    .collect::<Result<_, #rt::UpcastError>>()?
            })
        } else {
            Expr::sure(quote!(#expr.into_iter().map(|#pattern| #body).collect()))
        }
    }

    /// Between two generated items: struct to struct field by field, enum
    /// to enum value by value. `None` for other shapes.
    fn named(&self, expr: TokenStream, from: ItemId, to: ItemId, at: &str) -> Option<Expr> {
        match (&self.items.get(from).shape, &self.items.get(to).shape) {
            (Shape::Struct(_), Shape::Struct(_)) => {
                if self.converting.borrow().contains(&(from, to)) {
                    return None;
                }
                let old = super::symbolic::Sym::Old {
                    expr,
                    ty: Ty::Named(from),
                };
                let Ok(Sym::Object { entries, .. }) = super::symbolic::open(self.items, old) else {
                    return None;
                };
                self.converting.borrow_mut().push((from, to));
                let tokens = self.structure(entries, to, at);
                self.converting.borrow_mut().pop();
                let tokens = tokens.ok()?;
                Some(Expr {
                    fallible: super::symbolic::can_fail(&tokens),
                    tokens,
                })
            }
            (Shape::Enum(old), Shape::Enum(new)) => {
                let rt = self.rt;
                let (old_name, new_name) = (
                    ident(&self.items.get(from).name),
                    ident(&self.items.get(to).name),
                );
                let arms = old.iter().map(|variant| {
                    let from_variant = ident(&variant.ident);
                    match new.iter().find(|v| v.wire == variant.wire) {
                        Some(target) => {
                            let to_variant = ident(&target.ident);
                            quote!(#old_name::#from_variant => #new_name::#to_variant,)
                        }
                        None => {
                            let reason = Literal::string(&format!(
                                "`{}` is not a value of the new version",
                                variant.wire
                            ));
                            quote!(#old_name::#from_variant => return Err(#rt::UpcastError::new(#at, #reason)),)
                        }
                    }
                });
                let tokens = quote!(match #expr { #(#arms)* });
                Some(Expr {
                    fallible: super::symbolic::can_fail(&tokens),
                    tokens,
                })
            }
            _ => None,
        }
    }

    /// A `set` constant as a value of `target`: a literal when it is a
    /// scalar of that type, else read from its JSON text.
    fn constant(&self, json: &Json, target: &Ty, at: &str) -> TokenStream {
        let rt = self.rt;
        let literal = match (target, json) {
            (Ty::Option(_), Json::Null) => Some(quote!(None)),
            (Ty::Option(inner), value) => {
                let inner = self.constant(value, inner, at);
                Some(quote!(Some(#inner)))
            }
            (Ty::String, Json::String(text)) => {
                let text = Literal::string(text);
                Some(quote!(String::from(#text)))
            }
            (Ty::Bool, Json::Bool(b)) => Some(quote!(#b)),
            (Ty::Unit, Json::Null) => Some(quote!(())),
            (Ty::F64, Json::Number(n)) => n.as_f64().map(Literal::f64_suffixed).map(|l| quote!(#l)),
            (Ty::I64, Json::Number(n)) => n.as_i64().map(Literal::i64_suffixed).map(|l| quote!(#l)),
            (Ty::I32, Json::Number(n)) => n
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .map(Literal::i32_suffixed)
                .map(|l| quote!(#l)),
            (Ty::U32, Json::Number(n)) => n
                .as_u64()
                .and_then(|u| u32::try_from(u).ok())
                .map(Literal::u32_suffixed)
                .map(|l| quote!(#l)),
            (Ty::U64, Json::Number(n)) => n.as_u64().map(Literal::u64_suffixed).map(|l| quote!(#l)),
            (Ty::Named(id), Json::String(wire)) => match &self.items.get(*id).shape {
                Shape::Enum(variants) => variants.iter().find(|v| v.wire == *wire).map(|v| {
                    let (ty, variant) = (ident(&self.items.get(*id).name), ident(&v.ident));
                    quote!(#ty::#variant)
                }),
                _ => None,
            },
            _ => None,
        };
        literal.unwrap_or_else(|| {
            let ty = self.emitter.ty(target);
            let text = Literal::string(&json.to_string());
            quote!(#rt::upcast::constant::<#ty>(#text, #at)?)
        })
    }
}

/// A converted integer as a value of `target`, which gives the call its
/// integer type.
fn integer(expr: TokenStream, optional: bool, target: &Ty) -> Result<TokenStream, Unsupported> {
    match (optional, target) {
        (false, ty) if ty.is_integer() => Ok(expr),
        (false, Ty::Option(inner)) if inner.is_integer() => Ok(quote!(Some(#expr))),
        (true, Ty::Option(inner)) if inner.is_integer() => Ok(expr),
        _ => Err(Unsupported),
    }
}

/// Integer conversions that cannot fail.
fn widens(from: &Ty, to: &Ty) -> bool {
    matches!(
        (from, to),
        (Ty::I32, Ty::I64) | (Ty::U32, Ty::I64) | (Ty::U32, Ty::U64)
    )
}

/// The expression inside one pair of parentheses, or the expression.
fn unparenthesized(expr: TokenStream) -> TokenStream {
    let mut trees = expr.clone().into_iter();
    match (trees.next(), trees.next()) {
        (Some(proc_macro2::TokenTree::Group(group)), None)
            if group.delimiter() == proc_macro2::Delimiter::Parenthesis =>
        {
            group.stream()
        }
        _ => expr,
    }
}
