//! `promptloom gen`: prompts from a description or a template.

use std::io::{self, Write};

use anyhow::{Result, bail};

use promptloom::Request;
use promptloom::dialect::plain::Plain;
use promptloom::sink::{Format, Sink};

use super::{GenArgs, fresh_seed, load};

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
    let engine = load(&a.lib)?;
    let plan = engine.plan(&Request {
        description: a.description.unwrap_or_default(),
        template: a.template,
    })?;
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
    let stdout = io::stdout().lock();
    let mut sink = Sink::new(io::BufWriter::with_capacity(1 << 16, stdout), a.format);
    for i in a.index..=a.index + (a.count - 1) {
        let scene = engine.scene(&plan, seed, i, a.explain);
        if a.explain {
            let mut err = io::stderr().lock();
            writeln!(err, "# index {i}")?;
            for n in &scene.notes {
                writeln!(err, "#   {n}")?;
            }
        }
        let rec = engine.record(&scene, &Plain)?;
        sink.write(&rec)?;
    }
    sink.finish()?;
    Ok(())
}
