//! The built-in library, compiled into the binary so that promptloom works from any folder.

use std::borrow::Cow;

use super::{SourceFile, SourceKind};

include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// The built-in files as sources, in path order (vocabulary before templates).
pub fn sources() -> Vec<SourceFile> {
    BUILTIN_FILES
        .iter()
        .map(|(path, text, json, packed)| SourceFile {
            json: *json,
            packed: *packed,
            rel: (*path).to_string(),
            name: format!("builtin:{path}"),
            kind: if path.starts_with("vocab/") {
                SourceKind::Vocab
            } else {
                SourceKind::Template
            },
            text: if text.contains('\r') {
                Cow::Owned(text.replace("\r\n", "\n"))
            } else {
                Cow::Borrowed(text)
            },
        })
        .collect()
}

/// When `sources` starts with the built-in files exactly as [`sources`] gives them: how many,
/// and the library hash state after them (computed at build time, so the ~600 kB of built-in
/// text need not be hashed byte by byte at every start).
pub fn hash_prefix(sources: &[SourceFile]) -> Option<(usize, u64)> {
    let n = BUILTIN_FILES.len();
    let same = sources.len() >= n
        && sources
            .iter()
            .zip(BUILTIN_FILES)
            .all(|(s, (path, text, _, _))| {
                s.rel == *path && matches!(&s.text, Cow::Borrowed(t) if std::ptr::eq(*t, *text))
            });
    same.then_some((n, BUILTIN_HASH_STATE))
}
