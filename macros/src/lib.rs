//! Proc-macro entry points of evc.
//!
//! The crate exists so the workspace layout is stable; its macros arrive with the
//! Rust backend and expose nothing until then.
