//! The bundled contracts' bindings, compiled under `deny(warnings)`: a
//! warning in generated code fails the build.

#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/evc_contracts.rs"));

/// Contract text written to break out of comments and strings; it must
/// compile and keep its text as data.
pub mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}
