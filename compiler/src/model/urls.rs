//! `$ref`s by URL. A file whose root has an absolute `$id` has that URL as
//! its base: a reference in it resolves against the base (RFC 3986), and the
//! resulting URL names the file of the contracts root with that `$id`, or
//! the file a `refs` entry of `evc.yaml` maps it to. Nothing is fetched.

use std::collections::HashMap;

use fluent_uri::{Uri, UriRef};

use crate::config::RefMap;
use crate::load::Node;
use crate::source::{FileId, Sources};

/// Extensions tried after a mapped path: published `$id`s usually have none.
const EXTENSIONS: &[&str] = &["", ".json", ".yaml", ".yml"];

pub struct Urls<'a> {
    /// Files by their root `$id`, normalized and without fragment.
    by_id: HashMap<String, FileId>,
    /// Each file's base URL: its root `$id`, when that is absolute.
    base: Vec<Option<Uri<String>>>,
    map: &'a RefMap,
}

/// A reference read as a URL.
pub struct Located {
    /// The URL without its fragment.
    pub resource: String,
    /// The fragment, still percent-encoded; empty when there is none.
    pub fragment: String,
    /// The file that URL names, if any.
    pub file: Option<FileId>,
    /// The reference was a URL itself, not resolved against a base.
    pub absolute: bool,
}

impl<'a> Urls<'a> {
    pub fn new(roots: &[Option<&Node>], map: &'a RefMap) -> Self {
        let base: Vec<Option<Uri<String>>> = roots
            .iter()
            .map(|root| {
                let root = (*root)?;
                let draft4 = root
                    .get("$schema")
                    .and_then(|e| e.value.as_str())
                    .is_some_and(|s| s.contains("draft-04"));
                let key = if draft4 { "id" } else { "$id" };
                let id = root.get(key)?.value.as_str()?;
                Uri::parse(id).ok().map(|uri| uri.normalize())
            })
            .collect();
        let mut by_id = HashMap::new();
        for (file, uri) in base.iter().enumerate() {
            if let Some(uri) = uri {
                // The first file claims a URL; a second is reached by path.
                by_id
                    .entry(uri.strip_fragment().as_str().to_owned())
                    .or_insert(FileId(file as u32));
            }
        }
        Urls { by_id, base, map }
    }

    /// `text` as a URL, when it is one: an absolute reference anywhere, or
    /// any reference with a path in a file that has a base URL. A reference
    /// that is only a fragment stays within its document.
    pub fn locate(&self, text: &str, from: FileId, sources: &Sources) -> Option<Located> {
        if text.starts_with('#') {
            return None;
        }
        let reference = UriRef::parse(text).ok()?;
        let absolute = reference.has_scheme();
        let url = if absolute {
            Uri::parse(text).ok()?.normalize()
        } else {
            let base = self.base.get(from.0 as usize)?.as_ref()?;
            reference.resolve_against(base).ok()?.normalize()
        };
        let resource = url.strip_fragment().as_str().to_owned();
        let fragment = url
            .fragment()
            .map(|f| f.as_str().to_owned())
            .unwrap_or_default();
        // A document's own `$id` names the document itself, whichever other
        // file claims the same URL.
        let own = self.base.get(from.0 as usize).and_then(Option::as_ref);
        let file = match own {
            Some(base) if base.strip_fragment().as_str() == resource => Some(from),
            _ => self.find(&resource, sources),
        };
        Some(Located {
            resource,
            fragment,
            absolute,
            file,
        })
    }

    fn find(&self, resource: &str, sources: &Sources) -> Option<FileId> {
        if let Some(file) = self.by_id.get(resource) {
            return Some(*file);
        }
        let path = self.map.local(resource)?;
        EXTENSIONS
            .iter()
            .find_map(|extension| sources.find_relative(&format!("{path}{extension}")))
    }
}
