//! Version payloads the build may free as soon as each is built.
//!
//! A wide contract's tree takes about as much memory as its model, so
//! keeping the tree whole until the model is done nearly doubles the peak.
//! Each payload of a contract file is taken out of its document before the
//! build and dropped once built, when nothing outside it can refer into it:
//! a `#` reference in a contract file stays inside its own version, so only
//! a reference naming the file by path or URL, or a `$id` inside the file
//! (which other files reach by URL), keeps the file's tree whole.

use std::collections::{HashMap, HashSet};

use super::urls::Urls;
use crate::load::{Document, Node, Value};
use crate::source::{FileId, Sources};

/// The payloads taken out, by file and version index; the documents hold
/// `null` in their place.
pub type Payloads = HashMap<(FileId, usize), Node>;

pub fn take(documents: &mut [Document], sources: &Sources, urls: &Urls) -> Payloads {
    let named = NamedFiles::of(documents, urls.maps_any());
    let mut payloads = Payloads::new();
    for document in documents {
        let file = document.file;
        let name = sources.get(file).relative_slash();
        let unreachable = urls.of(file).is_some_and(|r| r.has_no_urls());
        if is_contract(&document.root) && unreachable && !named.may_name(&name) {
            for (index, payload) in version_payloads(&mut document.root) {
                let hole = Node::new(payload.span, Value::Null);
                payloads.insert((file, index), std::mem::replace(payload, hole));
            }
        }
    }
    payloads
}

fn is_contract(root: &Node) -> bool {
    root.get("event").is_some() || root.get("command").is_some()
}

fn version_payloads(root: &mut Node) -> impl Iterator<Item = (usize, &mut Node)> {
    let versions = match &mut root.value {
        Value::Map(entries) => entries.iter_mut().find(|e| e.key == "versions"),
        _ => None,
    };
    let items: &mut [Node] = match versions.map(|e| &mut e.value.value) {
        Some(Value::Seq(items)) => items,
        _ => &mut [],
    };
    items.iter_mut().enumerate().filter_map(|(index, item)| {
        let Value::Map(entries) = &mut item.value else {
            return None;
        };
        let schema = entries.iter_mut().find(|e| e.key == "schema")?;
        Some((index, &mut schema.value))
    })
}

/// The file names that some `$ref` may name, compared without extension
/// and case: a mapped URL may leave the extension out, and a file system
/// may ignore case.
struct NamedFiles {
    stems: HashSet<String>,
    /// A reference evc cannot read a plain file name from (percent-encoded).
    any: bool,
}

impl NamedFiles {
    fn of(documents: &[Document], urls_mapped: bool) -> Self {
        let mut named = NamedFiles {
            stems: HashSet::new(),
            any: false,
        };
        let mut stack: Vec<&Node> = documents.iter().map(|d| &d.root).collect();
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Map(entries) => {
                    for entry in entries.iter() {
                        match (entry.key.as_str(), entry.value.as_str()) {
                            ("$ref" | "$dynamicRef", Some(text)) => named.add(text, urls_mapped),
                            _ => stack.push(&entry.value),
                        }
                    }
                }
                Value::Seq(items) => stack.extend(items.iter()),
                _ => {}
            }
        }
        named
    }

    /// The file a reference's path part ends at, read as the resolver reads
    /// paths (`/` or a backslash, dot segments dropped). A path ending in
    /// `..` or percent-encoded may name any file, and so may every path when
    /// `refs` maps URLs to files: a relative path resolves against a `$id`,
    /// and a map entry may rename the file.
    fn add(&mut self, reference: &str, urls_mapped: bool) {
        let path = reference.split('#').next().unwrap_or_default();
        if path.is_empty() {
            return;
        }
        let segments: Vec<&str> = path
            .split(['/', '\\'])
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        match segments.last() {
            _ if urls_mapped || path.contains('%') => self.any = true,
            Some(&"..") | None => self.any = true,
            Some(last) => {
                self.stems.insert(stem(last));
            }
        }
    }

    fn may_name(&self, relative: &str) -> bool {
        let last = relative.rsplit('/').next().unwrap_or(relative);
        self.any || self.stems.contains(&stem(last))
    }
}

fn stem(name: &str) -> String {
    let stem = name.split('.').next().unwrap_or(name);
    stem.to_lowercase()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::RefMap;
    use crate::load::{self, Input, Inputs};

    const PLACED: &str = "
event: OrderPlaced
namespace: com.example.orders
description: A customer placed an order.
versions:
  - version: 1.0.0
    schema:
      type: object
      properties:
        address: { $ref: '#/$defs/Address' }
      $defs:
        Address: { type: object, properties: { city: { type: string } } }
  - version: 1.1.0
    schema:
      type: object
      properties:
        address: { $ref: '#/$defs/Address' }
        note: { type: string }
      $defs:
        Address: { type: object, properties: { city: { type: string } } }
";

    /// The (file, version) of each payload taken from `files`.
    fn taken(files: &[(&str, &str)]) -> Vec<(String, usize)> {
        let inputs = Inputs {
            contracts: files.iter().map(|(p, t)| Input::new(*p, *t)).collect(),
            config: None,
        };
        let mut loaded = load::load(inputs, Path::new("."));
        let refs = RefMap::default();
        let mut roots = vec![None; loaded.sources.len()];
        for document in &loaded.documents {
            roots[document.file.0 as usize] = Some(&document.root);
        }
        let urls = Urls::new(&roots, &refs);
        let payloads = take(&mut loaded.documents, &loaded.sources, &urls);
        let mut taken: Vec<(String, usize)> = payloads
            .keys()
            .map(|(file, index)| (loaded.sources.get(*file).relative_slash(), *index))
            .collect();
        taken.sort();
        taken
    }

    #[test]
    fn a_contract_nothing_refers_into_gives_up_every_payload() {
        let taken = taken(&[("orders/placed.yaml", PLACED)]);
        let placed = |index| ("orders/placed.yaml".to_owned(), index);
        assert_eq!(taken, [placed(0), placed(1)]);
    }

    #[test]
    fn a_contract_another_file_names_keeps_its_tree_whole() {
        let shipped = PLACED.replace("OrderPlaced", "OrderShipped").replace(
            "'#/$defs/Address'",
            "'placed.yaml#/versions/0/schema/$defs/Address'",
        );
        let taken = taken(&[
            ("orders/placed.yaml", PLACED),
            ("orders/shipped.yaml", &shipped),
        ]);
        let shipped = |index| ("orders/shipped.yaml".to_owned(), index);
        assert_eq!(taken, [shipped(0), shipped(1)]);
    }

    #[test]
    fn a_contract_with_an_id_keeps_its_tree_whole() {
        let placed = PLACED.replace(
            "Address: { type: object,",
            "Address: { $id: 'https://example.com/address', type: object,",
        );
        assert_eq!(taken(&[("orders/placed.yaml", &placed)]), []);
    }

    #[test]
    fn paths_are_read_as_the_resolver_reads_them() {
        for written in ["sub\\placed.yaml", "placed.yaml/", "./placed.yaml/."] {
            let shipped = PLACED.replace("OrderPlaced", "OrderShipped").replace(
                "'#/$defs/Address'",
                &format!("'{written}#/versions/0/schema/$defs/Address'"),
            );
            let taken = taken(&[
                ("orders/placed.yaml", PLACED),
                ("orders/shipped.yaml", &shipped),
            ]);
            let shipped = |index| ("orders/shipped.yaml".to_owned(), index);
            assert_eq!(taken, [shipped(0), shipped(1)], "{written}");
        }
        let up = PLACED.replace("OrderPlaced", "OrderShipped").replace(
            "'#/$defs/Address'",
            "'placed.yaml/x/..#/versions/0/schema/$defs/Address'",
        );
        let taken = taken(&[("orders/placed.yaml", PLACED), ("orders/shipped.yaml", &up)]);
        assert_eq!(taken, []);
    }

    #[test]
    fn a_percent_encoded_file_name_may_name_any_file() {
        let shipped = PLACED.replace("OrderPlaced", "OrderShipped").replace(
            "'#/$defs/Address'",
            "'pl%61ced.yaml#/versions/0/schema/$defs/Address'",
        );
        let taken = taken(&[
            ("orders/placed.yaml", PLACED),
            ("orders/shipped.yaml", &shipped),
        ]);
        assert_eq!(taken, []);
    }
}
