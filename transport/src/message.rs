//! A message as a broker carries it: a body and string headers. Adapters
//! translate it to their own frame (NATS headers, AMQP properties, the
//! fields of a Redis stream entry) and back, byte for byte.

use std::collections::BTreeMap;

/// Header names and values, in name order.
pub type Headers = BTreeMap<String, String>;

/// The bytes and headers of one broker message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawMessage {
    pub body: Vec<u8>,
    pub headers: Headers,
}

impl RawMessage {
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        RawMessage {
            body: body.into(),
            headers: Headers::new(),
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}
