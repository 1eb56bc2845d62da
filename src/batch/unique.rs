//! `--unique`: no two records of a set share a prompt text.
//!
//! Unique runs draw from the exhaustive enumeration (distinct positions are distinct
//! combinations) and, as the guarantee on the text itself, remember a 64-bit hash of every prompt
//! written and skip a record whose hash was seen. A hash collision can only make a record be
//! skipped, never let a duplicate through. Memory: 8 bytes (plus set overhead) per record, the one
//! place a batch run is not flat.

use std::collections::HashSet;

use crate::rng::fnv1a64_start;

#[derive(Debug, Default)]
pub struct UniqueSet {
    seen: HashSet<u64>,
}

impl UniqueSet {
    pub fn hash(prompt: &str) -> u64 {
        fnv1a64_start(prompt.as_bytes())
    }

    /// Records a prompt hash; false if it was already there.
    pub fn insert(&mut self, hash: u64) -> bool {
        self.seen.insert(hash)
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_repeats() {
        let mut u = UniqueSet::default();
        assert!(u.insert(UniqueSet::hash("a")));
        assert!(u.insert(UniqueSet::hash("b")));
        assert!(!u.insert(UniqueSet::hash("a")));
        assert_eq!(u.len(), 2);
    }
}
