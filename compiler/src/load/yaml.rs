//! Builds the spanned tree from saphyr's event stream rather than from its
//! `MarkedYaml` tree: the event parser streams any depth, so nesting is bounded
//! here with a diagnostic instead of overflowing the stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan, Tag};

use super::node::{Entry, Node, Value};
use super::Problem;
use crate::rules::RuleId;
use crate::source::{Pos, Span};

/// Containers nested deeper than this are refused. Real contracts stay far
/// below it; every later stage recurses over the tree, so the bound also keeps
/// those stages' stacks small.
pub const MAX_DEPTH: usize = 100;

/// Parses one YAML 1.2 document (JSON included) into a spanned tree.
/// `Ok(None)` means the stream holds no document at all.
pub fn parse(text: &str) -> Result<Option<Node>, Problem> {
    let mut builder = Builder::default();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| scan_problem(e, text))?;
        if builder.event(event, span)? {
            break;
        }
    }
    // `---` alone is a document holding an implicit, empty null: no content.
    let implicit_null = |n: &Node| matches!(n.value, Value::Null) && n.span.start == n.span.end;
    Ok(builder.root.filter(|root| !implicit_null(root)))
}

fn pos(marker: saphyr_parser::Marker) -> Pos {
    Pos::new(marker.line() as u32, marker.col() as u32 + 1)
}

fn span(s: YamlSpan) -> Span {
    Span::new(pos(s.start), pos(s.end))
}

fn scan_problem(error: ScanError, text: &str) -> Problem {
    let at = Span::point(pos(*error.marker()));
    let info = error.info();
    if info.contains("recursion limit") {
        // The parser's own limit lies past ours: name where ours was crossed.
        let crossed = super::flow_depth_exceeded(text).unwrap_or(at.start);
        return super::too_deep(crossed);
    }
    super::syntax::explain(info, at.start, text)
}

enum Frame {
    Seq {
        start: Pos,
        /// Where this sequence's items start in [`Builder::items`].
        first: usize,
    },
    Map {
        start: Pos,
        /// Where this mapping's entries start in [`Builder::entries`].
        first: usize,
        key: Option<(String, Span)>,
        seen: HashMap<String, Span>,
    },
}

/// Open containers collect their children on two shared stacks, and a
/// closed one takes its own off the top into a vector of exactly its size:
/// vectors grown by pushes would keep room for at least four children, and
/// most schema mappings have one or two, so a large file's tree would be
/// mostly spare room.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    root: Option<Node>,
    documents: usize,
}

impl Builder {
    /// Feeds one event; returns true once the stream has ended.
    fn event(&mut self, event: Event<'_>, at: YamlSpan) -> Result<bool, Problem> {
        let here = span(at);
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Problem::new(
                        RuleId::YamlUnsupported,
                        here,
                        "a contract file holds one YAML document; this is a second one",
                    )
                    .hint("split the documents into separate files"));
                }
            }
            Event::Alias(_) => {
                return Err(unsupported(
                    here,
                    "YAML aliases are not supported in contracts",
                    "use `$ref` to share a schema",
                ))
            }
            Event::Scalar(text, style, anchor, tag) => {
                refuse_anchor(anchor, here)?;
                let value = scalar(&text, style, tag.as_deref(), here)?;
                self.add(Node::new(here, value))?;
            }
            Event::SequenceStart(anchor, tag) => {
                refuse_anchor(anchor, here)?;
                refuse_collection_tag(tag.as_deref(), here)?;
                self.open(
                    Frame::Seq {
                        start: here.start,
                        first: self.items.len(),
                    },
                    here,
                )?;
            }
            Event::MappingStart(anchor, tag) => {
                refuse_anchor(anchor, here)?;
                refuse_collection_tag(tag.as_deref(), here)?;
                self.open(
                    Frame::Map {
                        start: here.start,
                        first: self.entries.len(),
                        key: None,
                        seen: HashMap::new(),
                    },
                    here,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq { start, first }) => {
                        let items = self.items.drain(first..).collect();
                        Node::new(Span::new(start, here.end), Value::Seq(items))
                    }
                    Some(Frame::Map { start, first, .. }) => {
                        let entries = self.entries.drain(first..).collect();
                        Node::new(Span::new(start, here.end), Value::Map(entries))
                    }
                    None => return Ok(false),
                };
                self.add(node)?;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
        Ok(false)
    }

    fn open(&mut self, frame: Frame, here: Span) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(super::too_deep(here.start));
        }
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err(unsupported(
                here,
                "mapping keys must be plain strings, not lists or mappings",
                "write the key as a string",
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn add(&mut self, node: Node) -> Result<(), Problem> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map { key, seen, .. }) => match key.take() {
                Some((key, key_span)) => self.entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
                None => {
                    let text = map_key(&node)?;
                    if let Some(first) = seen.get(&text) {
                        return Err(Problem::new(
                            RuleId::DuplicateKey,
                            node.span,
                            format!("duplicate key `{text}`"),
                        )
                        .hint(format!(
                            "the key first appears at line {}, column {}; keep one",
                            first.start.line, first.start.column
                        ))
                        .related(*first, "first defined here"));
                    }
                    seen.insert(text.clone(), node.span);
                    *key = Some((text, node.span));
                }
            },
        }
        Ok(())
    }
}

fn map_key(node: &Node) -> Result<String, Problem> {
    match node.scalar_text() {
        Some(text) => Ok(text),
        None if matches!(node.value, Value::Null) => Err(unsupported(
            node.span,
            "a mapping key is null",
            "write the key as a string; quote it if it is the word `null`",
        )),
        None => Err(unsupported(
            node.span,
            "mapping keys must be plain strings",
            "write the key as a string",
        )),
    }
}

fn unsupported(at: Span, message: &str, hint: &str) -> Problem {
    Problem::new(RuleId::YamlUnsupported, at, message).hint(hint)
}

fn refuse_anchor(anchor: usize, at: Span) -> Result<(), Problem> {
    if anchor == 0 {
        return Ok(());
    }
    Err(unsupported(
        at,
        "YAML anchors are not supported in contracts",
        "use `$ref` to share a schema",
    ))
}

fn refuse_collection_tag(tag: Option<&Tag>, at: Span) -> Result<(), Problem> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && matches!(t.suffix.as_str(), "map" | "seq") => Ok(()),
        Some(t) => Err(unknown_tag(t, at)),
    }
}

fn unknown_tag(tag: &Tag, at: Span) -> Problem {
    let name = if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    };
    unsupported(
        at,
        &format!("YAML tag `{name}` is not supported"),
        "remove the tag; contracts use plain JSON data",
    )
}

/// Resolves a scalar by the YAML 1.2 core schema.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>, at: Span) -> Result<Value, Problem> {
    let forced = match tag {
        None => None,
        Some(t) if t.is_yaml_core_schema() => Some(t.suffix.as_str()),
        Some(t) => return Err(unknown_tag(t, at)),
    };
    let plain = matches!(style, ScalarStyle::Plain);
    match forced {
        Some("str") => Ok(Value::String(text.into())),
        Some(kind @ ("null" | "bool" | "int" | "float")) => {
            let value = resolve_plain(text, at)?;
            let matches = matches!(
                (kind, &value),
                ("null", Value::Null)
                    | ("bool", Value::Bool(_))
                    | ("int" | "float", Value::Number(..))
            );
            if matches {
                Ok(value)
            } else {
                Err(Problem::new(
                    RuleId::YamlSyntax,
                    at,
                    format!("`{text}` is not a valid !!{kind}"),
                ))
            }
        }
        Some(other) => Err(unsupported(
            at,
            &format!("YAML tag `!!{other}` is not supported"),
            "remove the tag; contracts use plain JSON data",
        )),
        None if plain => resolve_plain(text, at),
        None => Ok(Value::String(text.into())),
    }
}

fn resolve_plain(text: &str, at: Span) -> Result<Value, Problem> {
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => match number(text) {
            Some(Ok(n)) => Value::Number(Box::new((n, text.to_owned()))),
            Some(Err(())) => {
                return Err(Problem::new(
                    RuleId::InvalidValue,
                    at,
                    format!("`{text}` is not a finite number; JSON has no infinities or NaN"),
                )
                .hint("quote it if you meant the string"))
            }
            None => Value::String(text.into()),
        },
    })
}

/// `None` when the text is no YAML 1.2 number; `Some(Err)` for inf and NaN.
fn number(text: &str) -> Option<Result<serde_json::Number, ()>> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let negative = text.starts_with('-');
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(Err(()));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok().map(|n| Ok(n.into()));
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return u64::from_str_radix(oct, 8).ok().map(|n| Ok(n.into()));
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if let Ok(n) = digits.parse::<i64>() {
            return Some(Ok(n.into()));
        }
        if !negative {
            if let Ok(n) = digits.parse::<u64>() {
                return Some(Ok(n.into()));
            }
        }
        return float(digits);
    }
    if is_float_syntax(unsigned) {
        return float(text.strip_prefix('+').unwrap_or(text));
    }
    None
}

fn float(text: &str) -> Option<Result<serde_json::Number, ()>> {
    let value: f64 = text.parse().ok()?;
    Some(serde_json::Number::from_f64(value).ok_or(()))
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, unsigned.
fn is_float_syntax(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(frac) => digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (frac.is_some() || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let node = root("a: 1\nb: 1.5\nc: '1'\nd: true\ne: ~\nf: 1.0.0\ng: 0x1F\nh: 1e3\n");
        let json = node.to_json();
        assert_eq!(
            json,
            serde_json::json!({"a": 1, "b": 1.5, "c": "1", "d": true, "e": null, "f": "1.0.0", "g": 31, "h": 1000.0})
        );
    }

    #[test]
    fn spans_are_one_based() {
        let node = root("event: A\nversions:\n  - version: 1.0.0\n");
        let versions = node.get("versions").unwrap();
        assert_eq!(versions.key_span.start, Pos::new(2, 1));
        let first = &versions.value.as_seq().unwrap()[0];
        let version = first.get("version").unwrap();
        assert_eq!(version.value.span.start, Pos::new(3, 14));
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_second_key() {
        let problem = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(problem.rule, RuleId::DuplicateKey);
        assert_eq!(problem.span.start, Pos::new(3, 1));
    }

    #[test]
    fn deep_block_nesting_is_a_diagnostic_not_an_overflow() {
        let text = format!("{}x\n", "- ".repeat(20_000));
        let problem = parse(&text).unwrap_err();
        assert_eq!(problem.rule, RuleId::NestingTooDeep);
    }

    #[test]
    fn no_document_is_none() {
        assert!(parse("# only a comment\n").unwrap().is_none());
        assert!(parse("").unwrap().is_none());
    }
}
