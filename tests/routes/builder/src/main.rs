//! `evc::Builder` in build.rs writes the bindings to `OUT_DIR`; `include!` takes them in.
//! Here in a binary's private modules, where an unused item would warn.

#![deny(warnings)]

/// The bundled contracts.
mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// Contract text written to break out of comments and strings.
mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}

/// Tagged, untagged and `anyOf` unions.
mod unions {
    include!(concat!(env!("OUT_DIR"), "/unions.rs"));
}

/// Required, optional, nullable and defaulted properties.
mod optionality {
    include!(concat!(env!("OUT_DIR"), "/optionality.rs"));
}

/// A recursive type.
mod recursion {
    include!(concat!(env!("OUT_DIR"), "/recursion.rs"));
}

/// `allOf` merged into one struct.
mod merging {
    include!(concat!(env!("OUT_DIR"), "/merging.rs"));
}

/// Maps, extra properties and a payload that is not an object.
mod maps {
    include!(concat!(env!("OUT_DIR"), "/maps.rs"));
}

/// Tuples: `prefixItems`, draft-07 `items` lists and `contains`.
mod tuples {
    include!(concat!(env!("OUT_DIR"), "/tuples.rs"));
}

mod applicators {
    include!(concat!(env!("OUT_DIR"), "/applicators.rs"));
}

/// Property counts and dependencies on structs and maps.
mod objects {
    include!(concat!(env!("OUT_DIR"), "/objects.rs"));
}

/// Schemas that reference each other by `$id` URL.
mod published {
    include!(concat!(env!("OUT_DIR"), "/published.rs"));
}

/// Upcasts through every kind of step, one over JSON and one custom.
mod upcasts {
    include!(concat!(env!("OUT_DIR"), "/upcasts.rs"));
    include!("../../custom_upcast.rs");
}

fn main() {
    println!("{}", <bundled::OrderCreated as evc_runtime::Contract>::WIRE_TYPE);
}
