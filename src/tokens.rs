//! Token counts as CLIP text encoders see them, for exact prompt budgets.
//!
//! Stable Diffusion's CLIP encoders read 77 positions: a start marker, 75 content tokens and an
//! end marker. Past 75, A1111 silently starts a new chunk and other front-ends drop words, so the
//! sd/sdxl dialects fit prompts to a budget counted with the real CLIP BPE vocabulary (no
//! word-count estimate). Counts never include the start/end markers.
//!
//! [`TokenCounter`] hides the tokenizer crate so that it can be swapped; [`ClipTokenizer`] is the
//! OpenAI CLIP BPE (via `instant-clip-tokenizer`) with the text clean-up the original Python
//! tokenizer applies first (a subset of ftfy, HTML unescaping, white space). [`a1111_segments`]
//! reproduces A1111's emphasis parser, so that [`count_sd`] counts what the encoder sees:
//! `(x:1.2)` counts as `x`, `\(` as `(`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Counts the tokens a text encoder sees for a text (without start/end markers).
pub trait TokenCounter: Send + Sync {
    fn count(&self, text: &str) -> u32;
}

/// The OpenAI CLIP BPE tokenizer (CLIP ViT-L/14, as used by SD 1.x and SDXL's first encoder;
/// OpenCLIP-G shares the vocabulary).
pub struct ClipTokenizer {
    inner: instant_clip_tokenizer::Tokenizer,
}

impl std::fmt::Debug for ClipTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClipTokenizer")
    }
}

impl Default for ClipTokenizer {
    fn default() -> Self {
        ClipTokenizer::new()
    }
}

impl ClipTokenizer {
    /// Builds the tokenizer from the embedded vocabulary (tens of milliseconds; prefer
    /// [`ClipTokenizer::shared`]).
    pub fn new() -> ClipTokenizer {
        ClipTokenizer {
            inner: instant_clip_tokenizer::Tokenizer::new(),
        }
    }

    /// One tokenizer per process, built on first use.
    pub fn shared() -> &'static ClipTokenizer {
        static CLIP: OnceLock<ClipTokenizer> = OnceLock::new();
        CLIP.get_or_init(ClipTokenizer::new)
    }

    fn count_uncached(&self, text: &str) -> u32 {
        let cleaned = clean(text);
        let mut buf = Vec::new();
        // The crate treats `<start_of_text>`/`<end_of_text>` as marker tokens; the original
        // tokenizer does not (its markers are spelt `<|startoftext|>`). Cutting the text between
        // `<start` and `_of_text>` keeps every pre-token the same (a letter and `_` never share
        // one) while hiding the marker from the crate.
        let mut rest = cleaned.as_str();
        loop {
            let cut = ["<start_of_text>", "<end_of_text>"]
                .iter()
                .filter_map(|m| rest.find(m).map(|i| i + m.len() - "_of_text>".len()))
                .min();
            match cut {
                Some(c) => {
                    self.inner.encode(&rest[..c], &mut buf);
                    rest = &rest[c..];
                }
                None => {
                    self.inner.encode(rest, &mut buf);
                    break;
                }
            }
        }
        buf.len() as u32
    }
}

impl TokenCounter for ClipTokenizer {
    fn count(&self, text: &str) -> u32 {
        // Counting is a pure function of the text, so a per-thread memo changes nothing but speed
        // (user words recur across every prompt of a run).
        thread_local! {
            static MEMO: RefCell<HashMap<String, u32>> = RefCell::new(HashMap::new());
        }
        if let Some(n) = MEMO.with(|m| m.borrow().get(text).copied()) {
            return n;
        }
        let n = self.count_uncached(text);
        if text.len() <= 256 {
            MEMO.with(|m| {
                let mut m = m.borrow_mut();
                if m.len() >= 4096 {
                    m.clear();
                }
                m.insert(text.to_string(), n);
            });
        }
        n
    }
}

/// The clean-up the original CLIP tokenizer applies before BPE (`basic_clean` +
/// `whitespace_clean`): the parts of `ftfy.fix_text` that matter for prompts (curly quotes,
/// Latin ligatures, full-width forms, control characters), HTML entities twice, white space
/// collapsed, and lower case. ftfy's mojibake repair and NFC normalisation are not reproduced.
pub fn clean(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{02bc}' | '\u{2018}'..='\u{201b}' => s.push('\''),
            '\u{201c}'..='\u{201f}' => s.push('"'),
            '\u{fb00}' => s.push_str("ff"),
            '\u{fb01}' => s.push_str("fi"),
            '\u{fb02}' => s.push_str("fl"),
            '\u{fb03}' => s.push_str("ffi"),
            '\u{fb04}' => s.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => s.push_str("st"),
            '\u{0132}' => s.push_str("IJ"),
            '\u{0133}' => s.push_str("ij"),
            '\u{ff01}'..='\u{ff5e}' => {
                s.push(char::from_u32(c as u32 - 0xfee0).unwrap_or(c));
            }
            '\u{3000}' => s.push(' '),
            '\u{0000}'..='\u{0008}'
            | '\u{000b}'
            | '\u{000e}'..='\u{001f}'
            | '\u{007f}'
            | '\u{206a}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffc}'
            | '\u{e0000}'..='\u{e007f}' => {}
            _ => s.push(c),
        }
    }
    if s.contains('&') {
        s = html_unescape(&html_unescape(&s));
    }
    s.to_lowercase()
}

/// The HTML character references prompts realistically contain: numeric ones and a few names.
fn html_unescape(s: &str) -> String {
    const NAMED: &[(&str, &str)] = &[
        ("amp;", "&"),
        ("lt;", "<"),
        ("gt;", ">"),
        ("quot;", "\""),
        ("apos;", "'"),
        ("nbsp;", "\u{a0}"),
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("nbsp", "\u{a0}"),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some((name, rep)) = NAMED.iter().find(|(n, _)| after.starts_with(n)) {
            out.push_str(rep);
            rest = &after[name.len()..];
            continue;
        }
        if let Some(num) = after.strip_prefix('#') {
            let (digits, radix) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (h, 16),
                None => (num, 10),
            };
            let len = digits
                .find(|c: char| !c.is_digit(radix))
                .unwrap_or(digits.len());
            if len > 0
                && let Some(c) = u32::from_str_radix(&digits[..len], radix)
                    .ok()
                    .and_then(char::from_u32)
            {
                out.push(c);
                let consumed = after.len() - digits.len() + len;
                rest = &after[consumed..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
                continue;
            }
        }
        out.push('&');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Weight of the run marking an A1111 `BREAK` (it fills the chunk and adds no tokens itself).
pub const BREAK_WEIGHT: f64 = -1.0;

/// A1111's `parse_prompt_attention`: the prompt as (text, weight) runs, escapes resolved, runs of
/// equal weight merged. The weights exist only to decide which runs merge (equal floats, as in
/// A1111); they are never written anywhere.
pub fn a1111_segments(text: &str) -> Vec<(String, f64)> {
    let mut res: Vec<(String, f64)> = Vec::new();
    let mut round: Vec<usize> = Vec::new();
    let mut square: Vec<usize> = Vec::new();
    fn multiply(res: &mut [(String, f64)], from: usize, m: f64) {
        for r in &mut res[from..] {
            r.1 *= m;
        }
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            // `\(` `\)` `\[` `\]` `\\` are literals; a lone `\` vanishes.
            match b.get(i + 1) {
                Some(&n @ (b'(' | b')' | b'[' | b']' | b'\\')) => {
                    res.push(((n as char).to_string(), 1.0));
                    i += 2;
                }
                _ => {
                    res.push((String::new(), 1.0));
                    i += 1;
                }
            }
        } else if c == b'(' {
            round.push(res.len());
            i += 1;
        } else if c == b'[' {
            square.push(res.len());
            i += 1;
        } else if c == b':' {
            let (weight, len) = weight_close(&text[i..]);
            match (weight, round.last()) {
                (Some(w), Some(_)) => {
                    let from = round.pop().unwrap_or(0);
                    multiply(&mut res, from, w);
                }
                _ => push_text(&mut res, &text[i..i + len]),
            }
            i += len;
        } else if c == b')' {
            match round.pop() {
                Some(from) => multiply(&mut res, from, 1.1),
                None => push_text(&mut res, ")"),
            }
            i += 1;
        } else if c == b']' {
            match square.pop() {
                Some(from) => multiply(&mut res, from, 1.0 / 1.1),
                None => push_text(&mut res, "]"),
            }
            i += 1;
        } else {
            let end = text[i..]
                .find(['\\', '(', ')', '[', ']', ':'])
                .map_or(text.len(), |k| i + k);
            push_text(&mut res, &text[i..end]);
            i = end;
        }
    }
    for from in round {
        multiply(&mut res, from, 1.1);
    }
    for from in square {
        multiply(&mut res, from, 1.0 / 1.1);
    }
    if res.is_empty() {
        res.push((String::new(), 1.0));
    }
    let mut k = 0;
    while k + 1 < res.len() {
        if res[k].1 == res[k + 1].1 {
            let next = res.remove(k + 1);
            res[k].0.push_str(&next.0);
        } else {
            k += 1;
        }
    }
    res
}

/// At a `:`, A1111's `:\s*([+-]?[.\d]+)\s*\)`: the weight (when it parses as a float) and the
/// length matched; otherwise `None` and 1 (a literal `:`).
fn weight_close(s: &str) -> (Option<f64>, usize) {
    let b = s.as_bytes();
    let is_ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let mut j = 1;
    while j < b.len() && is_ws(b[j]) {
        j += 1;
    }
    let num_start = j;
    if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
        j += 1;
    }
    let digits_start = j;
    while j < b.len() && (b[j] == b'.' || b[j].is_ascii_digit()) {
        j += 1;
    }
    if j == digits_start {
        return (None, 1);
    }
    let num_end = j;
    while j < b.len() && is_ws(b[j]) {
        j += 1;
    }
    if j < b.len() && b[j] == b')' {
        // Python's float() on a malformed number (`1.2.3`) raises; A1111 then treats the whole
        // prompt as plain text. Such text never comes from our writers; count it as literal.
        match s[num_start..num_end].parse::<f64>() {
            Ok(w) => (Some(w), j + 1),
            Err(_) => (None, 1),
        }
    } else {
        (None, 1)
    }
}

/// Plain text joins the result; A1111 splits it at the word `BREAK`.
fn push_text(res: &mut Vec<(String, f64)>, t: &str) {
    let mut rest = t;
    loop {
        match find_break(rest) {
            Some((a, b)) => {
                res.push((rest[..a].trim_end().to_string(), 1.0));
                res.push(("BREAK".to_string(), BREAK_WEIGHT));
                rest = rest[b..].trim_start();
            }
            None => {
                res.push((rest.to_string(), 1.0));
                return;
            }
        }
    }
}

/// The first whole word `BREAK` (A1111's `\bBREAK\b`).
fn find_break(s: &str) -> Option<(usize, usize)> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(k) = s[from..].find("BREAK") {
        let a = from + k;
        let b = a + 5;
        let before_ok = s[..a].chars().next_back().is_none_or(|c| !word(c));
        let after_ok = s[b..].chars().next().is_none_or(|c| !word(c));
        if before_ok && after_ok {
            return Some((a, b));
        }
        from = b;
    }
    None
}

/// Tokens the encoder sees for an A1111-syntax prompt: each emphasis run tokenized on its own,
/// as A1111 does, `BREAK` adding none.
pub fn count_sd(counter: &dyn TokenCounter, prompt: &str) -> u32 {
    a1111_segments(prompt)
        .iter()
        .filter(|(_, w)| *w != BREAK_WEIGHT)
        .map(|(t, _)| counter.count(t))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip() -> &'static ClipTokenizer {
        ClipTokenizer::shared()
    }

    /// The reference counts (made with the original Python CLIP tokenizer), embedded so the
    /// test runs anywhere.
    const REFERENCE: &str = include_str!("../tests/data/clip-token-counts.jsonl");

    #[test]
    fn reproduces_reference_counts() {
        let mut n = 0;
        for line in REFERENCE.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap();
            let want = v["tokens"].as_u64().unwrap() as u32;
            assert_eq!(clip().count(text), want, "{text:?}");
            n += 1;
        }
        assert!(n >= 27);
    }

    #[test]
    fn counts_are_additive_over_white_space() {
        let c = clip();
        let a = "portrait of an old fisherman,";
        let b = "weathered skin, deep wrinkles";
        assert_eq!(c.count(&format!("{a} {b}")), c.count(a) + c.count(b));
    }

    #[test]
    fn cleaning_matches_ftfy_for_quotes_ligatures_and_entities() {
        assert_eq!(
            clean("It’s “ﬁne” &amp;amp; Ｆｕｌｌ"),
            "it's \"fine\" & full"
        );
        assert_eq!(clean("&#233;&#xE9;&lt;"), "éé<");
        assert_eq!(clean("a & b"), "a & b");
        let c = clip();
        assert_eq!(c.count("it’s"), c.count("it's"));
    }

    #[test]
    fn marker_spellings_are_plain_text() {
        // The original tokenizer knows only `<|startoftext|>`; `<start_of_text>` is 7 pieces.
        let c = clip();
        assert_eq!(
            c.count("<start_of_text>"),
            c.count("<") + c.count("start") + c.count("_") + c.count("of") + 3
        );
    }

    fn texts(s: &str) -> Vec<(String, f64)> {
        a1111_segments(s)
    }

    #[test]
    fn a1111_parser_matches_its_documented_examples() {
        let r = texts("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).");
        let got: Vec<(&str, i64)> = r
            .iter()
            .map(|(t, w)| (t.as_str(), (w * 10_000.0).round() as i64))
            .collect();
        // From A1111's own docstring.
        assert_eq!(
            got,
            vec![
                ("a ", 10_000),
                ("house", 15_730),
                (" ", 11_000),
                ("on", 10_000),
                (" a ", 11_000),
                ("hill", 5_500),
                (", sun, ", 11_000),
                ("sky", 14_641),
                (".", 11_000),
            ]
        );
        assert_eq!(
            texts("\\(literal\\) [unbalanced"),
            vec![
                ("(literal) ".to_string(), 1.0),
                ("unbalanced".to_string(), 1.0 / 1.1)
            ]
        );
        assert_eq!(
            texts("a BREAK b"),
            vec![
                ("a".to_string(), 1.0),
                ("BREAK".to_string(), BREAK_WEIGHT),
                ("b".to_string(), 1.0)
            ]
        );
        assert_eq!(texts(""), vec![(String::new(), 1.0)]);
        assert_eq!(texts("ratio 16:9"), vec![("ratio 16:9".to_string(), 1.0)]);
    }

    #[test]
    fn sd_counts_see_through_emphasis_and_escapes() {
        let c = clip();
        assert_eq!(count_sd(c, "(golden hour:1.2)"), c.count("golden hour"));
        assert_eq!(count_sd(c, "\\(x\\)"), c.count("(x)"));
        assert_eq!(
            count_sd(c, "(cat:1.35), dog"),
            c.count("cat") + c.count(", dog")
        );
        assert_eq!(count_sd(c, "a BREAK b"), c.count("a") + c.count("b"));
        // Our own cases, checked against the rules and the vocabulary file: `fo x</w>` is a
        // merge (line 2730), so `fox` is one token; digits are single pre-tokens; a punctuation
        // run is one pre-token and `, ,</w>` is a merge (line 8334).
        assert_eq!(c.count("a fox"), 2);
        assert_eq!(c.count("1234"), 4);
        assert_eq!(c.count(",,"), 1);
        assert_eq!(c.count(""), 0);
    }
}
