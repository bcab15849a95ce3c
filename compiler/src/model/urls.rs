//! `$ref`s by URL. A resource (a file root, or a subschema with its own
//! `$id`) whose `$id` is an absolute URL, or resolves to one against the
//! resource around it, is the base of the references inside it (RFC 3986),
//! and the resulting URL names the resource of the contracts root with that
//! `$id`, or the file a `refs` entry of `evc.yaml` maps it to. Nothing is
//! fetched.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use fluent_uri::{Uri, UriRef};

use super::resources::FileResources;
use crate::config::RefMap;
use crate::load::Node;
use crate::source::{FileId, Sources};

/// Extensions tried after a mapped path: published `$id`s usually have none.
const EXTENSIONS: &[&str] = &["", ".json", ".yaml", ".yml"];

pub struct Urls<'a> {
    /// Resources by their URL, normalized and without fragment: a file
    /// root or an embedded resource. The first to claim a URL keeps it.
    by_id: HashMap<String, (FileId, Vec<String>)>,
    /// Each file's resources; empty for a file that failed to load.
    resources: Vec<FileResources>,
    /// Files by their root's relative `$id`, as schema sets published for
    /// validators that register schemas by `$id` name each other
    /// (`common/user.schema.json`). The first file claims an id.
    by_relative_id: HashMap<String, FileId>,
    /// `$id`s declared by a second schema: the first keeps them.
    duplicates: Vec<DuplicateId>,
    /// The names any `$dynamicRef` asks for: only these are bound in a
    /// dynamic scope, so a project without them builds each schema once.
    dynamic_names: BTreeSet<String>,
    map: &'a RefMap,
}

/// A `$id` two schemas declare: references reach the `first`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateId {
    pub id: String,
    /// The file and pointer of the schema that keeps the `$id`.
    pub first: (FileId, Vec<String>),
    /// The file and pointer of the one declaring it again.
    pub again: (FileId, Vec<String>),
}

/// A reference read as a URL.
pub struct Located {
    /// The URL without its fragment.
    pub resource: String,
    /// The fragment, still percent-encoded; empty when there is none.
    pub fragment: String,
    /// The file that URL names, and the pointer of the resource in it.
    pub file: Option<(FileId, Vec<String>)>,
    /// The reference was a URL itself, not resolved against a base.
    pub absolute: bool,
}

impl<'a> Urls<'a> {
    pub fn new(roots: &[Option<&Node>], map: &'a RefMap) -> Self {
        let resources: Vec<FileResources> = roots
            .iter()
            .map(|root| root.map(FileResources::of).unwrap_or_default())
            .collect();
        let mut by_id: HashMap<String, (FileId, Vec<String>)> = HashMap::new();
        let mut duplicates = Vec::new();
        for (file, own) in resources.iter().enumerate() {
            for (pointer, url) in own.urls() {
                // The first file claims a URL; a second is reached by path.
                let at = (FileId(file as u32), pointer.clone());
                match by_id.entry(url.strip_fragment().as_str().to_owned()) {
                    Entry::Occupied(first) => duplicates.push(DuplicateId {
                        id: first.key().clone(),
                        first: first.get().clone(),
                        again: at,
                    }),
                    Entry::Vacant(slot) => {
                        slot.insert(at);
                    }
                }
            }
        }
        let mut by_relative_id: HashMap<String, FileId> = HashMap::new();
        for (file, own) in resources.iter().enumerate() {
            if let Some(id) = own.relative_root() {
                let at = FileId(file as u32);
                match by_relative_id.entry(normalized(id)) {
                    Entry::Occupied(first) => duplicates.push(DuplicateId {
                        id: first.key().clone(),
                        first: (*first.get(), Vec::new()),
                        again: (at, Vec::new()),
                    }),
                    Entry::Vacant(slot) => {
                        slot.insert(at);
                    }
                }
            }
        }
        let dynamic_names = resources
            .iter()
            .flat_map(|own| own.dynamic_names().iter().cloned())
            .collect();
        Urls {
            by_id,
            by_relative_id,
            duplicates,
            resources,
            dynamic_names,
            map,
        }
    }

    /// The `$id`s a second schema declares again.
    pub fn duplicates(&self) -> &[DuplicateId] {
        &self.duplicates
    }

    /// Whether `refs` in evc.yaml maps any URL to a file.
    pub fn maps_any(&self) -> bool {
        !self.map.prefixes.is_empty()
    }

    /// The file whose root's relative `$id` a reference's `path` names,
    /// read against the relative `$id` of the file `from` (RFC 3986's
    /// merge of paths), or as it is when `from` has none.
    pub fn by_relative_id(&self, from: FileId, path: &str) -> Option<FileId> {
        if self.by_relative_id.is_empty() {
            return None;
        }
        let base = self.of(from).and_then(FileResources::relative_root);
        let base = base.map(normalized).unwrap_or_default();
        let id = super::reference::join(&base, path)?;
        self.by_relative_id.get(&id).copied()
    }

    /// Whether some `$dynamicRef` asks for `name`.
    pub fn is_dynamic_name(&self, name: &str) -> bool {
        self.dynamic_names.contains(name)
    }

    /// The resources of `file`.
    pub fn of(&self, file: FileId) -> Option<&FileResources> {
        self.resources.get(file.0 as usize)
    }

    /// `text` as a URL, when it is one: an absolute reference anywhere, or
    /// any reference with a path inside a resource with a base URL (`at`
    /// is that resource's pointer). A reference that is only a fragment
    /// stays within its resource.
    pub fn locate(
        &self,
        text: &str,
        from: FileId,
        at: &[String],
        sources: &Sources,
    ) -> Option<Located> {
        if text.starts_with('#') {
            return None;
        }
        let reference = UriRef::parse(text).ok()?;
        let absolute = reference.has_scheme();
        let own = self.of(from)?;
        let url = if absolute {
            Uri::parse(text).ok()?.normalize()
        } else {
            let base = own.enclosing(at).find_map(|pointer| own.url(pointer))?;
            reference.resolve_against(base).ok()?.normalize()
        };
        let resource = url.strip_fragment().as_str().to_owned();
        let fragment = url
            .fragment()
            .map(|f| f.as_str().to_owned())
            .unwrap_or_default();
        // A document's own `$id`s name its own resources, whichever other
        // file claims the same URL.
        let file = match own.named(&resource) {
            Some(pointer) => Some((from, pointer.to_vec())),
            None => self.find(&resource, sources),
        };
        Some(Located {
            resource,
            fragment,
            absolute,
            file,
        })
    }

    fn find(&self, resource: &str, sources: &Sources) -> Option<(FileId, Vec<String>)> {
        if let Some(found) = self.by_id.get(resource) {
            return Some(found.clone());
        }
        let path = self.map.local(resource)?;
        EXTENSIONS
            .iter()
            .find_map(|extension| sources.find_relative(&format!("{path}{extension}")))
            .map(|file| (file, Vec::new()))
    }
}

/// A relative `$id` as a path without `.` segments or a fragment, so
/// `./common/user.json#` and `common/user.json` name the same file.
fn normalized(id: &str) -> String {
    let path = id.split('#').next().unwrap_or_default();
    let Some(mut joined) = super::reference::join("", path) else {
        return path.to_owned();
    };
    // A folder stays a folder: `common/` is a base for `user.json`.
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::{normalized, DuplicateId, Urls};
    use crate::config::RefMap;
    use crate::source::FileId;

    #[test]
    fn a_second_schema_with_an_id_is_a_duplicate_and_the_first_keeps_it() {
        let texts = [
            r#"{"$id": "common/user.json", "type": "object"}"#,
            r#"{"$id": "./common/./user.json", "type": "string"}"#,
            r#"{"$defs": {"a": {"$id": "https://example.com/a.json"}, "b": {"$id": "https://example.com/a.json#"}}}"#,
        ];
        let nodes: Vec<_> = texts
            .iter()
            .map(|t| {
                crate::load::parse_bytes(t.as_bytes(), true)
                    .1
                    .expect("parses")
            })
            .collect();
        let roots: Vec<_> = nodes.iter().map(Some).collect();
        let map = RefMap::default();
        let urls = Urls::new(&roots, &map);
        let at = |file: u32, pointer: &[&str]| {
            (
                FileId(file),
                pointer.iter().map(|s| s.to_string()).collect(),
            )
        };
        assert_eq!(
            urls.duplicates(),
            [
                DuplicateId {
                    id: "https://example.com/a.json".into(),
                    first: at(2, &["$defs", "a"]),
                    again: at(2, &["$defs", "b"]),
                },
                DuplicateId {
                    id: "common/user.json".into(),
                    first: at(0, &[]),
                    again: at(1, &[]),
                },
            ]
        );
        assert_eq!(
            urls.by_relative_id(FileId(2), "common/user.json"),
            Some(FileId(0))
        );
    }

    #[test]
    fn relative_ids_compare_as_normalized_paths() {
        assert_eq!(normalized("./common/./user.json#"), "common/user.json");
        assert_eq!(normalized("common/a/../user.json"), "common/user.json");
        // A folder stays one, so a reference inside it resolves under it.
        assert_eq!(normalized("./common/"), "common/");
        assert_eq!(normalized("common"), "common");
    }
}
