//! Whatever arrives, dispatch answers: handled, or an error that carries the
//! bytes back. Random bytes, random JSON, and random edits of a valid message.

use evc_bindings_tests::{Bus, CreateOrder, OrderCreated};
use evc_runtime::Publisher;
use proptest::prelude::*;

const VALID: &str = r#"{"specversion":"1.0","id":"m-1","source":"/s","type":"com.example.orders.create_order.v1","time":"2024-04-29T09:14:03Z","data":{"order_id":"6c4c1cd6-fb25-495d-8b2b-deca9b2d442d","customer_id":"2f40bd99-29dd-4ed7-a512-3f99b9939338","lines":[{"sku":"SKU-10042-BLK","quantity":2}],"currency":"EUR","shipping_address":{"recipient_name":"Ada","line1":"Street 1","city":"Berlin","postal_code":"10115","country_code":"DE"}}}"#;

fn bus() -> Bus {
    let mut bus = Bus::new(Publisher::new("/fuzz"));
    bus.handle::<CreateOrder>(|_, _| Ok(()))
        .expect("first handler");
    bus.subscribe::<OrderCreated>(|_, _| Ok(()));
    bus
}

fn check(bytes: &[u8]) {
    if let Err(error) = bus().dispatch(bytes) {
        assert_eq!(error.bytes(), bytes);
        assert!(!error.to_string().is_empty());
    }
    let _ = evc_bindings_tests::decode(bytes);
}

#[test]
fn the_valid_message_is_handled() {
    assert!(bus().dispatch(VALID.as_bytes()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes);
    }

    #[test]
    fn edited_messages(edits in prop::collection::vec((0..VALID.len(), 0..12usize, prop::sample::select(&["", "\"", "{", "}", "[", "]", ",", ":", "null", "1e999", "-0", "\\u0000", "\"type\":1,", "\"data\":", "\u{1F600}", "9999999999999999999999"][..])), 1..5)) {
        let mut text = VALID.as_bytes().to_vec();
        for (at, cut, insert) in edits {
            let at = at.min(text.len());
            let end = (at + cut).min(text.len());
            text.splice(at..end, insert.bytes());
        }
        check(&text);
    }

    #[test]
    fn deep_nesting_in_data(depth in 1usize..2000) {
        let data = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let text = VALID.replace(r#""data":{"#, &format!(r#""data":{data},"x":{{"#));
        check(text.as_bytes());
    }
}
