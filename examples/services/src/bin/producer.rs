//! A shop front: records each order in its own PostgreSQL table and, in
//! the same transaction, writes the `CreateOrder` command for the order
//! service into its outbox; a relay then publishes the outbox over NATS
//! JetStream. A crash between the two never leaves an order without its
//! command, or a command for an order that rolled back.
//! `producer [COUNT]` sends COUNT orders (default 3).

use evc_example_services::contracts::{Address, CreateOrder, OrderLine};
use evc_example_services::{nats_address, postgres_url};
use evc_store::{sqlx, Relay, Store};
use evc_transport::nats::{NatsBroker, NatsConfig};

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
    let store = Store::connect(&postgres_url(), "shop_front").await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS shop_front.orders (
            order_id text PRIMARY KEY,
            customer_id text NOT NULL,
            units integer NOT NULL,
            placed_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .execute(store.pool())
    .await?;
    let outbox = store.outbox("/services/shop-front");
    for number in 0..count {
        let order = order(number);
        let units: u32 = order.lines.iter().map(|line| line.quantity).sum();
        let mut tx = store.pool().begin().await?;
        // Running the example again places the same orders again.
        sqlx::query(
            "INSERT INTO shop_front.orders (order_id, customer_id, units) VALUES ($1, $2, $3)
             ON CONFLICT (order_id) DO UPDATE SET units = excluded.units, placed_at = now()",
        )
        .bind(&order.order_id)
        .bind(&order.customer_id)
        .bind(i32::try_from(units)?)
        .execute(&mut *tx)
        .await?;
        // The messages of one order keep their order on the way out.
        let sent = outbox.append_to(&mut tx, &order.order_id, &order).await?;
        tx.commit().await?;
        println!("stored {} {}", sent.ty, sent.id);
    }
    let broker = NatsBroker::connect(&nats_address(), NatsConfig::default()).await?;
    // Returns once JetStream has stored every pending message.
    let published = Relay::new(&store, broker).drain().await?;
    println!("relayed {published} messages");
    Ok(())
}
