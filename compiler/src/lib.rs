//! evc: a schema-first event contract compiler.
//!
//! The library flows in one direction: [`load`] reads files into spanned
//! documents, [`model`] builds the contract IR, [`check`] proves the rules, and
//! [`report`] renders findings. [`lint_dir`] runs the whole pipeline.

pub mod check;
pub mod config;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;

mod pipeline;

pub use pipeline::{lint_dir, lint_inputs, Lint};
