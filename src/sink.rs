//! Sinks: where records go. Output formats are part of the contract: `text` is one prompt per
//! line, `jsonl` one JSON object per line, `json` a single JSON array.

use std::io::Write;

use crate::error::{Error, Result};
use crate::record::Record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Jsonl,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            other => Err(format!(
                "unknown format `{other}` (expected text, json or jsonl)"
            )),
        }
    }
}

/// Writes records to any `Write` in one format.
pub struct Sink<W: Write> {
    out: W,
    format: Format,
    written: u64,
}

fn out_err(e: std::io::Error) -> Error {
    Error::Output {
        context: "cannot write output".into(),
        source: crate::output::plain_io(e),
    }
}

impl<W: Write> Sink<W> {
    pub fn new(out: W, format: Format) -> Self {
        Sink {
            out,
            format,
            written: 0,
        }
    }

    pub fn write(&mut self, rec: &Record) -> Result<()> {
        match self.format {
            Format::Text => {
                let mut line = Vec::with_capacity(rec.prompt.len() + 1);
                crate::output::escape_controls_into(&rec.prompt, &mut line);
                line.push(b'\n');
                self.out.write_all(&line).map_err(out_err)?;
            }
            Format::Jsonl => {
                let mut line = Vec::with_capacity(1536);
                rec.write_json(&mut line);
                line.push(b'\n');
                self.out.write_all(&line).map_err(out_err)?;
            }
            Format::Json => {
                let sep: &[u8] = if self.written == 0 { b"[\n" } else { b",\n" };
                self.out.write_all(sep).map_err(out_err)?;
                let pretty = rec.to_json_pretty();
                for (i, line) in pretty.lines().enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n").map_err(out_err)?;
                    }
                    self.out.write_all(b"  ").map_err(out_err)?;
                    self.out.write_all(line.as_bytes()).map_err(out_err)?;
                }
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Closes the output (the JSON array) and flushes.
    pub fn finish(mut self) -> Result<W> {
        if self.format == Format::Json {
            let end: &[u8] = if self.written == 0 { b"[]\n" } else { b"\n]\n" };
            self.out.write_all(end).map_err(out_err)?;
        }
        self.out.flush().map_err(out_err)?;
        Ok(self.out)
    }
}
