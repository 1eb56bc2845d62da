//! Wildcard collections: trees of `.txt`, `.yaml`/`.yml` and `.json` files (including the NSP
//! "pantry" form) under one or more roots.
//!
//! Text files are kept as one string plus a `(start, end)` offset pair per value, so a
//! million-line file costs its own size plus 8 bytes a line and any value is reached in O(1).
//! Values are parsed lazily, only when a wildcard is first used, and only lines that may contain
//! syntax are parsed at all.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::Template;
use super::ast::WEIGHT_SCALE;
use super::error::{Diagnostic, Source};
use super::parser::{self, may_have_syntax};
use crate::error::{Error, Location, Result};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One named wildcard: the values of one text file or one YAML/JSON list.
#[derive(Debug)]
pub struct Wildcard {
    pub name: String,
    /// The file it came from, for messages.
    pub origin: Arc<str>,
    entries: Entries,
    parsed: OnceLock<std::result::Result<Vec<(u32, Template)>, Diagnostic>>,
    /// Number of combinations when enumerated (saturating), computed once.
    pub(crate) comb_size: OnceLock<std::result::Result<u128, Diagnostic>>,
}

#[derive(Debug)]
enum Entries {
    /// A text file: its contents and the trimmed span of each value line.
    Lines {
        text: String,
        spans: Vec<(u32, u32)>,
    },
    /// YAML/JSON items, each with a fixed-point weight; `cumulative` is set when the weights
    /// differ, for O(log n) weighted draws.
    Items {
        items: Vec<Item>,
        cumulative: Option<Vec<u64>>,
    },
}

#[derive(Debug)]
struct Item {
    text: String,
    weight: u64,
}

impl Wildcard {
    fn lines(name: String, origin: Arc<str>, text: String, spans: Vec<(u32, u32)>) -> Self {
        Wildcard {
            name,
            origin,
            entries: Entries::Lines { text, spans },
            parsed: OnceLock::new(),
            comb_size: OnceLock::new(),
        }
    }

    fn items(name: String, origin: Arc<str>, items: Vec<Item>) -> Self {
        let uniform = items.iter().all(|i| i.weight == WEIGHT_SCALE);
        let cumulative = (!uniform).then(|| {
            let mut acc = 0u64;
            items
                .iter()
                .map(|i| {
                    acc = acc.saturating_add(i.weight);
                    acc
                })
                .collect()
        });
        Wildcard {
            name,
            origin,
            entries: Entries::Items { items, cumulative },
            parsed: OnceLock::new(),
            comb_size: OnceLock::new(),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::Lines { spans, .. } => spans.len(),
            Entries::Items { items, .. } => items.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw text of value `i`.
    pub fn value(&self, i: usize) -> &str {
        match &self.entries {
            Entries::Lines { text, spans } => {
                let (a, b) = spans[i];
                &text[a as usize..b as usize]
            }
            Entries::Items { items, .. } => &items[i].text,
        }
    }

    /// Bytes held on the heap for the values (text and index), for memory checks.
    pub fn heap_bytes(&self) -> usize {
        match &self.entries {
            Entries::Lines { text, spans } => {
                text.capacity() + spans.capacity() * std::mem::size_of::<(u32, u32)>()
            }
            Entries::Items { items, cumulative } => {
                items
                    .iter()
                    .map(|i| i.text.capacity() + std::mem::size_of::<Item>())
                    .sum::<usize>()
                    + cumulative.as_ref().map_or(0, |c| c.capacity() * 8)
            }
        }
    }

    /// True when every value has the same weight.
    pub fn is_uniform(&self) -> bool {
        matches!(
            &self.entries,
            Entries::Lines { .. }
                | Entries::Items {
                    cumulative: None,
                    ..
                }
        )
    }

    /// Sum of the fixed-point weights.
    pub fn total_weight(&self) -> u64 {
        match &self.entries {
            Entries::Items {
                cumulative: Some(c),
                ..
            } => c.last().copied().unwrap_or(0),
            _ => (self.len() as u64).saturating_mul(WEIGHT_SCALE),
        }
    }

    pub fn weight(&self, i: usize) -> u64 {
        match &self.entries {
            Entries::Items { items, .. } => items[i].weight,
            Entries::Lines { .. } => WEIGHT_SCALE,
        }
    }

    /// The value whose weight interval holds `x` (`x < total_weight()`).
    pub fn locate_weight(&self, x: u64) -> usize {
        match &self.entries {
            Entries::Items {
                cumulative: Some(c),
                ..
            } => c.partition_point(|acc| *acc <= x).min(c.len() - 1),
            _ => (x / WEIGHT_SCALE) as usize,
        }
    }

    /// The source of value `i` for messages; `lines` carries (byte offset, line number) of the
    /// previous value looked up, so that numbering every line of a file is one pass over it.
    fn source_of(&self, i: usize, lines: &mut (usize, u32)) -> Source {
        match &self.entries {
            Entries::Lines { text, spans } => {
                let start = spans[i].0 as usize;
                if start < lines.0 {
                    *lines = (0, 1);
                }
                let between = &text.as_bytes()[lines.0..start];
                let line = lines.1 + memchr::memchr_iter(b'\n', between).count() as u32;
                *lines = (start, line);
                Source {
                    name: self.origin.clone(),
                    text: Arc::from(self.value(i)),
                    first_line: line,
                }
            }
            Entries::Items { .. } => Source {
                name: Arc::from(format!(
                    "{} (wildcard `{}`, value {})",
                    self.origin,
                    self.name,
                    i + 1
                )),
                text: Arc::from(self.value(i)),
                first_line: 1,
            },
        }
    }

    /// The parsed template of value `i`, or `None` when the value is plain text.
    pub fn template(&self, i: usize) -> std::result::Result<Option<&Template>, Diagnostic> {
        let parsed = self.parsed.get_or_init(|| {
            let mut out = Vec::new();
            let mut lines = (0, 1);
            for j in 0..self.len() {
                let raw = self.value(j);
                if !may_have_syntax(raw) {
                    continue;
                }
                let src = self.source_of(j, &mut lines);
                let node = parser::parse(&src)?;
                if node.as_text().as_deref() == Some(raw) {
                    continue;
                }
                out.push((j as u32, Template::from_parts(src, node)));
            }
            Ok(out)
        });
        match parsed {
            Ok(list) => Ok(list
                .binary_search_by_key(&(i as u32), |(j, _)| *j)
                .ok()
                .map(|k| &list[k].1)),
            Err(d) => Err(d.clone()),
        }
    }
}

/// What a wildcard name resolved to: the wildcards whose values are pooled, in a fixed order.
#[derive(Debug, Default)]
pub struct Resolution {
    pub ids: Vec<u32>,
    /// Prefix sums of value counts, one per id.
    pub cum_count: Vec<u64>,
    /// Prefix sums of total weights, one per id.
    pub cum_weight: Vec<u64>,
    pub uniform: bool,
    /// Close names, for "did you mean" when nothing matched.
    pub suggestions: Vec<String>,
}

impl Resolution {
    pub fn total_count(&self) -> u64 {
        self.cum_count.last().copied().unwrap_or(0)
    }

    pub fn total_weight(&self) -> u64 {
        self.cum_weight.last().copied().unwrap_or(0)
    }

    /// Global value index `g` → (wildcard position in `ids`, value index).
    pub fn locate(&self, g: u64) -> (usize, usize) {
        let w = self.cum_count.partition_point(|c| *c <= g);
        let before = if w == 0 { 0 } else { self.cum_count[w - 1] };
        (w, (g - before) as usize)
    }
}

/// A loaded set of wildcards, addressed by `/`-separated names without file extensions.
#[derive(Debug)]
pub struct Collection {
    id: u64,
    wildcards: Vec<Wildcard>,
    names: BTreeMap<String, Vec<u32>>,
}

impl Default for Collection {
    fn default() -> Self {
        Collection::empty()
    }
}

impl Collection {
    /// A collection without wildcards (templates that only use variants and variables).
    pub fn empty() -> Self {
        Collection {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            wildcards: Vec::new(),
            names: BTreeMap::new(),
        }
    }

    /// Loads every `.txt`, `.yaml`, `.yml` and `.json` file under each root, following
    /// symlinks that stay inside the root (each directory is visited once); a symlink that
    /// leads out of its root is an error, so a wildcard folder can never read other files.
    /// Later roots add values to names that earlier roots already define.
    pub fn load(roots: &[PathBuf]) -> Result<Collection> {
        let mut c = Collection::empty();
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

    /// Unique id of this collection, used to cache name resolution inside templates.
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn get(&self, id: u32) -> &Wildcard {
        &self.wildcards[id as usize]
    }

    /// All wildcard names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Bytes held on the heap by all values, for memory checks.
    pub fn heap_bytes(&self) -> usize {
        self.wildcards.iter().map(Wildcard::heap_bytes).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn add(&mut self, w: Wildcard) {
        let id = self.wildcards.len() as u32;
        self.names.entry(w.name.clone()).or_default().push(id);
        self.wildcards.push(w);
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
                "txt" => {
                    let name = join(prefix, stem);
                    let w = load_txt(&path, name)?;
                    self.add(w);
                }
                "yaml" | "yml" | "json" => {
                    let text = read_string(&path)?;
                    let value: serde_yaml::Value = if ext == "json" {
                        serde_json::from_str::<serde_json::Value>(&text)
                            .map_err(|e| Error::Json {
                                location: Location::new(
                                    path.display().to_string(),
                                    e.line(),
                                    e.column(),
                                ),
                                message: e.to_string(),
                            })
                            .and_then(|j| {
                                serde_yaml::to_value(j).map_err(|e| Error::Json {
                                    location: Location::file_only(path.display().to_string()),
                                    message: e.to_string(),
                                })
                            })?
                    } else {
                        serde_yaml::from_str(&text).map_err(|e| Error::Yaml {
                            location: match e.location() {
                                Some(l) => {
                                    Location::new(path.display().to_string(), l.line(), l.column())
                                }
                                None => Location::file_only(path.display().to_string()),
                            },
                            message: e.to_string(),
                        })?
                    };
                    let origin: Arc<str> = Arc::from(path.display().to_string());
                    match &value {
                        serde_yaml::Value::Mapping(_) => self.tree(&value, prefix, &origin)?,
                        _ => self.tree(&value, &join(prefix, stem), &origin)?,
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Nested maps become path segments; lists (and lone strings) are leaves.
    fn tree(&mut self, v: &serde_yaml::Value, path: &str, origin: &Arc<str>) -> Result<()> {
        use serde_yaml::Value as V;
        let bad = |n: usize, m: String| Error::Invalid {
            location: Location::file_only(origin.to_string()),
            message: format!("wildcard `{path}`, value {n}: {m}"),
        };
        match v {
            V::Mapping(m) => {
                for (k, child) in m {
                    let key = match k {
                        V::String(s) => s.clone(),
                        V::Number(n) => n.to_string(),
                        V::Bool(b) => b.to_string(),
                        _ => continue,
                    };
                    self.tree(child, &join(path, &key), origin)?;
                }
            }
            V::Sequence(items) => {
                let mut list = Vec::with_capacity(items.len());
                for (n, v) in items.iter().enumerate() {
                    if let Some(i) = item(v).map_err(|m| bad(n + 1, m))? {
                        list.push(i);
                    }
                }
                let items = list;
                if !path.is_empty() {
                    self.add(Wildcard::items(path.to_string(), origin.clone(), items));
                }
            }
            V::String(_) => {
                if !path.is_empty()
                    && let Some(i) = item(v).map_err(|m| bad(1, m))?
                {
                    self.add(Wildcard::items(path.to_string(), origin.clone(), vec![i]));
                }
            }
            V::Tagged(t) => self.tree(&t.value, path, origin)?,
            _ => {} // `1234: 5678`: a scalar that is not a list is ignored, as upstream
        }
        Ok(())
    }

    /// Resolves a name: exact match, then glob (`*`, `**`, `?`, `[…]`), then the same name
    /// anywhere in the tree (`__fox__` finds `animals/fox`).
    pub fn resolve(&self, name: &str) -> Resolution {
        let mut ids: Vec<u32> = Vec::new();
        if let Some(v) = self.names.get(name) {
            ids.extend(v);
        } else if name.contains(['*', '?', '[']) {
            let glob = Glob::new(name);
            for (n, v) in &self.names {
                if glob.matches(n) {
                    ids.extend(v);
                }
            }
        } else {
            let suffix = format!("/{name}");
            for (n, v) in &self.names {
                if n.ends_with(&suffix) {
                    ids.extend(v);
                }
            }
        }
        let mut r = Resolution {
            uniform: true,
            ..Resolution::default()
        };
        let (mut c, mut w) = (0u64, 0u64);
        for id in ids {
            let wc = self.get(id);
            if wc.is_empty() {
                continue;
            }
            c += wc.len() as u64;
            w = w.saturating_add(wc.total_weight());
            r.uniform &= wc.is_uniform();
            r.ids.push(id);
            r.cum_count.push(c);
            r.cum_weight.push(w);
        }
        if r.ids.is_empty() {
            r.suggestions = crate::suggest::close_matches(name, self.names());
            if r.suggestions.is_empty() {
                // Suggest by last segment too: `__colr__` → `palette/color`.
                let last = name.rsplit('/').next().unwrap_or(name);
                let lasts: Vec<(&str, &str)> = self
                    .names()
                    .map(|n| (n.rsplit('/').next().unwrap_or(n), n))
                    .collect();
                let hits = crate::suggest::close_matches(last, lasts.iter().map(|(l, _)| *l));
                for h in hits {
                    if let Some((_, full)) = lasts.iter().find(|(l, _)| *l == h) {
                        r.suggestions.push((*full).to_string());
                    }
                }
            }
        }
        r
    }

    /// True when `name` names a wildcard that exists but has no values.
    pub fn exists_but_empty(&self, name: &str) -> bool {
        self.names
            .get(name)
            .is_some_and(|v| v.iter().all(|id| self.get(*id).is_empty()))
    }
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

fn read_string(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    // A UTF-8 byte-order mark (written by some Windows editors) is not part of the text.
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn load_txt(path: &Path, name: String) -> Result<Wildcard> {
    let text = read_string(path)?;
    if text.len() > u32::MAX as usize {
        return Err(Error::LibraryPath {
            path: path.to_path_buf(),
            reason: "is larger than 4 GiB; split it into several files".into(),
        });
    }
    let spans = line_spans(&text);
    Ok(Wildcard::lines(
        name,
        Arc::from(path.display().to_string()),
        text,
        spans,
    ))
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
fn item(v: &serde_yaml::Value) -> std::result::Result<Option<Item>, String> {
    use serde_yaml::Value as V;
    Ok(match v {
        V::String(s) => Some(match split_weight(s)? {
            Some((w, t)) => Item {
                text: t.to_string(),
                weight: w,
            },
            None => Item {
                text: s.trim().to_string(),
                weight: WEIGHT_SCALE,
            },
        }),
        V::Number(n) => Some(Item {
            text: n.to_string(),
            weight: WEIGHT_SCALE,
        }),
        V::Bool(b) => Some(Item {
            text: b.to_string(),
            weight: WEIGHT_SCALE,
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
            Some(Item { text, weight })
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

/// fnmatch-style matching on `/`-separated names: `*` and `?` stay inside one segment, `**`
/// crosses segments (and `**/` may match no segment at all), `[a-z]` and `[!a-z]` are classes.
/// `?` and classes match one Unicode character.
pub fn glob_match(p: &str, s: &str) -> bool {
    Glob::new(p).matches(s)
}

/// A compiled glob, matched by simulating its automaton over the name: time O(pattern × name),
/// with no backtracking (a recursive matcher took exponential time on `*a*a*a*a*b`).
#[derive(Debug, Clone)]
pub struct Glob {
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum Tok {
    Lit(char),
    /// `?`: one character other than `/`.
    One,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**`: any run of characters.
    DoubleStar,
    /// Before `**/`: the three may match nothing at all (zero segments).
    SkipNext(usize),
    Class {
        negate: bool,
        items: Vec<(char, char)>,
    },
}

impl Glob {
    pub fn new(p: &str) -> Glob {
        let chars: Vec<char> = p.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'/') {
                        tokens.push(Tok::SkipNext(2));
                        tokens.push(Tok::DoubleStar);
                        tokens.push(Tok::Lit('/'));
                        i += 3;
                    } else {
                        tokens.push(Tok::DoubleStar);
                        i += 2;
                    }
                }
                '*' => {
                    tokens.push(Tok::Star);
                    i += 1;
                }
                '?' => {
                    tokens.push(Tok::One);
                    i += 1;
                }
                '[' => {
                    // The class ends at the first `]` after its first character (`[]a]` holds
                    // `]`); without one, `[` is a literal.
                    let close = (i + 2..chars.len()).find(|&j| chars[j] == ']');
                    let Some(close) = close else {
                        tokens.push(Tok::Lit('['));
                        i += 1;
                        continue;
                    };
                    let mut class = &chars[i + 1..close];
                    let negate = matches!(class.first(), Some('!') | Some('^'));
                    if negate {
                        class = &class[1..];
                    }
                    let mut items = Vec::new();
                    let mut k = 0;
                    while k < class.len() {
                        if k + 2 < class.len() && class[k + 1] == '-' {
                            items.push((class[k], class[k + 2]));
                            k += 3;
                        } else {
                            items.push((class[k], class[k]));
                            k += 1;
                        }
                    }
                    tokens.push(Tok::Class { negate, items });
                    i = close + 1;
                }
                c => {
                    tokens.push(Tok::Lit(c));
                    i += 1;
                }
            }
        }
        Glob { tokens }
    }

    /// Adds the states reachable without reading a character (they only go forward, so one
    /// pass in order is enough).
    fn close(&self, on: &mut [bool]) {
        for k in 0..self.tokens.len() {
            if !on[k] {
                continue;
            }
            match self.tokens[k] {
                Tok::Star | Tok::DoubleStar => on[k + 1] = true,
                Tok::SkipNext(n) => {
                    on[k + 1] = true;
                    on[k + 1 + n] = true;
                }
                _ => {}
            }
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        let n = self.tokens.len();
        let mut on = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        on[0] = true;
        self.close(&mut on);
        for c in s.chars() {
            next.iter_mut().for_each(|x| *x = false);
            let mut any = false;
            for (k, tok) in self.tokens.iter().enumerate() {
                if !on[k] {
                    continue;
                }
                let to = match tok {
                    Tok::Lit(x) => (*x == c).then_some(k + 1),
                    Tok::One => (c != '/').then_some(k + 1),
                    Tok::Star => (c != '/').then_some(k),
                    Tok::DoubleStar => Some(k),
                    Tok::SkipNext(_) => None,
                    Tok::Class { negate, items } => {
                        let hit = items.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
                        (hit != *negate).then_some(k + 1)
                    }
                };
                if let Some(t) = to {
                    next[t] = true;
                    any = true;
                }
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut on, &mut next);
            self.close(&mut on);
        }
        on[n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("colors*", "colors-warm"));
        assert!(!glob_match("colors*", "colors/warm"));
        assert!(glob_match("artists/**", "artists/finnish/x"));
        assert!(glob_match("light/**/*", "light/a"));
        assert!(glob_match("light/**/*", "light/a/b"));
        assert!(!glob_match("light/**/x", "light/ax"));
        assert!(glob_match("light/**/x", "light/x"));
        assert!(glob_match("**/x", "a/b/x"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "a/c"));
        assert!(glob_match("v[0-9]", "v7"));
        assert!(!glob_match("v[!0-9]", "v7"));
        assert!(glob_match("v[]x]", "v]"));
        assert!(glob_match("a[b", "a[b"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn h3_a_question_mark_matches_one_unicode_character() {
        assert!(glob_match("caf?", "café"));
        assert!(glob_match("?", "ü"));
        assert!(!glob_match("??", "ü"));
        assert!(glob_match("[à-ü]x", "éx"));
    }

    #[test]
    fn h3_glob_time_is_polynomial() {
        let name = "a".repeat(200);
        let t = std::time::Instant::now();
        for _ in 0..20 {
            assert!(!glob_match("*a*a*a*a*a*a*a*a*b", &name));
            assert!(!glob_match("**a**a**a**a**a**a**b", &name));
        }
        assert!(t.elapsed().as_secs() < 2, "{:?}", t.elapsed());
    }

    /// The compiled matcher agrees with a plain backtracking reference on small cases.
    #[test]
    fn glob_agrees_with_a_reference_matcher() {
        fn reference(p: &[char], s: &[char]) -> bool {
            if p.is_empty() {
                return s.is_empty();
            }
            if p.len() >= 2 && p[0] == '*' && p[1] == '*' {
                let rest = &p[2..];
                if rest.first() == Some(&'/') && reference(&rest[1..], s) {
                    return true;
                }
                return (0..=s.len()).any(|i| reference(rest, &s[i..]));
            }
            match p[0] {
                '*' => {
                    for i in 0..=s.len() {
                        if reference(&p[1..], &s[i..]) {
                            return true;
                        }
                        if i < s.len() && s[i] == '/' {
                            break;
                        }
                    }
                    false
                }
                '?' => !s.is_empty() && s[0] != '/' && reference(&p[1..], &s[1..]),
                c => !s.is_empty() && s[0] == c && reference(&p[1..], &s[1..]),
            }
        }
        let alphabet = ['a', 'b', '/'];
        let pats = [
            "*", "**", "a*", "*b", "a?b", "**/b", "a/**/b", "*/*", "a**b", "?*?", "**a",
        ];
        // Every string over the alphabet up to length 5.
        let mut strings = vec![String::new()];
        for _ in 0..5 {
            let more: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(more);
        }
        strings.sort();
        strings.dedup();
        for p in pats {
            let pc: Vec<char> = p.chars().collect();
            for s in &strings {
                let sc: Vec<char> = s.chars().collect();
                assert_eq!(glob_match(p, s), reference(&pc, &sc), "{p} on {s}");
            }
        }
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
