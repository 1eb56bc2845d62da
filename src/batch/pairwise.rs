//! Pairwise coverage: a set of scenes in which every pair of values of any two slots appears at
//! least once.
//!
//! The values of a slot are: "empty" when the slot may be skipped, then one value per entry the
//! slot may hold. A slot that holds k > 1 entries gets, for entry j, the k entries
//! j, j+1, …, j+k−1 (cyclically), so every entry appears. Pairs of values that can never share a
//! scene (their tags conflict, or they name the same entry) are excluded; everything else is
//! covered. Coherence is a pairwise property (an entry is admitted when none of its tags is
//! blocked by, and none of its blocks is carried by, anything already chosen), so every row is a
//! coherent scene.
//!
//! Construction is greedy, AETG-style: each new row starts from an uncovered pair and fills the
//! other slots, in a seeded order, with the value that covers most new pairs; of a few seeded
//! candidate rows the best is kept. The lower bound of any pairwise set is the product of the two
//! largest slots; [`Covering::bound`] reports it.

use super::space::Space;
use super::{BatchError, Result};
use crate::library::Library;
use crate::rng::{Domain, Stream};
use crate::tags::TagSet;

const CANDIDATES: usize = 12;
const ATTEMPTS: u32 = 8;

#[derive(Debug, Clone)]
struct Value {
    /// Entry indices (empty for "empty" and for body values).
    entries: Vec<usize>,
    category: usize,
    tags: TagSet,
    blocks: TagSet,
}

/// A pairwise covering set of one template.
#[derive(Debug, Clone)]
pub struct Covering {
    values: Vec<Vec<Value>>,
    body_dim: Option<usize>,
    /// Each row: one value index per dimension.
    pub rows: Vec<Vec<u32>>,
    /// Pairs that had to be covered.
    pub pairs: u64,
    /// Pairs excluded because the two values can never share a scene.
    pub excluded: u64,
    /// The largest number of coverable pairs of any two slots: each row covers one pair of every
    /// two slots, so no pairwise set can be smaller. Equals [`Covering::bound`] when nothing
    /// between the two largest slots conflicts, and is smaller when something does.
    pub pair_bound: u64,
}

impl Covering {
    /// Dimension sizes (values per slot).
    pub fn sizes(&self) -> Vec<usize> {
        self.values.iter().map(Vec::len).collect()
    }

    /// The product of the two largest dimensions: the lower bound when every pair of their
    /// values can meet (see [`Covering::pair_bound`] for the bound that allows for conflicts).
    pub fn bound(&self) -> u64 {
        let mut s = self.sizes();
        s.sort_unstable_by(|a, b| b.cmp(a));
        match s.as_slice() {
            [] => 0,
            [a] => *a as u64,
            [a, b, ..] => (*a as u64) * (*b as u64),
        }
    }

    /// The choices and body of a row.
    pub fn choices(&self, row: &[u32]) -> (Vec<Vec<usize>>, usize) {
        let mut body = 0;
        let mut out = Vec::new();
        for (d, &v) in row.iter().enumerate() {
            if Some(d) == self.body_dim {
                body = v as usize;
            } else {
                out.push(self.values[d][v as usize].entries.clone());
            }
        }
        (out, body)
    }

    pub fn build(lib: &Library, space: &Space, seed: u64) -> Result<Covering> {
        let t = &lib.templates[space.template];
        let mut values: Vec<Vec<Value>> = Vec::new();
        let mut body_dim = None;
        for (d, dim) in space.dims.iter().enumerate() {
            if dim.is_body {
                body_dim = Some(d);
                values.push(
                    (0..t.bodies.len())
                        .map(|_| Value {
                            entries: Vec::new(),
                            category: usize::MAX,
                            tags: TagSet::default(),
                            blocks: TagSet::default(),
                        })
                        .collect(),
                );
                continue;
            }
            let slot = &t.slots[d];
            let cat = &lib.categories[slot.category];
            let n = dim.entries.len();
            let k = (dim.min.max(1)) as usize;
            let mut vs = Vec::new();
            if dim.extra_empty || dim.min == 0 || n < k {
                vs.push(Value {
                    entries: Vec::new(),
                    category: slot.category,
                    tags: TagSet::default(),
                    blocks: TagSet::default(),
                });
            }
            if n >= k && dim.max > 0 {
                for j in 0..n {
                    let mut entries: Vec<usize> =
                        (0..k).map(|o| dim.entries[(j + o) % n]).collect();
                    entries.sort_unstable();
                    let mut state = crate::tags::State::default();
                    state.tags.union_with(&t.tags);
                    let mut ok = true;
                    for &e in &entries {
                        let en = &cat.entries[e];
                        if !state.admits(&en.tags, &en.blocks) {
                            ok = false;
                        }
                        state.add(&en.tags, &en.blocks);
                    }
                    if ok {
                        vs.push(Value {
                            entries,
                            category: slot.category,
                            tags: state.tags,
                            blocks: state.blocks,
                        });
                    }
                }
            }
            if vs.is_empty() {
                vs.push(Value {
                    entries: Vec::new(),
                    category: slot.category,
                    tags: TagSet::default(),
                    blocks: TagSet::default(),
                });
            }
            values.push(vs);
        }
        let total: u64 = (0..values.len())
            .flat_map(|a| (a + 1..values.len()).map(move |b| (a, b)))
            .map(|(a, b)| (values[a].len() as u64) * (values[b].len() as u64))
            .sum();
        if total > 200_000_000 {
            return Err(BatchError::Invalid(format!(
                "template `{}` has {total} value pairs: too many for a pairwise set",
                t.name
            )));
        }
        // A few seeded greedy attempts; the smallest set wins (the first on ties).
        let mut best: Option<(Vec<Vec<u32>>, u64)> = None;
        for attempt in 0..ATTEMPTS {
            let mut g = Greedy::new(&values);
            let mut rng = Stream::new(
                seed,
                Domain::Permute,
                &format!("pairwise/{}/{attempt}", t.name),
                0,
            );
            let mut rows = g.run(&mut rng);
            prune(&values, &mut rows);
            if best.as_ref().is_none_or(|(r, _)| rows.len() < r.len()) {
                best = Some((rows, g.excluded));
            }
        }
        let (rows, excluded) = best.unwrap_or_default();
        let pairs = total - excluded;
        // Every coverable pair is covered, so the distinct pairs the rows show per two slots are
        // exactly the coverable ones.
        let d = values.len();
        let mut pair_bound = 0u64;
        for a in 0..d {
            for b in a + 1..d {
                let nb = values[b].len();
                let mut seen = vec![false; values[a].len() * nb];
                for r in &rows {
                    seen[r[a] as usize * nb + r[b] as usize] = true;
                }
                pair_bound = pair_bound.max(seen.iter().filter(|x| **x).count() as u64);
            }
        }
        if d == 1 {
            pair_bound = rows.len() as u64;
        }
        Ok(Covering {
            values,
            body_dim,
            rows,
            pairs,
            excluded,
            pair_bound,
        })
    }
}

/// Drops rows whose every pair is also covered by another row, last rows first.
fn prune(values: &[Vec<Value>], rows: &mut Vec<Vec<u32>>) {
    let d = values.len();
    let idx = |a: usize, b: usize, r: &[u32]| {
        (a * d + b, r[a] as usize * values[b].len() + r[b] as usize)
    };
    let mut count: Vec<Vec<u32>> = (0..d * d)
        .map(|id| {
            let (a, b) = (id / d, id % d);
            if a < b {
                vec![0; values[a].len() * values[b].len()]
            } else {
                Vec::new()
            }
        })
        .collect();
    for r in rows.iter() {
        for a in 0..d {
            for b in a + 1..d {
                let (id, i) = idx(a, b, r);
                count[id][i] += 1;
            }
        }
    }
    let mut k = rows.len();
    while k > 0 {
        k -= 1;
        let redundant = (0..d).all(|a| {
            (a + 1..d).all(|b| {
                let (id, i) = idx(a, b, &rows[k]);
                count[id][i] > 1
            })
        });
        if redundant {
            for a in 0..d {
                for b in a + 1..d {
                    let (id, i) = idx(a, b, &rows[k]);
                    count[id][i] -= 1;
                }
            }
            rows.remove(k);
        }
    }
}

fn compatible(x: &Value, y: &Value) -> bool {
    if x.tags.intersects(&y.blocks) || x.blocks.intersects(&y.tags) {
        return false;
    }
    !(x.category == y.category && x.entries.iter().any(|e| y.entries.contains(e)))
}

struct Greedy<'v> {
    values: &'v [Vec<Value>],
    /// For each dimension pair (a < b): uncovered flags, a-major.
    need: Vec<Vec<bool>>,
    left: Vec<usize>,
    excluded: u64,
}

impl<'v> Greedy<'v> {
    fn pair_id(&self, a: usize, b: usize) -> usize {
        let d = self.values.len();
        a * d + b
    }

    fn new(values: &'v [Vec<Value>]) -> Self {
        let d = values.len();
        let mut need = vec![Vec::new(); d * d];
        let mut left = vec![0; d * d];
        let mut excluded = 0;
        for a in 0..d {
            for b in a + 1..d {
                let mut v = Vec::with_capacity(values[a].len() * values[b].len());
                for x in &values[a] {
                    for y in &values[b] {
                        let ok = compatible(x, y);
                        if !ok {
                            excluded += 1;
                        }
                        v.push(ok);
                    }
                }
                left[a * d + b] = v.iter().filter(|x| **x).count();
                need[a * d + b] = v;
            }
        }
        Greedy {
            values,
            need,
            left,
            excluded,
        }
    }

    fn uncovered(&self, a: usize, x: usize, b: usize, y: usize) -> bool {
        let (a, x, b, y) = if a < b { (a, x, b, y) } else { (b, y, a, x) };
        self.need[self.pair_id(a, b)][x * self.values[b].len() + y]
    }

    fn run(&mut self, rng: &mut crate::rng::Stream) -> Vec<Vec<u32>> {
        let d = self.values.len();
        let mut rows = Vec::new();
        if d == 0 {
            return rows;
        }
        if d == 1 {
            return (0..self.values[0].len() as u32).map(|v| vec![v]).collect();
        }
        // The dimension pair with the most uncovered pairs, and its first uncovered pair.
        while let Some((a, b)) = (0..d)
            .flat_map(|a| (a + 1..d).map(move |b| (a, b)))
            .filter(|(a, b)| self.left[a * d + b] > 0)
            .max_by_key(|(a, b)| (self.left[a * d + b], std::cmp::Reverse((*a, *b))))
        {
            let nb = self.values[b].len();
            // A seeded uncovered pair of that dimension pair.
            let need = &self.need[self.pair_id(a, b)];
            let pick = rng.below(self.left[a * d + b] as u32) as usize;
            let first = need
                .iter()
                .enumerate()
                .filter(|(_, x)| **x)
                .nth(pick)
                .map_or(0, |(i, _)| i);
            let (x, y) = (first / nb, first % nb);
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
                None => {
                    // No coherent scene holds this pair: it cannot be covered.
                    let id = self.pair_id(a, b);
                    self.need[id][first] = false;
                    self.left[id] -= 1;
                    self.excluded += 1;
                }
            }
        }
        rows
    }

    fn candidate(
        &self,
        a: usize,
        x: usize,
        b: usize,
        y: usize,
        rng: &mut crate::rng::Stream,
    ) -> Option<(usize, Vec<u32>)> {
        let d = self.values.len();
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
            let mut best: Option<(usize, u32, usize)> = None; // (gain, tiebreak, value)
            for (v, val) in self.values[k].iter().enumerate() {
                if !assigned
                    .iter()
                    .all(|&o| compatible(val, &self.values[o][row[o] as usize]))
                {
                    continue;
                }
                let gain = assigned
                    .iter()
                    .filter(|&&o| self.uncovered(k, v, o, row[o] as usize))
                    .count();
                let tie = rng.next_u32();
                if best.is_none_or(|(g, t, _)| (gain, tie) > (g, t)) {
                    best = Some((gain, tie, v));
                }
            }
            let (gain, _, v) = best?;
            row[k] = v as u32;
            score += gain;
            assigned.push(k);
        }
        Some((score, row))
    }

    fn cover(&mut self, row: &[u32]) {
        let d = self.values.len();
        for a in 0..d {
            for b in a + 1..d {
                let id = a * d + b;
                let i = row[a] as usize * self.values[b].len() + row[b] as usize;
                if self.need[id][i] {
                    self.need[id][i] = false;
                    self.left[id] -= 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{SourceFile, SourceKind};

    /// A library with one template whose slots have the given sizes (a `chance` below 100 for
    /// slots marked optional), and a tag conflict between entry 0 of the first two slots.
    fn synthetic(sizes: &[(usize, bool)]) -> Library {
        let mut vocab = String::from("tags:\n  ta: [tb]\ncategories:\n");
        let mut tpl = String::from("name: synth\nslots:\n  subject: { category: c0 }\n");
        for (i, (n, optional)) in sizes.iter().enumerate() {
            vocab.push_str(&format!("  c{i}:\n    entries:\n"));
            for e in 0..*n {
                let tag = match (i, e) {
                    (0, 0) => "\n        tags: [ta]",
                    (1, 0) => "\n        tags: [tb]",
                    _ => "",
                };
                vocab.push_str(&format!("      - text: e{i}x{e}{tag}\n"));
            }
            if i > 0 {
                let chance = if *optional { ", chance: 50" } else { "" };
                tpl.push_str(&format!("  s{i}: {{ category: c{i}{chance} }}\n"));
            }
        }
        tpl.push_str("bodies:\n  - \"{{ subject }}\"\n");
        Library::from_sources(vec![
            SourceFile::new("v.yaml", SourceKind::Vocab, vocab),
            SourceFile::new("t.yaml", SourceKind::Template, tpl),
        ])
        .unwrap()
    }

    fn check(sizes: &[(usize, bool)], seed: u64) -> (usize, u64) {
        let lib = synthetic(sizes);
        let space = Space::of_template(&lib, 0);
        let c = Covering::build(&lib, &space, seed).unwrap();
        // Every compatible pair is in some row, and every row is coherent.
        let d = c.values.len();
        for a in 0..d {
            for b in a + 1..d {
                for (x, vx) in c.values[a].iter().enumerate() {
                    for (y, vy) in c.values[b].iter().enumerate() {
                        let covered = c
                            .rows
                            .iter()
                            .any(|r| r[a] as usize == x && r[b] as usize == y);
                        assert_eq!(covered, compatible(vx, vy), "{a}={x} {b}={y}");
                    }
                }
            }
        }
        for r in &c.rows {
            let (choices, body) = c.choices(r);
            assert!(crate::scene::build_from_choices(&lib, 0, &choices, body, 1, 0).is_some());
        }
        assert_eq!(c.excluded, 1, "only e0x0 × e1x0 conflict");
        (c.rows.len(), c.bound())
    }

    #[test]
    fn covers_every_pair_near_the_bound() {
        let cases: [&[(usize, bool)]; 4] = [
            &[(3, false), (3, false), (3, false)],
            &[(4, false), (4, false), (3, true), (2, false), (5, false)],
            &[
                (8, false),
                (7, false),
                (6, true),
                (5, false),
                (5, false),
                (4, true),
                (4, false),
                (3, false),
                (3, false),
                (2, true),
            ],
            &[(6, false); 10],
        ];
        for (i, sizes) in cases.iter().enumerate() {
            let (rows, bound) = check(sizes, 7);
            eprintln!("pairwise {sizes:?}: {rows} rows, bound {bound}");
            assert!(rows as u64 >= bound.saturating_sub(1)); // one conflicting pair is excluded
            // Aim: within 1.5× of the bound when the two largest slots dominate. Ten slots of
            // equal size are the hard case: the bound is not reachable there (no two orthogonal
            // Latin squares of order 6 exist), and the greedy set is about 1.7× the bound.
            let aim = if i == 3 { 2.0 } else { 1.5 };
            assert!(
                rows as f64 <= aim * bound as f64,
                "{sizes:?}: {rows} rows, bound {bound}"
            );
        }
    }

    #[test]
    fn is_deterministic_per_seed() {
        let lib = synthetic(&[(4, false), (4, false), (3, true), (3, false)]);
        let space = Space::of_template(&lib, 0);
        let a = Covering::build(&lib, &space, 3).unwrap();
        let b = Covering::build(&lib, &space, 3).unwrap();
        assert_eq!(a.rows, b.rows);
    }
}
