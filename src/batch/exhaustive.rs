//! A seeded bijection over `[0, n)` for any `n < 2^128`: a keyed Feistel network over the
//! smallest even number of bits that holds `n`, with cycle walking to stay below `n`.
//!
//! Position `i` of an exhaustive run is `permute(i)`, computed on its own in O(1) expected time
//! (each walk step lands in range with probability > 1/4), so exhaustive runs shard, resume and
//! replay like random ones. A Feistel network is a bijection whatever its round function; the
//! round function only decides how shuffled the order looks. Round keys come from the keyed
//! stream `(seed, Permute, "exhaustive/TEMPLATE")`, so the order is portable.

use crate::rng::{Domain, Stream};

const ROUNDS: usize = 6;

#[derive(Debug, Clone)]
pub struct Permutation {
    n: u128,
    half: u32,
    keys: [u64; ROUNDS],
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Permutation {
    /// The permutation of `[0, n)` for `seed` and a name (the template).
    pub fn new(n: u128, seed: u64, name: &str) -> Permutation {
        let mut s = Stream::new(seed, Domain::Permute, &format!("exhaustive/{name}"), 0);
        let mut keys = [0u64; ROUNDS];
        for k in &mut keys {
            *k = s.next_u64();
        }
        let bits = 128 - n.saturating_sub(1).leading_zeros();
        let half = bits.div_ceil(2).max(1);
        Permutation { n, half, keys }
    }

    pub fn len(&self) -> u128 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn feistel(&self, x: u128) -> u128 {
        let mask: u128 = (1u128 << self.half) - 1;
        let mut l = x >> self.half;
        let mut r = x & mask;
        for k in self.keys {
            let f = u128::from(mix((r as u64) ^ k)) & mask;
            (l, r) = (r, l ^ f);
        }
        (l << self.half) | r
    }

    /// The image of `i` (`i < n`).
    pub fn permute(&self, i: u128) -> u128 {
        if self.n <= 1 {
            return i;
        }
        let mut x = i;
        loop {
            x = self.feistel(x);
            if x < self.n {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_for_many_sizes() {
        for n in [1u128, 2, 3, 4, 5, 17, 64, 100, 1000, 4097] {
            let p = Permutation::new(n, 42, "t");
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.permute(i);
                assert!(j < n);
                assert!(!seen[j as usize], "n={n}: {j} twice");
                seen[j as usize] = true;
            }
        }
    }

    #[test]
    fn depends_on_seed_and_is_not_identity() {
        let a: Vec<u128> = (0..50)
            .map(|i| Permutation::new(1000, 1, "t").permute(i))
            .collect();
        let b: Vec<u128> = (0..50)
            .map(|i| Permutation::new(1000, 2, "t").permute(i))
            .collect();
        assert_ne!(a, b);
        assert_ne!(a, (0..50).collect::<Vec<u128>>());
    }

    #[test]
    fn huge_domains_work() {
        let n = u128::MAX - 5;
        let p = Permutation::new(n, 3, "t");
        let x = p.permute(123);
        assert!(x < n);
    }
}
