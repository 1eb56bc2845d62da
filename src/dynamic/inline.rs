//! Dynamic syntax inside a library: vocabulary entries (`{soft|warm} light`) and the text of
//! scene-template bodies (`… drifting {gently|slowly} …`).
//!
//! Both are parsed once when the library loads, with errors located in the YAML file, and
//! expanded per prompt by [`crate::scene`] with keyed streams, so every dialect writes the same
//! text. Wildcards are refused: a library has no wildcard collection.

use std::collections::BTreeMap;

use super::Template;
use super::ast::Node;
use super::error::{Diagnostic, Source};
use crate::error::Result;

/// True when an entry's text must go through the dynamic parser: it has a `{` (every construct
/// but a wildcard starts with one) or a `__` (so that a wildcard is reported, not printed).
/// Everything else is plain text and costs nothing at expansion time.
pub fn entry_has_syntax(text: &str) -> bool {
    text.contains('{') || text.contains("__")
}

/// Parses `text` (one entry, or one text run of a body) whose first byte sits at `line`, column
/// `column` (1-based) of `file` with source `file_src`. Errors point into the file.
pub fn parse_located(
    text: &str,
    file: &str,
    file_src: &str,
    line: usize,
    column: usize,
) -> Result<Template> {
    parse_framed(text, file, file_src, line, column, &BTreeMap::new())
}

/// [`parse_located`] for a text run of a template body: each `__name__` that names one of
/// `frames` (the library's frames, name → phrasings) becomes a variant of its phrasings, drawn
/// per prompt like `{a|b|c}` written in its place. Any other wildcard is refused.
pub fn parse_framed(
    text: &str,
    file: &str,
    file_src: &str,
    line: usize,
    column: usize,
    frames: &BTreeMap<String, Vec<String>>,
) -> Result<Template> {
    let mut src = Source::new(file, text);
    src.first_line = line as u32;
    let mut root = super::parser::parse(&src)
        .map_err(|d| crate::Error::from(rebase(d, file_src, line, column)))?;
    if !frames.is_empty() {
        put_frames(&mut root, frames);
    }
    let t = Template::from_parts(src.clone(), root);
    check_node(&src, t.root(), &set_names(t.root()), frames)
        .and_then(|()| check_vars(&src, t.root(), &mut BTreeMap::new()))
        .map_err(|d| crate::Error::from(rebase(d, file_src, line, column)))?;
    // What the checks above cannot see (a text that expands past the size or step limits)
    // fails on every draw: one trial expansion reports it here, as a load error.
    super::Expander::new(
        &t,
        super::empty_collection(),
        super::ExpandOptions::default(),
    )
    .expand(0, 0)
    .map_err(|e| rebase_error(e, file_src, line, column))?;
    Ok(t)
}

fn rebase_error(e: crate::Error, file_src: &str, line: usize, column: usize) -> crate::Error {
    match e {
        crate::Error::Dynamic(d) => rebase(*d, file_src, line, column).into(),
        other => other,
    }
}

/// Moves a diagnostic computed on a piece of text to where that text stands in its file: the
/// file's own line is shown and the column shifted, when the line shows the text verbatim
/// (otherwise the piece's line is shown as is).
pub fn rebase(
    mut d: Diagnostic,
    file_src: &str,
    first_line: usize,
    first_column: usize,
) -> Diagnostic {
    if d.line == 0 {
        return d;
    }
    let Some(file_line) = file_src.lines().nth(d.line as usize - 1) else {
        return d;
    };
    let file_line = file_line.trim_end_matches('\r');
    // On its first line the piece may start mid-line, at `first_column`; elsewhere (or if the
    // column is off, as in an indented block) it is found in the line.
    let at_column = (d.line as usize == first_line)
        .then(|| {
            file_line
                .char_indices()
                .nth(first_column.saturating_sub(1))
                .map(|(i, _)| i)
        })
        .flatten()
        .filter(|&i| file_line[i..].starts_with(d.line_text.as_str()));
    let pos = at_column.or_else(|| file_line.find(d.line_text.as_str()));
    if let Some(p) = pos {
        d.column += file_line[..p].chars().count() as u32;
        d.line_text = file_line.to_string();
    }
    d
}

/// Variables in a library text must be set before they are read, on every path: a `${x}` without
/// a default reads a name set earlier in the same sequence (a `${x=…}` inside one option of a
/// variant does not count after the variant), and a lazy `${x=…}` must not read itself, directly
/// or through other lazy variables (`${x=a ${x}}${x}` would recurse without end). With these, a
/// library entry cannot fail to expand, so it never has to fall back to its source text.
/// `set` maps each name set so far to the names its lazy value reads.
fn check_vars(
    src: &Source,
    n: &Node,
    set: &mut BTreeMap<String, Vec<String>>,
) -> Result<(), Diagnostic> {
    match n {
        Node::Text(_) | Node::Wildcard(_) => {}
        Node::Seq(v) => {
            for c in v {
                check_vars(src, c, set)?;
            }
        }
        Node::Variant(v) => {
            for o in &v.options {
                check_vars(src, o, &mut set.clone())?;
            }
        }
        Node::Wrap(w) => {
            check_vars(src, &w.wrapper, &mut set.clone())?;
            check_vars(src, &w.inner, &mut set.clone())?;
        }
        Node::GetVar(g) => match &g.default {
            Some(d) => check_vars(src, d, &mut set.clone())?,
            None if !set.contains_key(&*g.name) => {
                return Err(src
                    .diagnostic(
                        g.span,
                        format!("variable `{}` is not set before it is read", g.name),
                    )
                    .with_help(format!(
                        "set it earlier in the text, outside any variant (`${{{}=…}}`), or give \
                         a default (`${{{}:…}}`)",
                        g.name, g.name
                    )));
            }
            None => {}
        },
        Node::SetVar(s) => {
            let reads = if s.immediate {
                Vec::new()
            } else {
                let mut reads = Vec::new();
                walk(&s.value, &mut |n| {
                    if let Node::GetVar(g) = n {
                        reads.push(g.name.to_string());
                    }
                });
                // Through the lazy variables already set, may the value read itself?
                let mut todo = reads.clone();
                let mut seen = std::collections::BTreeSet::new();
                while let Some(r) = todo.pop() {
                    if *r == *s.name {
                        return Err(src
                            .diagnostic(s.span, format!("variable `{}` refers to itself", s.name))
                            .with_help(
                                "a lazy `${x=…}` is expanded where it is read, so reading `x` \
                                 inside it never ends; use `${x=!…}` to expand it once, here",
                            ));
                    }
                    if seen.insert(r.clone())
                        && let Some(more) = set.get(&r)
                    {
                        todo.extend(more.iter().cloned());
                    }
                }
                reads
            };
            check_vars(src, &s.value, &mut set.clone())?;
            set.insert(s.name.to_string(), reads);
        }
    }
    Ok(())
}

/// Names set by `${x=…}` anywhere in the tree.
fn set_names(n: &Node) -> Vec<String> {
    let mut out = Vec::new();
    walk(n, &mut |n| {
        if let Node::SetVar(s) = n {
            out.push(s.name.to_string());
        }
    });
    out
}

fn walk(n: &Node, f: &mut dyn FnMut(&Node)) {
    f(n);
    match n {
        Node::Seq(v) => v.iter().for_each(|c| walk(c, f)),
        Node::Variant(v) => v.options.iter().for_each(|c| walk(c, f)),
        Node::SetVar(s) => walk(&s.value, f),
        Node::GetVar(g) => {
            if let Some(d) = &g.default {
                walk(d, f);
            }
        }
        Node::Wrap(w) => {
            walk(&w.wrapper, f);
            walk(&w.inner, f);
        }
        Node::Wildcard(_) | Node::Text(_) => {}
    }
}

/// Replaces every plain `__name__` (no parameters, no sampler) that names a frame with a
/// variant of the frame's phrasings, spanning the wildcard it replaces.
fn put_frames(n: &mut Node, frames: &BTreeMap<String, Vec<String>>) {
    use super::ast::{Variant, WEIGHT_SCALE, WildcardName};
    match n {
        Node::Wildcard(w) => {
            if let (WildcardName::Static(name), None, true) =
                (&w.name, &w.sampler, w.params.is_empty())
                && let Some(phrasings) = frames.get(&**name)
            {
                *n = Node::Variant(Box::new(Variant {
                    span: w.span,
                    sampler: None,
                    options: phrasings
                        .iter()
                        .map(|p| Node::Text(p.as_str().into()))
                        .collect(),
                    weights: vec![WEIGHT_SCALE; phrasings.len()],
                    select: None,
                }));
            }
        }
        Node::Text(_) => {}
        Node::Seq(v) => v.iter_mut().for_each(|c| put_frames(c, frames)),
        Node::Variant(v) => v.options.iter_mut().for_each(|c| put_frames(c, frames)),
        Node::SetVar(s) => {
            if let Some(v) = std::sync::Arc::get_mut(&mut s.value) {
                put_frames(v, frames);
            }
        }
        Node::GetVar(g) => {
            if let Some(d) = g.default.as_mut().and_then(std::sync::Arc::get_mut) {
                put_frames(d, frames);
            }
        }
        Node::Wrap(w) => {
            put_frames(&mut w.wrapper, frames);
            put_frames(&mut w.inner, frames);
        }
    }
}

/// Refuses what cannot work without a wildcard collection: wildcards (other than the frames
/// a body may name, already replaced), and `${x}` without a default that nothing in the same
/// text sets.
fn check_node(
    src: &Source,
    n: &Node,
    set: &[String],
    frames: &BTreeMap<String, Vec<String>>,
) -> Result<(), Diagnostic> {
    let mut err = None;
    walk(n, &mut |n| {
        if err.is_some() {
            return;
        }
        match n {
            Node::Wildcard(w) => {
                let help = if frames.is_empty() {
                    "use a variant such as `{a|b|c}`, or write `\\_\\_` for literal underscores"
                        .to_string()
                } else {
                    let wanted = match &w.name {
                        super::ast::WildcardName::Static(s) => s.to_string(),
                        super::ast::WildcardName::Dynamic(_) => String::new(),
                    };
                    let close =
                        crate::suggest::close_matches(&wanted, frames.keys().map(String::as_str));
                    let names: Vec<&str> = frames.keys().map(String::as_str).collect();
                    match close.first() {
                        Some(c) => format!("did you mean the frame `__{c}__`?"),
                        None => format!(
                            "a body may name a frame (`__name__`, no parameters): {}",
                            names.join(", ")
                        ),
                    }
                };
                let msg = if frames.is_empty() {
                    "wildcards are not available in a library"
                } else {
                    "no frame of that name: wildcards are not available in a library"
                };
                err = Some(src.diagnostic(w.span, msg).with_help(help));
            }
            Node::GetVar(g) if g.default.is_none() && !set.iter().any(|s| **s == *g.name) => {
                err = Some(
                    src.diagnostic(g.span, format!("unknown variable `{}`", g.name))
                        .with_help(format!(
                            "set it in the same text (`${{{}=…}}`) or give a default (`${{{}:…}}`)",
                            g.name, g.name
                        )),
                );
            }
            _ => {}
        }
    });
    err.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_into_the_file() {
        let file = "entries:\n  - \"{soft|warm light\"\n";
        let e = parse_located("{soft|warm light", "v.yaml", file, 2, 6).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("--> v.yaml:2:6"), "{s}");
        assert!(s.contains("2 |   - \"{soft|warm light\""), "{s}");
        let e = parse_located("a __b__ c", "v.yaml", "x: a __b__ c\n", 1, 4).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("v.yaml:1:6") && s.contains("wildcards"), "{s}");
        let e = parse_located("{a|${x}}", "v.yaml", "{a|${x}}\n", 1, 1).unwrap_err();
        assert!(e.to_string().contains("unknown variable `x`"), "{e}");
        assert!(parse_located("${x=!{a|b}} ${x} ${y:z}", "v", "", 1, 1).is_ok());
        assert!(
            parse_located(
                "${c=!{amber|jade}}${c} leaves and ${c} water",
                "v",
                "",
                1,
                1
            )
            .is_ok()
        );
    }

    #[test]
    fn d6_variables_that_cannot_expand_are_load_errors() {
        for (text, want) in [
            ("${x=a ${x}}${x} fox", "refers to itself"),
            ("${y=b}${x=a ${y}}${y=${x}}${y}", "refers to itself"),
            ("${x=a ${x:z}}${x}", "refers to itself"),
            ("{${x=a}|b} ${x}", "not set before"),
            ("${x} ${x=a}", "not set before"),
        ] {
            let e = parse_located(text, "v.yaml", "", 1, 1)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        // Doubling past the size limit fails on every draw: found by the trial expansion.
        let mut t = String::from("${v0=!xxxxxxxxxxxxxxxx}");
        for i in 1..=24 {
            t.push_str(&format!("${{v{i}=!${{v{0}}}${{v{0}}}}}", i - 1));
        }
        let e = parse_located(&t, "v.yaml", "", 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("MiB"), "{e}");
        assert!(parse_located("${x=!a}${x=!b ${x}}${x}", "v", "", 1, 1).is_ok());
    }

    fn library(vocab_extra: &str, body: &str) -> crate::library::Library {
        use crate::library::{Library, SourceFile, SourceKind};
        let vocab = format!(
            r#"
categories:
  thing:
    entries:
      - fox
      - text: "{{old|weathered}} boat"
        aliases: [old boat]
        emphasis: 120
      - "({{red|brown}}) [x] AND a {{2$$ and $$cat|dog|owl}}"
  light:
    entries:
      - "{{soft|warm|pale}} light"
      - plain light
{vocab_extra}"#
        );
        let template = format!(
            "name: t\nnegative: [blurry]\nslots:\n  subject: {{ category: thing }}\n  light: {{ category: light, count: 1-2 }}\nbodies:\n  - \"{body}\"\n"
        );
        Library::from_sources(vec![
            SourceFile::new("v.yaml", SourceKind::Vocab, vocab),
            SourceFile::new("t.yaml", SourceKind::Template, template),
        ])
        .unwrap()
    }

    const BODY: &str = "{{ subject_a | cap }} {waits|rests} in {{ light }}{% if light %}, {very|rather} {calm|still}{% endif %}.";

    #[test]
    fn scenes_expand_once_per_index_and_independently() {
        use crate::scene::{Plan, Scratch, build, build_with};
        let lib = library("", BODY);
        let plan = Plan::new(&lib, "", None).unwrap();
        let all: Vec<_> = (0..200).map(|i| build(&lib, &plan, 9, i, false)).collect();
        // Index independence: each scene equals the one built alone, with fresh buffers or not.
        let mut scratch = Scratch::default();
        for i in [0u64, 57, 199] {
            let alone = build_with(&lib, &plan, 9, i, false, &mut scratch);
            assert_eq!(alone.dynamic, all[i as usize].dynamic);
        }
        let texts: std::collections::BTreeSet<String> = all
            .iter()
            .flat_map(|s| s.slot_texts(&lib))
            .map(|(_, t)| t)
            .collect();
        assert!(texts.iter().all(|t| !t.contains('{')), "{texts:?}");
        for want in ["soft light", "warm light", "old boat", "weathered boat"] {
            assert!(texts.iter().any(|t| t.contains(want)), "{want}: {texts:?}");
        }
        let bodies: std::collections::BTreeSet<&Vec<String>> =
            all.iter().map(|s| &s.dynamic.body).collect();
        assert!(bodies.len() > 4, "{bodies:?}");
        // Another seed draws differently.
        let other: Vec<_> = (0..200).map(|i| build(&lib, &plan, 10, i, false)).collect();
        assert!(all.iter().zip(&other).any(|(a, b)| a.dynamic != b.dynamic));
    }

    #[test]
    fn every_dialect_writes_the_same_expansion() {
        use crate::dialect::{Options, by_name};
        use crate::scene::{Plan, build};
        let lib = library("", BODY);
        let plan = Plan::new(&lib, "", None).unwrap();
        let dialects: Vec<_> = ["plain", "sd", "midjourney", "flux"]
            .iter()
            .map(|d| by_name(d, &lib, &Options::default()).unwrap())
            .collect();
        for i in 0..100 {
            let scene = build(&lib, &plan, 4, i, false);
            for (si, f) in scene.slots.iter().enumerate() {
                for k in 0..f.picks.len() {
                    let text = scene.text(&lib, si, k);
                    let words: Vec<&str> = text
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| w.len() > 2 && *w != "AND")
                        .collect();
                    for d in &dialects {
                        let w = d.write(&lib, &scene).unwrap();
                        let p = w.prompt.to_lowercase();
                        for word in &words {
                            assert!(p.contains(&word.to_lowercase()), "{}: {p}", d.name());
                        }
                        assert!(!w.prompt.contains('{') && !w.prompt.contains('|'), "{p}");
                    }
                }
            }
        }
    }

    /// sd's token arithmetic counts a dynamic entry as expanded, so its total still equals
    /// tokenizing the written prompt, and the budget holds.
    #[test]
    fn sd_counts_the_expansion() {
        use crate::dialect::sd::{Family, Sd};
        use crate::dialect::{Dialect, Options};
        use crate::scene::{Plan, build};
        use crate::tokens::{ClipTokenizer, count_sd};
        let lib = library("", BODY);
        let plan = Plan::new(&lib, "", None).unwrap();
        let clip = ClipTokenizer::shared();
        for max in [3, 8, 75] {
            let d = Sd::new(
                &lib,
                Family::Sd1,
                &Options {
                    max_tokens: Some(max),
                    ..Options::default()
                },
            )
            .unwrap();
            for i in 0..150 {
                let s = build(&lib, &plan, 2, i, false);
                let w = d.write(&lib, &s).unwrap();
                assert_eq!(w.tokens, Some(count_sd(clip, &w.prompt)), "{}", w.prompt);
            }
        }
    }

    #[test]
    fn fast_body_equals_tera_with_dynamic_runs() {
        use crate::dialect::plain::Plain;
        use crate::scene::{Plan, build};
        let lib = library("", BODY);
        assert!(lib.templates[0].fast_bodies[0].is_some());
        let plan = Plan::new(&lib, "", None).unwrap();
        for i in 0..100 {
            let s = build(&lib, &plan, 5, i, false);
            assert_eq!(
                Plain::render_raw(&lib, &s).unwrap(),
                Plain::render_with_tera(&lib, &s).unwrap()
            );
        }
    }

    #[test]
    fn dynamic_entries_match_by_alias_and_keep_the_users_words() {
        use crate::scene::{Pick, Plan, build};
        let lib = library("", BODY);
        // "soft light" is one expansion of an entry without aliases: not matched.
        let plan = Plan::new(&lib, "soft light", None).unwrap();
        assert!(plan.spans().iter().all(|s| s.entries.is_empty()));
        // The alias pins the entry; the words stay in the prompt whatever it expands to.
        let plan = Plan::new(&lib, "old boat", None).unwrap();
        let s = build(&lib, &plan, 1, 0, false);
        assert!(
            s.slots[0]
                .picks
                .iter()
                .any(|p| matches!(p, Pick::User(u) if u == "old boat"))
        );
    }

    #[test]
    fn libraries_without_syntax_expand_nothing() {
        use crate::library::{Library, SourceFile, SourceKind};
        use crate::scene::{Plan, build};
        // The built-in entries have no syntax (its bodies do: their sentence frames vary).
        let builtin = Library::builtin().unwrap();
        assert!(builtin.categories.iter().all(|c| c.dynamic.is_empty()));
        let lib = Library::from_sources(vec![
            SourceFile::new(
                "v.yaml",
                SourceKind::Vocab,
                "categories:\n  thing:\n    entries: [fox, harbour]\n",
            ),
            SourceFile::new(
                "t.yaml",
                SourceKind::Template,
                "name: t\nslots:\n  subject: { category: thing }\nbodies:\n  - \"{{ subject_a | cap }} at dawn.\"\n",
            ),
        ])
        .unwrap();
        assert!(lib.categories.iter().all(|c| c.dynamic.is_empty()));
        assert!(
            lib.templates
                .iter()
                .all(|t| t.body_dynamic.iter().all(Vec::is_empty))
        );
        let plan = Plan::new(&lib, "harbour at dawn", None).unwrap();
        let s = build(&lib, &plan, 1, 0, false);
        assert_eq!(s.dynamic, crate::scene::Dynamic::default());
    }

    #[test]
    fn located_errors_in_entries_and_bodies() {
        use crate::library::{Library, SourceFile, SourceKind};
        let load = |vocab: &str, body: &str| {
            Library::from_sources(vec![
                SourceFile::new("v.yaml", SourceKind::Vocab, vocab),
                SourceFile::new(
                    "t.yaml",
                    SourceKind::Template,
                    format!(
                        "name: t\nslots:\n  subject: {{ category: thing }}\nbodies:\n  - |\n    A {{{{ subject }}}}\n    {body}\n"
                    ),
                ),
            ])
            .map(|_| ())
            .map_err(|e| e.to_string())
        };
        let ok_vocab = "categories:\n  thing:\n    entries: [fox]\n";
        assert_eq!(load(ok_vocab, "{a|b}"), Ok(()));
        let e = load(
            "categories:\n  thing:\n    entries:\n      - fox\n      - a {2$$x$y$$b|c}\n",
            "",
        )
        .unwrap_err();
        assert!(e.contains("--> v.yaml:5:"), "{e}");
        assert!(e.contains("5 |       - a {2$$x$y$$b|c}"), "{e}");
        let e = load("categories:\n  thing:\n    entries: [\"__animal__\"]\n", "").unwrap_err();
        assert!(e.contains("v.yaml:3:16") && e.contains("wildcards"), "{e}");
        let e = load(ok_vocab, "resting {calm|still").unwrap_err();
        assert!(
            e.contains("--> t.yaml:7:13") && e.contains("unclosed"),
            "{e}"
        );
        assert!(e.contains("7 |     resting {calm|still"), "{e}");
        let e = load(ok_vocab, "{{a|b}|c}").unwrap_err();
        assert!(e.contains("t.yaml:7:5") && e.contains("{~{a|b}|c}"), "{e}");
        // Tera tags cannot sit inside a variant: the run before the tag is unclosed.
        let e = load(ok_vocab, "{a|{{ subject }}}").unwrap_err();
        assert!(e.contains("unclosed"), "{e}");
    }

    #[test]
    fn only_braces_and_double_underscores_need_parsing() {
        assert!(entry_has_syntax("{a|b} light"));
        assert!(entry_has_syntax("a __b__"));
        assert!(!entry_has_syntax("50% grey #1 $5 f/1.4 (x) snake_case"));
    }
}
