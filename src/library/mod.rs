//! The library: vocabulary and scene templates, loaded and validated once, then immutable and
//! shared across threads.
//!
//! Load order is deterministic: the built-in files sorted by path, then each `--library` folder in
//! the order given, its `vocab/` and `templates/` files sorted by name. A category defined again
//! gains the new entries (or is replaced, with `replace: true`); a template defined again replaces
//! the earlier one.

mod bodies;
mod builtin;
pub mod check;
mod frames;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::{Error, Location, Result};
use crate::matching::Matcher;
use crate::rng::fnv1a64_start;
use crate::tags::{TagSet, TagTable};
use crate::text;
use crate::world::World;
use crate::yaml::{self, Locator, RawTemplate, RawVocabFile};

/// Upper bound for one weight, so that sums never overflow.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// Emphasis bounds, in hundredths: `(x:0.1)` to `(x:3)`.
pub const EMPHASIS_RANGE: std::ops::RangeInclusive<i64> = 10..=300;

/// Slot importance when none is given.
pub const DEFAULT_PRIORITY: u32 = 50;

/// How much an association (`with:`) multiplies the weight of the entries it names.
pub const ASSOCIATION_BOOST: u64 = 4;

/// One file of a library, as read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Shown in errors: `builtin:vocab/time.yaml` or the real path.
    pub name: String,
    /// The path inside its library (`vocab/time.yaml`): what the library hash covers, so the
    /// hash does not depend on where a library folder lives.
    pub rel: String,
    pub kind: SourceKind,
    /// The text, with `\r\n` as `\n`; borrowed for built-in files, which need no copy.
    pub text: Cow<'static, str>,
    /// The same content pre-converted to JSON at build time (built-in files only): parsed
    /// instead of `text` because it is much faster.
    pub json: Option<&'static str>,
    /// A built-in vocabulary file pre-converted to the packed form (see `build.rs`): read
    /// instead of `json` or `text`, with no parsing at all.
    pub packed: Option<(&'static [u8], &'static str)>,
}

impl SourceFile {
    /// A file held in memory (embedders, tests): its name is also its path in the library.
    pub fn new(name: impl Into<String>, kind: SourceKind, text: impl Into<String>) -> Self {
        let name = name.into();
        SourceFile {
            rel: name.clone(),
            name,
            kind,
            text: Cow::Owned(text.into()),
            json: None,
            packed: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Vocab,
    Template,
}

/// A vocabulary entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub text: String,
    pub weight: u32,
    /// Own tags plus the category's, without world-axis values: what the entry *is*, for the
    /// admission rule ([`crate::tags::State::admits`]).
    pub tags: TagSet,
    /// Every tag, axis values included: what slot `require`/`exclude` filters test.
    pub filter_tags: TagSet,
    /// Tags this entry conflicts with: its own `conflicts`, those declared for its (non-axis)
    /// tags, and for each world axis it names values of, the axis's other values and `none`.
    pub blocks: TagSet,
    pub tag_names: Vec<String>,
    pub conflict_names: Vec<String>,
    pub aliases: Vec<String>,
    /// Negative-prompt terms that come with this entry.
    pub negative: Vec<String>,
    /// Associations: (category index, entry indices) whose weight is boosted when this entry is
    /// in the scene.
    pub with: Vec<(usize, Vec<usize>)>,
    /// sd/sdxl emphasis in hundredths (115 → `(text:1.15)`), if the entry sets one.
    pub emphasis: Option<u32>,
    pub location: Location,
    /// What the `a` filter puts in front of `text`, worked out the first time it is asked for.
    article: std::sync::OnceLock<&'static str>,
    /// The content words of `text` (see [`crate::repeats`]), worked out when first asked for.
    words: std::sync::OnceLock<Box<[u32]>>,
    /// Every topic of `text`, none exempt (see [`crate::topics::strict_topics`]).
    topics: std::sync::OnceLock<Box<[u32]>>,
    /// The pronoun of the entry's text as a subject, worked out when first asked for.
    pronoun: std::sync::OnceLock<crate::pronoun::Pronoun>,
}

impl Entry {
    /// The hashed content words of the entry's text: a scene prefers entries that repeat
    /// none of the words already in it.
    pub fn words(&self) -> &[u32] {
        self.words.get_or_init(|| {
            let mut v = Vec::new();
            crate::repeats::content_words(&self.text, &mut v);
            v.into_boxed_slice()
        })
    }

    /// Every topic of the entry's text, none exempt: a body's frame around a slot ("The light
    /// is …") prefers entries that say none of its own topics.
    pub fn topics(&self) -> &[u32] {
        self.topics.get_or_init(|| {
            let mut v = Vec::new();
            crate::topics::strict_topics(&self.text, &mut v);
            v.into_boxed_slice()
        })
    }

    /// [`crate::pronoun::of_subject`] of the entry's text (computed once per entry; prose
    /// bodies ask for the subject's pronoun in every prompt).
    pub fn pronoun(&self) -> crate::pronoun::Pronoun {
        *self
            .pronoun
            .get_or_init(|| crate::pronoun::of_subject(&self.text))
    }

    /// What [`crate::text::with_article`] puts in front of the entry's text: `""`, `"a "` or
    /// `"an "` (computed once per entry; prose bodies ask for it in every prompt).
    pub fn article(&self) -> &'static str {
        self.article.get_or_init(|| {
            let text = self.text.trim();
            match crate::text::with_article(text).strip_suffix(text) {
                Some("an ") => "an ",
                Some("a ") => "a ",
                _ => "",
            }
        })
    }
}

#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    pub description: String,
    pub entries: Vec<Entry>,
    /// Per entry, its text parsed as a dynamic template when it has syntax (`{soft|warm}
    /// light`), expanded per prompt by [`crate::scene`]. Empty when no entry has any. Kept
    /// beside the entries, not in them, so that the entries drawing walks stay as compact.
    pub dynamic: Vec<Option<crate::dynamic::Template>>,
    pub location: Location,
}

impl Category {
    /// Entry `e`'s dynamic template, if its text has syntax.
    #[inline]
    pub fn dynamic(&self, e: usize) -> Option<&crate::dynamic::Template> {
        self.dynamic.get(e).and_then(Option::as_ref)
    }
}

/// A slot of a scene template.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub category: usize,
    /// Percent chance of being filled.
    pub chance: u32,
    pub min: u32,
    pub max: u32,
    pub require: TagSet,
    pub exclude: TagSet,
    /// Picks go into the negative prompt, not the body.
    pub negative: bool,
    /// sd/sdxl emphasis in hundredths for the slot's picks (an entry's own wins).
    pub emphasis: Option<u32>,
    /// Importance when a prompt is shortened (0–100, default [`DEFAULT_PRIORITY`]).
    pub priority: u32,
    /// The slot says where the scene is (`role: setting`): a place the user names replaces it.
    pub setting: bool,
    /// The slot says what the subject does (`role: action`): an action the user names
    /// ("a cat reading a newspaper") replaces it.
    pub action: bool,
    /// The slot furnishes a place of the kind this world axis names (`scenery: room`): when
    /// the description names a place but no value of the axis ("in an indoor arena"), the
    /// slot stays empty rather than furnish some other kind of place.
    pub scenery: Option<usize>,
    /// Every body writes the slot only under `{% if NAME %}`, so it may stay empty when the
    /// user's words already say what it would (computed once the bodies are read).
    pub guarded: bool,
    /// Entries of the category that pass the filters and the template's tags (precomputed, so
    /// drawing only has to test the scene's state).
    pub pool: Vec<u32>,
    /// The same without `require` (used when the requirement has to be relaxed).
    pub relaxed_pool: Vec<u32>,
    /// Running totals of the pool's weights, for drawing from it by binary search.
    pub pool_cumulative: Vec<u64>,
    /// The pool's entries laid out for the admission rule (see [`crate::admission`]).
    pub pool_table: crate::admission::PoolTable,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct SceneTemplate {
    pub name: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub weight: u32,
    pub fallback: bool,
    /// Description tags under which the template is passed over (see `RawTemplate::avoid`).
    pub avoid: Vec<String>,
    /// Things too large for the template's frame, folded (see `RawTemplate::gives_way_to`).
    pub gives_way_to: Vec<String>,
    /// The template's tags, without world-axis values (as for entries).
    pub tags: TagSet,
    /// What the template's tags conflict with, by declaration.
    pub blocks: TagSet,
    /// The world axes the template's tags pin (`indoor`), as blocks; the user's words pin over
    /// them.
    pub world_blocks: TagSet,
    /// Every tag of the template, axis values included.
    pub filter_tags: TagSet,
    pub tag_names: Vec<String>,
    pub aspect: String,
    pub negative: Vec<String>,
    pub slots: Vec<Slot>,
    /// Names of the compiled Tera bodies.
    pub bodies: Vec<String>,
    /// The same bodies compiled to the fast subset, where they fit it (see [`crate::body`]).
    pub fast_bodies: Vec<Option<crate::body::Body>>,
    pub body_sources: Vec<String>,
    /// Where each body starts in its file.
    pub body_locations: Vec<Location>,
    /// Per body: its runs of dynamic syntax (`{gently|slowly}`), which Tera sees as `DYN_k`
    /// (see [`crate::body::split_dynamic`]); empty for bodies without any.
    pub body_dynamic: Vec<Vec<crate::dynamic::Template>>,
    /// Per body: the topics it says in its own words (see [`crate::topics`]).
    pub body_topics: Vec<crate::topics::BodyTopics>,
    pub location: Location,
}

impl SceneTemplate {
    pub fn slot_index(&self, name: &str) -> Option<usize> {
        self.slots.iter().position(|s| s.name == name)
    }
}

/// A loaded, validated library.
pub struct Library {
    /// The world axes every scene fixes before its slots.
    pub world: World,
    pub categories: Vec<Category>,
    category_index: BTreeMap<String, usize>,
    pub templates: Vec<SceneTemplate>,
    pub tags: TagTable,
    /// Per tag id: the tags it conflicts with by declaration.
    pub tag_blocks: Vec<TagSet>,
    /// Tag-level conflicts as declared: (tag, conflicting tags, where declared).
    pub tag_conflicts: Vec<(u32, Vec<u32>, Location)>,
    pub(crate) tera: bodies::TeraBodies,
    pub(crate) matcher: Matcher,
    hash: String,
    pub sources: Vec<SourceFile>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("categories", &self.categories.len())
            .field("templates", &self.templates.len())
            .field("hash", &self.hash)
            .finish()
    }
}

impl Library {
    /// The built-in library alone.
    pub fn builtin() -> Result<Library> {
        Library::load(&[])
    }

    /// The built-in library with each folder in `dirs` layered over it, in order.
    pub fn load(dirs: &[PathBuf]) -> Result<Library> {
        Library::load_with(true, dirs)
    }

    /// The folders in `dirs`, layered in order, over the built-in library when `builtin`.
    pub fn load_with(builtin: bool, dirs: &[PathBuf]) -> Result<Library> {
        Library::load_spelled(builtin, dirs, text::Spelling::default())
    }

    /// [`Library::load_with`], with the library's own text (entries and template bodies)
    /// written in `spelling`. Nothing but the wording changes: the same seed draws the same
    /// entries in either spelling.
    pub fn load_spelled(
        builtin: bool,
        dirs: &[PathBuf],
        spelling: text::Spelling,
    ) -> Result<Library> {
        let mut sources = if builtin {
            builtin::sources()
        } else {
            Vec::new()
        };
        for d in dirs {
            sources.extend(read_dir_sources(d)?);
        }
        Library::from_sources_spelled(sources, spelling)
    }

    /// Builds a library from files already in memory (used by tests and embedders).
    pub fn from_sources(sources: Vec<SourceFile>) -> Result<Library> {
        compile(sources, text::Spelling::default())
    }

    /// [`Library::from_sources`] in `spelling` (see [`Library::load_spelled`]).
    pub fn from_sources_spelled(
        sources: Vec<SourceFile>,
        spelling: text::Spelling,
    ) -> Result<Library> {
        compile(sources, spelling)
    }

    /// A content hash of every loaded file (names and bytes, in load order): 16 hex digits.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn category(&self, name: &str) -> Option<&Category> {
        self.category_index.get(name).map(|i| &self.categories[*i])
    }

    pub fn category_names(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().map(|c| c.name.as_str())
    }

    pub fn template(&self, name: &str) -> Result<&SceneTemplate> {
        self.templates
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::UnknownTemplate {
                name: name.to_string(),
                suggestions: crate::suggest::close_matches(
                    name,
                    self.templates.iter().map(|t| t.name.as_str()),
                ),
            })
    }

    pub fn template_index(&self, name: &str) -> Result<usize> {
        let t = self.template(name)?;
        Ok(self
            .templates
            .iter()
            .position(|x| std::ptr::eq(x, t))
            .unwrap_or(0))
    }

    pub fn entry_count(&self) -> usize {
        self.categories.iter().map(|c| c.entries.len()).sum()
    }
}

fn read_dir_sources(dir: &Path) -> Result<Vec<SourceFile>> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::LibraryPath {
        path: dir.to_path_buf(),
        reason: format!("cannot be read: {e}"),
    })?;
    if !meta.is_dir() {
        return Err(Error::LibraryPath {
            path: dir.to_path_buf(),
            reason: "is not a folder (expected a folder with `vocab/` and/or `templates/`)".into(),
        });
    }
    // Symlinks may not lead out of the library folder (see `docs/library.md`).
    let canon = std::fs::canonicalize(dir).map_err(|e| Error::LibraryPath {
        path: dir.to_path_buf(),
        reason: format!("cannot be read: {e}"),
    })?;
    let mut out = Vec::new();
    let mut found_any = false;
    for (sub, kind) in [
        ("vocab", SourceKind::Vocab),
        ("templates", SourceKind::Template),
    ] {
        let d = dir.join(sub);
        if !d.is_dir() {
            continue;
        }
        found_any = true;
        crate::dynamic::wildcards::inside_root(&d, dir, &canon)?;
        let rd = std::fs::read_dir(&d).map_err(|e| Error::Io {
            path: d.clone(),
            source: e,
        })?;
        let mut paths: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for p in paths {
            crate::dynamic::wildcards::inside_root(&p, dir, &canon)?;
            let bytes = std::fs::read(&p).map_err(|e| Error::Io {
                path: p.clone(),
                source: e,
            })?;
            // A UTF-8 byte-order mark (written by some Windows editors) is not part of the text.
            let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => rest.to_vec(),
                None => bytes,
            };
            let text = String::from_utf8(bytes).map_err(|_| Error::Invalid {
                location: Location::file_only(p.display().to_string()),
                message: "file is not valid UTF-8".into(),
            })?;
            let file_name = p
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(SourceFile {
                rel: format!("{sub}/{file_name}"),
                name: p.display().to_string(),
                kind,
                text: Cow::Owned(text.replace("\r\n", "\n")),
                json: None,
                packed: None,
            });
        }
    }
    if !found_any {
        return Err(Error::LibraryPath {
            path: dir.to_path_buf(),
            reason: "has neither a `vocab/` nor a `templates/` folder".into(),
        });
    }
    Ok(out)
}

/// Tag ids and what each tag blocks by declaration, remembered by name: the entry loop looks
/// the same few hundred tags up thousands of times, and a hash lookup is cheaper than
/// [`TagTable::intern`]'s ordered map. Tags are still interned at first sight, in the same order.
struct TagIds<'a> {
    declared: &'a BTreeMap<u32, Vec<u32>>,
    seen: std::collections::HashMap<String, (u32, TagSet), BuildHasherDefault<Fnv>>,
}

/// FNV-1a as a `Hasher` for [`TagIds`]: faster than SipHash on short tag names, and the map is
/// only looked up, never iterated, so its order cannot reach output.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let start = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        self.0 = crate::rng::fnv1a64(bytes, start);
    }
}

impl<'a> TagIds<'a> {
    fn new(declared: &'a BTreeMap<u32, Vec<u32>>) -> Self {
        TagIds {
            declared,
            seen: std::collections::HashMap::default(),
        }
    }

    /// The id of `tag` (interned in `tags` if new) and the tags it blocks. A tag is checked
    /// (`check_tag_name`, error at `loc`) the first time it is seen.
    fn checked(&mut self, tags: &mut TagTable, tag: &str, loc: &Location) -> Result<(u32, TagSet)> {
        if let Some(&found) = self.seen.get(tag) {
            return Ok(found);
        }
        check_tag_name(tag, loc)?;
        let id = tags.intern(tag);
        let mut blocks = TagSet::default();
        for b in self.declared.get(&id).into_iter().flatten() {
            blocks.insert(*b);
        }
        self.seen.insert(tag.to_string(), (id, blocks));
        Ok((id, blocks))
    }
}

/// A file's category tags as applied to an entry: (the tags as written, their set, what they
/// block, their names without repeats).
type CategoryTags = (Rc<[String]>, TagSet, TagSet, Vec<String>);

/// A category while files are being merged.
struct PendingCategory {
    name: String,
    description: String,
    location: Location,
    /// Each entry with its category's tags (shared by the entries of one file's category).
    entries: Vec<(yaml::RawEntry, Rc<[String]>, Location)>,
}

pub(crate) fn invalid(location: Location, message: impl Into<String>) -> Error {
    Error::Invalid {
        location,
        message: message.into(),
    }
}

fn compile(sources: Vec<SourceFile>, spelling: text::Spelling) -> Result<Library> {
    let mut tags = TagTable::default();
    let mut declared: BTreeMap<String, (Vec<String>, Location)> = BTreeMap::new();
    let mut pending: Vec<PendingCategory> = Vec::new();
    let mut raw_templates: Vec<(RawTemplate, String, Cow<str>)> = Vec::new(); // (raw, file, src)
    let mut raw_axes: Vec<(String, yaml::RawAxis, Location)> = Vec::new();
    let mut frames = frames::Frames::default();

    let (skip, mut h) = builtin::hash_prefix(&sources).unwrap_or((0, 0xcbf2_9ce4_8422_2325u64));
    for s in &sources[skip..] {
        h = crate::rng::fnv1a64(s.rel.as_bytes(), h);
        h = crate::rng::fnv1a64(&[0], h);
        h = crate::rng::fnv1a64(s.text.as_bytes(), h);
        h = crate::rng::fnv1a64(&[0], h);
    }
    let hash = format!("{h:016x}");

    for s in &sources {
        match s.kind {
            SourceKind::Vocab => {
                let raw: RawVocabFile = match (s.packed, s.json) {
                    (Some((bytes, strs)), _) => yaml::vocab_from_packed(&s.name, bytes, strs)?,
                    (None, Some(json)) => yaml::vocab_from_json(&s.name, json)?,
                    (None, None) => yaml::parse_vocab(&s.name, &s.text)?,
                };
                if !raw.frames.0.is_empty() {
                    let mut floc = Locator::new(&s.name, &s.text);
                    floc.next("frames:");
                    for (name, f) in raw.frames.0 {
                        frames.add(name, f, &mut floc)?;
                    }
                }
                let mut loc = Locator::new(&s.name, &s.text);
                for (name, axis) in raw.axes.0 {
                    let aloc = loc.next(&format!("{name}:"));
                    raw_axes.push((name, axis, aloc));
                }
                for (tag, conflicts) in raw.tags.0 {
                    let tloc = loc.next(&format!("{tag}:"));
                    check_tag_name(&tag, &tloc)?;
                    let (list, _) = declared.entry(tag).or_insert_with(|| (Vec::new(), tloc));
                    for c in conflicts.0 {
                        if !list.contains(&c) {
                            list.push(c);
                        }
                    }
                }
                for (name, cat) in raw.categories.0 {
                    let cloc = loc.next(&format!("{name}:"));
                    check_ident(&name, "category", cloc.clone())?;
                    let mut entries = Vec::with_capacity(cat.entries.len());
                    let cat_tags: Rc<[String]> = cat.tags.into();
                    for e in cat.entries {
                        let eloc = loc.next(&e.text);
                        entries.push((e, Rc::clone(&cat_tags), eloc));
                    }
                    match pending.iter_mut().find(|p| p.name == name) {
                        Some(p) if !cat.replace => {
                            if !cat.description.is_empty() {
                                p.description = cat.description;
                            }
                            p.entries.extend(entries);
                        }
                        Some(p) => {
                            p.description = cat.description;
                            p.location = cloc;
                            p.entries = entries;
                        }
                        None => pending.push(PendingCategory {
                            name,
                            description: cat.description,
                            location: cloc,
                            entries,
                        }),
                    }
                }
            }
            SourceKind::Template => {
                let raw = match s.json {
                    Some(json) => yaml::template_from_json(&s.name, json)?,
                    None => yaml::parse_template(&s.name, &s.text)?,
                };
                raw_templates.retain(|(t, _, _)| t.name != raw.name);
                raw_templates.push((raw, s.name.clone(), s.text.clone()));
            }
        }
    }

    // Tag-level conflicts, interned in a deterministic order.
    let mut tag_conflicts = Vec::new();
    let mut tag_blocks: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (tag, (conflicts, loc)) in &declared {
        let id = tags.intern(tag);
        let cs: Vec<u32> = conflicts.iter().map(|c| tags.intern(c)).collect();
        tag_blocks.entry(id).or_default().extend(cs.iter().copied());
        tag_conflicts.push((id, cs, loc.clone()));
    }

    let (mut world, axis_categories) = compile_axes(raw_axes, &mut tags, &tag_blocks)?;

    // Categories and entries.
    let mut tag_ids = TagIds::new(&tag_blocks);
    let mut categories = Vec::new();
    let mut category_index = BTreeMap::new();
    let mut pending_with: Vec<(usize, usize, yaml::OrderedMap<yaml::OneOrMany>)> = Vec::new();
    for (ci, p) in pending.into_iter().enumerate() {
        let mut dynamics = Vec::new();
        let mut total: u64 = 0;
        let mut entries = Vec::with_capacity(p.entries.len());
        let mut cat_cache: Option<CategoryTags> = None;
        for (ei, (mut e, cat_tags, loc)) in p.entries.into_iter().enumerate() {
            let text = normalized(std::mem::take(&mut e.text));
            if text.is_empty() {
                return Err(invalid(
                    loc,
                    format!("empty entry text in category `{}`", p.name),
                ));
            }
            let w = e.weight.unwrap_or(1);
            if w < 0 {
                return Err(invalid(
                    loc,
                    format!(
                        "entry `{text}` has a negative weight ({w}); weights are whole numbers ≥ 0"
                    ),
                ));
            }
            if w > MAX_WEIGHT {
                return Err(invalid(
                    loc,
                    format!("entry `{text}` has weight {w}, above the maximum of {MAX_WEIGHT}"),
                ));
            }
            total += w as u64;
            // The category's tags are the same for all its entries: checked and interned at the
            // first one, then reused (interning order, hence tag ids, is unchanged).
            let (mut tset, mut bset, mut tag_names) = match &cat_cache {
                Some((rc, ts, bs, names)) if Rc::ptr_eq(rc, &cat_tags) => (*ts, *bs, names.clone()),
                _ => {
                    let mut ts = TagSet::default();
                    let mut bs = TagSet::default();
                    let mut names: Vec<String> = Vec::new();
                    for t in cat_tags.iter() {
                        let (id, blocks) = tag_ids.checked(&mut tags, t, &loc)?;
                        if !names.contains(t) {
                            names.push(t.clone());
                        }
                        ts.insert(id);
                        // An axis value's conflicts are the world's business (see `world`).
                        if !world.mask.contains(id) {
                            bs.union_with(&blocks);
                        }
                    }
                    cat_cache = Some((Rc::clone(&cat_tags), ts, bs, names.clone()));
                    (ts, bs, names)
                }
            };
            for t in std::mem::take(&mut e.tags) {
                let (id, blocks) = tag_ids.checked(&mut tags, &t, &loc)?;
                tset.insert(id);
                if !world.mask.contains(id) {
                    bset.union_with(&blocks);
                }
                if !tag_names.contains(&t) {
                    tag_names.push(t);
                }
            }
            for c in &e.conflicts {
                bset.insert(tag_ids.checked(&mut tags, c, &loc)?.0);
            }
            if !e.with.0.is_empty() {
                pending_with.push((ci, ei, std::mem::take(&mut e.with)));
            }
            let emphasis = check_emphasis(e.emphasis, &loc, || format!("entry `{text}`"))?;
            // Syntax needs a `{` or `_`; most entries have neither, and skip the full test.
            let maybe_syntax = text.bytes().any(|b| b == b'{' || b == b'_');
            dynamics.push(
                if maybe_syntax && crate::dynamic::inline::entry_has_syntax(&text) {
                    Some(crate::dynamic::inline::parse_located(
                        &text,
                        &loc.file,
                        source_text(&sources, &loc.file),
                        loc.line,
                        loc.column,
                    )?)
                } else {
                    None
                },
            );
            let filter_tags = tset;
            let tset = world.split(&tset, &mut bset);
            entries.push(Entry {
                text,
                weight: w as u32,
                filter_tags,
                tags: tset,
                blocks: bset,
                tag_names,
                conflict_names: e.conflicts,
                aliases: e
                    .aliases
                    .into_iter()
                    .map(normalized_lowercase)
                    .filter(|a| !a.is_empty())
                    .collect(),
                negative: e.negative.into_iter().map(normalized).collect(),
                with: Vec::new(),
                emphasis,
                location: loc,
                article: std::sync::OnceLock::new(),
                words: Default::default(),
                topics: Default::default(),
                pronoun: std::sync::OnceLock::new(),
            });
        }
        if total == 0 {
            return Err(invalid(
                p.location.clone(),
                if entries.is_empty() {
                    format!("category `{}` has no entries", p.name)
                } else {
                    format!(
                        "category `{}` has weights that sum to 0; at least one entry needs a positive weight",
                        p.name
                    )
                },
            ));
        }
        category_index.insert(p.name.clone(), ci);
        if dynamics.iter().all(Option::is_none) {
            dynamics.clear();
        }
        categories.push(Category {
            name: p.name,
            description: p.description,
            entries,
            dynamic: dynamics,
            location: p.location,
        });
    }

    // Associations refer to entries by text; resolve them now that every category exists.
    for (ci, ei, with) in pending_with {
        let mut resolved = Vec::new();
        for (cat, texts) in with.0 {
            let loc = categories[ci].entries[ei].location.clone();
            let Some(&target) = category_index.get(&cat) else {
                return Err(Error::Invalid {
                    location: loc,
                    message: format!(
                        "`with` names unknown category `{cat}`{}",
                        crate::error::did_you_mean(&crate::suggest::close_matches(
                            &cat,
                            categories.iter().map(|c| c.name.as_str())
                        ))
                    ),
                });
            };
            let mut idx = Vec::new();
            for t in texts.0 {
                let t = text::normalize_space(&t);
                match categories[target].entries.iter().position(|e| e.text == t) {
                    Some(i) => idx.push(i),
                    None => {
                        return Err(invalid(
                            loc,
                            format!(
                                "`with` names `{t}`, which is not an entry of category `{cat}`"
                            ),
                        ));
                    }
                }
            }
            resolved.push((target, idx));
        }
        categories[ci].entries[ei].with = resolved;
    }

    // Axes name the categories that set them; resolve them now that every category exists.
    for (ai, names) in axis_categories.into_iter().enumerate() {
        for (name, loc) in names {
            let Some(&c) = category_index.get(&name) else {
                return Err(Error::UnknownCategory {
                    location: loc,
                    place: format!("axis `{}`", world.axes[ai].name),
                    category: name.clone(),
                    suggestions: crate::suggest::close_matches(
                        &name,
                        categories.iter().map(|c| c.name.as_str()),
                    ),
                });
            };
            world.axes[ai].categories.push(c);
        }
    }

    // Templates.
    frames.respell(spelling);
    let mut tera = bodies::TeraBodies::default();
    let mut templates = Vec::with_capacity(raw_templates.len());
    for (raw, file, src) in raw_templates {
        templates.push(compile_template(
            raw,
            &file,
            &src,
            &mut tags,
            &tag_blocks,
            &world,
            (&categories, &category_index),
            (&mut tera, spelling, &frames),
        )?);
    }
    if templates.is_empty() {
        return Err(Error::NoTemplates);
    }
    if tags.len() > crate::tags::MAX_TAGS {
        return Err(invalid(
            Location::file_only("library"),
            format!(
                "the library uses {} distinct tags; at most {} are supported",
                tags.len(),
                crate::tags::MAX_TAGS
            ),
        ));
    }

    let mut tag_block_sets = vec![TagSet::default(); tags.len()];
    for (id, bs) in &tag_blocks {
        for b in bs {
            tag_block_sets[*id as usize].insert(*b);
        }
    }
    let mut lib = Library {
        world,
        tag_blocks: tag_block_sets,
        categories,
        category_index,
        templates,
        tags,
        tag_conflicts,
        tera,
        matcher: Matcher::default(),
        hash,
        sources,
    };
    lib.matcher = Matcher::build(&lib);
    // Entries as they are written into prompts: in one spelling, proper nouns capitalised. After
    // the matcher (which folds case and spelling alike) and the `with` links (which name
    // entries as written), so that neither depends on the spelling.
    for c in &mut lib.categories {
        for (ei, e) in c.entries.iter_mut().enumerate() {
            let t = text::library_text(&e.text, spelling);
            if t == e.text {
                continue;
            }
            e.text = t;
            if let Some(Some(_)) = c.dynamic.get(ei) {
                let loc = &e.location;
                c.dynamic[ei] = Some(crate::dynamic::inline::parse_located(
                    &e.text,
                    &loc.file,
                    source_text(&lib.sources, &loc.file),
                    loc.line,
                    loc.column,
                )?);
            }
        }
    }
    validate_bodies(&lib)?;
    Ok(lib)
}

/// The world axes, their value tags interned after the declared tags. Returns the world and,
/// per axis, the categories it names (resolved once categories exist).
#[allow(clippy::type_complexity)]
fn compile_axes(
    raw_axes: Vec<(String, yaml::RawAxis, Location)>,
    tags: &mut TagTable,
    tag_blocks: &BTreeMap<u32, Vec<u32>>,
) -> Result<(World, Vec<Vec<(String, Location)>>)> {
    let mut axes: Vec<crate::world::Axis> = Vec::new();
    let mut axis_categories: Vec<Vec<(String, Location)>> = Vec::new();
    let mut aliases: Vec<(String, usize, u8)> = Vec::new();
    let mut said_by: Vec<(String, usize)> = Vec::new();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for (name, raw, loc) in raw_axes {
        check_ident(&name, "axis", loc.clone())?;
        let ai = match axes.iter().position(|a| a.name == name) {
            Some(i) => i,
            None => {
                let none = tags.intern(&format!("no-{name}"));
                let mut mask = TagSet::default();
                mask.insert(none);
                axes.push(crate::world::Axis {
                    name: name.clone(),
                    description: String::new(),
                    values: Vec::new(),
                    none,
                    mask,
                    categories: Vec::new(),
                    restate: false,
                    hints: false,
                    from_action: false,
                    location: loc.clone(),
                });
                axis_categories.push(Vec::new());
                axes.len() - 1
            }
        };
        if !raw.description.is_empty() {
            axes[ai].description = text::normalize_space(&raw.description);
        }
        axes[ai].restate |= raw.restate;
        axes[ai].hints |= raw.hints;
        axes[ai].from_action |= raw.from_action;
        for phrase in raw.said_by {
            said_by.push((normalized_lowercase(phrase), ai));
        }
        for c in raw.categories {
            axis_categories[ai].push((c, loc.clone()));
        }
        if raw.values.0.is_empty() && axes[ai].values.is_empty() {
            return Err(invalid(loc, format!("axis `{name}` has no values")));
        }
        for (vname, v) in raw.values.0 {
            check_tag_name(&vname, &loc)?;
            if let Some(other) = owner.get(&vname) {
                if *other != name {
                    return Err(invalid(
                        loc,
                        format!(
                            "value `{vname}` of axis `{name}` is already a value of axis `{other}`; a value belongs to one axis"
                        ),
                    ));
                }
                continue;
            }
            let w = v.weight.unwrap_or(1);
            let dw = v.described.unwrap_or(w);
            for w in [w, dw] {
                if !(0..=MAX_WEIGHT).contains(&w) {
                    return Err(invalid(
                        loc,
                        format!(
                            "axis `{name}`, value `{vname}`: weight {w} must be a whole number from 0 to {MAX_WEIGHT}"
                        ),
                    ));
                }
            }
            if axes[ai].values.len() >= usize::from(crate::world::OPEN) {
                return Err(invalid(loc, format!("axis `{name}` has too many values")));
            }
            owner.insert(vname.clone(), name.clone());
            let tag = tags.intern(&vname);
            let mut blocks = TagSet::default();
            for b in tag_blocks.get(&tag).into_iter().flatten() {
                blocks.insert(*b);
            }
            let vi = axes[ai].values.len() as u8;
            // The value's name pins it only when it lists no aliases of its own: "close",
            // "glow" and "hard" are everyday words ("close to the water", "the red glow of a
            // forge", "a hard hat").
            if v.aliases.0.is_empty() {
                aliases.push((vname.replace('-', " "), ai, vi));
            }
            for a in v.aliases.0 {
                aliases.push((normalized_lowercase(a), ai, vi));
            }
            axes[ai].mask.insert(tag);
            axes[ai].values.push(crate::world::Value {
                name: vname,
                tag,
                weight: w as u32,
                described: dw as u32,
                blocks,
            });
        }
    }
    Ok((World::new(axes, aliases, said_by), axis_categories))
}

/// Whether a body asks about slot `name` in an `if` or `elif` condition, so it can be written
/// without it ("{% if light %}", "{% elif light and mood %}").
#[cfg(test)]
fn tests_slot(body: &str, name: &str) -> bool {
    tested_words(body).contains(&name)
}

/// The words of a body's `if` and `elif` conditions (after the keyword, without brackets):
/// [`tests_slot`] for every slot at once.
fn tested_words(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for tag in body.split("{%").skip(1) {
        let cond = tag.split("%}").next().unwrap_or("").trim_start_matches('-');
        let mut ws = cond.split_whitespace();
        if matches!(ws.next(), Some("if" | "elif")) {
            out.extend(ws.map(|w| w.trim_matches(|c: char| c == '(' || c == ')')));
        }
    }
    out
}

/// `text::normalize_space`, keeping the string when it is already normalized (nearly always).
fn normalized(s: String) -> String {
    // Printable ASCII with single inner spaces is normalized; anything else takes the general
    // test below.
    let mut after_space = true;
    let mut plain = true;
    for &b in s.as_bytes() {
        if b == b' ' {
            if after_space {
                plain = false;
                break;
            }
            after_space = true;
        } else if !(0x20..0x7f).contains(&b) {
            plain = false;
            break;
        } else {
            after_space = false;
        }
    }
    if plain && (!after_space || s.is_empty()) {
        return s;
    }
    let mut after_space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if c != ' ' || after_space {
                return text::normalize_space(&s);
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    if after_space && !s.is_empty() {
        return text::normalize_space(&s);
    }
    s
}

/// `text::normalize_space(s).to_lowercase()`, keeping an ASCII string that needs neither.
fn normalized_lowercase(s: String) -> String {
    if !s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        normalized(s)
    } else {
        text::normalize_space(&s).to_lowercase()
    }
}

/// The text of the loaded file called `name` (empty when unknown).
fn source_text<'s>(sources: &'s [SourceFile], name: &str) -> &'s str {
    sources
        .iter()
        .find(|s| s.name == name)
        .map_or("", |s| &*s.text)
}

pub(crate) fn check_ident(name: &str, what: &str, loc: Location) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(invalid(
            loc,
            format!(
                "{what} name `{name}` must use lowercase letters, digits and `_`, and not start with a digit"
            ),
        ))
    }
}

/// `what` names the owner in the error message; only called on error.
fn check_emphasis(
    e: Option<i64>,
    loc: &Location,
    what: impl FnOnce() -> String,
) -> Result<Option<u32>> {
    match e {
        None => Ok(None),
        Some(v) if EMPHASIS_RANGE.contains(&v) => Ok(Some(v as u32)),
        Some(v) => Err(invalid(
            loc.clone(),
            format!(
                "{}: emphasis {v} is out of range; it is in hundredths from {} to {} (115 means (term:1.15))",
                what(),
                EMPHASIS_RANGE.start(),
                EMPHASIS_RANGE.end()
            ),
        )),
    }
}

fn check_tag_name(name: &str, loc: &Location) -> Result<()> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == ',') {
        Err(invalid(
            loc.clone(),
            format!("tag `{name}` must be a single word (no spaces or commas)"),
        ))
    } else {
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn compile_template(
    raw: RawTemplate,
    file: &str,
    src: &str,
    tags: &mut TagTable,
    tag_blocks: &BTreeMap<u32, Vec<u32>>,
    world: &World,
    (categories, category_index): (&[Category], &BTreeMap<String, usize>),
    (tera, spelling, frames): (&mut bodies::TeraBodies, text::Spelling, &frames::Frames),
) -> Result<SceneTemplate> {
    let mut loc = Locator::new(file, src);
    let tloc = loc.next(&raw.name);
    check_ident(&raw.name, "template", tloc.clone())?;
    let weight = raw.weight.unwrap_or(1);
    if !(0..=MAX_WEIGHT).contains(&weight) {
        return Err(invalid(
            tloc,
            format!("template weight {weight} must be a whole number from 0 to {MAX_WEIGHT}"),
        ));
    }
    let mut tset = TagSet::default();
    let mut bset = TagSet::default();
    for t in &raw.tags {
        check_tag_name(t, &tloc)?;
        let id = tags.intern(t);
        tset.insert(id);
        if world.mask.contains(id) {
            continue;
        }
        for b in tag_blocks.get(&id).into_iter().flatten() {
            bset.insert(*b);
        }
    }
    // Axis values among the template's tags pin the world (`indoor`); the pools below are
    // judged in the world they leave where they pin an axis to one value.
    let all_tags = tset;
    let mut world_blocks = TagSet::default();
    let tset = world.split(&all_tags, &mut world_blocks);
    let mut pool_state = crate::tags::State::default();
    pool_state.add(&tset, &bset);
    pool_state.blocks.union_with(&world_blocks);
    for a in &world.axes {
        let named: Vec<&crate::world::Value> = a
            .values
            .iter()
            .filter(|v| all_tags.contains(v.tag))
            .collect();
        if let [v] = named[..] {
            pool_state.tags.insert(v.tag);
            pool_state.blocks.union_with(&v.blocks);
        }
    }
    let mut slots = Vec::with_capacity(raw.slots.0.len());
    let mut pool_bufs: (Vec<u32>, Vec<u32>, Vec<u64>) = Default::default();
    for (name, s) in raw.slots.0 {
        let sloc = loc.next(&format!("{name}:"));
        check_ident(&name, "slot", sloc.clone())?;
        let Some(&category) = category_index.get(&s.category) else {
            let cloc = loc.next(&s.category);
            return Err(Error::UnknownCategory {
                location: cloc,
                place: format!("template `{}`, slot `{name}`", raw.name),
                category: s.category.clone(),
                suggestions: crate::suggest::close_matches(
                    &s.category,
                    categories.iter().map(|c| c.name.as_str()),
                ),
            });
        };
        let chance = s.chance.unwrap_or(100);
        if !(0..=100).contains(&chance) {
            return Err(invalid(
                sloc,
                format!("slot `{name}`: chance {chance} must be a percentage from 0 to 100"),
            ));
        }
        let (min, max) = parse_count(s.count.as_ref())
            .map_err(|m| invalid(sloc.clone(), format!("slot `{name}`: {m}")))?;
        let mut require = TagSet::default();
        for t in &s.require {
            require.insert(tags.intern(t));
        }
        let mut exclude = TagSet::default();
        for t in &s.exclude {
            exclude.insert(tags.intern(t));
        }
        let emphasis = check_emphasis(s.emphasis, &sloc, || format!("slot `{name}`"))?;
        let priority = s.priority.unwrap_or(i64::from(DEFAULT_PRIORITY));
        if !(0..=100).contains(&priority) {
            return Err(invalid(
                sloc,
                format!("slot `{name}`: priority {priority} must be a whole number from 0 to 100"),
            ));
        }
        let (setting, action) = match s.role.as_deref() {
            None => (false, false),
            Some("setting") => (true, false),
            Some("action") => (false, true),
            Some(other) => {
                return Err(invalid(
                    sloc,
                    format!(
                        "slot `{name}`: unknown role `{other}` (a role is `setting` or `action`)"
                    ),
                ));
            }
        };
        let scenery = match s.scenery.as_deref() {
            None => None,
            Some(axis) => match world.axes.iter().position(|a| a.name == axis) {
                Some(a) => Some(a),
                None => {
                    let names: Vec<&str> = world.axes.iter().map(|a| a.name.as_str()).collect();
                    return Err(invalid(
                        loc.next(axis),
                        format!(
                            "slot `{name}`: `scenery: {axis}` names no world axis (the axes are {})",
                            names.join(", ")
                        ),
                    ));
                }
            },
        };
        let base = &pool_state;
        // One pass fills both pools: the relaxed one drops only `require`.
        let entries = &categories[category].entries;
        // Filled in reused buffers, then copied at their exact size: one allocation each.
        let (pool, relaxed_pool, pool_cumulative) = &mut pool_bufs;
        pool.clear();
        relaxed_pool.clear();
        pool_cumulative.clear();
        let mut total = 0u64;
        for (i, e) in entries.iter().enumerate() {
            if e.weight > 0
                && base.admits(&e.tags, &e.blocks)
                && !e.filter_tags.intersects(&exclude)
            {
                relaxed_pool.push(i as u32);
                if e.filter_tags.is_superset(&require) {
                    pool.push(i as u32);
                    total += u64::from(e.weight);
                    pool_cumulative.push(total);
                }
            }
        }
        slots.push(Slot {
            name,
            category,
            chance: chance as u32,
            min,
            max,
            require,
            exclude,
            negative: s.negative,
            emphasis,
            priority: priority as u32,
            setting,
            action,
            scenery,
            guarded: false,
            pool: pool.clone(),
            relaxed_pool: relaxed_pool.clone(),
            pool_cumulative: pool_cumulative.clone(),
            pool_table: crate::admission::PoolTable::new(pool.iter().map(|&e| {
                let e = &entries[e as usize];
                (&e.tags, &e.blocks)
            })),
            location: sloc,
        });
    }
    if !slots.iter().any(|s| s.name == "subject") {
        return Err(invalid(
            tloc,
            format!(
                "template `{}` has no `subject` slot; every template needs one (the user's own words go there)",
                raw.name
            ),
        ));
    }
    if raw.bodies.is_empty() {
        return Err(invalid(
            tloc,
            format!("template `{}` has no bodies", raw.name),
        ));
    }
    let mut bodies = Vec::new();
    let mut body_locations = Vec::new();
    let mut body_dynamic = Vec::new();
    let mut fast_bodies = Vec::new();
    let slot_names: Vec<&str> = slots.iter().map(|s| s.name.as_str()).collect();
    for (i, b) in raw.bodies.iter().enumerate() {
        let body_name = format!("{}#{}", raw.name, i + 1);
        let first_line = b.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let bloc = loc.next(first_line.trim());
        // In the library's spelling, proper nouns capitalised. Errors are located in the body
        // as written, so a respelled body that fails is parsed again as written to say where.
        let spelled = text::library_body(b, spelling);
        let (tera_src, runs) = if spelled == *b {
            body_runs(b, file, src, &bloc, frames)?
        } else {
            match body_runs(&spelled, file, src, &bloc, frames) {
                Ok(parsed) => parsed,
                Err(e) => {
                    body_runs(b, file, src, &bloc, frames)?;
                    return Err(e);
                }
            }
        };
        bodies::check_loops(&tera_src).map_err(|m| {
            invalid(
                bloc.clone(),
                format!("template `{}`, body {}: {m}", raw.name, i + 1),
            )
        })?;
        let fast = crate::body::compile(&tera_src, &slot_names);
        let defer = fast.is_some() && bodies::deferrable(&slot_names);
        fast_bodies.push(fast);
        tera.add(body_name.clone(), tera_src, defer)
            .map_err(|e| tera_error(&raw.name, i + 1, bloc.clone(), &e))?;
        bodies.push(body_name);
        body_locations.push(bloc);
        body_dynamic.push(runs);
    }
    let body_topics: Vec<_> = raw
        .bodies
        .iter()
        .map(|b| crate::topics::BodyTopics::of(b, &slot_names, &|n| frames.topics(n)))
        .collect();
    validate_aspect(&raw.aspect).map_err(|m| invalid(tloc.clone(), m))?;
    if let Some(a) = raw
        .avoid
        .iter()
        .find(|a| !crate::scene::DESCRIPTION_TAGS.contains(&a.as_str()))
    {
        return Err(invalid(
            tloc.clone(),
            format!(
                "template `{}`: `avoid` takes description tags ({}), not `{a}`",
                raw.name,
                crate::scene::DESCRIPTION_TAGS.join(", ")
            ),
        ));
    }
    // Each body's condition words, split once (not once per slot: long bodies times many slots
    // were a tenth of start-up).
    let tested: Vec<Vec<&str>> = raw.bodies.iter().map(|b| tested_words(b)).collect();
    for s in &mut slots {
        let tests = |words: &Vec<&str>| words.contains(&s.name.as_str());
        s.guarded = tested.iter().all(tests);
        // A scenery slot may be left empty by the description, so every body must say what
        // it writes without it.
        if let Some(axis) = s.scenery
            && let Some(b) = tested.iter().position(|w| !tests(w))
        {
            return Err(invalid(
                body_locations[b].clone(),
                format!(
                    "body {} writes scenery slot `{}` without `{{% if {} %}}`: the slot is left \
                     empty when the description names no `{}`",
                    b + 1,
                    s.name,
                    s.name,
                    world.axes[axis].name
                ),
            ));
        }
    }
    Ok(SceneTemplate {
        name: raw.name,
        description: text::normalize_space(&raw.description),
        keywords: raw.keywords.into_iter().map(normalized_lowercase).collect(),
        weight: weight as u32,
        fallback: raw.fallback,
        avoid: raw.avoid,
        gives_way_to: raw
            .gives_way_to
            .iter()
            .map(|w| crate::matching::fold(&normalized_lowercase(w.clone())))
            .collect(),
        tags: tset,
        blocks: bset,
        world_blocks,
        filter_tags: all_tags,
        tag_names: raw.tags,
        aspect: raw.aspect,
        negative: raw
            .negative
            .iter()
            .map(|n| text::normalize_space(n))
            .collect(),
        slots,
        bodies,
        fast_bodies,
        body_topics,
        body_sources: raw.bodies,
        body_locations,
        body_dynamic,
        location: tloc,
    })
}

/// A body's source for Tera and its dynamic runs, parsed (errors located in `file`, whose
/// text is `src`; the body's first non-empty line is at `bloc`).
fn body_runs(
    body: &str,
    file: &str,
    src: &str,
    bloc: &Location,
    frames: &frames::Frames,
) -> Result<(String, Vec<crate::dynamic::Template>)> {
    use crate::dynamic::inline::{parse_framed, rebase};
    // Line and column in the file of byte `off` of the body.
    let first = body.lines().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let place = |off: usize| {
        let before = &body[..off];
        let line_in_body = before.matches('\n').count();
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        let line = if bloc.line == 0 {
            0
        } else {
            (bloc.line + line_in_body).saturating_sub(first)
        };
        (line, col)
    };
    let split = crate::body::split_dynamic(body).map_err(|(off, msg, help)| {
        let (line, _) = place(off);
        let mut s = crate::dynamic::Source::new(file, body);
        s.first_line = line.saturating_sub(body[..off].matches('\n').count()) as u32;
        let mut d = s.diagnostic(crate::dynamic::ast::Span::new(off, off + 2), msg);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        Error::from(rebase(d, src, 0, 0))
    })?;
    let Some(split) = split else {
        return Ok((body.to_string(), Vec::new()));
    };
    let mut runs = Vec::with_capacity(split.runs.len());
    for (off, text) in &split.runs {
        let (line, col) = place(*off);
        runs.push(parse_framed(text, file, src, line, col, frames.table())?);
    }
    Ok((split.tera, runs))
}

fn validate_aspect(a: &str) -> std::result::Result<(), String> {
    let ok = a.split_once(':').is_some_and(|(w, h)| {
        w.parse::<u32>().is_ok_and(|w| w > 0) && h.parse::<u32>().is_ok_and(|h| h > 0)
    });
    if ok {
        Ok(())
    } else {
        Err(format!("aspect `{a}` must look like `16:9`"))
    }
}

fn parse_count(v: Option<&serde_yaml::Value>) -> std::result::Result<(u32, u32), String> {
    let bad = || "count must be a whole number like `2` or a range like `1-3`".to_string();
    let (min, max) = match v {
        None => (1, 1),
        Some(serde_yaml::Value::Number(n)) => {
            let n = n.as_u64().ok_or_else(bad)?;
            (n, n)
        }
        Some(serde_yaml::Value::String(s)) => {
            let (a, b) = s.split_once('-').ok_or_else(bad)?;
            (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            )
        }
        Some(_) => return Err(bad()),
    };
    if min > max || max == 0 || max > 16 {
        return Err(format!(
            "count {min}-{max} must have 1 ≤ max ≤ 16 and min ≤ max"
        ));
    }
    Ok((min as u32, max as u32))
}

pub(crate) fn tera_error(
    template: &str,
    body: usize,
    location: Location,
    e: &tera::Error,
) -> Error {
    let mut report = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        report.push_str(&format!("\n  caused by: {s}"));
        src = s.source();
    }
    Error::Tera {
        location,
        template: template.to_string(),
        body,
        report,
    }
}

/// Renders every body once with every variable set, so that a body naming an unknown variable
/// fails when the library loads rather than in the middle of a run.
/// Bodies compiled to the fast subset need no trial render: that compiler accepts only the
/// template's own slot names and the common variables.
fn validate_bodies(lib: &Library) -> Result<()> {
    for t in &lib.templates {
        if t.fast_bodies.iter().all(Option::is_some) {
            continue;
        }
        let mut ctx = tera::Context::new();
        for s in &t.slots {
            ctx.insert(s.name.clone(), "x");
        }
        crate::dialect::plain::insert_common(&mut ctx, "x", t);
        for (i, b) in t.bodies.iter().enumerate() {
            if t.fast_bodies[i].is_some() {
                continue;
            }
            for k in 0..t.body_dynamic[i].len() {
                ctx.insert(crate::body::dyn_var(k), "x");
            }
            lib.tera
                .render(b, &ctx)
                .map_err(|e| tera_error(&t.name, i + 1, t.body_locations[i].clone(), &e))?;
        }
    }
    Ok(())
}

/// The hash of a byte string as used for library hashes (exposed for tests).
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a64_start(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_guarded_by_any_condition_that_names_it() {
        assert!(tests_slot(
            "{% if light %}Lit by {{ light }}.{% endif %}",
            "light"
        ));
        assert!(tests_slot(
            "{% if mood %}x{% elif light and (palette) %}{{ light }}{% endif %}",
            "palette"
        ));
        assert!(tests_slot("{%- if light -%}y{% endif %}", "light"));
        assert!(!tests_slot("Lit by {{ light }}.", "light"));
        assert!(!tests_slot(
            "{% if lighting %}{{ light }}{% endif %}",
            "light"
        ));
        assert!(!tests_slot("{{ light }} {# if light #}", "light"));
    }

    #[test]
    fn an_axis_value_may_weigh_differently_in_described_scenes() {
        let text = "axes:\n  warmth:\n    values:\n      mild: { weight: 3, described: 1 }\n      \
                    hot: { weight: 2, described: 0 }\n      cold: {}\n";
        let mut sources = builtin::sources();
        sources.push(SourceFile {
            name: "user/vocab/warmth.yaml".to_string(),
            rel: "vocab/warmth.yaml".to_string(),
            kind: SourceKind::Vocab,
            text: Cow::Borrowed(text),
            json: None,
            packed: None,
        });
        let lib = Library::from_sources(sources).unwrap();
        let a = lib.world.axes.iter().find(|a| a.name == "warmth").unwrap();
        let w: Vec<(u32, u32)> = a.values.iter().map(|v| (v.weight, v.described)).collect();
        assert_eq!(w, vec![(3, 1), (2, 0), (1, 1)]);
        // The built-in climate: a described scene is temperate unless its words say otherwise.
        let c = lib.world.axes.iter().find(|a| a.name == "climate").unwrap();
        assert!(
            c.values
                .iter()
                .all(|v| (v.name == "temperate") == (v.described > 0))
        );
    }

    #[test]
    fn normalizing_keeps_what_is_normal() {
        for s in [
            "", " ", "a", " a", "a ", "a  b", "a b", "a\tb", "a\u{a0}b", "é b", "A B", "\n",
        ] {
            assert_eq!(normalized(s.to_string()), text::normalize_space(s), "{s:?}");
            assert_eq!(
                normalized_lowercase(s.to_string()),
                text::normalize_space(s).to_lowercase(),
                "{s:?}"
            );
        }
    }

    /// The built-in library loads from its build-time forms (packed vocabulary, JSON
    /// templates); it must be exactly what the YAML says (conversion would hide a duplicate key,
    /// for one).
    #[test]
    fn builtin_prebuilt_forms_equal_yaml() {
        assert!(
            builtin::sources()
                .iter()
                .filter(|s| s.kind == SourceKind::Vocab)
                .all(|s| s.packed.is_some()),
            "every built-in vocabulary file keeps to the packed shapes"
        );
        let fast = Library::builtin().unwrap();
        // Owned text, so that the hash is computed byte by byte too.
        let slow_sources: Vec<SourceFile> = builtin::sources()
            .into_iter()
            .map(|s| SourceFile {
                json: None,
                packed: None,
                text: Cow::Owned(s.text.to_string()),
                ..s
            })
            .collect();
        assert!(builtin::hash_prefix(&builtin::sources()).is_some());
        assert!(builtin::hash_prefix(&slow_sources).is_none());
        let slow = Library::from_sources(slow_sources).unwrap();
        assert_eq!(
            format!("{:?}", fast.categories),
            format!("{:?}", slow.categories)
        );
        assert_eq!(
            format!("{:?}", fast.templates),
            format!("{:?}", slow.templates)
        );
        assert_eq!(fast.hash(), slow.hash());
    }
}
