//! C ABI libraries exactly as `evc gen c` writes them, one module per
//! contract set: `shop` for the bundled contracts, and the focused sets of
//! the Rust backend's tests. `OUT_DIR/<prefix>/<prefix>.h` declares what
//! this crate's static and shared libraries export for each.
#![deny(warnings)]

macro_rules! library {
    ($($prefix:ident),*) => {
        $(
            pub mod $prefix {
                include!(concat!(env!("OUT_DIR"), "/", stringify!($prefix), "/lib.rs"));
            }
        )*
    };
}

library!(
    shop,
    unions,
    optionality,
    recursion,
    merging,
    maps,
    tuples,
    applicators,
    published,
    objects,
    hostile,
    names,
    shapes
);

/// Where the build script wrote each set's header and skeleton
/// (`<prefix>/<prefix>.h`).
pub const GENERATED_DIR: &str = env!("OUT_DIR");
