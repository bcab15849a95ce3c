//! Generated types for every JSON Schema Test Suite case evc accepts, and a
//! table of all cases (see `build.rs`).

#![deny(warnings)]

/// How evc took a suite case.
#[derive(Debug, Clone, Copy)]
pub enum Take {
    /// Refused by lint (or not a contract), with the rule id.
    Refused(&'static str),
    /// Compiled: decodes a payload through the generated type.
    Compiled(fn(&[u8]) -> Result<(), evc_runtime::PayloadError>),
}

#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The suite's folder: `draft2020-12`, `draft7` or `draft4`.
    pub draft: &'static str,
    /// Relative to the suite's root, draft folder included.
    pub file: &'static str,
    pub index: usize,
    pub description: &'static str,
    pub take: Take,
}

#[allow(missing_docs)]
pub mod types {
    include!(concat!(env!("OUT_DIR"), "/suite_types.rs"));
}

include!(concat!(env!("OUT_DIR"), "/suite_cases.rs"));
