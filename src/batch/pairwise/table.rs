//! Flat indexing of every pair of values of two slots, and which pairs may share a scene.
//!
//! Pair (a, x, b, y) with a < b lives at `off[a·d + b] + x·n_b + y`, so per-pair state (covered
//! flags, row counts) is one flat vector. Compatibility is also kept as bitsets, per ordered slot
//! pair and value of the other slot, so the greedy can filter a slot's values a word at a time.

/// Words of a bitset over `n` values.
pub(super) fn words(n: usize) -> usize {
    n.div_ceil(64)
}

pub(super) struct Table {
    pub d: usize,
    pub sizes: Vec<usize>,
    off: Vec<usize>,
    /// Number of pair slots (the length of every per-pair vector).
    pub len: usize,
    /// Whether the two values of a pair can share a scene.
    pub compat: Vec<bool>,
    /// Offsets of the ordered-pair bitsets: for (k, o), `n_o` bitsets of `words(n_k)` words.
    bits_off: Vec<usize>,
    /// Bit v of bitset (k, o, w): value v of slot k is compatible with value w of slot o.
    pub compat_bits: Vec<u64>,
}

impl Table {
    pub fn new(sizes: Vec<usize>, compatible: impl Fn(usize, usize, usize, usize) -> bool) -> Self {
        let d = sizes.len();
        let mut off = vec![0; d * d];
        let mut len = 0;
        for a in 0..d {
            for b in a + 1..d {
                off[a * d + b] = len;
                len += sizes[a] * sizes[b];
            }
        }
        let mut compat = vec![false; len];
        for a in 0..d {
            for b in a + 1..d {
                for x in 0..sizes[a] {
                    for y in 0..sizes[b] {
                        compat[off[a * d + b] + x * sizes[b] + y] = compatible(a, x, b, y);
                    }
                }
            }
        }
        let mut bits_off = vec![0; d * d];
        let mut n_bits = 0;
        for k in 0..d {
            for o in 0..d {
                bits_off[k * d + o] = n_bits;
                if k != o {
                    n_bits += sizes[o] * words(sizes[k]);
                }
            }
        }
        let mut t = Table {
            d,
            sizes,
            off,
            len,
            compat,
            bits_off,
            compat_bits: vec![0; n_bits],
        };
        for k in 0..d {
            for o in 0..d {
                if k == o {
                    continue;
                }
                for w in 0..t.sizes[o] {
                    let base = t.bits(k, o, w);
                    for v in 0..t.sizes[k] {
                        if t.compat[t.idx(k, v, o, w)] {
                            t.compat_bits[base + v / 64] |= 1 << (v % 64);
                        }
                    }
                }
            }
        }
        t
    }

    /// Index of pair (a, x, b, y), in either slot order.
    #[inline]
    pub fn idx(&self, a: usize, x: usize, b: usize, y: usize) -> usize {
        if a < b {
            self.off[a * self.d + b] + x * self.sizes[b] + y
        } else {
            self.off[b * self.d + a] + y * self.sizes[a] + x
        }
    }

    /// Index of the first pair of slots a < b (their pairs follow, a-major).
    pub fn start(&self, a: usize, b: usize) -> usize {
        self.off[a * self.d + b]
    }

    /// Offset of bitset (k, o, w) in a vector laid out like [`Table::compat_bits`].
    #[inline]
    pub fn bits(&self, k: usize, o: usize, w: usize) -> usize {
        self.bits_off[k * self.d + o] + w * words(self.sizes[k])
    }

    /// All pair indices of a row.
    pub fn row_pairs<'a>(&'a self, row: &'a [u32]) -> impl Iterator<Item = usize> + 'a {
        (0..self.d).flat_map(move |a| {
            (a + 1..self.d).map(move |b| self.idx(a, row[a] as usize, b, row[b] as usize))
        })
    }
}
