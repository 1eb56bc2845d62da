//! Dialects through the real binary: one scene written for each generator.
//!
//! Properties run over thousands of scenes of the built-in library (whatever its wording) and of
//! the test library in `tests/dialects-lib/` (brackets, emphasis, negative terms, long prose).
//!
//! Golden files: `tests/golden/dialects/*.txt`. After an intended change to the output,
//! regenerate them with
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test --test dialects golden
//! ```
//!
//! and review the diff. `builtin.txt` follows the built-in vocabulary and changes with it; the
//! others use only the test library (`--no-builtin`) and change only when a dialect or the scene
//! engine does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use promptloom::tokens::{ClipTokenizer, count_sd};
use serde_json::Value;

const DIALECTS: &[&str] = &["plain", "sd", "sdxl", "midjourney", "dalle", "flux"];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_promptloom"))
}

fn test_lib() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/dialects-lib")
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Runs the binary, expecting success, and parses its JSONL output.
fn records(args: &[&str]) -> Vec<Value> {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn fails_with(args: &[&str], needle: &str) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(
        err.contains(needle),
        "{args:?}: stderr {err:?} lacks {needle:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// A1111 text back to plain terms: emphasis `(x:1.2)` → `x`, escapes resolved.
fn sd_terms(prompt: &str) -> Vec<String> {
    split_terms(prompt)
        .into_iter()
        .map(|t| {
            let t = match (t.strip_prefix('('), t.rfind(':')) {
                (Some(inner), Some(_)) if t.ends_with(')') && !t.ends_with("\\)") => {
                    inner[..inner.rfind(':').unwrap()].to_string()
                }
                _ => t,
            };
            t.replace("\\(", "(")
                .replace("\\)", ")")
                .replace("\\[", "[")
                .replace("\\]", "]")
                .replace("\\\\", "\\")
        })
        .collect()
}

/// Splits at `, ` outside emphasis parentheses.
fn split_terms(prompt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut chars = prompt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                continue;
            }
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 && chars.peek() == Some(&' ') => {
                chars.next();
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the words of `term` appear consecutively in `text`.
fn shows(text: &str, term: &str) -> bool {
    let (t, p) = (words(text), words(term));
    !p.is_empty() && t.windows(p.len()).any(|w| w == p.as_slice())
}

fn num(r: &Value, k: &str) -> u64 {
    r[k].as_u64()
        .unwrap_or_else(|| panic!("{k} missing in {r}"))
}

#[test]
fn slots_are_identical_in_every_dialect() {
    let lib = test_lib();
    for (seed, desc) in [("1", ""), ("2", "beach sunset"), ("3", ""), ("4", "a fox")] {
        let mut seen: Vec<Vec<Value>> = Vec::new();
        for d in DIALECTS {
            let recs = records(&[
                "gen", desc, "--seed", seed, "-n", "300", "-d", d, "-f", "jsonl",
            ]);
            seen.push(recs);
        }
        let with_test_lib: Vec<Vec<Value>> = DIALECTS
            .iter()
            .map(|d| {
                records(&[
                    "gen",
                    "-t",
                    "dialect_test",
                    "--no-builtin",
                    "--library",
                    &lib,
                    "--seed",
                    seed,
                    "-n",
                    "200",
                    "-d",
                    d,
                    "-f",
                    "jsonl",
                ])
            })
            .collect();
        for group in [seen, with_test_lib] {
            for (d, recs) in DIALECTS.iter().zip(&group).skip(1) {
                assert_eq!(recs.len(), group[0].len());
                for (a, b) in group[0].iter().zip(recs) {
                    for k in ["slots", "template", "seed", "index", "aspect", "library"] {
                        assert_eq!(a[k], b[k], "{k} differs in dialect {d}");
                    }
                    assert_eq!(b["dialect"], Value::from(*d));
                }
            }
        }
    }
}

/// Checks one sd record: budget, subject first and kept, exact count, no shared term.
fn check_sd(r: &Value, max: u64) {
    let prompt = r["prompt"].as_str().unwrap();
    let tokens = num(r, "tokens");
    assert_eq!(
        u64::from(count_sd(ClipTokenizer::shared(), prompt)),
        tokens,
        "{prompt}"
    );
    let terms = sd_terms(prompt);
    let subject = r["slots"]["subject"].as_str().unwrap();
    // Entry texts may hold commas, which become tag separators or are dropped between
    // modifiers ("warm, low-raking sunlight" is one tag), so compare the text after undoing
    // emphasis and escapes, without commas. (`AND` is lower-cased in sd text so that A1111 does
    // not split the prompt at it.)
    let no_commas = |s: &str| {
        s.replace(',', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let seen = no_commas(&terms.join(", ").to_lowercase());
    let subject_seen = no_commas(&subject.to_lowercase());
    // A library subject's comma parts that cannot stand alone are joined to their head ("a
    // time machine, its dials humming" is the one tag "a time machine with its dials
    // humming"); the user's own words are split at every comma and never joined.
    let joined = no_commas(
        &promptloom::dialect::tag_text::entry_tags(subject)
            .join(", ")
            .to_lowercase(),
    );
    assert!(
        seen.starts_with(&subject_seen) || seen.starts_with(&joined),
        "subject first and whole: {prompt} / {subject}"
    );
    // Over budget only when the subject alone is (it is never dropped).
    if seen != subject_seen && seen != joined {
        assert!(tokens <= max, "{tokens} > {max}: {prompt}");
    }
    assert_eq!(r["params"]["max_tokens"].as_u64(), Some(max));
    let negative = r["negative_prompt"].as_str().unwrap();
    for n in sd_terms(negative).iter().filter(|n| !n.is_empty()) {
        for p in &terms {
            assert!(!shows(p, n), "`{n}` in both: {prompt} / {negative}");
        }
    }
}

#[test]
fn sd_budget_holds_over_10000_scenes_and_the_subject_stays() {
    for d in ["sd", "sdxl"] {
        let recs = records(&["gen", "--seed", "11", "-n", "10000", "-d", d, "-f", "jsonl"]);
        assert_eq!(recs.len(), 10_000);
        for r in &recs {
            check_sd(r, 75);
        }
    }
    // A tight budget and the test library's brackets and emphasis.
    let lib = test_lib();
    for (max, template) in [
        ("20", "dialect_test"),
        ("75", "dialect_long"),
        ("30", "dialect_long"),
    ] {
        let recs = records(&[
            "gen",
            "-t",
            template,
            "--no-builtin",
            "--library",
            &lib,
            "--seed",
            "5",
            "-n",
            "3000",
            "-d",
            "sd",
            "--max-tokens",
            max,
            "-f",
            "jsonl",
        ]);
        let dropped: u64 = recs.iter().map(|r| num(&r["params"], "dropped")).sum();
        assert!(dropped > 0, "the budget {max} never bit");
        for r in &recs {
            check_sd(r, max.parse().unwrap());
        }
    }
}

#[test]
fn sd_negative_prompt_follows_the_chosen_entries() {
    let recs = records(&[
        "gen",
        "-t",
        "dialect_test",
        "--no-builtin",
        "--library",
        &test_lib(),
        "--seed",
        "9",
        "-n",
        "400",
        "-d",
        "sd",
        "-f",
        "jsonl",
    ]);
    let (mut photo, mut water, mut harsh_both_ways) = (0, 0, 0);
    for r in &recs {
        let neg = r["negative_prompt"].as_str().unwrap();
        let medium = r["slots"]["medium"].as_str().unwrap();
        assert!(neg.starts_with("blurry, watermark"), "{neg}");
        if medium == "photograph" {
            photo += 1;
            assert!(neg.contains("painting, illustration"), "{neg}");
        } else {
            water += 1;
            assert!(neg.contains("photorealistic"), "{neg}");
            assert!(!shows(neg, "painting"), "{neg}");
        }
        // golden light brings `harsh light` to the negative, unless a detail asks for it.
        let detail = r["slots"]["detail"].as_str().unwrap();
        if r["slots"]["light"] == "golden light" && detail.contains("harsh light") {
            harsh_both_ways += 1;
            assert!(!neg.contains("harsh light"), "{neg}");
        }
    }
    assert!(photo > 0 && water > 0 && harsh_both_ways > 0);
}

#[test]
fn sd_emphasis_and_escapes_are_written_from_library_data() {
    let recs = records(&[
        "gen",
        "-t",
        "dialect_test",
        "--no-builtin",
        "--library",
        &test_lib(),
        "--seed",
        "2",
        "-n",
        "200",
        "-d",
        "sd",
        "-f",
        "jsonl",
    ]);
    let mut fox = 0;
    for r in &recs {
        let p = r["prompt"].as_str().unwrap();
        if r["slots"]["subject"] == "red fox (vulpes vulpes)" {
            fox += 1;
            assert!(p.starts_with("(red fox \\(vulpes vulpes\\):1.15), "), "{p}");
        }
        if r["slots"]["subject"] == "heron AND egret" {
            assert!(p.starts_with("heron and egret, "), "{p}");
        }
        assert!(p.contains(&format!("({}:1.2)", r["slots"]["light"].as_str().unwrap())));
        assert!(!p.contains("1.2000") && !p.contains("1.149"), "{p}");
    }
    assert!(fox > 0);
}

#[test]
fn tokens_flag_prints_counts() {
    let out = run(&[
        "gen",
        "beach sunset",
        "-s",
        "1",
        "-n",
        "3",
        "-d",
        "sd",
        "--tokens",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        let (n, prompt) = line.split_once('\t').expect("count, tab, prompt");
        assert_eq!(
            n.parse::<u32>().unwrap(),
            count_sd(ClipTokenizer::shared(), prompt)
        );
    }
    // Plain prose with --tokens: raw CLIP counts in the records.
    for r in records(&["gen", "x", "-s", "1", "-n", "5", "--tokens", "-f", "jsonl"]) {
        let p = r["prompt"].as_str().unwrap();
        assert_eq!(
            num(&r, "tokens"),
            u64::from(promptloom::tokens::TokenCounter::count(
                ClipTokenizer::shared(),
                p
            ))
        );
        assert!(r.get("params").is_none());
    }
}

#[test]
fn midjourney_parameters() {
    let recs = records(&[
        "gen",
        "-t",
        "dialect_test",
        "--no-builtin",
        "--library",
        &test_lib(),
        "-s",
        "4",
        "-n",
        "100",
        "-d",
        "midjourney",
        "--mj",
        "stylize=250",
        "--mj",
        "chaos=10",
        "--mj",
        "v=7",
        "--mj",
        "style=raw",
        "--mj",
        "seed=4294967295",
        "--mj",
        "weird=3000",
        "-f",
        "jsonl",
    ]);
    for r in &recs {
        let p = r["prompt"].as_str().unwrap();
        let (text, params) = p.split_once(" --").unwrap();
        assert!(!text.contains("--") && !text.contains("::"), "{p}");
        assert!(!text.ends_with('.'), "{p}");
        assert!(
            params.starts_with(
                "ar 3:2 --v 7 --style raw --stylize 250 --chaos 10 --weird 3000 --seed 4294967295"
            ),
            "{p}"
        );
        assert_eq!(r["aspect"], "3:2");
        let neg = r["negative_prompt"].as_str().unwrap();
        assert!(p.ends_with(&format!(" --no {neg}")), "{p}");
        for n in neg.split(", ") {
            assert!(!shows(text, n), "`{n}` in both: {p}");
        }
        assert_eq!(r["params"]["stylize"], 250);
        assert_eq!(r["params"]["ar"], "3:2");
    }
    let r = &records(&[
        "gen",
        "x",
        "-s",
        "1",
        "-d",
        "midjourney",
        "--mj",
        "ar=21:9",
        "--mj",
        "niji=6",
        "-f",
        "jsonl",
    ])[0];
    assert!(
        r["prompt"]
            .as_str()
            .unwrap()
            .contains(" --ar 21:9 --niji 6")
    );
}

#[test]
fn bad_options_fail_clearly() {
    let mj = |kv: &str| ["gen", "x", "-s", "1", "-d", "midjourney", "--mj", kv].map(String::from);
    for (kv, needle) in [
        (
            "stylize=1001",
            "stylize must be a whole number from 0 to 1000",
        ),
        ("chaos=101", "from 0 to 100"),
        ("weird=-1", "from 0 to 3000"),
        ("seed=4294967296", "from 0 to 4294967295"),
        ("v=99", "expected one of"),
        ("tile", "unknown Midjourney parameter"),
        ("ar=16/9", "whole numbers like 16:9"),
    ] {
        let args = mj(kv);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails_with(&args, needle);
    }
    fails_with(
        &["gen", "x", "-d", "plain", "--max-tokens", "5"],
        "--max-tokens applies only",
    );
    fails_with(
        &["gen", "x", "-d", "sd", "--mj", "chaos=1"],
        "--mj applies only",
    );
    fails_with(
        &["gen", "x", "-d", "sd", "--model", "dall-e-2"],
        "--model applies only",
    );
    fails_with(
        &["gen", "x", "-d", "dalle", "--model", "dall-e-4"],
        "dall-e-2",
    );
    fails_with(
        &["gen", "x", "-d", "flux", "--strict"],
        "--strict applies only",
    );
    fails_with(&["gen", "x", "-d", "nope"], "sdxl");
    fails_with(&["gen", "x", "-d", "sd", "--max-tokens", "0"], "at least 1");
}

#[test]
fn dalle_fits_the_model_limit_by_dropping_sentences() {
    let lib = test_lib();
    let recs = records(&[
        "gen",
        "-t",
        "dialect_long",
        "--no-builtin",
        "--library",
        &lib,
        "-s",
        "8",
        "-n",
        "500",
        "-d",
        "dalle",
        "--model",
        "dall-e-2",
        "-f",
        "jsonl",
    ]);
    let mut dropped = 0;
    for r in &recs {
        let p = r["prompt"].as_str().unwrap();
        assert!(p.chars().count() <= 1000, "{} chars", p.chars().count());
        assert!(p.contains(r["slots"]["subject"].as_str().unwrap()), "{p}");
        assert_eq!(r["negative_prompt"], "");
        assert_eq!(r["params"]["model"], "dall-e-2");
        dropped += num(&r["params"], "dropped");
    }
    assert!(dropped > 0, "the limit never bit");
    // The same scenes fit dall-e-3 whole, and the plain prose is the same text.
    let whole = records(&[
        "gen",
        "-t",
        "dialect_long",
        "--no-builtin",
        "--library",
        &lib,
        "-s",
        "8",
        "-n",
        "50",
        "-d",
        "dalle",
        "-f",
        "jsonl",
    ]);
    let plain = records(&[
        "gen",
        "-t",
        "dialect_long",
        "--no-builtin",
        "--library",
        &lib,
        "-s",
        "8",
        "-n",
        "50",
        "-d",
        "flux",
        "-f",
        "jsonl",
    ]);
    for (a, b) in whole.iter().zip(&plain) {
        assert_eq!(a["prompt"], b["prompt"]);
        assert_eq!(num(&a["params"], "dropped"), 0);
    }
    fails_with(
        &[
            "gen",
            "-t",
            "dialect_long",
            "--no-builtin",
            "--library",
            &lib,
            "-s",
            "8",
            "-n",
            "50",
            "-d",
            "dalle",
            "--model",
            "dall-e-2",
            "--strict",
        ],
        "--strict",
    );
}

/// The built-in templates' names, from `promptloom templates` or the library files.
fn builtin_templates() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    names
}

/// (tag, weight) of an sd prompt: `(x:1.2)` → (`x`, 120), a plain tag → (tag, 100).
fn sd_weighted(prompt: &str) -> Vec<(String, u32)> {
    split_terms(prompt)
        .into_iter()
        .zip(sd_terms(prompt))
        .map(|(raw, term)| {
            let w = if raw.starts_with('(') && raw.ends_with(')') && !raw.ends_with("\\)") {
                let num = &raw[raw.rfind(':').unwrap() + 1..raw.len() - 1];
                (num.parse::<f64>().unwrap() * 100.0).round() as u32
            } else {
                100
            };
            (term, w)
        })
        .collect()
}

/// What the user asked for gets the emphasis; filler is never raised above it.
#[test]
fn sd_emphasis_lands_on_what_the_user_asked_for() {
    for (desc, subject) in [
        (
            "black and white photo of a jazz musician playing saxophone",
            "jazz musician playing saxophone",
        ),
        (
            "a ballerina mid-leap on a dark stage under a single spotlight",
            "ballerina",
        ),
        (
            "a cat and a dog playing chess",
            "a cat and a dog playing chess",
        ),
        ("a lighthouse on a cliff at dusk", "lighthouse"),
    ] {
        for r in records(&[
            "gen", desc, "--seed", "3", "-n", "40", "-d", "sd", "-f", "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let tags = sd_weighted(prompt);
            let top = tags.iter().map(|t| t.1).max().unwrap();
            assert!(top > 100, "no emphasis at all: {prompt}");
            // The user's subject words are emphasised, and nothing is emphasised more.
            let (_, w) = tags
                .iter()
                .find(|(t, _)| t.to_lowercase().contains(subject))
                .unwrap_or_else(|| panic!("`{subject}` missing: {prompt}"));
            assert_eq!(*w, top, "{prompt}");
            // Filler is never raised (the built-in templates give settings 1.1): every
            // emphasised tag is something the description pinned, at the user's weight.
            for (t, w) in &tags {
                assert!(*w <= 100 || *w >= 120, "`{t}` emphasised {w}: {prompt}");
            }
        }
    }
    // The exact form for the saxophone player.
    let r = &records(&[
        "gen",
        "black and white photo of a jazz musician playing saxophone",
        "--seed",
        "3",
        "-d",
        "sd",
        "-f",
        "jsonl",
    ])[0];
    assert!(
        r["prompt"]
            .as_str()
            .unwrap()
            .starts_with("(jazz musician playing saxophone:1.2), (black and white photo:1.2), "),
        "{}",
        r["prompt"]
    );
}

/// What the user says no to ("a street with no cars") goes to the negative prompt or `--no`,
/// never into the positive: an image model reads "no cars" as cars. Neither dialect ever writes
/// the thing on both sides.
#[test]
fn what_the_user_says_no_to_is_negative_only() {
    let shows_thing = |text: &str, thing: &str| {
        shows(text, thing) || shows(text, thing.strip_suffix('s').unwrap_or(thing))
    };
    for (desc, thing) in [
        ("a street with no cars", "cars"),
        ("a city street, no cars", "cars"),
        ("a beach with no people", "people"),
        ("a kitchen with no windows", "windows"),
        ("a harbor at dawn without any boats", "boats"),
    ] {
        for r in records(&[
            "gen", desc, "--seed", "4", "-n", "25", "-d", "sd", "-f", "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let negative = r["negative_prompt"].as_str().unwrap();
            assert!(!shows_thing(prompt, thing), "{desc}: {prompt}");
            assert!(!shows(prompt, "no"), "{desc}: {prompt}");
            assert!(
                negative.starts_with(&format!("{thing}, ")),
                "{desc}: {negative}"
            );
        }
        for r in records(&[
            "gen",
            desc,
            "--seed",
            "4",
            "-n",
            "25",
            "-d",
            "midjourney",
            "-f",
            "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let (prose, params) = prompt.split_once(" --").unwrap();
            let no = params.split_once("no ").map_or("", |x| x.1);
            let prose = prose
                .to_lowercase()
                .replace(&format!("without any {thing}"), "")
                .replace(&format!("no {thing}"), "");
            let in_no = no.split(", ").any(|n| n == thing);
            assert_ne!(shows_thing(&prose, thing), in_no, "{desc}: {prompt}");
        }
    }
}

/// A word of a slot text that stands alone before a comma and a content word ("warm, low-raking
/// sunlight", "the soft, even light") is a modifier: it must never be an sd tag of its own.
#[test]
fn sd_tags_have_no_inner_commas_and_no_dangling_modifiers() {
    // Words that open a phrase of their own (after them, a comma separates two phrases).
    const OPENERS: &[&str] = &[
        "a", "an", "the", "as", "and", "or", "but", "so", "if", "than", "with", "without", "in",
        "into", "on", "onto", "at", "of", "off", "by", "for", "to", "toward", "towards", "from",
        "under", "over", "above", "below", "beneath", "behind", "beside", "between", "beyond",
        "among", "amid", "across", "along", "around", "through", "near", "past", "after", "before",
        "until", "since", "upon", "inside", "outside", "within", "like", "about", "against", "its",
        "his", "her", "their", "my", "our", "your", "it", "they", "them", "this", "that", "these",
        "those", "each", "every", "all", "both", "some", "when", "where", "while", "which", "who",
        "how", "then", "yet", "nor", "not", "up", "down", "out", "away", "back", "together",
        "apart", "aside", "ahead",
    ];
    let mut checked = 0;
    for t in builtin_templates() {
        for seed in ["1", "2"] {
            let recs = records(&[
                "gen",
                "-t",
                &t,
                "--seed",
                seed,
                "-n",
                "150",
                "-d",
                "sd",
                "--max-tokens",
                "225",
                "-f",
                "jsonl",
            ]);
            for r in &recs {
                let prompt = r["prompt"].as_str().unwrap();
                let negative = r["negative_prompt"].as_str().unwrap();
                for tag in sd_terms(prompt).iter().chain(sd_terms(negative).iter()) {
                    assert!(!tag.contains(','), "inner comma in `{tag}`: {prompt}");
                    assert!(!tag.is_empty() && tag.trim() == tag, "`{tag}`: {prompt}");
                }
                for tag in sd_terms(prompt) {
                    let word = words(&tag);
                    let word: Vec<&String> = word
                        .iter()
                        .filter(|w| !["a", "an", "the"].contains(&w.as_str()))
                        .collect();
                    if word.len() != 1 || word[0].ends_with("ing") {
                        continue;
                    }
                    for v in r["slots"].as_object().unwrap().values() {
                        let v = v.as_str().unwrap().to_lowercase();
                        let needle = format!("{}, ", tag.to_lowercase());
                        for (i, _) in v.match_indices(&needle) {
                            let next = v[i + needle.len()..].split(' ').next().unwrap_or("");
                            let starts_word =
                                i == 0 || !v.as_bytes()[i - 1].is_ascii_alphanumeric();
                            assert!(
                                !starts_word || OPENERS.contains(&next),
                                "dangling modifier `{tag}` from `{v}`: {prompt}"
                            );
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 4000, "{checked}");
    // The user's commas are theirs: tag-style input stays tags.
    let r = &records(&[
        "gen",
        "1girl, silver hair, masterpiece",
        "-s",
        "1",
        "-d",
        "sd",
        "-f",
        "jsonl",
    ])[0];
    let terms = sd_terms(r["prompt"].as_str().unwrap());
    assert!(terms.iter().any(|t| t == "silver hair"), "{terms:?}");
    assert!(terms.iter().any(|t| t == "1girl"), "{terms:?}");
}

/// Independent of the library's table: negative terms and positive words that mean the same
/// thing. A negative term never stands beside a positive that asks for it.
const CANCELLED_BY: &[(&str, &[&str])] = &[
    (
        "blurry",
        &[
            "soft focus",
            "motion blur",
            "bokeh",
            "blurred",
            "blur",
            "out of focus",
        ],
    ),
    ("out of focus", &["soft focus", "bokeh", "blurred"]),
    ("photograph", &["photo", "photograph", "photography"]),
    ("photorealistic", &["photo", "photograph"]),
    ("monochrome", &["black and white", "monochrome"]),
    ("grayscale", &["black and white", "grayscale"]),
    ("color", &["colorful", "colourful", "vibrant"]),
    ("painting", &["oil painting", "watercolor", "painterly"]),
    ("illustration", &["illustration", "cartoon", "comic"]),
    ("pixelation", &["pixel art"]),
    ("3d render", &["3d", "cgi"]),
    ("film grain", &["grain", "grainy", "film photo"]),
];

fn check_negative_fits(desc: &str, r: &Value, positive: &str, negative: &[String]) {
    for (term, by) in CANCELLED_BY {
        if negative.iter().any(|n| n.eq_ignore_ascii_case(term)) {
            for w in *by {
                assert!(
                    !shows(positive, w),
                    "`{term}` in the negative beside `{w}` ({desc}): {positive} / {negative:?}"
                );
            }
        }
    }
    // Text the user asks for ("a neon sign reading OPEN") is never negated.
    if ["sign", "lettering", "poster"]
        .iter()
        .any(|w| shows(desc, w))
    {
        assert!(
            !negative.iter().any(|n| n == "text"),
            "{desc}: {negative:?} {r}"
        );
    }
}

#[test]
fn negative_never_cancels_the_positive_over_1000_scenes() {
    let mut scenes = 0;
    let mut runs: Vec<Vec<String>> = builtin_templates()
        .into_iter()
        .map(|t| vec!["-t".to_string(), t, String::new()])
        .collect();
    for desc in [
        "portrait of an old fisherman, soft focus, bokeh",
        "black and white photo of a jazz musician playing saxophone",
        "a neon sign reading OPEN in a rainy alley",
        "a vintage poster with bold lettering",
        "pixel art castle at night",
        "a racing car with motion blur",
        "a dreamy oil painting of a lake",
    ] {
        runs.push(vec![desc.to_string()]);
    }
    for run in &runs {
        let desc = run.last().unwrap().clone();
        for d in ["sd", "midjourney"] {
            let mut args: Vec<&str> = vec!["gen"];
            args.extend(run.iter().map(String::as_str).filter(|a| !a.is_empty()));
            args.extend(["--seed", "21", "-n", "80", "-d", d, "-f", "jsonl"]);
            for r in records(&args) {
                let prompt = r["prompt"].as_str().unwrap();
                let (positive, negative) = if d == "sd" {
                    (
                        sd_terms(prompt).join(", "),
                        sd_terms(r["negative_prompt"].as_str().unwrap()),
                    )
                } else {
                    let (text, _) = prompt.split_once(" --").unwrap();
                    let neg = r["negative_prompt"].as_str().unwrap();
                    (
                        text.to_string(),
                        neg.split(", ")
                            .filter(|n| !n.is_empty())
                            .map(String::from)
                            .collect(),
                    )
                };
                check_negative_fits(&desc, &r, &positive, &negative);
                scenes += 1;
            }
        }
    }
    assert!(scenes >= 2000, "{scenes}");
}

/// `--no` holds only terms Midjourney can act on: never Stable Diffusion's quality and anatomy
/// terms.
#[test]
fn midjourney_no_holds_no_sd_only_terms() {
    const SD_ONLY: &[&str] = &[
        "low quality",
        "worst quality",
        "extra limbs",
        "extra fingers",
        "bad anatomy",
        "deformed",
        "jpeg artifacts",
        "blurry",
        "malformed hands",
        "cross-eyed",
        "low resolution",
        "distorted",
    ];
    let mut with_no = 0;
    for t in builtin_templates() {
        for r in records(&[
            "gen",
            "-t",
            &t,
            "--seed",
            "4",
            "-n",
            "100",
            "-d",
            "midjourney",
            "-f",
            "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let Some((_, no)) = prompt.split_once(" --no ") else {
                continue;
            };
            with_no += 1;
            assert!(!no.contains("--"), "{prompt}");
            for n in no.split(", ") {
                for bad in SD_ONLY {
                    assert!(!shows(n, bad), "`{n}` in --no: {prompt}");
                }
            }
            assert_eq!(
                r["params"]["no"].as_array().unwrap().len(),
                no.split(", ").count()
            );
        }
    }
    assert!(with_no > 1000, "{with_no}");
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/dialects")
        .join(name)
}

/// Prompt, negative, tokens and params of a few scenes in one dialect, as readable text.
fn render_golden(args: &[&str]) -> String {
    let mut out = String::new();
    for r in records(args) {
        out.push_str(&format!("# index {}\n", r["index"]));
        out.push_str(&format!("prompt:   {}\n", r["prompt"].as_str().unwrap()));
        out.push_str(&format!(
            "negative: {}\n",
            r["negative_prompt"].as_str().unwrap()
        ));
        if let Some(t) = r.get("tokens") {
            out.push_str(&format!("tokens:   {t}\n"));
        }
        if let Some(p) = r.get("params") {
            out.push_str(&format!("params:   {p}\n"));
        }
    }
    out
}

fn check_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing; run UPDATE_GOLDEN=1 cargo test --test dialects golden",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from {}; if intended, run UPDATE_GOLDEN=1 cargo test --test dialects golden\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

#[test]
fn golden_outputs_per_dialect() {
    let lib = test_lib();
    for d in DIALECTS {
        let mut args = vec![
            "gen",
            "-t",
            "dialect_test",
            "--no-builtin",
            "--library",
            &lib,
            "-s",
            "42",
            "-n",
            "6",
            "-d",
            d,
            "-f",
            "jsonl",
        ];
        match *d {
            "midjourney" => args.extend(["--mj", "stylize=250", "--mj", "v=7"]),
            "sd" => args.extend(["--max-tokens", "30"]),
            _ => {}
        }
        check_golden(&format!("{d}.txt"), &render_golden(&args));
    }
    // One built-in scene in every dialect (changes with the built-in vocabulary).
    let mut all = String::new();
    for d in DIALECTS {
        all.push_str(&format!("## {d}\n"));
        all.push_str(&render_golden(&[
            "gen",
            "beach sunset",
            "-s",
            "7",
            "-d",
            d,
            "-f",
            "jsonl",
        ]));
    }
    check_golden("builtin.txt", &all);
}

/// The record's aspect, the sd size and midjourney's `--ar` agree: a square composition is
/// 1:1 everywhere, never "16:9" beside 512×512.
#[test]
fn aspect_size_and_ar_agree() {
    let ratio = |a: &str| {
        let (w, h) = a.split_once(':').unwrap();
        w.parse::<f64>().unwrap() / h.parse::<f64>().unwrap()
    };
    for desc in [
        "beach sunset",
        "pencil sketch of a sleeping dog",
        "a lighthouse, square format",
        "a panoramic view of the alps",
        "a tall vertical shot of a waterfall",
        "mountain lake at dawn",
    ] {
        for r in records(&[
            "gen", desc, "--seed", "1", "-n", "25", "-d", "sd", "-f", "jsonl",
        ]) {
            let aspect = r["aspect"].as_str().unwrap();
            let (w, h) = (num(&r["params"], "width"), num(&r["params"], "height"));
            let size = w as f64 / h as f64;
            let want = ratio(aspect);
            assert!(
                (size / want).ln().abs() < 0.25,
                "{desc}: aspect {aspect} but size {w}x{h}"
            );
        }
        for r in records(&[
            "gen",
            desc,
            "--seed",
            "1",
            "-n",
            "25",
            "-d",
            "midjourney",
            "-f",
            "jsonl",
        ]) {
            let aspect = r["aspect"].as_str().unwrap();
            let prompt = r["prompt"].as_str().unwrap();
            assert!(
                prompt.contains(&format!("--ar {aspect} "))
                    || prompt.ends_with(&format!("--ar {aspect}")),
                "{desc}: aspect {aspect}: {prompt}"
            );
        }
    }
    // The user's --mj ar is the record's aspect too.
    let r = &records(&[
        "gen",
        "beach sunset",
        "-d",
        "midjourney",
        "--mj",
        "ar=9:16",
        "-f",
        "jsonl",
    ])[0];
    assert_eq!(r["aspect"], "9:16");
}

/// A busy scene the user asked for never negates clutter or crowds in the negative prompt or
/// `--no`.
#[test]
fn busy_scenes_never_negate_clutter() {
    for desc in [
        "tokyo crossing at night in heavy rain",
        "a crowded night market in bangkok",
        "a busy train station at rush hour",
        "a street parade with dancers and drums",
        "a cluttered antique shop",
    ] {
        for d in ["sd", "midjourney"] {
            for r in records(&[
                "gen", desc, "--seed", "1", "-n", "30", "-d", d, "-f", "jsonl",
            ]) {
                let neg = match d {
                    "sd" => r["negative_prompt"].as_str().unwrap().to_string(),
                    _ => {
                        let p = r["prompt"].as_str().unwrap();
                        p.split(" --no ").nth(1).unwrap_or("").to_string()
                    }
                };
                for term in ["clutter", "busy background", "crowd"] {
                    assert!(!neg.contains(term), "{desc} ({d}): negative {neg:?}");
                }
            }
        }
    }
}

/// sd tags each stand alone: none leans on another for its meaning ("fine grain on rough
/// ones", "its roofs stepping away"); two tags never say the same thing ("photoreal 3D render"
/// and "with photorealistic precision"); and the user's words all stay, the ones that are not
/// the subject right after it ("portrait of a young violinist").
#[test]
fn sd_tags_stand_alone_once_and_keep_the_users_words() {
    for desc in [
        "charcoal drawing of an old fisherman's hands",
        "a castle in the sky",
        "a luxury wristwatch on black marble, studio lighting",
        "a wedding couple walking through a cherry blossom orchard in spring",
        "a village in the alps in winter",
        "a loaf of sourdough bread",
    ] {
        for r in records(&[
            "gen", desc, "--seed", "1", "-n", "40", "-d", "sd", "-f", "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let tags = sd_terms(prompt);
            for t in &tags {
                let w = words(t);
                let first = w.first().map(String::as_str).unwrap_or("");
                // "ones" refers back to a noun of the same tag: "… surfaces and … rough ones".
                let head = w.iter().position(|x| x == "and");
                let ones = w.iter().position(|x| x == "ones");
                assert!(
                    !matches!(first, "its" | "their" | "ones")
                        && ones.is_none_or(|o| head.is_some_and(|h| h < o)),
                    "orphan tag `{t}`: {prompt}"
                );
            }
            let low = prompt.to_lowercase();
            assert!(
                !(low.contains("photoreal 3d render") && low.contains("photorealistic precision")),
                "{prompt}"
            );
        }
    }
    for r in records(&[
        "gen",
        "portrait of a young violinist",
        "--seed",
        "1",
        "-n",
        "40",
        "-d",
        "sd",
        "-f",
        "jsonl",
    ]) {
        let prompt = r["prompt"].as_str().unwrap();
        let tags = sd_weighted(prompt);
        let at = tags
            .iter()
            .position(|(t, _)| t.contains("portrait"))
            .unwrap_or_else(|| panic!("portrait dropped: {prompt}"));
        assert!(tags[at].1 >= 120, "{prompt}");
        assert!(
            tags[..at].iter().all(|(_, w)| *w >= 120),
            "portrait trails drawn tags: {prompt}"
        );
    }
}

/// Midjourney's `--no` is short and says each thing once: at most six terms (each weighs the
/// prompt down by half), never two of a family of near-synonyms (`photograph, photorealistic`,
/// `3d render, cgi`, `illustration, drawing, cartoon`), and the medium is said in the first two
/// sentences of the prose, not left to the end.
#[test]
fn midjourney_no_is_short_and_the_medium_comes_early() {
    const FAMILIES: &[&[&str]] = &[
        &["photograph", "photorealistic"],
        &["3d render", "cgi"],
        &["illustration", "drawing", "cartoon"],
        &["text", "caption", "signature"],
        &["logo", "brand name"],
    ];
    let mut mediums = 0;
    for t in builtin_templates() {
        for r in records(&[
            "gen",
            "-t",
            &t,
            "--seed",
            "6",
            "-n",
            "60",
            "-d",
            "midjourney",
            "-f",
            "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let no: Vec<&str> = prompt
                .split_once(" --no ")
                .map(|(_, no)| no.split(", ").collect())
                .unwrap_or_default();
            assert!(no.len() <= 6, "{prompt}");
            for f in FAMILIES {
                let n = no.iter().filter(|t| f.contains(t)).count();
                assert!(n <= 1, "two of {f:?} in --no: {prompt}");
            }
            let Some(medium) = r["slots"]["medium"].as_str() else {
                continue;
            };
            let text = prompt.split(" --").next().unwrap();
            let sentences: Vec<&str> = text.split(". ").collect();
            if !sentences.iter().any(|s| shows(s, medium)) {
                continue;
            }
            mediums += 1;
            assert!(
                sentences.iter().take(2).any(|s| shows(s, medium)),
                "`{medium}` said late: {prompt}"
            );
        }
    }
    assert!(mediums > 300, "{mediums}");
}

/// What the user says no to goes to `--no` and out of the prose: "a street with no cars" names
/// cars to a model that weighs every word it reads.
#[test]
fn midjourney_said_no_leaves_the_prose() {
    for desc in [
        "an empty street with no cars at dawn",
        "a quiet beach without people at sunrise",
    ] {
        let thing = if desc.contains("cars") {
            "cars"
        } else {
            "people"
        };
        for r in records(&[
            "gen",
            desc,
            "--seed",
            "1",
            "-n",
            "12",
            "-d",
            "midjourney",
            "-f",
            "jsonl",
        ]) {
            let prompt = r["prompt"].as_str().unwrap();
            let (text, no) = prompt.split_once(" --no ").expect("a --no list");
            assert!(no.split(", ").any(|n| n == thing), "{prompt}");
            assert!(!shows(text, &format!("no {thing}")), "{prompt}");
            assert!(!shows(text, &format!("without {thing}")), "{prompt}");
        }
    }
}
