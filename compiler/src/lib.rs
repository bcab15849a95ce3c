//! evc: a schema-first event contract compiler.
//!
//! The library flows in one direction: [`load`] reads files into spanned
//! documents, [`model`] builds the contract IR, [`check`] proves the rules, and
//! [`report`] renders findings; [`bind`] lowers a clean model once into the
//! binding model, which the backends ([`rust`], [`c`]) turn into code.
//! [`lint_dir`] runs the checks, [`Builder`] the Rust backend from a build
//! script. [`breaking`] compares the contracts with a
//! [`baseline`]: another directory or a git revision.
//!
//! The `evc` command line is the evc-cli package, over this library.

pub mod baseline;
pub mod bind;
pub mod breaking;
pub mod c;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod evolution;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod rust;
pub mod source;
mod stack;
pub mod upcast;
pub mod verify;

pub mod builder;
mod pipeline;

pub use builder::{generate_c, generate_dir, generate_from, Builder, Error, Generated};
pub use pipeline::{
    lint_dir, lint_dir_observed, lint_inputs, schema_inputs, Lint, SchemaDocument, Step,
};
