//! Midjourney: descriptive prose followed by parameters, `text --ar 16:9 --v 7 --no a, b`.
//!
//! Parameters go last and start with `--`, so `--` and the multi-prompt separator `::` are
//! broken up in the text, and trailing punctuation is dropped before the parameters. `--ar`
//! comes from the scene's framing words ([`super::scene_aspect`]) or else the template's aspect, `--no` from the negative terms; the rest is set with
//! `--mj key=value` and validated here against Midjourney's ranges.
//!
//! # What goes into `--no`
//!
//! `--no x` is Midjourney's `x::-0.5`: it steers away from things that could be in the picture.
//! So `--no` holds the scene's negative terms (as tags, see [`super::tag_text`]) that name
//! something visual to leave out — `text`, `watermark`, `logo`, `frame border`, `cars`,
//! `people`, `painting`, `3d render`, `color` — and drops:
//!
//! - terms the prose shows, or its slots ask for by meaning ([`super::fitting_negative`]: no
//!   `--no photograph` under a photo, no `--no text` under the user's "sign reading OPEN");
//! - Stable Diffusion's quality and anatomy terms, listed in [`SD_ONLY`]: `low quality`, `worst
//!   quality`, `jpeg artifacts`, `extra limbs`, `bad anatomy`, `deformed`, `cross-eyed`,
//!   `distorted perspective`, `overexposed`… They counter that model's failure modes; to
//!   Midjourney they are words to weight down, which does nothing useful or pulls the image
//!   somewhere odd. A term is dropped when it contains a listed phrase as whole words.
//! - `blurry` and `out of focus` too (a judgement call): Midjourney renders in focus unless
//!   asked, and weighting "blur" down fights the depth of field or motion the prose may ask for.

use serde_json::{Map, Value};

use super::negative::PhraseIndex;
use super::plain::Plain;
use super::{Dialect, Options, RowsCache, Written, fitting_negative};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::scene::Scene;
use crate::tokens::{ClipTokenizer, TokenCounter};

/// Model versions `--v` accepts.
pub const VERSIONS: &[&str] = &["1", "2", "3", "4", "5", "5.1", "5.2", "6", "6.1", "7"];
/// Niji model versions.
pub const NIJI: &[&str] = &["4", "5", "6"];

/// Phrases of negative terms that mean nothing to Midjourney (see the module doc): a term that
/// contains one as whole words stays out of `--no`. Lower case.
pub const SD_ONLY: &[&str] = &[
    // Quality and resolution.
    "quality",
    "lowres",
    "low resolution",
    "low-res",
    "jpeg",
    "artifacts",
    "artefacts",
    "compression",
    "noise",
    "noisy",
    "pixelation",
    "amateurish",
    "ugly",
    "poorly",
    "garish",
    "dull composition",
    // Anatomy.
    "anatomy",
    "deformed",
    "malformed",
    "mutated",
    "mutation",
    "disfigured",
    "extra limbs",
    "extra fingers",
    "extra arms",
    "extra legs",
    "missing fingers",
    "fused fingers",
    "too many fingers",
    "bad hands",
    "bad proportions",
    "cross-eyed",
    // Geometry, framing and duplication.
    "distorted",
    "warped",
    "lopsided",
    "cropped",
    "cut-off",
    "out of frame",
    "duplicate",
    "duplicated",
    "tiling",
    "mangled",
    // Exposure and colour faults.
    "overexposed",
    "underexposed",
    "blown-out",
    "crushed shadows",
    "crushed blacks",
    "oversaturated",
    "banding",
    "chromatic aberration",
    "muddy colours",
    "muddy colors",
    "smudged",
    // Sharpness (see the module doc).
    "blurry",
    "blur",
    "out of focus",
];

/// Whether negative term `term` is one for `--no` (none of [`SD_ONLY`]).
pub fn means_something(term: &str) -> bool {
    static INDEX: std::sync::OnceLock<PhraseIndex> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| PhraseIndex::new(SD_ONLY.iter().copied().enumerate()));
    let mut found = false;
    index.each_match(term, |_| found = true);
    !found
}

/// Integer parameters: (name, aliases, min, max).
const RANGES: &[(&str, &[&str], u64, u64)] = &[
    ("stylize", &["s"], 0, 1000),
    ("chaos", &["c"], 0, 100),
    ("weird", &["w"], 0, 3000),
    ("seed", &[], 0, 4_294_967_295),
];

/// Parameters set from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// Overrides the template's aspect.
    pub ar: Option<String>,
    pub version: Option<String>,
    pub niji: Option<String>,
    pub raw: bool,
    pub stylize: Option<u64>,
    pub chaos: Option<u64>,
    pub weird: Option<u64>,
    pub seed: Option<u64>,
}

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

impl Params {
    /// Parses `key=value` items (`stylize=250`, `v=7`, `niji=6`, `style=raw`, `ar=3:2`, …).
    pub fn parse(items: &[String]) -> Result<Params> {
        let mut p = Params::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for item in items {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim().trim_start_matches("--"), v.trim()),
                None => (item.trim().trim_start_matches("--"), ""),
            };
            let canonical: &'static str = match key {
                "ar" | "aspect" => "ar",
                "v" | "version" => "v",
                "niji" => "niji",
                "style" | "raw" => "style",
                k => match RANGES
                    .iter()
                    .find(|(n, aliases, _, _)| *n == k || aliases.contains(&k))
                {
                    Some((n, ..)) => n,
                    None => {
                        return Err(usage(format!(
                            "unknown Midjourney parameter `{key}` in --mj {item} (known: ar, v, niji, \
                             style=raw, stylize, chaos, weird, seed)"
                        )));
                    }
                },
            };
            if seen.contains(&canonical) {
                return Err(usage(format!("--mj sets `{canonical}` twice")));
            }
            seen.push(canonical);
            match canonical {
                "ar" => {
                    let ok = value.split_once(':').is_some_and(|(w, h)| {
                        w.parse::<u32>().is_ok_and(|w| w > 0)
                            && h.parse::<u32>().is_ok_and(|h| h > 0)
                    });
                    if !ok {
                        return Err(usage(format!(
                            "--mj ar={value}: the aspect must be whole numbers like 16:9 or 2:3"
                        )));
                    }
                    p.ar = Some(value.to_string());
                }
                "v" => p.version = Some(one_of(value, VERSIONS, "v")?),
                "niji" => p.niji = Some(one_of(value, NIJI, "niji")?),
                "style" => {
                    if key == "raw" && value.is_empty() || value == "raw" {
                        p.raw = true;
                    } else {
                        return Err(usage(format!(
                            "--mj style={value}: the only style is `raw` (--mj style=raw)"
                        )));
                    }
                }
                name => {
                    let (_, _, min, max) = RANGES
                        .iter()
                        .find(|(n, ..)| *n == name)
                        .copied()
                        .unwrap_or(("", &[], 0, 0));
                    let n = value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (min..=max).contains(n));
                    let Some(n) = n else {
                        return Err(usage(format!(
                            "--mj {key}={value}: {name} must be a whole number from {min} to {max}"
                        )));
                    };
                    match name {
                        "stylize" => p.stylize = Some(n),
                        "chaos" => p.chaos = Some(n),
                        "weird" => p.weird = Some(n),
                        _ => p.seed = Some(n),
                    }
                }
            }
        }
        if p.version.is_some() && p.niji.is_some() {
            return Err(usage(
                "--mj v and --mj niji exclude each other (niji is its own model)".into(),
            ));
        }
        Ok(p)
    }
}

fn one_of(value: &str, allowed: &[&str], name: &str) -> Result<String> {
    if allowed.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(usage(format!(
            "--mj {name}={value}: expected one of {}",
            allowed.join(", ")
        )))
    }
}

/// The midjourney dialect.
#[derive(Debug, Clone)]
pub struct Midjourney {
    params: Params,
    tokens: bool,
    rows: RowsCache,
}

impl Midjourney {
    pub fn new(lib: &Library, opts: &Options) -> Result<Midjourney> {
        Ok(Midjourney {
            params: Params::parse(&opts.mj)?,
            tokens: opts.tokens,
            rows: RowsCache::new(lib),
        })
    }
}

/// Text made safe to put before parameters: no `--` or `—` (they start a parameter) and no `::`
/// (a multi-prompt weight).
pub fn sanitize(text: &str) -> String {
    // Discord turns `--` into an em dash and Midjourney accepts it as a parameter start.
    let mut s = text.replace('\u{2014}', "-");
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    while s.contains("::") {
        s = s.replace("::", ":");
    }
    s
}

impl Dialect for Midjourney {
    fn name(&self) -> &'static str {
        "midjourney"
    }

    /// `--mj ar=W:H` when the user set it, else the scene's aspect: the record and `--ar` agree.
    fn aspect(&self, lib: &Library, scene: &Scene) -> String {
        self.params.ar.clone().unwrap_or_else(|| {
            super::scene_aspect(lib, scene)
                .map(str::to_string)
                .unwrap_or_else(|| scene.template(lib).aspect.clone())
        })
    }

    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        let prose = Plain.write(lib, scene)?.prompt;
        let prose = match medium_text(lib, scene) {
            Some(m) => medium_early(&prose, m),
            None => prose,
        };
        let text = sanitize(&prose);
        let text = text
            .trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
            .to_string();
        let aspect = self.aspect(lib, scene);
        let (prompt_rows, asked_rows) = self.rows.scene_rows(lib, scene);
        // What the user said no to ("a street with no cars") first, then the scene's terms.
        // A thing the prose shows other than in the user's "no …" is left out.
        let mut no: Vec<String> = super::said_no_terms(lib, scene)
            .iter()
            .filter(|n| {
                let mut rest = text.to_lowercase();
                let n = n.to_lowercase();
                for said in [
                    format!("without any {n}"),
                    format!("without {n}"),
                    format!("no {n}"),
                ] {
                    rest = rest.replace(&said, "");
                }
                !super::shows_thing(&rest, &n)
            })
            .map(|n| sanitize(n))
            .collect();
        // "A street with no cars" names cars to a model that weighs every word it reads: what
        // the user said no to goes to `--no` only.
        let mut text = text;
        for n in &no {
            text = without_said_no(&text, n);
        }
        let said = no.len();
        for n in fitting_negative(lib, scene, &[&text], prompt_rows, asked_rows)
            .into_iter()
            .filter(|n| means_something(n))
            .map(|n| sanitize(&n))
        {
            if !no.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
                no.push(n);
            }
        }

        let no = shortened(without_covered(no), said);
        let p = &self.params;
        let mut prompt = text.clone();
        let mut params = Map::new();
        let mut add = |prompt: &mut String, flag: &str, key: &str, v: Value, shown: String| {
            prompt.push_str(" --");
            prompt.push_str(flag);
            if !shown.is_empty() {
                prompt.push(' ');
                prompt.push_str(&shown);
            }
            params.insert(key.to_string(), v);
        };
        add(&mut prompt, "ar", "ar", Value::from(aspect.clone()), aspect);
        if let Some(v) = &p.version {
            add(&mut prompt, "v", "v", Value::from(v.clone()), v.clone());
        }
        if let Some(v) = &p.niji {
            add(
                &mut prompt,
                "niji",
                "niji",
                Value::from(v.clone()),
                v.clone(),
            );
        }
        if p.raw {
            add(
                &mut prompt,
                "style",
                "style",
                Value::from("raw"),
                "raw".into(),
            );
        }
        for (flag, v) in [
            ("stylize", p.stylize),
            ("chaos", p.chaos),
            ("weird", p.weird),
            ("seed", p.seed),
        ] {
            if let Some(v) = v {
                add(&mut prompt, flag, flag, Value::from(v), v.to_string());
            }
        }
        if !no.is_empty() {
            let joined = no.join(", ");
            add(
                &mut prompt,
                "no",
                "no",
                Value::from(no.clone()),
                joined.clone(),
            );
        }
        Ok(Written {
            prompt,
            negative: no.join(", "),
            tokens: self.tokens.then(|| ClipTokenizer::shared().count(&text)),
            params: Some(Value::Object(params)),
        })
    }
}

/// The text of the scene's `medium` slot ("oil painting", "photo"), when it has one.
fn medium_text<'a>(lib: &'a Library, scene: &'a Scene) -> Option<&'a str> {
    let t = scene.template(lib);
    let i = t
        .slots
        .iter()
        .position(|s| s.name == "medium" && !s.negative)?;
    let fill = scene.slots.get(i)?;
    if fill.picks.len() != 1 {
        return None;
    }
    let m = scene.text(lib, i, 0).trim();
    (!m.is_empty()).then_some(m)
}

/// Openings of a sentence that says what the picture is ("The finished picture is an oil
/// painting."): with nothing after the medium, the sentence folds into the first one.
const MEDIUM_OPENINGS: &[&str] = &[
    "The finished picture is ",
    "The finished image is ",
    "The picture is ",
    "The image is ",
    "The piece is ",
    "The result is ",
    "This is ",
    "It is ",
];

/// Nouns that open a first sentence with a framing or a picture ("A close-up of …", "A full
/// body shot of …"): no medium folds in front of them.
const FRAMING_NOUNS: &[&str] = &[
    "shot",
    "close-up",
    "closeup",
    "portrait",
    "view",
    "photo",
    "photograph",
    "picture",
    "image",
    "painting",
    "drawing",
    "sketch",
    "render",
    "illustration",
    "study",
];

/// Openings that close a prompt ("In the end, this is a painting"): dropped when the sentence
/// moves up to be the second.
const CLOSING_WORDS: &[&str] = &[
    "In the end, ",
    "Overall, ",
    "All told, ",
    "All in all, ",
    "In short, ",
    "Taken together, ",
    "Put simply, ",
    "Finally, ",
];

/// `prose` with the medium said early, where Midjourney weighs it most: the sentence naming
/// `medium` moves up to be the second, unless the first two already name it. A sentence that is
/// only "The finished picture is a painting." folds into a first sentence that opens with an
/// article ("A painting of a stormy sea …"); "It is a sketch" becomes "This is a sketch" so
/// that "it" is not read as the subject just named, and a fragment that opens with the medium
/// ("An acrylic painting, a sweeping view") becomes a sentence ("This is an acrylic
/// painting, …").
fn medium_early(prose: &str, medium: &str) -> String {
    let parts = super::natural::sentences(prose);
    if parts.len() < 3 || parts[..2].iter().any(|p| super::contains_phrase(p, medium)) {
        return prose.to_string();
    }
    let Some(i) = (2..parts.len()).find(|&i| super::contains_phrase(parts[i], medium)) else {
        return prose.to_string();
    };
    let mut moved = parts[i].trim_end_matches(['.', '!', '?']).to_string();
    // A closing word ("In the end, this is…", "Overall, it is…") reads wrong second.
    if let Some(rest) = CLOSING_WORDS.iter().find_map(|w| moved.strip_prefix(w)) {
        moved = crate::text::capitalize(rest);
    }
    let named = crate::text::with_article(medium);
    let opening = MEDIUM_OPENINGS
        .iter()
        .find(|o| moved.starts_with(**o))
        .copied();
    let first = parts[0];
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    // "A full body shot of a knight" is a framing, not a thing to paint: no "an oil painting of
    // a full body shot of …".
    let head = first.split(" of ").next().unwrap_or(first);
    let framed = head.split_whitespace().count() <= 4
        && FRAMING_NOUNS
            .iter()
            .any(|w| super::contains_phrase(head, w));
    let rest_of_first = ["A ", "An ", "The "]
        .iter()
        .find(|a| first.starts_with(**a) && !framed)
        .map(|a| format!("{}{}", a.to_ascii_lowercase(), &first[a.len()..]));
    match (opening, rest_of_first) {
        (Some(o), Some(rest)) if moved[o.len()..].eq_ignore_ascii_case(&named) => {
            out.push(format!("{} of {rest}", crate::text::capitalize(&named)));
        }
        _ => {
            if moved.starts_with("It is ") {
                moved.replace_range(..2, "This");
            } else if opening.is_none()
                && moved
                    .to_ascii_lowercase()
                    .starts_with(&named.to_ascii_lowercase())
            {
                moved = format!("This is {named}{}", &moved[named.len()..]);
            }
            out.push(first.to_string());
            out.push(format!("{moved}."));
        }
    }
    for (k, p) in parts.iter().enumerate().skip(1) {
        if k != i {
            out.push(p.to_string());
        }
    }
    out.join(" ")
}

/// `text` without the phrase that says no to `thing` ("with no cars", "without any people"),
/// whole words only, and without the comma that set it off. A phrase that runs on into another
/// ("with no cars and no people") stays as it is.
fn without_said_no(text: &str, thing: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let thing = thing.to_ascii_lowercase();
    let mut out = text.to_string();
    for lead in ["with no ", "without any ", "without "] {
        let phrase = format!(" {lead}{thing}");
        let Some(at) = lower.find(&phrase) else {
            continue;
        };
        let end = at + phrase.len();
        let after = &lower[end..];
        if after.starts_with(|c: char| c.is_alphanumeric() || c == '-')
            || after.starts_with(" and ")
            || after.starts_with(" or ")
            || after.starts_with(" nor ")
        {
            continue;
        }
        let mut start = at;
        if lower[..at].ends_with(',') && (after.is_empty() || after.starts_with([',', '.', ';'])) {
            start -= 1;
        }
        out.replace_range(start..end, "");
        return out;
    }
    out
}

/// `--no` terms without one another term covers: `--no color` is Midjourney's way to black and
/// white, and `colorful` beside it only repeats it (and reads as a colour word in the prompt).
fn without_covered(mut no: Vec<String>) -> Vec<String> {
    let has = |no: &[String], t: &str| no.iter().any(|n| n.eq_ignore_ascii_case(t));
    if has(&no, "color") || has(&no, "colour") {
        no.retain(|n| !n.eq_ignore_ascii_case("colorful") && !n.eq_ignore_ascii_case("colourful"));
    }
    no
}

/// Families of `--no` terms that steer away from the same thing: once one of a family is in
/// the list the others only add weight −0.5 on a near-synonym (`photograph, photorealistic`,
/// `3d render, cgi`, `illustration, drawing, cartoon`, `text, caption, signature`), which pulls
/// the whole prompt down without excluding anything more. The first of a family to come stays.
const FAMILIES: &[&[&str]] = &[
    &[
        "photograph",
        "photorealistic",
        "photo",
        "photography",
        "realistic photo",
    ],
    &["3d render", "cgi", "3d", "render", "3d model"],
    &[
        "illustration",
        "drawing",
        "cartoon",
        "sketch",
        "comic",
        "anime",
    ],
    &[
        "text",
        "caption",
        "signature",
        "lettering",
        "words",
        "subtitles",
    ],
    &["logo", "brand name", "branding", "label"],
    &[
        "dust specks",
        "fingerprints",
        "smudges",
        "greasy fingerprints",
        "scratches",
    ],
];

/// The most terms `--no` carries. Each is a weight of −0.5 against a prompt of weight 1: a long
/// list flattens the image and muddies what the prose asks for, so only the few that matter go.
pub const MAX_NO: usize = 6;

/// The medium terms of `--no` (photographs, paintings, drawings, renders): the ones that keep
/// the picture in its medium, so the last to give way when the list is too long.
fn medium_term(term: &str) -> bool {
    term.eq_ignore_ascii_case("painting")
        || FAMILIES[..3]
            .iter()
            .any(|f| f.iter().any(|m| m.eq_ignore_ascii_case(term)))
}

/// `no` with one term of each [`FAMILIES`] and at most [`MAX_NO`] terms. The first `said` terms
/// (what the user said no to) always stay; past the limit the scene's own terms give way from
/// the end, medium terms last.
fn shortened(no: Vec<String>, said: usize) -> Vec<String> {
    let family = |t: &str| {
        FAMILIES
            .iter()
            .position(|f| f.iter().any(|m| m.eq_ignore_ascii_case(t)))
    };
    let mut seen: Vec<usize> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (i, t) in no.into_iter().enumerate() {
        match family(&t) {
            Some(f) if i >= said && seen.contains(&f) => continue,
            Some(f) => seen.push(f),
            None => {}
        }
        out.push(t);
    }
    let said = said.min(out.len());
    while out.len() > MAX_NO {
        let drop = (said..out.len())
            .rev()
            .find(|&i| !medium_term(&out[i]))
            .or_else(|| (said..out.len()).next_back());
        match drop {
            Some(i) => {
                out.remove(i);
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_moved_medium_sentence_drops_its_closing_word() {
        let prose = "A fox in the snow. The light is cold. The mood is calm. In the end, this is \
                     a gouache painting, a low view.";
        assert_eq!(
            medium_early(prose, "gouache painting"),
            "A fox in the snow. This is a gouache painting, a low view. The light is cold. The \
             mood is calm."
        );
    }

    #[test]
    fn the_medium_is_said_second_not_last() {
        let prose = "A stormy sea at dawn. The view holds surf and a lighthouse. The mood is grim. \
                     The finished picture is a painting.";
        assert_eq!(
            medium_early(prose, "painting"),
            "A painting of a stormy sea at dawn. The view holds surf and a lighthouse. The mood \
             is grim."
        );
        let prose = "Snowy mountains at sunset. The view leads to a van. The feeling is calm. An \
                     acrylic painting, a sweeping panoramic view.";
        assert_eq!(
            medium_early(prose, "acrylic painting"),
            "Snowy mountains at sunset. This is an acrylic painting, a sweeping panoramic view. \
             The view leads to a van. The feeling is calm."
        );
        let prose = "A cat on a sill. Rim light glows along its fur. The tone is calm. It is a \
                     pencil sketch, laid out on thirds.";
        assert_eq!(
            medium_early(prose, "pencil sketch"),
            "A cat on a sill. This is a pencil sketch, laid out on thirds. Rim light glows along \
             its fur. The tone is calm."
        );
        // A first sentence that opens with a framing keeps it: the medium follows it.
        let prose = "A full body shot of a knight. Birds wheel overhead. The mood is calm. The \
                     finished picture is an oil painting.";
        assert_eq!(
            medium_early(prose, "oil painting"),
            "A full body shot of a knight. The finished picture is an oil painting. Birds wheel \
             overhead. The mood is calm."
        );
        // Said early already, or not at all: unchanged.
        for (prose, m) in [
            (
                "A painting of a sea. The mood is grim. A wide view.",
                "painting",
            ),
            ("A sea. It is a photo. The mood is grim.", "photo"),
            ("A sea. The mood is grim. A wide view.", "photo"),
        ] {
            assert_eq!(medium_early(prose, m), prose);
        }
    }

    #[test]
    fn what_the_user_said_no_to_leaves_the_prose() {
        assert_eq!(
            without_said_no("An empty street with no cars at dawn, lit softly", "cars"),
            "An empty street at dawn, lit softly"
        );
        assert_eq!(
            without_said_no("A beach, without people, at noon", "people"),
            "A beach, at noon"
        );
        assert_eq!(
            without_said_no("A room without any windows. Dim light", "windows"),
            "A room. Dim light"
        );
        for (text, thing) in [
            ("A street with no cars and no people", "cars"),
            ("A street with no carsharing bays", "cars"),
            ("A street full of cars", "cars"),
        ] {
            assert_eq!(without_said_no(text, thing), text);
        }
    }

    #[test]
    fn no_keeps_one_term_of_each_family() {
        assert_eq!(
            shortened(
                strings(&[
                    "watermark",
                    "text",
                    "painting",
                    "illustration",
                    "drawing",
                    "cartoon",
                    "3d render",
                    "cgi"
                ]),
                0
            ),
            strings(&["watermark", "text", "painting", "illustration", "3d render"])
        );
        assert_eq!(
            shortened(
                strings(&[
                    "text",
                    "caption",
                    "photograph",
                    "photorealistic",
                    "3d render"
                ]),
                0
            ),
            strings(&["text", "photograph", "3d render"])
        );
    }

    #[test]
    fn long_no_lists_lose_scene_terms_before_medium_and_said_terms() {
        let got = shortened(
            strings(&[
                "cars",
                "people",
                "watermark",
                "text",
                "modern clothing",
                "power lines",
                "flat lighting",
                "photograph",
                "3d render",
            ]),
            2,
        );
        assert_eq!(got.len(), MAX_NO);
        assert_eq!(
            got,
            strings(&[
                "cars",
                "people",
                "watermark",
                "text",
                "photograph",
                "3d render"
            ])
        );
        // What the user said no to stays even when it is of a family already in the list.
        assert_eq!(
            shortened(strings(&["captions", "text", "caption"]), 2),
            strings(&["captions", "text"])
        );
    }

    #[test]
    fn no_color_covers_colorful() {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            without_covered(v(&["watermark", "color", "colorful"])),
            v(&["watermark", "color"])
        );
        assert_eq!(without_covered(v(&["colourful", "colour"])), v(&["colour"]));
        assert_eq!(without_covered(v(&["colorful"])), v(&["colorful"]));
    }

    fn parse(items: &[&str]) -> Result<Params> {
        Params::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parameters_parse_with_aliases() {
        let p = parse(&[
            "stylize=250",
            "c=10",
            "w=3000",
            "v=6.1",
            "style=raw",
            "seed=4294967295",
        ])
        .unwrap();
        assert_eq!(p.stylize, Some(250));
        assert_eq!(p.chaos, Some(10));
        assert_eq!(p.weird, Some(3000));
        assert_eq!(p.version.as_deref(), Some("6.1"));
        assert!(p.raw);
        assert_eq!(p.seed, Some(4_294_967_295));
        assert!(parse(&["raw"]).unwrap().raw);
    }

    #[test]
    fn ranges_are_validated() {
        for bad in [
            "stylize=1001",
            "chaos=101",
            "weird=3001",
            "seed=4294967296",
            "stylize=-1",
            "stylize=1.5",
            "v=9",
            "niji=3",
            "style=cute",
            "ar=1.5:1",
            "quality=2",
        ] {
            assert!(parse(&[bad]).is_err(), "{bad} accepted");
        }
        assert!(parse(&["v=7", "niji=6"]).is_err());
        assert!(parse(&["s=1", "stylize=2"]).is_err());
    }

    #[test]
    fn sd_only_terms_stay_out_of_no() {
        for t in [
            "low quality",
            "worst quality",
            "extra limbs",
            "bad anatomy",
            "jpeg artifacts",
            "deformed hands",
            "blurry",
            "out of focus",
            "distorted perspective",
        ] {
            assert!(!means_something(t), "{t}");
        }
        for t in [
            "text",
            "watermark",
            "people",
            "frame border",
            "cars",
            "painting",
            "3d render",
        ] {
            assert!(means_something(t), "{t}");
        }
        assert!(SD_ONLY.iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn text_cannot_start_parameters() {
        assert_eq!(sanitize("a -- b ::2 c"), "a - b :2 c");
    }
}
