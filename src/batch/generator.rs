//! Generators: index → record, each record computed on its own.

use super::exhaustive::Permutation;
use super::pairwise::Covering;
use super::space::Space;
use super::{BatchError, Result, Source};
use crate::dialect::{self, Dialect};
use crate::engine::Engine;
use crate::record::Record;
use crate::scene::{Plan, Scene, Scratch};

/// How indices map to scenes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Index `i` is the random scene `(seed, i)`, the same as `promptloom gen --index i`.
    #[default]
    Random,
    /// Index `i` is position `permute(i)` of the template's combination space.
    Exhaustive,
    /// Index `i` is row `i` of a seeded pairwise covering set.
    Pairwise,
}

impl Mode {
    pub fn label(self) -> Option<&'static str> {
        match self {
            Mode::Random => None,
            Mode::Exhaustive => Some("exhaustive"),
            Mode::Pairwise => Some("pairwise"),
        }
    }

    pub fn from_label(l: Option<&str>) -> Result<Mode> {
        match l {
            None => Ok(Mode::Random),
            Some("exhaustive") => Ok(Mode::Exhaustive),
            Some("pairwise") => Ok(Mode::Pairwise),
            Some(o) => Err(BatchError::Invalid(format!("unknown mode `{o}`"))),
        }
    }
}

/// How records are written: the dialect, and whether text lines start with the token count
/// (`--tokens`, as `promptloom gen` prints them).
pub struct Writing {
    pub dialect: Box<dyn Dialect>,
    pub options: dialect::Options,
}

impl Writing {
    /// Plain prose, no token counts.
    pub fn plain() -> Writing {
        Writing {
            dialect: Box::new(dialect::natural::Natural::plain(
                &dialect::Options::default(),
            )),
            options: dialect::Options::default(),
        }
    }

    /// The dialect `name` with `options`, validated as `promptloom gen` does.
    pub fn new(name: &str, engine: &Engine, options: dialect::Options) -> Result<Writing> {
        Ok(Writing {
            dialect: dialect::by_name(name, engine.library(), &options)?,
            options,
        })
    }

    pub fn name(&self) -> &'static str {
        self.dialect.name()
    }

    /// The text line of a written prompt: with `--tokens`, its count and a tab first.
    pub(crate) fn line(&self, prompt: String, tokens: Option<u32>) -> String {
        if self.options.tokens {
            format!("{}\t{prompt}", tokens.unwrap_or(0))
        } else {
            prompt
        }
    }
}

/// Produces the scene, record or prompt of an index. `None`: the index holds no record (an
/// incoherent combination of an exhaustive enumeration).
pub trait Generator: Sync {
    /// The scene of `index`.
    fn scene(&self, index: u64, scratch: &mut Scratch) -> Option<Scene>;
    fn engine(&self) -> &Engine;
    fn writing(&self) -> &Writing;
    /// The content hash records carry: the library's, or the wildcard collection's.
    fn library(&self) -> &str {
        self.engine().library().hash()
    }
    /// Warnings gathered while generating (lenient wildcard misses), each once.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// The source label written into records.
    fn label(&self) -> &str;
    fn mode(&self) -> Mode;
    /// Number of indices when the generator is finite (exhaustive, pairwise).
    fn positions(&self) -> Option<u128>;

    /// The full record of `index`, with its provenance.
    fn record(&self, index: u64, scratch: &mut Scratch) -> Result<Option<Record>> {
        let Some(scene) = self.scene(index, scratch) else {
            return Ok(None);
        };
        let mut rec = self
            .engine()
            .record(&scene, self.writing().dialect.as_ref())?;
        scratch.recycle(scene);
        rec.source = Some(self.label().to_string());
        rec.mode = self.mode().label().map(str::to_string);
        Ok(Some(rec))
    }

    /// Appends the text line of `index` (as [`Generator::prompt`]) to `out`; `false` when the
    /// index holds no record. Scene generators write straight into `out`.
    fn prompt_into(&self, index: u64, scratch: &mut Scratch, out: &mut String) -> Result<bool> {
        Ok(self
            .prompt(index, scratch)?
            .map(|p| out.push_str(&p))
            .is_some())
    }

    /// The text line of `index` (its prompt, after the token count with `--tokens`), without
    /// building the rest of the record: what text output needs.
    fn prompt(&self, index: u64, scratch: &mut Scratch) -> Result<Option<String>> {
        let Some(scene) = self.scene(index, scratch) else {
            return Ok(None);
        };
        let w = self.writing();
        let written = w.dialect.write_prompt(self.engine().library(), &scene)?;
        scratch.recycle(scene);
        Ok(Some(w.line(written.prompt, written.tokens)))
    }
}

macro_rules! common {
    ($mode:expr) => {
        fn engine(&self) -> &Engine {
            &self.engine
        }
        fn writing(&self) -> &Writing {
            &self.writing
        }
        fn label(&self) -> &str {
            &self.label
        }
        fn mode(&self) -> Mode {
            $mode
        }
        fn prompt_into(&self, index: u64, scratch: &mut Scratch, out: &mut String) -> Result<bool> {
            scene_prompt_into(self, index, scratch, out)
        }
    };
}

/// [`Generator::prompt_into`] for generators of scenes: the dialect writes into `out` directly
/// unless the line starts with a token count.
fn scene_prompt_into<G: Generator + ?Sized>(
    g: &G,
    index: u64,
    scratch: &mut Scratch,
    out: &mut String,
) -> Result<bool> {
    let w = g.writing();
    if w.options.tokens {
        return Ok(g
            .prompt(index, scratch)?
            .map(|p| out.push_str(&p))
            .is_some());
    }
    let Some(scene) = g.scene(index, scratch) else {
        return Ok(false);
    };
    w.dialect
        .write_prompt_into(g.engine().library(), &scene, out)?;
    scratch.recycle(scene);
    Ok(true)
}

/// Builds the generator for a source, mode and seed, writing plain prose.
pub fn build(
    engine: &Engine,
    source: &Source,
    mode: Mode,
    seed: u64,
) -> Result<Box<dyn Generator + Send>> {
    build_with(engine, source, mode, seed, Writing::plain())
}

/// Builds the generator for a source, mode and seed, writing in a dialect.
pub fn build_with(
    engine: &Engine,
    source: &Source,
    mode: Mode,
    seed: u64,
    writing: Writing,
) -> Result<Box<dyn Generator + Send>> {
    if let Source::Expand(spec) = source {
        return Ok(Box::new(super::expand::ExpandGen::new(
            engine, spec, mode, seed, writing,
        )?));
    }
    let label = source.label();
    Ok(match mode {
        Mode::Random => {
            let plan = engine.plan(&source.request()?)?;
            Box::new(Random {
                engine: engine.clone(),
                writing,
                plan,
                seed,
                label,
            })
        }
        Mode::Exhaustive => {
            let name = source.template_name("--exhaustive / --unique")?;
            let ti = engine.library().template_index(name)?;
            let space = Space::of_template(engine.library(), ti);
            let n = space.total_u128(engine.library())?;
            Box::new(Exhaustive {
                engine: engine.clone(),
                writing,
                perm: Permutation::new(n, seed, name),
                space,
                seed,
                label,
            })
        }
        Mode::Pairwise => {
            let name = source.template_name("--pairwise")?;
            let ti = engine.library().template_index(name)?;
            let space = Space::of_template(engine.library(), ti);
            let cover = Covering::build(engine.library(), &space, seed)?;
            Box::new(Pairwise {
                engine: engine.clone(),
                writing,
                cover,
                space,
                seed,
                label,
            })
        }
    })
}

struct Random {
    engine: Engine,
    writing: Writing,
    plan: Plan,
    seed: u64,
    label: String,
}

impl Generator for Random {
    common!(Mode::Random);

    fn scene(&self, index: u64, scratch: &mut Scratch) -> Option<Scene> {
        Some(
            self.engine
                .scene_with(&self.plan, self.seed, index, scratch),
        )
    }

    fn positions(&self) -> Option<u128> {
        None
    }
}

pub(crate) struct Exhaustive {
    engine: Engine,
    writing: Writing,
    pub(crate) space: Space,
    perm: Permutation,
    seed: u64,
    label: String,
}

impl Generator for Exhaustive {
    common!(Mode::Exhaustive);

    fn scene(&self, index: u64, _: &mut Scratch) -> Option<Scene> {
        if u128::from(index) >= self.perm.len() {
            return None;
        }
        let pos = self.perm.permute(u128::from(index));
        self.space
            .scene(self.engine.library(), pos, self.seed, index)
    }

    fn positions(&self) -> Option<u128> {
        Some(self.perm.len())
    }
}

struct Pairwise {
    engine: Engine,
    writing: Writing,
    cover: Covering,
    space: Space,
    seed: u64,
    label: String,
}

impl Generator for Pairwise {
    common!(Mode::Pairwise);

    fn scene(&self, index: u64, _: &mut Scratch) -> Option<Scene> {
        let row = self.cover.rows.get(usize::try_from(index).ok()?)?;
        let (choices, body) = self.cover.choices(row);
        crate::scene::build_from_choices(
            self.engine.library(),
            self.space.template,
            &choices,
            body,
            self.seed,
            index,
        )
    }

    fn positions(&self) -> Option<u128> {
        Some(self.cover.rows.len() as u128)
    }
}
