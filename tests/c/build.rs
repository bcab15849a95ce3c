//! Generates C bindings the way `evc gen c` does: the bundled contracts
//! (prefix `shop`) and each focused set of the Rust backend's tests (prefix
//! = the set's name). Headers and skeletons go to `OUT_DIR/<prefix>/` for
//! the C tests; the library sources become this crate's modules.

use std::path::Path;

/// `(contracts directory, prefix)`.
const SETS: &[(&str, &str)] = &[
    ("../../schemas", "shop"),
    ("../contracts/rust/unions", "unions"),
    ("../contracts/rust/optionality", "optionality"),
    ("../contracts/rust/recursion", "recursion"),
    ("../contracts/rust/merging", "merging"),
    ("../contracts/rust/maps", "maps"),
    ("../contracts/rust/tuples", "tuples"),
    ("../contracts/rust/applicators", "applicators"),
    ("../contracts/rust/published", "published"),
    ("../contracts/rust/objects", "objects"),
    ("../contracts/hostile", "hostile"),
    ("../contracts/c/hostile_names", "names"),
    ("../contracts/c/shapes", "shapes"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::var("OUT_DIR")?;
    for (dir, prefix) in SETS {
        let options = evc::c::Options {
            prefix: prefix.to_string(),
        };
        let generated = evc::builder::generate_c_dir(Path::new(dir), &options)?;
        for path in &generated.read {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let output = &generated.output;
        let into = Path::new(&out).join(prefix);
        let write = evc::builder::write_if_changed;
        write(&into.join(format!("{prefix}.h")), output.header.as_bytes())?;
        write(
            &into.join(format!("{prefix}_handlers.c")),
            output.handlers.as_bytes(),
        )?;
        write(&into.join("lib.rs"), output.library.as_bytes())?;
    }
    Ok(())
}
