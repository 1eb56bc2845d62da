//! Dialects write a scene as text for a family of image generators. A dialect changes only how
//! the scene is written, never which entries were chosen.

pub mod plain;

use crate::error::Result;
use crate::library::Library;
use crate::scene::Scene;

/// A scene written out: the prompt and its negative prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub prompt: String,
    pub negative: String,
}

/// Writes scenes as text.
pub trait Dialect: Send + Sync {
    /// The name used on the command line and in records.
    fn name(&self) -> &'static str;
    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written>;
}

/// The negative-prompt terms of a scene: the template's defaults, then the terms carried by the
/// chosen entries, without repeats, in that order.
pub fn negative_terms<'l>(lib: &'l Library, scene: &'l Scene) -> Vec<&'l str> {
    let t = scene.template(lib);
    let mut out: Vec<&str> = Vec::new();
    let slot_terms = t
        .slots
        .iter()
        .zip(&scene.slots)
        .filter(|(s, _)| s.negative)
        .flat_map(|(_, f)| f.picks.iter().map(|p| Scene::pick_text(lib, p)));
    let entry_terms = scene.entries().flat_map(|(c, e)| {
        lib.categories[c].entries[e]
            .negative
            .iter()
            .map(String::as_str)
    });
    for term in t
        .negative
        .iter()
        .map(String::as_str)
        .chain(slot_terms)
        .chain(entry_terms)
    {
        if !out.iter().any(|x| x.eq_ignore_ascii_case(term)) {
            out.push(term);
        }
    }
    out
}
