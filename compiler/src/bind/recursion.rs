//! Recursive types: a struct that contains itself (directly or through
//! other items, without a `Vec` or map in between) holds the cycle's
//! closing reference through a `Box`.

use std::collections::BTreeSet;

use super::ir::{Item, ItemId, Items, Shape, Ty};

/// Holds through a `Box` every reference that closes a cycle of direct
/// containment (a `Vec` or a map already adds the indirection a recursive
/// type needs).
pub fn box_cycles(items: &mut Items) {
    let ids: Vec<ItemId> = items.iter().map(|(id, _)| id).collect();
    for id in ids {
        let mut slots = direct_slots(items.get(id));
        for ty in &mut slots {
            let target = match ty {
                Ty::Named(target) => *target,
                Ty::Option(inner) => match **inner {
                    Ty::Named(target) => target,
                    _ => continue,
                },
                _ => continue,
            };
            if reaches(items, target, id) {
                box_named(ty);
            }
        }
        set_direct_slots(items.get_mut(id), slots);
    }
}

/// The types an item holds inline, in a fixed order.
fn direct_slots(item: &Item) -> Vec<Ty> {
    match &item.shape {
        Shape::Struct(s) => s.fields.iter().map(|f| f.ty.clone()).collect(),
        Shape::Newtype(ty) => vec![ty.clone()],
        Shape::Union(u) => u.variants.iter().map(|v| v.data.ty.clone()).collect(),
        Shape::Enum(_) => Vec::new(),
    }
}

fn set_direct_slots(item: &mut Item, slots: Vec<Ty>) {
    match &mut item.shape {
        Shape::Struct(s) => s.fields.iter_mut().zip(slots).for_each(|(f, t)| f.ty = t),
        Shape::Newtype(ty) => *ty = slots.into_iter().next().unwrap_or(Ty::Value),
        Shape::Union(u) => u
            .variants
            .iter_mut()
            .zip(slots)
            .for_each(|(v, t)| v.data.ty = t),
        Shape::Enum(_) => {}
    }
}

fn box_named(ty: &mut Ty) {
    match ty {
        Ty::Named(target) => *ty = Ty::Boxed(*target),
        Ty::Option(inner) => box_named(inner),
        _ => {}
    }
}

/// Whether `from` holds `to` inline, directly or through other items.
fn reaches(items: &Items, from: ItemId, to: ItemId) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(next) = stack.pop() {
        if next == to {
            return true;
        }
        if !seen.insert(next) {
            continue;
        }
        for ty in direct_slots(items.get(next)) {
            match ty {
                Ty::Named(t) => stack.push(t),
                Ty::Option(inner) => {
                    if let Ty::Named(t) = *inner {
                        stack.push(t);
                    }
                }
                _ => {}
            }
        }
    }
    false
}
