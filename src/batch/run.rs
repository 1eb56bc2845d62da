//! The batch pipeline: parallel, ordered, streaming.
//!
//! The index range is cut into fixed-size chunks; a wave of chunks (4 per worker) is generated in
//! parallel, each chunk into its own reused byte buffer, and the buffers are written in index
//! order. Memory is bounded by one wave of buffers whatever the count, and the bytes are the same
//! for any number of workers, because record `i` depends only on `i`.

use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use super::format::BatchFormat;
use super::generator::Generator;
use super::unique::UniqueSet;
use super::{BatchError, Result};
use crate::scene::Scratch;

/// Records per chunk: large enough to amortise scheduling, small enough to keep memory flat.
pub const CHUNK: u64 = 1024;
const CHUNKS_PER_WORKER: usize = 4;

/// One run.
pub struct Job<'a> {
    pub generator: &'a dyn Generator,
    pub format: BatchFormat,
    /// Indices (positions) to visit.
    pub range: Range<u64>,
    /// Stop after this many records (unique runs).
    pub limit: Option<u64>,
    /// Skip records whose prompt was already written.
    pub unique: Option<&'a mut UniqueSet>,
    pub jobs: usize,
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub records: u64,
    /// The first index not visited.
    pub next: u64,
}

struct Mark {
    end: usize,
    index: u64,
    hash: u64,
}

#[derive(Default)]
struct ChunkBuf {
    range: Range<u64>,
    bytes: Vec<u8>,
    marks: Vec<Mark>,
    count: u64,
    scratch: Scratch,
    err: Option<BatchError>,
}

impl ChunkBuf {
    fn fill(&mut self, generator: &dyn Generator, format: BatchFormat, track: bool) {
        self.bytes.clear();
        self.marks.clear();
        self.count = 0;
        self.err = None;
        for i in self.range.clone() {
            match generator.record(i, &mut self.scratch) {
                Ok(Some(rec)) => {
                    format.encode(&rec, &mut self.bytes);
                    self.count += 1;
                    if track {
                        self.marks.push(Mark {
                            end: self.bytes.len(),
                            index: i,
                            hash: UniqueSet::hash(&rec.prompt),
                        });
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    self.err = Some(e);
                    return;
                }
            }
        }
    }
}

fn write_err(e: std::io::Error) -> BatchError {
    BatchError::io("cannot write output", e)
}

/// Runs a job, writing records to `out` in index order. `progress(indices_done, records)` is
/// called after every wave.
pub fn run(
    mut job: Job<'_>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Outcome> {
    let jobs = job.jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| BatchError::Invalid(format!("cannot start {jobs} worker threads: {e}")))?;
    let track = job.unique.is_some() || job.limit.is_some();
    let mut bufs: Vec<ChunkBuf> = (0..jobs * CHUNKS_PER_WORKER)
        .map(|_| ChunkBuf::default())
        .collect();
    let mut next = job.range.start;
    let mut outcome = Outcome {
        records: 0,
        next,
    };
    if job.limit == Some(0) {
        return Ok(outcome);
    }
    let generator = job.generator;
    let format = job.format;
    while next < job.range.end {
        let mut used = 0;
        for b in bufs.iter_mut() {
            if next >= job.range.end {
                break;
            }
            let end = next.saturating_add(CHUNK).min(job.range.end);
            b.range = next..end;
            next = end;
            used += 1;
        }
        pool.install(|| {
            bufs[..used]
                .par_iter_mut()
                .for_each(|b| b.fill(generator, format, track));
        });
        for b in &mut bufs[..used] {
            if let Some(e) = b.err.take() {
                return Err(e);
            }
            if !track {
                out.write_all(&b.bytes).map_err(write_err)?;
                outcome.records += b.count;
                outcome.next = b.range.end;
                continue;
            }
            let mut start = 0;
            for m in &b.marks {
                let fresh = match job.unique.as_deref_mut() {
                    Some(u) => u.insert(m.hash),
                    None => true,
                };
                if fresh {
                    out.write_all(&b.bytes[start..m.end]).map_err(write_err)?;
                    outcome.records += 1;
                }
                start = m.end;
                if job.limit.is_some_and(|l| outcome.records >= l) {
                    outcome.next = m.index + 1;
                    progress(outcome.next - job.range.start, outcome.records);
                    return Ok(outcome);
                }
            }
            outcome.next = b.range.end;
        }
        progress(outcome.next - job.range.start, outcome.records);
    }
    Ok(outcome)
}
