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

use super::Template;
use super::ast::{Node, Sampler, WildcardName};
use super::error::Diagnostic;
use super::wildcards::Collection;

/// Numbers that can count combinations.
pub(crate) trait Card: Clone + PartialEq {
    fn from_u64(n: u64) -> Self;
    fn add(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn one() -> Self {
        Self::from_u64(1)
    }
    fn zero() -> Self {
        Self::from_u64(0)
    }
    /// A wildcard's size computed before, if kept.
    fn recall(sizer: &Sizer<'_>, id: u32, memo: bool) -> Option<Result<Self, Diagnostic>>;
    /// Keeps a wildcard's size: each wildcard is sized once, so a chain of wildcards that
    /// each use the next several times (`d2 = {__d1__|__d1__}`) is counted in linear time.
    fn keep(sizer: &mut Sizer<'_>, id: u32, memo: bool, size: &Result<Self, Diagnostic>);
}

impl Card for u128 {
    /// Saturated sizes are kept on the wildcard itself (shared by every expander of it).
    fn recall(sizer: &Sizer<'_>, id: u32, memo: bool) -> Option<Result<Self, Diagnostic>> {
        memo.then(|| sizer.coll.get(id).comb_size.get().cloned())
            .flatten()
    }
    fn keep(sizer: &mut Sizer<'_>, id: u32, memo: bool, size: &Result<Self, Diagnostic>) {
        if memo {
            let _ = sizer.coll.get(id).comb_size.set(size.clone());
        }
    }
    fn from_u64(n: u64) -> Self {
        u128::from(n)
    }
    fn add(&self, o: &Self) -> Self {
        self.saturating_add(*o)
    }
    fn mul(&self, o: &Self) -> Self {
        self.saturating_mul(*o)
    }
}

impl Card for BigUint {
    /// Exact sizes are kept for one count (by the sizer).
    fn recall(sizer: &Sizer<'_>, id: u32, _: bool) -> Option<Result<Self, Diagnostic>> {
        sizer.big.get(&id).cloned().map(Ok)
    }
    fn keep(sizer: &mut Sizer<'_>, id: u32, _: bool, size: &Result<Self, Diagnostic>) {
        if let Ok(v) = size {
            sizer.big.insert(id, v.clone());
        }
    }
    fn from_u64(n: u64) -> Self {
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

/// Counts combinations. `stack` holds the wildcards being sized, to stop cycles.
pub(crate) struct Sizer<'c> {
    pub coll: &'c Collection,
    pub stack: Vec<u32>,
    /// A missing wildcard counts as one (its literal text) instead of failing.
    pub lenient: bool,
    /// Current nesting of constructs, all wildcard levels together (bounded by
    /// [`super::ast::MAX_DEPTH`], as in the sampler).
    pub nest: u32,
    /// Exact sizes of the wildcards sized so far (a lookup cache, never iterated).
    pub big: std::collections::BTreeMap<u32, BigUint>,
}

impl<'c> Sizer<'c> {
    pub fn size<C: Card>(
        &mut self,
        t: &Template,
        node: &Node,
        mode: Sampler,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        if matches!(node, Node::Text(_) | Node::GetVar(_)) {
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
        t: &Template,
        node: &Node,
        mode: Sampler,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        Ok(match node {
            Node::Text(_) | Node::GetVar(_) => C::one(),
            Node::Seq(v) => {
                let mut p = C::one();
                for n in v {
                    p = p.mul(&self.size::<C>(t, n, mode, memo)?);
                }
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
                if eff != Sampler::Combinatorial {
                    return Ok(C::one());
                }
                let mut sizes = Vec::with_capacity(v.options.len());
                for o in &v.options {
                    sizes.push(self.size::<C>(t, o, eff, memo)?);
                }
                match &v.select {
                    None => sizes.iter().fold(C::zero(), |a, s| a.add(s)),
                    Some(sel) => {
                        if let Some((pool, n, plain)) = self.pool(t, node, memo)? {
                            let (lo, hi) = bounds(sel.min, sel.max, n as usize);
                            let mut total = C::zero();
                            for k in lo..=hi {
                                total = total.add(&if plain {
                                    falling::<C>(n, k as u64)
                                } else {
                                    tuples(&pool, k)
                                });
                            }
                            return Ok(total);
                        }
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
                        total
                    }
                }
            }
            Node::Wildcard(w) => {
                let eff = w.sampler.unwrap_or(mode);
                if eff != Sampler::Combinatorial {
                    return Ok(C::one());
                }
                let WildcardName::Static(name) = &w.name else {
                    return Ok(C::one()); // dynamic names are sampled, not enumerated
                };
                let res = self.coll.resolve(name);
                if res.ids.is_empty() {
                    if self.lenient {
                        return Ok(C::one());
                    }
                    return Err(super::sampler::missing(t, w, name, &res, self.coll));
                }
                let mut total = C::zero();
                for id in &res.ids {
                    total = total.add(&self.wildcard_size::<C>(t, w.span, *id, memo)?);
                }
                total
            }
        })
    }

    /// Combinations of all values of one wildcard, enumerated.
    pub fn wildcard_size<C: Card>(
        &mut self,
        t: &Template,
        span: super::ast::Span,
        id: u32,
        memo: bool,
    ) -> Result<C, Diagnostic> {
        if let Some(pos) = self.stack.iter().position(|s| *s == id) {
            return Err(cycle_error(self.coll, t, span, &self.stack[pos..], id));
        }
        if self.stack.len() >= 64 {
            return Err(t
                .source()
                .diagnostic(span, "wildcards nest deeper than 64 levels"));
        }
        let wc = self.coll.get(id);
        if let Some(done) = C::recall(self, id, memo) {
            return done;
        }
        self.stack.push(id);
        let result = (|| {
            let mut total = C::zero();
            let mut plain = 0u64;
            for i in 0..wc.len() {
                match wc.template(i)? {
                    Some(tpl) => {
                        total = total.add(&self.size::<C>(
                            tpl,
                            tpl.root(),
                            Sampler::Combinatorial,
                            memo,
                        )?)
                    }
                    None => plain += 1,
                }
            }
            Ok(total.add(&C::from_u64(plain)))
        })();
        self.stack.pop();
        // A depth error depends on where the wildcard was reached from: not kept.
        if !result
            .as_ref()
            .is_err_and(|d: &Diagnostic| d.to_string().contains(super::ast::TOO_DEEP))
        {
            C::keep(self, id, memo, &result);
        }
        result
    }

    /// For `{k$$__name__}`: the value pool of the wildcard (following wildcards that are only a
    /// reference to another one), as (sizes of each value, count, all plain).
    pub fn pool<C: Card>(
        &mut self,
        t: &Template,
        node: &Node,
        memo: bool,
    ) -> Result<Option<(Vec<C>, u64, bool)>, Diagnostic> {
        let Some((res, _)) = super::sampler::pool_of(self.coll, node) else {
            return Ok(None);
        };
        let n = res.total_count();
        let mut plain = true;
        let mut sizes = Vec::new();
        for id in &res.ids {
            let wc = self.coll.get(*id);
            let s: u128 = self.wildcard_size(t, span_of(node), *id, memo)?;
            if s != wc.len() as u128 {
                plain = false;
            }
        }
        if !plain {
            for id in &res.ids {
                let wc = self.coll.get(*id);
                for i in 0..wc.len() {
                    sizes.push(match wc.template(i)? {
                        Some(tpl) => {
                            self.stack.push(*id);
                            let s = self.size::<C>(tpl, tpl.root(), Sampler::Combinatorial, memo);
                            self.stack.pop();
                            s?
                        }
                        None => C::one(),
                    });
                }
            }
        }
        Ok(Some((sizes, n, plain)))
    }
}

fn span_of(node: &Node) -> super::ast::Span {
    match node {
        Node::Variant(v) => v.span,
        Node::Wildcard(w) => w.span,
        _ => super::ast::Span::default(),
    }
}

/// "wildcard cycle: a → b → a".
pub(crate) fn cycle_error(
    coll: &Collection,
    t: &Template,
    span: super::ast::Span,
    chain: &[u32],
    back_to: u32,
) -> Diagnostic {
    let mut names: Vec<&str> = chain.iter().map(|id| coll.get(*id).name.as_str()).collect();
    names.push(&coll.get(back_to).name);
    t.source()
        .diagnostic(span, format!("wildcard cycle: {}", names.join(" → ")))
        .with_help("a wildcard's values must not lead back to the wildcard itself")
}

/// Unranks a multi-select: which options (positions) and each one's own sub-rank, for rank `r`
/// in the order described in the module docs. `sizes` empty means every option has size 1.
pub(crate) fn unrank_multi(
    n: usize,
    sizes: &[u128],
    lo: usize,
    hi: usize,
    mut r: u128,
) -> Vec<(usize, u128)> {
    let plain = sizes.is_empty();
    let mut k = lo;
    while k <= hi {
        let block: u128 = if plain {
            falling(n as u64, k as u64)
        } else {
            tuples(sizes, k)
        };
        if r < block || k == hi {
            break;
        }
        r -= block;
        k += 1;
    }
    let mut chosen: Vec<(usize, u128)> = Vec::with_capacity(k);
    let mut used = vec![false; if plain { 0 } else { n }];
    for p in 0..k {
        let m = k - p - 1;
        if plain {
            let rest: u128 = falling((n - p - 1) as u64, m as u64);
            let j = (r / rest.max(1)) as usize;
            r %= rest.max(1);
            // The j-th position not yet chosen.
            let mut sorted: Vec<usize> = chosen.iter().map(|c| c.0).collect();
            sorted.sort_unstable();
            let mut idx = j;
            for s in sorted {
                if s <= idx {
                    idx += 1;
                }
            }
            chosen.push((idx.min(n.saturating_sub(1)), 0));
        } else {
            let mut picked = None;
            for i in 0..n {
                if used[i] {
                    continue;
                }
                let others: Vec<u128> = (0..n)
                    .filter(|j| !used[*j] && *j != i)
                    .map(|j| sizes[j])
                    .collect();
                let rest: u128 = tuples(&others, m).max(1);
                let block = sizes[i].saturating_mul(rest);
                if r < block {
                    picked = Some((i, r / rest));
                    r %= rest;
                    break;
                }
                r -= block;
            }
            let (i, sub) = picked.unwrap_or((0, 0));
            used[i] = true;
            chosen.push((i, sub));
        }
    }
    chosen
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

    #[test]
    fn unrank_plain_pairs_in_lexicographic_order() {
        let got: Vec<Vec<usize>> = (0..6)
            .map(|r| unrank_multi(3, &[], 2, 2, r).iter().map(|c| c.0).collect())
            .collect();
        assert_eq!(got, [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1]]);
    }

    #[test]
    fn unrank_sized_matches_plain_when_sizes_are_one() {
        for r in 0..6 {
            assert_eq!(
                unrank_multi(3, &[1, 1, 1], 2, 2, r),
                unrank_multi(3, &[], 2, 2, r)
            );
        }
    }

    #[test]
    fn unrank_walks_ranges_low_to_high() {
        let got: Vec<usize> = (0..5)
            .map(|r| unrank_multi(2, &[], 1, 2, r).len())
            .collect();
        assert_eq!(got, [1, 1, 2, 2, 2]);
    }
}
