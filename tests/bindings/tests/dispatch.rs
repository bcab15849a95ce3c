//! The dispatch table and the bus, through every outcome: handled, each
//! error kind (all carrying the original bytes), registration rules, and
//! the ids stamped on derived messages.

mod support;

use std::sync::{Arc, Mutex};

use evc_bindings_tests::{
    dispatch, Bus, CommandHandler, CreateOrder, EventHandler, OrderCreated, OrderCreatedV2,
};
use evc_runtime::{Context, Contract, DispatchError, Envelope, HandlerError, Publisher, Reason};
use serde_json::{json, Value};
use support::{create_order, order_created};

fn envelope(wire_type: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "specversion": "1.0",
        "id": "msg-1",
        "source": "/tests/dispatch",
        "type": wire_type,
        "correlationid": "conversation-7",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "data": data,
    }))
    .expect("serializable")
}

fn publisher() -> Publisher {
    Publisher::new("/services/orders")
}

/// Dispatches on a bus with one command handler that emits an event.
fn bus() -> Bus {
    let mut bus = Bus::new(publisher());
    bus.handle::<CreateOrder>(|_command, ctx| {
        ctx.emit(order_created())?;
        Ok(())
    })
    .expect("first handler");
    bus
}

fn reason(result: Result<Vec<Envelope>, DispatchError>, bytes: &[u8]) -> Reason {
    let error = result.expect_err("dispatch fails");
    assert_eq!(error.bytes(), bytes, "the original bytes come back");
    assert!(!error.to_string().is_empty());
    let DispatchError { .. } = &error;
    match error.reason() {
        Reason::InvalidEnvelope(e) => Reason::InvalidEnvelope(e.clone()),
        Reason::UnknownType { type_ } => Reason::UnknownType {
            type_: type_.clone(),
        },
        Reason::UnsupportedVersion { type_, version } => Reason::UnsupportedVersion {
            type_: type_.clone(),
            version: version.clone(),
        },
        Reason::InvalidPayload {
            type_,
            pointer,
            reason,
        } => Reason::InvalidPayload {
            type_: type_.clone(),
            pointer: pointer.clone(),
            reason: reason.clone(),
        },
        Reason::UpcastFailed { type_, reason } => Reason::UpcastFailed {
            type_: type_.clone(),
            reason: reason.clone(),
        },
        Reason::NoHandler { type_ } => Reason::NoHandler {
            type_: type_.clone(),
        },
        Reason::HandlerFailed { type_, source } => Reason::HandlerFailed {
            type_: type_.clone(),
            source: source.to_string().into(),
        },
    }
}

#[test]
fn a_command_reaches_its_handler_and_derived_events_are_stamped() {
    let bytes = envelope("com.example.orders.create_order.v1", create_order());
    let outgoing = bus().dispatch(&bytes).expect("handled");
    assert_eq!(outgoing.len(), 1);
    let event = &outgoing[0];
    assert_eq!(event.ty, "com.example.orders.order_created.v2");
    assert_eq!(event.dataversion.as_deref(), Some(OrderCreatedV2::VERSION));
    assert_eq!(event.source, "/services/orders");
    assert_eq!(event.correlationid.as_deref(), Some("conversation-7"));
    assert_eq!(event.causationid.as_deref(), Some("msg-1"));
    assert!(event.traceparent.is_some());
    assert_ne!(event.id, "msg-1");
    // What the bus emits is itself a valid message.
    let again = Envelope::parse(&event.to_vec()).expect("valid envelope");
    assert_eq!(again.ty, event.ty);
}

#[test]
fn events_reach_every_subscriber() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut bus = bus();
    for name in ["first", "second"] {
        let seen = Arc::clone(&seen);
        bus.subscribe::<OrderCreated>(move |event, _ctx| {
            seen.lock()
                .expect("not poisoned")
                .push((name, event.lines.len()));
            Ok(())
        });
    }
    let data = serde_json::to_value(order_created()).expect("encodes");
    let bytes = envelope("com.example.orders.order_created.v2", data);
    assert!(bus.dispatch(&bytes).expect("handled").is_empty());
    assert_eq!(
        *seen.lock().expect("not poisoned"),
        [("first", 1), ("second", 1)]
    );
}

#[test]
fn subscribers_run_one_by_one_under_stable_names() {
    use evc_runtime::{Dispatch, NameProblem};
    let runs = Arc::new(Mutex::new(Vec::new()));
    let mut bus = bus();
    let seen = Arc::clone(&runs);
    bus.subscribe::<OrderCreated>(move |_, ctx| {
        seen.lock().expect("not poisoned").push("#1");
        ctx.emit(order_created())?;
        Ok(())
    });
    let seen = Arc::clone(&runs);
    bus.subscribe_named::<OrderCreated>("billing", move |_, _| {
        seen.lock().expect("not poisoned").push("billing");
        Err("the ledger is locked".into())
    })
    .expect("a free name");
    let seen = Arc::clone(&runs);
    bus.subscribe::<OrderCreated>(move |_, _| {
        seen.lock().expect("not poisoned").push("#3");
        Ok(())
    });
    for (name, problem) in [
        ("billing", NameProblem::Taken),
        ("#9", NameProblem::Reserved),
        ("", NameProblem::Empty),
    ] {
        let refused = bus
            .subscribe_named::<OrderCreated>(name, |_, _| Ok(()))
            .expect_err("refused");
        assert_eq!(refused.problem, problem);
        assert!(refused.to_string().contains(OrderCreated::WIRE_TYPE));
    }
    // Every major of the event has the same subscribers.
    for wire_type in [
        OrderCreated::WIRE_TYPE,
        "com.example.orders.order_created.v1",
    ] {
        assert_eq!(
            Dispatch::subscribers(&bus, wire_type),
            ["#1", "billing", "#3"]
        );
    }
    assert_eq!(
        Dispatch::subscribers(&bus, CreateOrder::WIRE_TYPE),
        ["handler"]
    );
    assert!(Dispatch::subscribers(&bus, "com.example.nothing.v1").is_empty());

    let data = serde_json::to_value(order_created()).expect("encodes");
    let bytes = envelope(OrderCreated::WIRE_TYPE, data);
    let each = bus.dispatch_each(&bytes, &|_| false).expect("decoded");
    // The failure in the middle stops nothing, and the first keeps what it
    // emitted.
    assert_eq!(*runs.lock().expect("not poisoned"), ["#1", "billing", "#3"]);
    let outcome: Vec<(&str, bool)> = each
        .iter()
        .map(|run| (run.name.as_str(), run.result.is_ok()))
        .collect();
    assert_eq!(outcome, [("#1", true), ("billing", false), ("#3", true)]);
    let emitted = each[0].result.as_ref().expect("succeeded");
    assert_eq!(emitted.len(), 1);
    assert_eq!(emitted[0].causationid.as_deref(), Some("msg-1"));

    runs.lock().expect("not poisoned").clear();
    let again = bus
        .dispatch_each(&bytes, &|name| name != "billing")
        .expect("decoded");
    assert_eq!(*runs.lock().expect("not poisoned"), ["billing"]);
    assert_eq!(again.len(), 1);
    assert!(bus.dispatch_each(b"not json", &|_| false).is_err());
}

#[test]
fn a_command_handler_marked_done_does_not_run_again() {
    let mut bus = bus();
    let bytes = envelope("com.example.orders.create_order.v1", create_order());
    let first = bus.dispatch_each(&bytes, &|_| false).expect("decoded");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].name, evc_runtime::dispatch::COMMAND_HANDLER_NAME);
    assert!(first[0].result.is_ok());
    let again = bus
        .dispatch_each(&bytes, &|name| {
            name == evc_runtime::dispatch::COMMAND_HANDLER_NAME
        })
        .expect("decoded");
    assert!(again.is_empty(), "the handler ran although it was done");
}

#[test]
fn garbage_is_an_invalid_envelope() {
    for bytes in [
        &b"\xff\xfe not json"[..],
        b"[]",
        b"{\"specversion\":\"1.0\"}",
        b"",
    ] {
        let reason = reason(bus().dispatch(bytes), bytes);
        assert!(matches!(reason, Reason::InvalidEnvelope(_)), "{reason:?}");
    }
}

#[test]
fn unknown_types_and_future_majors_are_told_apart() {
    let bytes = envelope("com.example.orders.order_shipped.v1", json!({}));
    assert!(matches!(
        reason(bus().dispatch(&bytes), &bytes),
        Reason::UnknownType { .. }
    ));

    let bytes = envelope("com.example.orders.order_created.v9", json!({}));
    assert!(matches!(
        reason(bus().dispatch(&bytes), &bytes),
        Reason::UnsupportedVersion { .. }
    ));

    // An older major is known: its payload is checked against that major
    // before any upcast.
    let bytes = envelope("com.example.orders.order_created.v1", json!({}));
    assert!(matches!(
        reason(bus().dispatch(&bytes), &bytes),
        Reason::InvalidPayload { .. }
    ));
}

#[test]
fn an_invalid_payload_names_the_place() {
    let mut data = create_order();
    data["lines"][0]["sku"] = json!("not-a-sku");
    let bytes = envelope("com.example.orders.create_order.v1", data);
    match reason(bus().dispatch(&bytes), &bytes) {
        Reason::InvalidPayload {
            pointer, reason, ..
        } => {
            assert_eq!(pointer, "/lines/0/sku");
            assert!(reason.contains("pattern"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    let mut data = create_order();
    data["lines"][0]["quantity"] = json!("two");
    let bytes = envelope("com.example.orders.create_order.v1", data);
    match reason(bus().dispatch(&bytes), &bytes) {
        Reason::InvalidPayload { pointer, .. } => assert_eq!(pointer, "/lines/0/quantity"),
        other => panic!("{other:?}"),
    }

    let mut data = create_order();
    data["unexpected"] = json!(1);
    let bytes = envelope("com.example.orders.create_order.v1", data);
    assert!(matches!(
        reason(bus().dispatch(&bytes), &bytes),
        Reason::InvalidPayload { .. }
    ));
}

#[test]
fn a_command_without_handler_is_refused_and_named_at_start_up() {
    let mut bus = Bus::new(publisher());
    assert!(bus
        .unhandled_commands()
        .contains(&"com.example.orders.create_order.v1"));
    let bytes = envelope("com.example.orders.create_order.v1", create_order());
    assert!(matches!(
        reason(bus.dispatch(&bytes), &bytes),
        Reason::NoHandler { .. }
    ));
}

#[test]
fn a_second_command_handler_is_refused() {
    let mut bus = bus();
    let error = bus
        .handle::<CreateOrder>(|_, _| Ok(()))
        .expect_err("second handler");
    assert!(error.to_string().contains("create_order"));
}

#[test]
fn a_failing_handler_returns_the_message() {
    let mut bus = Bus::new(publisher());
    bus.handle::<CreateOrder>(|_, _| Err("warehouse offline".into()))
        .expect("first handler");
    let bytes = envelope("com.example.orders.create_order.v1", create_order());
    match reason(bus.dispatch(&bytes), &bytes) {
        Reason::HandlerFailed { source, .. } => assert_eq!(source.to_string(), "warehouse offline"),
        other => panic!("{other:?}"),
    }
}

/// A service written against the handler traits instead of closures.
#[derive(Default)]
struct Orders {
    created: usize,
}

impl EventHandler for Orders {
    fn order_created(
        &mut self,
        _event: &OrderCreated,
        _ctx: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        self.created += 1;
        Ok(())
    }
}

impl CommandHandler for Orders {
    fn cancel_order(
        &mut self,
        _: evc_bindings_tests::CancelOrder,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
    fn create_order(&mut self, _: CreateOrder, ctx: &mut Context<'_>) -> Result<(), HandlerError> {
        ctx.emit(order_created())?;
        Ok(())
    }
    fn make_payment(
        &mut self,
        _: evc_bindings_tests::MakePayment,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
    fn refund_payment(
        &mut self,
        _: evc_bindings_tests::RefundPayment,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
    fn register_user(
        &mut self,
        _: evc_bindings_tests::RegisterUser,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
    fn reserve_item(
        &mut self,
        _: evc_bindings_tests::ReserveItem,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
    fn start_delivery(
        &mut self,
        _: evc_bindings_tests::StartDelivery,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
    fn verify_email(
        &mut self,
        _: evc_bindings_tests::VerifyEmail,
        _: &mut Context<'_>,
    ) -> Result<(), HandlerError> {
        Ok(())
    }
}

#[test]
fn handler_traits_dispatch_too() {
    let mut orders = Orders::default();
    let bytes = envelope("com.example.orders.create_order.v1", create_order());
    let outgoing = dispatch(&bytes, &mut orders, &publisher()).expect("handled");
    let derived = outgoing[0].to_vec();
    dispatch(&derived, &mut orders, &publisher()).expect("handled");
    assert_eq!(orders.created, 1);
}
