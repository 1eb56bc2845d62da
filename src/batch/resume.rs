//! `--resume`: continue a file that was cut off, without losing or duplicating a record.
//!
//! 1. Scan the file (streaming, flat memory) for complete records; bytes after the last complete
//!    record are a partial record from a crash and will be dropped.
//! 2. Check the last complete record against regeneration: its seed, library hash, source and
//!    mode (JSONL), its index range, and then its exact bytes. Anything else is refused with a
//!    clear error and the file is not touched.
//! 3. Only then is the file truncated after that record and the run appended from the next index.
//!
//! Text output carries no index: record *k* of a text file is index `start + k`, so text resumes
//! random runs only; exhaustive and unique runs resume from JSONL or CSV.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use super::csv;
use super::format::BatchFormat;
use super::generator::{Generator, Mode};
use super::unique::UniqueSet;
use super::{BatchError, Result};
use crate::scene::Scratch;

/// What the run expects the file to hold.
pub struct Expect<'a> {
    pub generator: &'a dyn Generator,
    pub format: BatchFormat,
    pub seed: u64,
    pub library: &'a str,
    pub source: &'a str,
    pub mode: Mode,
    /// The run's index range (after sharding).
    pub range: Range<u64>,
    /// Collect the prompt hashes of every record (for `--unique`).
    pub collect_hashes: bool,
}

/// Where to continue.
#[derive(Debug, Default)]
pub struct ResumePoint {
    /// Bytes to keep (everything up to the end of the last complete record).
    pub keep: u64,
    /// The next index to generate.
    pub next: u64,
    /// Complete records already in the file.
    pub records: u64,
    /// Prompt hashes of those records, when asked for.
    pub hashes: Vec<u64>,
    /// The header must be (re)written.
    pub needs_header: bool,
}

struct Scan {
    records: u64,
    keep: u64,
    last: Vec<u8>,
    header_ok: bool,
    hashes: Vec<u64>,
}

fn scan(path: &Path, format: BatchFormat, collect: bool) -> Result<Scan> {
    let shown = path.display().to_string();
    let mut f = File::open(path).map_err(|e| BatchError::io(format!("cannot read {shown}"), e))?;
    let header = format.header();
    let mut s = Scan {
        records: 0,
        keep: 0,
        last: Vec::new(),
        header_ok: header.is_empty(),
        hashes: Vec::new(),
    };
    let mut cur: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut offset: u64 = 0;
    let mut quoted = false;
    let mut prev = 0u8;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| BatchError::io(format!("cannot read {shown}"), e))?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            offset += 1;
            cur.push(b);
            let end = match format {
                BatchFormat::Csv => {
                    if b == b'"' {
                        quoted = !quoted;
                    }
                    b == b'\n' && prev == b'\r' && !quoted
                }
                _ => b == b'\n',
            };
            prev = b;
            if !end {
                continue;
            }
            if !s.header_ok {
                if cur != header {
                    return Err(BatchError::Resume {
                        path: shown,
                        message: "it does not start with promptloom's CSV header".into(),
                    });
                }
                s.header_ok = true;
                s.keep = offset;
                cur.clear();
                continue;
            }
            if collect {
                s.hashes.push(UniqueSet::hash(&prompt_of(format, &cur)));
            }
            s.records += 1;
            s.keep = offset;
            std::mem::swap(&mut s.last, &mut cur);
            cur.clear();
        }
    }
    if !s.header_ok && !header.starts_with(&cur) {
        return Err(BatchError::Resume {
            path: shown,
            message: "it does not start with promptloom's CSV header".into(),
        });
    }
    Ok(s)
}

fn prompt_of(format: BatchFormat, rec: &[u8]) -> String {
    match format {
        BatchFormat::Text => String::from_utf8_lossy(rec.strip_suffix(b"\n").unwrap_or(rec)).into(),
        BatchFormat::Jsonl => serde_json::from_slice::<serde_json::Value>(rec)
            .ok()
            .and_then(|v| v.get("prompt").and_then(|p| p.as_str()).map(str::to_string))
            .unwrap_or_default(),
        BatchFormat::Csv => csv::fields(rec).into_iter().nth(3).unwrap_or_default(),
    }
}

/// Inspects `path` and decides where to continue, or refuses.
pub fn inspect(path: &Path, e: &Expect<'_>) -> Result<ResumePoint> {
    let shown = path.display().to_string();
    let refuse = |message: String| BatchError::Resume {
        path: shown.clone(),
        message,
    };
    let s = scan(path, e.format, e.collect_hashes)?;
    if s.records == 0 {
        return Ok(ResumePoint {
            keep: s.keep,
            next: e.range.start,
            records: 0,
            hashes: Vec::new(),
            needs_header: !s.header_ok,
        });
    }
    let index = match e.format {
        BatchFormat::Jsonl => {
            let v: serde_json::Value = serde_json::from_slice(&s.last).map_err(|err| {
                refuse(format!(
                    "its last complete line is not a JSON record ({err})"
                ))
            })?;
            let seed = v.get("seed").and_then(|x| x.as_u64());
            if seed != Some(e.seed) {
                return Err(refuse(format!(
                    "it was made with seed {}, not {}",
                    seed.map_or("(none)".into(), |x| x.to_string()),
                    e.seed
                )));
            }
            let lib = v.get("library").and_then(|x| x.as_str()).unwrap_or("");
            if lib != e.library {
                return Err(refuse(format!(
                    "it was made with library {lib}, but this run loads library {} \
                     (different --library folders or a changed vocabulary)",
                    e.library
                )));
            }
            let src = v.get("source").and_then(|x| x.as_str()).unwrap_or("(none)");
            if src != e.source {
                return Err(refuse(format!(
                    "it was made from source `{src}`, not `{}`",
                    e.source
                )));
            }
            let dialect = v.get("dialect").and_then(|x| x.as_str()).unwrap_or("");
            if dialect != e.generator.writing().name() {
                return Err(refuse(format!(
                    "it was written in dialect {dialect}, not {}",
                    e.generator.writing().name()
                )));
            }
            let mode = v.get("mode").and_then(|x| x.as_str());
            if mode != e.mode.label() {
                return Err(refuse(format!(
                    "it was made in mode {}, not {}",
                    mode.unwrap_or("random"),
                    e.mode.label().unwrap_or("random")
                )));
            }
            v.get("index")
                .and_then(|x| x.as_u64())
                .ok_or_else(|| refuse("its last record has no index".into()))?
        }
        BatchFormat::Csv => {
            let f = csv::fields(&s.last);
            let seed: Option<u64> = f.first().and_then(|x| x.parse().ok());
            if seed != Some(e.seed) {
                return Err(refuse(format!(
                    "it was made with seed {}, not {}",
                    f.first().map_or("(none)", String::as_str),
                    e.seed
                )));
            }
            f.get(1)
                .and_then(|x| x.parse().ok())
                .ok_or_else(|| refuse("its last record has no index".into()))?
        }
        BatchFormat::Text => {
            if e.mode != Mode::Random || e.collect_hashes {
                return Err(refuse(
                    "text output carries no index, so only random runs resume from it; \
                     write exhaustive and unique runs as jsonl or csv"
                        .into(),
                ));
            }
            e.range.start + s.records - 1
        }
    };
    if !e.range.contains(&index) {
        return Err(refuse(format!(
            "its last record has index {index}, outside this run's indices {}..{}",
            e.range.start, e.range.end
        )));
    }
    let mut scratch = Scratch::default();
    let regenerated = if e.format == BatchFormat::Text {
        // A text line is what `prompt` writes (the token count first with `--tokens`).
        e.generator.prompt(index, &mut scratch)?.map(|p| {
            let mut b = Vec::with_capacity(p.len() + 1);
            crate::output::escape_controls_into(&p, &mut b);
            b.push(b'\n');
            b
        })
    } else {
        e.generator.record(index, &mut scratch)?.map(|r| {
            let mut b = Vec::new();
            e.format.encode(&r, &mut b);
            b
        })
    };
    if regenerated.as_deref() != Some(s.last.as_slice()) {
        return Err(refuse(format!(
            "its last complete record (index {index}) differs from what this run generates: \
             it was made with another seed, source, mode or library"
        )));
    }
    Ok(ResumePoint {
        keep: s.keep,
        next: index + 1,
        records: s.records,
        hashes: s.hashes,
        needs_header: false,
    })
}
