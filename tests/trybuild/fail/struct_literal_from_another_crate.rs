//! Generated structs are `#[non_exhaustive]`: outside the crate holding the
//! bindings a struct literal is refused, because the next minor version may
//! add an optional property it would miss. Producers call `new` and the
//! `with_` setters instead.
use evc_bindings_tests::minor_1_0::ParcelShipped;

fn main() {
    let _ = ParcelShipped {
        parcel_id: "7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77".to_owned(),
        weight_grams: 1200,
        fragile: false,
        label: None,
        service: None,
    };
}
