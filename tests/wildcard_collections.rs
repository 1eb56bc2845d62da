//! Wildcard collections as people have them (issue 16): recursion, broken references deep in
//! a collection, empty and malformed files, byte-order marks and UTF-16, dynamicprompts'
//! default value order, `{1-$$…}`, variables in combinatorial mode, `*` against `**`.
//!
//! The fixture `tests/fixtures/collections16/` reproduces each case in a few small files. The
//! expectations marked "dynamicprompts 0.31.0" were generated once with the real package
//! (`pip install dynamicprompts==0.31.0 pyyaml`, `WildcardManager` on the same folder,
//! `CombinatorialPromptGenerator` or `RandomPromptGenerator(seed=1)`); CI does not install it.
//! Where promptloom deliberately differs, the test says what dynamicprompts did instead.

mod common;

use std::collections::BTreeMap;

use common::{fails, fixture, ok, run};

fn dir() -> String {
    fixture("collections16")
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn expand(args: &[&str]) -> String {
    let d = dir();
    let mut all = vec!["expand"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-w", &d]);
    ok(&all)
}

fn expand_fails(args: &[&str]) -> String {
    let d = dir();
    let mut all = vec!["expand"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-w", &d]);
    fails(&all)
}

fn counts(out: &str) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for l in out.lines() {
        *m.entry(l).or_default() += 1;
    }
    m
}

/// dynamicprompts 0.31.0, 200 random prompts: running 92, running in a pose 28, … in a pose
/// ×2 7, ×3 2, ×4 1, standing 56, standing in a pose 12, ×2 2. Its combinatorial generator
/// fails on this wildcard (RecursionError: the recursive value sorts first).
#[test]
fn a_recursive_wildcard_with_a_way_out_expands() {
    let out = expand(&["__recursive/action__", "-n", "2000", "--seed", "1"]);
    let c = counts(&out);
    let re = regex::Regex::new(r"^(running|standing)( in a pose)*$").unwrap();
    for l in c.keys() {
        assert!(re.is_match(l), "{l}");
    }
    // Each value of `action` is drawn half the time, as in dynamicprompts.
    let running = c.get("running").copied().unwrap_or(0);
    assert!((850..1150).contains(&running), "{c:?}");
    assert!(c.contains_key("running in a pose in a pose"), "{c:?}");
    // Combinatorial: each depth in turn, the last one past the bound taking the way out.
    let comb = expand(&[
        "__recursive/action__",
        "--combinatorial",
        "--max-recursion",
        "2",
    ]);
    assert_eq!(
        lines(&comb),
        [
            "running in a pose in a pose",
            "standing in a pose",
            "running in a pose",
            "standing",
            "running"
        ]
    );
    let (ok, n, err) = run(&[
        "expand",
        "__recursive/action__",
        "--count",
        "--max-recursion",
        "2",
        "-w",
        &dir(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(n.trim(), "5");
    assert!(err.contains("recursion cut after 2 re-entries"), "{err}");
}

/// dynamicprompts 0.31.0: RecursionError (random and combinatorial).
#[test]
fn a_cycle_without_a_way_out_is_named_or_kept_as_text() {
    let err = expand_fails(&["__loop__", "--seed", "1"]);
    assert!(err.contains("wildcard cycle: loop → loop"), "{err}");
    assert!(err.contains("loop.txt:1:3"), "{err}");
    let (ok, out, err) = run(&[
        "expand",
        "__loop__",
        "--seed",
        "1",
        "--lenient",
        "-w",
        &dir(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(out, "x __loop__\n");
    assert!(err.contains("1 problem kept as text"), "{err}");
}

/// dynamicprompts 0.31.0, 50 random prompts: "a portrait of a oil person" 25, "a portrait of a
/// __american_impressionism/painters__ person" 25 (the unknown name kept as text).
#[test]
fn a_broken_reference_three_folders_down() {
    let err = expand_fails(&["__nested/portrait__", "--seed", "1"]);
    assert!(
        err.contains("unknown wildcard `__american_impressionism/painters__`"),
        "{err}"
    );
    assert!(err.contains("nested/sub/deep/style.txt:2:1"), "{err}");
    assert!(err.contains("--lenient"), "{err}");
    let (ok, out, err) = run(&[
        "expand",
        "__nested/portrait__",
        "-n",
        "50",
        "--seed",
        "1",
        "--lenient",
        "-w",
        &dir(),
    ]);
    assert!(ok, "{err}");
    let c = counts(&out);
    assert_eq!(
        c.keys().copied().collect::<Vec<_>>(),
        [
            "a portrait of a __american_impressionism/painters__ person",
            "a portrait of a oil person"
        ]
    );
    // Warned once however often it is met, then counted.
    assert_eq!(err.matches("no values for wildcard").count(), 1, "{err}");
    assert!(err.contains("1 problem kept as text or left out"), "{err}");
    // The same holds in combinatorial mode, where sizing meets the name again and again.
    let (ok, out, _) = run(&[
        "expand",
        "__nested/portrait__",
        "--combinatorial",
        "--lenient",
        "-w",
        &dir(),
    ]);
    assert!(ok);
    assert_eq!(
        lines(&out),
        [
            "a portrait of a __american_impressionism/painters__ person",
            "a portrait of a oil person"
        ]
    );
}

/// dynamicprompts 0.31.0: `__empty__` (kept as text, a log warning).
#[test]
fn an_empty_file_is_an_error_that_does_not_suggest_itself() {
    let err = expand_fails(&["__empty__", "--seed", "1"]);
    assert!(err.contains("wildcard `empty` has no values"), "{err}");
    assert!(!err.contains("did you mean `__empty__`"), "{err}");
    let (ok, out, _) = run(&[
        "expand",
        "__empty__",
        "--seed",
        "1",
        "--lenient",
        "-w",
        &dir(),
    ]);
    assert!(ok);
    assert_eq!(out, "__empty__\n");
}

/// dynamicprompts 0.31.0: ParseException for the whole template (`Expected end of text, found
/// '_'`), in both modes.
#[test]
fn an_unclosed_double_underscore_in_a_file() {
    let err = expand_fails(&["__unclosed__", "--seed", "1"]);
    assert!(err.contains("unclosed `__`"), "{err}");
    assert!(err.contains("unclosed.txt:2:5"), "{err}");
    assert!(err.contains("--lenient keeps it as text"), "{err}");
    let (ok, out, err) = run(&[
        "expand",
        "__unclosed__",
        "--combinatorial",
        "--lenient",
        "-w",
        &dir(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(lines(&out), ["bad __x", "good"]);
    assert!(err.contains("the value is kept as text"), "{err}");
}

/// dynamicprompts 0.31.0: `__bom/txt__` gives ["green", "\u{feff}red"] (the mark is kept and
/// sorts last); `__bom/yamlbom__` ["moon", "sun"]; `__bom/jsonbom__` cannot be read
/// ("Unexpected UTF-8 BOM") and stays `__jsonbom__`; `__utf16__` gives NUL-filled text.
#[test]
fn byte_order_marks_in_every_format_and_utf16() {
    let all = |t: &str| expand(&[t, "--combinatorial"]);
    assert_eq!(lines(&all("__bom/txt__")), ["green", "red"]);
    assert_eq!(lines(&all("__bom/yamlbom__")), ["moon", "sun"]);
    assert_eq!(lines(&all("__bom/jsonbom__")), ["down", "up"]);
    assert_eq!(lines(&all("__utf16__")), ["café", "thé"]);
}

/// A file that cannot be parsed blocks nothing that does not use it.
#[test]
fn a_malformed_file_nobody_uses_blocks_nothing() {
    assert_eq!(
        lines(&expand(&["__three__", "--combinatorial"])),
        ["a", "b", "c"]
    );
    let err = expand_fails(&["__broken__", "--seed", "1"]);
    assert!(err.contains("broken.json:2:0: invalid JSON"), "{err}");
    assert!(err.contains("--lenient"), "{err}");
}

/// dynamicprompts 0.31.0: combinatorial ["ant", "moth", "zebra"] (sorted, duplicates dropped).
#[test]
fn values_are_sorted_and_deduplicated_by_default() {
    assert_eq!(
        lines(&expand(&["__dups__", "--combinatorial"])),
        ["ant", "moth", "zebra"]
    );
    assert_eq!(
        lines(&expand(&[
            "__dups__",
            "--combinatorial",
            "--no-sort",
            "--no-dedup"
        ])),
        ["zebra", "ant", "zebra", "moth", "ant"]
    );
    assert_eq!(
        lines(&expand(&["__dups__", "--combinatorial", "--no-sort"])),
        ["zebra", "ant", "moth"]
    );
    // Odds: `zebra` is written twice in five lines; deduplicated it is one value in three.
    let c = |args: &[&str]| {
        let mut a = vec!["__dups__", "-n", "3000", "--seed", "1"];
        a.extend_from_slice(args);
        counts(&expand(&a))["zebra"]
    };
    assert!((850..1150).contains(&c(&[])), "{}", c(&[]));
    assert!(
        (1050..1350).contains(&c(&["--no-dedup"])),
        "{}",
        c(&["--no-dedup"])
    );
}

/// dynamicprompts 0.31.0: `{1-$$__three__}` combinatorial ["a", "b", "c"] and random one value
/// each time (the open bound is the number of options written, one); `{2-$$__three__}`
/// ["a", "b", "c", "a,b", "a,c", "b,a", "b,c", "c,a", "c,b"].
#[test]
fn open_ranges_over_a_wildcard_follow_dynamicprompts() {
    assert_eq!(
        lines(&expand(&["{1-$$__three__}", "--combinatorial"])),
        ["a", "b", "c"]
    );
    let random = expand(&["{1-$$__three__}", "-n", "100", "--seed", "1"]);
    assert!(
        random.lines().all(|l| ["a", "b", "c"].contains(&l)),
        "{random}"
    );
    assert_eq!(
        lines(&expand(&["{2-$$__three__}", "--combinatorial"])),
        ["a", "b", "c", "a,b", "a,c", "b,a", "b,c", "c,a", "c,b"]
    );
}

/// dynamicprompts 0.31.0: ["red and red", "red and blue", "blue and red", "blue and blue"] and
/// ["got a", "got b", "got c"].
#[test]
fn variables_and_parameters_are_enumerated_where_used() {
    let t = "${c={red|blue}}${c} and ${c}";
    assert_eq!(
        lines(&expand(&[t, "--combinatorial"])),
        [
            "red and red",
            "red and blue",
            "blue and red",
            "blue and blue"
        ]
    );
    assert_eq!(expand(&[t, "--count"]), "4\n");
    assert_eq!(
        lines(&expand(&["__param(p={a|b|c})__", "--combinatorial"])),
        ["got a", "got b", "got c"]
    );
    assert_eq!(expand(&["__param(p={a|b|c})__", "--count"]), "3\n");
}

/// dynamicprompts 0.31.0 gives ["x", "y"] for both: its `*` crosses folders. Here `*` stays in
/// one folder level, and a miss says so.
#[test]
fn a_one_level_glob_that_misses_hints_the_deep_one() {
    let err = expand_fails(&["__dir/*__", "--seed", "1"]);
    assert!(err.contains("did you mean `__dir/**__`?"), "{err}");
    assert_eq!(
        lines(&expand(&["__dir/**__", "--combinatorial"])),
        ["x", "y"]
    );
}

#[test]
fn wildcards_check_lists_every_problem_with_its_place() {
    let (ok, out, err) = run(&["wildcards", "check", &dir()]);
    assert!(!ok, "check must fail on a collection with problems");
    for want in [
        "broken.json:2:0: invalid JSON",
        "empty.txt:1: wildcard `empty` has no values",
        "loop.txt:1: wildcard `loop` never ends",
        "style.txt:2:1: `__american_impressionism/painters__` in wildcard \
         `nested/sub/deep/style` does not exist",
        "unclosed.txt:2:5: unclosed `__`",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(err.contains("5 problems"), "{err}");
    // A clean collection passes.
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("a.txt"), "x\n__b__\n").unwrap();
    std::fs::write(clean.path().join("b.txt"), "y\n").unwrap();
    let (ok, out, _) = run(&["wildcards", "check", &clean.path().display().to_string()]);
    assert!(ok);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn wildcards_list_and_show() {
    let out = ok(&["wildcards", "list", &dir()]);
    let dups = out.lines().find(|l| l.starts_with("dups\t")).unwrap();
    assert!(
        dups.starts_with("dups\t3\t") && dups.ends_with("dups.txt:1"),
        "{dups}"
    );
    let with_dups = ok(&["wildcards", "list", &dir(), "--no-dedup"]);
    assert!(
        with_dups.lines().any(|l| l.starts_with("dups\t5\t")),
        "{with_dups}"
    );
    assert_eq!(
        ok(&["wildcards", "show", "dups", "-w", &dir()]),
        "ant\nmoth\nzebra\n"
    );
    assert_eq!(
        ok(&["wildcards", "show", "dups", "-w", &dir(), "--no-sort"]),
        "zebra\nant\nmoth\n"
    );
}

/// An error inside a YAML value names the file and the value's own line (it named the value's
/// position in the list before).
#[test]
fn an_error_in_a_yaml_value_points_at_its_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("c.yaml"),
        "colours:\n  - red\n  - \"{blue|green\"\n  - white\n",
    )
    .unwrap();
    let w = d.path().display().to_string();
    let (ok, _, err) = run(&["expand", "__colours__", "-w", &w, "--seed", "1"]);
    assert!(!ok);
    assert!(err.contains("c.yaml:3:"), "{err}");
    assert!(err.contains("--lenient"), "{err}");
}
