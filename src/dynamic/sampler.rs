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
use super::ast::{Node, Sampler, Span, Variant, WildcardName, WildcardRef};
use super::count::{Sizer, bounds, cycle_error, falling, unrank_multi};
use super::error::Diagnostic;
use super::wildcards::{Collection, Resolution};
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
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions {
            mode: Sampler::Random,
            separator: ",".into(),
            lenient: false,
            max_depth: 64,
        }
    }
}

/// Expands one template against one collection; cheap to share between threads.
pub struct Expander<'a> {
    template: &'a Template,
    coll: &'a Collection,
    opts: ExpandOptions,
    root_key: u64,
    warnings: Mutex<BTreeSet<String>>,
}

#[derive(Clone)]
enum Var<'a> {
    Text(String),
    Lazy(&'a Template, &'a Node),
}

struct Ctx<'e, 'a> {
    ex: &'e Expander<'a>,
    keyer: Keyer,
    index: u64,
    vars: Vec<(&'a str, Var<'a>)>,
    stack: Vec<u32>,
    depth: u32,
    in_name: u32,
    nest: u32,
    /// Constructs evaluated for this prompt (bounded by [`super::ast::MAX_STEPS`]).
    steps: u64,
}

/// Deepest recursion of constructs within one prompt (all wildcard levels together), shared by
/// every walker of the syntax.
const MAX_EVAL_NESTING: u32 = super::ast::MAX_DEPTH;

/// Child key: mixes a construct's parent key with one more number (an offset, a slot, a value).
fn mix(key: u64, a: u64) -> u64 {
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

fn resolve_cached<'w>(w: &'w WildcardRef, name: &str, coll: &Collection) -> ResRef<'w> {
    if let Some((id, r)) = w.cache.get() {
        if *id == coll.id() {
            return ResRef::Cached(r);
        }
        return ResRef::Owned(Arc::new(coll.resolve(name)));
    }
    let r = Arc::new(coll.resolve(name));
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
        let wc = coll.get(res.ids[0]);
        let Ok(Some(tpl)) = wc.template(0) else { break };
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

/// The error (or did-you-mean) for a wildcard that matched nothing.
pub(crate) fn missing(
    t: &Template,
    w: &WildcardRef,
    name: &str,
    res: &Resolution,
    coll: &Collection,
) -> Diagnostic {
    let d = if coll.exists_but_empty(name) {
        t.source()
            .diagnostic(w.span, format!("wildcard `{name}` has no values"))
    } else {
        t.source()
            .diagnostic(w.span, format!("unknown wildcard `__{name}__`"))
    };
    match res.suggestions.as_slice() {
        [] => d.with_help("check --wildcards, or pass --lenient to keep unknown wildcards as text"),
        [one] => d.with_help(format!("did you mean `__{one}__`?")),
        many => {
            let l: Vec<String> = many.iter().map(|s| format!("`__{s}__`")).collect();
            d.with_help(format!("did you mean one of {}?", l.join(", ")))
        }
    }
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
        let mut s = Sizer {
            coll: self.coll,
            stack: Vec::new(),
            lenient: self.opts.lenient,
            nest: 0,
            big: Default::default(),
        };
        Ok(s.size::<u128>(
            self.template,
            self.template.root(),
            Sampler::Combinatorial,
            true,
        )?)
    }

    /// Checks everything reachable through static wildcard names before any sampling: syntax
    /// errors in values, unknown or empty wildcards, and cycles (`a → b → a`), which a random
    /// draw might otherwise only hit on some prompts.
    pub fn validate(&self) -> Result<()> {
        let mut done = BTreeSet::new();
        let mut stack = Vec::new();
        validate_node(
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
        let mut s = Sizer {
            coll: self.coll,
            stack: Vec::new(),
            lenient: self.opts.lenient,
            nest: 0,
            big: Default::default(),
        };
        Ok(s.size(
            self.template,
            self.template.root(),
            Sampler::Combinatorial,
            false,
        )?)
    }

    /// Warnings collected so far (lenient misses), each once, sorted.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn warn(&self, msg: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.insert(msg);
        }
    }
}

impl<'e, 'a> Ctx<'e, 'a> {
    fn stream(&self, key: u64) -> Stream {
        self.keyer.stream_parts(&[&key.to_le_bytes()], self.index)
    }

    fn sizer(&self) -> Sizer<'a> {
        Sizer {
            coll: self.ex.coll,
            stack: self.stack.clone(),
            lenient: self.ex.opts.lenient,
            nest: self.nest,
            big: Default::default(),
        }
    }

    fn size(&self, t: &Template, n: &Node, mode: Sampler) -> Result<u128> {
        Ok(self.sizer().size::<u128>(t, n, mode, true)?)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval(
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
                if mode == Sampler::Combinatorial {
                    let sizes = children
                        .iter()
                        .map(|c| self.size(t, c, mode))
                        .collect::<Result<Vec<u128>>>()?;
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
                } else {
                    for c in children {
                        self.eval(t, c, key, mode, None, cycle, out)?;
                    }
                }
            }
            Node::Variant(v) => self.variant(t, node, v, key, mode, rank, cycle, out)?,
            Node::Wildcard(w) => self.wildcard(t, w, key, mode, rank, cycle, out)?,
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
                let lazy_mode = if mode == Sampler::Combinatorial {
                    Sampler::Random
                } else {
                    mode
                };
                match found {
                    Some(Var::Text(s)) => out.push_str(&s),
                    Some(Var::Lazy(t2, n2)) => {
                        self.enter(t, g.span)?;
                        let r = self.eval(t2, n2, k, lazy_mode, None, cycle, out);
                        self.depth -= 1;
                        r?;
                    }
                    None => match &g.default {
                        Some(d) => self.eval(t, d, k, lazy_mode, None, cycle, out)?,
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

    /// Enters one level of wildcard/variable nesting.
    fn enter(&mut self, t: &Template, span: Span) -> Result<()> {
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

    #[allow(clippy::too_many_arguments)]
    fn variant(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        v: &'a Variant,
        key: u64,
        mode: Sampler,
        rank: Option<u128>,
        cycle: u64,
        out: &mut String,
    ) -> Result<()> {
        let eff = v.sampler.unwrap_or(mode);
        let ck = mix(key, u64::from(v.span.start));
        let n = v.options.len();
        let Some(sel) = &v.select else {
            match eff {
                Sampler::Random => {
                    let i = if n == 1 {
                        0
                    } else {
                        self.stream(ck).pick_weighted(&v.weights).unwrap_or(0)
                    };
                    return self.eval(t, &v.options[i], ck, eff, None, cycle, out);
                }
                Sampler::Cyclical => {
                    let i = (cycle % n as u64) as usize;
                    return self.eval(t, &v.options[i], ck, eff, None, cycle / n as u64, out);
                }
                Sampler::Combinatorial => {
                    let total = self.size(t, node, eff)?.max(1);
                    let mut r = rank.unwrap_or(u128::from(cycle) % total);
                    for o in &v.options {
                        let s = self.size(t, o, eff)?;
                        if r < s {
                            return self.eval(t, o, ck, eff, Some(r), cycle, out);
                        }
                        r -= s;
                    }
                    return Ok(());
                }
            }
        };
        let sep: &str = sel.separator.as_deref().unwrap_or(&self.ex.opts.separator);
        // Multi-select over one wildcard: distinct values of its pool.
        if let Some((res, _)) = pool_of(self.ex.coll, node) {
            if res.ids.is_empty() {
                // Falls through to the normal path, which reports the missing wildcard.
            } else {
                let count = res.total_count();
                let (lo, hi) = bounds(sel.min, sel.max, count as usize);
                let picks: Vec<(u64, Option<u128>)> = match eff {
                    Sampler::Random => {
                        let mut st = self.stream(ck);
                        let k = lo + st.below_u64((hi - lo) as u64 + 1) as usize;
                        distinct_pool(&mut st, &res, self.ex.coll, k)
                            .into_iter()
                            .map(|g| (g, None))
                            .collect()
                    }
                    Sampler::Cyclical => {
                        let total = (lo..=hi)
                            .fold(0u128, |a, k| a.saturating_add(falling(count, k as u64)));
                        let r = u128::from(cycle) % total.max(1);
                        unrank_multi(count as usize, &[], lo, hi, r)
                            .into_iter()
                            .map(|(g, _)| (g as u64, None))
                            .collect()
                    }
                    Sampler::Combinatorial => {
                        let mut sz = self.sizer();
                        let (sizes, _, plain) = sz.pool::<u128>(t, node, true)?.unwrap_or_default();
                        let total = self.size(t, node, eff)?.max(1);
                        let r = rank.unwrap_or(u128::from(cycle) % total);
                        let sizes: &[u128] = if plain { &[] } else { &sizes };
                        unrank_multi(count as usize, sizes, lo, hi, r)
                            .into_iter()
                            .map(|(g, sub)| (g as u64, Some(sub)))
                            .collect()
                    }
                };
                let wref = match &v.options[0] {
                    Node::Wildcard(w) => w.span,
                    _ => v.span,
                };
                for (slot, (g, sub)) in picks.into_iter().enumerate() {
                    if slot > 0 {
                        out.push_str(sep);
                    }
                    let (wi, vi) = res.locate(g);
                    let id = res.ids[wi];
                    let sub_cycle = cycle;
                    self.value(
                        t,
                        wref,
                        id,
                        vi,
                        mix(ck, slot as u64 + 1),
                        eff,
                        sub,
                        sub_cycle,
                        out,
                    )?;
                }
                return Ok(());
            }
        }
        let (lo, hi) = bounds(sel.min, sel.max, n);
        let picks: Vec<(usize, Option<u128>, u64)> = match eff {
            Sampler::Random => {
                let mut st = self.stream(ck);
                let k = lo + st.below_u64((hi - lo) as u64 + 1) as usize;
                distinct_weighted(&mut st, &v.weights, k)
                    .into_iter()
                    .map(|i| (i, None, cycle))
                    .collect()
            }
            Sampler::Cyclical => {
                let total =
                    (lo..=hi).fold(0u128, |a, k| a.saturating_add(falling(n as u64, k as u64)));
                let r = u128::from(cycle) % total.max(1);
                let next = u128::from(cycle) / total.max(1);
                unrank_multi(n, &[], lo, hi, r)
                    .into_iter()
                    .map(|(i, _)| (i, None, next.min(u128::from(u64::MAX)) as u64))
                    .collect()
            }
            Sampler::Combinatorial => {
                let sizes = v
                    .options
                    .iter()
                    .map(|o| self.size(t, o, eff))
                    .collect::<Result<Vec<u128>>>()?;
                let total = self.size(t, node, eff)?.max(1);
                let r = rank.unwrap_or(u128::from(cycle) % total);
                let plain = sizes.iter().all(|s| *s == 1);
                let sizes: &[u128] = if plain { &[] } else { &sizes };
                unrank_multi(n, sizes, lo, hi, r)
                    .into_iter()
                    .map(|(i, sub)| (i, Some(sub), cycle))
                    .collect()
            }
        };
        for (slot, (i, sub, c)) in picks.into_iter().enumerate() {
            if slot > 0 {
                out.push_str(sep);
            }
            self.eval(t, &v.options[i], mix(ck, slot as u64 + 1), eff, sub, c, out)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn wildcard(
        &mut self,
        t: &'a Template,
        w: &'a WildcardRef,
        key: u64,
        mode: Sampler,
        rank: Option<u128>,
        cycle: u64,
        out: &mut String,
    ) -> Result<()> {
        let eff = w.sampler.unwrap_or(mode);
        let ck = mix(key, u64::from(w.span.start));
        let coll: &'a Collection = self.ex.coll;
        let mut dyn_name = String::new();
        let res: ResRef<'a> = match &w.name {
            WildcardName::Static(name) => resolve_cached(w, name, coll),
            WildcardName::Dynamic(n) => {
                let mut buf = String::new();
                self.in_name += 1;
                let r = self.eval(t, n, mix(ck, 7), Sampler::Random, None, cycle, &mut buf);
                self.in_name -= 1;
                r?;
                let name = buf.trim().replace('\\', "/");
                if let Err(m) = super::parser::check_name(&name) {
                    return Err(t.source().diagnostic(w.span, m).into());
                }
                dyn_name = name;
                ResRef::Owned(Arc::new(coll.resolve(&dyn_name)))
            }
        };
        let name: &str = match &w.name {
            WildcardName::Static(n) => n,
            WildcardName::Dynamic(_) => &dyn_name,
        };
        if res.ids.is_empty() {
            let d = missing(t, w, name, &res, coll);
            if self.ex.opts.lenient {
                let src = &t.source().text;
                let lit = &src[w.span.start as usize..w.span.end as usize];
                match &w.name {
                    WildcardName::Static(_) => out.push_str(lit),
                    WildcardName::Dynamic(_) => {
                        out.push_str("__");
                        out.push_str(name);
                        out.push_str("__");
                    }
                }
                self.ex.warn(format!(
                    "{}:{}:{}: no values for wildcard `__{}__`; kept as text",
                    d.origin, d.line, d.column, name
                ));
                return Ok(());
            }
            return Err(d.into());
        }
        // Parameters are variables scoped to this wildcard.
        let mark = self.vars.len();
        for (pi, (pname, pval)) in w.params.iter().enumerate() {
            let mut buf = String::new();
            self.eval(
                t,
                pval,
                mix(ck, 1000 + pi as u64),
                Sampler::Random,
                None,
                cycle,
                &mut buf,
            )?;
            self.vars.push((pname, Var::Text(buf)));
        }
        let total = res.total_count();
        let result = (|| -> Result<()> {
            let (g, sub, next_cycle) = match eff {
                Sampler::Random => {
                    let mut st = self.stream(ck);
                    let g = if total == 1 {
                        0
                    } else if res.uniform {
                        st.below_u64(total)
                    } else {
                        pick_weighted_pool(&mut st, &res, coll)
                    };
                    (g, None, cycle)
                }
                Sampler::Cyclical => (cycle % total, None, cycle / total),
                Sampler::Combinatorial => {
                    let mut sz = self.sizer();
                    let mut sizes = Vec::with_capacity(res.ids.len());
                    for id in &res.ids {
                        sizes.push(sz.wildcard_size::<u128>(t, w.span, *id, true)?);
                    }
                    let all = sizes.iter().fold(0u128, |a, s| a.saturating_add(*s)).max(1);
                    let mut r = rank.unwrap_or(u128::from(cycle) % all);
                    let mut found = (0u64, Some(0u128));
                    let mut base = 0u64;
                    for (wi, id) in res.ids.iter().enumerate() {
                        let wc = coll.get(*id);
                        if r >= sizes[wi] {
                            r -= sizes[wi];
                            base += wc.len() as u64;
                            continue;
                        }
                        if sizes[wi] == wc.len() as u128 {
                            found = (base + r as u64, Some(0));
                        } else {
                            for vi in 0..wc.len() {
                                let s = match wc.template(vi)? {
                                    Some(tpl) => {
                                        let mut sz = self.sizer();
                                        sz.stack.push(*id);
                                        sz.size::<u128>(
                                            tpl,
                                            tpl.root(),
                                            Sampler::Combinatorial,
                                            true,
                                        )?
                                    }
                                    None => 1,
                                };
                                if r < s {
                                    found = (base + vi as u64, Some(r));
                                    break;
                                }
                                r -= s;
                            }
                        }
                        break;
                    }
                    (found.0, found.1, cycle)
                }
            };
            let (wi, vi) = res.locate(g);
            self.value(
                t,
                w.span,
                res.ids[wi],
                vi,
                mix(ck, g + 1),
                eff,
                sub,
                next_cycle,
                out,
            )
        })();
        self.vars.truncate(mark);
        result
    }

    /// Writes value `vi` of wildcard `id`, expanding it if it has syntax.
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        t: &Template,
        span: Span,
        id: u32,
        vi: usize,
        key: u64,
        mode: Sampler,
        rank: Option<u128>,
        cycle: u64,
        out: &mut String,
    ) -> Result<()> {
        let coll: &'a Collection = self.ex.coll;
        let wc = coll.get(id);
        match wc.template(vi)? {
            None => out.push_str(wc.value(vi)),
            Some(tpl) => {
                if let Some(pos) = self.stack.iter().position(|s| *s == id) {
                    return Err(cycle_error(coll, t, span, &self.stack[pos..], id).into());
                }
                self.enter(t, span)?;
                self.stack.push(id);
                let r = self.eval(tpl, tpl.root(), key, mode, rank, cycle, out);
                self.stack.pop();
                self.depth -= 1;
                r?;
            }
        }
        Ok(())
    }
}

/// Walks every node (whatever its sampler) and every value of every statically named wildcard
/// once; `done` holds wildcards already checked.
fn validate_node(
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
            let res = resolve_cached(w, name, coll);
            if res.ids.is_empty() {
                return Err(missing(t, w, name, &res, coll));
            }
            for id in &res.ids {
                if let Some(pos) = stack.iter().position(|s| s == id) {
                    return Err(cycle_error(coll, t, w.span, &stack[pos..], *id));
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
                    if let Some(tpl) = wc.template(i)? {
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

/// A weighted draw over a pool of several wildcards' values: a global value index.
fn pick_weighted_pool(st: &mut Stream, res: &Resolution, coll: &Collection) -> u64 {
    let total = res.total_weight();
    if total == 0 {
        return st.below_u64(res.total_count().max(1));
    }
    let x = st.below_u64(total);
    let wi = res
        .cum_weight
        .partition_point(|c| *c <= x)
        .min(res.ids.len() - 1);
    let before_w = if wi == 0 { 0 } else { res.cum_weight[wi - 1] };
    let before_c = if wi == 0 { 0 } else { res.cum_count[wi - 1] };
    let wc = coll.get(res.ids[wi]);
    before_c + wc.locate_weight(x - before_w) as u64
}

/// `k` distinct option positions, each drawn by weight among those left; when only zero
/// weights are left, uniformly among them. The draws are those of a linear scan (a
/// `pick_weighted` over the weights left, then the j-th position left), found in O(log n) each
/// with two Fenwick trees, so `{1-$$__big__}` over a million values takes a moment, not hours.
fn distinct_weighted(st: &mut Stream, weights: &[u64], k: usize) -> Vec<usize> {
    let mut w = Fenwick::new(weights);
    let mut left = Fenwick::new(&vec![1; weights.len()]);
    let mut out = Vec::with_capacity(k);
    for _ in 0..k.min(weights.len()) {
        let total = w.total();
        let i = if total > 0 {
            w.find(st.below_u64(total))
        } else {
            left.find(st.below_u64(left.total()))
        };
        w.sub(i, weights[i]);
        left.sub(i, 1);
        out.push(i);
    }
    out
}

/// Prefix sums of u64 weights with point updates and search, each O(log n).
struct Fenwick {
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(values: &[u64]) -> Fenwick {
        let n = values.len();
        let mut tree = vec![0u64; n + 1];
        let mut total = 0u64;
        for (i, v) in values.iter().enumerate() {
            total = total.saturating_add(*v);
            let j = i + 1;
            tree[j] = tree[j].saturating_add(*v);
            let parent = j + (j & j.wrapping_neg());
            if parent <= n {
                tree[parent] = tree[parent].saturating_add(tree[j]);
            }
        }
        Fenwick { tree, total }
    }

    fn total(&self) -> u64 {
        self.total
    }

    fn sub(&mut self, i: usize, v: u64) {
        self.total -= v;
        let mut j = i + 1;
        while j < self.tree.len() {
            self.tree[j] -= v;
            j += j & j.wrapping_neg();
        }
    }

    /// The first position whose cumulative sum exceeds `x` (`x < total`).
    fn find(&self, mut x: u64) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = if n == 0 {
            0
        } else {
            1usize << (usize::BITS - 1 - n.leading_zeros())
        };
        while step > 0 {
            if pos + step <= n && self.tree[pos + step] <= x {
                pos += step;
                x -= self.tree[pos];
            }
            step >>= 1;
        }
        pos.min(n.saturating_sub(1))
    }
}

/// `k` distinct values of a wildcard pool. Small pools are drawn exactly like
/// [`distinct_weighted`]; large pools by rejection, which keeps each draw O(1).
fn distinct_pool(st: &mut Stream, res: &Resolution, coll: &Collection, k: usize) -> Vec<u64> {
    let n = res.total_count();
    let k = k.min(n as usize);
    if n <= 4096 || (k as u64).saturating_mul(2) > n {
        let mut weights = Vec::with_capacity(n as usize);
        for id in &res.ids {
            let wc = coll.get(*id);
            for i in 0..wc.len() {
                weights.push(wc.weight(i));
            }
        }
        return distinct_weighted(st, &weights, k)
            .into_iter()
            .map(|i| i as u64)
            .collect();
    }
    let mut chosen: Vec<u64> = Vec::with_capacity(k);
    // Rejection is O(1) a draw while most of the weight is left; a pool whose weight sits in
    // a few values could starve it, so after a bounded number of tries the rest is taken in
    // value order among those not chosen yet.
    // Membership only (never iterated), so hashing order cannot reach the output.
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::with_capacity(k);
    let mut tries = 64 * k as u64 + 1024;
    while chosen.len() < k && tries > 0 {
        tries -= 1;
        let g = if res.uniform {
            st.below_u64(n)
        } else {
            pick_weighted_pool(st, res, coll)
        };
        if seen.insert(g) {
            chosen.push(g);
        }
    }
    let mut g = 0;
    while chosen.len() < k && g < n {
        if seen.insert(g) {
            chosen.push(g);
        }
        g += 1;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The draws of the linear scan that `distinct_weighted` replaced.
    fn distinct_linear(st: &mut Stream, weights: &[u64], k: usize) -> Vec<usize> {
        let mut w = weights.to_vec();
        let mut left: Vec<bool> = vec![true; w.len()];
        let mut out = Vec::with_capacity(k);
        for _ in 0..k.min(w.len()) {
            let i = match st.pick_weighted(&w) {
                Some(i) => i,
                None => {
                    let rest: Vec<usize> = (0..left.len()).filter(|i| left[*i]).collect();
                    rest[st.below_u64(rest.len() as u64) as usize]
                }
            };
            w[i] = 0;
            left[i] = false;
            out.push(i);
        }
        out
    }

    #[test]
    fn h5_distinct_draws_are_those_of_the_linear_scan() {
        let mut src = Stream::new(1, Domain::Dynamic, "test", 0);
        for case in 0..300u64 {
            let n = 1 + src.below_u64(40) as usize;
            let weights: Vec<u64> = (0..n)
                .map(|_| match src.below_u64(4) {
                    0 => 0,
                    1 => 1_000_000,
                    _ => src.below_u64(5_000_000),
                })
                .collect();
            let k = src.below_u64(n as u64 + 2) as usize;
            let mut a = Stream::new(7, Domain::Dynamic, "x", case);
            let mut b = Stream::new(7, Domain::Dynamic, "x", case);
            assert_eq!(
                distinct_weighted(&mut a, &weights, k),
                distinct_linear(&mut b, &weights, k),
                "{weights:?} k={k}"
            );
        }
    }

    #[test]
    fn h5_a_million_distinct_draws_are_fast() {
        let weights = vec![1_000_000u64; 1_000_000];
        let mut st = Stream::new(7, Domain::Dynamic, "x", 0);
        let t = std::time::Instant::now();
        let got = distinct_weighted(&mut st, &weights, 1_000_000);
        let mut sorted = got.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 1_000_000);
        assert!(t.elapsed().as_secs() < 30, "{:?}", t.elapsed());
    }
}
