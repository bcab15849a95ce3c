//! The old payload as a tree of Rust expressions, reshaped by the
//! declarative steps at compile time. What the steps do to JSON at run time
//! (rename, move, set, drop, convert), this does to expressions once, so the
//! generated conversion moves each old field straight to its new place.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value as Json;

use super::super::emit::ident;
use crate::bind::ir::{Items, Shape, Ty};
use crate::model::{JsonType, UpcastStep};
use crate::upcast::Path;

/// A step list the typed conversion cannot follow (a path through an
/// optional or non-object value, say); the caller falls back to running the
/// steps over JSON, which has the same meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported;

/// One value of the payload being built.
#[derive(Debug, Clone)]
pub enum Sym {
    /// A value of the old payload: the expression that moves it out, and
    /// its Rust type.
    Old { expr: TokenStream, ty: Ty },
    /// A constant of a `set` step.
    Const(Json),
    /// An integer `convert` reads from text or a number: a call whose
    /// integer type is the one of the field it lands in, so that a value of
    /// the `u64` range converts as the JSON form converts it. `optional`
    /// when the old value may be absent (the call is then mapped over it).
    Integer { expr: TokenStream, optional: bool },
    /// An object whose properties are known one by one. `exists` when it
    /// stands for an object of the old payload (present even if emptied);
    /// an object created by a step exists when something certain is in it.
    Object {
        entries: Vec<(String, Sym)>,
        exists: bool,
    },
}

impl Sym {
    /// Whether the value is present whatever the old payload held.
    pub fn certain(&self) -> bool {
        match self {
            Sym::Old { ty, .. } => !matches!(ty, Ty::Option(_)),
            Sym::Const(_) => true,
            Sym::Integer { optional, .. } => !optional,
            Sym::Object { entries, exists } => *exists || entries.iter().any(|(_, s)| s.certain()),
        }
    }
}

/// The old payload struct, bound to `old`, as an object of its fields.
pub fn old_root(items: &Items, ty: &Ty) -> Result<Sym, Unsupported> {
    expand(items, quote!(old), ty)
}

/// An old struct value as an object of its fields.
pub fn open(items: &Items, sym: Sym) -> Result<Sym, Unsupported> {
    match sym {
        Sym::Old { expr, ty } => expand(items, expr, &ty),
        other => Ok(other),
    }
}

/// An old struct value as an object of its fields (moved out one by one).
fn expand(items: &Items, expr: TokenStream, ty: &Ty) -> Result<Sym, Unsupported> {
    let Ty::Named(id) = ty else {
        return Err(Unsupported);
    };
    let Shape::Struct(s) = &items.get(*id).shape else {
        return Err(Unsupported);
    };
    if s.extra.is_some() {
        // Undeclared properties travel in a map the steps could address by
        // name; only the JSON form follows them.
        return Err(Unsupported);
    }
    let entries = s
        .fields
        .iter()
        .map(|f| {
            let member = ident(&f.ident);
            let sym = Sym::Old {
                expr: quote!(#expr.#member),
                ty: f.ty.clone(),
            };
            (f.wire.clone(), sym)
        })
        .collect();
    Ok(Sym::Object {
        entries,
        exists: true,
    })
}

/// The names of a step path, as the runtime parses it.
fn segments(path: &str) -> Result<Vec<String>, Unsupported> {
    Path::parse(path)
        .map(|p| p.segments().to_vec())
        .map_err(|_| Unsupported)
}

pub struct Reshaper<'a> {
    pub items: &'a Items,
    pub rt: &'a TokenStream,
}

impl Reshaper<'_> {
    /// Applies the steps, in order, to the old payload.
    pub fn apply(&self, root: &mut Sym, steps: &[UpcastStep]) -> Result<(), Unsupported> {
        for step in steps {
            match step {
                UpcastStep::Rename { from, to } => {
                    let from = segments(from)?;
                    let name = Path::parse_name(to).map_err(|_| Unsupported)?;
                    if let Some(value) = self.take(root, &from)? {
                        let mut target = from;
                        target.pop();
                        target.push(name);
                        self.put(root, &target, value)?;
                    }
                }
                UpcastStep::Move { from, to } => {
                    let (from, to) = (segments(from)?, segments(to)?);
                    if let Some(value) = self.take(root, &from)? {
                        self.put(root, &to, value)?;
                    }
                }
                UpcastStep::Set { path, value } => {
                    self.put(root, &segments(path)?, Sym::Const(value.clone()))?;
                }
                UpcastStep::Drop { path } => {
                    self.take(root, &segments(path)?)?;
                }
                UpcastStep::Convert { path, to } => {
                    let parsed = Path::parse(path).map_err(|_| Unsupported)?;
                    let path = parsed.segments();
                    if let Some(value) = self.take(root, path)? {
                        let converted = convert(self.rt, value, *to, &parsed.pointer())?;
                        self.put(root, path, converted)?;
                    }
                }
                UpcastStep::Custom => return Err(Unsupported),
            }
        }
        Ok(())
    }

    fn take(&self, root: &mut Sym, path: &[String]) -> Result<Option<Sym>, Unsupported> {
        let Some((last, parents)) = path.split_last() else {
            return Err(Unsupported);
        };
        let mut node = root;
        for segment in parents {
            match self.child(node, segment, false)? {
                Some(child) => node = child,
                None => return Ok(None),
            }
        }
        let entries = self.entries(node)?;
        Ok(entries
            .iter()
            .position(|(name, _)| name == last)
            .map(|at| entries.remove(at).1))
    }

    fn put(&self, root: &mut Sym, path: &[String], value: Sym) -> Result<(), Unsupported> {
        let Some((last, parents)) = path.split_last() else {
            return Err(Unsupported);
        };
        let mut node = root;
        for segment in parents {
            node = self.child(node, segment, true)?.ok_or(Unsupported)?;
        }
        let entries = self.entries(node)?;
        match entries.iter_mut().find(|(name, _)| name == last) {
            Some(slot) => slot.1 = value,
            None => entries.push((last.clone(), value)),
        }
        Ok(())
    }

    /// The property `name` of an object node; `create` makes a missing one.
    fn child<'s>(
        &self,
        node: &'s mut Sym,
        name: &str,
        create: bool,
    ) -> Result<Option<&'s mut Sym>, Unsupported> {
        let entries = self.entries(node)?;
        let at = match entries.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None if create => {
                let created = Sym::Object {
                    entries: Vec::new(),
                    exists: false,
                };
                entries.push((name.to_owned(), created));
                entries.len() - 1
            }
            None => return Ok(None),
        };
        Ok(Some(&mut entries[at].1))
    }

    /// The entries of an object node, opening an old struct or a constant
    /// object into its properties first.
    fn entries<'s>(&self, node: &'s mut Sym) -> Result<&'s mut Vec<(String, Sym)>, Unsupported> {
        let opened = match node {
            Sym::Object { .. } => None,
            Sym::Old { expr, ty } => Some(expand(self.items, expr.clone(), ty)?),
            Sym::Const(Json::Object(map)) => Some(Sym::Object {
                entries: map
                    .iter()
                    .map(|(k, v)| (k.clone(), Sym::Const(v.clone())))
                    .collect(),
                exists: true,
            }),
            Sym::Const(_) | Sym::Integer { .. } => return Err(Unsupported),
        };
        if let Some(opened) = opened {
            *node = opened;
        }
        match node {
            Sym::Object { entries, .. } => Ok(entries),
            _ => Err(Unsupported),
        }
    }
}

/// A `convert` step on an old scalar: the expression of the converted value.
fn convert(rt: &TokenStream, value: Sym, to: JsonType, at: &str) -> Result<Sym, Unsupported> {
    let Sym::Old { expr, ty } = value else {
        return Err(Unsupported);
    };
    let Ty::Option(inner) = ty else {
        return Ok(match scalar(rt, expr, &ty, to, at)? {
            (expr, Some(ty)) => Sym::Old { expr, ty },
            (expr, None) => Sym::Integer {
                expr,
                optional: false,
            },
        });
    };
    let (converted, ty) = scalar(rt, quote!(value), &inner, to, at)?;
    let unchanged = converted.to_string() == quote!(value).to_string();
    let expr = if unchanged {
        expr
    } else if can_fail(&converted) {
        quote!(match #expr { Some(value) => Some(#converted), None => None })
    } else {
        quote!(#expr.map(|value| #converted))
    };
    Ok(match ty {
        Some(ty) => Sym::Old {
            expr,
            ty: Ty::Option(Box::new(ty)),
        },
        None => Sym::Integer {
            expr,
            optional: true,
        },
    })
}

/// The converted expression and its type; `None` for an integer whose type
/// the field it lands in decides.
fn scalar(
    rt: &TokenStream,
    expr: TokenStream,
    ty: &Ty,
    to: JsonType,
    at: &str,
) -> Result<(TokenStream, Option<Ty>), Unsupported> {
    let convert = quote!(#rt::upcast::convert);
    Ok(match (ty, to) {
        (Ty::String, JsonType::String)
        | (Ty::Bool, JsonType::Boolean)
        | (Ty::F64, JsonType::Number) => (expr, Some(ty.clone())),
        (ty, JsonType::Integer) if ty.is_integer() => (expr, Some(ty.clone())),
        (Ty::String, JsonType::Integer) => (quote!(#convert::str_to_integer(&#expr, #at)?), None),
        (Ty::String, JsonType::Number) => {
            (quote!(#convert::str_to_number(&#expr, #at)?), Some(Ty::F64))
        }
        (Ty::String, JsonType::Boolean) => {
            (quote!(#convert::str_to_bool(&#expr, #at)?), Some(Ty::Bool))
        }
        (Ty::F64, JsonType::Integer) => (quote!(#convert::number_to_integer(#expr, #at)?), None),
        (Ty::F64, JsonType::String) => {
            (quote!(#convert::number_to_string(#expr)), Some(Ty::String))
        }
        (ty, JsonType::String) if ty.is_integer() || *ty == Ty::Bool => {
            (quote!(#expr.to_string()), Some(Ty::String))
        }
        (ty, JsonType::Number) if ty.is_integer() => (quote!(#expr as f64), Some(Ty::F64)),
        _ => return Err(Unsupported),
    })
}

/// Whether an expression can leave early (holds a `?` or a `return`), so
/// that it cannot sit inside a closure that does not return a `Result`.
pub fn can_fail(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Punct(p) => p.as_char() == '?',
        proc_macro2::TokenTree::Ident(i) => i == "return",
        proc_macro2::TokenTree::Group(g) => can_fail(&g.stream()),
        proc_macro2::TokenTree::Literal(_) => false,
    })
}
