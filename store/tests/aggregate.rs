//! An order as an aggregate: folded from its stream (older versions
//! upcast), commands deciding events, appended under optimistic
//! concurrency.

mod support;

use evc_bindings_tests::{decode, CancelOrder, CreateOrder, Event, Message, OrderCanceled};
use evc_runtime::{DispatchError, HandlerError, Rejection};
use evc_store::{Aggregate, Decision, ExpectedVersion, StoreError};
use serde_json::json;
use support::{order_created, publisher, with_store};

#[derive(Debug, Default, PartialEq)]
enum Order {
    #[default]
    New,
    Open {
        lines: usize,
    },
    Canceled {
        reason: String,
    },
}

enum OrderCommand {
    Create(Box<CreateOrder>),
    Cancel(CancelOrder),
}

impl Aggregate for Order {
    type Event = Message;
    type Command = OrderCommand;

    fn decode(bytes: &[u8]) -> Result<Message, DispatchError> {
        decode(bytes).map(|(_, message)| message)
    }

    fn apply(&mut self, event: Message) {
        match event {
            Message::Event(Event::OrderCreated(created)) => {
                *self = Order::Open {
                    lines: created.lines.len(),
                }
            }
            Message::Event(Event::OrderCanceled(canceled)) => {
                *self = Order::Canceled {
                    reason: canceled.reason.as_str().to_owned(),
                }
            }
            _ => {}
        }
    }

    fn handle(&self, command: OrderCommand, decision: &mut Decision) -> Result<(), HandlerError> {
        match (self, command) {
            (Order::New, OrderCommand::Create(create)) => {
                let mut event = order_created(0);
                event.order_id = create.order_id;
                decision.emit(event)?;
                Ok(())
            }
            (Order::Open { .. }, OrderCommand::Cancel(cancel)) => {
                let event: OrderCanceled = serde_json::from_value(json!({
                    "order_id": cancel.order_id,
                    "reason": cancel.reason.as_str(),
                    "canceled_at": "2024-04-30T08:02:44Z",
                    "refund_id": null
                }))?;
                decision.emit(event)?;
                Ok(())
            }
            (state, _) => Err(Rejection::new(
                "invalid_state",
                format!("not possible in state {state:?}"),
            )
            .into()),
        }
    }
}

fn create() -> OrderCommand {
    OrderCommand::Create(Box::new(support::create_order(
        "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
    )))
}

fn cancel() -> OrderCommand {
    OrderCommand::Cancel(
        serde_json::from_value(json!({
            "order_id": "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d",
            "reason": "customer_request",
            "requested_by": "2f40bd99-29dd-4ed7-a512-3f99b9939338"
        }))
        .expect("a valid CancelOrder"),
    )
}

#[tokio::test]
async fn commands_decide_events_that_fold_back_into_the_state() {
    with_store(|store| async move {
        let stream = "order-6c4c1cd6";
        let created = store
            .execute::<Order>(stream, &publisher(), create())
            .await
            .expect("created");
        assert_eq!(created.state, Order::Open { lines: 1 });
        assert_eq!(created.version, 1);
        assert_eq!(created.events[0].subject.as_deref(), Some(stream));

        let error = store
            .execute::<Order>(stream, &publisher(), create())
            .await
            .expect_err("refused");
        assert!(
            matches!(&error, StoreError::Rejected(e) if e.is::<Rejection>()),
            "{error}"
        );

        let canceled = store
            .execute::<Order>(stream, &publisher(), cancel())
            .await
            .expect("canceled");
        assert_eq!(
            canceled.state,
            Order::Canceled {
                reason: "customer_request".into()
            }
        );
        assert_eq!(canceled.version, 2);

        let (loaded, version) = store.load::<Order>(stream).await.expect("loaded");
        assert_eq!((loaded, version), (canceled.state, 2));
        let (fresh, version) = store.load::<Order>("order-unknown").await.expect("loaded");
        assert_eq!((fresh, version), (Order::New, 0));
    })
    .await;
}

#[tokio::test]
async fn a_concurrent_writer_makes_the_append_fail_typed() {
    with_store(|store| async move {
        let stream = "order-race";
        // Two deciders load the same version; the first to append wins.
        let (state, version) = store.load::<Order>(stream).await.expect("loaded");
        assert_eq!(version, 0);
        store
            .execute::<Order>(stream, &publisher(), create())
            .await
            .expect("created");
        let mut decision_events = Vec::new();
        if let Order::New = state {
            decision_events.push(publisher().envelope(&order_created(7)).expect("stamped"));
        }
        let error = store
            .append(stream, ExpectedVersion::NoStream, &decision_events)
            .await
            .expect_err("conflict");
        assert!(
            matches!(error, StoreError::WrongExpectedVersion { actual: 1, .. }),
            "{error}"
        );
    })
    .await;
}
