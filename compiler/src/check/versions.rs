//! Version rules: each contract's versions are distinct and strictly
//! increasing, in the order they are listed, and every new major says how to
//! upcast from the version before it.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::model::{Contract, Model, Version};
use crate::rules::RuleId;

pub fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for contract in &model.contracts {
        let mut previous: Option<(&semver::Version, crate::source::Place)> = None;
        // By number, so a contract of many versions costs one lookup each.
        let mut seen: HashMap<&semver::Version, crate::source::Place> = HashMap::new();
        for version in &contract.versions {
            let Some(current) = &version.version else {
                continue;
            };
            if let Some(first) = seen.get(current) {
                out.push(
                    Diagnostic::new(
                        RuleId::VersionDuplicate,
                        version.version_place,
                        format!(
                            "version {current} of `{}` is listed twice",
                            contract.name.value
                        ),
                    )
                    .related(*first, "first listed here")
                    .hint("each version appears once; bump the new one"),
                );
                continue;
            }
            if let Some((before, place)) = previous {
                if current < before {
                    out.push(
                        Diagnostic::new(
                            RuleId::VersionNotIncreasing,
                            version.version_place,
                            format!("version {current} comes after {before}, which is newer"),
                        )
                        .related(place, "the newer version")
                        .hint("list versions from oldest to newest"),
                    );
                }
            }
            seen.insert(current, version.version_place);
            previous = Some((current, version.version_place));
        }
        upcasts(contract, out);
    }
}

fn upcasts(contract: &Contract, out: &mut Vec<Diagnostic>) {
    let mut before: Option<&semver::Version> = None;
    for version in &contract.versions {
        let Some(current) = &version.version else {
            continue;
        };
        match (before, &version.upcast) {
            (None, Some(upcast)) => out.push(
                Diagnostic::new(
                    RuleId::InvalidValue,
                    upcast.place,
                    format!("version {current} is the first: there is nothing to upcast from"),
                )
                .hint("remove `upcast`; it belongs to a new major version"),
            ),
            (Some(old), None) if current.major > old.major => {
                out.push(upcast_missing(contract, version, current, old));
            }
            _ => {}
        }
        before = Some(current);
    }
}

fn upcast_missing(
    contract: &Contract,
    version: &Version,
    current: &semver::Version,
    old: &semver::Version,
) -> Diagnostic {
    Diagnostic::new(
        RuleId::UpcastMissing,
        version.version_place,
        format!(
            "version {current} of `{}` is a new major but has no `upcast` step from {old}",
            contract.name.value
        ),
    )
    .hint(
        "add `upcast:` steps (rename, move, set, drop, convert) or `- custom: true`; \
         a schema that cannot be derived from the old one is a new contract",
    )
}
