//! `promptloom expand`: dynamic-prompt templates and wildcard folders, fast and reproducible.
//!
//! Prompts are rendered in parallel in chunks of consecutive indices and written in index
//! order, so the output is byte-identical to a serial run.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use rayon::prelude::*;

use promptloom::dynamic::{Collection, ExpandOptions, Expander, Sampler, Template, ValueOrder};

use super::fresh_seed;

pub const AFTER_HELP: &str = "\
Examples:
  promptloom expand \"a {red|green|blue} {cat|dog}\" -n 5 --seed 1
  promptloom expand --file basic.txt --wildcards ./wildcards -n 1000 --seed 42
  promptloom expand \"__subject__, {2$$ and $$__style__}\" -w ./wildcards --seed 7
  promptloom expand \"A {red|green} {square|circle}\" --combinatorial          all 4, odometer order
  promptloom expand --file big.txt -w ./wildcards --combinatorial --index 5000 -n 1000   resume
  promptloom expand --file big.txt -w ./wildcards --count                   size of the space
  promptloom expand \"__subjct__\" -w ./wildcards --lenient                    keep unknown as text

Syntax: {a|b}  {3::a|0.5::b}  {2$$a|b|c}  {1-3$$ and $$a|b|c}  {~..} {@..} {!..}  __name__
__dir/*__  __name(var=val)__  ${x=..} ${x=!..} ${x?=..} ${x} ${x:default}  %{pre ... post$$inner}
Reference: docs/dynamic-prompts.md. The same (seed, index, template, wildcards) always gives the
same bytes; prompt i can be computed alone, so runs can be split and resumed with --index.
jsonl records carry, in order: prompt, seed, index, sampler, source, template.";

#[derive(Args, Debug)]
pub struct ExpandArgs {
    /// Template text, e.g. "a {red|blue} __animal__"
    pub template: Option<String>,
    /// Read the template from a file instead (one template; a final newline is dropped)
    #[arg(long, value_name = "PATH", conflicts_with = "template")]
    pub file: Option<PathBuf>,
    /// A folder of wildcard files (.txt, .yaml, .yml, .json); repeatable
    #[arg(long = "wildcards", short = 'w', value_name = "DIR")]
    pub wildcards: Vec<PathBuf>,
    /// How many prompts (random: default 1; combinatorial: default all)
    #[arg(short = 'n', long = "num", value_name = "N")]
    pub num: Option<u64>,
    /// Seed; without it a fresh seed is drawn and reported on stderr
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// First index (prompt i of a run is the same whatever the run's start and length)
    #[arg(long, short = 'i', default_value_t = 0, value_name = "I")]
    pub index: u64,
    /// Enumerate every combination (rightmost construct varies fastest) instead of sampling
    #[arg(long)]
    pub combinatorial: bool,
    /// With --combinatorial: stop after N prompts
    #[arg(long, value_name = "N", requires = "combinatorial")]
    pub limit: Option<u64>,
    /// Print the number of distinct combinations (exact, any size) and exit
    #[arg(long)]
    pub count: bool,
    /// Output format: text (one prompt per line) or jsonl (one record per line)
    #[arg(long, default_value = "text", value_parser = ["text", "jsonl"])]
    pub format: String,
    /// Keep unknown wildcards as literal `__name__` text with a warning instead of failing
    #[arg(long)]
    pub lenient: bool,
    /// Separator for multi-selects without their own (`{2$$a|b|c}`)
    #[arg(long, default_value = ",", value_name = "SEP")]
    pub separator: String,
    #[command(flatten)]
    pub order: OrderArgs,
    /// How many times a chain may re-enter wildcards it is already expanding before it takes
    /// the shortest way out (recursive wildcards)
    #[arg(long, value_name = "N", default_value_t = promptloom::dynamic::DEFAULT_MAX_RECURSION)]
    pub max_recursion: u32,
}

/// The order of wildcard values: dynamicprompts' defaults (sorted, no duplicates) unless asked.
#[derive(Args, Debug, Clone)]
pub struct OrderArgs {
    /// Sort each wildcard's values by text (the default, as dynamicprompts 0.31 does)
    #[arg(long, overrides_with = "no_sort")]
    pub sort: bool,
    /// Keep values in file order
    #[arg(long, overrides_with = "sort")]
    pub no_sort: bool,
    /// Drop repeated values of a wildcard (the default, as dynamicprompts 0.31 does)
    #[arg(long, overrides_with = "no_dedup")]
    pub dedup: bool,
    /// Keep repeated values (a value written twice is twice as likely)
    #[arg(long, overrides_with = "dedup")]
    pub no_dedup: bool,
}

impl OrderArgs {
    pub fn order(&self) -> ValueOrder {
        ValueOrder {
            sort: !self.no_sort,
            dedup: !self.no_dedup,
        }
    }
}

const CHUNK: u64 = 4096;

#[derive(serde::Serialize)]
struct Rec<'a> {
    prompt: &'a str,
    seed: u64,
    index: u64,
    sampler: &'a str,
    source: &'a str,
    template: &'a str,
}

pub fn expand_cmd(a: ExpandArgs) -> Result<()> {
    let (text, origin) = match (&a.template, &a.file) {
        (Some(t), None) => (t.clone(), "<template>".to_string()),
        (None, Some(p)) => (super::batch::read_template(p)?, p.display().to_string()),
        _ => bail!(
            "give a template, e.g. `promptloom expand \"a {{red|blue}} fox\"`, or --file PATH"
        ),
    };
    let template = Template::parse(&text, &origin)?;
    let coll = if a.wildcards.is_empty() {
        Collection::empty()
    } else {
        Collection::load_with(&a.wildcards, a.order.order())?
    };
    let mode = if a.combinatorial {
        Sampler::Combinatorial
    } else {
        Sampler::Random
    };
    let ex = Expander::new(
        &template,
        &coll,
        ExpandOptions {
            mode,
            separator: a.separator.clone(),
            lenient: a.lenient,
            max_recursion: a.max_recursion,
            ..ExpandOptions::default()
        },
    );
    if !a.lenient {
        ex.validate()?;
    }
    if a.count {
        let (n, bounded) = ex.count_bounded()?;
        let mut out = promptloom::output::Out::stdout();
        writeln!(out, "{n}")?;
        out.finish()?;
        if bounded {
            eprintln!(
                "note: wildcards recurse; this counts the space with recursion cut after {} \
                 re-entries (--max-recursion)",
                a.max_recursion
            );
        }
        report_warnings(&ex.warnings(), &a.wildcards);
        return Ok(());
    }
    let jsonl = a.format == "jsonl";
    let seed = match a.seed {
        Some(s) => s,
        None if a.combinatorial => 0,
        None => {
            let s = fresh_seed();
            eprintln!("seed: {s} (repeat with --seed {s})");
            s
        }
    };
    let count = how_many(&a, &ex)?;
    if a.num == Some(0) || a.limit == Some(0) {
        bail!("-n/--limit must be at least 1 (gen and batch refuse 0 too)");
    }
    if count > 0 && a.index.checked_add(count - 1).is_none() {
        bail!(
            "--index {} with -n {} runs past the largest index",
            a.index,
            count
        );
    }
    let sampler = if a.combinatorial {
        "combinatorial"
    } else {
        "random"
    };
    // Index ranges are u128 so that a run may end at index 2^64 - 1 (its end, 2^64, does not
    // fit a u64).
    let render = |start: u128, end: u128| -> promptloom::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(((end - start) * 256) as usize);
        let mut line = String::with_capacity(256);
        for i in start..end {
            let i = u64::try_from(i).unwrap_or(u64::MAX); // i < end <= 2^64
            line.clear();
            ex.expand_into(seed, i, &mut line)?;
            if !jsonl {
                promptloom::output::escape_controls_into(&line, &mut buf);
                buf.push(b'\n');
                continue;
            }
            let rec = Rec {
                prompt: &line,
                seed,
                index: i,
                sampler,
                source: &origin,
                template: template.text(),
            };
            // Serialising a struct of strings and integers into memory cannot fail.
            let _ = serde_json::to_writer(&mut buf, &rec);
            buf.push(b'\n');
        }
        Ok(buf)
    };
    // Each chunk is already one big buffer, so it goes straight to stdout (no second copy).
    let mut out = promptloom::output::Out::stdout();
    let end = u128::from(a.index) + u128::from(count);
    // Deeply nested collections recurse; give workers the main thread's stack size.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(8 << 20)
        .build_global();
    let threads = rayon::current_num_threads().max(1) as u128;
    let chunk = u128::from(CHUNK);
    let batch = chunk * threads * 4;
    let mut start = u128::from(a.index);
    let result = (|| -> Result<()> {
        while start < end {
            let stop = end.min(start + batch);
            let mut chunks = Vec::new();
            let mut s = start;
            while s < stop {
                chunks.push((s, (s + chunk).min(stop)));
                s += chunk;
            }
            let rendered: Vec<promptloom::Result<Vec<u8>>> = if chunks.len() == 1 {
                vec![render(chunks[0].0, chunks[0].1)]
            } else {
                chunks.par_iter().map(|(s, e)| render(*s, *e)).collect()
            };
            for r in rendered {
                out.write_all(&r?)?;
            }
            start = stop;
        }
        out.finish()?;
        Ok(())
    })();
    report_warnings(&ex.warnings(), &a.wildcards);
    result?;
    Ok(())
}

/// How many prompts to write: `-n` (default 1) at random; in combinatorial mode what is left
/// of the space after `--index`, at most `-n` and `--limit`.
fn how_many(a: &ExpandArgs, ex: &Expander<'_>) -> Result<u64> {
    Ok(if a.combinatorial {
        let total = ex.combinations()?;
        let left = total.saturating_sub(u128::from(a.index));
        let mut n = left.min(u128::from(u64::MAX)) as u64;
        if let Some(l) = a.limit {
            n = n.min(l);
        }
        if let Some(l) = a.num {
            n = n.min(l);
        }
        if left == 0 {
            eprintln!(
                "note: --index {} is past the last of the {total} combinations",
                a.index
            );
        }
        n
    } else {
        a.num.unwrap_or(1)
    })
}

/// Each `--lenient` warning once, then how many there were and where to see them all.
fn report_warnings(warnings: &[String], roots: &[PathBuf]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
    if warnings.is_empty() {
        return;
    }
    let dirs: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    eprintln!(
        "warning: {} problem{} kept as text or left out (--lenient); `promptloom wildcards \
         check {}` lists every one in the collection",
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" },
        if dirs.is_empty() {
            "DIR".to_string()
        } else {
            dirs.join(" ")
        }
    );
}
