//! `promptloom templates` and `promptloom vocab`: what the library holds.

use std::io::Write;

use anyhow::Result;

use super::{LibraryArgs, load};

pub fn templates_cmd(lib: &LibraryArgs) -> Result<()> {
    let engine = load(lib)?;
    let mut out = promptloom::output::Out::stdout();
    let l = engine.library();
    let width = l.templates.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for t in &l.templates {
        let slots: Vec<&str> = t.slots.iter().map(|s| s.name.as_str()).collect();
        writeln!(out, "{:width$}  {}", t.name, t.description)?;
        writeln!(
            out,
            "{:width$}  slots: {}; aspect {}{}",
            "",
            slots.join(", "),
            t.aspect,
            if t.fallback { "; fallback" } else { "" }
        )?;
    }
    out.finish()?;
    Ok(())
}

pub fn vocab_cmd(category: Option<&str>, lib: &LibraryArgs) -> Result<()> {
    let engine = load(lib)?;
    let l = engine.library();
    let mut out = promptloom::output::Out::stdout();
    match category {
        None => {
            let width = l.categories.iter().map(|c| c.name.len()).max().unwrap_or(0);
            for c in &l.categories {
                writeln!(
                    out,
                    "{:width$}  {:>4} entries  {}",
                    c.name,
                    c.entries.len(),
                    c.description
                )?;
            }
            writeln!(
                out,
                "\n{} categories, {} entries",
                l.categories.len(),
                l.entry_count()
            )?;
        }
        Some(name) => {
            let c = l
                .category(name)
                .ok_or_else(|| promptloom::Error::UnknownVocabCategory {
                    name: name.to_string(),
                    suggestions: promptloom::suggest::close_matches(name, l.category_names()),
                })?;
            if !c.description.is_empty() {
                writeln!(out, "# {}", c.description)?;
            }
            for e in &c.entries {
                let mut line = format!("{:>3}  {}", e.weight, e.text);
                if !e.tag_names.is_empty() {
                    line.push_str(&format!("  [tags: {}]", e.tag_names.join(", ")));
                }
                if !e.conflict_names.is_empty() {
                    line.push_str(&format!("  [conflicts: {}]", e.conflict_names.join(", ")));
                }
                if !e.aliases.is_empty() {
                    line.push_str(&format!("  [aliases: {}]", e.aliases.join(", ")));
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    out.finish()?;
    Ok(())
}
