//! Dynamic-prompt syntax (the dynamicprompts template language) and wildcard collections.
//!
//! ```
//! use promptloom::dynamic::{Collection, ExpandOptions, Expander, Template};
//!
//! let t = Template::parse("a {red|green|blue} {2$$ and $$cat|dog|fox}", "<template>").unwrap();
//! let c = Collection::empty();
//! let ex = Expander::new(&t, &c, ExpandOptions::default());
//! let p = ex.expand(42, 0).unwrap();
//! assert_eq!(p, ex.expand(42, 0).unwrap()); // prompt i of seed S is fixed
//! assert_eq!(ex.count().unwrap().to_string(), "18"); // 3 colours × 6 ordered pairs
//!
//! // Short strings inside vocabulary entries or template bodies:
//! let s = promptloom::dynamic::expand_inline("{soft|warm} light", 7, 3, "vocab/light/0").unwrap();
//! assert!(s == "soft light" || s == "warm light");
//! ```
//!
//! - [`Template::parse`] parses with byte spans and reports errors as a [`Diagnostic`] (the
//!   line with a caret under the span), carried by [`crate::Error::Dynamic`].
//! - [`Collection::load`] reads wildcard roots (`.txt`, `.yaml`/`.yml`, `.json`, pantry JSON).
//! - [`Expander`] expands a template against a collection for any `(seed, index)`; random draws
//!   are keyed by `rng::Keyer(seed, Domain::Dynamic)` with `index` as the stream, cyclical and
//!   combinatorial picks are computed from `index`, so every prompt is addressable on its own
//!   (sharding, resuming). [`Expander::count`] gives the exact size of the combinatorial space.
//! - [`expand_inline`] is the one-call form for short strings without wildcards. It parses on
//!   every call (about a microsecond for a short string); hot loops can parse once with
//!   [`Template::parse`] and keep an `Expander::new(&t, empty_collection(), ..).with_path(p)`.

pub mod ast;
pub mod check;
pub mod count;
mod draw;
pub mod error;
pub mod glob;
pub mod inline;
mod load;
pub mod parser;
mod pick;
pub(crate) mod recursion;
pub mod resolve;
pub mod sampler;
mod unrank;
mod validate;
pub mod wildcards;

use std::sync::{Arc, OnceLock};

pub use ast::Sampler;
pub use error::{Diagnostic, Source};
pub use recursion::DEFAULT_MAX_RECURSION;
pub use resolve::Resolution;
pub use sampler::{ExpandOptions, Expander};
pub use wildcards::{Collection, Defect, ValueOrder, Wildcard};

use crate::error::Result;

/// A parsed template: its source (for error carets) and its tree. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Template(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    source: Source,
    root: ast::Node,
}

impl Template {
    /// Parses `text`; `origin` names it in messages (a file path, or `<template>`).
    pub fn parse(text: &str, origin: &str) -> Result<Template> {
        Self::from_source(Source::new(origin, text))
    }

    pub fn from_source(source: Source) -> Result<Template> {
        let root = parser::parse(&source)?;
        Ok(Template::from_parts(source, root))
    }

    pub(crate) fn from_parts(source: Source, root: ast::Node) -> Template {
        Template(Arc::new(Inner { source, root }))
    }

    pub fn source(&self) -> &Source {
        &self.0.source
    }

    /// The template text as written.
    pub fn text(&self) -> &str {
        &self.0.source.text
    }

    pub fn root(&self) -> &ast::Node {
        &self.0.root
    }
}

/// A shared collection without wildcards, for templates that only use variants and variables
/// (e.g. `Expander::new(&t, empty_collection(), opts)` with a template parsed once).
pub fn empty_collection() -> &'static Collection {
    static EMPTY: OnceLock<Collection> = OnceLock::new();
    EMPTY.get_or_init(Collection::empty)
}

/// Expands a short string (variants, variables, wrap; no wildcards) for one prompt. `path`
/// keys the draws (e.g. `vocab/lighting/3`) and names the string in errors. Text without any
/// syntax is returned as is without parsing.
pub fn expand_inline(text: &str, seed: u64, index: u64, path: &str) -> Result<String> {
    if !parser::may_have_syntax(text) {
        return Ok(text.to_string());
    }
    let t = Template::parse(text, path)?;
    Expander::new(&t, empty_collection(), ExpandOptions::default())
        .with_path(path)
        .expand(seed, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, seed: u64, index: u64) -> String {
        let t = Template::parse(src, "t").unwrap();
        let c = Collection::empty();
        Expander::new(&t, &c, ExpandOptions::default())
            .expand(seed, index)
            .unwrap()
    }

    #[test]
    fn same_key_same_text_and_variety_across_indices() {
        let a: Vec<String> = (0..50).map(|i| run("{a|b|c|d}", 1, i)).collect();
        let b: Vec<String> = (0..50).map(|i| run("{a|b|c|d}", 1, i)).collect();
        assert_eq!(a, b);
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), 4);
    }

    #[test]
    fn cyclical_steps_each_construct() {
        let got: Vec<String> = (0..4)
            .map(|i| run("A {@red|green|blue} {@square|circle}", 0, i))
            .collect();
        assert_eq!(
            got,
            [
                "A red square",
                "A green circle",
                "A blue square",
                "A red circle"
            ]
        );
    }

    #[test]
    fn combinatorial_is_an_odometer() {
        let t = Template::parse("A {red|green} {square|circle}", "t").unwrap();
        let c = Collection::empty();
        let ex = Expander::new(
            &t,
            &c,
            ExpandOptions {
                mode: Sampler::Combinatorial,
                ..ExpandOptions::default()
            },
        );
        let got: Vec<String> = (0..4).map(|i| ex.expand(0, i).unwrap()).collect();
        assert_eq!(
            got,
            [
                "A red square",
                "A red circle",
                "A green square",
                "A green circle"
            ]
        );
        assert_eq!(ex.combinations().unwrap(), 4);
    }

    #[test]
    fn inline_plain_text_passes_through() {
        assert_eq!(
            expand_inline("plain words", 1, 2, "p").unwrap(),
            "plain words"
        );
        assert!(expand_inline("{a|", 1, 2, "p").is_err());
    }
}
