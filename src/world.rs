//! The world of a scene: one value per named axis (place, time, weather, light, temperature,
//! mood…), fixed before any slot is filled, so that everything in the scene agrees with it.
//!
//! Axes and their values are library data (`axes:` in a vocabulary file, see
//! `docs/library.md`). Each value is a tag. An entry that carries values of an axis among its
//! tags fits only a world whose value of that axis is one of them; this is compiled into the
//! entry's blocks (the axis's other values, and the axis's `none`), so the one admission rule
//! of the library, [`State::admits`], decides it for random drawing, for the set modes and for
//! `check` alike. How values of different axes relate is written as ordinary tag conflicts.
//!
//! Per scene: the template and the user's words pin axes ([`World::pins`]), then
//! [`World::draw`] picks each axis's value in declaration order among those the scene still
//! admits, by weight, from one keyed stream. An axis none of whose values fits has no value
//! (`none`: no weather in deep space); entries that need a value of it then fit no more.

use crate::error::Location;
use crate::matching::{Word, words};
use crate::tags::{State, TagSet};

/// One axis of the world.
#[derive(Debug, Clone)]
pub struct Axis {
    pub name: String,
    pub description: String,
    pub values: Vec<Value>,
    /// The tag that stands for "this axis has no value in this world".
    pub none: u32,
    /// Every value's tag and `none`.
    pub mask: TagSet,
    /// Categories that set this axis: each of their entries should name one of its values.
    /// They write the same part of a sentence, so a user's words that name an entry of one
    /// can fill a slot of another.
    pub categories: Vec<usize>,
    /// An entry the user's words name is written even where the words stay in the subject.
    pub restate: bool,
    /// The aliases hint at a value without saying it: a pin by them does not count as the
    /// user having said what the axis's slots would write.
    pub hints: bool,
    /// The axis says how an action feels: an action the description names without pinning
    /// a value leaves its slots empty (see `RawAxis::from_action`).
    pub from_action: bool,
    pub location: Location,
}

/// One value of an axis.
#[derive(Debug, Clone)]
pub struct Value {
    pub name: String,
    pub tag: u32,
    /// Relative chance of being drawn (0: only when pinned).
    pub weight: u32,
    /// Relative chance of being drawn when the description is not empty (`described:`,
    /// else `weight`).
    pub described: u32,
    /// The tags this value conflicts with (its declared tag conflicts).
    pub blocks: TagSet,
}

/// A scene's world: per axis, the index of its value, [`NONE`] or [`OPEN`].
pub type Drawn = Vec<u8>;

/// The axis has no value: none fitted.
pub const NONE: u8 = u8::MAX;
/// The axis was left undecided: the user's words asked for values no world can hold together.
pub const OPEN: u8 = u8::MAX - 1;

/// An axis pinned by the user's words: the values it may take, and the phrase that said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub axis: usize,
    /// Allowed values (indices into the axis's values).
    pub values: Vec<u8>,
    /// First and last word of the phrase in the description.
    pub first: usize,
    pub last: usize,
}

/// Words that set off a neighbour or a part of the subject: what follows them is beside,
/// behind or on the thing the description is of, not the thing itself.
const NEIGHBOUR_WORDS: &[&[&str]] = &[
    &["beside"],
    &["besides"],
    &["near"],
    &["nearby"],
    &["alongside"],
    &["behind"],
    &["with"],
    &["next", "to"],
    &["in", "front", "of"],
    &["close", "to"],
    &["overlooking"],
    &["opposite"],
    &["topped", "with"],
];

/// Words after which a place is only seen from out of doors: "two men playing dominoes outside
/// a cafe" are not in the cafe, so its room is no pin.
const OUTSIDE_WORDS: &[&[&str]] = &[
    &["outside"],
    &["outside", "of"],
    &["in", "front", "of"],
    &["across", "from"],
    &["opposite"],
];

/// Whether the phrase starting at word `at` is governed by an outside word, with at most two
/// words (an article, an adjective) between them.
fn outside_before(ws: &[Word], at: usize) -> bool {
    OUTSIDE_WORDS.iter().any(|p| {
        (at.saturating_sub(p.len() + 2)..at)
            .any(|i| i + p.len() <= at && crate::matching::phrase_at(ws, i, p))
    })
}

/// Axes a neighbour shares with the subject, since they hold for the whole frame: its hour,
/// sky, light, season and climate, and the medium it is made in. "A sunny beach with a
/// thunderstorm" still contradicts itself; "a cabin beside a lighthouse" does not.
const SHARED_AXES: &[&str] = &[
    "time", "hours", "weather", "light", "season", "climate", "skyview", "place", "medium", "look",
    "colour",
];

/// Whether a neighbour phrase opens after word `after` and at or before word `at`.
fn neighbour_between(ws: &[Word], after: usize, at: usize) -> bool {
    (after + 1..=at).any(|i| {
        NEIGHBOUR_WORDS
            .iter()
            .any(|p| crate::matching::phrase_at(ws, i, p))
    })
}

/// An alias phrase (its folded words) and the (axis, value) pairs it names.
type Alias = (Vec<String>, Vec<(usize, u8)>);

/// The axes of a library, in declaration order.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub axes: Vec<Axis>,
    /// Every value tag and every `none` tag.
    pub mask: TagSet,
    /// Alias phrases (folded words), longest first, with the (axis, value) pairs they name.
    aliases: Vec<Alias>,
    /// Phrases (folded words) that say what an axis's slots would write without naming a
    /// value (`said_by:`), with the axis.
    said_by: Vec<(Vec<String>, usize)>,
    /// Per axis, per value: its admission test in a few words (see [`Compact`]).
    compact: Vec<Vec<Compact>>,
    /// Per axis index `i`: the part of a state that axes `i..` can see (see [`World::seen_from`]).
    suffix: Vec<State>,
}

/// A value's admission test, compact: the word and bit of its tag, and the non-zero words of
/// its blocks (a value blocks a few tags, in a word or two of the 12). [`World::draw`] tests
/// every value of every axis of every world it draws.
#[derive(Debug, Clone)]
struct Compact {
    word: usize,
    bit: u64,
    blocks: Box<[(usize, u64)]>,
}

impl Compact {
    fn new(v: &Value) -> Compact {
        Compact {
            word: (v.tag / 64) as usize,
            bit: 1 << (v.tag % 64),
            blocks: v.blocks.nonzero_words().into_boxed_slice(),
        }
    }

    /// Whether `set` holds the value's tag.
    fn in_set(&self, set: &TagSet) -> bool {
        set.words()
            .get(self.word)
            .is_some_and(|w| w & self.bit != 0)
    }

    /// The same as [`World::admits`].
    fn admitted(&self, state: &State) -> bool {
        let tags = state.tags.words();
        !self.in_set(&state.blocks) && self.blocks.iter().all(|&(i, m)| tags[i] & m == 0)
    }
}

impl World {
    pub fn new(
        axes: Vec<Axis>,
        aliases: Vec<(String, usize, u8)>,
        said_by: Vec<(String, usize)>,
    ) -> World {
        let mut mask = TagSet::default();
        for a in &axes {
            mask.union_with(&a.mask);
        }
        let mut grouped: Vec<Alias> = Vec::new();
        // Where each phrase is in `grouped` (looked up, never iterated: the order is
        // `grouped`'s, first occurrence first). A linear search here was quadratic in the
        // number of aliases, about a fifth of start-up.
        let mut at: std::collections::HashMap<Vec<String>, usize> =
            std::collections::HashMap::with_capacity(aliases.len());
        for (phrase, axis, value) in aliases {
            let ws: Vec<String> = words(&phrase).into_iter().map(|w| w.folded).collect();
            if ws.is_empty() {
                continue;
            }
            match at.get(&ws) {
                Some(&i) => {
                    let list = &mut grouped[i].1;
                    if !list.contains(&(axis, value)) {
                        list.push((axis, value));
                    }
                }
                None => {
                    at.insert(ws.clone(), grouped.len());
                    grouped.push((ws, vec![(axis, value)]));
                }
            }
        }
        // Longest first; ties in declaration order (the sort is stable).
        grouped.sort_by_key(|a| std::cmp::Reverse(a.0.len()));
        let said_by = said_by
            .into_iter()
            .map(|(p, a)| (words(&p).into_iter().map(|w| w.folded).collect(), a))
            .filter(|(p, _): &(Vec<String>, usize)| !p.is_empty())
            .collect();
        let compact = axes
            .iter()
            .map(|a| a.values.iter().map(Compact::new).collect())
            .collect();
        // Suffix unions, last axis first: what a search from axis i on can read of a state is
        // the blocks of these axes' tags (and `none`s) and the tags these axes' values block.
        let mut suffix = vec![State::default(); axes.len() + 1];
        for (i, a) in axes.iter().enumerate().rev() {
            let mut seen = suffix[i + 1].clone();
            seen.blocks.union_with(&a.mask);
            for v in &a.values {
                seen.tags.union_with(&v.blocks);
            }
            suffix[i] = seen;
        }
        World {
            axes,
            mask,
            aliases: grouped,
            said_by,
            compact,
            suffix,
        }
    }

    /// The axes whose slots the description already writes: those its words pin (unless the
    /// axis's aliases only hint at a value) and those a `said_by` phrase names. Sorted, without
    /// repeats.
    pub fn said(&self, ws: &[Word], pins: &[Pin]) -> Vec<usize> {
        let mut axes: Vec<usize> = pins
            .iter()
            .map(|p| p.axis)
            .filter(|&a| !self.axes[a].hints)
            .collect();
        // A phrase inside a longer pinning one is part of it ("blue" in "blue hour"); one
        // that spans the pin's phrase says it ("lavender fields" pins a place and names its
        // colour).
        let inside_pin = |first: usize, last: usize| {
            pins.iter().any(|p| {
                p.first <= last && first <= p.last && !(first <= p.first && p.last <= last)
            })
        };
        for (phrase, axis) in &self.said_by {
            if (0..ws.len().saturating_sub(phrase.len() - 1)).any(|i| {
                !inside_pin(i, i + phrase.len() - 1)
                    && phrase.iter().zip(&ws[i..]).all(|(p, w)| w.folded == *p)
            }) {
                axes.push(*axis);
            }
        }
        axes.sort_unstable();
        axes.dedup();
        axes
    }

    /// Splits an item's tags into what it *is* (tags that are no axis value, returned) and
    /// what it needs of the world: for every axis among whose values it names some, the
    /// other values and `none` are added to `blocks`.
    pub fn split(&self, tags: &TagSet, blocks: &mut TagSet) -> TagSet {
        let mut own = *tags;
        if !tags.intersects(&self.mask) {
            return own;
        }
        for a in &self.axes {
            if !tags.intersects(&a.mask) {
                continue;
            }
            for v in &a.values {
                if tags.contains(v.tag) {
                    own.remove(v.tag);
                } else {
                    blocks.insert(v.tag);
                }
            }
            blocks.insert(a.none);
        }
        own
    }

    /// Whether an entry of category `entry` may fill a slot of category `slot`: the same
    /// category, or two categories of one axis (every light category reads after "lit by").
    pub fn fills(&self, slot: usize, entry: usize) -> bool {
        slot == entry
            || self
                .axes
                .iter()
                .any(|a| a.categories.contains(&slot) && a.categories.contains(&entry))
    }

    /// Whether entries of `category` that the user's words name are written even where the
    /// words stay in the subject (the axis says `restate: true`).
    pub fn restates(&self, category: usize) -> bool {
        self.axes
            .iter()
            .any(|a| a.restate && a.categories.contains(&category))
    }

    /// The blocks that hold axis `axis` to `values`.
    pub fn pin_blocks(&self, axis: usize, values: &[u8]) -> TagSet {
        let mut b = TagSet::default();
        let a = &self.axes[axis];
        for (i, v) in a.values.iter().enumerate() {
            if !values.contains(&(i as u8)) {
                b.insert(v.tag);
            }
        }
        b.insert(a.none);
        b
    }

    /// "Lit only by …": the light the user names is the scene's only light, so the sky lights
    /// nothing and the time is the night (the value named `night`, on the axis that has one).
    /// Not when the words pin the time themselves, nor when they pin a value that is never at
    /// night ("lit only by the setting sun"). Adds that pin to `pins`, in phrase order.
    pub fn pin_only_light(&self, ws: &[Word], pins: &mut Vec<Pin>) {
        const ONLY: [[&str; 3]; 4] = [
            ["lit", "only", "by"],
            ["only", "lit", "by"],
            ["lit", "solely", "by"],
            ["lit", "just", "by"],
        ];
        let Some(at) = (0..ws.len()).find(|&i| {
            ONLY.iter().any(|p| {
                p.len() <= ws.len() - i && p.iter().zip(&ws[i..]).all(|(a, w)| *a == w.folded)
            })
        }) else {
            return;
        };
        let Some((axis, night)) = self.axes.iter().enumerate().find_map(|(ai, a)| {
            a.values
                .iter()
                .position(|v| v.name == "night")
                .map(|vi| (ai, vi))
        }) else {
            return;
        };
        if pins.iter().any(|p| p.axis == axis) {
            return;
        }
        let n = &self.axes[axis].values[night];
        let never_at_night = |p: &Pin| {
            p.values.iter().all(|&v| {
                let val = &self.axes[p.axis].values[v as usize];
                val.blocks.contains(n.tag) || n.blocks.contains(val.tag)
            })
        };
        if pins.iter().any(never_at_night) {
            return;
        }
        let pin = Pin {
            axis,
            values: vec![night as u8],
            first: at,
            last: at + 2,
        };
        let pos = pins.iter().position(|p| p.first > at).unwrap_or(pins.len());
        pins.insert(pos, pin);
    }

    /// Whether tags a phrase only implies (and their blocks) leave every axis the user's words
    /// pin one of its pinned values: "umbrella" may bring a beach's sunshine, but not to "a
    /// gray rainy street", where the user's own word wins.
    pub fn pins_admit(&self, pins: &[Pin], tags: &TagSet, blocks: &TagSet) -> bool {
        pins.iter().all(|p| {
            p.values.iter().any(|&v| {
                let val = &self.axes[p.axis].values[v as usize];
                !blocks.contains(val.tag) && !tags.intersects(&val.blocks)
            })
        })
    }

    /// The axes the user's words pin, in the order the phrases stand, longest phrase first at
    /// each word. Two pins of one axis that share no value: the first stands, and the second is
    /// returned in the list of conflicts.
    pub fn pins(&self, ws: &[Word]) -> (Vec<Pin>, Vec<(Pin, Pin)>) {
        let mut pins: Vec<Pin> = Vec::new();
        let mut conflicts = Vec::new();
        let mut i = 0;
        while i < ws.len() {
            let hit = self.aliases.iter().find(|(p, _)| {
                p.len() <= ws.len() - i && p.iter().zip(&ws[i..]).all(|(a, w)| *a == w.folded)
            });
            let Some((phrase, named)) = hit else {
                i += 1;
                continue;
            };
            let last = i + phrase.len() - 1;
            let mut by_axis: Vec<(usize, Vec<u8>)> = Vec::new();
            for &(a, v) in named {
                match by_axis.iter_mut().find(|(x, _)| *x == a) {
                    Some((_, vs)) => vs.push(v),
                    None => by_axis.push((a, vec![v])),
                }
            }
            let outdoors = outside_before(ws, i).then(|| self.value_named("place", "outdoor"));
            for (axis, values) in by_axis {
                // Seen from outside, a place's rooms are not the scene.
                if let Some(Some((pa, pv))) = outdoors
                    && values.iter().all(|&v| !self.compatible(axis, v, pa, pv))
                {
                    continue;
                }
                let pin = Pin {
                    axis,
                    values,
                    first: i,
                    last,
                };
                match pins.iter_mut().find(|p| p.axis == axis) {
                    Some(old) => {
                        let both: Vec<u8> = old
                            .values
                            .iter()
                            .copied()
                            .filter(|v| pin.values.contains(v))
                            .collect();
                        if both.is_empty() {
                            // A phrase set after "beside", "with", "next to"… names a
                            // neighbour or a part of the subject ("a cabin beside a
                            // lighthouse", "ramen with a soft-boiled egg"): the subject's pin
                            // of the axis stands, and this is no contradiction.
                            if !SHARED_AXES.contains(&self.axes[axis].name.as_str())
                                && neighbour_between(ws, old.last, pin.first)
                            {
                                continue;
                            }
                            // The more specific phrase wins ("space station" over "inside");
                            // of two side by side, the second is the head the first qualifies
                            // ("a basement gym" is a gym); else the earlier one.
                            let specific = pin.last - pin.first > old.last - old.first;
                            let head = pin.first == old.last + 1
                                && pin.last - pin.first >= old.last - old.first;
                            if specific {
                                let lost = std::mem::replace(old, pin.clone());
                                conflicts.push((pin, lost));
                            } else if head {
                                // A noun that qualifies the next one is no contradiction:
                                // nothing is warned about.
                                *old = pin.clone();
                            } else {
                                conflicts.push((old.clone(), pin));
                            }
                        } else {
                            old.values = both;
                        }
                    }
                    None => pins.push(pin),
                }
            }
            i = last + 1;
        }
        // A hint gives way to plain words it cannot live with: "a picnic" needs daylight, but
        // "a picnic under a full moon" is lit by the moon. The hint's pin is dropped (the last
        // first) and reported as a conflict the plain words won.
        let holds = |pins: &[Pin]| {
            let mut st = State::default();
            for p in pins {
                st.blocks.union_with(&self.pin_blocks(p.axis, &p.values));
            }
            self.exists(&st)
        };
        while pins.iter().any(|p| self.axes[p.axis].hints) && !holds(&pins) {
            let plain: Vec<Pin> = pins
                .iter()
                .filter(|p| !self.axes[p.axis].hints)
                .cloned()
                .collect();
            if !holds(&plain) {
                break;
            }
            let Some(k) = pins.iter().rposition(|p| self.axes[p.axis].hints) else {
                break;
            };
            let lost = pins.remove(k);
            conflicts.push((plain[0].clone(), lost));
        }
        (pins, conflicts)
    }

    /// The axis and value of that name, if the library has them.
    fn value_named(&self, axis: &str, value: &str) -> Option<(usize, u8)> {
        let a = self.axes.iter().position(|x| x.name == axis)?;
        let v = self.axes[a].values.iter().position(|x| x.name == value)?;
        Some((a, v as u8))
    }

    /// Whether value `v` of axis `a` and value `w` of axis `b` can stand in one world.
    fn compatible(&self, a: usize, v: u8, b: usize, w: u8) -> bool {
        if a == b {
            return v == w;
        }
        let v = &self.axes[a].values[v as usize];
        let w = &self.axes[b].values[w as usize];
        !v.blocks.contains(w.tag) && !w.blocks.contains(v.tag)
    }

    /// Whether value `v` of axis `a` can join a scene in `state`.
    fn admits(&self, state: &State, a: usize, v: usize) -> bool {
        let val = &self.axes[a].values[v];
        !state.blocks.contains(val.tag) && !state.tags.intersects(&val.blocks)
    }

    /// Draws the world into `state`: the axes the state narrows to one value first, then those
    /// it narrows to a few (the user's words, the template, pinned entries), then the others,
    /// each group in declaration order; each axis
    /// takes a value the state admits, by weight, from `rng`. An axis with no such value takes
    /// `none` if the state allows it, else stays [`OPEN`]. Returns the world (per axis, in
    /// declaration order) and whether every axis was settled.
    ///
    /// `feasible` holds the values the caller knows leave the scene's slots something to hold;
    /// others are drawn only when no feasible value is admitted. `described`: the description
    /// is not empty, so each value weighs its `described` weight.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        described: bool,
        state: &mut State,
        feasible: &TagSet,
        rng: &mut crate::rng::Stream,
        weights: &mut Vec<u64>,
        candidates: &mut Vec<u8>,
    ) -> (Drawn, bool) {
        let mut out = vec![OPEN; self.axes.len()];
        let mut settled = true;
        // Most constrained first: an axis narrowed to one value (a room the user names) before
        // the other narrowed ones (pinned by the user, the template or an entry), and those
        // before the rest, so a light drawn early never leaves the named room no value.
        let rank: Vec<u8> = self
            .axes
            .iter()
            .zip(&self.compact)
            .map(|(a, cs)| {
                if !state.blocks.intersects(&a.mask) {
                    2
                } else if cs.iter().filter(|c| !c.in_set(&state.blocks)).count() <= 1 {
                    0
                } else {
                    1
                }
            })
            .collect();
        for pass in 0..3 {
            for (ai, a) in self.axes.iter().enumerate() {
                if rank[ai] != pass {
                    continue;
                }
                weights.clear();
                candidates.clear();
                let compact = &self.compact[ai];
                for only_feasible in [true, false] {
                    for (vi, (v, c)) in a.values.iter().zip(compact).enumerate() {
                        if (!only_feasible || c.in_set(feasible)) && c.admitted(state) {
                            candidates.push(vi as u8);
                            // A value of weight 0 is drawn only when nothing else is left.
                            weights.push(u64::from(if described { v.described } else { v.weight }));
                        }
                    }
                    if !candidates.is_empty() {
                        break;
                    }
                }
                let pick = match candidates.len() {
                    0 => None,
                    1 => Some(candidates[0]),
                    _ => match rng.pick_weighted(weights) {
                        Some(k) => Some(candidates[k]),
                        None => Some(candidates[0]),
                    },
                };
                match pick {
                    Some(vi) => {
                        let v = &a.values[vi as usize];
                        state.tags.insert(v.tag);
                        state.blocks.union_with(&v.blocks);
                        out[ai] = vi;
                    }
                    None if !state.blocks.contains(a.none) => {
                        state.tags.insert(a.none);
                        out[ai] = NONE;
                    }
                    None => settled = false,
                }
            }
        }
        (out, settled)
    }

    /// Whether some world fits `state` (a template's tags and a set of entries): the set
    /// modes admit a combination only if random drawing could have built it.
    pub fn exists(&self, state: &State) -> bool {
        self.first_fit(state, 0).is_some()
    }

    /// The first world (in value order) that fits `state`, if any.
    pub fn first_fit(&self, state: &State, from: usize) -> Option<Drawn> {
        self.fit(state, from, &mut std::collections::HashSet::new())
    }

    /// What of `state` a search from axis `from` on depends on: the blocks among those axes'
    /// values and `none`s, and the tags those values block. Two states alike here have the same
    /// first fit from `from` on.
    fn seen_from(&self, state: &State, from: usize) -> State {
        let mut seen = state.clone();
        if let Some(s) = self.suffix.get(from) {
            seen.tags.intersect_with(&s.tags);
            seen.blocks.intersect_with(&s.blocks);
        }
        seen
    }

    /// [`World::first_fit`], remembering the states (as far as the axes left can see them)
    /// below which no world fits. Without it a state no world holds costs a walk of every
    /// combination of the axes before the clash: minutes for a pairwise set.
    fn fit(
        &self,
        state: &State,
        from: usize,
        failed: &mut std::collections::HashSet<(usize, State)>,
    ) -> Option<Drawn> {
        let Some(a) = self.axes.get(from) else {
            return Some(Vec::new());
        };
        let key = (from, self.seen_from(state, from));
        if failed.contains(&key) {
            return None;
        }
        let found = self.fit_here(state, from, a, failed);
        if found.is_none() {
            failed.insert(key);
        }
        found
    }

    fn fit_here(
        &self,
        state: &State,
        from: usize,
        a: &Axis,
        failed: &mut std::collections::HashSet<(usize, State)>,
    ) -> Option<Drawn> {
        // Forward check: an axis further on with no value left and `none` barred dooms every
        // world below this point (an indoor-only room after `place=outdoor`).
        if !self.axes[from..].iter().enumerate().all(|(k, b)| {
            !state.blocks.contains(b.none)
                || (0..b.values.len()).any(|vi| self.admits(state, from + k, vi))
        }) {
            return None;
        }
        let mut any = false;
        for vi in 0..a.values.len() {
            if !self.admits(state, from, vi) {
                continue;
            }
            any = true;
            let v = &a.values[vi];
            let mut next = state.clone();
            next.tags.insert(v.tag);
            next.blocks.union_with(&v.blocks);
            if let Some(mut rest) = self.fit(&next, from + 1, failed) {
                rest.insert(0, vi as u8);
                return Some(rest);
            }
        }
        if any || state.blocks.contains(a.none) {
            return None;
        }
        let mut next = state.clone();
        next.tags.insert(a.none);
        let mut rest = self.fit(&next, from + 1, failed)?;
        rest.insert(0, NONE);
        Some(rest)
    }

    /// `axis=value` for each axis of a drawn world, for `--explain` and records.
    pub fn describe(&self, drawn: &[u8]) -> Vec<(String, String)> {
        self.axes
            .iter()
            .zip(drawn)
            .map(|(a, &v)| {
                let value = match v {
                    NONE => "none".to_string(),
                    OPEN => "open".to_string(),
                    v => a.values[v as usize].name.clone(),
                };
                (a.name.clone(), value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Library;

    /// The compact value test of [`World::draw`] agrees with the plain one ([`World::admits`])
    /// on random states: random tags, and the tags and blocks of random values.
    #[test]
    fn compact_admission_matches_admits() {
        let lib = Library::builtin().unwrap();
        let w = &lib.world;
        let n = lib.tags.len() as u64;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut yes, mut no) = (0, 0);
        for round in 0..2000 {
            let mut st = State::default();
            for _ in 0..round % 24 {
                st.tags.insert((next() % n) as u32);
                st.blocks.insert((next() % n) as u32);
                let a = &w.axes[(next() % w.axes.len() as u64) as usize];
                let v = &a.values[(next() % a.values.len() as u64) as usize];
                st.tags.insert(v.tag);
                st.blocks.union_with(&v.blocks);
            }
            for (ai, a) in w.axes.iter().enumerate() {
                for (vi, v) in a.values.iter().enumerate() {
                    let c = &w.compact[ai][vi];
                    let admits = w.admits(&st, ai, vi);
                    assert_eq!(c.admitted(&st), admits, "{}={}", a.name, v.name);
                    assert_eq!(c.in_set(&st.blocks), st.blocks.contains(v.tag));
                    if admits { yes += 1 } else { no += 1 }
                }
            }
        }
        // Both answers were tested, many times.
        assert!(yes > 10_000 && no > 10_000, "{yes} {no}");
    }

    /// The search without its memory, as it was: the oracle for [`World::first_fit`]. Gives up
    /// (None in the outer option) after `budget` steps, since a state no world holds can cost
    /// it minutes.
    fn plain_fit(w: &World, state: &State, from: usize, budget: &mut u64) -> Option<Option<Drawn>> {
        *budget = budget.checked_sub(1)?;
        let Some(a) = w.axes.get(from) else {
            return Some(Some(Vec::new()));
        };
        if !w.axes[from..].iter().enumerate().all(|(k, b)| {
            !state.blocks.contains(b.none)
                || (0..b.values.len()).any(|vi| w.admits(state, from + k, vi))
        }) {
            return Some(None);
        }
        let mut any = false;
        for vi in 0..a.values.len() {
            if !w.admits(state, from, vi) {
                continue;
            }
            any = true;
            let mut next = state.clone();
            next.tags.insert(a.values[vi].tag);
            next.blocks.union_with(&a.values[vi].blocks);
            if let Some(mut rest) = plain_fit(w, &next, from + 1, budget)? {
                rest.insert(0, vi as u8);
                return Some(Some(rest));
            }
        }
        if any || state.blocks.contains(a.none) {
            return Some(None);
        }
        let mut next = state.clone();
        next.tags.insert(a.none);
        Some(plain_fit(w, &next, from + 1, budget)?.map(|mut rest| {
            rest.insert(0, NONE);
            rest
        }))
    }

    /// The remembered failures change nothing: on the states the set modes ask about (a
    /// template and two or three random entries of the built-in library), the first fit is
    /// the plain search's, world for world, and both answers occur.
    #[test]
    fn first_fit_matches_the_plain_search() {
        let lib = Library::builtin().unwrap();
        let w = &lib.world;
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let (mut fits, mut none, mut gave_up) = (0, 0, 0);
        for round in 0..2000 {
            let t = &lib.templates[next(lib.templates.len())];
            let mut st = State::default();
            st.add(&t.tags, &t.blocks);
            st.blocks.union_with(&t.world_blocks);
            for _ in 0..2 + round % 2 {
                let c = &lib.categories[next(lib.categories.len())];
                if c.entries.is_empty() {
                    continue;
                }
                let e = &c.entries[next(c.entries.len())];
                st.add(&e.tags, &e.blocks);
            }
            let mut budget = 200_000;
            match plain_fit(w, &st, 0, &mut budget) {
                None => gave_up += 1,
                Some(plain) => {
                    assert_eq!(w.first_fit(&st, 0), plain, "round {round}");
                    if plain.is_some() {
                        fits += 1
                    } else {
                        none += 1
                    }
                }
            }
        }
        eprintln!("first fit: {fits} fit, {none} fit no world, {gave_up} too long to compare");
        assert!(
            fits > 500 && none > 500 && gave_up < 1000,
            "{fits} {none} {gave_up}"
        );
    }

    /// Of two contradicting pins side by side, the second is the head the first qualifies: "a
    /// basement gym" is a gym, "a gym basement" a basement; apart, the first word stands.
    #[test]
    fn the_second_of_two_pins_side_by_side_is_the_head() {
        let lib = Library::builtin().unwrap();
        let w = &lib.world;
        let room = w.axes.iter().position(|a| a.name == "room").unwrap();
        let named = |d: &str| {
            let (pins, _) = w.pins(&crate::matching::words(d));
            let p = pins.iter().find(|p| p.axis == room).unwrap();
            let vs: Vec<&str> = p
                .values
                .iter()
                .map(|&v| w.axes[room].values[v as usize].name.as_str())
                .collect();
            vs.join("|")
        };
        assert_eq!(named("a dim basement gym"), "room-gym");
        assert_eq!(named("a gym basement"), "room-store");
        assert_eq!(named("a basement with a small gym"), "room-store");
    }
}
