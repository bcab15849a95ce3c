//! The `contracts!` macro expands to the bindings.
//! Here in a library's public modules.

#![deny(warnings)]

/// The bundled contracts.
pub mod bundled {
    evc_macros::contracts!("../../../schemas");
}

/// Contract text written to break out of comments and strings.
pub mod hostile {
    evc_macros::contracts!("../../contracts/hostile");
}

/// Tagged, untagged and `anyOf` unions.
pub mod unions {
    evc_macros::contracts!("../../contracts/rust/unions");
}

/// Required, optional, nullable and defaulted properties.
pub mod optionality {
    evc_macros::contracts!("../../contracts/rust/optionality");
}

/// A recursive type.
pub mod recursion {
    evc_macros::contracts!("../../contracts/rust/recursion");
}

/// `allOf` merged into one struct.
pub mod merging {
    evc_macros::contracts!("../../contracts/rust/merging");
}

/// Maps, extra properties and a payload that is not an object.
pub mod maps {
    evc_macros::contracts!("../../contracts/rust/maps");
}

/// Tuples: `prefixItems`, draft-07 `items` lists and `contains`.
pub mod tuples {
    evc_macros::contracts!("../../contracts/rust/tuples");
}

pub mod applicators {
    evc_macros::contracts!("../../contracts/rust/applicators");
}

/// Property counts and dependencies on structs and maps.
pub mod objects {
    evc_macros::contracts!("../../contracts/rust/objects");
}

/// Schemas that reference each other by `$id` URL.
pub mod published {
    evc_macros::contracts!("../../contracts/rust/published");
}

/// Upcasts through every kind of step, one over JSON and one custom.
pub mod upcasts {
    evc_macros::contracts!("../../contracts/rust/upcasts");
    include!("../../custom_upcast.rs");
}
