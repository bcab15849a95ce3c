//! The rule registry: one entry per rule, like cargo-semver-checks' lints or
//! buf's rules. Every diagnostic evc emits names one of these ids, so users can
//! look a rule up, change its level in `evc.yaml`, or ignore it for a path.

use std::fmt;
use std::str::FromStr;

/// How loudly a rule speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Off,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

impl FromStr for Level {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "off" => Ok(Level::Off),
            "warn" | "warning" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            _ => Err(()),
        }
    }
}

/// Rule families, in the order a contract flows through the compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Syntax,
    Structure,
    Reference,
    Version,
    Naming,
    Example,
    Config,
    /// Found by `evc breaking`, comparing the contracts with a baseline.
    Breaking,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Structure => "structure",
            Category::Reference => "reference",
            Category::Version => "version",
            Category::Naming => "naming",
            Category::Example => "example",
            Category::Config => "config",
            Category::Breaking => "breaking",
        }
    }
}

/// A semver bump, as [`crate::evolution::required_bump`] judges the changes
/// between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

/// One registry entry.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: RuleId,
    pub name: &'static str,
    pub category: Category,
    pub default_level: Level,
    /// Whether users may lower the level. Syntax and reference errors leave
    /// nothing to compile, so they stay errors whatever the config says.
    pub configurable: bool,
    pub purpose: &'static str,
}

macro_rules! rules {
    ($( $variant:ident = $name:literal, $category:ident, $level:ident, $configurable:literal, $purpose:literal; )*) => {
        /// Stable identifier of a rule; its text form is SCREAMING_SNAKE.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $($variant),* }

        /// Every rule evc knows, in registry order.
        pub static RULES: &[Rule] = &[
            $(Rule {
                id: RuleId::$variant,
                name: $name,
                category: Category::$category,
                default_level: Level::$level,
                configurable: $configurable,
                purpose: $purpose,
            }),*
        ];
    };
}

rules! {
    FileUnreadable = "FILE_UNREADABLE", Syntax, Error, false, "a contract file could not be read";
    FileTooLarge = "FILE_TOO_LARGE", Syntax, Error, false, "a contract file is larger than evc accepts";
    FileEmpty = "FILE_EMPTY", Syntax, Error, false, "a contract file holds no document";
    FileNotUtf8 = "FILE_NOT_UTF8", Syntax, Error, false, "a contract file is not valid UTF-8 text";
    YamlSyntax = "YAML_SYNTAX", Syntax, Error, false, "a YAML file does not parse";
    JsonSyntax = "JSON_SYNTAX", Syntax, Error, false, "a JSON file does not parse";
    YamlUnsupported = "YAML_UNSUPPORTED", Syntax, Error, false, "a YAML feature evc refuses (anchors, aliases, custom tags, several documents, non-scalar keys)";
    DuplicateKey = "DUPLICATE_KEY", Syntax, Error, false, "a mapping repeats a key";
    NestingTooDeep = "NESTING_TOO_DEEP", Syntax, Error, false, "a document nests deeper than evc accepts";
    NotAContract = "NOT_A_CONTRACT", Structure, Error, false, "a file is neither a contract, a definitions file nor a schema";
    AmbiguousKind = "AMBIGUOUS_KIND", Structure, Error, false, "a contract names both `event` and `command`";
    UnknownKeyword = "UNKNOWN_KEYWORD", Structure, Error, false, "a key that evc does not know";
    UnsupportedKeyword = "UNSUPPORTED_KEYWORD", Structure, Error, false, "a JSON Schema keyword outside the subset evc compiles";
    RequiredUndeclared = "REQUIRED_UNDECLARED", Structure, Warn, true, "`required` names a property no `properties` declares: it must be present, with any value";
    SchemaKeywordUnknown = "SCHEMA_KEYWORD_UNKNOWN", Structure, Warn, true, "a schema keyword JSON Schema does not define: kept as an annotation, never checked";
    KeywordNoEffect = "KEYWORD_NO_EFFECT", Structure, Warn, true, "a keyword that does nothing where it is written (`additionalItems` without an `items` list, `minContains`/`maxContains` without `contains`, `then`/`else` without `if`, `if` alone)";
    EnumEmpty = "ENUM_EMPTY", Structure, Warn, true, "an empty `enum`: no value passes, as JSON Schema reads it";
    FormatUnknown = "FORMAT_UNKNOWN", Structure, Warn, true, "a `format` evc does not check: kept as an annotation";
    WrongType = "WRONG_TYPE", Structure, Error, false, "a value of the wrong type";
    MissingKey = "MISSING_KEY", Structure, Error, false, "a required key is missing";
    InvalidValue = "INVALID_VALUE", Structure, Error, false, "a value of the right type that is not allowed (unknown format, bad pattern, negative bound)";
    DescriptionMissing = "DESCRIPTION_MISSING", Structure, Warn, true, "a contract has no description";
    ContractConflict = "CONTRACT_CONFLICT", Structure, Error, false, "files of one contract (same namespace and name) disagree on its kind";
    DuplicateContract = "DUPLICATE_CONTRACT", Structure, Error, false, "two contracts share a namespace and name";
    RefFileNotFound = "REF_FILE_NOT_FOUND", Reference, Error, false, "a `$ref` names a file that does not exist";
    RefTargetNotFound = "REF_TARGET_NOT_FOUND", Reference, Error, false, "a `$ref` pointer names nothing in its file";
    RefEscapesRoot = "REF_ESCAPES_ROOT", Reference, Error, false, "a `$ref` leaves the contracts root directory";
    RefSiblingIgnored = "REF_SIBLING_IGNORED", Reference, Warn, true, "a keyword beside `$ref` in a draft-07 or older schema, which that draft ignores";
    RefUnsupported = "REF_UNSUPPORTED", Reference, Error, false, "a `$ref` form evc does not resolve (remote URLs, anchors)";
    IdDuplicate = "ID_DUPLICATE", Reference, Warn, true, "two different schemas declare the same `$id`: a `$ref` to it reaches the first";
    RefCycle = "REF_CYCLE", Reference, Error, false, "a `$ref` cycle with no object or array in between, which no type can represent";
    RefChainTooLong = "REF_CHAIN_TOO_LONG", Reference, Error, false, "a chain of `$ref`s, `allOf`s or other schemas applied to the same value (`anyOf`, `oneOf`, `not`, `if`) longer than evc follows";
    VersionInvalid = "VERSION_INVALID", Version, Error, false, "a version is not MAJOR.MINOR.PATCH semver";
    VersionDuplicate = "VERSION_DUPLICATE", Version, Error, false, "a contract lists the same version twice";
    VersionNotIncreasing = "VERSION_NOT_INCREASING", Version, Error, false, "versions are not listed in strictly increasing order";
    VersionsEmpty = "VERSIONS_EMPTY", Version, Error, false, "a contract has no versions";
    UpcastMissing = "UPCAST_MISSING", Version, Error, false, "a new major version has no upcast from the version before it";
    UpcastPathUnknown = "UPCAST_PATH_UNKNOWN", Version, Error, true, "an upcast step names a property the version it reads (or the version it writes) does not have";
    UpcastResultInvalid = "UPCAST_RESULT_INVALID", Version, Error, true, "an upcast fails on an example of the previous major, or yields a payload the new version's schema refuses";
    UpcastUncovered = "UPCAST_UNCOVERED", Version, Error, true, "a breaking change of a major step is touched by none of its upcast steps";
    VersionBumpTooSmall = "VERSION_BUMP_TOO_SMALL", Version, Error, true, "a version bump is smaller than the payload change requires (patch: documentation only; minor: backward compatible with every older version of its major)";
    VersionBumpUnneeded = "VERSION_BUMP_UNNEEDED", Version, Warn, true, "a new major whose changes are all backward compatible: a minor would do";
    EventNotPastTense = "EVENT_NOT_PAST_TENSE", Naming, Error, true, "an event name has no past-tense verb";
    CommandNotImperative = "COMMAND_NOT_IMPERATIVE", Naming, Error, true, "a command name does not start with an imperative verb";
    NameNotPascalCase = "NAME_NOT_PASCAL_CASE", Naming, Error, true, "a contract name is not PascalCase";
    NamespaceInvalid = "NAMESPACE_INVALID", Naming, Error, true, "a namespace is not lower-case dot-separated words";
    FieldNotSnakeCase = "FIELD_NOT_SNAKE_CASE", Naming, Error, true, "a property name is not snake_case";
    NameCollision = "NAME_COLLISION", Naming, Error, false, "two names become the same identifier after case conversion";
    ReservedKeyword = "RESERVED_KEYWORD", Naming, Warn, true, "a name is a Rust or C keyword and will be escaped in generated code";
    ExampleInvalid = "EXAMPLE_INVALID", Example, Error, true, "an example payload does not validate against its version's schema";
    ExamplesMissing = "EXAMPLES_MISSING", Example, Warn, true, "a version has no example payload";
    ConfigInvalid = "CONFIG_INVALID", Config, Error, false, "`evc.yaml` is malformed or names an unknown rule";
    ContractRemoved = "CONTRACT_REMOVED", Breaking, Error, true, "a contract of the baseline is gone (a new kind or namespace counts as a removal)";
    VersionRemoved = "VERSION_REMOVED", Breaking, Error, true, "a version of the baseline is no longer listed";
    VersionEdited = "VERSION_EDITED", Breaking, Error, false, "a released version's payload schema changed in place";
    VersionDocsEdited = "VERSION_DOCS_EDITED", Breaking, Warn, true, "only the annotations (description, title, examples, default, deprecated, `x-`) of a released version's schema changed";
}

impl RuleId {
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.rule().name
    }

    pub fn from_name(name: &str) -> Option<RuleId> {
        RULES.iter().find(|r| r.name == name).map(|r| r.id)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Rule {
    /// Why a rule that is not configurable always stays an error, for the
    /// message that refuses to configure it.
    pub fn why_not_configurable(&self) -> &'static str {
        match self.id {
            RuleId::ConfigInvalid => "a broken `evc.yaml` cannot say which rules apply",
            RuleId::VersionEdited => "a released version's schema never changes",
            _ => "what it finds leaves nothing to compile",
        }
    }
}

/// The registry as a Markdown table, for docs/rules.md.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Rule | Category | Default | Configurable | Purpose |\n|---|---|---|---|---|\n",
    );
    for rule in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule.name,
            rule.category.as_str(),
            rule.default_level.as_str(),
            if rule.configurable { "yes" } else { "no" },
            rule.purpose.replace('|', "\\|"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_indexed_by_id_and_names_are_screaming_snake() {
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.id as usize, i, "{} is out of place", rule.name);
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                rule.name
            );
            assert_eq!(RuleId::from_name(rule.name), Some(rule.id));
            assert!(rule.configurable || rule.default_level == Level::Error);
        }
    }
}
