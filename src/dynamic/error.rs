//! Diagnostics for dynamic templates: the message, where, and the source line with a caret
//! under the span, so a user sees exactly which `{` is unclosed or which `__name__` is unknown.

use std::fmt;
use std::sync::Arc;

use super::ast::Span;

/// Where a template came from: its text, a name for messages (a file path or `<template>`) and
/// the 1-based line its text starts on (wildcard values start on their own line of a file).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: Arc<str>,
    pub text: Arc<str>,
    pub first_line: u32,
    /// True for a value of a wildcard file (its errors say that `--lenient` goes on).
    pub(crate) in_collection: bool,
}

impl Source {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
            first_line: 1,
            in_collection: false,
        }
    }

    /// A diagnostic pointing at `span` of this source. A span that ends (or starts) inside a
    /// character, such as "one byte after" a non-ASCII character, is widened to whole
    /// characters, so that no span can make a message panic.
    pub fn diagnostic(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        let text = &*self.text;
        let mut start = (span.start as usize).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.end as usize).clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_no = text[..start].matches('\n').count() as u32 + self.first_line;
        let line_text = text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let column = text[line_start..start].chars().count() as u32 + 1;
        let caret_end = end.min(line_end).max(start);
        let width = text[start..caret_end].chars().count().max(1) as u32;
        Diagnostic {
            message: message.into(),
            origin: self.name.clone(),
            line: line_no,
            column,
            line_text,
            caret_len: width,
            help: None,
        }
    }
}

/// An error in something a user wrote, rendered with the offending line and a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub origin: Arc<str>,
    pub line: u32,
    pub column: u32,
    pub line_text: String,
    pub caret_len: u32,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        // Tabs would shift the caret; show them as single spaces.
        let shown = self.line_text.replace('\t', " ");
        writeln!(f, "{}", self.message)?;
        writeln!(f, "{pad}--> {}:{}:{}", self.origin, self.line, self.column)?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{num} | {shown}")?;
        write!(
            f,
            "{pad} | {}{}",
            " ".repeat(self.column.saturating_sub(1) as usize),
            "^".repeat(self.caret_len as usize)
        )?;
        if let Some(h) = &self.help {
            write!(f, "\n{pad} = help: {h}")?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for crate::Error {
    fn from(d: Diagnostic) -> Self {
        crate::Error::Dynamic(Box::new(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by tests/fuzz.rs: `${a é=1}` pointed one byte past the `é`'s first byte, and
    /// rendering the message panicked.
    #[test]
    fn a_span_inside_a_character_is_widened_to_it() {
        let src = Source::new("t.txt", "${a é=1} 雪");
        for (s, e) in [(4, 5), (5, 5), (5, 6), (11, 12), (12, 99), (99, 100)] {
            let d = src.diagnostic(Span::new(s, e), "x");
            assert_eq!(d.line, 1);
            assert!(d.caret_len >= 1);
            let _ = d.to_string();
        }
        let d = src.diagnostic(Span::new(4, 5), "x");
        assert_eq!((d.column, d.caret_len), (5, 1));
    }

    #[test]
    fn caret_sits_under_the_span_on_its_line() {
        let src = Source::new("t.txt", "first line\na {b|c and more");
        let d = src.diagnostic(Span::new(13, 14), "unclosed `{`");
        assert_eq!(d.line, 2);
        assert_eq!(d.column, 3);
        let shown = d.to_string();
        assert!(shown.contains("--> t.txt:2:3"), "{shown}");
        assert!(shown.contains("2 | a {b|c and more"), "{shown}");
        assert!(
            shown.ends_with("  | ^") || shown.contains("|   ^"),
            "{shown}"
        );
    }

    #[test]
    fn first_line_offsets_line_numbers() {
        let mut src = Source::new("w.txt", "x __y");
        src.first_line = 40;
        let d = src.diagnostic(Span::new(2, 5), "m");
        assert_eq!((d.line, d.column, d.caret_len), (40, 3, 3));
    }
}
