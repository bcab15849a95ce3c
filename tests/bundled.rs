//! The bundled contracts in `schemas/` are the project's showcase and its
//! first user: they must lint clean and cover what the language offers.

use evc::model::{Kind, Model, UpcastStep};
use evc_tests::{brief, workspace_root};

fn lint() -> evc::Lint {
    evc::lint_dir(&workspace_root().join("schemas")).expect("schemas/ is readable")
}

#[test]
fn bundled_contracts_lint_clean() {
    let lint = lint();
    assert!(lint.diagnostics.is_empty(), "{:#?}", brief(&lint));
}

#[test]
fn bundled_contracts_cover_the_domain() {
    let Model {
        contracts, types, ..
    } = lint().model;
    assert!(contracts.len() >= 15, "{} contracts", contracts.len());
    let names: Vec<&str> = contracts.iter().map(|c| c.name.value.as_str()).collect();
    for wanted in [
        "CreateOrder",
        "ReserveItem",
        "MakePayment",
        "CancelOrder",
        "OrderCreated",
        "ItemReserved",
        "ItemNotAvailable",
        "PaymentMade",
        "PaymentFailed",
        "OrderCanceled",
        "DeliveryStarted",
        "RegisterUser",
        "UserRegistered",
    ] {
        assert!(
            names.contains(&wanted),
            "{wanted} is missing from {names:?}"
        );
    }
    assert!(contracts.iter().any(|c| c.kind == Kind::Command));
    assert!(contracts
        .iter()
        .any(|c| c.form == evc::model::Form::JsonSchema));

    let multi: Vec<_> = contracts.iter().filter(|c| c.versions.len() > 1).collect();
    assert!(
        multi.len() >= 3,
        "{} contracts with several versions",
        multi.len()
    );
    let major_with_upcast = multi.iter().any(|c| {
        c.versions.windows(2).any(|pair| {
            let (old, new) = (&pair[0], &pair[1]);
            let major_step =
                new.version.as_ref().unwrap().major > old.version.as_ref().unwrap().major;
            let steps = new
                .upcast
                .as_ref()
                .map(|u| u.value.as_slice())
                .unwrap_or_default();
            major_step && !steps.is_empty() && !steps.iter().any(|s| s.value == UpcastStep::Custom)
        })
    });
    assert!(major_with_upcast, "no major step with a declarative upcast");

    for contract in &contracts {
        for version in &contract.versions {
            assert!(
                !version.examples.is_empty(),
                "{} {:?} has no examples",
                contract.name.value,
                version.version
            );
        }
    }
    let shared: Vec<String> = types
        .defs
        .keys()
        .filter(|k| k.file.starts_with("common/"))
        .map(|k| k.pointer.clone())
        .collect();
    for def in ["/$defs/Money", "/$defs/Address"] {
        assert!(
            shared.iter().any(|p| p == def),
            "{def} not shared: {shared:?}"
        );
    }
    let cross_file_refs = types
        .iter()
        .filter_map(|(_, s)| s.reference.as_ref())
        .filter(|r| r.text.contains("common/") && r.target.is_some())
        .count();
    assert!(cross_file_refs >= 3, "{cross_file_refs} cross-file refs");
}

#[test]
fn wire_types_follow_the_convention() {
    let lint = lint();
    let created = lint
        .model
        .contracts
        .iter()
        .find(|c| c.name.value == "OrderCreated")
        .expect("OrderCreated");
    assert_eq!(
        created.wire_type(1),
        format!("{}.order_created.v1", created.namespace.value)
    );
}
