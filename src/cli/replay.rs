//! `promptloom replay`: verify that a JSONL set still regenerates byte for byte.

use std::io::BufReader;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use promptloom::batch::replay;

use super::LibraryArgs;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A JSONL file written by `promptloom batch -f jsonl`
    pub file: PathBuf,
    /// Print only the summary
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j', value_name = "J")]
    pub jobs: Option<usize>,
    /// Allow records of --expand sets to read this wildcard folder (repeatable): replay reads
    /// only folders named here, whatever a record says
    #[arg(long = "wildcards", short = 'w', value_name = "DIR")]
    pub wildcards: Vec<PathBuf>,
    #[command(flatten)]
    pub lib: LibraryArgs,
    /// The spelling the set was written in (see `gen --spelling`)
    #[arg(long, default_value = "us", value_name = "us|uk", value_parser = super::parse_spelling)]
    pub spelling: promptloom::text::Spelling,
}

pub const AFTER_HELP: &str = "\
Examples:
  promptloom replay coast.jsonl
  promptloom replay my-set.jsonl --library ./my-lib
  promptloom replay expand-set.jsonl -w ./wildcards      allow the folder the records name

Each record is regenerated from its source, mode, seed and index and compared byte for byte.
Exit status: 0 when every record matches, 1 when any differs (each is listed on stderr).";

pub fn replay_cmd(a: ReplayArgs) -> Result<()> {
    let engine = super::load_spelled(&a.lib, a.spelling)?;
    let f = std::fs::File::open(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    // A CSV or text set carries no provenance: say so once, not "not a JSON record" per line.
    {
        use std::io::BufRead;
        let mut first = Vec::new();
        let mut r = BufReader::new(
            std::fs::File::open(&a.file)
                .with_context(|| format!("cannot read {}", a.file.display()))?,
        );
        r.read_until(b'\n', &mut first)
            .with_context(|| format!("cannot read {}", a.file.display()))?;
        if first.starts_with(promptloom::batch::csv::HEADER.as_bytes()) {
            bail!(
                "{} is a CSV set; replay reads JSONL sets (`batch -f jsonl`), whose records \
                 carry their source",
                a.file.display()
            );
        }
        if !first.is_empty() && !first.starts_with(b"{") {
            bail!(
                "{} is not a JSONL set (its first line is not a JSON record); replay reads the \
                 output of `batch -f jsonl`",
                a.file.display()
            );
        }
    }
    let shown = a.file.display().to_string();
    let quiet = a.quiet;
    let jobs = a.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let sum = replay::replay(
        &engine,
        BufReader::with_capacity(1 << 20, f),
        jobs,
        &a.wildcards,
        &mut |m| {
            if !quiet {
                match m.index {
                    Some(i) => eprintln!("{shown}:{}: index {i}: {}", m.line, m.message),
                    None => eprintln!("{shown}:{}: {}", m.line, m.message),
                }
            }
        },
    )?;
    if sum.mismatches > 0 {
        bail!(
            "{} of {} records in {shown} do not regenerate",
            sum.mismatches,
            sum.records
        );
    }
    eprintln!(
        "{shown}: all {} records regenerate byte for byte",
        sum.records
    );
    Ok(())
}
