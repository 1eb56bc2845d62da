//! Reproducible prompt sets at scale: `promptloom batch`, `space` and `replay`.
//!
//! Every record is addressed by `(source, seed, index)` and computed on its own, so a run can be
//! cut into shards, resumed after a crash, generated in parallel and verified long afterwards,
//! always with the same bytes. The pieces:
//!
//! - [`source`]: what records are generated from (a template, a description, dynamic syntax);
//!   [`expand`]: the dynamic-syntax source;
//! - [`generator`]: index → record, for random draws, exhaustive enumeration and pairwise sets;
//! - [`space`], [`exhaustive`], [`pairwise`]: the combination space of a template and the two ways
//!   to cover it;
//! - [`run`]: the parallel, ordered, streaming writer; [`format`] and [`csv`]: record encodings;
//! - [`shard`], [`resume`], [`unique`], [`replay`], [`progress`].

pub mod csv;
pub mod exhaustive;
pub mod expand;
pub mod format;
pub mod generator;
pub mod pairwise;
pub mod progress;
pub mod replay;
pub mod resume;
pub mod run;
pub mod shard;
pub mod source;
pub mod space;
pub mod unique;

pub use format::BatchFormat;
pub use generator::{Generator, Mode};
pub use shard::Shard;
pub use source::Source;

/// Errors of batch runs. Argument problems are found before any output file is touched.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Engine(#[from] crate::Error),

    /// A bad combination of arguments, or a request the source cannot satisfy.
    #[error("{0}")]
    Invalid(String),

    /// A capability that depends on another part of promptloom that has not landed yet.
    #[error("{0} is not available yet in this build")]
    NotAvailable(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// `--resume` refused to touch a file.
    #[error("cannot resume {path}: {message}")]
    Resume { path: String, message: String },
}

impl BatchError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        BatchError::Io {
            context: context.into(),
            source: crate::output::plain_io(source),
        }
    }
}

pub type Result<T> = std::result::Result<T, BatchError>;
