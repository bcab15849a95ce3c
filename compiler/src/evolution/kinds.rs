//! The registry of change kinds: one entry per kind of difference between two
//! payload schemas, with its fixed verdict. docs/evolution.md is generated
//! from this table.

use super::Policy;

/// Whether readers of one schema read data written with the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Verdict {
    /// A reader of the NEW schema reads data written with the OLD one.
    pub backward: bool,
    /// A reader of the OLD schema reads data written with the NEW one.
    pub forward: bool,
}

const fn verdict(backward: bool, forward: bool) -> Verdict {
    Verdict { backward, forward }
}

/// One registry entry.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    pub kind: ChangeKind,
    pub id: &'static str,
    /// The verdict under [`Policy::Strict`].
    pub strict: Verdict,
    /// The verdict under [`Policy::Lenient`]; differs from `strict` only for
    /// the optional properties of open objects.
    pub lenient: Verdict,
    /// Annotations that no reader acts on: a change of these alone is a patch.
    pub documentation: bool,
    pub description: &'static str,
}

macro_rules! kinds {
    ($( $variant:ident = $id:literal, ($sb:literal, $sf:literal), ($lb:literal, $lf:literal), $doc:literal, $description:literal; )*) => {
        /// One kind of difference between two payload schemas.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeKind { $($variant),* }

        /// Every change kind, in registry order.
        pub static KINDS: &[KindInfo] = &[
            $(KindInfo {
                kind: ChangeKind::$variant,
                id: $id,
                strict: verdict($sb, $sf),
                lenient: verdict($lb, $lf),
                documentation: $doc,
                description: $description,
            }),*
        ];
    };
}

// (backward, forward) under the strict policy, then under the lenient one.
kinds! {
    TypeWidened = "TYPE_WIDENED", (true, false), (true, false), false, "`type` allows more JSON types than before (`integer` to `number` included), or was removed";
    TypeNarrowed = "TYPE_NARROWED", (false, true), (false, true), false, "`type` allows fewer JSON types than before, or was added";
    TypeChanged = "TYPE_CHANGED", (false, false), (false, false), false, "`type` allows some types it did not and refuses some it allowed";
    EnumAdded = "ENUM_ADDED", (false, true), (false, true), false, "an `enum` now restricts a value that any value could take";
    EnumRemoved = "ENUM_REMOVED", (true, false), (true, false), false, "an `enum` was removed";
    EnumExtended = "ENUM_EXTENDED", (true, false), (true, false), false, "`enum` (or `const`) allows every old value and more";
    EnumNarrowed = "ENUM_NARROWED", (false, true), (false, true), false, "`enum` (or `const`) allows only some of the old values";
    EnumChanged = "ENUM_CHANGED", (false, false), (false, false), false, "`enum` gained some values and lost others";
    ConstAdded = "CONST_ADDED", (false, true), (false, true), false, "a `const` now fixes a value that any value could take";
    ConstRemoved = "CONST_REMOVED", (true, false), (true, false), false, "a `const` was removed";
    ConstChanged = "CONST_CHANGED", (false, false), (false, false), false, "`const` fixes a different value";
    LengthBoundAdded = "LENGTH_BOUND_ADDED", (false, true), (false, true), false, "`minLength` or `maxLength` was added";
    LengthBoundRemoved = "LENGTH_BOUND_REMOVED", (true, false), (true, false), false, "`minLength` or `maxLength` was removed";
    LengthBoundTightened = "LENGTH_BOUND_TIGHTENED", (false, true), (false, true), false, "`minLength` grew or `maxLength` shrank";
    LengthBoundRelaxed = "LENGTH_BOUND_RELAXED", (true, false), (true, false), false, "`minLength` shrank or `maxLength` grew";
    PatternAdded = "PATTERN_ADDED", (false, true), (false, true), false, "a `pattern` was added";
    PatternRemoved = "PATTERN_REMOVED", (true, false), (true, false), false, "a `pattern` was removed";
    PatternChanged = "PATTERN_CHANGED", (false, false), (false, false), false, "`pattern` changed; regular languages are not compared, so neither direction is assumed";
    NotAdded = "NOT_ADDED", (false, true), (false, true), false, "a `not` now refuses the values its schema accepts";
    NotRemoved = "NOT_REMOVED", (true, false), (true, false), false, "a `not` was removed";
    NotWidened = "NOT_WIDENED", (true, false), (true, false), false, "the schema under `not` accepts less than before, so the value may be more";
    NotNarrowed = "NOT_NARROWED", (false, true), (false, true), false, "the schema under `not` accepts more than before, so the value may be less";
    NotChanged = "NOT_CHANGED", (false, false), (false, false), false, "the schema under `not` accepts some values it did not and refuses some it accepted";
    PropertyNamesAdded = "PROPERTY_NAMES_ADDED", (false, true), (false, true), false, "a `propertyNames` now restricts the names of an object's properties";
    PropertyNamesRemoved = "PROPERTY_NAMES_REMOVED", (true, false), (true, false), false, "a `propertyNames` was removed";
    UnevaluatedPropertiesAdded = "UNEVALUATED_PROPERTIES_ADDED", (false, true), (false, true), false, "an `unevaluatedProperties` now constrains the properties no other keyword evaluates";
    UnevaluatedPropertiesRemoved = "UNEVALUATED_PROPERTIES_REMOVED", (true, false), (true, false), false, "an `unevaluatedProperties` was removed";
    UnevaluatedItemsAdded = "UNEVALUATED_ITEMS_ADDED", (false, true), (false, true), false, "an `unevaluatedItems` now constrains the items no other keyword evaluates";
    UnevaluatedItemsRemoved = "UNEVALUATED_ITEMS_REMOVED", (true, false), (true, false), false, "an `unevaluatedItems` was removed";
    UnevaluatedItemsReach = "UNEVALUATED_ITEMS_REACH", (false, false), (false, false), false, "beside an `unevaluatedItems` on both sides, `prefixItems`, `items` or `contains` changed, so it covers other items; neither direction is assumed";
    PatternPropertyAdded = "PATTERN_PROPERTY_ADDED", (false, true), (false, true), false, "a `patternProperties` entry now constrains the properties whose names match it, on an object open to other properties";
    PatternPropertyRemoved = "PATTERN_PROPERTY_REMOVED", (true, false), (true, false), false, "a `patternProperties` entry was removed from an object open to other properties";
    PatternPropertyAddedToClosedObject = "PATTERN_PROPERTY_ADDED_TO_CLOSED_OBJECT", (true, false), (true, false), false, "a `patternProperties` entry was added to an object with `additionalProperties: false` and no other pattern, matching no property both sides declare; old readers refuse the names it admits";
    PatternPropertyRemovedFromClosedObject = "PATTERN_PROPERTY_REMOVED_FROM_CLOSED_OBJECT", (false, true), (false, true), false, "a `patternProperties` entry was removed from an object with `additionalProperties: false` and no other pattern, matching no property both sides declare; new readers refuse old data holding a name it admitted";
    PatternPropertiesChanged = "PATTERN_PROPERTIES_CHANGED", (false, false), (false, false), false, "a `patternProperties` entry was added or removed beside `additionalProperties: false` or a schema, which now covers other names; patterns are not compared, so neither direction is assumed";
    DependentSchemaAdded = "DEPENDENT_SCHEMA_ADDED", (false, true), (false, true), false, "a `dependentSchemas` entry (or a schema in `dependencies`) now constrains the object when a property is present";
    DependentSchemaRemoved = "DEPENDENT_SCHEMA_REMOVED", (true, false), (true, false), false, "a `dependentSchemas` entry (or a schema in `dependencies`) was removed";
    ConditionAdded = "CONDITION_ADDED", (false, true), (false, true), false, "an `if` with `then` or `else` now constrains the value";
    ConditionRemoved = "CONDITION_REMOVED", (true, false), (true, false), false, "an `if` with its `then` and `else` was removed";
    ConditionChanged = "CONDITION_CHANGED", (false, false), (false, false), false, "the `if` schema changed, so other values take `then` or `else`; neither direction is assumed";
    SchemaOpened = "SCHEMA_OPENED", (true, false), (true, false), false, "a schema that accepted no value (`false`) now accepts some";
    SchemaClosed = "SCHEMA_CLOSED", (false, true), (false, true), false, "a schema now accepts no value (`false`)";
    ContentAdded = "CONTENT_ADDED", (false, true), (false, true), false, "a `contentEncoding`, `contentMediaType` or `contentSchema` now says what a string holds";
    ContentRemoved = "CONTENT_REMOVED", (true, false), (true, false), false, "a `contentEncoding`, `contentMediaType` or `contentSchema` was removed";
    ContentChanged = "CONTENT_CHANGED", (false, false), (false, false), false, "a string holds differently encoded or typed content than before";
    FormatAdded = "FORMAT_ADDED", (false, true), (false, true), false, "a `format` was added";
    FormatRemoved = "FORMAT_REMOVED", (true, false), (true, false), false, "a `format` was removed";
    FormatWidened = "FORMAT_WIDENED", (true, false), (true, false), false, "a sized-integer `format` allows a range holding the old one (`int32` to `int64`)";
    FormatNarrowed = "FORMAT_NARROWED", (false, true), (false, true), false, "a sized-integer `format` allows a range inside the old one (`int64` to `int32`)";
    FormatChanged = "FORMAT_CHANGED", (false, false), (false, false), false, "`format` names a different format";
    ValueBoundAdded = "VALUE_BOUND_ADDED", (false, true), (false, true), false, "`minimum`, `maximum`, `exclusiveMinimum` or `exclusiveMaximum` was added";
    ValueBoundRemoved = "VALUE_BOUND_REMOVED", (true, false), (true, false), false, "a lower or upper value bound was removed";
    ValueBoundTightened = "VALUE_BOUND_TIGHTENED", (false, true), (false, true), false, "a value bound moved inwards (an inclusive bound becoming exclusive included)";
    ValueBoundRelaxed = "VALUE_BOUND_RELAXED", (true, false), (true, false), false, "a value bound moved outwards (an exclusive bound becoming inclusive included)";
    MultipleOfAdded = "MULTIPLE_OF_ADDED", (false, true), (false, true), false, "a `multipleOf` was added";
    MultipleOfRemoved = "MULTIPLE_OF_REMOVED", (true, false), (true, false), false, "a `multipleOf` was removed";
    MultipleOfTightened = "MULTIPLE_OF_TIGHTENED", (false, true), (false, true), false, "`multipleOf` became a multiple of the old one (5 to 10)";
    MultipleOfRelaxed = "MULTIPLE_OF_RELAXED", (true, false), (true, false), false, "`multipleOf` became a divisor of the old one (10 to 5)";
    MultipleOfChanged = "MULTIPLE_OF_CHANGED", (false, false), (false, false), false, "`multipleOf` changed to a value that neither divides nor is a multiple of the old one";
    ItemsBoundAdded = "ITEMS_BOUND_ADDED", (false, true), (false, true), false, "`minItems` or `maxItems` was added";
    ItemsBoundRemoved = "ITEMS_BOUND_REMOVED", (true, false), (true, false), false, "`minItems` or `maxItems` was removed";
    ItemsBoundTightened = "ITEMS_BOUND_TIGHTENED", (false, true), (false, true), false, "`minItems` grew or `maxItems` shrank";
    ItemsBoundRelaxed = "ITEMS_BOUND_RELAXED", (true, false), (true, false), false, "`minItems` shrank or `maxItems` grew";
    PropertiesBoundAdded = "PROPERTIES_BOUND_ADDED", (false, true), (false, true), false, "`minProperties` or `maxProperties` was added";
    PropertiesBoundRemoved = "PROPERTIES_BOUND_REMOVED", (true, false), (true, false), false, "`minProperties` or `maxProperties` was removed";
    PropertiesBoundTightened = "PROPERTIES_BOUND_TIGHTENED", (false, true), (false, true), false, "`minProperties` grew or `maxProperties` shrank";
    PropertiesBoundRelaxed = "PROPERTIES_BOUND_RELAXED", (true, false), (true, false), false, "`minProperties` shrank or `maxProperties` grew";
    DependentRequiredAdded = "DEPENDENT_REQUIRED_ADDED", (false, true), (false, true), false, "`dependentRequired` (or list-form `dependencies`) now requires a property when another is present";
    DependentRequiredRemoved = "DEPENDENT_REQUIRED_REMOVED", (true, false), (true, false), false, "a `dependentRequired` (or list-form `dependencies`) requirement was removed";
    UniqueItemsAdded = "UNIQUE_ITEMS_ADDED", (false, true), (false, true), false, "`uniqueItems: true` was added";
    UniqueItemsRemoved = "UNIQUE_ITEMS_REMOVED", (true, false), (true, false), false, "`uniqueItems: true` was removed";
    PrefixItemAddedToClosedTuple = "PREFIX_ITEM_ADDED_TO_CLOSED_TUPLE", (true, false), (true, false), false, "a position was added to a tuple with `items: false` (`prefixItems`, or a draft-07 `items` list with `additionalItems: false`); old readers refuse the longer tuples";
    PrefixItemRemovedFromClosedTuple = "PREFIX_ITEM_REMOVED_FROM_CLOSED_TUPLE", (false, true), (false, true), false, "a position was removed from a tuple with `items: false`; new readers refuse old data holding an item there";
    ItemsOpened = "ITEMS_OPENED", (true, false), (true, false), false, "`items: false` after a tuple (draft-07: `additionalItems: false`) was removed or replaced by a schema";
    ItemsClosed = "ITEMS_CLOSED", (false, true), (false, true), false, "a tuple got `items: false` (draft-07: `additionalItems: false`): no item after its positions";
    ContainsAdded = "CONTAINS_ADDED", (false, true), (false, true), false, "a `contains` now requires some items to match a schema";
    ContainsRemoved = "CONTAINS_REMOVED", (true, false), (true, false), false, "a `contains` was removed";
    ContainsChanged = "CONTAINS_CHANGED", (false, false), (false, false), false, "the `contains` schema, `minContains` or `maxContains` changed; counts of matching items are not compared, so neither direction is assumed";
    PropertyAddedToOpenObject = "PROPERTY_ADDED_TO_OPEN_OBJECT", (false, true), (true, true), false, "a property was declared on an object that allowed other properties; old data may hold it with any value";
    PropertyAddedToClosedObject = "PROPERTY_ADDED_TO_CLOSED_OBJECT", (true, false), (true, false), false, "a property was declared on an object with `additionalProperties: false`; old readers refuse it";
    PropertyAddedToMap = "PROPERTY_ADDED_TO_MAP", (true, true), (true, true), false, "a property was declared on an object whose `additionalProperties` schema (or a `patternProperties` schema matching its name) covered it; that schema is compared with the property's";
    PropertyRemovedFromOpenObject = "PROPERTY_REMOVED_FROM_OPEN_OBJECT", (true, false), (true, true), false, "a property was removed from an object that allows other properties; new data may hold it with any value";
    PropertyRemovedFromClosedObject = "PROPERTY_REMOVED_FROM_CLOSED_OBJECT", (false, true), (false, true), false, "a property was removed from an object with `additionalProperties: false`; new readers refuse old data holding it";
    PropertyRemovedFromMap = "PROPERTY_REMOVED_FROM_MAP", (true, true), (true, true), false, "a property was removed from an object whose `additionalProperties` schema (or a `patternProperties` schema matching its name) now covers it; the property's schema is compared with that schema";
    RequiredAdded = "REQUIRED_ADDED", (false, true), (false, true), false, "a property became required and has no `default`; old data may lack it";
    RequiredAddedWithDefault = "REQUIRED_ADDED_WITH_DEFAULT", (true, true), (true, true), false, "a property with a `default` became required; a reader fills the default into old data";
    RequiredRemoved = "REQUIRED_REMOVED", (true, false), (true, false), false, "a property without a `default` is no longer required; old readers refuse new data that lacks it";
    RequiredRemovedWithDefault = "REQUIRED_REMOVED_WITH_DEFAULT", (true, true), (true, true), false, "a property with a `default` is no longer required; an old reader fills the default into new data";
    AdditionalPropertiesOpened = "ADDITIONAL_PROPERTIES_OPENED", (true, false), (true, false), false, "`additionalProperties: false` was removed or replaced by a schema";
    AdditionalPropertiesClosed = "ADDITIONAL_PROPERTIES_CLOSED", (false, true), (false, true), false, "an object got `additionalProperties: false`";
    BranchAdded = "BRANCH_ADDED", (true, false), (true, false), false, "a `oneOf`/`anyOf` branch was added (for `oneOf`, data matching two branches would then be refused; evc does not prove exclusivity)";
    BranchRemoved = "BRANCH_REMOVED", (false, true), (false, true), false, "a `oneOf`/`anyOf` branch was removed";
    OneOfToAnyOf = "ONE_OF_TO_ANY_OF", (true, false), (true, false), false, "`oneOf` became `anyOf`: data may match several branches";
    AnyOfToOneOf = "ANY_OF_TO_ONE_OF", (false, true), (false, true), false, "`anyOf` became `oneOf`: data matching several branches is refused";
    ComparisonLimit = "COMPARISON_LIMIT", (false, false), (false, false), false, "the schemas nest or share more than the classifier compares; judged incompatible to stay safe";
    DescriptionChanged = "DESCRIPTION_CHANGED", (true, true), (true, true), true, "`description` was added, removed or reworded";
    TitleChanged = "TITLE_CHANGED", (true, true), (true, true), true, "`title` was added, removed or reworded";
    DefaultAdded = "DEFAULT_ADDED", (true, true), (true, true), true, "a `default` was added";
    DefaultRemoved = "DEFAULT_REMOVED", (true, true), (true, true), true, "a `default` was removed";
    DefaultChanged = "DEFAULT_CHANGED", (true, true), (true, true), true, "`default` changed";
    DeprecatedAdded = "DEPRECATED_ADDED", (true, true), (true, true), true, "`deprecated: true` was added";
    DeprecatedRemoved = "DEPRECATED_REMOVED", (true, true), (true, true), true, "`deprecated: true` was removed";
    ExamplesChanged = "EXAMPLES_CHANGED", (true, true), (true, true), true, "`examples` changed";
}

impl ChangeKind {
    pub fn info(self) -> &'static KindInfo {
        &KINDS[self as usize]
    }

    /// The stable SCREAMING_SNAKE id.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    pub fn from_id(id: &str) -> Option<ChangeKind> {
        KINDS.iter().find(|k| k.id == id).map(|k| k.kind)
    }

    pub fn is_documentation(self) -> bool {
        self.info().documentation
    }

    pub fn description(self) -> &'static str {
        self.info().description
    }

    /// Whether the verdict depends on the [`Policy`].
    pub fn is_policy_dependent(self) -> bool {
        self.info().strict != self.info().lenient
    }

    pub fn verdict(self, policy: Policy) -> Verdict {
        match policy {
            Policy::Strict => self.info().strict,
            Policy::Lenient => self.info().lenient,
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The registry as a Markdown table, for docs/evolution.md.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| Change | Backward | Forward | Bump | Meaning |\n|---|---|---|---|---|\n");
    let yes = |b: bool| if b { "yes" } else { "no" };
    for info in KINDS {
        let cell = |strict: bool, lenient: bool| {
            if strict == lenient {
                yes(strict).to_owned()
            } else {
                format!("strict: {}, lenient: {}", yes(strict), yes(lenient))
            }
        };
        let bump = if info.documentation {
            "patch".to_owned()
        } else if info.strict.backward == info.lenient.backward {
            if info.strict.backward {
                "minor"
            } else {
                "major"
            }
            .to_owned()
        } else {
            format!(
                "strict: {}, lenient: {}",
                if info.strict.backward {
                    "minor"
                } else {
                    "major"
                },
                if info.lenient.backward {
                    "minor"
                } else {
                    "major"
                }
            )
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            info.id,
            cell(info.strict.backward, info.lenient.backward),
            cell(info.strict.forward, info.lenient.forward),
            bump,
            info.description.replace('|', "\\|"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_indexed_by_kind_and_ids_are_screaming_snake() {
        for (i, info) in KINDS.iter().enumerate() {
            assert_eq!(info.kind as usize, i, "{} is out of place", info.id);
            assert!(info
                .id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'));
            assert_eq!(ChangeKind::from_id(info.id), Some(info.kind));
            if info.documentation {
                assert_eq!(info.strict, verdict(true, true), "{}", info.id);
            }
        }
    }

    #[test]
    fn only_the_open_object_property_kinds_depend_on_the_policy() {
        let dependent: Vec<&str> = KINDS
            .iter()
            .filter(|k| k.kind.is_policy_dependent())
            .map(|k| k.id)
            .collect();
        assert_eq!(
            dependent,
            [
                "PROPERTY_ADDED_TO_OPEN_OBJECT",
                "PROPERTY_REMOVED_FROM_OPEN_OBJECT"
            ]
        );
    }
}
