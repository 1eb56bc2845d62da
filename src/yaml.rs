//! All YAML parsing lives here: the raw, as-written shapes of vocabulary and template files, and
//! the conversion of parser errors into located errors. Moving to another YAML crate is a change
//! to this file only.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Location};

/// A YAML mapping that keeps document order and rejects duplicate keys (serde_yaml silently keeps
/// the last one).
#[derive(Debug, Clone, Default)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(String, V)> = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if out.iter().any(|(e, _)| *e == k) {
                        return Err(de::Error::custom(format!("duplicate key `{k}`")));
                    }
                    let v = map.next_value()?;
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap(Vec::new()))
            }
        }
        d.deserialize_any(V2(PhantomData))
    }
}

/// One string or a list of strings.
#[derive(Debug, Clone, Default)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A vocabulary file: tag declarations and categories.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawVocabFile {
    /// Tag → the tags it conflicts with (in either direction).
    #[serde(default)]
    pub tags: OrderedMap<OneOrMany>,
    #[serde(default)]
    pub categories: OrderedMap<RawCategory>,
    /// World axes: name → values (see `crate::world`).
    #[serde(default)]
    pub axes: OrderedMap<RawAxis>,
    /// Frames: the connecting words bodies share, name → phrasings (see `library::frames`).
    #[serde(default)]
    pub frames: OrderedMap<RawFrame>,
}

/// A frame as written: phrasings a body draws from where it names the frame (`__mood__`).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawFrame {
    /// What the frame's phrasings lead into, for the people who write bodies; the engine
    /// never reads it.
    #[serde(default)]
    #[allow(dead_code)]
    pub description: String,
    pub phrasings: Vec<String>,
}

/// A world axis as written.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    #[serde(default)]
    pub description: String,
    /// When the user's words name an entry of this axis's categories, that entry is written
    /// even where the words also stay in the subject (a named light is said again rather than
    /// swapped for another light of its kind).
    #[serde(default)]
    pub restate: bool,
    /// The axis's aliases are clues to its value, not statements of it ("running" makes a
    /// scene lively but does not say how it feels): a pin by them leaves the slots of its
    /// categories to be written as usual.
    #[serde(default)]
    pub hints: bool,
    /// The axis says how an action feels (how lively a scene is): when the description says
    /// what happens but none of its words pins a value, the slots of its categories stay
    /// empty (where every body can leave them out) rather than guess ("peaceful" for a forge
    /// with sparks flying).
    #[serde(default)]
    pub from_action: bool,
    /// Words that say what the slots of the axis's categories would write without naming a
    /// value ("red" in "a red tractor" says the colours): where the description has one,
    /// those slots, when every body can leave them out, stay empty.
    #[serde(default)]
    pub said_by: Vec<String>,
    /// Categories whose every entry should name a value of this axis.
    #[serde(default)]
    pub categories: Vec<String>,
    pub values: OrderedMap<RawAxisValue>,
}

/// A value of a world axis: its drawing weight and the description words that pin it.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawAxisValue {
    #[serde(default, deserialize_with = "weight")]
    pub weight: Option<i64>,
    /// The weight when the description says something (is not empty); `weight` otherwise.
    /// A described scene takes the ordinary value of an axis unless its words ask for
    /// another ("a polar bear" is in a polar climate), while a random scene may be anywhere.
    #[serde(default, deserialize_with = "weight")]
    pub described: Option<i64>,
    #[serde(default)]
    pub aliases: OneOrMany,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    #[serde(default)]
    pub description: String,
    /// When layering a user library: replace the built-in category instead of adding to it.
    #[serde(default)]
    pub replace: bool,
    /// Tags given to every entry of the category.
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub entries: Vec<RawEntry>,
}

/// An entry: a plain string, or a mapping with `text` and optional fields.
#[derive(Debug, Default, Clone)]
pub struct RawEntry {
    pub text: String,
    pub weight: Option<i64>,
    pub tags: Vec<String>,
    pub conflicts: Vec<String>,
    pub aliases: Vec<String>,
    pub negative: Vec<String>,
    pub with: OrderedMap<OneOrMany>,
    /// sd/sdxl emphasis in hundredths: 115 is written `(text:1.15)`.
    pub emphasis: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntryMap {
    text: String,
    #[serde(default, deserialize_with = "weight")]
    weight: Option<i64>,
    #[serde(default)]
    tags: OneOrMany,
    #[serde(default)]
    conflicts: OneOrMany,
    #[serde(default)]
    aliases: OneOrMany,
    #[serde(default)]
    negative: OneOrMany,
    #[serde(default)]
    with: OrderedMap<OneOrMany>,
    #[serde(default, deserialize_with = "hundredths")]
    emphasis: Option<i64>,
}

/// Emphasis is stored as integer hundredths so that it is written without float artefacts.
fn hundredths<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number of hundredths (115 means (term:1.15))")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom("emphasis is too large"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(E::custom(format!(
                "emphasis {v} is not a whole number; it is written in hundredths (115 means (term:1.15))"
            )))
        }
    }
    d.deserialize_any(V)
}

/// Weights are integers: a float or string is an error that says so (with its position).
fn weight<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(WholeNumber(Field::Weight))
}

/// A slot's priority: a whole number, reported as a priority (not as a weight) when it is not
/// one. Its range, 0–100, is checked with the rest of the slot (`library`).
fn priority<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(WholeNumber(Field::Priority))
}

/// Fields read as whole numbers, each reported in its own words.
#[derive(Clone, Copy)]
enum Field {
    Weight,
    Priority,
}

struct WholeNumber(Field);

impl Visitor<'_> for WholeNumber {
    type Value = Option<i64>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.0 {
            Field::Weight => "a whole number (weights are integers, e.g. 1, 3, 10)",
            Field::Priority => "a priority, a whole number from 0 to 100 (default 50)",
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v).map(Some).map_err(|_| {
            E::custom(match self.0 {
                Field::Weight => "weight is too large".to_string(),
                Field::Priority => {
                    format!("priority {v} must be a whole number from 0 to 100")
                }
            })
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::custom(match self.0 {
            Field::Weight => format!(
                "weight {v} is not a whole number; weights are integers (scale them, e.g. 0.5 and 1 become 1 and 2)"
            ),
            // A number too large for an integer is read as a float: it is whole, but far out
            // of range.
            Field::Priority if v.is_finite() && v.fract() == 0.0 => {
                format!("priority {v} must be a whole number from 0 to 100")
            }
            Field::Priority => format!(
                "priority {v} is not a whole number; a priority is a whole number from 0 to 100"
            ),
        }))
    }
}

impl<'de> Deserialize<'de> for RawEntry {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an entry: a string, or a mapping with `text` and optional `weight`, `tags`, `conflicts`, `aliases`, `negative`, `with`, `emphasis`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawEntry {
                    text: v.to_string(),
                    ..RawEntry::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let m = RawEntryMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawEntry {
                    text: m.text,
                    weight: m.weight,
                    tags: m.tags.0,
                    conflicts: m.conflicts.0,
                    aliases: m.aliases.0,
                    negative: m.negative.0,
                    with: m.with,
                    emphasis: m.emphasis,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A scene template file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Words and phrases in a description that point to this template.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Relative weight when a template is drawn at random (empty description).
    #[serde(default, deserialize_with = "weight")]
    pub weight: Option<i64>,
    /// Used when a description matches no template.
    #[serde(default)]
    pub fallback: bool,
    /// Tags put into the scene's state before any slot is filled (e.g. `indoor`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Description tags (`user-action`, `user-setting`) under which the template is passed
    /// over unless the description names it ("portrait"): a portrait's posed sitter does not
    /// fly a kite.
    #[serde(default)]
    pub avoid: Vec<String>,
    /// Things too large for the template's frame ("tree", "bridge" for a macro scene): a
    /// description that names one is given to another template unless it names this one.
    #[serde(default)]
    pub gives_way_to: Vec<String>,
    #[serde(default = "default_aspect")]
    pub aspect: String,
    /// Default negative-prompt terms.
    #[serde(default)]
    pub negative: Vec<String>,
    pub slots: OrderedMap<RawSlot>,
    /// Tera bodies; one is drawn per prompt so that sentence structure varies.
    pub bodies: Vec<String>,
}

fn default_aspect() -> String {
    "1:1".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlot {
    pub category: String,
    /// Percent chance that the slot is filled (0–100, default 100).
    #[serde(default)]
    pub chance: Option<i64>,
    /// How many entries: `2` or `1-3` (default 1).
    #[serde(default)]
    pub count: Option<serde_yaml::Value>,
    /// Entries must carry all of these tags.
    #[serde(default)]
    pub require: Vec<String>,
    /// Entries must carry none of these tags.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The slot's picks go into the negative prompt instead of the body.
    #[serde(default)]
    pub negative: bool,
    /// sd/sdxl emphasis in hundredths for every pick of the slot (an entry's own wins).
    #[serde(default, deserialize_with = "hundredths")]
    pub emphasis: Option<i64>,
    /// Importance 0–100 (default 50) when a prompt must be shortened: lower goes first; ties
    /// keep template order. The subject is never dropped.
    #[serde(default, deserialize_with = "priority")]
    pub priority: Option<i64>,
    /// `setting`: the slot says where the scene is; it is left empty when the user's
    /// description names a place of its own ("in a library", "on a ridge").
    #[serde(default)]
    pub role: Option<String>,
    /// An axis name (`room`): the slot furnishes a place of the kind that axis names, and is
    /// left empty when the description names a place the axis has no value for.
    #[serde(default)]
    pub scenery: Option<String>,
}

fn yaml_error(file: &str, e: &serde_yaml::Error) -> Error {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let mut message = e.to_string();
    // serde_yaml appends " at line X column Y"; we print the position in front instead.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    Error::Yaml {
        location: Location::new(file, line, column),
        message,
    }
}

pub fn parse_vocab(file: &str, src: &str) -> Result<RawVocabFile, Error> {
    if src.trim().is_empty() {
        return Ok(RawVocabFile::default());
    }
    serde_yaml::from_str(src).map_err(|e| yaml_error(file, &e))
}

pub fn parse_template(file: &str, src: &str) -> Result<RawTemplate, Error> {
    serde_yaml::from_str(src).map_err(|e| yaml_error(file, &e))
}

fn json_error(file: &str, e: &serde_json::Error) -> Error {
    Error::Yaml {
        location: Location::file_only(file),
        message: format!("built-in data did not convert: {e}"),
    }
}

/// A built-in vocabulary file from its build-time JSON form (same shapes as the YAML).
pub fn vocab_from_json(file: &str, json: &str) -> Result<RawVocabFile, Error> {
    serde_json::from_str(json).map_err(|e| json_error(file, &e))
}

/// A built-in template file from its build-time JSON form.
pub fn template_from_json(file: &str, json: &str) -> Result<RawTemplate, Error> {
    serde_json::from_str(json).map_err(|e| json_error(file, &e))
}

/// A built-in vocabulary file from its build-time packed form (layout in `build.rs`,
/// `pack_vocab`): the same values as the YAML, read without any parsing.
pub fn vocab_from_packed(file: &str, bytes: &[u8], strs: &str) -> Result<RawVocabFile, Error> {
    let mut r = Packed {
        bytes,
        at: 0,
        strs,
        str_at: 0,
    };
    r.vocab()
        .filter(|_| r.at == bytes.len() && r.str_at == strs.len())
        .ok_or_else(|| Error::Yaml {
            location: Location::file_only(file),
            message: "built-in data did not unpack".into(),
        })
}

/// A reader over packed data; `None` when it ends early or a string length does not fit.
struct Packed<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The strings, one after another, in the order they are read.
    strs: &'a str,
    str_at: usize,
}

impl Packed<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let b = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(b)
    }

    fn count(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.count()?;
        let s = self.strs.get(self.str_at..self.str_at.checked_add(n)?)?;
        self.str_at += n;
        Some(s.to_string())
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.count()?;
        // Capped so that bad data cannot ask for a huge allocation.
        let mut v = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            v.push(self.string()?);
        }
        Some(v)
    }

    fn opt_int(&mut self) -> Option<Option<i64>> {
        match self.take(1)?[0] {
            0 => Some(None),
            _ => {
                let b = self.take(8)?;
                Some(Some(i64::from_le_bytes(b.try_into().ok()?)))
            }
        }
    }

    fn vocab(&mut self) -> Option<RawVocabFile> {
        let n = self.count()?;
        let mut tags = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            tags.push((self.string()?, OneOrMany(self.strings()?)));
        }
        let n = self.count()?;
        let mut categories = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            let name = self.string()?;
            let description = self.string()?;
            let replace = self.take(1)?[0] != 0;
            let tags = self.strings()?;
            let m = self.count()?;
            let mut entries = Vec::with_capacity(m.min(1 << 16));
            for _ in 0..m {
                entries.push(self.entry()?);
            }
            categories.push((
                name,
                RawCategory {
                    description,
                    replace,
                    tags,
                    entries,
                },
            ));
        }
        let n = self.count()?;
        let mut axes = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let name = self.string()?;
            let description = self.string()?;
            let flags = self.take(1)?[0];
            let (restate, hints, from_action) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
            let categories = self.strings()?;
            let said_by = self.strings()?;
            let m = self.count()?;
            let mut values = Vec::with_capacity(m.min(256));
            for _ in 0..m {
                let vname = self.string()?;
                let weight = self.opt_int()?;
                let described = self.opt_int()?;
                let aliases = OneOrMany(self.strings()?);
                values.push((
                    vname,
                    RawAxisValue {
                        weight,
                        described,
                        aliases,
                    },
                ));
            }
            axes.push((
                name,
                RawAxis {
                    description,
                    restate,
                    hints,
                    from_action,
                    said_by,
                    categories,
                    values: OrderedMap(values),
                },
            ));
        }
        let n = self.count()?;
        let mut frames = Vec::with_capacity(n.min(256));
        for _ in 0..n {
            let name = self.string()?;
            let description = self.string()?;
            let phrasings = self.strings()?;
            frames.push((
                name,
                RawFrame {
                    description,
                    phrasings,
                },
            ));
        }
        Some(RawVocabFile {
            tags: OrderedMap(tags),
            categories: OrderedMap(categories),
            axes: OrderedMap(axes),
            frames: OrderedMap(frames),
        })
    }

    fn entry(&mut self) -> Option<RawEntry> {
        let text = self.string()?;
        let weight = self.opt_int()?;
        let tags = self.strings()?;
        let conflicts = self.strings()?;
        let aliases = self.strings()?;
        let negative = self.strings()?;
        let n = self.count()?;
        let mut with = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            with.push((self.string()?, OneOrMany(self.strings()?)));
        }
        let emphasis = self.opt_int()?;
        Some(RawEntry {
            text,
            weight,
            tags,
            conflicts,
            aliases,
            negative,
            with: OrderedMap(with),
            emphasis,
        })
    }
}

/// Finds where scalars appear in a YAML source, in document order. serde_yaml gives no positions
/// for values that parsed fine, so semantic errors (unknown category, duplicate entry) locate
/// their value by scanning forward from the previous find.
pub struct Locator<'a> {
    file: &'a str,
    src: &'a str,
    cursor: usize,
    /// A known position: byte offset, its 1-based line, and the offset where that line starts.
    /// Lines are counted forward from here, so locating every entry of a file stays linear.
    mark: (usize, usize, usize),
}

impl<'a> Locator<'a> {
    pub fn new(file: &'a str, src: &'a str) -> Self {
        Locator {
            file,
            src,
            cursor: 0,
            mark: (0, 1, 0),
        }
    }

    /// Location of the next occurrence of `needle` at or after the cursor (the cursor moves
    /// there). Falls back to a search from the start, then to the file alone.
    pub fn next(&mut self, needle: &str) -> Location {
        let found = find_near(&self.src.as_bytes()[self.cursor..], needle.as_bytes())
            .map(|i| i + self.cursor)
            .or_else(|| memchr::memmem::find(self.src.as_bytes(), needle.as_bytes()));
        match found {
            Some(at) => {
                self.cursor = (at + needle.len().max(1)).min(self.src.len());
                self.at(at)
            }
            None => Location::file_only(self.file),
        }
    }

    /// Location of a byte offset.
    pub fn at(&mut self, offset: usize) -> Location {
        let offset = offset.min(self.src.len());
        if offset < self.mark.0 {
            self.mark = (0, 1, 0);
        }
        let (from, mut line, mut line_start) = self.mark;
        let between = &self.src.as_bytes()[from..offset];
        if let Some(last) = memchr::memrchr(b'\n', between) {
            line += memchr::memchr_iter(b'\n', between).count();
            line_start = from + last + 1;
        }
        self.mark = (offset, line, line_start);
        let col = self.src[line_start..offset].chars().count() + 1;
        Location::new(self.file, line, col)
    }
}

/// The first occurrence of `needle` in `hay`. The next scalar is almost always a few bytes
/// ahead, so a scan for the first byte beats building a substring finder for every call.
fn find_near(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(o) = memchr::memchr(first, &hay[from..]) {
        let at = from + o;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_take_both_forms() {
        let f = parse_vocab(
            "v.yaml",
            "categories:\n  sky:\n    entries:\n      - clear sky\n      - text: storm clouds\n        weight: 3\n        tags: [storm]\n",
        )
        .unwrap();
        let (name, cat) = &f.categories.0[0];
        assert_eq!(name, "sky");
        assert_eq!(cat.entries[0].text, "clear sky");
        assert_eq!(cat.entries[1].weight, Some(3));
        assert_eq!(cat.entries[1].tags, vec!["storm"]);
    }

    #[test]
    fn float_weight_is_located() {
        let err = parse_vocab(
            "v.yaml",
            "categories:\n  sky:\n    entries:\n      - text: a\n        weight: 1.5\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("v.yaml:5:"), "{msg}");
        assert!(msg.contains("not a whole number"), "{msg}");
    }

    /// Issue 17 ("a bad priority is reported as a weight"): a slot's priority is read by its own
    /// rule and every bad value is reported as a priority, at its line and column.
    #[test]
    fn a_bad_priority_is_reported_as_a_priority_with_its_location() {
        for (bad, says) in [
            ("1.5", "priority 1.5 is not a whole number"),
            ("abc", "expected a priority"),
            ("\"50\"", "expected a priority"),
            ("99999999999999999999", "priority"),
            ("18446744073709551615", "priority 18446744073709551615"),
            ("[1]", "expected a priority"),
        ] {
            let src = format!(
                "name: t\nslots:\n  a: {{ category: c, priority: {bad} }}\nbodies: [\"x\"]\n"
            );
            let msg = parse_template("t.yaml", &src).unwrap_err().to_string();
            assert!(msg.starts_with("t.yaml:3:"), "{bad}: {msg}");
            assert!(msg.contains(says), "{bad}: {msg}");
            assert!(!msg.contains("weight"), "{bad}: {msg}");
        }
        let ok = "name: t\nslots:\n  a: { category: c, priority: 7 }\nbodies: [\"x\"]\n";
        assert_eq!(
            parse_template("t.yaml", ok).unwrap().slots.0[0].1.priority,
            Some(7)
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse_vocab("v.yaml", "categories:\n  sky: {}\n  sky: {}\n").unwrap_err();
        assert!(err.to_string().contains("duplicate key `sky`"), "{err}");
    }

    #[test]
    fn find_near_finds_the_first_occurrence() {
        assert_eq!(find_near(b"abcabd", b"abd"), Some(3));
        assert_eq!(find_near(b"aab", b"ab"), Some(1));
        assert_eq!(find_near(b"abc", b""), Some(0));
        assert_eq!(find_near(b"abc", b"cd"), None);
        assert_eq!(find_near(b"", b"a"), None);
    }

    #[test]
    fn bad_packed_data_is_an_error() {
        assert!(vocab_from_packed("v", &[], "").is_err());
        assert!(vocab_from_packed("v", &[1, 0, 0], "").is_err());
        assert!(vocab_from_packed("v", &[0, 0, 0, 0, 0, 0, 0, 0, 9], "").is_err());
        // Four counts: tags, categories, axes, frames.
        let empty = vocab_from_packed("v", &[0; 16], "").unwrap();
        assert!(empty.tags.0.is_empty() && empty.categories.0.is_empty());
        assert!(empty.axes.0.is_empty() && empty.frames.0.is_empty());
        assert!(vocab_from_packed("v", &[0; 12], "").is_err());
        // Strings left over, or a length that splits a character.
        assert!(vocab_from_packed("v", &[0; 16], "x").is_err());
        let one = [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
        assert!(vocab_from_packed("v", &one, "é").is_err());
    }

    #[test]
    fn locator_walks_forward() {
        let src = "a: x\nb: x\n";
        let mut l = Locator::new("f", src);
        assert_eq!(l.next("x"), Location::new("f", 1, 4));
        assert_eq!(l.next("x"), Location::new("f", 2, 4));
    }
}
