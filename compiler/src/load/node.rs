//! The spanned document tree the loader produces: JSON's data model, with a
//! source span on every node and every mapping key.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number and its source text, so `version: 1.0` can be reported as
    /// written rather than as `1`. Boxed: numbers are rare in contracts, and
    /// two fields inline would make every node of the tree larger.
    Number(Box<(serde_json::Number, String)>),
    /// Boxed, like the lists: a wide payload's tree has a node per keyword
    /// of every property, and none of them grows once parsed.
    String(Box<str>),
    Seq(Box<[Node]>),
    Map(Box<[Entry]>),
}

/// A mapping entry; keys are always strings in contracts.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(span: Span, value: Value) -> Self {
        Node { span, value }
    }

    /// The name of the node's type as users know it from JSON.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(..) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&serde_json::Number> {
        match &self.value {
            Value::Number(number) => Some(&number.0),
            _ => None,
        }
    }

    /// A scalar's text as written (numbers and booleans included), for values
    /// such as versions that users may leave unquoted.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.to_string()),
            Value::Number(number) => Some(number.1.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// Follows a JSON pointer (RFC 6901, already split and unescaped).
    pub fn pointer<'a>(&'a self, tokens: &[String]) -> Option<&'a Node> {
        let mut node = self;
        for token in tokens {
            node = match &node.value {
                Value::Map(entries) => &entries.iter().find(|e| &e.key == token)?.value,
                Value::Seq(items) => items.get(parse_index(token)?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The node as plain JSON. Depth is bounded by the loader.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(number) => J::Number(number.0.clone()),
            Value::String(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// An array index token: digits only, no leading zero (RFC 6901).
fn parse_index(token: &str) -> Option<usize> {
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    if valid {
        token.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large contract's tree is mostly nodes and entries; a variant that
    /// grows them shows up here.
    #[test]
    fn tree_nodes_stay_small() {
        assert!(
            std::mem::size_of::<Node>() <= 48,
            "{}",
            std::mem::size_of::<Node>()
        );
        assert!(
            std::mem::size_of::<Entry>() <= 88,
            "{}",
            std::mem::size_of::<Entry>()
        );
    }
}
