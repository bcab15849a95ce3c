//! The `evc` command line over the [`evc`] library: its argument
//! definitions, shared by the binary, its shell completions and the tests
//! that hold the docs to it, and the progress bar it draws.
//!
//! Build scripts and `evc-macros` use the `evc` library alone, so none of
//! this (clap, indicatif, mimalloc) is compiled for them.

pub mod cli;
pub mod progress;
