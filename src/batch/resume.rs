//! `--resume`: continue a file that was cut off, without losing or duplicating a record.
//!
//! 1. Scan the file (streaming, flat memory) for complete records; bytes after the last complete
//!    record are dropped only when they are the start of the record the run writes next (a
//!    write cut off by a crash), else the file is foreign and refused.
//! 2. Check the last complete record against regeneration: its seed, library hash, source and
//!    mode (JSONL), its index range, and then its exact bytes. Anything else is refused with a
//!    clear error and the file is not touched.
//! 3. Prove the whole file: regenerate every record up to that one and compare them with the
//!    file, byte for byte, in order (text, whose records may span lines, is proven this way
//!    from its first byte instead of being counted by lines).
//! 4. Only then is the file truncated after that record and the run appended from the next index.
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
    /// The run's index range (after sharding), within `[0, END)` (see [`super::END`]).
    pub range: Range<u128>,
    /// Collect the prompt hashes of every record (for `--unique`).
    pub collect_hashes: bool,
    /// Workers for proving the file (regenerating its records).
    pub jobs: usize,
}

/// Where to continue.
#[derive(Debug, Default)]
pub struct ResumePoint {
    /// Bytes to keep (everything up to the end of the last complete record).
    pub keep: u64,
    /// The next index to generate (2^64 after a record at the last index).
    pub next: u128,
    /// Complete records already in the file.
    pub records: u64,
    /// Prompt hashes of those records, when asked for.
    pub hashes: Vec<u64>,
    /// The header must be (re)written.
    pub needs_header: bool,
    /// Bytes of a torn record after `keep`, proven to be the start of the next record.
    pub torn: u64,
}

struct Scan {
    records: u64,
    keep: u64,
    last: Vec<u8>,
    header_ok: bool,
    hashes: Vec<u64>,
    /// Bytes after the last complete record (a torn record, or a foreign file's text).
    tail: Vec<u8>,
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
        tail: Vec::new(),
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
    if s.header_ok {
        s.tail = cur;
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
    let mut s = scan(path, e.format, e.collect_hashes)?;
    if e.format == BatchFormat::Text {
        if e.mode != Mode::Random || e.collect_hashes {
            return Err(refuse(text_needs_random()));
        }
        // Text records may span lines: never count lines, regenerate and compare instead.
        let p = prove(path, e, 0, e.range.clone()).map_err(&refuse)?;
        let len = std::fs::metadata(path)
            .map_err(|err| BatchError::io(format!("cannot read {shown}"), err))?
            .len();
        s.tail = read_from(path, p.bytes)
            .map_err(|err| BatchError::io(format!("cannot read {shown}"), err))?;
        let next = e.range.start + u128::from(p.records);
        if !s.tail.is_empty() {
            check_tail(e, &s, next).map_err(&refuse)?;
        }
        debug_assert_eq!(p.bytes + s.tail.len() as u64, len);
        return Ok(ResumePoint {
            keep: p.bytes,
            next,
            records: p.records,
            hashes: Vec::new(),
            needs_header: false,
            torn: s.tail.len() as u64,
        });
    }
    if s.records == 0 {
        if e.format == BatchFormat::Text && e.mode != Mode::Random {
            return Err(refuse(text_needs_random()));
        }
        check_tail(e, &s, e.range.start).map_err(&refuse)?;
        return Ok(ResumePoint {
            keep: s.keep,
            next: e.range.start,
            records: 0,
            hashes: Vec::new(),
            needs_header: !s.header_ok,
            torn: s.tail.len() as u64,
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
                return Err(refuse(text_needs_random()));
            }
            // (Never reached: text is proven whole above.)
            super::index(e.range.start + u128::from(s.records) - 1)
        }
    };
    if !e.range.contains(&u128::from(index)) {
        return Err(refuse(format!(
            "its last record has index {index}, outside this run's indices {}..{}",
            e.range.start, e.range.end
        )));
    }
    let mut scratch = Scratch::default();
    // A text line is what `prompt` writes (the token count first with `--tokens`).
    let regenerated = encode_one(e, index, &mut scratch)?.map(|(b, _)| b);
    if regenerated.as_deref() != Some(s.last.as_slice()) {
        // (Text never gets here: it is proven whole above.)
        return Err(refuse(format!(
            "its last complete record (index {index}) differs from what this run generates: \
             it was made with another seed, source, mode or library"
        )));
    }
    // After a record at the last index, 2^64 - 1, `next` is 2^64: the run is complete.
    let next = u128::from(index) + 1;
    // The last record matches: now every record before it must too (a file that mixes two
    // runs, or was edited, is refused), and there must be exactly as many.
    let header = e.format.header().len() as u64;
    let p = prove(path, e, header, e.range.start..next).map_err(&refuse)?;
    if p.records != s.records || header + p.bytes != s.keep {
        return Err(refuse(format!(
            "it holds {} records up to index {index}, but this run writes {} there: the file \
             mixes runs or was edited",
            s.records, p.records
        )));
    }
    check_tail(e, &s, next).map_err(refuse)?;
    Ok(ResumePoint {
        keep: s.keep,
        next,
        records: s.records,
        torn: s.tail.len() as u64,
        hashes: s.hashes,
        needs_header: false,
    })
}

fn text_needs_random() -> String {
    "text output carries no index, so only random runs resume from it; \
     write exhaustive and unique runs as jsonl or csv"
        .into()
}

/// How many positions after the last record a torn record may belong to: exhaustive runs skip
/// incoherent positions and unique runs skip repeated prompts, so the next record written is not
/// always the next index.
const TAIL_WINDOW: u64 = 4096;

/// The bytes after the last complete record are dropped only when they are the start of the
/// record this run would write next (a write cut off by a crash). Anything else — a notes file
/// with no newline, a record of another run — is refused, and the file is left untouched.
/// The tail is checked against the next record even beyond the run's range, so a file whose run
/// was cut after the last record this run needs still loses its torn tail.
fn check_tail(e: &Expect<'_>, s: &Scan, next: u128) -> std::result::Result<(), String> {
    if s.tail.is_empty() {
        return Ok(());
    }
    let foreign = || {
        format!(
            "its last {} bytes are not the start of the record this run writes next (index {next}); \
             is it a file of another run, or not a promptloom set? It is left untouched",
            s.tail.len()
        )
    };
    let mut scratch = Scratch::default();
    let seen: std::collections::BTreeSet<u64> = s.hashes.iter().copied().collect();
    for k in 0..TAIL_WINDOW {
        let i = next + u128::from(k);
        // Nothing follows the last index.
        if i >= super::END || e.generator.positions().is_some_and(|p| i >= p) {
            break;
        }
        let i = super::index(i);
        let (bytes, prompt) = match encode_one(e, i, &mut scratch) {
            Ok(Some(x)) => x,
            Ok(None) => continue, // an incoherent position: no record
            Err(_) => return Err(foreign()),
        };
        if bytes.starts_with(&s.tail) {
            return Ok(());
        }
        // A unique run skips a record whose prompt it already wrote; anything else that
        // exists is the record that was written next.
        if !(e.collect_hashes && seen.contains(&UniqueSet::hash(&prompt))) {
            return Err(foreign());
        }
    }
    Err(foreign())
}

/// Record `i` as this run writes it, and its prompt.
fn encode_one(e: &Expect<'_>, i: u64, scratch: &mut Scratch) -> Result<Option<(Vec<u8>, String)>> {
    if e.format == BatchFormat::Text {
        return Ok(e.generator.prompt(i, scratch)?.map(|p| {
            let mut b = Vec::with_capacity(p.len() + 1);
            crate::output::escape_controls_into(&p, &mut b);
            b.push(b'\n');
            (b, p)
        }));
    }
    Ok(e.generator.record(i, scratch)?.map(|r| {
        let mut b = Vec::new();
        e.format.encode(&r, &mut b);
        (b, r.prompt)
    }))
}

/// What [`prove`] found: the records of the run that the file holds, whole and in order, and
/// the bytes they take.
struct Proof {
    records: u64,
    bytes: u64,
}

/// Proves the file from byte `from` on: the run's records over `range` are regenerated (in
/// parallel, by the batch pipeline, nothing written) and compared with the file's bytes, record
/// by record, until the file ends. The file ending inside a record is fine (a torn tail, checked
/// by the caller); a record that differs is refused, naming its position.
fn prove(
    path: &Path,
    e: &Expect<'_>,
    from: u64,
    range: Range<u128>,
) -> std::result::Result<Proof, String> {
    use std::io::{BufReader, Seek, SeekFrom};
    let mut f = File::open(path).map_err(|err| format!("cannot read it: {err}"))?;
    f.seek(SeekFrom::Start(from))
        .map_err(|err| format!("cannot read it: {err}"))?;
    let mut v = Verify {
        file: BufReader::with_capacity(1 << 20, f),
        records: 0,
        bytes: 0,
        state: State::Going,
        buf: Vec::new(),
    };
    let mut seen = UniqueSet::default();
    let outcome = super::run::run(
        super::run::Job {
            generator: e.generator,
            format: e.format,
            range,
            // A limit makes the pipeline write record by record, which `Verify` counts.
            limit: Some(u64::MAX),
            unique: e.collect_hashes.then_some(&mut seen),
            jobs: e.jobs,
        },
        &mut v,
        &mut |_, _| {},
    );
    match v.state {
        State::Differs => Err(format!(
            "its record {} (counting from 1) differs from what this run generates there: the \
             file was made with another seed, source, library or mode, mixes runs, or was edited",
            v.records + 1
        )),
        State::Failed(m) => Err(m),
        State::Going | State::Ended => match outcome {
            Ok(_) => Ok(Proof {
                records: v.records,
                bytes: v.bytes,
            }),
            Err(_) if v.state == State::Ended => Ok(Proof {
                records: v.records,
                bytes: v.bytes,
            }),
            Err(err) => Err(format!("cannot regenerate its records: {err}")),
        },
    }
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    Going,
    /// The file ended (at a record boundary or inside a record).
    Ended,
    Differs,
    Failed(String),
}

/// A `Write` that compares each record written with the next bytes of the file.
struct Verify<R: Read> {
    file: R,
    records: u64,
    bytes: u64,
    state: State,
    buf: Vec<u8>,
}

impl<R: Read> std::io::Write for Verify<R> {
    fn write(&mut self, rec: &[u8]) -> std::io::Result<usize> {
        self.write_all(rec).map(|()| rec.len())
    }

    fn write_all(&mut self, rec: &[u8]) -> std::io::Result<()> {
        let stop = || std::io::Error::other("stop");
        if self.state != State::Going {
            return Err(stop());
        }
        self.buf.resize(rec.len(), 0);
        let mut got = 0;
        while got < rec.len() {
            match self.file.read(&mut self.buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.state = State::Failed(format!("cannot read it: {err}"));
                    return Err(stop());
                }
            }
        }
        if self.buf[..got] != rec[..got] {
            self.state = State::Differs;
            return Err(stop());
        }
        if got < rec.len() {
            self.state = State::Ended; // the file ends here (a torn record, or nothing)
            return Err(stop());
        }
        self.records += 1;
        self.bytes += rec.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes of the file from `at` on.
fn read_from(path: &Path, at: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(at))?;
    let mut v = Vec::new();
    f.read_to_end(&mut v)?;
    Ok(v)
}
