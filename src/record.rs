//! Records: a written prompt with its provenance, enough to regenerate it byte for byte.

use serde::Serialize;
use serde::ser::SerializeMap;

/// Version of the generation contract. Bump it whenever the same (seed, index, library) would
/// write different bytes, and name the change in the changelog.
pub const FORMAT_VERSION: u32 = 1;

/// Slot name → chosen text, serialised as a JSON object in template order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slots(pub Vec<(String, String)>);

impl Serialize for Slots {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One generated prompt. JSON field order is part of the output contract.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Record {
    pub prompt: String,
    pub negative_prompt: String,
    pub seed: u64,
    pub index: u64,
    pub template: String,
    pub slots: Slots,
    /// Content hash of the loaded library.
    pub library: String,
    pub dialect: String,
    pub aspect: String,
    pub format_version: u32,
    /// Tokens the text encoder sees (sd/sdxl, or any dialect with `--tokens`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u32>,
    /// Dialect parameters: image size and budget (sd/sdxl), Midjourney parameters, model and
    /// limit (dalle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Value>,
    /// What the record was generated from (`template:NAME`, `describe:TEXT`, `expand:{JSON}`),
    /// set by `batch` and `gen` so that `replay` can regenerate any record on its own. Absent
    /// when unset (`gen` with both a description and a template).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How `index` maps to a scene when it is not a random draw: `exhaustive` (a position in the
    /// seeded enumeration of the combination space) or `pairwise` (a row of the covering set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

impl Record {
    /// One line of JSON, no trailing newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
