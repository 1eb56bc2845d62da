//! Dynamic syntax in a `--library` folder: entries like `{soft|warm} light` and bodies with
//! `{gently|slowly}`, through the real binary.

mod common;

use common::{fails, fixture, ok};
use serde_json::Value;

const DIALECTS: &[&str] = &["plain", "sd", "sdxl", "midjourney", "dalle", "flux"];

fn records(extra: &[&str]) -> Vec<Value> {
    let lib = fixture("dynamic");
    let mut args = vec!["gen", "-t", "river", "--no-builtin", "--library", &lib];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-f", "jsonl"]);
    ok(&args)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect()
}

#[test]
fn every_dialect_writes_the_same_expansions() {
    let runs: Vec<Vec<Value>> = DIALECTS
        .iter()
        .map(|d| records(&["--seed", "5", "-n", "120", "-d", d]))
        .collect();
    for (d, recs) in DIALECTS.iter().zip(&runs) {
        assert_eq!(recs.len(), 120);
        for (a, b) in runs[0].iter().zip(recs) {
            assert_eq!(a["slots"], b["slots"], "slots differ in dialect {d}");
            let prompt = b["prompt"].as_str().unwrap().to_lowercase();
            assert!(!prompt.contains('|') && !prompt.contains("$$"), "{prompt}");
            // Every slot text is written (sd escapes brackets, midjourney drops nothing here).
            if *d != "sd" && *d != "sdxl" {
                for (_, v) in b["slots"].as_object().unwrap() {
                    let v = v.as_str().unwrap().to_lowercase();
                    assert!(prompt.contains(&v), "{d}: `{v}` not in {prompt}");
                }
            }
        }
    }
    let plain = &runs[0];
    let all: String = plain
        .iter()
        .map(|r| r["prompt"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "soft light",
        "warm light",
        "pale light",
        "light through mist",
        "light through rain",
        "gently moving",
        "slowly moving",
        " drifting by",
        " waiting by",
        "a literal {brace}",
        "a single boat",
        "a lone boat",
    ] {
        assert!(all.contains(want), "never saw `{want}`");
    }
    // A variable set once is used twice consistently.
    for r in plain {
        let d = r["slots"]["detail"].as_str().unwrap_or("");
        if d.contains(" leaves and ") {
            assert!(
                d.contains("amber leaves and amber water")
                    || d.contains("jade leaves and jade water"),
                "{d}"
            );
        }
    }
}

#[test]
fn deterministic_and_index_independent() {
    let a = records(&["--seed", "11", "-n", "80", "-d", "sd"]);
    let b = records(&["--seed", "11", "-n", "80", "-d", "sd"]);
    assert_eq!(a, b);
    for i in [0usize, 33, 79] {
        let one = records(&["--seed", "11", "--index", &i.to_string(), "-d", "sd"]);
        assert_eq!(one[0], a[i]);
    }
    let other = records(&["--seed", "12", "-n", "80", "-d", "sd"]);
    assert_ne!(a, other);
    // The sd token count is that of the expanded text.
    for r in &a {
        let tokens = r["tokens"].as_u64().unwrap();
        assert!(tokens <= 75, "{r}");
    }
}

#[test]
fn bad_syntax_is_a_located_error() {
    let e = fails(&[
        "check",
        "--no-builtin",
        "--library",
        &fixture("bad/dynamic-entry"),
    ]);
    assert!(e.contains("unclosed `{`"), "{e}");
    assert!(e.contains("dynamic-entry/vocab/v.yaml:5:12"), "{e}");
    assert!(e.contains("5 |       - \"a {red|brown fox\""), "{e}");
    assert!(e.contains("  |            ^"), "{e}");
    let e = fails(&[
        "gen",
        "--no-builtin",
        "--library",
        &fixture("bad/dynamic-body"),
    ]);
    assert!(e.contains("weight `x` is not a number"), "{e}");
    assert!(e.contains("dynamic-body/templates/t.yaml:8:26"), "{e}");
    assert!(
        e.contains("8 |     sleeping {3::soundly|x::lightly}."),
        "{e}"
    );
}
