//! Matching: a description is split into words, and the longest phrases that name vocabulary
//! entries (by text or alias) or template keywords are found, left to right. Matched entries pin
//! slots; keywords and matched categories score templates.
//!
//! Words are compared lowercased with a light plural fold (`trees` ~ `tree`), so "palm trees"
//! finds an entry aliased "palm tree".

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a as a `Hasher` for the lookup tables: faster than SipHash on short phrase keys, and the
/// tables are only ever looked up, never iterated, so their order cannot reach output.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let start = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        self.0 = crate::rng::fnv1a64(bytes, start);
    }
}

type Table<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

use crate::library::Library;

/// Longest phrase, in words, that is looked up.
const MAX_PHRASE: usize = 8;

/// Words that never make a phrase on their own and are dropped at the edges of a subject.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "with", "and", "over", "by", "for", "to", "into",
    "from", "under", "its", "his", "her", "their",
];

/// Folds a word for comparison: lowercase, then a trailing plural `s` / `es` / `ies` removed.
pub fn fold(word: &str) -> String {
    let w = word.to_lowercase();
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

/// Lookup tables built once per library.
#[derive(Debug, Default)]
pub struct Matcher {
    /// Folded phrase → entries (category, entry) in library order.
    entries: Table<Vec<(usize, usize)>>,
    /// Folded phrase → templates.
    keywords: Table<Vec<usize>>,
}

impl Matcher {
    pub fn build(lib: &Library) -> Matcher {
        let phrases: usize = lib
            .categories
            .iter()
            .flat_map(|c| &c.entries)
            .map(|e| 1 + e.aliases.len())
            .sum();
        let mut m = Matcher {
            entries: Table::with_capacity_and_hasher(phrases, Default::default()),
            keywords: Table::default(),
        };
        for (ci, c) in lib.categories.iter().enumerate() {
            for (ei, e) in c.entries.iter().enumerate() {
                // An entry with dynamic syntax is found by its aliases only: its text is a
                // template, not words a user would type.
                let own = c.dynamic(ei).is_none().then_some(&e.text);
                for p in own.into_iter().chain(&e.aliases) {
                    if let Some(k) = index_key(p) {
                        let v = m.entries.entry(k).or_default();
                        if !v.contains(&(ci, ei)) {
                            v.push((ci, ei));
                        }
                    }
                }
            }
        }
        for (ti, t) in lib.templates.iter().enumerate() {
            for kw in &t.keywords {
                if let Some(k) = index_key(kw) {
                    let v = m.keywords.entry(k).or_default();
                    if !v.contains(&ti) {
                        v.push(ti);
                    }
                }
            }
        }
        m
    }

    /// Finds the matched phrases of a description, leftmost-longest.
    pub fn analyse(&self, description: &str) -> Vec<Span> {
        let ws = words(description);
        let mut spans = Vec::new();
        let mut i = 0;
        while i < ws.len() {
            let mut matched = false;
            for len in (1..=MAX_PHRASE.min(ws.len() - i)).rev() {
                let key = phrase_key(&ws[i..i + len]);
                let entries = self.entries.get(&key);
                let templates = self.keywords.get(&key);
                if entries.is_none() && templates.is_none() {
                    continue;
                }
                if len == 1 && STOP_WORDS.contains(&key.as_str()) {
                    continue;
                }
                spans.push(Span {
                    first: i,
                    last: i + len - 1,
                    folded: ws[i..i + len].iter().map(|w| w.folded.clone()).collect(),
                    entries: entries.cloned().unwrap_or_default(),
                    templates: templates.cloned().unwrap_or_default(),
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

    pub fn keyword_count(&self) -> usize {
        self.keywords.len()
    }
}

/// The key a vocabulary phrase is indexed under, or `None` for phrases made only of stop words.
/// ASCII phrases (nearly all) take a path with one allocation; others go through [`words`].
fn index_key(phrase: &str) -> Option<String> {
    if phrase.is_ascii() {
        index_key_ascii(phrase)
    } else {
        index_key_words(phrase)
    }
}

/// [`index_key`] for an ASCII phrase: the same split and fold as [`words`] and [`fold`], written
/// straight into the key.
fn index_key_ascii(phrase: &str) -> Option<String> {
    let b = phrase.as_bytes();
    let mut key = String::with_capacity(phrase.len());
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
            return None;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        let at = key.len();
        key.push_str(&phrase[start..i]);
        key[at..].make_ascii_lowercase();
        let w = &key[at..];
        let keep = if w.len() > 4 && w.ends_with("ies") {
            key.truncate(key.len() - 3);
            key.push('y');
            key.len()
        } else if w.len() > 4 && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes"))
        {
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
        if all_stop && !STOP_WORDS.contains(&&key[at..]) {
            all_stop = false;
        }
    }
    if count == 0 || all_stop {
        return None;
    }
    Some(key)
}

/// [`index_key`] for any phrase.
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
    /// Templates whose keywords include the phrase.
    pub templates: Vec<usize>,
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
            assert_eq!(index_key_ascii(p), index_key_words(p), "{p:?}");
        }
    }

    #[test]
    fn ascii_keys_equal_general_keys_on_the_builtin_library() {
        let lib = Library::builtin().unwrap();
        let mut n = 0;
        for e in lib.categories.iter().flat_map(|c| &c.entries) {
            for p in std::iter::once(&e.text).chain(&e.aliases) {
                if p.is_ascii() {
                    assert_eq!(index_key_ascii(p), index_key_words(p), "{p:?}");
                    n += 1;
                }
            }
        }
        assert!(n > 1000, "{n}");
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
