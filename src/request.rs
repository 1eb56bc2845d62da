//! The idea inside a request. People type to promptloom the way they type to a chat model:
//! "give me a prompt for a cozy coffee shop", "for our picture book I need a scene where a fox
//! meets a badger", "a photo of a laptop on a desk for a blog header". The words around the
//! idea ask for a prompt; they are not part of the picture, and written into it they read as
//! nonsense ("A give me a prompt for…"). [`idea`] takes them off, and nothing else: media and
//! framings the user names ("a watercolor of…", "a photo of…") stay.

/// Openings that only ask for something, tried again after each match ("please, can you give
/// me a prompt for …"). Matched case-insensitively, as whole words.
const OPENINGS: &[&str] = &[
    "please",
    "hey",
    "can you",
    "could you",
    "would you",
    "give me",
    "write me",
    "write",
    "make me",
    "create me",
    "generate me",
    "generate",
    "create",
    "i need",
    "i want",
    "i'd like",
    "i would like",
    "we need",
    "we want",
    "image prompt:",
    "image prompt for",
    "prompt:",
    "prompt for",
    "a prompt for",
    "a prompt of",
    "a prompt about",
    "an image prompt for",
    "an image of",
    "an image showing",
    "an image where",
    "a picture of",
    "a picture showing",
    "a scene where",
    "a scene in which",
    "a scene showing",
    "a scene of",
    "an illustration where",
];

/// Words that end a trailing purpose ("… for a blog header", "… for our website").
const PURPOSES: &[&str] = &[
    "ad",
    "advert",
    "banner",
    "blog",
    "book",
    "campaign",
    "card",
    "cover",
    "deck",
    "flyer",
    "game",
    "header",
    "level",
    "newsletter",
    "post",
    "poster",
    "presentation",
    "slide",
    "slideshow",
    "story",
    "thumbnail",
    "website",
    "wallpaper",
];

/// The description without the request around it. Returns the description itself when taking
/// the request off would leave nothing.
pub(crate) fn idea(description: &str) -> &str {
    let full = description.trim();
    let mut rest = full;
    loop {
        let before = rest;
        rest = skip_purpose_lead(rest);
        for o in OPENINGS {
            if let Some(after) = strip_words(rest, o) {
                rest = after;
                break;
            }
        }
        if rest.len() == before.len() {
            break;
        }
    }
    let rest = strip_purpose_tail(strip_comma_purpose(strip_sign_off(rest)));
    if rest.chars().any(char::is_alphanumeric) {
        rest
    } else {
        full
    }
}

/// `text` after `prefix` and any spaces or commas, if `text` starts with it as whole words.
fn strip_words<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let after = &text[prefix.len()..];
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '\'') {
        return None;
    }
    Some(after.trim_start_matches([' ', ',', ':']))
}

/// "for our children's picture book I need …" → "…": a purpose, then the request.
fn skip_purpose_lead(text: &str) -> &str {
    if strip_words(text, "for").is_none() {
        return text;
    }
    let lower = text.to_ascii_lowercase();
    for ask in [
        " i need ",
        " i want ",
        " we need ",
        " we want ",
        " i'd like ",
    ] {
        if let Some(at) = lower.find(ask)
            && at < 80
            && !text[..at].contains(['.', ';'])
        {
            // The ask itself is taken off by the openings ("i need").
            return &text[at + 1..];
        }
    }
    text
}

/// Tags that rate a picture rather than show anything ("masterpiece, best quality, 8k"), as
/// Stable Diffusion users type them. Lower case.
const QUALITY_TAGS: &[&str] = &[
    "masterpiece",
    "best quality",
    "high quality",
    "highest quality",
    "top quality",
    "amazing quality",
    "very aesthetic",
    "absurdres",
    "highres",
    "high res",
    "ultra detailed",
    "ultra-detailed",
    "highly detailed",
    "extremely detailed",
    "very detailed",
    "intricate details",
    "4k",
    "8k",
    "16k",
    "uhd",
    "hd",
    "hdr",
    "high resolution",
    "ultra high res",
    "ultra high resolution",
    "sharp focus",
    "award winning",
    "award-winning",
    "trending on artstation",
    "official art",
    "score_9",
    "score_8_up",
    "score_7_up",
];

/// A tag list as Stable Diffusion users type it ("1girl, solo, silver hair, masterpiece, best
/// quality"), split into what it shows and the tags that only rate it. `None` unless the
/// description is a list of at least three short comma-separated tags with at least one rating
/// tag and something else.
pub(crate) fn split_quality_tags(text: &str) -> Option<(String, String)> {
    let tags: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tags.len() < 3
        || tags.iter().any(|t| t.split_whitespace().count() > 6)
        || text.trim_end().ends_with('.')
    {
        return None;
    }
    let rating = |t: &str| QUALITY_TAGS.iter().any(|q| t.eq_ignore_ascii_case(q));
    let (quality, content): (Vec<&str>, Vec<&str>) = tags.iter().partition(|t| rating(t));
    if quality.is_empty() || content.is_empty() {
        return None;
    }
    Some((content.join(", "), quality.join(", ")))
}

/// Words that only close a message ("… lol", "… pls"): not part of the picture.
const SIGN_OFFS: &[&str] = &[
    "lol", "lmao", "haha", "pls", "plz", "please", "thanks", "thx", "ty",
];

/// "cat sleeping on a keyboard lol" → "cat sleeping on a keyboard".
fn strip_sign_off(text: &str) -> &str {
    let mut rest = text.trim_end();
    loop {
        let trimmed = rest.trim_end_matches(['!', '.', ' ', ',']);
        let Some(at) = trimmed.rfind(' ') else {
            return rest;
        };
        if !SIGN_OFFS
            .iter()
            .any(|w| trimmed[at + 1..].eq_ignore_ascii_case(w))
        {
            return rest;
        }
        rest = trimmed[..at].trim_end_matches([' ', ',']);
    }
}

/// What a picture is for, named after a comma ("…, travel blog header"): where it goes, not
/// what it shows. Media and formats that describe the picture ("…, movie poster", "…, book
/// cover") stay.
const PLACEMENTS: &[&str] = &[
    "header",
    "banner",
    "thumbnail",
    "wallpaper",
    "website",
    "newsletter",
    "slide",
    "deck",
    "blog",
    "post",
    "ad",
    "campaign",
    "flyer",
    "presentation",
];

/// "… reflecting pool, travel blog header" → "… reflecting pool".
fn strip_comma_purpose(text: &str) -> &str {
    let Some(at) = text.rfind(',') else {
        return text;
    };
    let tail: Vec<String> = text[at + 1..]
        .split_whitespace()
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_ascii_lowercase()
        })
        .collect();
    let placement = tail
        .last()
        .is_some_and(|w| PLACEMENTS.contains(&w.as_str()));
    if placement && tail.len() <= 4 && !tail.iter().any(|w| w == "of" || w == "with") {
        text[..at].trim_end()
    } else {
        text
    }
}

/// Chat shorthand spelled out, word by word: "w/" and a lone "w" between words are "with",
/// "&" is "and", "bf" and "gf" are "boyfriend" and "girlfriend".
pub(crate) fn spelled_out(text: &str) -> std::borrow::Cow<'_, str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let long = |i: usize, w: &str| -> Option<&'static str> {
        let inner = i > 0 && i + 1 < words.len();
        match w.to_ascii_lowercase().as_str() {
            "w/" => Some("with"),
            "w" if inner => Some("with"),
            "&" if inner => Some("and"),
            "bf" => Some("boyfriend"),
            "gf" => Some("girlfriend"),
            _ => None,
        }
    };
    if !words.iter().enumerate().any(|(i, w)| long(i, w).is_some()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let out: Vec<&str> = words
        .iter()
        .enumerate()
        .map(|(i, w)| long(i, w).unwrap_or(w))
        .collect();
    std::borrow::Cow::Owned(out.join(" "))
}

/// "… on a desk for a blog header" → "… on a desk".
fn strip_purpose_tail(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.rfind(" for ") else {
        return text;
    };
    let tail: Vec<&str> = lower[at + 5..].split_whitespace().collect();
    let determiner = matches!(
        tail.first().copied(),
        Some("a" | "an" | "the" | "my" | "our" | "your" | "their" | "his" | "her")
    );
    let last = tail
        .last()
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()))
        .unwrap_or("");
    if determiner && tail.len() <= 6 && PURPOSES.contains(&last) {
        text[..at].trim_end_matches([' ', ','])
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::idea;

    #[test]
    fn requests_around_an_idea_are_taken_off() {
        for (typed, meant) in [
            (
                "give me a prompt for a cozy coffee shop on a rainy afternoon",
                "a cozy coffee shop on a rainy afternoon",
            ),
            (
                "Please, can you give me a prompt for a red fox",
                "a red fox",
            ),
            (
                "for our children's picture book I need a scene where a shy fox meets a badger",
                "a shy fox meets a badger",
            ),
            ("prompt: beach sunset", "beach sunset"),
            ("an image of a lighthouse at night", "a lighthouse at night"),
            (
                "a photo of a laptop on a desk for a blog header",
                "a photo of a laptop on a desk",
            ),
            ("I want an image of a castle", "a castle"),
            (
                "cat sleeping on a keyboard lol",
                "cat sleeping on a keyboard",
            ),
            (
                "sunrise over angkor wat, travel blog header",
                "sunrise over angkor wat",
            ),
        ] {
            assert_eq!(idea(typed), meant, "{typed}");
        }
    }

    #[test]
    fn rating_tags_are_told_from_what_a_tag_list_shows() {
        use super::split_quality_tags;
        assert_eq!(
            split_quality_tags("1girl, solo, long silver hair, masterpiece, best quality"),
            Some((
                "1girl, solo, long silver hair".to_string(),
                "masterpiece, best quality".to_string()
            ))
        );
        assert_eq!(
            split_quality_tags("landscape, mountains, lake, highly detailed, 8K"),
            Some((
                "landscape, mountains, lake".to_string(),
                "highly detailed, 8K".to_string()
            ))
        );
        // Prose, a list with nothing to rate, and ratings alone are left as typed.
        for typed in [
            "a masterpiece of a cake, tall and white, with roses.",
            "red fox, snowy forest, dawn",
            "masterpiece, best quality, 8k",
            "an old barn, highly detailed",
        ] {
            assert_eq!(split_quality_tags(typed), None, "{typed}");
        }
    }

    #[test]
    fn chat_shorthand_is_spelled_out() {
        use super::spelled_out;
        assert_eq!(
            spelled_out("me and my bf on a ferris wheel w city lights"),
            "me and my boyfriend on a ferris wheel with city lights"
        );
        assert_eq!(
            spelled_out("salt & pepper w/ lemon"),
            "salt and pepper with lemon"
        );
        assert_eq!(spelled_out("letter w"), "letter w");
    }

    #[test]
    fn ideas_and_named_media_stay() {
        for typed in [
            "beach sunset",
            "a watercolor of a fox",
            "a photo of a laptop on a desk",
            "a picnic for two",
            "a gift for my mother",
            "writer at a desk",
            "please",
            "",
            "prompter on a stage",
            "a scene",
            "for sale sign on a lawn",
            "a rock band on stage, movie poster",
            "lol",
        ] {
            assert_eq!(idea(typed), typed.trim(), "{typed}");
        }
    }
}
