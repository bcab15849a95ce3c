//! Upcast step paths: property names separated by `/`, no leading slash,
//! with the JSON Pointer escapes `~0` (`~`) and `~1` (`/`) inside a name.
//! Paths address object properties only; there are no array indices.

use std::fmt;

/// A parsed step path: one or more property names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path {
    segments: Vec<String>,
}

/// Why a path does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    Empty,
    LeadingSlash,
    /// `a//b` or `a/`: a segment with no name.
    EmptySegment,
    /// A `~` not followed by `0` or `1`.
    BadEscape,
    /// The new name of `rename` holds a `/`: it is one property name.
    NotAName,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::Empty => "the path is empty",
            PathError::LeadingSlash => "the path starts with `/` (write `a/b`, not `/a/b`)",
            PathError::EmptySegment => "the path has an empty property name (`a//b` or `a/`)",
            PathError::BadEscape => "`~` must be followed by `0` (for `~`) or `1` (for `/`)",
            PathError::NotAName => {
                "the new name is one property name in the same object, without `/` (use `move` to change objects)"
            }
        })
    }
}

impl std::error::Error for PathError {}

impl Path {
    pub fn parse(text: &str) -> Result<Path, PathError> {
        if text.is_empty() {
            return Err(PathError::Empty);
        }
        if text.starts_with('/') {
            return Err(PathError::LeadingSlash);
        }
        let segments = text
            .split('/')
            .map(unescape)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Path { segments })
    }

    /// A one-segment name (the `to` of `rename`): the same escapes, no `/`.
    pub fn parse_name(text: &str) -> Result<String, PathError> {
        let path = Path::parse(text)?;
        match <[String; 1]>::try_from(path.segments) {
            Ok([name]) => Ok(name),
            Err(_) => Err(PathError::NotAName),
        }
    }

    /// The path text of property names, escaped.
    pub fn text(names: &[String]) -> String {
        join(names)
    }

    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The property names leading to the last one.
    pub fn parent(&self) -> &[String] {
        &self.segments[..self.segments.len() - 1]
    }

    pub fn last(&self) -> &str {
        &self.segments[self.segments.len() - 1]
    }

    /// The same parent with another last name.
    pub fn sibling(&self, name: &str) -> Path {
        let mut segments = self.parent().to_vec();
        segments.push(name.to_owned());
        Path { segments }
    }

    /// Whether one path lies at or under the other.
    pub fn overlaps(&self, other: &Path) -> bool {
        let n = self.segments.len().min(other.segments.len());
        self.segments[..n] == other.segments[..n]
    }

    /// The JSON Pointer of the path (`/a/b`).
    pub fn pointer(&self) -> String {
        self.segments
            .iter()
            .map(|s| format!("/{}", escape(s)))
            .collect()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join(&self.segments))
    }
}

/// The path text of property names.
fn join(names: &[String]) -> String {
    names
        .iter()
        .map(|n| escape(n))
        .collect::<Vec<_>>()
        .join("/")
}

fn unescape(segment: &str) -> Result<String, PathError> {
    if segment.is_empty() {
        return Err(PathError::EmptySegment);
    }
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        match c {
            '~' => match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return Err(PathError::BadEscape),
            },
            c => out.push(c),
        }
    }
    Ok(out)
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
