//! No input may panic the loader or the checks, or overflow the stack: random
//! bytes, random YAML/JSON trees built from the contract vocabulary, and
//! random edits of a valid contract all come back as diagnostics.

use std::path::Path;

use evc::load::{Input, Inputs};
use proptest::prelude::*;
use serde_json::{Map, Value};

const VALID: &str = include_str!("../../schemas/orders/order_created.yaml");

/// Keys that steer the loader into every branch of the model builder: the
/// schema keywords, plus contract, upcast and deliberately wrong keys.
fn keys() -> Vec<&'static str> {
    let extra = [
        "event",
        "command",
        "namespace",
        "versions",
        "version",
        "schema",
        "upcast",
        "x-evc",
        "kind",
        "name",
        "rename",
        "move",
        "set",
        "drop",
        "convert",
        "custom",
        "orderId",
        "order_id",
        "x-note",
        "if",
        "nullable",
    ];
    evc::model::SCHEMA_KEYWORDS
        .iter()
        .copied()
        .chain(extra)
        .collect()
}

const STRINGS: &[&str] = &[
    "OrderCreated",
    "CreateOrder",
    "com.example.orders",
    "1.0.0",
    "2.0.0",
    "1.0",
    "object",
    "string",
    "integer",
    "array",
    "uuid",
    "date-time",
    "int32",
    "#",
    "#/$defs/A",
    "#/$defs/B",
    "../x.yaml",
    "common/money.yaml#/$defs/Money",
    "https://example.com/s.json",
    "[",
    "^a+$",
    "(",
    "event",
    "command",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        "[a-zA-Z_ .#/$-]{0,12}".prop_map(Value::from),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys()), inner), 0..6).prop_map(
                |entries| {
                    let map: Map<String, Value> = entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect();
                    Value::Object(map)
                }
            ),
        ]
    })
}

fn lint(files: Vec<(&str, Vec<u8>)>) {
    let contracts = files
        .into_iter()
        .map(|(name, bytes)| Input::new(name, bytes))
        .collect();
    let lint = evc::lint_inputs(
        Inputs {
            contracts,
            config: None,
        },
        Path::new("."),
    );
    // Rendering quotes source lines: it must cope with whatever was found.
    for format in [
        evc::report::Format::Human,
        evc::report::Format::Json,
        evc::report::Format::Sarif,
        evc::report::Format::Github,
    ] {
        evc::report::render(format, &lint, false);
    }
}

/// A contract around a random payload schema; when it lints without
/// errors, both backends generate from it (and this says so). The bindings
/// and the backends must cope with whatever the checks let through.
fn generate(schema: Value) -> bool {
    let contract = serde_json::json!({
        "event": "ThingHappened",
        "namespace": "com.example.things",
        "description": "A random payload.",
        "versions": [{ "version": "1.0.0", "schema": schema, "examples": [] }],
    });
    let bytes = serde_json::to_vec(&contract).expect("JSON");
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new("things/thing_happened.json", bytes)],
            config: None,
        },
        Path::new("."),
    );
    if lint.has_errors() {
        return false;
    }
    let binding = evc::bind::bind(&lint.model);
    let rust = evc::rust::generate(&binding, &evc::rust::Options::default());
    assert!(rust.contains("ThingHappened"));
    let options = evc::c::Options {
        prefix: "things".into(),
    };
    // A shape C cannot hold is refused with a rule, never a panic.
    let _ = evc::generate_c(&binding, &options);
    true
}

/// The random schemas reach the backends: one of each shape the strategy
/// builds lints clean and generates.
#[test]
fn payload_shapes_reach_the_backends() {
    let shapes = serde_json::json!({
        "type": "object",
        "properties": {
            "list": { "type": ["string", "integer", "null"] },
            "pair": { "type": "array", "prefixItems": [{}, { "type": "string" }], "items": false, "minItems": 2 },
            "map": { "type": "object", "patternProperties": { "^x": { "type": "integer" } }, "additionalProperties": false },
            "union": { "oneOf": [{ "type": "string" }, { "type": "boolean" }] }
        },
        "required": ["list"]
    });
    assert!(generate(shapes));
}

/// Payload schemas built from the keywords that decide Rust types: type
/// lists, tuples, pattern maps, unions and nesting.
fn payload_schema() -> impl Strategy<Value = Value> {
    let types = prop::sample::subsequence(
        vec![
            "null", "boolean", "integer", "number", "string", "array", "object",
        ],
        1..4,
    )
    .prop_map(|t| Value::from(t.into_iter().map(Value::from).collect::<Vec<_>>()));
    let leaf = prop_oneof![
        types.clone().prop_map(|t| serde_json::json!({ "type": t })),
        Just(serde_json::json!({ "type": "string", "minLength": 1 })),
        Just(serde_json::json!({})),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            (types.clone(), prop::collection::vec(inner.clone(), 0..4), 0..4u64, any::<bool>())
                .prop_map(|(t, positions, min, closed)| {
                    let mut s = serde_json::json!({ "type": t, "prefixItems": positions, "minItems": min });
                    if closed {
                        s["items"] = Value::Bool(false);
                    }
                    s
                }),
            (types.clone(), inner.clone(), any::<bool>()).prop_map(|(t, values, closed)| {
                serde_json::json!({
                    "type": t,
                    "patternProperties": { "^x": values },
                    "additionalProperties": !closed,
                })
            }),
            (types.clone(), inner.clone(), inner.clone()).prop_map(|(t, a, b)| {
                serde_json::json!({ "type": t, "properties": { "a": a, "b": b }, "required": ["a"] })
            }),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|b| serde_json::json!({ "oneOf": b })),
            (types.clone(), inner).prop_map(|(t, items)| serde_json::json!({ "type": t, "items": items, "maximum": 3 })),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_payload_schemas_generate(schema in payload_schema()) {
        generate(schema);
    }

    #[test]
    fn arbitrary_payload_trees_generate(schema in tree()) {
        generate(schema);
    }

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        lint(vec![("a.yaml", bytes.clone()), ("b.json", bytes)]);
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        lint(vec![("a.yaml", text.clone().into_bytes()), ("b.json", text.into_bytes())]);
    }

    #[test]
    fn arbitrary_trees(root in tree(), defs in tree()) {
        let json = serde_json::to_vec(&root).unwrap();
        let yaml_flow = json.clone();
        let defs = serde_json::to_vec(&serde_json::json!({ "$defs": { "A": defs } })).unwrap();
        lint(vec![
            ("a.json", json),
            ("b.yaml", yaml_flow),
            ("common/money.yaml", defs),
        ]);
    }

    #[test]
    fn edited_contracts(cuts in prop::collection::vec((0..VALID.len(), 0..8usize, prop::sample::select(&[":", "-", " ", "\n", "{", "[", "'", "\"", "$ref: x", "!!int", "&a", "*a", ""][..])), 1..6)) {
        let mut text = VALID.as_bytes().to_vec();
        for (at, len, insert) in cuts {
            let at = at.min(text.len());
            let end = (at + len).min(text.len());
            text.splice(at..end, insert.bytes());
        }
        lint(vec![("orders/order_created.yaml", text)]);
    }
}

/// The rule ids `evc lint` finds in one file.
fn rules_of(name: &str, text: String) -> Vec<String> {
    let lint = evc::lint_inputs(
        Inputs {
            contracts: vec![Input::new(name, text)],
            config: None,
        },
        Path::new("."),
    );
    lint.diagnostics
        .iter()
        .map(|d| d.rule.to_string())
        .collect()
}

#[test]
fn deep_nesting_of_every_kind_is_a_diagnostic() {
    let depth = 10_000;
    let cases: Vec<(&str, String)> = vec![
        (
            "flow.yaml",
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "flow.json",
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        ),
        (
            "maps.json",
            format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
        ),
        ("block.yaml", format!("{}x\n", "- ".repeat(depth))),
        (
            "indent.yaml",
            // Indentation grows quadratically; 1,000 levels stay under the size limit.
            (0..1_000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect(),
        ),
    ];
    for (name, text) in cases {
        assert_eq!(rules_of(name, text), ["NESTING_TOO_DEEP"], "{name}");
    }
}

/// A long chain through union branches is an alias chain like `$ref`: it is
/// refused before validation, which would otherwise recurse once per link.
#[test]
fn long_union_chains_are_refused_not_followed() {
    for (keyword, links) in [("anyOf", 20_000), ("oneOf", 1_000), ("allOf", 1_000)] {
        let mut text = String::from(
            "event: OrderCreated\nnamespace: com.example.orders\ndescription: x\nversions:\n  - version: 1.0.0\n    schema:\n      type: object\n      properties:\n        a: { $ref: '#/$defs/d0' }\n      $defs:\n",
        );
        for i in 0..links {
            text.push_str(&format!(
                "        d{i}: {{ {keyword}: [ {{ $ref: '#/$defs/d{}' }} ] }}\n",
                i + 1
            ));
        }
        text.push_str(&format!(
            "        d{links}: {{ type: string }}\n    examples:\n      - a: x\n"
        ));
        let lint = evc::lint_inputs(
            Inputs {
                contracts: vec![Input::new("chain.yaml", text)],
                config: None,
            },
            Path::new("."),
        );
        assert!(
            lint.diagnostics
                .iter()
                .any(|d| d.rule.to_string() == "REF_CHAIN_TOO_LONG"),
            "{keyword}"
        );
    }
}

/// `depth` schemas, each holding the next under `keyword`, around `leaf`.
fn nested(keyword: &str, depth: usize, leaf: Value) -> Value {
    (0..depth).fold(leaf, |inner, _| serde_json::json!({ keyword: inner }))
}

/// The keywords most likely to recurse or overflow, at and past their
/// limits: a deep `not`, a long `if`/`else` chain, a schema that names
/// itself by `$anchor`, and `minContains` beyond any array. None panics;
/// within the nesting limit each lints clean and generates both backends.
#[test]
fn keywords_at_their_limits_never_panic() {
    use serde_json::json;
    let if_chain = |links: usize| {
        (0..links).fold(json!({ "type": "string" }), |inner, i| {
            json!({ "if": { "minLength": i }, "then": { "maxLength": i + 10 }, "else": inner })
        })
    };
    let object = |value: Value| json!({ "type": "object", "properties": { "a": value } });
    let within = [
        (
            "deep not",
            object(nested("not", 60, json!({ "type": "string" }))),
        ),
        ("if chain", object(if_chain(60))),
        (
            "self anchor",
            json!({
                "$anchor": "node",
                "type": "object",
                "properties": {
                    "next": { "$ref": "#node" },
                    "unlike": { "not": { "$ref": "#node" } },
                    "either": { "anyOf": [{ "$ref": "#node" }, { "type": "null" }] }
                }
            }),
        ),
        (
            "huge minContains",
            object(json!({
                "type": "array",
                "contains": { "type": "string" },
                "minContains": u64::MAX,
                "maxItems": u64::MAX
            })),
        ),
    ];
    for (name, schema) in within {
        assert!(generate(schema), "{name} should lint clean and generate");
    }
    // An integer past u64 is still an integer: no array is that long.
    let past_u64 = object(json!({ "type": "array", "contains": {}, "minContains": 1e300 }));
    assert!(generate(past_u64), "minContains past u64");
    let longer = object(nested("not", 70, json!({})));
    assert!(!generate(longer), "a not chain past the limit is refused");
    // Past the nesting limit, built as text: a `Value` that deep would
    // itself overflow the test's stack.
    let depth = 5_000;
    for (name, open, close) in [
        ("deeper not", r#"{"not": "#, "}"),
        ("longer if chain", r#"{"if": {}, "then": {}, "else": "#, "}"),
    ] {
        let schema = format!("{}{{}}{}", open.repeat(depth), close.repeat(depth));
        let text = format!(
            r#"{{"event": "ThingHappened", "namespace": "com.example.things",
            "description": "x", "versions": [{{"version": "1.0.0", "schema": {schema}}}]}}"#
        );
        let rules = rules_of("things/thing_happened.json", text);
        assert_eq!(rules, ["NESTING_TOO_DEEP"], "{name}");
    }
}
