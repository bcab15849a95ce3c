//! The binding model: the one description of the payload types every
//! backend generates from. [`bind`] lowers a checked [`Model`] once per
//! build: it decides which schemas become named types (structs, string
//! enums, tagged unions, newtypes), the type of every value, and every
//! name, with collisions resolved here and nowhere else.
//!
//! Names are identifiers valid in Rust (`OrderCreatedV2`, `r#type`), the
//! most restrictive target; other languages derive theirs from them.
//! Backends read a [`Binding`], never another backend, and never files.

pub mod ir;
pub mod lower;
pub mod names;
pub mod reading;
mod recursion;
pub mod text;

use crate::model::Model;

pub use lower::{Lowered, Root};

/// A checked model with its payload types lowered and named.
#[derive(Debug)]
pub struct Binding<'m> {
    pub model: &'m Model,
    pub lowered: Lowered,
}

/// Lowers `model` into the binding every backend reads.
pub fn bind(model: &Model) -> Binding<'_> {
    Binding {
        model,
        lowered: lower::lower(model),
    }
}
