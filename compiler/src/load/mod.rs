//! Files to spanned documents. The loader reads and parses; it knows nothing of
//! contracts, and nothing after it reads files.

mod node;
mod syntax;
pub(crate) mod yaml;

use std::io;
use std::path::{Path, PathBuf};

pub use node::{Entry, Node, Value};
pub use yaml::MAX_DEPTH;

use crate::diagnostic::Diagnostic;
use crate::rules::RuleId;
use crate::source::{FileId, Place, Pos, SourceFile, Sources, Span};

/// Files larger than this are refused: contracts are hand-written, and a
/// multi-megabyte file is far more likely a mistake than a schema.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Names of the project config file at the contracts root.
pub const CONFIG_FILES: [&str; 2] = ["evc.yaml", "evc.yml"];

/// A file's raw bytes, named by its path relative to the contracts root.
#[derive(Debug, Clone)]
pub struct Input {
    pub relative: PathBuf,
    pub bytes: Result<Vec<u8>, String>,
}

impl Input {
    pub fn new(relative: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> Self {
        Input {
            relative: relative.into(),
            bytes: Ok(bytes.into()),
        }
    }
}

/// Everything read from one contracts root.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub contracts: Vec<Input>,
    pub config: Option<Input>,
}

/// A parsed file.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: FileId,
    pub root: Node,
}

/// What the loader hands on: sources for rendering, documents that parsed,
/// and the problems of those that did not.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Sources,
    pub documents: Vec<Document>,
    pub config: Option<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A loader finding before it is tied to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: RuleId,
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
    /// Secondary places in the same file, e.g. where a duplicate key first appears.
    pub related: Vec<(Span, String)>,
}

impl Problem {
    pub fn new(rule: RuleId, span: Span, message: impl Into<String>) -> Self {
        Problem {
            rule,
            span,
            message: message.into(),
            hint: None,
            related: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(mut self, span: Span, note: impl Into<String>) -> Self {
        self.related.push((span, note.into()));
        self
    }

    pub fn into_diagnostic(self, file: FileId) -> Diagnostic {
        let place = |span| Place { file, span };
        let mut diagnostic = Diagnostic::new(self.rule, place(self.span), self.message);
        diagnostic.hint = self.hint;
        for (span, note) in self.related {
            diagnostic = diagnostic.related(place(span), note);
        }
        diagnostic
    }
}

/// Whether a path names a contract file by its extension.
pub fn is_contract_path(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Reads every `.yaml`, `.yml` and `.json` file under `root`, in path order so
/// the result never depends on the file system. Hidden entries and symbolic
/// links are skipped: a link could lead out of the root.
pub fn read_dir(root: &Path) -> io::Result<Inputs> {
    let metadata = std::fs::metadata(root)?;
    if !metadata.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a directory", root.display()),
        ));
    }
    let mut inputs = Inputs::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_file() || !is_contract_path(entry.path()) {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_path_buf();
        inputs.add(Input {
            bytes: read_bounded(entry.path()),
            relative,
        });
    }
    Ok(inputs)
}

impl Inputs {
    /// Files as [`read_dir`] keeps them: contract files outside hidden
    /// directories. For trees that are not on disk (a git revision).
    pub fn wanted(relative: &Path) -> bool {
        is_contract_path(relative)
            && relative
                .components()
                .all(|c| !c.as_os_str().to_string_lossy().starts_with('.'))
    }

    /// Adds a file: the first `evc.yaml` at the root is the config, every
    /// other file a contract file.
    pub fn add(&mut self, input: Input) {
        let is_config = input.relative.parent() == Some(Path::new(""))
            && CONFIG_FILES.iter().any(|c| input.relative == Path::new(c));
        if is_config && self.config.is_none() {
            self.config = Some(input);
        } else {
            self.contracts.push(input);
        }
    }
}

/// Reads at most one byte past the limit, so a huge file costs no memory.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Parses every input. `display_root` prefixes paths in diagnostics.
pub fn load(inputs: Inputs, display_root: &Path) -> Loaded {
    load_observed(inputs, display_root, &mut |_| {})
}

/// [`load`], calling `parsed` with each contract file's relative path once
/// it is parsed, so a caller can show progress on a large root.
pub fn load_observed(inputs: Inputs, display_root: &Path, parsed: &mut dyn FnMut(&Path)) -> Loaded {
    let mut loaded = Loaded::default();
    if let Some(config) = inputs.config {
        loaded.config = load_one(&mut loaded, config, display_root);
    }
    for input in inputs.contracts {
        let relative = input.relative.clone();
        let document = load_one(&mut loaded, input, display_root);
        parsed(&relative);
        if let Some(document) = document {
            loaded.documents.push(document);
        }
    }
    loaded
}

fn load_one(loaded: &mut Loaded, input: Input, display_root: &Path) -> Option<Document> {
    let display = display_path(display_root, &input.relative);
    let is_json = input.relative.extension().is_some_and(|e| e == "json");
    let (text, result) = match input.bytes {
        Ok(bytes) => parse_bytes(&bytes, is_json),
        Err(error) => (
            String::new(),
            Err(Problem::new(
                RuleId::FileUnreadable,
                Span::point(Pos::START),
                format!("cannot read the file: {error}"),
            )),
        ),
    };
    let result = result.map_err(|mut problem| {
        let inside = |span: Span| Span::new(clamp(&text, span.start), clamp(&text, span.end));
        problem.span = inside(problem.span);
        for (span, _) in &mut problem.related {
            *span = inside(*span);
        }
        problem
    });
    let file = loaded.sources.add(SourceFile {
        relative: input.relative,
        display,
        text,
    });
    match result {
        Ok(root) => Some(Document { file, root }),
        Err(problem) => {
            loaded.diagnostics.push(problem.into_diagnostic(file));
            None
        }
    }
}

fn display_path(root: &Path, relative: &Path) -> String {
    let joined = if root == Path::new(".") || root.as_os_str().is_empty() {
        relative.to_path_buf()
    } else {
        root.join(relative)
    };
    crate::source::slash_path(&joined)
}

/// Decodes and parses one file. Returns the text to quote in diagnostics (lossy
/// when the bytes are not UTF-8) and the document or the first problem.
pub fn parse_bytes(bytes: &[u8], is_json: bool) -> (String, Result<Node, Problem>) {
    if bytes.len() > MAX_FILE_BYTES {
        let problem = Problem::new(
            RuleId::FileTooLarge,
            Span::point(Pos::START),
            format!(
                "the file is larger than {} MiB",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .hint("split it: one contract per file, shared definitions in their own files");
        return (String::new(), Err(problem));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let problem = Problem::new(
            RuleId::FileNotUtf8,
            Span::point(Pos::START),
            "the file is UTF-16 text; contracts are UTF-8",
        )
        .hint("re-save the file as UTF-8");
        return (String::from_utf8_lossy(bytes).into_owned(), Err(problem));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = String::from_utf8_lossy(&bytes[..error.valid_up_to()]).into_owned();
            let at = end_of(&valid);
            let problem = Problem::new(
                RuleId::FileNotUtf8,
                Span::point(at),
                format!(
                    "the file is not UTF-8 text (invalid byte 0x{:02X})",
                    bytes[error.valid_up_to()]
                ),
            )
            .hint("contracts are UTF-8 YAML or JSON; re-save the file as UTF-8");
            return (String::from_utf8_lossy(bytes).into_owned(), Err(problem));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let result = parse_text(text, is_json);
    (text.to_owned(), result)
}

fn parse_text(text: &str, is_json: bool) -> Result<Node, Problem> {
    if let Some(at) = text.find('\0') {
        return Err(Problem::new(
            RuleId::FileNotUtf8,
            Span::point(end_of(&text[..at])),
            "the file holds a NUL byte: it looks binary, not YAML or JSON",
        )
        .hint("contracts are UTF-8 YAML or JSON text"));
    }
    if is_json {
        check_json(text)?;
    }
    match yaml::parse(text)? {
        Some(node) => Ok(node),
        None => Err(Problem::new(
            RuleId::FileEmpty,
            Span::point(Pos::START),
            "the file holds no document",
        )
        .hint("write a contract (`event:` or `command:`) or a definitions file (`$defs:`)")),
    }
}

/// JSON files must be strict JSON, not merely YAML that happens to parse.
fn check_json(text: &str) -> Result<(), Problem> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let error = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    let message = error.to_string();
    if message.contains("recursion limit") {
        let at = flow_depth_exceeded(text).unwrap_or_else(|| end_of(text));
        return Err(too_deep(at));
    }
    if error.is_eof() {
        return Err(Problem::new(
            RuleId::JsonSyntax,
            Span::point(end_of(text.trim_end())),
            "JSON syntax error: the file ends in the middle of a value",
        )
        .hint("close every open string, `[` and `{`"));
    }
    // serde_json counts columns in bytes; diagnostics count characters.
    let byte_offset = line_start(text, error.line()) + error.column().saturating_sub(1);
    let offset = floor_char_boundary(text, byte_offset.min(text.len()));
    if let Some(comma) = trailing_comma(text, offset) {
        return Err(Problem::new(
            RuleId::JsonSyntax,
            Span::point(end_of(&text[..comma])),
            "JSON syntax error: trailing comma",
        )
        .hint("JSON allows no comma after the last item"));
    }
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    Err(json_problem(&message, text, offset))
}

/// serde_json's complaint at `offset` in words, at the place to fix.
fn json_problem(message: &str, text: &str, offset: usize) -> Problem {
    // serde_json stops one character into a bad literal (`nope`); point at
    // where the literal starts.
    let start = text[..offset]
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
        .len();
    let at = Span::point(end_of(&text[..start]));
    let next = text[start..].chars().next().unwrap_or(' ');
    let word: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let problem = |at: Span, words: &str, hint: &str| {
        Problem::new(
            RuleId::JsonSyntax,
            at,
            format!("JSON syntax error: {words}"),
        )
        .hint(hint)
    };
    if message.starts_with("expected `,`") {
        // The comma belongs after the previous value, often a line up.
        let (closing, kind) = if message.ends_with("`}`") {
            ('}', "object")
        } else {
            (']', "array")
        };
        let end = end_of(text[..offset].trim_end());
        let last = Pos::new(end.line, end.column.saturating_sub(1).max(1));
        return problem(
            Span::point(last),
            "a `,` is missing after this value",
            &format!("separate items with `,`, or close the {kind} with `{closing}`"),
        );
    }
    match (message, next) {
        (_, '/' | '#') => problem(
            at,
            "JSON has no comments",
            "remove the comment, or write the contract as YAML (`.yaml`), where `#` starts one",
        ),
        (_, '\'') => problem(
            at,
            "JSON strings use double quotes, not `'`",
            "write the string in double quotes",
        ),
        ("key must be a string", _) => problem(
            at,
            "an object key without quotes",
            &format!("write the key in double quotes: `\"{word}\"`"),
        ),
        _ if text[..start].trim().is_empty() => problem(
            at,
            "the file does not start with a JSON value",
            "a JSON contract is one object in `{ }`; if the file is YAML, name it `.yaml`",
        ),
        ("trailing characters", _) => problem(
            at,
            "text after the end of the document",
            "a JSON file holds one value: remove the rest, or split it into files",
        ),
        _ if !word.is_empty() => problem(
            at,
            &format!("`{word}` is not a JSON value"),
            "JSON knows `true`, `false`, `null`, numbers (no NaN or infinities) and strings in double quotes",
        ),
        _ => problem(
            at,
            message,
            "check the brackets, commas and quotes around here",
        ),
    }
}

pub(crate) fn too_deep(at: Pos) -> Problem {
    Problem::new(
        RuleId::NestingTooDeep,
        Span::point(at),
        format!("the document nests deeper than {MAX_DEPTH} levels"),
    )
    .hint("flatten the schema, or move nested parts into `$defs` and `$ref` them")
}

/// Where the first flow container (`[`, `{`) deeper than [`MAX_DEPTH`]
/// opens. Parsers stop deep flow nesting at limits of their own, past ours;
/// this finds the place ours is crossed. Quoted strings and comments are
/// skipped; block nesting is counted by the tree builder instead.
pub(crate) fn flow_depth_exceeded(text: &str) -> Option<Pos> {
    let (mut depth, mut quote, mut escaped, mut comment) = (0usize, None, false, false);
    let mut previous = '\n';
    for (i, c) in text.char_indices() {
        let here = previous;
        previous = c;
        if comment {
            comment = c != '\n';
            continue;
        }
        match (quote, c) {
            (Some('"'), _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if depth > 0 || !here.is_alphanumeric() => quote = Some(c),
            (None, '#') if here.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(end_of(&text[..i]));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, _) => {}
        }
    }
    None
}

/// The byte offset of a comma directly before a closing bracket at `offset`.
fn trailing_comma(text: &str, offset: usize) -> Option<usize> {
    let closing = text[offset..].trim_start().chars().next()?;
    if !matches!(closing, '}' | ']') {
        return None;
    }
    let before = text[..offset].trim_end();
    before.ends_with(',').then(|| before.len() - 1)
}

fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A position moved inside the text: parsers sometimes report a line past
/// the end, which no renderer could show.
fn clamp(text: &str, pos: Pos) -> Pos {
    let end = end_of(text);
    if pos > end {
        return end;
    }
    let line = text
        .split('\n')
        .nth(pos.line.max(1) as usize - 1)
        .unwrap_or("");
    let width = line.trim_end_matches('\r').chars().count() as u32 + 1;
    Pos::new(pos.line.max(1), pos.column.clamp(1, width.max(1)))
}

/// The position just past a text, for problems found where it stops.
fn end_of(text: &str) -> Pos {
    let line = text.matches('\n').count() as u32 + 1;
    let column = text.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    Pos::new(line, column)
}
