//! The two forms of every declarative upcast agree: for random instances of
//! an old major, the generated typed chain (old type, `Upcast` impls, the
//! latest type) and the runtime's steps over the old JSON (then read as the
//! latest type) give the same latest value, or both fail.

mod support;

use evc_bindings_tests::{semantics, upcasts};
use evc_runtime::Upcast;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The outcome of one form: the latest payload as JSON, or why it failed.
type Outcome = Result<Value, String>;

fn read<T: DeserializeOwned>(json: Value) -> Result<T, String> {
    serde_json::from_value(json).map_err(|e| e.to_string())
}

fn written<T: Serialize>(value: T) -> Outcome {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

fn step<Old, New: Upcast<Old>>(old: Old) -> Result<New, String> {
    New::upcast(old).map_err(|e| e.to_string())
}

/// One chain of generated types, from an old major to the latest.
struct Chain {
    set: &'static str,
    contract: &'static str,
    from_major: u64,
    typed: fn(Value) -> Outcome,
    latest: fn(Value) -> Outcome,
}

macro_rules! chain {
    ($set:literal, $contract:literal, $major:literal, $module:ident :: $old:ident $(=> $new:ident)+) => {
        Chain {
            set: $set,
            contract: $contract,
            from_major: $major,
            typed: |json| {
                let value = read::<$module::$old>(json)?;
                $(let value = step::<_, $module::$new>(value)?;)+
                written(value)
            },
            latest: |json| {
                // As the generated JSON form reads its result.
                let value: chain!(@last $module; $($new)+) =
                    evc_runtime::upcast::json::from_value(json).map_err(|e| e.to_string())?;
                written(value)
            },
        }
    };
    (@last $module:ident; $last:ident) => { $module::$last };
    (@last $module:ident; $first:ident $($rest:ident)+) => { chain!(@last $module; $($rest)+) };
}

fn chains() -> Vec<Chain> {
    vec![
        chain!("upcasts", "CodeIssued", 1, upcasts::CodeIssuedV1 => CodeIssuedV2 => CodeIssuedV3),
        chain!("upcasts", "CodeIssued", 2, upcasts::CodeIssuedV2 => CodeIssuedV3),
        chain!("upcasts", "PriceSet", 1, upcasts::PriceSetV1 => PriceSetV2),
        chain!("upcasts", "ShelfMoved", 1, upcasts::ShelfMovedV1 => ShelfMovedV2),
        chain!("upcasts", "StockCounted", 1, upcasts::StockCountedV1 => StockCountedV2),
        chain!("upcasts", "TaskFiled", 1, upcasts::TaskFiledV1 => TaskFiledV2),
        chain!("upcasts", "TreeGrown", 1, upcasts::TreeGrownV1 => TreeGrownV2),
        chain!("semantics", "MeterRead", 1, semantics::MeterReadV1 => MeterReadV2),
        chain!("semantics", "TagSet", 1, semantics::TagSetV1 => TagSetV2),
    ]
}

/// The declarative form: every later major's steps on the old JSON, as
/// `evc verify` runs them, then read as the latest type.
fn declarative(
    contract: &evc::model::Contract,
    from_major: u64,
    json: Value,
    chain: &Chain,
) -> Outcome {
    let mut json = json;
    for version in &contract.versions {
        let number = version.version.as_ref().expect("parsed");
        if number.major > from_major && number.minor == 0 && number.patch == 0 {
            let upcast = version.upcast.as_ref().expect("a major has an upcast");
            support::steps::apply(&mut json, &upcast.value).map_err(|e| e.to_string())?;
        }
    }
    (chain.latest)(json)
}

/// The documented rule on defaults (docs/contracts.md, "Step semantics"):
/// the typed form starts from the old payload as its type reads it, an
/// absent defaulted property holding the old version's default, where the
/// steps over stored JSON see it absent. The declarative form is given the
/// same start, for the top-level properties the focused sets default.
fn old_defaults(schema: &Value, mut instance: Value) -> Value {
    let (Some(properties), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        instance.as_object_mut(),
    ) else {
        return instance;
    };
    for (name, property) in properties {
        if let Some(default) = property.get("default") {
            object
                .entry(name.clone())
                .or_insert_with(|| default.clone());
        }
    }
    instance
}

fn agree(typed: &Outcome, declarative: &Outcome) -> bool {
    match (typed, declarative) {
        (Ok(a), Ok(b)) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

#[test]
fn typed_and_declarative_upcasts_agree() {
    // Recursive contracts (`TreeGrown`) build deep strategies and values.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(check_every_chain)
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

fn check_every_chain() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/rust");
    for chain in chains() {
        let lint = evc::lint_dir(&root.join(chain.set)).expect("contracts readable");
        let contract = lint
            .model
            .contracts
            .iter()
            .find(|c| c.name.value == chain.contract)
            .expect("the contract is in its set");
        // The newest version of the old major: the type the chain starts from.
        let old = contract
            .versions
            .iter()
            .rfind(|v| {
                v.version
                    .as_ref()
                    .is_some_and(|n| n.major == chain.from_major)
            })
            .expect("the old major");
        let schema = evc::model::json::bundle(&lint.model.types, old.schema);
        let validator = evc::model::json::validator(&schema).expect("compiles");
        let mut runner = TestRunner::new(Config {
            cases: 256,
            failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
                "tests/upcast_differential.proptest-regressions",
            ))),
            ..Config::default()
        });
        let accepted = std::cell::Cell::new(0);
        runner
            .run(&support::instances::instances(&schema), |instance| {
                prop_assume!(validator.is_valid(&instance));
                accepted.set(accepted.get() + 1);
                let typed = (chain.typed)(instance.clone());
                let declarative = declarative(
                    contract,
                    chain.from_major,
                    old_defaults(&schema, instance.clone()),
                    &chain,
                );
                prop_assert!(
                    agree(&typed, &declarative),
                    "{} {}: {instance}\n typed:       {typed:?}\n declarative: {declarative:?}",
                    chain.contract,
                    chain.from_major
                );
                Ok(())
            })
            .unwrap_or_else(|failure| panic!("{}: {failure}", chain.contract));
        assert!(
            accepted.get() >= 128,
            "{} {}: {} valid instances",
            chain.contract,
            chain.from_major,
            accepted.get()
        );
    }
}
