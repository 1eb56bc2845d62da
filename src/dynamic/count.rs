//! Sizes of combinatorial spaces: exact with big integers for `--count`, and saturating `u128`
//! for unranking (a prompt index is below 2⁶⁴, so a saturated size is still larger than any
//! rank it is compared with, which keeps unranking exact).
//!
//! Enumeration order (the contract of `--combinatorial`): a sequence is an odometer whose
//! rightmost construct varies fastest; a variant lists its options in order, each option's own
//! combinations consecutively (nesting flattens); a multi-select lists counts from low to high,
//! and for each count the ordered tuples of distinct options in lexicographic order of option
//! positions, with each chosen option's own combinations varying slower than the options after
//! it.

use num_bigint::BigUint;
use num_traits::{One, Zero};

use std::sync::Arc;

use super::Template;
use super::ast::{Node, Sampler, Span, WildcardName};
use super::error::Diagnostic;
use super::recursion::Recursion;
use super::resolve::Resolution;
use super::wildcards::Collection;

/// Numbers that can count combinations.
pub(crate) trait Card: Clone + PartialEq {
    fn from_u64(n: u64) -> Self;
    fn from_u128(n: u128) -> Self;
    fn add(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn one() -> Self {
        Self::from_u64(1)
    }
    fn zero() -> Self {
        Self::from_u64(0)
    }
    /// The size of a resolved wildcard name: each value's size, with its wildcard on the
    /// stack. `u128` keeps the per-value prefix sums on the resolution (shared by every
    /// expander of the collection), `BigUint` keeps the total for one count.
    fn of_name(
        sizer: &mut Sizer<'_>,
        t: &Template,
        span: Span,
        name: &str,
        res: &Resolution,
    ) -> Result<Self, Diagnostic>;
}

impl Card for u128 {
    fn of_name(
        sizer: &mut Sizer<'_>,
        t: &Template,
        span: Span,
        _: &str,
        res: &Resolution,
    ) -> Result<Self, Diagnostic> {
        Ok(sizer.value_sizes(t, span, res)?.total())
    }
    fn from_u64(n: u64) -> Self {
        u128::from(n)
    }
    fn from_u128(n: u128) -> Self {
        n
    }
    fn add(&self, o: &Self) -> Self {
        self.saturating_add(*o)
    }
    fn mul(&self, o: &Self) -> Self {
        self.saturating_mul(*o)
    }
}

impl Card for BigUint {
    fn of_name(
        sizer: &mut Sizer<'_>,
        t: &Template,
        span: Span,
        name: &str,
        res: &Resolution,
    ) -> Result<Self, Diagnostic> {
        if let Some(v) = sizer.big.get(name) {
            return Ok(v.clone());
        }
        let saved = std::mem::replace(&mut sizer.reentered, false);
        let mut total = <BigUint as Zero>::zero();
        let mut r = Ok(());
        for &(id, vi) in &res.values {
            match sizer.value_size::<BigUint>(t, span, id, vi as usize) {
                Ok(s) => total += s,
                Err(d) => {
                    r = Err(d);
                    break;
                }
            }
        }
        let depends = std::mem::replace(&mut sizer.reentered, saved);
        sizer.reentered |= depends;
        r?;
        if !depends {
            sizer.big.insert(name.into(), total.clone());
        }
        Ok(total)
    }
    fn from_u64(n: u64) -> Self {
        BigUint::from(n)
    }
    fn from_u128(n: u128) -> Self {
        BigUint::from(n)
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn one() -> Self {
        One::one()
    }
    fn zero() -> Self {
        Zero::zero()
    }
}

/// `k! · e_k(sizes)`: the number of ordered k-tuples of distinct options, each option counting
/// its own combinations.
pub(crate) fn tuples<C: Card>(sizes: &[C], k: usize) -> C {
    if k > sizes.len() {
        return C::zero();
    }
    let mut e = vec![C::zero(); k + 1];
    e[0] = C::one();
    for s in sizes {
        for j in (1..=k).rev() {
            e[j] = e[j].add(&e[j - 1].mul(s));
        }
    }
    let mut f = C::one();
    for i in 2..=k {
        f = f.mul(&C::from_u64(i as u64));
    }
    f.mul(&e[k])
}

/// Falling factorial `n (n-1) … (n-k+1)`: ordered k-tuples of n plain options.
pub(crate) fn falling<C: Card>(n: u64, k: u64) -> C {
    let mut p = C::one();
    for i in 0..k.min(n + 1) {
        if i >= n {
            return C::zero();
        }
        p = p.mul(&C::from_u64(n - i));
    }
    p
}

/// The (min, max) pick counts of a multi-select over `n` options, clamped to `n`.
pub(crate) fn bounds(min: u32, max: Option<u32>, n: usize) -> (usize, usize) {
    let n32 = n.min(u32::MAX as usize) as u32;
    let hi = max.unwrap_or(n32).min(n32);
    (min.min(hi) as usize, hi as usize)
}

/// Counts combinations. `stack` holds the wildcards being sized (to count recursion).
pub(crate) struct Sizer<'c> {
    pub coll: &'c Collection,
    pub stack: Vec<u32>,
    /// A missing wildcard counts as one (its literal text) instead of failing.
    pub lenient: bool,
    /// Current nesting of constructs, all wildcard levels together (bounded by
    /// [`super::ast::MAX_DEPTH`], as in the sampler).
    pub nest: u32,
    /// Exact sizes of the names sized so far (a lookup cache, never iterated).
    pub big: std::collections::BTreeMap<Box<str>, BigUint>,
    /// Recursion state, the same as the sampler's (see [`super::recursion`]).
    pub rec: Recursion,
    /// Set when a size met a wildcard already on the stack or used a variable: it depends on
    /// where it was reached from, so it is not kept.
    pub reentered: bool,
    /// Variables in scope, innermost last: lazy ones (and wildcard parameters) with their
    /// value, which a use enumerates as dynamicprompts does; immediate ones as `None`.
    pub vars: Vec<(&'c str, Option<(&'c Template, &'c Node)>)>,
    /// Variables whose value is being sized (a variable that uses itself counts as one).
    sizing: Vec<&'c str>,
}

impl<'c> Sizer<'c> {
    pub fn new(coll: &'c Collection, lenient: bool, max_recursion: u32) -> Self {
        Sizer {
            coll,
            stack: Vec::new(),
            lenient,
            nest: 0,
            big: Default::default(),
            rec: Recursion::new(max_recursion),
            reentered: false,
            vars: Vec::new(),
            sizing: Vec::new(),
        }
    }

    pub fn size<C: Card>(
        &mut self,
        t: &'c Template,
        node: &'c Node,
        mode: Sampler,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        if matches!(node, Node::Text(_)) {
            return Ok(C::one());
        }
        if self.nest >= super::ast::MAX_DEPTH {
            return Err(t.source().diagnostic(node.span(), super::ast::TOO_DEEP));
        }
        self.nest += 1;
        let r = self.size_inner(t, node, mode, memo);
        self.nest -= 1;
        r
    }

    fn size_inner<C: Card>(
        &mut self,
        t: &'c Template,
        node: &'c Node,
        mode: Sampler,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        Ok(match node {
            Node::Text(_) => C::one(),
            Node::GetVar(g) => self.var_size(t, g, mode, memo)?,
            Node::Seq(v) => {
                let mark = self.vars.len();
                let mut p = C::one();
                let mut r = Ok(());
                for n in v {
                    match self.size::<C>(t, n, mode, memo) {
                        Ok(s) => p = p.mul(&s),
                        Err(d) => {
                            r = Err(d);
                            break;
                        }
                    }
                    self.declare(t, n);
                }
                self.vars.truncate(mark);
                r?;
                p
            }
            Node::SetVar(s) => {
                if s.immediate {
                    self.size(t, &s.value, mode, memo)?
                } else {
                    C::one()
                }
            }
            Node::Wrap(w) => self
                .size::<C>(t, &w.wrapper, mode, memo)?
                .mul(&self.size::<C>(t, &w.inner, mode, memo)?),
            Node::Variant(v) => {
                let eff = v.sampler.unwrap_or(mode);
                if eff != Sampler::Combinatorial || self.rec.exit {
                    return Ok(C::one());
                }
                self.variant_size(t, node, v, eff, memo)?
            }
            Node::Wildcard(w) => {
                let eff = w.sampler.unwrap_or(mode);
                if eff != Sampler::Combinatorial || self.rec.exit {
                    return Ok(C::one());
                }
                let WildcardName::Static(name) = &w.name else {
                    return Ok(C::one()); // dynamic names are sampled, not enumerated
                };
                let res = self.coll.resolve(name);
                if res.ids.is_empty() || (!res.broken.is_empty() && !self.lenient) {
                    if self.lenient {
                        return Ok(C::one());
                    }
                    return Err(super::sampler::missing(t, w, name, &res, self.coll));
                }
                if self.cut_here(t, w.span, &res)? {
                    return Ok(C::one());
                }
                // Parameters are lazy variables of the values (enumerated, as dynamicprompts).
                let mark = self.vars.len();
                for (p, v) in &w.params {
                    self.vars.push((p, Some((t, v))));
                }
                let r = C::of_name(self, t, w.span, name, &res);
                self.vars.truncate(mark);
                r?
            }
        })
    }

    /// Records a variable a sequence's child sets, for the children after it (as the sampler
    /// does when it evaluates them in order).
    pub fn declare(&mut self, t: &'c Template, n: &'c Node) {
        if let Node::SetVar(s) = n {
            if s.keep_existing && self.vars.iter().any(|(v, _)| *v == &*s.name) {
                return;
            }
            let val = (!s.immediate).then_some((t, &*s.value));
            self.vars.push((&s.name, val));
        }
    }

    /// A variable use: a lazy variable (or a parameter, or a default) enumerates its value,
    /// sized with the variables set before it.
    fn var_size<C: Card>(
        &mut self,
        t: &'c Template,
        g: &'c super::ast::GetVar,
        mode: Sampler,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        self.reentered = true;
        let _ = memo;
        if mode != Sampler::Combinatorial || self.rec.exit {
            return Ok(C::one());
        }
        if self.sizing.contains(&&*g.name) {
            return Ok(C::one()); // a variable that uses itself: the sampler reports it
        }
        let found = self.vars.iter().rev().find(|(n, _)| *n == &*g.name);
        let (t2, node) = match found {
            Some((_, Some((t2, n2)))) => (*t2, *n2),
            Some((_, None)) => return Ok(C::one()),
            None => match &g.default {
                Some(d) => (t, &**d),
                None => return Ok(C::one()),
            },
        };
        self.sizing.push(&g.name);
        let r = self.size::<C>(t2, node, mode, memo);
        self.sizing.pop();
        r
    }

    fn variant_size<C: Card>(
        &mut self,
        t: &'c Template,
        node: &'c Node,
        v: &'c super::ast::Variant,
        eff: Sampler,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        if let Some(sel) = &v.select
            && let Some((res, _)) = super::sampler::pool_of(self.coll, node)
            && !res.ids.is_empty()
        {
            if self.cut_here(t, v.span, &res)? {
                return Ok(C::one());
            }
            let n = res.total_count();
            let (lo, hi) = pool_bounds(sel, n as usize);
            let sizes = self.value_sizes(t, v.span, &res)?;
            let mut total = C::zero();
            if sizes.all_one() {
                for k in lo..=hi {
                    total = total.add(&falling::<C>(n, k as u64));
                }
            } else {
                let each: Vec<C> = (0..sizes.len())
                    .map(|i| C::from_u128(sizes.size(i)))
                    .collect();
                for k in lo..=hi {
                    total = total.add(&tuples(&each, k));
                }
            }
            return Ok(total);
        }
        let mut sizes = Vec::with_capacity(v.options.len());
        for o in &v.options {
            sizes.push(self.size::<C>(t, o, eff, memo)?);
        }
        let Some(sel) = &v.select else {
            return Ok(sizes.iter().fold(C::zero(), |a, s| a.add(s)));
        };
        let (lo, hi) = bounds(sel.min, sel.max, sizes.len());
        let all_one = sizes.iter().all(|s| *s == C::one());
        let mut total = C::zero();
        for k in lo..=hi {
            total = total.add(&if all_one {
                falling::<C>(sizes.len() as u64, k as u64)
            } else {
                tuples(&sizes, k)
            });
        }
        Ok(total)
    }

    /// True when a reference to `res` is past the recursion bound: it then counts as one (its
    /// way out, see [`super::recursion`]). An error when no value leads out.
    pub fn cut_here(
        &mut self,
        t: &Template,
        span: Span,
        res: &Resolution,
    ) -> Result<bool, Diagnostic> {
        if !self.rec.reenters(&self.stack, res) {
            return Ok(false);
        }
        self.reentered = true;
        if super::recursion::exit_height(self.coll, res).is_none() {
            // No way out: an error, or with --lenient the reference's own text.
            if self.lenient {
                return Ok(true);
            }
            return Err(super::recursion::no_way_out(
                self.coll,
                t,
                span,
                &self.stack,
                res,
            ));
        }
        if !self.rec.past_bound(&self.stack) {
            return Ok(false);
        }
        self.rec.cut = true;
        Ok(true)
    }

    /// The combinatorial size of value `vi` of wildcard `id`, with the wildcard on the stack.
    pub fn value_size<C: Card>(
        &mut self,
        t: &Template,
        span: Span,
        id: u32,
        vi: usize,
    ) -> Result<C, Diagnostic> {
        let tpl = match self.coll.get(id).template(vi) {
            Ok(None) => return Ok(C::one()),
            Ok(Some(tpl)) => tpl,
            Err(_) if self.lenient => return Ok(C::one()),
            Err(d) => return Err(super::sampler::in_collection(d)),
        };
        if self.stack.len() >= 64 {
            return Err(t
                .source()
                .diagnostic(span, "wildcards nest deeper than 64 levels"));
        }
        let again = self.rec.push(&mut self.stack, id);
        self.reentered |= again;
        let r = self.size::<C>(tpl, tpl.root(), Sampler::Combinatorial, true);
        self.rec.pop(&mut self.stack, again);
        r
    }

    /// The sizes of every value of a resolved name, as prefix sums; kept on the resolution
    /// when they do not depend on where the name was reached from.
    pub fn value_sizes(
        &mut self,
        t: &Template,
        span: Span,
        res: &Resolution,
    ) -> Result<Arc<ValueSizes>, Diagnostic> {
        if let Some(s) = res.sizes.get() {
            return Ok(s.clone());
        }
        let saved = std::mem::replace(&mut self.reentered, false);
        let mut prefix = Vec::new();
        let mut all_one = true;
        let mut acc = 0u128;
        let mut r = Ok(());
        for (k, &(id, vi)) in res.values.iter().enumerate() {
            match self.value_size::<u128>(t, span, id, vi as usize) {
                Ok(s) => {
                    if s != 1 && all_one {
                        all_one = false;
                        prefix = (1..=k as u128).collect();
                    }
                    acc = acc.saturating_add(s);
                    if !all_one {
                        prefix.push(acc);
                    }
                }
                Err(d) => {
                    r = Err(d);
                    break;
                }
            }
        }
        let depends = std::mem::replace(&mut self.reentered, saved);
        self.reentered |= depends;
        r?;
        let sizes = Arc::new(ValueSizes {
            prefix,
            n: res.values.len() as u64,
        });
        if !depends {
            let _ = res.sizes.set(sizes.clone());
        }
        Ok(sizes)
    }
}

/// The combinatorial sizes of a name's values, as prefix sums (empty when every value has
/// one combination, so a plain million-line file costs nothing here).
#[derive(Debug)]
pub(crate) struct ValueSizes {
    prefix: Vec<u128>,
    n: u64,
}

impl ValueSizes {
    pub fn all_one(&self) -> bool {
        self.prefix.is_empty()
    }

    pub fn len(&self) -> usize {
        self.n as usize
    }

    pub fn total(&self) -> u128 {
        self.prefix.last().copied().unwrap_or(u128::from(self.n))
    }

    /// The size of value `i`.
    pub fn size(&self, i: usize) -> u128 {
        if self.prefix.is_empty() {
            return 1;
        }
        self.prefix[i] - if i == 0 { 0 } else { self.prefix[i - 1] }
    }

    /// Rank `r` (below the total) → (value position, rank inside that value).
    pub fn locate(&self, r: u128) -> (u64, u128) {
        if self.prefix.is_empty() {
            return (r as u64, 0);
        }
        let i = self.prefix.partition_point(|p| *p <= r);
        let before = if i == 0 { 0 } else { self.prefix[i - 1] };
        (i as u64, r - before)
    }
}

/// The (min, max) pick counts of a multi-select over one wildcard (`{2$$__x__}`), as
/// dynamicprompts reads them: an open upper bound (`{1-$$__x__}`) is the number of options
/// written, which is one, and bounds are put in order (`{2-$$__x__}` is `1-2`).
pub(crate) fn pool_bounds(sel: &super::ast::Select, n: usize) -> (usize, usize) {
    let hi = sel.max.unwrap_or(1);
    let (lo, hi) = (sel.min.min(hi), sel.min.max(hi));
    bounds(lo, Some(hi), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_match_permutations() {
        assert_eq!(tuples::<u128>(&[1, 1, 1], 2), 6);
        assert_eq!(falling::<u128>(3, 2), 6);
        assert_eq!(falling::<u128>(3, 4), 0);
        // Options with 2 and 1 combinations: ordered pairs (a,b),(b,a) → 2·1 + 1·2 = 4.
        assert_eq!(tuples::<u128>(&[2, 1], 2), 4);
        assert_eq!(
            tuples::<BigUint>(&[BigUint::from(2u8), BigUint::from(1u8)], 2),
            BigUint::from(4u8)
        );
    }
}
