//! Names in generated code: the identifiers of [`crate::model::identifier`],
//! made unique within their scope.

pub use crate::model::identifier::{field_name, type_name};
pub use crate::model::Scope;

/// Names generated code uses itself, which a contract type must not take.
const TAKEN_TYPES: &[&str] = &[
    "Event",
    "Command",
    "Message",
    "Bus",
    "EventHandler",
    "CommandHandler",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
];

/// The scope of a file's types: the names the generated code itself
/// defines are taken.
impl Scope {
    pub fn for_types() -> Self {
        Scope::separated("", TAKEN_TYPES.iter().map(|t| t.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashes_get_a_suffix() {
        let mut scope = Scope::for_types();
        assert_eq!(scope.claim("Event".into()), "Event2");
        assert_eq!(scope.claim("Money".into()), "Money");
        assert_eq!(scope.claim("Money".into()), "Money2");
        assert_eq!(scope.claim("self_".into()), "self_");
        assert_eq!(scope.claim("self_".into()), "self2");
    }
}
