//! Random draws over options and wildcard pools: weighted picks, and `k` distinct picks for
//! multi-selects (exact for small pools, O(1) a draw for large ones).

use super::resolve::Resolution;
use super::wildcards::Collection;
use crate::rng::Stream;

/// A weighted draw over a name's pool: a pool position.
pub(crate) fn pick_weighted_pool(st: &mut Stream, res: &Resolution) -> u64 {
    let total = res.total_weight();
    if total == 0 {
        return st.below_u64(res.total_count().max(1));
    }
    res.locate_weight(st.below_u64(total))
}

/// `k` distinct option positions, each drawn by weight among those left; when only zero
/// weights are left, uniformly among them. The draws are those of a linear scan (a
/// `pick_weighted` over the weights left, then the j-th position left), found in O(log n) each
/// with two Fenwick trees, so `{1-$$__big__}` over a million values takes a moment, not hours.
pub(crate) fn distinct_weighted(st: &mut Stream, weights: &[u64], k: usize) -> Vec<usize> {
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
pub(crate) fn distinct_pool(
    st: &mut Stream,
    res: &Resolution,
    coll: &Collection,
    k: usize,
) -> Vec<u64> {
    let n = res.total_count();
    let k = k.min(n as usize);
    if n <= 4096 || (k as u64).saturating_mul(2) > n {
        let weights = res.weights(coll);
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
            pick_weighted_pool(st, res)
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
    use crate::rng::Domain;

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
