//! Keyword tables of the contract language.

/// Payload schema keywords evc compiles (DESIGN §3).
pub const SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "additionalItems",
    "contains",
    "minContains",
    "maxContains",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "$defs",
    "definitions",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependencies",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "$comment",
    "$schema",
    "$id",
    "readOnly",
    "writeOnly",
    "not",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "$anchor",
    "$dynamicAnchor",
    "$dynamicRef",
    "patternProperties",
    "propertyNames",
    "dependentSchemas",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// JSON Schema keywords (2020-12, draft-07, OpenAPI) that evc knows but does
/// not compile: refusing them by name beats calling them unknown.
pub const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "discriminator",
    "nullable",
    "$recursiveAnchor",
    "$recursiveRef",
    "$vocabulary",
];

/// Keys that only evc's contract language uses: met among a schema's
/// keywords, they are a contract key in the wrong place, not an annotation.
pub const CONTRACT_ONLY_KEYS: &[&str] = &[
    "event",
    "command",
    "query",
    "namespace",
    "versions",
    "version",
    "schema",
    "upcast",
];

/// Keys of a contract file's top level.
pub const CONTRACT_KEYS: &[&str] = &[
    "event",
    "command",
    "namespace",
    "description",
    "deprecated",
    "versions",
    "$schema",
];

/// Keys of one entry of `versions`.
pub const VERSION_KEYS: &[&str] = &[
    "version",
    "description",
    "deprecated",
    "schema",
    "upcast",
    "examples",
];

/// Keys of `x-evc` in the JSON Schema form.
pub const X_EVC_KEYS: &[&str] = &[
    "kind",
    "name",
    "namespace",
    "version",
    "description",
    "deprecated",
    "upcast",
];

/// Keys of a definitions file's top level.
pub const DEFINITIONS_KEYS: &[&str] = &[
    "$defs",
    "definitions",
    "$schema",
    "$id",
    "title",
    "description",
    "$comment",
];

/// Upcast step names.
pub const UPCAST_STEPS: &[&str] = &["rename", "move", "set", "drop", "convert", "custom"];

/// The closest known keyword, for "did you mean" hints.
pub fn suggest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), *k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keywords_only() {
        assert_eq!(suggest("propertes", SCHEMA_KEYWORDS), Some("properties"));
        assert_eq!(suggest("maxLenght", SCHEMA_KEYWORDS), Some("maxLength"));
        assert_eq!(suggest("zebra", SCHEMA_KEYWORDS), None);
    }
}
