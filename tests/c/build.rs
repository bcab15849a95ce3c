//! Generates the C bindings of the bundled contracts the way `evc gen c`
//! does: the header and skeleton go to `OUT_DIR` for the C tests, the
//! library source is this crate.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::var("OUT_DIR")?;
    let out = Path::new(&out);
    let options = evc::c::Options {
        prefix: "shop".to_string(),
    };
    let generated = evc::builder::generate_c_dir(Path::new("../../schemas"), &options)?;
    for path in &generated.read {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let output = &generated.output;
    evc::builder::write_if_changed(&out.join("shop.h"), output.header.as_bytes())?;
    evc::builder::write_if_changed(&out.join("shop_handlers.c"), output.handlers.as_bytes())?;
    evc::builder::write_if_changed(&out.join("shop.rs"), output.library.as_bytes())?;
    Ok(())
}
