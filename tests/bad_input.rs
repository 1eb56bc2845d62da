//! Every kind of bad input gets a clear, located error and a non-zero exit.

mod common;
use common::{fails, fixture};

fn check_bad(name: &str) -> String {
    let dir = fixture(&format!("bad/{name}"));
    fails(&["check", "--no-builtin", "--library", &dir])
}

#[test]
fn malformed_yaml_has_file_line_and_column() {
    let err = check_bad("yaml");
    assert!(err.contains("broken.yaml:7:1: invalid YAML"), "{err}");
}

#[test]
fn unknown_category_suggests_the_close_name() {
    let err = check_bad("unknown-category");
    assert!(err.contains("t.yaml:4:22"), "{err}");
    assert!(
        err.contains("unknown category `lightning` (did you mean `lighting`?)"),
        "{err}"
    );
}

#[test]
fn tera_syntax_error_names_template_and_line() {
    let err = check_bad("tera");
    assert!(
        err.contains("t.yaml:6:5: template `broken_body`, body 1"),
        "{err}"
    );
    assert!(err.contains("broken_body#1:3:1"), "{err}");
}

#[test]
fn undefined_body_variable_is_caught_at_load() {
    let err = check_bad("undefined-var");
    assert!(err.contains("Variable `subjcet` is not defined"), "{err}");
    assert!(err.contains("template `typo`, body 1"), "{err}");
}

#[test]
fn negative_weight() {
    let err = check_bad("negative-weight");
    assert!(err.contains("v.yaml:5:15"), "{err}");
    assert!(err.contains("negative weight (-2)"), "{err}");
}

#[test]
fn zero_sum_weights() {
    let err = check_bad("zero-sum");
    assert!(err.contains("v.yaml:2:3"), "{err}");
    assert!(err.contains("weights that sum to 0"), "{err}");
}

#[test]
fn non_integer_weight() {
    let err = check_bad("float-weight");
    assert!(err.contains("v.yaml:5:17"), "{err}");
    assert!(err.contains("weight 1.5 is not a whole number"), "{err}");
}

#[test]
fn unknown_template_lists_close_names() {
    let err = fails(&["gen", "--template", "coats", "--seed", "1"]);
    assert!(
        err.contains("unknown template `coats` (did you mean `coast`?)"),
        "{err}"
    );
    let err = fails(&["gen", "--template", "zzzzzz", "--seed", "1"]);
    assert!(err.contains("run `promptloom templates`"), "{err}");
}

#[test]
fn unreadable_library_path() {
    let err = fails(&[
        "gen",
        "--library",
        "/nonexistent/promptloom-lib",
        "--seed",
        "1",
    ]);
    assert!(
        err.contains("library path /nonexistent/promptloom-lib cannot be read"),
        "{err}"
    );
    let file = fixture("mini/vocab/mini.yaml");
    let err = fails(&["gen", "--library", &file, "--seed", "1"]);
    assert!(err.contains("is not a folder"), "{err}");
    let empty = fixture("bad");
    let err = fails(&["gen", "--library", &empty, "--seed", "1"]);
    assert!(
        err.contains("has neither a `vocab/` nor a `templates/` folder"),
        "{err}"
    );
}

#[test]
fn bad_arguments() {
    let err = fails(&["gen", "--seed", "abc"]);
    assert!(err.contains("invalid value 'abc' for '--seed"), "{err}");
    let err = fails(&["gen", "-n", "0", "--seed", "1"]);
    assert!(err.contains("at least 1"), "{err}");
    let err = fails(&["gen", "--format", "xml", "--seed", "1"]);
    assert!(err.contains("unknown format `xml`"), "{err}");
    let err = fails(&["vocab", "lightin"]);
    assert!(err.contains("unknown category `lightin`"), "{err}");
}

#[test]
fn a_scenery_slot_must_be_guarded_and_name_an_axis() {
    let err = check_bad("scenery");
    assert!(err.contains("t.yaml:7:6"), "{err}");
    assert!(
        err.contains("body 2 writes scenery slot `kind` without `{% if kind %}`: the slot is left empty when the description names no `room`"),
        "{err}"
    );
    let err = check_bad("scenery-axis");
    assert!(
        err.contains("`scenery: rom` names no world axis (the axes are room)"),
        "{err}"
    );
    assert!(err.contains("t.yaml:4:"), "{err}");
}

#[test]
fn a_body_naming_no_frame_is_located_with_the_close_name() {
    let err = check_bad("unknown-frame");
    assert!(err.contains("t.yaml:6:14"), "{err}");
    assert!(err.contains("no frame of that name"), "{err}");
    assert!(err.contains("did you mean the frame `__mood__`?"), "{err}");
}

#[test]
fn a_frame_phrasing_is_plain_text() {
    let err = check_bad("frame-syntax");
    assert!(err.contains("v.yaml:8:"), "{err}");
    assert!(err.contains("phrasings are plain text"), "{err}");
}
