//! `promptloom check`: lints a loaded library for mistakes that load fine but write badly.
//! Errors that stop a library from loading (YAML, Tera, unknown categories, bad weights) are
//! reported by loading itself.

use std::collections::BTreeSet;

use super::Library;
use crate::error::Location;
use crate::tags::{State, TagSet};

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub location: Location,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Lints a library. Every finding is a warning: the library works, but something in it is
/// probably not what its author meant.
pub fn lint(lib: &Library) -> Vec<Finding> {
    let mut out = Vec::new();
    duplicates(lib, &mut out);
    unknown_tags(lib, &mut out);
    empty_slots(lib, &mut out);
    unreachable(lib, &mut out);
    out
}

fn duplicates(lib: &Library, out: &mut Vec<Finding>) {
    for c in &lib.categories {
        // A set, not a list: `check` stays O(n log n) in the category size.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for e in &c.entries {
            let k = e.text.to_lowercase();
            if seen.contains(&k) {
                out.push(Finding {
                    location: e.location.clone(),
                    message: format!("duplicate entry `{}` in category `{}`", e.text, c.name),
                });
            } else {
                seen.insert(k);
            }
        }
    }
}

/// Conflicts, tag declarations and slot filters that name a tag no entry or template carries are
/// almost always typos.
fn unknown_tags(lib: &Library, out: &mut Vec<Finding>) {
    let mut carried = TagSet::default();
    for c in &lib.categories {
        for e in &c.entries {
            carried.union_with(&e.tags);
        }
    }
    for t in &lib.templates {
        carried.union_with(&t.tags);
    }
    let names: Vec<&str> = carried.iter().map(|i| lib.tags.name(i)).collect();
    let report = |tag: &str, location: &Location, what: &str, out: &mut Vec<Finding>| {
        if let Some(id) = lib.tags.get(tag)
            && carried.contains(id)
        {
            return;
        }
        out.push(Finding {
            location: location.clone(),
            message: format!(
                "{what} names tag `{tag}`, which no entry or template carries{}",
                crate::error::did_you_mean(&crate::suggest::close_matches(
                    tag,
                    names.iter().copied()
                ))
            ),
        });
    };
    for c in &lib.categories {
        for e in &c.entries {
            for t in &e.conflict_names {
                report(t, &e.location, &format!("entry `{}` conflict", e.text), out);
            }
        }
    }
    let mut declared_reported = BTreeSet::new();
    for (tag, conflicts, location) in &lib.tag_conflicts {
        for c in std::iter::once(tag).chain(conflicts) {
            let name = lib.tags.name(*c);
            if declared_reported.insert(name.to_string()) {
                let what = format!("the declaration of tag `{}`", lib.tags.name(*tag));
                report(name, location, &what, out);
            }
        }
    }
    for t in &lib.templates {
        for s in &t.slots {
            for id in s.require.iter().chain(s.exclude.iter()) {
                report(
                    lib.tags.name(id),
                    &s.location,
                    &format!("template `{}`, slot `{}`", t.name, s.name),
                    out,
                );
            }
        }
    }
}

/// Whether any entry of category `ci` fits the slot in this state (stops at the first).
fn fits(lib: &Library, state: &State, slot: &super::Slot, ci: usize) -> bool {
    lib.categories[ci].entries.iter().any(|e| {
        e.weight > 0
            && state.admits(&e.tags, &e.blocks)
            && e.tags.is_superset(&slot.require)
            && !e.tags.intersects(&slot.exclude)
    })
}

/// A slot that the template's own tags leave empty, or that one choice in another slot can
/// leave empty.
fn empty_slots(lib: &Library, out: &mut Vec<Finding>) {
    for t in &lib.templates {
        let mut base = State::default();
        base.add(&t.tags, &t.blocks);
        for s in &t.slots {
            if !fits(lib, &base, s, s.category) {
                out.push(Finding {
                    location: s.location.clone(),
                    message: format!(
                        "template `{}`, slot `{}`: no entry of `{}` fits the template's tags and filters; the slot is always empty",
                        t.name, s.name, lib.categories[s.category].name
                    ),
                });
                continue;
            }
            if s.chance < 100 || s.name == "subject" {
                continue;
            }
            // Pairs: one choice elsewhere that leaves this slot with nothing.
            // Entries with the same tags and blocks give the same answer: each such profile is
            // tried once, so a large category costs its number of profiles, not its size
            // squared.
            'other: for o in &t.slots {
                if std::ptr::eq(o, s) {
                    continue;
                }
                let mut tried: BTreeSet<(TagSet, TagSet)> = BTreeSet::new();
                for &ei in &o.pool {
                    let e = &lib.categories[o.category].entries[ei as usize];
                    if !tried.insert((e.tags, e.blocks)) {
                        continue;
                    }
                    let mut st = base.clone();
                    st.add(&e.tags, &e.blocks);
                    if !fits(lib, &st, s, s.category) {
                        out.push(Finding {
                            location: s.location.clone(),
                            message: format!(
                                "template `{}`, slot `{}` can be left empty: when slot `{}` picks `{}`, no entry of `{}` fits",
                                t.name, s.name, o.name, e.text, lib.categories[s.category].name
                            ),
                        });
                        break 'other;
                    }
                }
            }
        }
    }
}

/// Entries that can never be drawn: weight 0, a category no template uses, or blocked by every
/// slot that uses their category.
fn unreachable(lib: &Library, out: &mut Vec<Finding>) {
    for (ci, c) in lib.categories.iter().enumerate() {
        let slots: Vec<(&super::SceneTemplate, &super::Slot)> = lib
            .templates
            .iter()
            .flat_map(|t| t.slots.iter().map(move |s| (t, s)))
            .filter(|(_, s)| s.category == ci)
            .collect();
        if slots.is_empty() {
            out.push(Finding {
                location: c.location.clone(),
                message: format!("category `{}` is used by no template slot", c.name),
            });
            continue;
        }
        for e in &c.entries {
            if e.weight == 0 {
                out.push(Finding {
                    location: e.location.clone(),
                    message: format!("entry `{}` has weight 0 and is never drawn", e.text),
                });
                continue;
            }
            let reachable = slots.iter().any(|(t, s)| {
                let mut st = State::default();
                st.add(&t.tags, &t.blocks);
                st.admits(&e.tags, &e.blocks)
                    && e.tags.is_superset(&s.require)
                    && !e.tags.intersects(&s.exclude)
            });
            if !reachable {
                out.push(Finding {
                    location: e.location.clone(),
                    message: format!(
                        "entry `{}` of `{}` is unreachable: every slot using the category excludes it",
                        e.text, c.name
                    ),
                });
            }
        }
    }
}
