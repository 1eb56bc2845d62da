//! Typed errors of the library. Anything a user wrote is reported with its file, line and column.

use std::fmt;
use std::path::PathBuf;

/// Where something a user wrote lives: a file (or a built-in library path) and a 1-based line and
/// column. Line 0 means "somewhere in the file".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    pub fn file_only(file: impl Into<String>) -> Self {
        Location::new(file, 0, 0)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// At most 300 characters of a message, with how much was left out.
pub fn clip(message: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 300;
    match message.char_indices().nth(MAX) {
        None => std::borrow::Cow::Borrowed(message),
        Some((at, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} more bytes)",
            &message[..at],
            message.len() - at
        )),
    }
}

/// Renders " (did you mean `x`?)" or " (did you mean one of `x`, `y`?)" or nothing.
pub fn did_you_mean(candidates: &[String]) -> String {
    match candidates {
        [] => String::new(),
        [one] => format!(" (did you mean `{one}`?)"),
        many => {
            let list: Vec<String> = many.iter().map(|c| format!("`{c}`")).collect();
            format!(" (did you mean one of {}?)", list.join(", "))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("library path {path} {reason}")]
    LibraryPath { path: PathBuf, reason: String },

    /// The parser's message is clipped: a 10 MB file that is not YAML must not become a 10 MB
    /// error that quotes it.
    #[error("{location}: invalid YAML: {}", clip(message))]
    Yaml { location: Location, message: String },

    #[error("{location}: invalid JSON: {}", clip(message))]
    Json { location: Location, message: String },

    #[error("{location}: {message}")]
    Invalid { location: Location, message: String },

    /// `place` says where, e.g. "template `coast`, slot `time`".
    #[error(
        "{location}: {place} uses unknown category `{category}`{}",
        did_you_mean(suggestions)
    )]
    UnknownCategory {
        location: Location,
        place: String,
        category: String,
        suggestions: Vec<String>,
    },

    #[error("{location}: template `{template}`, body {body}: {report}")]
    Tera {
        location: Location,
        template: String,
        body: usize,
        report: String,
    },

    #[error(
        "unknown template `{name}`{}; run `promptloom templates` to list them",
        did_you_mean(suggestions)
    )]
    UnknownTemplate {
        name: String,
        suggestions: Vec<String>,
    },

    #[error(
        "unknown category `{name}`{}; run `promptloom vocab` to list them",
        did_you_mean(suggestions)
    )]
    UnknownVocabCategory {
        name: String,
        suggestions: Vec<String>,
    },

    #[error("the library has no scene templates")]
    NoTemplates,

    #[error("{0}")]
    Usage(String),

    /// An error in a dynamic-prompt template or wildcard value, with the line and a caret.
    #[error("{0}")]
    Dynamic(Box<crate::dynamic::Diagnostic>),

    #[error("{context}: {source}")]
    Output {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// True when the error is a closed pipe on output (e.g. `promptloom gen -n 100000 | head`),
    /// which a command-line tool treats as a normal end.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
