//! `evc::Builder` in build.rs writes the bindings to `OUT_DIR`; `include!` takes them in.
//! Here in a library's public modules.

#![deny(warnings)]

/// The bundled contracts.
pub mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// Contract text written to break out of comments and strings.
pub mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}

/// Tagged, untagged and `anyOf` unions.
pub mod unions {
    include!(concat!(env!("OUT_DIR"), "/unions.rs"));
}

/// Required, optional, nullable and defaulted properties.
pub mod optionality {
    include!(concat!(env!("OUT_DIR"), "/optionality.rs"));
}

/// A recursive type.
pub mod recursion {
    include!(concat!(env!("OUT_DIR"), "/recursion.rs"));
}

/// `allOf` merged into one struct.
pub mod merging {
    include!(concat!(env!("OUT_DIR"), "/merging.rs"));
}

/// Maps, extra properties and a payload that is not an object.
pub mod maps {
    include!(concat!(env!("OUT_DIR"), "/maps.rs"));
}

/// Tuples: `prefixItems`, draft-07 `items` lists and `contains`.
pub mod tuples {
    include!(concat!(env!("OUT_DIR"), "/tuples.rs"));
}

pub mod applicators {
    include!(concat!(env!("OUT_DIR"), "/applicators.rs"));
}

/// Property counts and dependencies on structs and maps.
pub mod objects {
    include!(concat!(env!("OUT_DIR"), "/objects.rs"));
}

/// Schemas that reference each other by `$id` URL.
pub mod published {
    include!(concat!(env!("OUT_DIR"), "/published.rs"));
}

/// Upcasts through every kind of step, one over JSON and one custom.
pub mod upcasts {
    include!(concat!(env!("OUT_DIR"), "/upcasts.rs"));
    include!("../../custom_upcast.rs");
}
