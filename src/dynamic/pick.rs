//! How variants and wildcards choose, in each sampler: one option, a multi-select over
//! options or over a wildcard's pool, one wildcard value; and, past the recursion bound, the
//! shortest way out (see [`super::recursion`]).

use super::Template;
use super::ast::{Node, Sampler, Select, Span, Variant, WildcardName, WildcardRef};
use super::count::{bounds, falling, pool_bounds};
use super::draw::{distinct_pool, distinct_weighted, pick_weighted_pool};
use super::recursion;
use super::resolve::Resolution;
use super::sampler::{Ctx, ResRef, in_collection, missing, mix, pool_of, resolve_cached};
use super::unrank::unrank_multi;
use super::wildcards::Collection;
use crate::error::Result;

/// Where a choice is made: its key and sampler, and the rank and cycle it was given.
#[derive(Clone, Copy)]
pub(super) struct At {
    pub key: u64,
    pub mode: Sampler,
    pub rank: Option<u128>,
    pub cycle: u64,
}

impl At {
    pub fn new(key: u64, mode: Sampler, rank: Option<u128>, cycle: u64) -> At {
        At {
            key,
            mode,
            rank,
            cycle,
        }
    }
}

impl<'a> Ctx<'_, 'a> {
    pub(super) fn variant(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        v: &'a Variant,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let at = At {
            key: mix(at.key, u64::from(v.span.start)),
            mode: v.sampler.unwrap_or(at.mode),
            ..at
        };
        let Some(sel) = &v.select else {
            return self.single(t, node, v, at, out);
        };
        let sep: &str = sel.separator.as_deref().unwrap_or(&self.ex.opts.separator);
        // Multi-select over one wildcard: distinct values of its pool.
        if let Some((res, _)) = pool_of(self.ex.coll, node)
            && !res.ids.is_empty()
        {
            return self.pool_select(t, node, v, sel, &res, sep, at, out);
        }
        self.multi_select(t, node, v, sel, sep, at, out)
    }

    /// A random pick among candidates past the recursion bound (the first one when not
    /// sampling at random).
    fn exit_pick(&self, cands: &[u64], at: At) -> u64 {
        match cands {
            [] => 0,
            [one] => *one,
            _ if at.mode == Sampler::Random => {
                cands[self.stream(at.key).below_u64(cands.len() as u64) as usize]
            }
            _ => cands[0],
        }
    }

    fn single(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        v: &'a Variant,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let n = v.options.len();
        let (ck, eff, cycle) = (at.key, at.mode, at.cycle);
        if self.rec.exit {
            let Some(cands) = recursion::exit_options(self.ex.coll, &v.options) else {
                return Err(t
                    .source()
                    .diagnostic(
                        v.span,
                        "every option of this variant leads back into a wildcard being expanded",
                    )
                    .into());
            };
            let cands: Vec<u64> = cands.into_iter().map(|i| i as u64).collect();
            let i = self.exit_pick(&cands, at) as usize;
            return self.eval(t, &v.options[i], ck, eff, None, cycle, out);
        }
        match eff {
            Sampler::Random => {
                let i = if n == 1 {
                    0
                } else {
                    self.stream(ck).pick_weighted(&v.weights).unwrap_or(0)
                };
                self.eval(t, &v.options[i], ck, eff, None, cycle, out)
            }
            Sampler::Cyclical => {
                let i = (cycle % n as u64) as usize;
                self.eval(t, &v.options[i], ck, eff, None, cycle / n as u64, out)
            }
            Sampler::Combinatorial => {
                let total = self.size(t, node, eff)?.max(1);
                let mut r = at.rank.unwrap_or(u128::from(cycle) % total);
                for o in &v.options {
                    let s = self.size(t, o, eff)?;
                    if r < s {
                        return self.eval(t, o, ck, eff, Some(r), cycle, out);
                    }
                    r -= s;
                }
                Ok(())
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn pool_select(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        v: &'a Variant,
        sel: &Select,
        res: &Resolution,
        sep: &str,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let count = res.total_count();
        let (lo, hi) = pool_bounds(sel, count as usize);
        let wref = match &v.options[0] {
            Node::Wildcard(w) => w.span,
            _ => v.span,
        };
        let cut = match self.cut_at(t, wref, res) {
            Ok(c) => c,
            Err(e) if self.ex.opts.lenient => {
                let src = &t.source().text;
                out.push_str(&src[v.span.start as usize..v.span.end as usize]);
                let d = t.source().diagnostic(v.span, "");
                self.ex.warn(format!(
                    "{}:{}:{}: no way out of the recursion; kept as text",
                    d.origin, d.line, d.column
                ));
                let _ = e;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let picks = self.pool_picks(t, node, res, (lo, hi), wref, cut, at)?;
        let was = self.rec.exit;
        self.rec.exit |= cut;
        let mut r = Ok(());
        for (slot, (g, sub)) in picks.into_iter().enumerate() {
            if slot > 0 {
                out.push_str(sep);
            }
            let (id, vi) = res.locate(g);
            let key = mix(at.key, slot as u64 + 1);
            r = self.value(
                t,
                wref,
                id,
                vi,
                At {
                    key,
                    rank: sub,
                    ..at
                },
                out,
            );
            if r.is_err() {
                break;
            }
        }
        self.rec.exit = was;
        r
    }

    /// Which values of the pool a multi-select takes, each with its rank inside the value.
    #[allow(clippy::too_many_arguments)]
    fn pool_picks(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        res: &Resolution,
        (lo, hi): (usize, usize),
        wref: Span,
        cut: bool,
        at: At,
    ) -> Result<Vec<(u64, Option<u128>)>> {
        let coll: &'a Collection = self.ex.coll;
        let count = res.total_count();
        Ok(if cut {
            recursion::exit_picks(&recursion::pool_heights(coll, res), lo)
                .into_iter()
                .map(|g| (g as u64, None))
                .collect()
        } else {
            match at.mode {
                Sampler::Random => {
                    let mut st = self.stream(at.key);
                    let k = lo + st.below_u64((hi - lo) as u64 + 1) as usize;
                    distinct_pool(&mut st, res, coll, k)
                        .into_iter()
                        .map(|g| (g, None))
                        .collect()
                }
                Sampler::Cyclical => {
                    let total =
                        (lo..=hi).fold(0u128, |a, k| a.saturating_add(falling(count, k as u64)));
                    let r = u128::from(at.cycle) % total.max(1);
                    unrank_multi(count as usize, &[], lo, hi, r)
                        .into_iter()
                        .map(|(g, _)| (g as u64, None))
                        .collect()
                }
                Sampler::Combinatorial => {
                    let sizes = self.sizer().value_sizes(t, wref, res)?;
                    let total = self.size(t, node, at.mode)?.max(1);
                    let r = at.rank.unwrap_or(u128::from(at.cycle) % total);
                    let each: Vec<u128> = if sizes.all_one() {
                        Vec::new()
                    } else {
                        (0..sizes.len()).map(|i| sizes.size(i)).collect()
                    };
                    unrank_multi(count as usize, &each, lo, hi, r)
                        .into_iter()
                        .map(|(g, sub)| (g as u64, Some(sub)))
                        .collect()
                }
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn multi_select(
        &mut self,
        t: &'a Template,
        node: &'a Node,
        v: &'a Variant,
        sel: &Select,
        sep: &str,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let n = v.options.len();
        let (ck, eff, cycle) = (at.key, at.mode, at.cycle);
        let (lo, hi) = bounds(sel.min, sel.max, n);
        let picks: Vec<(usize, Option<u128>, u64)> = if self.rec.exit {
            let heights = recursion::option_heights(self.ex.coll, &v.options);
            recursion::exit_picks(&heights, lo)
                .into_iter()
                .map(|i| (i, None, cycle))
                .collect()
        } else {
            match eff {
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
                    let r = at.rank.unwrap_or(u128::from(cycle) % total);
                    let plain = sizes.iter().all(|s| *s == 1);
                    let sizes: &[u128] = if plain { &[] } else { &sizes };
                    unrank_multi(n, sizes, lo, hi, r)
                        .into_iter()
                        .map(|(i, sub)| (i, Some(sub), cycle))
                        .collect()
                }
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

    /// True when a reference to `res` is past the recursion bound (its values must then take
    /// the shortest way out). A re-entry into a wildcard that has no way out at all is an
    /// error naming the cycle.
    #[inline]
    fn cut_at(&mut self, t: &Template, span: Span, res: &Resolution) -> Result<bool> {
        if self.rec.exit {
            return Ok(true);
        }
        if self.stack.is_empty() || !self.rec.reenters(&self.stack, res) {
            return Ok(false);
        }
        if recursion::exit_height(self.ex.coll, res).is_none() {
            return Err(recursion::no_way_out(self.ex.coll, t, span, &self.stack, res).into());
        }
        Ok(self.rec.past_bound(&self.stack))
    }

    /// Keeps a reference as its literal text under `--lenient`, with a warning.
    fn keep_literal(&self, t: &Template, w: &WildcardRef, name: &str, why: &str, out: &mut String) {
        let src = &t.source().text;
        match &w.name {
            WildcardName::Static(_) => {
                out.push_str(&src[w.span.start as usize..w.span.end as usize])
            }
            WildcardName::Dynamic(_) => {
                out.push_str("__");
                out.push_str(name);
                out.push_str("__");
            }
        }
        let d = t.source().diagnostic(w.span, "");
        self.ex.warn(format!(
            "{}:{}:{}: {why} `__{name}__`; kept as text",
            d.origin, d.line, d.column
        ));
    }

    pub(super) fn wildcard(
        &mut self,
        t: &'a Template,
        w: &'a WildcardRef,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let at = At {
            key: mix(at.key, u64::from(w.span.start)),
            mode: w.sampler.unwrap_or(at.mode),
            ..at
        };
        let coll: &'a Collection = self.ex.coll;
        let mut dyn_name = String::new();
        let res: ResRef<'a> = match &w.name {
            WildcardName::Static(name) => resolve_cached(w, name, coll),
            WildcardName::Dynamic(n) => {
                let mut buf = String::new();
                self.in_name += 1;
                let r = self.eval(
                    t,
                    n,
                    mix(at.key, 7),
                    Sampler::Random,
                    None,
                    at.cycle,
                    &mut buf,
                );
                self.in_name -= 1;
                r?;
                let name = buf.trim().replace('\\', "/");
                if let Err(m) = super::parser::check_name(&name) {
                    return Err(t.source().diagnostic(w.span, m).into());
                }
                dyn_name = name;
                ResRef::Owned(coll.resolve(&dyn_name))
            }
        };
        let name: &str = match &w.name {
            WildcardName::Static(n) => n,
            WildcardName::Dynamic(_) => &dyn_name,
        };
        if res.ids.is_empty() || !res.broken.is_empty() {
            if !self.ex.opts.lenient {
                return Err(missing(t, w, name, &res, coll).into());
            }
            for id in &res.broken {
                if let Some(d) = &coll.get(*id).defect {
                    self.ex.warn(format!("{d}; what it holds is left out"));
                }
            }
            if res.ids.is_empty() {
                self.keep_literal(t, w, name, "no values for wildcard", out);
                return Ok(());
            }
        }
        let cut = match self.cut_at(t, w.span, &res) {
            Ok(c) => c,
            Err(_) if self.ex.opts.lenient => {
                self.keep_literal(t, w, name, "no way out of the recursion through", out);
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let mark = self.vars.len();
        self.push_params(t, w, at)?;
        let was = self.rec.exit;
        self.rec.exit |= cut;
        let result = self.wildcard_value(t, w.span, &res, cut, at, out);
        self.rec.exit = was;
        self.vars.truncate(mark);
        result
    }

    /// Parameters are variables scoped to the wildcard: drawn once in random and cyclical
    /// mode, enumerated where used in combinatorial mode (as dynamicprompts does).
    fn push_params(&mut self, t: &'a Template, w: &'a WildcardRef, at: At) -> Result<()> {
        for (pi, (pname, pval)) in w.params.iter().enumerate() {
            if at.mode == Sampler::Combinatorial {
                self.vars.push((pname, super::sampler::Var::Lazy(t, pval)));
                continue;
            }
            let mut buf = String::new();
            let k = mix(at.key, 1000 + pi as u64);
            self.eval(t, pval, k, Sampler::Random, None, at.cycle, &mut buf)?;
            self.vars.push((pname, super::sampler::Var::Text(buf)));
        }
        Ok(())
    }

    /// Chooses a value of a resolved name and writes it.
    fn wildcard_value(
        &mut self,
        t: &'a Template,
        span: Span,
        res: &Resolution,
        cut: bool,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let total = res.total_count();
        let (g, sub, next_cycle) = if cut {
            let cands = recursion::exit_values(self.ex.coll, res).unwrap_or_default();
            (self.exit_pick(&cands, at), None, at.cycle)
        } else {
            match at.mode {
                Sampler::Random => {
                    let mut st = self.stream(at.key);
                    let g = if total == 1 {
                        0
                    } else if res.uniform {
                        st.below_u64(total)
                    } else {
                        pick_weighted_pool(&mut st, res)
                    };
                    (g, None, at.cycle)
                }
                Sampler::Cyclical => (at.cycle % total, None, at.cycle / total),
                Sampler::Combinatorial => {
                    let sizes = self.sizer().value_sizes(t, span, res)?;
                    let all = sizes.total().max(1);
                    let r = at.rank.unwrap_or(u128::from(at.cycle) % all);
                    let (g, sub) = sizes.locate(r);
                    (g, Some(sub), at.cycle)
                }
            }
        };
        let (id, vi) = res.locate(g);
        let key = mix(at.key, g + 1);
        let at = At {
            key,
            rank: sub,
            cycle: next_cycle,
            ..at
        };
        self.value(t, span, id, vi, at, out)
    }

    /// Writes value `vi` of wildcard `id`, expanding it if it has syntax.
    pub(super) fn value(
        &mut self,
        t: &Template,
        span: Span,
        id: u32,
        vi: usize,
        at: At,
        out: &mut String,
    ) -> Result<()> {
        let coll: &'a Collection = self.ex.coll;
        let wc = coll.get(id);
        let tpl = match wc.template(vi) {
            Ok(None) => {
                out.push_str(wc.value(vi));
                return Ok(());
            }
            Ok(Some(tpl)) => tpl,
            Err(d) if self.ex.opts.lenient => {
                self.ex.warn(format!(
                    "{}:{}:{}: {}; the value is kept as text",
                    d.origin, d.line, d.column, d.message
                ));
                out.push_str(wc.value(vi));
                return Ok(());
            }
            Err(d) => return Err(in_collection(d).into()),
        };
        self.enter(t, span)?;
        let again = self.rec.push(&mut self.stack, id);
        let r = self.eval(tpl, tpl.root(), at.key, at.mode, at.rank, at.cycle, out);
        self.rec.pop(&mut self.stack, again);
        self.depth -= 1;
        r
    }
}
