//! A hand-written recursive-descent parser for the dynamicprompts syntax. It never panics on
//! input: everything it does not understand is either literal text (A1111 syntax, a stray `}`)
//! or a [`Diagnostic`] with the span that caused it.

use std::sync::{Arc, OnceLock};

use super::ast::{
    GetVar, Node, Sampler, Select, SetVar, Span, Variant, WEIGHT_SCALE, WildcardName, WildcardRef,
    Wrap,
};
use super::error::{Diagnostic, Source};

const STOP_PIPE: u8 = 1;
const STOP_BRACE: u8 = 2;
const STOP_DOLLAR2: u8 = 4;
const STOP_COMMA: u8 = 8;
const STOP_PAREN: u8 = 16;
/// Inside a wildcard name: stop at `__`, `(`, a newline, `|` or `}`.
const STOP_NAME: u8 = 32;

/// Parses a whole template.
pub fn parse(src: &Source) -> Result<Node, Diagnostic> {
    let mut p = Parser {
        s: &src.text,
        pos: 0,
        src,
        depth: 0,
    };
    let node = p.seq(0)?;
    Ok(node)
}

/// True when `text` may contain syntax; plain text can skip the parser entirely.
pub fn may_have_syntax(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter()
        .any(|c| matches!(c, b'{' | b'$' | b'%' | b'#' | b'\\' | b'<'))
        || memchr::memmem::find(b, b"__").is_some()
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    src: &'a Source,
    /// Nesting of sequences, bounded so that hostile input cannot overflow the stack.
    depth: u32,
}

const MAX_NESTING: u32 = 200;

/// Largest weight (fixed point): keeps sums of many weights far from `u64` overflow.
pub const MAX_WEIGHT: u64 = 1_000_000 * WEIGHT_SCALE;

/// The one rule for weights, inline (`{3::a|b}`) and in YAML/JSON wildcard files (`"3::a"`,
/// `{text: a, weight: 3}`): a decimal number (`3`, `0.5`, `.25`; at most six decimals are
/// kept) of at most 1000000. `-1`, `abc`, `1e309` are not numbers; `2000000` is too large.
pub fn weight_value(w: &str) -> Result<u64, String> {
    let (int, frac) = w.split_once('.').unwrap_or((w, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return Err(format!("weight `{w}` is not a number"));
    }
    let whole: Option<u64> = if int.is_empty() {
        Some(0)
    } else {
        int.parse().ok() // only digits: fails on overflow alone
    };
    let mut f = 0u64;
    let mut digits = 0u32;
    for c in frac.bytes().take(6) {
        f = f * 10 + u64::from(c - b'0');
        digits += 1;
    }
    whole
        .and_then(|x| x.checked_mul(WEIGHT_SCALE))
        .and_then(|x| x.checked_add(f * 10u64.pow(6 - digits)))
        .filter(|x| *x <= MAX_WEIGHT)
        .ok_or_else(|| "weight too large (at most 1000000)".to_string())
}

/// True when `s` is one word as the inline parser reads a weight: text in front of `::` that
/// is such a word is a weight (and must be a number), anything else is text.
pub fn is_weight_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|c| {
            !matches!(c, b'|' | b'}' | b'{' | b'$' | b'_' | b':') && !c.is_ascii_whitespace()
        })
}

fn flush(lit: &mut String, parts: &mut Vec<Node>) {
    if !lit.is_empty() {
        parts.push(Node::Text(std::mem::take(lit).into_boxed_str()));
    }
}

fn finish(mut parts: Vec<Node>) -> Node {
    if parts.len() == 1 {
        parts.pop().unwrap_or_else(Node::empty)
    } else {
        Node::Seq(parts)
    }
}

impl<'a> Parser<'a> {
    fn b(&self, i: usize) -> Option<u8> {
        self.s.as_bytes().get(i).copied()
    }

    fn err(&self, start: usize, end: usize, msg: impl Into<String>) -> Diagnostic {
        self.src.diagnostic(Span::new(start, end), msg)
    }

    /// A sequence of text and constructs up to (not including) a stop in `stop`.
    fn seq(&mut self, stop: u8) -> Result<Node, Diagnostic> {
        if self.depth >= MAX_NESTING {
            return Err(self.err(self.pos, self.pos + 1, "constructs are nested too deeply"));
        }
        self.depth += 1;
        let r = self.seq_inner(stop);
        self.depth -= 1;
        r
    }

    fn seq_inner(&mut self, stop: u8) -> Result<Node, Diagnostic> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let bytes = self.s.as_bytes();
        while self.pos < bytes.len() {
            let c = bytes[self.pos];
            let next = self.b(self.pos + 1);
            if stop & STOP_PIPE != 0 && c == b'|'
                || stop & STOP_BRACE != 0 && c == b'}'
                || stop & STOP_DOLLAR2 != 0 && c == b'$' && next == Some(b'$')
                || stop & STOP_COMMA != 0 && c == b','
                || stop & STOP_PAREN != 0 && c == b')'
                || stop & STOP_NAME != 0
                    && (c == b'_' && next == Some(b'_') || matches!(c, b'(' | b'\n' | b'|' | b'}'))
            {
                break;
            }
            match c {
                b'\\' => {
                    self.pos += 1;
                    if stop & STOP_NAME != 0 {
                        lit.push('/');
                        continue;
                    }
                    match self.s[self.pos..].chars().next() {
                        Some(ch @ ('{' | '}' | '|' | '$' | '#' | '%' | '_')) => {
                            lit.push(ch);
                            self.pos += 1;
                        }
                        Some(ch) => {
                            lit.push('\\');
                            lit.push(ch);
                            self.pos += ch.len_utf8();
                        }
                        None => lit.push('\\'),
                    }
                }
                b'{' => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.variant()?);
                }
                b'$' if next == Some(b'{') => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.variable()?);
                }
                b'%' if next == Some(b'{') => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.wrap()?);
                }
                b'_' if next == Some(b'_') && stop & STOP_NAME == 0 => {
                    let run = bytes[self.pos..].iter().take_while(|b| **b == b'_').count();
                    let after = self.b(self.pos + 2);
                    let opens = run == 2
                        && after.is_some_and(|a| {
                            !a.is_ascii_whitespace() && !matches!(a, b'|' | b'}' | b')' | b',')
                        });
                    if opens {
                        flush(&mut lit, &mut parts);
                        parts.push(self.wildcard()?);
                    } else {
                        lit.push_str(&self.s[self.pos..self.pos + run]);
                        self.pos += run;
                    }
                }
                b'#' if self.comment_starts_here() => {
                    let trimmed = lit.trim_end_matches([' ', '\t']).len();
                    lit.truncate(trimmed);
                    let end = self.s[self.pos..]
                        .find('\n')
                        .map_or(self.s.len(), |i| self.pos + i);
                    self.pos = end;
                }
                b'<' if self.angle_chunk_len() > 0 => {
                    let n = self.angle_chunk_len();
                    lit.push_str(&self.s[self.pos..self.pos + n]);
                    self.pos += n;
                }
                _ => {
                    // Copy a run of bytes that cannot start anything special.
                    let start = self.pos;
                    self.pos += 1;
                    while self.pos < bytes.len()
                        && !matches!(
                            bytes[self.pos],
                            b'\\'
                                | b'{'
                                | b'}'
                                | b'|'
                                | b'$'
                                | b'%'
                                | b'_'
                                | b'#'
                                | b'<'
                                | b','
                                | b')'
                                | b'('
                                | b'\n'
                        )
                    {
                        self.pos += 1;
                    }
                    // `pos` only ever stops on an ASCII byte or the end, so this is a boundary.
                    lit.push_str(&self.s[start..self.pos]);
                }
            }
        }
        flush(&mut lit, &mut parts);
        Ok(finish(parts))
    }

    /// `#` starts a comment when it follows whitespace (or a line start) and is followed by
    /// whitespace, the end, or another `#`. So `#ff0000` and `#1` stay text.
    fn comment_starts_here(&self) -> bool {
        let before_ok = self.pos == 0 || self.s.as_bytes()[self.pos - 1].is_ascii_whitespace();
        let after_ok = match self.b(self.pos + 1) {
            None => true,
            Some(a) => a.is_ascii_whitespace() || a == b'#',
        };
        before_ok && after_ok
    }

    /// Length of an A1111 extra-network chunk such as `<lora:name:0.8>`, kept verbatim.
    fn angle_chunk_len(&self) -> usize {
        let rest = &self.s.as_bytes()[self.pos..];
        let mut i = 1;
        while i < rest.len() && (rest[i].is_ascii_alphanumeric() || rest[i] == b'_') {
            i += 1;
        }
        if i == 1 || rest.get(i) != Some(&b':') {
            return 0;
        }
        while i < rest.len() {
            match rest[i] {
                b'>' => return i + 1,
                b'<' | b'\n' => return 0,
                _ => i += 1,
            }
        }
        0
    }

    fn sampler(&mut self) -> Option<Sampler> {
        let s = match self.b(self.pos)? {
            b'~' => Sampler::Random,
            b'@' => Sampler::Cyclical,
            b'!' => Sampler::Combinatorial,
            _ => return None,
        };
        self.pos += 1;
        Some(s)
    }

    fn skip_ws(&mut self) {
        while self.b(self.pos).is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn digits(&mut self) -> Option<u64> {
        let start = self.pos;
        while self.b(self.pos).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        self.s[start..self.pos].parse().ok().or(Some(u64::MAX))
    }

    /// `{` … `}`.
    fn variant(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        if self.b(start + 1) == Some(b'%') {
            return Err(self
                .err(
                    start,
                    start + 2,
                    "Jinja templates (`{% … %}`) are not supported",
                )
                .with_help("write the variation with `{a|b}` variants and `${x}` variables"));
        }
        self.pos += 1;
        let sampler = self.sampler();
        let select = self.select()?;
        let mut options = Vec::new();
        let mut weights = Vec::new();
        loop {
            weights.push(self.weight()?);
            let node = self.seq(STOP_PIPE | STOP_BRACE)?;
            options.push(trim_newline_edges(node));
            match self.b(self.pos) {
                Some(b'|') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    return Err(self.err(start, start + 1, "unclosed `{`").with_help(
                        "close the variant with `}`, or write `\\{` for a literal brace",
                    ));
                }
            }
        }
        // A variant written over several lines reads best with each option trimmed.
        if self.s[start..self.pos].contains('\n') {
            options = options.into_iter().map(trim_all_edges).collect();
        }
        if weights.iter().all(|w| *w == 0) {
            return Err(self.err(
                start,
                self.pos,
                "every option of this variant has weight 0, so none can be picked",
            ));
        }
        Ok(Node::Variant(Box::new(Variant {
            span: Span::new(start, self.pos),
            sampler,
            options,
            weights,
            select,
        })))
    }

    /// The optional `N$$`, `a-b$$`, `-b$$`, `a-$$` prefix and `sep$$` separator.
    fn select(&mut self) -> Result<Option<Select>, Diagnostic> {
        let save = self.pos;
        self.skip_inline_ws();
        let lo = self.digits();
        self.skip_inline_ws();
        let (min, max) = if self.b(self.pos) == Some(b'-') {
            self.pos += 1;
            self.skip_inline_ws();
            let hi = self.digits();
            if lo.is_none() && hi.is_none() {
                self.pos = save;
                return Ok(None);
            }
            (lo.unwrap_or(1), hi)
        } else {
            match lo {
                Some(n) => (n, Some(n)),
                None => {
                    self.pos = save;
                    return Ok(None);
                }
            }
        };
        self.skip_inline_ws();
        if !self.s[self.pos..].starts_with("$$") {
            self.pos = save;
            return Ok(None);
        }
        let count_end = self.pos;
        self.pos += 2;
        let clamp = |n: u64| n.min(u64::from(u32::MAX)) as u32;
        let (min, max) = (clamp(min), max.map(clamp));
        if let Some(m) = max
            && m < min
        {
            return Err(self.err(
                save,
                count_end,
                format!("the range {min}-{m} is empty: the lower bound is above the upper"),
            ));
        }
        // A second `$$` before any brace ends a custom separator; otherwise what follows the
        // first `$$` is already the options (`{2$$ 1| 2| 3}`).
        let bytes = self.s.as_bytes();
        let mut q = self.pos;
        let mut separator = None;
        while q < bytes.len() {
            match bytes[q] {
                b'{' | b'}' => break,
                b'$' if bytes.get(q + 1) == Some(&b'$') => {
                    let sep = &self.s[self.pos..q];
                    if let Some(d) = sep.find('$') {
                        let at = self.pos + d;
                        return Err(self
                            .err(at, at + 1, "`$` is not allowed in a multi-select separator")
                            .with_help(
                                "the separator goes between two `$$`, as in `{2$$ and $$a|b|c}`",
                            ));
                    }
                    separator = Some(sep.into());
                    self.pos = q + 2;
                    break;
                }
                _ => q += 1,
            }
        }
        Ok(Some(Select {
            min,
            max,
            separator,
        }))
    }

    fn skip_inline_ws(&mut self) {
        while self.b(self.pos).is_some_and(|c| c == b' ' || c == b'\t') {
            self.pos += 1;
        }
    }

    /// An optional `w::` weight in front of an option; `x::` with a non-number is an error.
    fn weight(&mut self) -> Result<u64, Diagnostic> {
        let save = self.pos;
        self.skip_ws_and_comments();
        let num_start = self.pos;
        let int = self.digits();
        let mut frac_digits = 0u32;
        let mut frac = 0u64;
        if self.b(self.pos) == Some(b'.') {
            self.pos += 1;
            while let Some(c) = self.b(self.pos).filter(u8::is_ascii_digit) {
                if frac_digits < 6 {
                    frac = frac * 10 + u64::from(c - b'0');
                    frac_digits += 1;
                }
                self.pos += 1;
            }
        }
        let had_number = int.is_some() || frac_digits > 0;
        let num_end = self.pos;
        self.skip_inline_ws();
        if had_number && self.s[self.pos..].starts_with("::") {
            self.pos += 2;
            return weight_value(&self.s[num_start..num_end])
                .map_err(|m| self.err(num_start, num_end, m));
        }
        // A word followed by `::` is a mistyped weight, not text.
        self.pos = num_start;
        let bytes = self.s.as_bytes();
        let mut q = self.pos;
        while q < bytes.len()
            && !matches!(bytes[q], b'|' | b'}' | b'{' | b'$' | b'_' | b':')
            && !bytes[q].is_ascii_whitespace()
        {
            q += 1;
        }
        if q > self.pos && self.s[q..].starts_with("::") {
            return Err(self
                .err(
                    self.pos,
                    q,
                    format!("weight `{}` is not a number", &self.s[self.pos..q]),
                )
                .with_help("weights are numbers such as `3::a` or `0.5::b`"));
        }
        self.pos = save;
        Ok(WEIGHT_SCALE)
    }

    fn skip_ws_and_comments(&mut self) {
        loop {
            self.skip_ws();
            if self.b(self.pos) == Some(b'#') && self.comment_starts_here() {
                self.pos = self.s[self.pos..]
                    .find('\n')
                    .map_or(self.s.len(), |i| self.pos + i);
            } else {
                return;
            }
        }
    }

    /// `__name__`, with an optional sampler prefix and `(var=value, …)` parameters.
    fn wildcard(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        self.pos += 2;
        let sampler = self.sampler();
        let name_start = self.pos;
        let name = self.seq(STOP_NAME)?;
        let name_end = self.pos;
        let mut params = Vec::new();
        if self.b(self.pos) == Some(b'(') {
            let open = self.pos;
            self.pos += 1;
            loop {
                let key_start = self.pos;
                let Some(eq) = self.s[self.pos..].find(['=', ')', '\n']) else {
                    return Err(self.err(open, open + 1, "unclosed `(` in wildcard parameters"));
                };
                let eq = self.pos + eq;
                if self.s.as_bytes()[eq] != b'=' {
                    return Err(self
                        .err(
                            key_start,
                            eq.max(key_start + 1),
                            "expected `name=value` here",
                        )
                        .with_help("parameters look like `__name(var=value, other=value)__`"));
                }
                let key = self.s[key_start..eq].trim();
                if key.is_empty() {
                    return Err(self.err(key_start, eq + 1, "a parameter needs a name"));
                }
                self.pos = eq + 1;
                let value = trim_all_edges(self.seq(STOP_COMMA | STOP_PAREN)?);
                params.push((Box::from(key), value));
                match self.b(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(self.err(
                            open,
                            open + 1,
                            "unclosed `(` in wildcard parameters",
                        ));
                    }
                }
            }
        }
        if !self.s[self.pos..].starts_with("__") {
            return Err(self
                .err(
                    start,
                    start + 2,
                    "unclosed `__`: this wildcard name has no closing `__`",
                )
                .with_help("write `__name__`, or `\\_\\_` for literal underscores"));
        }
        self.pos += 2;
        let span = Span::new(start, self.pos);
        let name = match name.as_text() {
            Some(text) => {
                let norm = text.trim().to_string();
                check_name(&norm).map_err(|m| self.err(name_start, name_end, m))?;
                WildcardName::Static(norm.into_boxed_str())
            }
            None => WildcardName::Dynamic(name),
        };
        Ok(Node::Wildcard(Box::new(WildcardRef {
            span,
            sampler,
            name,
            params,
            cache: OnceLock::new(),
        })))
    }

    /// `${name}`, `${name:default}`, `${name=value}`, `${name=!value}`, `${name?=value}`.
    fn variable(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        self.pos += 2;
        self.skip_inline_ws();
        let name_start = self.pos;
        while self
            .b(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
            || self.b(self.pos).is_some_and(|c| c >= 0x80)
        {
            // Non-ASCII letters are allowed in names; step over the whole char.
            let ch_len = self.s[self.pos..].chars().next().map_or(1, char::len_utf8);
            self.pos += ch_len;
        }
        let name: Box<str> = self.s[name_start..self.pos].into();
        self.skip_inline_ws();
        if name.is_empty() {
            return Err(self
                .err(
                    start,
                    start + 2,
                    "a variable needs a name, as in `${season}`",
                )
                .with_help("write `\\$` for a literal dollar sign"));
        }
        let unclosed = |p: &Self| p.err(start, start + 2, "unclosed `${`: missing `}`");
        let node = match self.b(self.pos) {
            Some(b'}') => {
                self.pos += 1;
                Node::GetVar(Box::new(GetVar {
                    span: Span::new(start, self.pos),
                    name,
                    default: None,
                }))
            }
            Some(b':') => {
                self.pos += 1;
                let d = trim_all_edges(self.seq(STOP_BRACE)?);
                if self.b(self.pos) != Some(b'}') {
                    return Err(unclosed(self));
                }
                self.pos += 1;
                Node::GetVar(Box::new(GetVar {
                    span: Span::new(start, self.pos),
                    name,
                    default: Some(Arc::new(d)),
                }))
            }
            Some(b'=') | Some(b'?') => {
                let keep_existing = self.b(self.pos) == Some(b'?');
                if keep_existing {
                    self.pos += 1;
                    if self.b(self.pos) != Some(b'=') {
                        return Err(self.err(
                            start,
                            self.pos,
                            "expected `?=` after the variable name",
                        ));
                    }
                }
                self.pos += 1;
                let immediate = self.b(self.pos) == Some(b'!');
                if immediate {
                    self.pos += 1;
                }
                let value = trim_all_edges(self.seq(STOP_BRACE)?);
                if self.b(self.pos) != Some(b'}') {
                    return Err(unclosed(self));
                }
                self.pos += 1;
                Node::SetVar(Box::new(SetVar {
                    span: Span::new(start, self.pos),
                    name,
                    value: Arc::new(value),
                    immediate,
                    keep_existing,
                }))
            }
            None => return Err(unclosed(self)),
            Some(_) => {
                let ch_len = self.s[self.pos..].chars().next().map_or(1, char::len_utf8);
                return Err(self
                    .err(self.pos, self.pos + ch_len, "expected `}`, `:`, `=` or `?=` after the variable name")
                    .with_help("variables look like `${x}`, `${x:default}`, `${x=value}`, `${x=!value}`, `${x?=value}`"));
            }
        };
        Ok(node)
    }

    /// `%{wrapper$$inner}`.
    fn wrap(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        self.pos += 2;
        let wrapper = self.seq(STOP_DOLLAR2 | STOP_BRACE)?;
        if !self.s[self.pos..].starts_with("$$") {
            return Err(self
                .err(
                    start,
                    start + 2,
                    "a wrap needs `$$` between the wrapper and the inner text",
                )
                .with_help("write `%{prefix ... suffix$$inner}`"));
        }
        self.pos += 2;
        let inner = self.seq(STOP_BRACE)?;
        if self.b(self.pos) != Some(b'}') {
            return Err(self.err(start, start + 2, "unclosed `%{`: missing `}`"));
        }
        self.pos += 1;
        Ok(Node::Wrap(Box::new(Wrap {
            span: Span::new(start, self.pos),
            wrapper,
            inner,
        })))
    }
}

/// Rejects names that would escape the wildcard roots.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty wildcard name".into());
    }
    if name.starts_with('/') || name.split('/').any(|seg| seg == "..") {
        return Err(format!(
            "wildcard name `{name}` is refused: it would leave the wildcard roots"
        ));
    }
    Ok(())
}

fn map_edges(node: Node, f: &dyn Fn(&str, bool) -> String) -> Node {
    match node {
        Node::Text(t) => Node::Text(f(&f(&t, true), false).into_boxed_str()),
        Node::Seq(mut v) => {
            if let Some(Node::Text(t)) = v.first_mut() {
                *t = f(t, true).into_boxed_str();
            }
            if let Some(Node::Text(t)) = v.last_mut() {
                *t = f(t, false).into_boxed_str();
            }
            v.retain(|n| !matches!(n, Node::Text(t) if t.is_empty()));
            finish(v)
        }
        other => other,
    }
}

/// Strips leading/trailing whitespace of an option only when it spans a line break, so
/// multi-line variants read naturally while `{ a | b }` keeps its spaces.
fn trim_newline_edges(node: Node) -> Node {
    map_edges(node, &|t, lead| {
        if lead {
            let rest = t.trim_start();
            if t[..t.len() - rest.len()].contains('\n') {
                rest.to_string()
            } else {
                t.to_string()
            }
        } else {
            let rest = t.trim_end();
            if t[rest.len()..].contains('\n') {
                rest.to_string()
            } else {
                t.to_string()
            }
        }
    })
}

fn trim_all_edges(node: Node) -> Node {
    map_edges(node, &|t, lead| {
        if lead {
            t.trim_start().to_string()
        } else {
            t.trim_end().to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Node, Diagnostic> {
        parse(&Source::new("t", s))
    }

    #[test]
    fn plain_text_is_one_node() {
        assert_eq!(
            p("a photo, (x:1.2) [a|b]").unwrap().as_text().unwrap(),
            "a photo, (x:1.2) [a|b]"
        );
    }

    #[test]
    fn variant_weights_and_select() {
        let Node::Variant(v) = p("{~2-3$$ and $$0.5::a|b|3::c}").unwrap() else {
            panic!("not a variant")
        };
        assert_eq!(v.sampler, Some(Sampler::Random));
        assert_eq!(v.weights, vec![500_000, 1_000_000, 3_000_000]);
        let s = v.select.unwrap();
        assert_eq!(
            (s.min, s.max, s.separator.as_deref()),
            (2, Some(3), Some(" and "))
        );
    }

    #[test]
    fn single_dollars_mean_default_separator() {
        let Node::Seq(v) = p("{2$$ 1| 2| 3} {2$$ 1| 2| 3}").unwrap() else {
            panic!()
        };
        let Node::Variant(a) = &v[0] else { panic!() };
        assert!(a.select.as_ref().unwrap().separator.is_none());
        assert_eq!(a.options.len(), 3);
    }

    #[test]
    fn errors_carry_spans() {
        let e = p("ab {c|d").unwrap_err();
        assert_eq!((e.column, e.caret_len), (4, 1));
        assert!(e.message.contains("unclosed `{`"));
        let e = p("{x::a|b}").unwrap_err();
        assert!(e.message.contains("not a number"), "{}", e.message);
        let e = p("{2$$ $ $$a|b}").unwrap_err();
        assert!(e.message.contains("`$`"), "{}", e.message);
        let e = p("a __b c").unwrap_err();
        assert!(e.message.contains("unclosed `__`"));
        let e = p("__../x__").unwrap_err();
        assert!(e.message.contains("refused"));
    }

    #[test]
    fn wildcard_forms() {
        let Node::Wildcard(w) = p("__@a\\b(x=1, y={p|q})__").unwrap() else {
            panic!()
        };
        assert_eq!(w.sampler, Some(Sampler::Cyclical));
        assert!(matches!(&w.name, WildcardName::Static(n) if &**n == "a/b"));
        assert_eq!(w.params.len(), 2);
        assert!(
            matches!(p("__a/${x}__").unwrap(), Node::Wildcard(w) if matches!(w.name, WildcardName::Dynamic(_)))
        );
        assert_eq!(
            p("snake_case ___ __").unwrap().as_text().unwrap(),
            "snake_case ___ __"
        );
    }

    #[test]
    fn comments_and_escapes() {
        assert_eq!(p("a # note\nb").unwrap().as_text().unwrap(), "a\nb");
        assert_eq!(
            p("#ff0000 \\{x\\} \\(y\\)").unwrap().as_text().unwrap(),
            "#ff0000 {x} \\(y\\)"
        );
        assert_eq!(
            p("<lora:a__b:0.8>").unwrap().as_text().unwrap(),
            "<lora:a__b:0.8>"
        );
    }
}

#[cfg(test)]
mod fuzz {
    use crate::dynamic::{Collection, ExpandOptions, Expander, Template};
    use proptest::prelude::*;

    proptest! {
        /// Any input parses or fails with a diagnostic, and whatever parses expands or fails
        /// with an error: never a panic.
        #[test]
        fn never_panics(s in "[{}|$_#%@!~:.,()<>\\\\=?a-c0-3 \n-]{0,40}") {
            if let Ok(t) = Template::parse(&s, "fuzz") {
                let c = Collection::empty();
                for mode in [crate::dynamic::Sampler::Random, crate::dynamic::Sampler::Cyclical, crate::dynamic::Sampler::Combinatorial] {
                    let ex = Expander::new(&t, &c, ExpandOptions { mode, ..ExpandOptions::default() });
                    let _ = ex.expand(1, 3);
                    let _ = ex.count();
                }
            }
        }
    }
}
