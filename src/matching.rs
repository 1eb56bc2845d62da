//! Matching: a description is split into words, and the longest phrases that name vocabulary
//! entries (by text or alias) or template keywords are found, left to right. Matched entries pin
//! slots; keywords and matched categories score templates.
//!
//! Words are compared lowercased with a light plural fold (`trees` ~ `tree`), so "palm trees"
//! finds an entry aliased "palm tree".

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::library::Library;

/// Longest phrase, in words, that is looked up.
const MAX_PHRASE: usize = 8;

/// Words that never make a phrase on their own and are dropped at the edges of a subject.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "with", "and", "over", "by", "for", "to", "into",
    "from", "under", "its", "his", "her", "their", "during",
];

/// Folds a word for comparison: lowercase, then a trailing plural `s` / `es` / `ies` removed.
pub fn fold(word: &str) -> String {
    let mut w = word.to_lowercase();
    // One spelling for matching, so "grey" finds what "gray" finds, whichever spelling the
    // library was written or converted in.
    if let Some(us) = crate::text::us_spelling(&w) {
        w = us.to_string();
    }
    if w.len() > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..w.len() - 3]);
    }
    if w.len() > 4 && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes")) {
        return w[..w.len() - 2].to_string();
    }
    if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        return w[..w.len() - 1].to_string();
    }
    w
}

/// A word of a description with its byte range in the original text.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub folded: String,
    pub start: usize,
    pub end: usize,
}

/// Whether the folded words `phrase` stand in `ws` from word `i` on.
pub(crate) fn phrase_at<S: AsRef<str>>(ws: &[Word], i: usize, phrase: &[S]) -> bool {
    i + phrase.len() <= ws.len()
        && phrase
            .iter()
            .zip(&ws[i..])
            .all(|(a, w)| a.as_ref() == w.folded)
}

/// Splits text into words: letters, digits, and `'` or `-` inside a word.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in bytes.iter().enumerate() {
        let inner = (c == '\'' || c == '-')
            && start.is_some()
            && bytes.get(k + 1).is_some_and(|(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(make_word(text, s, i));
        }
    }
    if let Some(s) = start {
        out.push(make_word(text, s, text.len()));
    }
    out
}

fn make_word(text: &str, s: usize, e: usize) -> Word {
    let t = &text[s..e];
    Word {
        text: t.to_string(),
        folded: fold(t),
        start: s,
        end: e,
    }
}

fn phrase_key(ws: &[Word]) -> String {
    let mut k = String::new();
    for w in ws {
        if !k.is_empty() {
            k.push(' ');
        }
        k.push_str(&w.folded);
    }
    k
}

/// The library's phrases, and lookup tables over them built when needed.
///
/// A process that analyses one description (`gen`) needs only the phrases that can match it, so
/// the first analysis scans the phrases and indexes just those; the second builds the full
/// index, which every later one uses. Both give the same spans.
#[derive(Debug, Default)]
pub struct Matcher {
    /// Entry texts and aliases → (category, entry), in library order.
    entry_phrases: Phrases<(u32, u32)>,
    /// Template keywords → template.
    keyword_phrases: Phrases<u32>,
    /// Folded phrase → entries, and → templates.
    index: OnceLock<Indexes>,
    /// Whether a first analysis has been made.
    analysed: AtomicBool,
}

/// Folded phrase → entries (category, entry), and → templates.
type Indexes = (Index<(u32, u32)>, Index<u32>);

/// Phrases, each with what it names, in one string.
#[derive(Debug)]
struct Phrases<V> {
    text: String,
    rows: Vec<(u32, u32, V)>,
}

impl<V> Default for Phrases<V> {
    fn default() -> Self {
        Phrases {
            text: String::new(),
            rows: Vec::new(),
        }
    }
}

impl<V: Copy> Phrases<V> {
    fn push(&mut self, phrase: &str, v: V) {
        let start = self.text.len() as u32;
        self.text.push_str(phrase);
        self.rows.push((start, self.text.len() as u32, v));
    }

    fn iter(&self) -> impl Iterator<Item = (&str, V)> {
        self.rows
            .iter()
            .map(|&(s, e, v)| (&self.text[s as usize..e as usize], v))
    }
}

/// Phrase keys and what each names, sorted by key for binary search. Every key lives in one
/// string, so building one allocates a few times in all rather than twice per phrase (most of a
/// library's load time once went into hashing and allocating ten thousand small keys).
#[derive(Debug)]
struct Index<V> {
    text: String,
    /// Byte range of each row's key in `text`; sorted by key, rows of one key in the order they
    /// were added.
    keys: Vec<(u32, u32)>,
    /// What each row's key names.
    vals: Vec<V>,
}

impl<V> Default for Index<V> {
    fn default() -> Self {
        Index {
            text: String::new(),
            keys: Vec::new(),
            vals: Vec::new(),
        }
    }
}

impl<V: Copy + PartialEq> Index<V> {
    /// Indexes `phrases` (phrase, value) in order; a value already listed for a key is not
    /// listed again.
    fn build<'a>(phrases: impl Iterator<Item = (&'a str, V)>, capacity: (usize, usize)) -> Self {
        let mut text = String::with_capacity(capacity.1);
        // (first 8 bytes of the key, big-endian: orders as the key does when they differ; key
        // range; value)
        let mut rows: Vec<(u64, u32, u32, V)> = Vec::with_capacity(capacity.0);
        for (p, v) in phrases {
            let start = text.len();
            if push_index_key(p, &mut text) {
                let mut head = [0u8; 8];
                let k = &text.as_bytes()[start..];
                let n = k.len().min(8);
                head[..n].copy_from_slice(&k[..n]);
                rows.push((u64::from_be_bytes(head), start as u32, text.len() as u32, v));
            }
        }
        // Stable: rows of one key stay in the order they were added (library order).
        rows.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                text[a.1 as usize..a.2 as usize].cmp(&text[b.1 as usize..b.2 as usize])
            })
        });
        let mut keys = Vec::with_capacity(rows.len());
        let mut vals: Vec<V> = Vec::with_capacity(rows.len());
        let mut group = 0;
        for (_, s, e, v) in rows {
            let key = &text[s as usize..e as usize];
            let same_key = keys
                .last()
                .is_some_and(|&(ps, pe): &(u32, u32)| &text[ps as usize..pe as usize] == key);
            if !same_key {
                group = keys.len();
            } else if vals[group..].contains(&v) {
                continue;
            }
            keys.push((s, e));
            vals.push(v);
        }
        Index { text, keys, vals }
    }

    fn key(&self, row: usize) -> &str {
        let (s, e) = self.keys[row];
        &self.text[s as usize..e as usize]
    }

    /// What `key` names, in the order added (empty when nothing).
    fn get(&self, key: &str) -> &[V] {
        let lo = self
            .keys
            .partition_point(|&(s, e)| &self.text[s as usize..e as usize] < key);
        let n =
            self.keys[lo..].partition_point(|&(s, e)| &self.text[s as usize..e as usize] == key);
        &self.vals[lo..lo + n]
    }

    /// Number of distinct keys.
    fn key_count(&self) -> usize {
        (0..self.keys.len())
            .filter(|&r| r == 0 || self.key(r) != self.key(r - 1))
            .count()
    }
}

impl Matcher {
    pub fn build(lib: &Library) -> Matcher {
        let (mut rows, mut bytes) = (0, 0);
        for e in lib.categories.iter().flat_map(|c| &c.entries) {
            rows += 1 + e.aliases.len();
            bytes += e.text.len() + e.aliases.iter().map(String::len).sum::<usize>();
        }
        let mut entry_phrases = Phrases {
            text: String::with_capacity(bytes),
            rows: Vec::with_capacity(rows),
        };
        for (ci, c) in lib.categories.iter().enumerate() {
            for (ei, e) in c.entries.iter().enumerate() {
                // An entry with dynamic syntax is found by its aliases only: its text is a
                // template, not words a user would type.
                let own = c.dynamic(ei).is_none().then_some(&e.text);
                for p in own.into_iter().chain(&e.aliases) {
                    entry_phrases.push(p, (ci as u32, ei as u32));
                }
            }
        }
        let mut keyword_phrases = Phrases::default();
        for (ti, t) in lib.templates.iter().enumerate() {
            for k in &t.keywords {
                keyword_phrases.push(k, ti as u32);
            }
        }
        Matcher {
            entry_phrases,
            keyword_phrases,
            index: OnceLock::new(),
            analysed: AtomicBool::new(false),
        }
    }

    /// The full index (built on first use).
    fn index(&self) -> &Indexes {
        self.index.get_or_init(|| {
            let rows = self.entry_phrases.rows.len();
            let bytes = self.entry_phrases.text.len();
            (
                Index::build(self.entry_phrases.iter(), (rows, bytes)),
                Index::build(self.keyword_phrases.iter(), (0, 0)),
            )
        })
    }

    /// Finds the matched phrases of a description, leftmost-longest.
    pub fn analyse(&self, description: &str) -> Vec<Span> {
        self.analyse_nested(description).0
    }

    /// [`Matcher::analyse`], and every entry phrase inside the description, nested ones
    /// included ("fireplace" inside "by the fireplace"), as (first word, last word, entries).
    pub fn analyse_nested(&self, description: &str) -> (Vec<Span>, Vec<Found>) {
        let ws = words(description);
        if self.index.get().is_none() && !self.analysed.swap(true, Ordering::Relaxed) {
            // A key that matches starts with a word of the description: index only the
            // phrases whose first word is one.
            let firsts: Vec<&str> = ws.iter().map(|w| w.folded.as_str()).collect();
            let mut scratch = String::new();
            let mut near = |p: &str| may_start_with(p, &firsts, &mut scratch);
            let entries = Index::build(self.entry_phrases.iter().filter(|(p, _)| near(p)), (0, 0));
            let keywords =
                Index::build(self.keyword_phrases.iter().filter(|(p, _)| near(p)), (0, 0));
            return (spans(&ws, &entries, &keywords), nested(&ws, &entries));
        }
        let (entries, keywords) = self.index();
        (spans(&ws, entries, keywords), nested(&ws, entries))
    }

    pub fn keyword_count(&self) -> usize {
        self.index().1.key_count()
    }
}

/// An entry phrase found in a description: first word, last word, the entries it names.
pub type Found = (usize, usize, Vec<(usize, usize)>);

/// Every entry phrase among the words `ws`, at every position and length.
fn nested(ws: &[Word], entries: &Index<(u32, u32)>) -> Vec<Found> {
    let mut out = Vec::new();
    for i in 0..ws.len() {
        for len in 1..=MAX_PHRASE.min(ws.len() - i) {
            let key = phrase_key(&ws[i..i + len]);
            if len == 1 && STOP_WORDS.contains(&key.as_str()) {
                continue;
            }
            let found = entries.get(&key);
            if !found.is_empty() {
                let list = found
                    .iter()
                    .map(|&(c, e)| (c as usize, e as usize))
                    .collect();
                out.push((i, i + len - 1, list));
            }
        }
    }
    out
}

/// The leftmost-longest matched phrases of the words `ws`, looked up in `entries` and
/// `keywords`.
fn spans(ws: &[Word], entries: &Index<(u32, u32)>, keywords: &Index<u32>) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let mut matched = false;
        for len in (1..=MAX_PHRASE.min(ws.len() - i)).rev() {
            let key = phrase_key(&ws[i..i + len]);
            let found = entries.get(&key);
            let templates = keywords.get(&key);
            if found.is_empty() && templates.is_empty() {
                continue;
            }
            if len == 1 && STOP_WORDS.contains(&key.as_str()) {
                continue;
            }
            // A keyword inside the phrase still names its template ("bedroom" in "attic
            // bedroom", which an entry matched whole), but not one after "of": the phrase is
            // about what comes before it ("depth of field" names no field).
            let mut templates: Vec<usize> = templates.iter().map(|&t| t as usize).collect();
            let whole = templates.len();
            for a in i..i + len {
                if ws[i..a].iter().any(|w| w.folded == "of") {
                    break;
                }
                for b in a + 1..=i + len {
                    if b - a == len {
                        continue;
                    }
                    for &t in keywords.get(&phrase_key(&ws[a..b])) {
                        if !templates.contains(&(t as usize)) {
                            templates.push(t as usize);
                        }
                    }
                }
            }
            spans.push(Span {
                first: i,
                last: i + len - 1,
                folded: ws[i..i + len].iter().map(|w| w.folded.clone()).collect(),
                entries: found
                    .iter()
                    .map(|&(c, e)| (c as usize, e as usize))
                    .collect(),
                templates,
                whole,
            });
            i += len;
            matched = true;
            break;
        }
        if !matched {
            i += 1;
        }
    }
    spans
}

/// Appends the key a vocabulary phrase is indexed under to `out`; `false` (and `out` unchanged)
/// for phrases made only of stop words or longer than [`MAX_PHRASE`]. ASCII phrases (nearly
/// all) are folded in place; others go through [`words`].
fn push_index_key(phrase: &str, out: &mut String) -> bool {
    if phrase.is_ascii() {
        push_index_key_ascii(phrase, out)
    } else {
        match index_key_words(phrase) {
            Some(k) => {
                out.push_str(&k);
                true
            }
            None => false,
        }
    }
}

/// [`push_index_key`] for an ASCII phrase: the same split and fold as [`words`] and [`fold`],
/// written straight after `key`'s current end.
fn push_index_key_ascii(phrase: &str, key: &mut String) -> bool {
    let b = phrase.as_bytes();
    let base = key.len();
    let mut count = 0;
    let mut all_stop = true;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < b.len()
            && (b[i].is_ascii_alphanumeric()
                || ((b[i] == b'\'' || b[i] == b'-')
                    && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)))
        {
            i += 1;
        }
        count += 1;
        if count > MAX_PHRASE {
            key.truncate(base);
            return false;
        }
        if key.len() > base {
            key.push(' ');
        }
        let at = key.len();
        key.push_str(&phrase[start..i]);
        key[at..].make_ascii_lowercase();
        fold_ascii_in_place(key, at);
        if all_stop && !STOP_WORDS.contains(&&key[at..]) {
            all_stop = false;
        }
    }
    if count == 0 || all_stop {
        key.truncate(base);
        return false;
    }
    true
}

/// [`fold`]'s plural rule applied to the lowercase ASCII word `key[at..]`, in place.
fn fold_ascii_in_place(key: &mut String, at: usize) {
    if let Some(us) = crate::text::us_spelling(&key[at..]) {
        key.truncate(at);
        key.push_str(us);
    }
    let w = &key[at..];
    let keep = if w.len() > 4 && w.ends_with("ies") {
        key.truncate(key.len() - 3);
        key.push('y');
        key.len()
    } else if w.len() > 4 && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes")) {
        key.len() - 2
    } else if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        key.len() - 1
    } else {
        key.len()
    };
    key.truncate(keep);
}

/// Whether `phrase`'s key could start with one of `firsts` (folded words): `false` only when it
/// certainly cannot. `scratch` is working space.
fn may_start_with(phrase: &str, firsts: &[&str], scratch: &mut String) -> bool {
    if !phrase.is_ascii() {
        return true;
    }
    let b = phrase.as_bytes();
    let Some(start) = b.iter().position(u8::is_ascii_alphanumeric) else {
        return false;
    };
    // Folding keeps a word's first letter: most phrases are ruled out by it alone.
    let first = b[start].to_ascii_lowercase();
    if !firsts.iter().any(|f| f.as_bytes().first() == Some(&first)) {
        return false;
    }
    let mut end = start + 1;
    while end < b.len()
        && (b[end].is_ascii_alphanumeric()
            || ((b[end] == b'\'' || b[end] == b'-')
                && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)))
    {
        end += 1;
    }
    scratch.clear();
    scratch.push_str(&phrase[start..end]);
    scratch.make_ascii_lowercase();
    fold_ascii_in_place(scratch, 0);
    firsts.contains(&scratch.as_str())
}

/// The key of any phrase (see [`push_index_key`]).
fn index_key_words(phrase: &str) -> Option<String> {
    let ws = words(phrase);
    if ws.is_empty() || ws.len() > MAX_PHRASE {
        return None;
    }
    if ws.iter().all(|w| STOP_WORDS.contains(&w.folded.as_str())) {
        return None;
    }
    Some(phrase_key(&ws))
}

/// A matched phrase of a description.
#[derive(Debug, Clone)]
pub struct Span {
    /// Word indices (inclusive).
    pub first: usize,
    pub last: usize,
    /// The folded words matched.
    pub folded: Vec<String>,
    /// Entries the phrase names, in library order.
    pub entries: Vec<(usize, usize)>,
    /// Templates whose keywords include the phrase: first those whose keyword is the whole
    /// phrase, then (from `whole`) those named only by a keyword inside it.
    pub templates: Vec<usize>,
    /// How many of `templates` name the whole phrase.
    pub whole: usize,
}

/// Whether every word of `folded` appears (folded) in `text`: then an entry showing `text` keeps
/// the user's words and they need not stay in the subject.
pub fn text_contains_words(text: &str, folded: &[String]) -> bool {
    let have: Vec<String> = words(text).into_iter().map(|w| w.folded).collect();
    folded.iter().all(|f| have.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Trees"), "tree");
        assert_eq!(fold("skies"), "sky");
        assert_eq!(fold("beaches"), "beach");
        assert_eq!(fold("glass"), "glass");
        assert_eq!(fold("cactus"), "cactus");
        assert_eq!(fold("sea"), "sea");
    }

    #[test]
    fn word_split_keeps_offsets() {
        let ws = words("A fox's den, sun-lit!");
        let t: Vec<&str> = ws.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(t, vec!["A", "fox's", "den", "sun-lit"]);
        assert_eq!(&"A fox's den, sun-lit!"[ws[3].start..ws[3].end], "sun-lit");
    }

    #[test]
    fn ascii_keys_equal_general_keys() {
        for p in [
            "Palm Trees",
            "the",
            "of the sea",
            "a b c d e f g h",
            "a b c d e f g h i",
            "fox's den, sun-lit!",
            "-leading 'quote' trailing- x--y a-'b",
            "beaches and skies",
            "glass cactus bus is iris yes",
            "  ",
            "",
            "3D render, 35mm",
            "OASES OASIS SHES TIES",
        ] {
            assert_eq!(ascii_key(p), index_key_words(p), "{p:?}");
        }
    }

    fn ascii_key(p: &str) -> Option<String> {
        let mut k = "x".to_string();
        let ok = push_index_key_ascii(p, &mut k);
        assert!(ok || k == "x", "{p:?}: {k:?}");
        ok.then(|| k[1..].to_string())
    }

    /// The sorted index answers exactly as a map from key to values (in insertion order,
    /// without repeats) would.
    #[test]
    fn index_lists_values_per_key_in_order() {
        let phrases = [
            ("Palm trees", 1),
            ("sea", 2),
            ("palm tree", 3),
            ("the", 4),
            ("palm tree", 1),
            ("Sea", 2),
            ("a sea", 5),
            ("sea", 0),
        ];
        let idx = Index::build(phrases.iter().map(|&(p, v)| (p, v)), (0, 0));
        assert_eq!(idx.get("palm tree"), &[1, 3]);
        assert_eq!(idx.get("sea"), &[2, 0]);
        assert_eq!(idx.get("a sea"), &[5]);
        assert_eq!(idx.get("the"), &[] as &[i32]);
        assert_eq!(idx.get("zzz"), &[] as &[i32]);
        assert_eq!(idx.get(""), &[] as &[i32]);
        assert_eq!(idx.key_count(), 3);
    }

    #[test]
    fn ascii_keys_equal_general_keys_on_the_builtin_library() {
        let lib = Library::builtin().unwrap();
        let mut n = 0;
        for e in lib.categories.iter().flat_map(|c| &c.entries) {
            for p in std::iter::once(&e.text).chain(&e.aliases) {
                if p.is_ascii() {
                    assert_eq!(ascii_key(p), index_key_words(p), "{p:?}");
                    n += 1;
                }
            }
        }
        assert!(n > 1000, "{n}");
    }

    /// The first analysis (a scan of the phrases) and later ones (the full index) agree.
    #[test]
    fn scanning_and_indexed_analyses_agree() {
        let lib = Library::builtin().unwrap();
        let mut descs: Vec<String> = [
            "beach sunset",
            "a fox in the snow",
            "Palm Trees at the BEACHES",
            "café crème au lait",
            "the of and",
            "",
            "rainy city street at night, neon signs and wet asphalt",
            "an old lighthouse on a rocky coast under storm clouds",
        ]
        .map(String::from)
        .to_vec();
        let phrases: Vec<&str> = lib
            .categories
            .iter()
            .flat_map(|c| &c.entries)
            .flat_map(|e| std::iter::once(&e.text).chain(&e.aliases))
            .map(String::as_str)
            .collect();
        for (k, w) in phrases.windows(3).enumerate().step_by(113) {
            descs.push(format!(
                "{} with {} and {}",
                w[0],
                w[1].to_uppercase(),
                w[2]
            ));
            descs.push(format!("{}s at {k}", w[0]));
        }
        let mut matched = 0;
        for d in &descs {
            let fresh = Matcher::build(&lib);
            let scanned = fresh.analyse(d);
            let indexed = fresh.analyse(d);
            assert!(fresh.index.get().is_some());
            assert_eq!(format!("{scanned:?}"), format!("{indexed:?}"), "{d:?}");
            matched += usize::from(scanned.len() >= 2);
        }
        assert!(matched > descs.len() / 2, "{matched} of {}", descs.len());
    }

    #[test]
    fn containment() {
        assert!(text_contains_words(
            "tall palm trees",
            &["palm".into(), "tree".into()]
        ));
        assert!(!text_contains_words("steady rain", &["rainy".into()]));
    }
}
