//! The `contracts!` macro expands to the bindings.
//! Here in a binary's private modules, where an unused item would warn.

#![deny(warnings)]

/// The bundled contracts.
mod bundled {
    evc_macros::contracts!("../../../schemas");
}

/// Contract text written to break out of comments and strings.
mod hostile {
    evc_macros::contracts!("../../contracts/hostile");
}

/// Tagged, untagged and `anyOf` unions.
mod unions {
    evc_macros::contracts!("../../contracts/rust/unions");
}

/// Required, optional, nullable and defaulted properties.
mod optionality {
    evc_macros::contracts!("../../contracts/rust/optionality");
}

/// A recursive type.
mod recursion {
    evc_macros::contracts!("../../contracts/rust/recursion");
}

/// `allOf` merged into one struct.
mod merging {
    evc_macros::contracts!("../../contracts/rust/merging");
}

/// Maps, extra properties and a payload that is not an object.
mod maps {
    evc_macros::contracts!("../../contracts/rust/maps");
}

/// Tuples: `prefixItems`, draft-07 `items` lists and `contains`.
mod tuples {
    evc_macros::contracts!("../../contracts/rust/tuples");
}

mod applicators {
    evc_macros::contracts!("../../contracts/rust/applicators");
}

/// Property counts and dependencies on structs and maps.
mod objects {
    evc_macros::contracts!("../../contracts/rust/objects");
}

/// Schemas that reference each other by `$id` URL.
mod published {
    evc_macros::contracts!("../../contracts/rust/published");
}

/// Upcasts through every kind of step, one over JSON and one custom.
mod upcasts {
    evc_macros::contracts!("../../contracts/rust/upcasts");
    include!("../../custom_upcast.rs");
}

fn main() {
    println!("{}", <bundled::OrderCreated as evc_runtime::Contract>::WIRE_TYPE);
}
