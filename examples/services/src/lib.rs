//! The bundled contracts' bindings, shared by the two services, and where
//! they find NATS.

#![deny(warnings)]

/// The generated types and dispatch table of `schemas/`.
pub mod contracts {
    include!(concat!(env!("OUT_DIR"), "/evc_contracts.rs"));
}

/// `EVC_NATS_URL`, or the local server.
pub fn nats_address() -> String {
    std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}
