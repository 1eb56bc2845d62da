//! Dialects write a scene as text for a family of image generators. A dialect changes only how
//! the scene is written, never which entries were chosen.

pub mod midjourney;
pub mod natural;
pub mod negative;
pub mod plain;
pub mod sd;
pub mod tag_text;

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::library::{Library, SceneTemplate};
use crate::scene::Scene;

/// A scene written out: the prompt and its negative prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub prompt: String,
    pub negative: String,
    /// Tokens the text encoder sees (sd/sdxl always; others when asked for).
    pub tokens: Option<u32>,
    /// Generator parameters that go with the prompt (aspect, size, model, …).
    pub params: Option<serde_json::Value>,
}

/// Every dialect name, as accepted by [`by_name`].
pub const NAMES: &[&str] = &["plain", "sd", "sdxl", "midjourney", "dalle", "flux"];

/// How a dialect is asked for: its options from the command line. Options a dialect does not use
/// are refused by [`by_name`] rather than silently ignored.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// sd/sdxl token budget (default [`sd::DEFAULT_MAX_TOKENS`]).
    pub max_tokens: Option<u32>,
    /// Midjourney parameters as `key=value` (validated by [`midjourney::Params::parse`]).
    pub mj: Vec<String>,
    /// dalle model (`dall-e-2`, `dall-e-3`, `gpt-image-1`): sets the character limit.
    pub model: Option<String>,
    /// Fail instead of dropping fragments or sentences to fit a limit.
    pub strict: bool,
    /// Count tokens in dialects that do not need them (plain, midjourney, dalle, flux).
    pub tokens: bool,
}

/// The dialect called `name`, set up for `lib` with `opts` (validated here: a bad option is a
/// [`Error::Usage`] naming the allowed values).
pub fn by_name(name: &str, lib: &Library, opts: &Options) -> Result<Box<dyn Dialect>> {
    let refuse = |what: &str, who: &str| {
        Err(Error::Usage(format!(
            "{what} applies only to {who}, not to --dialect {name}"
        )))
    };
    if opts.max_tokens.is_some() && !matches!(name, "sd" | "sdxl") {
        return refuse("--max-tokens", "--dialect sd or sdxl");
    }
    if !opts.mj.is_empty() && name != "midjourney" {
        return refuse("--mj", "--dialect midjourney");
    }
    if opts.model.is_some() && name != "dalle" {
        return refuse("--model", "--dialect dalle");
    }
    if opts.strict && !matches!(name, "sd" | "sdxl" | "dalle") {
        return refuse(
            "--strict",
            "--dialect sd, sdxl or dalle (the ones with a limit)",
        );
    }
    Ok(match name {
        "plain" => Box::new(natural::Natural::plain(opts)),
        "sd" => Box::new(sd::Sd::new(lib, sd::Family::Sd1, opts)?),
        "sdxl" => Box::new(sd::Sd::new(lib, sd::Family::Sdxl, opts)?),
        "midjourney" => Box::new(midjourney::Midjourney::new(lib, opts)?),
        "dalle" => Box::new(natural::Natural::dalle(opts)?),
        "flux" => Box::new(natural::Natural::flux(opts)),
        other => {
            return Err(Error::Usage(format!(
                "unknown dialect `{other}`{}",
                crate::error::did_you_mean(&crate::suggest::close_matches(
                    other,
                    NAMES.iter().copied()
                ))
            )));
        }
    })
}

/// What a slot says about the picture, for dialects that must shorten a prompt: a picture needs
/// its light, colour, mood, framing, medium, style and detail, where it is and what its subject
/// does, more than it needs a second word on any of them. Other slots (time, weather, season, a
/// scene's secondary details) are the scene's content, kept after every aspect has its say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    Light,
    Colour,
    Mood,
    Framing,
    Medium,
    Style,
    Detail,
    Place,
    Action,
}

/// The aspect a slot covers: `role: setting` is the place, `role: action` the action; else by
/// the slot's name as the built-in templates use them (`light`, `palette`, `mood`,
/// `composition`/`framing`/`camera`, `medium`/`shot`, `style`, `texture`/`detail`). Other
/// slots cover none.
pub fn aspect(slot: &crate::library::Slot) -> Option<Aspect> {
    if slot.setting {
        return Some(Aspect::Place);
    }
    if slot.action {
        return Some(Aspect::Action);
    }
    Some(match slot.name.as_str() {
        "light" | "glow" => Aspect::Light,
        "palette" => Aspect::Colour,
        "mood" => Aspect::Mood,
        "composition" | "framing" | "camera" => Aspect::Framing,
        "medium" | "shot" => Aspect::Medium,
        "style" => Aspect::Style,
        "texture" | "detail" => Aspect::Detail,
        _ => return None,
    })
}

/// A template's slots from most to least important: the subject first, then by `priority`
/// (higher first), ties in template order. Dialects that must shorten a prompt drop from the
/// end of this order.
pub fn importance_order(t: &SceneTemplate) -> Vec<usize> {
    let mut order: Vec<usize> = (0..t.slots.len()).collect();
    order.sort_by_key(|&i| {
        let s = &t.slots[i];
        (s.name != "subject", std::cmp::Reverse(s.priority), i)
    });
    order
}

/// The negative terms as tags, split at their own commas by the rule of [`tag_text`]
/// (`flat, lifeless lighting` is the one tag `flat lifeless lighting`, not the tag `flat`),
/// without repeats.
pub fn negative_pieces<'l>(lib: &'l Library, scene: &'l Scene) -> Vec<Cow<'l, str>> {
    let mut out: Vec<Cow<'l, str>> = Vec::new();
    let mut add = |piece: Cow<'l, str>| {
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&piece)) {
            out.push(piece);
        }
    };
    for term in negative_terms(lib, scene) {
        if term.contains(',') {
            tag_text::entry_tags(term).into_iter().for_each(&mut add);
        } else if !term.trim().is_empty() {
            add(Cow::Borrowed(term.trim()));
        }
    }
    out
}

/// The negative terms of a scene that fit its positive: [`negative_pieces`] without those the
/// positive shows word for word ([`exclude_shown`]) and without those it cancels by meaning
/// ([`negative::CANCELS`]). `positive` is every text of the positive prompt; `prompt_rows` and
/// `asked_rows` are the table rows ([`negative::rows_shown`]) that the positive and the part of
/// it the user asked for (the user's words and the pinned slots) show.
pub fn fitting_negative<'l>(
    lib: &'l Library,
    scene: &'l Scene,
    positive: &[&str],
    prompt_rows: negative::Rows,
    asked_rows: negative::Rows,
) -> Vec<Cow<'l, str>> {
    let mut pieces = negative_pieces(lib, scene);
    let mut extra: &[&'static str] = &[];
    if shows_monochrome(positive) {
        extra = COLOR_NEGATIVES;
    }
    for group in [
        extra,
        if handmade_medium(lib, scene, positive) {
            PHOTO_NEGATIVES
        } else {
            &[]
        },
    ] {
        for c in group {
            if !pieces.iter().any(|p| p.eq_ignore_ascii_case(c)) {
                pieces.push(Cow::Borrowed(c));
            }
        }
    }
    let mut out = without_twins(exclude_shown(pieces, positive));
    if (prompt_rows | asked_rows) != 0 {
        out.retain(|n| !negative::cancelled(n, prompt_rows, asked_rows));
    }
    out
}

/// The things the user's own words say no to ("a street with no cars": `cars`; see
/// [`tag_text::said_no`]), in order, without repeats. sd/sdxl write them into the negative
/// prompt instead of the positive, midjourney into `--no`: an image model reads "no cars" as
/// cars.
pub fn said_no_terms(lib: &Library, scene: &Scene) -> Vec<String> {
    let t = scene.template(lib);
    let mut out: Vec<String> = Vec::new();
    for (s, f) in t.slots.iter().zip(&scene.slots) {
        if s.negative {
            continue;
        }
        for p in &f.picks {
            if let crate::scene::Pick::User(u) = p {
                for tag in tag_text::user_tags(u) {
                    for thing in tag_text::said_no(&tag).map(|x| x.1).unwrap_or_default() {
                        if !out.iter().any(|o| o.eq_ignore_ascii_case(&thing)) {
                            out.push(thing);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Whether `text` shows `thing` (as whole words, or its singular: "a parked car" shows
/// `cars`).
pub fn shows_thing(text: &str, thing: &str) -> bool {
    contains_phrase(text, thing)
        || thing
            .strip_suffix('s')
            .is_some_and(|one| one.len() > 2 && contains_phrase(text, one))
}

/// Phrases that name a monochrome medium: a scene that shows one (as whole words) gets
/// [`COLOR_NEGATIVES`] in its negative prompt, unless the positive asks for colour.
pub const MONOCHROME: &[&str] = &[
    "black and white",
    "black-and-white",
    "b&w",
    "monochrome",
    "monochromatic",
    "grayscale",
    "greyscale",
    "noir",
    "sepia",
    "charcoal drawing",
    "charcoal sketch",
    "charcoal study",
    "in charcoal",
    "pencil sketch",
    "pencil drawing",
    "graphite",
    "ink drawing",
    "ink sketch",
    "pen and ink",
    "pen-and-ink",
    "ink wash",
    "sumi-e",
];

/// What a drawn, printed or painted medium excludes: a photograph and a render.
pub const PHOTO_NEGATIVES: &[&str] = &["photograph", "photorealistic", "3d render"];

/// Whether the scene is a painting or a drawing (its world's `medium`) and its positive names
/// that medium ([`negative::shows_handmade`]): the user's own "ukiyo-e print" or "isometric
/// pixel art" brings no medium entry of its own, yet must keep photographs and renders out as
/// a drawn medium entry does. A scene whose medium no text says gets nothing it did not ask for.
pub fn handmade_medium(lib: &Library, scene: &Scene, positive: &[&str]) -> bool {
    let world = &lib.world;
    let Some(ai) = world.axes.iter().position(|a| a.name == "medium") else {
        return false;
    };
    let Some(&v) = scene.world.get(ai) else {
        return false;
    };
    let family = match world.axes[ai].values.get(usize::from(v)) {
        Some(value) => value.name.as_str(),
        None => return false,
    };
    matches!(family, "painting" | "drawing") && positive.iter().any(|t| negative::shows_handmade(t))
}

/// What a monochrome medium excludes.
pub const COLOR_NEGATIVES: &[&str] = &["color", "colorful"];

/// Words that ask for some colour even beside a monochrome word ("a colored pencil drawing",
/// "a hand-tinted sepia print"): then no colour term goes into the negative.
const SOME_COLOR: &[&str] = &[
    "color",
    "colour",
    "colors",
    "colours",
    "colored",
    "coloured",
    "colorful",
    "colourful",
    "tinted",
    "hand-tinted",
    "watercolor",
    "watercolour",
    "pastel",
];

/// Whether any of `texts` names a monochrome medium ([`MONOCHROME`]) and none asks for colour.
pub fn shows_monochrome(texts: &[&str]) -> bool {
    texts
        .iter()
        .any(|t| MONOCHROME.iter().any(|m| contains_phrase(t, m)))
        && !texts
            .iter()
            .any(|t| SOME_COLOR.iter().any(|c| contains_phrase(t, c)))
}

/// The key two negative terms share when one says what the other does: lower-cased words,
/// British spellings and plurals folded, synonyms of distortion made one word, sorted
/// (`distorted perspective`, `warped perspective` and `perspective distortion` share one).
pub fn negative_key(term: &str) -> String {
    let mut words: Vec<String> =
        term.split(|c: char| c.is_whitespace() || c == '-' || c == ',')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let w = w.to_ascii_lowercase();
                let w = match w.as_str() {
                    "distorted" | "distortion" | "distortions" | "warped" | "warping"
                    | "skewed" => "distort".to_string(),
                    "colour" | "colours" | "colors" => "color".to_string(),
                    "colourful" => "colorful".to_string(),
                    "grey" => "gray".to_string(),
                    "greyscale" => "grayscale".to_string(),
                    _ => w,
                };
                match w.strip_suffix('s') {
                    Some(stem) if stem.len() > 3 && !stem.ends_with('s') => stem.to_string(),
                    _ => w,
                }
            })
            .filter(|w| !matches!(w.as_str(), "a" | "an" | "the"))
            .collect();
    words.sort();
    words.dedup();
    words.join(" ")
}

/// `terms` without near-twins: a term whose [`negative_key`] an earlier term has goes.
pub fn without_twins<T: AsRef<str>>(terms: Vec<T>) -> Vec<T> {
    let mut seen: Vec<String> = Vec::new();
    terms
        .into_iter()
        .filter(|t| {
            let k = negative_key(t.as_ref());
            if seen.contains(&k) {
                false
            } else {
                seen.push(k);
                true
            }
        })
        .collect()
}

/// The aspect (`W:H`) a scene asks for by its framing words, or `None` to keep the template's.
/// The pinned slots (what the user asked for) decide first, then every positive text: wide
/// words (widescreen, panoramic, cinematic) give a wide frame, tall ones (vertical, portrait
/// orientation, full-length) a tall frame, a square format 1:1. Words of two kinds at the same
/// level decide nothing there.
pub fn scene_aspect(lib: &Library, scene: &Scene) -> Option<&'static str> {
    let t = scene.template(lib);
    let mut asked: Vec<&str> = Vec::new();
    let mut all: Vec<&str> = Vec::new();
    for (si, (s, f)) in t.slots.iter().zip(&scene.slots).enumerate() {
        if s.negative {
            continue;
        }
        for k in 0..f.picks.len() {
            let text = scene.text(lib, si, k);
            all.push(text);
            if f.pinned {
                asked.push(text);
            }
        }
    }
    framing_aspect(&asked).or_else(|| framing_aspect(&all))
}

/// Framing phrases and the aspect each asks for; see [`scene_aspect`].
const FRAMING: &[(&str, &str)] = &[
    ("panoramic", "21:9"),
    ("panorama", "21:9"),
    ("letterbox", "21:9"),
    ("letterboxed", "21:9"),
    ("widescreen", "16:9"),
    ("wide-screen", "16:9"),
    ("cinematic shot", "16:9"),
    ("cinematic composition", "16:9"),
    ("cinematic widescreen", "16:9"),
    ("cinematic frame", "16:9"),
    ("cinematic still", "16:9"),
    ("cinematic scene", "16:9"),
    ("film still", "16:9"),
    ("landscape orientation", "3:2"),
    ("landscape format", "3:2"),
    ("vertical composition", "2:3"),
    ("vertical frame", "2:3"),
    ("vertical format", "2:3"),
    ("vertical shot", "2:3"),
    ("portrait orientation", "2:3"),
    ("portrait format", "2:3"),
    ("tall frame", "2:3"),
    ("tall composition", "2:3"),
    ("full-length", "2:3"),
    ("full length", "2:3"),
    ("full-body", "2:3"),
    ("full body", "2:3"),
    ("full figure", "2:3"),
    ("square format", "1:1"),
    ("square portrait", "1:1"),
    ("square, centred", "1:1"),
    ("square, centered", "1:1"),
    ("square frame", "1:1"),
    ("square composition", "1:1"),
    ("square, balanced composition", "1:1"),
    ("square crop", "1:1"),
];

/// A word every phrase of [`FRAMING`] contains (a test holds it).
const FRAMING_WORDS: &[&str] = &[
    "panoram",
    "letterbox",
    "wide",
    "cinematic",
    "film",
    "landscape",
    "vertical",
    "portrait",
    "tall",
    "full",
    "square",
];

/// Searchers for [`FRAMING_WORDS`] and for the phrases of [`FRAMING`], built once: every record
/// asks for its aspect, and building a searcher costs more than most of its searches.
struct FramingFinders {
    words: Vec<memchr::memmem::Finder<'static>>,
    phrases: Vec<memchr::memmem::Finder<'static>>,
}

static FRAMING_FINDERS: std::sync::LazyLock<FramingFinders> =
    std::sync::LazyLock::new(|| FramingFinders {
        words: FRAMING_WORDS
            .iter()
            .map(memchr::memmem::Finder::new)
            .collect(),
        phrases: FRAMING
            .iter()
            .map(|(p, _)| memchr::memmem::Finder::new(p))
            .collect(),
    });

fn framing_aspect(texts: &[&str]) -> Option<&'static str> {
    thread_local! {
        static LOW: std::cell::RefCell<String> = std::cell::RefCell::default();
    }
    let finders = &*FRAMING_FINDERS;
    let mut found: Option<&'static str> = None;
    let kind = |a: &str| match a {
        "1:1" => 0,
        "2:3" => 1,
        _ => 2,
    };
    LOW.with_borrow_mut(|low| {
        for text in texts {
            // Most texts name no frame at all: one lower-casing and a few substring tests rule
            // them out before the phrase-by-phrase search (every record asks for its aspect).
            low.clear();
            low.push_str(text);
            low.make_ascii_lowercase();
            if !finders
                .words
                .iter()
                .any(|w| w.find(low.as_bytes()).is_some())
            {
                continue;
            }
            for (&(_, aspect), finder) in FRAMING.iter().zip(&finders.phrases) {
                if shows_found(low.as_bytes(), finder) {
                    match found {
                        None => found = Some(aspect),
                        Some(f) if kind(f) != kind(aspect) => return None,
                        // The widest of one kind: "a cinematic panorama" is 21:9.
                        Some(f) if f == "16:9" && aspect == "21:9" => found = Some(aspect),
                        Some(_) => {}
                    }
                }
            }
        }
        found
    })
}

/// Per library entry, the rows of [`negative::CANCELS`] its text shows, counted once when a
/// dialect is built.
#[derive(Debug, Clone)]
pub struct RowsCache {
    lib_hash: String,
    rows: Vec<Vec<negative::Rows>>,
}

impl RowsCache {
    pub fn new(lib: &Library) -> RowsCache {
        RowsCache {
            lib_hash: lib.hash().to_string(),
            rows: lib
                .categories
                .iter()
                .map(|c| {
                    c.entries
                        .iter()
                        .map(|e| negative::rows_shown(&e.text))
                        .collect()
                })
                .collect(),
        }
    }

    /// The rows that the scene's positive slots show, and those its pinned slots (what the user
    /// asked for) show. The template's own wording ("the colours run to …") asks for nothing.
    pub fn scene_rows(&self, lib: &Library, scene: &Scene) -> (negative::Rows, negative::Rows) {
        let cached = self.lib_hash == lib.hash();
        let t = scene.template(lib);
        let (mut prompt, mut asked) = (0, 0);
        for (si, (s, f)) in t.slots.iter().zip(&scene.slots).enumerate() {
            if s.negative {
                continue;
            }
            for (k, p) in f.picks.iter().enumerate() {
                let rows = match p {
                    crate::scene::Pick::Entry(c, e) if cached && !scene.is_dynamic(si, k) => {
                        self.rows[*c][*e]
                    }
                    _ => negative::rows_shown(scene.text(lib, si, k)),
                };
                prompt |= rows;
                if f.pinned {
                    asked |= rows;
                }
            }
        }
        (prompt, asked)
    }
}

/// Whether `phrase` occurs in `text` as whole words, ignoring ASCII case.
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    shows_lower(&text.to_ascii_lowercase(), &phrase.to_ascii_lowercase())
}

/// [`contains_phrase`] on text and phrase already in ASCII lower case.
fn shows_lower(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    shows_found(text.as_bytes(), &memchr::memmem::Finder::new(phrase))
}

/// [`shows_lower`] with the phrase's searcher already built (the phrase is not empty).
fn shows_found(t: &[u8], finder: &memchr::memmem::Finder) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let p = finder.needle();
    let (first_word, last_word) = (word(p[0]), word(p[p.len() - 1]));
    finder.find_iter(t).any(|i| {
        let end = i + p.len();
        (i == 0 || !first_word || !word(t[i - 1]))
            && (end == t.len() || !last_word || !word(t[end]))
    })
}

/// Negative terms without those the positive text shows: a negative term must never fight
/// what the prompt asks for.
pub fn exclude_shown<T: AsRef<str>>(terms: Vec<T>, positive: &[&str]) -> Vec<T> {
    // One lower-cased haystack; `\n` never occurs in a term, so no match spans two texts.
    let mut hay = String::with_capacity(positive.iter().map(|p| p.len() + 1).sum());
    for p in positive {
        hay.push_str(p);
        hay.push('\n');
    }
    hay.make_ascii_lowercase();
    let mut lower = String::new();
    terms
        .into_iter()
        .filter(|n| {
            lower.clear();
            lower.push_str(n.as_ref());
            lower.make_ascii_lowercase();
            !shows_lower(&hay, &lower)
        })
        .collect()
}

/// Writes scenes as text.
pub trait Dialect: Send + Sync {
    /// The name used on the command line and in records.
    fn name(&self) -> &'static str;
    /// Writes one scene. Only the wording depends on the dialect, never the chosen entries.
    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written>;
    /// Writes the prompt (and its token count) of one scene; the negative prompt may be left
    /// empty. What text output needs: the prose dialects skip assembling a negative prompt
    /// nobody reads. The prompt is always the one [`Dialect::write`] writes.
    fn write_prompt(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        self.write(lib, scene)
    }
    /// Appends the prompt of [`Dialect::write_prompt`] to `out` (a batch's text line buffer).
    fn write_prompt_into(&self, lib: &Library, scene: &Scene, out: &mut String) -> Result<()> {
        out.push_str(&self.write_prompt(lib, scene)?.prompt);
        Ok(())
    }
    /// The aspect (`W:H`) the record gives for a scene: the one the scene's framing words ask
    /// for ([`scene_aspect`]), else the template's. A record never says 16:9 beside a square
    /// 512×512 size or a `--ar 1:1`: every dialect sizes its picture from this same aspect.
    fn aspect(&self, lib: &Library, scene: &Scene) -> String {
        scene_aspect(lib, scene)
            .map(str::to_string)
            .unwrap_or_else(|| scene.template(lib).aspect.clone())
    }
}

/// The negative-prompt terms of a scene: the template's defaults, then the terms carried by the
/// chosen entries, without repeats, in that order.
pub fn negative_terms<'l>(lib: &'l Library, scene: &'l Scene) -> Vec<&'l str> {
    let t = scene.template(lib);
    let mut out: Vec<&str> = Vec::new();
    let slot_terms = t
        .slots
        .iter()
        .zip(&scene.slots)
        .enumerate()
        .filter(|(_, (s, _))| s.negative)
        .flat_map(|(si, (_, f))| (0..f.picks.len()).map(move |k| scene.text(lib, si, k)));
    let entry_terms = scene.entries().flat_map(|(c, e)| {
        lib.categories[c].entries[e]
            .negative
            .iter()
            .map(String::as_str)
    });
    for term in t
        .negative
        .iter()
        .map(String::as_str)
        .chain(slot_terms)
        .chain(entry_terms)
    {
        if !out.iter().any(|x| x.eq_ignore_ascii_case(term)) {
            out.push(term);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_framing_phrase_holds_a_framing_word() {
        for &(phrase, _) in super::FRAMING {
            assert_eq!(phrase, phrase.to_ascii_lowercase());
            assert!(
                super::FRAMING_WORDS.iter().any(|w| phrase.contains(w)),
                "{phrase}"
            );
        }
    }

    use super::*;

    /// The oracle of [`framing_aspect`]: every text lower-cased, every phrase searched anew.
    fn framing_aspect_simple(texts: &[&str]) -> Option<&'static str> {
        let kind = |a: &str| match a {
            "1:1" => 0,
            "2:3" => 1,
            _ => 2,
        };
        let mut found: Option<&'static str> = None;
        for text in texts {
            for &(phrase, aspect) in FRAMING {
                if contains_phrase(text, phrase) {
                    match found {
                        None => found = Some(aspect),
                        Some(f) if kind(f) != kind(aspect) => return None,
                        Some(f) if f == "16:9" && aspect == "21:9" => found = Some(aspect),
                        Some(_) => {}
                    }
                }
            }
        }
        found
    }

    /// The searchers built once answer as the plain search, on every built-in entry alone, on
    /// neighbouring entries together, and on texts made of framing phrases.
    #[test]
    fn framing_aspect_matches_the_plain_search() {
        let lib = Library::builtin().unwrap();
        let texts: Vec<&str> = lib
            .categories
            .iter()
            .flat_map(|c| c.entries.iter().map(|e| e.text.as_str()))
            .collect();
        let mut framed = 0;
        for w in texts.windows(3) {
            for t in [&w[..1], w] {
                let a = framing_aspect(t);
                assert_eq!(a, framing_aspect_simple(t), "{t:?}");
                framed += usize::from(a.is_some());
            }
        }
        assert!(framed > 0);
        let phrases: Vec<String> = FRAMING
            .iter()
            .map(|(p, _)| format!("A {}, X", p.to_uppercase()))
            .collect();
        for w in phrases.windows(2) {
            let t: Vec<&str> = w.iter().map(String::as_str).collect();
            assert_eq!(framing_aspect(&t), framing_aspect_simple(&t), "{t:?}");
            assert_eq!(framing_aspect(&t[..1]), framing_aspect_simple(&t[..1]));
            assert!(framing_aspect(&t[..1]).is_some(), "{t:?}");
        }
    }

    /// `write_prompt` is a shortcut, never a different text.
    #[test]
    fn write_prompt_writes_the_same_prompt() {
        use crate::scene::{Plan, build};
        let lib = Library::builtin().unwrap();
        let plan = Plan::new(&lib, "", None).unwrap();
        for name in NAMES {
            let d = by_name(name, &lib, &Options::default()).unwrap();
            for i in 0..200 {
                let scene = build(&lib, &plan, 5, i, false);
                let full = d.write(&lib, &scene).unwrap();
                let short = d.write_prompt(&lib, &scene).unwrap();
                assert_eq!(full.prompt, short.prompt, "{name} {i}");
                let mut line = String::from("kept ");
                d.write_prompt_into(&lib, &scene, &mut line).unwrap();
                assert_eq!(line, format!("kept {}", full.prompt), "{name} {i}");
                assert_eq!(full.tokens, short.tokens, "{name} {i}");
            }
        }
    }

    #[test]
    fn framing_words_choose_the_aspect() {
        assert_eq!(
            framing_aspect(&["a cinematic widescreen composition"]),
            Some("16:9")
        );
        assert_eq!(framing_aspect(&["a sweeping panoramic view"]), Some("21:9"));
        assert_eq!(
            framing_aspect(&["a vertical composition that emphasises height"]),
            Some("2:3")
        );
        assert_eq!(
            framing_aspect(&["a full-length portrait taking in the whole figure"]),
            Some("2:3")
        );
        assert_eq!(
            framing_aspect(&["a square, balanced composition"]),
            Some("1:1")
        );
        // A square portrait is square whatever the portrait template's 4:5 says.
        for square in [
            "a square, centred portrait with direct eye contact",
            "a square, centered portrait",
        ] {
            assert_eq!(framing_aspect(&[square]), Some("1:1"), "{square}");
        }
        // A town square is no square format; cinematic light is no widescreen frame.
        assert_eq!(framing_aspect(&["the town square at noon"]), None);
        assert_eq!(framing_aspect(&["moody cinematic lighting"]), None);
        // Two kinds at once decide nothing.
        assert_eq!(
            framing_aspect(&["a vertical composition", "a widescreen film still"]),
            None
        );
    }

    #[test]
    fn near_twin_negatives_are_one() {
        assert_eq!(
            negative_key("distorted perspective"),
            negative_key("warped perspective")
        );
        assert_eq!(
            negative_key("perspective distortion"),
            negative_key("distorted perspective")
        );
        assert_eq!(negative_key("colours"), negative_key("color"));
        assert_ne!(
            negative_key("warped walls"),
            negative_key("distorted perspective")
        );
        assert_eq!(
            without_twins(vec![
                "blurry",
                "distorted perspective",
                "text",
                "warped perspective",
                "warped walls",
            ]),
            vec!["blurry", "distorted perspective", "text", "warped walls"]
        );
    }

    #[test]
    fn monochrome_media_are_seen() {
        assert!(shows_monochrome(&["(black and white portrait:1.2)"]));
        assert!(shows_monochrome(&["a B&W street photo"]));
        assert!(shows_monochrome(&["a soft pencil sketch"]));
        assert!(shows_monochrome(&["sepia-toned"]));
        assert!(!shows_monochrome(&["a charcoal grey coat", "whiteboard"]));
        assert!(!shows_monochrome(&["a colored pencil drawing"]));
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("Soft Painting light", "painting"));
        assert!(contains_phrase("a painting", "A Painting"));
        assert!(!contains_phrase("paintings", "painting"));
        assert!(!contains_phrase("watercolor", "color"));
        assert!(contains_phrase("3d render, x", "3d render"));
        assert!(contains_phrase("f/1.4 (wide)", "(wide)"));
        assert!(!contains_phrase("", "x"));
        assert_eq!(
            exclude_shown(
                vec!["painting", "blurry", "text"],
                &["oil painting", "texture"]
            ),
            vec!["blurry", "text"]
        );
    }
}
