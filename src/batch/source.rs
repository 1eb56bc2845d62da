//! Sources: what a batch is generated from. The label of a source (`template:NAME`,
//! `describe:TEXT`, `expand:{JSON}`) goes into every JSONL record, so `replay` can rebuild it
//! from the record alone.

use serde::{Deserialize, Serialize};

use super::{BatchError, Result};
use crate::engine::Request;

/// What records are generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A named scene template, every slot drawn at random.
    Template(String),
    /// A description matched against the library (as `promptloom gen DESCRIPTION`).
    Describe(String),
    /// A dynamic-prompt template (`{a|b}`, `__wildcard__`), as `promptloom expand` reads it.
    Expand(ExpandSpec),
}

/// Everything `promptloom expand` needs besides seed and index: the template text itself (not a
/// file name, so a record regenerates without the file) and the wildcard roots as given on the
/// command line (relative roots are resolved from the directory `replay` runs in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpandSpec {
    pub template: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wildcards: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub lenient: bool,
    #[serde(default = "comma", skip_serializing_if = "is_comma")]
    pub separator: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn comma() -> String {
    ",".into()
}
fn is_comma(s: &String) -> bool {
    s == ","
}

impl ExpandSpec {
    /// A template without wildcards and with `expand`'s defaults.
    pub fn text(template: &str) -> ExpandSpec {
        ExpandSpec {
            template: template.to_string(),
            wildcards: Vec::new(),
            lenient: false,
            separator: comma(),
        }
    }
}

impl Source {
    /// The provenance label written into records. An expand source is `expand:` followed by
    /// its [`ExpandSpec`] as compact JSON (`{"template":…,"wildcards":[…]}`).
    pub fn label(&self) -> String {
        match self {
            Source::Template(n) => format!("template:{n}"),
            Source::Describe(d) => format!("describe:{d}"),
            // Serialising strings, a list of strings and a bool cannot fail.
            Source::Expand(s) => format!("expand:{}", serde_json::to_string(s).unwrap_or_default()),
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
            "expand" => serde_json::from_str(rest).map(Source::Expand).map_err(|e| {
                BatchError::Invalid(format!(
                    "source `{label}`: an expand source is `expand:` and a JSON object with \
                     `template` and optional `wildcards`, `lenient`, `separator` ({e})"
                ))
            }),
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
            Source::Expand(_) => Err(BatchError::Invalid(
                "an --expand source has no scene (it is expanded as text)".into(),
            )),
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
            Source::Expand(_) => Err(BatchError::Invalid(format!(
                "{what} works on a scene template's slots; an --expand source supports random \
                 runs, --exhaustive and --unique"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        let mut spec = ExpandSpec::text("{a|b} __x__");
        spec.wildcards = vec!["dir:one".into(), "two".into()];
        spec.lenient = true;
        for s in [
            Source::Template("coast".into()),
            Source::Describe("beach: sunset".into()),
            Source::Expand(ExpandSpec::text("{a|b}")),
            Source::Expand(spec),
        ] {
            assert_eq!(Source::from_label(&s.label()).unwrap(), s);
        }
        assert_eq!(
            Source::Expand(ExpandSpec::text("{a|b}")).label(),
            r#"expand:{"template":"{a|b}"}"#
        );
        assert!(Source::from_label("nonsense").is_err());
        assert!(Source::from_label("other:x").is_err());
        assert!(Source::from_label("expand:{a|b}").is_err());
    }
}
