//! The engine: a loaded library and the generation entry points.

use std::path::PathBuf;
use std::sync::Arc;

use crate::dialect::{Dialect, plain::Plain};
use crate::error::Result;
use crate::library::Library;
use crate::record::{FORMAT_VERSION, Record, Slots};
use crate::scene::{self, Plan, Scene, Scratch};

/// Loads a library once and generates prompts from it. Cheap to clone and safe to share across
/// threads: the library is immutable.
#[derive(Clone, Debug)]
pub struct Engine {
    lib: Arc<Library>,
}

/// What to generate: a description (possibly empty) or a named template.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub description: String,
    pub template: Option<String>,
}

impl Engine {
    /// The built-in library.
    pub fn builtin() -> Result<Engine> {
        Ok(Engine::from_library(Library::builtin()?))
    }

    /// The built-in library with user folders layered over it, in order.
    pub fn load(dirs: &[PathBuf]) -> Result<Engine> {
        Ok(Engine::from_library(Library::load(dirs)?))
    }

    /// The user folders, with or without the built-in library under them.
    pub fn load_with(builtin: bool, dirs: &[PathBuf]) -> Result<Engine> {
        Ok(Engine::from_library(Library::load_with(builtin, dirs)?))
    }

    /// [`Engine::load_with`], with the library's own text in `spelling` (US by default). The
    /// user's words are left as typed.
    pub fn load_spelled(
        builtin: bool,
        dirs: &[PathBuf],
        spelling: crate::text::Spelling,
    ) -> Result<Engine> {
        Ok(Engine::from_library(Library::load_spelled(
            builtin, dirs, spelling,
        )?))
    }

    pub fn from_library(lib: Library) -> Engine {
        Engine { lib: Arc::new(lib) }
    }

    pub fn library(&self) -> &Library {
        &self.lib
    }

    /// Analyses a request once; the plan then generates any index.
    pub fn plan(&self, req: &Request) -> Result<Plan> {
        let mut plan = Plan::new(&self.lib, &req.description, req.template.as_deref())?;
        // Proper nouns in the user's words capitalised once per plan ("tokyo" → "Tokyo"). Only
        // ASCII letters are raised, so every offset into the description stays valid; the
        // random keys come from the lower-cased text and do not change.
        crate::text::capitalize_names(&mut plan.description);
        Ok(plan)
    }

    /// The scene of `(seed, index)`.
    pub fn scene(&self, plan: &Plan, seed: u64, index: u64, explain: bool) -> Scene {
        scene::build(&self.lib, plan, seed, index, explain)
    }

    /// Scene with reusable buffers (for tight loops).
    pub fn scene_with(&self, plan: &Plan, seed: u64, index: u64, scratch: &mut Scratch) -> Scene {
        scene::build_with(&self.lib, plan, seed, index, false, scratch)
    }

    /// Writes a scene as a record in the given dialect.
    pub fn record(&self, scene: &Scene, dialect: &dyn Dialect) -> Result<Record> {
        let w = dialect.write(&self.lib, scene)?;
        let t = scene.template(&self.lib);
        let aspect = dialect.aspect(&self.lib, scene);
        Ok(Record {
            prompt: w.prompt,
            negative_prompt: w.negative,
            seed: scene.seed,
            index: scene.index,
            template: t.name.clone(),
            slots: Slots(scene.slot_texts(&self.lib)),
            library: self.lib.hash().to_string(),
            dialect: dialect.name().to_string(),
            aspect,
            format_version: FORMAT_VERSION,
            tokens: w.tokens,
            params: w.params,
            source: None,
            mode: None,
        })
    }

    /// Prompt `index` of `seed` for a description, in plain prose. Equal to the same index of any
    /// run: nothing depends on earlier prompts.
    pub fn generate(&self, description: &str, seed: u64, index: u64) -> Result<Record> {
        let plan = self.plan(&Request {
            description: description.to_string(),
            template: None,
        })?;
        let scene = self.scene(&plan, seed, index, false);
        self.record(&scene, &Plain)
    }
}
