//! `replay`: regenerate every record of a JSONL set and report each one that differs.
//!
//! Each record names its source, mode, seed and index, so it is regenerated on its own and its
//! JSON line compared byte for byte. A different library hash is reported as such, so the cause
//! of a difference is plain.

use std::collections::BTreeMap;
use std::io::BufRead;

use super::format::BatchFormat;
use super::generator::{self, Generator, Mode, Writing};
use super::{BatchError, Result, Source};
use crate::dialect;
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

/// Source, mode, seed, and the dialect with its options (as `name Options{..}`).
type Key = (String, Option<String>, u64, String);

/// Lines verified per parallel step.
const LINES_PER_WORKER: usize = 1024;

/// One line of the file, parsed.
struct Line {
    no: u64,
    text: String,
    value: std::result::Result<serde_json::Value, String>,
}

fn key_of(v: &serde_json::Value) -> Option<(Key, u64)> {
    let index = v.get("index")?.as_u64()?;
    let seed = v.get("seed")?.as_u64()?;
    let source = v.get("source")?.as_str()?.to_string();
    let mode = v.get("mode").and_then(|x| x.as_str()).map(str::to_string);
    let (name, opts) = dialect_of(v);
    Some(((source, mode, seed, format!("{name} {opts:?}")), index))
}

/// The dialect and options a record was written with, read back from its `dialect`, `params`
/// and `tokens`: sd/sdxl `max_tokens`; midjourney's parameters (`ar` included, which
/// reproduces the template's own aspect too); dalle's `model`; `--tokens` from a `tokens`
/// field where the dialect does not always count. `--strict` never changes a written record.
pub fn dialect_of(v: &serde_json::Value) -> (String, dialect::Options) {
    let name = v
        .get("dialect")
        .and_then(|x| x.as_str())
        .unwrap_or("plain")
        .to_string();
    let params = v.get("params");
    let param = |k: &str| params.and_then(|p| p.get(k));
    let mut o = dialect::Options::default();
    match name.as_str() {
        "sd" | "sdxl" => {
            o.max_tokens = param("max_tokens")
                .and_then(|x| x.as_u64())
                .and_then(|x| u32::try_from(x).ok());
        }
        "midjourney" => {
            for k in [
                "ar", "v", "niji", "style", "stylize", "chaos", "weird", "seed",
            ] {
                match param(k) {
                    Some(serde_json::Value::String(s)) => o.mj.push(format!("{k}={s}")),
                    Some(serde_json::Value::Number(n)) => o.mj.push(format!("{k}={n}")),
                    _ => {}
                }
            }
        }
        "dalle" => o.model = param("model").and_then(|x| x.as_str()).map(str::to_string),
        _ => {}
    }
    if !matches!(name.as_str(), "sd" | "sdxl") {
        o.tokens = v.get("tokens").is_some_and(|t| !t.is_null());
    }
    (name, o)
}

type Generators = BTreeMap<Key, std::result::Result<Box<dyn Generator + Send>, String>>;

/// Replays every line of `input` on `jobs` threads, calling `report` for each mismatch in line
/// order.
/// `allowed`: the wildcard folders a record of an expand set may read (as the user passed them
/// to `replay -w`); a record naming any other folder is not regenerated, so a crafted file
/// cannot make `replay` read folders the user did not name.
pub fn replay(
    engine: &Engine,
    input: impl BufRead,
    jobs: usize,
    allowed: &[std::path::PathBuf],
    report: &mut dyn FnMut(&Mismatch),
) -> Result<Summary> {
    let jobs = jobs.max(1);
    let mut sum = Summary::default();
    let mut generators: Generators = BTreeMap::new();
    let mut lines = input.lines().enumerate();
    loop {
        // Read one step's worth of lines.
        let mut batch: Vec<Line> = Vec::with_capacity(jobs * LINES_PER_WORKER);
        for (n, line) in lines.by_ref() {
            let text = line.map_err(|e| BatchError::io("cannot read the file to replay", e))?;
            if text.is_empty() {
                continue;
            }
            batch.push(Line {
                no: n as u64 + 1,
                text,
                value: Err(String::new()),
            });
            if batch.len() == jobs * LINES_PER_WORKER {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        let per = batch.len().div_ceil(jobs);
        // Parse in parallel.
        std::thread::scope(|s| {
            for part in batch.chunks_mut(per) {
                s.spawn(move || {
                    for l in part {
                        l.value = serde_json::from_str(&l.text).map_err(|e| e.to_string());
                    }
                });
            }
        });
        // Build the generators this step needs, once each.
        for l in &batch {
            if let Ok(v) = &l.value
                && let Some((key, _)) = key_of(v)
                && !generators.contains_key(&key)
            {
                let (name, opts) = dialect_of(v);
                let built = Source::from_label(&key.0)
                    .and_then(|src| check_roots(src, allowed))
                    .and_then(|src| Ok((src, Mode::from_label(key.1.as_deref())?)))
                    .and_then(|(src, mode)| {
                        let writing = Writing::new(&name, engine, opts)?;
                        generator::build_with(engine, &src, mode, key.2, writing)
                    })
                    .map_err(|e| e.to_string());
                generators.insert(key, built);
            }
        }
        // Verify in parallel, report in order.
        let gens = &generators;
        let results: Vec<Result<Vec<Mismatch>>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(per)
                .map(|part| s.spawn(move || verify(engine, gens, part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Ok(Vec::new())))
                .collect()
        });
        sum.records += batch.len() as u64;
        for r in results {
            for m in r? {
                sum.mismatches += 1;
                report(&m);
            }
        }
    }
    Ok(sum)
}

/// Refuses an expand source that names a wildcard folder the user did not allow.
fn check_roots(src: Source, allowed: &[std::path::PathBuf]) -> Result<Source> {
    if let Source::Expand(spec) = &src {
        let canon: Vec<_> = allowed
            .iter()
            .map(|a| std::fs::canonicalize(a).unwrap_or_else(|_| a.clone()))
            .collect();
        for root in &spec.wildcards {
            let p = std::path::PathBuf::from(root);
            let real = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if !allowed.contains(&p) && !canon.contains(&real) {
                return Err(BatchError::Invalid(format!(
                    "the record reads wildcard folder `{root}`, which was not allowed; pass \
                     `-w {root}` to replay to allow it"
                )));
            }
        }
    }
    Ok(src)
}

fn verify(engine: &Engine, gens: &Generators, lines: &[Line]) -> Result<Vec<Mismatch>> {
    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    let mut buf = Vec::new();
    let engine_hash = engine.library().hash();
    for l in lines {
        let mut fail = |index: Option<u64>, message: String| {
            out.push(Mismatch {
                line: l.no,
                index,
                message,
            });
        };
        let v = match &l.value {
            Ok(v) => v,
            Err(e) => {
                fail(None, format!("not a JSON record: {e}"));
                continue;
            }
        };
        let Some((key, index)) = key_of(v) else {
            fail(
                v.get("index").and_then(|x| x.as_u64()),
                "record lacks seed, index or source (only `promptloom batch` JSONL records \
                 can be replayed)"
                    .into(),
            );
            continue;
        };
        let lib = v.get("library").and_then(|x| x.as_str()).unwrap_or("");
        let expand = key.0.starts_with("expand:");
        // A scene record made with another library: say so rather than why it cannot build.
        if !expand && lib != engine_hash {
            fail(
                Some(index),
                format!(
                    "made with library {lib}, but the loaded library is {engine_hash} (load the \
                     same --library folders)"
                ),
            );
            continue;
        }
        let g = match gens.get(&key) {
            Some(Ok(g)) => g,
            Some(Err(e)) => {
                fail(Some(index), format!("cannot regenerate: {e}"));
                continue;
            }
            None => continue,
        };
        let lib_hash = g.library();
        if lib != lib_hash {
            fail(
                Some(index),
                format!(
                    "made with {lib}, but the wildcards load as {lib_hash} (the wildcard files \
                     changed, or the record's wildcard roots resolve elsewhere from this \
                     directory)"
                ),
            );
            continue;
        }
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
        if regenerated != l.text.as_bytes() {
            let fields = differing_fields(v, regenerated);
            fail(
                Some(index),
                format!("differs from its regeneration in {}", fields.join(", ")),
            );
        }
    }
    Ok(out)
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
