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
    if names_something(rest) { rest } else { full }
}

/// Whether `text` holds a word that could name something: a request taken off "hey a" leaves
/// only an article, which is no idea; the whole description is kept then.
fn names_something(text: &str) -> bool {
    const EMPTY: &[&str] = &[
        "a", "an", "the", "of", "for", "to", "me", "us", "it", "this", "that", "some", "one",
    ];
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .any(|w| !EMPTY.iter().any(|e| e.eq_ignore_ascii_case(w)))
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

/// Feelings and ideas that show nothing by themselves ("grief", "nostalgia"), each with a
/// scene that shows it: who is there and what they do, said with a word that still sets the
/// mood ("grieving", "joyful"). Lower case.
const ABSTRACTS: &[(&str, &str)] = &[
    ("joy", "a joyful child laughing with arms flung wide"),
    (
        "happiness",
        "happy friends laughing together on a picnic blanket in the sun",
    ),
    (
        "grief",
        "a grieving woman in black sitting alone beside an empty armchair",
    ),
    (
        "sorrow",
        "a mournful old man standing bareheaded at a graveside",
    ),
    (
        "sadness",
        "a sad child sitting alone on a swing in an empty playground",
    ),
    (
        "melancholy",
        "a melancholy woman gazing out of a rain-streaked window",
    ),
    (
        "despair",
        "a man in despair sitting on a bare floor with his head in his hands",
    ),
    (
        "loneliness",
        "a lonely figure waiting at a bus stop under a streetlight",
    ),
    (
        "solitude",
        "a lone hiker resting in solitude on a mountain ridge above a sea of clouds",
    ),
    (
        "nostalgia",
        "a nostalgic jumble of a child's tin toy, old letters and a pressed flower on a sunny windowsill",
    ),
    (
        "hope",
        "a hopeful green shoot pushing up through cracked dry earth toward the light",
    ),
    (
        "love",
        "an elderly couple in love holding hands on a park bench",
    ),
    (
        "fear",
        "a frightened child peering out from under the blankets at a half-open closet door",
    ),
    (
        "anger",
        "an angry man slamming his fist on a table, papers scattering",
    ),
    (
        "peace",
        "a peaceful lake with a single rowboat moored at a wooden jetty",
    ),
    (
        "serenity",
        "a serene monk sitting cross-legged on a mossy stone beside a quiet stream",
    ),
    (
        "tranquility",
        "a tranquil lagoon with a hammock strung between two palms",
    ),
    (
        "freedom",
        "a carefree girl flinging her arms wide on a windswept clifftop",
    ),
    (
        "wonder",
        "a wide-eyed child staring up in wonder at a vast sky full of stars",
    ),
    (
        "awe",
        "a tiny figure standing in awe at the foot of a towering frozen waterfall",
    ),
    (
        "longing",
        "a woman on a pier gazing with longing after a ship sailing away",
    ),
    (
        "anxiety",
        "an anxious young woman lying awake in the dark, staring at the ceiling",
    ),
    (
        "excitement",
        "excited children running toward a fairground lit up against the sky",
    ),
    (
        "gratitude",
        "a grateful family sharing a harvest meal at a long wooden table",
    ),
    (
        "memory",
        "a box of old keepsakes and letters spilling across a wooden table",
    ),
    (
        "childhood",
        "children building a den of blankets in a sunlit living room",
    ),
];

/// Words that may stand before a feeling without making it a scene ("pure joy", "quiet grief").
const FEELING_ADJECTIVES: &[&str] = &[
    "the",
    "pure",
    "quiet",
    "deep",
    "silent",
    "sheer",
    "endless",
    "sudden",
    "simple",
    "gentle",
    "profound",
    "overwhelming",
    "bittersweet",
    "childlike",
    "raw",
    "tender",
];

/// A description that only names a feeling ("grief", "the joy of a first snowfall") with a
/// scene that shows it: the feeling alone becomes a person or a place that shows it; "the
/// feeling of something" keeps the something and puts who feels it there. Anything else is returned
/// as typed.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let lower = text
        .trim()
        .trim_end_matches(['.', '!'])
        .to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let Some(at) = words
        .iter()
        .position(|w| ABSTRACTS.iter().any(|(a, _)| a == w))
    else {
        return Cow::Borrowed(text);
    };
    if !words[..at].iter().all(|w| FEELING_ADJECTIVES.contains(w)) {
        return Cow::Borrowed(text);
    }
    let scene = ABSTRACTS
        .iter()
        .find(|(a, _)| *a == words[at])
        .map(|(_, s)| *s)
        .unwrap_or_default();
    if at + 1 == words.len() {
        return Cow::Owned(scene.to_string());
    }
    // "the joy of a first snowfall": the thing that is felt is the scene, and someone in it
    // shows the feeling.
    if words[at + 1] == "of"
        && words.len() > at + 2
        && matches!(
            words[at + 2],
            "a" | "an" | "the" | "my" | "our" | "his" | "her" | "their" | "first" | "new"
        )
    {
        let thing = words[at + 2..].join(" ");
        // "the love of a mother" is about a person, whom another scene would replace.
        const PEOPLE: &[&str] = &[
            "mother",
            "father",
            "child",
            "children",
            "friend",
            "friends",
            "family",
            "parent",
            "parents",
            "lover",
            "lovers",
            "couple",
            "mom",
            "dad",
            "son",
            "daughter",
            "grandmother",
            "grandfather",
            "dog",
            "cat",
            "pet",
        ];
        // So is "the loneliness of a lighthouse keeper": anyone a pronoun other than "it"
        // stands for is the scene's person, never a place to put another scene in.
        if words[at + 2..].iter().any(|w| PEOPLE.contains(w))
            || crate::pronoun::of_subject(&thing) != crate::pronoun::Pronoun::It
        {
            return Cow::Borrowed(text);
        }
        // A day is lived on ("on a quiet sunday morning"), a place or an event in.
        let on = words.last().is_some_and(|w| {
            w.ends_with("day")
                || matches!(
                    *w,
                    "morning" | "afternoon" | "evening" | "night" | "weekend" | "eve" | "holiday"
                )
        });
        return Cow::Owned(format!("{scene} {} {thing}", if on { "on" } else { "in" }));
    }
    Cow::Borrowed(text)
}

/// Finite verbs a description may put after its subject ("a fisherman stands on a pier"), each
/// with the form that reads after a noun ("a fisherman standing on a pier"), so every body can
/// write the subject after "a photo of" or "seen as …:".
const FINITE_VERBS: &[(&str, &str)] = &[
    ("stands", "standing"),
    ("sits", "sitting"),
    ("holds", "holding"),
    ("leans", "leaning"),
    ("waits", "waiting"),
    ("lies", "lying"),
    ("sleeps", "sleeping"),
    ("reads", "reading"),
    ("dances", "dancing"),
    ("swims", "swimming"),
    ("sings", "singing"),
    ("smiles", "smiling"),
    ("gazes", "gazing"),
    ("stares", "staring"),
    ("kneels", "kneeling"),
    ("climbs", "climbing"),
    ("carries", "carrying"),
    ("eats", "eating"),
    ("writes", "writing"),
    ("cooks", "cooking"),
    ("jumps", "jumping"),
    ("hangs", "hanging"),
    ("floats", "floating"),
    ("perches", "perching"),
    ("crouches", "crouching"),
    ("wanders", "wandering"),
    ("strolls", "strolling"),
    ("hurries", "hurrying"),
    ("pours", "pouring"),
    ("mends", "mending"),
    ("tends", "tending"),
    ("peers", "peering"),
    ("reaches", "reaching"),
    ("hugs", "hugging"),
    ("laughs", "laughing"),
    ("cries", "crying"),
    ("prays", "praying"),
    ("sweeps", "sweeping"),
    ("stirs", "stirring"),
    ("bakes", "baking"),
    ("wears", "wearing"),
    ("grazes", "grazing"),
    ("hunts", "hunting"),
    ("soars", "soaring"),
    ("kicks", "kicking"),
    ("throws", "throwing"),
    ("chases", "chasing"),
    ("drives", "driving"),
    ("pushes", "pushing"),
    ("pulls", "pulling"),
    ("fishes", "fishing"),
    ("listens", "listening"),
    ("whispers", "whispering"),
    ("weeps", "weeping"),
    ("stretches", "stretching"),
    ("stand", "standing"),
    ("sit", "sitting"),
    ("graze", "grazing"),
    ("gather", "gathering"),
    ("huddle", "huddling"),
];

/// Words after which a bare verb form ("stand", "walks") is no verb of the subject: a noun
/// ("a hot dog stand", "the walks") or a clause of its own ("while seagulls circle").
const BEFORE_NO_VERB: &[&str] = &[
    "a", "an", "the", "of", "to", "and", "or", "while", "as", "when", "where", "that", "which",
    "who", "his", "her", "its", "their", "my", "our", "your", "night", "long", "evening",
    "morning", "he", "she", "it", "they", "i", "we", "you",
];

/// Views a description may open with, set off by a comma ("seen from above, a village").
const LEADING_VIEWS: &[&str] = &[
    "seen from above",
    "seen from below",
    "seen from the air",
    "seen from high above",
    "viewed from above",
    "viewed from below",
    "from above",
    "from below",
    "from the air",
    "from high above",
    "from a low angle",
    "from a high angle",
    "aerial view",
    "an aerial view",
    "bird's-eye view",
    "a bird's-eye view",
    "bird's eye view",
    "top-down view",
    "top-down",
    "top down",
    "low angle",
    "a low angle",
    "high angle",
];

/// A view the description opens with is said after what it shows: "seen from above, a
/// village" → "a village, seen from above", which reads after "a photo of" and as the subject.
/// Anything else is returned as typed.
pub(crate) fn view_last(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    for lead in LEADING_VIEWS {
        let Some(head) = text.get(..lead.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(lead) {
            continue;
        }
        let Some(after) = text[lead.len()..].strip_prefix(',') else {
            continue;
        };
        let shown = after.trim();
        if !names_something(shown) {
            return Cow::Borrowed(text);
        }
        let view = &text[..lead.len()];
        let mut chars = view.chars();
        let view: String = match chars.next() {
            // A capital that only began the sentence.
            Some(c) if chars.clone().next().is_some_and(char::is_lowercase) => {
                c.to_lowercase().chain(chars).collect()
            }
            _ => view.to_string(),
        };
        let shown = shown.trim_end_matches(['.', ',', ';']);
        return Cow::Owned(format!("{shown}, {view}"));
    }
    Cow::Borrowed(text)
}

/// Words that may follow a subject's verb: where it happens or what it acts on.
const VERB_OBJECTS: &[&str] = &[
    "on", "in", "at", "by", "beside", "near", "under", "over", "along", "across", "through",
    "against", "inside", "outside", "alone", "quietly", "a", "an", "the", "his", "her", "their",
    "its", "up", "down", "out", "into", "onto", "toward", "towards", "behind", "above", "below",
    "around", "with", "among", "together", "there", "high", "low", "still", "silently", "two",
    "some", "over", "past", "beneath", "atop", "upon", "amid", "within",
];

/// A description written as a sentence, its subject's verb made a participle: "an old fisherman
/// stands on a pier, holding a mug" → "an old fisherman standing on a pier, holding a mug", so
/// it reads after "a photo of". "is"/"are" before an -ing word go ("a dog is sleeping" → "a dog
/// sleeping"). Only the first verb of the subject changes; a clause of its own after "while",
/// "as" or "and" keeps its verb ("while seagulls circle above"). Anything else is returned as
/// typed.
pub(crate) fn as_phrase(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let words: Vec<&str> = text.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        let bare = w.trim_end_matches([',', '.', ';', ':', '!']);
        let lower = bare.to_ascii_lowercase();
        if i == 0 {
            continue;
        }
        let prev = words[i - 1].to_ascii_lowercase();
        if prev.ends_with([',', ';', ':', '.']) || BEFORE_NO_VERB.contains(&prev.as_str()) {
            // A clause after a comma or a conjunction is the user's own; stop at the first.
            if matches!(prev.as_str(), "while" | "as" | "when" | "where" | "and") {
                break;
            }
            continue;
        }
        let plural_verb = !lower.ends_with('s');
        let subject_plural = (prev.ends_with('s') && !prev.ends_with("ss"))
            || matches!(
                prev.as_str(),
                "men"
                    | "women"
                    | "children"
                    | "people"
                    | "geese"
                    | "mice"
                    | "sheep"
                    | "deer"
                    | "cattle"
                    | "folk"
                    | "kids"
            );
        if (lower == "is" || lower == "are")
            && words
                .get(i + 1)
                .is_some_and(|n| n.to_ascii_lowercase().ends_with("ing") && n.len() > 4)
        {
            let mut out: Vec<&str> = words.clone();
            out.remove(i);
            return Cow::Owned(out.join(" "));
        }
        // A verb goes on to where or what: "stands on a pier", "holds a mug", "smiles,".
        let goes_on = bare.len() < w.len()
            || words.get(i + 1).is_none_or(|n| {
                VERB_OBJECTS.contains(&n.trim_end_matches([',', '.']).to_ascii_lowercase().as_str())
            });
        if !goes_on {
            continue;
        }
        if let Some((_, ing)) = FINITE_VERBS.iter().find(|(v, _)| *v == lower) {
            // "two dogs run" but not "a dog run"; "a dog runs" but not "the dogs runs".
            if plural_verb != subject_plural {
                continue;
            }
            let tail = &w[bare.len()..];
            let ing = if bare.starts_with(char::is_uppercase) {
                crate::text::capitalize(ing)
            } else {
                (*ing).to_string()
            };
            let mut out: Vec<String> = words.iter().map(|w| (*w).to_string()).collect();
            out[i] = format!("{ing}{tail}");
            return Cow::Owned(out.join(" "));
        }
    }
    Cow::Borrowed(text)
}

/// Nouns that name a picture's medium or form: "a black and white portrait of …", "isometric
/// pixel art of …", "a pencil sketch of …". Lower case.
const MEDIUM_NOUNS: &[&str] = &[
    "portrait",
    "photo",
    "photograph",
    "photography",
    "snapshot",
    "polaroid",
    "painting",
    "sketch",
    "drawing",
    "illustration",
    "art",
    "artwork",
    "render",
    "rendering",
    "watercolor",
    "watercolour",
    "print",
    "etching",
    "engraving",
    "woodcut",
    "linocut",
    "lithograph",
    "poster",
    "mural",
    "collage",
    "cartoon",
    "comic",
    "mosaic",
    "tapestry",
    "diorama",
    "doodle",
    "still life",
    "picture",
    "image",
    "illustrations",
    "concept art",
    "matte painting",
    "fresco",
    "gouache",
    "pastel",
    "miniature",
    "infographic",
    "screenprint",
    "vignette",
    "stained glass",
    "stained glass window",
    "stained-glass window",
    "stained glass panel",
    "embroidery",
    "needlepoint",
    "cross-stitch",
    "quilt",
    "tattoo",
    "tattoo design",
    "sticker",
    "sticker design",
    "bas-relief",
    "papercut",
    "paper cut",
    "silhouette art",
];

/// The first word that joins a medium to what it shows ("of", "depicting", "showing") in
/// `lower`: where it starts, and its length with the spaces around it.
fn first_joint(lower: &str) -> Option<(usize, usize)> {
    [" of ", " depicting ", " showing "]
        .iter()
        .filter_map(|j| lower.find(j).map(|at| (at, j.len())))
        .min()
}

/// The medium a subject opens with, as the user wrote it, and the subject that follows it:
/// "black and white portrait of a boxer" → ("black and white portrait", "a boxer"), "a stained
/// glass window depicting a fox" → ("stained glass window", "a fox"). `None` when the words
/// before "of" (or "depicting", "showing") name no medium ("a bowl of soup") or nothing follows.
pub(crate) fn split_named_medium(subject: &str) -> Option<(&str, &str)> {
    let lower = subject.to_ascii_lowercase();
    let (mut of, mut joint) = first_joint(&lower)?;
    // The medium's own noun ends before a style phrase that goes with it: "an oil painting in
    // the style of Vermeer of a girl reading" is a medium ("oil painting in the style of
    // Vermeer") and what it shows ("a girl reading").
    let mut noun_end = of;
    for lead in [
        " in the style",
        " in the manner",
        " after the style",
        " in the spirit",
    ] {
        if joint == 4
            && lower[..of].ends_with(lead)
            && let Some((next, len)) = first_joint(&lower[of + 4..])
            && lower[of + 4..of + 4 + next].split_whitespace().count() <= 4
        {
            noun_end = of - lead.len();
            of += 4 + next;
            joint = len;
            break;
        }
    }
    let head = lower[..noun_end].trim();
    let head = head
        .strip_prefix("a ")
        .or_else(|| head.strip_prefix("an "))
        .unwrap_or(head);
    let n = head.split_whitespace().count();
    // "the art of war" names an idea, not the picture's medium.
    if n == 0 || n > 6 || head.contains(',') || head.starts_with("the ") {
        return None;
    }
    let last = head.split_whitespace().last()?;
    if !MEDIUM_NOUNS.iter().any(|m| {
        *m == last
            || head
                .strip_suffix(*m)
                .is_some_and(|h| h.is_empty() || h.ends_with(' '))
    }) {
        return None;
    }
    let rest = subject[of + joint..].trim();
    if !rest.chars().any(char::is_alphanumeric) {
        return None;
    }
    let start =
        subject.len() - subject.trim_start().len() + (lower[..noun_end].trim().len() - head.len());
    Some((subject[start..of].trim(), rest))
}

/// A medium as the user named it, with the name after its style phrase capitalised ("oil
/// painting in the style of vermeer" → "oil painting in the style of Vermeer", "in the manner of
/// da vinci" → "in the manner of Da Vinci"): a style is named after a person or a studio.
pub(crate) fn with_named_style(medium: &str) -> String {
    let lower = medium.to_ascii_lowercase();
    let Some(at) = [" style of ", " manner of ", " spirit of "]
        .iter()
        .filter_map(|lead| lower.find(lead).map(|k| k + lead.len()))
        .min()
    else {
        return medium.to_string();
    };
    let mut out = medium[..at].to_string();
    for (k, w) in medium[at..].split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        if w.eq_ignore_ascii_case("the") {
            out.push_str(w);
        } else {
            crate::text::capitalize_into(w, &mut out);
        }
    }
    out
}

/// A subject whose last words are a style phrase cut short once the style itself went to its
/// slot ("a clockmaker, painted in the style" of a Dutch golden age oil painting): those words
/// say nothing any more, and go.
pub(crate) fn without_dangling_style(subject: &str) -> &str {
    let mut s = subject.trim_end_matches([' ', ',', '.', ';', ':']);
    for tail in [
        " in the style of",
        " in the style",
        " in a style",
        " in the manner of",
        " in the manner",
        " style of",
        " inspired by",
        " after the style of",
    ] {
        if s.len() > tail.len() && s.to_ascii_lowercase().ends_with(tail) {
            s = s[..s.len() - tail.len()].trim_end_matches([' ', ',']);
            for verb in [
                " painted",
                " drawn",
                " rendered",
                " done",
                " made",
                " shot",
                " illustrated",
                " photographed",
                " sketched",
                " created",
            ] {
                if s.len() > verb.len() && s.to_ascii_lowercase().ends_with(verb) {
                    s = s[..s.len() - verb.len()].trim_end_matches([' ', ',']);
                    break;
                }
            }
            break;
        }
    }
    // "…, painted in gouache" whose medium went to its slot leaves no ", painted" behind.
    for verb in [
        ", painted",
        ", drawn",
        ", rendered",
        ", done",
        ", illustrated",
        ", photographed",
        ", sketched",
        ", shot",
    ] {
        for tail in ["", " in", " as", " with"] {
            let end = format!("{verb}{tail}");
            if s.len() > end.len() && s.to_ascii_lowercase().ends_with(&end) {
                s = s[..s.len() - end.len()].trim_end_matches([' ', ',']);
            }
        }
    }
    if s.chars().any(char::is_alphanumeric) {
        s
    } else {
        subject
    }
}

#[cfg(test)]
mod tests {
    use super::idea;

    #[test]
    fn a_request_that_leaves_only_an_article_keeps_every_word() {
        assert_eq!(idea("hey a"), "hey a");
        assert_eq!(idea("please, the"), "please, the");
        assert_eq!(idea("hey, a fox"), "a fox");
    }

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
    #[test]
    fn a_medium_the_user_names_is_told_from_what_it_shows() {
        use super::split_named_medium;
        for (typed, medium, rest) in [
            (
                "black and white portrait of a boxer after a fight",
                "black and white portrait",
                "a boxer after a fight",
            ),
            (
                "isometric pixel art of a tiny island village",
                "isometric pixel art",
                "a tiny island village",
            ),
            (
                "a pencil sketch of a sleeping dog",
                "pencil sketch",
                "a sleeping dog",
            ),
            ("An oil painting of the sea", "oil painting", "the sea"),
            (
                "vintage travel poster of Lisbon",
                "vintage travel poster",
                "Lisbon",
            ),
            (
                "an oil painting in the style of vermeer of a girl reading a letter",
                "oil painting in the style of vermeer",
                "a girl reading a letter",
            ),
            (
                "a watercolor in the manner of Turner of a harbour at dusk",
                "watercolor in the manner of Turner",
                "a harbour at dusk",
            ),
            (
                "a stained glass window depicting a fox",
                "stained glass window",
                "a fox",
            ),
            (
                "a tapestry showing a hunting party",
                "tapestry",
                "a hunting party",
            ),
            (
                "a poster in the style of Mucha showing a dancer",
                "poster in the style of Mucha",
                "a dancer",
            ),
        ] {
            assert_eq!(split_named_medium(typed), Some((medium, rest)), "{typed}");
        }
        for typed in [
            "a bowl of soup",
            "a cup of coffee on a desk",
            "the edge of a forest",
            "a portrait of",
            "a boxer after a fight",
            "a scene of a market",
            "a winter scene of a village",
            "a study of hands",
            "portrait, of a kind, of a man",
            "the art of war",
            "a painting in the style of vermeer",
            "a window showing the sea",
            "a map depicting the coast",
            "a broken heart of stone",
        ] {
            assert_eq!(split_named_medium(typed), None, "{typed}");
        }
    }

    #[test]
    fn the_name_in_a_named_style_is_capitalised() {
        use super::with_named_style;
        assert_eq!(
            with_named_style("oil painting in the style of vermeer"),
            "oil painting in the style of Vermeer"
        );
        assert_eq!(
            with_named_style("pencil sketch in the manner of da vinci"),
            "pencil sketch in the manner of Da Vinci"
        );
        assert_eq!(with_named_style("pencil sketch"), "pencil sketch");
    }

    #[test]
    fn a_style_phrase_cut_short_goes() {
        use super::without_dangling_style;
        assert_eq!(
            without_dangling_style("a clockmaker late on christmas eve, painted in the style"),
            "a clockmaker late on christmas eve"
        );
        assert_eq!(
            without_dangling_style("a harbour at dusk in the style of"),
            "a harbour at dusk"
        );
        assert_eq!(
            without_dangling_style("a cabin by a river, smoke rising from its chimney, painted"),
            "a cabin by a river, smoke rising from its chimney"
        );
        assert_eq!(without_dangling_style("a fox, drawn in"), "a fox");
        assert_eq!(
            without_dangling_style("a freshly painted"),
            "a freshly painted"
        );
        assert_eq!(without_dangling_style("a stylish café"), "a stylish café");
        assert_eq!(without_dangling_style("in the style"), "in the style");
    }

    #[test]
    fn a_sentence_reads_as_a_phrase() {
        use super::as_phrase;
        for (typed, meant) in [
            (
                "an elderly fisherman in a yellow raincoat stands on a weathered wooden pier, holding a mug, while seagulls circle above",
                "an elderly fisherman in a yellow raincoat standing on a weathered wooden pier, holding a mug, while seagulls circle above",
            ),
            (
                "a dog is sleeping on the porch",
                "a dog sleeping on the porch",
            ),
            (
                "two old men sit on a bench",
                "two old men sitting on a bench",
            ),
            (
                "a heron stands, perfectly still",
                "a heron standing, perfectly still",
            ),
            ("a girl holds a red balloon", "a girl holding a red balloon"),
        ] {
            assert_eq!(as_phrase(typed), meant, "{typed}");
        }
        // Nouns that look like verbs, and clauses of their own, stay.
        for typed in [
            "a hot dog stand on the corner",
            "a market stand in the rain",
            "she stands on a hill",
            "ocean waves crash on the rocks",
            "fruit flies on a banana",
            "seagulls circle above the water",
            "a lighthouse on a cliff",
            "the sky is pink",
            "a fox while the snow falls",
        ] {
            assert_eq!(as_phrase(typed), typed, "{typed}");
        }
    }

    #[test]
    fn a_view_the_description_opens_with_follows_what_it_shows() {
        use super::view_last;
        for (typed, meant) in [
            ("seen from above, a village", "a village, seen from above"),
            (
                "Seen from below, a gothic cathedral at dusk.",
                "a gothic cathedral at dusk, seen from below",
            ),
            (
                "aerial view, a harbour full of boats",
                "a harbour full of boats, aerial view",
            ),
            (
                "From a low angle, a boxer in the ring",
                "a boxer in the ring, from a low angle",
            ),
        ] {
            assert_eq!(view_last(typed), meant, "{typed}");
        }
        for typed in [
            "a village seen from above",
            "aerial view of a harbour",
            "from above",
            "from above, ",
            "from abovehead, a cat",
            "a harbour, seen from above",
        ] {
            assert_eq!(view_last(typed), typed, "{typed}");
        }
    }

    #[test]
    fn a_feeling_alone_gets_a_scene_that_shows_it() {
        use super::shown;
        for typed in ["grief", "nostalgia", "pure joy", "loneliness", "hope."] {
            let s = shown(typed);
            assert_ne!(s, typed, "{typed}");
            assert!(s.split_whitespace().count() >= 6, "{typed} -> {s}");
        }
        let s = shown("the joy of a first snowfall");
        assert!(s.ends_with(" in a first snowfall"), "{s}");
        assert!(s.contains("joyful"), "{s}");
        assert!(
            shown("the peace of a quiet sunday morning").ends_with(" on a quiet sunday morning")
        );
        for typed in [
            "a grieving widow at a grave",
            "the love of a mother",
            "joyful kids at a fair",
            "hope street at night",
            "a red fox",
        ] {
            assert_eq!(shown(typed), typed, "{typed}");
        }
    }
}
