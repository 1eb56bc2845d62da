//! Properties of generation over many seeds, through the library API (fast enough to run
//! 10,000 seeds on every test run).

use promptloom::dialect::plain::Plain;
use promptloom::scene::{Pick, Scene};
use promptloom::tags::TagSet;
use promptloom::{Engine, Library, Request};

const DESCRIPTIONS: &[&str] = &[
    "",
    "beach sunset",
    "mountain lake at dawn",
    "a fox in the snow",
    "rainy city street",
    "a neon diner at midnight",
    "portrait of a young violinist",
    "an owl on a branch at night",
    "a village in the alps in winter",
    "waterfall in a tropical rainforest",
    "black and white photo of a harbour",
    "a cozy kitchen in the morning",
    "spaceship landing on an alien planet",
    "two cats playing chess",
    "misty autumn forest",
    "a storm over the ocean",
];

const STOP: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "with", "and", "over", "by", "for", "to", "into",
    "from", "under", "its", "his", "her", "their",
];

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn stem(w: &str) -> &str {
    for suf in ["ies", "es", "s"] {
        if w.len() > suf.len() + 2 && w.ends_with(suf) {
            return &w[..w.len() - suf.len()];
        }
    }
    w
}

/// The words of `desc` (stop words aside) that the prompt does not contain.
fn missing_words(desc: &str, prompt: &str) -> Vec<String> {
    let have = words(prompt);
    let have_stems: Vec<&str> = have.iter().map(|w| stem(w)).collect();
    // A word an entry shows comes out in the library's spelling ("harbour" → "harbor").
    let have_folded: Vec<String> = have.iter().map(|w| promptloom::matching::fold(w)).collect();
    // Chat shorthand is written out ("w" → "with"), and a last word that only signs off a
    // message ("… lol") is no part of the picture.
    let spelled = |w: &str| match w {
        "w" => Some("with"),
        "bf" => Some("boyfriend"),
        "gf" => Some("girlfriend"),
        _ => None,
    };
    let all = words(desc);
    let sign_off = |i: usize, w: &str| {
        i > 0
            && all[i..].iter().all(|x| {
                [
                    "lol", "lmao", "haha", "pls", "plz", "please", "thanks", "thx", "ty",
                ]
                .contains(&x.as_str())
            })
            && !w.is_empty()
    };
    // Likewise a first word that only asks for a prompt ("hey, a fox", "create a castle"), when
    // more words follow: the request is taken off, the idea kept.
    let opening = |i: usize| {
        i + 1 < all.len()
            && all[..=i]
                .iter()
                .all(|x| ["hey", "please", "write", "create", "generate"].contains(&x.as_str()))
    };
    all.iter()
        .enumerate()
        .filter(|&(i, w)| !sign_off(i, w) && !opening(i))
        .map(|(_, w)| w.clone())
        .filter(|w| !STOP.contains(&w.as_str()))
        .filter(|w| spelled(w).is_none_or(|long| !have.iter().any(|h| h == long)))
        .filter(|w| {
            !have.contains(w)
                && !have_stems.contains(&stem(w))
                && !have_folded.contains(&promptloom::matching::fold(w))
        })
        .collect()
}

/// Pairs of chosen entries that conflict, unless both came from the description (the user may
/// ask for a contradiction).
fn conflicts(lib: &Library, scene: &Scene) -> Vec<String> {
    let t = scene.template(lib);
    let mut items: Vec<(TagSet, TagSet, bool, String)> =
        vec![(t.tags, t.blocks, false, format!("template {}", t.name))];
    for f in &scene.slots {
        for p in &f.picks {
            if let Pick::Entry(c, e) = p {
                let en = &lib.categories[*c].entries[*e];
                items.push((en.tags, en.blocks, f.pinned, en.text.clone()));
            }
        }
    }
    let mut out = Vec::new();
    for (i, a) in items.iter().enumerate() {
        for b in &items[i + 1..] {
            if b.2 && (a.2 || i == 0) {
                continue;
            }
            if a.1.intersects(&b.0) || b.1.intersects(&a.0) {
                out.push(format!("`{}` with `{}`", a.3, b.3));
            }
        }
    }
    out
}

#[test]
fn ten_thousand_seeds_coherent_and_faithful() {
    let engine = Engine::builtin().unwrap();
    let lib = engine.library();
    let plans: Vec<_> = DESCRIPTIONS
        .iter()
        .map(|d| {
            engine
                .plan(&Request {
                    description: d.to_string(),
                    template: None,
                })
                .unwrap()
        })
        .collect();
    for seed in 0..10_000u64 {
        let k = (seed as usize) % DESCRIPTIONS.len();
        let scene = engine.scene(&plans[k], seed, seed / 7, false);
        let c = conflicts(lib, &scene);
        assert!(c.is_empty(), "seed {seed} {:?}: {c:?}", DESCRIPTIONS[k]);
        let rec = engine.record(&scene, &Plain).unwrap();
        let miss = missing_words(DESCRIPTIONS[k], &rec.prompt);
        assert!(
            miss.is_empty(),
            "seed {seed}: {miss:?} missing from {:?}",
            rec.prompt
        );
    }
}

#[test]
fn no_contradictory_words_in_prompts() {
    // The outside quality check's contradiction pairs (../shared/eval), applied to 10,000
    // prompts of the built-in library.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/eval/contradictions.txt"
    );
    let text =
        std::fs::read_to_string(path).expect("../shared/eval/contradictions.txt (CI has shared/)");
    let pairs: Vec<(regex::Regex, regex::Regex)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (a, b) = l.split_once(" <> ").unwrap();
            let re = |x: &str| regex::Regex::new(&format!(r"(?i)\b({})\b", x.trim())).unwrap();
            (re(a), re(b))
        })
        .collect();
    assert!(!pairs.is_empty());
    let engine = Engine::builtin().unwrap();
    let plans: Vec<_> = DESCRIPTIONS
        .iter()
        .map(|d| {
            engine
                .plan(&Request {
                    description: d.to_string(),
                    template: None,
                })
                .unwrap()
        })
        .collect();
    for seed in 0..10_000u64 {
        let k = (seed as usize) % DESCRIPTIONS.len();
        let d = DESCRIPTIONS[k];
        let rec = engine
            .record(&engine.scene(&plans[k], seed, 0, false), &Plain)
            .unwrap();
        for (a, b) in &pairs {
            if let (Some(x), Some(y)) = (a.find(&rec.prompt), b.find(&rec.prompt)) {
                assert!(
                    a.is_match(d) && b.is_match(d),
                    "seed {seed} {d:?}: {:?} with {:?} in {:?}",
                    x.as_str(),
                    y.as_str(),
                    rec.prompt
                );
            }
        }
    }
}

#[test]
fn prompt_i_alone_equals_prompt_i_in_a_run() {
    let engine = Engine::builtin().unwrap();
    let plan = engine
        .plan(&Request {
            description: "beach sunset".into(),
            template: None,
        })
        .unwrap();
    let run: Vec<String> = (0..200)
        .map(|i| {
            engine
                .record(&engine.scene(&plan, 5, i, false), &Plain)
                .unwrap()
                .prompt
        })
        .collect();
    for i in (0..200).rev().step_by(7) {
        let alone = engine.generate("beach sunset", 5, i as u64).unwrap().prompt;
        assert_eq!(alone, run[i]);
    }
}

mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any description: no panic, every word kept, no unpinned conflict.
        #[test]
        fn any_description(desc in "[a-z]{1,9}( [a-z]{1,9}){0,5}", seed in any::<u64>(), index in any::<u64>()) {
            let engine = Engine::builtin().unwrap();
            let plan = engine.plan(&Request { description: desc.clone(), template: None }).unwrap();
            let scene = engine.scene(&plan, seed, index, false);
            let rec = engine.record(&scene, &Plain).unwrap();
            prop_assert!(missing_words(&desc, &rec.prompt).is_empty(), "{:?} -> {:?}", desc, rec.prompt);
            prop_assert!(conflicts(engine.library(), &scene).is_empty());
        }
    }
}
