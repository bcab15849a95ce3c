//! Version rules: each contract's versions are distinct and strictly
//! increasing, in the order they are listed.

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::rules::RuleId;

pub fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for contract in &model.contracts {
        let mut previous: Option<(&semver::Version, crate::source::Place)> = None;
        let mut seen: Vec<(&semver::Version, crate::source::Place)> = Vec::new();
        for version in &contract.versions {
            let Some(current) = &version.version else {
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(v, _)| *v == current) {
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
            seen.push((current, version.version_place));
            previous = Some((current, version.version_place));
        }
    }
}
