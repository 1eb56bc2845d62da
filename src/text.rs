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

/// Whether `word` takes "an" (by sound, with the common exceptions).
pub fn wants_an(word: &str) -> bool {
    let w = word
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if w.is_empty() {
        return false;
    }
    for p in ["hour", "honest", "honor", "honour", "heir", "herb"] {
        if w.starts_with(p) {
            return true;
        }
    }
    for p in [
        "uni", "use", "usu", "uti", "ute", "eu", "one", "once", "ura", "uro", "ubiq", "ukul",
    ] {
        if w.starts_with(p) {
            return false;
        }
    }
    if w == "u" || w.starts_with("u-") {
        return false;
    }
    // Letters pronounced with a vowel sound when standing alone (e.g. "an 8mm", "an f/1.4").
    if w.len() == 1 || w.starts_with(|c: char| c.is_ascii_digit()) {
        return w.starts_with([
            'a', 'e', 'f', 'h', 'i', 'l', 'm', 'n', 'o', 'r', 's', 'x', '8',
        ]) || w.starts_with("11")
            || w.starts_with("18");
    }
    w.starts_with(['a', 'e', 'i', 'o', 'u'])
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
    let head: Vec<&str> = p
        .split_whitespace()
        .take_while(|w| !PREPOSITIONS.contains(&w.to_lowercase().as_str()))
        .collect();
    if let Some(last) = head.last() {
        let l = last.to_lowercase();
        let l = l.trim_end_matches(|c: char| !c.is_alphanumeric());
        if l.ends_with('s') && !singular_s(l) && l.len() > 3 {
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

/// Cleans rendered prose: one space between words, no space before punctuation, no empty clauses
/// (`, ,` or `,.`), no doubled words, "a"/"an" agreeing with the next word, and a capital letter
/// at the start of each sentence. The result ends with a full stop.
pub fn tidy_prose(raw: &str) -> String {
    // 1. Words and punctuation, spaced normally.
    let mut s = String::with_capacity(raw.len());
    for ch in raw.chars() {
        let ch = if ch.is_whitespace() { ' ' } else { ch };
        if ch == ' ' && (s.is_empty() || s.ends_with(' ')) {
            continue;
        }
        if matches!(ch, ',' | '.' | ';' | ':' | '!' | '?') {
            while s.ends_with(' ') {
                s.pop();
            }
            // Collapse empty clauses: ", ," → ",", ",." → ".", ". ." → "."
            if let Some(prev) = s.chars().last() {
                if matches!(prev, ',' | ';' | ':') {
                    s.pop();
                } else if is_sentence_end(prev) && ch != ':' {
                    continue;
                }
            }
            if s.is_empty() {
                continue;
            }
        }
        // A word right after punctuation gets its space back (", ,on" → ", on"); digits do not,
        // so "f/1.4" and "3.5" survive.
        if ch.is_alphabetic() && s.ends_with([',', ';', '!', '?']) {
            s.push(' ');
        }
        s.push(ch);
    }
    let s = s.trim().to_string();

    // 2. Words: doubled words and articles.
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        if let Some(prev) = out.last() {
            let p = prev.to_lowercase();
            // Doubled word ("the the"), unless punctuation sits between them.
            if p.chars().all(char::is_alphabetic) && p == w.to_lowercase() {
                continue;
            }
        }
        let lw = w.to_lowercase();
        if (lw == "a" || lw == "an") && i + 1 < words.len() {
            let an = wants_an(words[i + 1]);
            let fixed = if an { "an" } else { "a" };
            let fixed = if w.starts_with('A') {
                capitalize(fixed)
            } else {
                fixed.to_string()
            };
            out.push(fixed);
            continue;
        }
        out.push((*w).to_string());
    }
    let mut s = out.join(" ");

    // 3. Capitals at sentence starts.
    let mut result = String::with_capacity(s.len() + 1);
    let mut start = true;
    for ch in s.chars() {
        if start && ch.is_alphabetic() {
            result.extend(ch.to_uppercase());
            start = false;
            continue;
        }
        if is_sentence_end(ch) {
            start = true;
        } else if !ch.is_whitespace() && !matches!(ch, '"' | '\'' | '(') {
            start = false;
        }
        result.push(ch);
    }
    s = result;
    while s.ends_with([',', ';', ':', ' ']) {
        s.pop();
    }
    if !s.is_empty() && !s.ends_with(is_sentence_end) {
        s.push('.');
    }
    s
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
