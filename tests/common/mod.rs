//! Helpers shared by the integration tests: run the real binary.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_promptloom"))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Runs the binary with `args`; returns (status ok, stdout, stderr).
pub fn run(args: &[&str]) -> (bool, String, String) {
    let out: Output = bin().args(args).output().expect("run promptloom");
    (
        out.status.success(),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Runs and requires success; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let (ok, out, err) = run(args);
    assert!(ok, "promptloom {args:?} failed: {err}");
    out
}

/// Runs and requires failure; returns stderr.
pub fn fails(args: &[&str]) -> String {
    let (ok, out, err) = run(args);
    assert!(!ok, "promptloom {args:?} should fail, printed: {out}");
    assert!(out.is_empty(), "a failing run printed to stdout: {out}");
    err
}

/// Compares with a golden file, or rewrites it when UPDATE_GOLDEN=1.
pub fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert_eq!(
        actual,
        want,
        "output differs from {}; if the change is intended, rerun with UPDATE_GOLDEN=1 and name the change in the changelog",
        path.display()
    );
}
