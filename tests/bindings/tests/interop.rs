//! Interoperability with the `cloudevents-sdk` crate, both ways: what evc
//! writes the SDK reads with equal attributes, extensions and data, and what
//! the SDK writes parses and dispatches here.

mod support;

use cloudevents::event::{AttributesReader, ExtensionValue};
use cloudevents::{Data, EventBuilder, EventBuilderV10};
use evc_bindings_tests::{Bus, OrderCreated, OrderCreatedV2};
use evc_runtime::{Contract, Envelope, Publisher, Reason};
use serde_json::Value;
use support::order_created;

#[test]
fn envelopes_evc_writes_read_in_the_sdk() {
    let mut envelope = Publisher::new("https://shop.example/orders")
        .envelope(&order_created())
        .expect("valid payload");
    envelope.subject = Some("order/7".into());
    envelope.dataschema = Some("https://schemas.example/order_created/v2.json".into());
    envelope.correlationid = Some("conv-1".into());
    envelope.causationid = Some("msg-0".into());
    envelope.traceparent = Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into());
    envelope.set_extension("region", "eu");
    envelope.set_extension("attempt", 3);
    envelope.set_extension("replay", true);
    let bytes = envelope.to_vec();

    let event: cloudevents::Event = serde_json::from_slice(&bytes).expect("the SDK reads it");
    assert_eq!(event.id(), envelope.id);
    assert_eq!(event.source().as_str(), envelope.source);
    assert_eq!(event.ty(), envelope.ty);
    assert_eq!(event.subject(), envelope.subject.as_deref());
    assert_eq!(event.datacontenttype(), Some("application/json"));
    assert_eq!(
        event.dataschema().map(|u| u.as_str()),
        envelope.dataschema.as_deref()
    );
    let time = event
        .time()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    assert_eq!(time.as_deref(), envelope.time.as_deref());
    let extension = |name: &str| event.extension(name).cloned();
    assert_eq!(
        extension("dataversion"),
        Some(ExtensionValue::from(OrderCreatedV2::VERSION))
    );
    assert_eq!(
        extension("correlationid"),
        Some(ExtensionValue::from("conv-1"))
    );
    assert_eq!(
        extension("causationid"),
        Some(ExtensionValue::from("msg-0"))
    );
    assert_eq!(
        extension("traceparent"),
        envelope.traceparent.clone().map(ExtensionValue::from)
    );
    assert_eq!(extension("region"), Some(ExtensionValue::from("eu")));
    assert_eq!(extension("attempt"), Some(ExtensionValue::Integer(3)));
    assert_eq!(extension("replay"), Some(ExtensionValue::Boolean(true)));
    assert_eq!(event.iter_extensions().count(), 7);
    let ours: Value =
        serde_json::from_str(envelope.data.as_ref().expect("data").get()).expect("JSON");
    match event.data() {
        Some(Data::Json(theirs)) => assert_eq!(theirs, &ours),
        other => panic!("data differs: {other:?}"),
    }

    // The SDK's own writing of it reads back here with the same meaning.
    let rewritten = serde_json::to_vec(&event).expect("the SDK writes it");
    let back = Envelope::parse(&rewritten).expect("evc reads the SDK's output");
    assert_eq!(back.id, envelope.id);
    let texts = |e: &Envelope| -> Vec<(String, String)> {
        e.extensions
            .iter()
            .map(|(name, value)| (name.clone(), value.get().to_owned()))
            .collect()
    };
    assert_eq!(texts(&back), texts(&envelope));
    assert_eq!(back.correlationid, envelope.correlationid);
    assert_eq!(back.traceparent, envelope.traceparent);
}

#[test]
fn envelopes_the_sdk_writes_parse_and_dispatch_here() {
    let payload = serde_json::to_value(order_created()).expect("serialisable");
    let event = EventBuilderV10::new()
        .id("sdk-1")
        .source("https://legacy.example/")
        .ty(OrderCreatedV2::WIRE_TYPE)
        .time("2024-05-06T07:08:09.123456789+02:00")
        .subject("order/7")
        .extension("dataversion", "2.0.0")
        .extension("correlationid", "conv-9")
        .extension("traceparent", "00-abc-def-01")
        .extension("attempt", 2_i64)
        .data("application/json", payload.clone())
        .build()
        .expect("valid event");
    let bytes = serde_json::to_vec(&event).expect("the SDK writes it");

    let envelope = Envelope::parse(&bytes).expect("evc reads it");
    assert_eq!(envelope.id, "sdk-1");
    assert_eq!(envelope.source, "https://legacy.example/");
    assert_eq!(envelope.ty, OrderCreatedV2::WIRE_TYPE);
    assert_eq!(envelope.subject.as_deref(), Some("order/7"));
    assert_eq!(envelope.dataversion.as_deref(), Some("2.0.0"));
    assert_eq!(envelope.correlationid.as_deref(), Some("conv-9"));
    assert_eq!(
        envelope.extensions.get("attempt").map(|v| v.get()),
        Some("2")
    );
    let data: Value =
        serde_json::from_str(envelope.data.as_ref().expect("data").get()).expect("JSON");
    assert_eq!(data, payload);

    let mut bus = Bus::new(Publisher::new("/orders"));
    bus.subscribe::<OrderCreated>(|event, ctx| {
        assert_eq!(ctx.correlation_id(), "conv-9");
        ctx.emit(event.clone())?;
        Ok(())
    });
    let outgoing = bus.dispatch(&bytes).expect("dispatches");
    assert_eq!(outgoing[0].correlationid.as_deref(), Some("conv-9"));
    assert_eq!(outgoing[0].causationid.as_deref(), Some("sdk-1"));
    assert_eq!(outgoing[0].traceparent.as_deref(), Some("00-abc-def-01"));
}

#[test]
fn binary_sdk_data_is_kept_but_is_not_a_contract_payload() {
    let event = EventBuilderV10::new()
        .id("sdk-2")
        .source("/legacy")
        .ty(OrderCreatedV2::WIRE_TYPE)
        .data("application/octet-stream", vec![0_u8, 1, 2, 255])
        .build()
        .expect("valid event");
    let bytes = serde_json::to_vec(&event).expect("the SDK writes it");
    let envelope = Envelope::parse(&bytes).expect("evc reads it");
    assert_eq!(envelope.data_base64.as_deref(), Some("AAEC/w=="));
    let again: cloudevents::Event =
        serde_json::from_slice(&envelope.to_vec()).expect("round trip through evc");
    assert_eq!(again.data(), Some(&Data::Binary(vec![0, 1, 2, 255])));

    let mut bus = Bus::new(Publisher::new("/orders"));
    let error = bus.dispatch(&bytes).expect_err("refused");
    assert!(
        matches!(error.reason(), Reason::InvalidPayload { .. }),
        "{error}"
    );
    assert_eq!(error.bytes(), bytes.as_slice());
}
