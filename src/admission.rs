//! A slot's pool laid out for the admission rule: [`State::admits`] on the pool's entries, in
//! the few words of the tag sets that any of them uses, side by side in one array.
//!
//! Tag sets are 12 words, and an [`Entry`](crate::library::Entry) is a large struct: testing a
//! pool entry by entry read two scattered 96-byte sets per entry, most of it zero. Scenes test
//! pools all the time (drawing, `gather`, checking a world leaves every slot something), so each
//! slot keeps this compact copy. It answers exactly as [`State::admits`] does (the oracle test
//! below checks it on the built-in library).

use crate::tags::{State, TagSet};

/// Most words a row can hold: a tag set's words, once for tags and once for blocks.
const MAX_STRIDE: usize = 2 * crate::tags::MAX_TAGS / 64;

/// The admission data of a pool: per entry, its tags in the words where some entry of the
/// pool has tags, then its blocks in the words where some entry has blocks.
#[derive(Debug, Clone, Default)]
pub struct PoolTable {
    tag_words: Vec<u8>,
    block_words: Vec<u8>,
    rows: Vec<u64>,
    entries: usize,
}

/// A scene's state read in a [`PoolTable`]'s words: its blocks where the entries have tags,
/// its tags where they have blocks.
pub struct View {
    words: [u64; MAX_STRIDE],
    len: usize,
}

impl PoolTable {
    /// The table of entries with these `(tags, blocks)`, in pool order.
    pub fn new<'a>(entries: impl Iterator<Item = (&'a TagSet, &'a TagSet)> + Clone) -> PoolTable {
        let mut any_tags = TagSet::default();
        let mut any_blocks = TagSet::default();
        for (t, b) in entries.clone() {
            any_tags.union_with(t);
            any_blocks.union_with(b);
        }
        let used = |s: &TagSet| -> Vec<u8> {
            s.nonzero_words()
                .into_iter()
                .map(|(i, _)| i as u8)
                .collect()
        };
        let tag_words = used(&any_tags);
        let block_words = used(&any_blocks);
        let mut rows = Vec::new();
        let mut count = 0;
        for (t, b) in entries {
            count += 1;
            rows.extend(tag_words.iter().map(|&i| t.words()[i as usize]));
            rows.extend(block_words.iter().map(|&i| b.words()[i as usize]));
        }
        PoolTable {
            tag_words,
            block_words,
            rows,
            entries: count,
        }
    }

    fn stride(&self) -> usize {
        self.tag_words.len() + self.block_words.len()
    }

    /// `state` in this table's words.
    pub fn view(&self, state: &State) -> View {
        let mut words = [0; MAX_STRIDE];
        let (b, t) = (state.blocks.words(), state.tags.words());
        let n = self.tag_words.len();
        for (k, &i) in self.tag_words.iter().enumerate() {
            words[k] = b[i as usize];
        }
        for (k, &i) in self.block_words.iter().enumerate() {
            words[n + k] = t[i as usize];
        }
        View {
            words,
            len: self.stride(),
        }
    }

    /// Whether the scene `view` was made of admits the pool's `k`-th entry: the same as
    /// [`State::admits`] with the entry's tags and blocks.
    pub fn admits(&self, view: &View, k: usize) -> bool {
        let row = &self.rows[k * view.len..(k + 1) * view.len];
        row.iter()
            .zip(&view.words[..view.len])
            .fold(0, |acc, (a, b)| acc | (a & b))
            == 0
    }

    /// Whether the scene admits some entry of the pool.
    pub fn admits_any(&self, view: &View) -> bool {
        let n = view.len;
        if n == 0 {
            return self.entries > 0;
        }
        self.rows.chunks_exact(n).any(|row| {
            row.iter()
                .zip(&view.words[..n])
                .fold(0, |acc, (a, b)| acc | (a & b))
                == 0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    /// The oracle: on every slot of every built-in template, for random states (random tags and
    /// the tags and blocks of random entries), the table answers as `State::admits`.
    #[test]
    fn pool_table_matches_state_admits() {
        let lib = Library::builtin().unwrap();
        let n = lib.tags.len() as u64;
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut yes, mut no) = (0u64, 0u64);
        for t in &lib.templates {
            for s in &t.slots {
                let cat = &lib.categories[s.category];
                for round in 0..60 {
                    let mut st = State::default();
                    for _ in 0..round % 12 {
                        st.tags.insert((next() % n) as u32);
                        st.blocks.insert((next() % n) as u32);
                        let e = &cat.entries[(next() % cat.entries.len() as u64) as usize];
                        st.add(&e.tags, &e.blocks);
                    }
                    let view = s.pool_table.view(&st);
                    let mut any = false;
                    for (k, &e) in s.pool.iter().enumerate() {
                        let en = &cat.entries[e as usize];
                        let admits = st.admits(&en.tags, &en.blocks);
                        assert_eq!(
                            s.pool_table.admits(&view, k),
                            admits,
                            "{} {}",
                            t.name,
                            s.name
                        );
                        any |= admits;
                        if admits { yes += 1 } else { no += 1 }
                    }
                    assert_eq!(s.pool_table.admits_any(&view), any, "{} {}", t.name, s.name);
                }
            }
        }
        assert!(yes > 10_000 && no > 10_000, "{yes} {no}");
    }
}
