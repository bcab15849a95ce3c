//! Keywords that apply subschemas to a value according to what it holds:
//! `if`/`then`/`else`, `dependentSchemas`, `propertyNames` and
//! `patternProperties` (with the `additionalProperties` beside it). They are
//! checked on the value as JSON; a typed object keeps every property it was
//! given so its JSON is the one that was sent.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::validate::{pattern, wrap, wrap_value, Access, Checks, Segment};
use crate::bind::reading::closed_pattern;
use crate::model::{Additional, Schema, SchemaId};

impl Checks<'_> {
    /// Statements checking `value` (an expression of type `&Value`) against
    /// the applicators of `s`. With `typed_pattern`, a lone pattern beside
    /// `additionalProperties: false` is left to the typed map that holds
    /// the value.
    pub fn applicators(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
        typed_pattern: bool,
    ) -> Vec<TokenStream> {
        let mut out = Vec::new();
        out.extend(self.condition(s, value, path, depth, own));
        out.extend(self.unevaluated(s, value, path, depth, own));
        if s.applies_to_properties() {
            let receiver = value.receiver();
            let object = format_ident!("object_{depth}");
            let mut checks: Vec<TokenStream> = Vec::new();
            checks.extend(self.property_names(s, &object, path, depth, own));
            if !(typed_pattern && closed_pattern(s).is_some()) {
                checks.extend(self.pattern_properties(s, &object, path, depth, own));
            }
            checks.extend(self.dependent_schemas(s, &object, value, path, depth, own));
            if !checks.is_empty() {
                out.push(quote!(if let Some(#object) = #receiver.as_object() { #(#checks)* }));
            }
        }
        out
    }

    /// `if` as a local function run on the value; `then` or `else` checked
    /// in place, so their violations keep their pointers.
    fn condition(
        &self,
        s: &Schema,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let test = s.if_schema?;
        let name = format_ident!("condition_{depth}");
        let (function, _) = self.local_check(&name, test, depth, own);
        let branch = |schema: Option<SchemaId>| match schema {
            Some(schema) => self.dynamic(schema, value, path, depth + 1, own),
            None => Vec::new(),
        };
        let (then, otherwise) = (branch(s.then_schema), branch(s.else_schema));
        if then.is_empty() && otherwise.is_empty() {
            return None;
        }
        let by_ref = value.by_ref();
        let passed = format_ident!("passed_{depth}");
        // Two `if`s on one flag rather than `if`/`else`: an `else` holding a
        // lone `if let` would trip clippy's `collapsible_else_if`.
        let then = (!then.is_empty()).then(|| quote!(if #passed { #(#then)* }));
        let otherwise = (!otherwise.is_empty()).then(|| quote!(if !#passed { #(#otherwise)* }));
        Some(quote! {{
            #function
            let #passed = #name(#by_ref).is_ok();
            #then
            #otherwise
        }})
    }

    /// `propertyNames`: each name checked as a JSON string.
    fn property_names(
        &self,
        s: &Schema,
        object: &proc_macro2::Ident,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        let rt = self.rt;
        let schema = s.property_names?;
        let name = format_ident!("property_name_{depth}");
        let (function, checks) = self.local_check(&name, schema, depth, own);
        if !checks {
            return None;
        }
        let key = format_ident!("key_{depth}");
        let call = quote! {
            #name(&#rt::serde_json::Value::String(#key.clone()))
                .map_err(|violation| #rt::check::property_name(#key, violation))
        };
        let check = wrap(call, path);
        Some(quote! {{
            #function
            for #key in #object.keys() {
                #check
            }
        }})
    }

    /// `patternProperties`: each property checked against the schema of
    /// every pattern its name matches. With them, `additionalProperties`
    /// applies only to the names neither declared nor matched.
    fn pattern_properties(
        &self,
        s: &Schema,
        object: &proc_macro2::Ident,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<TokenStream> {
        if s.pattern_properties.is_empty() {
            return None;
        }
        let rt = self.rt;
        let (key, property) = (
            format_ident!("key_{depth}"),
            format_ident!("property_{depth}"),
        );
        let matched = format_ident!("matched_{depth}");
        let mut inner = path.to_vec();
        inner.push(Segment::Key(quote!(#key)));
        let bound = Access::bound(quote!(#property));
        let rest = self.unmatched(s, &key, &bound, path, &inner, depth, own);
        // `additionalProperties: false` reads only the name.
        let mut used = rest.is_some() && matches!(s.additional, Additional::Schema(_));
        let mut arms = Vec::new();
        for entry in &s.pattern_properties {
            let compiled = pattern(rt, &entry.name);
            let test = wrap_value(quote!(#rt::check::matches(#key, #compiled)), path);
            let body = self.dynamic(entry.schema, &bound, &inner, depth + 1, own);
            used |= !body.is_empty();
            let note = rest.as_ref().map(|_| quote!(#matched = true;));
            if body.is_empty() && note.is_none() {
                // The pattern still has to compile and run: a broken one is
                // a violation, not a silent miss.
                arms.push(quote!(let _ = #test;));
            } else {
                arms.push(quote!(if #test { #note #(#body)* }));
            }
        }
        let unused = (!used).then(|| quote!(let _ = #property;));
        let (start, finish) = match rest {
            Some((undeclared, body)) => (
                Some(quote!(let mut #matched = false;)),
                Some(quote!(if !#matched #undeclared { #(#body)* })),
            ),
            None => (None, None),
        };
        Some(quote! {
            for (#key, #property) in #object {
                #unused
                #start
                #(#arms)*
                #finish
            }
        })
    }

    /// What `additionalProperties` says of a property that no pattern
    /// matched: the condition that it is not declared either (to join the
    /// caller's, as `&& ...`), and the checks.
    #[allow(clippy::too_many_arguments)]
    fn unmatched(
        &self,
        s: &Schema,
        key: &proc_macro2::Ident,
        property: &Access,
        path: &[Segment],
        inner: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Option<(Option<TokenStream>, Vec<TokenStream>)> {
        let rt = self.rt;
        let declared: Vec<Literal> = s
            .properties
            .iter()
            .map(|p| Literal::string(&p.name))
            .collect();
        let body = match s.additional {
            Additional::Allowed(false) => {
                vec![wrap(quote!(#rt::check::unmatched_property(#key)), path)]
            }
            Additional::Schema(values) => self.dynamic(values, property, inner, depth + 1, own),
            _ => Vec::new(),
        };
        if body.is_empty() {
            return None;
        }
        let undeclared =
            (!declared.is_empty()).then(|| quote!(&& ![#(#declared),*].contains(&#key.as_str())));
        Some((undeclared, body))
    }

    /// `dependentSchemas`: the whole value checked against the schema of
    /// each property it holds.
    fn dependent_schemas(
        &self,
        s: &Schema,
        object: &proc_macro2::Ident,
        value: &Access,
        path: &[Segment],
        depth: usize,
        own: Option<SchemaId>,
    ) -> Vec<TokenStream> {
        let mut out = Vec::new();
        for entry in &s.dependent_schemas {
            let body = self.dynamic(entry.schema, value, path, depth + 1, own);
            if body.is_empty() {
                continue;
            }
            let name = Literal::string(&entry.name);
            out.push(quote!(if #object.contains_key(#name) { #(#body)* }));
        }
        out
    }
}
