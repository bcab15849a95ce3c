//! A generator of synthetic contract sets for benchmarks: `n` contracts with
//! three versions each (a minor step and a major step with an upcast), shared
//! definitions reached by `$ref`, formats, enums, arrays and examples — the
//! shape of the bundled contracts, repeated.

use evc::load::{Input, Inputs};

const MONEY: &str = r#"$defs:
  Money:
    type: object
    additionalProperties: false
    required: [amount, currency]
    properties:
      amount: { type: string, pattern: "^-?[0-9]+(\\.[0-9]{1,4})?$" }
      currency: { type: string, pattern: "^[A-Z]{3}$" }
"#;

/// Letters only, so names stay PascalCase whatever the index.
fn tag(mut i: usize) -> String {
    let mut out = String::new();
    loop {
        out.insert(0, (b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    out[..1].to_uppercase() + &out[1..]
}

pub fn contract(i: usize) -> String {
    let name = format!("Batch{}Shipped", tag(i));
    let namespace = format!("com.example.bench{}", i % 16);
    let v1_props = r#"        shipment_id: { type: string, format: uuid }
        shipped_at: { type: string, format: date-time }
        status: { type: string, enum: [pending, shipped, delivered] }
        weight_grams: { type: integer, format: int32, minimum: 0 }
        total: { type: number, minimum: 0 }
        lines:
          type: array
          minItems: 1
          items:
            type: object
            required: [sku, quantity]
            properties:
              sku: { type: string, minLength: 1, maxLength: 32 }
              quantity: { type: integer, minimum: 1 }
"#;
    let example_v1 = r#"      - shipment_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77
        shipped_at: "2026-01-02T03:04:05Z"
        status: shipped
        weight_grams: 1200
        total: 12.5
        lines: [{ sku: A-1, quantity: 2 }]
"#;
    let example_v2 = r#"      - shipment_id: 7f9c2a4e-8f5b-4c1e-9d3a-2b6f1e0c5a77
        shipped_at: "2026-01-02T03:04:05Z"
        status: shipped
        weight_grams: 1200
        total: { amount: "12.50", currency: EUR }
        lines: [{ sku: A-1, quantity: 2 }]
        carrier: postal
"#;
    format!(
        r#"event: {name}
namespace: {namespace}
description: A batch of goods left the warehouse.
versions:
  - version: 1.0.0
    schema:
      type: object
      required: [shipment_id, shipped_at, lines]
      properties:
{v1_props}    examples:
{example_v1}  - version: 1.1.0
    schema:
      type: object
      required: [shipment_id, shipped_at, lines]
      properties:
{v1_props}        carrier: {{ type: string, maxLength: 64 }}
    examples:
{example_v1}  - version: 2.0.0
    schema:
      type: object
      required: [shipment_id, shipped_at, lines, total]
      properties:
{v2_props}        carrier: {{ type: string, maxLength: 64 }}
    upcast:
      - move: {{ total: total/amount }}
      - set: {{ total/currency: EUR }}
      - convert: {{ total/amount: string }}
    examples:
{example_v2}"#,
        v2_props = v1_props.replace(
            "        total: { type: number, minimum: 0 }\n",
            "        total: { $ref: \"../common/money.yaml#/$defs/Money\" }\n"
        ),
    )
}

/// `n` contracts in `contracts/`, plus the shared definitions.
pub fn inputs(n: usize) -> Inputs {
    let mut contracts = vec![Input::new("common/money.yaml", MONEY)];
    for i in 0..n {
        contracts.push(Input::new(format!("contracts/c{i:05}.yaml"), contract(i)));
    }
    Inputs {
        contracts,
        config: None,
    }
}

/// Writes the same set to a directory, for end-to-end runs of `evc lint`.
#[allow(dead_code)] // the benchmark uses it; the validity test does not
pub fn write(dir: &std::path::Path, n: usize) -> std::io::Result<()> {
    for input in inputs(n).contracts {
        let path = dir.join(&input.relative);
        std::fs::create_dir_all(path.parent().expect("relative paths have a parent"))?;
        std::fs::write(path, input.bytes.expect("generated in memory"))?;
    }
    Ok(())
}

/// One contract of `n` minor versions, 1.0.0 to 1.(n-1).0, one line of
/// schema each: every version declares a field of its own beside one they
/// all share (dropping the field of the version before, which the default
/// lenient policy reads), so no two versions have the same schema.
pub fn adding(n: usize) -> Inputs {
    chain(
        n,
        |i| {
            format!("{{ type: object, required: [id], properties: {{ id: {{ type: string }}, f{i}: {{ type: integer }} }} }}")
        },
        None,
    )
}

/// One contract of `n` minor versions whose schemas are one shared
/// definition.
pub fn sharing(n: usize) -> Inputs {
    let shared = Input::new(
        "common/item.yaml",
        "$defs:\n  Item:\n    type: object\n    required: [sku]\n    properties:\n      \
         sku: { type: string, maxLength: 32 }\n      quantity: { type: integer, minimum: 1 }\n",
    );
    chain(
        n,
        |_| "{ $ref: \"../common/item.yaml#/$defs/Item\" }".to_owned(),
        Some(shared),
    )
}

fn chain(n: usize, schema: impl Fn(usize) -> String, shared: Option<Input>) -> Inputs {
    let mut text = String::from(
        "event: ItemCounted\nnamespace: com.example.bench\ndescription: Items were counted.\nversions:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - version: 1.{i}.0\n    schema: {}\n",
            schema(i)
        ));
    }
    let mut contracts: Vec<Input> = shared.into_iter().collect();
    contracts.push(Input::new("contracts/item_counted.yaml", text));
    Inputs {
        contracts,
        config: None,
    }
}

/// One event whose payload has `n` properties of every kind the backends
/// bind (strings with formats, integers, numbers, string enums, arrays and
/// nested objects): the size of one contract is what generation scales with.
#[allow(dead_code)] // the generation benchmark uses it; the others do not
pub fn wide(n: usize) -> Inputs {
    let mut properties = String::new();
    for i in 0..n {
        let schema = match i % 6 {
            0 => "{ type: string, maxLength: 64 }".to_owned(),
            1 => "{ type: integer, format: int32, minimum: 0 }".to_owned(),
            2 => "{ type: number }".to_owned(),
            3 => format!("{{ type: string, enum: [low{i}, high{i}] }}"),
            4 => "{ type: array, items: { type: string, format: uuid } }".to_owned(),
            _ => "{ type: object, required: [id], properties: { id: { type: string }, count: { type: integer } } }".to_owned(),
        };
        properties.push_str(&format!(
            "        field_{}: {schema}\n",
            tag(i).to_lowercase()
        ));
    }
    let text = format!(
        "event: WideRecorded\nnamespace: com.example.bench\ndescription: A record of many fields.\n\
         versions:\n  - version: 1.0.0\n    schema:\n      type: object\n      required: [field_a]\n      \
         properties:\n{properties}"
    );
    Inputs {
        contracts: vec![Input::new("contracts/wide.yaml", text)],
        config: None,
    }
}
