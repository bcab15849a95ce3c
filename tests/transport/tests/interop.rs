//! `cloudevents-sdk`'s NATS binding and evc's NATS adapter, both ways, over
//! the real JetStream server: what the SDK's binding writes, an evc consumer
//! dispatches; what an evc producer publishes (structured mode, the only one
//! the SDK's binding reads), the SDK's binding reads back as an `Event`.

mod conformance;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use cloudevents::binding::nats::{MessageExt, NatsCloudEvent};
use cloudevents::event::{AttributesReader, ExtensionValue};
use cloudevents::{EventBuilder, EventBuilderV10};
use evc_bindings_tests::{Bus, OrderCreated};
use evc_transport::nats::{NatsBroker, NatsConfig};
use evc_transport::{Consumer, Options, Producer};
use futures::StreamExt;
use serde_json::json;

const PATIENCE: Duration = Duration::from_secs(30);

fn address() -> String {
    std::env::var("EVC_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

async fn broker() -> Option<NatsBroker> {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let config = NatsConfig {
        stream: format!("EVC_INTEROP_{unique}"),
        prefix: format!("evcinterop{unique}"),
        ..NatsConfig::default()
    };
    conformance::nats(&address(), config).await
}

fn order() -> serde_json::Value {
    json!({
        "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
        "customer_id": "2f40bd99-29dd-4ed7-a512-3f99b9939338",
        "lines": [{ "sku": "SKU-10042-BLK", "quantity": 2 }],
        "total": { "amount": 189.7, "currency": "EUR" },
        "created_at": "2024-04-29T09:14:03Z"
    })
}

const TYPE: &str = "com.example.orders.order_created.v2";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_sdk_binding_writes_an_evc_consumer_dispatches() {
    let Some(broker) = broker().await else { return };
    let event = EventBuilderV10::new()
        .id("sdk-1")
        .source("/sdk/producer")
        .ty(TYPE)
        .data("application/json", order())
        .extension("dataversion", "2.0.0")
        .build()
        .expect("a valid event");
    let payload = NatsCloudEvent::from_event(event)
        .expect("serialized")
        .payload;
    let client = async_nats::connect(address()).await.expect("connected");
    jetstream::new(client)
        .publish(broker.subject(TYPE), payload.into())
        .await
        .expect("published")
        .await
        .expect("stored");

    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let mut bus = Bus::new(evc_runtime::Publisher::new("/tests/consumer"));
    bus.subscribe::<OrderCreated>(move |event, ctx| {
        sink.lock()
            .unwrap()
            .push((event.clone(), ctx.id().to_owned(), ctx.source().to_owned()));
        Ok(())
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let consumer = Consumer::new(broker.clone(), bus, Options::new("interop"));
    let task = tokio::spawn(consumer.run(async move {
        let _ = stopped.await;
    }));
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while received.lock().unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the SDK's event never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    let (event, id, source) = received.lock().unwrap()[0].clone();
    assert_eq!(serde_json::to_value(&event).unwrap(), order());
    assert_eq!((id.as_str(), source.as_str()), ("sdk-1", "/sdk/producer"));
    broker.delete().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_an_evc_producer_publishes_the_sdk_binding_reads() {
    let Some(broker) = broker().await else { return };
    let value: OrderCreated = serde_json::from_value(order()).unwrap();
    let sent = Producer::new(broker.clone(), "/services/orders")
        .publish(&value)
        .await
        .expect("published");
    let client = async_nats::connect(address()).await.expect("connected");
    let js = jetstream::new(client);
    let consumer = js
        .get_stream(broker.stream_name())
        .await
        .unwrap()
        .create_consumer(jetstream::consumer::pull::Config {
            filter_subject: broker.subject(TYPE),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut messages = consumer.messages().await.unwrap();
    let message = tokio::time::timeout(PATIENCE, messages.next())
        .await
        .expect("the message arrives")
        .unwrap()
        .unwrap();
    // The SDK's binding reads the NATS message type of its own client.
    let sdk_message = async_nats_sdk::Message {
        subject: message.subject.as_str().into(),
        reply: None,
        payload: message.payload.to_vec().into(),
        headers: None,
        status: None,
        description: None,
        length: message.payload.len(),
    };
    let event = sdk_message.to_event().expect("the SDK reads evc's message");
    assert_eq!(event.id(), sent.id);
    assert_eq!(event.ty(), TYPE);
    assert_eq!(event.source().as_str(), "/services/orders");
    assert_eq!(
        event.extension("dataversion"),
        Some(&ExtensionValue::String("2.0.0".into()))
    );
    let data: serde_json::Value = match event.data() {
        Some(cloudevents::Data::Json(json)) => json.clone(),
        other => panic!("JSON data expected, found {other:?}"),
    };
    assert_eq!(data, order());
    message.ack().await.unwrap();
    broker.delete().await.unwrap();
}
