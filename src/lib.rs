//! promptloom: an offline, deterministic prompt engine for AI image generators.
//!
//! Data flows one way: a [`Library`] (vocabulary and scene templates, loaded and validated
//! once) → [`matching`] (a description pins entries and picks a template) → [`scene`] (slots
//! filled by keyed randomness under coherence constraints) → [`dialect`] (the scene written as
//! text) → [`Record`] (prompt and provenance) → [`sink`] (where records go).
//!
//! ```
//! let engine = promptloom::Engine::builtin().unwrap();
//! let a = engine.generate("beach sunset", 7, 0).unwrap();
//! let b = engine.generate("beach sunset", 7, 0).unwrap();
//! assert_eq!(a, b); // same seed and index, same bytes
//! ```

pub mod admission;
pub mod batch;
pub mod body;
pub mod dialect;
pub mod dynamic;
pub mod engine;
pub mod error;
pub mod input;
pub mod library;
pub mod matching;
pub mod output;
pub mod pronoun;
pub mod record;
pub(crate) mod repeats;
pub(crate) mod request;
pub mod rng;
pub mod scene;
pub mod sink;
pub mod suggest;
pub mod tags;
pub mod text;
pub mod tokens;
pub mod topics;
pub mod world;
mod yaml;

pub use engine::{Engine, Request};
pub use error::{Error, Location, Result};
pub use library::Library;
pub use record::Record;
