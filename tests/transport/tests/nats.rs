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
