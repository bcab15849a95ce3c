//! `unevaluatedProperties` and `unevaluatedItems`. A local function gathers,
//! on the JSON value, the properties or items the keywords beside the
//! keyword evaluated, following JSON Schema's annotation rules: the
//! keywords of the schema and of its `$ref` and `allOf` conjuncts count
//! always (the value fails anyway where they fail), an `anyOf` or `oneOf`
//! branch and `if` count only when they pass, `then`, `else` and a
//! dependent schema when they apply, and `not` never. The members left over
//! are checked against the keyword's schema.
//!
//! The walk through subschemas applied in place ends: a cycle of them is
//! refused by `REF_CYCLE` before any code is generated.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::validate::{pattern, wrap, Access, Checks, Segment};
use crate::model::resolve::Conjuncts;
use crate::model::{Additional, Schema, SchemaId};

/// Which members an `unevaluated*` keyword speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Members {
    Properties,
    Items,
}

/// What a gathering function does: its statements, and whether they read
/// the value at all.
#[derive(Default)]
struct Gathered {
    statements: Vec<TokenStream>,
    reads: bool,
}

impl Gathered {
    fn everything(&mut self) {
        self.statements.push(quote!(evaluated.everything();));
    }

    fn reading(&mut self, statement: TokenStream) {
        self.statements.push(statement);
        self.reads = true;
    }
}

impl Checks<'_> {
    /// Statements checking `value` (a JSON value) against the
    /// `unevaluatedProperties` and `unevaluatedItems` of `s`.
    pub fn unevaluated(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        [
            (Members::Properties, s.unevaluated_properties),
            (Members::Items, s.unevaluated_items),
        ]
        .into_iter()
        .filter_map(|(members, schema)| {
            let schema = schema?;
            Some(self.unevaluated_check(members, s, schema, value, path, depth, own))
        })
        .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn unevaluated_check(
        &self,
        members: Members,
        s: &Schema,
        schema: SchemaId,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> TokenStream {
        let rt = self.rt;
        let check = format_ident!("unevaluated_{depth}");
        let (function, _) = self.local_check(&check, schema, depth, own);
        let gather = format_ident!("evaluated_{depth}");
        let gathering = self.gathering(&gather, self.gathered(members, s, true, depth, own));
        let (by_ref, receiver) = (value.by_ref(), value.receiver());
        let held = format_ident!("held_{depth}");
        let (as_held, call) = match members {
            Members::Properties => (quote!(as_object), quote!(unevaluated_properties)),
            Members::Items => (quote!(as_array), quote!(unevaluated_items)),
        };
        let call = wrap(
            quote!(#rt::check::#call(#held, &#gather(#by_ref), #check)),
            path,
        );
        quote! {{
            #function
            #gathering
            if let Some(#held) = #receiver.#as_held() {
                #call
            }
        }}
    }

    /// A local function `name` returning what `gathered` gathers.
    fn gathering(&self, name: &Ident, gathered: Gathered) -> TokenStream {
        let rt = self.rt;
        let unused = (!gathered.reads).then(|| quote!(let _ = value;));
        let statements = gathered.statements;
        let body = if statements.is_empty() {
            quote!(#rt::check::Evaluated::default())
        } else {
            quote! {
                let mut evaluated = #rt::check::Evaluated::default();
                #(#statements)*
                evaluated
            }
        };
        quote! {
            fn #name(value: &#rt::serde_json::Value) -> #rt::check::Evaluated {
                #unused
                #body
            }
        }
    }

    /// The statements gathering what `s` and its `$ref` and `allOf`
    /// conjuncts evaluate.
    fn gathered(
        &self,
        members: Members,
        s: &Schema,
        top: bool,
        depth: usize,
        own: Option<SchemaId>,
    ) -> Gathered {
        let mut out = Gathered::default();
        self.gather_one(&mut out, members, s, top, depth, own);
        let target = s.reference.as_ref().and_then(|r| r.target);
        let linked: Vec<SchemaId> = target.into_iter().chain(s.all_of.iter().copied()).collect();
        for conjunct in Conjuncts::new(self.types, &linked) {
            let c = self.types.get(conjunct.id);
            self.gather_one(&mut out, members, c, false, depth, own);
        }
        out
    }

    /// What the keywords of `s` alone evaluate, its in-place applicators
    /// included but not its `$ref` and `allOf`.
    fn gather_one(
        &self,
        out: &mut Gathered,
        members: Members,
        s: &Schema,
        top: bool,
        depth: usize,
        own: Option<SchemaId>,
    ) {
        match members {
            Members::Properties => self.gather_properties(out, s, top),
            Members::Items => self.gather_items(out, s, top, depth, own),
        }
        for (i, branch) in s.one_of.iter().chain(&s.any_of).enumerate() {
            out.extend_reading(self.passing_branch(members, *branch, i, depth, own));
        }
        if let Some(test) = s.if_schema.or(s.lone_if) {
            out.extend_reading(self.condition_gathered(members, s, test, depth, own));
        }
        for entry in &s.dependent_schemas {
            let schema = self.types.get(entry.schema);
            let gathered = self.gathered(members, schema, false, depth + 1, own);
            if gathered.statements.is_empty() {
                continue;
            }
            let function = self.gathering(&format_ident!("gathered"), gathered);
            let held = Literal::string(&entry.name);
            out.reading(quote! {{
                #function
                if value.as_object().is_some_and(|object| object.contains_key(#held)) {
                    evaluated.join(gathered(value));
                }
            }});
        }
    }

    fn gather_properties(&self, out: &mut Gathered, s: &Schema, top: bool) {
        let rt = self.rt;
        if s.additional != Additional::Absent || (!top && s.unevaluated_properties.is_some()) {
            out.everything();
            return;
        }
        if !s.properties.is_empty() {
            let names = s.properties.iter().map(|p| Literal::string(&p.name));
            out.statements
                .push(quote!(evaluated.names(&[#(#names),*]);));
        }
        if !s.pattern_properties.is_empty() {
            let tests = s.pattern_properties.iter().map(|entry| {
                let compiled = pattern(rt, &entry.name);
                quote!(#rt::check::matches(key, #compiled).unwrap_or(false))
            });
            out.reading(quote! {
                if let Some(object) = value.as_object() {
                    for key in object.keys() {
                        if #(#tests)||* {
                            evaluated.name(key);
                        }
                    }
                }
            });
        }
    }

    fn gather_items(
        &self,
        out: &mut Gathered,
        s: &Schema,
        top: bool,
        depth: usize,
        own: Option<SchemaId>,
    ) {
        let rest = s.items.is_some() || s.items_allowed || s.items_forbidden;
        if rest || (!top && s.unevaluated_items.is_some()) {
            out.everything();
            return;
        }
        if !s.prefix_items.is_empty() {
            let count = Literal::usize_unsuffixed(s.prefix_items.len());
            out.statements.push(quote!(evaluated.prefix(#count);));
        }
        if let Some(contains) = s.contains {
            let name = format_ident!("matched");
            let (function, _) = self.local_check(&name, contains, depth + 1, own);
            out.reading(quote! {{
                #function
                if let Some(items) = value.as_array() {
                    for (index, item) in items.iter().enumerate() {
                        if #name(item).is_ok() {
                            evaluated.index(index);
                        }
                    }
                }
            }});
        }
    }

    /// An `anyOf` or `oneOf` branch: what it evaluates counts when it passes.
    fn passing_branch(
        &self,
        members: Members,
        branch: SchemaId,
        i: usize,
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let schema = self.types.get(branch);
        let gathered = self.gathered(members, schema, false, depth + 1, own);
        if gathered.statements.is_empty() {
            return None;
        }
        let (passes, gather) = (format_ident!("passes_{i}"), format_ident!("gathered_{i}"));
        let (check, _) = self.local_check(&passes, branch, depth + 1, own);
        let function = self.gathering(&gather, gathered);
        Some(quote! {{
            #check
            #function
            if #passes(value).is_ok() {
                evaluated.join(#gather(value));
            }
        }})
    }

    /// `if` and `then` count when `if` passes, `else` when it fails.
    fn condition_gathered(
        &self,
        members: Members,
        s: &Schema,
        test: SchemaId,
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let mut functions = Vec::new();
        let mut joins = Vec::new();
        for (i, schema) in [Some(test), s.then_schema, s.else_schema]
            .into_iter()
            .enumerate()
        {
            let gathered = schema
                .map(|id| self.gathered(members, self.types.get(id), false, depth + 1, own))
                .filter(|gathered| !gathered.statements.is_empty());
            let name = format_ident!("gathered_{i}");
            joins.push(gathered.map(|gathered| {
                functions.push(self.gathering(&name, gathered));
                quote!(evaluated.join(#name(value));)
            }));
        }
        let otherwise = joins.pop().flatten();
        let passed: Vec<TokenStream> = joins.into_iter().flatten().collect();
        let passes = format_ident!("passes");
        let branches = match (passed.is_empty(), otherwise) {
            (true, None) => return None,
            (true, Some(otherwise)) => quote!(if #passes(value).is_err() { #otherwise }),
            (false, None) => quote!(if #passes(value).is_ok() { #(#passed)* }),
            (false, Some(otherwise)) => quote! {
                if #passes(value).is_ok() { #(#passed)* } else { #otherwise }
            },
        };
        let (check, _) = self.local_check(&passes, test, depth + 1, own);
        Some(quote! {{
            #check
            #(#functions)*
            #branches
        }})
    }
}

impl Gathered {
    fn extend_reading(&mut self, statement: Option<TokenStream>) {
        if let Some(statement) = statement {
            self.reading(statement);
        }
    }
}
