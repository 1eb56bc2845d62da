//! `replay`: regenerate every record of a JSONL set and report each one that differs.
//!
//! Each record names its source, mode, seed and index, so it is regenerated on its own and its
//! JSON line compared byte for byte. A different library hash is reported as such, so the cause
//! of a difference is plain.

use std::io::BufRead;

use super::format::BatchFormat;
use super::generator::{self, Generator, Mode};
use super::{BatchError, Result, Source};
use crate::engine::Engine;
use crate::scene::Scratch;

/// One record that did not regenerate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// 1-based line number.
    pub line: u64,
    pub index: Option<u64>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: u64,
    pub mismatches: u64,
}

type Key = (String, Option<String>, u64);

/// Replays every line of `input`, calling `report` for each mismatch.
pub fn replay(
    engine: &Engine,
    input: impl BufRead,
    report: &mut dyn FnMut(&Mismatch),
) -> Result<Summary> {
    let mut sum = Summary::default();
    let mut cached: Option<(Key, Box<dyn Generator + Send>)> = None;
    let mut scratch = Scratch::default();
    let mut buf = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| BatchError::io("cannot read the file to replay", e))?;
        if line.is_empty() {
            continue;
        }
        sum.records += 1;
        let line_no = n as u64 + 1;
        let mut fail = |index: Option<u64>, message: String| {
            sum.mismatches += 1;
            report(&Mismatch {
                line: line_no,
                index,
                message,
            });
        };
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                fail(None, format!("not a JSON record: {e}"));
                continue;
            }
        };
        let index = v.get("index").and_then(|x| x.as_u64());
        let seed = v.get("seed").and_then(|x| x.as_u64());
        let source = v.get("source").and_then(|x| x.as_str());
        let (Some(index), Some(seed), Some(source)) = (index, seed, source) else {
            fail(
                index,
                "record lacks seed, index or source (only `promptloom batch` JSONL records \
                 can be replayed)"
                    .into(),
            );
            continue;
        };
        let lib = v.get("library").and_then(|x| x.as_str()).unwrap_or("");
        if lib != engine.library().hash() {
            fail(
                Some(index),
                format!(
                    "made with library {lib}, but the loaded library is {} (load the same \
                     --library folders)",
                    engine.library().hash()
                ),
            );
            continue;
        }
        let mode_label = v.get("mode").and_then(|x| x.as_str()).map(str::to_string);
        let key: Key = (source.to_string(), mode_label.clone(), seed);
        if cached.as_ref().is_none_or(|(k, _)| *k != key) {
            let built = Source::from_label(source)
                .and_then(|src| Ok((src, Mode::from_label(mode_label.as_deref())?)))
                .and_then(|(src, mode)| generator::build(engine, &src, mode, seed));
            match built {
                Ok(g) => cached = Some((key, g)),
                Err(e) => {
                    fail(Some(index), format!("cannot regenerate: {e}"));
                    continue;
                }
            }
        }
        let Some((_, g)) = cached.as_ref() else {
            continue;
        };
        buf.clear();
        match g.record(index, &mut scratch)? {
            Some(rec) => BatchFormat::Jsonl.encode(&rec, &mut buf),
            None => {
                fail(
                    Some(index),
                    "this index holds no record when regenerated".into(),
                );
                continue;
            }
        }
        let regenerated = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if regenerated != line.as_bytes() {
            let fields = differing_fields(&v, regenerated);
            fail(
                Some(index),
                format!("differs from its regeneration in {}", fields.join(", ")),
            );
        }
    }
    Ok(sum)
}

fn differing_fields(stored: &serde_json::Value, regenerated: &[u8]) -> Vec<String> {
    let Ok(fresh) = serde_json::from_slice::<serde_json::Value>(regenerated) else {
        return vec!["its bytes".into()];
    };
    let (Some(a), Some(b)) = (stored.as_object(), fresh.as_object()) else {
        return vec!["its bytes".into()];
    };
    let mut out: Vec<String> = b
        .iter()
        .filter(|(k, v)| a.get(*k) != Some(v))
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    out.extend(
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .map(|k| format!("`{k}` (not generated)")),
    );
    if out.is_empty() {
        out.push("its bytes (field order or formatting)".into());
    }
    out
}
