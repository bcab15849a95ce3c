// Producer and consumer code written against `ParcelShipped` 1.0.0: included
// unchanged into a module per binding version by tests/minor_bump.rs. The
// bindings live in another crate, where their types are `#[non_exhaustive]`:
// a struct literal or a match without `_` would not compile even against
// 1.0.0 (tests/trybuild/fail/ in evc-tests shows both refused).
pub fn shipped() -> contracts::ParcelShipped {
    contracts::ParcelShipped::new("7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77".to_owned(), 1200)
        .with_fragile(true)
        .with_label("glass".to_owned())
        .with_service(contracts::ParcelShippedV1Service::Express)
}

pub fn promise(service: contracts::ParcelShippedV1Service) -> &'static str {
    match service {
        contracts::ParcelShippedV1Service::Standard => "within a week",
        contracts::ParcelShippedV1Service::Express => "tomorrow",
        // Values a later minor version adds.
        _ => "ask the carrier",
    }
}
