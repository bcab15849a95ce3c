//! The dynamic scope of `$dynamicRef` (JSON Schema 2020-12, §8.2.3.2): the
//! schema resources evaluation passed through on its way to a schema. A
//! `$dynamicRef` whose first target carries a `$dynamicAnchor` of the name
//! it asks for resolves instead to the schema with that `$dynamicAnchor` in
//! the outermost resource of the scope that has one.
//!
//! evc resolves it while it builds the type graph: a schema is built once
//! per scope it can be reached in, so the answer is fixed in the generated
//! types. Only what a lookup can read is kept, the binding of each name to
//! the outermost `$dynamicAnchor`, so a recursive schema meets the same
//! scope again and its graph closes.

use std::fmt::Write as _;
use std::rc::Rc;

use super::reference::pointer_text;
use crate::source::FileId;

/// Where a `$dynamicAnchor` is: its file and its pointer from the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub file: FileId,
    pub pointer: Vec<String>,
}

/// The bindings of one dynamic scope, sorted by name; empty until a
/// resource with a `$dynamicAnchor` some `$dynamicRef` names is entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DynamicScope(Rc<[(Box<str>, Bound)]>);

impl DynamicScope {
    /// The schema `name` is bound to, if a resource of the scope binds it.
    pub fn get(&self, name: &str) -> Option<&Bound> {
        self.0
            .binary_search_by(|(bound, _)| (**bound).cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The scope after entering a resource of `file` with these
    /// `$dynamicAnchor`s (name, pointer); `None` when it binds nothing new,
    /// as an outer resource already bound each name.
    pub fn entered(&self, file: FileId, anchors: &[(String, Vec<String>)]) -> Option<DynamicScope> {
        let mut bindings: Vec<(Box<str>, Bound)> = self.0.to_vec();
        for (name, pointer) in anchors {
            if let Err(at) = bindings.binary_search_by(|(bound, _)| (**bound).cmp(name.as_str())) {
                let bound = Bound {
                    file,
                    pointer: pointer.clone(),
                };
                bindings.insert(at, (name.as_str().into(), bound));
            }
        }
        (bindings.len() > self.0.len()).then(|| DynamicScope(bindings.into()))
    }

    /// A text naming the bindings, to tell apart the builds of one schema
    /// reached in different scopes; empty for the empty scope.
    pub fn key(&self, path: impl Fn(FileId) -> String) -> String {
        let mut key = String::new();
        for (name, bound) in self.0.iter() {
            let _ = write!(
                key,
                "{name}={}#{};",
                path(bound.file),
                pointer_text(&bound.pointer)
            );
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(list: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        list.iter()
            .map(|(name, at)| ((*name).to_owned(), vec![(*at).to_owned()]))
            .collect()
    }

    #[test]
    fn the_outermost_resource_keeps_its_binding() {
        let outer = DynamicScope::default()
            .entered(FileId(0), &anchors(&[("items", "outer")]))
            .unwrap();
        assert!(outer
            .entered(FileId(1), &anchors(&[("items", "inner")]))
            .is_none());
        let both = outer
            .entered(FileId(1), &anchors(&[("node", "n"), ("items", "inner")]))
            .unwrap();
        assert_eq!(both.get("items").unwrap().file, FileId(0));
        assert_eq!(both.get("node").unwrap().pointer, ["n"]);
        assert!(both.get("other").is_none());
        assert_eq!(
            both.key(|f| format!("f{}", f.0)),
            "items=f0#/outer;node=f1#/n;"
        );
        assert_eq!(DynamicScope::default().key(|_| unreachable!()), "");
    }
}
