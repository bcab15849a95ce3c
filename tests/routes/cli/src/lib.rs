//! `evc gen rust DIR --out FILE` wrote the bindings (cli/tests/routes.rs runs it into `EVC_ROUTES_GENERATED`); `include!` takes them in.
//! Here in a library's public modules.

#![deny(warnings)]

/// The bundled contracts.
pub mod bundled {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/bundled.rs"));
}

/// Contract text written to break out of comments and strings.
pub mod hostile {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/hostile.rs"));
}

/// Tagged, untagged and `anyOf` unions.
pub mod unions {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/unions.rs"));
}

/// Required, optional, nullable and defaulted properties.
pub mod optionality {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/optionality.rs"));
}

/// A recursive type.
pub mod recursion {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/recursion.rs"));
}

/// `allOf` merged into one struct.
pub mod merging {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/merging.rs"));
}

/// Maps, extra properties and a payload that is not an object.
pub mod maps {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/maps.rs"));
}

/// Tuples: `prefixItems`, draft-07 `items` lists and `contains`.
pub mod tuples {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/tuples.rs"));
}

pub mod applicators {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/applicators.rs"));
}

/// Property counts and dependencies on structs and maps.
pub mod objects {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/objects.rs"));
}

/// Schemas that reference each other by `$id` URL.
pub mod published {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/published.rs"));
}

/// Upcasts through every kind of step, one over JSON and one custom.
pub mod upcasts {
    include!(concat!(env!("EVC_ROUTES_GENERATED"), "/upcasts.rs"));
    include!("../../custom_upcast.rs");
}
