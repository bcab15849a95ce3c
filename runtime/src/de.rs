//! serde helpers named by generated `#[serde(deserialize_with)]` attributes.

use serde::{Deserialize, Deserializer};

/// An optional property whose schema does not admit `null`: absent reads
/// as `None` (through `#[serde(default)]`), an explicit `null` is refused
/// as it is by JSON Schema rather than read as absent.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
