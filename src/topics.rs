//! One topic once: the topics (content head words, folded to a stem) of a text, and the
//! topics a body says in its own words.
//!
//! A prompt reads as a list pasted together when two of its parts say the same thing: two slots
//! ("under a starry sky. Above, a huge, empty sky"), or a body's own words and the slot they
//! frame ("The light is light from a tall north window", "in tones of earthy tones of umber",
//! "The frame also holds a glass of water at the edge of the frame"). [`crate::repeats`] keeps
//! the words a scene has said; this module folds a word to its topic ("rainy" and "rain",
//! "picked" and "picks", "photographic" and "photograph", "skies" and "sky") and reads a body's
//! own words, so that a slot prefers entries whose topics neither the body nor another slot
//! has said, and a frame ("The light is …") never gets a value that says its own head word.

/// Three-letter words that carry no topic (shorter words never do). Kept in byte order: it is
/// searched by bisection (a test in `repeats` holds the order).
pub(crate) const SHORT_STOP: &[&str] = &[
    "ago", "all", "and", "any", "are", "big", "but", "can", "did", "end", "far", "few", "for",
    "get", "got", "had", "has", "her", "him", "his", "how", "its", "let", "low", "may", "new",
    "nor", "not", "now", "off", "old", "one", "our", "out", "own", "per", "put", "saw", "say",
    "see", "set", "she", "six", "ten", "the", "too", "top", "two", "use", "via", "was", "way",
    "who", "why", "yes", "yet", "you",
];

/// Final doubled letters that belong to the word ("fill", "moss", "cliff", "buzz"), not to a
/// suffix ("wrapped", "starry", "sunny").
fn keeps_double(c: u8) -> bool {
    matches!(c, b'l' | b's' | b'f' | b'z')
}

/// `w` without a doubled final consonant left by a suffix ("starr" → "star").
fn undouble(w: &str) -> &str {
    let b = w.as_bytes();
    let n = b.len();
    if n >= 4 && b[n - 1] == b[n - 2] && !keeps_double(b[n - 1]) && !b"aeiou".contains(&b[n - 1]) {
        &w[..n - 1]
    } else {
        w
    }
}

fn is_vowel(c: u8) -> bool {
    b"aeiouy".contains(&c)
}

/// The topic of a lower-case word: its stem, or `None` for a word that carries none (too short,
/// or a three-letter function word). Folds a plural (`skies` → `sky`, `rooftops` → `rooftop`),
/// `-ed` and `-ing` (`picked`, `glowing`), an adjective's `-y` (`rainy` → `rain`, `starry` →
/// `star`) and `-ic` (`photographic` → `photograph`).
pub fn stem(lower: &str) -> Option<String> {
    let w = lower.trim_end_matches("'s");
    if w.len() < 3 || !w.is_ascii() {
        return (w.len() >= 4).then(|| w.to_string());
    }
    if w.len() == 3 {
        return SHORT_STOP.binary_search(&w).is_err().then(|| w.to_string());
    }
    let b = w.as_bytes();
    let n = b.len();
    // Plurals.
    let w: String = if n >= 5 && w.ends_with("ies") {
        format!("{}y", &w[..n - 3])
    } else if w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
        && n >= 4
    {
        w[..n - 1].to_string()
    } else {
        w.to_string()
    };
    let n = w.len();
    let b = w.as_bytes();
    // Verb endings: "picked" → "pick", "wrapped" → "wrap", "glowing" → "glow".
    if n >= 6 && w.ends_with("ed") && !is_vowel(b[n - 3]) {
        return Some(undouble(&w[..n - 2]).to_string());
    }
    if n >= 7 && w.ends_with("ing") && !is_vowel(b[n - 4]) {
        return Some(undouble(&w[..n - 3]).to_string());
    }
    // Adjectives of a noun: "rainy" → "rain", "starry" → "star", "glossy" → "gloss".
    if n >= 5 && w.ends_with('y') && !is_vowel(b[n - 2]) && !w.ends_with("ly") {
        return Some(undouble(&w[..n - 1]).to_string());
    }
    if n >= 8 && w.ends_with("ic") {
        return Some(w[..n - 2].to_string());
    }
    // A silent final e, so that "frame" meets "framed" and "framing" (whose -ed and -ing took
    // it with them).
    if n >= 5 && w.ends_with('e') && !w.ends_with("ee") {
        return Some(w[..n - 1].to_string());
    }
    Some(w)
}

/// The words of `text` (letters, digits and apostrophes), lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Every topic of `text`, hashed, with no word exempt: what a frame must not meet in the value
/// it frames ("The light is" never frames "light from a tall north window").
pub fn strict_topics(text: &str, out: &mut Vec<u32>) {
    for w in words(text) {
        if crate::repeats::is_function_word(&w) {
            continue;
        }
        if let Some(s) = stem(&w)
            && !crate::repeats::is_function_word(&s)
        {
            out.push(crate::repeats::hash(&s));
        }
    }
}

/// What a body says in its own words (outside its `{{ }}` and `{% %}` tags).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyTopics {
    /// The topics of all its own words (as [`crate::repeats::content_words`] counts them): a
    /// slot prefers entries that say none of them.
    pub words: Vec<u32>,
    /// Per slot (by index), the strict topics of the words right around it in the same clause
    /// ("The light is {{ light }}", "in tones of {{ palette }}"): the slot prefers entries
    /// that say none of them.
    pub frames: Vec<Vec<u32>>,
}

/// One piece of a body: its own text, or a `{{ }}` output naming a variable, or another tag.
enum Piece<'a> {
    Text(&'a str),
    Output(&'a str),
    Tag,
}

fn pieces(src: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = src;
    while !rest.is_empty() {
        let open = crate::text::next_tera_tag(rest);
        let Some((i, o)) = open else {
            out.push(Piece::Text(rest));
            break;
        };
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let close = match o {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let Some(j) = rest[i + 2..].find(close) else {
            out.push(Piece::Text(&rest[i..]));
            break;
        };
        let inner = &rest[i + 2..i + 2 + j];
        if o == "{{" {
            let name = inner.trim_matches(|c: char| c == '-' || c.is_whitespace());
            let name = name.split('|').next().unwrap_or("").trim();
            out.push(Piece::Output(name));
        } else {
            out.push(Piece::Tag);
        }
        rest = &rest[i + 2 + j + close.len()..];
    }
    out
}

/// Dynamic-syntax braces, pipes and weights read as word breaks.
fn plain(text: &str) -> String {
    text.replace(['{', '}', '|'], " ").replace("::", " ")
}

/// The end of a clause, where a frame stops.
fn clause_break(c: char) -> bool {
    matches!(c, '.' | ';' | ':' | '!' | '?' | '(' | ')' | '\n')
}

/// What a body's frames say (`__mood__`): name → (content words, strict topics) of all the
/// frame's phrasings, computed once per frame; `None` for a name that is no frame.
pub type FrameTopics<'a> = &'a dyn Fn(&str) -> Option<(&'a [u32], &'a [u32])>;

/// Calls `part` on each stretch of `text` outside the frames it names and `frame` with the
/// topics of each frame named.
fn each_part(
    text: &str,
    frames: FrameTopics,
    mut part: impl FnMut(&str),
    mut frame: impl FnMut(&[u32], &[u32]),
) {
    let mut rest = text;
    while let Some(open) = rest.find("__") {
        let after = &rest[open + 2..];
        match after
            .find("__")
            .and_then(|close| Some((close, frames(&after[..close])?)))
        {
            Some((close, (words, strict))) => {
                part(&rest[..open]);
                frame(words, strict);
                rest = &after[close + 2..];
            }
            None => {
                part(&rest[..open + 2]);
                rest = after;
            }
        }
    }
    part(rest);
}

/// The strict topics of `clause`, a frame's included.
fn clause_topics(clause: &str, frames: FrameTopics, out: &mut Vec<u32>) {
    let mut extra: Vec<u32> = Vec::new();
    each_part(
        clause,
        frames,
        |t| strict_topics(t, out),
        |_, strict| extra.extend_from_slice(strict),
    );
    out.extend(extra);
}

impl BodyTopics {
    /// Reads body `src` of a template whose slots are `slots` (in order); `said_by_frames`
    /// gives what the frames it names say.
    pub fn of(src: &str, slots: &[&str], said_by_frames: FrameTopics) -> BodyTopics {
        let ps = pieces(src);
        let mut words = Vec::new();
        for p in &ps {
            // A frame's words are its forty phrasings', of which a prompt says one: they count
            // only around the slot they frame (below), never as words the whole scene has said.
            if let Piece::Text(t) = p {
                each_part(
                    &plain(t),
                    said_by_frames,
                    |part| crate::repeats::content_words(part, &mut words),
                    |_, _| {},
                );
            }
        }
        words.sort_unstable();
        words.dedup();
        let mut frames = vec![Vec::new(); slots.len()];
        for (k, p) in ps.iter().enumerate() {
            let Piece::Output(name) = p else { continue };
            let Some(si) = slots.iter().position(|s| s == name) else {
                continue;
            };
            let f = &mut frames[si];
            // The text just before, back to the clause's start or the previous tag.
            if let Some(Piece::Text(t)) = k.checked_sub(1).and_then(|j| ps.get(j)) {
                let t = plain(t);
                // A colon introduces the value ("Look closer: …"), so the frame runs past it.
                let clause = t
                    .rsplit(|c| c != ':' && clause_break(c))
                    .next()
                    .unwrap_or("");
                clause_topics(clause, said_by_frames, f);
            }
            // And just after, to the clause's end or the next tag.
            if let Some(Piece::Text(t)) = ps.get(k + 1) {
                let t = plain(t);
                let clause = t.split(clause_break).next().unwrap_or("");
                clause_topics(clause, said_by_frames, f);
            }
            f.sort_unstable();
            f.dedup();
        }
        BodyTopics { words, frames }
    }

    /// The strict topics around slot `slot` (empty for a slot the body does not write).
    pub fn frame(&self, slot: usize) -> &[u32] {
        self.frames.get(slot).map_or(&[], Vec::as_slice)
    }
}

/// The body to write, from `drawn` on: the first (in order, wrapping round) whose own words
/// repeat none of the user's (`user`), else `drawn`.
pub fn body_for_user(bodies: &[BodyTopics], drawn: usize, user: &crate::repeats::Said) -> usize {
    let n = bodies.len();
    (0..n)
        .map(|k| (drawn + k) % n)
        .find(|&b| !user.repeats(&bodies[b].words))
        .unwrap_or(drawn)
}

/// Of `pool` (entries by category and index), those whose words `said` has not said, when
/// that leaves some out and some in; `None` when all or none are unsaid.
pub fn unsaid(
    lib: &crate::library::Library,
    pool: &[(usize, usize)],
    said: &crate::repeats::Said,
) -> Option<Vec<(usize, usize)>> {
    if pool.len() < 2 {
        return None;
    }
    let fresh: Vec<(usize, usize)> = pool
        .iter()
        .copied()
        .filter(|&(c, e)| !said.repeats(lib.categories[c].entries[e].words()))
        .collect();
    (!fresh.is_empty() && fresh.len() < pool.len()).then_some(fresh)
}

/// Whether two lists of hashed topics share one.
pub fn shares(a: &[u32], b: &[u32]) -> bool {
    a.iter().any(|t| b.contains(t))
}

/// Whether `topics` (an entry's strict topics) says any topic of `frame`.
pub fn meets(frame: &[u32], topics: &[u32]) -> bool {
    !frame.is_empty() && topics.iter().any(|t| frame.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(w: &str) -> Option<String> {
        stem(w)
    }

    #[test]
    fn words_fold_to_their_topic() {
        assert_eq!(st("rainy"), st("rain"));
        assert_eq!(st("starry"), st("star"));
        assert_eq!(st("skies"), st("sky"));
        assert_eq!(st("picked"), st("picks"));
        assert_eq!(st("wrapped"), st("wrap"));
        assert_eq!(st("glowing"), st("glow"));
        assert_eq!(st("photographic"), st("photograph"));
        assert_eq!(st("tones"), st("tone"));
        assert_eq!(st("glossy"), st("gloss"));
        assert_eq!(st("framed"), st("frame"));
        assert_eq!(st("framing"), st("frames"));
        // Words that only look like it keep their own stem.
        assert_ne!(st("grass"), st("gras"));
        assert_eq!(st("moss").as_deref(), Some("moss"));
        assert_eq!(st("filled").as_deref(), Some("fill"));
        assert_eq!(st("gray").as_deref(), Some("gray"));
        assert_eq!(st("slowly").as_deref(), Some("slowly"));
        // Three-letter words count unless they are function words.
        assert_eq!(st("sky").as_deref(), Some("sky"));
        assert_eq!(st("the"), None);
        assert_eq!(st("and"), None);
    }

    #[test]
    fn a_frame_is_the_clause_around_its_slot() {
        let slots = ["subject", "light", "palette", "detail"];
        let b = BodyTopics::of(
            "{{ subject | cap }}. {% if light %}The light is {{ light }}{% endif %}, \
             in tones of {{ palette }}. The frame also holds {{ detail }}.",
            &slots,
            &|_| None,
        );
        let t = |s: &str| {
            let mut v = Vec::new();
            strict_topics(s, &mut v);
            v
        };
        assert!(meets(b.frame(1), &t("light from a tall north window")));
        assert!(!meets(
            b.frame(1),
            &t("the warm flicker of a single candle")
        ));
        assert!(meets(b.frame(2), &t("earthy tones of umber and clay")));
        assert!(meets(b.frame(3), &t("a glass at the edge of the frame")));
        assert!(b.frame(0).is_empty());
        // The body's own words, for every slot: "frame" is one, "the" is not.
        let mut frame = Vec::new();
        crate::repeats::content_words("frame", &mut frame);
        assert!(frame.iter().all(|w| b.words.contains(w)));
    }

    #[test]
    fn dynamic_runs_are_read_as_words() {
        let b = BodyTopics::of(
            "{Look closer|Up close}: {{ detail }}.",
            &["detail"],
            &|_| None,
        );
        let mut look = Vec::new();
        crate::repeats::content_words("look", &mut look);
        assert!(look.iter().all(|w| b.words.contains(w)));
        assert!(meets(b.frame(0), &look));
    }
}
