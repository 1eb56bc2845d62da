//! `promptloom gen` through the real binary: golden outputs, reproducibility, record shape.

mod common;
use common::{bin, fixture, golden, ok, run};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn mini(extra: &[&str]) -> String {
    let lib = fixture("mini");
    let mut args = vec!["gen", "--no-builtin", "--library", &lib];
    args.extend_from_slice(extra);
    ok(&args)
}

#[test]
fn golden_mini_library() {
    // The engine on a small, frozen library: pins matching, pinning, coherence and rendering.
    let mut all = String::new();
    for desc in [
        "harbour at night",
        "a snowy harbour",
        "two cats playing chess",
        "",
    ] {
        all.push_str(&format!("## {desc:?}\n"));
        all.push_str(&mini(&[desc, "--seed", "3", "-n", "4"]));
    }
    golden("mini-gen.txt", &all);
}

#[test]
fn golden_mini_jsonl() {
    golden(
        "mini-gen.jsonl",
        &mini(&[
            "harbour at night",
            "--seed",
            "9",
            "-n",
            "3",
            "--format",
            "jsonl",
        ]),
    );
}

#[test]
fn golden_builtin_library() {
    // The product: the built-in library. A change here is a change users see.
    let mut all = String::new();
    for desc in ["beach sunset", "a fox in the snow", "rainy city street", ""] {
        all.push_str(&format!("## {desc:?}\n"));
        all.push_str(&ok(&["gen", desc, "--seed", "1", "-n", "3"]));
    }
    golden("builtin-gen.txt", &all);
}

#[test]
fn a_bare_description_means_gen() {
    assert_eq!(
        ok(&["beach sunset", "--seed", "5"]),
        ok(&["gen", "beach sunset", "--seed", "5"])
    );
}

#[test]
fn same_seed_same_bytes_across_runs() {
    let a = ok(&[
        "gen",
        "mountain lake at dawn",
        "--seed",
        "77",
        "-n",
        "20",
        "--format",
        "jsonl",
    ]);
    let b = ok(&[
        "gen",
        "mountain lake at dawn",
        "--seed",
        "77",
        "-n",
        "20",
        "--format",
        "jsonl",
    ]);
    assert_eq!(a, b);
    let c = ok(&[
        "gen",
        "mountain lake at dawn",
        "--seed",
        "78",
        "-n",
        "20",
        "--format",
        "jsonl",
    ]);
    assert_ne!(a, c);
}

#[test]
fn each_index_regenerates_alone() {
    let run = ok(&[
        "gen",
        "a tiger in the jungle",
        "--seed",
        "4",
        "-n",
        "12",
        "--index",
        "100",
    ]);
    let lines: Vec<&str> = run.lines().collect();
    assert_eq!(lines.len(), 12);
    for (k, line) in lines.iter().enumerate() {
        let i = (100 + k).to_string();
        let alone = ok(&["gen", "a tiger in the jungle", "--seed", "4", "--index", &i]);
        assert_eq!(alone.trim_end(), *line, "index {i}");
    }
}

#[test]
fn records_carry_provenance_in_order() {
    let out = ok(&[
        "gen",
        "beach sunset",
        "--seed",
        "7",
        "-n",
        "2",
        "--format",
        "jsonl",
    ]);
    let keys = [
        "\"prompt\":",
        "\"negative_prompt\":",
        "\"seed\":7",
        "\"index\":",
        "\"template\":",
        "\"slots\":",
        "\"library\":",
    ];
    for line in out.lines() {
        let mut at = 0;
        for k in keys {
            let pos = line[at..]
                .find(k)
                .unwrap_or_else(|| panic!("{k} missing or out of order in {line}"));
            at += pos;
        }
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["slots"]["subject"].is_string(), "{line}");
        assert_eq!(v["library"].as_str().unwrap().len(), 16);
    }
    let json = ok(&[
        "gen",
        "beach sunset",
        "--seed",
        "7",
        "-n",
        "2",
        "--format",
        "json",
    ]);
    let arr: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(arr.as_array().unwrap().len(), 2);
}

#[test]
fn without_seed_a_fresh_one_is_reported() {
    let (okk, out, err) = run(&["gen", "beach sunset"]);
    assert!(okk);
    let seed: String = err
        .strip_prefix("seed: ")
        .and_then(|r| r.split_whitespace().next())
        .expect("seed reported on stderr")
        .to_string();
    assert_eq!(out, ok(&["gen", "beach sunset", "--seed", &seed]));
    let (_, json, err) = run(&["gen", "beach sunset", "--format", "jsonl"]);
    assert!(err.is_empty(), "json mode keeps stderr clean: {err}");
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert!(v["seed"].is_u64());
}

#[test]
fn explain_says_why() {
    let (okk, _, err) = run(&[
        "gen",
        "harbour at night",
        "--seed",
        "1",
        "--explain",
        "--no-builtin",
        "--library",
        &fixture("mini"),
    ]);
    assert!(okk);
    assert!(err.contains("template `harbour`"), "{err}");
    assert!(
        err.contains("pinned `time` ← \"at night under the stars\""),
        "{err}"
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    let mut child = bin()
        .args(["gen", "-n", "100000", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe closes while promptloom is still writing.
    let out = child.wait_with_output().unwrap();
    assert!(!first.is_empty());
    assert!(out.status.success(), "exit status {:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_teaches_with_examples() {
    let top = ok(&["--help"]);
    assert!(top.contains("Examples:") && top.contains("promptloom \"beach sunset\""));
    let g = ok(&["gen", "--help"]);
    assert!(g.contains("--seed") && g.contains("--explain") && g.contains("Examples:"));
}

#[test]
fn listing_commands() {
    let t = ok(&["templates"]);
    assert!(t.contains("coast"));
    let v = ok(&["vocab"]);
    assert!(v.contains("time_of_day") && v.contains("entries"));
    let one = ok(&["vocab", "time_of_day"]);
    assert!(one.lines().count() > 3);
    let (okk, out, _) = run(&["check"]);
    assert!(okk, "built-in library passes check");
    assert!(out.contains("templates"), "{out}");
}

#[test]
fn user_library_layers_over_builtin() {
    let lib = fixture("mini");
    let t = ok(&["templates", "--library", &lib]);
    assert!(t.contains("coast") && t.contains("harbour"), "{t}");
    let out = ok(&[
        "gen",
        "--template",
        "harbour",
        "--library",
        &lib,
        "--seed",
        "2",
    ]);
    assert!(
        out.contains("harbour") || out.contains("lighthouse") || out.contains("bridge"),
        "{out}"
    );
}

#[test]
fn a_tag_list_keeps_its_rating_tags_at_the_end_and_its_first_tag_as_subject() {
    let tags = "1girl, solo, long silver hair, school uniform, masterpiece, best quality";
    for seed in ["1", "2", "3"] {
        let plain = ok(&["gen", tags, "--seed", seed]);
        assert!(
            plain.trim_end().ends_with("Masterpiece, best quality."),
            "{plain}"
        );
        assert_eq!(
            plain.matches("masterpiece").count() + plain.matches("Masterpiece").count(),
            1,
            "{plain}"
        );
        let (_, _, explain) = run(&["gen", tags, "--seed", seed, "--explain"]);
        assert!(explain.contains("template `portrait`"), "{explain}");
        // sd: the rating tags stay tags, right after the subject's.
        let sd = ok(&["gen", tags, "--seed", seed, "-d", "sd"]);
        assert!(
            sd.contains("(school uniform:1.2), masterpiece, best quality,"),
            "{sd}"
        );
    }
}

/// A user library rewords the built-in bodies' connecting words by redefining a frame: every
/// mood clause of the built-in coast template then opens with its one phrasing.
#[test]
fn a_user_frame_rewords_the_builtin_bodies() {
    let lib = fixture("frames");
    let prompts: Vec<String> = (0..30)
        .map(|s| {
            ok(&[
                "gen",
                "-t",
                "coast",
                "--library",
                &lib,
                "--seed",
                &s.to_string(),
            ])
        })
        .collect();
    let reworded = prompts
        .iter()
        .filter(|p| p.to_lowercase().contains("the feeling, put plainly, is"))
        .count();
    assert!(reworded > 10, "{reworded}/30");
    for p in &prompts {
        for builtin in [
            "The mood is",
            "the mood is",
            "The tone is",
            "in spirit it is",
        ] {
            assert!(!p.contains(builtin), "{p}");
        }
    }
}
