// Producer code written against `ParcelShipped` 1.0.0: included unchanged
// into a module per binding version by tests/minor_bump.rs.
pub fn shipped() -> contracts::ParcelShipped {
    contracts::ParcelShipped::new("7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77".to_owned(), 1200)
        .with_fragile(true)
        .with_label("glass".to_owned())
}
