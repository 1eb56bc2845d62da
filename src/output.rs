//! Safe output: one writer for standard output, and the escaping of control characters in text.
//!
//! Every command writes its standard output through [`Out`]: a buffered writer whose write
//! errors say "cannot write output: …" and keep the OS error's kind, so the binary can map a
//! closed pipe (`promptloom space coast | head -1`) to a normal end and any other failure (a
//! full disk, `/dev/full`) to one clean line, never a panic from `println!`. Call
//! [`Out::finish`] at the end: it flushes and reports the error a dropped buffer would swallow.
//!
//! Text output (one prompt per line) must not carry terminal escape sequences or other control
//! characters a user slipped into a description, a library entry or a wildcard file: every
//! control character except newline and tab — C0 (U+0000–U+001F), DEL (U+007F) and C1
//! (U+0080–U+009F) — is written as `\u{XX}` (lower-case hex), see [`escape_controls`]. JSON and
//! CSV records are unaffected: JSON escapes them itself, and CSV quotes its fields.

use std::fmt;
use std::io::{self, BufWriter, Write};

/// The error of a failed write to the output, wrapped in an `io::Error` of the same kind.
#[derive(Debug)]
pub struct OutputError(pub io::Error);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write output: {}", self.0)
    }
}

impl std::error::Error for OutputError {}

/// Wraps a write error so that it reads "cannot write output: …" and keeps its kind (a closed
/// pipe stays `BrokenPipe`).
pub fn output_error(e: io::Error) -> io::Error {
    if e.get_ref().is_some_and(|r| r.is::<OutputError>()) {
        return e;
    }
    io::Error::new(e.kind(), OutputError(e))
}

/// The OS error inside an [`output_error`], for callers that add their own "cannot write …"
/// context (so that it is not said twice); any other error is returned as it is.
pub fn plain_io(e: io::Error) -> io::Error {
    if !e.get_ref().is_some_and(|r| r.is::<OutputError>()) {
        return e;
    }
    let kind = e.kind();
    match e.into_inner().map(|b| b.downcast::<OutputError>()) {
        Some(Ok(o)) => o.0,
        _ => io::Error::from(kind),
    }
}

/// True when `e`, or an error it wraps, is a closed pipe.
pub fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(c) = cur {
        if let Some(io) = c.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::BrokenPipe
        {
            return true;
        }
        if let Some(o) = c.downcast_ref::<OutputError>()
            && o.0.kind() == io::ErrorKind::BrokenPipe
        {
            return true;
        }
        if let Some(pe) = c.downcast_ref::<crate::Error>()
            && pe.is_broken_pipe()
        {
            return true;
        }
        cur = c.source();
    }
    false
}

/// The one writer for standard output (or any other sink): buffered, with clear errors.
pub struct Out<W: Write = io::StdoutLock<'static>> {
    inner: BufWriter<W>,
}

impl Out<io::StdoutLock<'static>> {
    /// Standard output, locked for the life of the writer.
    pub fn stdout() -> Self {
        Out::new(io::stdout().lock())
    }
}

impl<W: Write> Out<W> {
    pub fn new(w: W) -> Self {
        Out {
            inner: BufWriter::with_capacity(1 << 16, w),
        }
    }

    /// Flushes; the error a dropped buffer would have swallowed is returned here.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()
    }
}

impl<W: Write> Write for Out<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(output_error)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf).map_err(output_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(output_error)
    }
}

/// True for the characters text output escapes: C0 controls other than newline and tab, DEL,
/// and C1 controls.
#[inline]
pub fn is_escaped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') && (c as u32) < 0xA0
}

/// True when `s` holds a character [`escape_controls`] would change (a byte scan: the common case
/// of plain text costs one pass and no allocation).
#[inline]
pub fn needs_escape(s: &str) -> bool {
    // A byte that may start a control character, tested 32 at a time without an early exit
    // so the test vectorises (every prompt of a batch passes through here).
    let suspect = |b: u8| {
        u8::from(b < 0x20 && b != b'\n' && b != b'\t') | u8::from(b == 0x7f) | u8::from(b == 0xc2)
    };
    s.as_bytes()
        .chunks(32)
        .any(|c| c.iter().fold(0u8, |m, &b| m | suspect(b)) != 0)
        && s.chars().any(is_escaped)
}

/// Appends `s` to `out` with every control character except newline and tab written as
/// `\u{XX}`.
pub fn escape_controls_into(s: &str, out: &mut Vec<u8>) {
    if !needs_escape(s) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let mut tmp = [0u8; 4];
    for c in s.chars() {
        if is_escaped(c) {
            out.extend_from_slice(format!("\\u{{{:x}}}", c as u32).as_bytes());
        } else {
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
    }
}

/// `s` with its control characters escaped as [`escape_controls_into`] does.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !needs_escape(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut v = Vec::with_capacity(s.len() + 8);
    escape_controls_into(s, &mut v);
    // Only ASCII was inserted in place of whole characters: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(v).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_other_than_newline_and_tab_are_escaped() {
        assert_eq!(escape_controls("plain text, é ü"), "plain text, é ü");
        assert_eq!(escape_controls("a\tb\nc"), "a\tb\nc");
        assert_eq!(escape_controls("red\u{1b}[31m fox"), "red\\u{1b}[31m fox");
        assert_eq!(escape_controls("a\rb\0c\u{7f}"), "a\\u{d}b\\u{0}c\\u{7f}");
        assert_eq!(escape_controls("x\u{9b}2Jy"), "x\\u{9b}2Jy");
        // U+00A0 and above are not controls.
        assert_eq!(escape_controls("\u{a0}\u{c2}"), "\u{a0}\u{c2}");
    }

    struct Failing(io::ErrorKind);
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(self.0))
        }
    }

    #[test]
    fn write_errors_say_what_failed_and_keep_their_kind() {
        let mut o = Out::new(Failing(io::ErrorKind::BrokenPipe));
        let _ = o.write_all(b"x");
        let e = o.finish().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&e));
        let mut o = Out::new(Failing(io::ErrorKind::StorageFull));
        let _ = o.write_all(b"x");
        let e = o.finish().unwrap_err();
        assert!(!is_broken_pipe(&e));
        assert!(e.to_string().starts_with("cannot write output: "), "{e}");
    }
}
