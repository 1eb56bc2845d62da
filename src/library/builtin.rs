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
