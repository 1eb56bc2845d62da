//! Dynamic syntax inside a library: vocabulary entries (`{soft|warm} light`) and the text of
//! scene-template bodies (`… drifting {gently|slowly} …`).
//!
//! Both are parsed once when the library loads, with errors located in the YAML file, and
//! expanded per prompt by [`crate::scene`] with keyed streams, so every dialect writes the same
//! text. Wildcards are refused: a library has no wildcard collection.

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
    let mut src = Source::new(file, text);
    src.first_line = line as u32;
    let t =
        Template::from_source(src.clone()).map_err(|e| rebase_error(e, file_src, line, column))?;
    check_node(&src, t.root(), &set_names(t.root()))
        .map_err(|d| crate::Error::from(rebase(d, file_src, line, column)))?;
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

/// Refuses what cannot work without a wildcard collection: wildcards, and `${x}` without a
/// default that nothing in the same text sets.
fn check_node(src: &Source, n: &Node, set: &[String]) -> Result<(), Diagnostic> {
    let mut err = None;
    walk(n, &mut |n| {
        if err.is_some() {
            return;
        }
        match n {
            Node::Wildcard(w) => {
                err = Some(
                    src.diagnostic(w.span, "wildcards are not available in a library")
                        .with_help(
                            "use a variant such as `{a|b|c}`, or write `\\_\\_` for literal underscores",
                        ),
                );
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
    }

    #[test]
    fn only_braces_and_double_underscores_need_parsing() {
        assert!(entry_has_syntax("{a|b} light"));
        assert!(entry_has_syntax("a __b__"));
        assert!(!entry_has_syntax("50% grey #1 $5 f/1.4 (x) snake_case"));
    }
}
