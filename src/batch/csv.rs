//! RFC 4180 CSV: CRLF line ends, fields quoted when they contain a comma, quote, CR or LF, quotes
//! doubled. Prompts with commas, quotes and newlines survive a round trip through any standard
//! reader.

use crate::record::{Record, decimal};

pub const HEADER: &str = "seed,index,template,prompt,negative_prompt\r\n";

fn field(s: &str, buf: &mut Vec<u8>) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Appends one record line.
pub fn encode(rec: &Record, buf: &mut Vec<u8>) {
    let mut itoa = [0u8; 20];
    buf.extend_from_slice(decimal(rec.seed, &mut itoa));
    buf.push(b',');
    buf.extend_from_slice(decimal(rec.index, &mut itoa));
    buf.push(b',');
    field(&rec.template, buf);
    buf.push(b',');
    field(&rec.prompt, buf);
    buf.push(b',');
    field(&rec.negative_prompt, buf);
    buf.extend_from_slice(b"\r\n");
}

/// Byte ranges of the complete records in `data` (each including its CRLF), skipping a header
/// line when `header` is set. Bytes after the last complete record are a partial record.
pub fn records(data: &[u8], header: bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    let mut first = header;
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted && i > 0 && data[i - 1] == b'\r' => {
                if first {
                    first = false;
                } else {
                    out.push(start..i + 1);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// The fields of one record (CRLF included or not).
pub fn fields(line: &[u8]) -> Vec<String> {
    let line = line.strip_suffix(b"\r\n").unwrap_or(line);
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if quoted {
            if b == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    cur.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                cur.push(b);
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == b',' {
            out.push(String::from_utf8_lossy(&cur).into_owned());
            cur.clear();
        } else {
            cur.push(b);
        }
        i += 1;
    }
    out.push(String::from_utf8_lossy(&cur).into_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Slots;

    fn rec(prompt: &str) -> Record {
        Record {
            prompt: prompt.into(),
            negative_prompt: "a, b".into(),
            seed: 7,
            index: 12,
            template: "t".into(),
            slots: Slots::default(),
            library: String::new(),
            dialect: String::new(),
            aspect: String::new(),
            format_version: 1,
            tokens: None,
            params: None,
            source: None,
            mode: None,
        }
    }

    #[test]
    fn quotes_and_round_trips() {
        let mut buf = HEADER.as_bytes().to_vec();
        let tricky = "say \"hi\",\r\nthen\nleave";
        encode(&rec(tricky), &mut buf);
        encode(&rec("plain"), &mut buf);
        buf.extend_from_slice(b"7,14,t,\"cut"); // a partial record
        let rs = records(&buf, true);
        assert_eq!(rs.len(), 2);
        let f = fields(&buf[rs[0].clone()]);
        assert_eq!(f, vec!["7", "12", "t", tricky, "a, b"]);
        assert_eq!(fields(&buf[rs[1].clone()])[3], "plain");
    }
}
