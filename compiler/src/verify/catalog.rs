//! What a replay needs from the model: wire types to contract versions,
//! each version's validator (compiled once, when first needed), and the
//! chain of upcasts from a version to the latest.

use std::collections::HashMap;

use serde_json::Value;

use super::{Failure, Kind};
use crate::model::{Contract, Model, SchemaId, UpcastStep, Validators};
use crate::upcast;

pub(super) struct Catalog<'m> {
    model: &'m Model,
    /// Wire type of each listed major: (contract, major).
    types: HashMap<String, (usize, u64)>,
    /// `<namespace>.<snake_name>.v` of each contract.
    prefixes: HashMap<String, usize>,
    /// Per contract: its versions with a parsed number, in listed order,
    /// with the steps that upcast into each.
    chains: Vec<Vec<Link<'m>>>,
    validators: Validators<'m>,
}

struct Link<'m> {
    number: &'m semver::Version,
    schema: SchemaId,
    upcast: Option<Vec<UpcastStep>>,
}

/// A message resolved to a listed version.
pub(super) struct Resolved {
    contract: usize,
    /// Index into the contract's chain.
    position: usize,
}

impl<'m> Catalog<'m> {
    pub(super) fn new(model: &'m Model) -> Self {
        let mut types = HashMap::new();
        let mut prefixes = HashMap::new();
        let mut chains = Vec::new();
        for (index, contract) in model.contracts.iter().enumerate() {
            let chain: Vec<Link<'m>> = contract
                .versions
                .iter()
                .filter_map(|v| {
                    let number = v.version.as_ref()?;
                    let upcast = v
                        .upcast
                        .as_ref()
                        .map(|u| u.value.iter().map(|s| s.value.clone()).collect());
                    Some(Link {
                        number,
                        schema: v.schema,
                        upcast,
                    })
                })
                .collect();
            for link in &chain {
                let major = link.number.major;
                types.insert(contract.wire_type(major), (index, major));
            }
            prefixes.insert(prefix(contract), index);
            chains.push(chain);
        }
        Catalog {
            model,
            types,
            prefixes,
            chains,
            validators: model.validators(),
        }
    }

    fn contract(&self, index: usize) -> &'m Contract {
        &self.model.contracts[index]
    }

    /// The listed version a message of `ty` and `dataversion` is read as.
    pub(super) fn resolve(&self, ty: &str, dataversion: Option<&str>) -> Result<Resolved, Failure> {
        let Some(&(contract, major)) = self.types.get(ty) else {
            return Err(self.unmatched(ty));
        };
        let chain = &self.chains[contract];
        let latest_of_major = || {
            chain
                .iter()
                .rposition(|l| l.number.major == major)
                .map(|position| Resolved { contract, position })
                .ok_or_else(|| self.unmatched(ty))
        };
        let Some(text) = dataversion else {
            return latest_of_major();
        };
        let number = semver::Version::parse(text).map_err(|e| {
            Failure::new(
                Kind::InvalidEnvelope,
                format!("dataversion `{text}` is not a semver version: {e}"),
            )
        })?;
        if number.major != major {
            return Err(Failure::new(
                Kind::InvalidEnvelope,
                format!("dataversion {number} does not belong to type `{ty}` (major {major})"),
            ));
        }
        match chain.iter().position(|l| *l.number == number) {
            Some(position) => Ok(Resolved { contract, position }),
            // An unlisted minor or patch of a known major is read as the
            // newest listed one, unknown fields ignored unless closed.
            None => latest_of_major(),
        }
    }

    fn unmatched(&self, ty: &str) -> Failure {
        let split = ty.rfind(".v").map(|i| ty.split_at(i + 2));
        let known = split.and_then(|(prefix, major)| {
            let digits = !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit());
            self.prefixes
                .get(prefix)
                .filter(|_| digits)
                .map(|c| (*c, major))
        });
        match known {
            Some((contract, major)) => {
                let listed: Vec<String> = dedup_majors(&self.chains[contract]);
                Failure::new(
                    Kind::UnsupportedVersion,
                    format!(
                        "major {major} of `{}` is not listed (known: {})",
                        self.contract(contract).name.value,
                        listed.join(", ")
                    ),
                )
            }
            None => Failure::new(
                Kind::UnknownType,
                format!("no contract has the type `{ty}`"),
            ),
        }
    }

    /// The version number a resolved message is read as.
    pub(super) fn number(&self, resolved: &Resolved) -> String {
        self.chains[resolved.contract][resolved.position]
            .number
            .to_string()
    }

    /// Validates `payload` as its version, then upcasts it step by step to
    /// the latest version, validating each step's result.
    pub(super) fn replay(
        &mut self,
        resolved: &Resolved,
        mut payload: Value,
    ) -> Result<(), Failure> {
        let chain = &self.chains[resolved.contract];
        let validators = &self.validators;
        let start = resolved.position;
        let last = chain.len() - 1;
        judge(validators, chain[start].schema, &payload)
            .map_err(|why| Failure::new(Kind::InvalidPayload, why))?;
        let mut upcast_into: Option<&semver::Version> = None;
        for position in start + 1..=last {
            let link = &chain[position];
            let Some(steps) = &link.upcast else {
                continue;
            };
            let pair = format!("{} to {}", chain[position - 1].number, link.number);
            if steps.contains(&UpcastStep::Custom) {
                return Err(Failure::new(
                    Kind::CustomUpcast,
                    format!("the upcast from {pair} is custom Rust code: evc verify cannot run it"),
                ));
            }
            upcast::apply(steps, &mut payload).map_err(|e| {
                Failure::new(Kind::UpcastFailed, format!("upcast from {pair}: {e}"))
            })?;
            judge(validators, link.schema, &payload).map_err(|why| {
                Failure::new(
                    Kind::UpcastResultInvalid,
                    format!(
                        "upcast from {pair} yields a payload {} refuses {why}",
                        link.number
                    ),
                )
            })?;
            upcast_into = Some(link.number);
        }
        // Handlers see the latest version: a payload read as an older minor
        // of the latest major must be valid for it too.
        let latest = &chain[last];
        let checked = upcast_into.unwrap_or(chain[start].number);
        if checked == latest.number {
            return Ok(());
        }
        judge(validators, latest.schema, &payload).map_err(|why| {
            let kind = match upcast_into {
                Some(_) => Kind::UpcastResultInvalid,
                None => Kind::InvalidPayload,
            };
            let number = latest.number;
            Failure::new(
                kind,
                format!(
                    "the payload, valid for {checked}, is refused by the latest {number} {why}"
                ),
            )
        })
    }
}

/// `Err` holds where and why `schema` refuses the payload.
fn judge(validators: &Validators<'_>, schema: SchemaId, payload: &Value) -> Result<(), String> {
    let validator = validators
        .get(schema)
        .map_err(|error| format!("(the schema does not compile: {error})"))?;
    if validator.is_valid(payload) {
        return Ok(());
    }
    let Some(error) = validator.iter_errors(payload).next() else {
        return Ok(());
    };
    let pointer = error.instance_path().as_str().to_owned();
    Err(format!(
        "at `{}`: {}",
        if pointer.is_empty() { "/" } else { &pointer },
        error.masked()
    ))
}

fn prefix(contract: &Contract) -> String {
    let wire = contract.wire_type(0);
    wire[..wire.len() - 1].to_owned()
}

fn dedup_majors(chain: &[Link<'_>]) -> Vec<String> {
    let mut majors: Vec<u64> = chain.iter().map(|l| l.number.major).collect();
    majors.dedup();
    majors.iter().map(|m| format!("v{m}")).collect()
}
