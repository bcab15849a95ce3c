//! For every major step of the bundled contracts: random valid instances of
//! the old major, sent as archived messages, reach the latest type through
//! the typed chain; the result is valid against the latest schema and equal
//! to what the contract's steps make of the instance over JSON.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[test]
fn random_old_instances_upcast_to_valid_latest_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    let lint = evc::lint_dir(&root).expect("schemas readable");
    let mut steps = 0;
    for contract in &lint.model.contracts {
        let latest = contract.latest().expect("a version");
        let latest_number = latest.version.clone().expect("parsed");
        let latest_schema = evc::model::json::bundle(&lint.model.types, latest.schema);
        let latest_validator = evc::model::json::validator(&latest_schema).expect("compiles");
        // The newest version of each older major: the type the chain starts from.
        let mut olds: Vec<&evc::model::Version> = Vec::new();
        for version in &contract.versions {
            let number = version.version.as_ref().expect("parsed");
            if number.major == latest_number.major {
                continue;
            }
            olds.retain(|o| o.version.as_ref().expect("parsed").major != number.major);
            olds.push(version);
        }
        for old in olds {
            let number = old.version.clone().expect("parsed");
            let schema = evc::model::json::bundle(&lint.model.types, old.schema);
            let validator = evc::model::json::validator(&schema).expect("compiles");
            let wire = contract.wire_type(number.major);
            let mut runner = TestRunner::new(Config {
                cases: 128,
                ..Config::default()
            });
            let strategy = support::instances::instances(&schema);
            let accepted = std::cell::Cell::new(0);
            runner
                .run(&strategy, |instance| {
                    prop_assume!(validator.is_valid(&instance));
                    accepted.set(accepted.get() + 1);
                    let bytes = support::archived(&wire, &number.to_string(), &instance);
                    let (_, message) = evc_bindings_tests::decode(&bytes)
                        .map_err(|e| TestCaseError::fail(format!("{wire}: {e}")))?;
                    let upcast = serde_json::to_value(&message).expect("serializable");
                    prop_assert!(
                        latest_validator.is_valid(&upcast),
                        "{wire} {instance} became {upcast}, which {} {latest_number} refuses",
                        contract.name.value
                    );
                    let mut expected = instance.clone();
                    for later in &contract.versions {
                        let n = later.version.as_ref().expect("parsed");
                        if n.major > number.major && n.minor == 0 && n.patch == 0 {
                            let upcast = later.upcast.as_ref().expect("a major has an upcast");
                            support::steps::run(&mut expected, &upcast.value);
                        }
                    }
                    let bytes = support::archived(
                        &contract.wire_type(latest_number.major),
                        &latest_number.to_string(),
                        &expected,
                    );
                    let (_, reference) = evc_bindings_tests::decode(&bytes)
                        .map_err(|e| TestCaseError::fail(format!("{wire} over JSON: {e}")))?;
                    prop_assert_eq!(message, reference);
                    Ok(())
                })
                .unwrap_or_else(|failure| panic!("{}: {failure}", contract.name.value));
            // The generator aims at valid instances; most must be.
            assert!(
                accepted.get() >= 100,
                "{wire}: {} valid instances",
                accepted.get()
            );
            steps += 1;
        }
    }
    assert!(steps >= 4, "{steps} chains checked");
}
