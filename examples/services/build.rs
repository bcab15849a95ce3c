fn main() -> Result<(), Box<dyn std::error::Error>> {
    evc::Builder::new().contracts("../../schemas").compile()?;
    Ok(())
}
