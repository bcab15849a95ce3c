//! The bundled contracts' bindings, and those of the backend's focused
//! test sets, compiled under `deny(warnings)`: a warning in generated code
//! fails the build.

#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/evc_contracts.rs"));

/// Contract text written to break out of comments and strings; it must
/// compile and keep its text as data.
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
