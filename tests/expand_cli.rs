//! `promptloom expand` end to end: determinism, index addressing, parallel = serial, output
//! formats, errors, broken pipes, and a million-line wildcard file.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use promptloom::dynamic::{Collection, ExpandOptions, Expander, Sampler, Template};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_promptloom"))
}

fn sample() -> PathBuf {
    // The shared sample collection is optional on a clean clone; fall back to a small copy.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/wildcards-sample");
    if shared.join("wildcards/subject.txt").exists() {
        return shared;
    }
    let dir = std::env::temp_dir().join(format!("pl-sample-{}", std::process::id()));
    let w = dir.join("wildcards");
    std::fs::create_dir_all(&w).unwrap();
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    for (name, vals) in [
        ("subject", "a fox\na lighthouse\na forest\na robot\n"),
        ("lighting", "golden hour\nneon glow\nmoonlight\n"),
        ("mood", "serene\neerie\njoyful\n"),
        ("style", "ukiyo-e\nbaroque\nart nouveau\n"),
        ("palette", "pastel\nmonochrome\nteal and orange\n"),
        ("camera", "35mm\nmacro\ndrone shot\n"),
    ] {
        std::fs::write(w.join(format!("{name}.txt")), vals).unwrap();
    }
    std::fs::write(
        dir.join("templates/basic.txt"),
        "__subject__, __lighting__, __mood__ atmosphere, {oil painting|watercolor|digital art|photograph}, in the style of __style__, __palette__ palette, __camera__",
    )
    .unwrap();
    dir
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn basic_args(dir: &Path) -> Vec<String> {
    vec![
        "expand".into(),
        "--file".into(),
        dir.join("templates/basic.txt").display().to_string(),
        "--wildcards".into(),
        dir.join("wildcards").display().to_string(),
    ]
}

#[test]
fn same_seed_same_bytes_and_seeds_differ() {
    let d = sample();
    let mut a = basic_args(&d);
    a.extend(["-n", "200", "--seed", "42"].map(String::from));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (ok1, out1, _) = run(&a);
    let (ok2, out2, _) = run(&a);
    assert!(ok1 && ok2);
    assert_eq!(out1, out2);
    assert_eq!(out1.lines().count(), 200);
    let mut b = a.clone();
    let pos = b.iter().position(|x| *x == "42").unwrap();
    b[pos] = "43";
    let (_, out3, _) = run(&b);
    assert_ne!(out1, out3);
}

#[test]
fn prompt_i_is_the_same_in_any_run_and_parallel_equals_serial() {
    let d = sample();
    let base = basic_args(&d);
    let with = |extra: &[&str]| {
        let mut v: Vec<String> = base.clone();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    // 10,000 prompts cross several parallel chunks.
    let full = with(&["-n", "10000", "--seed", "9"]);
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    let (_, all, _) = run(&full);
    let tail = with(&["-n", "100", "--seed", "9", "--index", "9000"]);
    let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
    let (_, part, _) = run(&tail);
    let all_lines: Vec<&str> = all.lines().collect();
    let part_lines: Vec<&str> = part.lines().collect();
    assert_eq!(&all_lines[9000..9100], part_lines.as_slice());
    let serial = bin()
        .args(&full)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&serial.stdout), all);
}

#[test]
fn combinatorial_runs_can_be_sharded() {
    let t = "{a|b|c} {d|e} {2$$x|y|z}";
    let (_, all, _) = run(&["expand", t, "--combinatorial"]);
    assert_eq!(all.lines().count(), 36);
    let (_, second, _) = run(&["expand", t, "--combinatorial", "--index", "18"]);
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines[18..].join("\n") + "\n", second);
    let distinct: std::collections::BTreeSet<&str> = lines.iter().copied().collect();
    assert_eq!(distinct.len(), 36);
}

#[test]
fn jsonl_records_have_a_fixed_field_order() {
    let (ok, out, _) = run(&[
        "expand",
        "{a|b} fox",
        "--seed",
        "3",
        "-n",
        "2",
        "--format",
        "jsonl",
    ]);
    assert!(ok);
    for (i, line) in out.lines().enumerate() {
        let keys: Vec<&str> = [
            "\"prompt\"",
            "\"seed\"",
            "\"index\"",
            "\"sampler\"",
            "\"source\"",
            "\"template\"",
        ]
        .to_vec();
        let mut last = 0;
        for k in keys {
            let p = line
                .find(k)
                .unwrap_or_else(|| panic!("{k} missing in {line}"));
            assert!(p >= last, "field order in {line}");
            last = p;
        }
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["seed"], 3);
        assert_eq!(v["index"], i as u64);
        assert_eq!(v["template"], "{a|b} fox");
        assert_eq!(v["source"], "<template>");
        let p = v["prompt"].as_str().unwrap();
        assert!(p == "a fox" || p == "b fox");
    }
}

#[test]
fn broken_pipe_is_a_quiet_success() {
    let mut child = bin()
        .args(["expand", "{a|b|c} {d|e}", "-n", "100000", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let stdout = child.stdout.take().unwrap();
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(!line.is_empty());
    } // dropping the reader closes the pipe, like `| head -1`
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn errors_show_the_line_and_fail() {
    let (ok, _, err) = run(&["expand", "a {b|c", "--seed", "1"]);
    assert!(!ok);
    assert!(err.contains("unclosed `{`"), "{err}");
    assert!(err.contains("1 | a {b|c"), "{err}");
    assert!(err.contains("^"), "{err}");
    let (ok, _, err) = run(&["expand", "--seed", "1"]);
    assert!(!ok);
    assert!(err.contains("give a template"), "{err}");
}

#[test]
fn file_templates_drop_the_final_newline() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.txt");
    std::fs::write(&f, "{x|y} end\n").unwrap();
    let (ok, out, _) = run(&[
        "expand",
        "--file",
        f.to_str().unwrap(),
        "--seed",
        "2",
        "-n",
        "3",
    ]);
    assert!(ok);
    for l in out.lines() {
        assert!(l == "x end" || l == "y end", "{l}");
    }
    assert_eq!(out.lines().count(), 3);
}

#[test]
fn help_teaches_with_examples() {
    let (ok, out, _) = run(&["expand", "--help"]);
    assert!(ok);
    assert!(out.contains("Examples:"));
    assert!(out.contains("--combinatorial"));
    assert!(out.contains("--lenient"));
}

#[test]
fn count_prints_the_exact_size() {
    let d = sample();
    let mut a = basic_args(&d);
    a.push("--count".into());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (ok, out, _) = run(&a);
    assert!(ok);
    // Product of the six file sizes and the 4-way variant, computed independently here.
    let mut expected: u128 = 4;
    for f in ["subject", "lighting", "mood", "style", "palette", "camera"] {
        let text = std::fs::read_to_string(d.join(format!("wildcards/{f}.txt"))).unwrap();
        let n = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .count();
        expected *= n as u128;
    }
    assert_eq!(out.trim(), expected.to_string());
}

/// A million-line wildcard: loads, stays under 3× its size, and any line is reachable by index
/// (cyclical prompt i is line i), which only an O(1) index makes cheap.
#[test]
fn million_line_wildcard() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..1_000_000u32 {
        writeln!(f, "value number {i} with some words").unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let size = std::fs::metadata(&path).unwrap().len() as usize;
    let coll = Collection::load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(coll.len(), 1);
    let heap = coll.heap_bytes();
    assert!(heap < 3 * size, "heap {heap} for a {size}-byte file");
    let t = Template::parse("__@big__", "t").unwrap();
    let ex = Expander::new(&t, &coll, ExpandOptions::default());
    ex.validate().unwrap();
    assert_eq!(ex.expand(0, 0).unwrap(), "value number 0 with some words");
    assert_eq!(
        ex.expand(0, 999_999).unwrap(),
        "value number 999999 with some words"
    );
    assert_eq!(
        ex.expand(0, 1_000_000).unwrap(),
        "value number 0 with some words"
    );
    let t = Template::parse("{3$$__big__}", "t").unwrap();
    let ex = Expander::new(&t, &coll, ExpandOptions::default());
    for i in 0..50 {
        let p = ex.expand(11, i).unwrap();
        let parts: Vec<&str> = p.split(',').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts[0] != parts[1] && parts[1] != parts[2] && parts[0] != parts[2]);
        assert!(parts.iter().all(|s| s.starts_with("value number ")));
    }
    let comb = Expander::new(
        &t,
        &coll,
        ExpandOptions {
            mode: Sampler::Combinatorial,
            ..ExpandOptions::default()
        },
    );
    assert_eq!(
        comb.count().unwrap().to_string(),
        (1_000_000u128 * 999_999 * 999_998).to_string()
    );
}
