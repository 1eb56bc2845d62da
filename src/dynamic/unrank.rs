//! Unranking multi-selects: rank `r` of a multi-select's combinations → which options, and
//! each one's own rank (the order is described in [`super::count`]).

use super::count::{falling, tuples};

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
