//! Recursive wildcards: a wildcard may lead back to itself (`action` → `action-pose` →
//! `action`) as long as some value leads out.
//!
//! Expansion follows recursive values freely until one chain has re-entered wildcards it is
//! already expanding `max_recursion` times (or is 48 wildcards deep); past that bound each
//! construct that would re-enter, and everything below it, takes only its shortest way out:
//! the values (or options) whose *height*, the depth of their shortest finite expansion, is
//! least. Heights strictly fall along such a path, so it ends. A wildcard with no finite
//! expansion at all (`a` = `x __a__`) is an error naming the cycle (or, with `--lenient`, kept
//! as text). Counting follows the same rule: past the bound a construct counts as one, so
//! `--count` is exact for the bounded space (and says it is bounded).

use std::collections::{BTreeMap, BTreeSet};

use super::Template;
use super::ast::{Node, Span, WildcardName};
use super::count::bounds;
use super::error::Diagnostic;
use super::resolve::Resolution;
use super::wildcards::Collection;

/// Default bound on re-entries of one chain. dynamicprompts has none: it recurses until
/// Python's stack runs out (about 190 nested wildcards) in random mode, and never ends in
/// combinatorial mode when a recursive value comes first; 16 keeps random output the same as
/// unbounded recursion except for chains that re-enter more than 16 times.
pub const DEFAULT_MAX_RECURSION: u32 = 16;

/// Deepest wildcard stack before recursion takes its way out whatever the bound (the sampler
/// stops at 64 nested wildcards and variables).
const STACK_CAP: usize = 48;

/// The recursion state of one chain of expansion (shared by the sampler and the sizer, so both
/// cut at the same places).
#[derive(Debug, Clone)]
pub(crate) struct Recursion {
    pub max: u32,
    /// Re-entries in the current chain: pushes of a wildcard already on the stack.
    pub level: u32,
    /// Past the bound: every construct below takes its shortest way out.
    pub exit: bool,
    /// Set when some construct was cut (the space is bounded).
    pub cut: bool,
}

impl Recursion {
    pub fn new(max: u32) -> Self {
        Recursion {
            max,
            level: 0,
            exit: false,
            cut: false,
        }
    }

    /// True when a reference to `res` leads back into a wildcard on the stack.
    pub fn reenters(&self, stack: &[u32], res: &Resolution) -> bool {
        !stack.is_empty() && res.ids.iter().any(|id| stack.contains(id))
    }

    pub fn past_bound(&self, stack: &[u32]) -> bool {
        self.level >= self.max || stack.len() >= STACK_CAP
    }

    /// Pushes `id`; true when it was already on the stack (a re-entry).
    pub fn push(&mut self, stack: &mut Vec<u32>, id: u32) -> bool {
        let again = stack.contains(&id);
        if again {
            self.level += 1;
        }
        stack.push(id);
        again
    }

    pub fn pop(&mut self, stack: &mut Vec<u32>, again: bool) {
        stack.pop();
        if again {
            self.level -= 1;
        }
    }
}

/// The least height among a name's wildcards (`None`: no finite expansion).
pub(crate) fn exit_height(coll: &Collection, res: &Resolution) -> Option<u32> {
    res.ids.iter().filter_map(|id| coll.height(*id)).min()
}

/// The pool positions of a name's values of least height, in pool order.
pub(crate) fn exit_values(coll: &Collection, res: &Resolution) -> Option<Vec<u64>> {
    let heights: Vec<Option<u32>> = res
        .values
        .iter()
        .map(|&(id, vi)| value_height(coll, id, vi as usize, &mut |x| coll.height(x)))
        .collect();
    let least = heights.iter().flatten().min().copied()?;
    Some(
        (0..heights.len() as u64)
            .filter(|g| heights[*g as usize] == Some(least))
            .collect(),
    )
}

/// The options of a variant of least height, in order (`None`: none is finite).
pub(crate) fn exit_options(coll: &Collection, options: &[Node]) -> Option<Vec<usize>> {
    let heights: Vec<Option<u32>> = options
        .iter()
        .map(|o| node_height(coll, o, &mut |x| coll.height(x)))
        .collect();
    let least = heights.iter().flatten().min().copied()?;
    Some(
        (0..options.len())
            .filter(|i| heights[*i] == Some(least))
            .collect(),
    )
}

/// `k` options for a multi-select past the bound: the lowest first, ties in order.
pub(crate) fn exit_picks(heights: &[Option<u32>], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..heights.len()).collect();
    order.sort_by_key(|i| (heights[*i].unwrap_or(u32::MAX), *i));
    order.truncate(k);
    order.sort_unstable();
    order
}

/// Heights of a multi-select's options (for [`exit_picks`]).
pub(crate) fn option_heights(coll: &Collection, options: &[Node]) -> Vec<Option<u32>> {
    options
        .iter()
        .map(|o| node_height(coll, o, &mut |x| coll.height(x)))
        .collect()
}

/// Heights of a name's values in pool order (for [`exit_picks`]).
pub(crate) fn pool_heights(coll: &Collection, res: &Resolution) -> Vec<Option<u32>> {
    res.values
        .iter()
        .map(|&(id, vi)| value_height(coll, id, vi as usize, &mut |x| coll.height(x)))
        .collect()
}

fn value_height(
    coll: &Collection,
    id: u32,
    vi: usize,
    h: &mut dyn FnMut(u32) -> Option<u32>,
) -> Option<u32> {
    match coll.get(id).template(vi) {
        Ok(Some(t)) => node_height(coll, t.root(), h),
        _ => Some(0),
    }
}

/// The depth of a node's shortest finite expansion, given the heights of wildcards.
fn node_height(
    coll: &Collection,
    node: &Node,
    h: &mut dyn FnMut(u32) -> Option<u32>,
) -> Option<u32> {
    match node {
        Node::Text(_) | Node::GetVar(_) => Some(0),
        Node::SetVar(s) if !s.immediate => Some(0),
        Node::SetVar(s) => node_height(coll, &s.value, h),
        Node::Seq(v) => v
            .iter()
            .try_fold(0, |m, n| Some(m.max(node_height(coll, n, h)?))),
        Node::Wrap(w) => {
            Some(node_height(coll, &w.wrapper, h)?.max(node_height(coll, &w.inner, h)?))
        }
        Node::Variant(v) => {
            let heights: Vec<Option<u32>> =
                v.options.iter().map(|o| node_height(coll, o, h)).collect();
            let k = match &v.select {
                None => 1,
                Some(sel) => bounds(sel.min, sel.max, heights.len()).0,
            };
            if k == 0 {
                return Some(0);
            }
            let mut finite: Vec<u32> = heights.into_iter().flatten().collect();
            finite.sort_unstable();
            // A multi-select needs its `k` lowest options to be finite.
            finite.get(k - 1).copied()
        }
        Node::Wildcard(w) => match &w.name {
            WildcardName::Dynamic(_) => Some(0),
            WildcardName::Static(name) => {
                let res = coll.resolve(name);
                if res.ids.is_empty() {
                    return Some(0);
                }
                res.ids.iter().filter_map(|id| h(*id)).min()
            }
        },
    }
}

impl Collection {
    /// The height of wildcard `id`: one more than its lowest value's (`None`: every
    /// expansion of it recurses forever). Computed for everything reachable from `id` at
    /// once, by a fixed point from "infinite", and kept.
    pub(crate) fn height(&self, id: u32) -> Option<u32> {
        if let Ok(h) = self.heights.lock()
            && let Some(v) = h.get(&id)
        {
            return *v;
        }
        let reach = self.reachable(id);
        let mut h: BTreeMap<u32, Option<u32>> = reach.iter().map(|x| (*x, None)).collect();
        if let Ok(known) = self.heights.lock() {
            for (k, v) in known.iter() {
                h.insert(*k, *v);
            }
        }
        loop {
            let mut changed = false;
            for x in &reach {
                let wc = self.get(*x);
                let mut best: Option<u32> = None;
                for vi in 0..wc.len() {
                    let v = value_height(self, *x, vi, &mut |y| h.get(&y).copied().flatten());
                    best = match (best, v) {
                        (Some(b), Some(v)) => Some(b.min(v)),
                        (b, v) => b.or(v),
                    };
                }
                let new = best.map(|b| b.saturating_add(1));
                if new.is_some() && (h[x].is_none() || new < h[x]) {
                    h.insert(*x, new);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let out = h.get(&id).copied().flatten();
        if let Ok(mut known) = self.heights.lock() {
            known.extend(h);
        }
        out
    }

    /// Every wildcard reachable from `id` through static names.
    fn reachable(&self, id: u32) -> BTreeSet<u32> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![id];
        while let Some(x) = todo.pop() {
            if !seen.insert(x) {
                continue;
            }
            let wc = self.get(x);
            for vi in 0..wc.len() {
                if let Ok(Some(t)) = wc.template(vi) {
                    refs(t.root(), &mut |name| {
                        todo.extend(self.resolve(name).ids.iter().filter(|i| !seen.contains(i)));
                    });
                }
            }
        }
        seen
    }
}

/// Calls `f` with every static wildcard name in a tree.
pub(crate) fn refs(node: &Node, f: &mut dyn FnMut(&str)) {
    match node {
        Node::Text(_) => {}
        Node::Seq(v) => v.iter().for_each(|n| refs(n, f)),
        Node::Variant(v) => v.options.iter().for_each(|n| refs(n, f)),
        Node::SetVar(s) => refs(&s.value, f),
        Node::GetVar(g) => {
            if let Some(d) = &g.default {
                refs(d, f);
            }
        }
        Node::Wrap(w) => {
            refs(&w.wrapper, f);
            refs(&w.inner, f);
        }
        Node::Wildcard(w) => {
            for (_, v) in &w.params {
                refs(v, f);
            }
            match &w.name {
                WildcardName::Static(n) => f(n),
                WildcardName::Dynamic(n) => refs(n, f),
            }
        }
    }
}

/// "wildcard cycle: a → b → a".
pub(crate) fn cycle_error(
    coll: &Collection,
    t: &Template,
    span: Span,
    chain: &[u32],
    back_to: u32,
) -> Diagnostic {
    let mut names: Vec<&str> = chain.iter().map(|id| coll.get(*id).name.as_str()).collect();
    names.push(&coll.get(back_to).name);
    t.source()
        .diagnostic(span, format!("wildcard cycle: {}", names.join(" → ")))
        .with_help(
            "no value along this cycle leads out of it, so it never ends; give one of these \
             wildcards a value that does not lead back (or pass --lenient to keep it as text)",
        )
}

/// The cycle error for a reference into the stack that has no way out.
pub(crate) fn no_way_out(
    coll: &Collection,
    t: &Template,
    span: Span,
    stack: &[u32],
    res: &Resolution,
) -> Diagnostic {
    let pos = stack.iter().position(|s| res.ids.contains(s)).unwrap_or(0);
    let back = stack.get(pos).copied().unwrap_or(res.ids[0]);
    cycle_error(coll, t, span, &stack[pos..], back)
}
