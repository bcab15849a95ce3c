//! Generates the bindings the way a user's build script would: the bundled
//! contracts, the hostile-text set, and each focused set of the backend's
//! golden tests.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    evc::Builder::new().contracts("../../schemas").compile()?;
    evc::Builder::new()
        .contracts("../contracts/hostile")
        .file_name("hostile.rs")
        .compile()?;
    for set in [
        "unions",
        "optionality",
        "recursion",
        "merging",
        "maps",
        "tuples",
        "applicators",
        "objects",
        "upcasts",
        "semantics",
        "formats",
        "minor_1_0",
        "minor_1_1",
        "published",
    ] {
        evc::Builder::new()
            .contracts(format!("../contracts/rust/{set}"))
            .file_name(format!("{set}.rs"))
            .compile()?;
    }
    Ok(())
}
