use codespan_reporting::diagnostic::{Diagnostic as Rendered, Label, Severity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};

use crate::diagnostic::Diagnostic;
use crate::pipeline::Lint;
use crate::rules::Level;
use crate::source::{Place, SourceFile, Sources};

pub fn render(lint: &Lint, color: bool) -> String {
    let mut out = findings(lint, color);
    out.push_str(&summary(lint));
    out
}

/// The findings without the closing summary line.
pub fn findings(lint: &Lint, color: bool) -> String {
    let buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    emit(&lint.sources, &lint.diagnostics, &config, buffer)
}

/// Renders `diagnostics` with codespan into `buffer`; the caller picks the
/// characters and the colour.
pub(super) fn emit(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    config: &term::Config,
    mut buffer: Buffer,
) -> String {
    let shown: Vec<SourceFile> = sources.iter().map(|(_, f)| printable(f)).collect();
    let mut files = SimpleFiles::new();
    for source in &shown {
        files.add(source.display.clone(), source.text.clone());
    }
    for diagnostic in diagnostics {
        let rendered = convert(&shown, diagnostic);
        // Sources and ranges come from the same run, so rendering cannot miss a file.
        let _ = term::emit_to_write_style(&mut buffer, config, &files, &rendered);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// The file with control characters replaced one for one, so quoting a
/// binary file cannot drive the terminal; positions stay valid.
fn printable(file: &SourceFile) -> SourceFile {
    let text = file
        .text
        .chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    SourceFile {
        text,
        ..file.clone()
    }
}

fn convert(shown: &[SourceFile], d: &Diagnostic) -> Rendered<usize> {
    let severity = match d.level {
        Level::Error => Severity::Error,
        _ => Severity::Warning,
    };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    match line_width(shown, d.place) {
        width if width > MAX_QUOTED_LINE => notes.push(format!(
            "--> {}:{}:{} (a line of {width} characters, not quoted)",
            shown[d.place.file.0 as usize].display,
            d.place.span.start.line,
            d.place.span.start.column
        )),
        _ => labels.push(Label::primary(
            d.place.file.0 as usize,
            range(shown, d.place),
        )),
    }
    for (place, note) in &d.related {
        if line_width(shown, *place) <= MAX_QUOTED_LINE {
            labels.push(
                Label::secondary(place.file.0 as usize, range(shown, *place))
                    .with_message(note.clone()),
            );
        }
    }
    notes.extend(super::consequences(d, |place| {
        shown[place.file.0 as usize].display.as_str()
    }));
    if let Some(hint) = &d.hint {
        notes.push(format!("help: {hint}"));
    }
    Rendered::new(severity)
        .with_code(d.rule.as_str())
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// Longer lines (minified JSON) are named, not quoted: one finding should
/// not print a megabyte.
const MAX_QUOTED_LINE: usize = 400;

fn line_width(shown: &[SourceFile], place: Place) -> usize {
    let file = &shown[place.file.0 as usize];
    let start = file.offset(crate::source::Pos::new(place.span.start.line, 1));
    file.text[start..]
        .split('\n')
        .next()
        .unwrap_or("")
        .chars()
        .count()
}

/// Byte range of a place, cut to its first line so a finding about a whole
/// mapping underlines where it starts, not fifty lines.
fn range(shown: &[SourceFile], place: Place) -> std::ops::Range<usize> {
    let file = &shown[place.file.0 as usize];
    let start = file.offset(place.span.start);
    let line_end = file.text[start..]
        .find('\n')
        .map_or(file.text.len(), |i| start + i);
    let end = file.offset(place.span.end).clamp(start, line_end);
    if end > start {
        return start..end;
    }
    // Widen an empty span to the character under it, when there is one.
    let next = file.text[start..line_end]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    start..next
}

fn summary(lint: &Lint) -> String {
    let errors = lint.count(Level::Error);
    let warnings = lint.count(Level::Warn);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "evc: {}, {} in {} ({})\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(lint.sources.len(), "file"),
        plural(lint.model.contracts.len(), "contract"),
    )
}
