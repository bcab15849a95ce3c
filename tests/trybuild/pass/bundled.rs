//! The bundled contracts through `contracts!`, under `deny(warnings)`.
#![deny(warnings)]

mod contracts {
    // Relative to the crate trybuild generates in target/tests/trybuild/.
    evc_macros::contracts!("../../../../schemas");
}

use evc_runtime::Contract;

fn main() {
    assert_eq!(
        <contracts::OrderCreated as Contract>::WIRE_TYPE,
        "com.example.orders.order_created.v2"
    );
    let mut bus = contracts::Bus::new(evc_runtime::Publisher::new("/trybuild"));
    bus.subscribe::<contracts::OrderCreated>(|_, _| Ok(()));
    assert!(!bus.unhandled_commands().is_empty());
}
