//! What older JSON Schema drafts spell or mean differently, read into the
//! one (2020-12) model: a schema's draft comes from the `$schema` of its
//! resource root.

/// The drafts whose meaning differs where evc reads schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Draft {
    Draft4,
    Draft6,
    Draft7,
    Draft201909,
    Draft202012,
}

impl Draft {
    /// The draft a `$schema` URI names; 2020-12 for anything else, as evc
    /// reads schemas without one.
    pub fn of(schema: Option<&str>) -> Draft {
        let Some(uri) = schema else {
            return Draft::Draft202012;
        };
        if uri.contains("draft-04") {
            Draft::Draft4
        } else if uri.contains("draft-06") {
            Draft::Draft6
        } else if uri.contains("draft-07") {
            Draft::Draft7
        } else if uri.contains("2019-09") {
            Draft::Draft201909
        } else {
            Draft::Draft202012
        }
    }

    /// Up to draft-07, `$ref` stands for its target alone: the keywords
    /// beside it are ignored.
    pub fn ref_hides_siblings(self) -> bool {
        self <= Draft::Draft7
    }

    /// The draft as people name it.
    pub fn name(self) -> &'static str {
        match self {
            Draft::Draft4 => "draft-04",
            Draft::Draft6 => "draft-06",
            Draft::Draft7 => "draft-07",
            Draft::Draft201909 => "2019-09",
            Draft::Draft202012 => "2020-12",
        }
    }

    /// The `$schema` URI of the draft.
    pub fn uri(self) -> &'static str {
        match self {
            Draft::Draft4 => "http://json-schema.org/draft-04/schema#",
            Draft::Draft6 => "http://json-schema.org/draft-06/schema#",
            Draft::Draft7 => "http://json-schema.org/draft-07/schema#",
            Draft::Draft201909 => "https://json-schema.org/draft/2019-09/schema",
            Draft::Draft202012 => "https://json-schema.org/draft/2020-12/schema",
        }
    }
}

/// The first draft that checks with `key`, for the assertions and
/// applicators later drafts added. A schema of an earlier draft does not
/// know the keyword: a validator of that draft ignores it, and so does evc.
/// (Annotations and `$anchor`, which evc reads in any draft, are not listed.)
pub fn first_draft(key: &str) -> Option<Draft> {
    match key {
        "const" | "contains" | "propertyNames" => Some(Draft::Draft6),
        "if" | "then" | "else" => Some(Draft::Draft7),
        "dependentRequired"
        | "dependentSchemas"
        | "unevaluatedProperties"
        | "unevaluatedItems"
        | "minContains"
        | "maxContains" => Some(Draft::Draft201909),
        "prefixItems" | "$dynamicRef" | "$dynamicAnchor" => Some(Draft::Draft202012),
        _ => None,
    }
}

/// Keywords beside a `$ref` that older drafts ignore but evc keeps: they
/// document, or hold schemas other references reach by pointer.
pub fn kept_beside_ref(key: &str) -> bool {
    matches!(
        key,
        "$ref"
            | "$defs"
            | "definitions"
            | "$schema"
            | "$id"
            | "id"
            | "$comment"
            | "title"
            | "description"
            | "examples"
            | "default"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
    ) || key.starts_with("x-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_named_by_their_schema_uri() {
        let of = |uri| Draft::of(Some(uri));
        assert_eq!(of("http://json-schema.org/draft-04/schema#"), Draft::Draft4);
        assert_eq!(of("http://json-schema.org/draft-07/schema"), Draft::Draft7);
        assert_eq!(
            of("https://json-schema.org/draft/2020-12/schema"),
            Draft::Draft202012
        );
        assert_eq!(Draft::of(None), Draft::Draft202012);
        assert!(Draft::Draft7.ref_hides_siblings());
        assert!(!Draft::Draft201909.ref_hides_siblings());
    }
}
