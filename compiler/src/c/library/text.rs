//! Source text written directly, in the layout prettyplease gives it. The
//! C ABI's per-type items (structs, layout tables, conversions) grow with
//! every property of a wide contract, and parsing them back with syn to
//! print them cost several times what making them did; they are regular
//! enough to be written as text. Only identifiers from the view and
//! literals made by [`string`] go into it.

use proc_macro2::{Delimiter, Ident, Literal, Spacing, TokenStream, TokenTree};
use quote::quote;

/// The margin a call or a chain is broken at, as prettyplease's.
const WIDTH: usize = 100;
const INDENT: &str = "    ";

/// A Rust string literal of `text`, escaped so that nothing in it can end
/// the literal.
pub fn string(text: &str) -> String {
    Literal::string(text).to_string()
}

/// A type written by the bindings, as text: `Vec<contracts::Item>`,
/// `::std::collections::BTreeMap<String, f64>`, `()`.
pub fn type_text(tokens: TokenStream) -> String {
    let mut out = String::new();
    write_type(tokens, &mut out);
    out
}

fn write_type(tokens: TokenStream, out: &mut String) {
    let mut word_before = false;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                if word_before {
                    out.push(' ');
                }
                out.push_str(&ident.to_string());
                word_before = true;
            }
            TokenTree::Literal(literal) => {
                if word_before {
                    out.push(' ');
                }
                out.push_str(&literal.to_string());
                word_before = true;
            }
            TokenTree::Punct(punct) => {
                match punct.as_char() {
                    ',' => out.push_str(", "),
                    '=' if punct.spacing() == Spacing::Alone => out.push_str(" = "),
                    other => out.push(other),
                }
                word_before = false;
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_type(group.stream(), out);
                out.push_str(close);
                word_before = false;
            }
        }
    }
}

/// An item given as tokens, printed by prettyplease as it reads inside
/// `mod module`: for the few irregular items, which text would not make
/// cheaper to any degree that matters.
pub fn printed(module: &Ident, item: TokenStream) -> String {
    let text = match syn::parse2::<syn::File>(quote!(mod #module { #item })) {
        Ok(file) => prettyplease::unparse(&file),
        // Unreachable for generated tokens: say so where rustc will show it.
        Err(e) => {
            let message = format!("evc generated code that does not parse: {e}");
            return format!("    compile_error!({});\n", string(&message));
        }
    };
    text.split_once('\n')
        .and_then(|(_, rest)| rest.strip_suffix("}\n"))
        .map_or_else(|| text.clone(), str::to_string)
}

/// A method chain: a receiver and its `.method(…)` calls, written on one
/// line when it fits and one call a line when not.
#[derive(Clone)]
pub struct Chain {
    pub receiver: String,
    pub calls: Vec<String>,
}

impl Chain {
    pub fn new(receiver: impl Into<String>) -> Self {
        Chain {
            receiver: receiver.into(),
            calls: Vec::new(),
        }
    }

    pub fn then(mut self, call: impl Into<String>) -> Self {
        self.calls.push(call.into());
        self
    }

    /// The chain with `?` after its last call.
    pub fn tried(mut self) -> Self {
        match self.calls.last_mut() {
            Some(call) => call.push('?'),
            None => self.receiver.push('?'),
        }
        self
    }

    fn flat(&self) -> String {
        let mut out = self.receiver.clone();
        for call in &self.calls {
            out.push_str(call);
        }
        out
    }

    /// The chain after `lead` and before `tail` on a line of `w`: one
    /// line, or each call on its own line one level deeper.
    fn lines(&self, w: &Writer, lead: &str, tail: &str) -> String {
        let flat = self.flat();
        if self.calls.is_empty() || w.fits(lead.len() + flat.len() + tail.len()) {
            return format!("{lead}{flat}{tail}");
        }
        let mut out = format!("{lead}{}", self.receiver);
        for call in &self.calls {
            out.push('\n');
            out.push_str(INDENT);
            out.push_str(call);
        }
        out.push_str(tail);
        out
    }
}

/// Lines of source at a depth of indentation.
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    pub fn new(depth: usize) -> Self {
        Writer {
            out: String::new(),
            depth,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Whether `len` characters fit on a line at the current depth.
    pub fn fits(&self, len: usize) -> bool {
        self.depth * INDENT.len() + len <= WIDTH
    }

    /// A line, or several: the lines after a text's first keep their
    /// indentation relative to it.
    pub fn line(&mut self, text: &str) {
        for line in text.split('\n') {
            if !line.is_empty() {
                for _ in 0..self.depth {
                    self.out.push_str(INDENT);
                }
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
    }

    /// A line that opens a block: what follows is one level deeper.
    pub fn open(&mut self, text: &str) {
        self.line(text);
        self.depth += 1;
    }

    /// The line that closes the block [`Writer::open`] opened.
    pub fn close(&mut self, text: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(text);
    }

    /// A line that closes a block and opens the next: `} else {`.
    pub fn reopen(&mut self, text: &str) {
        self.close(text);
        self.depth += 1;
    }

    pub fn doc(&mut self, text: &str) {
        if text.is_empty() {
            self.line("///");
        } else {
            self.line(&format!("/// {text}"));
        }
    }

    /// `head(arguments)tail` on one line when it fits; else each argument
    /// on its own line, one level deeper, followed by a comma.
    pub fn call(&mut self, head: &str, arguments: &[String], tail: &str) {
        self.arguments(head, arguments, tail, ",");
    }

    /// A macro's [`Writer::call`]: no comma after the last argument.
    pub fn macro_call(&mut self, head: &str, arguments: &[String], tail: &str) {
        self.arguments(head, arguments, tail, "");
    }

    fn arguments(&mut self, head: &str, arguments: &[String], tail: &str, last: &str) {
        let joined = arguments.join(", ");
        let one_line = !joined.contains('\n');
        if one_line && self.fits(head.len() + joined.len() + 2 + tail.len()) {
            self.line(&format!("{head}({joined}){tail}"));
            return;
        }
        self.open(&format!("{head}("));
        for (index, argument) in arguments.iter().enumerate() {
            let comma = if index + 1 == arguments.len() {
                last
            } else {
                ","
            };
            self.line(&format!("{argument}{comma}"));
        }
        self.close(&format!("){tail}"));
    }

    /// A chain as a line (or lines) of its own, between `lead` and `tail`.
    pub fn chain(&mut self, lead: &str, chain: &Chain, tail: &str) {
        let text = chain.lines(self, lead, tail);
        self.line(&text);
    }

    /// `lead`, a chain and `tail` on one line when they fit; else the chain
    /// alone on the lines between them, one level deeper, as a call's
    /// single argument (`lead` ends in `(`, `tail` starts with `)`).
    pub fn enclosed(&mut self, lead: &str, chain: &Chain, tail: &str) {
        let flat = chain.flat();
        if self.fits(lead.len() + flat.len() + tail.len()) {
            self.line(&format!("{lead}{flat}{tail}"));
            return;
        }
        self.open(lead);
        self.chain("", chain, ",");
        self.close(tail);
    }

    /// Whether `len` characters fit on a line one level deeper.
    pub fn fits_deeper(&self, len: usize) -> bool {
        (self.depth + 1) * INDENT.len() + len <= WIDTH
    }

    /// A chain as one argument of a call written at the current depth.
    pub fn argument(&self, lead: &str, chain: &Chain) -> String {
        let inner = Writer {
            out: String::new(),
            depth: self.depth + 1,
        };
        chain
            .lines(&inner, lead, ",")
            .strip_suffix(',')
            .map(str::to_string)
            .unwrap_or_default()
    }

    /// A function's signature and opening brace: the parameters on one
    /// line when they fit, else one a line.
    pub fn signature(&mut self, head: &str, parameters: &[String], ret: &str) {
        self.call(head, parameters, &format!("{ret} {{"));
        self.depth += 1;
    }

    /// A [`Writer::signature`] returning `Result<ok, err>`: when even its
    /// last line would not fit, the two types go one a line.
    pub fn signature_result(&mut self, head: &str, parameters: &[String], ok: &str, err: &str) {
        let ret = format!(" -> Result<{ok}, {err}>");
        let joined = parameters.join(", ");
        let one_line = head.len() + joined.len() + ret.len() + 4;
        if self.fits(one_line) || self.fits(ret.len() + 3) {
            self.signature(head, parameters, &ret);
            return;
        }
        self.open(&format!("{head}("));
        for parameter in parameters {
            self.line(&format!("{parameter},"));
        }
        self.close(") -> Result<");
        self.depth += 1;
        self.line(&format!("{ok},"));
        self.line(&format!("{err},"));
        self.close("> {");
        self.depth += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_cannot_be_broken_out_of() {
        let hostile = "a\"); panic!(\"b\\";
        let literal = string(hostile);
        let parsed: syn::LitStr = syn::parse_str(&literal).expect("a string literal");
        assert_eq!(parsed.value(), hostile);
    }

    #[test]
    fn types_read_as_written() {
        let map = quote!(::std::collections::BTreeMap<String, Vec<contracts::Item>>);
        assert_eq!(
            type_text(map),
            "::std::collections::BTreeMap<String, Vec<contracts::Item>>"
        );
        assert_eq!(type_text(quote!(())), "()");
        assert_eq!(
            type_text(quote!(Box<dyn Iterator<Item = u8>>)),
            "Box<dyn Iterator<Item = u8>>"
        );
        assert_eq!(
            type_text(quote!(Box<contracts::r#type>)),
            "Box<contracts::r#type>"
        );
    }

    #[test]
    fn long_calls_break_one_argument_a_line() {
        let mut w = Writer::new(1);
        w.call("f", &["a".to_string(), "b".to_string()], ";");
        let long = "x".repeat(60);
        w.call("g", &[long.clone(), long.clone()], ";");
        assert_eq!(
            w.finish(),
            format!("    f(a, b);\n    g(\n        {long},\n        {long},\n    );\n")
        );
    }

    #[test]
    fn long_chains_break_one_call_a_line() {
        let w = Writer::new(3);
        let chain = Chain::new("x".repeat(50))
            .then(".map(Some)")
            .then(format!(".{}()", "y".repeat(40)));
        let text = chain.lines(&w, "v: ", "?,");
        assert_eq!(
            text,
            format!(
                "v: {}\n    .map(Some)\n    .{}()?,",
                "x".repeat(50),
                "y".repeat(40)
            )
        );
    }
}
