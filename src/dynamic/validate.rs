//! The up-front check of `expand`: everything reachable through static wildcard names, before
//! any sampling (syntax errors in values, unknown, empty or broken wildcards, cycles without a
//! way out), so a mistake is reported even if the first prompts would not have hit it.

use std::collections::BTreeSet;

use super::Template;
use super::ast::{Node, WildcardName};
use super::error::Diagnostic;
use super::recursion::cycle_error;
use super::sampler::{MAX_EVAL_NESTING, in_collection, missing};
use super::wildcards::Collection;

/// Walks every node (whatever its sampler) and every value of every statically named wildcard
/// once; `done` holds wildcards already checked.
pub(crate) fn validate_node(
    coll: &Collection,
    t: &Template,
    node: &Node,
    stack: &mut Vec<u32>,
    done: &mut BTreeSet<u32>,
    depth: u32,
) -> std::result::Result<(), Diagnostic> {
    if depth >= MAX_EVAL_NESTING {
        return Err(t.source().diagnostic(node.span(), super::ast::TOO_DEEP));
    }
    match node {
        Node::Text(_) => {}
        Node::Seq(v) => {
            for n in v {
                validate_node(coll, t, n, stack, done, depth + 1)?;
            }
        }
        Node::Variant(v) => {
            for n in &v.options {
                validate_node(coll, t, n, stack, done, depth + 1)?;
            }
        }
        Node::SetVar(s) => validate_node(coll, t, &s.value, stack, done, depth + 1)?,
        Node::GetVar(g) => {
            if let Some(d) = &g.default {
                validate_node(coll, t, d, stack, done, depth + 1)?;
            }
        }
        Node::Wrap(w) => {
            validate_node(coll, t, &w.wrapper, stack, done, depth + 1)?;
            validate_node(coll, t, &w.inner, stack, done, depth + 1)?;
        }
        Node::Wildcard(w) => {
            for (_, v) in &w.params {
                validate_node(coll, t, v, stack, done, depth + 1)?;
            }
            let name = match &w.name {
                WildcardName::Static(n) => n,
                WildcardName::Dynamic(n) => {
                    return validate_node(coll, t, n, stack, done, depth + 1);
                }
            };
            let res = coll.resolve(name);
            if res.ids.is_empty() || !res.broken.is_empty() {
                return Err(missing(t, w, name, &res, coll));
            }
            for id in &res.ids {
                if let Some(pos) = stack.iter().position(|s| s == id) {
                    // Recursion is fine as long as the wildcard has a way out.
                    if coll.height(*id).is_none() {
                        return Err(cycle_error(coll, t, w.span, &stack[pos..], *id));
                    }
                    continue;
                }
                if done.contains(id) {
                    continue;
                }
                if stack.len() >= 64 {
                    return Err(t
                        .source()
                        .diagnostic(w.span, "wildcards nest deeper than 64 levels"));
                }
                let wc = coll.get(*id);
                stack.push(*id);
                for i in 0..wc.len() {
                    if let Some(tpl) = wc.template(i).map_err(in_collection)? {
                        validate_node(coll, tpl, tpl.root(), stack, done, depth + 1)?;
                    }
                }
                stack.pop();
                done.insert(*id);
            }
        }
    }
    Ok(())
}
