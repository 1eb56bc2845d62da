//! The batch pipeline: parallel, ordered, streaming.
//!
//! The index range is cut into fixed-size chunks. `jobs` worker threads each take a free buffer,
//! claim the next chunk number, render the chunk's records into the buffer and hand it to the
//! calling thread, which writes buffers strictly in chunk order (holding early arrivals in a
//! small reorder map) and returns them to the free list. There are `CHUNKS_PER_WORKER × jobs`
//! buffers in all, so memory is bounded whatever the count, workers never wait at a barrier,
//! and writing overlaps generation. The bytes are the same for any number of workers, because
//! record `i` depends only on `i`.
//!
//! (Plain scoped threads rather than rayon: the work is a uniform stream of chunks, and a
//! claim-a-chunk loop with a bounded free list keeps both cores busy without wave barriers.)

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

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

/// Buffers not in use, shared by the workers; a worker waits here when the writer is behind.
struct FreeList {
    bufs: Mutex<Vec<ChunkBuf>>,
    ready: Condvar,
}

impl FreeList {
    fn take(&self, stop: &AtomicBool) -> Option<ChunkBuf> {
        let mut g = self.bufs.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(b) = g.pop() {
                return Some(b);
            }
            g = self.ready.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn give(&self, b: ChunkBuf) {
        self.bufs.lock().unwrap_or_else(|p| p.into_inner()).push(b);
        self.ready.notify_one();
    }

    fn wake_all(&self) {
        let _g = self.bufs.lock().unwrap_or_else(|p| p.into_inner());
        self.ready.notify_all();
    }
}

/// Runs a job, writing records to `out` in index order. `progress(indices_done, records)` is
/// called as chunks are written.
pub fn run(
    mut job: Job<'_>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Outcome> {
    let jobs = job.jobs.max(1);
    let track = job.unique.is_some() || job.limit.is_some();
    let range = job.range.clone();
    let mut outcome = Outcome {
        records: 0,
        next: range.start,
    };
    if job.limit == Some(0) || range.is_empty() {
        return Ok(outcome);
    }
    let chunks = (range.end - range.start).div_ceil(CHUNK);
    let chunk_range = |k: u64| {
        let s = range.start + k * CHUNK;
        s..(s.saturating_add(CHUNK)).min(range.end)
    };
    let generator = job.generator;
    let format = job.format;
    let free = FreeList {
        bufs: Mutex::new(
            (0..jobs * CHUNKS_PER_WORKER)
                .map(|_| ChunkBuf::default())
                .collect(),
        ),
        ready: Condvar::new(),
    };
    let claimed = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(u64, ChunkBuf)>();

    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (free, claimed, stop) = (&free, &claimed, &stop);
            scope.spawn(move || {
                while let Some(mut b) = free.take(stop) {
                    let k = claimed.fetch_add(1, Ordering::Relaxed);
                    if k >= chunks {
                        free.give(b);
                        return;
                    }
                    b.range = chunk_range(k);
                    b.fill(generator, format, track);
                    if tx.send((k, b)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);

        // The writer: this thread, in chunk order.
        let result = (|| -> Result<Outcome> {
            let mut pending: BTreeMap<u64, ChunkBuf> = BTreeMap::new();
            let mut want = 0u64;
            while want < chunks {
                let mut b = match pending.remove(&want) {
                    Some(b) => b,
                    None => {
                        let Ok((k, b)) = rx.recv() else {
                            break;
                        };
                        if k != want {
                            pending.insert(k, b);
                            continue;
                        }
                        b
                    }
                };
                want += 1;
                if let Some(e) = b.err.take() {
                    return Err(e);
                }
                if !track {
                    out.write_all(&b.bytes).map_err(write_err)?;
                    outcome.records += b.count;
                    outcome.next = b.range.end;
                } else {
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
                            progress(outcome.next - range.start, outcome.records);
                            return Ok(outcome);
                        }
                    }
                    outcome.next = b.range.end;
                }
                free.give(b);
                progress(outcome.next - range.start, outcome.records);
            }
            Ok(outcome)
        })();
        // Release the workers whether the writer finished, stopped early or failed.
        stop.store(true, Ordering::Relaxed);
        free.wake_all();
        drop(rx);
        result
    })
}
