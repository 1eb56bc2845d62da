//! `promptloom wildcards`: look into a wildcard collection: list its names, check it for
//! broken references, cycles and unreadable files, show one wildcard's values.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use promptloom::dynamic::Collection;
use promptloom::dynamic::check::check;

use super::expand::OrderArgs;

pub const AFTER_HELP: &str = "\
Examples:
  promptloom wildcards list ./wildcards                 name, values, file:line of each
  promptloom wildcards check ./wildcards                every problem, with its file:line
  promptloom wildcards show animals/fox -w ./wildcards  the values, in the order expand uses

Exit status of check: 0 when the collection has no problem, 1 when it has any.";

#[derive(Args, Debug)]
pub struct WildcardsArgs {
    #[command(subcommand)]
    pub cmd: WildcardsCmd,
}

#[derive(Subcommand, Debug)]
pub enum WildcardsCmd {
    /// Every wildcard name, its number of values and where it is defined (file:line)
    List {
        /// Wildcard folders
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        #[command(flatten)]
        order: OrderArgs,
    },
    /// Every unreadable or malformed file, empty wildcard, value that does not parse,
    /// reference to a missing wildcard and cycle with no way out; exit 1 when there is any
    Check {
        /// Wildcard folders
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// The values of one wildcard (or glob), in the order expand samples and enumerates them
    Show {
        /// Wildcard name, e.g. animals/fox or artists/**
        name: String,
        /// Wildcard folder (repeatable)
        #[arg(long = "wildcards", short = 'w', required = true, value_name = "DIR")]
        wildcards: Vec<PathBuf>,
        #[command(flatten)]
        order: OrderArgs,
    },
}

pub fn wildcards_cmd(a: WildcardsArgs) -> Result<()> {
    let mut out = promptloom::output::Out::stdout();
    match a.cmd {
        WildcardsCmd::List { dirs, order } => {
            let coll = Collection::load_with(&dirs, order.order())?;
            for name in coll.names() {
                let ids = coll.ids_of(name);
                let n = coll.resolve(name).total_count();
                let at: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        let w = coll.get(*id);
                        format!("{}:{}", w.origin, w.line)
                    })
                    .collect();
                writeln!(out, "{name}\t{n}\t{}", at.join(" "))?;
            }
            out.finish()?;
            eprintln!("{} wildcards", coll.len());
        }
        WildcardsCmd::Check { dirs } => {
            let coll = Collection::load(&dirs)?;
            let problems = check(&coll);
            for p in &problems {
                writeln!(out, "{p}")?;
            }
            out.finish()?;
            eprintln!(
                "{} wildcards, {} problem{}",
                coll.len(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            if !problems.is_empty() {
                bail!(
                    "the collection has problems; `expand --lenient` keeps going past them (each \
                     warned once)"
                );
            }
        }
        WildcardsCmd::Show {
            name,
            wildcards,
            order,
        } => {
            let coll = Collection::load_with(&wildcards, order.order())?;
            let name = name.trim_matches('_').replace('\\', "/");
            let res = coll.resolve(&name);
            if res.ids.is_empty() {
                let hint = match res.suggestions.first() {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => String::new(),
                };
                bail!("no wildcard `{name}` with values{hint}");
            }
            let mut line = Vec::new();
            for g in 0..res.total_count() {
                let (id, vi) = res.locate(g);
                line.clear();
                promptloom::output::escape_controls_into(coll.get(id).value(vi), &mut line);
                line.push(b'\n');
                out.write_all(&line)?;
            }
            out.finish()?;
            let files: Vec<String> = res
                .ids
                .iter()
                .map(|id| {
                    let w = coll.get(*id);
                    format!("{}:{}", w.origin, w.line)
                })
                .collect();
            eprintln!("{} values from {}", res.total_count(), files.join(", "));
        }
    }
    Ok(())
}
