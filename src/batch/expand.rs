//! The `--expand` source: dynamic-prompt syntax as a batch source.
//!
//! Random runs: record `i` is `promptloom expand TEMPLATE --seed S --index i`. Exhaustive (and
//! unique) runs: record `i` is combination `permute(i)` of the template's combinatorial space
//! (odometer order, as `expand --combinatorial --index permute(i)`), so every combination comes
//! exactly once in a seeded order. Expand records carry `"dialect":"plain"` (a dialect writes a
//! scene; an expanded template is already text), no slots, and in `library` a content hash of
//! the wildcard collection, so `replay` and `--resume` notice changed wildcard files.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;

use super::exhaustive::Permutation;
use super::generator::{Generator, Mode, Writing};
use super::source::ExpandSpec;
use super::{BatchError, Result, Source};
use crate::dynamic::{Collection, ExpandOptions, Expander, Sampler, Template, ValueOrder};
use crate::engine::Engine;
use crate::record::{FORMAT_VERSION, Record, Slots};
use crate::rng::fnv1a64;
use crate::scene::{Scene, Scratch};
use crate::tokens::{ClipTokenizer, TokenCounter};

/// Generates records from a dynamic-prompt template.
pub struct ExpandGen {
    engine: Engine,
    writing: Writing,
    template: Template,
    coll: Collection,
    opts: ExpandOptions,
    /// Exhaustive runs: the seeded order of the combinations.
    perm: Option<Permutation>,
    mode: Mode,
    seed: u64,
    label: String,
    library: String,
    warnings: Mutex<BTreeSet<String>>,
}

/// A content hash of every wildcard (name, values, weights), for provenance.
pub fn collection_hash(coll: &Collection) -> String {
    let mut h = fnv1a64(b"wildcards", 0xcbf2_9ce4_8422_2325);
    let order = coll.value_order();
    if order != ValueOrder::default() {
        // A value order other than the default changes prompts too (the default adds
        // nothing, so hashes of default runs are those of earlier versions).
        h = fnv1a64(&[u8::from(order.sort), u8::from(order.dedup)], h);
    }
    for name in coll.names() {
        h = fnv1a64(name.as_bytes(), h);
        h = fnv1a64(&[0], h);
        for &id in coll
            .ids_of(name)
            .iter()
            .filter(|id| !coll.get(**id).is_empty())
        {
            let w = coll.get(id);
            for i in 0..w.len() {
                h = fnv1a64(w.value(i).as_bytes(), h);
                h = fnv1a64(&w.weight(i).to_le_bytes(), h);
            }
            h = fnv1a64(&[1], h);
        }
    }
    format!("wildcards-{h:016x}")
}

/// The parsed template and loaded collection of a spec.
pub fn load(spec: &ExpandSpec) -> Result<(Template, Collection)> {
    let template = Template::parse(&spec.template, "<template>")?;
    let coll = if spec.wildcards.is_empty() {
        Collection::empty()
    } else {
        let roots: Vec<PathBuf> = spec.wildcards.iter().map(PathBuf::from).collect();
        Collection::load(&roots)?
    };
    Ok((template, coll))
}

/// Options of a spec in a sampling mode.
pub fn options(spec: &ExpandSpec, mode: Sampler) -> ExpandOptions {
    ExpandOptions {
        mode,
        separator: spec.separator.clone(),
        lenient: spec.lenient,
        ..ExpandOptions::default()
    }
}

impl ExpandGen {
    pub fn new(
        engine: &Engine,
        spec: &ExpandSpec,
        mode: Mode,
        seed: u64,
        writing: Writing,
    ) -> Result<ExpandGen> {
        if writing.name() != "plain" {
            return Err(BatchError::Invalid(format!(
                "--dialect {} writes a scene; an --expand source is already text (use \
                 --dialect plain, the default)",
                writing.name()
            )));
        }
        let (template, coll) = load(spec)?;
        let sampler = match mode {
            Mode::Random => Sampler::Random,
            Mode::Exhaustive => Sampler::Combinatorial,
            Mode::Pairwise => {
                return Err(BatchError::Invalid(
                    "--pairwise works on a scene template's slots; an --expand source supports \
                     random runs, --exhaustive and --unique"
                        .into(),
                ));
            }
        };
        let opts = options(spec, sampler);
        let ex = Expander::new(&template, &coll, opts.clone());
        if !spec.lenient {
            ex.validate()?;
        }
        let perm = if mode == Mode::Exhaustive {
            let n = ex.count()?;
            let n = u64::try_from(&n).map_err(|_| {
                BatchError::Invalid(format!(
                    "the template has {n} combinations, more than 2^64: too many to enumerate"
                ))
            })?;
            Some(Permutation::new(
                u128::from(n),
                seed,
                &format!("expand/{}", spec.template),
            ))
        } else {
            None
        };
        let library = collection_hash(&coll);
        Ok(ExpandGen {
            engine: engine.clone(),
            writing,
            template,
            coll,
            opts,
            perm,
            mode,
            seed,
            label: Source::Expand(spec.clone()).label(),
            library,
            warnings: Mutex::new(BTreeSet::new()),
        })
    }

    /// The prompt of `index`, or `None` past the end of an exhaustive run.
    fn text(&self, index: u64) -> Result<Option<String>> {
        let rank = match &self.perm {
            None => index,
            Some(p) => {
                if u128::from(index) >= p.len() {
                    return Ok(None);
                }
                // Below 2^64: checked when the permutation was made.
                p.permute(u128::from(index)) as u64
            }
        };
        let ex = Expander::new(&self.template, &self.coll, self.opts.clone());
        let text = ex.expand(self.seed, rank)?;
        if self.opts.lenient {
            let found = ex.warnings();
            if !found.is_empty()
                && let Ok(mut w) = self.warnings.lock()
            {
                w.extend(found);
            }
        }
        Ok(Some(text))
    }

    fn tokens(&self, text: &str) -> Option<u32> {
        self.writing
            .options
            .tokens
            .then(|| ClipTokenizer::shared().count(text))
    }
}

impl Generator for ExpandGen {
    fn scene(&self, _: u64, _: &mut Scratch) -> Option<Scene> {
        None
    }
    fn engine(&self) -> &Engine {
        &self.engine
    }
    fn writing(&self) -> &Writing {
        &self.writing
    }
    fn library(&self) -> &str {
        &self.library
    }
    fn label(&self) -> &str {
        &self.label
    }
    fn mode(&self) -> Mode {
        self.mode
    }
    fn positions(&self) -> Option<u128> {
        self.perm.as_ref().map(Permutation::len)
    }
    fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn record(&self, index: u64, _: &mut Scratch) -> Result<Option<Record>> {
        let Some(prompt) = self.text(index)? else {
            return Ok(None);
        };
        Ok(Some(Record {
            tokens: self.tokens(&prompt),
            prompt,
            negative_prompt: String::new(),
            seed: self.seed,
            index,
            template: self.template.text().to_string(),
            slots: Slots::default(),
            library: self.library.clone(),
            dialect: "plain".into(),
            aspect: String::new(),
            format_version: FORMAT_VERSION,
            params: None,
            source: Some(self.label.clone()),
            mode: self.mode.label().map(str::to_string),
        }))
    }

    fn prompt(&self, index: u64, _: &mut Scratch) -> Result<Option<String>> {
        Ok(self.text(index)?.map(|p| {
            let t = self.tokens(&p);
            self.writing.line(p, t)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhaustive_covers_every_combination_once() {
        let engine = Engine::builtin().unwrap();
        let spec = ExpandSpec::text("{a|b|c} {x|y}");
        let g = ExpandGen::new(&engine, &spec, Mode::Exhaustive, 5, Writing::plain()).unwrap();
        assert_eq!(g.positions(), Some(6));
        let mut s = Scratch::default();
        let got: BTreeSet<String> = (0..6)
            .map(|i| g.prompt(i, &mut s).unwrap().unwrap())
            .collect();
        assert_eq!(got.len(), 6);
        assert!(g.prompt(6, &mut s).unwrap().is_none());
    }

    #[test]
    fn collection_hash_depends_on_content() {
        assert_eq!(
            collection_hash(&Collection::empty()),
            collection_hash(&Collection::empty())
        );
    }
}
