//! The keywords of one schema node: type, values, bounds, pattern, format
//! and the annotations.

use std::collections::BTreeSet;

use serde_json::{Number, Value as Json};

use super::super::kinds::ChangeKind;
use super::super::view::{compare_bounds, compare_numbers, Bound, Merged};
use super::Comparer;
use crate::model::{Format, JsonType};

impl Comparer<'_, '_> {
    pub(super) fn keywords(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        self.types(o, n);
        self.values(o, n);
        let both = |ty| o.allows(ty) && n.allows(ty);
        if both(JsonType::String) {
            let lengths = [
                ("minLength", o.min_length, n.min_length, true),
                ("maxLength", o.max_length, n.max_length, false),
            ];
            self.counts(o, n, &lengths, LENGTH_KINDS);
            self.patterns(o, n);
        }
        if both(JsonType::String) || both(JsonType::Integer) {
            self.formats(o, n);
        }
        if both(JsonType::Integer) {
            self.bound(o, n, o.lower.as_ref(), n.lower.as_ref(), true);
            self.bound(o, n, o.upper.as_ref(), n.upper.as_ref(), false);
            self.multiple_of(o, n);
        }
        if both(JsonType::Object) {
            self.object_keywords(o, n);
        }
        if both(JsonType::Array) {
            let counts = [
                ("minItems", o.min_items, n.min_items, true),
                ("maxItems", o.max_items, n.max_items, false),
            ];
            self.counts(o, n, &counts, ITEMS_KINDS);
            match (o.unique_items, n.unique_items) {
                (false, true) => self.at(
                    ChangeKind::UniqueItemsAdded,
                    "uniqueItems",
                    o,
                    n,
                    "uniqueItems added".into(),
                ),
                (true, false) => self.at(
                    ChangeKind::UniqueItemsRemoved,
                    "uniqueItems",
                    o,
                    n,
                    "uniqueItems removed".into(),
                ),
                _ => {}
            }
        }
    }

    /// `minProperties`/`maxProperties` and `dependentRequired`, on nodes
    /// that both admit objects.
    fn object_keywords(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let counts = [
            ("minProperties", o.min_properties, n.min_properties, true),
            ("maxProperties", o.max_properties, n.max_properties, false),
        ];
        self.counts(o, n, &counts, PROPERTIES_KINDS);
        let pairs = |m: &Merged<'_>| -> BTreeSet<(String, String)> {
            m.dependent_required
                .iter()
                .flat_map(|(property, names)| {
                    names
                        .iter()
                        .map(move |name| (property.clone(), name.clone()))
                })
                .collect()
        };
        let (old, new) = (pairs(o), pairs(n));
        let text = |set: Vec<&(String, String)>| {
            set.iter()
                .map(|(property, name)| format!("{property} -> {name}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let changes = [
            (
                new.difference(&old),
                ChangeKind::DependentRequiredAdded,
                "added",
            ),
            (
                old.difference(&new),
                ChangeKind::DependentRequiredRemoved,
                "removed",
            ),
        ];
        for (pairs, kind, verb) in changes {
            let pairs: Vec<_> = pairs.collect();
            if !pairs.is_empty() {
                let detail = format!("dependentRequired {} {verb}", text(pairs));
                self.at(kind, "dependentRequired", o, n, detail);
            }
        }
    }

    /// A change of a keyword of the node being compared.
    fn at(
        &mut self,
        kind: ChangeKind,
        keyword: &'static str,
        o: &Merged<'_>,
        n: &Merged<'_>,
        detail: String,
    ) {
        self.emit(kind, Some(keyword), o.place, n.place, detail);
    }

    fn types(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.types == n.types {
            return;
        }
        let admits = |m: &Merged<'_>, ty| m.allows(ty);
        let widened = JsonType::ALL
            .into_iter()
            .all(|t| !admits(o, t) || admits(n, t));
        let narrowed = JsonType::ALL
            .into_iter()
            .all(|t| !admits(n, t) || admits(o, t));
        let kind = match (widened, narrowed) {
            (true, true) => return,
            (true, false) => ChangeKind::TypeWidened,
            (false, true) => ChangeKind::TypeNarrowed,
            (false, false) => ChangeKind::TypeChanged,
        };
        let detail = format!(
            "type changed from {} to {}",
            type_text(o.types.as_ref()),
            type_text(n.types.as_ref())
        );
        self.at(kind, "type", o, n, detail);
    }

    fn values(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let keyword = |m: &Merged<'_>| {
            if m.has_const && !m.has_enum {
                "const"
            } else {
                "enum"
            }
        };
        let (kind, keyword) = match (&o.values, &n.values) {
            (None, None) => return,
            (None, Some(_)) if n.has_const && !n.has_enum => (ChangeKind::ConstAdded, "const"),
            (None, Some(_)) => (ChangeKind::EnumAdded, "enum"),
            (Some(_), None) if o.has_const && !o.has_enum => (ChangeKind::ConstRemoved, "const"),
            (Some(_), None) => (ChangeKind::EnumRemoved, "enum"),
            (Some(old), Some(new)) => {
                let gained = new.iter().any(|v| !old.contains(v));
                let lost = old.iter().any(|v| !new.contains(v));
                let single = old.len() == 1 && new.len() == 1;
                let kind = match (gained, lost) {
                    (false, false) => return,
                    (true, false) => ChangeKind::EnumExtended,
                    (false, true) => ChangeKind::EnumNarrowed,
                    (true, true) if single => ChangeKind::ConstChanged,
                    (true, true) => ChangeKind::EnumChanged,
                };
                (kind, keyword(n))
            }
        };
        let detail = format!(
            "{keyword} changed from {} to {}",
            values_text(o.values.as_deref()),
            values_text(n.values.as_deref())
        );
        self.at(kind, keyword, o, n, detail);
    }

    /// `minLength`/`maxLength` or `minItems`/`maxItems`; `lower` marks a
    /// minimum, which tightens by growing.
    fn counts(
        &mut self,
        o: &Merged<'_>,
        n: &Merged<'_>,
        bounds: &[(&'static str, Option<u64>, Option<u64>, bool)],
        kinds: [ChangeKind; 4],
    ) {
        let [added, removed, tightened, relaxed] = kinds;
        for &(keyword, old, new, lower) in bounds {
            let (kind, detail) = match (old, new) {
                (None, None) => continue,
                (None, Some(new)) => (added, format!("{keyword} {new} added")),
                (Some(old), None) => (removed, format!("{keyword} {old} removed")),
                (Some(old), Some(new)) if old == new => continue,
                (Some(old), Some(new)) => {
                    let tighter = (new > old) == lower;
                    (
                        if tighter { tightened } else { relaxed },
                        format!("{keyword} {old} -> {new}"),
                    )
                }
            };
            self.at(kind, keyword, o, n, detail);
        }
    }

    fn bound(
        &mut self,
        o: &Merged<'_>,
        n: &Merged<'_>,
        old: Option<&Bound>,
        new: Option<&Bound>,
        lower: bool,
    ) {
        let (kind, keyword, detail) = match (old, new) {
            (None, None) => return,
            (None, Some(new)) => (
                ChangeKind::ValueBoundAdded,
                new.keyword(lower),
                format!("{} added", new.text(lower)),
            ),
            (Some(old), None) => (
                ChangeKind::ValueBoundRemoved,
                old.keyword(lower),
                format!("{} removed", old.text(lower)),
            ),
            (Some(old), Some(new)) => {
                let kind = match compare_bounds(new, old, lower) {
                    std::cmp::Ordering::Equal => return,
                    std::cmp::Ordering::Greater => ChangeKind::ValueBoundTightened,
                    std::cmp::Ordering::Less => ChangeKind::ValueBoundRelaxed,
                };
                (
                    kind,
                    new.keyword(lower),
                    format!("{} -> {}", old.text(lower), new.text(lower)),
                )
            }
        };
        self.at(kind, keyword, o, n, detail);
    }

    fn multiple_of(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let same = |a: &Number, b: &Number| compare_numbers(a, b).is_eq();
        let gained: Vec<&Number> = n
            .multiple_of
            .iter()
            .filter(|x| !o.multiple_of.iter().any(|y| same(x, y)))
            .collect();
        let lost: Vec<&Number> = o
            .multiple_of
            .iter()
            .filter(|x| !n.multiple_of.iter().any(|y| same(x, y)))
            .collect();
        let (kind, detail) = match (lost.as_slice(), gained.as_slice()) {
            ([], []) => return,
            ([old], [new]) => {
                let kind = if divides(new, old) {
                    ChangeKind::MultipleOfRelaxed
                } else if divides(old, new) {
                    ChangeKind::MultipleOfTightened
                } else {
                    ChangeKind::MultipleOfChanged
                };
                (kind, format!("multipleOf {old} -> {new}"))
            }
            ([], _) => (
                ChangeKind::MultipleOfAdded,
                format!("multipleOf {} added", numbers_text(&gained)),
            ),
            (_, []) => (
                ChangeKind::MultipleOfRemoved,
                format!("multipleOf {} removed", numbers_text(&lost)),
            ),
            _ => (
                ChangeKind::MultipleOfChanged,
                format!(
                    "multipleOf {} -> {}",
                    numbers_text(&lost),
                    numbers_text(&gained)
                ),
            ),
        };
        self.at(kind, "multipleOf", o, n, detail);
    }

    fn patterns(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let gained: Vec<&String> = n
            .patterns
            .iter()
            .filter(|p| !o.patterns.contains(p))
            .collect();
        let lost: Vec<&String> = o
            .patterns
            .iter()
            .filter(|p| !n.patterns.contains(p))
            .collect();
        let (kind, detail) = match (lost.as_slice(), gained.as_slice()) {
            ([], []) => return,
            ([], _) => (
                ChangeKind::PatternAdded,
                format!("pattern {} added", quoted(&gained)),
            ),
            (_, []) => (
                ChangeKind::PatternRemoved,
                format!("pattern {} removed", quoted(&lost)),
            ),
            _ => (
                ChangeKind::PatternChanged,
                format!("pattern {} -> {}", quoted(&lost), quoted(&gained)),
            ),
        };
        self.at(kind, "pattern", o, n, detail);
    }

    fn formats(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        let gained: Vec<Format> = n
            .formats
            .iter()
            .copied()
            .filter(|f| !o.formats.contains(f))
            .collect();
        let lost: Vec<Format> = o
            .formats
            .iter()
            .copied()
            .filter(|f| !n.formats.contains(f))
            .collect();
        let names = |formats: &[Format]| {
            formats
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (kind, detail) = match (lost.as_slice(), gained.as_slice()) {
            ([], []) => return,
            ([], _) => (
                ChangeKind::FormatAdded,
                format!("format {} added", names(&gained)),
            ),
            (_, []) => (
                ChangeKind::FormatRemoved,
                format!("format {} removed", names(&lost)),
            ),
            ([old], [new]) => {
                let kind = match (old.integer_range(), new.integer_range()) {
                    (Some((a, b)), Some((c, d))) if c <= a && b <= d => ChangeKind::FormatWidened,
                    (Some((a, b)), Some((c, d))) if a <= c && d <= b => ChangeKind::FormatNarrowed,
                    _ => ChangeKind::FormatChanged,
                };
                (kind, format!("format {} -> {}", old.as_str(), new.as_str()))
            }
            _ => (
                ChangeKind::FormatChanged,
                format!("format {} -> {}", names(&lost), names(&gained)),
            ),
        };
        self.at(kind, "format", o, n, detail);
    }

    pub(super) fn documentation(&mut self, o: &Merged<'_>, n: &Merged<'_>) {
        if o.description != n.description {
            let detail = change_text(
                "description",
                o.description.is_some(),
                n.description.is_some(),
            );
            self.at(ChangeKind::DescriptionChanged, "description", o, n, detail);
        }
        if o.title != n.title {
            let detail = change_text("title", o.title.is_some(), n.title.is_some());
            self.at(ChangeKind::TitleChanged, "title", o, n, detail);
        }
        match (o.default, n.default) {
            (None, Some(new)) => self.at(
                ChangeKind::DefaultAdded,
                "default",
                o,
                n,
                format!("default {new} added"),
            ),
            (Some(old), None) => self.at(
                ChangeKind::DefaultRemoved,
                "default",
                o,
                n,
                format!("default {old} removed"),
            ),
            (Some(old), Some(new)) if old != new => self.at(
                ChangeKind::DefaultChanged,
                "default",
                o,
                n,
                format!("default {old} -> {new}"),
            ),
            _ => {}
        }
        match (o.deprecated, n.deprecated) {
            (false, true) => self.at(
                ChangeKind::DeprecatedAdded,
                "deprecated",
                o,
                n,
                "deprecated".into(),
            ),
            (true, false) => self.at(
                ChangeKind::DeprecatedRemoved,
                "deprecated",
                o,
                n,
                "no longer deprecated".into(),
            ),
            _ => {}
        }
        if o.examples != n.examples {
            self.at(
                ChangeKind::ExamplesChanged,
                "examples",
                o,
                n,
                "examples changed".into(),
            );
        }
    }
}

const LENGTH_KINDS: [ChangeKind; 4] = [
    ChangeKind::LengthBoundAdded,
    ChangeKind::LengthBoundRemoved,
    ChangeKind::LengthBoundTightened,
    ChangeKind::LengthBoundRelaxed,
];

const ITEMS_KINDS: [ChangeKind; 4] = [
    ChangeKind::ItemsBoundAdded,
    ChangeKind::ItemsBoundRemoved,
    ChangeKind::ItemsBoundTightened,
    ChangeKind::ItemsBoundRelaxed,
];

const PROPERTIES_KINDS: [ChangeKind; 4] = [
    ChangeKind::PropertiesBoundAdded,
    ChangeKind::PropertiesBoundRemoved,
    ChangeKind::PropertiesBoundTightened,
    ChangeKind::PropertiesBoundRelaxed,
];

/// Whether `divisor` divides `value`: every multiple of `value` is then a
/// multiple of `divisor`.
fn divides(divisor: &Number, value: &Number) -> bool {
    if let (Some(d), Some(v)) = (divisor.as_u64(), value.as_u64()) {
        return d != 0 && v % d == 0;
    }
    match (divisor.as_f64(), value.as_f64()) {
        (Some(d), Some(v)) if d > 0.0 => {
            let ratio = v / d;
            ratio >= 1.0 && (ratio - ratio.round()).abs() < 1e-9
        }
        _ => false,
    }
}

fn type_text(types: Option<&BTreeSet<JsonType>>) -> String {
    match types {
        None => "any".to_owned(),
        Some(types) if types.is_empty() => "none".to_owned(),
        Some(types) => types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn values_text(values: Option<&[Json]>) -> String {
    match values {
        None => "any value".to_owned(),
        Some(values) => {
            let list: Vec<String> = values.iter().map(Json::to_string).collect();
            format!("[{}]", list.join(", "))
        }
    }
}

fn numbers_text(numbers: &[&Number]) -> String {
    numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted(patterns: &[&String]) -> String {
    patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn change_text(keyword: &str, before: bool, after: bool) -> String {
    match (before, after) {
        (false, _) => format!("{keyword} added"),
        (_, false) => format!("{keyword} removed"),
        _ => format!("{keyword} changed"),
    }
}
