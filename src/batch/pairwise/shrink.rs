//! Making a covering set smaller: drop a row, then repair the pairs only it covered by tabu
//! search on the remaining rows (Nurmela's method for covering arrays).
//!
//! A repair step takes a seeded uncovered pair and, of every one-cell change that covers it (a
//! row that already shows one of its two values gets the other), makes the one that leaves the
//! fewest pairs uncovered; a recently changed cell may not change again for a few steps unless
//! that completes the set. Every change keeps its row coherent. When the pairs are all covered
//! again the next row is dropped; when a repair runs out of its budget the last complete set is
//! kept. Budgets count cell evaluations, not time, so the result is the same on every machine.

use super::table::Table;
use crate::rng::Stream;

/// Rows tried in turn (fewest pairs of their own first) before a size is given up.
const TRIES: usize = 6;

/// Steps a changed cell stays fixed.
const TENURE: u64 = 1;

/// How much search the shrinking may spend, in cell evaluations.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    /// For the whole shrinking.
    pub total: u64,
    /// For repairing after one dropped row.
    pub per_row: u64,
}

pub(super) struct Shrink<'t> {
    t: &'t Table,
    /// Rows, flat, `d` values each.
    cells: Vec<u32>,
    n: usize,
    /// Rows showing each pair.
    count: Vec<u32>,
    /// Pairs the set must show (those the first set covers).
    needed: Vec<bool>,
    /// Needed pairs no row shows, and each pair's position there.
    open: Vec<usize>,
    pos: Vec<u32>,
    /// First step at which cell (row, slot) may change again.
    tabu: Vec<u64>,
    /// Start index, slot a, slot b of every slot pair, for decoding pair indices.
    blocks: Vec<(usize, usize, usize)>,
    /// Rows holding each value (of slot k, at `voff[k] + v`), and each cell's place there: a
    /// repair step looks only at the rows that show one of its pair's values.
    holders: Vec<Vec<u32>>,
    voff: Vec<usize>,
    place: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl<'t> Shrink<'t> {
    pub fn new(t: &'t Table, rows: &[Vec<u32>]) -> Self {
        let mut count = vec![0u32; t.len];
        for r in rows {
            for p in t.row_pairs(r) {
                count[p] += 1;
            }
        }
        let needed = count.iter().map(|c| *c > 0).collect();
        let mut blocks = Vec::new();
        for a in 0..t.d {
            for b in a + 1..t.d {
                blocks.push((t.start(a, b), a, b));
            }
        }
        let mut voff = Vec::with_capacity(t.d);
        let mut values = 0;
        for &n in &t.sizes {
            voff.push(values);
            values += n;
        }
        let mut s = Shrink {
            t,
            cells: rows.concat(),
            n: rows.len(),
            count,
            needed,
            open: Vec::new(),
            pos: vec![NONE; t.len],
            tabu: Vec::new(),
            blocks,
            holders: vec![Vec::new(); values],
            voff,
            place: vec![0; rows.len() * t.d],
        };
        for r in 0..s.n {
            for k in 0..t.d {
                s.hold(r, k);
            }
        }
        s
    }

    fn hold(&mut self, r: usize, k: usize) {
        let c = r * self.t.d + k;
        let h = &mut self.holders[self.voff[k] + self.cells[c] as usize];
        self.place[c] = h.len() as u32;
        h.push(r as u32);
    }

    fn unhold(&mut self, r: usize, k: usize) {
        let d = self.t.d;
        let c = r * d + k;
        let h = &mut self.holders[self.voff[k] + self.cells[c] as usize];
        let i = self.place[c] as usize;
        h.swap_remove(i);
        if let Some(&q) = h.get(i) {
            self.place[q as usize * d + k] = i as u32;
        }
    }

    /// The most pairs of any two slots that the set must show: no set can have fewer rows.
    pub fn floor(&self) -> usize {
        let t = self.t;
        self.blocks
            .iter()
            .map(|&(s, a, b)| {
                self.needed[s..s + t.sizes[a] * t.sizes[b]]
                    .iter()
                    .filter(|x| **x)
                    .count()
            })
            .max()
            .unwrap_or(self.n)
    }

    /// Drops rows while repairs succeed within the budget; returns the smallest complete set.
    pub fn run(mut self, budget: Budget, rng: &mut Stream) -> Vec<Vec<u32>> {
        let d = self.t.d;
        let floor = self.floor();
        let mut spent = 0u64;
        let mut best = self.cells.clone();
        let mut step = 0u64;
        let mut tries = 0;
        while self.n > floor && self.n > 1 && spent < budget.total {
            let r = self.weakest_row(tries);
            self.drop_row(r);
            let mut repair = 0u64;
            while !self.open.is_empty() && repair < budget.per_row && spent < budget.total {
                let cost = self.repair_step(step, rng);
                step += 1;
                repair += cost;
                spent += cost;
            }
            if !self.open.is_empty() {
                tries += 1;
                if tries == TRIES {
                    break;
                }
                self.restore(&best);
                continue;
            }
            tries = 0;
            best.clear();
            best.extend_from_slice(&self.cells);
        }
        best.chunks(d.max(1)).map(<[u32]>::to_vec).collect()
    }

    /// The row that alone shows the i-th fewest pairs (the later first on ties).
    fn weakest_row(&self, i: usize) -> usize {
        let d = self.t.d;
        let mut rows: Vec<(usize, std::cmp::Reverse<usize>)> = (0..self.n)
            .map(|r| {
                let row = &self.cells[r * d..(r + 1) * d];
                let unique = self
                    .t
                    .row_pairs(row)
                    .filter(|p| self.count[*p] == 1 && self.needed[*p])
                    .count();
                (unique, std::cmp::Reverse(r))
            })
            .collect();
        let i = i.min(self.n - 1);
        rows.select_nth_unstable(i);
        rows[i].1.0
    }

    /// Goes back to a complete set.
    fn restore(&mut self, cells: &[u32]) {
        let d = self.t.d;
        for &p in &self.open {
            self.pos[p] = NONE;
        }
        self.open.clear();
        self.count.fill(0);
        self.holders.iter_mut().for_each(Vec::clear);
        self.cells.clear();
        self.cells.extend_from_slice(cells);
        self.n = cells.len() / d;
        self.place.resize(self.n * d, 0);
        for r in 0..self.n {
            for p in self.t.row_pairs(&cells[r * d..(r + 1) * d]) {
                self.count[p] += 1;
            }
            for k in 0..d {
                self.hold(r, k);
            }
        }
    }

    fn drop_row(&mut self, r: usize) {
        let d = self.t.d;
        let row: Vec<u32> = self.cells[r * d..(r + 1) * d].to_vec();
        for p in self.t.row_pairs(&row) {
            self.dec(p);
        }
        let last = self.n - 1;
        for k in 0..d {
            self.unhold(r, k);
        }
        if r != last {
            for k in 0..d {
                self.unhold(last, k);
            }
            self.cells.copy_within(last * d..(last + 1) * d, r * d);
            for k in 0..d {
                self.hold(r, k);
            }
        }
        self.cells.truncate(last * d);
        self.n = last;
        self.tabu.clear();
        self.tabu.resize(self.n * d, 0);
    }

    fn dec(&mut self, p: usize) {
        self.count[p] -= 1;
        if self.count[p] == 0 && self.needed[p] {
            self.pos[p] = self.open.len() as u32;
            self.open.push(p);
        }
    }

    fn inc(&mut self, p: usize) {
        if self.count[p] == 0 && self.pos[p] != NONE {
            let i = self.pos[p] as usize;
            self.open.swap_remove(i);
            if let Some(&q) = self.open.get(i) {
                self.pos[q] = i as u32;
            }
            self.pos[p] = NONE;
        }
        self.count[p] += 1;
    }

    /// Pair index → (a, x, b, y).
    fn decode(&self, p: usize) -> (usize, usize, usize, usize) {
        let i = self.blocks.partition_point(|(s, _, _)| *s <= p) - 1;
        let (s, a, b) = self.blocks[i];
        let nb = self.t.sizes[b];
        (a, (p - s) / nb, b, (p - s) % nb)
    }

    /// Change in uncovered pairs if cell (r, k) became v; `None` if the row would not be
    /// coherent.
    fn delta(&self, r: usize, k: usize, v: usize) -> Option<i32> {
        let t = self.t;
        let row = &self.cells[r * t.d..(r + 1) * t.d];
        let old = row[k] as usize;
        let mut delta = 0;
        for (o, &w) in row.iter().enumerate() {
            if o == k {
                continue;
            }
            let pn = t.idx(k, v, o, w as usize);
            if !t.compat[pn] {
                return None;
            }
            let po = t.idx(k, old, o, w as usize);
            delta += i32::from(self.count[po] == 1 && self.needed[po]);
            delta -= i32::from(self.count[pn] == 0 && self.needed[pn]);
        }
        Some(delta)
    }

    /// Like [`Shrink::delta`] for changing two cells at once: (r, a) to x and (r, b) to y, where
    /// the row shows neither.
    fn delta2(&self, r: usize, a: usize, x: usize, b: usize, y: usize) -> Option<i32> {
        let t = self.t;
        let row = &self.cells[r * t.d..(r + 1) * t.d];
        let loss = |p: usize| i32::from(self.count[p] == 1 && self.needed[p]);
        let gain = |p: usize| i32::from(self.count[p] == 0 && self.needed[p]);
        let (xa, yb) = (row[a] as usize, row[b] as usize);
        let mut delta = loss(t.idx(a, xa, b, yb)) - gain(t.idx(a, x, b, y));
        for (o, &w) in row.iter().enumerate() {
            if o == a || o == b {
                continue;
            }
            let w = w as usize;
            let (na, nb) = (t.idx(a, x, o, w), t.idx(b, y, o, w));
            if !t.compat[na] || !t.compat[nb] {
                return None;
            }
            delta += loss(t.idx(a, xa, o, w)) - gain(na) + loss(t.idx(b, yb, o, w)) - gain(nb);
        }
        Some(delta)
    }

    fn set(&mut self, r: usize, k: usize, v: usize) {
        let t = self.t;
        let d = t.d;
        let old = self.cells[r * d + k] as usize;
        for o in 0..d {
            if o == k {
                continue;
            }
            let w = self.cells[r * d + o] as usize;
            self.dec(t.idx(k, old, o, w));
            self.inc(t.idx(k, v, o, w));
        }
        self.unhold(r, k);
        self.cells[r * d + k] = v as u32;
        self.hold(r, k);
    }

    /// One tabu step; returns the cells it evaluated.
    fn repair_step(&mut self, step: u64, rng: &mut Stream) -> u64 {
        let d = self.t.d;
        let p = self.open[rng.below(self.open.len() as u32) as usize];
        let (a, x, b, y) = self.decode(p);
        let open = self.open.len() as i32;
        let mut best: Option<(i32, usize, usize, usize)> = None;
        let mut ties = 0u32;
        let mut cost = 1;
        let with_x = self.holders[self.voff[a] + x].iter().map(|&r| (r, b, y));
        let with_y = self.holders[self.voff[b] + y].iter().map(|&r| (r, a, x));
        for (r, k, v) in with_x.chain(with_y) {
            let r = r as usize;
            cost += d as u64;
            let Some(delta) = self.delta(r, k, v) else {
                continue;
            };
            if self.tabu[r * d + k] > step && open + delta > 0 {
                continue;
            }
            match best {
                Some((bd, ..)) if delta > bd => {}
                Some((bd, ..)) if delta == bd => {
                    ties += 1;
                    if rng.below(ties) == 0 {
                        best = Some((delta, r, k, v));
                    }
                }
                _ => {
                    best = Some((delta, r, k, v));
                    ties = 1;
                }
            }
        }
        if let Some((_, r, k, v)) = best {
            self.set(r, k, v);
            self.tabu[r * d + k] = step + 1 + TENURE;
            return cost;
        }
        // No row shows either value (or every such change is barred): put both in a seeded row
        // if it stays coherent.
        let r = rng.below(self.n as u32) as usize;
        if self.delta2(r, a, x, b, y).is_some() {
            self.set(r, a, x);
            self.set(r, b, y);
            self.tabu[r * d + a] = step + 1 + TENURE;
            self.tabu[r * d + b] = step + 1 + TENURE;
        }
        cost + 2 * d as u64
    }
}
