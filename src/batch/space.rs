//! The combination space of a scene template, exactly.
//!
//! Each slot is a dimension whose options are the distinct things it can hold:
//!
//! - its entries are those [`crate::scene::slot_options`] allows (judged against the template's
//!   own tags and the slot's filters, not against the rest of the scene);
//! - a slot with `count: k` (or `min-max`) holds a *set* of k distinct entries: C(n, k) options
//!   for each k in the range (k = 0 is the empty set);
//! - a slot with `chance` below 100 has one more option: empty (unless k = 0 already gives it);
//! - a template with several bodies has one more dimension, `(body)`.
//!
//! The *raw space* is the product of the dimension sizes, computed exactly with big integers.
//! Coherence is not a product: two options of different slots may conflict (night and golden
//! hour), and such a combination is never emitted. So the raw space is an exact upper bound of
//! the number of distinct scenes; the *coherent* count is exact only when counted by enumeration
//! ([`Space::count_coherent`], feasible for small spaces).
//!
//! The space is what enumeration produces. Random generation can, in its fallbacks, write
//! scenes outside it (a `require` relaxed because every matching entry conflicts with the
//! scene, a multi-entry slot cut short when candidates run out).

use num_bigint::BigUint;

use super::{BatchError, Result};
use crate::library::Library;
use crate::scene::{self, Scene};

/// One dimension of the space.
#[derive(Debug, Clone)]
pub struct Dim {
    /// Slot name, or `(body)`.
    pub name: String,
    /// Entry indices the slot draws from (empty for the body dimension).
    pub entries: Vec<usize>,
    /// Whether option 0 is "empty" besides the k-sets.
    pub extra_empty: bool,
    pub min: u32,
    pub max: u32,
    /// Exact number of options.
    pub size: BigUint,
    /// The same, when it fits in 128 bits.
    pub size128: Option<u128>,
    pub is_body: bool,
}

/// The space of one template.
#[derive(Debug, Clone)]
pub struct Space {
    pub template: usize,
    pub dims: Vec<Dim>,
    pub total: BigUint,
    /// The total when it fits in 128 bits: enumeration needs it.
    pub total128: Option<u128>,
}

/// C(n, k) exactly.
pub fn binomial(n: u64, k: u64) -> BigUint {
    if k > n {
        return BigUint::ZERO;
    }
    let k = k.min(n - k);
    let mut r = BigUint::from(1u32);
    for i in 0..k {
        r *= n - i;
        r /= i + 1;
    }
    r
}

fn binomial128(n: u64, k: u64) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut r: u128 = 1;
    for i in 0..k {
        // r·(n−i)/(i+1) stays an integer at each step.
        r = r.checked_mul(u128::from(n - i))? / u128::from(i + 1);
    }
    Some(r)
}

impl Space {
    pub fn of_template(lib: &Library, template: usize) -> Space {
        let t = &lib.templates[template];
        let mut dims = Vec::new();
        for (si, s) in t.slots.iter().enumerate() {
            let entries = if s.chance == 0 {
                Vec::new()
            } else {
                scene::slot_options(lib, template, si)
            };
            let n = entries.len() as u64;
            let (min, max) = if s.chance == 0 {
                (0, 0)
            } else {
                (s.min, s.max)
            };
            let mut size = BigUint::ZERO;
            for k in min..=max {
                size += binomial(n, u64::from(k));
            }
            // A required slot with too few entries is left empty by the random path too.
            let extra_empty = (s.chance < 100 && min > 0) || size == BigUint::ZERO;
            if extra_empty {
                size += 1u32;
            }
            let size128 = u128::try_from(&size).ok();
            dims.push(Dim {
                name: s.name.clone(),
                entries,
                extra_empty,
                min,
                max,
                size,
                size128,
                is_body: false,
            });
        }
        if t.bodies.len() > 1 {
            let size = BigUint::from(t.bodies.len());
            dims.push(Dim {
                name: "(body)".into(),
                entries: Vec::new(),
                extra_empty: false,
                min: 0,
                max: 0,
                size128: Some(t.bodies.len() as u128),
                size,
                is_body: true,
            });
        }
        let total = dims
            .iter()
            .fold(BigUint::from(1u32), |acc, d| acc * &d.size);
        let total128 = u128::try_from(&total).ok();
        Space {
            template,
            dims,
            total,
            total128,
        }
    }

    /// The 128-bit total, or an error saying why enumeration is impossible.
    pub fn total_u128(&self, lib: &Library) -> Result<u128> {
        self.total128.ok_or_else(|| {
            BatchError::Invalid(format!(
                "template `{}` has {} combinations, more than 2^128: too many to enumerate",
                lib.templates[self.template].name, self.total
            ))
        })
    }

    /// Decodes a position in `[0, total)` into one option per dimension (mixed radix, last
    /// dimension fastest).
    pub fn digits(&self, mut pos: u128, out: &mut Vec<u128>) {
        out.clear();
        out.resize(self.dims.len(), 0);
        for (i, d) in self.dims.iter().enumerate().rev() {
            let r = d.size128.unwrap_or(u128::MAX).max(1);
            out[i] = pos % r;
            pos /= r;
        }
    }

    /// The choices (entry indices per slot) and body of one option per dimension.
    pub fn choices(&self, digits: &[u128]) -> (Vec<Vec<usize>>, usize) {
        let mut body = 0;
        let mut choices = Vec::with_capacity(self.dims.len());
        for (d, &o) in self.dims.iter().zip(digits) {
            if d.is_body {
                body = o as usize;
            } else {
                choices.push(option_entries(d, o));
            }
        }
        (choices, body)
    }

    /// The scene at raw position `pos`, or `None` when that combination is incoherent.
    pub fn scene(&self, lib: &Library, pos: u128, seed: u64, index: u64) -> Option<Scene> {
        let mut digits = Vec::new();
        self.digits(pos, &mut digits);
        let (choices, body) = self.choices(&digits);
        scene::build_from_choices(lib, self.template, &choices, body, seed, index)
    }

    /// Counts coherent combinations by enumerating them all, if there are at most `limit`.
    pub fn count_coherent(&self, lib: &Library, limit: u128) -> Option<u128> {
        let total = self.total128.filter(|t| *t <= limit)?;
        let mut n = 0;
        for pos in 0..total {
            if self.scene(lib, pos, 0, 0).is_some() {
                n += 1;
            }
        }
        Some(n)
    }
}

/// The entries of option `o` of a slot dimension.
fn option_entries(d: &Dim, mut o: u128) -> Vec<usize> {
    if d.extra_empty {
        if o == 0 {
            return Vec::new();
        }
        o -= 1;
    }
    let n = d.entries.len() as u64;
    for k in d.min..=d.max {
        let c = binomial128(n, u64::from(k)).unwrap_or(u128::MAX);
        if o < c {
            return unrank_combination(n, u64::from(k), o)
                .into_iter()
                .map(|i| d.entries[i as usize])
                .collect();
        }
        o -= c;
    }
    Vec::new()
}

/// The `rank`-th k-subset of `0..n` in colexicographic order, ascending.
pub fn unrank_combination(n: u64, k: u64, mut rank: u128) -> Vec<u64> {
    let mut out = Vec::with_capacity(k as usize);
    let mut hi = n;
    for i in (1..=k).rev() {
        // The largest c < hi with C(c, i) ≤ rank.
        let mut c = hi;
        loop {
            c -= 1;
            if binomial128(c, i).unwrap_or(u128::MAX) <= rank {
                break;
            }
        }
        rank -= binomial128(c, i).unwrap_or(0);
        out.push(c);
        hi = c;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials() {
        assert_eq!(binomial(5, 2), BigUint::from(10u32));
        assert_eq!(binomial(3, 5), BigUint::ZERO);
        assert_eq!(binomial128(60, 30), Some(118_264_581_564_861_424));
        assert_eq!(
            binomial(200, 100).to_string(),
            "90548514656103281165404177077484163874504589675413336841320"
        );
    }

    #[test]
    fn combinations_unrank_bijectively() {
        for (n, k) in [(5u64, 2u64), (6, 3), (4, 0), (4, 4), (7, 1)] {
            let c = binomial128(n, k).unwrap();
            let mut seen = std::collections::BTreeSet::new();
            for r in 0..c {
                let s = unrank_combination(n, k, r);
                assert_eq!(s.len() as u64, k);
                assert!(s.windows(2).all(|w| w[0] < w[1]));
                assert!(s.iter().all(|x| *x < n));
                seen.insert(s);
            }
            assert_eq!(seen.len() as u128, c);
        }
    }
}
