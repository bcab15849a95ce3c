//! Generates the bindings the way a user's build script would.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    evc::Builder::new().contracts("../../schemas").compile()?;
    evc::Builder::new()
        .contracts("../contracts/hostile")
        .file_name("hostile.rs")
        .compile()?;
    Ok(())
}
