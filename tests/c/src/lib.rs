//! The C ABI library of the bundled contracts (prefix `shop`), exactly as
//! `evc gen c schemas --prefix shop` writes it: `shop.h` in `OUT_DIR`
//! declares what this crate's static and shared libraries export.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/shop.rs"));

/// Where the build script wrote `shop.h` and `shop_handlers.c`.
pub const GENERATED_DIR: &str = env!("OUT_DIR");
