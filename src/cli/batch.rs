//! `promptloom batch`: large reproducible prompt sets (see `promptloom::batch`).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use promptloom::batch::generator::{self, Mode, Writing};
use promptloom::batch::progress::Progress;
use promptloom::batch::resume::{self, Expect};
use promptloom::batch::run::{self, Job};
use promptloom::batch::source::ExpandSpec;
use promptloom::batch::space::Space;
use promptloom::batch::unique::UniqueSet;
use promptloom::batch::{BatchFormat, Shard, Source};

use super::{DialectArgs, LibraryArgs};

/// Spaces up to this size have their coherent combinations counted before a `--unique` run.
const COUNT_COHERENT_UP_TO: u128 = 1 << 20;

/// `--jobs` above this many workers per core only costs memory (each holds chunk buffers) and
/// thread start-up: it is capped here.
const MAX_JOBS_PER_CORE: usize = 4;

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["template", "describe", "describe_file", "expand", "file"])))]
#[command(group(clap::ArgGroup::new("order").args(["unique", "exhaustive", "pairwise"])))]
pub struct BatchArgs {
    /// Generate from a scene template, every slot drawn at random
    #[arg(long, short = 't', value_name = "NAME")]
    pub template: Option<String>,
    /// Generate from a description, as `promptloom gen DESCRIPTION` does (`-d` is --dialect,
    /// as on `gen`)
    #[arg(long, value_name = "TEXT")]
    pub describe: Option<String>,
    /// Like --describe, reading the description from FILE (`-`: standard input), for one too
    /// long for the command line; UTF-8, one final newline dropped
    #[arg(long, value_name = "FILE")]
    pub describe_file: Option<PathBuf>,
    /// Generate from dynamic-prompt syntax ({a|b}, __wildcards__), as `promptloom expand`
    #[arg(long, value_name = "TEMPLATE")]
    pub expand: Option<String>,
    /// Like --expand, reading the template from a file (a final newline is dropped)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// --expand: a folder of wildcard files; repeatable (stored in records as given)
    #[arg(long = "wildcards", short = 'w', value_name = "DIR")]
    pub wildcards: Vec<PathBuf>,
    /// --expand: keep unknown wildcards as literal `__name__` text with a warning
    #[arg(long)]
    pub lenient: bool,
    /// --expand: separator for multi-selects without their own (`{2$$a|b|c}`)
    #[arg(long, default_value = ",", value_name = "SEP")]
    pub separator: String,
    /// How many records (indices START..START+N-1); --exhaustive and --pairwise default to the
    /// whole set
    #[arg(long = "count", short = 'n', value_name = "N")]
    pub count: Option<u64>,
    /// Seed: with the source and library it fixes every record
    #[arg(long, short = 's')]
    pub seed: u64,
    /// First index
    #[arg(long, default_value_t = 0, value_name = "I")]
    pub start: u64,
    /// text (one prompt per line), jsonl (one record with provenance per line), csv (RFC 4180)
    #[arg(long, short = 'f', default_value = "text", value_parser = parse_format)]
    pub format: BatchFormat,
    /// Write to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores); the output is the same for any number
    #[arg(long, short = 'j', value_name = "J")]
    pub jobs: Option<usize>,
    /// Produce only block K of N of the indices (1-based); the N parts concatenate to the full run
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Continue FILE (-o) after a crash: drop a partial last record, check the last complete one
    /// against regeneration, append the rest
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// No two records share a prompt text (draws distinct combinations of a --template)
    #[arg(long)]
    pub unique: bool,
    /// Every combination of a --template exactly once, in a seeded order
    #[arg(long)]
    pub exhaustive: bool,
    /// A set covering every pair of values of any two slots of a --template
    #[arg(long)]
    pub pairwise: bool,
    /// No progress bar
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub dialect: DialectArgs,
    #[command(flatten)]
    pub lib: LibraryArgs,
}

fn parse_format(s: &str) -> std::result::Result<BatchFormat, String> {
    s.parse()
}

fn parse_shard(s: &str) -> std::result::Result<Shard, String> {
    s.parse()
}

pub const AFTER_HELP: &str = "\
Examples:
  promptloom batch -t coast -n 1000000 --seed 7 -o coast.txt
  promptloom batch -t coast -n 1000000 --seed 7 -f jsonl -o part2.jsonl --shard 2/8
  promptloom batch -t coast -n 1000000 --seed 7 -f jsonl -o coast.jsonl --resume
  promptloom batch --describe \"beach sunset\" -n 500 --seed 1 -f csv -o beach.csv
  promptloom batch --describe-file idea.txt -n 500 --seed 1 -f jsonl -o idea.jsonl
  promptloom batch -t coast --exhaustive --seed 3 -f jsonl -o all.jsonl
  promptloom batch -t coast --unique -n 10000 --seed 3
  promptloom batch -t coast --pairwise --seed 3 -f jsonl
  promptloom batch -t coast --dialect sd -n 100000 --seed 7 -f jsonl     tags, negative, tokens
  promptloom batch --expand \"a {red|blue} __animal__\" -w ./wildcards -n 1000 --seed 1
  promptloom batch --file big.txt -w ./wildcards --exhaustive --seed 1 -f jsonl
  promptloom replay coast.jsonl                      verify a set regenerates byte for byte

Record i of a random run equals `promptloom gen ... --seed S --index i`. Sharding: part K of N
is the K-th contiguous block of the indices, so `cat part1 ... partN` is the full run (csv: drop
the header of parts 2..N). --exhaustive skips combinations whose entries conflict, so its
indices have gaps; --pairwise needs --template; --unique and --exhaustive take --template
or --expand/--file. Record i of an --expand run has the prompt of `promptloom expand ... --seed
S --index i`; its `source` carries the template text and wildcard roots, so replay needs
nothing else (run it from the same directory when the roots are relative).
--dialect (and --max-tokens, --mj, --model, --strict, --tokens) as for `promptloom gen`.
Details: docs/batch.md";

pub fn batch_cmd(a: BatchArgs) -> Result<()> {
    // 1. Validate everything before touching any file.
    let source = if let Some(t) = &a.template {
        Source::Template(t.clone())
    } else if let Some(d) = &a.describe {
        Source::Describe(d.clone())
    } else if let Some(p) = &a.describe_file {
        Source::Describe(promptloom::input::read_text(p)?)
    } else if let Some(x) = &a.expand {
        Source::Expand(expand_spec(x.clone(), &a))
    } else if let Some(p) = &a.file {
        Source::Expand(expand_spec(read_template(p)?, &a))
    } else {
        bail!(
            "give a source: --template NAME, --describe TEXT, --describe-file FILE or --expand \
             TEMPLATE"
        );
    };
    if a.count == Some(0) {
        bail!("--count must be at least 1");
    }
    if a.jobs == Some(0) {
        bail!("--jobs must be at least 1");
    }
    let mode = if a.exhaustive || a.unique {
        Mode::Exhaustive
    } else if a.pairwise {
        Mode::Pairwise
    } else {
        Mode::Random
    };
    if mode == Mode::Random && a.count.is_none() {
        bail!("--count N is required (how many records)");
    }
    if a.unique && a.shard.is_some_and(|s| s.n > 1) {
        bail!(
            "--unique cannot be sharded (uniqueness is checked across the whole set); \
             shard an --exhaustive run instead: its records are distinct combinations"
        );
    }
    let engine = super::load_spelled(&a.lib, a.dialect.spelling)?;
    if !matches!(source, Source::Expand(_))
        && (!a.wildcards.is_empty() || a.lenient || a.separator != ",")
    {
        bail!("--wildcards, --lenient and --separator apply to an --expand or --file source");
    }
    let writing = Writing::new(&a.dialect.dialect, &engine, a.dialect.options())?;
    let generator = generator::build_with(&engine, &source, mode, a.seed, writing)?;
    let shard = a.shard.unwrap_or(Shard::WHOLE);

    // The index range and, for unique runs, the number of records wanted. Ranges are u128:
    // a run may end at index 2^64 - 1, as `gen --index` may.
    let (range, limit) = match mode {
        Mode::Random => (
            shard.range(a.start, u128::from(a.count.unwrap_or(1)))?,
            None,
        ),
        Mode::Exhaustive | Mode::Pairwise => {
            let len = generator.positions().unwrap_or(0);
            // Positions beyond 2^64 have no index.
            let end = len.min(promptloom::batch::END);
            let start = u128::from(a.start);
            if start >= end {
                bail!(
                    "--start {} is past the end of the set ({len} positions)",
                    a.start
                );
            }
            if a.unique {
                let n = a.count.unwrap_or(1);
                check_unique_fits(&engine, &source, n, len)?;
                (start..end, Some(n))
            } else {
                let count = a
                    .count
                    .map_or(end - start, |c| u128::from(c).min(end - start));
                (shard.range(a.start, count)?, None)
            }
        }
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let jobs = match a.jobs {
        None => cores,
        Some(j) if j > cores * MAX_JOBS_PER_CORE => {
            if !a.quiet {
                eprintln!(
                    "note: --jobs {j} capped at {} ({MAX_JOBS_PER_CORE} per core, {cores} cores)",
                    cores * MAX_JOBS_PER_CORE
                );
            }
            cores * MAX_JOBS_PER_CORE
        }
        Some(j) => j,
    };

    let mut unique = a.unique.then(UniqueSet::default);
    let total = promptloom::batch::count(range.end - range.start);

    // 2. Open the output (after validation), resuming if asked.
    let (mut out, range, limit, done): (Box<dyn Write>, _, _, u64) = match &a.output {
        None => {
            let mut w = promptloom::output::Out::stdout();
            w.write_all(a.format.header())?;
            (Box::new(w), range, limit, 0)
        }
        Some(path) => {
            let (mut f, regular) = open_output(path, a.resume)?;
            if !a.resume {
                // Emptied only now that this run holds the lock.
                if regular {
                    f.set_len(0)
                        .with_context(|| format!("cannot truncate {}", path.display()))?;
                }
                let mut w = BufWriter::with_capacity(1 << 20, f);
                w.write_all(a.format.header())?;
                (Box::new(w) as Box<dyn Write>, range, limit, 0)
            } else {
                let lib_hash = generator.library().to_string();
                let label = source.label();
                let point = resume::inspect(
                    path,
                    &Expect {
                        generator: generator.as_ref(),
                        format: a.format,
                        seed: a.seed,
                        library: &lib_hash,
                        source: &label,
                        mode,
                        range: range.clone(),
                        collect_hashes: a.unique,
                        jobs,
                    },
                )?;
                // The file is proven: drop a torn tail now, also when nothing is left to write.
                f.set_len(point.keep)
                    .with_context(|| format!("cannot truncate {}", path.display()))?;
                let remaining = limit.map(|l| l.saturating_sub(point.records));
                if point.next >= range.end || remaining == Some(0) {
                    if point.needs_header {
                        f.seek(SeekFrom::End(0))?;
                        f.write_all(a.format.header())
                            .with_context(|| format!("cannot write {}", path.display()))?;
                    }
                    if !a.quiet {
                        eprintln!(
                            "{} is already complete ({} records){}",
                            path.display(),
                            point.records,
                            if point.torn > 0 {
                                format!("; a torn record of {} bytes was removed", point.torn)
                            } else {
                                "; left as it is".to_string()
                            }
                        );
                    }
                    return Ok(());
                }
                if let Some(u) = unique.as_mut() {
                    for h in &point.hashes {
                        u.insert(*h);
                    }
                }
                f.seek(SeekFrom::End(0))?;
                let mut w = BufWriter::with_capacity(1 << 20, f);
                if point.needs_header {
                    w.write_all(a.format.header())?;
                }
                if !a.quiet && point.records > 0 {
                    eprintln!(
                        "resuming {} after {} records, from index {}",
                        path.display(),
                        point.records,
                        point.next
                    );
                }
                // Progress counts records for unique runs, indices otherwise.
                let done = if a.unique {
                    point.records
                } else {
                    promptloom::batch::count(point.next - range.start)
                };
                (
                    Box::new(w) as Box<dyn Write>,
                    point.next..range.end,
                    remaining,
                    done,
                )
            }
        }
    };

    // 3. Generate.
    let first = range.start;
    let unique_run = a.unique;
    let total = if unique_run {
        a.count.unwrap_or(total)
    } else {
        total
    };
    let bar = Progress::new(total, done, a.quiet);
    let outcome = run::run(
        Job {
            generator: generator.as_ref(),
            format: a.format,
            range,
            limit,
            unique: unique.as_mut(),
            jobs,
        },
        &mut out,
        &mut |visited, records| bar.set(done + if unique_run { records } else { visited }),
    );
    bar.finish();
    for w in generator.warnings() {
        eprintln!("warning: {w}");
    }
    let outcome = outcome?;
    out.flush()
        .map_err(promptloom::output::plain_io)
        .context("cannot write output")?;
    // An exhaustive run whose positions all hold incoherent combinations writes nothing: say
    // so, rather than exit as if it had written a set.
    if outcome.records == 0 && done == 0 && mode == Mode::Exhaustive {
        bail!(
            "no records: the {} position(s) visited hold only incoherent combinations (their \
             entries conflict); raise --count or drop it to visit the whole set",
            outcome.next.saturating_sub(first)
        );
    }
    if let Some(l) = limit
        && outcome.records < l
    {
        bail!(
            "--unique: the template ran out of distinct coherent combinations after {} of {} \
             records (the rest conflict or repeat a prompt)",
            outcome.records,
            l
        );
    }
    Ok(())
}

/// Opens `-o FILE` for the whole run, holding an exclusive advisory lock on it (`flock` on Unix,
/// `LockFileEx` on Windows), so that a second run writing the same file stops with a clear error
/// instead of interleaving with this one. A regular file is opened without truncating it (the
/// caller empties it once the lock is held). Anything else (`/dev/stdout`, a pipe, a device) is
/// written as it is, unlocked, and cannot be resumed: reading it back would block or read
/// something else.
fn open_output(path: &std::path::Path, resume: bool) -> Result<(File, bool)> {
    let shown = path.display();
    let regular = match std::fs::metadata(path) {
        Ok(m) => m.is_file(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot write {shown}"));
        }
    };
    if !regular {
        if resume {
            bail!(
                "cannot resume {shown}: it is not a regular file (a terminal, pipe or device \
                 cannot be read back); write the set to a file"
            );
        }
        let f = File::create(path).with_context(|| format!("cannot write {shown}"))?;
        return Ok((f, false));
    }
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot write {shown}"))?;
    match f.try_lock() {
        Ok(()) => Ok((f, true)),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "{shown} is being written by another run (it holds a lock on the file); wait for it \
             to finish, or write to another file"
        ),
        // A file system without locks: write unlocked rather than not at all.
        Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
            Ok((f, true))
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {shown}"))
        }
    }
}

/// The expand source of a template text and the expand flags.
fn expand_spec(template: String, a: &BatchArgs) -> ExpandSpec {
    ExpandSpec {
        template,
        wildcards: a
            .wildcards
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        lenient: a.lenient,
        separator: a.separator.clone(),
    }
}

/// A template file as `promptloom expand --file` reads it: CRLF made LF, one final newline
/// dropped.
pub(crate) fn read_template(p: &std::path::Path) -> Result<String> {
    let mut s = std::fs::read_to_string(p).map_err(|e| promptloom::Error::Io {
        path: p.to_path_buf(),
        source: e,
    })?;
    if s.contains('\r') {
        s = s.replace("\r\n", "\n");
    }
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    Ok(s)
}

/// `--unique` beyond the space fails before anything is generated.
fn check_unique_fits(
    engine: &promptloom::Engine,
    source: &Source,
    n: u64,
    raw: u128,
) -> Result<()> {
    if matches!(source, Source::Expand(_)) {
        if u128::from(n) > raw {
            bail!(
                "--unique --count {n} asks for more records than the template has combinations \
                 ({raw}); see `promptloom space --expand ...`"
            );
        }
        return Ok(());
    }
    let name = source.template_name("--unique")?;
    let lib = engine.library();
    let space = Space::of_template(lib, lib.template_index(name)?);
    if u128::from(n) > raw {
        bail!(
            "--unique --count {n} asks for more records than template `{name}` has \
             combinations ({raw}); see `promptloom space {name}`"
        );
    }
    if let Some(coherent) = space.count_coherent(lib, COUNT_COHERENT_UP_TO)
        && u128::from(n) > coherent
    {
        bail!(
            "--unique --count {n} asks for more records than template `{name}` has coherent \
             combinations ({coherent} of {raw} raw); see `promptloom space {name}`"
        );
    }
    Ok(())
}
