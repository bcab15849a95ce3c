//! Generated string enums (and unions) are `#[non_exhaustive]`: outside the
//! crate holding the bindings a match needs a `_` arm, because the next
//! minor version may add a value.
use evc_bindings_tests::minor_1_0::ParcelShippedV1Service;

fn promise(service: ParcelShippedV1Service) -> &'static str {
    match service {
        ParcelShippedV1Service::Standard => "within a week",
        ParcelShippedV1Service::Express => "tomorrow",
    }
}

fn main() {
    let _ = promise(ParcelShippedV1Service::Express);
}
