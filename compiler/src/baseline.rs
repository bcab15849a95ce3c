//! The tree a change is judged against: another directory, or the same
//! contracts root at a git revision.
//!
//! A revision is read straight from the object store (`git ls-tree` and
//! `git cat-file`), never checked out: the working tree stays as it is, and
//! nothing is written to disk.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::load::{self, Input, Inputs};
use crate::source::slash_path;

/// The baseline's files, and how to name them.
#[derive(Debug)]
pub struct Baseline {
    /// What the user named: a directory or a revision, as given.
    pub label: String,
    /// Put before each file's path relative to the contracts root when it is
    /// shown: `HEAD~1:schemas/` (git's `REV:path`) or the directory.
    pub display_prefix: String,
    pub inputs: Inputs,
}

/// Why there is no baseline. Each is a usage error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A directory baseline that cannot be read.
    #[error("cannot read the baseline {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        error: io::Error,
    },
    /// The contracts root, where git has to run, is not a directory.
    #[error("{} is not a directory", dir.display())]
    NoDirectory { dir: PathBuf },
    /// `git` could not be started.
    #[error(
        "cannot run git ({0}); a revision baseline needs git on the PATH, \
         or pass a directory to --against"
    )]
    GitMissing(#[source] io::Error),
    #[error(
        "{} is not inside a git repository, so --against must be a directory ({detail})",
        dir.display()
    )]
    NotARepository { dir: PathBuf, detail: String },
    #[error(
        "`{revision}` is neither a directory nor a git revision{}",
        parenthesised(detail)
    )]
    UnknownRevision { revision: String, detail: String },
    /// A git command that should not fail did.
    #[error("`{command}` failed: {detail}")]
    Git { command: String, detail: String },
}

/// ` (detail)`, or nothing when git said nothing.
fn parenthesised(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

/// The baseline named by `against`: an existing path is a directory,
/// anything else a revision of the git repository that holds `dir`, whose
/// baseline is the same subdirectory at that revision.
pub fn resolve(dir: &Path, against: &str) -> Result<Baseline, Error> {
    let path = Path::new(against);
    if path.exists() {
        return directory(path);
    }
    revision(dir, against)
}

fn directory(path: &Path) -> Result<Baseline, Error> {
    let inputs = load::read_dir(path).map_err(|error| Error::Unreadable {
        path: path.to_path_buf(),
        error,
    })?;
    let shown = slash_path(path);
    let display_prefix = if shown.is_empty() || shown == "." {
        String::new()
    } else {
        format!("{}/", shown.trim_end_matches('/'))
    };
    Ok(Baseline {
        label: shown,
        display_prefix,
        inputs,
    })
}

fn revision(dir: &Path, revision: &str) -> Result<Baseline, Error> {
    if !dir.is_dir() {
        return Err(Error::NoDirectory {
            dir: dir.to_path_buf(),
        });
    }
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
        Error::Git { detail, .. } => Error::NotARepository {
            dir: dir.to_path_buf(),
            detail,
        },
        other => other,
    })?;
    let top = PathBuf::from(line(&top));
    let prefix = line(&git(dir, &["rev-parse", "--show-prefix"])?).to_owned();
    let commit = commit(dir, revision)?;
    let mut listing = vec!["--literal-pathspecs", "ls-tree", "-r", "-z", &commit];
    if !prefix.is_empty() {
        listing.extend(["--", &prefix]);
    }
    let tree = git(&top, &listing)?;
    let blobs = blobs(&tree, &prefix);
    let contents = cat_files(&top, &blobs)?;
    let mut inputs = Inputs::default();
    for ((relative, _), bytes) in blobs.into_iter().zip(contents) {
        inputs.add(Input::new(relative, bytes));
    }
    Ok(Baseline {
        label: revision.to_owned(),
        display_prefix: format!("{revision}:{prefix}"),
        inputs,
    })
}

/// The commit a revision names; a leading `-` would be read as an option.
fn commit(dir: &Path, revision: &str) -> Result<String, Error> {
    let unknown = |detail: String| Error::UnknownRevision {
        revision: revision.to_owned(),
        detail,
    };
    if revision.is_empty() || revision.starts_with('-') {
        return Err(unknown(String::new()));
    }
    let spec = format!("{revision}^{{commit}}");
    match git(dir, &["rev-parse", "--verify", "--quiet", &spec]) {
        Ok(out) => Ok(line(&out).to_owned()),
        Err(Error::Git { detail, .. }) => Err(unknown(detail)),
        Err(other) => Err(other),
    }
}

/// Contract files of an `ls-tree -r -z` listing under `prefix`, by path
/// relative to it, in the order `read_dir` would find them. A path that is
/// not UTF-8 cannot be named in a `$ref` or a finding, and is left out.
fn blobs(listing: &[u8], prefix: &str) -> Vec<(PathBuf, String)> {
    let mut found: Vec<(PathBuf, String)> = listing
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = std::str::from_utf8(entry).ok()?;
            let (meta, path) = entry.split_once('\t')?;
            let mut fields = meta.split(' ');
            let (mode, kind, object) = (fields.next()?, fields.next()?, fields.next()?);
            // Symbolic links are skipped, as on disk: one could lead out of the root.
            if kind != "blob" || mode == "120000" {
                return None;
            }
            let relative = PathBuf::from(path.strip_prefix(prefix)?);
            Inputs::wanted(&relative).then(|| (relative, object.to_owned()))
        })
        .collect();
    found.sort();
    found
}

/// The contents of the blobs, read in one `git cat-file --batch`.
fn cat_files(top: &Path, blobs: &[(PathBuf, String)]) -> Result<Vec<Vec<u8>>, Error> {
    let command = "git cat-file --batch";
    let failed = |detail: String| Error::Git {
        command: command.to_owned(),
        detail,
    };
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(top)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Error::GitMissing)?;
    let request: String = blobs.iter().map(|(_, id)| format!("{id}\n")).collect();
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed("no stdin".into()))?;
    // Written from another thread: git answers while it reads, and a full
    // pipe on either side would otherwise stall both.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| failed("no stderr".into()))?;
    let complaints = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut out = Vec::new();
    let read = child
        .stdout
        .take()
        .ok_or_else(|| failed("no stdout".into()))?
        .read_to_end(&mut out);
    let written = writer.join();
    let detail = complaints.join().unwrap_or_default();
    let status = child.wait().map_err(|e| failed(e.to_string()))?;
    read.map_err(|e| failed(e.to_string()))?;
    if !status.success() || !matches!(written, Ok(Ok(()))) {
        return Err(failed(detail.trim().to_owned()));
    }
    parse_batch(&out, blobs.len()).ok_or_else(|| failed("unexpected output".into()))
}

/// Splits `cat-file --batch` output: per object a header
/// `<id> blob <size>\n`, the bytes, and a newline.
fn parse_batch(mut out: &[u8], count: usize) -> Option<Vec<Vec<u8>>> {
    let mut contents = Vec::with_capacity(count);
    for _ in 0..count {
        let end = out.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&out[..end]).ok()?;
        let mut fields = header.split(' ');
        let (_, kind, size) = (fields.next()?, fields.next()?, fields.next()?);
        if kind != "blob" {
            return None;
        }
        let size: usize = size.parse().ok()?;
        let body = out.get(end + 1..end + 1 + size)?;
        contents.push(body.to_vec());
        out = out.get(end + 2 + size..)?;
    }
    Some(contents)
}

/// Runs git in `dir`; its stdout on success, its stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(Error::GitMissing)?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    Err(Error::Git {
        command: format!("git {}", args.join(" ")),
        detail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// The first line of a command's output.
fn line(out: &[u8]) -> &str {
    std::str::from_utf8(out)
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_keeps_contract_blobs_under_the_prefix() {
        let listing = b"100644 blob aaa\tschemas/a.yaml\0\
            120000 blob bbb\tschemas/link.yaml\0\
            100644 blob ccc\tschemas/.hidden/b.yaml\0\
            100644 blob ddd\tschemas/readme.md\0\
            160000 commit eee\tschemas/sub\0\
            100644 blob fff\tschemas/evc.yaml\0";
        let found = blobs(listing, "schemas/");
        assert_eq!(
            found,
            vec![
                (PathBuf::from("a.yaml"), "aaa".to_owned()),
                (PathBuf::from("evc.yaml"), "fff".to_owned()),
            ]
        );
    }

    #[test]
    fn batch_output_splits_by_size_not_by_newline() {
        let out = b"aaa blob 4\na\nb\n\nbbb blob 0\n\n";
        assert_eq!(
            parse_batch(out, 2),
            Some(vec![b"a\nb\n".to_vec(), Vec::new()])
        );
        assert_eq!(parse_batch(b"aaa missing\n", 1), None);
        assert_eq!(parse_batch(b"aaa blob 99\nshort\n", 1), None);
    }
}
