//! Reading wildcard roots: walking folders, decoding files (UTF-8 with or without a BOM,
//! UTF-16 with a BOM) and turning `.txt`, `.yaml`/`.yml` and `.json` files into wildcards.
//!
//! A file that cannot be read or parsed does not stop the load: it is kept as a [`Defect`]
//! (and, for a YAML/JSON file, as a broken wildcard named after the file), so only a template
//! that reaches it fails (or, with `--lenient`, warns). A broken file nobody uses blocks nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ast::WEIGHT_SCALE;
use super::wildcards::{Collection, Defect, Item, ValueOrder, Wildcard};
use crate::error::{Error, Location, Result};

impl Collection {
    /// Loads every `.txt`, `.yaml`, `.yml` and `.json` file under each root with
    /// dynamicprompts' default value order (sorted, duplicates removed; see [`ValueOrder`]).
    pub fn load(roots: &[PathBuf]) -> Result<Collection> {
        Collection::load_with(roots, ValueOrder::default())
    }

    /// Loads every `.txt`, `.yaml`, `.yml` and `.json` file under each root, following
    /// symlinks that stay inside the root (each directory is visited once); a symlink that
    /// leads out of its root is an error, so a wildcard folder can never read other files.
    /// Later roots add values to names that earlier roots already define. A file that cannot
    /// be decoded or parsed is kept as a defect ([`Collection::defects`]), not an error.
    pub fn load_with(roots: &[PathBuf], order: ValueOrder) -> Result<Collection> {
        let mut c = Collection::empty();
        c.set_value_order(order);
        for root in roots {
            let meta = std::fs::metadata(root).map_err(|e| Error::Io {
                path: root.clone(),
                source: e,
            })?;
            if !meta.is_dir() {
                return Err(Error::LibraryPath {
                    path: root.clone(),
                    reason: "is not a directory of wildcard files".into(),
                });
            }
            let canon = std::fs::canonicalize(root).map_err(|e| Error::Io {
                path: root.clone(),
                source: e,
            })?;
            let mut visited = BTreeSet::new();
            c.walk(root, "", &mut visited, (root, &canon))?;
        }
        Ok(c)
    }

    fn walk(
        &mut self,
        dir: &Path,
        prefix: &str,
        visited: &mut BTreeSet<PathBuf>,
        root: (&Path, &Path),
    ) -> Result<()> {
        let canon = std::fs::canonicalize(dir).map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
        if !visited.insert(canon) {
            return Ok(()); // a symlink loop or a second link to the same folder
        }
        let rd = std::fs::read_dir(dir).map_err(|e| Error::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            let Some(fname) = path.file_name().and_then(|f| f.to_str()) else {
                continue;
            };
            if fname.starts_with('.') {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&path) else {
                continue; // a dangling symlink
            };
            inside_root(&path, root.0, root.1)?;
            if meta.is_dir() {
                let sub = join(prefix, fname);
                self.walk(&path, &sub, visited, root)?;
                continue;
            }
            let (stem, ext) = match fname.rsplit_once('.') {
                Some((s, e)) => (s, e.to_ascii_lowercase()),
                None => continue,
            };
            match ext.as_str() {
                "txt" => self.load_txt(&path, join(prefix, stem)),
                "yaml" | "yml" | "json" => self.load_structured(&path, prefix, stem, &ext),
                _ => {}
            }
        }
        Ok(())
    }

    fn load_txt(&mut self, path: &Path, name: String) {
        let origin: Arc<str> = Arc::from(path.display().to_string());
        let text = match read_text(path) {
            Ok(t) if t.len() > u32::MAX as usize => Err(Defect::file(
                &origin,
                "is larger than 4 GiB; split it into several files",
            )),
            Ok(t) => Ok(t),
            Err(m) => Err(Defect::file(&origin, m)),
        };
        match text {
            Ok(text) => {
                let spans = line_spans(&text);
                self.add(Wildcard::lines(name, origin, text, spans));
            }
            Err(d) => self.add_broken(name, origin, d),
        }
    }

    fn load_structured(&mut self, path: &Path, prefix: &str, stem: &str, ext: &str) {
        let origin: Arc<str> = Arc::from(path.display().to_string());
        let parsed = read_text(path)
            .map_err(|m| Defect::file(&origin, m))
            .and_then(|text| Ok((parse_structured(&text, ext, &origin)?, text)));
        match parsed {
            Ok((value, text)) => {
                let mut at = Tree {
                    origin: &origin,
                    text: &text,
                    cursor: (0, 1),
                };
                match &value {
                    serde_yaml::Value::Mapping(_) => self.tree(&value, prefix, &mut at),
                    _ => self.tree(&value, &join(prefix, stem), &mut at),
                }
            }
            Err(d) => self.add_broken(join(prefix, stem), origin, d),
        }
    }

    /// Nested maps become path segments; lists (and lone strings) are leaves.
    fn tree(&mut self, v: &serde_yaml::Value, path: &str, at: &mut Tree<'_>) {
        use serde_yaml::Value as V;
        match v {
            V::Mapping(m) => {
                for (k, child) in m {
                    let key = match k {
                        V::String(s) => s.clone(),
                        V::Number(n) => n.to_string(),
                        V::Bool(b) => b.to_string(),
                        _ => continue,
                    };
                    self.tree(child, &join(path, &key), at);
                }
            }
            V::Sequence(items) => self.leaf(items, path, at),
            V::String(_) => self.leaf(std::slice::from_ref(v), path, at),
            V::Tagged(t) => self.tree(&t.value, path, at),
            _ => {} // `1234: 5678`: a scalar that is not a list is ignored, as upstream
        }
    }

    /// One list of a YAML/JSON file. A bad item (a weight that is not a number, a mapping
    /// without text) is left out and marks the wildcard with a defect.
    fn leaf(&mut self, items: &[serde_yaml::Value], path: &str, at: &mut Tree<'_>) {
        if path.is_empty() {
            return;
        }
        let line = at.line_of(path);
        at.seek_line(line);
        let mut list = Vec::with_capacity(items.len());
        let mut defect = None;
        for (n, v) in items.iter().enumerate() {
            match item(v) {
                Ok(Some(mut i)) => {
                    i.line = at.find(&i.text);
                    list.push(i);
                }
                Ok(None) => {}
                Err(m) => {
                    defect.get_or_insert_with(|| Defect {
                        location: Location::new(at.origin.to_string(), line as usize, 1),
                        message: format!("wildcard `{path}`, value {}: {m}", n + 1),
                    });
                }
            }
        }
        let mut w = Wildcard::items(path.to_string(), at.origin.clone(), list);
        w.line = line;
        if let Some(d) = defect {
            w.defect = Some(Arc::new(d.clone()));
            self.defects.push(d);
        }
        self.add(w);
    }

    fn add_broken(&mut self, name: String, origin: Arc<str>, d: Defect) {
        let mut w = Wildcard::items(name, origin, Vec::new());
        w.defect = Some(Arc::new(d.clone()));
        self.defects.push(d);
        self.add(w);
    }
}

/// Where a YAML/JSON file's keys are, for `file:line` in listings and messages: the first line
/// that holds the key's last segment followed by `:` (a good guess, not a parse).
struct Tree<'t> {
    origin: &'t Arc<str>,
    text: &'t str,
    /// Where the search for the next item starts: (byte offset, its line number).
    cursor: (usize, u32),
}

/// How far past the previous item the next one is looked for (items the file writes escaped
/// are not found, and must not make the search quadratic).
const ITEM_WINDOW: usize = 4096;

impl Tree<'_> {
    /// Moves the item search to the start of 1-based line `line`.
    fn seek_line(&mut self, line: u32) {
        let mut off = 0;
        for _ in 1..line {
            match self.text[off..].find('\n') {
                Some(i) => off += i + 1,
                None => break,
            }
        }
        self.cursor = (off, line);
    }

    /// The line of an item's text at or after the cursor (0 when it is not found nearby, as
    /// for text the file writes with escapes); the cursor moves to it.
    fn find(&mut self, item: &str) -> u32 {
        let first = item.lines().next().unwrap_or("").trim();
        if first.is_empty() {
            return 0;
        }
        let (off, line) = self.cursor;
        let mut end = (off + ITEM_WINDOW + first.len()).min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let Some(i) = self.text[off..end].find(first) else {
            return 0;
        };
        let at = off + i;
        let line = line + memchr::memchr_iter(b'\n', &self.text.as_bytes()[off..at]).count() as u32;
        self.cursor = (at, line);
        line
    }

    fn line_of(&self, path: &str) -> u32 {
        let key = path.rsplit('/').next().unwrap_or(path);
        for (i, l) in self.text.lines().enumerate() {
            let t = l.trim_start().trim_start_matches(['"', '\'']);
            if let Some(rest) = t.strip_prefix(key)
                && rest
                    .trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            {
                return i as u32 + 1;
            }
        }
        1
    }
}

/// Parses a YAML or JSON file into a value, or the defect with its line and column.
fn parse_structured(
    text: &str,
    ext: &str,
    origin: &Arc<str>,
) -> std::result::Result<serde_yaml::Value, Defect> {
    if ext == "json" {
        let j: serde_json::Value = serde_json::from_str(text).map_err(|e| Defect {
            location: Location::new(origin.to_string(), e.line(), e.column()),
            message: format!("invalid JSON: {e}"),
        })?;
        return serde_yaml::to_value(j).map_err(|e| Defect::file(origin, format!("{e}")));
    }
    serde_yaml::from_str(text).map_err(|e| Defect {
        location: match e.location() {
            Some(l) => Location::new(origin.to_string(), l.line(), l.column()),
            None => Location::file_only(origin.to_string()),
        },
        message: format!("invalid YAML: {e}"),
    })
}

impl Defect {
    fn file(origin: &Arc<str>, message: impl Into<String>) -> Defect {
        Defect {
            location: Location::file_only(origin.to_string()),
            message: message.into(),
        }
    }
}

/// Reads a file as text: a UTF-8 byte-order mark is dropped; UTF-16 with a byte-order mark
/// (as Windows Notepad writes "Unicode") is decoded; other text is read as UTF-8, invalid
/// sequences replaced. A file with NUL bytes and no byte-order mark is refused (UTF-16 without
/// a BOM would otherwise put NUL characters into every prompt).
pub(crate) fn read_text(path: &Path) -> std::result::Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    decode(bytes)
}

/// See [`read_text`].
pub(crate) fn decode(bytes: Vec<u8>) -> std::result::Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(String::from_utf8_lossy(rest).into_owned());
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units = rest.chunks(2).map(|c| match (c, le) {
            ([a, b], true) => u16::from_le_bytes([*a, *b]),
            ([a, b], false) => u16::from_be_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect::<String>()
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(utf16(rest, true));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(utf16(rest, false));
    }
    if memchr::memchr(0, &bytes).is_some() {
        return Err(
            "holds NUL bytes: UTF-16 without a byte-order mark, or not text; save it \
                    as UTF-8"
                .into(),
        );
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Refuses a path whose real location (symlinks resolved) is outside the root's: a root is a
/// boundary, whatever links it holds.
pub(crate) fn inside_root(path: &Path, root: &Path, canon_root: &Path) -> Result<()> {
    let real = std::fs::canonicalize(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if real.starts_with(canon_root) {
        return Ok(());
    }
    Err(Error::LibraryPath {
        path: path.to_path_buf(),
        reason: format!(
            "is a symlink that leads out of its folder {} (to {}); links must stay inside the \
             folder",
            root.display(),
            real.display()
        ),
    })
}

fn join(prefix: &str, seg: &str) -> String {
    if prefix.is_empty() {
        seg.to_string()
    } else {
        format!("{prefix}/{seg}")
    }
}

/// Trimmed spans of the value lines: blank lines and `#` comment lines are skipped.
pub fn line_spans(text: &str) -> Vec<(u32, u32)> {
    let b = text.as_bytes();
    let mut spans = Vec::with_capacity(memchr::memchr_iter(b'\n', b).count() + 1);
    let mut start = 0usize;
    let mut push = |mut a: usize, mut e: usize| {
        while a < e && b[a].is_ascii_whitespace() {
            a += 1;
        }
        while e > a && b[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if a < e && b[a] != b'#' {
            spans.push((a as u32, e as u32));
        }
    };
    for nl in memchr::memchr_iter(b'\n', b) {
        push(start, nl);
        start = nl + 1;
    }
    push(start, b.len());
    // A UTF-8 BOM at the start is not part of the first value.
    if let Some(first) = spans.first_mut()
        && text[first.0 as usize..].starts_with('\u{feff}')
    {
        first.0 += 3;
    }
    spans
}

/// One YAML/JSON list item: a string (optionally `w::text`), or `{weight, text|content}`.
/// One value of a YAML/JSON list. Weights follow the inline rule
/// ([`super::parser::weight_value`]): `Err` carries the message for a bad one; `Ok(None)` is a
/// value that is not text (a nested list), skipped as upstream does.
pub(crate) fn item(v: &serde_yaml::Value) -> std::result::Result<Option<Item>, String> {
    use serde_yaml::Value as V;
    Ok(match v {
        V::String(s) => Some(match split_weight(s)? {
            Some((w, t)) => Item {
                text: t.to_string(),
                weight: w,
                line: 0,
            },
            None => Item {
                text: s.trim().to_string(),
                weight: WEIGHT_SCALE,
                line: 0,
            },
        }),
        V::Number(n) => Some(Item {
            text: n.to_string(),
            weight: WEIGHT_SCALE,
            line: 0,
        }),
        V::Bool(b) => Some(Item {
            text: b.to_string(),
            weight: WEIGHT_SCALE,
            line: 0,
        }),
        V::Mapping(m) => {
            let Some(text) = m
                .get("text")
                .or_else(|| m.get("content"))
                .and_then(|t| match t {
                    V::String(s) => Some(s.clone()),
                    V::Number(n) => Some(n.to_string()),
                    _ => None,
                })
            else {
                return Err("a mapping value needs a `text` (or `content`) string".into());
            };
            let weight = match m.get("weight") {
                Some(V::Number(n)) => super::parser::weight_value(&n.to_string())?,
                Some(V::String(s)) => super::parser::weight_value(s.trim())?,
                None => WEIGHT_SCALE,
                Some(_) => return Err("`weight` must be a number".into()),
            };
            Some(Item {
                text,
                weight,
                line: 0,
            })
        }
        _ => None,
    })
}

/// `50::elephant` → (50 × scale, `elephant`). A string that starts with `{` is a whole variant
/// and is never split (`{3::|a|b|c}` stays one item); text in front of `::` that is not one
/// word (`a photo:: b`) is text. One word in front of `::` is a weight and must be valid.
fn split_weight(s: &str) -> std::result::Result<Option<(u64, &str)>, String> {
    let t = s.trim_start();
    if t.starts_with('{') {
        return Ok(None);
    }
    let Some((w, rest)) = t.split_once("::") else {
        return Ok(None);
    };
    let w = w.trim_end();
    if !super::parser::is_weight_word(w) {
        return Ok(None);
    }
    Ok(Some((super::parser::weight_value(w)?, rest.trim())))
}

/// A decimal weight (`3`, `0.5`, `.25`) in fixed point; `None` if it is not a valid weight.
pub fn parse_weight(s: &str) -> Option<u64> {
    super::parser::weight_value(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_and_utf16_are_decoded() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\nb".to_vec()).unwrap(), "a\nb");
        let le: Vec<u8> = [0xFF, 0xFE, b'h', 0, b'i', 0, 0xE9, 0].to_vec();
        assert_eq!(decode(le).unwrap(), "hi\u{e9}");
        let be: Vec<u8> = [0xFE, 0xFF, 0, b'h', 0, b'i'].to_vec();
        assert_eq!(decode(be).unwrap(), "hi");
        assert!(decode(vec![b'h', 0, b'i', 0]).unwrap_err().contains("NUL"));
        assert_eq!(decode(b"caf\xC3\xA9".to_vec()).unwrap(), "caf\u{e9}");
    }

    #[test]
    fn lines_skip_blanks_and_comments() {
        let t = "a\n\n# c\n  b  \r\nc";
        let spans = line_spans(t);
        let vals: Vec<&str> = spans
            .iter()
            .map(|(a, b)| &t[*a as usize..*b as usize])
            .collect();
        assert_eq!(vals, ["a", "b", "c"]);
    }

    #[test]
    fn weights() {
        assert_eq!(parse_weight("0.5"), Some(500_000));
        assert_eq!(parse_weight("3"), Some(3_000_000));
        assert_eq!(parse_weight("x"), None);
        assert_eq!(
            split_weight("50::elephant"),
            Ok(Some((50_000_000, "elephant")))
        );
        assert_eq!(split_weight("{3::|a|b}"), Ok(None));
        assert_eq!(split_weight("a photo:: b"), Ok(None));
        // D8: the inline rule, word for word.
        for bad in ["-1::x", "abc::x", "1e309::x"] {
            assert!(
                split_weight(bad).unwrap_err().contains("is not a number"),
                "{bad}"
            );
        }
        for big in ["2000000::x", "99999999999999::x"] {
            assert!(
                split_weight(big).unwrap_err().contains("too large"),
                "{big}"
            );
        }
    }
}
