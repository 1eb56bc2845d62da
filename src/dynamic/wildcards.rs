//! Wildcard collections: trees of `.txt`, `.yaml`/`.yml` and `.json` files (including the NSP
//! "pantry" form) under one or more roots. Reading files is in [`super::load`], name lookup and
//! value order in [`super::resolve`], globs in [`super::glob`].
//!
//! Text files are kept as one string plus a `(start, end)` offset pair per value, so a
//! million-line file costs its own size plus 8 bytes a line and any value is reached in O(1).
//! Values are parsed lazily, only when a wildcard is first used, and only lines that may contain
//! syntax are parsed at all; a value that does not parse is an error of that value alone.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use super::Template;
use super::ast::WEIGHT_SCALE;
use super::error::{Diagnostic, Source};
use super::parser::{self, may_have_syntax};
use super::resolve::Resolution;
use crate::error::Location;

pub use super::glob::{Glob, glob_match};
pub(crate) use super::load::inside_root;
pub use super::load::{line_spans, parse_weight};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The order in which a wildcard's values are pooled, sampled and enumerated.
///
/// dynamicprompts 0.31 (and the A1111 extension) sort the values of every wildcard by their
/// text and drop duplicates (`WildcardManager.sort_wildcards` and `dedup_wildcards`, both on
/// by default); the default here is the same, so that a collection gives the same
/// combinatorial order and the same odds as there. `--no-sort` keeps file order, `--no-dedup`
/// keeps repeated lines (a value written twice is then twice as likely).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueOrder {
    /// Sort the pooled values of a name by their text (byte order, which is code-point order).
    pub sort: bool,
    /// Keep only the first of equal values (same text and weight).
    pub dedup: bool,
}

impl Default for ValueOrder {
    fn default() -> Self {
        ValueOrder {
            sort: true,
            dedup: true,
        }
    }
}

impl ValueOrder {
    /// File order with duplicates: what promptloom did before 0.2.
    pub const FILE: ValueOrder = ValueOrder {
        sort: false,
        dedup: false,
    };
}

/// Something wrong with a collection file: it could not be decoded or parsed, or one of its
/// items is malformed. Kept, not raised, when the collection loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// One named wildcard: the values of one text file or one YAML/JSON list.
#[derive(Debug)]
pub struct Wildcard {
    pub name: String,
    /// The file it came from, for messages.
    pub origin: Arc<str>,
    /// The line it starts on in that file (1 for a text file; a YAML/JSON key's line).
    pub line: u32,
    /// What is wrong with its file, if anything (a broken file has no values).
    pub defect: Option<Arc<Defect>>,
    entries: Entries,
    /// The values that hold syntax, parsed (or the error of each one that does not parse).
    parsed: OnceLock<Vec<(u32, std::result::Result<Template, Diagnostic>)>>,
}

#[derive(Debug)]
enum Entries {
    /// A text file: its contents and the trimmed span of each value line.
    Lines {
        text: String,
        spans: Vec<(u32, u32)>,
    },
    /// YAML/JSON items, each with a fixed-point weight; `cumulative` is set when the weights
    /// differ, for O(log n) weighted draws.
    Items {
        items: Vec<Item>,
        cumulative: Option<Vec<u64>>,
    },
}

#[derive(Debug)]
pub(crate) struct Item {
    pub(crate) text: String,
    pub(crate) weight: u64,
    /// The line of the file it is on (0: not found, e.g. written with escapes).
    pub(crate) line: u32,
}

impl Wildcard {
    pub(crate) fn lines(
        name: String,
        origin: Arc<str>,
        text: String,
        spans: Vec<(u32, u32)>,
    ) -> Self {
        Wildcard {
            name,
            origin,
            line: 1,
            defect: None,
            entries: Entries::Lines { text, spans },
            parsed: OnceLock::new(),
        }
    }

    pub(crate) fn items(name: String, origin: Arc<str>, items: Vec<Item>) -> Self {
        let uniform = items.iter().all(|i| i.weight == WEIGHT_SCALE);
        let cumulative = (!uniform).then(|| {
            let mut acc = 0u64;
            items
                .iter()
                .map(|i| {
                    acc = acc.saturating_add(i.weight);
                    acc
                })
                .collect()
        });
        Wildcard {
            name,
            origin,
            line: 1,
            defect: None,
            entries: Entries::Items { items, cumulative },
            parsed: OnceLock::new(),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::Lines { spans, .. } => spans.len(),
            Entries::Items { items, .. } => items.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw text of value `i`.
    pub fn value(&self, i: usize) -> &str {
        match &self.entries {
            Entries::Lines { text, spans } => {
                let (a, b) = spans[i];
                &text[a as usize..b as usize]
            }
            Entries::Items { items, .. } => &items[i].text,
        }
    }

    /// Bytes held on the heap for the values (text and index), for memory checks.
    pub fn heap_bytes(&self) -> usize {
        match &self.entries {
            Entries::Lines { text, spans } => {
                text.capacity() + spans.capacity() * std::mem::size_of::<(u32, u32)>()
            }
            Entries::Items { items, cumulative } => {
                items
                    .iter()
                    .map(|i| i.text.capacity() + std::mem::size_of::<Item>())
                    .sum::<usize>()
                    + cumulative.as_ref().map_or(0, |c| c.capacity() * 8)
            }
        }
    }

    /// True when every value has the same weight.
    pub fn is_uniform(&self) -> bool {
        matches!(
            &self.entries,
            Entries::Lines { .. }
                | Entries::Items {
                    cumulative: None,
                    ..
                }
        )
    }

    /// Sum of the fixed-point weights.
    pub fn total_weight(&self) -> u64 {
        match &self.entries {
            Entries::Items {
                cumulative: Some(c),
                ..
            } => c.last().copied().unwrap_or(0),
            _ => (self.len() as u64).saturating_mul(WEIGHT_SCALE),
        }
    }

    pub fn weight(&self, i: usize) -> u64 {
        match &self.entries {
            Entries::Items { items, .. } => items[i].weight,
            Entries::Lines { .. } => WEIGHT_SCALE,
        }
    }

    /// The value whose weight interval holds `x` (`x < total_weight()`).
    pub fn locate_weight(&self, x: u64) -> usize {
        match &self.entries {
            Entries::Items {
                cumulative: Some(c),
                ..
            } => c.partition_point(|acc| *acc <= x).min(c.len() - 1),
            _ => (x / WEIGHT_SCALE) as usize,
        }
    }

    /// The source of value `i` for messages; `lines` carries (byte offset, line number) of the
    /// previous value looked up, so that numbering every line of a file is one pass over it.
    fn source_of(&self, i: usize, lines: &mut (usize, u32)) -> Source {
        match &self.entries {
            Entries::Lines { text, spans } => {
                let start = spans[i].0 as usize;
                if start < lines.0 {
                    *lines = (0, 1);
                }
                let between = &text.as_bytes()[lines.0..start];
                let line = lines.1 + memchr::memchr_iter(b'\n', between).count() as u32;
                *lines = (start, line);
                Source {
                    name: self.origin.clone(),
                    text: Arc::from(self.value(i)),
                    first_line: line,
                    in_collection: true,
                }
            }
            Entries::Items { items, .. } if items[i].line > 0 => Source {
                name: self.origin.clone(),
                text: Arc::from(self.value(i)),
                first_line: items[i].line,
                in_collection: true,
            },
            Entries::Items { .. } => Source {
                name: Arc::from(format!(
                    "{} (wildcard `{}`, value {})",
                    self.origin,
                    self.name,
                    i + 1
                )),
                text: Arc::from(self.value(i)),
                first_line: 1,
                in_collection: true,
            },
        }
    }

    fn parsed(&self) -> &[(u32, std::result::Result<Template, Diagnostic>)] {
        self.parsed.get_or_init(|| {
            let mut out = Vec::new();
            let mut lines = (0, 1);
            for j in 0..self.len() {
                let raw = self.value(j);
                if !may_have_syntax(raw) {
                    continue;
                }
                let src = self.source_of(j, &mut lines);
                match parser::parse(&src) {
                    Ok(node) if node.as_text().as_deref() == Some(raw) => {}
                    Ok(node) => out.push((j as u32, Ok(Template::from_parts(src, node)))),
                    Err(d) => out.push((j as u32, Err(d))),
                }
            }
            out
        })
    }

    /// The parsed template of value `i`, `None` when the value is plain text, or the value's
    /// syntax error (with its file and line).
    pub fn template(&self, i: usize) -> std::result::Result<Option<&Template>, Diagnostic> {
        let list = self.parsed();
        match list.binary_search_by_key(&(i as u32), |(j, _)| *j) {
            Err(_) => Ok(None),
            Ok(k) => match &list[k].1 {
                Ok(t) => Ok(Some(t)),
                Err(d) => Err(d.clone()),
            },
        }
    }

    /// The syntax errors of its values, in value order.
    pub fn value_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.parsed().iter().filter_map(|(_, r)| r.as_ref().err())
    }
}

/// A loaded set of wildcards, addressed by `/`-separated names without file extensions.
#[derive(Debug)]
pub struct Collection {
    id: u64,
    pub(crate) wildcards: Vec<Wildcard>,
    pub(crate) names: BTreeMap<String, Vec<u32>>,
    pub(crate) order: ValueOrder,
    pub(crate) defects: Vec<Defect>,
    /// Every name looked up so far, resolved once per collection (with its suggestions when
    /// unknown): a name is never searched for twice, however often a run meets it.
    pub(crate) resolved: RwLock<BTreeMap<Box<str>, Arc<Resolution>>>,
    /// Shortest finite expansion of each wildcard, computed when recursion is first met.
    pub(crate) heights: Mutex<BTreeMap<u32, Option<u32>>>,
}

impl Default for Collection {
    fn default() -> Self {
        Collection::empty()
    }
}

impl Collection {
    /// A collection without wildcards (templates that only use variants and variables).
    pub fn empty() -> Self {
        Collection {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            wildcards: Vec::new(),
            names: BTreeMap::new(),
            order: ValueOrder::default(),
            defects: Vec::new(),
            resolved: RwLock::new(BTreeMap::new()),
            heights: Mutex::new(BTreeMap::new()),
        }
    }

    /// Sets the value order (see [`ValueOrder`]); lookups made before are forgotten.
    pub fn set_value_order(&mut self, order: ValueOrder) {
        self.order = order;
        self.id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.resolved = RwLock::new(BTreeMap::new());
    }

    pub fn value_order(&self) -> ValueOrder {
        self.order
    }

    /// Files (or items) that could not be read, in load order.
    pub fn defects(&self) -> &[Defect] {
        &self.defects
    }

    /// Unique id of this collection (and value order), used to cache name resolution inside
    /// templates.
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn get(&self, id: u32) -> &Wildcard {
        &self.wildcards[id as usize]
    }

    /// All wildcard names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// The wildcards defined under exactly `name` (several when files or roots pool values).
    pub fn ids_of(&self, name: &str) -> &[u32] {
        self.names.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Bytes held on the heap by all values, for memory checks.
    pub fn heap_bytes(&self) -> usize {
        self.wildcards.iter().map(Wildcard::heap_bytes).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub(crate) fn add(&mut self, w: Wildcard) {
        let id = self.wildcards.len() as u32;
        self.names.entry(w.name.clone()).or_default().push(id);
        self.wildcards.push(w);
    }

    /// True when `name` names a wildcard that exists but has no values.
    pub fn exists_but_empty(&self, name: &str) -> bool {
        self.names
            .get(name)
            .is_some_and(|v| v.iter().all(|id| self.get(*id).is_empty()))
    }
}
