//! A `custom: true` upcast the user has not written is a compile error
//! naming both types (contract and majors).
mod contracts {
    evc_macros::contracts!("../../../../tests/contracts/custom_upcast");
}

fn main() {}
