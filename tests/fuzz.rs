//! Issue 17, item 6 ("keep the fuzzer"): seeded property tests over the dynamic parser, the
//! combination counter, the library and wildcard loaders, and `batch --resume`.
//!
//! Every property draws its cases from a ChaCha8 generator with a fixed seed, so a run is the
//! same on every machine and a failure names the case that broke it. The default budget keeps
//! the whole file within a few seconds of `cargo test --release`; for a longer hunt:
//!
//! ```sh
//! PROMPTLOOM_FUZZ_CASES=20000 PROMPTLOOM_FUZZ_SEED=7 cargo test --release --test fuzz
//! ```
//!
//! `PROMPTLOOM_FUZZ_CASES` is the number of cases of each in-process property (the
//! binary-driven resume properties run a tenth as many, at least the default).
//! `PROMPTLOOM_FUZZ_SEED` changes which cases are drawn. Documented in README.md ("Quick
//! start", after "Run the tests").

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use promptloom::dynamic::{Collection, ExpandOptions, Expander, Sampler, Template, ValueOrder};
use promptloom::library::{Library, SourceFile, SourceKind};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use common::bin;

/// Cases per in-process property, unless `PROMPTLOOM_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 300;
/// Cases per binary-driven (resume) property at the default budget.
const DEFAULT_RESUME_CASES: usize = 12;

fn cases() -> usize {
    std::env::var("PROMPTLOOM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn resume_cases() -> usize {
    (cases() / 10).max(DEFAULT_RESUME_CASES)
}

/// A generator for one property: the fixed seed (or `PROMPTLOOM_FUZZ_SEED`) and the
/// property's name, so that properties draw independent cases.
fn rng(property: &str) -> ChaCha8Rng {
    let seed: u64 = std::env::var("PROMPTLOOM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(17);
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    for (i, b) in property.bytes().enumerate() {
        key[8 + i % 24] ^= b;
    }
    ChaCha8Rng::from_seed(key)
}

fn pick<'a, T>(r: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[r.random_range(0..xs.len())]
}

/// Runs `f`, turning a panic into a failure that shows the input.
fn no_panic<T>(what: &str, input: &dyn std::fmt::Debug, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("{what} panicked on {input:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The dynamic parser
// ---------------------------------------------------------------------------------------------

/// Pieces of the dynamic syntax and of text around it, glued at random.
const SYNTAX: &[&str] = &[
    "{",
    "}",
    "|",
    "$$",
    "__",
    "__a__",
    "__b/*__",
    "__*__",
    "${",
    "}",
    "=",
    "=!",
    "$",
    "#",
    "\n",
    "\\",
    "\\{",
    "::",
    "2::",
    "0.5::",
    "-1::",
    "1e309::",
    "{2$$",
    "{1-2$$",
    "{-$$",
    "{0$$",
    "~",
    "@",
    "!",
    "a",
    "b",
    "red",
    "fox",
    " ",
    "\t",
    "é",
    "雪",
    "\u{feff}",
    "\r\n",
    "(",
    ")",
    "<",
    ">",
    "[",
    "]",
    "%",
    "{%",
    "%}",
    "{{",
    "}}",
    "x",
    "1",
    "99999999999999999999",
    "${v=a}",
    "${v}",
    "${v=!{a|b}}",
    "__~a__",
    "__@a__",
    "{~a|b}",
    "{@a|b}",
    "{a|{b|c}}",
];

fn random_syntax(r: &mut ChaCha8Rng, max_pieces: usize) -> String {
    let n = r.random_range(0..=max_pieces);
    let mut s = String::new();
    for _ in 0..n {
        if r.random_ratio(1, 12) {
            // A raw character now and then, control characters included.
            s.push(char::from_u32(r.random_range(0..0x250)).unwrap_or('?'));
        } else {
            let piece: &&str = pick(r, SYNTAX);
            s.push_str(piece);
        }
    }
    s
}

/// A small wildcard folder whose values are themselves random syntax.
fn random_wildcards(r: &mut ChaCha8Rng, dir: &Path) {
    for name in ["a", "b/c", "b/d"] {
        let path = dir.join(format!("{name}.txt"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = String::new();
        for _ in 0..r.random_range(0..4) {
            text.push_str(&random_syntax(r, 4).replace('\n', " "));
            text.push('\n');
        }
        std::fs::write(path, text).unwrap();
    }
}

/// Any text parses, or fails with a diagnostic located inside it; whatever parses expands,
/// counts and validates in every mode without a panic.
#[test]
fn parser_and_expander_never_panic_and_errors_are_located() {
    let mut r = rng("parser");
    let dir = tempfile::tempdir().unwrap();
    random_wildcards(&mut r, dir.path());
    let coll = Collection::load(&[dir.path().to_path_buf()]);
    let empty = Collection::empty();
    let coll = coll.as_ref().unwrap_or(&empty);
    let (mut parsed, mut refused) = (0, 0);
    for case in 0..cases() {
        let text = random_syntax(&mut r, 24);
        let parsed_or = no_panic("Template::parse", &text, || Template::parse(&text, "fuzz"));
        let t = match parsed_or {
            Ok(t) => t,
            Err(promptloom::Error::Dynamic(d)) => {
                refused += 1;
                let lines = text.split('\n').count() as u32;
                assert_eq!(&*d.origin, "fuzz", "case {case}: {text:?}");
                assert!(
                    d.line >= 1 && d.line <= lines,
                    "case {case}: line {} of {lines}: {text:?}",
                    d.line
                );
                let line = text.split('\n').nth(d.line as usize - 1).unwrap_or("");
                assert!(
                    d.column >= 1 && d.column as usize <= line.chars().count() + 1,
                    "case {case}: column {} of {line:?}",
                    d.column
                );
                assert!(!d.message.is_empty(), "case {case}");
                continue;
            }
            Err(e) => panic!("case {case}: a parse error without a location: {e} ({text:?})"),
        };
        parsed += 1;
        for mode in [Sampler::Random, Sampler::Cyclical, Sampler::Combinatorial] {
            for c in [&empty, coll] {
                let opts = ExpandOptions {
                    mode,
                    lenient: case % 2 == 0,
                    ..ExpandOptions::default()
                };
                let ex = Expander::new(&t, c, opts);
                no_panic("expand", &text, || {
                    let _ = ex.validate();
                    let _ = ex.combinations();
                    let _ = ex.count();
                    for i in [0, 1, 7, u64::MAX] {
                        let _ = ex.expand(case as u64, i);
                    }
                });
            }
        }
    }
    // The generator must reach both outcomes, or the property tests nothing.
    assert!(
        parsed > 0 && refused > 0,
        "parsed {parsed}, refused {refused}"
    );
}

// ---------------------------------------------------------------------------------------------
// The counter, against exhaustive enumeration
// ---------------------------------------------------------------------------------------------

/// A small grammar, written out as dynamic syntax and enumerated here independently.
#[derive(Debug, Clone)]
enum G {
    Word(String),
    /// Items separated by single spaces.
    Seq(Vec<G>),
    /// `{a|b|c}`.
    Variant(Vec<G>),
    /// `{k$$a|b|c}` over plain words: ordered selections of k distinct options.
    Multi(usize, Vec<String>),
    /// `__name__`.
    Wild(String),
}

impl G {
    fn write(&self, out: &mut String) {
        match self {
            G::Word(w) => out.push_str(w),
            G::Seq(items) => {
                for (i, g) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    g.write(out);
                }
            }
            G::Variant(opts) => {
                out.push('{');
                for (i, g) in opts.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    g.write(out);
                }
                out.push('}');
            }
            G::Multi(k, opts) => {
                out.push_str(&format!("{{{k}$$"));
                out.push_str(&opts.join("|"));
                out.push('}');
            }
            G::Wild(n) => out.push_str(&format!("__{n}__")),
        }
    }

    fn text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// How many expansions [`G::expansions`] lists (saturating), found without listing them.
    fn size(&self, wild: &BTreeMap<String, Vec<G>>) -> u128 {
        match self {
            G::Word(_) => 1,
            G::Seq(items) => items
                .iter()
                .fold(1u128, |acc, g| acc.saturating_mul(g.size(wild))),
            G::Variant(opts) => opts
                .iter()
                .fold(0u128, |acc, g| acc.saturating_add(g.size(wild))),
            G::Multi(k, opts) => (0..*k).fold(1u128, |acc, i| acc * (opts.len() - i) as u128),
            G::Wild(n) => wild[n]
                .iter()
                .fold(0u128, |acc, g| acc.saturating_add(g.size(wild))),
        }
    }

    /// Every expansion, with repeats (the counter counts choices, not distinct texts).
    fn expansions(&self, wild: &BTreeMap<String, Vec<G>>) -> Vec<String> {
        match self {
            G::Word(w) => vec![w.clone()],
            G::Seq(items) => {
                let mut acc = vec![String::new()];
                for (i, g) in items.iter().enumerate() {
                    let parts = g.expansions(wild);
                    let mut next = Vec::with_capacity(acc.len() * parts.len());
                    for a in &acc {
                        for p in &parts {
                            next.push(if i == 0 {
                                p.clone()
                            } else {
                                format!("{a} {p}")
                            });
                        }
                    }
                    acc = next;
                }
                acc
            }
            G::Variant(opts) => opts.iter().flat_map(|g| g.expansions(wild)).collect(),
            G::Multi(k, opts) => {
                let mut out = Vec::new();
                let mut chosen = Vec::new();
                permutations(opts, *k, &mut chosen, &mut out);
                out
            }
            G::Wild(n) => wild[n].iter().flat_map(|g| g.expansions(wild)).collect(),
        }
    }
}

fn permutations(opts: &[String], k: usize, chosen: &mut Vec<usize>, out: &mut Vec<String>) {
    if chosen.len() == k {
        let words: Vec<&str> = chosen.iter().map(|&i| opts[i].as_str()).collect();
        out.push(words.join(","));
        return;
    }
    for i in 0..opts.len() {
        if !chosen.contains(&i) {
            chosen.push(i);
            permutations(opts, k, chosen, out);
            chosen.pop();
        }
    }
}

const WORDS: &[&str] = &["red", "blue", "fox", "owl", "sea", "sky", "old", "new"];

/// A random grammar of at most `depth` levels; wildcards may name only `wild` (defined
/// earlier, so there is no cycle).
fn random_grammar(r: &mut ChaCha8Rng, depth: u32, wild: &[String]) -> G {
    let leaf = depth == 0 || r.random_ratio(1, 3);
    if leaf {
        return if !wild.is_empty() && r.random_ratio(1, 4) {
            G::Wild(pick(r, wild).clone())
        } else {
            G::Word(pick(r, WORDS).to_string())
        };
    }
    match r.random_range(0..4) {
        0 => G::Seq(
            (0..r.random_range(2..=3))
                .map(|_| random_grammar(r, depth - 1, wild))
                .collect(),
        ),
        1 => {
            let n = r.random_range(2..=4);
            let opts: Vec<String> = (0..n).map(|_| pick(r, WORDS).to_string()).collect();
            G::Multi(r.random_range(1..=n), opts)
        }
        _ => G::Variant(
            (0..r.random_range(1..=3))
                .map(|_| random_grammar(r, depth - 1, wild))
                .collect(),
        ),
    }
}

/// The counter's exact size equals the number of combinations enumerated by hand, and the
/// combinatorial sampler visits exactly those combinations, each once, at indices 0..size.
#[test]
fn the_counter_agrees_with_exhaustive_enumeration() {
    let mut r = rng("counter");
    let n = (cases() / 3).max(1);
    let mut checked = 0;
    for case in 0..n {
        // Wildcards w0, w1, … each with a few values; a value may name an earlier wildcard.
        let dir = tempfile::tempdir().unwrap();
        let mut wild: BTreeMap<String, Vec<G>> = BTreeMap::new();
        let mut names: Vec<String> = Vec::new();
        for w in 0..r.random_range(0..3) {
            let name = format!("w{w}");
            let values: Vec<G> = (0..r.random_range(1..=3))
                .map(|_| random_grammar(&mut r, 2, &names))
                .collect();
            let text: String = values.iter().map(|g| g.text() + "\n").collect();
            std::fs::write(dir.path().join(format!("{name}.txt")), text).unwrap();
            wild.insert(name.clone(), values);
            names.push(name);
        }
        let g = random_grammar(&mut r, 4, &names);
        let text = g.text();
        if g.size(&wild) > 4096 {
            continue;
        }
        let mut want = g.expansions(&wild);
        // The hand enumeration keeps repeated values, so duplicates are kept here too (values
        // are still sorted, the default; the comparison below is of sorted lists).
        let order = ValueOrder {
            sort: true,
            dedup: false,
        };
        let coll = Collection::load_with(&[dir.path().to_path_buf()], order).unwrap();
        let t = Template::parse(&text, "fuzz").unwrap_or_else(|e| panic!("{text}: {e}"));
        let ex = Expander::new(
            &t,
            &coll,
            ExpandOptions {
                mode: Sampler::Combinatorial,
                ..ExpandOptions::default()
            },
        );
        let size = ex.count().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            size.to_string(),
            want.len().to_string(),
            "case {case}: {text} with {wild:?}"
        );
        assert_eq!(ex.combinations().unwrap(), want.len() as u128, "{text}");
        let mut got: Vec<String> = (0..want.len() as u64)
            .map(|i| {
                ex.expand(1, i)
                    .unwrap_or_else(|e| panic!("{text} at {i}: {e}"))
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "case {case}: {text} with {wild:?}");
        checked += 1;
    }
    assert!(
        checked * 2 >= n,
        "only {checked} of {n} grammars were small enough"
    );
}

// ---------------------------------------------------------------------------------------------
// The library and wildcard loaders
// ---------------------------------------------------------------------------------------------

const VOCAB: &str = "\
tags:
  night: [golden-hour]
categories:
  animal:
    description: animals
    tags: [fauna]
    entries:
      - red fox
      - text: snowy owl
        weight: 3
        tags: [night]
        aliases: [owl]
        emphasis: 115
      - \"{young|old} hare\"
  time:
    entries:
      - text: at midnight
        tags: [night]
      - text: at golden hour
        tags: [golden-hour]
axes:
  light:
    categories: [time]
    values:
      dark: { weight: 2, aliases: [night] }
      bright: {}
";

const TEMPLATE: &str = "\
name: t
keywords: [fox, owl]
weight: 2
aspect: \"3:2\"
negative: [blurry]
slots:
  subject: { category: animal, priority: 90 }
  time: { category: time, chance: 50, count: 1-2 }
bodies:
  - \"{{ subject_a | cap }}{% if time %} {{ time }}{% endif %}.\"
  - \"{% for i in range(end=3) %}{{ subject }} {% endfor %}\"
";

/// Fragments that YAML, Tera and the library's own fields treat specially.
const YAMLISH: &[&str] = &[
    "\n",
    "  ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "|\n",
    ">\n",
    "---\n",
    "...\n",
    "?",
    "\t",
    "\u{feff}",
    "~",
    "null",
    "true",
    "1.5",
    "-1",
    "1e309",
    "99999999999999999999",
    "0x10",
    ".nan",
    "weight: ",
    "priority: ",
    "chance: ",
    "count: ",
    "emphasis: ",
    "tags: ",
    "entries:",
    "slots:",
    "bodies:",
    "{{",
    "}}",
    "{%",
    "%}",
    "{% for i in range(end=99) %}",
    "{% endfor %}",
    "{{ subject }}",
    "${x=a}",
    "${x}",
    "__w__",
    "{a|b}",
    "category: animal",
    "category: nope",
    "text: ",
    "with: ",
    "replace: true",
    "<<: *a",
    "é",
    "\r\n",
];

/// `base` with a few random edits: fragments inserted, ranges deleted, bytes replaced.
fn mutate(r: &mut ChaCha8Rng, base: &str) -> Vec<u8> {
    let mut b = base.as_bytes().to_vec();
    for _ in 0..r.random_range(1..=6) {
        let at = r.random_range(0..=b.len());
        match r.random_range(0..5) {
            0 | 1 => {
                let f = pick(r, YAMLISH).as_bytes();
                b.splice(at..at, f.iter().copied());
            }
            2 => {
                let end = (at + r.random_range(0..20)).min(b.len());
                b.drain(at..end);
            }
            3 if at < b.len() => b[at] = r.random_range(0..=255u8),
            _ => {
                let end = (at + r.random_range(0..30)).min(b.len());
                let copy = b[at..end].to_vec();
                let to = r.random_range(0..=b.len());
                b.splice(to..to, copy);
            }
        }
    }
    b
}

/// Random edits of a valid library load, or fail with an error; never a panic, and an error
/// about a file names it.
#[test]
fn the_library_loader_never_panics_on_yaml_ish_bytes() {
    Library::from_sources(vec![
        SourceFile::new("vocab/v.yaml", SourceKind::Vocab, VOCAB),
        SourceFile::new("templates/t.yaml", SourceKind::Template, TEMPLATE),
    ])
    .expect("the unmutated library loads");
    let mut r = rng("loader");
    let (mut ok, mut refused) = (0, 0);
    for case in 0..cases() {
        let (vocab, template) = match r.random_range(0..3) {
            0 => (mutate(&mut r, VOCAB), TEMPLATE.as_bytes().to_vec()),
            1 => (VOCAB.as_bytes().to_vec(), mutate(&mut r, TEMPLATE)),
            _ => (mutate(&mut r, VOCAB), mutate(&mut r, TEMPLATE)),
        };
        // In memory (the loader takes text: invalid UTF-8 is the reader's to refuse) ...
        let v = String::from_utf8_lossy(&vocab).into_owned();
        let t = String::from_utf8_lossy(&template).into_owned();
        let input = (&v, &t);
        let loaded = no_panic("Library::from_sources", &input, || {
            Library::from_sources(vec![
                SourceFile::new("vocab/v.yaml", SourceKind::Vocab, v.clone()),
                SourceFile::new("templates/t.yaml", SourceKind::Template, t.clone()),
            ])
        });
        match loaded {
            Ok(_) => ok += 1,
            Err(e) => {
                refused += 1;
                let m = e.to_string();
                assert!(!m.is_empty(), "case {case}");
                if matches!(
                    e,
                    promptloom::Error::Yaml { .. }
                        | promptloom::Error::Invalid { .. }
                        | promptloom::Error::Tera { .. }
                        | promptloom::Error::UnknownCategory { .. }
                ) {
                    assert!(
                        m.starts_with("vocab/v.yaml") || m.starts_with("templates/t.yaml"),
                        "case {case}: an error that does not say where: {m}\n{input:?}"
                    );
                }
            }
        }
        // ... and from a folder, raw bytes and all, every few cases.
        if case % 8 == 0 {
            let d = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(d.path().join("vocab")).unwrap();
            std::fs::create_dir_all(d.path().join("templates")).unwrap();
            std::fs::write(d.path().join("vocab/v.yaml"), &vocab).unwrap();
            std::fs::write(d.path().join("templates/t.yaml"), &template).unwrap();
            let dirs = [d.path().to_path_buf()];
            let _ = no_panic("Library::load_with", &input, || {
                Library::load_with(false, &dirs)
            });
        }
    }
    assert!(ok > 0 && refused > 0, "loaded {ok}, refused {refused}");
}

const WILDCARD_YAML: &str = "\
colours:
  - red
  - text: \"{deep|pale} blue\"
    weight: 2
  - \"3::green\"
animals:
  big: [bear, __colours__ elk]
  small: [mouse]
";

/// Random edits of wildcard files (text, YAML, JSON) load or fail; never a panic, and what
/// loads expands or fails.
#[test]
fn the_wildcard_loader_never_panics_on_random_files() {
    let mut r = rng("wildcards");
    let n = (cases() / 4).max(1);
    for case in 0..n {
        let d = tempfile::tempdir().unwrap();
        let (name, bytes) = match r.random_range(0..3) {
            0 => ("w.yaml", mutate(&mut r, WILDCARD_YAML)),
            1 => (
                "w.json",
                mutate(
                    &mut r,
                    "{\"colours\": [\"red\", \"2::{a|b}\"], \"x\": {\"y\": [\"z\"]}}",
                ),
            ),
            _ => (
                "w.txt",
                mutate(&mut r, "red\n# note\n2::blue\n{a|b} __w__\n"),
            ),
        };
        std::fs::write(d.path().join(name), &bytes).unwrap();
        let roots = [d.path().to_path_buf()];
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let coll = no_panic("Collection::load", &text, || Collection::load(&roots));
        let Ok(coll) = coll else { continue };
        for template in ["__*__", "__colours__ __animals/*__", "__w__", "{2$$__*__}"] {
            let t = Template::parse(template, "t").unwrap();
            let ex = Expander::new(&t, &coll, ExpandOptions::default());
            no_panic("expand", &(&text, template), || {
                let _ = ex.validate();
                let _ = ex.count();
                let _ = ex.expand(case as u64, 3);
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Resume, through the real binary
// ---------------------------------------------------------------------------------------------

fn batchlib() -> String {
    format!("{}/tests/data/batchlib", env!("CARGO_MANIFEST_DIR"))
}

/// A batch run to resume: its arguments (without `-o`/`--resume`).
#[derive(Debug, Clone)]
struct Run {
    args: Vec<String>,
}

fn random_run(r: &mut ChaCha8Rng, seed: u64) -> Run {
    let format = *pick(r, &["text", "jsonl", "csv"]);
    let mut args: Vec<String> = vec!["batch".into(), "-q".into()];
    let count = r.random_range(1..=40u64).to_string();
    // Text resumes random runs only.
    let modes: &[&str] = if format == "text" {
        &["random"]
    } else {
        &["random", "exhaustive", "unique"]
    };
    if r.random_ratio(1, 3) {
        // Records that span lines and repeat.
        args.extend(["--expand".into(), "{x\ny|z} {a|b|c}".into()]);
    } else {
        args.extend(["-t".into(), "toy".into()]);
    }
    // The small library alone loads fastest.
    args.extend(["--no-builtin".into(), "--library".into(), batchlib()]);
    match *pick(r, modes) {
        "exhaustive" => args.push("--exhaustive".into()),
        "unique" => args.push("--unique".into()),
        _ => {}
    }
    let unique = args.iter().any(|a| a == "--unique");
    let exhaustive = args.iter().any(|a| a == "--exhaustive");
    let count = if unique { "5".to_string() } else { count };
    args.extend(["--seed".into(), seed.to_string(), "-n".into(), count]);
    if !exhaustive && !unique && r.random_ratio(1, 4) {
        args.extend(["--start".into(), r.random_range(0..1000u64).to_string()]);
    }
    if !unique && r.random_ratio(1, 4) {
        args.extend(["--shard".into(), format!("{}/2", r.random_range(1..=2))]);
    }
    args.extend(["-f".into(), format.into()]);
    Run { args }
}

/// Runs the binary; returns whether it succeeded, and its stderr.
fn batch_run(args: &[String], out: &Path, resume: bool) -> (bool, String) {
    let mut c = bin();
    c.args(args).arg("-o").arg(out);
    if resume {
        c.arg("--resume");
    }
    let o = c.output().expect("run promptloom");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A finished set cut at any byte and resumed is the finished set, byte for byte.
#[test]
fn resume_after_random_truncation_gives_the_finished_file() {
    let mut r = rng("resume");
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("set");
    let mut tried = 0;
    for case in 0..resume_cases() {
        let seed = r.random_range(0..1000);
        let run = random_run(&mut r, seed);
        let (ok, err) = batch_run(&run.args, &f, false);
        if !ok {
            // e.g. an exhaustive run whose visited positions are all incoherent.
            assert!(!err.contains("panicked"), "{err}");
            continue;
        }
        let full = std::fs::read(&f).unwrap();
        for _ in 0..3 {
            let cut = r.random_range(0..=full.len());
            std::fs::write(&f, &full[..cut]).unwrap();
            let (ok, err) = batch_run(&run.args, &f, true);
            assert!(
                ok,
                "case {case}: cut at {cut} of {}: {err}\n{run:?}",
                full.len()
            );
            let now = std::fs::read(&f).unwrap();
            assert!(
                now == full,
                "case {case}: cut at {cut} of {} resumed to {} bytes\n{run:?}",
                full.len(),
                now.len()
            );
            tried += 1;
        }
    }
    assert!(tried > 0);
}

/// Bytes that are not a set of this run are refused, and the file is left as it was.
#[test]
fn resume_refuses_foreign_files_untouched() {
    let mut r = rng("foreign");
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("set");
    let mut refused = 0;
    for case in 0..resume_cases() * 2 {
        let seed = r.random_range(0..1000);
        let run = random_run(&mut r, seed);
        let random_mode = !run
            .args
            .iter()
            .any(|a| a == "--exhaustive" || a == "--unique");
        let (ok, _) = batch_run(&run.args, &f, false);
        if !ok {
            continue;
        }
        let full = std::fs::read(&f).unwrap();
        let foreign: Vec<u8> = match r.random_range(0..5) {
            // Random bytes (random runs only: an exhaustive run may take a short tail for the
            // start of any of its next 4,096 records).
            0 if random_mode => (0..r.random_range(1..600))
                .map(|_| *pick(&mut r, b"ab {}\"\n\r,:0123456789\xc3\xa9\xff\x1b"))
                .collect(),
            // The same run with another seed.
            1 => {
                let mut other = run.args.clone();
                let at = other.iter().position(|a| a == "--seed").unwrap() + 1;
                let seed: u64 = other[at].parse().unwrap();
                other[at] = (seed + 1 + r.random_range(0..1000u64)).to_string();
                let (ok, _) = batch_run(&other, &f, false);
                if !ok {
                    continue;
                }
                std::fs::read(&f).unwrap()
            }
            // The finished set with one byte changed (not into the start of a torn record).
            2 if full.len() > 1 => {
                let mut b = full.clone();
                let at = r.random_range(0..b.len() - 1);
                b[at] = if b[at] == b'#' { b'%' } else { b'#' };
                b
            }
            // A notes file with no final newline, or one with lines.
            3 => {
                let mut b = b"notes: do not delete".to_vec();
                if r.random_ratio(1, 2) {
                    b.extend_from_slice(b"\nsecond line\n");
                }
                b
            }
            // Part of the set, then text that is not the next record.
            _ => {
                let cut = r.random_range(0..=full.len());
                let mut b = full[..cut].to_vec();
                b.extend_from_slice(b"#garbage");
                if r.random_ratio(1, 2) {
                    b.push(b'\n');
                }
                b
            }
        };
        // A foreign file that happens to be the start of this run's set is not foreign.
        if foreign.is_empty() || full.starts_with(&foreign) {
            continue;
        }
        std::fs::write(&f, &foreign).unwrap();
        let (ok, err) = batch_run(&run.args, &f, true);
        assert!(
            !ok,
            "case {case}: a foreign file was accepted\n{run:?}\n{foreign:?}"
        );
        assert!(err.contains("cannot resume"), "case {case}: {err}");
        assert!(!err.contains("panicked"), "case {case}: {err}");
        assert_eq!(
            std::fs::read(&f).unwrap(),
            foreign,
            "case {case}: a refused file was changed\n{run:?}"
        );
        refused += 1;
    }
    assert!(refused > 0);
}
