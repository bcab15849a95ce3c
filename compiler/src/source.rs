//! Source files and positions shared by every stage.
//!
//! Positions are kept as 1-based line and column (counted in characters, as
//! editors and rustc show them); byte offsets are derived only when a renderer
//! needs them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A position in a source file: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

/// A half-open range of positions in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    pub fn point(pos: Pos) -> Self {
        Span {
            start: pos,
            end: pos,
        }
    }

    /// The empty span at this span's start, for findings about a whole node
    /// that should not underline all of it.
    pub fn start_point(self) -> Self {
        Span::point(self.start)
    }

    /// Where the spanned text ends: the start again for a point (or a span
    /// whose end was never set).
    pub fn last(self) -> Pos {
        if self.end > self.start {
            self.end
        } else {
            self.start
        }
    }
}

/// Index of a file in a [`Sources`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A place in the sources: a file and a span in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub file: FileId,
    pub span: Span,
}

/// One source file: its path relative to the contracts root, the path to show
/// in diagnostics, and its text (lossily decoded when it was not UTF-8, so a
/// diagnostic can still quote it).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub relative: PathBuf,
    pub display: String,
    pub text: String,
}

impl SourceFile {
    /// The relative path with `/` separators, as used in `$ref` and config.
    pub fn relative_slash(&self) -> String {
        slash_path(&self.relative)
    }

    /// Byte offset of a position, clamped to the text.
    pub fn offset(&self, pos: Pos) -> usize {
        let mut line_start = 0;
        for _ in 1..pos.line.max(1) {
            match self.text[line_start..].find('\n') {
                Some(i) => line_start += i + 1,
                None => return self.text.len(),
            }
        }
        let line_text = &self.text[line_start..];
        let column = pos.column.max(1) as usize - 1;
        match line_text.char_indices().nth(column) {
            Some((i, _)) => line_start + i,
            None => line_start + line_text.len(),
        }
    }
}

/// All files of one run, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    by_relative: HashMap<String, FileId>,
}

impl Sources {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.by_relative.insert(file.relative_slash(), id);
        self.files.push(file);
        id
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn find_relative(&self, relative: &str) -> Option<FileId> {
        self.by_relative.get(relative).copied()
    }

    /// Appends the files of another run, shown as `prefix` + their path, and
    /// returns the offset to add to that run's file ids. `find_relative`
    /// keeps naming this run's files: the appended ones are only rendered.
    pub fn append(&mut self, other: Sources, prefix: &str) -> u32 {
        let offset = self.files.len() as u32;
        self.files
            .extend(other.files.into_iter().map(|file| SourceFile {
                display: format!("{prefix}{}", file.display),
                ..file
            }));
        offset
    }
}

/// A path with `/` separators whatever the platform.
pub fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
