//! Reference rules that need the whole graph: a chain of `$ref`s (or
//! `allOf` merges, or union branches) that returns to where it started without passing through
//! a property or an array describes a type of infinite size, or none at all.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::resolve;
use crate::model::{Model, SchemaId, TypeSpace};
use crate::rules::RuleId;
use crate::source::Place;

/// Longest chain of aliases evc follows. Validators and generators walk such
/// chains recursively; real schemas need a handful of links.
pub const MAX_ALIAS_CHAIN: u32 = 64;

/// Reports unrepresentable cycles and over-long alias chains; returns the
/// schemas on them so later checks can skip what cannot be validated.
pub fn check(model: &Model, out: &mut Vec<Diagnostic>) -> BTreeSet<SchemaId> {
    let types = &model.types;
    let mut state = vec![Mark::New; types.len()];
    // Links of the longest alias chain starting at each finished schema.
    let mut chain = vec![0u32; types.len()];
    let mut on_cycle = BTreeSet::new();
    let mut unusable = BTreeSet::new();
    for (start, _) in types.iter() {
        if state[start.0 as usize] != Mark::New {
            continue;
        }
        // Iterative depth-first search: chains of references can be long.
        let mut stack: Vec<(SchemaId, usize)> = vec![(start, 0)];
        state[start.0 as usize] = Mark::Active;
        while let Some((id, next)) = stack.last().copied() {
            let edges = alias_edges(types, id);
            if next >= edges.len() {
                state[id.0 as usize] = Mark::Done;
                stack.pop();
                let longest = edges
                    .iter()
                    .filter(|(t, _)| state[t.0 as usize] == Mark::Done && !on_cycle.contains(t))
                    .map(|(t, _)| chain[t.0 as usize] + 1)
                    .max()
                    .unwrap_or(0);
                chain[id.0 as usize] = longest;
                if longest > MAX_ALIAS_CHAIN {
                    unusable.insert(id);
                    if longest == MAX_ALIAS_CHAIN + 1 {
                        report_chain(types, id, &edges, out);
                    }
                }
                continue;
            }
            stack.last_mut().expect("non-empty").1 += 1;
            let (target, place) = edges[next];
            match state[target.0 as usize] {
                Mark::New => {
                    state[target.0 as usize] = Mark::Active;
                    stack.push((target, 0));
                }
                Mark::Active => {
                    let from = stack.iter().position(|(s, _)| *s == target).unwrap_or(0);
                    let members: Vec<SchemaId> = stack[from..].iter().map(|(s, _)| *s).collect();
                    report(types, &members, place, out);
                    on_cycle.extend(members.iter().copied());
                    unusable.extend(members);
                }
                Mark::Done => {}
            }
        }
    }
    unusable
}

/// `unevaluatedProperties` or `unevaluatedItems` on a schema that reaches
/// itself again: the generated gathering of evaluated members expands the
/// subschemas it applies each time it meets them, so a recursive schema
/// would expand without end. Refused until that code is shared.
pub fn recursive_unevaluated(model: &Model, out: &mut Vec<Diagnostic>) {
    let types = &model.types;
    for (id, schema) in types.iter() {
        let keywords = [
            ("unevaluatedProperties", schema.unevaluated_properties),
            ("unevaluatedItems", schema.unevaluated_items),
        ];
        let Some((keyword, _)) = keywords.iter().find(|(_, s)| s.is_some()) else {
            continue;
        };
        if types.invalid.contains(&id) || !reaches_itself(types, id) {
            continue;
        }
        out.push(
            Diagnostic::new(
                RuleId::UnsupportedKeyword,
                schema.place,
                format!("`{keyword}` on a schema that contains itself (through `$ref`) is not supported yet"),
            )
            .hint("keep the recursion out of the schema that carries the keyword, or write `additionalProperties`/`items` instead"),
        );
    }
}

/// Whether a walk through the subschemas and `$ref` targets of `start`
/// comes back to it.
fn reaches_itself(types: &TypeSpace, start: SchemaId) -> bool {
    let next = |id: SchemaId| {
        let schema = types.get(id);
        let target = schema.reference.as_ref().and_then(|r| r.target);
        schema.children().chain(target).collect::<Vec<_>>()
    };
    let mut seen = vec![false; types.len()];
    let mut stack = next(start);
    while let Some(id) = stack.pop() {
        if id == start {
            return true;
        }
        if !std::mem::replace(&mut seen[id.0 as usize], true) {
            stack.extend(next(id));
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    New,
    Active,
    Done,
}

/// Edges along which a schema *is* its target rather than containing it:
/// `$ref`, `allOf` members and `oneOf`/`anyOf` branches (a value of the
/// union is a value of one branch, with no property or array in between).
fn alias_edges(types: &TypeSpace, id: SchemaId) -> Vec<(SchemaId, Place)> {
    let schema = types.get(id);
    // `not`, `if`/`then`/`else` and dependent schemas check the value
    // itself against their schema, like a branch.
    let branches = schema
        .one_of
        .iter()
        .chain(&schema.any_of)
        .copied()
        .chain(schema.not)
        .chain(schema.lone_if)
        .chain(schema.conditional_applicators());
    resolve::links(types, id)
        .map(|link| (link.target, link.place))
        .chain(branches.map(|b| (b, types.get(b).place)))
        .collect()
}

fn report_chain(
    types: &TypeSpace,
    id: SchemaId,
    edges: &[(SchemaId, Place)],
    out: &mut Vec<Diagnostic>,
) {
    let place = edges.first().map_or(types.get(id).place, |(_, p)| *p);
    let (message, hint) = if types.get(id).reference.is_some() {
        (
            format!("this `$ref` starts a chain of more than {MAX_ALIAS_CHAIN} references"),
            "refer to the final schema directly",
        )
    } else {
        (
            format!(
                "this schema starts a chain of more than {MAX_ALIAS_CHAIN} schemas applied to the \
                 same value (`$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else` nested \
                 in each other)"
            ),
            "merge the nested schemas into fewer levels",
        )
    };
    out.push(Diagnostic::new(RuleId::RefChainTooLong, place, message).hint(hint));
}

fn report(types: &TypeSpace, members: &[SchemaId], closing: Place, out: &mut Vec<Diagnostic>) {
    let path: Vec<String> = members
        .iter()
        .chain(members.first())
        .map(|id| {
            let origin = &types.get(*id).origin;
            format!("{}#{}", origin.file, origin.pointer)
        })
        .collect();
    out.push(
        Diagnostic::new(
            RuleId::RefCycle,
            closing,
            format!("`$ref` cycle: {}", path.join(" -> ")),
        )
        .hint("a schema cannot be only itself; put the recursion under a property or `items`"),
    );
}
