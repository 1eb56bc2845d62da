//! Text the user gives in a file rather than on the command line: a description too long for
//! an argument (Linux refuses an argument over 128 KiB), read from a file or standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The file name that means standard input.
pub const STDIN: &str = "-";

/// How a text input is shown in messages: its path, or "standard input" for `-`.
pub fn shown(path: &Path) -> String {
    if path.as_os_str() == STDIN {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads a description from `path` (`-` is standard input) as `expand --file` reads a template:
/// a UTF-8 byte-order mark at the start is dropped, CRLF line ends become LF, and one final
/// newline is dropped. A file that cannot be read is an [`Error::Io`] naming it; bytes that are
/// not UTF-8 are an [`Error::Invalid`] at the line and column of the first bad byte.
pub fn read_text(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == STDIN {
        std::io::stdin().lock().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    read.map_err(|source| Error::Io {
        path: PathBuf::from(shown(path)),
        source,
    })?;
    text_of(&shown(path), bytes)
}

/// The text of `bytes` read from `name`, with the rules of [`read_text`].
pub fn text_of(name: &str, bytes: Vec<u8>) -> Result<String> {
    let mut s = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        Error::Invalid {
            location: location_of(name, &bytes[..at]),
            message: format!(
                "not valid UTF-8 (byte 0x{:02x} at offset {at}); save the text as UTF-8",
                bytes[at]
            ),
        }
    })?;
    if s.starts_with('\u{feff}') {
        s.drain(..'\u{feff}'.len_utf8());
    }
    if s.contains('\r') {
        s = s.replace("\r\n", "\n");
    }
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// The 1-based line and column (in characters) just after `before`, which is valid UTF-8.
fn location_of(name: &str, before: &[u8]) -> Location {
    let before = std::str::from_utf8(before).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let last = before.rsplit('\n').next().unwrap_or_default();
    Location::new(name, line, last.chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_final_newline_crlf_and_bom_are_dropped() {
        let t = |b: &[u8]| text_of("d", b.to_vec()).unwrap();
        assert_eq!(t(b"beach sunset\n"), "beach sunset");
        assert_eq!(t(b"beach sunset\r\n"), "beach sunset");
        assert_eq!(t(b"beach\r\nsunset\n\n"), "beach\nsunset\n");
        assert_eq!(t(b"\xef\xbb\xbfbeach"), "beach");
        assert_eq!(t(b""), "");
        assert_eq!(t("caf\u{e9}".as_bytes()), "caf\u{e9}");
    }

    #[test]
    fn bad_utf8_is_located() {
        let e = text_of("d.txt", b"beach\nsun \xc3\xa9\xffset".to_vec()).unwrap_err();
        let m = e.to_string();
        assert!(
            m.starts_with("d.txt:2:6: not valid UTF-8 (byte 0xff"),
            "{m}"
        );
        let e = text_of("d.txt", b"\xc3".to_vec()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("d.txt:1:1: not valid UTF-8 (byte 0xc3"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_file_names_it() {
        let e = read_text(Path::new("/nonexistent/promptloom/d.txt")).unwrap_err();
        assert!(matches!(e, Error::Io { .. }));
        assert!(
            e.to_string().contains("/nonexistent/promptloom/d.txt"),
            "{e}"
        );
    }
}
