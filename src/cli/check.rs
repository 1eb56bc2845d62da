//! `promptloom check`: lint a library.

use std::io::{self, Write};

use anyhow::{Context as _, Result, bail};

use promptloom::library::check;

use super::{LibraryArgs, load};

pub fn check_cmd(lib: &LibraryArgs, deny_warnings: bool, coherence: Option<u64>) -> Result<()> {
    let engine = load(lib).context("the library does not load")?;
    let l = engine.library();
    let findings = check::lint(l);
    let mut err = io::stderr().lock();
    for f in &findings {
        writeln!(err, "warning: {f}")?;
    }
    let summary = format!(
        "{} templates, {} categories, {} entries, {} tags; {} warning{}; library {}",
        l.templates.len(),
        l.categories.len(),
        l.entry_count(),
        l.tags.len(),
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        l.hash()
    );
    let mut out = promptloom::output::Out::stdout();
    writeln!(out, "{summary}")?;
    let mut problems = 0;
    if let Some(n) = coherence {
        let found = check::coherence(l, n, 1);
        for f in &found {
            writeln!(err, "incoherent: {f}")?;
        }
        writeln!(
            out,
            "coherence: {} scenes of each of {} templates (seed 1): {} conflict{}",
            n,
            l.templates.len(),
            found.len(),
            if found.len() == 1 { "" } else { "s" }
        )?;
        problems = found.len();
    }
    out.finish()?;
    if deny_warnings && !findings.is_empty() {
        bail!("{} warning(s) with --deny-warnings", findings.len());
    }
    if problems > 0 {
        bail!("{problems} world conflict(s) in sampled scenes");
    }
    Ok(())
}
