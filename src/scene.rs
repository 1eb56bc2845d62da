//! Scenes: a template's slots filled by keyed randomness under coherence constraints. A scene is
//! a structured value (which entry went into which slot); dialects turn it into text.
//!
//! Per prompt, in this order, each step drawing from its own keyed stream
//! (see [`crate::rng`]): the template (only if several tie), the pinned entries (only if a phrase
//! names several), then every slot in template order, then the body variant. Pinned slots are
//! settled first so that their tags constrain everything else.
//!
//! Stream paths (the `path` of [`crate::rng::Keyer`]), with `D` the description key (16 hex
//! digits of FNV-1a over the lowercased, space-normalised description) and `T` the template name:
//! `D/template`, `D/pin/<span number>`, `D/T/slot/<slot name>`, `D/T/body`. A slot's draws
//! depend only on its own path, so adding a slot to a template does not reshuffle the others.
//!
//! Dynamic syntax in entries and bodies (see [`crate::dynamic::inline`]) is expanded once per
//! scene, after the draws above, in the `Dynamic` domain with paths `D/T/slot/<slot name>/<pick
//! number>` and `D/T/body/<body number>/<run number>` (the description key of a scene built from
//! explicit choices is that of the empty description). The results live in [`Scene::dynamic`],
//! so every dialect and the record read the same text.

use crate::error::Result;
use crate::library::{ASSOCIATION_BOOST, Library, SceneTemplate};
use crate::matching::{STOP_WORDS, Span, Word, text_contains_words, words};
use crate::rng::{Domain, Keyer};
use crate::tags::{State, TagSet};
use crate::text;

/// A description analysed against a library, ready to generate any number of scenes.
#[derive(Debug, Clone)]
pub struct Plan {
    pub description: String,
    words: Vec<Word>,
    spans: Vec<Span>,
    /// Templates that may be drawn, with equal claim (best score, or weight when undescribed).
    candidates: Vec<(usize, u64)>,
    /// Why the candidates were chosen (for `--explain`).
    pub reason: String,
    /// Per span: the entries whose text shows the words the user typed.
    showing: Vec<Vec<(usize, usize)>>,
    /// Per span: the tags (and blocks) that every entry it names shares. When no entry of the
    /// span can be pinned, the user's words stay in the subject, and these still constrain the
    /// scene ("tropical" keeps snow out even where no slot takes a climate).
    implied: Vec<(TagSet, TagSet)>,
    /// Tags the description names outright ("tropical", "winter", "night", "golden hour"): the
    /// scene must agree with them whatever else matched.
    word_tags: (TagSet, TagSet),
    /// The words say from where the scene is seen ("seen from above", "a low angle").
    names_angle: bool,
    /// World axes the description's words pin ("at night", "black and white"), and pins that
    /// contradicted another (the longer phrase stands, else the earlier).
    world_pins: Vec<crate::world::Pin>,
    /// The place the description names itself ("on a ridge", "in a library"), if any: slots
    /// with `role: setting` are then left to it.
    names_setting: Option<String>,
    /// The verb of the description, if it says what the subject does ("reading").
    names_action: Option<String>,
    /// Entries of restated axes the words name anywhere (see [`Plan::new`]).
    restated: Vec<(usize, usize)>,
    /// Categories whose axis the user's words already write ("under the midnight sun" says the
    /// time, "a red tractor" the colours; see [`crate::world::World::said`]): a slot of one
    /// that every body can leave out stays empty.
    said: Vec<usize>,
    pin_conflicts: Vec<(crate::world::Pin, crate::world::Pin)>,
    /// Axes the description names a value of: by an alias (a pin) or through an entry its
    /// words name that carries one ("natural history museum" is a kind of hall).
    named_axes: Vec<usize>,
    /// Whether the description says only what the world is ("storm", "at night, in the fog"):
    /// it names no subject or place of its own, so the kinds of place are the library's to
    /// draw, as for an empty description.
    only_world: bool,
    /// The rating tags of a tag-list description ("masterpiece, best quality"), written after
    /// the scene.
    quality: Option<std::sync::Arc<str>>,
    /// The description's words, folded, without stop words (see [`Scene::asked`]).
    asked: std::sync::Arc<[String]>,
    /// Entries the description names only to deny them ("a kitchen with no windows", "a
    /// beach without people"), and the topics of the denied words: never drawn.
    refused: Vec<(usize, usize)>,
    refused_words: Vec<u32>,
    /// The description's part of every random key: FNV-1a of its normalised, lowercased text,
    /// as 16 hex digits. Different descriptions with the same seed draw independently.
    key: [u8; 16],
}

fn description_key(description: &str) -> [u8; 16] {
    let h = crate::rng::fnv1a64_start(description.to_lowercase().as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(format!("{h:016x}").as_bytes());
    out
}

/// Words that deny what follows them: "a kitchen with no windows", "a beach without people".
const NEGATORS: &[&str] = &[
    "no", "without", "not", "never", "nor", "zero", "minus", "sans",
];

/// Words that end a denial: what comes after them is said again ("without a cloud in the sky":
/// the sky is there).
const DENIAL_ENDS: &[&str] = &[
    "in", "on", "at", "under", "by", "near", "with", "from", "to", "for", "above", "below", "over",
    "through", "across", "along", "beside", "behind", "into", "onto", "inside", "and", "but",
    "just", "only", "except", "save", "while", "as", "beneath", "around", "among", "against",
    "between", "is", "are", "was", "of",
];

/// Per word of `ws`: whether the description denies it. A denial reaches at most four words
/// past its negator, and stops at a preposition, a conjunction or a comma ("no people or
/// cars": both denied; "no people, just gulls": the gulls are there).
fn negated_words(description: &str, ws: &[Word]) -> Vec<bool> {
    let mut out = vec![false; ws.len()];
    let mut open: Option<usize> = None;
    for (i, w) in ws.iter().enumerate() {
        if i > 0 && description[ws[i - 1].end..w.start].contains([',', '.', ';', ':', '(']) {
            open = None;
        }
        let f = w.folded.as_str();
        if NEGATORS.contains(&f) {
            open = Some(i);
            continue;
        }
        let Some(n) = open else { continue };
        if DENIAL_ENDS.contains(&f) || i - n > 4 {
            open = None;
            continue;
        }
        out[i] = true;
    }
    out
}

/// Who the subject is, as far as the words say: `male` or `female` (from the subject's noun or
/// a pronoun: "his hands"), `elder` and `child`. Tags a library may give entries conflicts
/// with (clothes, expressions written for one kind of person).
fn person_tags(description: &str, ws: &[Word]) -> Vec<&'static str> {
    let mut out = Vec::new();
    match crate::pronoun::of_subject(description) {
        crate::pronoun::Pronoun::He => out.push("male"),
        crate::pronoun::Pronoun::She => out.push("female"),
        _ => {
            // A word as folded ("robes" → "robe") or as typed, lower-cased, so a list may hold either.
            let has = |list: &[&str]| {
                ws.iter().any(|w| {
                    list.contains(&w.folded.as_str())
                        || list.contains(&w.text.to_lowercase().as_str())
                })
            };
            let he = has(&["he", "his", "him", "himself"]);
            let she = has(&["she", "her", "hers", "herself"]);
            if he && !she {
                out.push("male");
            } else if she && !he {
                out.push("female");
            }
        }
    }
    // A word as folded ("robes" → "robe") or as typed, lower-cased, so a list may hold either.
    let has = |list: &[&str]| {
        ws.iter().any(|w| {
            list.contains(&w.folded.as_str()) || list.contains(&w.text.to_lowercase().as_str())
        })
    };
    // Clothes the words already give ("a woman in black", "a man wearing a tweed suit"):
    // the scene carries `dressed`, and no everyday outfit is added.
    let colour_after_in = ws.windows(2).enumerate().any(|(i, p)| {
        p[0].folded == "in"
            && COLOURS.contains(&p[1].folded.as_str())
            && ws
                .get(i + 2)
                .is_none_or(|n| !COLOURED_THINGS.contains(&n.folded.as_str()))
    });
    if colour_after_in || has(CLOTHES) {
        out.push("dressed");
    }
    // A decade before the 1970s ("1950s new york", "in the forties"): `bygone`, so no hoodie
    // or faded denim.
    // (The raw word, lower-cased: folding takes the plural `s` off "1950s" and "fifties".)
    if ws.iter().any(|w| {
        let lower = w.text.to_lowercase();
        let f = lower.as_str();
        matches!(
            f,
            "1900s"
                | "1910s"
                | "1920s"
                | "1930s"
                | "1940s"
                | "1950s"
                | "1960s"
                | "twenties"
                | "thirties"
                | "forties"
                | "fifties"
                | "sixties"
                | "wartime"
                | "prewar"
                | "postwar"
                | "edwardian"
                | "victorian"
        ) || (f.len() == 3 && f.ends_with('s') && ["20s", "30s", "40s", "50s", "60s"].contains(&f))
    }) {
        out.push("bygone");
    }
    if has(&[
        "elderly",
        "old",
        "aged",
        "grandfather",
        "grandmother",
        "grandpa",
        "grandma",
        "granny",
        "elder",
        "retired",
        "widow",
        "widower",
        "pensioner",
        "veteran",
        "wrinkled",
    ]) {
        out.push("elder");
    } else if has(CHILD_NOUNS)
        && !has(&[
            "woman",
            "man",
            "lady",
            "gentleman",
            "couple",
            "mother",
            "father",
        ])
    {
        // "young" alone ("a young violinist") may be a child or an adult: only the nouns of a
        // child say so.
        out.push("child");
    }
    out
}

/// Colour words that, after "in", dress a person ("a woman in black").
const COLOURS: &[&str] = &[
    "black", "white", "red", "blue", "green", "yellow", "grey", "gray", "pink", "purple",
    "scarlet", "crimson", "navy", "ivory", "gold", "silver", "mourning", "rags", "uniform",
];

/// Words after such a colour that make it a light or a palette, not clothes ("in red light").
const COLOURED_THINGS: &[&str] = &[
    "light", "glow", "neon", "tone", "tones", "hue", "hues", "shade", "shades", "and", "ink",
    "water", "sky", "mist", "fog", "smoke", "sand", "snow",
];

/// Words that dress the subject.
const CLOTHES: &[&str] = &[
    "wearing",
    "dressed",
    "clad",
    "dress",
    "gown",
    "coat",
    "jacket",
    "suit",
    "uniform",
    "robe",
    "robes",
    "kimono",
    "sari",
    "shirt",
    "sweater",
    "jumper",
    "hoodie",
    "cardigan",
    "overalls",
    "apron",
    "armour",
    "armor",
    "tuxedo",
    "tux",
    "overcoat",
    "raincoat",
    "parka",
    "cloak",
    "tunic",
    "blouse",
    "skirt",
    "jeans",
    "leotard",
    "tutu",
    "wetsuit",
    "spacesuit",
    "veil",
    "hanbok",
    "dirndl",
    "poncho",
    "waistcoat",
    "vest",
];

/// Tags whose names are words (or hyphen-joined word pairs) of the description, with their
/// declared conflicts.
/// Phrases that say from where a scene is seen.
const ANGLE_PHRASES: &[&str] = &[
    "from above",
    "from below",
    "from overhead",
    "from the air",
    "from high above",
    "from the ground",
    "aerial",
    "bird's-eye",
    "bird's eye",
    "birds-eye",
    "birds eye",
    "worm's-eye",
    "worm's eye",
    "top-down",
    "top down",
    "overhead view",
    "overhead shot",
    "low angle",
    "low-angle",
    "high angle",
    "high-angle",
    "looking down on",
    "looking down at",
    "looking down into",
    "looking up at",
    "looking up into",
    "drone shot",
    "drone view",
    "eye level",
    "eye-level",
];

/// Whether the words (those not denied) say from where the scene is seen.
fn names_angle(ws: &[Word], negated: &[bool]) -> bool {
    ANGLE_PHRASES.iter().any(|phrase| {
        let p: Vec<String> = words(phrase).into_iter().map(|w| w.folded).collect();
        (0..ws.len()).any(|i| !negated[i] && crate::matching::phrase_at(ws, i, &p))
    })
}

fn tags_named_by_words(lib: &Library, ws: &[Word]) -> (TagSet, TagSet) {
    let mut tags = TagSet::default();
    let mut blocks = TagSet::default();
    let mut add = |name: &str| {
        // Axis values are pinned through the world (`World::pins`), not as tags.
        if let Some(id) = lib.tags.get(name)
            && !lib.world.mask.contains(id)
        {
            tags.insert(id);
            blocks.union_with(&lib.tag_blocks[id as usize]);
        }
    };
    for (i, w) in ws.iter().enumerate() {
        add(&w.text.to_lowercase());
        add(&w.folded);
        if let Some(next) = ws.get(i + 1) {
            add(&format!("{}-{}", w.folded, next.folded));
        }
    }
    (tags, blocks)
}

impl Plan {
    /// Analyses `description` and picks the candidate templates, or uses `template` if given.
    pub fn new(lib: &Library, description: &str, template: Option<&str>) -> Result<Plan> {
        // The idea, without the request around it ("give me a prompt for …").
        // A feeling alone gets a scene that shows it ("grief"), and a sentence reads as a
        // phrase ("a fisherman stands on a pier" → "a fisherman standing on a pier").
        let description = text::normalize_space(&crate::request::view_last(
            &crate::request::as_phrase(&crate::request::shown(&crate::request::spelled_out(
                crate::request::idea(description),
            ))),
        ));
        // A tag list's rating tags ("masterpiece, best quality") show nothing: they are kept
        // aside and written at the end, and only what the tags show is matched.
        let (description, quality) = match crate::request::split_quality_tags(&description) {
            Some((content, quality)) => (content, Some(std::sync::Arc::from(quality))),
            None => (description, None),
        };
        let ws = words(&description);
        let (spans, nested) = lib.matcher.analyse_nested(&description);
        // A word the description denies ("with no windows", "without people") never pulls
        // its entry in: it blocks it, and every entry that says it.
        let negated = negated_words(&description, &ws);
        let mut refused: Vec<(usize, usize)> = Vec::new();
        let mut refused_words: Vec<u32> = Vec::new();
        let spans: Vec<crate::matching::Span> = spans
            .into_iter()
            .filter(|sp| {
                if negated[sp.first] {
                    refused.extend(sp.entries.iter().copied());
                    false
                } else {
                    true
                }
            })
            .collect();
        for (i, w) in ws.iter().enumerate() {
            if negated[i] {
                crate::repeats::content_words(&w.text, &mut refused_words);
            }
        }
        let nested: Vec<crate::matching::Found> =
            nested.into_iter().filter(|f| !negated[f.0]).collect();
        // Entries of a restated axis (a light, a palette, a medium) that the user's words name
        // anywhere, also inside a longer phrase: "by the fireplace" names a portrait background,
        // and its "fireplace" names the fire that lights the scene.
        let restated: Vec<(usize, usize)> = nested
            .into_iter()
            .flat_map(|(_, _, list)| list)
            .filter(|&(c, _)| lib.world.restates(c))
            .collect();
        let (mut world_pins, pin_conflicts) = lib.world.pins(&ws);
        // A denied axis word ("no snow", "without people") names the values the scene must
        // not take: they are blocked below, not merely left unpinned.
        let denied_values: Vec<u32> = world_pins
            .iter()
            .filter(|p| negated[p.first])
            .flat_map(|p| {
                let axis = &lib.world.axes[p.axis];
                p.values.iter().map(move |&v| axis.values[v as usize].tag)
            })
            .collect();
        world_pins.retain(|p| !negated[p.first]);
        lib.world.pin_only_light(&ws, &mut world_pins);
        // A room the words name is the place even without a preposition ("a Mars colony
        // greenhouse with astronauts…", "a cozy reading nook"): no setting slot moves it
        // elsewhere.
        let names_setting = named_setting(lib, &description, &ws, &world_pins).or_else(|| {
            world_pins
                .iter()
                .find(|p| lib.world.axes[p.axis].name == "room")
                .map(|p| description[ws[p.first].start..ws[p.last].end].to_string())
        });
        // (A place the words name may be out of doors, "reading under a tree", unless it is a
        // building: "knitting in the lighthouse".)
        let names_building = world_pins
            .iter()
            .any(|p| lib.world.axes[p.axis].name == "building");
        let indoor_activity = (names_setting.is_none() || names_building)
            && pin_indoor_activity(lib, &ws, &mut world_pins);
        let names_action = named_action(&ws);
        let (candidates, reason) = if let Some(name) = template {
            (
                vec![(lib.template_index(name)?, 1)],
                format!("template `{name}` chosen with --template"),
            )
        } else if ws.is_empty() {
            let c: Vec<(usize, u64)> = lib
                .templates
                .iter()
                .enumerate()
                .filter(|(_, t)| t.weight > 0)
                .map(|(i, t)| (i, u64::from(t.weight)))
                .collect();
            (c, "empty description: any template, by weight".to_string())
        } else {
            // Which description tags hold, for templates that avoid them.
            let holds = [names_motion(&ws), names_setting.is_some()];
            let avoided = |t: &crate::library::SceneTemplate| {
                DESCRIPTION_TAGS
                    .iter()
                    .zip(holds)
                    .any(|(tag, s)| s && t.avoid.iter().any(|a| a == tag))
                    && !ws.iter().any(|w| w.folded == t.name)
            };
            let user_place = named_setting_span(lib, &description, &ws, &world_pins)
                .filter(|&(_, _, known)| known)
                .map(|(first, last, _)| (first, last));
            let places = place_words(lib, &world_pins, ws.len());
            let (mut c, mut reason) = score_templates(
                lib,
                &spans,
                &description,
                &ws,
                &avoided,
                user_place.map(|(first, last)| (first, last, places.as_slice())),
            );
            // An indoor activity in a building the words name ("the lighthouse keeper's
            // daughter reading by candlelight"), or words that say indoors ("mending nets inside
            // the lighthouse"), put the scene inside: a template of the open air gives way to
            // one of rooms.
            let indoors = indoor_activity
                || world_pins.iter().any(|p| {
                    let a = &lib.world.axes[p.axis];
                    a.name == "place"
                        && p.values
                            .iter()
                            .all(|&v| a.values[v as usize].name == "indoor")
                });
            if indoors
                && !c
                    .iter()
                    .any(|&(ti, _)| template_fits_pins(lib, ti, &world_pins))
            {
                let rooms: Vec<(usize, u64)> = lib
                    .templates
                    .iter()
                    .enumerate()
                    .filter(|&(ti, t)| {
                        t.tag_names.iter().any(|n| n == "indoor")
                            && template_fits_pins(lib, ti, &world_pins)
                    })
                    .map(|(ti, _)| (ti, 1))
                    .collect();
                if !rooms.is_empty() {
                    c = rooms;
                    reason = format!(
                        "the scene is indoors: the open air's template gives way ({reason})"
                    );
                }
            }
            // Words that put the scene somewhere ("a hillside town", "on the hospital rooftop",
            // "under the sea") never go to a template whose own place contradicts them: the
            // word that chose it ("studio", "hospital") is not the scene. Such a template gives
            // way to the best one that can hold the place, else to the fallback; the scene is
            // never furnished as a room it is not.
            let place_pins: Vec<crate::world::Pin> = world_pins
                .iter()
                .filter(|p| lib.world.axes[p.axis].name == "place")
                .cloned()
                .collect();
            // Unless the words also name a kind of place that contradicts it ("a tavern in a
            // harbour town", "a hotel room with a balcony over the sea"): the room is the scene.
            let value = |axis: usize, v: u8| &lib.world.axes[axis].values[v as usize];
            let contradicted = world_pins.iter().any(|p| {
                lib.world.axes[p.axis].name != "place"
                    && !p.values.iter().any(|&v| {
                        let v = value(p.axis, v);
                        place_pins.iter().all(|pp| {
                            pp.values.iter().any(|&w| {
                                let w = value(pp.axis, w);
                                !v.blocks.contains(w.tag) && !w.blocks.contains(v.tag)
                            })
                        })
                    })
            });
            // The room holds, and the words out of doors are its view ("a painter in her
            // studio overlooking the river"): they pin no place against it.
            if contradicted
                && !c
                    .iter()
                    .any(|&(ti, _)| template_fits_pins(lib, ti, &place_pins))
            {
                world_pins.retain(|p| lib.world.axes[p.axis].name != "place");
            }
            if !indoors
                && !contradicted
                && !place_pins.is_empty()
                && !c
                    .iter()
                    .any(|&(ti, _)| template_fits_pins(lib, ti, &place_pins))
            {
                let elsewhere = |t: &crate::library::SceneTemplate| {
                    avoided(t)
                        || lib
                            .templates
                            .iter()
                            .position(|x| std::ptr::eq(x, t))
                            .is_some_and(|ti| !template_fits_pins(lib, ti, &place_pins))
                };
                let (c2, reason2) = score_templates(
                    lib,
                    &spans,
                    &description,
                    &ws,
                    &elsewhere,
                    user_place.map(|(first, last)| (first, last, places.as_slice())),
                );
                if c2
                    .iter()
                    .all(|&(ti, _)| template_fits_pins(lib, ti, &place_pins))
                {
                    c = c2;
                    reason = format!(
                        "the words name a place the template cannot hold: it gives way ({reason2})"
                    );
                }
            }
            // Of templates that tie, those whose own world the user's words contradict give
            // way ("a cozy coffee shop" is a room, not a street).
            if c.len() > 1 {
                let fits: Vec<(usize, u64)> = c
                    .iter()
                    .copied()
                    .filter(|&(ti, _)| template_fits_pins(lib, ti, &world_pins))
                    .collect();
                if !fits.is_empty() {
                    c = fits;
                }
            }
            (c, reason)
        };
        let showing = spans
            .iter()
            .map(|sp| {
                sp.entries
                    .iter()
                    .copied()
                    .filter(|(c, e)| {
                        // A dynamic entry may expand to other words than the user's: it never
                        // takes them out of the subject.
                        let cat = &lib.categories[*c];
                        cat.dynamic(*e).is_none()
                            && text_contains_words(&cat.entries[*e].text, &sp.folded)
                    })
                    .collect()
            })
            .collect();
        let implied: Vec<(TagSet, TagSet)> = spans
            .iter()
            .map(|sp| {
                let mut it = sp
                    .entries
                    .iter()
                    .map(|(c, e)| &lib.categories[*c].entries[*e]);
                let Some(first) = it.next() else {
                    return (TagSet::default(), TagSet::default());
                };
                let (mut tags, mut blocks) = (first.tags, first.blocks);
                for en in it {
                    tags.intersect_with(&en.tags);
                    blocks.intersect_with(&en.blocks);
                }
                (tags, blocks)
            })
            .collect();
        let kept_words: Vec<Word> = ws
            .iter()
            .zip(&negated)
            .filter(|(_, n)| !**n)
            .map(|(w, _)| w.clone())
            .collect();
        let mut word_tags = tags_named_by_words(lib, &kept_words);
        for &tag in &denied_values {
            word_tags.1.insert(tag);
        }
        // Who the subject is, when the words say it ("an elderly pianist, his hands on the
        // keys", "a girl"): the scene carries `male`, `female`, `elder` or `child`, so a man
        // is never dressed in a floral dress nor a child in a tweed jacket.
        for tag in person_tags(&description, &ws) {
            if let Some(id) = lib.tags.get(tag) {
                word_tags.0.insert(id);
                word_tags.1.union_with(&lib.tag_blocks[id as usize]);
            }
        }
        // The library can keep entries out of scenes whose user says what happens or where
        // (a head-and-shoulders crop of "a firefighter carrying a child out of a burning
        // house"): the scene then carries the tags `user-action` and `user-setting`.
        for (said, tag) in [names_action.is_some(), names_setting.is_some()]
            .into_iter()
            .zip(DESCRIPTION_TAGS)
        {
            if let (true, Some(id)) = (said, lib.tags.get(tag)) {
                word_tags.0.insert(id);
            }
        }
        // And entries written for one body, or for a face free to look at the viewer, out of
        // scenes whose subject is several ("a cat and a dog", "a flock of flamingos": tag
        // `user-group`) or busy with what it does ("a scientist looking into a microscope",
        // "a girl reading": tag `user-busy`).
        // A subject of one (every scene whose description is not of several, a random one
        // included) carries `user-one`, so entries written for a pair or a group ("matching
        // wool coats", "smiles shared between them") stay out of it.
        let plural = crate::pronoun::Pronoun::plural(&description);
        for (said, tag) in [plural, names_busy(&ws), !plural]
            .into_iter()
            .zip(SUBJECT_TAGS)
        {
            if let (true, Some(id)) = (said, lib.tags.get(tag)) {
                word_tags.0.insert(id);
                word_tags.1.union_with(&lib.tag_blocks[id as usize]);
            }
        }
        // An axis the user's words leave open ("a hiker on a ridge" says nothing of the light)
        // gives the scene the tag `<axis>-unsaid` when the library declares it (`light-unsaid`),
        // so entries that would bring in a thing of their own to explain themselves (the glow
        // of a nearby fire, strings of fairy lights) can stay out of a scene the user described.
        // A random scene (no words) carries none of them: it may invent its fire.
        // And one the words do say gives it `<axis>-said` (`time-said`): a time of day the
        // user names is the light's, so a studio's softbox never lights "a bakery at dawn".
        if !ws.is_empty() {
            let told = lib.world.said(&ws, &world_pins);
            // An entry of the axis's categories that the words name says it too ("gaming"
            // names the glow of a screen).
            let named = |a: usize| {
                spans.iter().any(|sp| {
                    sp.entries
                        .iter()
                        .any(|(c, _)| lib.world.axes[a].categories.contains(c))
                })
            };
            for (a, axis) in lib.world.axes.iter().enumerate() {
                let tag = if told.contains(&a) || named(a) {
                    said_tag(&axis.name)
                } else {
                    unsaid_tag(&axis.name)
                };
                if let Some(id) = lib.tags.get(&tag) {
                    word_tags.0.insert(id);
                    word_tags.1.union_with(&lib.tag_blocks[id as usize]);
                }
            }
        }
        let mut said: Vec<usize> = lib
            .world
            .said(&ws, &world_pins)
            .into_iter()
            // An action whose feeling no word pins ("a clerk stapling receipts"): the slots that
            // would say how it feels are not guessed.
            .chain((0..lib.world.axes.len()).filter(|&a| {
                lib.world.axes[a].from_action
                    && names_action.is_some()
                    && !world_pins.iter().any(|p| p.axis == a)
            }))
            // Clues that disagree ("a crowd fleeing the flood, cheering": tense or lively?) say nothing sure.
            .chain(
                pin_conflicts
                    .iter()
                    .map(|(_, lost)| lost.axis)
                    .filter(|&a| lib.world.axes[a].hints),
            )
            .flat_map(|a| lib.world.axes[a].categories.iter().copied())
            .collect();
        said.sort_unstable();
        said.dedup();
        let named_axes: Vec<usize> = (0..lib.world.axes.len())
            .filter(|&a| {
                let axis = &lib.world.axes[a];
                // An entry that needs a value of the axis blocks its `none`.
                let none = axis.none;
                world_pins.iter().any(|p| p.axis == a)
                    || implied.iter().any(|(_, blocks)| blocks.contains(none))
                    // An entry of the categories that write the kind ("by the fireplace" is a
                    // living room's sofa), whatever else the words name.
                    || spans.iter().any(|sp| {
                        sp.entries.iter().any(|&(c, e)| {
                            axis.categories.contains(&c)
                                && lib.categories[c].entries[e].blocks.contains(none)
                        })
                    })
            })
            .collect();
        let only_world = !ws.is_empty()
            && ws.iter().enumerate().all(|(i, w)| {
                world_pins.iter().any(|p| {
                    p.first <= i
                        && i <= p.last
                        && !SUBJECT_AXES.contains(&lib.world.axes[p.axis].name.as_str())
                }) || WORLD_ONLY_GLUE.contains(&w.folded.as_str())
            });
        let key = description_key(&description);
        let asked = ws
            .iter()
            .filter(|w| !STOP_WORDS.contains(&w.folded.as_str()))
            .map(|w| w.folded.clone())
            .collect();
        Ok(Plan {
            only_world,
            key,
            quality,
            asked,
            names_setting,
            names_action,
            restated,
            said,
            named_axes,
            word_tags,
            names_angle: names_angle(&ws, &negated),
            world_pins,
            pin_conflicts,
            description,
            words: ws,
            spans,
            candidates,
            reason,
            showing,
            implied,
            refused,
            refused_words,
        })
    }

    /// Whether slot `s` stays empty because the description already says what it would: its
    /// place (`role: setting`), its action (`role: action`), or a time or weather a guarded
    /// slot would repeat.
    fn leaves_to_user(&self, s: &crate::library::Slot) -> bool {
        (s.setting && self.names_setting.is_some())
            || (s.action && self.names_action.is_some())
            || (s.guarded && self.said.contains(&s.category))
            || s.scenery.is_some_and(|a| self.unnamed_kind(a))
    }

    /// Whether the description says something but names no value of the kind axis `axis`
    /// ("a basketball player in an indoor arena" names no kind of `room`): the place is one
    /// the library does not know, or one the user left open, so nothing of a kind the library
    /// knows is invented for it. An empty description leaves everything to the library.
    fn unnamed_kind(&self, axis: usize) -> bool {
        !self.words.is_empty() && !self.only_world && !self.named_axes.contains(&axis)
    }

    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The user's words that pin world axes, with the phrase and the values each allows, and
    /// the pins that lost to an earlier contradicting one: for `--explain` and warnings.
    pub fn world_pin_notes(&self, lib: &Library) -> (Vec<String>, Vec<String>) {
        let phrase = |p: &crate::world::Pin| {
            self.description[self.words[p.first].start..self.words[p.last].end].to_string()
        };
        let values = |p: &crate::world::Pin| {
            let a = &lib.world.axes[p.axis];
            let vs: Vec<&str> = p
                .values
                .iter()
                .map(|v| a.values[*v as usize].name.as_str())
                .collect();
            format!("{}={}", a.name, vs.join("|"))
        };
        let pins = self
            .world_pins
            .iter()
            .map(|p| format!("\"{}\" pins {}", phrase(p), values(p)))
            .collect();
        // A clue that only hints at a value ("hope" a bright tone, "egg" a breakfast, "cabin"
        // a cottage) and gives way is no contradiction the user asked for: only plain words
        // that no world can hold together ("at noon at midnight") are warned about.
        let conflicts = self
            .pin_conflicts
            .iter()
            .filter(|(_, lost)| !lib.world.axes[lost.axis].hints)
            .map(|(won, lost)| {
                format!(
                    "\"{}\" ({}) contradicts \"{}\" ({}); both words stay, the world follows \"{}\"",
                    phrase(lost),
                    values(lost),
                    phrase(won),
                    values(won),
                    phrase(won)
                )
            })
            .collect();
        (pins, conflicts)
    }
}

/// Words that open a place phrase ("on a ridge", "in a library").
const PLACE_PREPOSITIONS: &[&str] = &[
    "in",
    "on",
    "at",
    "inside",
    "under",
    "beneath",
    "by",
    "beside",
    "near",
    "across",
    "along",
    "through",
    "over",
    "above",
    "among",
    "amid",
    "atop",
    "within",
    "around",
    "behind",
    "from",
    "down",
    "up",
    "outside",
    "out",
    "into",
    "onto",
    "into",
    "below",
    "underneath",
];

/// Words that follow those prepositions without naming a place ("in the distance", "at low
/// tide", "in the style of").
const NOT_PLACES: &[&str] = &[
    "distance",
    "style",
    "manner",
    "foreground",
    "background",
    "frame",
    "moment",
    "air",
    "dark",
    "darkness",
    "light",
    "shade",
    "shadow",
    "tide",
    "time",
    "mood",
    "focus",
    "detail",
    "motion",
    "silhouette",
    "color",
    "colour",
    "tone",
    "hue",
    "shade",
    "glow",
    "love",
    "flight",
    "mid-air",
    "midair",
    "profile",
    "close-up",
    "closeup",
    "action",
    "thought",
    "peace",
    "silence",
    "bloom",
    "full",
    "view",
    "way",
    "spirit",
    "tradition",
    "form",
    "shape",
    "pose",
];

/// Tags a scene carries when its description says what happens (`user-action`) or where
/// (`user-setting`): entries may conflict with them (see docs/library.md).
pub const DESCRIPTION_TAGS: [&str; 2] = ["user-action", "user-setting"];

/// The tag a scene carries when its description is not empty and says nothing of `axis`
/// (no word pins it and no `said_by` phrase says it): `light-unsaid`.
pub fn unsaid_tag(axis: &str) -> String {
    format!("{axis}-unsaid")
}

/// The tag a scene carries when its description says `axis` (a word pins it or a `said_by`
/// phrase says it): `time-said`.
pub fn said_tag(axis: &str) -> String {
    format!("{axis}-said")
}

/// Tags a scene carries when its description's subject is several (`user-group`) or busy with
/// an action that holds its eyes and face (`user-busy`).
///
/// A scene of one subject carries `user-one`, so entries written for several stay out.
pub const SUBJECT_TAGS: [&str; 3] = ["user-group", "user-busy", "user-one"];

/// Verbs of looking: "looking into a microscope" holds the eyes, "looking at the camera" does not.
const GAZE_VERBS: &[&str] = &[
    "looking",
    "gazing",
    "staring",
    "peering",
    "squinting",
    "glancing",
];

/// Whether the description's subject is busy with what it does: an action beyond a pose
/// ("reading", "playing the violin", "running"), or a look at something other than the viewer
/// ("looking into a microscope", "gazing at the stars").
fn names_busy(ws: &[Word]) -> bool {
    (0..ws.len()).any(|i| {
        let f = ws[i].folded.as_str();
        verb_at(ws, i)
            && (!POSE_VERBS.contains(&f)
                || (GAZE_VERBS.contains(&f)
                    && ws.get(i + 1).is_some()
                    && !ws[i + 1..].iter().take(3).any(|w| {
                        matches!(
                            w.folded.as_str(),
                            "camera" | "viewer" | "lens" | "us" | "you" | "me" | "straight"
                        )
                    })))
    }) || names_motion(ws)
}

/// Words ending in "-ing" that name things or times, not actions.
const ING_NOUNS: &[&str] = &[
    "anything",
    "awning",
    "bedding",
    "beginning",
    "being",
    "building",
    "carving",
    "ceiling",
    "clearing",
    "clothing",
    "darling",
    "drawing",
    "duckling",
    "dumpling",
    "earring",
    "ending",
    "etching",
    "evening",
    "everything",
    "feeling",
    "filling",
    "frosting",
    "gosling",
    "herring",
    "housing",
    "icing",
    "inkling",
    "king",
    "landing",
    "lighting",
    "lightning",
    "morning",
    "nothing",
    "offering",
    "opening",
    "painting",
    "pudding",
    "railing",
    "ring",
    "sapling",
    "seasoning",
    "seedling",
    "setting",
    "sibling",
    "something",
    "spring",
    "starling",
    "sterling",
    "string",
    "stuffing",
    "swing",
    "thing",
    "topping",
    "viking",
    "wedding",
    "whiting",
    "wing",
    "wiring",
];

/// The action of a description: a word in "-ing" that is a verb ("a cat reading a newspaper",
/// "a sleeping fox"), not a thing ("a painting of", "the building", "in the morning").
fn named_action(ws: &[Word]) -> Option<String> {
    (0..ws.len()).find_map(|i| verb_word(ws, i).then(|| ws[i].folded.clone()))
}

/// Whether word `i` reads as an -ing verb where it stands: not the first half of a compound
/// noun ("a swimming pool", "a rocking chair").
fn verb_word(ws: &[Word], i: usize) -> bool {
    is_verb(&ws[i]) && !ing_compound(ws, i)
}

/// Whether word `i` and the next make a compound noun whose first half ends in "-ing".
fn ing_compound(ws: &[Word], i: usize) -> bool {
    ws.get(i + 1).is_some_and(|next| {
        ING_COMPOUNDS
            .iter()
            .any(|(a, b)| *a == ws[i].folded && *b == next.folded)
    })
}

/// Compound nouns whose first half ends in "-ing": the thing, never the action.
const ING_COMPOUNDS: &[(&str, &str)] = &[
    ("swimming", "pool"),
    ("swimming", "pools"),
    ("swimming", "hole"),
    ("diving", "board"),
    ("rocking", "chair"),
    ("rocking", "horse"),
    ("sleeping", "bag"),
    ("walking", "stick"),
    ("walking", "path"),
    ("fishing", "rod"),
    ("fishing", "boat"),
    ("fishing", "boats"),
    ("fishing", "net"),
    ("fishing", "nets"),
    ("sailing", "boat"),
    ("sailing", "ship"),
    ("running", "shoes"),
    ("running", "track"),
    ("washing", "machine"),
    ("washing", "line"),
    ("sewing", "machine"),
    ("frying", "pan"),
    ("rolling", "pin"),
    ("cutting", "board"),
    ("mixing", "bowl"),
    ("waiting", "room"),
    ("changing", "room"),
    ("dining", "table"),
    ("dining", "room"),
    ("dining", "car"),
    ("drawing", "room"),
    ("reading", "glasses"),
    ("reading", "lamp"),
    ("reading", "nook"),
    ("reading", "room"),
    ("writing", "desk"),
    ("skating", "rink"),
    ("climbing", "wall"),
    ("climbing", "frame"),
    ("shopping", "mall"),
    ("shopping", "cart"),
    ("shopping", "bag"),
    ("parking", "lot"),
    ("spinning", "wheel"),
    ("wishing", "well"),
    ("stepping", "stones"),
    ("singing", "bowl"),
    ("hiking", "boots"),
    ("landing", "strip"),
    ("boxing", "gloves"),
    ("boxing", "ring"),
    ("ironing", "board"),
    ("baking", "tray"),
    ("baking", "sheet"),
    ("drinking", "fountain"),
    ("filling", "station"),
];

/// Whether template `ti`'s own tags leave every pinned axis a value.
fn template_fits_pins(lib: &Library, ti: usize, pins: &[crate::world::Pin]) -> bool {
    let t = &lib.templates[ti];
    pins.iter().all(|p| {
        p.values.iter().any(|&v| {
            let v = &lib.world.axes[p.axis].values[v as usize];
            !t.world_blocks.contains(v.tag) && !t.filter_tags.intersects(&v.blocks)
        })
    })
}

/// Whether a word reads as an -ing verb ("reading", not "building" or "during"). What a
/// picture does ("a stained glass window depicting a fox") is no action of its subject.
fn is_verb(w: &Word) -> bool {
    let f = w.folded.as_str();
    f.len() >= 5
        && f.ends_with("ing")
        && f.chars().all(|c| c.is_ascii_lowercase())
        && !ING_NOUNS.contains(&f)
        && !matches!(f, "during" | "depicting" | "portraying")
}

/// Verbs a sitter does while posing: a portrait still suits "a woman holding a cup of tea".
const POSE_VERBS: &[&str] = &[
    "gazing", "holding", "leaning", "looking", "posing", "resting", "sitting", "smiling",
    "standing", "staring", "wearing",
];

/// Whether the description says the subject does something more than pose ("flying a kite",
/// "dancing"): templates that `avoid: [user-action]` are then passed over.
fn names_motion(ws: &[Word]) -> bool {
    (0..ws.len()).any(|i| {
        let f = ws[i].folded.as_str();
        (verb_at(ws, i) && !POSE_VERBS.contains(&f))
            || [
                "mid-leap",
                "mid-air",
                "mid-jump",
                "mid-stride",
                "mid-flight",
                "midair",
            ]
            .contains(&f)
    })
}

/// Whether word `i` reads as a verb in its place: an -ing word after an article or a
/// possessive describes a noun ("a fishing village", "a bowl of steaming ramen", "their living
/// room"), and an -ing noun before an object is a verb ("kids building a sandcastle").
fn verb_at(ws: &[Word], i: usize) -> bool {
    const BEFORE_NOUN: &[&str] = &[
        "a", "an", "the", "of", "with", "and", "some", "its", "his", "her", "their", "my", "our",
        "this", "that",
    ];
    const BEFORE_OBJECT: &[&str] = &["a", "an", "the", "his", "her", "their", "its", "some"];
    let w = &ws[i];
    let verb = verb_word(ws, i)
        || (ING_NOUNS.contains(&w.folded.as_str())
            && ws
                .get(i + 1)
                .is_some_and(|n| BEFORE_OBJECT.contains(&n.folded.as_str())));
    verb && i > 0 && !BEFORE_NOUN.contains(&ws[i - 1].folded.as_str())
}

/// Nouns that say the subject is a child (not "young" alone: "a young violinist" may be
/// grown).
const CHILD_NOUNS: &[&str] = &[
    "child",
    "kid",
    "boy",
    "girl",
    "toddler",
    "baby",
    "schoolgirl",
    "schoolboy",
    "infant",
];

/// Axes whose words say what the picture is of ("a dinner for two", "a violinist",
/// "pancakes"), not the world around it: a description of them alone is no description of
/// weather or light only.
const SUBJECT_AXES: &[&str] = &["frame", "calling", "dish"];

/// Words that join world phrases without naming anything ("a storm at night", "fog and rain").
const WORLD_ONLY_GLUE: &[&str] = &[
    "a", "an", "the", "at", "in", "on", "of", "and", "with", "during", "under", "by", "after",
    "before", "some", "heavy", "light", "thick",
];

/// Place axes whose values have an inside: a building, a town, a region. An indoor activity
/// there ("reading in the lighthouse") is still indoors.
const HAVE_INSIDES: [&str; 3] = ["building", "settlement", "region"];

/// Axes whose aliases name places ("ridge" pins place=outdoor and settlement=wild, "kitchen"
/// room=room-kitchen, "frozen lake" land=land-lake, "in Kyoto" region=region-asia): a word they
/// pin is still a place word, even where another axis reads something into it too ("frozen
/// lake" also pins winter).
const PLACE_AXES: [&str; 10] = [
    "place",
    "skyview",
    "settlement",
    "region",
    "room",
    "building",
    "cityplace",
    "land",
    "shore",
    // A kind of wood is a place too: "resting under an oak", "lost in a pine forest".
    "woods",
];

/// Verbs whose object is a place ("crossing a river", "climbing the mountains", "roaming the
/// savanna"): followed by a place word the library knows, they name the scene's place as a
/// preposition does.
const PLACE_VERBS: &[&str] = &[
    "crossing",
    "climbing",
    "descending",
    "roaming",
    "wandering",
    "exploring",
    "traversing",
    "fording",
    "hiking",
    "trekking",
    "sailing",
    "navigating",
    "patrolling",
    "entering",
    "leaving",
    "approaching",
    "circling",
    "scaling",
    "skiing",
    "surfing",
    "riding",
    "walking",
    "running",
    "swimming",
];

/// Activities done indoors ("a grandmother baking cookies", "an old man knitting by the
/// fire"): when the description names no place of its own and no other words pin the
/// `place` axis, the scene is indoors, so no sun or season light falls on it.
const INDOOR_ACTIVITIES: &[&str] = &[
    "baking",
    "knitting",
    "reading",
    "studying",
    "sewing",
    "quilting",
    "crocheting",
    "embroidering",
    "cooking",
    "ironing",
    "typing",
    "vacuuming",
    "bathing",
    "showering",
];

/// The place phrase of a description, if it names one: a preposition followed by words that
/// no time, light, weather, medium or mood phrase accounts for ("on a ridge in thick fog" names
/// "a ridge"; "on a winter night under a single spotlight" names none). Place aliases count
/// as places.
fn named_setting(
    lib: &Library,
    description: &str,
    ws: &[Word],
    pins: &[crate::world::Pin],
) -> Option<String> {
    named_setting_span(lib, description, ws, pins)
        .map(|(first, last, _)| description[ws[first].start..ws[last].end].to_string())
}

/// The place phrase's first and last words (see [`named_setting`]), and whether it holds a
/// word a place axis knows ("on a country road": yes; "on a velvet cushion": no).
fn named_setting_span(
    lib: &Library,
    description: &str,
    ws: &[Word],
    pins: &[crate::world::Pin],
) -> Option<(usize, usize, bool)> {
    let is_place_axis = |axis: usize| PLACE_AXES.contains(&lib.world.axes[axis].name.as_str());
    let places = place_words(lib, pins, ws.len());
    let place_word = |i: usize| places[i];
    let covered = |i: usize| {
        !place_word(i)
            && pins
                .iter()
                .any(|p| !is_place_axis(p.axis) && p.first <= i && i <= p.last)
    };
    let is_prep = |w: &Word| PLACE_PREPOSITIONS.contains(&w.folded.as_str());
    let is_verb = |w: &Word| PLACE_VERBS.contains(&w.folded.as_str());
    let mut i = 1;
    while i < ws.len() {
        let verb = is_verb(&ws[i]);
        if !(is_prep(&ws[i]) || verb) || covered(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < ws.len() && !is_prep(&ws[j]) && !(verb && verb_at(ws, j)) {
            j += 1;
        }
        let content: Vec<usize> = (i + 1..j)
            .filter(|&k| !STOP_WORDS.contains(&ws[k].folded.as_str()))
            .collect();
        // After a verb only a place word the library knows says where ("crossing a river",
        // not "riding a bicycle").
        let names_place = !content.is_empty()
            && !content
                .iter()
                .any(|&k| NOT_PLACES.contains(&ws[k].folded.as_str()))
            && if verb {
                content.iter().any(|&k| place_word(k))
            } else {
                content.iter().any(|&k| !covered(k))
            };
        if names_place {
            return Some((i, j - 1, content.iter().any(|&k| place_word(k))));
        }
        i = j;
    }
    named_backdrop(ws)
        .map(|(first, last)| (first, last, false))
        .or_else(|| place_tag(description, ws, &places))
}

/// A place typed as a tag ("1girl, red dress, city street, night", "cat, cozy room, rain"):
/// between two commas, a few words that end on a place. Only in a description typed as tags
/// (two commas or more).
fn place_tag(description: &str, ws: &[Word], places: &[bool]) -> Option<(usize, usize, bool)> {
    if description.matches(',').count() < 2 {
        return None;
    }
    let mut first = 0;
    for i in 0..ws.len() {
        let ends = ws
            .get(i + 1)
            .is_none_or(|n| description[ws[i].end..n.start].contains(','));
        if !ends {
            continue;
        }
        let content: Vec<usize> = (first..=i)
            .filter(|&k| !STOP_WORDS.contains(&ws[k].folded.as_str()))
            .collect();
        if content.len() <= 3 && content.last().is_some_and(|&k| places[k]) {
            return Some((first, i, true));
        }
        first = i + 1;
    }
    None
}

/// A backdrop the user names, as photographers tag it ("white background", "a seamless gray
/// backdrop"): it is the whole setting, so no tabletop or room is set under the subject. Not
/// what stands "in the background", which is part of a scene.
///
/// A studio shot says the same ("studio product photo", "a packshot"): the set is the studio.
fn named_backdrop(ws: &[Word]) -> Option<(usize, usize)> {
    let studio = (0..ws.len()).find(|&i| {
        let next = ws.get(i + 1).map(|w| w.folded.as_str());
        match ws[i].folded.as_str() {
            "packshot" | "cyclorama" | "softbox" | "softboxes" => true,
            "studio" => matches!(
                next,
                Some("photo" | "shot" | "portrait" | "lighting" | "product" | "photograph")
            ),
            "product" => matches!(next, Some("photo" | "shot" | "photography")),
            _ => false,
        }
    });
    if let Some(i) = studio {
        return Some((i, (i + 1).min(ws.len() - 1)));
    }
    let at = ws.iter().position(|w| {
        matches!(
            w.folded.as_str(),
            "background" | "backgrounds" | "backdrop" | "backdrops"
        )
    })?;
    let before = |k: usize| at.checked_sub(k).map(|i| ws[i].folded.as_str());
    if at == 0 || before(1) == Some("the") || before(1) == Some("distant") {
        return None;
    }
    Some((at - 1, at))
}

/// Which words a place axis pins: a place word, unless a longer phrase of another axis holds
/// it ("japanese" in "japanese ink" is a medium).
fn place_words(lib: &Library, pins: &[crate::world::Pin], n: usize) -> Vec<bool> {
    let is_place_axis = |axis: usize| PLACE_AXES.contains(&lib.world.axes[axis].name.as_str());
    (0..n)
        .map(|i| {
            pins.iter().any(|p| {
                is_place_axis(p.axis)
                    && p.first <= i
                    && i <= p.last
                    && !pins.iter().any(|q| {
                        !is_place_axis(q.axis)
                            && q.first <= p.first
                            && p.last <= q.last
                            && q.last - q.first > p.last - p.first
                    })
            })
        })
        .collect()
}

/// An activity done indoors ("a grandmother baking cookies") pins `place=indoor` when nothing
/// in the description says where the scene is: no place phrase (the caller checks) and no word
/// of any place axis ("a lighthouse keeper knitting" stays by the lighthouse).
fn pin_indoor_activity(lib: &Library, ws: &[Word], pins: &mut Vec<crate::world::Pin>) -> bool {
    // A building, a town or a region the words name has an inside: "knitting in the
    // farmhouse", "reading in the lighthouse" are indoors. A place of the open air is not.
    let is_place_axis = |axis: usize| {
        let name = lib.world.axes[axis].name.as_str();
        PLACE_AXES.contains(&name) && !HAVE_INSIDES.contains(&name)
    };
    if pins.iter().any(|p| is_place_axis(p.axis)) {
        return false;
    }
    let Some(at) = ws
        .iter()
        .position(|w| INDOOR_ACTIVITIES.contains(&w.folded.as_str()))
    else {
        return false;
    };
    let Some((axis, indoor)) = lib.world.axes.iter().enumerate().find_map(|(ai, a)| {
        (a.name == "place")
            .then(|| a.values.iter().position(|v| v.name == "indoor"))
            .flatten()
            .map(|vi| (ai, vi))
    }) else {
        return false;
    };
    pins.push(crate::world::Pin {
        axis,
        values: vec![indoor as u8],
        first: at,
        last: at,
    });
    true
}

fn score_templates(
    lib: &Library,
    spans: &[Span],
    description: &str,
    ws: &[Word],
    avoided: &dyn Fn(&crate::library::SceneTemplate) -> bool,
    user_place: Option<(usize, usize, &[bool])>,
) -> (Vec<(usize, u64)>, String) {
    // The head of the description (up to its first preposition, verb or comma) names the
    // subject: a keyword there counts three times. "A young woman … holding a paper cup of tea"
    // is a portrait, not a cup of tea; "1girl, silver hair, cherry blossoms" is a portrait.
    let head_end = ws
        .iter()
        .enumerate()
        .skip(1)
        .find(|&(i, w)| {
            description[ws[i - 1].end..w.start].contains(',')
                || PLACE_PREPOSITIONS.contains(&w.folded.as_str())
                || w.folded == "with"
                || w.folded == "of"
                || named_action(std::slice::from_ref(w)).is_some()
        })
        .map_or(ws.len(), |(i, _)| i);
    let n = lib.templates.len();
    // How many templates use each category: a category every scene has (time of day) says
    // nothing about which scene is meant.
    let mut users = vec![0usize; lib.categories.len()];
    for t in &lib.templates {
        let mut seen: Vec<usize> = t.slots.iter().map(|s| s.category).collect();
        seen.sort_unstable();
        seen.dedup();
        for c in seen {
            users[c] += 1;
        }
    }
    // Where the description says where it is: its first place phrase, from a place
    // preposition to the next preposition or verb ("at a bus stop" in "… waiting at a bus
    // stop on a foggy morning, holding a cup of tea").
    let is_prep = |w: &Word| PLACE_PREPOSITIONS.contains(&w.folded.as_str());
    let place_start = ws
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, w)| is_prep(w))
        .map_or(ws.len(), |(i, _)| i);
    let place_end = ws
        .iter()
        .enumerate()
        .skip(place_start + 1)
        .find(|&(i, w)| is_prep(w) || verb_at(ws, i))
        .map_or(ws.len(), |(i, _)| i);
    let mut scores = vec![0u64; n];
    // The part of each score that comes from the place phrase, and from the head.
    let mut place_scores = vec![0u64; n];
    let mut head_scores = vec![0u64; n];
    // Whether a template's keywords matched at all: an entry named in passing ("fresh" is a
    // product finish) is not enough to choose a scene.
    let mut keyed = vec![false; n];
    for (ti, t) in lib.templates.iter().enumerate() {
        for sp in spans {
            if let Some(at) = sp.templates.iter().position(|&x| x == ti) {
                let head = if sp.first < head_end { 3 } else { 1 };
                scores[ti] += 3 * head * sp.folded.len() as u64;
                // A keyword that is the whole phrase ("ramen stall") outranks one inside it
                // ("ramen"): the stall is the scene, not a bowl on a table.
                if at >= sp.whole {
                    scores[ti] -= 1;
                }
                if sp.first >= place_start && sp.last < place_end {
                    place_scores[ti] += 3 * sp.folded.len() as u64;
                }
                if sp.first < head_end {
                    head_scores[ti] += 3 * head * sp.folded.len() as u64;
                }
                keyed[ti] = true;
            }
            // A phrase that names an entry of few templates' categories points to them; most
            // of all when it names the template's subject ("a desert" is a habitat of the
            // animal template but does not make a motorcycle an animal).
            let specific = sp
                .entries
                .iter()
                .filter(|(c, _)| users[*c] * 2 < n.max(2))
                .filter_map(|(c, _)| t.slots.iter().find(|s| s.category == *c))
                .map(|s| if s.name == "subject" { 2 } else { 1 })
                .max();
            if let Some(bonus) = specific {
                scores[ti] += bonus;
            }
        }
    }
    for (score, keyed) in scores.iter_mut().zip(keyed) {
        if !keyed {
            *score = 0;
        }
    }
    // A close-up scene gives way when the description names something its frame cannot hold
    // ("a cherry blossom tree beside a stone bridge" is no macro shot), unless the description
    // names the template itself ("macro", but not "food" in "a street food cart").
    for (ti, t) in lib.templates.iter().enumerate() {
        let named = (0..ws.len()).any(|i| {
            ws[i].folded == t.name
                && !ws
                    .get(i + 1)
                    .is_some_and(|n| t.gives_way_to.contains(&n.folded))
        });
        if scores[ti] > 0 && !named && ws.iter().any(|w| t.gives_way_to.contains(&w.folded)) {
            scores[ti] = 0;
            place_scores[ti] = 0;
        }
    }
    // A template the description's kind passes over ("a child flying a kite" is no posed
    // portrait) gives way to the template of the place the description names ("… in a
    // farmhouse kitchen"), else to the fallback, which writes well for anything: the next
    // best match is often a word in passing ("snow falls" is no waterfall, "baking bread" no
    // plated dish).
    let top = scores.iter().copied().max().unwrap_or(0);
    let mut passed_over = false;
    for (ti, t) in lib.templates.iter().enumerate() {
        if scores[ti] > 0 && avoided(t) {
            passed_over |= scores[ti] == top;
            scores[ti] = 0;
            place_scores[ti] = 0;
        }
    }
    // A template that writes a place of its own (no `setting` slot: the woods, the coast)
    // gives way when the user names another place and the template's words are not that
    // place, nor a subject that is itself a place: "a cyclist racing through autumn leaves on
    // a country road" is no forest scene, "a boat on a calm lake" no coast; "an autumn forest
    // in the mountains" is still a forest.
    if let Some((pf, pl, places)) = user_place {
        let top = scores.iter().copied().max().unwrap_or(0);
        let head_is_place = places.iter().take(head_end).any(|&p| p);
        for (ti, t) in lib.templates.iter().enumerate() {
            if scores[ti] == 0 || t.fallback || t.slots.iter().any(|s| s.setting) {
                continue;
            }
            let elsewhere = spans
                .iter()
                .filter(|sp| sp.templates.contains(&ti))
                .all(|sp| {
                    let names_itself = sp.first < head_end && head_is_place;
                    let in_place = sp.first >= pf && sp.last <= pl;
                    !(names_itself || in_place)
                });
            if elsewhere {
                passed_over |= scores[ti] == top;
                scores[ti] = 0;
                place_scores[ti] = 0;
            }
        }
    }
    // The subject's own word may name a place too ("a blacksmith hammering a sword" is no
    // posed portrait, but a blacksmith is at a forge): a template the head names stands
    // beside the place phrase's.
    if passed_over {
        for ti in 0..n {
            scores[ti] = if scores[ti] > 0 {
                place_scores[ti] + head_scores[ti]
            } else {
                0
            };
        }
    }
    let best = scores.iter().copied().max().unwrap_or(0);
    if best == 0 {
        let fb: Vec<(usize, u64)> = lib
            .templates
            .iter()
            .enumerate()
            .filter(|(_, t)| t.fallback)
            .map(|(i, _)| (i, 1))
            .collect();
        if !fb.is_empty() {
            return (
                fb,
                "no template matched the description: the fallback template".into(),
            );
        }
        let all = (0..n).map(|i| (i, 1)).collect();
        return (
            all,
            "no template matched and none is a fallback: any template".into(),
        );
    }
    let c: Vec<(usize, u64)> = (0..n)
        .filter(|i| scores[*i] == best)
        .map(|i| (i, 1))
        .collect();
    let names: Vec<&str> = c
        .iter()
        .map(|(i, _)| lib.templates[*i].name.as_str())
        .collect();
    (c, format!("best match score {best}: {}", names.join(", ")))
}

/// What went into one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// A vocabulary entry (category index, entry index).
    Entry(usize, usize),
    /// The user's own words.
    User(String),
}

#[derive(Debug, Clone, Default)]
pub struct SlotFill {
    pub picks: Vec<Pick>,
    /// Filled from the description rather than drawn.
    pub pinned: bool,
}

/// A generated scene.
#[derive(Debug, Clone)]
pub struct Scene {
    pub template: usize,
    pub body: usize,
    pub seed: u64,
    pub index: u64,
    /// One fill per template slot, in template order.
    pub slots: Vec<SlotFill>,
    /// `--explain` notes.
    pub notes: Vec<String>,
    /// Expanded dynamic text of this scene (empty when nothing in it has syntax).
    pub dynamic: Dynamic,
    /// The scene's world: per axis of the library, the value drawn (see [`crate::world`]).
    pub world: crate::world::Drawn,
    /// Rating tags the user typed ("masterpiece, best quality"): every dialect writes them
    /// after the scene.
    pub quality: Option<std::sync::Arc<str>>,
    /// The description's words, folded ([`crate::matching::fold`]), without stop words; empty
    /// for a scene drawn without one. sd/sdxl emphasise the part of a pinned entry that shows
    /// them.
    pub asked: std::sync::Arc<[String]>,
}

/// The dynamic syntax of a scene, expanded: what dialects write instead of the source text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dynamic {
    /// (slot index, pick number, text) of every pick whose entry has syntax.
    pub picks: Vec<(u32, u32, String)>,
    /// The body's dynamic runs, in order (`DYN_0`, `DYN_1`, … in the compiled body).
    pub body: Vec<String>,
}

impl Scene {
    pub fn template<'l>(&self, lib: &'l Library) -> &'l SceneTemplate {
        &lib.templates[self.template]
    }

    /// The text written for pick `k` of slot `slot`: the entry's text, its expansion when it
    /// has dynamic syntax, or the user's words. Every dialect uses this, so all of them write
    /// the same expansion.
    pub fn text<'a>(&'a self, lib: &'a Library, slot: usize, k: usize) -> &'a str {
        if !self.dynamic.picks.is_empty()
            && let Some((_, _, t)) = self
                .dynamic
                .picks
                .iter()
                .find(|(s, p, _)| *s as usize == slot && *p as usize == k)
        {
            return t;
        }
        Scene::pick_text(lib, &self.slots[slot].picks[k])
    }

    /// Whether pick `k` of `slot` came from an entry with dynamic syntax (its text is the
    /// expansion, not the entry's text).
    pub fn is_dynamic(&self, slot: usize, k: usize) -> bool {
        self.dynamic
            .picks
            .iter()
            .any(|(s, p, _)| *s as usize == slot && *p as usize == k)
    }

    /// The text of a pick as written in the library (dynamic syntax unexpanded); see
    /// [`Scene::text`] for what is written into prompts.
    pub fn pick_text<'a>(lib: &'a Library, p: &'a Pick) -> &'a str {
        match p {
            Pick::Entry(c, e) => &lib.categories[*c].entries[*e].text,
            Pick::User(s) => s,
        }
    }

    /// Each slot's chosen text, in template order (multi-picks joined as prose); empty slots are
    /// left out.
    pub fn slot_texts(&self, lib: &Library) -> Vec<(String, String)> {
        let t = self.template(lib);
        t.slots
            .iter()
            .zip(&self.slots)
            .enumerate()
            .filter(|(_, (_, f))| !f.picks.is_empty())
            .map(|(si, (s, f))| {
                let items: Vec<&str> = (0..f.picks.len()).map(|k| self.text(lib, si, k)).collect();
                (s.name.clone(), text::join_and(&items))
            })
            .collect()
    }

    /// Every entry in the scene, in slot order.
    pub fn entries(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.slots.iter().flat_map(|f| {
            f.picks.iter().filter_map(|p| match p {
                Pick::Entry(c, e) => Some((*c, *e)),
                Pick::User(_) => None,
            })
        })
    }
}

/// Reusable buffers for building scenes (one per thread in a batch).
#[derive(Default)]
pub struct Scratch {
    weights: Vec<u64>,
    candidates: Vec<usize>,
    taken: Vec<usize>,
    boosted: Vec<usize>,
    /// Slot fills of a finished scene, kept for their allocations (see [`Scratch::recycle`]).
    spare: Vec<SlotFill>,
    /// Hashed stream paths of each slot and of the body, for the inputs in `keys_for`: a batch
    /// builds millions of scenes from the same few.
    slot_keys: Vec<crate::rng::PathKey>,
    body_key: Option<crate::rng::PathKey>,
    world_key: Option<crate::rng::PathKey>,
    world_candidates: Vec<u8>,
    /// World values that leave every slot that must be filled an entry, and what they were
    /// computed for (library hash, description key, template).
    feasible: TagSet,
    /// Entries the description pinned whose words stay in the subject: never drawn again in
    /// this scene.
    silenced: Vec<(usize, usize)>,
    /// Entries the description denies, and the topics of the denied words (see [`Plan`]).
    refused: Vec<(usize, usize)>,
    refused_words: Vec<u32>,
    /// Recently computed feasible sets, by what they depend on: (library hash, template,
    /// state before the world, which slots are pinned, which the description leaves empty).
    #[allow(clippy::type_complexity)]
    feasible_cache: Vec<(String, usize, State, Vec<bool>, Vec<bool>, TagSet)>,
    /// Each slot's stream for the scene being built (then the body's), first blocks computed
    /// together.
    streams: Vec<crate::rng::Stream>,
    keys_for: Option<KeysFor>,
    /// The values of the axes the world left undecided.
    open_mask: TagSet,
    /// Content words of the user's subject and the pinned entries (see [`crate::repeats`]).
    base_words: crate::repeats::Said,
    /// Content words of the user's own subject: a slot that can stay empty never repeats one
    /// ("a lagoon" is not followed by "in the shallows of a lagoon").
    user_words: crate::repeats::Said,
    /// Content words already in the scene being filled: a slot prefers entries that repeat
    /// none of them.
    used_words: crate::repeats::Said,
    /// The strict topics of the body's words around the slot being filled ("The light is"):
    /// the slot prefers entries that say none of them (see [`crate::topics`]).
    frame: Vec<u32>,
    /// Every topic of the user's own words, none exempt: a slot that may be skipped says none
    /// of them ("by lantern light" is not followed by "picked out by the light").
    user_topics: Vec<u32>,
}

/// What the hashed stream paths in a [`Scratch`] were computed for.
#[derive(Debug, PartialEq, Eq)]
struct KeysFor {
    library: String,
    seed: u64,
    description: [u8; 16],
    template: usize,
}

impl Scratch {
    /// Takes back a scene that has been written, so the next scene built with this scratch
    /// reuses its memory.
    pub fn recycle(&mut self, scene: Scene) {
        self.spare = scene.slots;
    }

    /// The world values that leave every unpinned slot that must be filled (chance 100) at least
    /// one entry of its pool, judged one value at a time in the scene's state before its world
    /// (so per template and description: cached).
    fn feasible_values(
        &mut self,
        lib: &Library,
        ti: usize,
        plan: &Plan,
        base: &State,
        fills: &[SlotFill],
    ) {
        let t = &lib.templates[ti];
        let left: Vec<bool> = t.slots.iter().map(|s| plan.leaves_to_user(s)).collect();
        if let Some((.., f)) = self.feasible_cache.iter().find(|(h, t, st, pinned, l, _)| {
            *t == ti
                && *l == left
                && st == base
                && pinned.iter().zip(fills).all(|(p, f)| *p == f.pinned)
                && h == lib.hash()
        }) {
            self.feasible = *f;
            return;
        }
        let mut ok = TagSet::default();
        for a in &lib.world.axes {
            for v in &a.values {
                if base.blocks.contains(v.tag) || base.tags.intersects(&v.blocks) {
                    continue;
                }
                let mut st = base.clone();
                st.tags.insert(v.tag);
                st.blocks.union_with(&v.blocks);
                let fits = t.slots.iter().zip(fills).zip(&left).all(|((s, f), &l)| {
                    f.pinned
                        || l
                        || s.chance < 100
                        || s.min == 0
                        || s.pool.iter().any(|&e| {
                            let en = &lib.categories[s.category].entries[e as usize];
                            st.admits(&en.tags, &en.blocks)
                        })
                });
                if fits {
                    ok.insert(v.tag);
                }
            }
        }
        self.feasible = ok;
        if self.feasible_cache.len() >= FEASIBLE_CACHE {
            self.feasible_cache.remove(0);
        }
        self.feasible_cache.push((
            lib.hash().to_string(),
            ti,
            base.clone(),
            fills.iter().map(|f| f.pinned).collect(),
            left,
            ok,
        ));
    }

    /// The path keys of template `ti` (computing them when the last ones were for other inputs).
    fn path_keys(&mut self, lib: &Library, keyer: &Keyer, seed: u64, plan: &Plan, ti: usize) {
        if let Some(k) = &self.keys_for
            && k.seed == seed
            && k.template == ti
            && k.description == plan.key
            && k.library == lib.hash()
        {
            return;
        }
        let t = &lib.templates[ti];
        self.slot_keys = t
            .slots
            .iter()
            .map(|s| {
                keyer.path(&[
                    &plan.key,
                    b"/",
                    t.name.as_bytes(),
                    b"/slot/",
                    s.name.as_bytes(),
                ])
            })
            .collect();
        self.body_key = Some(keyer.path(&[&plan.key, b"/", t.name.as_bytes(), b"/body"]));
        self.world_key = Some(keyer.path(&[&plan.key, b"/", t.name.as_bytes(), b"/world"]));
        self.keys_for = Some(KeysFor {
            library: lib.hash().to_string(),
            seed,
            description: plan.key,
            template: ti,
        });
    }
}

/// Builds scene `index` of `seed` for a plan.
pub fn build(lib: &Library, plan: &Plan, seed: u64, index: u64, explain: bool) -> Scene {
    build_with(lib, plan, seed, index, explain, &mut Scratch::default())
}

pub fn build_with(
    lib: &Library,
    plan: &Plan,
    seed: u64,
    index: u64,
    explain: bool,
    scratch: &mut Scratch,
) -> Scene {
    let keyer = Keyer::new(seed, Domain::Scene);
    let mut notes = Vec::new();

    // 1. Template.
    let ti = if plan.candidates.len() == 1 {
        plan.candidates[0].0
    } else {
        let w: Vec<u64> = plan.candidates.iter().map(|c| c.1).collect();
        let k = keyer
            .stream_parts(&[&plan.key, b"/template"], index)
            .pick_weighted(&w)
            .unwrap_or(0);
        plan.candidates[k].0
    };
    let t = &lib.templates[ti];
    if explain {
        notes.push(format!("template `{}`: {}", t.name, plan.reason));
    }

    scratch.path_keys(lib, &keyer, seed, plan, ti);

    // 2. Pins: each matched phrase settles on one entry of a category the template uses.
    let mut fills: Vec<SlotFill> = std::mem::take(&mut scratch.spare);
    for f in &mut fills {
        f.picks.clear();
        f.pinned = false;
    }
    fills.resize_with(t.slots.len(), SlotFill::default);
    // (span index, slot index, whether the entry shows the user's words)
    let mut pinned_spans: Vec<(usize, usize, bool)> = Vec::new();
    // The entry each pinned phrase put in its slot.
    let mut pinned_entry: Vec<(usize, (usize, usize))> = Vec::new();
    let subject_slot_index = t.slot_index("subject");
    scratch.silenced.clear();
    scratch.refused.clone_from(&plan.refused);
    scratch.refused_words.clone_from(&plan.refused_words);
    // Entries the description pins must fit the template and the user's world pins.
    let mut template_state = State::default();
    template_state.add(&t.tags, &t.blocks);
    template_state.blocks.union_with(&t.world_blocks);
    apply_user_pins(lib, t, plan, &mut template_state);
    let mut pinned_state = template_state.clone();
    // Of the entries a phrase names, those that fit what the words say outright come first
    // ("a luxury wristwatch" is not the one on a worn strap, "his" coat is a man's).
    pinned_state.add(&plan.word_tags.0, &plan.word_tags.1);
    // Entries of categories the template uses that do not contradict the template itself
    // (an outdoor sky pinned into an indoor scene would block everything else).
    let usables: Vec<Vec<(usize, usize)>> = plan
        .spans
        .iter()
        .map(|sp| {
            sp.entries
                .iter()
                .copied()
                .filter(|(c, e)| {
                    let en = &lib.categories[*c].entries[*e];
                    t.slots.iter().any(|s| lib.world.fills(s.category, *c))
                        && template_state.admits(&en.tags, &en.blocks)
                        && {
                            // Some world must hold the entry with the template and the user's
                            // pins.
                            let mut st = template_state.clone();
                            st.add(&en.tags, &en.blocks);
                            lib.world.exists(&st)
                        }
                })
                .collect()
        })
        .collect();
    // The words of the entries pinned so far: a phrase that names several entries prefers
    // one that says none of them again ("among Tuscan vines" is not followed by the
    // farmhouse "among its barns").
    let mut pinned_words = crate::repeats::Said::default();
    for (si, sp) in plan.spans.iter().enumerate() {
        let usable = usables[si].clone();
        if usable.is_empty() {
            continue;
        }
        // Entries that also fit the phrases pinned before ("a Tuscan farmhouse" is not the
        // clapboard one), unless none does.
        let fitting: Vec<(usize, usize)> = usable
            .iter()
            .copied()
            .filter(|(c, e)| {
                let en = &lib.categories[*c].entries[*e];
                pinned_state.admits(&en.tags, &en.blocks) && {
                    let mut st = pinned_state.clone();
                    st.add(&en.tags, &en.blocks);
                    lib.world.exists(&st)
                }
            })
            .collect();
        // A phrase whose entries all clash with what is pinned before keeps its words in the
        // subject (below): the user said both, and only the first becomes the scene's.
        let fits_pins = !fitting.is_empty();
        let usable = if fitting.is_empty() { usable } else { fitting };
        // Of entries of several categories that fill one slot, those of a category the template
        // itself draws from come first: a portrait's "spotlight" picks the figure out of the
        // dark, not a plate on a table.
        let own: Vec<(usize, usize)> = usable
            .iter()
            .copied()
            .filter(|(c, _)| t.slots.iter().any(|s| s.category == *c))
            .collect();
        let usable = if own.is_empty() { usable } else { own };
        // Entries that leave every later phrase something to name: "portrait" in "a portrait
        // of an old farmer" never picks a head-and-shoulders crop that hides the farmer's
        // boots, unless every reading of it would.
        let leaving: Vec<(usize, usize)> = usable
            .iter()
            .copied()
            .filter(|(c, e)| {
                let en = &lib.categories[*c].entries[*e];
                let mut st = pinned_state.clone();
                st.add(&en.tags, &en.blocks);
                usables[si + 1..].iter().all(|later| {
                    later.is_empty()
                        || later.iter().any(|(c2, e2)| {
                            let o = &lib.categories[*c2].entries[*e2];
                            st.admits(&o.tags, &o.blocks)
                        })
                })
            })
            .collect();
        let usable = if leaving.is_empty() { usable } else { leaving };
        // A phrase that is the whole description and names a scene written only to show it
        // (weight 0, in the subject's category: "autumn" is a beech wood turning copper and
        // gold) is that scene, not a season laid over some other subject.
        let whole = sp.first == 0 && sp.last + 1 == plan.words.len();
        let ideas: Vec<(usize, usize)> = match subject_slot_index {
            Some(ss) if whole => usable
                .iter()
                .copied()
                .filter(|&(c, e)| {
                    c == t.slots[ss].category && lib.categories[c].entries[e].weight == 0
                })
                .collect(),
            _ => Vec::new(),
        };
        let usable = if ideas.is_empty() { usable } else { ideas };
        // Prefer entries that show the words the user typed.
        let showing: Vec<(usize, usize)> = usable
            .iter()
            .copied()
            .filter(|ce| plan.showing[si].contains(ce))
            .collect();
        let pool = if showing.is_empty() {
            &usable
        } else {
            &showing
        };
        let fresh = crate::topics::unsaid(lib, pool, &pinned_words);
        let pool = fresh.as_ref().unwrap_or(pool);
        let (c, e) = if pool.len() == 1 {
            pool[0]
        } else {
            let w: Vec<u64> = pool
                .iter()
                .map(|(c, e)| u64::from(lib.categories[*c].entries[*e].weight.max(1)))
                .collect();
            let k = keyer
                .stream_parts(&[&plan.key, b"/pin/", si.to_string().as_bytes()], index)
                .pick_weighted(&w)
                .unwrap_or(0);
            pool[k]
        };
        let slot = t.slots.iter().enumerate().position(|(i, s)| {
            lib.world.fills(s.category, c) && (fills[i].picks.len() as u32) < s.max
        });
        // Several the user names ("elephants", "geese") are never one of the library's ("an
        // old African elephant"): the words stay in the subject.
        if slot.is_some()
            && slot == subject_slot_index
            && crate::pronoun::Pronoun::plural(&span_text(plan, sp))
            && !crate::pronoun::Pronoun::plural(&lib.categories[c].entries[e].text)
        {
            if explain {
                notes.push(format!(
                    "\"{}\" names several: the words stay in the subject",
                    span_text(plan, sp)
                ));
            }
            continue;
        }
        let Some(slot) = slot else {
            if explain {
                notes.push(format!(
                    "\"{}\" names `{}` but its slots are full; the words stay in the subject",
                    span_text(plan, sp),
                    lib.categories[c].name
                ));
            }
            continue;
        };
        fills[slot].picks.push(Pick::Entry(c, e));
        fills[slot].pinned = true;
        // Where the user names the place, a setting entry never rewrites it ("crossing a
        // river" is not "crossing by the river, among smooth stones"): the words stay in the
        // subject, and the entry only lends the scene its tags.
        let keeps_words = t.slots[slot].setting && plan.names_setting.is_some();
        // A view the user names ("overhead shot", "seen from below") is the framing slot's to
        // say, in the library's words; so is a phrase set off after a comma at the end, the
        // way tags are typed ("…, studio lighting"). Their words leave the subject.
        let framing = matches!(t.slots[slot].name.as_str(), "composition" | "framing");
        let set_off = {
            let start = plan.words[sp.first].start;
            plan.words[0].start < start
                && plan.description[plan.words[0].start..start].contains([',', ';'])
                && !plan.description[start..].contains([',', ';'])
        };
        let shown = !showing.is_empty()
            || framing
            || (fits_pins && set_off && Some(slot) != subject_slot_index);
        pinned_spans.push((si, slot, shown && !keeps_words));
        pinned_entry.push((si, (c, e)));
        let en = &lib.categories[c].entries[e];
        pinned_state.add(&en.tags, &en.blocks);
        pinned_words.extend(en.words());
    }

    // A light, palette or medium the words name inside a longer phrase fills its slot if
    // nothing else did (its words stay in the subject).
    if !plan.restated.is_empty() {
        for (i, s) in t.slots.iter().enumerate() {
            if !fills[i].picks.is_empty()
                || s.negative
                || s.guarded
                || !lib.world.restates(s.category)
            {
                continue;
            }
            let fit = plan.restated.iter().copied().find(|&(c, e)| {
                let en = &lib.categories[c].entries[e];
                lib.world.fills(s.category, c) && template_state.admits(&en.tags, &en.blocks) && {
                    let mut st = template_state.clone();
                    st.add(&en.tags, &en.blocks);
                    lib.world.exists(&st)
                }
            });
            if let Some((c, e)) = fit {
                fills[i].picks.push(Pick::Entry(c, e));
                fills[i].pinned = true;
            }
        }
    }

    // 3. The subject: the user's words that no pinned entry shows.
    let subject_slot = t.slot_index("subject");
    let mut displaced: Vec<(usize, usize)> = Vec::new();
    let mut idea_scene: Option<String> = None;
    let mut removable: Vec<bool> = pinned_spans.iter().map(|p| p.2).collect();
    let mut range = subject_range(plan, &pinned_spans, &removable);
    let mut remainder = span_of_description(plan, range);
    if !remainder.is_empty()
        && let Some(ss) = subject_slot
        && fills[ss].pinned
    {
        // The user's own subject wins: entries pinned into the subject slot give their words
        // back to it.
        for (k, p) in pinned_spans.iter().enumerate() {
            if p.1 == ss {
                removable[k] = false;
            }
        }
        // The displaced entries still say what the subject is (oysters are served cold): their
        // tags stay in the scene.
        for p in &fills[ss].picks {
            if let Pick::Entry(c, e) = p {
                displaced.push((*c, *e));
            }
        }
        // An idea the description opens with ("nostalgia for summers that are gone") keeps the
        // scene that shows it ("the nostalgia of an old seaside carousel"): the user's words
        // stay the subject, and the scene follows them, so the idea never loses itself.
        idea_scene = idea_shown(lib, plan, &pinned_spans, ss, &fills[ss].picks);
        fills[ss] = SlotFill::default();
        let kept: Vec<(usize, usize, bool)> =
            pinned_spans.iter().copied().filter(|p| p.1 != ss).collect();
        let kept_removable: Vec<bool> = pinned_spans
            .iter()
            .zip(&removable)
            .filter(|(p, _)| p.1 != ss)
            .map(|(_, r)| *r)
            .collect();
        pinned_spans = kept;
        range = subject_range(plan, &pinned_spans, &kept_removable);
        remainder = span_of_description(plan, range);
    }
    let mut user_medium: Option<(usize, String)> = None;
    // A style phrase whose style went to its slot leaves no "painted in the style" behind.
    let trimmed = crate::request::without_dangling_style(&remainder);
    if trimmed.len() < remainder.len() {
        remainder = trimmed.to_string();
    }
    // A medium the user names at the head of the subject ("black and white portrait of a
    // boxer", "isometric pixel art of a village") is the scene's medium, as written: the medium
    // slot says it, and the subject is what it shows. No other medium wraps it.
    if let Some(ms) = t.slot_index("medium")
        && Some(ms) != subject_slot
        && let Some((medium, rest)) = crate::request::split_named_medium(&remainder)
    {
        let (medium, rest) = (crate::request::with_named_style(medium), rest.to_string());
        if explain {
            notes.push(format!("\"{medium}\" is the medium the description names"));
        }
        user_medium = Some((ms, medium));
        remainder = rest;
    }
    if let Some(scene) = &idea_scene
        && !remainder.is_empty()
    {
        if explain {
            notes.push(format!("the idea is shown as \"{scene}\""));
        }
        // The scene follows the idea itself, before anything the user set off after a comma
        // ("nostalgia, painted in oil" is "nostalgia: a carousel…, painted in oil").
        remainder = match remainder.split_once(", ") {
            Some((idea, rest)) => format!("{idea}: {scene}, {rest}"),
            None => format!("{remainder}: {scene}"),
        };
    }
    if !remainder.is_empty() {
        if let Some(ss) = subject_slot {
            fills[ss].picks = vec![Pick::User(remainder.clone())];
            fills[ss].pinned = true;
        }
        if explain {
            notes.push(format!("subject from the description: \"{remainder}\""));
        }
        // A pinned phrase that stays inside the subject is already said there: its entry keeps
        // its place in the scene (its tags still count) but is not written a second time. An
        // optional slot, or one every body can leave out, stays empty ("at noon" is not followed
        // by "around noon"); another slot that must be filled is drawn again under the world
        // (never the same entry). Except a light, palette or medium the user named, in a slot
        // that no body can leave out: it is said again rather than swapped for another of its
        // kind (its axis says `restate`).
        let (rs, re) = range.unwrap_or((0, 0));
        let mut subject_words = Vec::new();
        crate::repeats::content_words(&remainder, &mut subject_words);
        for &(si, slot, _) in &pinned_spans {
            let sp = &plan.spans[si];
            let (start, end) = (plan.words[sp.first].start, plan.words[sp.last].end);
            let s = &t.slots[slot];
            // The pinned entry is the library's way of saying the user's word ("fireplace" ->
            // "the warm, flickering glow of a fire"), even where it does not repeat the word.
            let restated =
                s.chance >= 100 && s.min > 0 && !s.guarded && lib.world.restates(s.category);
            // A scenery slot's entry that does not repeat the user's words says what their kind
            // brings ("trumpeter" brings a brass trumpet): it is written, unless it says a
            // topic of the subject again ("steaming food stalls" and "rows of food stalls").
            let brings = s.scenery.is_some()
                && fills[slot].picks.iter().any(|p| {
                    matches!(p, Pick::Entry(c, e) if !plan.showing[si].contains(&(*c, *e))
                    && !crate::topics::shares(
                        lib.categories[*c].entries[*e].words(),
                        &subject_words,
                    ))
                });
            if start >= rs && end <= re && Some(slot) != subject_slot && !restated && !brings {
                // Only this phrase's own pick: another phrase pinned into the same slot keeps
                // its entry ("steaming pho with fresh herbs" keeps the herbs).
                let own = pinned_entry.iter().find(|p| p.0 == si).map(|p| p.1);
                let picks = std::mem::take(&mut fills[slot].picks);
                for p in picks {
                    match p {
                        Pick::Entry(c, e) if own.is_none() || own == Some((c, e)) => {
                            displaced.push((c, e));
                            scratch.silenced.push((c, e));
                        }
                        other => fills[slot].picks.push(other),
                    }
                }
                // Nor another entry that shows the same words.
                scratch.silenced.extend(plan.showing[si].iter().copied());
                if s.chance >= 100 && s.min > 0 && !s.guarded && fills[slot].picks.is_empty() {
                    fills[slot].pinned = false;
                }
                if explain {
                    notes.push(format!(
                        "\"{}\" stays in the subject, so slot `{}` is not written again",
                        span_text(plan, sp),
                        t.slots[slot].name
                    ));
                }
            }
        }
    }

    // The medium the user named is written as named, whatever its words pinned.
    if let Some((ms, medium)) = user_medium {
        for p in fills[ms].picks.drain(..) {
            if let Pick::Entry(c, e) = p {
                displaced.push((c, e));
            }
        }
        fills[ms].picks = vec![Pick::User(medium)];
        fills[ms].pinned = true;
    }

    // 4. State from the template, the pins, and what unpinned phrases imply.
    let mut state = State::default();
    state.add(&t.tags, &t.blocks);
    state.add(&plan.word_tags.0, &plan.word_tags.1);
    // Several subjects ("a cat and a dog", "three crows") are a group: nothing written for one
    // body ("its fur", "head turned") is said of them.
    if crate::pronoun::Pronoun::plural(&remainder)
        && let Some(id) = lib.tags.get("group")
    {
        let mut tags = crate::tags::TagSet::default();
        tags.insert(id);
        state.add(&tags, &lib.tag_blocks[id as usize]);
        if explain {
            notes.push("the subject names several beings: it is a group".to_string());
        }
    }
    for (c, e) in &displaced {
        let en = &lib.categories[*c].entries[*e];
        state.add(&en.tags, &en.blocks);
    }
    if explain && !plan.word_tags.0.is_empty() {
        notes.push(format!(
            "the description names tags [{}]",
            lib.tags.names(&plan.word_tags.0).join(", ")
        ));
    }
    for (si, (tags, blocks)) in plan.implied.iter().enumerate() {
        if pinned_spans.iter().any(|p| p.0 == si) || (tags.is_empty() && blocks.is_empty()) {
            continue;
        }
        // A phrase inside a longer one that pins the world says no more than it ("morning" in
        // "four in the morning" is no daytime).
        let sp = &plan.spans[si];
        if plan.world_pins.iter().any(|p| {
            p.first <= sp.first && sp.last <= p.last && p.last - p.first > sp.last - sp.first
        }) {
            continue;
        }
        // Nor against what the user's words pin: a word that only hints ("umbrella": a beach's
        // sun) never overrules one that says ("rainy"). Only the hinted tags that disagree go:
        // a polar bear under the midnight sun is no longer cold, but still arctic.
        let (tags, blocks) = if lib.world.pins_admit(&plan.world_pins, tags, blocks) {
            (*tags, *blocks)
        } else {
            let none = TagSet::default();
            let mut kept = (*tags, *blocks);
            for id in tags.iter() {
                let mut one = TagSet::default();
                one.insert(id);
                if !lib.world.pins_admit(&plan.world_pins, &one, &none) {
                    kept.0.remove(id);
                }
            }
            for id in blocks.iter() {
                let mut one = TagSet::default();
                one.insert(id);
                if !lib.world.pins_admit(&plan.world_pins, &none, &one) {
                    kept.1.remove(id);
                }
            }
            if explain {
                notes.push(format!(
                    "\"{}\" would imply tags [{}], against the description's own words: only [{}] kept",
                    span_text(plan, sp),
                    lib.tags.names(tags).join(", "),
                    lib.tags.names(&kept.0).join(", ")
                ));
            }
            if !lib.world.pins_admit(&plan.world_pins, &kept.0, &kept.1) {
                continue;
            }
            kept
        };
        let (tags, blocks) = (&tags, &blocks);
        state.add(tags, blocks);
        if explain {
            notes.push(format!(
                "\"{}\" implies tags [{}]",
                span_text(plan, &plan.spans[si]),
                lib.tags.names(tags).join(", ")
            ));
        }
    }
    for f in &fills {
        for p in &f.picks {
            if let Pick::Entry(c, e) = p {
                let en = &lib.categories[*c].entries[*e];
                state.add(&en.tags, &en.blocks);
                if explain {
                    notes.push(format!(
                        "pinned `{}` ← \"{}\"",
                        lib.categories[*c].name, en.text
                    ));
                }
            }
        }
    }
    // The words say from where the scene is seen ("seen from above", "from below") and no
    // framing the words pinned writes it: they stay in the subject, and no framing may write
    // another angle (an eye-level view of a village seen from above).
    if plan.names_angle
        && let Some(id) = lib.tags.get("angle")
        && !state.tags.contains(id)
    {
        let mut tags = TagSet::default();
        tags.insert(id);
        state.add(&tags, &lib.tag_blocks[id as usize]);
        if explain {
            notes.push("the description says the viewing angle: no framing writes one".to_string());
        }
    }

    // A place of a kind the library does not know has none of the kinds it knows: no slot
    // brings in a chapel's light or a kitchen's window to an arena.
    for s in &t.slots {
        // (Unless an entry the user's words pinned needs one: it decides the kind.)
        if let Some(a) = s.scenery
            && plan.unnamed_kind(a)
            && !state.blocks.contains(lib.world.axes[a].none)
        {
            state.blocks.union_with(&lib.world.axes[a].mask);
            state.blocks.remove(lib.world.axes[a].none);
        }
    }
    // 5. The world: the user's pins over the template's, then one value per axis.
    // The user's words win: on an axis they pin, their values replace whatever the template,
    // pinned entries or implied tags asked of it.
    state.blocks.union_with(&t.world_blocks);
    for k in apply_user_pins(lib, t, plan, &mut state) {
        if explain {
            let p = &plan.world_pins[k];
            let a = &lib.world.axes[p.axis];
            notes.push(format!(
                "the template `{}` cannot hold {}={}: the axis is left to it",
                t.name,
                a.name,
                p.values
                    .iter()
                    .map(|&v| a.values[v as usize].name.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            ));
        }
    }
    let base_state = state.clone();
    // What the scene already says: the user's subject and the pinned entries.
    scratch.base_words.clear();
    scratch.user_words.clear();
    scratch.user_topics.clear();
    for f in &fills {
        for p in &f.picks {
            match p {
                Pick::Entry(c, e) => scratch
                    .base_words
                    .extend(lib.categories[*c].entries[*e].words()),
                Pick::User(text) => {
                    let mut ws = Vec::new();
                    crate::repeats::content_words(text, &mut ws);
                    scratch.base_words.extend(&ws);
                    scratch.user_words.extend(&ws);
                    crate::topics::strict_topics(text, &mut scratch.user_topics);
                }
            }
        }
    }
    let mut world_rng = match scratch.world_key {
        Some(k) if !lib.world.axes.is_empty() => Some(k.stream(index)),
        _ => None,
    };
    let mut streams = std::mem::take(&mut scratch.streams);
    streams.clear();
    streams.extend(
        t.slots
            .iter()
            .zip(&fills)
            .zip(&scratch.slot_keys)
            .filter(|((_, f), _)| !f.pinned)
            .map(|(_, k)| k.stream(index)),
    );
    let unpinned = streams.len();
    if let Some(k) = scratch.body_key
        && t.bodies.len() > 1
    {
        streams.push(k.stream(index));
    }
    crate::rng::prefill(&mut streams);
    // The body variant, from its own stream (so drawing it before the slots changes nothing
    // else): one whose own words repeat none of the user's, where one does; its words then
    // join what the scene has said (see [`crate::topics`]).
    let body = match streams.get_mut(unpinned) {
        Some(rng) if t.bodies.len() > 1 => {
            let drawn = rng.below(t.bodies.len() as u32) as usize;
            let b = crate::topics::body_for_user(&t.body_topics, drawn, &scratch.user_words);
            if explain && b != drawn {
                notes.push(format!(
                    "body {} repeats the description's words: body {} instead",
                    drawn + 1,
                    b + 1
                ));
            }
            b
        }
        _ => 0,
    };
    if let Some(bt) = t.body_topics.get(body) {
        scratch.base_words.extend(&bt.words);
    }
    if lib.world.axes.is_empty() {
        world_rng = None;
    } else {
        scratch.feasible_values(lib, ti, plan, &base_state, &fills);
    }
    let mut world = Vec::new();
    // A world in which a slot that must be filled finds no entry is drawn again (from the same
    // stream, so deterministically); after the last try the slot stays empty.
    for attempt in 0..WORLD_TRIES {
        let Scratch {
            used_words,
            base_words,
            ..
        } = &mut *scratch;
        used_words.set_from(base_words);
        if attempt > 0 {
            state = base_state.clone();
            for f in fills.iter_mut().filter(|f| !f.pinned) {
                f.picks.clear();
            }
        }
        if let Some(rng) = world_rng.as_mut() {
            let mut wc = std::mem::take(&mut scratch.world_candidates);
            let (drawn, settled) = lib.world.draw(
                !plan.words.is_empty(),
                &mut state,
                &scratch.feasible,
                rng,
                &mut scratch.weights,
                &mut wc,
            );
            world = drawn;
            // An axis left undecided (the user's words asked for values no world holds
            // together) is decided by the first entry that names it (see `hold_open_axes`).
            scratch.open_mask = TagSet::default();
            for (a, &v) in lib.world.axes.iter().zip(&world) {
                if v == crate::world::OPEN {
                    scratch.open_mask.union_with(&a.mask);
                }
            }
            scratch.world_candidates = wc;
            if !settled && attempt + 1 < WORLD_TRIES {
                continue;
            }
            // Before filling anything: a slot that must be filled and that no entry of its pool
            // could fill in this world makes the world useless, as long as the slots may not
            // yet reach past their pools (see `WIDE_AFTER`).
            if attempt < WIDE_AFTER
                && let Some(i) = unfillable_slot(lib, t, &state, &fills, plan)
            {
                if explain {
                    notes.push(format!(
                        "world [{}] leaves slot `{}`, which must be filled, empty: drawn again",
                        world_line(lib, &world),
                        t.slots[i].name
                    ));
                }
                continue;
            }
        }
        let last = attempt + 1 == WORLD_TRIES;
        let Err(empty) = fill_slots(
            lib,
            t,
            &mut state,
            &mut fills,
            &mut streams[..unpinned],
            FillCtx {
                body: t.body_topics.get(body),
                explain: explain && last,
                last,
                plan,
                wide: last || attempt >= WIDE_AFTER,
            },
            &mut notes,
            scratch,
        ) else {
            break;
        };
        if explain && !last {
            notes.push(format!(
                "world [{}] leaves slot `{}`, which must be filled, empty: drawn again",
                world_line(lib, &world),
                t.slots[empty].name
            ));
        }
    }
    // A slot that must be filled and is still empty although the description pinned an entry
    // for it (left out because its words stay in the subject): the entry comes back. Saying
    // the user's words twice reads better than a sentence with a hole.
    for (i, s) in t.slots.iter().enumerate() {
        if fills[i].picks.is_empty()
            && s.chance >= 100
            && s.min > 0
            && !s.guarded
            && !s.negative
            && !plan.leaves_to_user(s)
            && let Some(&(c, e)) = scratch
                .silenced
                .iter()
                .find(|(c, _)| lib.world.fills(s.category, *c))
        {
            fills[i].picks.push(Pick::Entry(c, e));
            if explain {
                notes.push(format!(
                    "slot `{}` found nothing else that fits: the pinned entry is written after all",
                    s.name
                ));
            }
        }
    }
    if explain {
        for (s, f) in t.slots.iter().zip(&fills) {
            if s.guarded && f.picks.is_empty() && plan.said.contains(&s.category) {
                notes.push(format!(
                    "the description already says what slot `{}` would: it is left out",
                    s.name
                ));
            }
        }
    }
    if explain && let Some(verb) = &plan.names_action {
        notes.push(format!(
            "the description says what the subject does (\"{verb}\"): `action` slots are left to it"
        ));
    }
    if explain && let Some(place) = &plan.names_setting {
        notes.push(format!(
            "the description names its place (\"{place}\"): `setting` slots are left to it"
        ));
    }
    if explain {
        for s in &t.slots {
            if let Some(a) = s.scenery
                && plan.unnamed_kind(a)
            {
                notes.push(format!(
                    "no word of the description names a `{}`: scenery slot `{}` is left empty",
                    lib.world.axes[a].name, s.name
                ));
            }
        }
    }
    if explain && !world.is_empty() {
        let (pins, conflicts) = plan.world_pin_notes(lib);
        notes.extend(pins);
        notes.extend(conflicts);
        notes.push(format!("world: {}", world_line(lib, &world)));
    }
    // 7. Body variant: drawn before the slots.
    scratch.streams = streams;

    let dynamic = expand_dynamic(lib, t, &fills, body, &plan.key, seed, index);
    Scene {
        template: ti,
        body,
        seed,
        index,
        slots: fills,
        notes,
        dynamic,
        world,
        quality: plan.quality.clone(),
        asked: plan.asked.clone(),
    }
}

/// `axis=value, …` of a drawn world, for `--explain`.
fn world_line(lib: &Library, world: &[u8]) -> String {
    let w: Vec<String> = lib
        .world
        .describe(world)
        .into_iter()
        .map(|(a, v)| format!("{a}={v}"))
        .collect();
    w.join(", ")
}

/// Holds each world axis the user's words pin to the values they allow, replacing whatever
/// else the state asked of that axis: the user's words win. Only the template's own tags narrow
/// them: of the values a phrase allows ("seen from above": close up or from the air), those the
/// template can hold are kept (a city seen from above is an aerial view, a plate seen from
/// above a close one), and a pin none of whose values the template can hold ("a close-up" of
/// the open sea, whose every slot is written for a view) leaves the axis to the template.
/// Returns the pins so left.
fn apply_user_pins(lib: &Library, t: &SceneTemplate, plan: &Plan, state: &mut State) -> Vec<usize> {
    let mut left = Vec::new();
    for (k, p) in plan.world_pins.iter().enumerate() {
        let a = &lib.world.axes[p.axis];
        let fits: Vec<u8> = p
            .values
            .iter()
            .copied()
            .filter(|&v| {
                let v = &a.values[v as usize];
                !t.world_blocks.contains(v.tag) && !t.filter_tags.intersects(&v.blocks)
            })
            .collect();
        if fits.is_empty() {
            left.push(k);
            continue;
        }
        for tag in a.mask.iter() {
            state.blocks.remove(tag);
        }
        state
            .blocks
            .union_with(&lib.world.pin_blocks(p.axis, &fits));
    }
    left
}

/// How many feasible-value sets a scratch keeps (a description whose phrases name several
/// entries pins different ones per prompt).
const FEASIBLE_CACHE: usize = 16;

/// How many worlds are drawn, at most, before a slot that must be filled is left empty.
const WORLD_TRIES: u32 = 24;
/// From this try on, a slot that must be filled may take any entry of its category that fits.
const WIDE_AFTER: u32 = 2;

/// What [`fill_slots`] needs to know about the scene being built.
struct FillCtx<'a> {
    /// What the scene's body says in its own words.
    body: Option<&'a crate::topics::BodyTopics>,
    explain: bool,
    /// The last try: fill what fits and report what does not.
    last: bool,
    /// The description: the slots it leaves empty (see [`Plan::leaves_to_user`]).
    plan: &'a Plan,
    /// A slot that must be filled may take any entry of its category that fits (after the
    /// first worlds failed).
    wide: bool,
}

/// Fills every slot that was not pinned, in template order, each from its own stream, under
/// the scene's state (the world included). Returns the first slot that must be filled (chance
/// 100) and finds no entry, unless this is the last try.
#[allow(clippy::too_many_arguments)]
fn fill_slots(
    lib: &Library,
    t: &SceneTemplate,
    state: &mut State,
    fills: &mut [SlotFill],
    streams: &mut [crate::rng::Stream],
    ctx: FillCtx,
    notes: &mut Vec<String>,
    scratch: &mut Scratch,
) -> Result<(), usize> {
    let mut next_stream = streams.iter_mut();
    for (i, s) in t.slots.iter().enumerate() {
        if fills[i].pinned {
            continue;
        }
        let Some(rng) = next_stream.next() else {
            break;
        };
        if ctx.plan.leaves_to_user(s) {
            continue;
        }
        // An axis the scene could not decide (a storm at night: no moon, no stars, no town)
        // writes nothing where the body can do without it, rather than a guess.
        if s.guarded
            && lib.world.axes.iter().any(|a| {
                a.categories.contains(&s.category) && scratch.open_mask.intersects(&a.mask)
            })
        {
            continue;
        }
        if !rng.chance(s.chance) {
            continue;
        }
        let n = if s.max > s.min {
            s.min + rng.below(s.max - s.min + 1)
        } else {
            s.max
        };
        let cat = &lib.categories[s.category];
        note_taken_and_boosted(lib, fills, s.category, scratch);
        scratch.frame.clear();
        if let Some(b) = ctx.body {
            scratch.frame.extend_from_slice(b.frame(i));
        }
        for k in 0..n {
            if let Some(e) = quick_pick(lib, state, s, rng, scratch) {
                let en = &cat.entries[e];
                state.add(&en.tags, &en.blocks);
                hold_open_axes(state, en, &scratch.open_mask);
                fills[i].picks.push(Pick::Entry(s.category, e));
                note_picked(lib, s.category, e, scratch);
                continue;
            }
            let mut relaxed = false;
            gather(lib, state, s, false, scratch);
            if scratch.candidates.is_empty() && !s.require.is_empty() {
                relaxed = true;
                gather(lib, state, s, true, scratch);
            }
            // A slot that must be filled, after a few worlds: any entry of its category that
            // fits the scene, whatever the slot's filters (the user's "candlelit" brings fire
            // into a template whose light slot leaves fire out), rather than a sentence with
            // a hole in it.
            // A slot every body can leave out is left out instead: no hole to fill.
            let mut widened = false;
            if scratch.candidates.is_empty() && k == 0 && s.chance >= 100 && ctx.wide && !s.guarded
            {
                widened = true;
                gather_wide(lib, state, s, scratch);
                // The last try: rather than a sentence with a hole ("Lit by, the scene…"), an
                // entry that fits the world, whatever the scene's other tag conflicts.
                if scratch.candidates.is_empty() && ctx.last && !s.negative {
                    let mut world_only = state.clone();
                    world_only.tags.intersect_with(&lib.world.mask);
                    world_only.blocks.intersect_with(&lib.world.mask);
                    gather_wide(lib, &world_only, s, scratch);
                }
            }
            if scratch.candidates.is_empty() {
                if k == 0 && s.chance >= 100 && !ctx.last && !axis_silent(lib, state, s) {
                    return Err(i);
                }
                if ctx.explain && k == 0 {
                    let tags = lib.tags.names(&state.tags).join(", ");
                    notes.push(format!(
                        "slot `{}` skipped: no entry of `{}` fits the scene (tags: {tags})",
                        s.name, cat.name
                    ));
                }
                break;
            }
            if relaxed && ctx.explain {
                notes.push(format!(
                    "slot `{}`: no entry has the required tags and fits the scene; requirement relaxed",
                    s.name
                ));
            }
            if widened && ctx.explain {
                notes.push(format!(
                    "slot `{}`: nothing its filters allow fits the scene; any entry of `{}` that fits was allowed",
                    s.name, cat.name
                ));
            }
            let k = match rng.pick_weighted(&scratch.weights) {
                Some(k) => k,
                // Only entries of weight 0 fit: they are drawn alike.
                None => rng.below(scratch.candidates.len() as u32) as usize,
            };
            let e = scratch.candidates[k];
            let en = &cat.entries[e];
            state.add(&en.tags, &en.blocks);
            hold_open_axes(state, en, &scratch.open_mask);
            fills[i].picks.push(Pick::Entry(s.category, e));
            note_picked(lib, s.category, e, scratch);
        }
    }
    Ok(())
}

/// Expands the dynamic entries among `fills` and the dynamic runs of body `body` (nothing, and
/// no allocation, when there are none).
fn expand_dynamic(
    lib: &Library,
    t: &SceneTemplate,
    fills: &[SlotFill],
    body: usize,
    key: &[u8; 16],
    seed: u64,
    index: u64,
) -> Dynamic {
    use crate::dynamic::{ExpandOptions, Expander, empty_collection};
    let mut out = Dynamic::default();
    let prefix = || {
        let mut p = String::with_capacity(64);
        p.push_str(std::str::from_utf8(key).unwrap_or(""));
        p.push('/');
        p.push_str(&t.name);
        p
    };
    let expand = |tpl: &crate::dynamic::Template, path: &str| {
        // Library load refused everything that could fail here (wildcards, variables read
        // before they are set or reading themselves, texts past the size limits on a trial
        // expansion: `dynamic::inline::parse_located`). Should an expansion fail all the same,
        // the pick is written empty: never the entry's raw syntax.
        Expander::new(tpl, empty_collection(), ExpandOptions::default())
            .with_path(path)
            .expand(seed, index)
            .unwrap_or_default()
    };
    for (si, f) in fills.iter().enumerate() {
        for (k, p) in f.picks.iter().enumerate() {
            if let Pick::Entry(c, e) = p
                && let Some(tpl) = lib.categories[*c].dynamic(*e)
            {
                let path = format!("{}/slot/{}/{k}", prefix(), t.slots[si].name);
                out.picks.push((si as u32, k as u32, expand(tpl, &path)));
            }
        }
    }
    if let Some(runs) = t.body_dynamic.get(body) {
        // Two runs that share a pair of words ("Across the scene you see …. There, too, you
        // see …") say the same thing twice: a run that would is drawn again, on its own
        // numbered path, a few times at most.
        let mut said: Vec<u64> = Vec::new();
        let mut pairs: Vec<u64> = Vec::new();
        // The user's own words count as said ("morning sun through the window" is never
        // followed by "Through the window you can see").
        for f in fills {
            for p in &f.picks {
                if let Pick::User(words) = p {
                    crate::repeats::word_pairs(words, &mut said);
                }
            }
        }
        for (k, tpl) in runs.iter().enumerate() {
            let path = format!("{}/body/{}/{k}", prefix(), body + 1);
            let mut text = expand(tpl, &path);
            pairs.clear();
            crate::repeats::word_pairs(&text, &mut pairs);
            let mut again = 0;
            while again < REDRAWS && pairs.iter().any(|p| said.contains(p)) {
                again += 1;
                text = expand(tpl, &format!("{path}/again/{again}"));
                pairs.clear();
                crate::repeats::word_pairs(&text, &mut pairs);
            }
            said.extend_from_slice(&pairs);
            out.body.push(text);
        }
    }
    out
}

/// How often a body's run is drawn again when it would repeat a pair of words of an earlier
/// run (see [`expand_dynamic`]).
const REDRAWS: u32 = 6;

/// How many draws from a slot's whole pool are tried before listing the entries that fit.
const QUICK_TRIES: u32 = 8;

/// Draws from the slot's precomputed pool by weight and keeps the first entry that fits the
/// scene. This is rejection sampling, so each fitting entry comes out with exactly the
/// probability it has among the fitting entries alone; it just avoids testing every entry.
/// Gives up (`None`) when associations change the weights or when the scene rejects too much,
/// and the caller lists the fitting entries instead, drawing on from the same stream.
fn quick_pick(
    lib: &Library,
    state: &State,
    slot: &crate::library::Slot,
    rng: &mut crate::rng::Stream,
    scratch: &Scratch,
) -> Option<usize> {
    let total = *slot.pool_cumulative.last()?;
    if total == 0 || !scratch.boosted.is_empty() {
        return None;
    }
    let cat = &lib.categories[slot.category];
    let view = slot.pool_table.view(state);
    for _ in 0..QUICK_TRIES {
        let x = rng.below_u64(total);
        let k = slot.pool_cumulative.partition_point(|c| *c <= x);
        let e = slot.pool[k] as usize;
        let en = &cat.entries[e];
        if slot.pool_table.admits(&view, k)
            && !scratch.taken.contains(&e)
            && !scratch.used_words.repeats(en.words())
            && !crate::topics::meets(&scratch.frame, en.topics())
            && (slot.chance >= 100 || !crate::topics::meets(&scratch.user_topics, en.topics()))
        {
            return Some(e);
        }
    }
    None
}

/// Entries of `category` already in the scene, and entries of it that associations boost.
fn note_taken_and_boosted(
    lib: &Library,
    fills: &[SlotFill],
    category: usize,
    scratch: &mut Scratch,
) {
    scratch.taken.clear();
    scratch.boosted.clear();
    for &(c, e) in scratch.silenced.iter().chain(&scratch.refused) {
        if c == category {
            scratch.taken.push(e);
        }
    }
    if !scratch.refused_words.is_empty() {
        for (e, en) in lib.categories[category].entries.iter().enumerate() {
            if crate::topics::shares(en.words(), &scratch.refused_words) {
                scratch.taken.push(e);
            }
        }
    }
    for f in fills {
        for p in &f.picks {
            if let Pick::Entry(c, e) = p {
                if *c == category {
                    scratch.taken.push(*e);
                }
                for (wc, list) in &lib.categories[*c].entries[*e].with {
                    if *wc == category {
                        scratch.boosted.extend_from_slice(list);
                    }
                }
            }
        }
    }
}

/// Keeps `scratch.taken` and `scratch.boosted` current after entry `e` of `category` joined the
/// scene: the same as calling [`note_taken_and_boosted`] again, without rereading every slot.
fn note_picked(lib: &Library, category: usize, e: usize, scratch: &mut Scratch) {
    scratch.taken.push(e);
    scratch
        .used_words
        .extend(lib.categories[category].entries[e].words());
    for (wc, list) in &lib.categories[category].entries[e].with {
        if *wc == category {
            scratch.boosted.extend_from_slice(list);
        }
    }
}

/// Candidates of a slot that fit the scene, with their weights (boosted by associations).
/// `scratch.taken` and `scratch.boosted` must be current for the slot's category.
fn gather(
    lib: &Library,
    state: &State,
    slot: &crate::library::Slot,
    relaxed: bool,
    scratch: &mut Scratch,
) {
    scratch.candidates.clear();
    scratch.weights.clear();
    let category = slot.category;
    let cat = &lib.categories[category];
    let pool = if relaxed {
        &slot.relaxed_pool
    } else {
        &slot.pool
    };
    // Entries that repeat a word already in the scene only when nothing else fits; never one
    // that repeats the user's own words where the slot can stay empty.
    let may_stay_empty = slot.chance < 100 || slot.guarded || slot.min == 0;
    let view = (!relaxed).then(|| slot.pool_table.view(state));
    for avoid_repeats in [true, false] {
        let mut repeating = false;
        for (k, &ei) in pool.iter().enumerate() {
            let ei = ei as usize;
            let en = &cat.entries[ei];
            let admitted = match &view {
                Some(v) => slot.pool_table.admits(v, k),
                None => state.admits(&en.tags, &en.blocks),
            };
            if !admitted || scratch.taken.contains(&ei) {
                continue;
            }
            if avoid_repeats
                && (scratch.used_words.repeats(en.words())
                    || crate::topics::meets(&scratch.frame, en.topics()))
            {
                repeating = true;
                continue;
            }
            if may_stay_empty && scratch.user_words.repeats(en.words())
                || slot.chance < 100 && crate::topics::meets(&scratch.user_topics, en.topics())
            {
                continue;
            }
            let mut w = u64::from(en.weight);
            if scratch.boosted.contains(&ei) {
                w *= ASSOCIATION_BOOST;
            }
            scratch.candidates.push(ei);
            scratch.weights.push(w);
        }
        // A slot that may be skipped says nothing rather than say something again ("under a
        // starry sky" is not followed by "Above, a huge, empty sky").
        if !scratch.candidates.is_empty() || !repeating || slot.chance < 100 {
            break;
        }
    }
}

/// On an axis the world left undecided, the values an entry names join the scene, so that no
/// later entry names another ("deep in the night" and "a setting sun" never meet).
fn hold_open_axes(state: &mut State, en: &crate::library::Entry, open: &TagSet) {
    if open.intersects(&en.filter_tags) {
        let mut held = en.filter_tags;
        held.intersect_with(open);
        state.tags.union_with(&held);
    }
}

/// The first slot that must be filled, is not pinned, and has no entry in its pool that
/// `state` admits (the world alone, before any slot is filled).
fn unfillable_slot(
    lib: &Library,
    t: &SceneTemplate,
    state: &State,
    fills: &[SlotFill],
    plan: &Plan,
) -> Option<usize> {
    let admitted = |s: &crate::library::Slot, pool: &[u32]| {
        pool.iter().any(|&e| {
            let en = &lib.categories[s.category].entries[e as usize];
            state.admits(&en.tags, &en.blocks)
        })
    };
    t.slots.iter().zip(fills).position(|(s, f)| {
        !f.pinned
            && s.chance >= 100
            && s.min > 0
            && !s.negative
            && !plan.leaves_to_user(s)
            && !s.pool_table.admits_any(&s.pool_table.view(state))
            && (s.require.is_empty() || !admitted(s, &s.relaxed_pool))
            && !axis_silent(lib, state, s)
    })
}

/// Whether a slot that every body can leave out writes an axis the world has no value of (no
/// time of day in a sealed cellar, no weather in deep space): then it is left empty, and the
/// world is not drawn again for it.
fn axis_silent(lib: &Library, state: &State, s: &crate::library::Slot) -> bool {
    s.guarded
        && lib
            .world
            .axes
            .iter()
            .any(|a| a.categories.contains(&s.category) && state.tags.contains(a.none))
}

/// Every entry of `slot`'s category that fits `state`, whatever the slot's filters and weights
/// (see [`fill_slots`]).
fn gather_wide(lib: &Library, state: &State, slot: &crate::library::Slot, scratch: &mut Scratch) {
    scratch.candidates.clear();
    scratch.weights.clear();
    for (ei, en) in lib.categories[slot.category].entries.iter().enumerate() {
        if state.admits(&en.tags, &en.blocks) && !scratch.taken.contains(&ei) {
            scratch.candidates.push(ei);
            scratch.weights.push(u64::from(en.weight));
        }
    }
}

/// The entries slot `slot` of template `template` may ever hold, judged without the rest of the
/// scene: weight above zero, admitted by the template's own tags, none of the slot's `exclude`
/// tags, and all of its `require` tags (relaxed to "any" when no entry has them, as [`build`]
/// does). In entry order. Used to enumerate a template's combination space.
pub fn slot_options(lib: &Library, template: usize, slot: usize) -> Vec<usize> {
    let t = &lib.templates[template];
    let s = &t.slots[slot];
    let mut state = State::default();
    state.add(&t.tags, &t.blocks);
    state.blocks.union_with(&t.world_blocks);
    let base = |require: bool| -> Vec<usize> {
        lib.categories[s.category]
            .entries
            .iter()
            .enumerate()
            .filter(|(_, en)| {
                en.weight > 0
                    && state.admits(&en.tags, &en.blocks)
                    && !en.filter_tags.intersects(&s.exclude)
                    && (!require || en.filter_tags.is_superset(&s.require))
            })
            .map(|(i, _)| i)
            .collect()
    };
    let strict = base(true);
    if strict.is_empty() && !s.require.is_empty() {
        base(false)
    } else {
        strict
    }
}

/// Builds a scene from explicit choices instead of random draws: `choices[i]` are the entry
/// indices (into slot `i`'s category) of slot `i`, empty for a skipped slot, and `body` is the
/// body variant. Returns `None` when the choices are not coherent: an entry conflicts with the
/// template or with an earlier choice, or one entry is chosen twice. [`build`] never produces an
/// incoherent scene, so neither does this.
pub fn build_from_choices(
    lib: &Library,
    template: usize,
    choices: &[Vec<usize>],
    body: usize,
    seed: u64,
    index: u64,
) -> Option<Scene> {
    let t = &lib.templates[template];
    if choices.len() != t.slots.len() || body >= t.bodies.len().max(1) {
        return None;
    }
    let mut state = State::default();
    state.add(&t.tags, &t.blocks);
    state.blocks.union_with(&t.world_blocks);
    let mut fills: Vec<SlotFill> = Vec::with_capacity(choices.len());
    for (s, picks) in t.slots.iter().zip(choices) {
        let cat = lib.categories.get(s.category)?;
        let mut fill = SlotFill::default();
        for &e in picks {
            let en = cat.entries.get(e)?;
            let p = Pick::Entry(s.category, e);
            if !state.admits(&en.tags, &en.blocks)
                || fill.picks.contains(&p)
                || fills.iter().any(|f| f.picks.contains(&p))
            {
                return None;
            }
            state.add(&en.tags, &en.blocks);
            fill.picks.push(p);
        }
        fills.push(fill);
    }
    // Random drawing fixes a world first: the choices must fit one.
    let world = lib.world.first_fit(&state, 0)?;
    let dynamic = expand_dynamic(lib, t, &fills, body, &description_key(""), seed, index);
    Some(Scene {
        template,
        body,
        seed,
        index,
        slots: fills,
        notes: Vec::new(),
        dynamic,
        world,
        quality: None,
        asked: std::sync::Arc::from(Vec::new()),
    })
}

fn span_text(plan: &Plan, sp: &Span) -> String {
    plan.description[plan.words[sp.first].start..plan.words[sp.last].end].to_string()
}

/// The text of a range of the description (empty for `None`).
fn span_of_description(plan: &Plan, range: Option<(usize, usize)>) -> String {
    range
        .map(|(a, b)| plan.description[a..b].to_string())
        .unwrap_or_default()
}

/// Words that lead into a light phrase ("lit only by", "illuminated by", "bathed in"): a
/// subject never ends on one.
const LIGHT_LEADS: &[&str] = &["lit", "only", "solely", "illuminated", "bathed", "lighted"];

/// Words that only qualify a light or a view typed as a tag after a comma ("soft morning
/// light", "neon lighting", "dramatic low angle shot"), folded as matching folds them.
const TAIL_WORDS: &[&str] = &[
    "soft", "softly", "harsh", "hard", "warm", "cool", "cold", "bright", "dim", "low", "high",
    "dramatic", "gentle", "moody", "natural", "subtle", "strong", "diffused", "diffuse",
    "lighting", "light", "lit", "glow", "glowing", "key", "ambient", "pale", "shot", "view",
    "angle", "photo", "tight", "extreme", "wide", "close", "up",
];

/// Words that lead into a view ("seen from above", "shot from below", "viewed up close"): a
/// view phrase that leaves the subject for its framing slot takes its lead with it, and a
/// subject never ends on one.
const VIEW_LEADS: &[&str] = &[
    "seen",
    "viewed",
    "shot",
    "photographed",
    "pictured",
    "captured",
    "filmed",
    "taken",
];

/// Where the subject stands in the description: the description without the phrases that
/// pinned entries show, trimmed of stop words left dangling at either end, as a byte range
/// (`None` when no word is left). Phrases in the middle stay, so the subject reads as written.
/// The scene that shows an idea the description opens with: when the subject slot's pinned
/// entry reads "the <idea> of <scene>" and its phrase is the description's first word (after an
/// article), `<scene>`. "Nostalgia for summers that are gone" is then written with "an old
/// seaside carousel with peeling painted horses", not left as a bare abstraction.
fn idea_shown(
    lib: &Library,
    plan: &Plan,
    pinned_spans: &[(usize, usize, bool)],
    ss: usize,
    picks: &[Pick],
) -> Option<String> {
    let Some(Pick::Entry(c, e)) = picks.first() else {
        return None;
    };
    let text = &lib.categories[*c].entries[*e].text;
    pinned_spans
        .iter()
        .filter(|&&(_, slot, _)| slot == ss)
        .map(|&(si, _, _)| &plan.spans[si])
        .find(|sp| sp.first == idea_opener(plan))
        .and_then(|sp| {
            let lead = format!("the {} of ", sp.folded.join(" "));
            let lower = text.to_lowercase();
            lower
                .starts_with(&lead)
                .then(|| text[lead.len()..].to_string())
        })
        .filter(|rest| !rest.is_empty())
}

/// How many words open a description before the idea it names: none ("nostalgia"), an
/// article ("the loneliness of…"), or "the feeling of", "a sense of" and their like ("the
/// feeling of hope after a long winter").
fn idea_opener(plan: &Plan) -> usize {
    let w: Vec<&str> = plan
        .words
        .iter()
        .take(4)
        .map(|w| w.folded.as_str())
        .collect();
    let article = |x: &str| matches!(x, "the" | "a" | "an");
    let frame = |x: &str| matches!(x, "feeling" | "sense" | "spirit" | "idea" | "concept");
    match w.as_slice() {
        [a, f, "of", ..] if article(a) && frame(f) => 3,
        [f, "of", ..] if frame(f) => 2,
        [a, ..] if article(a) => 1,
        _ => 0,
    }
}

fn subject_range(
    plan: &Plan,
    pinned: &[(usize, usize, bool)],
    removable: &[bool],
) -> Option<(usize, usize)> {
    let n = plan.words.len();
    if n == 0 {
        return None;
    }
    let mut gone = vec![false; n];
    let span_of = |w: usize| -> Option<usize> {
        pinned
            .iter()
            .zip(removable)
            .find(|((si, _, _), r)| **r && plan.spans[*si].first <= w && w <= plan.spans[*si].last)
            .map(|((si, _, _), _)| *si)
    };
    let is_stop = |w: usize| STOP_WORDS.contains(&plan.words[w].folded.as_str());
    // A phrase leaves the subject only where it stands apart: next to a stop word, another
    // removable phrase, or the end. "a chef in a busy kitchen" keeps "busy kitchen" whole
    // rather than leaving "a chef in a busy".
    let apart = |w: Option<usize>| match w {
        None => true,
        Some(w) => is_stop(w) || span_of(w).is_some(),
    };
    // From the left, a phrase leaves only where it introduces the subject ("watercolor of a
    // fox", "oil painting, a fox"): "a cyclist in a pine forest" keeps its cyclist.
    // A comma (or semicolon, colon) before word `w`: what follows is set apart ("a bowl of
    // ramen, overhead shot", "a wristwatch on marble, studio lighting").
    let comma_before = |w: usize| {
        w > 0
            && plan.description[plan.words[w - 1].end..plan.words[w].start]
                .contains([',', ';', ':'])
    };
    let is_view_lead = |w: usize| VIEW_LEADS.contains(&plan.words[w].folded.as_str());
    let introduces = |last: usize| {
        last + 1 >= n
            || plan.words[last + 1].folded == "of"
            || plan.description[plan.words[last].end..plan.words[last + 1].start]
                .contains([',', ':', ';'])
    };
    let mut lo = 0;
    while lo < n {
        if let Some(si) = span_of(lo) {
            let last = plan.spans[si].last;
            if !apart((last + 1 < n).then_some(last + 1)) || !introduces(last) {
                break;
            }
            for g in gone.iter_mut().take(last + 1).skip(lo) {
                *g = true;
            }
            lo = last + 1;
        } else if is_stop(lo)
            && ((lo > 0 && gone[lo - 1])
                || (lo + 1..n).any(|w| span_of(w).is_some() && (lo + 1..w).all(is_stop)))
        {
            gone[lo] = true;
            lo += 1;
        } else {
            break;
        }
    }
    // From the right. A tag-like tail after the last comma ("…, soft morning light", "…, neon
    // lighting", "…, low angle shot") goes whole when it holds a phrase that leaves and its
    // other words only qualify that phrase.
    let mut hi = n;
    // Once tags typed after a comma have gone, the phrase before them stays as typed: only
    // another tag set off by its own comma leaves ("a fairy castle on a cloud, low angle" keeps
    // its cloud).
    let mut after_tags = false;
    if let Some(tail) = (lo + 1..n).rev().find(|&w| comma_before(w)) {
        let mut holds = false;
        let only_qualifies = (tail..n).all(|w| {
            if span_of(w).is_some() {
                holds = true;
                true
            } else {
                is_stop(w) || TAIL_WORDS.contains(&plan.words[w].folded.as_str())
            }
        });
        if holds && only_qualifies {
            for g in gone.iter_mut().skip(tail) {
                *g = true;
            }
            hi = tail;
            after_tags = true;
        }
    }
    while hi > lo {
        let w = hi - 1;
        if let Some(si) = span_of(w) {
            let mut first = plan.spans[si].first;
            // "seen from above": the view's lead goes with it, and sets it apart.
            let led = first > lo + 1 && is_view_lead(first - 1) && !comma_before(first);
            if led {
                first -= 1;
            }
            if first < lo
                || (after_tags && !comma_before(first))
                || !(led || apart(first.checked_sub(1).filter(|p| *p >= lo)) || comma_before(first))
            {
                break;
            }
            for g in gone.iter_mut().take(w + 1).skip(first) {
                *g = true;
            }
            hi = first;
            after_tags |= comma_before(first);
        } else if !after_tags && is_stop(w) && gone.get(w + 1).copied().unwrap_or(false) {
            gone[w] = true;
            hi -= 1;
        } else {
            break;
        }
    }
    // A phrase taken off the end must not leave its verb or preposition hanging ("a field lit
    // only by the setting sun" is not "a field lit only", "three friends laughing around a
    // campfire" not "three friends laughing around"): the whole phrase stays in the subject.
    if hi < n
        && hi > lo
        && (LIGHT_LEADS.contains(&plan.words[hi - 1].folded.as_str())
            || is_view_lead(hi - 1)
            || text::is_preposition(&plan.words[hi - 1].folded))
    {
        hi = n;
    }
    if lo >= hi {
        return None;
    }
    // Keep the user's own characters between the first and last kept word, and at either end
    // of the description the symbols that are no words ("🦊 in 雪" keeps its fox).
    let d = &plan.description;
    let edge = |c: char| c.is_whitespace() || ".,;:!?\"'“”‘’".contains(c);
    let start = if lo == 0 {
        d.len() - d.trim_start_matches(edge).len()
    } else {
        plan.words[lo].start
    };
    let end = if hi == n {
        d.trim_end_matches(edge).len()
    } else {
        plan.words[hi - 1].end
    };
    Some((
        start.min(plan.words[lo].start),
        end.max(plan.words[hi - 1].end),
    ))
}
