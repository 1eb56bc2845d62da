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
    world(lib, &mut out);
    out
}

/// World axes: entries of a category that sets an axis but name none of its values (they fit
/// every world, so the scene's light or mood is left to chance), values that no entry of those
/// categories can hold (scenes with them leave the slot empty), and entries whose needs no
/// world can meet (never drawn).
fn world(lib: &Library, out: &mut Vec<Finding>) {
    let w = &lib.world;
    for a in &w.axes {
        for &ci in &a.categories {
            let c = &lib.categories[ci];
            for e in &c.entries {
                if !e.filter_tags.intersects(&a.mask) {
                    out.push(Finding {
                        location: e.location.clone(),
                        message: format!(
                            "entry `{}` of `{}` names no value of axis `{}`, which the category sets (add one of: {})",
                            e.text,
                            c.name,
                            a.name,
                            a.values.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
        if a.categories.is_empty() {
            continue;
        }
        for v in a.values.iter().filter(|v| v.weight > 0) {
            let held = a.categories.iter().any(|&ci| {
                lib.categories[ci].entries.iter().any(|e| {
                    e.weight > 0 && (e.filter_tags.contains(v.tag) || !e.blocks.contains(v.tag))
                })
            });
            if !held {
                let names: Vec<&str> = a
                    .categories
                    .iter()
                    .map(|&ci| lib.categories[ci].name.as_str())
                    .collect();
                out.push(Finding {
                    location: a.location.clone(),
                    message: format!(
                        "value `{}` of axis `{}`: no entry of {} fits it, so scenes drawn with it leave that slot empty",
                        v.name,
                        a.name,
                        names.join(", ")
                    ),
                });
            }
        }
    }
    for c in &lib.categories {
        for e in &c.entries {
            if let Some(why) = impossible(lib, e) {
                out.push(Finding {
                    location: e.location.clone(),
                    message: format!("entry `{}` fits no world: {why}", e.text),
                });
            }
        }
    }
}

/// Why no world can hold entry `e` (its axis values contradict each other through the axes'
/// relations), or `None` when some world can.
pub fn impossible(lib: &Library, e: &super::Entry) -> Option<String> {
    if !e.filter_tags.intersects(&lib.world.mask) {
        return None;
    }
    let mut st = State::default();
    st.add(&e.tags, &e.blocks);
    if lib.world.exists(&st) {
        return None;
    }
    let names: Vec<&str> = e
        .filter_tags
        .iter()
        .filter(|t| lib.world.mask.contains(*t))
        .map(|t| lib.tags.name(t))
        .collect();
    Some(format!(
        "its axis values [{}] and tags [{}] cannot hold together",
        names.join(", "),
        e.tag_names.join(", ")
    ))
}

/// What `check --coherence N` found in one sampled scene.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoherence {
    pub template: String,
    pub index: u64,
    pub message: String,
}

impl std::fmt::Display for Incoherence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "template `{}`, scene {}: {}",
            self.template, self.index, self.message
        )
    }
}

/// Samples `n` scenes of every template (seed `seed`, indices 0..n) and reports each world
/// conflict with the entries that caused it: an axis left undecided, an entry that does not
/// fit the world it was drawn into, two entries that ask one axis for different values, or a
/// slot that must be filled left empty.
pub fn coherence(lib: &Library, n: u64, seed: u64) -> Vec<Incoherence> {
    let mut out = Vec::new();
    for t in &lib.templates {
        let plan = match crate::scene::Plan::new(lib, "", Some(&t.name)) {
            Ok(p) => p,
            Err(_) => continue,
        };
        for index in 0..n {
            let scene = crate::scene::build(lib, &plan, seed, index, false);
            for m in scene_incoherence(lib, &scene) {
                out.push(Incoherence {
                    template: t.name.clone(),
                    index,
                    message: m,
                });
            }
        }
    }
    out
}

/// The world conflicts of one scene (see [`coherence`]); empty for a coherent scene.
pub fn scene_incoherence(lib: &Library, scene: &crate::scene::Scene) -> Vec<String> {
    let w = &lib.world;
    let t = &lib.templates[scene.template];
    let mut out = Vec::new();
    let mut world_tags = TagSet::default();
    for (ai, &v) in scene.world.iter().enumerate() {
        let a = &w.axes[ai];
        match v {
            crate::world::OPEN => out.push(format!("axis `{}` was left undecided", a.name)),
            crate::world::NONE => world_tags.insert(a.none),
            v => world_tags.insert(a.values[v as usize].tag),
        }
    }
    let entries: Vec<(usize, usize)> = scene.entries().collect();
    for &(c, e) in &entries {
        let en = &lib.categories[c].entries[e];
        let clash: Vec<&str> = en
            .blocks
            .iter()
            .filter(|b| world_tags.contains(*b))
            .map(|b| lib.tags.name(b))
            .collect();
        if !clash.is_empty() {
            out.push(format!(
                "`{}` ({}) does not fit the world's {}",
                en.text,
                lib.categories[c].name,
                clash.join(", ")
            ));
        }
    }
    for (i, &(c1, e1)) in entries.iter().enumerate() {
        for &(c2, e2) in &entries[i + 1..] {
            let (x, y) = (
                &lib.categories[c1].entries[e1],
                &lib.categories[c2].entries[e2],
            );
            if x.tags.intersects(&y.blocks) || y.tags.intersects(&x.blocks) {
                out.push(format!("`{}` and `{}` conflict", x.text, y.text));
                continue;
            }
            for a in &w.axes {
                let (vx, vy) = (x.filter_tags, y.filter_tags);
                if vx.intersects(&a.mask) && vy.intersects(&a.mask) {
                    let mut both = vx;
                    both.intersect_with(&vy);
                    both.intersect_with(&a.mask);
                    if both.is_empty() {
                        out.push(format!(
                            "`{}` and `{}` ask axis `{}` for different values",
                            x.text, y.text, a.name
                        ));
                    }
                }
            }
        }
    }
    for (s, f) in t.slots.iter().zip(&scene.slots) {
        // A slot every body guards reads well empty: a gap there is no hole in a sentence.
        if f.picks.is_empty()
            && !f.pinned
            && s.chance >= 100
            && s.min > 0
            && !s.negative
            && !s.guarded
        {
            out.push(format!("slot `{}` that must be filled is empty", s.name));
        }
    }
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
            carried.union_with(&e.filter_tags);
        }
    }
    for t in &lib.templates {
        carried.union_with(&t.filter_tags);
    }
    // A world axis value is a tag the user's words can pin, even if no entry carries it; so
    // are the tags a description gives a scene.
    carried.union_with(&lib.world.mask);
    for t in crate::scene::DESCRIPTION_TAGS
        .iter()
        .chain(&crate::scene::SUBJECT_TAGS)
    {
        if let Some(id) = lib.tags.get(t) {
            carried.insert(id);
        }
    }
    for axis in &lib.world.axes {
        for tag in [
            crate::scene::unsaid_tag(&axis.name),
            crate::scene::said_tag(&axis.name),
        ] {
            if let Some(id) = lib.tags.get(&tag) {
                carried.insert(id);
            }
        }
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
            && e.filter_tags.is_superset(&slot.require)
            && !e.filter_tags.intersects(&slot.exclude)
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
            // Weight 0 means "only when a description names it": drawn by no slot, pinned by
            // its words.
            if e.weight == 0 {
                continue;
            }
            let reachable = slots.iter().any(|(t, s)| {
                let mut st = State::default();
                st.add(&t.tags, &t.blocks);
                st.admits(&e.tags, &e.blocks)
                    && e.filter_tags.is_superset(&s.require)
                    && !e.filter_tags.intersects(&s.exclude)
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
