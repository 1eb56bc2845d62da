//! Compatibility corpus runner: every case in `tests/compat/*.yaml` goes through the real
//! binary (`promptloom expand`). A case gives a template, optional wildcard files, extra
//! arguments, and one expectation:
//! - `expect`: the exact output lines, in order;
//! - `allowed`: every output line is one of these, and (unless `cover: false`) each appears;
//! - `error`: the run fails and stderr contains this text;
//! - `stderr`: stderr contains this text (in addition to the output expectation).
//!
//! Without `--seed` in `args` the runner adds `--seed 1`; with `allowed` and no `-n` it asks
//! for 300 prompts. `{dir}` in `args` is replaced by the temporary wildcard root, and then no
//! default `--wildcards` is added.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    template: String,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    symlinks: BTreeMap<String, String>,
    #[serde(default)]
    args: Vec<String>,
    expect: Option<Vec<String>>,
    allowed: Option<Vec<String>>,
    #[serde(default = "yes")]
    cover: bool,
    error: Option<String>,
    stderr: Option<String>,
}

fn yes() -> bool {
    true
}

fn run_case(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = dir.path();
    for (path, content) in &case.files {
        let p = root.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&p, content).map_err(|e| e.to_string())?;
    }
    for (link, target) in &case.symlinks {
        let l = root.join(link);
        if let Some(parent) = l.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join(target), &l).map_err(|e| e.to_string())?;
    }
    let root_s = root.display().to_string();
    let mut args: Vec<String> = vec!["expand".into(), case.template.clone()];
    let custom_root = case.args.iter().any(|a| a.contains("{dir}"));
    args.extend(case.args.iter().map(|a| a.replace("{dir}", &root_s)));
    if !case.files.is_empty() && !custom_root {
        args.push("--wildcards".into());
        args.push(root_s.clone());
    }
    if !case.args.iter().any(|a| a == "--seed" || a == "-s") {
        args.extend(["--seed".into(), "1".into()]);
    }
    let has_n = case.args.iter().any(|a| a == "-n" || a == "--num");
    let comb = case
        .args
        .iter()
        .any(|a| a == "--combinatorial" || a == "--count");
    if !has_n && !comb {
        let n = match (&case.expect, &case.allowed) {
            (Some(e), _) => e.len().max(1),
            (None, Some(_)) => 300,
            _ => 1,
        };
        args.extend(["-n".into(), n.to_string()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_promptloom"))
        .args(&args)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    let ctx = || format!("args {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    if let Some(want) = &case.error {
        if out.status.success() {
            return Err(format!("expected failure containing {want:?}\n{}", ctx()));
        }
        if !stderr.contains(want.as_str()) {
            return Err(format!("stderr lacks {want:?}\n{}", ctx()));
        }
        return Ok(());
    }
    if !out.status.success() {
        return Err(format!("run failed\n{}", ctx()));
    }
    if let Some(want) = &case.stderr
        && !stderr.contains(want.as_str())
    {
        return Err(format!("stderr lacks {want:?}\n{}", ctx()));
    }
    if let Some(want) = &case.expect {
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        if lines != want {
            return Err(format!("expected {want:?}\n     got {lines:?}\n{}", ctx()));
        }
    }
    if let Some(allowed) = &case.allowed {
        for l in &lines {
            if !allowed.iter().any(|a| a == l) {
                return Err(format!("output {l:?} is not allowed\n{}", ctx()));
            }
        }
        if case.cover {
            for a in allowed {
                if !lines.contains(&a.as_str()) {
                    return Err(format!("allowed output {a:?} never appeared\n{}", ctx()));
                }
            }
        }
        if lines.is_empty() {
            return Err(format!("no output\n{}", ctx()));
        }
    }
    if case.expect.is_none() && case.allowed.is_none() && case.stderr.is_none() {
        return Err("case has no expectation".into());
    }
    Ok(())
}

#[test]
fn compat_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/compat exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable case file");
        let cases: Vec<Case> =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for c in &cases {
            total += 1;
            let stem = f.file_stem().unwrap_or_default().to_string_lossy();
            let id = format!("{stem}: {}", c.name);
            assert!(names.insert(id.clone()), "duplicate case name {id}");
            if let Err(e) = run_case(c) {
                failures.push(format!("--- {id}\n{e}"));
            }
        }
    }
    assert!(total >= 120, "the corpus has only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("compat corpus: {total} cases passed");
}
