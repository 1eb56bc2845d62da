//! Expansion: turns a template into prompt text for one `(seed, index)`.
//!
//! Every prompt is computed on its own, so prompt *i* of seed *S* is the same in a run of any
//! length, serial or parallel:
//! - **random** constructs draw from a keyed stream `Keyer(seed, Dynamic)` whose path is a key
//!   built from the construct's byte offset and the chain of choices that led to it (which
//!   wildcard value, which multi-select slot, which variable use), and whose stream is `index`;
//! - **cyclical** constructs pick option `c mod n`, where `c` is `index` at the top and
//!   `c / n` inside a chosen option (so a nested variant keeps its own cycle);
//! - **combinatorial** constructs take their part of rank `index` in odometer order (see
//!   [`super::count`]); one reached through a random or cyclical choice enumerates on its own,
//!   by the cycle counter (`index` unless a cyclical parent divided it).

use std::collections::BTreeSet;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use super::Template;
use super::ast::{Node, Sampler, Span, WildcardName, WildcardRef};
use super::count::Sizer;
use super::error::Diagnostic;
use super::pick::At;
use super::recursion::{self, Recursion};
use super::resolve::Resolution;
use super::wildcards::Collection;
use crate::error::Result;
use crate::rng::{Domain, Keyer, Stream, splitmix64};

/// How an [`Expander`] samples and reports.
#[derive(Debug, Clone)]
pub struct ExpandOptions {
    /// The sampler of constructs without a `~`/`@`/`!` prefix.
    pub mode: Sampler,
    /// Separator of multi-selects without their own (`{2$$a|b|c}`). dynamicprompts uses `,`.
    pub separator: String,
    /// Keep a missing wildcard as literal `__name__` text (with a warning) instead of failing.
    pub lenient: bool,
    /// Deepest nesting of wildcards and variable uses before expansion stops with an error.
    pub max_depth: u32,
    /// How many times one chain may re-enter wildcards it is already expanding before it
    /// takes the shortest way out (see [`super::recursion`]).
    pub max_recursion: u32,
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions {
            mode: Sampler::Random,
            separator: ",".into(),
            lenient: false,
            max_depth: 64,
            max_recursion: recursion::DEFAULT_MAX_RECURSION,
        }
    }
}

/// Expands one template against one collection; cheap to share between threads.
pub struct Expander<'a> {
    template: &'a Template,
    pub(super) coll: &'a Collection,
    pub(super) opts: ExpandOptions,
    root_key: u64,
    warnings: Mutex<BTreeSet<String>>,
}

#[derive(Clone)]
pub(super) enum Var<'a> {
    Text(String),
    Lazy(&'a Template, &'a Node),
}

pub(super) struct Ctx<'e, 'a> {
    pub(super) ex: &'e Expander<'a>,
    pub(super) keyer: Keyer,
    pub(super) index: u64,
    pub(super) vars: Vec<(&'a str, Var<'a>)>,
    pub(super) stack: Vec<u32>,
    pub(super) rec: Recursion,
    pub(super) depth: u32,
    pub(super) in_name: u32,
    pub(super) nest: u32,
    /// Constructs evaluated for this prompt (bounded by [`super::ast::MAX_STEPS`]).
    pub(super) steps: u64,
}

/// Deepest recursion of constructs within one prompt (all wildcard levels together), shared by
/// every walker of the syntax.
pub(crate) const MAX_EVAL_NESTING: u32 = super::ast::MAX_DEPTH;

/// Child key: mixes a construct's parent key with one more number (an offset, a slot, a value).
pub(super) fn mix(key: u64, a: u64) -> u64 {
    let mut s = key ^ a.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    splitmix64(&mut s)
}

/// A resolution borrowed from a template's cache, or freshly made.
pub(crate) enum ResRef<'w> {
    Cached(&'w Resolution),
    Owned(Arc<Resolution>),
}

impl Deref for ResRef<'_> {
    type Target = Resolution;
    fn deref(&self) -> &Resolution {
        match self {
            ResRef::Cached(r) => r,
            ResRef::Owned(r) => r,
        }
    }
}

pub(super) fn resolve_cached<'w>(w: &'w WildcardRef, name: &str, coll: &Collection) -> ResRef<'w> {
    if let Some((id, r)) = w.cache.get() {
        if *id == coll.id() {
            return ResRef::Cached(r);
        }
        return ResRef::Owned(coll.resolve(name));
    }
    let r = coll.resolve(name);
    match w.cache.set((coll.id(), r.clone())) {
        Ok(()) => match w.cache.get() {
            Some((_, r)) => ResRef::Cached(r),
            None => ResRef::Owned(r),
        },
        Err(_) => ResRef::Owned(r),
    }
}

/// For `{k$$__name__}`: the wildcard pool whose values a multi-select picks from, following a
/// wildcard whose only value is a reference to another (sd#358).
pub(crate) fn pool_of<'w>(coll: &'w Collection, node: &'w Node) -> Option<(ResRef<'w>, u32)> {
    let Node::Variant(v) = node else { return None };
    v.select.as_ref()?;
    let [Node::Wildcard(w)] = v.options.as_slice() else {
        return None;
    };
    let WildcardName::Static(name) = &w.name else {
        return None;
    };
    if !w.params.is_empty() {
        return None;
    }
    let mut res = resolve_cached(w, name, coll);
    for _ in 0..16 {
        if res.total_count() != 1 {
            break;
        }
        let (id, vi) = res.locate(0);
        let Ok(Some(tpl)) = coll.get(id).template(vi) else {
            break;
        };
        let Node::Wildcard(inner) = tpl.root() else {
            break;
        };
        let WildcardName::Static(n2) = &inner.name else {
            break;
        };
        if !inner.params.is_empty() {
            break;
        }
        let next = resolve_cached(inner, n2, coll);
        if next.ids.is_empty() {
            break;
        }
        res = next;
    }
    Some((res, 0))
}

/// The help every error about a collection file ends with.
const LENIENT_HELP: &str = "--lenient keeps it as text and goes on";

/// An error in a collection value: says that `--lenient` would keep going.
pub(crate) fn in_collection(d: Diagnostic) -> Diagnostic {
    let help = match d.help.as_deref() {
        Some(h) if h.contains("--lenient") => return d,
        Some(h) => format!("{h}; {LENIENT_HELP}"),
        None => LENIENT_HELP.to_string(),
    };
    d.with_help(help)
}

/// The error (or did-you-mean) for a wildcard that matched nothing (or a broken file).
pub(crate) fn missing(
    t: &Template,
    w: &WildcardRef,
    name: &str,
    res: &Resolution,
    coll: &Collection,
) -> Diagnostic {
    if let Some(defect) = res
        .broken
        .first()
        .and_then(|id| coll.get(*id).defect.clone())
    {
        return in_collection(t.source().diagnostic(
            w.span,
            format!("wildcard `{name}` comes from a broken file: {defect}"),
        ));
    }
    let d = if coll.exists_but_empty(name) {
        t.source()
            .diagnostic(w.span, format!("wildcard `{name}` has no values"))
    } else {
        t.source()
            .diagnostic(w.span, format!("unknown wildcard `__{name}__`"))
    };
    let d = match res.suggestions.as_slice() {
        [] => d.with_help("check --wildcards, or pass --lenient to keep unknown wildcards as text"),
        [one] => d.with_help(format!("did you mean `__{one}__`?")),
        many => {
            let l: Vec<String> = many.iter().map(|s| format!("`__{s}__`")).collect();
            d.with_help(format!("did you mean one of {}?", l.join(", ")))
        }
    };
    if t.source().in_collection {
        return in_collection(d);
    }
    d
}

impl<'a> Expander<'a> {
    pub fn new(template: &'a Template, coll: &'a Collection, opts: ExpandOptions) -> Self {
        Expander {
            template,
            coll,
            opts,
            root_key: crate::rng::fnv1a64_start(b""),
            warnings: Mutex::new(BTreeSet::new()),
        }
    }

    /// Keys every draw under `path` too, so that two templates expanded with the same seed and
    /// index do not make correlated choices (e.g. `vocab/lighting/3`).
    pub fn with_path(mut self, path: &str) -> Self {
        self.root_key = crate::rng::fnv1a64_start(path.as_bytes());
        self
    }

    pub fn options(&self) -> &ExpandOptions {
        &self.opts
    }

    /// Prompt `index` of `seed`.
    pub fn expand(&self, seed: u64, index: u64) -> Result<String> {
        let mut s = String::new();
        self.expand_into(seed, index, &mut s)?;
        Ok(s)
    }

    /// Like [`Expander::expand`] but appends to `out` (lets hot loops reuse one buffer).
    pub fn expand_into(&self, seed: u64, index: u64, out: &mut String) -> Result<()> {
        let mut cx = Ctx {
            ex: self,
            keyer: Keyer::new(seed, Domain::Dynamic),
            index,
            vars: Vec::new(),
            stack: Vec::new(),
            rec: Recursion::new(self.opts.max_recursion),
            depth: 0,
            in_name: 0,
            nest: 0,
            steps: 0,
        };
        let t = self.template;
        let rank = (self.opts.mode == Sampler::Combinatorial).then_some(u128::from(index));
        cx.eval(t, t.root(), self.root_key, self.opts.mode, rank, index, out)?;
        Ok(())
    }

    /// Number of prompts `--combinatorial` enumerates, saturating at `u128::MAX`.
    pub fn combinations(&self) -> Result<u128> {
        let mut s = self.sizer();
        Ok(s.size::<u128>(
            self.template,
            self.template.root(),
            Sampler::Combinatorial,
            true,
        )?)
    }

    /// Checks everything reachable through static wildcard names before any sampling: syntax
    /// errors in values, unknown, empty or broken wildcards, and cycles without a way out
    /// (`a → b → a`), which a random draw might otherwise only hit on some prompts.
    pub fn validate(&self) -> Result<()> {
        let mut done = BTreeSet::new();
        let mut stack = Vec::new();
        super::validate::validate_node(
            self.coll,
            self.template,
            self.template.root(),
            &mut stack,
            &mut done,
            0,
        )?;
        Ok(())
    }

    /// Exact size of the combinatorial space, past any fixed-width integer.
    pub fn count(&self) -> Result<num_bigint::BigUint> {
        Ok(self.count_bounded()?.0)
    }

    /// [`Expander::count`], and whether recursive wildcards were cut at the recursion bound
    /// (the count is then that of the bounded space, see [`super::recursion`]).
    pub fn count_bounded(&self) -> Result<(num_bigint::BigUint, bool)> {
        let mut s = self.sizer();
        let n = s.size(
            self.template,
            self.template.root(),
            Sampler::Combinatorial,
            false,
        )?;
        Ok((n, s.rec.cut))
    }

    fn sizer(&self) -> Sizer<'a> {
        Sizer::new(self.coll, self.opts.lenient, self.opts.max_recursion)
    }

    /// Warnings collected so far (lenient misses), each once, sorted.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(super) fn warn(&self, msg: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.insert(msg);
        }
    }
}

impl<'e, 'a> Ctx<'e, 'a> {
    pub(super) fn stream(&self, key: u64) -> Stream {
        self.keyer.stream_parts(&[&key.to_le_bytes()], self.index)
    }

    pub(super) fn sizer(&self) -> Sizer<'a> {
        let mut s = Sizer::new(
            self.ex.coll,
            self.ex.opts.lenient,
            self.ex.opts.max_recursion,
        );
        s.stack.clone_from(&self.stack);
        s.vars = self
            .vars
            .iter()
            .map(|(n, v)| match v {
                Var::Lazy(t, node) => (*n, Some((*t, *node))),
                Var::Text(_) => (*n, None),
            })
            .collect();
        s.rec = self.rec.clone();
        s.nest = self.nest;
        s
    }

    pub(super) fn size(&self, t: &'a Template, n: &'a Node, mode: Sampler) -> Result<u128> {
        Ok(self.sizer().size::<u128>(t, n, mode, true)?)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn eval(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        key: u64,
        mode: Sampler,
        rank: Option<u128>,
        cycle: u64,
        out: &mut String,
    ) -> Result<()> {
        if let Node::Text(s) = node {
            out.push_str(s);
            return Ok(());
        }
        // Deep values inside deep wildcard chains could otherwise exhaust the stack.
        if self.nest >= MAX_EVAL_NESTING {
            return Err(t
                .source()
                .diagnostic(node.span(), super::ast::TOO_DEEP)
                .into());
        }
        self.steps += 1;
        if self.steps > super::ast::MAX_STEPS {
            return Err(t
                .source()
                .diagnostic(
                    node.span(),
                    format!(
                        "the expansion of one prompt takes more than {} steps",
                        super::ast::MAX_STEPS
                    ),
                )
                .with_help("a variable or wildcard is used many times over, nested")
                .into());
        }
        let before = out.len();
        self.nest += 1;
        let r = self.eval_inner(t, node, key, mode, rank, cycle, out);
        self.nest -= 1;
        r?;
        if out.len().saturating_sub(before) > super::ast::MAX_OUTPUT {
            return Err(t
                .source()
                .diagnostic(
                    node.span(),
                    format!(
                        "this expands to more than {} MiB of text",
                        super::ast::MAX_OUTPUT >> 20
                    ),
                )
                .with_help("a variable or wildcard is used many times over, nested")
                .into());
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_inner(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        key: u64,
        mode: Sampler,
        rank: Option<u128>,
        cycle: u64,
        out: &mut String,
    ) -> Result<()> {
        match node {
            Node::Text(s) => out.push_str(s),
            Node::Seq(children) => {
                let at = At {
                    key,
                    mode,
                    rank,
                    cycle,
                };
                self.seq(t, children, at, out)?
            }
            Node::Variant(v) => self.variant(t, node, v, At::new(key, mode, rank, cycle), out)?,
            Node::Wildcard(w) => self.wildcard(t, w, At::new(key, mode, rank, cycle), out)?,
            Node::SetVar(s) => {
                if s.keep_existing && self.vars.iter().any(|(n, _)| *n == &*s.name) {
                    return Ok(());
                }
                let val = if s.immediate {
                    let mut buf = String::new();
                    self.eval(
                        t,
                        &s.value,
                        mix(key, u64::from(s.span.start)),
                        mode,
                        rank,
                        cycle,
                        &mut buf,
                    )?;
                    Var::Text(buf)
                } else {
                    Var::Lazy(t, &s.value)
                };
                self.vars.push((&s.name, val));
            }
            Node::GetVar(g) => {
                let found = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == &*g.name)
                    .map(|(_, v)| v.clone());
                let k = mix(key, u64::from(g.span.start));
                // In combinatorial mode a use enumerates the variable's value (its rank comes
                // from the enclosing odometer), as dynamicprompts does.
                match found {
                    Some(Var::Text(s)) => out.push_str(&s),
                    Some(Var::Lazy(t2, n2)) => {
                        self.enter(t, g.span)?;
                        let r = self.eval(t2, n2, k, mode, rank, cycle, out);
                        self.depth -= 1;
                        r?;
                    }
                    None => match &g.default {
                        Some(d) => self.eval(t, d, k, mode, rank, cycle, out)?,
                        None if self.in_name > 0 => out.push_str(&g.name),
                        None => {
                            return Err(t
                                .source()
                                .diagnostic(g.span, format!("unknown variable `{}`", g.name))
                                .with_help(format!(
                                    "set it first with `${{{0}=value}}`, or give a default: `${{{0}:default}}`",
                                    g.name
                                ))
                                .into());
                        }
                    },
                }
            }
            Node::Wrap(w) => {
                let (rw, ri) = if mode == Sampler::Combinatorial {
                    let si = self.size(t, &w.inner, mode)?.max(1);
                    let sw = self.size(t, &w.wrapper, mode)?.max(1);
                    let r = rank.unwrap_or(u128::from(cycle) % sw.saturating_mul(si));
                    (Some(r / si), Some(r % si))
                } else {
                    (None, None)
                };
                let k = mix(key, u64::from(w.span.start));
                let mut wrapper = String::new();
                self.eval(t, &w.wrapper, k, mode, rw, cycle, &mut wrapper)?;
                let mut inner = String::new();
                self.eval(t, &w.inner, mix(k, 1), mode, ri, cycle, &mut inner)?;
                match wrapper
                    .find("...")
                    .map(|i| (i, 3))
                    .or_else(|| wrapper.find('…').map(|i| (i, '…'.len_utf8())))
                {
                    Some((i, len)) => {
                        out.push_str(&wrapper[..i]);
                        out.push_str(&inner);
                        out.push_str(&wrapper[i + len..]);
                    }
                    None => {
                        out.push_str(&wrapper);
                        out.push_str(&inner);
                    }
                }
            }
        }
        Ok(())
    }

    /// A sequence: in combinatorial mode an odometer whose rightmost child varies fastest.
    #[inline]
    fn seq(
        &mut self,
        t: &'a Template,
        children: &'a [Node],
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let At {
            key,
            mode,
            rank,
            cycle,
        } = at;
        if mode != Sampler::Combinatorial {
            for c in children {
                self.eval(t, c, key, mode, None, cycle, out)?;
            }
            return Ok(());
        }
        // Sized in order, so that a variable set by one child counts in the next.
        let mut sz = self.sizer();
        let mut sizes = Vec::with_capacity(children.len());
        for c in children {
            sizes.push(sz.size::<u128>(t, c, mode, true)?);
            sz.declare(t, c);
        }
        let total = sizes.iter().fold(1u128, |a, s| a.saturating_mul(*s));
        let mut r = rank.unwrap_or(u128::from(cycle) % total.max(1));
        let mut ranks = vec![0u128; children.len()];
        for i in (0..children.len()).rev() {
            let s = sizes[i].max(1);
            ranks[i] = r % s;
            r /= s;
        }
        for (c, r) in children.iter().zip(ranks) {
            self.eval(t, c, key, mode, Some(r), cycle, out)?;
        }
        Ok(())
    }

    /// Enters one level of wildcard/variable nesting.
    pub(super) fn enter(&mut self, t: &Template, span: Span) -> Result<()> {
        self.depth += 1;
        if self.depth > self.ex.opts.max_depth {
            self.depth -= 1;
            return Err(t
                .source()
                .diagnostic(
                    span,
                    format!(
                        "wildcards and variables nest deeper than {} levels (a variable that uses itself?)",
                        self.ex.opts.max_depth
                    ),
                )
                .into());
        }
        Ok(())
    }
}
