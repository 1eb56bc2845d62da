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
    /// Indices (positions) to visit, within `[0, END)` (see [`super::END`]).
    pub range: Range<u128>,
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
    /// The first index not visited (2^64 after the last index).
    pub next: u128,
}

struct Mark {
    end: usize,
    index: u64,
    hash: u64,
}

#[derive(Default)]
struct ChunkBuf {
    range: Range<u128>,
    bytes: Vec<u8>,
    marks: Vec<Mark>,
    count: u64,
    scratch: Scratch,
    err: Option<BatchError>,
    /// The text line being written.
    line: String,
}

impl ChunkBuf {
    fn fill(&mut self, generator: &dyn Generator, format: BatchFormat, track: bool) {
        self.bytes.clear();
        self.marks.clear();
        self.count = 0;
        self.err = None;
        for i in self.range.clone() {
            let i = super::index(i);
            // Text needs only the prompt: skip building the rest of the record.
            self.line.clear();
            let done = if format == BatchFormat::Text {
                generator
                    .prompt_into(i, &mut self.scratch, &mut self.line)
                    .inspect(|written| {
                        if *written {
                            crate::output::escape_controls_into(&self.line, &mut self.bytes);
                            self.bytes.push(b'\n');
                        }
                    })
            } else {
                generator.record(i, &mut self.scratch).map(|r| {
                    r.map(|r| {
                        format.encode(&r, &mut self.bytes);
                        self.line = r.prompt;
                    })
                    .is_some()
                })
            };
            match done {
                Ok(true) => {
                    self.count += 1;
                    if track {
                        self.marks.push(Mark {
                            end: self.bytes.len(),
                            index: i,
                            hash: UniqueSet::hash(&self.line),
                        });
                    }
                }
                Ok(false) => {}
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
    let track = job.unique.is_some() || job.limit.is_some();
    let range = job.range.clone();
    let mut outcome = Outcome {
        records: 0,
        next: range.start,
    };
    if job.limit == Some(0) || range.is_empty() {
        return Ok(outcome);
    }
    if range.end > super::END {
        return Err(BatchError::Invalid(format!(
            "indices {}..{} run past the largest index, 2^64 - 1",
            range.start, range.end
        )));
    }
    // At most 2^64 / CHUNK chunks: the count fits a u64.
    let chunks = super::count((range.end - range.start).div_ceil(u128::from(CHUNK)));
    // No more workers than chunks: an idle worker would only hold buffers.
    let jobs = job
        .jobs
        .clamp(1, usize::try_from(chunks).unwrap_or(usize::MAX));
    let chunk_range = |k: u64| {
        let s = range.start + u128::from(k) * u128::from(CHUNK);
        s..(s + u128::from(CHUNK)).min(range.end)
    };
    let done = |next: u128| super::count(next - range.start);
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
                            outcome.next = u128::from(m.index) + 1;
                            progress(done(outcome.next), outcome.records);
                            return Ok(outcome);
                        }
                    }
                    outcome.next = b.range.end;
                }
                free.give(b);
                progress(done(outcome.next), outcome.records);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Record, Slots};

    /// [`CHUNK`] as an index of a range.
    const C: u128 = CHUNK as u128;

    /// Index → a record whose prompt repeats every `period` indices; `hole` indices hold none.
    struct Fake {
        period: u64,
        hole: Option<u64>,
        fail_at: Option<u64>,
    }

    impl Generator for Fake {
        fn scene(&self, _: u64, _: &mut Scratch) -> Option<crate::scene::Scene> {
            None
        }
        fn engine(&self) -> &crate::Engine {
            unreachable!("the fake overrides record and prompt")
        }
        fn writing(&self) -> &crate::batch::generator::Writing {
            static W: std::sync::OnceLock<crate::batch::generator::Writing> =
                std::sync::OnceLock::new();
            W.get_or_init(crate::batch::generator::Writing::plain)
        }
        fn label(&self) -> &str {
            "fake"
        }
        fn mode(&self) -> crate::batch::Mode {
            crate::batch::Mode::Random
        }
        fn prompt(&self, i: u64, s: &mut Scratch) -> Result<Option<String>> {
            Ok(self.record(i, s)?.map(|r| r.prompt))
        }
        fn record(&self, i: u64, _: &mut Scratch) -> Result<Option<Record>> {
            if self.fail_at == Some(i) {
                return Err(BatchError::Invalid(format!("boom at {i}")));
            }
            if self.hole.is_some_and(|h| i % h == 3) {
                return Ok(None);
            }
            Ok(Some(Record {
                prompt: format!("p{}", i % self.period),
                negative_prompt: String::new(),
                seed: 1,
                index: i,
                template: "t".into(),
                slots: Slots::default(),
                library: String::new(),
                dialect: String::new(),
                aspect: String::new(),
                format_version: 1,
                tokens: None,
                params: None,
                source: None,
                mode: None,
            }))
        }
        fn positions(&self) -> Option<u128> {
            None
        }
    }

    fn go(
        g: &Fake,
        range: Range<u128>,
        jobs: usize,
        unique: bool,
        limit: Option<u64>,
    ) -> (Vec<u8>, Outcome) {
        let mut out = Vec::new();
        let mut set = UniqueSet::default();
        let o = run(
            Job {
                generator: g,
                format: BatchFormat::Jsonl,
                range,
                limit,
                unique: unique.then_some(&mut set),
                jobs,
            },
            &mut out,
            &mut |_, _| {},
        )
        .unwrap();
        (out, o)
    }

    #[test]
    fn any_number_of_workers_writes_the_same_bytes_in_order() {
        let g = Fake {
            period: u64::MAX,
            hole: Some(7),
            fail_at: None,
        };
        let (one, o1) = go(&g, 5..5 + 5 * C + 17, 1, false, None);
        for jobs in [2, 3, 8] {
            let (many, o) = go(&g, 5..5 + 5 * C + 17, jobs, false, None);
            assert_eq!(one, many, "jobs {jobs}");
            assert_eq!(o, o1);
        }
        let text = String::from_utf8(one).unwrap();
        let idx: Vec<u64> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["index"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert!(idx.windows(2).all(|w| w[0] < w[1]));
        assert!(idx.iter().all(|i| i % 7 != 3));
        assert_eq!(o1.next, 5 + 5 * C + 17);
        assert_eq!(o1.records, idx.len() as u64);
    }

    #[test]
    fn a_run_may_end_at_the_last_index() {
        let g = Fake {
            period: u64::MAX,
            hole: None,
            fail_at: None,
        };
        let end = super::super::END;
        let (out, o) = go(&g, end - 2 * C - 3..end, 2, false, None);
        let idx: Vec<u64> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["index"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(idx.len() as u128, 2 * C + 3);
        assert_eq!(idx.last(), Some(&u64::MAX));
        assert_eq!(o.next, end);
        // With a limit (record by record) too.
        let (_, o) = go(&g, end - 3..end, 1, false, Some(3));
        assert_eq!((o.records, o.next), (3, end));
        // Past the largest index is an error, not a wrap.
        let mut sink = Vec::new();
        let r = run(
            Job {
                generator: &g,
                format: BatchFormat::Jsonl,
                range: end - 1..end + 1,
                limit: None,
                unique: None,
                jobs: 1,
            },
            &mut sink,
            &mut |_, _| {},
        );
        assert!(matches!(r, Err(BatchError::Invalid(m)) if m.contains("largest index")));
        assert!(sink.is_empty());
    }

    #[test]
    fn unique_skips_repeats_and_stops_at_the_limit() {
        let g = Fake {
            period: 500,
            hole: None,
            fail_at: None,
        };
        let (out, o) = go(&g, 0..10 * C, 2, true, Some(300));
        assert_eq!(o.records, 300);
        assert_eq!(o.next, 300);
        let (all, o) = go(&g, 0..10 * C, 3, true, Some(100_000));
        assert_eq!(o.records, 500, "only 500 distinct prompts exist");
        assert_eq!(o.next, 10 * C);
        assert!(all.starts_with(&out));
    }

    #[test]
    fn a_failing_record_stops_the_run_with_its_error() {
        let g = Fake {
            period: u64::MAX,
            hole: None,
            fail_at: Some(3 * CHUNK + 5),
        };
        let mut out = Vec::new();
        let r = run(
            Job {
                generator: &g,
                format: BatchFormat::Text,
                range: 0..8 * C,
                limit: None,
                unique: None,
                jobs: 2,
            },
            &mut out,
            &mut |_, _| {},
        );
        assert!(matches!(r, Err(BatchError::Invalid(m)) if m.contains("boom")));
        // Only whole chunks before the failing one were written.
        assert_eq!(
            String::from_utf8(out).unwrap().lines().count() as u64,
            3 * CHUNK
        );
    }
}
