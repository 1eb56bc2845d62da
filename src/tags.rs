//! Tags and the coherence test: a scene's state is a set of tags plus the set of tags they block.

/// Interned tag names; ids are dense and assigned in load order (deterministic).
#[derive(Debug, Default, Clone)]
pub struct TagTable {
    names: Vec<String>,
    ids: std::collections::BTreeMap<String, u32>,
}

impl TagTable {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self, set: &TagSet) -> Vec<&str> {
        set.iter().map(|id| self.name(id)).collect()
    }
}

/// Most tags a library may use: sets are fixed-size bitsets, so the coherence test is a handful
/// of word operations with no pointer chasing.
pub const MAX_TAGS: usize = 64 * WORDS;
const WORDS: usize = 12;

/// A bitset of tag ids (fixed size: [`MAX_TAGS`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagSet {
    words: [u64; WORDS],
}

impl TagSet {
    /// Adds a tag. Ids at or above [`MAX_TAGS`] are refused when tags are interned, so this
    /// never sees one.
    pub fn insert(&mut self, id: u32) {
        let w = (id / 64) as usize;
        if let Some(word) = self.words.get_mut(w) {
            *word |= 1 << (id % 64);
        }
    }

    pub fn remove(&mut self, id: u32) {
        let w = (id / 64) as usize;
        if let Some(word) = self.words.get_mut(w) {
            *word &= !(1 << (id % 64));
        }
    }

    pub fn contains(&self, id: u32) -> bool {
        let w = (id / 64) as usize;
        self.words.get(w).is_some_and(|x| x & (1 << (id % 64)) != 0)
    }

    pub fn union_with(&mut self, other: &TagSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn intersect_with(&mut self, other: &TagSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn intersects(&self, other: &TagSet) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .fold(0, |acc, (a, b)| acc | (a & b))
            != 0
    }

    pub fn is_superset(&self, other: &TagSet) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & b == *b)
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// The set's words: tag `id` is bit `id % 64` of word `id / 64`.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The set's non-zero words, as (word index, word): a sparse set tests against a full one
    /// in a word or two.
    pub fn nonzero_words(&self) -> Vec<(usize, u64)> {
        self.words
            .iter()
            .enumerate()
            .filter(|(_, w)| **w != 0)
            .map(|(i, w)| (i, *w))
            .collect()
    }

    pub fn clear(&mut self) {
        self.words = [0; WORDS];
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            (0..64u32).filter_map(move |b| (w & (1 << b) != 0).then_some(i as u32 * 64 + b))
        })
    }
}

/// The coherence state of a scene being built.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct State {
    /// Tags of everything chosen so far.
    pub tags: TagSet,
    /// Tags that something chosen so far conflicts with.
    pub blocks: TagSet,
}

impl State {
    /// Whether an item with `tags` and `blocks` can join the scene: it must not carry a tag the
    /// scene blocks, nor block a tag the scene carries. Conflicts work in both directions.
    pub fn admits(&self, tags: &TagSet, blocks: &TagSet) -> bool {
        !self.blocks.intersects(tags) && !self.tags.intersects(blocks)
    }

    pub fn add(&mut self, tags: &TagSet, blocks: &TagSet) {
        self.tags.union_with(tags);
        self.blocks.union_with(blocks);
    }

    pub fn clear(&mut self) {
        self.tags.clear();
        self.blocks.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[u32]) -> TagSet {
        let mut s = TagSet::default();
        ids.iter().for_each(|i| s.insert(*i));
        s
    }

    #[test]
    fn bitset_basics() {
        let s = set(&[1, 70, 130]);
        assert!(s.contains(70) && !s.contains(71));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![1, 70, 130]);
        assert!(s.intersects(&set(&[130])));
        assert!(!s.intersects(&set(&[2])));
        assert!(s.is_superset(&set(&[1, 130])));
        assert!(!s.is_superset(&set(&[1, 2])));
    }

    #[test]
    fn conflicts_work_both_ways() {
        let mut st = State::default();
        st.add(&set(&[1]), &set(&[2]));
        assert!(!st.admits(&set(&[2]), &TagSet::default()));
        assert!(!st.admits(&set(&[3]), &set(&[1])));
        assert!(st.admits(&set(&[3]), &set(&[4])));
    }
}
