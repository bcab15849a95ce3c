//! The conformance suite on RabbitMQ (`EVC_AMQP_URL`, default
//! `amqp://guest:guest@127.0.0.1:5672/%2f`): each test on an exchange and
//! queue prefix of its own, deleted at the end.

mod conformance;

use async_trait::async_trait;
use evc_transport::amqp::{AmqpBroker, AmqpConfig};

struct Amqp;

fn address() -> String {
    std::env::var("EVC_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

#[async_trait]
impl conformance::Fixture for Amqp {
    type Broker = AmqpBroker;

    async fn open(&self) -> Option<AmqpBroker> {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let config = AmqpConfig {
            exchange: format!("evc_test_{unique}"),
            queue_prefix: format!("evctest{unique}"),
            ..AmqpConfig::default()
        };
        match AmqpBroker::connect(&address(), config).await {
            Ok(broker) => Some(broker),
            Err(error) => {
                conformance::unreachable("RabbitMQ", &address(), &error);
                None
            }
        }
    }

    async fn close(&self, broker: AmqpBroker) {
        broker
            .delete()
            .await
            .expect("the test exchange and queues are deleted");
    }

    fn binary_mode(&self) -> bool {
        true
    }
}

conformance!(Amqp);
