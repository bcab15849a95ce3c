//! The order service: handles `CreateOrder` commands from NATS JetStream
//! and announces each order with an `OrderCreated` event, which a second
//! subscriber (standing in for a mailer) receives. Runs until Ctrl-C, or
//! `consumer COUNT` stops after COUNT announced orders.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use evc_example_services::contracts::{Bus, CreateOrder, Money, OrderCreated};
use evc_example_services::nats_address;
use evc_transport::nats::{NatsBroker, NatsConfig};
use evc_transport::{Consumer, Options};
use tokio::sync::Notify;

/// Every line at one price, for the example.
const UNIT_PRICE: f64 = 94.85;

fn created(command: CreateOrder, at: &str) -> OrderCreated {
    let units: u32 = command.lines.iter().map(|line| line.quantity).sum();
    let total = Money::new(f64::from(units) * UNIT_PRICE, command.currency);
    let mut created = OrderCreated::new(
        command.order_id,
        command.customer_id,
        command.lines,
        total,
        at.to_owned(),
    )
    .with_shipping_address(command.shipping_address);
    created.comment = command.note;
    created
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stop_after: Option<usize> = std::env::args().nth(1).map(|n| n.parse()).transpose()?;
    let broker = NatsBroker::connect(&nats_address(), NatsConfig::default()).await?;
    let mut bus = Bus::new(evc_runtime::Publisher::new("/services/orders"));
    bus.handle::<CreateOrder>(|command, ctx| {
        let at = ctx.time().unwrap_or("1970-01-01T00:00:00Z").to_owned();
        // Published, durably, before the command is acknowledged.
        ctx.emit(created(command, &at))?;
        Ok(())
    })?;
    let announced = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(Notify::new());
    let (count, wake) = (announced.clone(), done.clone());
    bus.subscribe::<OrderCreated>(move |event, ctx| {
        println!(
            "order {} created: {:.2} {} (caused by {})",
            event.order_id,
            event.total.amount,
            event.total.currency,
            ctx.causation_id().unwrap_or("-")
        );
        if stop_after.is_some_and(|n| count.fetch_add(1, Ordering::SeqCst) + 1 >= n) {
            wake.notify_one();
        }
        Ok(())
    });
    let consumer = Consumer::new(broker, bus, Options::new("order-service"));
    consumer
        .run(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = done.notified() => {}
            }
        })
        .await?;
    println!("stopped after {} orders", announced.load(Ordering::SeqCst));
    Ok(())
}
