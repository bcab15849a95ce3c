//! Names unique within one scope, for everything evc names: the `$defs` of
//! a bundled schema, and the types, fields, members and macros of every
//! backend. One type, so clashes are numbered the same way everywhere.

use std::collections::BTreeSet;

/// Hands out names unique within one scope (a bundle's `$defs`, a file's
/// types, a struct's fields, a C struct's members, the header's macros): a
/// clash gets the lowest free numeric suffix.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
    /// Between a clashing name and its number: empty for Rust names
    /// (`Money2`), `_` for C's (`has_note_2`).
    separator: &'static str,
}

impl Scope {
    /// A scope whose clashes are numbered after `separator`, with `taken`
    /// already in use.
    pub fn separated(separator: &'static str, taken: impl IntoIterator<Item = String>) -> Self {
        Scope {
            taken: taken.into_iter().map(|t| unraw(&t).to_owned()).collect(),
            separator,
        }
    }

    pub fn claim(&mut self, wanted: String) -> String {
        self.claim_with(wanted, &[""])
    }

    /// A stem whose every `stem + suffix` is free, all claimed: for macros
    /// the header spells as `<stem>_TYPE`, `<stem>_VERSION`.
    pub fn claim_with(&mut self, wanted: String, suffixes: &[&str]) -> String {
        // A raw identifier is the same identifier as the bare word:
        // `r#type2` and `type2` clash.
        let free = |taken: &BTreeSet<String>, stem: &str| {
            suffixes
                .iter()
                .all(|s| !taken.contains(&format!("{}{s}", unraw(stem))))
        };
        // A number glued on drops the `r#` or the `_` that escaped a
        // keyword (`r#type` → `type2`, `self_` → `self2`): the number
        // already keeps it from being one.
        let base = if self.separator.is_empty() {
            unraw(&wanted).trim_end_matches('_')
        } else {
            wanted.as_str()
        };
        let separator = self.separator;
        let stem = std::iter::once(wanted.clone())
            .chain((2..).map(|n| format!("{base}{separator}{n}")))
            .find(|stem| free(&self.taken, stem))
            .unwrap_or_else(|| wanted.clone());
        for suffix in suffixes {
            self.taken.insert(format!("{}{suffix}", unraw(&stem)));
        }
        stem
    }
}

/// A Rust raw identifier without its `r#`.
fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_identifier_clashes_with_its_bare_word() {
        let mut fields = Scope::default();
        assert_eq!(fields.claim("r#type".into()), "r#type");
        assert_eq!(fields.claim("r#type".into()), "type2");
        assert_eq!(fields.claim("type2".into()), "type22");
        assert_eq!(fields.claim("type3".into()), "type3");
    }

    #[test]
    fn separated_clashes_keep_every_suffix_free() {
        let mut members = Scope::separated("_", []);
        assert_eq!(members.claim("has_note".into()), "has_note");
        assert_eq!(members.claim("has_note".into()), "has_note_2");
        let mut macros = Scope::separated("_", ["SHOP_ABI_VERSION".to_string()]);
        assert_eq!(
            macros.claim_with("SHOP_ABI".into(), &["_TYPE", "_VERSION"]),
            "SHOP_ABI_2"
        );
        assert_eq!(macros.claim("SHOP_ABI_2_TYPE".into()), "SHOP_ABI_2_TYPE_2");
    }
}
