//! Records: a written prompt with its provenance, enough to regenerate it byte for byte.

use serde::Serialize;
use serde::ser::SerializeMap;

/// Version of the generation contract. Bump it whenever the same (seed, index, library) would
/// write different bytes, and name the change in the changelog.
pub const FORMAT_VERSION: u32 = 2;

/// Slot name → chosen text, serialised as a JSON object in template order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slots(pub Vec<(String, String)>);

impl Serialize for Slots {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One generated prompt. JSON field order is part of the output contract.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Record {
    pub prompt: String,
    pub negative_prompt: String,
    pub seed: u64,
    pub index: u64,
    pub template: String,
    pub slots: Slots,
    /// Content hash of the loaded library.
    pub library: String,
    pub dialect: String,
    pub aspect: String,
    pub format_version: u32,
    /// Tokens the text encoder sees (sd/sdxl, or any dialect with `--tokens`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u32>,
    /// Dialect parameters: image size and budget (sd/sdxl), Midjourney parameters, model and
    /// limit (dalle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Value>,
    /// What the record was generated from (`template:NAME`, `describe:TEXT`, `expand:{JSON}`),
    /// set by `batch` and `gen` so that `replay` can regenerate any record on its own. Absent
    /// when unset (`gen` with both a description and a template).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How `index` maps to a scene when it is not a random draw: `exhaustive` (a position in the
    /// seeded enumeration of the combination space) or `pairwise` (a row of the covering set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

impl Record {
    /// One line of JSON, no trailing newline.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(1536);
        self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the record as one line of JSON (no newline): exactly the bytes serde_json writes
    /// for it (`tests::write_json_equals_serde_json` holds it to that), several times faster,
    /// because JSONL output spends most of its time escaping these strings.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"prompt\":");
        json_str(out, &self.prompt);
        out.extend_from_slice(b",\"negative_prompt\":");
        json_str(out, &self.negative_prompt);
        out.extend_from_slice(b",\"seed\":");
        json_u64(out, self.seed);
        out.extend_from_slice(b",\"index\":");
        json_u64(out, self.index);
        out.extend_from_slice(b",\"template\":");
        json_str(out, &self.template);
        out.extend_from_slice(b",\"slots\":{");
        for (i, (k, v)) in self.slots.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_str(out, k);
            out.push(b':');
            json_str(out, v);
        }
        out.extend_from_slice(b"},\"library\":");
        json_str(out, &self.library);
        out.extend_from_slice(b",\"dialect\":");
        json_str(out, &self.dialect);
        out.extend_from_slice(b",\"aspect\":");
        json_str(out, &self.aspect);
        out.extend_from_slice(b",\"format_version\":");
        json_u64(out, u64::from(self.format_version));
        if let Some(t) = self.tokens {
            out.extend_from_slice(b",\"tokens\":");
            json_u64(out, u64::from(t));
        }
        if let Some(p) = &self.params {
            out.extend_from_slice(b",\"params\":");
            // A `Value` always serialises (its map keys are strings).
            let _ = serde_json::to_writer(&mut *out, p);
        }
        if let Some(s) = &self.source {
            out.extend_from_slice(b",\"source\":");
            json_str(out, s);
        }
        if let Some(m) = &self.mode {
            out.extend_from_slice(b",\"mode\":");
            json_str(out, m);
        }
        out.push(b'}');
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Whether a byte must be escaped in a JSON string: control characters, `"` and `\\`.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Appends `s` as a JSON string, escaped as serde_json escapes it: `\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`, other control characters as `\u00xx`, everything else (non-ASCII
/// included) as is. Runs without escapes are copied whole.
fn json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let n = bytes.len();
    let mut start = 0;
    let mut i = 0;
    loop {
        // Eight bytes at a time while none needs escaping (the usual case), then the next
        // eight (or fewer) one by one.
        while i + 8 <= n {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[i..i + 8]);
            if any_needs_escape(u64::from_le_bytes(word)) {
                break;
            }
            i += 8;
        }
        let end = (i + 8).min(n);
        while i < end {
            let b = bytes[i];
            i += 1;
            if NEEDS_ESCAPE[b as usize] {
                out.extend_from_slice(&bytes[start..i - 1]);
                start = i;
                escape(out, b);
            }
        }
        if i >= n {
            break;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends the escape sequence of a byte that needs one.
fn escape(out: &mut Vec<u8>, b: u8) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => 0,
    };
    if short != 0 {
        out.extend_from_slice(&[b'\\', short]);
    } else {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[(b >> 4) as usize],
            HEX[(b & 0xf) as usize],
        ]);
    }
}

/// Whether any of the eight bytes in `x` is below 0x20, `"` or `\\` (the classic "has less
/// than" and "has zero byte" bit tricks; exact for the question "any?").
fn any_needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x;
    let q = x ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let bs = x ^ (ONES * u64::from(b'\\'));
    let backslash = bs.wrapping_sub(ONES) & !bs;
    (below_space | quote | backslash) & HIGH != 0
}

/// Appends `n` in decimal.
fn json_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(decimal(n, &mut [0u8; 20]));
}

/// `n` in decimal, written at the end of `buf` (JSON and CSV records both write their numbers
/// this way).
pub(crate) fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(rec: &Record) -> Vec<u8> {
        serde_json::to_vec(rec).unwrap()
    }

    fn ours(rec: &Record) -> Vec<u8> {
        let mut out = Vec::new();
        rec.write_json(&mut out);
        out
    }

    /// Our writer and serde_json write the same bytes: for records of every built-in template
    /// in every dialect, and for strings with every byte that needs escaping.
    #[test]
    fn write_json_equals_serde_json() {
        use crate::dialect::{NAMES, Options, by_name};
        use crate::engine::Engine;
        use crate::library::Library;
        use crate::scene::Plan;
        let engine = Engine::from_library(Library::builtin().unwrap());
        let lib = engine.library();
        let plan = Plan::new(lib, "", None).unwrap();
        for name in NAMES {
            let d = by_name(name, lib, &Options::default()).unwrap();
            for i in 0..100 {
                let scene = engine.scene(&plan, 8, i, false);
                let mut rec = engine.record(&scene, d.as_ref()).unwrap();
                if i % 2 == 0 {
                    rec.source = Some("describe:a \"quoted\" fox".into());
                    rec.mode = Some("pairwise".into());
                }
                assert_eq!(ours(&rec), serde(&rec), "{name} {i}");
            }
        }
        let mut nasty = String::new();
        for b in 0u8..0x80 {
            nasty.push(char::from(b));
        }
        nasty.push_str("é ✓ 🦊 \u{7f} \u{2028} end");
        let rec = Record {
            prompt: nasty.clone(),
            negative_prompt: String::new(),
            seed: u64::MAX,
            index: 0,
            template: "\\".into(),
            slots: Slots(vec![
                (nasty.clone(), "\"".into()),
                ("b".into(), String::new()),
            ]),
            library: "h".into(),
            dialect: "sd".into(),
            aspect: "1:1".into(),
            format_version: FORMAT_VERSION,
            tokens: Some(75),
            params: Some(serde_json::json!({"w": 1, "s": "x\ny", "n": null, "f": 1.5})),
            source: Some(nasty),
            mode: None,
        };
        assert_eq!(ours(&rec), serde(&rec));
        assert_eq!(rec.to_json().into_bytes(), serde(&rec));
        // Every byte that needs escaping, at every offset of an eight-byte word.
        for b in (0u8..0x20).chain([b'"', b'\\', b'!', 0x7f]) {
            for pad in 0..17 {
                let mut r = rec.clone();
                r.prompt = format!("{}{}{}", "x".repeat(pad), char::from(b), "é".repeat(pad));
                assert_eq!(ours(&r), serde(&r), "byte {b:#x} at {pad}");
            }
        }
    }
}
