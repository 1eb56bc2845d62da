//! Which pronoun a subject takes: "it" for a thing or one animal, "her" or "him" for a person
//! whose words say so, "them" for a person they do not ("a scientist"), a pair or a group ("a
//! cat and a dog", "a flock of flamingos", "two brothers"). Bodies read it as `{{ it }}` and
//! `{{ its }}` ("Around her, reeds and irises"), and a description whose subject is several
//! carries the tag `user-group`, so entries written for one body ("listening, head turned
//! toward a sound") stay out.

/// The object and possessive pronoun of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pronoun {
    It,
    She,
    He,
    They,
}

impl Pronoun {
    /// The object form: "it", "her", "him", "them".
    pub fn object(self) -> &'static str {
        match self {
            Pronoun::It => "it",
            Pronoun::She => "her",
            Pronoun::He => "him",
            Pronoun::They => "them",
        }
    }

    /// The possessive form: "its", "her", "his", "their".
    pub fn possessive(self) -> &'static str {
        match self {
            Pronoun::It => "its",
            Pronoun::She => "her",
            Pronoun::He => "his",
            Pronoun::They => "their",
        }
    }

    /// Whether the subject is more than one ("them" for a pair or a group, not for one person).
    pub fn plural(subject: &str) -> bool {
        head(subject).is_some_and(|h| h.plural)
    }
}

/// Nouns of one woman or girl.
const FEMALE: &[&str] = &[
    "woman",
    "girl",
    "lady",
    "mother",
    "mom",
    "mum",
    "grandmother",
    "grandma",
    "granny",
    "queen",
    "princess",
    "bride",
    "ballerina",
    "geisha",
    "maiko",
    "nun",
    "witch",
    "sister",
    "daughter",
    "wife",
    "widow",
    "aunt",
    "cowgirl",
    "actress",
    "waitress",
    "maiden",
    "heroine",
    "sorceress",
    "empress",
    "duchess",
    "seamstress",
    "schoolgirl",
    "goddess",
    "mermaid",
    "1girl",
    "housewife",
    "matriarch",
    "priestess",
    "countess",
    "she",
    "her",
    "girlfriend",
    "niece",
    "lass",
];

/// Nouns of one man or boy.
const MALE: &[&str] = &[
    "man",
    "boy",
    "gentleman",
    "father",
    "dad",
    "grandfather",
    "grandpa",
    "king",
    "prince",
    "groom",
    "monk",
    "brother",
    "son",
    "husband",
    "widower",
    "uncle",
    "cowboy",
    "wizard",
    "1boy",
    "sorcerer",
    "emperor",
    "duke",
    "lord",
    "priest",
    "schoolboy",
    "god",
    "merman",
    "patriarch",
    "he",
    "him",
    "boyfriend",
    "nephew",
    "lad",
    "viking",
    "samurai",
    "knight",
    "squire",
    "friar",
];

/// Nouns of one person whose words do not say whether a woman or a man.
const PERSON: &[&str] = &[
    "person",
    "child",
    "kid",
    "toddler",
    "baby",
    "infant",
    "teenager",
    "teen",
    "adult",
    "elder",
    "grandparent",
    "parent",
    "stranger",
    "traveller",
    "traveler",
    "tourist",
    "violinist",
    "musician",
    "guitarist",
    "cellist",
    "pianist",
    "trumpeter",
    "saxophonist",
    "singer",
    "drummer",
    "busker",
    "fiddler",
    "flautist",
    "harpist",
    "vocalist",
    "dj",
    "warrior",
    "archer",
    "soldier",
    "officer",
    "captain",
    "sailor",
    "keeper",
    "shopkeeper",
    "innkeeper",
    "beekeeper",
    "zookeeper",
    "goalkeeper",
    "gatekeeper",
    "fisher",
    "chef",
    "cook",
    "baker",
    "farmer",
    "gardener",
    "blacksmith",
    "smith",
    "potter",
    "painter",
    "artist",
    "sculptor",
    "weaver",
    "tailor",
    "watchmaker",
    "clockmaker",
    "jeweller",
    "jeweler",
    "beekeeper",
    "shepherd",
    "herder",
    "worker",
    "labourer",
    "laborer",
    "builder",
    "scientist",
    "chemist",
    "researcher",
    "biologist",
    "astronomer",
    "writer",
    "poet",
    "author",
    "journalist",
    "student",
    "pupil",
    "librarian",
    "dancer",
    "pilot",
    "aviator",
    "photographer",
    "player",
    "nurse",
    "doctor",
    "surgeon",
    "medic",
    "paramedic",
    "physician",
    "pirate",
    "firefighter",
    "mechanic",
    "boxer",
    "fighter",
    "teacher",
    "professor",
    "lecturer",
    "mountaineer",
    "climber",
    "hiker",
    "backpacker",
    "trekker",
    "explorer",
    "clown",
    "jester",
    "juggler",
    "acrobat",
    "magician",
    "astronaut",
    "cosmonaut",
    "knitter",
    "runner",
    "jogger",
    "cyclist",
    "skater",
    "skateboarder",
    "surfer",
    "skier",
    "snowboarder",
    "swimmer",
    "diver",
    "athlete",
    "climber",
    "rider",
    "jockey",
    "driver",
    "cowhand",
    "rancher",
    "wrangler",
    "hunter",
    "ranger",
    "detective",
    "spy",
    "thief",
    "assassin",
    "ninja",
    "knight",
    "paladin",
    "mage",
    "druid",
    "monarch",
    "royal",
    "noble",
    "peasant",
    "beggar",
    "merchant",
    "vendor",
    "shopkeeper",
    "barista",
    "bartender",
    "waiter",
    "florist",
    "butcher",
    "carpenter",
    "mason",
    "welder",
    "plumber",
    "electrician",
    "miner",
    "lumberjack",
    "logger",
    "courier",
    "postie",
    "guard",
    "sentry",
    "scout",
    "nomad",
    "pilgrim",
    "refugee",
    "survivor",
    "wanderer",
    "dreamer",
    "reader",
    "commuter",
    "pedestrian",
    "passenger",
    "customer",
    "friend",
    "neighbour",
    "neighbor",
    "lover",
    "orphan",
    "newborn",
    "youth",
    "scholar",
    "sage",
    "hermit",
    "shaman",
    "healer",
    "herbalist",
    "alchemist",
    "inventor",
    "engineer",
    "programmer",
    "hacker",
    "gamer",
    "streamer",
    "model",
    "actor",
    "performer",
    "mime",
    "conductor",
    "composer",
    "choreographer",
    "gymnast",
    "wrestler",
    "fencer",
    "archeologist",
    "archaeologist",
    "geologist",
    "volunteer",
    "protester",
    "monk",
    "veteran",
    "cadet",
    "recruit",
    "gladiator",
    "centurion",
    "ronin",
    "swordsman",
    "bowman",
    "apprentice",
    "blacksmith",
    "calligrapher",
    "ceramicist",
    "glassblower",
    "cobbler",
    "chess",
    "someone",
];

/// Nouns of a group, a pair or a crowd: "a flock of flamingos" is they.
const GROUP: &[&str] = &[
    "flock",
    "herd",
    "pack",
    "pride",
    "pod",
    "school",
    "swarm",
    "colony",
    "troop",
    "litter",
    "gaggle",
    "murder",
    "parliament",
    "family",
    "families",
    "couple",
    "pair",
    "group",
    "crowd",
    "team",
    "band",
    "choir",
    "orchestra",
    "gang",
    "crew",
    "party",
    "troupe",
    "army",
    "squad",
    "twins",
    "triplets",
    "siblings",
    "friends",
    "people",
    "children",
    "kids",
    "men",
    "women",
    "folk",
    "cattle",
    "geese",
    "mice",
    "oxen",
    "puppies",
    "kittens",
    "cubs",
    "brothers",
    "sisters",
    "both",
    "duo",
    "trio",
    "quartet",
    "bevy",
    "convoy",
    "fleet",
    "caravan",
    "procession",
    "congregation",
    "audience",
    "spectators",
    "villagers",
    "monks",
    "nuns",
];

/// Words that open a count: "two brothers", "three cats".
const COUNTS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "dozen",
    "several",
    "many",
    "some",
    "few",
    "both",
    "countless",
    "hundreds",
    "dozens",
    "thousands",
];

/// Heads that frame the subject rather than name it ("a portrait of a boxer", "a charcoal
/// drawing of a trumpeter"): the subject is what follows "of".
const FRAMES: &[&str] = &[
    "portrait",
    "photo",
    "photograph",
    "picture",
    "image",
    "drawing",
    "sketch",
    "painting",
    "watercolor",
    "watercolour",
    "illustration",
    "render",
    "close-up",
    "closeup",
    "shot",
    "study",
    "scene",
    "view",
    "silhouette",
    "print",
    "poster",
    "still",
    "headshot",
    "etching",
    "engraving",
    "woodcut",
    "linocut",
    "miniature",
    "bust",
    "statue",
    "sculpture",
    "cartoon",
    "doodle",
    "art",
    "style",
    "depiction",
    "snapshot",
    "selfie",
];

/// Words that end the head of a noun phrase.
const STOPS: &[&str] = &[
    "in",
    "on",
    "at",
    "with",
    "under",
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
    "after",
    "before",
    "beyond",
    "without",
    "within",
    "toward",
    "towards",
    "for",
    "while",
    "who",
    "that",
    "which",
    "as",
    "like",
    "where",
    "when",
    "is",
    "are",
    "has",
    "have",
    "wearing",
    "holding",
];

const DETERMINERS: &[&str] = &[
    "a", "an", "the", "one", "this", "that", "my", "our", "your", "lone", "single",
];

/// Words that end in "s" and name one thing.
fn singular_s(w: &str) -> bool {
    w.len() <= 3
        || w.ends_with("ss")
        || w.ends_with("us")
        || w.ends_with("is")
        || w.ends_with("ous")
        || w.ends_with("'s")
        || matches!(
            w,
            "gas"
                | "lens"
                | "chaos"
                | "canvas"
                | "cosmos"
                | "atlas"
                | "species"
                | "series"
                | "news"
                | "physics"
                | "mathematics"
                | "pants"
                | "jeans"
                | "glasses"
                | "dress"
                | "mattress"
                | "octopus"
                | "hippopotamus"
                | "rhinoceros"
                | "walrus"
                | "albatross"
                | "ibis"
                | "iris"
                | "mantis"
                | "cactus"
                | "lotus"
                | "fungus"
                | "hibiscus"
                | "crocus"
                | "narcissus"
                | "pegasus"
                | "kraken"
                | "christmas"
                | "boots"
        )
}

struct Head {
    noun: String,
    plural: bool,
}

/// The head of the subject's noun phrase and whether it is more than one.
fn head(subject: &str) -> Option<Head> {
    let words: Vec<String> = subject
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ':' || c == '.')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut start = 0;
    loop {
        // Leading determiners.
        while start < words.len() && DETERMINERS.contains(&words[start].as_str()) {
            start += 1;
        }
        if start >= words.len() {
            return None;
        }
        let mut plural = COUNTS.contains(&words[start].as_str())
            || words[start].parse::<u32>().is_ok_and(|n| n > 1);
        // The head runs to the first stop word, "of", a comma or an -ing word after a noun.
        let mut end = start;
        while end < words.len() {
            let w = words[end].as_str();
            if STOPS.contains(&w) || w == "of" {
                break;
            }
            // After a being, an -ing word is what it does, even one that is also a noun ("a
            // man painting watercolors" is one man).
            if end > start
                && w.len() >= 5
                && w.ends_with("ing")
                && (!is_ing_noun(w) || is_living(&words[end - 1]))
            {
                break;
            }
            if w == "and" {
                // "a cat and a dog", "a woman and her dog", "bride and groom": two of them.
                let next = words.get(end + 1).map(String::as_str);
                let before = if end > start {
                    words[end - 1].as_str()
                } else {
                    ""
                };
                if next.is_some_and(|n| {
                    DETERMINERS.contains(&n)
                        || COUNTS.contains(&n)
                        || matches!(n, "his" | "her" | "their" | "its")
                        || is_living(n)
                }) && (end == start || is_living(before) || !is_adjective_like(before))
                {
                    plural = true;
                    break;
                }
            }
            end += 1;
        }
        if end == start {
            return None;
        }
        let noun = words[end - 1].clone();
        // "a portrait of a boxer": the subject follows "of".
        if words.get(end).is_some_and(|w| w == "of") && FRAMES.contains(&noun.as_str()) {
            start = end + 1;
            continue;
        }
        // "a family portrait", "a group photo": a frame of a group is of several.
        if FRAMES.contains(&noun.as_str())
            && end >= start + 2
            && GROUP.contains(&words[end - 2].as_str())
        {
            return Some(Head {
                noun: words[end - 2].clone(),
                plural: true,
            });
        }
        // "a flock of flamingos", "a pair of swans".
        let n = noun.as_str();
        plural |= GROUP.contains(&n)
            || (n.ends_with('s')
                && !singular_s(n)
                && !FEMALE.contains(&n)
                && !MALE.contains(&n)
                && !PERSON.contains(&n));
        return Some(Head { noun, plural });
    }
}

fn is_ing_noun(w: &str) -> bool {
    matches!(
        w,
        "building"
            | "painting"
            | "drawing"
            | "evening"
            | "morning"
            | "king"
            | "ring"
            | "string"
            | "spring"
            | "wing"
            | "swing"
            | "viking"
            | "duckling"
            | "sapling"
            | "earring"
            | "ceiling"
            | "clearing"
            | "landing"
            | "sibling"
            | "offering"
            | "gosling"
            | "starling"
            | "carving"
            | "etching"
            | "wedding"
            | "clothing"
            | "lightning"
            | "lighting"
            | "darling"
            | "pudding"
            | "dumpling"
            | "seedling"
    )
}

/// Words that name a person or an animal kind well enough to be one of a pair.
fn is_living(w: &str) -> bool {
    FEMALE.contains(&w)
        || MALE.contains(&w)
        || PERSON.contains(&w)
        || matches!(
            w,
            "cat"
                | "dog"
                | "puppy"
                | "kitten"
                | "horse"
                | "foal"
                | "fox"
                | "owl"
                | "bird"
                | "calf"
                | "cub"
                | "lamb"
                | "rabbit"
                | "deer"
                | "bear"
                | "wolf"
                | "mouse"
                | "groom"
                | "partner"
                | "pet"
                | "pony"
        )
}

/// Colour words and the like, which join with "and" inside one noun phrase ("a black and
/// white cat").
fn is_adjective_like(w: &str) -> bool {
    matches!(
        w,
        "black"
            | "white"
            | "red"
            | "blue"
            | "green"
            | "gold"
            | "golden"
            | "silver"
            | "grey"
            | "gray"
            | "brown"
            | "orange"
            | "pink"
            | "purple"
            | "yellow"
            | "salt"
            | "pepper"
            | "old"
            | "young"
            | "tall"
            | "short"
            | "big"
            | "small"
            | "bright"
            | "dark"
    )
}

/// The pronoun a subject takes.
pub fn of_subject(subject: &str) -> Pronoun {
    let Some(h) = head(subject) else {
        return Pronoun::It;
    };
    if h.plural {
        return Pronoun::They;
    }
    let n = h.noun.as_str();
    if FEMALE.contains(&n) || n.ends_with("woman") {
        Pronoun::She
    } else if MALE.contains(&n)
        || (n.ends_with("man")
            && n.len() > 5
            && !matches!(
                n,
                "snowman" | "german" | "caiman" | "doberman" | "talisman" | "ottoman" | "shaman"
            ))
    {
        Pronoun::He
    } else if PERSON.contains(&n) || n.ends_with("woman") {
        Pronoun::They
    } else {
        Pronoun::It
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_things_pairs_and_groups() {
        for (s, p) in [
            ("a woman jogging along a river path at dawn", Pronoun::She),
            ("an elderly fisherman in a yellow raincoat", Pronoun::He),
            ("jazz trumpeter", Pronoun::They),
            ("a scientist looking into a microscope", Pronoun::They),
            (
                "black and white portrait of a boxer after a fight",
                Pronoun::They,
            ),
            ("a cat and a dog sleeping together on a sofa", Pronoun::They),
            ("a flock of flamingos in a shallow lagoon", Pronoun::They),
            ("two young brothers sharing a secret", Pronoun::They),
            ("humpback whale and her calf", Pronoun::They),
            ("a black and white cat", Pronoun::It),
            ("a red fox in the snow", Pronoun::It),
            ("a lighthouse on a cliff", Pronoun::It),
            ("sneakers on a plinth", Pronoun::They),
            ("an old oak tree", Pronoun::It),
            ("a bus in the rain", Pronoun::It),
            ("young woman with freckles and tousled hair", Pronoun::She),
            ("grandfather with a white moustache", Pronoun::He),
            ("a sleeping fox", Pronoun::It),
            ("a snowman", Pronoun::It),
            ("a fisherman mending nets", Pronoun::He),
            ("wolves howling", Pronoun::They),
            (
                "an elderly couple dancing in their living room",
                Pronoun::They,
            ),
            ("a girl and her dog", Pronoun::They),
            ("a cup of coffee", Pronoun::It),
        ] {
            assert_eq!(of_subject(s), p, "{s}");
        }
    }

    #[test]
    fn several_beings_are_plural() {
        for typed in [
            "a cat and a dog sleeping together on a sofa",
            "three crows on a wire",
            "a flock of flamingos in a lagoon",
            "two old men playing chess",
            "a family portrait in the garden",
        ] {
            assert!(Pronoun::plural(typed), "{typed}");
        }
        for typed in [
            "a man with two dogs",
            "a bowl of cherries",
            "a fox in the snow",
            "a cat sleeping on a rug and a blanket",
            "an elderly man painting watercolors at an easel",
            "a girl drawing cats",
            "salt and pepper",
            "",
        ] {
            assert!(!Pronoun::plural(typed), "{typed}");
        }
    }
}
