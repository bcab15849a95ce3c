//! A shop front: sends `CreateOrder` commands to the order service over
//! NATS JetStream. `producer [COUNT]` sends COUNT orders (default 3).

use evc_example_services::contracts::{Address, CreateOrder, OrderLine};
use evc_example_services::nats_address;
use evc_transport::nats::{NatsBroker, NatsConfig};
use evc_transport::Producer;

fn order(number: usize) -> CreateOrder {
    // `new` and the `with_` setters rather than struct literals: the types are
    // `#[non_exhaustive]`, so a minor version's new optional property does not
    // break this code.
    let line = OrderLine::new("SKU-10042-BLK".to_owned(), 1 + (number % 3) as u32)
        .with_product_name("Trail running shoe, black".to_owned());
    let address = Address::new(
        "Ada Lovelace".to_owned(),
        "Invalidenstrasse 117".to_owned(),
        "Berlin".to_owned(),
        "10115".to_owned(),
        "DE".to_owned(),
    );
    CreateOrder::new(
        format!("6c4c1cd6-fb25-495d-8b2b-{number:012}"),
        "2f40bd99-29dd-4ed7-a512-3f99b9939338".to_owned(),
        vec![line],
        "EUR".to_owned(),
        address,
    )
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
