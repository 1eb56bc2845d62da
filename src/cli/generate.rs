//! `promptloom gen`: prompts from a description or a template.

use std::io::{self, Write};

use anyhow::{Result, bail};

use promptloom::Request;
use promptloom::batch::Source;
use promptloom::sink::{Format, Sink};

use super::{GenArgs, fresh_seed};

pub fn gen_cmd(a: GenArgs) -> Result<()> {
    if a.count == 0 {
        bail!("-n/--count must be at least 1");
    }
    if a.index.checked_add(a.count - 1).is_none() {
        bail!(
            "--index {} with -n {} runs past the largest index",
            a.index,
            a.count
        );
    }
    // Read before the library loads, so that an unreadable file is reported at once.
    let description = match &a.describe_file {
        Some(p) => promptloom::input::read_text(p)?,
        None => a.description.unwrap_or_default(),
    };
    let engine = super::load_spelled(&a.lib, a.dialect.spelling)?;
    // The same source label `batch` writes, so a single record can be regenerated (`replay`);
    // a description *and* a template has no batch equivalent and gets none.
    let source = match (description.is_empty(), &a.template) {
        (_, None) => Some(Source::Describe(description.clone()).label()),
        (true, Some(t)) => Some(Source::Template(t.clone()).label()),
        (false, Some(_)) => None,
    };
    let plan = engine.plan(&Request {
        description,
        template: a.template,
    })?;
    // Words that ask one world axis for two things ("sunrise at midnight"): both stay in the
    // prompt; say which one the world follows.
    // Each once: a long description may say the same pair of words thousands of times.
    let mut said = std::collections::BTreeSet::new();
    for c in plan.world_pin_notes(engine.library()).1 {
        if said.insert(c.clone()) {
            eprintln!("warning: {c}");
        }
    }
    let dialect = a.dialect.build(&engine)?;
    let budget = a.dialect.max_tokens.or(match a.dialect.dialect.as_str() {
        "sd" | "sdxl" => Some(promptloom::dialect::sd::DEFAULT_MAX_TOKENS),
        _ => None,
    });
    let mut warned = false;
    let seed = match a.seed {
        Some(s) => s,
        None => {
            let s = fresh_seed();
            if a.format == Format::Text {
                eprintln!("seed: {s} (repeat with --seed {s})");
            }
            s
        }
    };
    let mut sink = Sink::new(promptloom::output::Out::stdout(), a.format);
    for i in a.index..=a.index + (a.count - 1) {
        let scene = engine.scene(&plan, seed, i, a.explain);
        if a.explain {
            let mut err = io::stderr().lock();
            writeln!(err, "# index {i}")?;
            for n in &scene.notes {
                writeln!(err, "#   {n}")?;
            }
        }
        let mut rec = engine.record(&scene, dialect.as_ref())?;
        rec.source.clone_from(&source);
        if let (Some(n), Some(max)) = (rec.tokens, budget)
            && n > max
            && !warned
        {
            eprintln!(
                "warning: index {i}: the subject alone needs {n} tokens, over the budget of {max}; \
                 it is kept whole (A1111 continues in a second chunk)"
            );
            warned = true;
        }
        if a.dialect.tokens && a.format == Format::Text {
            rec.prompt = format!("{}\t{}", rec.tokens.unwrap_or(0), rec.prompt);
        }
        sink.write(&rec)?;
    }
    sink.finish()?;
    Ok(())
}
