//! `promptloom batch`, `space` and `replay`, run through the real binary against a small test
//! library (tests/data/batchlib), so the checks do not depend on the built-in vocabulary's wording.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

use proptest::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_promptloom");

fn lib() -> String {
    format!("{}/tests/data/batchlib", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn ok(args: &[&str]) -> Vec<u8> {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn fails(args: &[&str]) -> String {
    let o = run(args);
    assert!(!o.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn toy(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["batch", "-t", "toy", "--library", &lib(), "-q"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "promptloom-batch-{}-{name}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn file(&self, n: &str) -> String {
        self.0.join(n).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn batch_records_equal_gen_records() {
    let l = lib();
    for fmt in ["text", "jsonl"] {
        let b = ok(&[
            "batch", "-t", "coast", "-n", "5", "--seed", "9", "--start", "3", "-f", fmt,
        ]);
        let g = ok(&[
            "gen", "-t", "coast", "-n", "5", "--seed", "9", "--index", "3", "-f", fmt,
        ]);
        // Both carry the same provenance `source`, so the records are byte-identical.
        assert_eq!(b, g);
        if fmt == "jsonl" {
            assert!(
                String::from_utf8(b)
                    .unwrap()
                    .contains(",\"source\":\"template:coast\"}")
            );
        }
    }
    let b = ok(&[
        "batch",
        "--describe",
        "an owl at noon",
        "--library",
        &l,
        "-n",
        "4",
        "--seed",
        "2",
    ]);
    let g = ok(&[
        "gen",
        "an owl at noon",
        "--library",
        &l,
        "-n",
        "4",
        "--seed",
        "2",
    ]);
    assert_eq!(b, g);
}

#[test]
fn parallel_output_equals_serial_byte_for_byte() {
    for fmt in ["text", "jsonl", "csv"] {
        let base = [
            "batch", "-t", "coast", "-n", "2600", "--seed", "5", "-f", fmt, "-q",
        ];
        let one = ok(&[&base[..], &["-j", "1"]].concat());
        let two = ok(&[&base[..], &["-j", "2"]].concat());
        let three = ok(&[&base[..], &["-j", "3"]].concat());
        assert!(!one.is_empty());
        assert_eq!(one, two, "{fmt}: -j 2 differs");
        assert_eq!(one, three, "{fmt}: -j 3 differs");
    }
}

#[test]
fn shards_concatenate_to_the_full_run() {
    for fmt in ["text", "jsonl"] {
        let full = ok(&refs(&toy(&[
            "-n", "47", "--seed", "3", "-f", fmt, "--start", "5",
        ])));
        for n in [1u32, 2, 3, 5] {
            let mut cat = Vec::new();
            for k in 1..=n {
                let shard = format!("{k}/{n}");
                cat.extend(ok(&refs(&toy(&[
                    "-n", "47", "--seed", "3", "-f", fmt, "--start", "5", "--shard", &shard,
                ]))));
            }
            assert_eq!(cat, full, "{fmt} in {n} shards");
        }
    }
    // Exhaustive runs shard by position the same way.
    let full = ok(&refs(&toy(&["--exhaustive", "--seed", "4", "-f", "jsonl"])));
    let mut cat = Vec::new();
    for k in 1..=4 {
        let shard = format!("{k}/4");
        cat.extend(ok(&refs(&toy(&[
            "--exhaustive",
            "--seed",
            "4",
            "-f",
            "jsonl",
            "--shard",
            &shard,
        ]))));
    }
    assert_eq!(cat, full);
}

#[test]
fn csv_survives_a_standard_reader() {
    let text = ok(&refs(&toy(&["-n", "40", "--seed", "8"])));
    let csv_bytes = ok(&refs(&toy(&["-n", "40", "--seed", "8", "-f", "csv"])));
    let mut rd = csv::Reader::from_reader(csv_bytes.as_slice());
    let headers = rd.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["seed", "index", "template", "prompt", "negative_prompt"]
    );
    let prompts: Vec<String> = rd
        .records()
        .map(|r| r.unwrap().get(3).unwrap().to_string())
        .collect();
    let lines: Vec<String> = String::from_utf8(text)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(prompts, lines);
    // The toy vocabulary puts commas and quotes into prompts.
    assert!(prompts.iter().any(|p| p.contains('"')));
    assert!(prompts.iter().any(|p| p.contains(',')));
}

#[test]
fn unique_never_duplicates_and_refuses_beyond_the_space() {
    // toy: 3 animals × (time, light) pairs that fit [noon: none/sun/diffuse, midnight:
    // none/diffuse, morning: 3] = 8 × C(4,2) = 6 extras × 2 bodies = 288 coherent scenes.
    let coherent = 3 * 8 * 6 * 2;
    let out = ok(&refs(&toy(&[
        "--unique",
        "-n",
        &coherent.to_string(),
        "--seed",
        "6",
    ])));
    let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
    assert_eq!(lines.len(), coherent);
    assert_eq!(lines.iter().collect::<BTreeSet<_>>().len(), coherent);

    let dir = TempDir::new("unique");
    let f = dir.file("keep.txt");
    std::fs::write(&f, "precious\n").unwrap();
    let more = (coherent + 1).to_string();
    let err = fails(&refs(&toy(&[
        "--unique", "-n", &more, "--seed", "6", "-o", &f,
    ])));
    assert!(err.contains("288"), "{err}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "precious\n");
    let err = fails(&refs(&toy(&["--unique", "-n", "100000", "--seed", "6"])));
    assert!(err.contains("324"), "raw space named: {err}");
}

fn toy_slot_entries() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("subject", vec!["fox", "owl", "heron, standing still"]),
        ("time", vec!["at noon", "at midnight", "in the morning"]),
        (
            "light",
            vec!["under a blazing sun", "soft \"diffuse\" light"],
        ),
        ("extra", vec!["moss", "ferns", "stones", "a stream"]),
    ])
}

#[test]
fn exhaustive_covers_a_small_space_exactly_once() {
    let out = ok(&refs(&toy(&[
        "--exhaustive",
        "--seed",
        "11",
        "-f",
        "jsonl",
    ])));
    let recs = json_lines(&out);
    let combos: Vec<String> = recs.iter().map(|r| r["slots"].to_string()).collect();
    let distinct: BTreeSet<&String> = combos.iter().collect();
    // Each slot combination appears once per body (2 bodies), and 144 combinations are coherent.
    assert_eq!(distinct.len(), 3 * 8 * 6);
    for c in &distinct {
        assert_eq!(combos.iter().filter(|x| x == c).count(), 2, "{c}");
    }
    let prompts: BTreeSet<&str> = recs.iter().map(|r| r["prompt"].as_str().unwrap()).collect();
    assert_eq!(prompts.len(), recs.len());
    // Never an incoherent scene: midnight never meets the blazing sun.
    assert!(
        recs.iter().all(|r| !(r["slots"]["time"] == "at midnight"
            && r["slots"]["light"] == "under a blazing sun"))
    );
    // A different seed gives a different order of the same set.
    let other = ok(&refs(&toy(&[
        "--exhaustive",
        "--seed",
        "12",
        "-f",
        "jsonl",
    ])));
    let other_prompts: Vec<String> = json_lines(&other)
        .iter()
        .map(|r| r["prompt"].as_str().unwrap().to_string())
        .collect();
    let mine: Vec<String> = recs
        .iter()
        .map(|r| r["prompt"].as_str().unwrap().to_string())
        .collect();
    assert_ne!(other_prompts, mine);
    assert_eq!(
        other_prompts.iter().collect::<BTreeSet<_>>(),
        mine.iter().collect::<BTreeSet<_>>()
    );
}

#[test]
fn pairwise_covers_every_pair() {
    let out = ok(&refs(&toy(&["--pairwise", "--seed", "2", "-f", "jsonl"])));
    let recs = json_lines(&out);
    let slots = toy_slot_entries();
    // The values of a slot in a record: the entries its text shows ("" for an empty slot).
    let values = |r: &serde_json::Value, slot: &str| -> Vec<String> {
        let text = r["slots"][slot].as_str().unwrap_or("");
        if text.is_empty() {
            return vec![String::new()];
        }
        slots[slot]
            .iter()
            .filter(|e| {
                text.split(" and ")
                    .flat_map(|p| p.split(", "))
                    .any(|p| p == **e)
                    || text == **e
            })
            .map(|e| e.to_string())
            .collect()
    };
    let names: Vec<&str> = slots.keys().copied().collect();
    let mut want = 0;
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let mut av: Vec<String> = slots[a].iter().map(|s| s.to_string()).collect();
            let mut bv: Vec<String> = slots[b].iter().map(|s| s.to_string()).collect();
            if *a == "light" {
                av.push(String::new());
            }
            if *b == "light" {
                bv.push(String::new());
            }
            for x in &av {
                for y in &bv {
                    let conflict = (x == "at midnight" && y == "under a blazing sun")
                        || (y == "at midnight" && x == "under a blazing sun");
                    if conflict {
                        continue;
                    }
                    want += 1;
                    assert!(
                        recs.iter()
                            .any(|r| values(r, a).contains(x) && values(r, b).contains(y)),
                        "pair {a}={x:?}, {b}={y:?} is not covered"
                    );
                }
            }
        }
    }
    assert!(want > 0);
    // The set is far smaller than the space.
    assert!(recs.len() < 3 * 8 * 6 * 2);
}

#[test]
fn space_prints_exact_sizes() {
    let out = String::from_utf8(ok(&["space", "toy", "--library", &lib()])).unwrap();
    // 3 animals × 3 times × (2 lights + empty) × C(4,2) extras × 2 bodies.
    let raw = 3 * 3 * 3 * 6 * 2;
    assert!(out.contains(&format!("combinations: {raw}")), "{out}");
    assert!(out.contains("coherent: 288"), "{out}");
    let big = String::from_utf8(ok(&["space", "coast"])).unwrap();
    assert!(big.contains("combinations: "), "{big}");
}

#[test]
fn replay_accepts_a_set_and_catches_a_changed_record() {
    let dir = TempDir::new("replay");
    let f = dir.file("set.jsonl");
    let l = lib();
    ok(&refs(&toy(&[
        "-n", "30", "--seed", "1", "-f", "jsonl", "-o", &f,
    ])));
    ok(&["replay", &f, "--library", &l]);
    let ex = dir.file("ex.jsonl");
    ok(&refs(&toy(&[
        "--exhaustive",
        "--seed",
        "1",
        "-f",
        "jsonl",
        "-o",
        &ex,
    ])));
    ok(&["replay", &ex, "--library", &l]);

    let text = std::fs::read_to_string(&f).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[7] = lines[7]
        .replacen("fox", "cat", 1)
        .replacen("owl", "cat", 1)
        .replacen("heron", "cat", 1);
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let err = fails(&["replay", &f, "--library", &l]);
    assert!(err.contains(":8:"), "line number: {err}");
    assert!(err.contains("`prompt`"), "field named: {err}");
    // Without the library the set was made with, every record is reported.
    let err = fails(&["replay", &ex]);
    assert!(err.contains("library"), "{err}");
}

fn truncated_resume(fmt: &str, cut_frac: f64) {
    let dir = TempDir::new("resume");
    let full = dir.file("full");
    let part = dir.file("part");
    let args = ["-n", "40", "--seed", "13", "-f", fmt];
    ok(&refs(&toy(&[&args[..], &["-o", &full]].concat())));
    let bytes = std::fs::read(&full).unwrap();
    let cut = ((bytes.len() as f64) * cut_frac) as usize;
    std::fs::write(&part, &bytes[..cut]).unwrap();
    ok(&refs(&toy(
        &[&args[..], &["-o", &part, "--resume"]].concat()
    )));
    assert_eq!(std::fs::read(&part).unwrap(), bytes, "{fmt} cut at {cut}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, .. ProptestConfig::default() })]

    #[test]
    fn resume_after_truncation_equals_the_full_file(frac in 0.0f64..1.0, fmt in 0usize..3) {
        truncated_resume(["text", "jsonl", "csv"][fmt], frac);
    }
}

#[test]
fn resume_of_exhaustive_and_unique_runs() {
    let dir = TempDir::new("resume-ex");
    for extra in [&["--exhaustive"][..], &["--unique", "-n", "150"][..]] {
        for fmt in ["jsonl", "csv"] {
            let full = dir.file("full");
            let part = dir.file("part");
            let args = [extra, &["--seed", "21", "-f", fmt]].concat();
            ok(&refs(&toy(&[&args[..], &["-o", &full]].concat())));
            let bytes = std::fs::read(&full).unwrap();
            for cut in [0, 1, bytes.len() / 3, bytes.len() - 1] {
                std::fs::write(&part, &bytes[..cut]).unwrap();
                ok(&refs(&toy(
                    &[&args[..], &["-o", &part, "--resume"]].concat()
                )));
                assert_eq!(
                    std::fs::read(&part).unwrap(),
                    bytes,
                    "{extra:?} {fmt} cut {cut}"
                );
            }
        }
    }
}

#[test]
fn resume_leaves_a_finished_file_alone_and_refuses_foreign_files() {
    let dir = TempDir::new("resume-refuse");
    let f = dir.file("set.jsonl");
    let args = ["-n", "20", "--seed", "5", "-f", "jsonl", "-o", &f];
    ok(&refs(&toy(&args)));
    let before = std::fs::read(&f).unwrap();
    ok(&refs(&toy(&[&args[..], &["--resume"]].concat())));
    assert_eq!(std::fs::read(&f).unwrap(), before);

    // Cut mid-record, then resume with the wrong seed, source or library: refused, untouched.
    let cut = &before[..before.len() / 2];
    std::fs::write(&f, cut).unwrap();
    let err = fails(&refs(&toy(&[
        "-n", "20", "--seed", "6", "-f", "jsonl", "-o", &f, "--resume",
    ])));
    assert!(err.contains("seed 5"), "{err}");
    assert_eq!(std::fs::read(&f).unwrap(), cut);
    let err = fails(&[
        "batch",
        "-t",
        "toy",
        "--library",
        &lib(),
        "--library",
        &lib(),
        "-n",
        "20",
        "--seed",
        "5",
        "-f",
        "jsonl",
        "-o",
        &f,
        "--resume",
    ]);
    assert!(err.contains("library"), "{err}");
    assert_eq!(std::fs::read(&f).unwrap(), cut);
    let err = fails(&[
        "batch",
        "-t",
        "coast",
        "--library",
        &lib(),
        "-n",
        "20",
        "--seed",
        "5",
        "-f",
        "jsonl",
        "-o",
        &f,
        "--resume",
    ]);
    assert!(err.contains("source"), "{err}");
    assert_eq!(std::fs::read(&f).unwrap(), cut);

    // Text carries no seed: a different seed is caught by regenerating the last record.
    let t = dir.file("set.txt");
    ok(&refs(&toy(&["-n", "20", "--seed", "5", "-o", &t])));
    let full = std::fs::read(&t).unwrap();
    std::fs::write(&t, &full[..full.len() / 2]).unwrap();
    let err = fails(&refs(&toy(&[
        "-n", "20", "--seed", "7", "-o", &t, "--resume",
    ])));
    assert!(err.contains("differs"), "{err}");
    assert_eq!(std::fs::read(&t).unwrap(), &full[..full.len() / 2]);
}

#[test]
fn bad_input_is_a_clear_error_and_damages_nothing() {
    let dir = TempDir::new("bad");
    let f = dir.file("existing.txt");
    std::fs::write(&f, "keep me\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            toy(&["-n", "5", "--seed", "1", "--shard", "0/0", "-o", &f]),
            "shard",
        ),
        (
            toy(&["-n", "5", "--seed", "1", "--shard", "3/2", "-o", &f]),
            "shard",
        ),
        (toy(&["-n", "0", "--seed", "1", "-o", &f]), "count"),
        (toy(&["--seed", "1", "-o", &f]), "count"),
        (
            toy(&["-n", "5", "--seed", "1", "-j", "0", "-o", &f]),
            "jobs",
        ),
        (
            vec![
                "batch".into(),
                "-t".into(),
                "nope".into(),
                "-n".into(),
                "2".into(),
                "--seed".into(),
                "1".into(),
                "-o".into(),
                f.clone(),
            ],
            "nope",
        ),
        (
            vec![
                "batch".into(),
                "--expand".into(),
                "{a|b} __nope__".into(),
                "-n".into(),
                "2".into(),
                "--seed".into(),
                "1".into(),
                "-o".into(),
                f.clone(),
            ],
            "unknown wildcard",
        ),
        (
            vec![
                "batch".into(),
                "--describe".into(),
                "owl".into(),
                "--exhaustive".into(),
                "--seed".into(),
                "1".into(),
                "-o".into(),
                f.clone(),
            ],
            "--template",
        ),
        (
            toy(&[
                "--unique", "-n", "5", "--seed", "1", "--shard", "1/2", "-o", &f,
            ]),
            "shard",
        ),
    ];
    for (args, needle) in cases {
        let err = fails(&refs(&args));
        assert!(err.to_lowercase().contains(needle), "{args:?}: {err}");
        assert_eq!(
            std::fs::read_to_string(&f).unwrap(),
            "keep me\n",
            "{args:?}"
        );
    }
    let err = fails(&refs(&toy(&[
        "-n",
        "5",
        "--seed",
        "1",
        "-o",
        "/nonexistent-dir/out.txt",
    ])));
    assert!(err.contains("/nonexistent-dir/out.txt"), "{err}");
}

#[test]
fn replay_in_parallel_reports_mismatches_in_line_order() {
    let dir = TempDir::new("replay-par");
    let f = dir.file("big.jsonl");
    let l = lib();
    ok(&refs(&toy(&[
        "-n", "2500", "--seed", "4", "-f", "jsonl", "-o", &f,
    ])));
    ok(&["replay", &f, "-j", "3", "--library", &l]);
    let text = std::fs::read_to_string(&f).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[2100] = lines[2100].replacen("\"seed\":4", "\"seed\":5", 1);
    lines[40] = lines[40].replacen("\"index\":40", "\"index\":41", 1);
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let err = fails(&["replay", &f, "-j", "2", "--library", &l]);
    let first = err.find(":41: index 41").expect(&err);
    let second = err.find(":2101: index 2100").expect(&err);
    assert!(first < second, "{err}");
    assert!(err.contains("2 of 2500"), "{err}");
}
