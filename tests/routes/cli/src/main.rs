//! `evc gen rust DIR --out FILE` wrote the bindings (cli/tests/routes.rs runs it into `EVC_ROUTES_GENERATED`); `include!` takes them in.
//! Here in a binary's private modules, where an unused item would warn.

#![deny(warnings)]

/// The bundled contracts.
mod bundled {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/bundled.rs"));
}

/// Contract text written to break out of comments and strings.
mod hostile {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/hostile.rs"));
}

/// Tagged, untagged and `anyOf` unions.
mod unions {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/unions.rs"));
}

/// Required, optional, nullable and defaulted properties.
mod optionality {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/optionality.rs"));
}

/// A recursive type.
mod recursion {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/recursion.rs"));
}

/// `allOf` merged into one struct.
mod merging {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/merging.rs"));
}

/// Maps, extra properties and a payload that is not an object.
mod maps {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/maps.rs"));
}

/// Tuples: `prefixItems`, draft-07 `items` lists and `contains`.
mod tuples {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/tuples.rs"));
}

mod applicators {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/applicators.rs"));
}

/// Property counts and dependencies on structs and maps.
mod objects {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/objects.rs"));
}

/// Schemas that reference each other by `$id` URL.
mod published {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/published.rs"));
}

/// Upcasts through every kind of step, one over JSON and one custom.
mod upcasts {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/upcasts.rs"));
    include!("../../custom_upcast.rs");
}

fn main() {
    println!("{}", <bundled::OrderCreated as evc_runtime::Contract>::WIRE_TYPE);
}
