//! The typed dispatch table over a set of contracts.

use proc_macro2::TokenStream;

use super::lower::Lowered;
use crate::model::Model;

pub fn table(_model: &Model, _lowered: &Lowered, _rt: &TokenStream) -> TokenStream {
    TokenStream::new()
}
