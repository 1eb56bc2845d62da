//! Small English helpers for writing prose: articles, lists, and the final clean-up that fixes
//! spacing, punctuation, doubled words and capitalisation after a body is rendered.

/// Collapses runs of white space into single spaces and trims.
pub fn normalize_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

const DETERMINERS: &[&str] = &[
    "a",
    "an",
    "the",
    "some",
    "this",
    "that",
    "these",
    "those",
    "my",
    "your",
    "his",
    "her",
    "its",
    "our",
    "their",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "many",
    "several",
    "few",
    "every",
    "each",
    "no",
    "any",
    "another",
    "both",
    "all",
    "most",
    "much",
    "lots",
    "plenty",
    "dozens",
    "hundreds",
    "thousands",
    "pair",
    "couple",
];

const PREPOSITIONS: &[&str] = &[
    "in",
    "on",
    "at",
    "with",
    "under",
    "of",
    "by",
    "near",
    "over",
    "above",
    "below",
    "beside",
    "behind",
    "across",
    "through",
    "into",
    "onto",
    "from",
    "against",
    "among",
    "between",
    "along",
    "around",
    "during",
    "inside",
    "outside",
    "beneath",
    "underneath",
    "for",
    "and",
    "while",
    "playing",
    "holding",
    "wearing",
    "fighting",
    "sitting",
    "standing",
    "walking",
    "running",
    "flying",
    "landing",
    "reading",
    "eating",
    "drinking",
    "riding",
    "looking",
];

/// Plurals (and mass nouns) that do not end in "s" and take no "a".
const IRREGULAR_PLURALS: &[&str] = &[
    "people",
    "children",
    "men",
    "women",
    "mice",
    "geese",
    "feet",
    "teeth",
    "oxen",
    "cattle",
    "folk",
    "police",
    "livestock",
    "poultry",
    "love",
    "music",
    "art",
    "water",
    "rain",
    "snow",
    "fog",
    "mist",
    "food",
    "bread",
    "coffee",
    "tea",
    "smoke",
    "sand",
    "grass",
    "silence",
    "nature",
    "chaos",
    "wildlife",
    "furniture",
];

/// Words that are singular although they end in "s".
fn singular_s(w: &str) -> bool {
    w.ends_with("ss")
        || w.ends_with("us")
        || w.ends_with("is")
        || w.ends_with("ous")
        || matches!(
            w,
            "gas" | "bus" | "lens" | "chaos" | "canvas" | "cosmos" | "iris" | "atlas"
        )
}

/// ASCII case-insensitive `starts_with`.
fn starts_ci(w: &str, prefix: &str) -> bool {
    w.len() >= prefix.len() && w.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Whether `word` takes "an" (by sound, with the common exceptions).
pub fn wants_an(word: &str) -> bool {
    let w = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    if w.is_empty() {
        return false;
    }
    for p in ["hour", "honest", "honor", "honour", "heir", "herb"] {
        if starts_ci(w, p) {
            return true;
        }
    }
    for p in [
        "uni", "use", "usu", "uti", "ute", "eu", "one", "once", "ura", "uro", "ubiq", "ukul", "u-",
    ] {
        if starts_ci(w, p) {
            return false;
        }
    }
    let first = w.as_bytes()[0].to_ascii_lowercase();
    // A letter or number read aloud: "an 8mm lens", "an f/1.4 aperture", "an 18th-century…".
    let single = w.len() == 1 || !w.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic);
    if first.is_ascii_digit() {
        return first == b'8' || starts_ci(w, "11") || starts_ci(w, "18");
    }
    if single {
        return b"aefhilmnorsx".contains(&first);
    }
    matches!(first, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Adds "a" or "an" in front of a noun phrase unless it already has a determiner, is plural, or
/// starts with a capital (a name). `fox` → `a fox`, `old man` → `an old man`, `lavender fields`
/// stays as is.
pub fn with_article(phrase: &str) -> String {
    let p = phrase.trim();
    let Some(first) = p.split_whitespace().next() else {
        return String::new();
    };
    let first_l = first.to_lowercase();
    if DETERMINERS.contains(&first_l.as_str())
        || first.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
    {
        return p.to_string();
    }
    // The head noun phrase ends at a preposition or a participle ("crystals feathering…").
    let head: Vec<&str> = p
        .split_whitespace()
        .enumerate()
        .take_while(|(i, w)| {
            let l = w.to_lowercase();
            !PREPOSITIONS.contains(&l.as_str()) && (*i == 0 || !(l.ends_with("ing") && l.len() > 5))
        })
        .map(|(_, w)| w)
        .collect();
    if let Some(last) = head.last() {
        let l = last.to_lowercase();
        let l = l.trim_end_matches(|c: char| !c.is_alphanumeric());
        if (l.ends_with('s') && !singular_s(l) && l.len() > 3) || IRREGULAR_PLURALS.contains(&l) {
            return p.to_string();
        }
    }
    let art = if wants_an(first) { "an" } else { "a" };
    format!("{art} {p}")
}

/// Joins items as English prose: `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {}", rest.join(", "), last),
    }
}

/// Upper-cases the first letter.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Registers the prose filters used by scene-template bodies:
/// - `a`: adds "a"/"an" where the phrase needs one;
/// - `cap`: capitalises the first letter.
pub fn register_filters(tera: &mut tera::Tera) {
    tera.register_filter("a", |s: &str, _: tera::Kwargs, _: &tera::State| {
        with_article(s)
    });
    tera.register_filter("cap", |s: &str, _: tera::Kwargs, _: &tera::State| {
        capitalize(s)
    });
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?')
}

const CLASS_WORD: u8 = 0;
const CLASS_SPACE: u8 = 1;
const CLASS_PUNCT: u8 = 2;

/// What each byte is to the tidier: white space, clause punctuation, or part of a word
/// (everything else, including every byte of a multi-byte character).
static BYTE_CLASS: [u8; 256] = {
    let mut t = [CLASS_WORD; 256];
    t[b' ' as usize] = CLASS_SPACE;
    t[b'\t' as usize] = CLASS_SPACE;
    t[b'\n' as usize] = CLASS_SPACE;
    t[b'\r' as usize] = CLASS_SPACE;
    t[0x0b] = CLASS_SPACE;
    t[0x0c] = CLASS_SPACE;
    t[b',' as usize] = CLASS_PUNCT;
    t[b'.' as usize] = CLASS_PUNCT;
    t[b';' as usize] = CLASS_PUNCT;
    t[b':' as usize] = CLASS_PUNCT;
    t[b'!' as usize] = CLASS_PUNCT;
    t[b'?' as usize] = CLASS_PUNCT;
    t
};

/// Cleans rendered prose: one space between words, no space before punctuation, no empty clauses
/// (`, ,` or `,.`), no doubled words, "a"/"an" agreeing with the next word, and a capital letter
/// at the start of each sentence. The result ends with a full stop.
pub fn tidy_prose(raw: &str) -> String {
    // 1. Words and punctuation, spaced normally. Works on bytes: every byte that matters here
    // is ASCII, and multi-byte characters are copied through untouched.
    let mut b: Vec<u8> = Vec::with_capacity(raw.len() + 2);
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match BYTE_CLASS[c as usize] {
            CLASS_SPACE => {
                if b.last().is_some_and(|l| *l != b' ') {
                    b.push(b' ');
                }
                i += 1;
            }
            CLASS_PUNCT => {
                i += 1;
                while b.last() == Some(&b' ') {
                    b.pop();
                }
                // Collapse empty clauses: ", ," → ",", ",." → ".", ". ." → "."
                match b.last() {
                    None => continue,
                    Some(b',' | b';' | b':') => {
                        b.pop();
                    }
                    Some(b'.' | b'!' | b'?') if c != b':' => continue,
                    _ => {}
                }
                if !b.is_empty() {
                    b.push(c);
                }
            }
            _ => {
                // A run of word bytes, copied whole. A word right after punctuation gets its
                // space back (", ,on" → ", on"); digits do not, so "f/1.4" and "3.5" survive.
                let mut j = i + 1;
                while j < bytes.len() && BYTE_CLASS[bytes[j] as usize] == CLASS_WORD {
                    j += 1;
                }
                if (c.is_ascii_alphabetic() || c >= 0x80)
                    && matches!(b.last(), Some(b',' | b';' | b'!' | b'?'))
                {
                    b.push(b' ');
                }
                b.extend_from_slice(&bytes[i..j]);
                i = j;
            }
        }
    }
    let s =
        String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());

    // 2. Words: doubled words dropped, articles agreeing, sentence starts capitalised.
    let s = s.trim();
    let bytes = s.as_bytes();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(bytes.len() / 5 + 1);
    let mut start = 0;
    for i in memchr::memchr_iter(b' ', bytes) {
        bounds.push((start, i));
        start = i + 1;
    }
    bounds.push((start, bytes.len()));
    let mut out = String::with_capacity(s.len() + 1);
    let mut prev: &str = "";
    let mut sentence_start = true;
    for (k, &(a, b)) in bounds.iter().enumerate() {
        let w = &s[a..b];
        if !prev.is_empty()
            && prev.len() == w.len()
            && prev.eq_ignore_ascii_case(w)
            && prev.bytes().all(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let article = w.len() <= 2 && (w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("an"));
        if article && let Some(&(na, nb)) = bounds.get(k + 1) {
            let an = wants_an(&s[na..nb]);
            let upper = sentence_start || w.starts_with('A');
            out.push_str(match (an, upper) {
                (true, true) => "An",
                (true, false) => "an",
                (false, true) => "A",
                (false, false) => "a",
            });
        } else if sentence_start {
            // Capitalise the first letter, after any opening quote or bracket.
            match w.char_indices().find(|(_, c)| c.is_alphabetic()) {
                Some((i, c)) => {
                    out.push_str(&w[..i]);
                    out.extend(c.to_uppercase());
                    out.push_str(&w[i + c.len_utf8()..]);
                }
                None => out.push_str(w),
            }
        } else {
            out.push_str(w);
        }
        prev = w;
        match w.as_bytes().last() {
            Some(b'.' | b'!' | b'?') => sentence_start = true,
            _ => {
                if sentence_start && w.bytes().any(|c| c.is_ascii_alphanumeric() || c >= 0x80) {
                    sentence_start = false;
                }
            }
        }
    }
    while out.ends_with([',', ';', ':', ' ']) {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with(is_sentence_end) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles() {
        assert_eq!(with_article("fox"), "a fox");
        assert_eq!(
            with_article("old man playing chess"),
            "an old man playing chess"
        );
        assert_eq!(
            with_article("lavender fields in provence"),
            "lavender fields in provence"
        );
        assert_eq!(with_article("the sea"), "the sea");
        assert_eq!(with_article("unicorn"), "a unicorn");
        assert_eq!(with_article("hour of calm"), "an hour of calm");
        assert_eq!(with_article("glass vase"), "a glass vase");
        assert_eq!(with_article("Paris"), "Paris");
        assert_eq!(
            with_article("people walking in the rain"),
            "people walking in the rain"
        );
        assert_eq!(with_article("love"), "love");
        assert_eq!(
            with_article("frost crystals feathering a pane"),
            "frost crystals feathering a pane"
        );
        assert_eq!(with_article(""), "");
    }

    #[test]
    fn lists() {
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn tidy_fixes_spacing_and_clauses() {
        assert_eq!(
            tidy_prose("  a owl  sits , ,on a branch .  the the light is soft ,. "),
            "An owl sits, on a branch. The light is soft."
        );
        assert_eq!(tidy_prose("calm sea,"), "Calm sea.");
        assert_eq!(tidy_prose("x. . y"), "X. Y.");
        assert_eq!(tidy_prose("an beach at dusk"), "A beach at dusk.");
    }
}
