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

/// One past the largest index, 2^64. Index ranges are `Range<u128>` so that a run may end at
/// index 2^64 − 1, which `gen --index` reaches: the end of such a run does not fit a `u64`.
pub const END: u128 = 1 << 64;

/// An index of a range that lies within `[0, END)`, as the generators take it.
pub(crate) fn index(i: u128) -> u64 {
    debug_assert!(i < END);
    u64::try_from(i).unwrap_or(u64::MAX)
}

/// A count of indices for progress and messages (at most 2^64, shown as 2^64 − 1).
pub fn count(n: u128) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
