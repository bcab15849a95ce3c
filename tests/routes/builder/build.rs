fn main() -> Result<(), Box<dyn std::error::Error>> {
    for (set, dir) in [
        ("bundled", "../../../schemas"),
        ("hostile", "../../contracts/hostile"),
        ("unions", "../../contracts/rust/unions"),
        ("optionality", "../../contracts/rust/optionality"),
        ("recursion", "../../contracts/rust/recursion"),
        ("merging", "../../contracts/rust/merging"),
        ("maps", "../../contracts/rust/maps"),
        ("upcasts", "../../contracts/rust/upcasts"),
        ("tuples", "../../contracts/rust/tuples"),
        ("applicators", "../../contracts/rust/applicators"),
        ("objects", "../../contracts/rust/objects"),
        ("published", "../../contracts/rust/published"),
    ] {
        evc::Builder::new()
            .contracts(dir)
            .file_name(format!("{set}.rs"))
            .compile()?;
    }
    Ok(())
}
