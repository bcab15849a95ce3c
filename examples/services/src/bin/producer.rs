//! A shop front: sends `CreateOrder` commands to the order service over
//! NATS JetStream. `producer [COUNT]` sends COUNT orders (default 3).

use evc_example_services::contracts::{Address, CreateOrder, OrderLine};
use evc_example_services::nats_address;
use evc_transport::nats::{NatsBroker, NatsConfig};
use evc_transport::Producer;

fn order(number: usize) -> CreateOrder {
    CreateOrder {
        order_id: format!("6c4c1cd6-fb25-495d-8b2b-{number:012}"),
        customer_id: "2f40bd99-29dd-4ed7-a512-3f99b9939338".to_owned(),
        lines: vec![OrderLine {
            sku: "SKU-10042-BLK".to_owned(),
            quantity: 1 + (number % 3) as u32,
            product_name: Some("Trail running shoe, black".to_owned()),
        }],
        currency: "EUR".to_owned(),
        shipping_address: Address {
            recipient_name: "Ada Lovelace".to_owned(),
            line1: "Invalidenstrasse 117".to_owned(),
            line2: None,
            city: "Berlin".to_owned(),
            region: None,
            postal_code: "10115".to_owned(),
            country_code: "DE".to_owned(),
        },
        note: None,
        coupon_code: None,
        requested_delivery_date: None,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args().nth(1).map_or(Ok(3), |n| n.parse())?;
    let broker = NatsBroker::connect(&nats_address(), NatsConfig::default()).await?;
    let producer = Producer::new(broker, "/services/shop-front");
    for number in 0..count {
        // Returns once JetStream has stored the message.
        let sent = producer.publish(&order(number)).await?;
        println!("sent {} {}", sent.ty, sent.id);
    }
    Ok(())
}
