//! Name lookup: what `__name__` means in a collection, resolved once per name and run.
//!
//! A name resolves to the values it pools (exact name, else glob, else the same name anywhere
//! in the tree), in the collection's [`ValueOrder`]: sorted by text and without duplicates by
//! default, as dynamicprompts does. Each name is resolved once per collection, unknown names
//! included (with their "did you mean" suggestions, which take a pass over every name): a run
//! that meets one undefined reference a million times pays for it once.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::glob::Glob;
use super::wildcards::Collection;

/// What a wildcard name resolved to: its values, in pool order.
#[derive(Debug, Default)]
pub struct Resolution {
    /// The matched wildcards that have values, in name order.
    pub ids: Vec<u32>,
    /// The values, in pool order: (wildcard id, value index).
    pub(crate) values: Vec<(u32, u32)>,
    /// Prefix sums of the values' weights when they differ (`None`: all equal).
    pub(crate) cum_weight: Option<Vec<u64>>,
    pub uniform: bool,
    /// Matched wildcards whose file has a defect (a broken file has no values).
    pub broken: Vec<u32>,
    /// Close names, for "did you mean" when nothing matched.
    pub suggestions: Vec<String>,
    /// Prefix sums of each value's combinatorial size, once computed without depending on
    /// where the name was reached from (see [`super::count`]).
    pub(crate) sizes: OnceLock<Arc<super::count::ValueSizes>>,
}

impl Resolution {
    pub fn total_count(&self) -> u64 {
        self.values.len() as u64
    }

    pub fn total_weight(&self) -> u64 {
        match &self.cum_weight {
            Some(c) => c.last().copied().unwrap_or(0),
            None => self.total_count() * super::ast::WEIGHT_SCALE,
        }
    }

    /// Value `g` of the pool → (wildcard id, value index).
    pub fn locate(&self, g: u64) -> (u32, usize) {
        // A position past the end (never made by the samplers) gives the last value rather
        // than a panic.
        let i = (g as usize).min(self.values.len().saturating_sub(1));
        let (id, vi) = self.values[i];
        (id, vi as usize)
    }

    /// The pool position whose weight interval holds `x` (`x < total_weight()`).
    pub(crate) fn locate_weight(&self, x: u64) -> u64 {
        match &self.cum_weight {
            Some(c) => c.partition_point(|acc| *acc <= x).min(c.len() - 1) as u64,
            None => x / super::ast::WEIGHT_SCALE,
        }
    }

    /// The weight of each value, in pool order.
    pub(crate) fn weights(&self, coll: &Collection) -> Vec<u64> {
        self.values
            .iter()
            .map(|(id, vi)| coll.get(*id).weight(*vi as usize))
            .collect()
    }
}

impl Collection {
    /// Resolves a name: exact match, then glob (`*`, `**`, `?`, `[…]`), then the same name
    /// anywhere in the tree (`__fox__` finds `animals/fox`). Cached: each name is resolved
    /// once per collection.
    pub fn resolve(&self, name: &str) -> Arc<Resolution> {
        if let Ok(map) = self.resolved.read()
            && let Some(r) = map.get(name)
        {
            return r.clone();
        }
        let r = Arc::new(self.resolve_uncached(name));
        if let Ok(mut map) = self.resolved.write() {
            return map.entry(name.into()).or_insert(r).clone();
        }
        r
    }

    fn matching_ids(&self, name: &str) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::new();
        if let Some(v) = self.names.get(name) {
            ids.extend(v);
        } else if name.contains(['*', '?', '[']) {
            let glob = Glob::new(name);
            for (n, v) in &self.names {
                if glob.matches(n) {
                    ids.extend(v);
                }
            }
        } else {
            let suffix = format!("/{name}");
            for (n, v) in &self.names {
                if n.ends_with(&suffix) {
                    ids.extend(v);
                }
            }
        }
        ids
    }

    fn resolve_uncached(&self, name: &str) -> Resolution {
        let mut r = Resolution {
            uniform: true,
            ..Resolution::default()
        };
        for id in self.matching_ids(name) {
            let wc = self.get(id);
            if wc.defect.is_some() {
                r.broken.push(id);
            }
            if wc.is_empty() {
                continue;
            }
            r.uniform &= wc.is_uniform();
            r.ids.push(id);
            r.values
                .extend((0..wc.len() as u32).map(|vi| (id, vi)).collect::<Vec<_>>());
        }
        self.order_values(&mut r);
        if !r.uniform {
            let mut acc = 0u64;
            let cum = r
                .values
                .iter()
                .map(|(id, vi)| {
                    acc = acc.saturating_add(self.get(*id).weight(*vi as usize));
                    acc
                })
                .collect();
            r.cum_weight = Some(cum);
        }
        if r.ids.is_empty() {
            r.suggestions = self.suggestions(name);
        }
        r
    }

    /// Applies the value order: duplicates (same text and weight) dropped, keeping the first;
    /// then a stable sort by text. When sorting, duplicates are found next to each other after
    /// the sort (a million-line file needs no hash set); the result is the same.
    fn order_values(&self, r: &mut Resolution) {
        let text = |&(id, vi): &(u32, u32)| self.get(id).value(vi as usize);
        let weight = |&(id, vi): &(u32, u32)| self.get(id).weight(vi as usize);
        if self.order.sort {
            if !r.values.is_sorted_by(|a, b| text(a) <= text(b)) {
                r.values.sort_by(|a, b| text(a).cmp(text(b)));
            }
            if self.order.dedup {
                // Equal texts are now one run, in pool order: keep the first of each weight.
                let mut kept: Vec<(u32, u32)> = Vec::with_capacity(r.values.len());
                let mut run = 0;
                for v in r.values.drain(..) {
                    if kept.len() > run && text(&kept[run]) != text(&v) {
                        run = kept.len();
                    }
                    if !kept[run..].iter().any(|k| weight(k) == weight(&v)) {
                        kept.push(v);
                    }
                }
                r.values = kept;
            }
        } else if self.order.dedup {
            // Membership only (never iterated), so hashing order cannot reach the output.
            let mut seen: HashSet<(&str, u64)> = HashSet::with_capacity(r.values.len());
            r.values.retain(|v| seen.insert((text(v), weight(v))));
        }
    }

    /// "Did you mean" for a name that matched nothing (never the name itself).
    fn suggestions(&self, name: &str) -> Vec<String> {
        if name.contains('*') && !name.contains("**") {
            // `__dir/*__` stays inside one folder level; `**` crosses levels.
            let deep = name.replace('*', "**");
            if !self.matching_ids(&deep).is_empty() {
                return vec![deep];
            }
        }
        let mut out: Vec<String> = crate::suggest::close_matches(name, self.names())
            .into_iter()
            .filter(|s| s != name)
            .collect();
        if out.is_empty() {
            // Suggest by last segment too: `__colr__` → `palette/color`.
            let last = name.rsplit('/').next().unwrap_or(name);
            let lasts: BTreeMap<&str, &str> = self
                .names
                .keys()
                .rev()
                .map(|n| (n.rsplit('/').next().unwrap_or(n), n.as_str()))
                .collect();
            let hits = crate::suggest::close_matches(last, lasts.keys().copied());
            for h in hits {
                if let Some(full) = lasts.get(h.as_str())
                    && *full != name
                {
                    out.push((*full).to_string());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::wildcards::{Collection, ValueOrder};

    fn coll(files: &[(&str, &str)], order: ValueOrder) -> (tempfile::TempDir, Collection) {
        let dir = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let c = Collection::load_with(&[dir.path().to_path_buf()], order).unwrap();
        (dir, c)
    }

    fn texts(c: &Collection, name: &str) -> Vec<String> {
        let r = c.resolve(name);
        (0..r.total_count())
            .map(|g| {
                let (id, vi) = r.locate(g);
                c.get(id).value(vi).to_string()
            })
            .collect()
    }

    #[test]
    fn values_are_sorted_and_deduplicated_across_the_pool() {
        let files = [
            ("d/a.txt", "zebra\nant\nzebra\n"),
            ("d/b.txt", "ant\nbee\n"),
        ];
        let (_d, c) = coll(&files, ValueOrder::default());
        assert_eq!(texts(&c, "d/*"), ["ant", "bee", "zebra"]);
        let (_d, c) = coll(&files, ValueOrder::FILE);
        assert_eq!(texts(&c, "d/*"), ["zebra", "ant", "zebra", "ant", "bee"]);
        let (_d, c) = coll(
            &files,
            ValueOrder {
                sort: false,
                dedup: true,
            },
        );
        assert_eq!(texts(&c, "d/*"), ["zebra", "ant", "bee"]);
    }

    #[test]
    fn duplicates_are_equal_text_and_weight_and_the_first_is_kept() {
        let files = [("w.yaml", "w: [\"2::b\", a, \"3::b\", \"2::b\", a, c]\n")];
        let (_d, c) = coll(&files, ValueOrder::default());
        let r = c.resolve("w");
        let got: Vec<(String, u64)> = (0..r.total_count())
            .map(|g| {
                let (id, vi) = r.locate(g);
                (c.get(id).value(vi).to_string(), c.get(id).weight(vi))
            })
            .collect();
        let w = |x: u64| x * 1_000_000;
        let want = [("a", w(1)), ("b", w(2)), ("b", w(3)), ("c", w(1))];
        let want: Vec<(String, u64)> = want.iter().map(|(t, x)| (t.to_string(), *x)).collect();
        assert_eq!(got, want);
        // Without sorting, the same values in pool order.
        let (_d, c) = coll(
            &files,
            ValueOrder {
                sort: false,
                dedup: true,
            },
        );
        assert_eq!(texts(&c, "w"), ["b", "a", "b", "c"]);
    }

    #[test]
    fn a_name_is_resolved_once() {
        let (_d, c) = coll(&[("a.txt", "x\n")], ValueOrder::default());
        assert!(std::sync::Arc::ptr_eq(
            &c.resolve("nope"),
            &c.resolve("nope")
        ));
        assert!(std::sync::Arc::ptr_eq(&c.resolve("a"), &c.resolve("a")));
    }

    #[test]
    fn a_one_level_glob_that_misses_suggests_the_deep_one() {
        let (_d, c) = coll(&[("dir/sub/a.txt", "x\n")], ValueOrder::default());
        assert_eq!(c.resolve("dir/*").suggestions, ["dir/**"]);
    }

    #[test]
    fn an_empty_file_does_not_suggest_itself() {
        let (_d, c) = coll(
            &[("empty.txt", "# nothing\n"), ("emptz.txt", "x\n")],
            ValueOrder::default(),
        );
        assert_eq!(c.resolve("empty").suggestions, ["emptz"]);
    }
}
