//! Stable Diffusion (A1111, Forge, ComfyUI): comma-separated tags, `(term:1.15)` emphasis, a
//! negative prompt, and an exact CLIP token budget.
//!
//! Tags are the scene's slot texts in importance order (subject first, see
//! [`super::importance_order`]), each text cut into tags without inner commas by the rule of
//! [`super::tag_text`] (`warm, low-raking sunlight` is the one tag `warm low-raking sunlight`;
//! `at dusk, as the sky fades` is two). The tags of one pick are kept or dropped together: when
//! the prompt needs more tokens than the budget, the user's words are kept first, then the most
//! important tag of each aspect of the picture the scene has ([`super::aspect`]), then the rest
//! in importance order, each while it fits; the subject is never dropped. Token counts are what
//! A1111's encoder sees after emphasis parsing, computed from per-tag counts cached when the
//! dialect is built: CLIP pre-tokens never cross
//! white space, so a prompt's count is the sum of its tags' counts (see [`Cost`]), which `tests`
//! check against full parsing and tokenizing.
//!
//! Emphasis goes to what the user asked for. When the description pinned any slot (the user's
//! own subject words, or an entry a phrase of the description named), every pinned pick is
//! written with at least [`ASKED_EMPHASIS`] and nothing else is raised: drawn filler keeps only
//! a library de-emphasis (below 1). Of a pinned entry only the key is raised: its first tag,
//! cut to its key phrase when long ([`super::tag_text::key_phrase`]: `(a deep sofa:1.2),
//! heaped with cushions`), never a time phrase's tail; a scenery slot's pick (a detail the
//! named place brings) is not raised at all. Without a description, the library's `emphasis` is written
//! as authored.
//!
//! The negative prompt holds the scene's negative terms as tags, without any that the kept
//! tags show or ask for by meaning (see [`super::fitting_negative`] and
//! [`super::negative::CANCELS`]).

use serde_json::json;

use std::borrow::Cow;

use super::negative::{Rows, rows_shown};
use super::tag_text::{entry_tags, key_phrase, said_no, user_tags};
use super::{
    Aspect, Dialect, Options, Written, aspect, fitting_negative, importance_order, said_no_terms,
    shows_thing,
};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::scene::{Pick, Scene};
use crate::tokens::{ClipTokenizer, TokenCounter};

/// 75 content tokens: one CLIP chunk of 77 without its start and end markers.
pub const DEFAULT_MAX_TOKENS: u32 = 75;

/// The quality tag a prompt ends with when the user typed no rating tags of their own.
pub const DEFAULT_QUALITY: &str = "highly detailed";

/// The least emphasis, in hundredths, of what the user asked for (`(…:1.2)`).
pub const ASKED_EMPHASIS: u32 = 120;

/// Which model family: the syntax is the same, the suggested image size differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// SD 1.x/2.x: sizes around 512×512.
    Sd1,
    /// SDXL: its training buckets around 1024×1024.
    Sdxl,
}

/// Sizes (width, height) each family was trained on or handles well; the closest aspect wins.
const SD1_SIZES: &[(u32, u32)] = &[
    (512, 512),
    (576, 448),
    (448, 576),
    (576, 384),
    (384, 576),
    (640, 384),
    (384, 640),
    (704, 384),
    (384, 704),
    (768, 320),
    (320, 768),
];
const SDXL_SIZES: &[(u32, u32)] = &[
    (1024, 1024),
    (1152, 896),
    (896, 1152),
    (1216, 832),
    (832, 1216),
    (1344, 768),
    (768, 1344),
    (1536, 640),
    (640, 1536),
];

/// What a fragment costs in tokens: alone (`alone`) and with a comma glued to its last word
/// (`comma`), as when a plain tag is followed by `, `. An emphasised tag ends its own A1111 run,
/// so the comma after it is a run of its own: `alone + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub alone: u32,
    pub comma: u32,
}

impl Cost {
    pub fn of(counter: &dyn TokenCounter, text: &str) -> Cost {
        Cost {
            alone: counter.count(text),
            comma: counter.count(&format!("{text},")),
        }
    }
}

/// The tags of one pick, escaped, and what they cost written plain (`a, b`) and emphasised
/// (`(a:w), (b:w)`).
#[derive(Debug, Clone)]
struct Tags<'a> {
    tags: Vec<Cow<'a, str>>,
    plain: Cost,
    emphasised: Cost,
    /// The rows of [`super::negative::CANCELS`] whose words the text shows.
    rows: Rows,
}

impl<'a> Tags<'a> {
    /// `tags` are those of `text`, unescaped; `comma` is the cost of `,` alone.
    fn new(
        counter: &dyn TokenCounter,
        text: &str,
        tags: Vec<Cow<'a, str>>,
        comma: u32,
    ) -> Tags<'a> {
        let costs: Vec<Cost> = tags.iter().map(|t| Cost::of(counter, t)).collect();
        let n = costs.len() as u32;
        let with_commas: u32 = costs.iter().map(|c| c.comma).sum();
        let alone: u32 = costs.iter().map(|c| c.alone).sum();
        // Plain: every tag but the last has its comma glued on. Emphasised: each tag is a run
        // of its own and so is each `, ` between them.
        let plain_alone = costs.last().map_or(0, |c| with_commas - c.comma + c.alone);
        let emphasised_alone = alone + n.saturating_sub(1) * comma;
        Tags {
            tags: tags
                .into_iter()
                .map(|t| {
                    let escaped = match escape(&t) {
                        Cow::Owned(e) => Some(e),
                        Cow::Borrowed(_) => None,
                    };
                    escaped.map_or(t, Cow::Owned)
                })
                .collect(),
            plain: Cost {
                alone: plain_alone,
                comma: with_commas,
            },
            emphasised: Cost {
                alone: emphasised_alone,
                comma: emphasised_alone + comma,
            },
            rows: rows_shown(text),
        }
    }

    fn borrowed(&self) -> Tags<'_> {
        Tags {
            tags: self
                .tags
                .iter()
                .map(|t| Cow::Borrowed(t.as_ref()))
                .collect(),
            plain: self.plain,
            emphasised: self.emphasised,
            rows: self.rows,
        }
    }
}

/// The sd and sdxl dialects.
pub struct Sd {
    family: Family,
    max_tokens: u32,
    strict: bool,
    counter: &'static dyn TokenCounter,
    /// Per category, per entry; valid for the library whose hash is `lib_hash`.
    cache: Vec<Vec<Tags<'static>>>,
    lib_hash: String,
    /// Per template: slot indices in importance order.
    orders: Vec<Vec<usize>>,
    /// Per template: the image size for its aspect.
    sizes: Vec<(u32, u32)>,
    /// Tokens of `,` on its own.
    comma: u32,
}

impl std::fmt::Debug for Sd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sd")
            .field("family", &self.family)
            .field("max_tokens", &self.max_tokens)
            .finish()
    }
}

/// One pick on its way into the prompt: one or more tags.
struct Fragment<'a> {
    raw: &'a str,
    tags: Tags<'a>,
    emphasis: Option<u32>,
    /// The cost as written: `tags.plain` or `tags.emphasised`.
    cost: Cost,
    /// From a pinned slot: what the user asked for.
    asked: bool,
    /// What the slot says about the picture ([`super::aspect`]).
    aspect: Option<Aspect>,
}

impl Sd {
    /// Builds the dialect for a library: counts every entry's tokens once.
    pub fn new(lib: &Library, family: Family, opts: &Options) -> Result<Sd> {
        Sd::with_counter(lib, family, opts, ClipTokenizer::shared())
    }

    pub fn with_counter(
        lib: &Library,
        family: Family,
        opts: &Options,
        counter: &'static dyn TokenCounter,
    ) -> Result<Sd> {
        let max_tokens = opts.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
        if max_tokens == 0 {
            return Err(Error::Usage("--max-tokens must be at least 1".into()));
        }
        let comma = counter.count(",");
        let cache = lib
            .categories
            .iter()
            .map(|c| {
                c.entries
                    .iter()
                    .map(|e| {
                        let owned = entry_tags(&e.text)
                            .into_iter()
                            .map(|t| Cow::Owned(t.into_owned()))
                            .collect();
                        Tags::new(counter, &e.text, owned, comma)
                    })
                    .collect()
            })
            .collect();
        Ok(Sd {
            family,
            max_tokens,
            strict: opts.strict,
            counter,
            cache,
            lib_hash: lib.hash().to_string(),
            orders: lib.templates.iter().map(importance_order).collect(),
            sizes: lib
                .templates
                .iter()
                .map(|t| family_size(family, &t.aspect))
                .collect(),
            comma,
        })
    }

    /// The scene's tags in importance order, without repeats.
    fn fragments<'a>(&'a self, lib: &'a Library, scene: &'a Scene) -> Vec<Fragment<'a>> {
        let t = scene.template(lib);
        let cached = self.lib_hash == lib.hash();
        let fallback;
        let order: &[usize] = if cached {
            &self.orders[scene.template]
        } else {
            fallback = importance_order(t);
            &fallback
        };
        // Whether the user asked for anything: then emphasis is theirs alone.
        let asked_any = t
            .slots
            .iter()
            .zip(&scene.slots)
            .any(|(s, f)| !s.negative && f.pinned && !f.picks.is_empty());
        let mut out: Vec<Fragment<'a>> = Vec::with_capacity(16);
        for &si in order {
            let slot = &t.slots[si];
            if slot.negative {
                continue;
            }
            let pinned = scene.slots[si].pinned;
            // A scenery slot furnishes the place the user named ("a city street" brings
            // "traffic lights changing over an empty crossing"): a detail, never weighted like
            // the subject, even when the user's word pinned it.
            let weighted = pinned && slot.scenery.is_none();
            let aspect = aspect(slot);
            for (k, p) in scene.slots[si].picks.iter().enumerate() {
                let raw = scene.text(lib, si, k);
                if raw.is_empty() || out.iter().any(|f| f.raw.eq_ignore_ascii_case(raw)) {
                    continue;
                }
                let (tags, library) = match p {
                    // A dynamic entry is counted as expanded: its cached tags would be those of
                    // its source text.
                    Pick::Entry(c, e) if cached && lib.categories[*c].dynamic(*e).is_none() => (
                        self.cache[*c][*e].borrowed(),
                        lib.categories[*c].entries[*e].emphasis.or(slot.emphasis),
                    ),
                    Pick::Entry(c, e) => (
                        Tags::new(self.counter, raw, entry_tags(raw), self.comma),
                        lib.categories[*c].entries[*e].emphasis.or(slot.emphasis),
                    ),
                    // What the user says no to goes to the negative prompt, not here.
                    Pick::User(u) => (
                        Tags::new(self.counter, u, without_said_no(user_tags(u)), self.comma),
                        slot.emphasis,
                    ),
                };
                if tags.tags.is_empty() {
                    continue;
                }
                // An entry the user pinned: emphasis goes to the words the user typed and
                // the key phrase they stand in, not to a time phrase's tail ("as the day draws
                // to a close") or the long rest of a detail ("heaped with cushions in front of
                // the fireplace").
                if asked_any && weighted && matches!(p, Pick::Entry(..)) {
                    let runs = asked_runs(&tags.tags, &scene.asked);
                    if runs.len() > 1 || runs.first().is_some_and(|r| !r.1) {
                        for (run, raised) in runs {
                            let run = Tags::new(self.counter, raw, run, self.comma);
                            let emphasis = if raised {
                                Some(library.unwrap_or(100).max(ASKED_EMPHASIS))
                            } else {
                                library.filter(|&w| w < 100)
                            };
                            out.push(Fragment {
                                raw,
                                cost: if emphasis.is_some() {
                                    run.emphasised
                                } else {
                                    run.plain
                                },
                                tags: run,
                                emphasis,
                                asked: true,
                                aspect,
                            });
                        }
                        continue;
                    }
                }
                let emphasis = if !asked_any {
                    library
                } else if weighted {
                    Some(library.unwrap_or(100).max(ASKED_EMPHASIS))
                } else {
                    library.filter(|&w| w < 100)
                };
                let emphasis = emphasis.filter(|&w| w != 100);
                let cost = if emphasis.is_some() {
                    tags.emphasised
                } else {
                    tags.plain
                };
                out.push(Fragment {
                    raw,
                    tags,
                    emphasis,
                    cost,
                    asked: pinned,
                    aspect,
                });
            }
        }
        // What the user asked for stays with the subject: "portrait of a young violinist"
        // reads `(young violinist:1.2), (a half-length portrait:1.2), …`, never with the
        // portrait trailing after the light and the palette. The subject's own runs stay
        // first, then every pick with a raised run, in importance order, then the rest.
        let head = out.first().map_or(0, |first| {
            out.iter().take_while(|f| f.raw == first.raw).count()
        });
        let raised: Vec<&str> = out[head..]
            .iter()
            .filter(|f| f.asked && f.emphasis.is_some_and(|w| w >= ASKED_EMPHASIS))
            .map(|f| f.raw)
            .collect();
        out[head..].sort_by_key(|f| !raised.contains(&f.raw));
        // Without rating tags of the user's own, the prompt ends with the one quality tag
        // Stable Diffusion users write almost everywhere; it is the first thing a tight budget
        // drops, and a scene tag that already says "detail" stands in for it (see
        // `drop_doubles`, which keeps the earlier of two tags sharing a word).
        if scene.quality.is_none() {
            let tags = Tags::new(
                self.counter,
                DEFAULT_QUALITY,
                vec![Cow::Borrowed(DEFAULT_QUALITY)],
                self.comma,
            );
            let cost = tags.plain;
            out.push(Fragment {
                raw: DEFAULT_QUALITY,
                tags,
                emphasis: None,
                cost,
                asked: false,
                aspect: None,
            });
        }
        // The user's rating tags ("masterpiece, best quality") come right after the subject,
        // so they are the last thing a tight budget drops.
        if let Some(q) = &scene.quality {
            let tags = Tags::new(self.counter, q, user_tags(q), self.comma);
            if !tags.tags.is_empty() {
                let cost = tags.plain;
                out.insert(
                    head,
                    Fragment {
                        raw: q,
                        tags,
                        emphasis: None,
                        cost,
                        asked: true,
                        aspect: None,
                    },
                );
            }
        }
        out
    }

    fn size(&self, lib: &Library, scene: &Scene) -> (u32, u32) {
        if let Some(aspect) = super::scene_aspect(lib, scene) {
            family_size(self.family, aspect)
        } else if self.lib_hash == lib.hash() {
            self.sizes[scene.template]
        } else {
            family_size(self.family, &scene.template(lib).aspect)
        }
    }
}

fn family_size(family: Family, aspect: &str) -> (u32, u32) {
    let sizes = match family {
        Family::Sd1 => SD1_SIZES,
        Family::Sdxl => SDXL_SIZES,
    };
    closest_size(aspect, sizes)
}

impl Dialect for Sd {
    fn name(&self) -> &'static str {
        match self.family {
            Family::Sd1 => "sd",
            Family::Sdxl => "sdxl",
        }
    }

    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        let said_no = said_no_terms(lib, scene);
        let mut frags = self.fragments(lib, scene);
        // No tag but the subject shows what the user said no to: "a street with no cars" gets
        // no "lines of parked cars", even when the word "cars" named that entry.
        if !said_no.is_empty() {
            let mut first = true;
            frags.retain(|f| {
                let subject = std::mem::take(&mut first);
                subject
                    || !f
                        .tags
                        .tags
                        .iter()
                        .any(|t| said_no.iter().any(|n| shows_thing(t, n)))
            });
        }
        drop_doubles(&mut frags);
        let keep = choose(&frags, self.max_tokens);
        // The default quality tag is ours, not the scene's: leaving it out drops nothing.
        let dropped = frags
            .iter()
            .zip(&keep)
            .filter(|(f, k)| !**k && !std::ptr::eq(f.raw, DEFAULT_QUALITY))
            .count();
        if self.strict && dropped > 0 {
            return Err(Error::Usage(format!(
                "the prompt needs {} tokens, over the budget of {} (--strict forbids dropping tags; \
                 raise --max-tokens or drop --strict)",
                tokens_of(&frags, &vec![true; frags.len()]),
                self.max_tokens
            )));
        }
        let tokens = tokens_of(&frags, &keep);
        if self.strict && tokens > self.max_tokens {
            return Err(Error::Usage(format!(
                "the subject alone needs {tokens} tokens, over the budget of {}",
                self.max_tokens
            )));
        }
        let kept: Vec<&Fragment> = frags
            .iter()
            .zip(&keep)
            .filter_map(|(f, k)| k.then_some(f))
            .collect();
        let mut prompt = String::with_capacity(256);
        for tag_and_weight in kept
            .iter()
            .flat_map(|f| f.tags.tags.iter().map(|t| (t, f.emphasis)))
        {
            if !prompt.is_empty() {
                prompt.push_str(", ");
            }
            match tag_and_weight {
                (tag, Some(w)) => {
                    prompt.push('(');
                    prompt.push_str(tag);
                    prompt.push(':');
                    push_weight(&mut prompt, w);
                    prompt.push(')');
                }
                (tag, None) => prompt.push_str(tag),
            }
        }
        let shown: Vec<&str> = kept.iter().map(|f| f.raw).collect();
        let prompt_rows = kept.iter().fold(0, |rows, f| rows | f.tags.rows);
        let asked_rows = kept
            .iter()
            .filter(|f| f.asked)
            .fold(0, |rows, f| rows | f.tags.rows);
        // Never one the kept tags show (a subject entry can).
        let mut negative_list: Vec<Cow<'_, str>> = said_no
            .iter()
            .filter(|n| {
                !kept
                    .iter()
                    .any(|f| f.tags.tags.iter().any(|t| shows_thing(t, n)))
            })
            .map(|n| Cow::Borrowed(n.as_str()))
            .collect();
        for n in fitting_negative(lib, scene, &shown, prompt_rows, asked_rows) {
            if !negative_list.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
                negative_list.push(n);
            }
        }
        let mut negative = String::with_capacity(128);
        for (i, n) in negative_list.iter().enumerate() {
            if i > 0 {
                negative.push_str(", ");
            }
            negative.push_str(&escape(n));
        }
        let (width, height) = self.size(lib, scene);
        Ok(Written {
            prompt,
            negative,
            tokens: Some(tokens),
            params: Some(json!({
                "max_tokens": self.max_tokens,
                "dropped": dropped,
                "width": width,
                "height": height,
            })),
        })
    }
}

/// Words too common across a prompt's parts to make two tags say the same thing.
const COMMON: &[&str] = &[
    "about", "above", "across", "against", "along", "around", "behind", "below", "beneath",
    "beside", "between", "beyond", "every", "light", "lighting", "little", "their", "there",
    "these", "those", "through", "under", "where", "which", "while", "with", "within", "without",
];

/// The content words of a tag text: lower case, five letters or more, not [`COMMON`].
fn content_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 5 && !COMMON.contains(&w.as_str()))
        .collect()
}

/// Whether two words are one word in two forms: `photoreal` and `photorealistic`, `texture`
/// and `textures`, `detail` and `detailed` (a shared start of six letters or more that covers
/// most of the shorter word).
fn same_word(a: &str, b: &str) -> bool {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let shorter = a.len().min(b.len());
    common >= 6 && common * 4 >= shorter * 3
}

/// Drops a drawn tag that says again what a more important one says: `photoreal 3D render`
/// then `with photorealistic precision`, `cool blues and silvery grays` then `in cool blues`.
/// A fragment goes when at least half its content words (and at least one) are forms of
/// words an earlier fragment of another pick already shows; the subject and what the user
/// asked for always stay.
fn drop_doubles(frags: &mut Vec<Fragment<'_>>) {
    let mut seen: Vec<(&str, Vec<String>)> = Vec::with_capacity(frags.len());
    let mut keep = vec![true; frags.len()];
    for (i, f) in frags.iter().enumerate() {
        let words: Vec<String> = f.tags.tags.iter().flat_map(|t| content_words(t)).collect();
        if i > 0 && !f.asked && !words.is_empty() {
            let doubled = words
                .iter()
                .filter(|w| {
                    seen.iter()
                        .filter(|(raw, _)| *raw != f.raw)
                        .any(|(_, ws)| ws.iter().any(|s| same_word(s, w)))
                })
                .count();
            if doubled * 2 >= words.len() {
                keep[i] = false;
                continue;
            }
        }
        seen.push((f.raw, words));
    }
    let mut k = keep.into_iter();
    frags.retain(|_| k.next().unwrap_or(true));
}

/// The user's tags without what they say no to: `a beach with no people` → `a beach`, `no
/// cars` → nothing (see [`said_no`]).
fn without_said_no(tags: Vec<Cow<'_, str>>) -> Vec<Cow<'_, str>> {
    tags.into_iter()
        .filter_map(|t| match said_no(&t) {
            None => Some(t),
            Some((kept, _)) if kept.is_empty() => None,
            Some((kept, _)) => Some(Cow::Owned(kept)),
        })
        .collect()
}

/// Tokens of the kept fragments joined with `, ` in their order: each with its trailing comma,
/// but the last alone.
fn tokens_of(frags: &[Fragment], keep: &[bool]) -> u32 {
    let mut total = 0u32;
    let mut last: Option<Cost> = None;
    for (f, _) in frags.iter().zip(keep).filter(|(_, k)| **k) {
        total += f.cost.comma;
        last = Some(f.cost);
    }
    last.map_or(0, |c| total - c.comma + c.alone)
}

/// Which fragments (in importance order) a prompt of `max` tokens keeps. The subject always;
/// then, each while it fits, what the user asked for; then the most important tag of each
/// [`Aspect`] the scene has that nothing kept covers yet (a lower one of the same aspect when
/// the first does not fit); then the rest in importance order. So a tight budget drops a second
/// word on the light or a secondary detail of the scene before it leaves the picture without
/// any framing, mood or texture.
fn choose(frags: &[Fragment], max: u32) -> Vec<bool> {
    let mut keep = vec![false; frags.len()];
    if frags.is_empty() {
        return keep;
    }
    keep[0] = true;
    let try_keep = |keep: &mut Vec<bool>, i: usize| {
        keep[i] = true;
        if tokens_of(frags, keep) > max {
            keep[i] = false;
        }
        keep[i]
    };
    for (i, f) in frags.iter().enumerate().skip(1) {
        if f.asked {
            try_keep(&mut keep, i);
        }
    }
    let mut covered: Vec<Aspect> = frags
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .filter_map(|(f, _)| f.aspect)
        .collect();
    for (i, f) in frags.iter().enumerate().skip(1) {
        if let Some(a) = f.aspect
            && !keep[i]
            && !covered.contains(&a)
            && try_keep(&mut keep, i)
        {
            covered.push(a);
        }
    }
    for i in 1..frags.len() {
        if !keep[i] {
            try_keep(&mut keep, i);
        }
    }
    keep
}

/// The tags of a pinned entry in runs, each raised (`true`) or written plain, unescaped.
///
/// A tag that shows words the user typed (`asked`, folded) is raised from its start to the end
/// of its key phrase ([`key_phrase`]) or of the last such word, whichever is later; its rest and
/// the tags that show none stay plain. A user who asked for "a knight fighting a dragon" gets
/// `(knight on horseback fighting a dragon:1.2), through a torrent of fire`, not the knight
/// alone; "a wolf howling at the moon" gets `throwing its head back, (howling at the
/// moon:1.2)`; "in a tropical rainforest" gets `(deep in a tropical rainforest:1.2)`, never a
/// bare `(deep:1.2)` split off the user's words. When no tag shows the user's words (an alias
/// named the entry: "sunset" → "the sun just touching the horizon"), the first tag's key phrase is
/// raised.
fn asked_runs<'a>(tags: &[Cow<'_, str>], asked: &[String]) -> Vec<(Vec<Cow<'a, str>>, bool)> {
    let unescape = |t: &str| {
        let mut out = String::with_capacity(t.len());
        let mut chars = t.chars();
        while let Some(c) = chars.next() {
            out.push(if c == '\\' {
                chars.next().unwrap_or(c)
            } else {
                c
            });
        }
        out
    };
    let tags: Vec<String> = tags.iter().map(|t| unescape(t)).collect();
    let shown_end = |t: &str| {
        crate::matching::words(t)
            .into_iter()
            .filter(|w| asked.contains(&w.folded))
            .map(|w| w.end)
            .max()
    };
    let ends: Vec<Option<usize>> = tags.iter().map(|t| shown_end(t)).collect();
    let any_shown = ends.iter().any(Option::is_some);
    let mut pieces: Vec<(String, bool)> = Vec::with_capacity(tags.len() + 1);
    for (i, (t, end)) in tags.iter().zip(&ends).enumerate() {
        if (any_shown && end.is_none()) || (!any_shown && i > 0) {
            pieces.push((t.clone(), false));
            continue;
        }
        let key_end = key_phrase(t).map_or(t.len(), |(k, _)| k.len());
        let cut = key_end.max(end.unwrap_or(0));
        match t[cut..].trim() {
            "" => pieces.push((t.clone(), true)),
            // A rest that cannot stand as a tag of its own ("twice his size", "rolling in",
            // "to show an airy crumb") stays raised with the words it qualifies.
            rest if !opens_a_tag(rest) => pieces.push((t.clone(), true)),
            rest => {
                pieces.push((t[..cut].trim_end().to_string(), true));
                pieces.push((rest.to_string(), false));
            }
        }
    }
    let mut runs: Vec<(Vec<Cow<'a, str>>, bool)> = Vec::new();
    for (piece, raised) in pieces {
        match runs.last_mut() {
            Some((run, r)) if *r == raised => run.push(Cow::Owned(piece)),
            _ => runs.push((vec![Cow::Owned(piece)], raised)),
        }
    }
    runs
}

/// Words that open a phrase able to stand as a tag after the raised part of a pinned entry:
/// where or when it is, and what goes with it ("through a torrent of fire", "as the day draws
/// to a close"), or a participle with what it acts on ("plunging into a green pool"). Not an
/// infinitive, a bare participle ("rolling in") or a measure, which lean on the words before.
const TAG_OPENERS: &[&str] = &[
    "above", "across", "against", "along", "amid", "among", "around", "as", "at", "before",
    "behind", "below", "beneath", "beside", "between", "beyond", "by", "from", "in", "into",
    "near", "on", "over", "past", "through", "toward", "towards", "under", "when", "where",
    "while", "with", "within",
];

fn opens_a_tag(rest: &str) -> bool {
    let words = crate::matching::words(rest);
    words.first().is_some_and(|w| {
        let w = w.folded.as_str();
        TAG_OPENERS.contains(&w)
            || (w.len() > 4 && (w.ends_with("ing") || w.ends_with("ed")) && words.len() >= 3)
    })
}

/// Writes emphasis from integer hundredths: 115 → `1.15`, 120 → `1.2`, 200 → `2`.
pub fn push_weight(out: &mut String, hundredths: u32) {
    use std::fmt::Write;
    let (int, frac) = (hundredths / 100, hundredths % 100);
    let _ = match (frac, frac % 10) {
        (0, _) => write!(out, "{int}"),
        (_, 0) => write!(out, "{int}.{}", frac / 10),
        _ => write!(out, "{int}.{frac:02}"),
    };
}

/// Entry text made literal for A1111: `( ) [ ] \` escaped with a backslash, and the control
/// words `AND` (composable diffusion) and `BREAK` (new chunk) lower-cased, which CLIP reads the
/// same.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let special = |c: char| matches!(c, '(' | ')' | '[' | ']' | '\\');
    let control = text.contains("AND") || text.contains("BREAK");
    if !text.contains(special) && !control {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if special(c) {
            out.push('\\');
        }
        out.push(c);
    }
    if control {
        out = out
            .split(' ')
            .map(|w| match w {
                "AND" => "and",
                "BREAK" => "break",
                w => w,
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    std::borrow::Cow::Owned(out)
}

/// The size from `sizes` whose aspect is closest to `aspect` (`W:H`), compared exactly in
/// integers; ties go to the earlier size.
pub fn closest_size(aspect: &str, sizes: &[(u32, u32)]) -> (u32, u32) {
    let (aw, ah) = aspect
        .split_once(':')
        .and_then(|(w, h)| Some((w.parse::<u64>().ok()?, h.parse::<u64>().ok()?)))
        .filter(|(w, h)| *w > 0 && *h > 0)
        .unwrap_or((1, 1));
    // |w/h - aw/ah| = |w·ah - h·aw| / (h·ah); compare d1/(h1) against d2/(h2) by cross-multiplying.
    let mut best = sizes[0];
    for &(w, h) in &sizes[1..] {
        let d = (u64::from(w) * ah).abs_diff(u64::from(h) * aw);
        let db = (u64::from(best.0) * ah).abs_diff(u64::from(best.1) * aw);
        if u128::from(d) * u128::from(best.1) < u128::from(db) * u128::from(h) {
            best = (w, h);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{SourceFile, SourceKind};
    use crate::scene::{self, Plan};
    use crate::tokens::count_sd;

    #[test]
    fn one_word_in_two_forms() {
        assert!(same_word("photoreal", "photorealistic"));
        assert!(same_word("texture", "textures"));
        assert!(same_word("detail", "detailed"));
        assert!(!same_word("painting", "painted"));
        assert!(!same_word("soft", "softbox"));
        assert!(!same_word("mountain", "mounted"));
        assert_eq!(
            content_words("with photorealistic precision, in the light"),
            ["photorealistic", "precision"]
        );
    }

    /// A drawn tag that says again what an earlier one says goes; the user's words never do.
    #[test]
    fn doubled_tags_are_dropped() {
        let counter = ClipTokenizer::shared();
        let frag = |raw: &'static str, asked: bool| {
            let tags = Tags::new(counter, raw, entry_tags(raw), 1);
            Fragment {
                raw,
                cost: tags.plain,
                tags,
                emphasis: None,
                asked,
                aspect: None,
            }
        };
        let texts =
            |f: &[Fragment<'static>]| f.iter().map(|f| f.raw).collect::<Vec<&'static str>>();
        let mut frags = vec![
            frag("a classic wristwatch", true),
            frag("photoreal 3D render", false),
            frag("soft even studio lighting", false),
            frag("with photorealistic precision", false),
            frag("fine brushed-metal texture catching the light", false),
            frag("with intricate, detailed textures", false),
        ];
        drop_doubles(&mut frags);
        assert_eq!(
            texts(&frags),
            [
                "a classic wristwatch",
                "photoreal 3D render",
                "soft even studio lighting",
                "fine brushed-metal texture catching the light",
                "with intricate, detailed textures",
            ]
        );
        // Asked for: kept even when it repeats.
        let mut frags = vec![
            frag("photorealistic portrait", true),
            frag("photoreal style", true),
        ];
        drop_doubles(&mut frags);
        assert_eq!(frags.len(), 2);
    }

    /// What the user asked for follows the subject, before any drawn filler.
    #[test]
    fn asked_words_stay_with_the_subject() {
        let lib = test_library();
        let plan = Plan::new(&lib, "lighthouse, golden light", None).unwrap();
        for seed in 0..20 {
            let s = scene::build(&lib, &plan, seed, 0, false);
            let w = sd(&lib, 75).write(&lib, &s).unwrap();
            assert!(
                w.prompt.starts_with("(lighthouse:1.2), (golden light:1.2)"),
                "{}",
                w.prompt
            );
        }
    }

    pub(crate) fn test_library() -> Library {
        let vocab = r#"
tags:
  photo: [painting]
categories:
  thing:
    entries:
      - text: red fox (vulpes vulpes)
        emphasis: 115
      - lighthouse
      - text: old [wooden] boat AND net
        emphasis: 90
  light:
    entries:
      - text: golden light
        negative: [harsh light]
      - soft light
  medium:
    entries:
      - text: photograph
        tags: [photo]
        negative: [painting, illustration, golden light]
      - text: watercolor painting
        tags: [painting]
        negative: [photo, photorealistic]
  detail:
    entries: [waves, rocks, gulls, foam on the sand, driftwood, "it's a long way: far off, isn't it?"]
"#;
        let template = r#"
name: scene
aspect: "16:9"
negative: [blurry, watermark]
slots:
  subject: { category: thing }
  light: { category: light, emphasis: 120 }
  detail: { category: detail, count: 1-4 }
  medium: { category: medium, priority: 90 }
bodies:
  - "{{ medium | a | cap }} of {{ subject_a }}, {{ light }}, with {{ detail }}."
"#;
        Library::from_sources(vec![
            SourceFile::new("v.yaml", SourceKind::Vocab, vocab),
            SourceFile::new("t.yaml", SourceKind::Template, template),
        ])
        .unwrap()
    }

    fn sd(lib: &Library, max: u32) -> Sd {
        Sd::new(
            lib,
            Family::Sd1,
            &Options {
                max_tokens: Some(max),
                ..Options::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn weights_are_written_from_integers() {
        let w = |h| {
            let mut s = String::new();
            push_weight(&mut s, h);
            s
        };
        assert_eq!(w(115), "1.15");
        assert_eq!(w(120), "1.2");
        assert_eq!(w(105), "1.05");
        assert_eq!(w(90), "0.9");
        assert_eq!(w(200), "2");
        assert_eq!(w(125), "1.25");
    }

    #[test]
    fn escapes_brackets_and_control_words() {
        assert_eq!(escape("a (b) [c] d\\e"), "a \\(b\\) \\[c\\] d\\\\e");
        assert_eq!(escape("rock AND roll BREAK"), "rock and roll break");
        assert_eq!(escape("ANDROID"), "ANDROID");
    }

    #[test]
    fn sizes_follow_the_aspect() {
        assert_eq!(closest_size("16:9", SDXL_SIZES), (1344, 768));
        assert_eq!(closest_size("1:1", SDXL_SIZES), (1024, 1024));
        assert_eq!(closest_size("2:3", SDXL_SIZES), (832, 1216));
        assert_eq!(closest_size("16:9", SD1_SIZES), (704, 384));
        assert_eq!(closest_size("nonsense", SD1_SIZES), (512, 512));
    }

    /// The cached fragment arithmetic equals parsing and tokenizing the written prompt, for
    /// every budget, over many scenes.
    #[test]
    fn cached_counts_equal_full_parsing() {
        let lib = test_library();
        let plan = Plan::new(&lib, "", None).unwrap();
        let user = Plan::new(&lib, "(odd) user words: AND more", None).unwrap();
        let clip = ClipTokenizer::shared();
        for max in [1, 5, 12, 20, 75] {
            let d = sd(&lib, max);
            for i in 0..150 {
                let p = if i % 3 == 0 { &user } else { &plan };
                let s = scene::build(&lib, p, 11, i, false);
                let w = d.write(&lib, &s).unwrap();
                assert_eq!(w.tokens, Some(count_sd(clip, &w.prompt)), "{}", w.prompt);
                let frags = d.fragments(&lib, &s);
                if frags.len() > 1 && frags[0].cost.alone <= max {
                    assert!(w.tokens.unwrap() <= max, "{}", w.prompt);
                }
            }
        }
    }

    #[test]
    fn emphasis_and_negative_come_from_the_library() {
        let lib = test_library();
        let d = sd(&lib, 75);
        let plan = Plan::new(&lib, "", None).unwrap();
        let mut saw_photo = false;
        let mut saw_watercolor = false;
        for i in 0..200 {
            let s = scene::build(&lib, &plan, 3, i, false);
            let w = d.write(&lib, &s).unwrap();
            if w.prompt.contains("red fox") {
                assert!(w.prompt.starts_with("(red fox \\(vulpes vulpes\\):1.15)"));
            }
            assert!(w.prompt.contains("light:1.2)"), "{}", w.prompt);
            if w.prompt.contains("photograph") {
                saw_photo = true;
                assert!(w.negative.contains("painting"), "{}", w.negative);
                // Never in both: golden light is asked for, so it is not negated.
                if w.prompt.contains("golden light") {
                    assert!(!w.negative.contains("golden light"), "{}", w.negative);
                }
            }
            if w.prompt.contains("watercolor") {
                saw_watercolor = true;
                assert!(w.negative.contains("photorealistic"), "{}", w.negative);
                assert!(!w.negative.contains("painting"), "{}", w.negative);
            }
            assert!(w.negative.starts_with("blurry, watermark"));
        }
        assert!(saw_photo && saw_watercolor);
    }

    #[test]
    fn subject_first_and_priority_before_template_order() {
        let lib = test_library();
        let d = sd(&lib, 75);
        let s = scene::build(
            &lib,
            &Plan::new(&lib, "lighthouse", None).unwrap(),
            1,
            0,
            false,
        );
        let w = d.write(&lib, &s).unwrap();
        assert!(w.prompt.starts_with("(lighthouse:1.2), "), "{}", w.prompt);
        // medium (priority 90) comes right after the subject.
        let second = w.prompt.split(", ").nth(1).unwrap();
        assert!(
            second == "photograph" || second == "watercolor painting",
            "{}",
            w.prompt
        );
    }

    /// With a description, emphasis is the user's alone: the light slot's 1.2 goes, the user's
    /// subject gets it. An entry the description names is pinned and emphasised too.
    #[test]
    fn emphasis_goes_to_what_the_user_asked_for() {
        let lib = test_library();
        let d = sd(&lib, 75);
        for (desc, asked) in [
            ("lighthouse", &["(lighthouse:1.2)"][..]),
            (
                "lighthouse, soft light",
                &["(lighthouse:1.2)", "(soft light:1.2)"],
            ),
        ] {
            let plan = Plan::new(&lib, desc, None).unwrap();
            for i in 0..50 {
                let w = d
                    .write(&lib, &scene::build(&lib, &plan, 2, i, false))
                    .unwrap();
                for a in asked {
                    assert!(w.prompt.contains(a), "{desc}: {}", w.prompt);
                }
                let emphasised = w.prompt.matches(":1.").count();
                assert_eq!(emphasised, asked.len(), "{desc}: {}", w.prompt);
            }
        }
    }

    #[test]
    fn bad_emphasis_and_priority_are_located_errors() {
        let lib_with = |entry: &str, slot: &str| {
            Library::from_sources(vec![
                SourceFile::new(
                    "v.yaml",
                    SourceKind::Vocab,
                    format!("categories:\n  thing:\n    entries:\n      - text: fox\n{entry}"),
                ),
                SourceFile::new(
                    "t.yaml",
                    SourceKind::Template,
                    format!(
                        "name: t\nslots:\n  subject: {{ category: thing{slot} }}\nbodies: [\"{{{{ subject }}}}\"]\n"
                    ),
                ),
            ])
        };
        assert!(lib_with("        emphasis: 115\n", ", emphasis: 90, priority: 7").is_ok());
        let e = lib_with("        emphasis: 1.15\n", "")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("v.yaml:5:") && e.contains("hundredths"),
            "{e}"
        );
        let e = lib_with("        emphasis: 400\n", "")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("v.yaml:4:") && e.contains("10 to 300"), "{e}");
        let e = lib_with("", ", priority: 101").unwrap_err().to_string();
        assert!(
            e.starts_with("t.yaml:3:") && e.contains("priority 101"),
            "{e}"
        );
        let e = lib_with("", ", emphasis: 0").unwrap_err().to_string();
        assert!(e.contains("emphasis 0 is out of range"), "{e}");
    }

    /// A tight budget covers every aspect of the picture (light, framing, texture) before it
    /// spends tokens on the scene's secondary content (the weather), and writes what it keeps in
    /// importance order.
    #[test]
    fn a_tight_budget_covers_every_aspect_first() {
        let vocab = r#"
categories:
  thing: { entries: [lighthouse] }
  time: { entries: [in the long golden afternoon as the shadows stretch across the valley floor] }
  weather: { entries: [a warm wind rolling over the hills and far away across the fields of hay] }
  light: { entries: [soft light] }
  framing: { entries: [wide shot] }
  texture: { entries: [weathered wood] }
"#;
        let template = r#"
name: scene
slots:
  subject: { category: thing }
  time: { category: time, priority: 75 }
  weather: { category: weather, priority: 70 }
  light: { category: light, priority: 72 }
  composition: { category: framing, priority: 40 }
  texture: { category: texture, priority: 35 }
bodies: ["{{ subject }} {{ time }} {{ weather }} {{ light }} {{ composition }} {{ texture }}"]
"#;
        let lib = Library::from_sources(vec![
            SourceFile::new("v.yaml", SourceKind::Vocab, vocab),
            SourceFile::new("t.yaml", SourceKind::Template, template),
        ])
        .unwrap();
        let expected = "lighthouse, in the long golden afternoon as the shadows stretch across \
                        the valley floor, soft light, wide shot, weathered wood";
        let max = count_sd(ClipTokenizer::shared(), expected);
        let s = scene::build(&lib, &Plan::new(&lib, "", None).unwrap(), 1, 0, false);
        let w = sd(&lib, max).write(&lib, &s).unwrap();
        assert_eq!(w.prompt, expected);
        assert_eq!(w.tokens, Some(max));
        assert_eq!(w.params.unwrap()["dropped"], 1);
        // With room for everything, nothing is dropped and the order stays; the default
        // quality tag comes last.
        let w = sd(&lib, 75).write(&lib, &s).unwrap();
        assert!(
            w.prompt.contains("floor, soft light, a warm wind"),
            "{}",
            w.prompt
        );
        assert!(
            w.prompt
                .ends_with("fields of hay, wide shot, weathered wood, highly detailed"),
            "{}",
            w.prompt
        );
    }

    /// Emphasis on an entry the user pinned reaches the last word of its first tag that the user
    /// typed: never a bare modifier split off the user's words, never one of two subjects alone.
    #[test]
    fn emphasis_reaches_every_word_the_user_typed() {
        let asked = |d: &str| -> Vec<String> {
            crate::matching::words(d)
                .into_iter()
                .map(|w| w.folded)
                .filter(|w| !crate::matching::STOP_WORDS.contains(&w.as_str()))
                .collect()
        };
        // Each tag as `(text)` when raised.
        let split = |text: &str, desc: &str| {
            asked_runs(&entry_tags(text), &asked(desc))
                .into_iter()
                .flat_map(|(run, raised)| {
                    run.into_iter().map(move |t| {
                        if raised {
                            format!("({t})")
                        } else {
                            t.into_owned()
                        }
                    })
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert_eq!(
            split(
                "knight on horseback fighting a dragon through a torrent of fire",
                "a knight fighting a dragon"
            ),
            "(knight on horseback fighting a dragon), through a torrent of fire"
        );
        assert_eq!(
            split(
                "deep in a tropical rainforest",
                "waterfall in a tropical rainforest"
            ),
            "(deep in a tropical rainforest)"
        );
        // The user's words in a later tag: that tag is raised, the first is not.
        assert_eq!(
            split(
                "throwing its head back, howling at the moon",
                "a wolf howling at the moon"
            ),
            "throwing its head back, (howling at the moon)"
        );
        // Plurals and case fold: "Dragons" is "dragon".
        assert_eq!(
            split(
                "a knight facing two dragons across a burning field",
                "Knights and Dragons"
            ),
            "(a knight facing two dragons), across a burning field"
        );
        // Words the key already holds: the key phrase.
        assert_eq!(
            split("tall waterfall plunging into a green pool", "waterfall"),
            "(tall waterfall), plunging into a green pool"
        );
        // No tag shows the user's words (an alias named the entry): the first tag's key.
        assert_eq!(
            split("at sunset, the sun just touching the horizon", "sundown"),
            "(at sunset), the sun just touching the horizon"
        );
        assert_eq!(
            split("a deep sofa heaped with cushions", ""),
            "(a deep sofa), heaped with cushions"
        );
        // A rest that leans on the raised words stays with them: no "twice his size" or
        // "rolling in" left as a tag of its own.
        assert_eq!(
            split(
                "lone knight fighting a dragon twice his size",
                "a knight fighting a dragon"
            ),
            "(lone knight fighting a dragon twice his size)"
        );
        assert_eq!(
            split(
                "a thunderstorm rolling in",
                "a harbor during a thunderstorm"
            ),
            "(a thunderstorm rolling in)"
        );
        assert_eq!(
            split(
                "loaf of sourdough bread cut open to show an airy open crumb",
                "a loaf of sourdough bread"
            ),
            "(loaf of sourdough bread cut open to show an airy open crumb)"
        );
    }

    /// What the user says no to is in the negative prompt first and in no positive tag, even an
    /// entry its word named.
    #[test]
    fn said_no_goes_to_the_negative_prompt() {
        let lib = test_library();
        let d = sd(&lib, 75);
        let plan = Plan::new(&lib, "lighthouse with no gulls", None).unwrap();
        for i in 0..30 {
            let w = d
                .write(&lib, &scene::build(&lib, &plan, 2, i, false))
                .unwrap();
            assert!(w.prompt.starts_with("(lighthouse:1.2)"), "{}", w.prompt);
            assert!(!w.prompt.contains("gull"), "{}", w.prompt);
            assert!(
                !w.prompt
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|x| x == "no"),
                "{}",
                w.prompt
            );
            assert!(w.negative.starts_with("gulls, "), "{}", w.negative);
        }
    }

    #[test]
    fn a_prompt_ends_with_the_default_quality_tag_unless_the_user_rated_it() {
        let lib = test_library();
        let d = sd(&lib, 75);
        let s = scene::build(&lib, &Plan::new(&lib, "", None).unwrap(), 1, 0, false);
        let w = d.write(&lib, &s).unwrap();
        assert!(w.prompt.ends_with(", highly detailed"), "{}", w.prompt);
        let rated = Plan::new(&lib, "a fox, masterpiece, best quality", None).unwrap();
        let s = scene::build(&lib, &rated, 1, 0, false);
        let w = d.write(&lib, &s).unwrap();
        assert!(w.prompt.contains("best quality"), "{}", w.prompt);
        assert!(!w.prompt.contains("highly detailed"), "{}", w.prompt);
        // A budget with no room for it leaves it out, and that is no dropped tag.
        let all = d
            .write(
                &lib,
                &scene::build(&lib, &Plan::new(&lib, "", None).unwrap(), 1, 0, false),
            )
            .unwrap();
        let tight = sd(&lib, all.tokens.unwrap() - 1);
        let w = tight
            .write(
                &lib,
                &scene::build(&lib, &Plan::new(&lib, "", None).unwrap(), 1, 0, false),
            )
            .unwrap();
        assert!(!w.prompt.contains("highly detailed"), "{}", w.prompt);
        assert_eq!(w.params.unwrap()["dropped"], 0);
    }

    #[test]
    fn strict_refuses_to_drop() {
        let lib = test_library();
        let d = Sd::new(
            &lib,
            Family::Sdxl,
            &Options {
                max_tokens: Some(3),
                strict: true,
                ..Options::default()
            },
        )
        .unwrap();
        let s = scene::build(&lib, &Plan::new(&lib, "", None).unwrap(), 1, 0, false);
        let e = d.write(&lib, &s).unwrap_err();
        assert!(e.to_string().contains("--strict"), "{e}");
    }
}
