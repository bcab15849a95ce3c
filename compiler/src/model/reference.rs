//! `$ref` text to a target: a root-relative file path and pointer tokens.
//! Only relative file references with JSON-pointer fragments are resolved;
//! anything that could reach outside the contracts root is refused.

use crate::rules::RuleId;

/// Where a `$ref` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Root-relative path with `/` separators; `None` for the same document.
    pub file: Option<String>,
    pub pointer: Vec<String>,
    /// A plain-name fragment (`#Money`): the schema with that `$anchor`.
    pub anchor: Option<String>,
}

/// Why a `$ref` cannot be followed, before any file is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub rule: RuleId,
    pub message: String,
    pub hint: &'static str,
}

/// Parses `$ref` text found in the file at `from` (root-relative).
pub fn parse(text: &str, from: &str) -> Result<Target, Refused> {
    if text.contains("://") || text.starts_with("urn:") || text.starts_with("//") {
        return Err(Refused {
            rule: RuleId::RefUnsupported,
            message: format!("remote `$ref` `{text}` is not resolved"),
            hint: "copy the definition into a file under the contracts root and refer to it by relative path",
        });
    }
    let (path, fragment) = match text.split_once('#') {
        Some((path, fragment)) => (path, fragment),
        None => (text, ""),
    };
    let (pointer, anchor) =
        match parse_fragment(fragment) {
            Some(pointer) => (pointer, None),
            None if is_anchor(fragment) => (Vec::new(), Some(fragment.to_owned())),
            None => return Err(Refused {
                rule: RuleId::RefUnsupported,
                message: format!(
                    "`$ref` fragment `#{fragment}` is neither a JSON pointer nor an anchor name"
                ),
                hint:
                    "write a JSON pointer such as `#/$defs/Money`, or the name an `$anchor` gives",
            }),
        };
    if path.is_empty() {
        return Ok(Target {
            file: None,
            pointer,
            anchor,
        });
    }
    let file = join(from, path).ok_or_else(|| Refused {
        rule: RuleId::RefEscapesRoot,
        message: format!("`$ref` `{text}` leads outside the contracts root"),
        hint: "keep shared definitions inside the contracts directory",
    })?;
    Ok(Target {
        file: Some(file),
        pointer,
        anchor,
    })
}

/// A plain name as `$anchor` allows: a letter or `_`, then letters,
/// digits, `-`, `_`, `.` and `:`.
pub fn is_anchor(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// Splits and unescapes a URI fragment holding a JSON pointer.
pub fn parse_fragment(fragment: &str) -> Option<Vec<String>> {
    let decoded = percent_decode(fragment)?;
    if decoded.is_empty() {
        return Some(Vec::new());
    }
    let rest = decoded.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Resolves `path` against the directory of `from`; `None` if the result
/// leaves the root (through `..`, an absolute path, or a drive prefix).
pub(super) fn join(from: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Renders pointer tokens as a JSON pointer.
pub fn pointer_text(tokens: &[String]) -> String {
    // Every schema of a wide payload keeps one: sized exactly, built in place.
    let length = tokens.iter().map(|t| 1 + escaped_len(t)).sum();
    let mut text = String::with_capacity(length);
    for token in tokens {
        text.push('/');
        for c in token.chars() {
            match c {
                '~' => text.push_str("~0"),
                '/' => text.push_str("~1"),
                c => text.push(c),
            }
        }
    }
    text
}

fn escaped_len(token: &str) -> usize {
    token.len() + token.bytes().filter(|b| matches!(b, b'~' | b'/')).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_referring_file() {
        let target = parse("../common/money.yaml#/$defs/Money", "orders/order.yaml").unwrap();
        assert_eq!(target.file.as_deref(), Some("common/money.yaml"));
        assert_eq!(target.pointer, vec!["$defs", "Money"]);
    }

    #[test]
    fn local_pointers_are_unescaped() {
        let target = parse("#/$defs/a~1b/c~0d%20e", "x.yaml").unwrap();
        assert_eq!(target.file, None);
        assert_eq!(target.pointer, vec!["$defs", "a/b", "c~d e"]);
    }

    #[test]
    fn escaping_the_root_is_refused() {
        let cases = [
            ("../x.yaml", "order.yaml"),
            ("a/../../../x.yaml", "orders/order.yaml"),
            ("/etc/passwd", "orders/order.yaml"),
            ("C:/x.yaml", "orders/order.yaml"),
        ];
        for (text, from) in cases {
            assert_eq!(
                parse(text, from).unwrap_err().rule,
                RuleId::RefEscapesRoot,
                "{text}"
            );
        }
        assert_eq!(
            parse("a/../../x.yaml", "orders/order.yaml")
                .unwrap()
                .file
                .as_deref(),
            Some("x.yaml")
        );
    }

    #[test]
    fn remote_refs_are_unsupported_and_anchors_are_names() {
        assert_eq!(
            parse("https://x/y.json", "a.yaml").unwrap_err().rule,
            RuleId::RefUnsupported
        );
        let target = parse("common.yaml#Money", "a.yaml").unwrap();
        assert_eq!(target.anchor.as_deref(), Some("Money"));
        assert_eq!(
            parse("#1bad name", "a.yaml").unwrap_err().rule,
            RuleId::RefUnsupported
        );
    }
}
