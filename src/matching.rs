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
        let mut m = Matcher::default();
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
fn index_key(phrase: &str) -> Option<String> {
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
    fn containment() {
        assert!(text_contains_words(
            "tall palm trees",
            &["palm".into(), "tree".into()]
        ));
        assert!(!text_contains_words("steady rain", &["rainy".into()]));
    }
}
