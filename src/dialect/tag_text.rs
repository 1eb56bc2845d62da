//! Tags for tag-reading generators (sd/sdxl prompts, negative prompts, Midjourney's `--no`):
//! short phrases with no comma inside, since a comma is what separates tags.
//!
//! Library entries are written as prose and some hold commas. The rule, per comma between a
//! part `L` before it and a part `R` after it:
//!
//! 1. **split** when `R` starts with a function word: two phrases (`at dusk, as the light
//!    fails`, `pegasus, a winged horse`, `in the forest, between old trunks`);
//! 2. **split** when `L` ends in two content words, a complete phrase (`a bench under plane
//!    trees, stone chess tables beyond`, `soft sage, mint and cream white`);
//! 3. **split** when `L` is a lone `-ing` word, an action (`listening, head turned`);
//! 4. **join** with a space when `L` is one word after function words only: a list of
//!    modifiers (`warm, low-raking sunlight` → `warm low-raking sunlight`, `the soft, even
//!    light`, `in a moody, cinematic style`);
//! 5. otherwise `L` ends in one word after a function word (`bowl of dark, glossy cherries`
//!    or `rose opening from the bud, in the rain`): **split** when `R` reads as a clause
//!    (it holds a function word other than `and`/`or`, or ends in an `-ing`/`-ed` word),
//!    **join** when it is a bare noun phrase.
//! 6. a split `R` that cannot stand alone as a tag is joined back to `L` after all: an
//!    absolute phrase (`its towers piercing the clouds`, `one eye open`) with `with`, a part
//!    that refers back (`fine grain on rough ones`) or a comparative (`softer behind`) with
//!    `and`, a pronoun or a participle clause with no noun (`beaded with dew`, `deepening to
//!    violet`) with a space; see [`dependent`].
//!
//! No tag is left a dangling modifier. Where the rule cannot tell a noun list from an adjective
//! list (`breakfast spread of eggs, toast, fruit and coffee`) it joins: every word stays.
//!
//! A comma between two digits (`1,000`) is dropped. The user's own words are split at every
//! comma and never joined: a user who types `1girl, silver hair, masterpiece` means tags.

use std::borrow::Cow;

/// Words that open a new phrase: articles and determiners, pronouns, prepositions,
/// conjunctions and subordinators. A comma before one of them separates two phrases.
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "against", "ahead", "all", "along", "amid", "among",
    "an", "and", "apart", "around", "as", "aside", "at", "away", "back", "before", "behind",
    "below", "beneath", "beside", "between", "beyond", "both", "but", "by", "down", "each",
    "every", "for", "from", "her", "his", "how", "if", "in", "inside", "into", "it", "its", "like",
    "my", "near", "nor", "not", "of", "off", "on", "onto", "or", "our", "out", "outside", "over",
    "past", "since", "so", "some", "than", "that", "the", "their", "them", "then", "these", "they",
    "this", "those", "through", "to", "together", "toward", "towards", "under", "until", "up",
    "upon", "when", "where", "which", "while", "who", "with", "within", "without", "yet", "your",
];

fn is_function_word(word: &str) -> bool {
    let w = bare(word);
    !w.is_empty() && FUNCTION_WORDS.binary_search(&w.as_str()).is_ok()
}

fn bare(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase()
}

/// An `-ing` or `-ed` word (a participle, as far as spelling tells).
fn participle(word: &str) -> bool {
    let w = bare(word);
    w.len() > 4 && (w.ends_with("ing") || w.ends_with("ed"))
}

/// Whether the comma between `left` and `right` (both trimmed, non-empty) separates two tags:
/// rules 1–5 of the module doc.
fn separates(left: &str, right: &str) -> bool {
    if right
        .split_whitespace()
        .next()
        .is_some_and(is_function_word)
    {
        return true;
    }
    let mut words = left.split_whitespace().rev();
    let last = words.next().unwrap_or("");
    match words.next() {
        Some(before) if !is_function_word(before) => true,
        None => participle(last) && bare(last).ends_with("ing"),
        Some(_) if words.clone().all(is_function_word) => false,
        Some(_) => {
            right
                .split_whitespace()
                .any(|w| is_function_word(w) && !matches!(bare(w).as_str(), "and" | "or"))
                || right.split_whitespace().last().is_some_and(participle)
        }
    }
}

/// The tags of a library entry's text, by the rule in the module doc, without those that name
/// something no image shows ([`non_visual`]: "the smell of grilled corn"). Text without a comma
/// is one tag, borrowed.
pub fn entry_tags(text: &str) -> Vec<Cow<'_, str>> {
    let mut tags = split_tags(text, true);
    tags.retain(|t| !non_visual(t));
    tags
}

/// A tag cut into its key phrase and the rest, when it is longer than three words and the key
/// is shorter: the leading function words and the content words up to the next function word
/// (but `and`, `or`, `of`) or a participle that opens a clause (`a deep sofa` + `heaped with cushions
/// in front of the fireplace`, `traffic lights` + `changing over an empty crossing`). Emphasis
/// goes to the key alone.
pub fn key_phrase(tag: &str) -> Option<(&str, &str)> {
    let words: Vec<(usize, &str)> = tag
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - tag.as_ptr() as usize, w))
        .collect();
    if words.len() <= 3 {
        return None;
    }
    let mut i = 0;
    while i < words.len() && is_function_word(words[i].1) {
        i += 1;
    }
    let first_content = i;
    while i < words.len() {
        let w = words[i].1;
        let b = bare(w);
        if i > first_content {
            let after_of = bare(words[i - 1].1) == "of" && matches!(b.as_str(), "a" | "an" | "the");
            if is_function_word(w) && !matches!(b.as_str(), "and" | "or" | "of") && !after_of {
                break;
            }
            let next_opens = words.get(i + 1).is_some_and(|n| {
                is_function_word(n.1) && !matches!(bare(n.1).as_str(), "and" | "or" | "of")
            });
            if participle(w) && next_opens {
                break;
            }
        }
        i += 1;
        if w.ends_with(|c: char| c.is_ascii_punctuation() && c != '-') {
            break;
        }
    }
    // No content word, or the key would be the whole tag.
    if i == first_content || i >= words.len() {
        return None;
    }
    // "and", "or" and "of" never end the key.
    while i > first_content + 1 && matches!(bare(words[i - 1].1).as_str(), "and" | "or" | "of") {
        i -= 1;
    }
    let (start, _) = words[i];
    Some((tag[..start].trim_end(), tag[start..].trim()))
}

/// Nouns of the senses other than sight: a tag whose head is one of them followed by `of`
/// ("the smell of woodsmoke", "with the distant sound of bells") names nothing visible.
const SENSES: &[&str] = &[
    "aroma",
    "aromas",
    "chatter",
    "echo",
    "echoes",
    "fragrance",
    "hum",
    "murmur",
    "noise",
    "odor",
    "odour",
    "perfume",
    "scent",
    "scents",
    "smell",
    "smells",
    "sound",
    "sounds",
    "stink",
    "taste",
    "whiff",
];

/// Adjectives that may stand between the function words and a sense noun ("the faint smell").
const SENSE_MODIFIERS: &[&str] = &[
    "distant",
    "faint",
    "far-off",
    "heady",
    "lingering",
    "low",
    "rich",
    "soft",
    "steady",
    "sweet",
    "warm",
];

/// Whether a tag names a smell, a sound or a taste rather than something seen: its first
/// content word (past function words and a few mild adjectives) is a sense noun followed by
/// `of`.
pub fn non_visual(tag: &str) -> bool {
    let mut words = tag
        .split_whitespace()
        .map(bare)
        .skip_while(|w| FUNCTION_WORDS.binary_search(&w.as_str()).is_ok())
        .skip_while(|w| SENSE_MODIFIERS.contains(&w.as_str()));
    match (words.next(), words.next()) {
        (Some(head), Some(next)) => SENSES.contains(&head.as_str()) && next == "of",
        _ => false,
    }
}

/// The tags of the user's own words: split at every comma, never joined.
pub fn user_tags(text: &str) -> Vec<Cow<'_, str>> {
    split_tags(text, false)
}

fn split_tags(text: &str, join: bool) -> Vec<Cow<'_, str>> {
    let trimmed = text.trim();
    if !trimmed.contains(',') {
        return if trimmed.is_empty() {
            Vec::new()
        } else {
            vec![Cow::Borrowed(trimmed)]
        };
    }
    // Pieces between commas, with digit-grouping commas ("1,000") kept inside their piece.
    let bytes = trimmed.as_bytes();
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b','
            && !(i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            pieces.push((start, i));
            start = i + 1;
        }
    }
    pieces.push((start, trimmed.len()));
    let pieces: Vec<&str> = pieces
        .into_iter()
        .map(|(a, b)| trimmed[a..b].trim())
        .filter(|p| !p.is_empty())
        .collect();
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(pieces.len());
    let mut current: Option<String> = None;
    let mut joiner = " ";
    for (k, piece) in pieces.iter().enumerate() {
        let mut tag = current.take().unwrap_or_default();
        if !tag.is_empty() {
            tag.push_str(joiner);
        }
        tag.push_str(piece);
        joiner = " ";
        match pieces.get(k + 1) {
            Some(next) if join && !separates(piece, next) => current = Some(tag),
            Some(next) if join && dependent(piece, next).is_some() => {
                joiner = dependent(piece, next).unwrap_or(" ");
                current = Some(tag);
            }
            _ => out.push(Cow::Owned(drop_digit_commas(tag))),
        }
    }
    out
}

/// Comparatives that open a part leaning on the one before (`crisp in front, softer behind`).
const COMPARATIVES: &[&str] = &[
    "bigger", "brighter", "closer", "colder", "cooler", "darker", "deeper", "fainter", "farther",
    "fuller", "further", "heavier", "higher", "hotter", "larger", "less", "lighter", "longer",
    "louder", "lower", "more", "nearer", "paler", "richer", "sharper", "smaller", "softer",
    "stronger", "thicker", "thinner", "warmer", "weaker", "wider",
];

/// Nouns spelt like participles: a part they open stands alone (`a lake, morning mist`).
const ING_NOUNS: &[&str] = &[
    "anything",
    "awning",
    "bedding",
    "building",
    "ceiling",
    "clothing",
    "everything",
    "evening",
    "flowerbed",
    "homestead",
    "hundred",
    "lightning",
    "morning",
    "nothing",
    "painting",
    "pudding",
    "railing",
    "riverbed",
    "seabed",
    "something",
    "spring",
    "string",
    "wedding",
];

/// Whether the part `right` after a comma cannot stand alone as a tag, and if so the words
/// that join it to `left` (the part before): a possessive or `one`/`each one` opening an
/// absolute phrase joins with `with` (`castle in the sky, its towers piercing the clouds` →
/// `castle in the sky with its towers piercing the clouds`); a part that refers back with
/// `ones` or opens with a comparative joins with `and` (`a subtle sheen on polished
/// surfaces and fine grain on rough ones`, `crisp in front and softer behind`); a pronoun or
/// an `-ing`/`-ed` clause with no noun of its own joins with a space (`molten apricot and
/// rose-gold deepening to violet`), unless `left` itself ends in a participle (`sword and
/// shield raised, fighting a dragon` stays two) or opens with one (two clauses side by side). A tag like "fine grain on rough ones" alone
/// names nothing: an image model reads each tag on its own.
fn dependent(left: &str, right: &str) -> Option<&'static str> {
    let words: Vec<String> = right.split_whitespace().map(bare).collect();
    let first = words.first()?.as_str();
    let second = words.get(1).map_or("", String::as_str);
    if matches!(first, "its" | "their" | "his" | "her")
        || (first == "one" && !matches!(second, "" | "of" | "by" | "after" | "another"))
        || (first == "each" && second == "one")
    {
        return Some(" with ");
    }
    if words.iter().any(|w| w == "ones") || COMPARATIVES.contains(&first) {
        return Some(" and ");
    }
    if matches!(
        first,
        "it" | "they" | "them" | "this" | "these" | "those" | "which" | "who" | "whose"
    ) {
        return Some(" ");
    }
    let left_last = left.split_whitespace().last().unwrap_or("");
    let left_first = bare(left.split_whitespace().next().unwrap_or(""));
    // Two clauses side by side (`throwing its head back, howling at the moon`) each stand.
    let parallel = participle(&left_first) && !ING_NOUNS.contains(&left_first.as_str());
    if participle(first)
        && !ING_NOUNS.contains(&first)
        && !participle(left_last)
        && !parallel
        && left.split_whitespace().count() > 1
    {
        return Some(" ");
    }
    None
}

/// What a tag of the user's own words says no to, and what is left of it: `no cars` → `("",
/// ["cars"])`, `a beach with no people` → `("a beach", ["people"])`, `a forest without any
/// birds or deer at dusk` → `("a forest at dusk", ["birds", "deer"])`. `None` when the tag says
/// no to nothing ("with no one around" says no to no thing). A prompt that shows "no cars"
/// asks an image model for cars: the things go into the negative prompt instead.
pub fn said_no(tag: &str) -> Option<(String, Vec<String>)> {
    let words: Vec<&str> = tag.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| matches!(bare(w).as_str(), "no" | "without"))?;
    let mut i = at + 1;
    while i < words.len() && matches!(bare(words[i]).as_str(), "any" | "a" | "an" | "the") {
        i += 1;
    }
    let mut things: Vec<String> = Vec::new();
    let mut thing: Vec<&str> = Vec::new();
    while i < words.len() {
        let b = bare(words[i]);
        if matches!(b.as_str(), "and" | "or" | "nor") {
            if !thing.is_empty() {
                things.push(thing.join(" "));
            }
            thing.clear();
        } else if is_function_word(words[i]) {
            break;
        } else {
            thing.push(
                words[i].trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '\''),
            );
        }
        i += 1;
    }
    if !thing.is_empty() {
        things.push(thing.join(" "));
    }
    // "no one", "no longer", "no more than": no thing.
    if things.is_empty()
        || things.iter().any(|t| {
            matches!(
                t.split(' ').next().unwrap_or(""),
                "one" | "longer" | "more" | "less" | "end" | "matter" | "doubt" | "man's"
            )
        })
    {
        return None;
    }
    let mut before = words[..at].to_vec();
    while before
        .last()
        .is_some_and(|w| matches!(bare(w).as_str(), "with" | "and" | "but" | "yet"))
    {
        before.pop();
    }
    let mut kept = before.join(" ");
    for w in &words[i..] {
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(w);
    }
    Some((kept, things))
}

/// `1,000` → `1000`: the commas left inside a tag are digit grouping.
fn drop_digit_commas(tag: String) -> String {
    if tag.contains(',') {
        tag.replace(',', "")
    } else {
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_that_cannot_stand_alone_stays_with_its_head() {
        let tags = |t: &str| -> Vec<String> {
            entry_tags(t).into_iter().map(|c| c.into_owned()).collect()
        };
        assert_eq!(
            tags("a subtle sheen on polished surfaces, fine grain on rough ones"),
            ["a subtle sheen on polished surfaces and fine grain on rough ones"]
        );
        assert_eq!(
            tags("castle in the sky, its white towers piercing the clouds"),
            ["castle in the sky with its white towers piercing the clouds"]
        );
        assert_eq!(
            tags("dragon sleeping on gold coins, one amber eye cracked open"),
            ["dragon sleeping on gold coins with one amber eye cracked open"]
        );
        assert_eq!(
            tags("water-smoothed pebbles, each one crisp"),
            ["water-smoothed pebbles with each one crisp"]
        );
        assert_eq!(
            tags("molten apricot and rose-gold, deepening to violet"),
            ["molten apricot and rose-gold deepening to violet"]
        );
        assert_eq!(
            tags("a clear sense of depth, crisp in front, softer behind"),
            ["a clear sense of depth", "crisp in front and softer behind"]
        );
        // Parts that stand alone still split.
        assert_eq!(
            tags("armoured knight, sword and shield raised, fighting a dragon"),
            [
                "armoured knight",
                "sword and shield raised",
                "fighting a dragon"
            ]
        );
        assert_eq!(
            tags("at dusk, as the sky fades"),
            ["at dusk", "as the sky fades"]
        );
        assert_eq!(
            tags("a quiet lake, morning mist rising"),
            ["a quiet lake", "morning mist rising"]
        );
        // The user's own words are never joined.
        assert_eq!(user_tags("a cat, its tail up").len(), 2);
    }

    #[test]
    fn what_the_user_says_no_to() {
        let no = |t: &str| said_no(t);
        assert_eq!(
            no("no cars"),
            Some((String::new(), vec!["cars".to_string()]))
        );
        assert_eq!(
            no("a beach with no people"),
            Some(("a beach".to_string(), vec!["people".to_string()]))
        );
        assert_eq!(
            no("a forest without any birds or deer at dusk"),
            Some((
                "a forest at dusk".to_string(),
                vec!["birds".to_string(), "deer".to_string()]
            ))
        );
        assert_eq!(
            no("a street with no parked cars"),
            Some(("a street".to_string(), vec!["parked cars".to_string()]))
        );
        assert_eq!(no("a quiet lane with no one around"), None);
        assert_eq!(no("a lighthouse on a cliff"), None);
        assert_eq!(no("a notebook"), None);
    }

    fn tags(text: &str) -> Vec<String> {
        entry_tags(text).into_iter().map(Cow::into_owned).collect()
    }

    #[test]
    fn long_tags_have_a_key_phrase() {
        let k = |t| key_phrase(t);
        assert_eq!(
            k("a deep sofa heaped with cushions in front of the fireplace"),
            Some((
                "a deep sofa",
                "heaped with cushions in front of the fireplace"
            ))
        );
        assert_eq!(
            k("traffic lights changing over an empty crossing"),
            Some(("traffic lights", "changing over an empty crossing"))
        );
        assert_eq!(
            k("shopfronts with hand-painted signs and awnings rolled halfway down"),
            Some((
                "shopfronts",
                "with hand-painted signs and awnings rolled halfway down"
            ))
        );
        assert_eq!(
            k("rosin dust on the strings"),
            Some(("rosin dust", "on the strings"))
        );
        assert_eq!(
            k("the rings of a gas giant glowing in the dark"),
            Some(("the rings of a gas giant", "glowing in the dark"))
        );
        assert_eq!(k("with cinematic framing and careful color grading"), None);
        assert_eq!(k("a black and white portrait of a fisherman"), None);
        assert_eq!(k("in the evening"), None);
        assert_eq!(k("an old weathered fisherman mending nets"), None);
        assert_eq!(k("a dramatic weathered stone lighthouse"), None);
    }

    #[test]
    fn smells_and_sounds_are_not_tags() {
        assert!(non_visual("the smell of grilled corn"));
        assert!(non_visual("with the faint scent of pine"));
        assert!(non_visual("the distant sound of bells"));
        assert!(non_visual("sound of water"));
        assert!(!non_visual("Puget Sound at dawn"));
        assert!(!non_visual("smoke rising from the chimney"));
        assert_eq!(
            tags("a night market, the smell of grilled corn in the air"),
            vec!["a night market"]
        );
        assert_eq!(
            tags("woodsmoke, the sound of rain on the roof"),
            vec!["woodsmoke"]
        );
        assert!(entry_tags("the aroma of fresh bread").is_empty());
    }

    #[test]
    fn function_words_are_sorted_for_binary_search() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn adjective_lists_join_and_phrases_split() {
        for (text, want) in [
            (
                "warm, low-raking sunlight",
                &["warm low-raking sunlight"][..],
            ),
            (
                "the soft, even light of an overcast sky",
                &["the soft even light of an overcast sky"],
            ),
            (
                "in a moody, cinematic style",
                &["in a moody cinematic style"],
            ),
            ("deep, dark, endless water", &["deep dark endless water"]),
            (
                "a close, intimate framing with a soft, blurred foreground",
                &["a close intimate framing with a soft blurred foreground"],
            ),
            (
                "at dusk, as the sky fades to violet",
                &["at dusk", "as the sky fades to violet"],
            ),
            ("pegasus, a winged horse", &["pegasus", "a winged horse"]),
            (
                "in the forest, between old trunks",
                &["in the forest", "between old trunks"],
            ),
            (
                "a bench under plane trees, stone chess tables beyond",
                &["a bench under plane trees", "stone chess tables beyond"],
            ),
            (
                "soft sage, mint and cream white",
                &["soft sage", "mint and cream white"],
            ),
            (
                "listening, head turned toward a sound",
                &["listening", "head turned toward a sound"],
            ),
            ("flat, lifeless lighting", &["flat lifeless lighting"]),
            (
                "bowl of dark, glossy cherries",
                &["bowl of dark glossy cherries"],
            ),
            (
                "rose opening from the bud, beaded with dew",
                &["rose opening from the bud beaded with dew"],
            ),
            (
                "sniffing the air, nose lifted",
                &["sniffing the air", "nose lifted"],
            ),
            (
                "a cave mouth high on a mountainside, snow drifting in",
                &["a cave mouth high on a mountainside", "snow drifting in"],
            ),
            (
                "low, warm evening sun full on the face",
                &["low warm evening sun full on the face"],
            ),
            (
                "jewel tones of ruby, sapphire and emerald",
                &["jewel tones of ruby sapphire and emerald"],
            ),
            (
                "festive and celebratory, full of joyful energy",
                &["festive and celebratory", "full of joyful energy"],
            ),
            ("a 1,000-year-old oak", &["a 1000-year-old oak"]),
            ("lighthouse", &["lighthouse"]),
            (" , soft, ", &["soft"]),
            ("", &[]),
        ] {
            assert_eq!(tags(text), want, "{text}");
        }
    }

    #[test]
    fn user_words_split_at_every_comma() {
        let t: Vec<String> = user_tags("1girl, silver hair, masterpiece,, best quality")
            .into_iter()
            .map(Cow::into_owned)
            .collect();
        assert_eq!(t, ["1girl", "silver hair", "masterpiece", "best quality"]);
        assert_eq!(user_tags("old fisherman"), ["old fisherman"]);
    }

    #[test]
    fn no_tag_holds_a_comma() {
        for text in ["a, b, c", "1,2,3", "x ,y", ",,,", "a,", "é, ü, 雪"] {
            for t in entry_tags(text).iter().chain(user_tags(text).iter()) {
                assert!(
                    !t.contains(',') && !t.is_empty() && t.trim() == t,
                    "{text:?} → {t:?}"
                );
            }
        }
    }
}
