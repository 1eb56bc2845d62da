//! `promptloom space`: the exact size of a template's combination space.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use promptloom::batch::expand;
use promptloom::batch::pairwise::Covering;
use promptloom::batch::source::ExpandSpec;
use promptloom::batch::space::Space;
use promptloom::dynamic::{Expander, Sampler};

use super::{LibraryArgs, load};

/// Raw spaces up to this size also get their coherent combinations counted.
const COUNT_UP_TO: u128 = 1 << 22;

#[derive(Args, Debug)]
pub struct SpaceArgs {
    /// Scene template name
    #[arg(required_unless_present_any = ["expand", "file"])]
    pub template: Option<String>,
    /// Count a dynamic-prompt template instead ({a|b}, __wildcards__)
    #[arg(long, value_name = "TEMPLATE", conflicts_with_all = ["template", "file", "pairwise"])]
    pub expand: Option<String>,
    /// Like --expand, reading the template from a file
    #[arg(long, value_name = "PATH", conflicts_with_all = ["template", "pairwise"])]
    pub file: Option<std::path::PathBuf>,
    /// --expand: a folder of wildcard files; repeatable
    #[arg(long = "wildcards", short = 'w', value_name = "DIR")]
    pub wildcards: Vec<std::path::PathBuf>,
    /// --expand: count unknown wildcards as one literal value instead of failing
    #[arg(long)]
    pub lenient: bool,
    /// Also build the pairwise set (with this seed) and print its size next to the lower bound
    #[arg(long, value_name = "SEED")]
    pub pairwise: Option<u64>,
    #[command(flatten)]
    pub lib: LibraryArgs,
}

pub const AFTER_HELP: &str = "\
Examples:
  promptloom space coast
  promptloom space coast --pairwise 1 --library ./my-lib
  promptloom space --expand \"a {red|blue} __animal__\" -w ./wildcards     exact, any size

Each slot's size counts the distinct things it can hold: one option per entry (a set of k
distinct entries for `count: k`, C(n,k) of them), plus one for \"empty\" when the slot has a
`chance` below 100, plus the body variants. The total is their exact product. Entries whose
tags conflict never meet in one scene, so the coherent count is smaller; it is counted exactly
when the total is small enough to enumerate.";

pub fn space_cmd(a: SpaceArgs) -> Result<()> {
    let text = match (&a.expand, &a.file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(p)) => Some(super::batch::read_template(p)?),
        (None, None) => None,
    };
    if let Some(text) = text {
        return expand_space(text, &a);
    }
    if !a.wildcards.is_empty() || a.lenient {
        anyhow::bail!("--wildcards and --lenient apply to --expand or --file");
    }
    let name = a.template.clone().unwrap_or_default();
    let engine = load(&a.lib)?;
    let lib = engine.library();
    let ti = lib.template_index(&name)?;
    let space = Space::of_template(lib, ti);
    let mut out = promptloom::output::Out::stdout();
    writeln!(out, "template: {name}")?;
    let width = space.dims.iter().map(|d| d.name.len()).max().unwrap_or(4);
    for d in &space.dims {
        let how = if d.is_body {
            "body variants".to_string()
        } else {
            let k = if d.min == d.max {
                format!("{}", d.max)
            } else {
                format!("{}-{}", d.min, d.max)
            };
            format!(
                "{} entries, count {k}{}",
                d.entries.len(),
                if d.extra_empty { ", or empty" } else { "" }
            )
        };
        writeln!(
            out,
            "  {:width$}  {:>12}  ({how})",
            d.name,
            d.size.to_string()
        )?;
    }
    writeln!(out, "combinations: {}", space.total)?;
    match space.count_coherent(lib, COUNT_UP_TO) {
        Some(n) => writeln!(
            out,
            "coherent: {n} (counted exactly; the rest have conflicting tags)"
        ),
        None => writeln!(
            out,
            "coherent: not counted (more than {COUNT_UP_TO} combinations); at most the total"
        ),
    }?;
    if let Some(seed) = a.pairwise {
        let c = Covering::build(lib, &space, seed)?;
        let bound = c.bound();
        let rows = c.rows.len() as u64;
        writeln!(
            out,
            "pairwise: {rows} scenes; lower bound {bound} = product of the two largest slots \
             (ratio {}); lower bound allowing for conflicts {} (ratio {}); {} pairs covered, \
             {} excluded as incoherent",
            ratio(rows, bound),
            c.pair_bound,
            ratio(rows, c.pair_bound),
            c.pairs,
            c.excluded
        )?;
    }
    out.finish()?;
    Ok(())
}

/// The exact number of combinations of a dynamic-prompt template (what `batch --expand
/// --exhaustive` enumerates, and `expand --count` prints).
fn expand_space(text: String, a: &SpaceArgs) -> Result<()> {
    let spec = ExpandSpec {
        template: text,
        wildcards: a
            .wildcards
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        lenient: a.lenient,
        ..ExpandSpec::text("")
    };
    let (template, coll) = expand::load(&spec)?;
    let ex = Expander::new(
        &template,
        &coll,
        expand::options(&spec, Sampler::Combinatorial),
    );
    if !a.lenient {
        ex.validate()?;
    }
    let (n, bounded) = ex.count_bounded()?;
    let mut out = promptloom::output::Out::stdout();
    writeln!(out, "combinations: {n}")?;
    if bounded {
        writeln!(
            out,
            "bounded: wildcards recurse; counted with recursion cut after {} re-entries",
            ex.options().max_recursion
        )?;
    }
    out.finish()?;
    Ok(())
}

/// `a / b` with two decimals, from integers.
pub(crate) fn ratio(a: u64, b: u64) -> String {
    if b == 0 {
        return "n/a".into();
    }
    let h = (u128::from(a) * 100 + u128::from(b) / 2) / u128::from(b);
    format!("{}.{:02}", h / 100, h % 100)
}
