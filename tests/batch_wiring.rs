//! `batch` wired to the other engines: `--expand` sources (dynamic syntax with wildcard folders)
//! and `--dialect`, checked against `promptloom expand` and `promptloom gen` record by record,
//! and `replay` regenerating both kinds of record.

mod common;

use std::path::PathBuf;

use common::{fails, ok, run};

const TEMPLATE: &str = "__subject__ in {soft|hard|neon} light, {2$$ and $$__style__|sketch|ink}";

/// A small wildcard folder in a fresh temporary directory.
fn wildcards(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promptloom-wiring-{}-{name}", std::process::id()));
    let w = dir.join("wildcards");
    std::fs::create_dir_all(&w).unwrap();
    std::fs::write(
        w.join("subject.txt"),
        "a fox\na lighthouse\na robot\nan owl\n",
    )
    .unwrap();
    std::fs::write(w.join("style.txt"), "ukiyo-e\nbaroque\nart nouveau\n").unwrap();
    std::fs::write(dir.join("t.txt"), format!("{TEMPLATE}\n")).unwrap();
    dir
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

#[test]
fn expand_source_records_equal_expand_records() {
    let d = wildcards("equal");
    let w = d.join("wildcards").display().to_string();
    let batch = ok(&[
        "batch", "--expand", TEMPLATE, "-w", &w, "-n", "40", "--start", "5", "--seed", "42", "-f",
        "jsonl", "-q",
    ]);
    let lines: Vec<&str> = batch.lines().collect();
    assert_eq!(lines.len(), 40);
    let mut distinct = std::collections::BTreeSet::new();
    for (k, line) in lines.iter().enumerate() {
        let i = 5 + k as u64;
        let b = json(line);
        let e = ok(&[
            "expand",
            TEMPLATE,
            "-w",
            &w,
            "--seed",
            "42",
            "--index",
            &i.to_string(),
            "--format",
            "jsonl",
        ]);
        let e = json(e.trim_end());
        for f in ["prompt", "seed", "index", "template"] {
            assert_eq!(b[f], e[f], "index {i}: field {f}");
        }
        assert_eq!(b["dialect"], "plain");
        assert!(b["source"].as_str().unwrap().starts_with("expand:{"));
        distinct.insert(b["prompt"].as_str().unwrap().to_string());
    }
    assert!(distinct.len() > 10, "prompts vary: {distinct:?}");
    // Text output is byte-identical to `expand`, from a file or inline.
    let file = d.join("t.txt").display().to_string();
    let text = ok(&[
        "batch", "--file", &file, "-w", &w, "-n", "300", "--seed", "9", "-q",
    ]);
    let want = ok(&[
        "expand", "--file", &file, "-w", &w, "-n", "300", "--seed", "9",
    ]);
    assert_eq!(text, want);
}

#[test]
fn expand_source_exhaustive_unique_space_and_pairwise() {
    let d = wildcards("exhaustive");
    let w = d.join("wildcards").display().to_string();
    let space = ok(&["space", "--expand", TEMPLATE, "-w", &w]);
    let count = ok(&["expand", TEMPLATE, "-w", &w, "--count"]);
    assert_eq!(space, format!("combinations: {count}"));
    let n: usize = count.trim().parse().unwrap();
    let all = ok(&[
        "batch",
        "--expand",
        TEMPLATE,
        "-w",
        &w,
        "--exhaustive",
        "--seed",
        "3",
        "-q",
    ]);
    let mut got: Vec<&str> = all.lines().collect();
    assert_eq!(got.len(), n);
    got.sort();
    let mut want: Vec<String> = ok(&["expand", TEMPLATE, "-w", &w, "--combinatorial"])
        .lines()
        .map(str::to_string)
        .collect();
    want.sort();
    assert_eq!(got, want, "exhaustive = every combination once");
    // A seeded order, not the odometer.
    let odometer = ok(&["expand", TEMPLATE, "-w", &w, "--combinatorial"]);
    assert_ne!(all, odometer);

    let uniq = ok(&[
        "batch", "--expand", TEMPLATE, "-w", &w, "--unique", "-n", "50", "--seed", "3", "-q",
    ]);
    let set: std::collections::BTreeSet<&str> = uniq.lines().collect();
    assert_eq!(set.len(), 50);
    assert_eq!(uniq.lines().count(), 50);

    let too_many = (n + 1).to_string();
    let err = fails(&[
        "batch", "--expand", TEMPLATE, "-w", &w, "--unique", "-n", &too_many, "--seed", "3",
    ]);
    assert!(err.contains(&count.trim().to_string()), "{err}");
    let err = fails(&[
        "batch",
        "--expand",
        TEMPLATE,
        "-w",
        &w,
        "--pairwise",
        "--seed",
        "3",
    ]);
    assert!(err.contains("--exhaustive and --unique"), "{err}");
    let err = fails(&[
        "batch",
        "--expand",
        TEMPLATE,
        "-w",
        &w,
        "-n",
        "2",
        "--seed",
        "1",
        "--dialect",
        "sd",
    ]);
    assert!(err.contains("already text"), "{err}");
    let err = fails(&[
        "batch", "--expand", "__nope__", "-w", &w, "-n", "2", "--seed", "1",
    ]);
    assert!(err.contains("unknown wildcard"), "{err}");
}

#[test]
fn replay_regenerates_expand_records_and_notices_changed_wildcards() {
    let d = wildcards("replay");
    let w = d.join("wildcards").display().to_string();
    let file = d.join("set.jsonl");
    let out = file.display().to_string();
    for extra in [&[][..], &["--exhaustive"][..]] {
        let mut args = vec![
            "batch", "--expand", TEMPLATE, "-w", &w, "-n", "200", "--seed", "8", "-f", "jsonl",
            "-o", &out, "-q",
        ];
        args.extend_from_slice(extra);
        ok(&args);
        // Replay reads only the wildcard folders it is allowed.
        let (good, _, err) = run(&["replay", &out]);
        assert!(!good && err.contains("not allowed"), "{err}");
        let (good, _, err) = run(&["replay", &out, "-w", &w]);
        assert!(good, "{err}");
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(lines > 100, "{extra:?}: {lines} records");
        assert!(err.contains(&format!("all {lines} records")), "{err}");
    }
    // Same text, different wildcard file: replay names the cause.
    std::fs::write(
        d.join("wildcards/style.txt"),
        "ukiyo-e\nbaroque\nart deco\n",
    )
    .unwrap();
    let (good, _, err) = run(&["replay", &out, "-w", &w]);
    assert!(!good);
    assert!(err.contains("wildcard files changed"), "{err}");
}

#[test]
fn dialect_batch_equals_gen_in_text_and_jsonl() {
    for dialect in ["sd", "sdxl", "midjourney", "dalle", "flux", "plain"] {
        let batch = ok(&[
            "batch",
            "-t",
            "coast",
            "--dialect",
            dialect,
            "-n",
            "30",
            "--start",
            "7",
            "--seed",
            "5",
            "-f",
            "jsonl",
            "-q",
        ]);
        let gen_out = ok(&[
            "gen",
            "--template",
            "coast",
            "--dialect",
            dialect,
            "--seed",
            "5",
            "--index",
            "7",
            "-n",
            "30",
            "--format",
            "jsonl",
        ]);
        assert_eq!(batch, gen_out, "dialect {dialect}: jsonl");
        assert!(batch.contains(&format!("\"dialect\":\"{dialect}\"")));
        let batch = ok(&[
            "batch",
            "-t",
            "coast",
            "--dialect",
            dialect,
            "-n",
            "30",
            "--start",
            "7",
            "--seed",
            "5",
            "-q",
        ]);
        let gen_out = ok(&[
            "gen",
            "--template",
            "coast",
            "--dialect",
            dialect,
            "--seed",
            "5",
            "--index",
            "7",
            "-n",
            "30",
        ]);
        assert_eq!(batch, gen_out, "dialect {dialect}: text");
    }
    // Dialect options and the token prefix go through too.
    for extra in [
        &["--dialect", "sd", "--max-tokens", "30", "--tokens"][..],
        &[
            "--dialect",
            "midjourney",
            "--mj",
            "stylize=250",
            "--mj",
            "v=7",
        ][..],
        &["--dialect", "dalle", "--model", "dall-e-2", "--tokens"][..],
    ] {
        let mut b = vec![
            "batch",
            "--describe",
            "beach sunset",
            "-n",
            "20",
            "--seed",
            "2",
            "-q",
        ];
        b.extend_from_slice(extra);
        let mut g = vec!["gen", "beach sunset", "-n", "20", "--seed", "2"];
        g.extend_from_slice(extra);
        assert_eq!(ok(&b), ok(&g), "{extra:?}");
    }
}

#[test]
fn replay_uses_each_records_dialect_and_params() {
    let d = wildcards("dialect-replay");
    let file = d.join("mixed.jsonl");
    let mut all = String::new();
    for extra in [
        &["--dialect", "sd", "--max-tokens", "40"][..],
        &[
            "--dialect",
            "midjourney",
            "--mj",
            "chaos=20",
            "--mj",
            "style=raw",
        ][..],
        &["--dialect", "dalle", "--model", "dall-e-2"][..],
        &["--dialect", "flux", "--tokens"][..],
    ] {
        let mut b = vec![
            "batch", "-t", "coast", "-n", "50", "--seed", "4", "-f", "jsonl", "-q",
        ];
        b.extend_from_slice(extra);
        all.push_str(&ok(&b));
    }
    // gen records carry a source too, so they replay on their own.
    all.push_str(&ok(&[
        "gen",
        "fox in the snow",
        "--seed",
        "3",
        "-f",
        "jsonl",
        "-d",
        "sdxl",
    ]));
    std::fs::write(&file, &all).unwrap();
    let out = file.display().to_string();
    let (good, _, err) = run(&["replay", &out]);
    assert!(good, "{err}");
    assert!(err.contains("all 201 records"), "{err}");
    // A record whose params were edited no longer regenerates.
    let edited = all.replacen("\"chaos\":20", "\"chaos\":21", 1);
    assert_ne!(edited, all);
    std::fs::write(&file, edited).unwrap();
    let (good, _, err) = run(&["replay", &out]);
    assert!(!good);
    assert!(err.contains("1 of 201"), "{err}");
}

#[test]
fn resume_refuses_another_dialect() {
    let d = wildcards("resume-dialect");
    let file = d.join("sd.jsonl");
    let out = file.display().to_string();
    ok(&[
        "batch",
        "-t",
        "coast",
        "--dialect",
        "sd",
        "-n",
        "20",
        "--seed",
        "1",
        "-f",
        "jsonl",
        "-o",
        &out,
        "-q",
    ]);
    let before = std::fs::read(&file).unwrap();
    let err = fails(&[
        "batch",
        "-t",
        "coast",
        "--dialect",
        "sdxl",
        "-n",
        "40",
        "--seed",
        "1",
        "-f",
        "jsonl",
        "-o",
        &out,
        "--resume",
        "-q",
    ]);
    assert!(err.contains("dialect sd"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // Text with --tokens resumes against the same lines.
    let t = d.join("tokens.txt");
    let tout = t.display().to_string();
    let args = |n: &'static str| {
        vec![
            "batch".to_string(),
            "-t".into(),
            "coast".into(),
            "--dialect".into(),
            "sd".into(),
            "--tokens".into(),
            "-n".into(),
            n.into(),
            "--seed".into(),
            "1".into(),
            "-o".into(),
            tout.clone(),
            "-q".into(),
            "--resume".into(),
        ]
    };
    let a10 = args("10");
    ok(&a10.iter().map(String::as_str).collect::<Vec<_>>());
    let a30 = args("30");
    ok(&a30.iter().map(String::as_str).collect::<Vec<_>>());
    let whole = ok(&[
        "gen",
        "-t",
        "coast",
        "--dialect",
        "sd",
        "--tokens",
        "-n",
        "30",
        "--seed",
        "1",
    ]);
    assert_eq!(std::fs::read_to_string(&t).unwrap(), whole);
}
