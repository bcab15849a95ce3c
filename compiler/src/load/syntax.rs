//! YAML syntax errors in words, at the place to fix, with a hint.
//!
//! The parser reports where it gave up, which is often a line after the
//! mistake: an unclosed `{` is noticed at the next key, a key without its
//! `:` at the line below. Each explanation here looks at the text around
//! that point to find the mistake itself and name it.

use super::Problem;
use crate::rules::RuleId;
use crate::source::{Pos, Span};

/// A syntax error reported by the parser at `at` (1-based) with its text
/// `info`, explained.
pub(super) fn explain(info: &str, at: Pos, text: &str) -> Problem {
    let lines = Lines::new(text);
    let scan = Scan::run(text);
    let explained = None
        .or_else(|| quoted(info, at, &lines, &scan))
        .or_else(|| unclosed_flow(at, &scan))
        .or_else(|| tab(info, at, &lines))
        .or_else(|| colon(info, at, &lines))
        .or_else(|| missing_colon(info, at, &lines))
        .or_else(|| indentation(info, at, &lines))
        .or_else(|| reserved(info, at, &lines))
        .or_else(|| other(info, at));
    explained.unwrap_or_else(|| {
        syntax(at, format!("YAML syntax error: {info}")).hint(
            "check the indentation (spaces only, siblings aligned) and quote values that hold `: `, `#` or start with a YAML indicator",
        )
    })
}

fn syntax(at: Pos, message: impl Into<String>) -> Problem {
    Problem::new(RuleId::YamlSyntax, Span::point(at), message)
}

/// The text split into lines, addressed by 1-based line number.
struct Lines<'a>(Vec<&'a str>);

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines(
            text.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
        )
    }

    fn get(&self, line: u32) -> &'a str {
        self.0
            .get((line as usize).wrapping_sub(1))
            .copied()
            .unwrap_or("")
    }

    /// The nearest line before `line` holding more than blanks and a comment.
    fn content_before(&self, line: u32) -> Option<u32> {
        (1..line).rev().find(|&n| is_content(self.get(n)))
    }
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// 1-based column of a byte offset in a line.
fn column(line: &str, byte: usize) -> u32 {
    line[..byte].chars().count() as u32 + 1
}

/// Where each flow bracket and quoted string opens and whether it closes:
/// a rough reading of the text that skips comments and quoted strings,
/// enough to find what the parser left open.
#[derive(Default)]
struct Scan {
    /// Brackets still open where a line break leaves the flow collection
    /// no valid way to go on, or at the end of the text: (bracket, where).
    unclosed: Option<(char, Pos)>,
    /// Whether `unclosed` is still open where the text ends.
    open_at_end: bool,
    /// A quoted string the text ends inside: (quote, where it opens).
    open_quote: Option<(char, Pos)>,
}

struct Open {
    bracket: char,
    at: Pos,
    line_indent: usize,
}

impl Scan {
    fn run(text: &str) -> Scan {
        let lines = Lines::new(text);
        let mut scan = Scan::default();
        let mut stack: Vec<Open> = Vec::new();
        let mut quote: Option<(char, Pos)> = None;
        for (n, line) in lines.0.iter().enumerate() {
            let number = n as u32 + 1;
            if quote.is_none() && !stack.is_empty() && scan.unclosed.is_none() {
                scan.unclosed = abandoned(&stack, line);
            }
            quote = scan_line(line, number, quote, &mut stack);
        }
        if scan.unclosed.is_none() {
            scan.unclosed = stack.last().map(|o| (o.bracket, o.at));
            scan.open_at_end = scan.unclosed.is_some();
        }
        scan.open_quote = quote;
        scan
    }
}

/// The innermost open bracket when `line` cannot continue its flow
/// collection: a continuation must be indented more than the line the
/// collection opened on, or close it.
fn abandoned(stack: &[Open], line: &str) -> Option<(char, Pos)> {
    let innermost = stack.last()?;
    let trimmed = line.trim_start();
    let closes = trimmed.starts_with([']', '}']);
    (is_content(line) && !closes && indent(line) <= innermost.line_indent)
        .then_some((innermost.bracket, innermost.at))
}

/// Reads one line, updating the open brackets; returns the quoted string
/// still open at its end. Quotes and brackets count only where a value can
/// start, so the `[` of an unquoted `^[A-Z]+$` or the `"` of `5" screen` is
/// text, as it is to YAML.
fn scan_line(
    line: &str,
    number: u32,
    mut quote: Option<(char, Pos)>,
    stack: &mut Vec<Open>,
) -> Option<(char, Pos)> {
    let mut last: Option<char> = None;
    let mut previous = ' ';
    let mut escaped = false;
    for (n, c) in line.chars().enumerate() {
        let here = Pos::new(number, n as u32 + 1);
        let before = std::mem::replace(&mut previous, c);
        match quote {
            Some(('"', _)) if escaped => escaped = false,
            Some(('"', _)) if c == '\\' => escaped = true,
            Some((q, _)) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && before.is_whitespace() => break,
            None if starts_value(last) && matches!(c, '"' | '\'') => quote = Some((c, here)),
            None if starts_value(last) && matches!(c, '[' | '{') => stack.push(Open {
                bracket: c,
                at: here,
                line_indent: indent(line),
            }),
            None if !stack.is_empty() && matches!(c, ']' | '}') => {
                stack.pop();
            }
            None => {}
        }
        if !c.is_whitespace() {
            last = Some(c);
        }
    }
    quote
}

/// Whether a value may start after `last`, the line's previous visible
/// character.
fn starts_value(last: Option<char>) -> bool {
    last.is_none_or(|c| matches!(c, ':' | '-' | ',' | '[' | '{' | '?'))
}

fn closing(bracket: char) -> char {
    if bracket == '{' {
        '}'
    } else {
        ']'
    }
}

fn collection(bracket: char) -> &'static str {
    if bracket == '{' {
        "mapping"
    } else {
        "list"
    }
}

/// A `{` or `[` left open: the parser reads on into the next lines and
/// stops somewhere after, so name the bracket instead.
fn unclosed_flow(at: Pos, scan: &Scan) -> Option<Problem> {
    let (bracket, opened) = scan.unclosed?;
    if opened > at {
        return None;
    }
    let close = closing(bracket);
    let kind = collection(bracket);
    let (message, stop) = if scan.open_at_end {
        (
            format!("the file ends before this `{bracket}` is closed"),
            "the file ends here".to_owned(),
        )
    } else {
        (
            format!("this `{bracket}` is never closed"),
            format!("the parser looked for `{close}` up to here"),
        )
    };
    let problem = Problem::new(
        RuleId::YamlSyntax,
        Span::new(opened, Pos::new(opened.line, opened.column + 1)),
        message,
    )
    .hint(format!(
        "end the {kind} with `{close}`, or write it in block style, one item per line"
    ));
    if opened.line == at.line && !scan.open_at_end {
        return Some(problem);
    }
    Some(problem.related(Span::point(at), stop))
}

/// A quoted string without its closing quote, or with a bad escape.
fn quoted(info: &str, at: Pos, lines: &Lines, scan: &Scan) -> Option<Problem> {
    if !info.contains("quoted scalar") {
        return None;
    }
    if info.contains("escape") || info.contains("hexadecimal") {
        return Some(bad_escape(at, lines.get(at.line)));
    }
    if info.contains("trailing content") {
        return Some(
            syntax(at, "text follows the closing quote")
                .hint("put the whole value inside the quotes"),
        );
    }
    let under = lines
        .get(at.line)
        .chars()
        .nth(at.column as usize - 1)
        .filter(|c| matches!(c, '"' | '\''));
    let (quote, opened) = match (under, scan.open_quote) {
        (Some(q), _) => (q, at),
        (None, Some(open)) => open,
        (None, None) => return None,
    };
    let inner = if quote == '\'' {
        "write a `'` inside the string as `''`"
    } else {
        "write a `\"` inside the string as `\\\"`"
    };
    Some(
        Problem::new(
            RuleId::YamlSyntax,
            Span::new(opened, Pos::new(opened.line, opened.column + 1)),
            "this quoted string is never closed",
        )
        .hint(format!("end it with `{quote}` on the same line; {inner}")),
    )
}

/// The characters YAML allows after `\` in a double-quoted string.
const ESCAPES: &str = "0abt\tnvfre \"/\\N_LPxuU";

/// A `\` the parser refused; it reports the string's opening quote, so
/// find the escape itself.
fn bad_escape(at: Pos, line: &str) -> Problem {
    let start = line
        .char_indices()
        .nth(at.column as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    let Some((byte, escape)) = first_bad_escape(&line[start..]) else {
        return syntax(at, "an invalid escape in a double-quoted string").hint(
            "write a backslash as `\\\\`, or use single quotes, where `\\` is an ordinary character",
        );
    };
    let place = Pos::new(at.line, column(line, start + byte));
    let content: String = line
        .get(start + 1..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    Problem::new(
        RuleId::YamlSyntax,
        Span::new(place, Pos::new(at.line, place.column + 2)),
        format!("`\\{escape}` is no escape in a double-quoted string"),
    )
    .hint(format!(
        "use single quotes, where `\\` is an ordinary character: `{}`; or double the backslash: `\\\\{escape}`",
        quote_value(&content)
    ))
}

/// The byte offset and letter of the first unknown escape in a string that
/// starts with its opening quote.
fn first_bad_escape(quoted: &str) -> Option<(usize, char)> {
    let mut chars = quoted.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next() {
                Some((_, e)) if !ESCAPES.contains(e) => return Some((i, e)),
                Some(_) => {}
                None => return None,
            },
            _ => {}
        }
    }
    None
}

/// A tab in indentation: the parser reports the character after it, or the
/// start of the value whose next line it indents.
fn tab(info: &str, at: Pos, lines: &Lines) -> Option<Problem> {
    if !info.contains("tab") {
        return None;
    }
    let (line, byte) = [at.line, at.line + 1, at.line.saturating_sub(1)]
        .into_iter()
        .find_map(|n| lines.get(n).find('\t').map(|b| (n, b)))?;
    let place = Pos::new(line, column(lines.get(line), byte));
    Some(
        Problem::new(
            RuleId::YamlSyntax,
            Span::new(place, Pos::new(line, place.column + 1)),
            "a tab character in the indentation; YAML indents with spaces only",
        )
        .hint("replace the tab with spaces, lining the key up with its siblings"),
    )
}

/// `mapping values are not allowed`: a `: ` where YAML takes the text for a
/// value, from a second `: ` on a line, a `-` without its space, or a key
/// indented under a scalar.
fn colon(info: &str, at: Pos, lines: &Lines) -> Option<Problem> {
    if !info.contains("mapping values are not allowed") {
        return None;
    }
    let line = lines.get(at.line);
    let before = line
        .char_indices()
        .nth(at.column as usize - 1)
        .map_or(line, |(i, _)| &line[..i]);
    if let Some(key_end) = before.find(": ") {
        return Some(second_colon(at, line, key_end));
    }
    let previous = lines.content_before(at.line)?;
    let above = lines.get(previous);
    let above_text = above.trim_start();
    if above_text.starts_with('-') && !above_text.starts_with("- ") && above_text != "-" {
        return Some(dash_without_space(previous, above));
    }
    over_indented(at.line, line, previous, above)
}

fn second_colon(at: Pos, line: &str, key_end: usize) -> Problem {
    let key = line[..key_end].trim_start();
    let value = strip_comment(&line[key_end + 2..]).trim();
    syntax(
        at,
        "a second `: ` on the line: YAML reads the unquoted value as a mapping",
    )
    .hint(format!("quote the value: `{key}: {}`", quote_value(value)))
}

fn strip_comment(text: &str) -> &str {
    text.find(" #").map_or(text, |i| &text[..i])
}

fn quote_value(value: &str) -> String {
    if value.contains('"') || value.contains('\\') {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        format!("\"{value}\"")
    }
}

fn dash_without_space(number: u32, line: &str) -> Problem {
    let text = line.trim_start();
    let word: String = text.chars().take_while(|c| *c != ':').collect();
    let at = Pos::new(number, column(line, indent(line)));
    Problem::new(
        RuleId::YamlSyntax,
        Span::new(at, Pos::new(number, at.column + 1)),
        format!("`{word}` is a key, not a list item: a `-` needs a space after it"),
    )
    .hint(format!("write `- {}`", &word[1..]))
}

/// A key indented deeper than the `key: value` line above it, which YAML
/// then reads as the rest of that value.
fn over_indented(number: u32, line: &str, previous: u32, above: &str) -> Option<Problem> {
    let (key_column, above_key) = key_of(above)?;
    let (_, value) = above.split_once(": ")?;
    if indent(line) <= key_column || strip_comment(value).trim().is_empty() {
        return None;
    }
    let key: String = line
        .trim_start()
        .chars()
        .take_while(|c| *c != ':')
        .collect();
    let at = Pos::new(number, column(line, indent(line)));
    Some(
        Problem::new(
            RuleId::YamlSyntax,
            Span::new(at, Pos::new(number, at.column + key.chars().count() as u32)),
            format!(
                "`{key}` is indented more than `{above_key}` on line {previous}, so YAML reads it as part of that value"
            ),
        )
        .hint(format!(
            "indent `{key}` by {key_column} spaces, like `{above_key}`"
        )),
    )
}

/// Where a line's key starts (past any `- `) and the key itself.
fn key_of(line: &str) -> Option<(usize, String)> {
    let mut start = indent(line);
    while line[start..].starts_with("- ") {
        start += 2 + indent(&line[start + 2..]);
    }
    let key: String = line[start..].chars().take_while(|c| *c != ':').collect();
    (!key.is_empty()).then_some((start, key))
}

/// A key without its `:`: YAML reads it and the next line as one long key
/// and notices only at the line after.
fn missing_colon(info: &str, at: Pos, lines: &Lines) -> Option<Problem> {
    if !info.contains("expect ':'") && !info.contains("expected ':'") {
        return None;
    }
    // The parser notices on the line the key ran into, or on the key's own.
    let number = [Some(at.line), lines.content_before(at.line)]
        .into_iter()
        .flatten()
        .filter(|&n| is_content(lines.get(n)))
        .find(|&n| !strip_comment(lines.get(n)).contains(':'))?;
    let line = lines.get(number);
    let text = strip_comment(line).trim();
    let place = Pos::new(number, column(line, indent(line)));
    let fixed = match text.split_once(' ') {
        Some((key, value)) => format!("{key}: {}", value.trim_start()),
        None => format!("{text}:"),
    };
    Some(
        Problem::new(
            RuleId::YamlSyntax,
            Span::new(
                place,
                Pos::new(number, place.column + text.chars().count() as u32),
            ),
            "this line has no `:` between its key and its value",
        )
        .hint(format!("write `{fixed}`")),
    )
}

/// A line indented to no level of the lines above it.
fn indentation(info: &str, at: Pos, lines: &Lines) -> Option<Problem> {
    let expected = [
        "expected '-' indicator",
        "expected key",
        "invalid indentation",
    ];
    if !expected.iter().any(|e| info.contains(e)) {
        return None;
    }
    let line = lines.get(at.line);
    let spaces = indent(line);
    let levels = levels_above(at.line, lines);
    if levels.iter().any(|(column, _, _)| *column == spaces) {
        return None;
    }
    let word: String = line
        .trim_start()
        .chars()
        .take_while(|c| *c != ':')
        .collect();
    let place = Pos::new(at.line, spaces as u32 + 1);
    let mut options = Vec::new();
    let deeper = levels
        .iter()
        .filter(|(c, _, _)| *c > spaces)
        .min_by_key(|l| l.0);
    // The nearest line wins a tie: `rev` makes it the last maximum.
    let shallower = levels
        .iter()
        .rev()
        .filter(|(c, _, _)| *c < spaces)
        .max_by_key(|l| l.0);
    for (column, key, number) in deeper.into_iter().chain(shallower) {
        options.push(format!("{column} spaces like `{key}` on line {number}"));
    }
    Some(
        Problem::new(
            RuleId::YamlSyntax,
            Span::new(
                place,
                Pos::new(at.line, place.column + word.chars().count() as u32),
            ),
            format!("`{word}` is indented by {spaces} spaces, which lines up with no key above it"),
        )
        .hint(format!(
            "YAML nests by indentation: indent it by {}",
            options.join(", or ")
        )),
    )
}

/// The indentation levels open at `line`, nearest first: (spaces, what
/// starts there, line number).
fn levels_above(line: u32, lines: &Lines) -> Vec<(usize, String, u32)> {
    let mut levels = Vec::new();
    let mut limit = usize::MAX;
    for number in (1..line).rev() {
        let text = lines.get(number);
        if !is_content(text) || indent(text) >= limit {
            continue;
        }
        limit = indent(text);
        if let Some((column, key)) = key_of(text) {
            if column != limit {
                levels.push((column, key, number));
            }
        }
        let first: String = text
            .trim_start()
            .chars()
            .take_while(|c| *c != ':')
            .collect();
        levels.push((limit, first, number));
        if limit == 0 {
            break;
        }
    }
    levels
}

/// `@` and `` ` `` are reserved; other characters cannot start a value.
fn reserved(info: &str, at: Pos, lines: &Lines) -> Option<Problem> {
    let c = info
        .strip_prefix("unexpected character: `")?
        .chars()
        .next()?;
    let line = lines.get(at.line);
    let start = line
        .char_indices()
        .nth(at.column as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    let rest = strip_comment(&line[start..]);
    // Inside `{ }` or `[ ]` the value ends at the next separator.
    let in_flow = line[..start].contains(['{', '[']);
    let value = match rest.find([',', '}', ']']) {
        Some(end) if in_flow => &rest[..end],
        _ => rest,
    }
    .trim();
    let problem = if c == '`' {
        let after = line.get(start + 1..).unwrap_or("");
        let bare = after.split('`').next().unwrap_or("");
        syntax(at, "a backquote cannot start an unquoted value").hint(format!(
            "YAML quotes with `'` or `\"`, not backquotes: `{}`",
            quote_value(bare)
        ))
    } else {
        syntax(at, format!("`{c}` cannot start an unquoted value"))
            .hint(format!("quote the value: `{}`", quote_value(value)))
    };
    Some(problem)
}

/// The rest, named in words where the parser's text is terse.
fn other(info: &str, at: Pos) -> Option<Problem> {
    let (message, hint) = if info.contains("unknown anchor") {
        (
            "an alias (`*name`) to an anchor that is not defined",
            "contracts share schemas with `$ref`, not YAML anchors and aliases",
        )
    } else if info.contains("block sequence entries are not allowed") {
        (
            "a list item where a value is expected",
            "start the list on the line after its key, indented: `key:` then `  - item`",
        )
    } else if info.contains("did not find expected node content") {
        (
            "a value is missing here",
            "write the value, or quote it if it starts with `]`, `}`, `,` or another YAML indicator",
        )
    } else if info.contains("flow mapping") || info.contains("flow sequence") {
        (
            "a flow collection is not separated or closed here",
            "separate the items with `, ` and close `{` with `}` and `[` with `]`",
        )
    } else {
        return None;
    };
    Some(syntax(at, message).hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(text: &str) -> Problem {
        super::super::yaml::parse(text).unwrap_err()
    }

    fn at(problem: &Problem) -> (u32, u32) {
        (problem.span.start.line, problem.span.start.column)
    }

    #[test]
    fn an_unclosed_brace_is_named_where_it_opens() {
        let p = explained("a:\n  b: { c: 1\n  d: 2\n");
        assert_eq!(at(&p), (2, 6));
        assert_eq!(p.message, "this `{` is never closed");
        assert_eq!(p.related.len(), 1);
    }

    #[test]
    fn a_flow_mapping_may_go_on_over_deeper_lines() {
        let p = explained("a: { b: 1,\n     c: @x }\n");
        assert!(p.message.contains("`@`"), "{p:?}");
    }

    #[test]
    fn a_bracket_inside_an_unquoted_value_is_text() {
        let p = explained("a: ^[A-Z\nb: 5\" screen\nc: @x\n");
        assert!(p.message.contains("`@`"), "{p:?}");
    }

    #[test]
    fn a_long_line_is_read_once() {
        let text = format!("a: {{ b: {}\nc: 1\n", "x".repeat(1_000_000));
        let p = explained(&text);
        assert_eq!(at(&p), (1, 4));
    }

    #[test]
    fn a_tab_is_named_where_it_is() {
        let p = explained("a:\n  b: 1\n\tc: 2\n");
        assert_eq!(at(&p), (3, 1), "{p:?}");
        assert!(p.hint.is_some());
    }

    #[test]
    fn a_key_without_its_colon_is_named_on_its_own_line() {
        let p = explained("a: 1\nb 2\nc: 3\n");
        assert_eq!(at(&p), (2, 1));
        assert_eq!(p.hint.as_deref(), Some("write `b: 2`"));
    }

    #[test]
    fn a_key_without_its_colon_below_a_list_is_named() {
        let p = explained("a:\n  - x\nb: 1\nc: 2\nd e\nf: 3\n");
        assert_eq!(at(&p), (5, 1), "{p:?}");
    }

    #[test]
    fn a_second_colon_suggests_quoting() {
        let p = explained("a: Note: x\n");
        assert_eq!(p.hint.as_deref(), Some("quote the value: `a: \"Note: x\"`"));
    }

    #[test]
    fn every_explanation_has_a_hint() {
        for text in [
            "a: [1, 2\nb: 3\n",
            "a: 'x\nb: 2\n",
            "a: \"x\\q\"\n",
            "a: *nope\n",
            "a: - b\n",
            "a: b\n c: d\n",
            "- a\nb: 1\n",
            "a: `x`\n",
            "a:\n  b: 1\n c: 2\n",
        ] {
            let p = explained(text);
            assert_eq!(p.rule, RuleId::YamlSyntax, "{text:?}");
            assert!(p.hint.is_some(), "{text:?}: {p:?}");
        }
    }
    #[test]
    fn any_message_at_any_place_is_explained_without_panicking() {
        let infos = [
            "while scanning a quoted scalar, found unknown escape character",
            "while scanning a quoted scalar, found unexpected end of stream",
            "invalid trailing content after double-quoted scalar",
            "tabs disallowed within this context (block indentation)",
            "mapping values are not allowed in this context",
            "simple key expect ':'",
            "while parsing a block mapping, did not find expected key",
            "unexpected character: `@'",
            "unexpected character: ``'",
            "while parsing node, found unknown anchor",
            "something new",
        ];
        let texts = [
            "",
            "a",
            "é: \"\\q",
            "- `x\n\t",
            "a: { b\n",
            "  -x: 1\n   y: 2\n",
            "a b\n",
        ];
        for info in infos {
            for text in texts {
                for line in 0..4 {
                    for column in 1..8 {
                        let p = explain(info, Pos::new(line, column), text);
                        assert!(p.hint.is_some(), "{info} {text:?} {line}:{column}");
                    }
                }
            }
        }
    }
}
