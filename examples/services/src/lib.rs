//! The bundled contracts' bindings, shared by the two services, and where
//! they find NATS and PostgreSQL.

#![deny(warnings)]

/// The generated types and dispatch table of `schemas/`.
pub mod contracts {
    include!(concat!(env!("OUT_DIR"), "/evc_contracts.rs"));
}

/// `EVC_NATS_URL`, or the local server.
pub fn nats_address() -> String {
    std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// `EVC_POSTGRES_URL`, or the local server's `test` database.
pub fn postgres_url() -> String {
    std::env::var("EVC_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}
