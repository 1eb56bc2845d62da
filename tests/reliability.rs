//! Issue 17: failure paths (data loss, crashes, hangs, hostile input), each reproduced through the
//! real binary. Test names carry the item ids (d1, c2, h8, …).

mod common;

use std::fs::File;
use std::process::{Command, Stdio};

use common::{bin, run};

fn lib() -> String {
    format!("{}/tests/data/batchlib", env!("CARGO_MANIFEST_DIR"))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Commands that write to standard output.
fn writers() -> Vec<Vec<String>> {
    let l = lib();
    [
        vec!["check", "--library", &l],
        vec!["space", "toy", "--library", &l],
        vec!["space", "--expand", "{a|b} {c|d}"],
        vec!["expand", "{a|b|c}", "--count"],
        vec!["expand", "{a|b|c}", "-n", "50", "--seed", "1"],
        vec!["templates", "--library", &l],
        vec!["vocab", "--library", &l],
        vec![
            "gen",
            "-t",
            "toy",
            "--library",
            &l,
            "--seed",
            "1",
            "-n",
            "50",
        ],
        vec![
            "batch",
            "-t",
            "toy",
            "--library",
            &l,
            "--seed",
            "1",
            "-n",
            "50",
            "-q",
        ],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn c2_a_closed_pipe_is_a_normal_end_for_every_command() {
    for args in writers() {
        for _ in 0..3 {
            let mut child = bin()
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            // Close the read end at once: every write of the child meets a closed pipe.
            drop(child.stdout.take());
            let out = child.wait_with_output().expect("wait");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && !err.contains("panicked"),
                "{args:?}: {:?} {err}",
                out.status
            );
        }
    }
}

#[test]
fn c2_a_full_disk_is_one_clean_error_line() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for args in writers() {
        let out = bin()
            .args(&args)
            .stdout(File::create("/dev/full").expect("/dev/full"))
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("warning")).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(
            lines[0].starts_with("error: cannot write output: "),
            "{args:?}: {err}"
        );
        // The OS error is said once.
        assert_eq!(lines[0].matches("os error").count(), 1, "{err}");
    }
}

#[test]
fn unclear_os_errors_are_printed_once() {
    let d = tmp();
    let missing = d.path().join("missing.txt");
    let (ok, _, err) = run(&["expand", "--file", missing.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[test]
fn s2_control_characters_are_escaped_in_text_output() {
    let evil = "red \u{1b}[2J\u{1b}]0;pwned\u{7} fox\r\u{9b}31m";
    let want = "red \\u{1b}[2J\\u{1b}]0;pwned\\u{7} fox\\u{d}\\u{9b}31m";
    // gen: the description's words reach the prompt.
    let (ok, out, err) = run(&["gen", evil, "--seed", "1"]);
    assert!(ok, "{err}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    // expand and batch --expand: the template is the prompt.
    let (ok, out, err) = run(&["expand", evil, "--seed", "1"]);
    assert!(ok, "{err}");
    assert_eq!(out, format!("{want}\n"));
    let (ok, out, err) = run(&["batch", "--expand", evil, "--seed", "1", "-n", "2", "-q"]);
    assert!(ok, "{err}");
    assert_eq!(out, format!("{want}\n{want}\n"));
    // Tab and newline are kept; JSON records keep the exact text (JSON escapes it).
    let (ok, out, _) = run(&["expand", "a\tb", "--seed", "1"]);
    assert!(ok);
    assert_eq!(out, "a\tb\n");
    let (ok, out, _) = run(&["expand", evil, "--seed", "1", "--format", "jsonl"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(v["prompt"], evil);
}

#[test]
fn s2_escaped_text_resumes() {
    let d = tmp();
    let f = d.path().join("t.txt");
    let f = f.to_str().unwrap();
    let evil = "{a|b}\u{1b}[1m";
    let base = ["batch", "--expand", evil, "--seed", "3", "-q", "-o", f];
    let (ok, _, err) = run(&[&base[..], &["-n", "3"]].concat());
    assert!(ok, "{err}");
    let (ok, _, err) = run(&[&base[..], &["-n", "6", "--resume"]].concat());
    assert!(ok, "{err}");
    let whole = String::from_utf8(std::fs::read(f).unwrap()).unwrap();
    let (ok, fresh, _) = run(&["batch", "--expand", evil, "--seed", "3", "-q", "-n", "6"]);
    assert!(ok);
    assert_eq!(whole, fresh);
}

#[test]
fn d7_expand_reaches_the_last_index() {
    let (ok, out, err) = run(&[
        "expand",
        "{a|b}",
        "--seed",
        "1",
        "--index",
        "18446744073709551615",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1, "{out:?}");
    let (ok, out, err) = run(&[
        "expand",
        "{a|b}",
        "--seed",
        "1",
        "--index",
        "18446744073709550000",
        "-n",
        "1616",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1616);
    // The last prompt is the one a run of one at that index prints.
    let (_, last, _) = run(&[
        "expand",
        "{a|b}",
        "--seed",
        "1",
        "--index",
        "18446744073709551615",
    ]);
    assert_eq!(out.lines().last(), last.lines().next());
    let (ok, _, err) = run(&[
        "expand",
        "{a|b}",
        "--seed",
        "1",
        "--index",
        "18446744073709551615",
        "-n",
        "2",
    ]);
    assert!(!ok);
    assert!(err.contains("past the largest index"), "{err}");
}

#[test]
fn unclear_expand_zero_prompts_is_refused() {
    let (ok, out, err) = run(&["expand", "{a|b}", "-n", "0", "--seed", "1"]);
    assert!(!ok && out.is_empty(), "{out}");
    assert!(err.contains("at least 1"), "{err}");
}

#[allow(dead_code)]
fn cmd() -> Command {
    bin()
}

fn batch(extra: &[&str]) -> Vec<String> {
    let l = lib();
    let mut v: Vec<String> = ["batch", "-t", "toy", "--library", &l, "-q", "--seed", "5"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The bytes of a fresh run (to standard output).
fn fresh(extra: &[&str]) -> Vec<u8> {
    let out = bin().args(refs(&batch(extra))).output().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// The byte offset just after the `n`-th record of a set file (CSV: after the header too).
fn after_records(bytes: &[u8], format: &str, n: usize) -> usize {
    let sep: &[u8] = if format == "csv" { b"\r\n" } else { b"\n" };
    let skip = usize::from(format == "csv");
    let mut seen = 0;
    let mut i = 0;
    while i + sep.len() <= bytes.len() {
        if &bytes[i..i + sep.len()] == sep {
            seen += 1;
            if seen == n + skip {
                return i + sep.len();
            }
        }
        i += 1;
    }
    panic!("fewer than {n} records");
}

#[test]
fn d1_a_torn_tail_is_removed_even_when_the_set_is_complete() {
    let d = tmp();
    for format in ["text", "jsonl", "csv"] {
        let f = d.path().join(format!("set.{format}"));
        let f = f.to_str().unwrap();
        // A run of 20 killed in the middle of record 11 …
        let big = fresh(&["-n", "20", "-f", format]);
        let cut = after_records(&big, format, 10) + 7;
        std::fs::write(f, &big[..cut]).unwrap();
        // … resumed as a run of 10: complete, and the torn record goes.
        let (ok, _, err) = run(&refs(&batch(&[
            "-n", "10", "-f", format, "-o", f, "--resume",
        ])));
        assert!(ok, "{format}: {err}");
        assert_eq!(
            std::fs::read(f).unwrap(),
            fresh(&["-n", "10", "-f", format]),
            "{format}"
        );
        // Replay accepts the result.
        if format == "jsonl" {
            let (ok, _, err) = run(&["replay", f, "--library", &lib()]);
            assert!(ok, "{err}");
        }
    }
}

#[test]
fn d5_resume_never_truncates_a_foreign_file() {
    let d = tmp();
    for format in ["text", "jsonl", "csv"] {
        let f = d.path().join(format!("notes.{format}"));
        let f = f.to_str().unwrap();
        for notes in [
            &b"my notes, no final newline"[..],
            b"line one\nline two, no final newline",
            b"{\"prompt\":\"not ours",
        ] {
            std::fs::write(f, notes).unwrap();
            let (ok, _, err) = run(&refs(&batch(&[
                "-n", "5", "-f", format, "-o", f, "--resume",
            ])));
            assert!(!ok, "{format} {notes:?}: accepted");
            assert!(err.contains("cannot resume"), "{err}");
            assert_eq!(
                std::fs::read(f).unwrap(),
                notes,
                "{format}: the file was changed"
            );
        }
    }
    // A torn first record of this very run is still repaired.
    let f = d.path().join("torn.jsonl");
    let f = f.to_str().unwrap();
    let full = fresh(&["-n", "5", "-f", "jsonl"]);
    std::fs::write(f, &full[..30]).unwrap();
    let (ok, _, err) = run(&refs(&batch(&[
        "-n", "5", "-f", "jsonl", "-o", f, "--resume",
    ])));
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(f).unwrap(), full);
}

#[test]
fn d4_a_second_writer_of_the_same_file_gets_a_clear_error() {
    let d = tmp();
    let path = d.path().join("set.jsonl");
    std::fs::write(&path, b"held by another run\n").unwrap();
    // Another process holds the run's lock (here: this test).
    let held = File::options().read(true).write(true).open(&path).unwrap();
    held.try_lock().expect("lock");
    let f = path.to_str().unwrap();
    for resume in [false, true] {
        let mut args = batch(&["-n", "5", "-f", "jsonl", "-o", f]);
        if resume {
            args.push("--resume".into());
        }
        let (ok, _, err) = run(&refs(&args));
        assert!(!ok, "resume {resume}: a second writer was let in");
        assert!(err.contains("being written by another run"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"held by another run\n");
    }
    held.unlock().unwrap();
    let (ok, _, err) = run(&refs(&batch(&["-n", "5", "-f", "jsonl", "-o", f])));
    assert!(ok, "{err}");
}

#[test]
fn d4_two_runs_on_one_file_never_interleave() {
    let d = tmp();
    let path = d.path().join("race.txt");
    let f = path.to_str().unwrap();
    // Two runs with different seeds: interleaved writes would match neither.
    let args = |seed: &str| -> Vec<String> {
        let l = lib();
        [
            "batch",
            "-t",
            "toy",
            "--library",
            &l,
            "-q",
            "-n",
            "300000",
            "-o",
            f,
            "--seed",
            seed,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let a = bin()
        .args(args("5"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = bin()
        .args(args("6"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    // Either one run was refused, or they ran one after the other: the file is one whole run.
    for o in [&a, &b] {
        if !o.status.success() {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("being written by another run"), "{err}");
        }
    }
    assert!(a.status.success() || b.status.success());
    let got = std::fs::read(&path).unwrap();
    let whole = |seed: &str| {
        let l = lib();
        let a = [
            "batch",
            "-t",
            "toy",
            "--library",
            &l,
            "-q",
            "-n",
            "300000",
            "--seed",
            seed,
        ];
        bin().args(a).output().unwrap().stdout
    };
    assert!(
        got == whole("5") || got == whole("6"),
        "the two runs interleaved"
    );
}

#[test]
fn h9_resume_of_a_non_regular_file_is_refused() {
    let out = bin()
        .args(refs(&batch(&["-n", "5", "-o", "/dev/stdout", "--resume"])))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("not a regular file"), "{err}");
    // Without --resume, writing to a device still works.
    let out = bin()
        .args(refs(&batch(&["-n", "5", "-o", "/dev/stdout"])))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, fresh(&["-n", "5"]));
}

#[test]
fn h8_jobs_is_capped_at_a_multiple_of_the_cores() {
    let (ok, out, err) = run(&refs(
        &batch(&["-n", "10", "--jobs", "1000000"])[..]
            .iter()
            .map(|s| s.as_str())
            .filter(|s| *s != "-q")
            .map(String::from)
            .collect::<Vec<_>>(),
    ));
    assert!(ok, "{err}");
    assert!(err.contains("capped"), "{err}");
    assert_eq!(out.as_bytes(), fresh(&["-n", "10"]));
}

/// 63 wildcard files, each nesting `{a|` 190 deep around the next one: 11,970 levels in all.
fn deep_chain(dir: &std::path::Path) {
    for k in 0..63 {
        let inner = if k == 62 {
            "x".to_string()
        } else {
            format!("__w{}__", k + 1)
        };
        let text = format!("{}{inner}{}\n", "{a|".repeat(190), "}".repeat(190));
        std::fs::write(dir.join(format!("w{k}.txt")), text).unwrap();
    }
}

#[test]
fn c1_deep_nesting_across_wildcards_is_an_error_for_every_walker() {
    let d = tmp();
    deep_chain(d.path());
    let w = d.path().to_str().unwrap();
    for args in [
        vec!["expand", "__w0__", "-w", w, "--count"],
        vec!["expand", "__w0__", "-w", w, "--combinatorial", "-n", "3"],
        vec!["expand", "__w0__", "-w", w, "--seed", "1", "-n", "3"],
        vec![
            "expand",
            "__w0__",
            "-w",
            w,
            "--combinatorial",
            "--lenient",
            "-n",
            "1",
        ],
        vec!["space", "--expand", "__w0__", "-w", w],
        vec![
            "batch",
            "--expand",
            "__w0__",
            "-w",
            w,
            "--exhaustive",
            "--seed",
            "1",
            "-q",
        ],
    ] {
        let out = bin().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("nests too deeply"), "{args:?}: {err}");
    }
}

#[test]
fn h4_counting_a_wildcard_dag_is_linear() {
    let d = tmp();
    std::fs::write(d.path().join("d0.txt"), "a\nb\n").unwrap();
    for k in 1..=60 {
        std::fs::write(
            d.path().join(format!("d{k}.txt")),
            format!("{{__d{0}__|__d{0}__}}\n", k - 1),
        )
        .unwrap();
    }
    let w = d.path().to_str().unwrap();
    let (ok, out, err) = run(&["expand", "__d60__", "-w", w, "--count"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), (1u128 << 61).to_string());
    let (ok, out, err) = run(&["space", "--expand", "__d60__", "-w", w]);
    assert!(ok, "{err}");
    assert!(out.contains(&(1u128 << 61).to_string()), "{out}");
    let (ok, _, err) = run(&["expand", "__d60__", "-w", w, "--combinatorial", "-n", "3"]);
    assert!(ok, "{err}");
}

#[test]
fn h5_h6_a_million_line_wildcard_with_syntax_is_fast() {
    let d = tmp();
    let mut text = String::with_capacity(20_000_000);
    for i in 0..1_000_000 {
        text.push_str(&format!("{{red|blue}} v{i}\n"));
    }
    std::fs::write(d.path().join("big.txt"), &text).unwrap();
    let w = d.path().to_str().unwrap();
    // H6: every line holds syntax, so every line is parsed (and located for messages).
    let (ok, out, err) = run(&["expand", "__big__", "-w", w, "--seed", "1", "-n", "3"]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 3);
    // H5: a multi-select of up to all million values (`{1-$$__big__}` is one value, as in
    // dynamicprompts: its open bound counts the options written).
    let (ok, out, err) = run(&["expand", "{1-1000000$$ $$__big__}", "-w", w, "--seed", "2"]);
    assert!(ok, "{err}");
    assert!(out.len() > 100, "{}", out.len());
}

#[test]
fn h7_a_doubling_template_stops_with_a_clear_error() {
    // Each variable is its predecessor twice: 2^40 bytes at the end.
    let mut t = String::from("${v0=xxxxxxxx}");
    for i in 1..=40 {
        t.push_str(&format!("${{v{i}=${{v{0}}}${{v{0}}}}}", i - 1));
    }
    t.push_str("${v40}");
    for args in [
        vec!["expand", t.as_str(), "--seed", "1"],
        vec![
            "batch",
            "--expand",
            t.as_str(),
            "--seed",
            "1",
            "-n",
            "2",
            "-q",
        ],
    ] {
        let out = bin().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("MiB of text"), "{err}");
        assert!(out.stdout.is_empty());
    }
    // Doubling empty values: no text, but 2^40 steps.
    let mut t = String::from("${v0=}");
    for i in 1..=40 {
        t.push_str(&format!("${{v{i}=${{v{0}}}${{v{0}}}}}", i - 1));
    }
    t.push_str("${v40}");
    let (ok, _, err) = run(&["expand", &t, "--seed", "1"]);
    assert!(!ok);
    assert!(err.contains("steps"), "{err}");
}

#[cfg(unix)]
#[test]
fn s1_wildcard_symlinks_never_leave_their_root() {
    use std::os::unix::fs::symlink;
    let outside = tmp();
    std::fs::write(outside.path().join("secret.txt"), "TOP-SECRET-LINE\n").unwrap();
    for target in [
        outside.path().join("secret.txt"),
        outside.path().to_path_buf(),
        "/".into(),
    ] {
        let d = tmp();
        std::fs::write(d.path().join("animal.txt"), "fox\n").unwrap();
        symlink(&target, d.path().join("users.txt")).unwrap();
        let w = d.path().to_str().unwrap();
        let (ok, out, err) = run(&["expand", "__animal__ __users__", "-w", w, "--seed", "1"]);
        assert!(!ok, "{target:?}: {out}");
        assert!(err.contains("leads out of its folder"), "{err}");
        assert!(!err.contains("TOP-SECRET"), "{err}");
    }
    // A link that stays inside the root is followed.
    let d = tmp();
    std::fs::create_dir(d.path().join("real")).unwrap();
    std::fs::write(d.path().join("real/colour.txt"), "red\n").unwrap();
    symlink(d.path().join("real"), d.path().join("alias")).unwrap();
    let w = d.path().to_str().unwrap();
    let (ok, out, err) = run(&["expand", "__alias/colour__", "-w", w, "--seed", "1"]);
    assert!(ok, "{err}");
    assert_eq!(out, "red\n");
}

#[cfg(unix)]
#[test]
fn s1_library_symlinks_never_leave_their_root() {
    use std::os::unix::fs::symlink;
    let outside = tmp();
    std::fs::write(outside.path().join("secret.yaml"), "TOP-SECRET: [x\n").unwrap();
    let d = tmp();
    std::fs::create_dir(d.path().join("vocab")).unwrap();
    symlink(
        outside.path().join("secret.yaml"),
        d.path().join("vocab/x.yaml"),
    )
    .unwrap();
    let l = d.path().to_str().unwrap();
    let (ok, _, err) = run(&["check", "--library", l]);
    assert!(!ok);
    assert!(err.contains("leads out of its folder"), "{err}");
    assert!(!err.contains("TOP-SECRET"), "{err}");
    // The vocab folder itself linked elsewhere.
    let d = tmp();
    symlink(outside.path(), d.path().join("vocab")).unwrap();
    let l = d.path().to_str().unwrap();
    let (ok, _, err) = run(&["check", "--library", l]);
    assert!(!ok);
    assert!(err.contains("leads out of its folder"), "{err}");
}

#[test]
fn s1_replay_reads_only_the_wildcard_folders_it_is_allowed() {
    let d = tmp();
    let wild = d.path().join("w");
    std::fs::create_dir(&wild).unwrap();
    std::fs::write(wild.join("animal.txt"), "fox\nowl\n").unwrap();
    let w = wild.to_str().unwrap();
    let set = d.path().join("set.jsonl");
    let f = set.to_str().unwrap();
    let (ok, _, err) = run(&[
        "batch",
        "--expand",
        "a __animal__",
        "-w",
        w,
        "-n",
        "5",
        "--seed",
        "1",
        "-f",
        "jsonl",
        "-o",
        f,
        "-q",
    ]);
    assert!(ok, "{err}");
    // A crafted record pointing at another folder.
    let text = std::fs::read_to_string(&set).unwrap();
    let crafted = text.replace(&w.replace('\\', "\\\\"), "/etc");
    assert_ne!(crafted, text);
    std::fs::write(&set, crafted).unwrap();
    let (ok, _, err) = run(&["replay", f, "-w", w]);
    assert!(!ok);
    assert!(err.contains("`/etc`, which was not allowed"), "{err}");
    std::fs::write(&set, &text).unwrap();
    let (ok, _, err) = run(&["replay", f, "-w", w]);
    assert!(ok, "{err}");
}

#[test]
fn d8_yaml_and_inline_weights_follow_one_rule() {
    for (w, class) in [
        ("-1", "is not a number"),
        ("abc", "is not a number"),
        ("1e309", "is not a number"),
        ("2000000", "too large"),
        ("99999999999999", "too large"),
    ] {
        // Inline.
        let (ok, _, err) = run(&["expand", &format!("{{{w}::x|y}}"), "--seed", "1"]);
        assert!(!ok, "inline {w}");
        assert!(err.contains(class), "inline {w}: {err}");
        // YAML string form and mapping form; JSON too.
        for (file, text) in [
            ("c.yaml", format!("colours:\n  - \"{w}::x\"\n  - y\n")),
            (
                "c.yaml",
                format!("colours:\n  - text: x\n    weight: {w}\n  - y\n"),
            ),
            ("c.json", format!("{{\"colours\": [\"{w}::x\", \"y\"]}}")),
        ] {
            let d = tmp();
            std::fs::write(d.path().join(file), &text).unwrap();
            let dir = d.path().to_str().unwrap();
            let (ok, out, err) = run(&["expand", "__colours__", "-w", dir, "--seed", "1"]);
            assert!(!ok, "{text}: {out}");
            assert!(err.contains(class), "{text}: {err}");
            assert!(err.contains("wildcard `colours`, value 1"), "{text}: {err}");
        }
    }
    // Valid weights are equal in both forms, and text with `::` after several words is text.
    let d = tmp();
    std::fs::write(
        d.path().join("c.yaml"),
        "colours:\n  - \"0.5::x\"\n  - \"a photo:: b\"\n",
    )
    .unwrap();
    let dir = d.path().to_str().unwrap();
    let (ok, out, err) = run(&[
        "expand",
        "__colours__",
        "-w",
        dir,
        "--combinatorial",
        "--no-sort",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out, "x\na photo:: b\n");
}

#[test]
fn d6_a_library_entry_that_cannot_expand_is_a_load_error() {
    let d = tmp();
    std::fs::create_dir(d.path().join("vocab")).unwrap();
    std::fs::write(
        d.path().join("vocab/a.yaml"),
        "categories:\n  animal:\n    entries:\n      - \"${x=a ${x}}${x} fox\"\n",
    )
    .unwrap();
    let l = d.path().to_str().unwrap();
    for args in [
        vec!["check", "--library", l],
        vec!["gen", "fox", "--library", l, "--seed", "1"],
    ] {
        let (ok, out, err) = run(&args);
        assert!(!ok, "{args:?}: {out}");
        assert!(!out.contains("${"), "{out}");
        assert!(err.contains("refers to itself"), "{err}");
        assert!(err.contains("a.yaml:4:"), "{err}");
    }
}

#[test]
fn d2_multi_line_text_resumes_at_every_cut_point() {
    let d = tmp();
    let f = d.path().join("set.txt");
    let f = f.to_str().unwrap();
    let t = "{x\ny|z} {a|b\nc}";
    let base = ["batch", "--expand", t, "--seed", "4", "-q", "-n", "30"];
    let (ok, full, _) = run(&base);
    assert!(ok);
    let full = full.into_bytes();
    for cut in 0..=full.len() {
        std::fs::write(f, &full[..cut]).unwrap();
        let (ok, _, err) = run(&[&base[..], &["-o", f, "--resume"]].concat());
        assert!(ok, "cut {cut}: {err}");
        assert_eq!(std::fs::read(f).unwrap(), full, "cut {cut}");
    }
}

#[test]
fn d3_resume_proves_every_record_not_only_the_last() {
    let d = tmp();
    for format in ["text", "jsonl", "csv"] {
        let f = d.path().join(format!("set.{format}"));
        let f = f.to_str().unwrap();
        let old = [
            "batch",
            "--expand",
            "{cat|dog}",
            "--seed",
            "4",
            "-q",
            "-n",
            "40",
            "-f",
            format,
        ];
        let (ok, full, _) = run(&old);
        assert!(ok);
        // Keep the first 20 records, then replace the last of them with what the new template
        // writes there, so the last record alone matches.
        let new_t = "{cat|dog|fox}";
        let new = [
            "batch", "--expand", new_t, "--seed", "4", "-q", "-n", "40", "-f", format,
        ];
        let (_, new_full, _) = run(&new);
        let cut_old = after_records(full.as_bytes(), format, 19);
        let (a, b) = (
            after_records(new_full.as_bytes(), format, 19),
            after_records(new_full.as_bytes(), format, 20),
        );
        let mut mixed = full.as_bytes()[..cut_old].to_vec();
        mixed.extend_from_slice(&new_full.as_bytes()[a..b]);
        std::fs::write(f, &mixed).unwrap();
        let (ok, _, err) = run(&[&new[..], &["-o", f, "--resume"]].concat());
        if format == "text" || mixed != new_full.as_bytes()[..b] {
            assert!(!ok, "{format}: a mixed file was accepted");
            assert!(err.contains("cannot resume"), "{err}");
            assert_eq!(std::fs::read(f).unwrap(), mixed, "{format}: changed");
        }
    }
}

#[test]
fn unclear_bom_json_labels_and_huge_errors() {
    // A byte-order mark is not part of a YAML, JSON or text file.
    let d = tmp();
    std::fs::write(d.path().join("c.yaml"), b"\xEF\xBB\xBFcolours:\n  - red\n").unwrap();
    std::fs::write(
        d.path().join("d.json"),
        b"\xEF\xBB\xBF{\"shape\": [\"disc\"]}",
    )
    .unwrap();
    std::fs::write(d.path().join("e.txt"), b"\xEF\xBB\xBFowl\n").unwrap();
    let w = d.path().to_str().unwrap();
    let (ok, out, err) = run(&[
        "expand",
        "__colours__ __shape__ __e__",
        "-w",
        w,
        "--seed",
        "1",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out, "red disc owl\n");
    let l = tmp();
    std::fs::create_dir(l.path().join("vocab")).unwrap();
    let mut v = b"\xEF\xBB\xBF".to_vec();
    v.extend_from_slice(b"categories:\n  thing:\n    entries: [fox]\n");
    std::fs::write(l.path().join("vocab/a.yaml"), v).unwrap();
    let (ok, _, err) = run(&["check", "--library", l.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    // JSON errors say JSON; a broken file blocks only what uses it.
    std::fs::write(d.path().join("f.json"), b"{\"a\": [1,").unwrap();
    let (ok, _, err) = run(&["expand", "x", "-w", w]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["expand", "__f__", "-w", w]);
    assert!(!ok);
    assert!(
        err.contains("invalid JSON") && !err.contains("YAML"),
        "{err}"
    );
    // A 10 MB file that is not YAML gives a short error.
    std::fs::write(l.path().join("vocab/big.yaml"), "x".repeat(10_000_000)).unwrap();
    let (ok, _, err) = run(&["check", "--library", l.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(err.len() < 2000, "{} bytes of error", err.len());
}

#[test]
fn unclear_replay_of_a_csv_set_and_an_empty_exhaustive_run_say_so_once() {
    let d = tmp();
    let f = d.path().join("set.csv");
    let f = f.to_str().unwrap();
    let (ok, _, err) = run(&refs(&batch(&["-n", "30", "-f", "csv", "-o", f])));
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["replay", f, "--library", &lib()]);
    assert!(!ok);
    assert!(err.contains("is a CSV set"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // coast: its first five exhaustive positions are all incoherent for seed 1.
    let (ok, out, err) = run(&[
        "batch",
        "-t",
        "coast",
        "--exhaustive",
        "-n",
        "5",
        "--seed",
        "1",
        "-q",
    ]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("no records"), "{err}");
}

#[test]
fn h2_check_is_not_quadratic_in_category_size() {
    // No timing threshold (it failed on a loaded machine): a quadratic check of 80,000
    // entries would run for hours, which CI's time limit catches. Figures: BENCHMARKS.md.
    let l = tmp();
    std::fs::create_dir(l.path().join("vocab")).unwrap();
    std::fs::create_dir(l.path().join("templates")).unwrap();
    let mut v = String::from("categories:\n  big:\n    entries:\n");
    for i in 0..40_000 {
        v.push_str(&format!("      - thing number {i}\n"));
    }
    v.push_str("      - thing number 7\n");
    v.push_str("  other:\n    entries:\n");
    for i in 0..40_000 {
        v.push_str(&format!("      - place number {i}\n"));
    }
    std::fs::write(l.path().join("vocab/big.yaml"), v).unwrap();
    std::fs::write(
        l.path().join("templates/t.yaml"),
        "name: t\nslots:\n  subject: { category: big }\n  place: { category: other }\nbodies:\n  - \"{{ subject }} at {{ place }}\"\n",
    )
    .unwrap();
    let (ok, out, err) = run(&["check", "--library", l.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("duplicate entry `thing number 7`"), "{err}");
    assert!(out.contains("1 warning"), "{out}");
}

#[test]
fn h1_nested_tera_loops_in_a_body_are_refused_without_running() {
    let l = tmp();
    std::fs::create_dir(l.path().join("templates")).unwrap();
    std::fs::write(
        l.path().join("templates/t.yaml"),
        "name: loops\nslots:\n  subject: { category: lighting }\nbodies:\n  - \"{% for i in range(end=100000) %}{% for j in range(end=100000) %}x{% endfor %}{% endfor %}{{ subject }}\"\n",
    )
    .unwrap();
    let (ok, _, err) = run(&["check", "--library", l.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("would run") && err.contains("t.yaml"), "{err}");
}

#[test]
fn unclear_a_bad_priority_is_reported_as_a_priority() {
    for (bad, says) in [
        ("1.5", "priority 1.5 is not a whole number"),
        ("high", "expected a priority"),
        ("101", "priority 101 must be a whole number from 0 to 100"),
        ("-3", "priority -3 must be a whole number from 0 to 100"),
    ] {
        let d = tmp();
        std::fs::create_dir(d.path().join("templates")).unwrap();
        std::fs::create_dir(d.path().join("vocab")).unwrap();
        std::fs::write(
            d.path().join("vocab/a.yaml"),
            "categories:\n  animal:\n    entries: [fox]\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("templates/t.yaml"),
            format!(
                "name: t\nslots:\n  subject: {{ category: animal, priority: {bad} }}\nbodies:\n  - \"{{{{ subject }}}}\"\n"
            ),
        )
        .unwrap();
        let l = d.path().to_str().unwrap();
        for args in [
            vec!["check", "--library", l],
            vec!["gen", "-t", "t", "--library", l, "--seed", "1"],
        ] {
            let (ok, out, err) = run(&args);
            assert!(!ok, "{args:?}: {out}");
            assert!(err.contains("t.yaml:3:"), "{bad}: {err}");
            assert!(err.contains(says), "{bad}: {err}");
            assert!(!err.contains("weight"), "{bad}: {err}");
        }
    }
}

/// "batch cannot write index 2^64 − 1 while gen can": a run's end, 2^64, does not fit a u64.
#[test]
fn unclear_batch_reaches_the_last_index() {
    const LAST: &str = "18446744073709551615";
    let l = lib();
    for format in ["text", "jsonl", "csv"] {
        let (ok, out, err) = run(&[
            "batch",
            "-t",
            "toy",
            "--library",
            &l,
            "--seed",
            "3",
            "-q",
            "-f",
            format,
            "--start",
            LAST,
            "-n",
            "1",
        ]);
        assert!(ok, "{format}: {err}");
        let (ok, want, err) = run(&[
            "gen",
            "-t",
            "toy",
            "--library",
            &l,
            "--seed",
            "3",
            "-f",
            if format == "csv" { "text" } else { format },
            "--index",
            LAST,
        ]);
        assert!(ok, "{err}");
        match format {
            "text" => assert_eq!(out, want),
            "jsonl" => {
                assert_eq!(out, want);
                assert!(out.contains(&format!("\"index\":{LAST}")), "{out}");
            }
            _ => assert!(out.contains(&format!("3,{LAST},toy,")), "{out}"),
        }
    }
    // A run of 2,000 ending there: all of them, the last equal to gen's, sharded or not.
    let start = "18446744073709549616"; // 2^64 - 2000
    let base = [
        "batch",
        "-t",
        "toy",
        "--library",
        &l,
        "--seed",
        "3",
        "-q",
        "--start",
        start,
        "-n",
        "2000",
    ];
    let (ok, whole, err) = run(&base);
    assert!(ok, "{err}");
    assert_eq!(whole.lines().count(), 2000);
    let (_, last, _) = run(&[
        "gen",
        "-t",
        "toy",
        "--library",
        &l,
        "--seed",
        "3",
        "--index",
        LAST,
    ]);
    assert_eq!(whole.lines().last(), last.lines().next());
    let mut parts = String::new();
    for k in 1..=3 {
        let (ok, part, err) = run(&[&base[..], &["--shard", &format!("{k}/3")]].concat());
        assert!(ok, "{err}");
        parts.push_str(&part);
    }
    assert_eq!(parts, whole);
    // Expand sources too.
    let (ok, out, err) = run(&[
        "batch", "--expand", "{a|b}", "--seed", "1", "-q", "--start", LAST, "-n", "1",
    ]);
    assert!(ok, "{err}");
    let (_, want, _) = run(&["expand", "{a|b}", "--seed", "1", "--index", LAST]);
    assert_eq!(out, want);
    // One more is past the largest index.
    let (ok, _, err) = run(&[
        "batch",
        "-t",
        "toy",
        "--library",
        &l,
        "--seed",
        "3",
        "-q",
        "--start",
        LAST,
        "-n",
        "2",
    ]);
    assert!(!ok);
    assert!(err.contains("past the largest index"), "{err}");
    // A set ending at the last index resumes: complete, or continued up to it.
    let d = tmp();
    let f = d.path().join("set.jsonl");
    let f = f.to_str().unwrap();
    let set = [&base[..], &["-f", "jsonl", "-o", f]].concat();
    let (ok, _, err) = run(&set);
    assert!(ok, "{err}");
    let full = std::fs::read(f).unwrap();
    let (ok, _, err) = run(&[&set[..], &["--resume"]].concat());
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(f).unwrap(), full);
    let cut = after_records(&full, "jsonl", 1500) + 7;
    std::fs::write(f, &full[..cut]).unwrap();
    let (ok, _, err) = run(&[&set[..], &["--resume"]].concat());
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(f).unwrap(), full);
}

/// A description of `n` bytes of ordinary words (and a few accented ones), deterministic.
fn long_description(n: usize) -> String {
    let words = [
        "beach", "sunset", "fox", "quiet", "mountain", "lake", "under", "the", "old", "café",
        "misty", "forest", "castle", "river", "gold", "neon", "rain", "a", "with", "crème",
    ];
    let mut s = String::with_capacity(n + 16);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while s.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(words[(x % words.len() as u64) as usize]);
    }
    s
}

/// "a 1 MB description has no file or stdin route": `--describe-file FILE` (`-`: stdin) on gen
/// and batch; the argument route stops at 128 KiB on Linux.
#[test]
fn unclear_a_one_megabyte_description_has_a_file_and_stdin_route() {
    use std::io::Write as _;
    let d = tmp();
    let text = long_description(1 << 20);
    let file = d.path().join("idea.txt");
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let f = file.to_str().unwrap();
    let run_stdin = |args: &[&str], input: &str| -> (bool, String, String) {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feed = input.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(feed.as_bytes()));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // gen from the file, as records.
    let (ok, by_file, err) = run(&[
        "gen",
        "--describe-file",
        f,
        "--seed",
        "7",
        "-n",
        "2",
        "-f",
        "jsonl",
    ]);
    assert!(ok, "{err}");
    assert_eq!(by_file.lines().count(), 2);
    let v: serde_json::Value = serde_json::from_str(by_file.lines().next().unwrap()).unwrap();
    assert_eq!(v["source"].as_str().unwrap(), format!("describe:{text}"));
    assert!(
        v["prompt"].as_str().unwrap().len() > 1 << 19,
        "the words typed stay"
    );
    // A warning is said once, however often the description repeats its words.
    let mut lines: Vec<&str> = err.lines().collect();
    let all = lines.len();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), all, "{}", &err[..err.len().min(2000)]);
    // gen from standard input: the same bytes.
    let (ok, by_stdin, err) = run_stdin(
        &[
            "gen",
            "--describe-file",
            "-",
            "--seed",
            "7",
            "-n",
            "2",
            "-f",
            "jsonl",
        ],
        &text,
    );
    assert!(ok, "{err}");
    assert_eq!(by_stdin, by_file);
    // batch: record i is gen's record i (so the set replays from its records alone).
    let (ok, batch, err) = run(&[
        "batch",
        "--describe-file",
        f,
        "--seed",
        "7",
        "-n",
        "2",
        "-q",
        "-f",
        "jsonl",
    ]);
    assert!(ok, "{err}");
    assert_eq!(batch, by_file);
    // Text too, from standard input, with a description that also fits an argument: the same
    // bytes by every route.
    let short = long_description(100_000);
    let (ok, a, err) = run(&["gen", &short, "--seed", "3", "-n", "2"]);
    assert!(ok, "{err}");
    let (ok, b, err) = run_stdin(
        &[
            "batch",
            "--describe-file",
            "-",
            "--seed",
            "3",
            "-n",
            "2",
            "-q",
        ],
        &format!("{short}\r\n"),
    );
    assert!(ok, "{err}");
    assert_eq!(a, b);
}

#[test]
fn unclear_describe_file_errors_are_clear() {
    let d = tmp();
    let dir = d.path().to_str().unwrap();
    let missing = d.path().join("missing.txt");
    let missing = missing.to_str().unwrap();
    let bad = d.path().join("bad.txt");
    std::fs::write(&bad, b"beach\nsun\xffset\n").unwrap();
    let bad = bad.to_str().unwrap();
    for cmd in [
        vec!["gen", "--seed", "1"],
        vec!["batch", "--seed", "1", "-n", "1", "-q"],
    ] {
        let with = |f: &str| -> Vec<String> {
            cmd.iter()
                .chain(&["--describe-file", f])
                .map(|s| s.to_string())
                .collect()
        };
        let (ok, out, err) = run(&refs(&with(missing)));
        assert!(!ok && out.is_empty(), "{out}");
        assert!(
            err.starts_with(&format!("error: cannot read {missing}: ")),
            "{err}"
        );
        assert_eq!(err.matches("os error").count(), 1, "{err}");
        let (ok, out, err) = run(&refs(&with(dir)));
        assert!(!ok && out.is_empty(), "{out}");
        assert!(
            err.starts_with(&format!("error: cannot read {dir}: ")),
            "{err}"
        );
        let (ok, out, err) = run(&refs(&with(bad)));
        assert!(!ok && out.is_empty(), "{out}");
        assert!(
            err.contains(&format!("{bad}:2:4: not valid UTF-8 (byte 0xff")),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // A description and a file at once is a usage error.
    let (ok, _, err) = run(&["gen", "beach", "--describe-file", bad]);
    assert!(!ok);
    assert!(err.contains("cannot be used with"), "{err}");
    let (ok, _, err) = run(&[
        "batch",
        "--describe",
        "beach",
        "--describe-file",
        bad,
        "--seed",
        "1",
        "-n",
        "1",
    ]);
    assert!(!ok);
    assert!(err.contains("cannot be used with"), "{err}");
}

/// Found by tests/fuzz.rs (issue 17, item 6): a variable name followed by a non-ASCII character
/// made the error message panic (exit 101) instead of pointing at the character.
#[test]
fn fuzz_a_non_ascii_character_after_a_variable_name_is_a_located_error() {
    for t in ["${a é=1}", "${f 雪}", "${fox\t雪=1"] {
        for args in [
            vec!["expand", t, "--seed", "1"],
            vec!["batch", "--expand", t, "--seed", "1", "-n", "1", "-q"],
        ] {
            let (ok, out, err) = run(&args);
            assert!(!ok && out.is_empty(), "{args:?}: {out}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            assert!(err.contains("expected `}`, `:`, `=` or `?=`"), "{err}");
            assert!(err.contains("<template>:1:"), "{err}");
        }
    }
}

/// Found by tests/fuzz.rs (issue 17, item 6): a template body with a non-ASCII character just
/// before a closing `}}` panicked while the library loaded (exit 101).
#[test]
fn fuzz_a_body_with_a_non_ascii_character_before_a_closing_brace_is_an_error() {
    let d = tmp();
    std::fs::create_dir(d.path().join("templates")).unwrap();
    std::fs::create_dir(d.path().join("vocab")).unwrap();
    std::fs::write(
        d.path().join("vocab/a.yaml"),
        "categories:\n  animal:\n    entries: [fox]\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("templates/t.yaml"),
        "name: t\nslots:\n  subject: { category: animal }\nbodies:\n  - \"{{ subject\u{e9}}} at {dawn|dusk}\"\n",
    )
    .unwrap();
    let l = d.path().to_str().unwrap();
    for args in [
        vec!["check", "--library", l],
        vec!["gen", "-t", "t", "--library", l, "--seed", "1"],
    ] {
        let (ok, out, err) = run(&args);
        assert!(!ok && out.is_empty(), "{args:?}: {out}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("t.yaml"), "{args:?}: {err}");
    }
}
