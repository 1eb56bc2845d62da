//! Saying each thing once: the content words of a text, so that a scene prefers entries that
//! repeat no word already in it ("rooftops" in three entries, "eaves" twice, "calm" three
//! times read as a list pasted together, not as a description).
//!
//! A word is hashed after folding case and a plural `s`, so "rooftop" and "rooftops" meet.
//! Short words, function words and the few words every part of a prompt legitimately shares
//! ("light") are left out.

/// Words that may repeat: function words and the vocabulary of light and colour that the
/// light, time and palette each use in their own sense. Kept in byte order: it is searched by
/// bisection (every word of every entry is looked up at load; a test holds the order).
const MAY_REPEAT: &[&str] = &[
    "about", "above", "across", "after", "against", "along", "around", "away", "before", "behind",
    "below", "beside", "between", "beyond", "color", "colors", "colour", "colours", "down", "each",
    "every", "from", "full", "into", "just", "light", "like", "lit", "more", "most", "much",
    "near", "only", "onto", "over", "scene", "some", "such", "than", "that", "their", "them",
    "then", "there", "these", "they", "this", "those", "through", "tone", "tones", "toward",
    "towards", "under", "until", "upon", "very", "what", "when", "where", "which", "while",
    "whose", "with", "within", "without", "your",
];

/// Of [`MAY_REPEAT`], the words that name something: a frame around a slot ("The light is
/// {{ light }}") still must not meet them in its value (see [`crate::topics`]).
const SHARED_NOUNS: &[&str] = &[
    "color", "colors", "colour", "colours", "light", "scene", "tone", "tones",
];

/// Whether `lower` is a function word: one that never carries a topic.
pub fn is_function_word(lower: &str) -> bool {
    may_repeat(lower) && !SHARED_NOUNS.contains(&lower)
}

/// Whether `lower` is one of [`MAY_REPEAT`].
fn may_repeat(lower: &str) -> bool {
    MAY_REPEAT.binary_search(&lower).is_ok()
}

/// Words too small to make a pair of [`word_pairs`] say the same thing twice. "the" is not
/// one: "The frame holds … The frame also takes in" says its subject twice.
const PAIR_STOP: &[&str] = &[
    "and", "for", "from", "her", "his", "into", "its", "over", "their", "under", "with",
];

/// The hashed pairs of neighbouring words of `text` (both of three letters or more, neither a
/// bare function word), appended to `out`: two connecting phrases that share one ("you see",
/// "eye catches") read as the same words said twice, even where every other word differs.
pub fn word_pairs(text: &str, out: &mut Vec<u64>) {
    // Every prompt runs this over its body's runs: words are hashed as they are folded to
    // lower case, without allocating.
    let mut prev: Option<u64> = None;
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-')) {
        if w.is_empty() {
            continue;
        }
        if w.chars().nth(2).is_none() || PAIR_STOP.iter().any(|s| s.eq_ignore_ascii_case(w)) {
            prev = None;
            continue;
        }
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut buf = [0u8; 4];
        for c in w.chars().flat_map(char::to_lowercase) {
            h = crate::rng::fnv1a64(c.encode_utf8(&mut buf).as_bytes(), h);
        }
        if let Some(p) = prev {
            out.push(crate::rng::fnv1a64(&h.to_le_bytes(), p));
        }
        prev = Some(h);
    }
}

/// The hashed content words of `text`, appended to `out`: each word folded to its topic (see
/// [`crate::topics::stem`]), so "rainy" meets "rain" and "skies" meets "sky".
pub fn content_words(text: &str, out: &mut Vec<u32>) {
    for lower in crate::topics::words(text) {
        let lower = lower.trim_end_matches("'s");
        if may_repeat(lower) {
            continue;
        }
        let Some(stem) = crate::topics::stem(lower) else {
            continue;
        };
        if may_repeat(&stem) {
            continue;
        }
        out.push(fnv1a(&stem));
    }
}

/// The hash under which a topic is kept.
pub fn hash(stem: &str) -> u32 {
    fnv1a(stem)
}

/// The content words said so far in a scene, with a 1024-bit summary that answers "not said"
/// for most words without looking at the list (every candidate entry of every slot asks). A
/// scene says dozens of content words, so a smaller summary answers "maybe" often, and each
/// "maybe" searches the list.
#[derive(Debug, Clone, Default)]
pub struct Said {
    words: Vec<u32>,
    bits: [u64; SAID_WORDS],
}

/// Words of the summary in a [`Said`].
const SAID_WORDS: usize = 16;

/// Where word `w` sits in the summary: (word, bit).
fn said_bit(w: u32) -> (usize, u64) {
    ((w >> 6) as usize % SAID_WORDS, 1 << (w & 63))
}

impl Said {
    pub fn clear(&mut self) {
        self.words.clear();
        self.bits = [0; SAID_WORDS];
    }

    pub fn extend(&mut self, words: &[u32]) {
        for &w in words {
            let (i, bit) = said_bit(w);
            self.bits[i] |= bit;
        }
        self.words.extend_from_slice(words);
    }

    /// Copies `other` into `self`, reusing its allocation.
    pub fn set_from(&mut self, other: &Said) {
        self.words.clear();
        self.words.extend_from_slice(&other.words);
        self.bits = other.bits;
    }

    /// Whether any of `words` was said already.
    pub fn repeats(&self, words: &[u32]) -> bool {
        words.iter().any(|&w| {
            let (i, bit) = said_bit(w);
            self.bits[i] & bit != 0 && self.words.contains(&w)
        })
    }
}

fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<u32> {
        let mut v = Vec::new();
        content_words(s, &mut v);
        v
    }

    fn repeats(words: &[u32], used: &[u32]) -> bool {
        let mut said = Said::default();
        said.extend(used);
        said.repeats(words)
    }

    /// The word lists searched by bisection are in strict byte order, so the search answers as
    /// a plain scan of the list would, for every word of the built-in library.
    #[test]
    fn bisected_word_lists_are_sorted() {
        for list in [MAY_REPEAT, crate::topics::SHORT_STOP] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
        let lib = crate::library::Library::builtin().unwrap();
        for c in &lib.categories {
            for e in &c.entries {
                for w in crate::topics::words(&e.text) {
                    assert_eq!(may_repeat(&w), MAY_REPEAT.contains(&w.as_str()), "{w}");
                }
            }
        }
    }

    /// The summary only answers "not said" early: `repeats` says what a search of the whole
    /// list says, for scenes of up to 200 words.
    #[test]
    fn said_answers_as_the_list() {
        let mut x: u32 = 0x9e37_79b9;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut hits = 0;
        for n in [0, 1, 10, 60, 200] {
            let used: Vec<u32> = (0..n).map(|_| next()).collect();
            let mut said = Said::default();
            said.extend(&used);
            for k in 0..2000 {
                let w = if k % 3 == 0 && n > 0 {
                    used[k % n]
                } else {
                    next()
                };
                assert_eq!(said.repeats(&[w]), used.contains(&w));
                hits += usize::from(used.contains(&w));
            }
        }
        assert!(hits > 1000);
    }

    #[test]
    fn plurals_meet_and_function_words_do_not() {
        let a = words("water tanks crowding the rooftops");
        let b = words("a garden tucked among the rooftop water towers");
        assert!(repeats(&b, &a));
        assert!(!repeats(
            &words("soft light through the glass"),
            &words("the last light of day")
        ));
        assert!(!repeats(&words("a red fox"), &words("an old barn")));
        // "glass" is not "glas": a word ending in "ss" keeps its last s.
        assert_eq!(words("glass"), words("glass"));
        assert!(!repeats(&words("grass"), &words("gras")));
    }
}
