//! The conformance suite on RabbitMQ (`EVC_AMQP_URL`, default
//! `amqp://guest:guest@127.0.0.1:5672/%2f`): each test on an exchange and
//! queue prefix of its own, deleted at the end.

mod conformance;

use async_trait::async_trait;
use evc_transport::amqp::{AmqpBroker, AmqpConfig};
use evc_transport::Publisher;

struct Amqp;

fn address() -> String {
    std::env::var("EVC_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

#[async_trait]
impl conformance::Fixture for Amqp {
    type Broker = AmqpBroker;

    async fn open(&self) -> Option<AmqpBroker> {
        match AmqpBroker::connect(&address(), config()).await {
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

fn config() -> AmqpConfig {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    AmqpConfig {
        exchange: format!("evc_test_{unique}"),
        queue_prefix: format!("evctest{unique}"),
        ..AmqpConfig::default()
    }
}

/// A publish the broker refuses (its exchange is gone) is an error, not a
/// hang; the adapter publishes again once the exchange is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_publish_is_an_error_and_publishing_recovers() {
    let config = config();
    let broker = match AmqpBroker::connect(&address(), config.clone()).await {
        Ok(broker) => broker,
        Err(error) => return conformance::unreachable("RabbitMQ", &address(), &error),
    };
    let message = || evc_transport::RawMessage::new("{}");
    broker.publish("t", message()).await.expect("published");
    let remover = AmqpBroker::connect(&address(), config.clone())
        .await
        .expect("connected");
    remover.delete().await.expect("the exchange is deleted");
    assert!(broker.publish("t", message()).await.is_err());
    let again = AmqpBroker::connect(&address(), config)
        .await
        .expect("the exchange is declared again");
    broker
        .publish("t", message())
        .await
        .expect("published again");
    drop(again);
    broker.delete().await.expect("deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_broker_is_an_error() {
    let result = AmqpBroker::connect("amqp://guest:guest@127.0.0.1:1/%2f", config()).await;
    assert!(result.is_err());
}
