//! Batch output formats. Each record is encoded whole into a byte buffer, so a file only ever
//! ends mid-record when the process was killed mid-write (which `--resume` repairs).

use super::csv;
use crate::record::Record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchFormat {
    /// One prompt per line.
    #[default]
    Text,
    /// One JSON record per line, with full provenance.
    Jsonl,
    /// RFC 4180 CSV with a header: seed, index, template, prompt, negative_prompt.
    Csv,
}

impl std::str::FromStr for BatchFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(BatchFormat::Text),
            "jsonl" => Ok(BatchFormat::Jsonl),
            "csv" => Ok(BatchFormat::Csv),
            other => Err(format!(
                "unknown batch format `{other}` (expected text, jsonl or csv)"
            )),
        }
    }
}

impl BatchFormat {
    /// Bytes written once at the top of a new file.
    pub fn header(self) -> &'static [u8] {
        match self {
            BatchFormat::Csv => csv::HEADER.as_bytes(),
            _ => b"",
        }
    }

    /// Appends one record, terminator included.
    pub fn encode(self, rec: &Record, buf: &mut Vec<u8>) {
        match self {
            BatchFormat::Text => {
                crate::output::escape_controls_into(&rec.prompt, buf);
                buf.push(b'\n');
            }
            BatchFormat::Jsonl => {
                rec.write_json(buf);
                buf.push(b'\n');
            }
            BatchFormat::Csv => csv::encode(rec, buf),
        }
    }
}
