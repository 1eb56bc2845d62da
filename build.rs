//! Embeds the built-in library (`templates/*.yaml`, `vocab/*.yaml`) into the binary, sorted by
//! path so that load order never depends on the file system.
//!
//! Each file is embedded twice: as written (for the library hash and for error locations) and,
//! where it parses, pre-converted: vocabulary files that keep to the plain shapes to a packed
//! form (length-prefixed strings, read by `yaml::vocab_from_packed` with no parsing at all),
//! everything else to JSON, which loads several times faster than YAML. Tests
//! (`library::tests::builtin_*_equals_yaml`) check that every form gives the same library.

use std::fs;
use std::path::Path;

use serde_json::Value;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut files = Vec::new();
    for dir in ["vocab", "templates"] {
        let d = Path::new(&root).join(dir);
        println!("cargo:rerun-if-changed={}", d.display());
        let Ok(rd) = fs::read_dir(&d) else { continue };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        names.sort();
        for n in names {
            println!("cargo:rerun-if-changed={root}/{dir}/{n}");
            files.push(format!("{dir}/{n}"));
        }
    }
    let json_dir = Path::new(&out).join("builtin-json");
    fs::create_dir_all(&json_dir).expect("create builtin-json");
    let mut code = String::from(
        "/// Built-in library files: (path, contents, contents as JSON if it parsed, vocabulary\n\
         /// packed if it kept to the plain shapes), sorted by path.\n\
         #[allow(clippy::type_complexity)]\n\
         pub static BUILTIN_FILES: &[(&str, &str, Option<&str>, Option<(&[u8], &str)>)] = &[\n",
    );
    // The library hash (FNV-1a over each file's path, NUL, text, NUL) after the built-in files:
    // the same for every run, so computed here (see `library::builtin::hash_prefix`).
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for f in &files {
        let text = fs::read_to_string(Path::new(&root).join(f)).expect("read built-in file");
        for part in [
            f.as_bytes(),
            &[0],
            text.replace("\r\n", "\n").as_bytes(),
            &[0],
        ] {
            for b in part {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        // A file that does not parse is left to the runtime loader, which reports it properly.
        let value = serde_yaml::from_str::<Value>(&text.replace("\r\n", "\n")).ok();
        let packed = value
            .as_ref()
            .filter(|_| f.starts_with("vocab/"))
            .and_then(pack_vocab)
            .map(|p| {
                let name = f.replace('/', "__");
                fs::write(json_dir.join(format!("{name}.bin")), p.bytes).expect("write packed");
                fs::write(json_dir.join(format!("{name}.txt")), p.strs).expect("write packed");
                name
            });
        let json = value.filter(|_| packed.is_none()).map(|v| {
            let name = f.replace('/', "__") + ".json";
            fs::write(json_dir.join(&name), v.to_string()).expect("write json");
            name
        });
        let packed_expr = match packed {
            Some(name) => format!(
                "Some((include_bytes!(concat!(env!(\"OUT_DIR\"), \"/builtin-json/{name}.bin\")), \
                 include_str!(concat!(env!(\"OUT_DIR\"), \"/builtin-json/{name}.txt\"))))"
            ),
            None => "None".to_string(),
        };
        let json_expr = match json {
            Some(name) => {
                format!("Some(include_str!(concat!(env!(\"OUT_DIR\"), \"/builtin-json/{name}\")))")
            }
            None => "None".to_string(),
        };
        code.push_str(&format!(
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{f}\")), {json_expr}, {packed_expr}),\n"
        ));
    }
    code.push_str("];\n");
    code.push_str(&format!(
        "\n/// The library hash state after all of `BUILTIN_FILES`, in order.\n\
         pub const BUILTIN_HASH_STATE: u64 = {hash:#018x};\n"
    ));
    fs::write(Path::new(&out).join("builtin_files.rs"), code).expect("write builtin_files.rs");
}

/// A vocabulary file in the packed form `yaml::vocab_from_packed` reads, or `None` when it uses
/// anything beyond the plain shapes (then JSON is used, and the runtime reports any error).
///
/// Layout: counts as u32, strings as a u32 length (their text goes to a separate string),
/// optional integers as a flag byte + i64, all little-endian. File: tags (tag, conflicts), categories (name, description, replace,
/// tags, entries), axes, frames (name, description, phrasings). Entry: text, weight, tags, conflicts, aliases, negative, with (category,
/// texts), emphasis.
fn pack_vocab(v: &Value) -> Option<Packer> {
    let obj = v.as_object()?;
    if obj
        .keys()
        .any(|k| k != "tags" && k != "categories" && k != "axes" && k != "frames")
    {
        return None;
    }
    let mut w = Packer::default();
    pack_map(&mut w, obj.get("tags"), |w, conflicts| {
        put_list(w, &one_or_many(conflicts)?);
        Some(())
    })?;
    pack_map(&mut w, obj.get("categories"), pack_category)?;
    pack_map(&mut w, obj.get("axes"), pack_axis)?;
    pack_map(&mut w, obj.get("frames"), pack_frame)?;
    Some(w)
}

/// Frame: description, phrasings.
/// A map of named things (absent or null: none) as its count, then each name and its value
/// packed by `pack`; `None` when it is no map or a value does not pack.
fn pack_map(
    w: &mut Packer,
    map: Option<&Value>,
    pack: impl Fn(&mut Packer, &Value) -> Option<()>,
) -> Option<()> {
    match map {
        None | Some(Value::Null) => put_u32(w, 0),
        Some(Value::Object(m)) => {
            put_u32(w, m.len());
            for (name, v) in m {
                put_str(w, name);
                pack(w, v)?;
            }
        }
        Some(_) => return None,
    }
    Some(())
}

fn pack_frame(w: &mut Packer, f: &Value) -> Option<()> {
    let f = f.as_object()?;
    if f.keys().any(|k| k != "description" && k != "phrasings") {
        return None;
    }
    match f.get("description") {
        None => put_str(w, ""),
        Some(d) => put_str(w, d.as_str()?),
    }
    put_list(w, &strings(f.get("phrasings")?)?);
    Some(())
}

/// Axis: description, flags (bit 0 `restate`, bit 1 `hints`, bit 2 `from_action`), categories, `said_by` phrases,
/// values (name, weight, described weight, aliases).
fn pack_axis(w: &mut Packer, a: &Value) -> Option<()> {
    let a = a.as_object()?;
    if a.keys().any(|k| {
        ![
            "description",
            "restate",
            "hints",
            "from_action",
            "said_by",
            "categories",
            "values",
        ]
        .contains(&k.as_str())
    }) {
        return None;
    }
    match a.get("description") {
        None => put_str(w, ""),
        Some(d) => put_str(w, d.as_str()?),
    }
    let flag = |key: &str| match a.get(key) {
        None => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => None,
    };
    w.push(
        u8::from(flag("restate")?)
            | (u8::from(flag("hints")?) << 1)
            | (u8::from(flag("from_action")?) << 2),
    );
    for key in ["categories", "said_by"] {
        match a.get(key) {
            None => put_u32(w, 0),
            Some(c) => put_list(w, &strings(c)?),
        }
    }
    let values = a.get("values")?.as_object()?;
    let empty = serde_json::Map::new();
    put_u32(w, values.len());
    for (name, v) in values {
        put_str(w, name);
        let v = match v {
            Value::Null => &empty,
            Value::Object(m) => m,
            _ => return None,
        };
        if v.keys()
            .any(|k| k != "weight" && k != "described" && k != "aliases")
        {
            return None;
        }
        put_opt_int(w, opt_int(v.get("weight"))?);
        put_opt_int(w, opt_int(v.get("described"))?);
        match v.get("aliases") {
            None => put_u32(w, 0),
            Some(x) => put_list(w, &one_or_many(x)?),
        }
    }
    Some(())
}

fn pack_category(w: &mut Packer, c: &Value) -> Option<()> {
    let c = c.as_object()?;
    if c.keys()
        .any(|k| !["description", "replace", "tags", "entries"].contains(&k.as_str()))
    {
        return None;
    }
    match c.get("description") {
        None => put_str(w, ""),
        Some(d) => put_str(w, d.as_str()?),
    }
    match c.get("replace") {
        None => w.push(0),
        Some(r) => w.push(u8::from(r.as_bool()?)),
    }
    match c.get("tags") {
        None => put_u32(w, 0),
        Some(t) => put_list(w, &strings(t)?),
    }
    match c.get("entries") {
        None => put_u32(w, 0),
        Some(Value::Array(es)) => {
            put_u32(w, es.len());
            for e in es {
                pack_entry(w, e)?;
            }
        }
        Some(_) => return None,
    }
    Some(())
}

fn pack_entry(w: &mut Packer, e: &Value) -> Option<()> {
    if let Some(text) = e.as_str() {
        put_str(w, text);
        put_opt_int(w, None);
        for _ in 0..5 {
            put_u32(w, 0); // tags, conflicts, aliases, negative, with
        }
        put_opt_int(w, None);
        return Some(());
    }
    let m = e.as_object()?;
    const FIELDS: [&str; 8] = [
        "text",
        "weight",
        "tags",
        "conflicts",
        "aliases",
        "negative",
        "with",
        "emphasis",
    ];
    if m.keys().any(|k| !FIELDS.contains(&k.as_str())) {
        return None;
    }
    put_str(w, m.get("text")?.as_str()?);
    put_opt_int(w, opt_int(m.get("weight"))?);
    for f in ["tags", "conflicts", "aliases", "negative"] {
        match m.get(f) {
            None => put_u32(w, 0),
            Some(v) => put_list(w, &one_or_many(v)?),
        }
    }
    match m.get("with") {
        None | Some(Value::Null) => put_u32(w, 0),
        Some(Value::Object(with)) => {
            put_u32(w, with.len());
            for (cat, texts) in with {
                put_str(w, cat);
                put_list(w, &one_or_many(texts)?);
            }
        }
        Some(_) => return None,
    }
    put_opt_int(w, opt_int(m.get("emphasis"))?);
    Some(())
}

/// An optional whole number: `Some(None)` when absent, `None` when not a whole number.
fn opt_int(v: Option<&Value>) -> Option<Option<i64>> {
    match v {
        None => Some(None),
        Some(v) => v.as_i64().map(Some),
    }
}

/// A list of strings (`[a, b]`).
fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

/// One string or a list of strings (`a` or `[a, b]`; empty when null).
fn one_or_many(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::String(s) => Some(vec![s.as_str()]),
        _ => strings(v),
    }
}

fn put_u32(w: &mut Packer, n: usize) {
    w.extend_from_slice(&u32::try_from(n).expect("count fits in u32").to_le_bytes());
}

fn put_str(w: &mut Packer, s: &str) {
    put_u32(w, s.len());
    w.strs.push_str(s);
}

/// The packed form: counts, lengths and flags in `bytes`; the strings, in the same order, in
/// `strs` (embedded as text, so the reader slices it without validating UTF-8).
#[derive(Default)]
struct Packer {
    bytes: Vec<u8>,
    strs: String,
}

impl Packer {
    fn push(&mut self, b: u8) {
        self.bytes.push(b);
    }

    fn extend_from_slice(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }
}

fn put_list(w: &mut Packer, items: &[&str]) {
    put_u32(w, items.len());
    for s in items {
        put_str(w, s);
    }
}

fn put_opt_int(w: &mut Packer, v: Option<i64>) {
    match v {
        None => w.push(0),
        Some(n) => {
            w.push(1);
            w.extend_from_slice(&n.to_le_bytes());
        }
    }
}
