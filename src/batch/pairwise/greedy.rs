//! The first covering set: greedy, AETG-style.
//!
//! Each new row starts from a seeded uncovered pair of the two slots with the most uncovered
//! pairs and fills the other slots, in a seeded order, with the value that covers most new pairs
//! (seeded choice among equals); of a few candidate rows the best is kept. When none of them is
//! coherent, a bounded exhaustive search looks for any coherent row holding the pair, so a pair
//! is given up only when no scene can show it (or the search runs out). Uncovered pairs and
//! compatibility are bitsets per slot and value, so filling a slot costs a few words per
//! already-filled slot rather than a test per value.

use super::table::{Table, words};
use crate::rng::Stream;

/// Candidate rows tried per new row.
const CANDIDATES: usize = 12;

/// Steps of the exhaustive search for a pair no candidate row could hold.
const SEARCH_NODES: usize = 100_000;

pub(super) struct Greedy<'t> {
    t: &'t Table,
    /// Per pair: still to be covered.
    need: Vec<bool>,
    /// Uncovered pairs as bitsets, laid out like [`Table::compat_bits`].
    open_bits: Vec<u64>,
    /// Uncovered pairs per slot pair (a < b), at `a·d + b`.
    left: Vec<usize>,
    /// Pairs that are not covered: incompatible, or found in no coherent row.
    pub excluded: u64,
    allowed: Vec<u64>,
    gain: Vec<u32>,
}

impl<'t> Greedy<'t> {
    pub fn new(t: &'t Table) -> Self {
        let d = t.d;
        let mut left = vec![0; d * d];
        for a in 0..d {
            for b in a + 1..d {
                let s = t.start(a, b);
                left[a * d + b] = t.compat[s..s + t.sizes[a] * t.sizes[b]]
                    .iter()
                    .filter(|x| **x)
                    .count();
            }
        }
        let excluded = t.compat.iter().filter(|x| !**x).count() as u64;
        let widest = t.sizes.iter().copied().max().unwrap_or(0);
        Greedy {
            t,
            need: t.compat.clone(),
            open_bits: t.compat_bits.clone(),
            left,
            excluded,
            allowed: vec![0; words(widest)],
            gain: vec![0; widest],
        }
    }

    pub fn run(&mut self, rng: &mut Stream) -> Vec<Vec<u32>> {
        let t = self.t;
        let d = t.d;
        let mut rows = Vec::new();
        if d == 0 {
            return rows;
        }
        if d == 1 {
            return (0..t.sizes[0] as u32).map(|v| vec![v]).collect();
        }
        // The slot pair with the most uncovered pairs (the first on ties).
        while let Some((a, b)) = (0..d)
            .flat_map(|a| (a + 1..d).map(move |b| (a, b)))
            .filter(|(a, b)| self.left[a * d + b] > 0)
            .max_by_key(|(a, b)| (self.left[a * d + b], std::cmp::Reverse((*a, *b))))
        {
            let (x, y) = self.nth_open(a, b, rng.below(self.left[a * d + b] as u32));
            let mut best: Option<(usize, Vec<u32>)> = None;
            for _ in 0..CANDIDATES {
                if let Some((score, row)) = self.candidate(a, x, b, y, rng)
                    && best.as_ref().is_none_or(|(s, _)| score > *s)
                {
                    best = Some((score, row));
                }
            }
            match best {
                Some((_, row)) => {
                    self.cover(&row);
                    rows.push(row);
                }
                // No coherent scene was found for this pair: give it up.
                // No candidate found a coherent scene for this pair: search for one exhaustively
                // (bounded); give the pair up only when there is none.
                None => match self.complete(a, x, b, y) {
                    Some(row) => {
                        self.cover(&row);
                        rows.push(row);
                    }
                    None => {
                        self.close(a, x, b, y);
                        self.excluded += 1;
                    }
                },
            }
        }
        rows
    }

    /// The n-th uncovered pair of slots a < b, a-major.
    fn nth_open(&self, a: usize, b: usize, mut n: u32) -> (usize, usize) {
        let t = self.t;
        for x in 0..t.sizes[a] {
            let base = t.bits(b, a, x);
            for (i, &w) in self.open_bits[base..base + words(t.sizes[b])]
                .iter()
                .enumerate()
            {
                let c = w.count_ones();
                if n < c {
                    let mut w = w;
                    for _ in 0..n {
                        w &= w - 1;
                    }
                    return (x, i * 64 + w.trailing_zeros() as usize);
                }
                n -= c;
            }
        }
        (0, 0)
    }

    fn candidate(
        &mut self,
        a: usize,
        x: usize,
        b: usize,
        y: usize,
        rng: &mut Stream,
    ) -> Option<(usize, Vec<u32>)> {
        let t = self.t;
        let d = t.d;
        let mut order: Vec<usize> = (0..d).filter(|k| *k != a && *k != b).collect();
        for i in (1..order.len()).rev() {
            let j = rng.below(i as u32 + 1) as usize;
            order.swap(i, j);
        }
        let mut row = vec![u32::MAX; d];
        row[a] = x as u32;
        row[b] = y as u32;
        let mut assigned = vec![a, b];
        let mut score = 1;
        for &k in &order {
            let n = t.sizes[k];
            let nw = words(n);
            let allowed = &mut self.allowed[..nw];
            allowed.fill(!0);
            if !n.is_multiple_of(64) {
                allowed[nw - 1] = (1 << (n % 64)) - 1;
            }
            for &o in &assigned {
                let base = t.bits(k, o, row[o] as usize);
                for (m, c) in allowed.iter_mut().zip(&t.compat_bits[base..base + nw]) {
                    *m &= c;
                }
            }
            if allowed.iter().all(|m| *m == 0) {
                return None;
            }
            let gain = &mut self.gain[..n];
            gain.fill(0);
            for &o in &assigned {
                let base = t.bits(k, o, row[o] as usize);
                for (i, (m, u)) in allowed
                    .iter()
                    .zip(&self.open_bits[base..base + nw])
                    .enumerate()
                {
                    let mut w = m & u;
                    while w != 0 {
                        gain[i * 64 + w.trailing_zeros() as usize] += 1;
                        w &= w - 1;
                    }
                }
            }
            // The best gain among allowed values, and a seeded one of the values that have it.
            let mut top = 0;
            let mut ties = 0u32;
            for (i, m) in allowed.iter().enumerate() {
                let mut w = *m;
                while w != 0 {
                    let g = gain[i * 64 + w.trailing_zeros() as usize];
                    if g > top || ties == 0 {
                        top = g;
                        ties = 1;
                    } else if g == top {
                        ties += 1;
                    }
                    w &= w - 1;
                }
            }
            let mut pick = rng.below(ties);
            let mut v = 0;
            'find: for (i, m) in allowed.iter().enumerate() {
                let mut w = *m;
                while w != 0 {
                    let c = i * 64 + w.trailing_zeros() as usize;
                    if gain[c] == top {
                        if pick == 0 {
                            v = c;
                            break 'find;
                        }
                        pick -= 1;
                    }
                    w &= w - 1;
                }
            }
            row[k] = v as u32;
            score += top as usize;
            assigned.push(k);
        }
        Some((score, row))
    }

    /// A coherent row holding value x of slot a and y of slot b, by depth-first search that fills
    /// the slot with the fewest values left first; `None` when there is none, or when none is
    /// found within [`SEARCH_NODES`] steps.
    fn complete(&self, a: usize, x: usize, b: usize, y: usize) -> Option<Vec<u32>> {
        let mut row = vec![u32::MAX; self.t.d];
        row[a] = x as u32;
        row[b] = y as u32;
        let mut nodes = 0;
        self.fill(&mut row, &mut nodes).then_some(row)
    }

    fn fill(&self, row: &mut [u32], nodes: &mut usize) -> bool {
        let t = self.t;
        *nodes += 1;
        if *nodes > SEARCH_NODES {
            return false;
        }
        // The open slot with the fewest values that fit what is filled.
        let mut best: Option<(u32, usize, Vec<u64>)> = None;
        for k in (0..t.d).filter(|&k| row[k] == u32::MAX) {
            let n = t.sizes[k];
            let mut allowed = vec![!0u64; words(n)];
            if !n.is_multiple_of(64) {
                allowed[words(n) - 1] = (1 << (n % 64)) - 1;
            }
            for o in (0..t.d).filter(|&o| row[o] != u32::MAX) {
                let base = t.bits(k, o, row[o] as usize);
                for (m, c) in allowed.iter_mut().zip(&t.compat_bits[base..]) {
                    *m &= c;
                }
            }
            let count = allowed.iter().map(|m| m.count_ones()).sum();
            if best.as_ref().is_none_or(|(c, ..)| count < *c) {
                best = Some((count, k, allowed));
            }
        }
        let Some((_, k, allowed)) = best else {
            return true;
        };
        for (i, m) in allowed.iter().enumerate() {
            let mut w = *m;
            while w != 0 {
                row[k] = (i * 64 + w.trailing_zeros() as usize) as u32;
                if self.fill(row, nodes) {
                    return true;
                }
                w &= w - 1;
            }
        }
        row[k] = u32::MAX;
        false
    }

    fn close(&mut self, a: usize, x: usize, b: usize, y: usize) {
        let t = self.t;
        let p = t.idx(a, x, b, y);
        if !self.need[p] {
            return;
        }
        self.need[p] = false;
        let (a, x, b, y) = if a < b { (a, x, b, y) } else { (b, y, a, x) };
        self.left[a * t.d + b] -= 1;
        self.open_bits[t.bits(a, b, y) + x / 64] &= !(1 << (x % 64));
        self.open_bits[t.bits(b, a, x) + y / 64] &= !(1 << (y % 64));
    }

    fn cover(&mut self, row: &[u32]) {
        let d = self.t.d;
        for a in 0..d {
            for b in a + 1..d {
                self.close(a, row[a] as usize, b, row[b] as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Domain;

    /// Four slots of 3 values; two values conflict when they are equal, except between slots 0
    /// and 1. So slots 0 and 1 showing two different values leave no value for slots 2 and 3
    /// together: such a pair fits no row though it is compatible.
    fn table() -> Table {
        Table::new(vec![3; 4], |a, x, b, y| (a < 2 && b < 2) || x != y)
    }

    fn coherent(t: &Table, row: &[u32]) -> bool {
        (0..t.d)
            .all(|a| (a + 1..t.d).all(|b| t.compat[t.idx(a, row[a] as usize, b, row[b] as usize)]))
    }

    #[test]
    fn completion_finds_a_row_or_proves_there_is_none() {
        let t = table();
        let g = Greedy::new(&t);
        let row = g.complete(0, 0, 1, 0).unwrap();
        assert_eq!(row[..2], [0, 0]);
        assert!(coherent(&t, &row));
        assert_eq!(g.complete(0, 0, 1, 1), None);
        assert!(t.compat[t.idx(0, 0, 1, 1)]);
    }

    #[test]
    fn every_pair_that_fits_a_row_is_covered() {
        let t = table();
        let mut g = Greedy::new(&t);
        let rows = g.run(&mut Stream::new(1, Domain::Permute, "t", 0));
        let mut shown = vec![false; t.len];
        for r in &rows {
            assert!(coherent(&t, r));
            for p in t.row_pairs(r) {
                shown[p] = true;
            }
        }
        let mut excluded = 0;
        for a in 0..4 {
            for b in a + 1..4 {
                for x in 0..3 {
                    for y in 0..3 {
                        let p = t.idx(a, x, b, y);
                        let fits = t.compat[p] && g.complete(a, x, b, y).is_some();
                        assert_eq!(shown[p], fits, "{a}={x} {b}={y}");
                        excluded += u64::from(!fits);
                    }
                }
            }
        }
        assert_eq!(g.excluded, excluded);
    }
}
