//! Where a change sits: a path of segments from the payload root, rendered as
//! a JSON pointer into the schema or as an instance path for upcast steps.

/// One step from a schema to a schema (or keyword) inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// `properties/NAME`.
    Property(String),
    /// `items`: the values of an array.
    Items,
    /// `prefixItems/N`: the item at one position of a tuple.
    PrefixItem(usize),
    /// `contains`: the schema some items match.
    Contains,
    /// `additionalProperties` as a schema: the values of a map.
    AdditionalProperties,
    /// The combinator a branch belongs to (`oneOf`, `anyOf`); followed by a
    /// [`Segment::Branch`].
    Combinator(&'static str),
    /// Branch index of the combinator before it: in the new schema, or in the
    /// old one for a removed branch.
    Branch(usize),
    /// The new side reached this schema through a `$ref` (its text). Pointers
    /// stay logical (through properties, not into `$defs`), so this is
    /// rendered by neither form; it tells a message which definition changed.
    Definition(String),
    /// The keyword a change is about (`maxLength`, `type`, `required`...).
    Keyword(&'static str),
    /// A schema applied to the value itself (`then`, `else`) or to each of
    /// its property names (`propertyNames`).
    Applied(&'static str),
    /// An entry of a keyword keyed by text: `patternProperties/PATTERN` (the
    /// values of the properties it matches) or `dependentSchemas/NAME`.
    Entry(&'static str, String),
}

/// The JSON pointer of a path, through the schema's keywords:
/// `/properties/lines/items/properties/sku/maxLength`.
pub fn pointer(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Property(name) => {
                out.push_str("/properties/");
                out.push_str(&escape(name));
            }
            Segment::Items => out.push_str("/items"),
            Segment::PrefixItem(index) => out.push_str(&format!("/prefixItems/{index}")),
            Segment::Contains => out.push_str("/contains"),
            Segment::AdditionalProperties => out.push_str("/additionalProperties"),
            Segment::Combinator(keyword) | Segment::Keyword(keyword) => {
                out.push('/');
                out.push_str(keyword);
            }
            Segment::Branch(index) => out.push_str(&format!("/{index}")),
            Segment::Definition(_) => {}
            Segment::Applied(keyword) => {
                out.push('/');
                out.push_str(keyword);
            }
            Segment::Entry(keyword, key) => {
                out.push('/');
                out.push_str(keyword);
                out.push('/');
                out.push_str(&escape(key));
            }
        }
    }
    out
}

/// The path of the instance a change is about, as upcast steps write it:
/// property names joined by `/`, array items and map values as `*`, `""`
/// for the root.
pub fn instance_path(path: &[Segment]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for segment in path {
        match segment {
            Segment::Property(name) => parts.push(escape(name)),
            Segment::Items | Segment::AdditionalProperties | Segment::Contains => {
                parts.push("*".to_owned())
            }
            Segment::PrefixItem(index) => parts.push(index.to_string()),
            Segment::Entry("patternProperties", _) => parts.push("*".to_owned()),
            Segment::Combinator(_)
            | Segment::Branch(_)
            | Segment::Definition(_)
            | Segment::Keyword(_)
            | Segment::Applied(_)
            | Segment::Entry(..) => {}
        }
    }
    parts.join("/")
}

/// JSON Pointer escaping of one token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(name: &str) -> Segment {
        Segment::Property(name.to_owned())
    }

    #[test]
    fn pointers_follow_the_schema_keywords() {
        let path = [
            property("lines"),
            Segment::Items,
            property("sku"),
            Segment::Keyword("maxLength"),
        ];
        assert_eq!(
            pointer(&path),
            "/properties/lines/items/properties/sku/maxLength"
        );
        assert_eq!(instance_path(&path), "lines/*/sku");
    }

    #[test]
    fn the_root_is_empty_in_both_forms() {
        assert_eq!(pointer(&[]), "");
        assert_eq!(instance_path(&[]), "");
        assert_eq!(pointer(&[Segment::Keyword("type")]), "/type");
        assert_eq!(instance_path(&[Segment::Keyword("type")]), "");
    }

    #[test]
    fn branches_and_definitions_do_not_change_the_instance() {
        let path = [
            property("total"),
            Segment::Definition("#/$defs/Money".to_owned()),
            Segment::Combinator("oneOf"),
            Segment::Branch(1),
            property("amount"),
        ];
        assert_eq!(
            pointer(&path),
            "/properties/total/oneOf/1/properties/amount"
        );
        assert_eq!(instance_path(&path), "total/amount");
    }

    #[test]
    fn map_values_are_a_wildcard_and_names_are_escaped() {
        let path = [
            property("a/b"),
            Segment::AdditionalProperties,
            property("c~d"),
        ];
        assert_eq!(
            pointer(&path),
            "/properties/a~1b/additionalProperties/properties/c~0d"
        );
        assert_eq!(instance_path(&path), "a~1b/*/c~0d");
    }
}
