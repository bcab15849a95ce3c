//! The keyword checks generated `validate` bodies call. Each verdict agrees
//! with the `jsonschema` crate (draft 2020-12, formats asserted) that the
//! compiler validates examples with; `tests/` compares them on the JSON
//! Schema Test Suite.

mod dynamic;
mod evaluated;
mod format;
mod json;
mod number;

use std::sync::OnceLock;

pub use dynamic::{
    any_of, decodes, json_type, not, one_of, only_properties, property_name, required,
    required_held, unmatched_property,
};
pub use evaluated::{unevaluated_items, unevaluated_properties, Evaluated};
pub use format::{
    date, date_time, duration, email, hostname, ipv4, ipv6, iri, iri_reference, is_date,
    is_date_time, is_duration, is_email, is_hostname, is_ipv4, is_ipv6, is_iri, is_iri_reference,
    is_json_pointer, is_relative_json_pointer, is_time, is_uri, is_uri_reference, is_uuid,
    json_pointer, relative_json_pointer, time, uri, uri_reference, uuid,
};
pub use json::{constant, enum_of, json_eq, json_of, unique_items, JsonConst};
pub use number::{exclusive_maximum, exclusive_minimum, maximum, minimum, multiple_of, Number};

use crate::Violation;

/// String length in Unicode code points, as JSON Schema counts it.
pub fn min_length(value: &str, min: u64) -> Result<(), Violation> {
    let length = value.chars().count() as u64;
    if length < min {
        return Err(Violation::new(format!(
            "is {length} characters long, shorter than the minimum of {min}"
        )));
    }
    Ok(())
}

pub fn max_length(value: &str, max: u64) -> Result<(), Violation> {
    // Bytes bound code points from above: most strings pass without counting.
    if value.len() as u64 <= max {
        return Ok(());
    }
    let length = value.chars().count() as u64;
    if length > max {
        return Err(Violation::new(format!(
            "is {length} characters long, longer than the maximum of {max}"
        )));
    }
    Ok(())
}

pub fn min_items(length: usize, min: u64) -> Result<(), Violation> {
    if (length as u64) < min {
        return Err(Violation::new(format!(
            "has {length} items, fewer than the minimum of {min}"
        )));
    }
    Ok(())
}

pub fn max_items(length: usize, max: u64) -> Result<(), Violation> {
    if length as u64 > max {
        return Err(Violation::new(format!(
            "has {length} items, more than the maximum of {max}"
        )));
    }
    Ok(())
}

/// `items: false` after `prefix` positional items (`prefixItems`): a tuple
/// that holds no more items than its positions.
pub fn no_items_after(length: usize, prefix: usize) -> Result<(), Violation> {
    if length > prefix {
        return Err(Violation::new(format!(
            "has {length} items; `items: false` allows none after the first {prefix}"
        )));
    }
    Ok(())
}

/// `contains` with `minContains` (1 unless written) and `maxContains`:
/// `matched` is the number of items that match the `contains` schema.
pub fn contains(matched: usize, min: u64, max: Option<u64>) -> Result<(), Violation> {
    let count = matched as u64;
    if count < min {
        return Err(Violation::new(if matched == 0 {
            "no item matches `contains`".to_owned()
        } else {
            format!("{matched} items match `contains`, fewer than the `minContains` of {min}")
        }));
    }
    if let Some(max) = max.filter(|max| count > *max) {
        return Err(Violation::new(format!(
            "{matched} items match `contains`, more than the `maxContains` of {max}"
        )));
    }
    Ok(())
}

/// `minProperties`: `count` is the number of properties the object holds
/// as JSON (an absent optional field is not one).
pub fn min_properties(count: usize, min: u64) -> Result<(), Violation> {
    if (count as u64) < min {
        return Err(Violation::new(format!(
            "has {count} properties, fewer than the minProperties of {min}"
        )));
    }
    Ok(())
}

/// `maxProperties`, counted as [`min_properties`] counts.
pub fn max_properties(count: usize, max: u64) -> Result<(), Violation> {
    if count as u64 > max {
        return Err(Violation::new(format!(
            "has {count} properties, more than the maxProperties of {max}"
        )));
    }
    Ok(())
}

/// `dependentRequired` for one property: when it is `present`, every name
/// of `required` (each with whether the object holds it) must be too.
pub fn dependent_required(
    property: &str,
    present: bool,
    required: &[(&str, bool)],
) -> Result<(), Violation> {
    if !present {
        return Ok(());
    }
    match required.iter().find(|(_, held)| !held) {
        Some((missing, _)) => Err(Violation::new(format!(
            "property `{missing}` is missing, required by dependentRequired when `{property}` is present"
        ))),
        None => Ok(()),
    }
}

/// An ECMA-262 `pattern`, compiled once on first use, the way `jsonschema`
/// compiles it: translated to Rust syntax and run by `fancy-regex`, with
/// anchored sequences of character classes (`^[A-Z]{3}$`) matched without a
/// regex engine for ASCII input.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Result<Compiled, String>>,
}

struct Compiled {
    sequence: Option<jsonschema_regex::Sequence>,
    regex: fancy_regex::Regex,
}

impl Compiled {
    fn is_match(&self, value: &str) -> Result<bool, fancy_regex::Error> {
        if let Some(matched) = self
            .sequence
            .as_ref()
            .and_then(|s| s.is_match(value.as_bytes()))
        {
            return Ok(matched);
        }
        self.regex.is_match(value)
    }
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    pub fn source(&self) -> &'static str {
        self.source
    }

    fn compiled(&self) -> &Result<Compiled, String> {
        self.compiled.get_or_init(|| {
            let translated = jsonschema_regex::to_rust_regex(self.source).map_err(|()| {
                format!(
                    "pattern `{}` is not an ECMA-262 regular expression",
                    self.source
                )
            })?;
            let regex = fancy_regex::Regex::new(&translated)
                .map_err(|e| format!("pattern `{}` does not compile: {e}", self.source))?;
            Ok(Compiled {
                sequence: jsonschema_regex::Sequence::compile(&translated),
                regex,
            })
        })
    }
}

/// Unanchored search, as JSON Schema's `pattern` is.
pub fn pattern(value: &str, pattern: &Pattern) -> Result<(), Violation> {
    match pattern.compiled() {
        Ok(compiled) => match compiled.is_match(value) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Violation::new(format!(
                "does not match the pattern `{}`",
                pattern.source
            ))),
            Err(e) => Err(Violation::new(format!(
                "could not be matched against `{}`: {e}",
                pattern.source
            ))),
        },
        Err(reason) => Err(Violation::new(reason.clone())),
    }
}

/// Whether `key` holds a match of `pattern` (`patternProperties`): an
/// unanchored search, as `pattern` is. A pattern that cannot run is a
/// violation, never a silent miss.
pub fn matches(key: &str, pattern: &Pattern) -> Result<bool, Violation> {
    match pattern.compiled() {
        Ok(compiled) => compiled.is_match(key).map_err(|e| {
            Violation::new(format!(
                "could not be matched against `{}`: {e}",
                pattern.source
            ))
            .at(key)
        }),
        Err(reason) => Err(Violation::new(reason.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_counts_and_dependencies() {
        assert!(min_properties(1, 1).is_ok());
        assert!(min_properties(0, 1).is_err());
        assert!(max_properties(2, 2).is_ok());
        assert!(max_properties(3, 2).is_err());
        assert!(dependent_required("a", false, &[("b", false)]).is_ok());
        assert!(dependent_required("a", true, &[("b", true)]).is_ok());
        let missing = dependent_required("a", true, &[("b", true), ("c", false)]);
        assert!(missing.is_err_and(|v| v.reason().contains("`c`")));
    }

    #[test]
    fn lengths_count_code_points() {
        assert!(min_length("éé", 2).is_ok());
        assert!(max_length("💩💩", 2).is_ok());
        assert!(max_length("abc", 2).is_err());
    }

    #[test]
    fn tuples_and_contains_count_items() {
        assert!(no_items_after(2, 2).is_ok());
        assert!(no_items_after(0, 0).is_ok());
        assert!(no_items_after(3, 2).is_err());
        assert!(contains(1, 1, None).is_ok());
        assert!(contains(0, 0, Some(0)).is_ok());
        assert!(contains(0, 1, None).is_err());
        assert!(contains(2, 3, None).is_err());
        assert!(contains(3, 1, Some(2)).is_err());
        assert!(contains(2, 1, Some(2)).is_ok());
    }

    #[test]
    fn patterns_search_and_never_panic() {
        static DIGITS: Pattern = Pattern::new("[0-9]+");
        static BROKEN: Pattern = Pattern::new("(");
        assert!(pattern("ab12", &DIGITS).is_ok());
        assert!(pattern("ab", &DIGITS).is_err());
        assert!(pattern("x", &BROKEN).is_err());
    }
}
