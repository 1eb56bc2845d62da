//! Checking a whole collection (`promptloom wildcards check`): every file that could not be
//! read, every empty wildcard, every value that does not parse, every reference to a
//! wildcard that does not exist, and every wildcard that can never finish (a cycle with no way
//! out), each with its file and line.

use std::collections::BTreeSet;
use std::fmt;

use super::ast::Node;
use super::recursion::refs;
use super::wildcards::Collection;

/// One problem in a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `file:line:column` (or `file:line`, or the file).
    pub location: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem of a collection, in name order, each once.
pub fn check(coll: &Collection) -> Vec<Problem> {
    let mut out = Vec::new();
    for d in coll.defects() {
        out.push(Problem {
            location: d.location.to_string(),
            message: d.message.clone(),
        });
    }
    let mut seen_ids = BTreeSet::new();
    for name in coll.names() {
        for &id in coll.ids_of(name) {
            if seen_ids.insert(id) {
                check_wildcard(coll, id, &mut out);
            }
        }
    }
    out
}

fn check_wildcard(coll: &Collection, id: u32, out: &mut Vec<Problem>) {
    let wc = coll.get(id);
    let at = format!("{}:{}", wc.origin, wc.line);
    if wc.is_empty() && wc.defect.is_none() {
        out.push(Problem {
            location: at.clone(),
            message: format!("wildcard `{}` has no values", wc.name),
        });
    }
    for d in wc.value_errors() {
        out.push(Problem {
            location: format!("{}:{}:{}", d.origin, d.line, d.column),
            message: d.message.clone(),
        });
    }
    let mut unknown = BTreeSet::new();
    for vi in 0..wc.len() {
        let Ok(Some(t)) = wc.template(vi) else {
            continue;
        };
        let mut names = Vec::new();
        refs(t.root(), &mut |n| names.push(n.to_string()));
        for n in names {
            let res = coll.resolve(&n);
            if (res.ids.is_empty() || !res.broken.is_empty()) && unknown.insert(n.clone()) {
                let d = t.source().diagnostic(span_of_ref(t.root(), &n), "");
                let why = if !res.broken.is_empty() {
                    "comes from a broken file"
                } else if coll.exists_but_empty(&n) {
                    "has no values"
                } else {
                    "does not exist"
                };
                let hint = match res.suggestions.first() {
                    Some(s) => format!(" (did you mean `__{s}__`?)"),
                    None => String::new(),
                };
                out.push(Problem {
                    location: format!("{}:{}:{}", d.origin, d.line, d.column),
                    message: format!("`__{n}__` in wildcard `{}` {why}{hint}", wc.name),
                });
            }
        }
    }
    if !wc.is_empty() && coll.height(id).is_none() {
        out.push(Problem {
            location: at,
            message: format!(
                "wildcard `{}` never ends: every value leads back into a cycle ({})",
                wc.name,
                cycle_from(coll, id).join(" → ")
            ),
        });
    }
}

/// The span of the first reference to `name` in a tree (for its line and column).
fn span_of_ref(node: &Node, name: &str) -> super::ast::Span {
    let mut found = None;
    find_ref(node, name, &mut found);
    found.unwrap_or_default()
}

fn find_ref(node: &Node, name: &str, found: &mut Option<super::ast::Span>) {
    if found.is_some() {
        return;
    }
    match node {
        Node::Wildcard(w) => {
            if matches!(&w.name, super::ast::WildcardName::Static(n) if &**n == name) {
                *found = Some(w.span);
            }
        }
        Node::Seq(v) => v.iter().for_each(|n| find_ref(n, name, found)),
        Node::Variant(v) => v.options.iter().for_each(|n| find_ref(n, name, found)),
        Node::SetVar(s) => find_ref(&s.value, name, found),
        Node::Wrap(w) => {
            find_ref(&w.wrapper, name, found);
            find_ref(&w.inner, name, found);
        }
        _ => {}
    }
}

/// A cycle through wildcards without a way out, starting at `id`: follows references to
/// such wildcards until one repeats.
fn cycle_from(coll: &Collection, id: u32) -> Vec<String> {
    let mut path = vec![id];
    loop {
        let cur = *path.last().unwrap_or(&id);
        let wc = coll.get(cur);
        let mut next = None;
        'values: for vi in 0..wc.len() {
            if let Ok(Some(t)) = wc.template(vi) {
                let mut names = Vec::new();
                refs(t.root(), &mut |n| names.push(n.to_string()));
                for n in names {
                    if let Some(x) = coll
                        .resolve(&n)
                        .ids
                        .iter()
                        .find(|x| coll.height(**x).is_none())
                    {
                        next = Some(*x);
                        break 'values;
                    }
                }
            }
        }
        let Some(x) = next else { break };
        if let Some(pos) = path.iter().position(|p| *p == x) {
            let mut names: Vec<String> = path[pos..]
                .iter()
                .map(|p| coll.get(*p).name.clone())
                .collect();
            names.push(coll.get(x).name.clone());
            return names;
        }
        path.push(x);
    }
    path.iter().map(|p| coll.get(*p).name.clone()).collect()
}
