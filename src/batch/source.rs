//! Sources: what a batch is generated from. The label of a source (`template:NAME`,
//! `describe:TEXT`, `expand:TEXT`) goes into every JSONL record, so `replay` can rebuild it.

use super::{BatchError, Result};
use crate::engine::Request;

/// What records are generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A named scene template, every slot drawn at random.
    Template(String),
    /// A description matched against the library (as `promptloom gen DESCRIPTION`).
    Describe(String),
    /// A dynamic-prompt template (`{a|b}`, `__wildcard__`). Plugged in when the dynamic-syntax
    /// engine lands; until then it reports that it is not available.
    Expand(String),
}

impl Source {
    /// The provenance label written into records.
    pub fn label(&self) -> String {
        match self {
            Source::Template(n) => format!("template:{n}"),
            Source::Describe(d) => format!("describe:{d}"),
            Source::Expand(t) => format!("expand:{t}"),
        }
    }

    /// Parses a label written by [`Source::label`].
    pub fn from_label(label: &str) -> Result<Source> {
        let (kind, rest) = label
            .split_once(':')
            .ok_or_else(|| BatchError::Invalid(format!("unknown source `{label}`")))?;
        match kind {
            "template" => Ok(Source::Template(rest.to_string())),
            "describe" => Ok(Source::Describe(rest.to_string())),
            "expand" => Ok(Source::Expand(rest.to_string())),
            _ => Err(BatchError::Invalid(format!(
                "unknown source kind `{kind}` in `{label}` (expected template, describe or expand)"
            ))),
        }
    }

    /// The engine request of a scene source; the same request `promptloom gen` builds, so a
    /// batch record equals the `gen` record of the same seed and index.
    pub fn request(&self) -> Result<Request> {
        match self {
            Source::Template(n) => Ok(Request {
                description: String::new(),
                template: Some(n.clone()),
            }),
            Source::Describe(d) => Ok(Request {
                description: d.clone(),
                template: None,
            }),
            Source::Expand(_) => Err(expand_unavailable()),
        }
    }

    /// The template name, for the modes that enumerate a template's slots.
    pub fn template_name(&self, what: &str) -> Result<&str> {
        match self {
            Source::Template(n) => Ok(n),
            Source::Describe(_) => Err(BatchError::Invalid(format!(
                "{what} works on a scene template: use --template NAME (a description pins \
                 slots and may match several templates)"
            ))),
            Source::Expand(_) => Err(expand_unavailable()),
        }
    }
}

pub(crate) fn expand_unavailable() -> BatchError {
    BatchError::NotAvailable(
        "--expand (dynamic-prompt syntax) needs the dynamic-syntax engine, which".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for s in [
            Source::Template("coast".into()),
            Source::Describe("beach: sunset".into()),
            Source::Expand("{a|b}".into()),
        ] {
            assert_eq!(Source::from_label(&s.label()).unwrap(), s);
        }
        assert!(Source::from_label("nonsense").is_err());
        assert!(Source::from_label("other:x").is_err());
    }
}
