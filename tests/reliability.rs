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
