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
            box_closing(items, ty, id);
        }
        set_direct_slots(items.get_mut(id), slots);
    }
}

/// Boxes the items held inline by `ty` (itself, inside an `Option` or at a
/// tuple position) that hold `holder` in turn.
fn box_closing(items: &Items, ty: &mut Ty, holder: ItemId) {
    match ty {
        Ty::Named(target) if reaches(items, *target, holder) => *ty = Ty::Boxed(*target),
        Ty::Option(inner) => box_closing(items, inner, holder),
        Ty::Tuple(positions) => positions
            .iter_mut()
            .for_each(|p| box_closing(items, p, holder)),
        _ => {}
    }
}

/// The items `ty` holds inline, without a `Vec`, map or `Box` between.
fn inline_items(ty: &Ty, out: &mut Vec<ItemId>) {
    match ty {
        Ty::Named(target) => out.push(*target),
        Ty::Option(inner) => inline_items(inner, out),
        Ty::Tuple(positions) => positions.iter().for_each(|p| inline_items(p, out)),
        _ => {}
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
            inline_items(&ty, &mut stack);
        }
    }
    false
}
