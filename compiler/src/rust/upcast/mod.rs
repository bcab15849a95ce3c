//! Upcasts as typed conversions: for every major step of a contract, an
//! `impl Upcast<V1> for V2` generated from its declarative steps, moving
//! each old field to its new place at compile time rather than reshuffling
//! JSON at run time. A step list the typed form cannot follow (a path
//! through an optional object, say) runs the same steps over JSON inside the
//! impl; a `custom: true` step is an impl the user writes, which dispatch
//! requires, so a missing one is a compile error naming both types.

mod construct;
mod symbolic;

use std::cell::{Cell, RefCell};

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::emit::{ident, reaches_deprecated, Emitter};
use crate::bind::ir::{Shape, Ty};
use crate::bind::Lowered;
use crate::model::{JsonType, Model, UpcastStep};
use crate::upcast::Path;
use construct::Constructor;
use symbolic::{old_root, Reshaper, Sym};

/// How one major becomes the next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Conversion<'m> {
    Declared(&'m [crate::model::Spanned<UpcastStep>]),
    Custom,
}

/// One major step of a contract, between two generated root types.
#[derive(Debug, Clone, Copy)]
pub struct MajorStep<'m> {
    /// Indexes into `Lowered::roots`.
    pub from: usize,
    pub to: usize,
    pub conversion: Conversion<'m>,
}

/// Every major step that has an upcast, per contract in major order.
pub fn major_steps<'m>(model: &'m Model, lowered: &Lowered) -> Vec<MajorStep<'m>> {
    let mut out = Vec::new();
    for (to, root) in lowered.roots.iter().enumerate() {
        let Some(from) = to.checked_sub(1) else {
            continue;
        };
        if lowered.roots[from].contract != root.contract {
            continue;
        }
        let contract = &model.contracts[root.contract];
        // The upcast sits on the first version of the new major.
        let first = contract
            .versions
            .iter()
            .find(|v| v.version.as_ref().is_some_and(|n| n.major == root.major));
        let Some(upcast) = first.and_then(|v| v.upcast.as_ref()) else {
            continue;
        };
        let conversion = if upcast.value.iter().any(|s| s.value == UpcastStep::Custom) {
            Conversion::Custom
        } else {
            Conversion::Declared(&upcast.value)
        };
        out.push(MajorStep {
            from,
            to,
            conversion,
        });
    }
    out
}

/// The typed `Upcast` impl of one declared step; a custom step's impl is
/// the user's to write.
pub fn impl_for(
    model: &Model,
    lowered: &Lowered,
    emitter: &Emitter,
    step: &MajorStep,
) -> TokenStream {
    let rt = emitter.checks.rt;
    let Conversion::Declared(steps) = step.conversion else {
        return TokenStream::new();
    };
    let steps: Vec<UpcastStep> = steps.iter().map(|s| s.value.clone()).collect();
    let (from, to) = (&lowered.roots[step.from], &lowered.roots[step.to]);
    let old = ident(&lowered.items.get(from.item).name);
    let new = ident(&lowered.items.get(to.item).name);
    let body = typed(lowered, emitter, from.item, to.item, &steps)
        .unwrap_or_else(|| over_json(rt, &old, &steps));
    let doc = Literal::string(&format!(
        " `{}` {} to {}, by the contract's upcast steps.",
        model.contracts[to.contract].name.value,
        version_text(model, from),
        version_text(model, to),
    ));
    let lints = if reaches_deprecated(from.item, &lowered.items)
        || reaches_deprecated(to.item, &lowered.items)
    {
        quote!(#[allow(deprecated, clippy::redundant_closure, clippy::needless_question_mark)])
    } else {
        quote!(#[allow(clippy::redundant_closure, clippy::needless_question_mark)])
    };
    quote! {
        #[doc = #doc]
        #lints
        impl #rt::Upcast<#old> for #new {
            #body
        }
    }
}

fn version_text(model: &Model, root: &crate::bind::Root) -> String {
    model.contracts[root.contract].versions[root.version]
        .version
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// The conversion as a struct literal built from the old fields, or `None`
/// when the steps leave the typed form.
fn typed(
    lowered: &Lowered,
    emitter: &Emitter,
    from: crate::bind::ir::ItemId,
    to: crate::bind::ir::ItemId,
    steps: &[UpcastStep],
) -> Option<TokenStream> {
    let rt = emitter.checks.rt;
    let items = &lowered.items;
    if !matches!(items.get(to).shape, Shape::Struct(_)) {
        return None;
    }
    let mut root = old_root(items, &Ty::Named(from)).ok()?;
    Reshaper { items, rt }.apply(&mut root, steps).ok()?;
    let Sym::Object { entries, .. } = root else {
        return None;
    };
    let constructor = Constructor {
        items,
        emitter,
        rt,
        used_old: Cell::new(false),
        converting: RefCell::new(Vec::new()),
    };
    let value = constructor.structure(entries, to, "").ok()?;
    let old = ident(&items.get(from).name);
    let parameter = if constructor.used_old.get() {
        quote!(old)
    } else {
        quote!(_old)
    };
    Some(quote! {
        fn upcast(#parameter: #old) -> Result<Self, #rt::UpcastError> {
            Ok(#value)
        }
    })
}

/// The steps run by the runtime over the old payload as JSON, then read as
/// the new type.
fn over_json(rt: &TokenStream, old: &proc_macro2::Ident, steps: &[UpcastStep]) -> TokenStream {
    let text = |t: &str| {
        let t = Literal::string(t);
        quote!(::std::string::String::from(#t))
    };
    let built = steps.iter().map(|step| match step {
        UpcastStep::Rename { from, to } => {
            let (from, to) = (text(from), text(to));
            quote!(#rt::upcast::Step::Rename { from: #from, to: #to })
        }
        UpcastStep::Move { from, to } => {
            let (from, to) = (text(from), text(to));
            quote!(#rt::upcast::Step::Move { from: #from, to: #to })
        }
        UpcastStep::Set { path, value } => {
            let pointer = Path::parse(path).map(|p| p.pointer()).unwrap_or_default();
            let pointer = Literal::string(&pointer);
            let constant = Literal::string(&value.to_string());
            let path = text(path);
            quote! {
                #rt::upcast::Step::Set {
                    path: #path,
                    value: #rt::upcast::constant(#constant, #pointer)?,
                }
            }
        }
        UpcastStep::Drop { path } => {
            let path = text(path);
            quote!(#rt::upcast::Step::Drop { path: #path })
        }
        UpcastStep::Convert { path, to } => {
            let path = text(path);
            let scalar = match to {
                JsonType::Integer => quote!(Integer),
                JsonType::Number => quote!(Number),
                JsonType::Boolean => quote!(Boolean),
                _ => quote!(String),
            };
            quote!(#rt::upcast::Step::Convert { path: #path, to: #rt::upcast::Scalar::#scalar })
        }
        UpcastStep::Custom => quote!(#rt::upcast::Step::Custom),
    });
    quote! {
        fn upcast(old: #old) -> Result<Self, #rt::UpcastError> {
            let mut value = #rt::upcast::json::to_value(&old)?;
            let steps = [#(#built),*];
            #rt::upcast::apply(&steps, &mut value)?;
            #rt::upcast::json::from_value(value)
        }
    }
}
