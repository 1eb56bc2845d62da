//! Sharding: `--shard K/N` takes the K-th of N contiguous blocks of the run's index range.
//!
//! The scheme: for a range `[start, start + count)`, shard K (1-based) covers
//! `[start + floor(count·(K−1)/N), start + floor(count·K/N))`. The blocks are disjoint, cover the
//! range, differ in size by at most one, and in order they concatenate to the single run: for
//! `text` and `jsonl`, `cat part1 … partN` is byte-identical to the unsharded file (CSV: drop the
//! header line of parts 2…N). For `--exhaustive` the range is positions of the enumeration.

use super::{BatchError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub k: u64,
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("--shard `{s}` must look like K/N with 1 ≤ K ≤ N, e.g. 2/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// This shard's block of `[start, start + count)`; the run may end at index 2^64 − 1 (its
    /// end is then 2^64, see [`super::END`]).
    pub fn range(self, start: u64, count: u128) -> Result<std::ops::Range<u128>> {
        if self.n == 0 || self.k == 0 || self.k > self.n {
            return Err(BatchError::Invalid(format!(
                "--shard {}/{}: need 1 ≤ K ≤ N",
                self.k, self.n
            )));
        }
        let start = u128::from(start);
        if start + count > super::END {
            return Err(BatchError::Invalid(format!(
                "--start {start} with --count {count} runs past the largest index, 2^64 - 1"
            )));
        }
        // count ≤ 2^64 and j ≤ n < 2^64: the product fits a u128.
        let at = |j: u64| -> u128 { count * u128::from(j) / u128::from(self.n) };
        Ok(start + at(self.k - 1)..start + at(self.k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { k: 2, n: 8 }));
        for bad in ["0/0", "3/2", "0/4", "1", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn blocks_partition_the_range() {
        for count in [0u128, 1, 7, 100, 101] {
            for n in 1..=9u64 {
                let mut next = 5;
                for k in 1..=n {
                    let r = Shard { k, n }.range(5, count).unwrap();
                    assert_eq!(r.start, next);
                    assert!(r.end - r.start <= count / u128::from(n) + 1);
                    next = r.end;
                }
                assert_eq!(next, 5 + count);
            }
        }
    }

    #[test]
    fn a_range_may_end_at_the_last_index() {
        let last = u64::MAX;
        assert_eq!(
            Shard::WHOLE.range(last, 1).unwrap(),
            (super::super::END - 1)..super::super::END
        );
        assert!(Shard::WHOLE.range(last, 2).is_err());
        assert_eq!(
            Shard::WHOLE.range(0, super::super::END).unwrap(),
            0..super::super::END
        );
        assert!(Shard::WHOLE.range(1, super::super::END).is_err());
        let (a, b) = (Shard { k: 1, n: 2 }, Shard { k: 2, n: 2 });
        assert_eq!(
            a.range(last - 2, 3).unwrap().end,
            b.range(last - 2, 3).unwrap().start
        );
        assert_eq!(b.range(last - 2, 3).unwrap().end, super::super::END);
    }
}
