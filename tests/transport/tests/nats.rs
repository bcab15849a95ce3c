//! The conformance suite on NATS JetStream (`EVC_NATS_URL`, default
//! `nats://127.0.0.1:4222`): each test in a stream and subject prefix of
//! its own, deleted at the end.

mod conformance;

use std::time::Duration;

use async_trait::async_trait;
use evc_transport::nats::{NatsBroker, NatsConfig};

struct Nats;

fn address() -> String {
    std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

#[async_trait]
impl conformance::Fixture for Nats {
    type Broker = NatsBroker;

    async fn open(&self) -> Option<NatsBroker> {
        // Short, so a member that leaves holding messages hands them on soon.
        open(Duration::from_secs(2)).await
    }

    async fn open_patient(&self) -> Option<NatsBroker> {
        open(Duration::from_secs(600)).await
    }

    async fn close(&self, broker: NatsBroker) {
        broker.delete().await.expect("the test stream is deleted");
    }

    fn binary_mode(&self) -> bool {
        true
    }
}

async fn open(ack_wait: Duration) -> Option<NatsBroker> {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let config = NatsConfig {
        stream: format!("EVC_TEST_{unique}"),
        prefix: format!("evctest{unique}"),
        ack_wait,
        subject: None,
    };
    conformance::nats(&address(), config).await
}

conformance!(Nats);

/// A group's pull consumer leaves the server room for the client's next
/// batch: at a ceiling of one batch a NATS 2.9 server parked that request
/// and could leave it unanswered until it expired (a 35 s stall).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_lets_four_pull_batches_be_unsettled() {
    use evc_transport::{Subscriber, Subscription};
    use futures::StreamExt;

    let Some(broker) = open(Duration::from_secs(30)).await else {
        return;
    };
    let subscription =
        Subscription::new("ceiling", ["com.example.orders.order_created.v2"]).prefetch(16);
    drop(broker.subscribe(&subscription).await.expect("subscribed"));
    let client = async_nats::connect(address()).await.expect("connected");
    let stream = async_nats::jetstream::new(client)
        .get_stream(broker.stream_name())
        .await
        .expect("the stream");
    let consumers: Vec<_> = stream
        .consumers()
        .map(|info| info.expect("consumer info"))
        .collect()
        .await;
    let ceilings: Vec<i64> = consumers.iter().map(|c| c.config.max_ack_pending).collect();
    broker.delete().await.expect("deleted");
    assert_eq!(ceilings, [64], "one consumer, four batches of 16");
}
