//! Fast rendering of scene-template bodies.
//!
//! Bodies are Tera templates, and Tera remains their definition: a body that uses anything beyond
//! the subset below is compiled by Tera when the library loads and rendered by Tera. Bodies
//! within the subset — text, `{{ var | a | cap }}`, `{% if var %}` with `elif`, `else`, `not`,
//! `and`, `or`, `"text" in var`, and comments — are compiled here into a small tree that renders an order of
//! magnitude faster than Tera's VM; Tera compiles them only if something renders them with Tera
//! (see `library::bodies`). A test renders thousands of scenes both ways and requires identical
//! text.

/// A variable a body can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// A slot, by index in the template.
    Slot(usize),
    /// `subject_a`: the subject with its article.
    SubjectA,
    /// `aspect`.
    Aspect,
    /// `it`: the subject's object pronoun ("it", "her", "him", "them").
    It,
    /// `its`: the subject's possessive ("its", "her", "his", "their").
    Its,
    /// `DYN_k`: the body's k-th run of dynamic syntax, expanded for the scene.
    Dyn(usize),
}

/// The name under which a body's k-th dynamic run reaches Tera. Upper case, so it can never be
/// a slot name.
pub fn dyn_var(k: usize) -> String {
    format!("DYN_{k}")
}

/// A body whose text has dynamic syntax, split for Tera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The body with every text run that contains `{` or `__` (a frame, `__mood__`) replaced
    /// by `{{ DYN_k }}`.
    pub tera: String,
    /// Each replaced run: its byte offset in the body and its text (already trimmed where a
    /// neighbouring tag's `-` would have trimmed it).
    pub runs: Vec<(usize, String)>,
}

/// A body that cannot be split: the byte offset, the message and a hint.
pub type SplitError = (usize, String, &'static str);

/// Finds the dynamic syntax (`{gently|slowly}`) in a body's text, between its Tera tags.
///
/// Tera tags (`{{ }}`, `{% %}`, `{# #}`, and `{% raw %}` blocks) are kept as they are; a text
/// run containing `{` or `__` becomes a Tera variable whose value is the run expanded per scene. So
/// Tera never sees the dynamic braces, and the dynamic parser never sees Tera's or the slot
/// values. `Ok(None)`: no run has a `{`, and the body is used exactly as written.
pub fn split_dynamic(src: &str) -> Result<Option<Split>, SplitError> {
    // (start, end, trim_before, trim_after) of every tag.
    let mut tags: Vec<(usize, usize, bool, bool)> = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while let Some(off) = src[i..].find('{') {
        let at = i + off;
        let close = match b.get(at + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                i = at + 1;
                continue;
            }
        };
        let Some(end) = src[at + 2..].find(close).map(|e| at + 2 + e + 2) else {
            return Err((
                at,
                format!(
                    "`{}` opens a Tera tag that is never closed",
                    &src[at..at + 2]
                ),
                "a variant whose first option starts with a variant is written `{~{a|b}|c}` in a body",
            ));
        };
        let inner = &src[at + 2..end - 2];
        let mut end = end;
        if close == "%}" && inner.trim_matches(|c: char| c == '-' || c.is_whitespace()) == "raw" {
            // Everything up to `{% endraw %}` is literal.
            let mut j = end;
            loop {
                let Some(o) = src[j..].find("{%") else {
                    return Err((at, "`{% raw %}` is never closed".into(), ""));
                };
                let s = j + o;
                let Some(e) = src[s + 2..].find("%}").map(|e| s + 2 + e + 2) else {
                    return Err((s, "`{%` opens a Tera tag that is never closed".into(), ""));
                };
                j = e;
                if src[s + 2..e - 2].trim_matches(|c: char| c == '-' || c.is_whitespace())
                    == "endraw"
                {
                    end = e;
                    break;
                }
            }
        }
        // (A byte test: the character before the closing delimiter may be any character.)
        let trim_after = src.as_bytes().get(end.wrapping_sub(3)) == Some(&b'-');
        tags.push((at, end, inner.starts_with('-'), trim_after));
        i = end;
    }
    let mut out = String::with_capacity(src.len() + 16);
    let mut runs = Vec::new();
    let mut pos = 0;
    for t in 0..=tags.len() {
        let (run_end, next) = match tags.get(t) {
            Some(&(s, e, _, _)) => (s, Some(e)),
            None => (src.len(), None),
        };
        let run = &src[pos..run_end];
        if run.contains('{') || run.contains("__") {
            let trim_start = t > 0 && tags[t - 1].3;
            let trim_end = tags.get(t).is_some_and(|x| x.2);
            let mut start = pos;
            let mut r = run;
            if trim_start {
                let trimmed = r.trim_start();
                start += r.len() - trimmed.len();
                r = trimmed;
            }
            if trim_end {
                r = r.trim_end();
            }
            out.push_str("{{ ");
            out.push_str(&dyn_var(runs.len()));
            out.push_str(" }}");
            runs.push((start, r.to_string()));
        } else {
            out.push_str(run);
        }
        if let Some(e) = next {
            out.push_str(&src[run_end..e]);
            pos = e;
        }
    }
    Ok((!runs.is_empty()).then_some(Split { tera: out, runs }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// `a`: "a"/"an" where the phrase needs one.
    A,
    /// `cap`: first letter upper-cased.
    Cap,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Var(Var),
    /// `"text" in var`: the variable's value contains the text.
    Contains(String, Var),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Out(Var, Vec<Filter>),
    If(Vec<(Cond, Vec<Node>)>, Vec<Node>),
}

/// A body compiled to the fast subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub nodes: Vec<Node>,
}

/// Values of the variables while rendering.
pub trait Values {
    /// Writes the variable's value into `out`.
    fn write(&self, var: Var, out: &mut String);
    /// Whether the variable is non-empty (Tera's truthiness for strings).
    fn truthy(&self, var: Var) -> bool;
    /// Writes the variable's value through the `a` filter; `tmp` is scratch space. Implementors
    /// may know the answer without rendering the value first.
    fn write_a(&self, var: Var, out: &mut String, tmp: &mut String) {
        tmp.clear();
        self.write(var, tmp);
        crate::text::with_article_into(tmp, out);
    }
}

impl Body {
    pub fn render(&self, vals: &dyn Values, out: &mut String) {
        let mut tmp = (String::new(), String::new());
        render_nodes(&self.nodes, vals, out, &mut tmp);
    }

    /// [`Body::render`] with two reusable scratch strings.
    pub fn render_with(&self, vals: &dyn Values, out: &mut String, tmp: &mut (String, String)) {
        render_nodes(&self.nodes, vals, out, tmp);
    }
}

/// `tmp`: two reusable buffers for filter chains, so rendering allocates nothing per filter.
fn render_nodes(nodes: &[Node], vals: &dyn Values, out: &mut String, tmp: &mut (String, String)) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Out(v, filters) if filters.is_empty() => vals.write(*v, out),
            Node::Out(v, filters) => {
                let (cur, next) = tmp;
                cur.clear();
                let rest = if filters[0] == Filter::A {
                    vals.write_a(*v, cur, next);
                    &filters[1..]
                } else {
                    vals.write(*v, cur);
                    &filters[..]
                };
                for f in rest {
                    next.clear();
                    match f {
                        Filter::A => crate::text::with_article_into(cur, next),
                        Filter::Cap => crate::text::capitalize_into(cur, next),
                    }
                    std::mem::swap(cur, next);
                }
                out.push_str(cur);
            }
            Node::If(branches, otherwise) => {
                let chosen = branches
                    .iter()
                    .find(|(c, _)| eval(c, vals))
                    .map(|(_, b)| b)
                    .unwrap_or(otherwise);
                render_nodes(chosen, vals, out, tmp);
            }
        }
    }
}

fn eval(c: &Cond, vals: &dyn Values) -> bool {
    match c {
        Cond::Var(v) => vals.truthy(*v),
        Cond::Contains(needle, v) => {
            let mut value = String::new();
            vals.write(*v, &mut value);
            value.contains(needle.as_str())
        }
        Cond::Not(c) => !eval(c, vals),
        Cond::And(a, b) => eval(a, vals) && eval(b, vals),
        Cond::Or(a, b) => eval(a, vals) || eval(b, vals),
    }
}

/// A piece of the source: text, an expression `{{ }}`, or a statement `{% %}`.
enum Piece<'a> {
    Text(&'a str),
    Expr(&'a str),
    Stmt(&'a str),
}

/// Splits a body into pieces, applying `-` whitespace control. `None` for anything unusual.
fn lex(src: &str) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut rest = src;
    let mut trim_next = false;
    while !rest.is_empty() {
        let next = next_open(rest);
        let (text, tail) = match next {
            Some((i, _)) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let mut text = if trim_next { text.trim_start() } else { text };
        trim_next = false;
        let Some((_, open)) = next else {
            if !text.is_empty() {
                out.push(Piece::Text(text));
            }
            break;
        };
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let end = tail.find(close)?;
        if end < 2 {
            // `{#}`, `{%}`: the closer overlaps the opener; Tera decides what that means.
            return None;
        }
        let mut inner = &tail[2..end];
        if let Some(s) = inner.strip_prefix('-') {
            text = text.trim_end();
            inner = s;
        }
        if let Some(s) = inner.strip_suffix('-') {
            trim_next = true;
            inner = s;
        }
        if !text.is_empty() {
            out.push(Piece::Text(text));
        }
        match open {
            "{{" => out.push(Piece::Expr(inner.trim())),
            "{%" => out.push(Piece::Stmt(inner.trim())),
            _ => {}
        }
        rest = &tail[end + 2..];
    }
    Some(out)
}

/// The first `{{`, `{%` or `{#` in `s`: its offset and which.
fn next_open(s: &str) -> Option<(usize, &'static str)> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(o) = memchr::memchr(b'{', &b[from..]) {
        let at = from + o;
        match b.get(at + 1) {
            Some(b'{') => return Some((at, "{{")),
            Some(b'%') => return Some((at, "{%")),
            Some(b'#') => return Some((at, "{#")),
            _ => from = at + 1,
        }
    }
    None
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn var(name: &str, slots: &[&str]) -> Option<Var> {
    if !is_ident(name) {
        return None;
    }
    match name {
        "subject_a" => Some(Var::SubjectA),
        "aspect" => Some(Var::Aspect),
        "it" => Some(Var::It),
        "its" => Some(Var::Its),
        _ if name.starts_with("DYN_") => name[4..].parse().ok().map(Var::Dyn),
        _ => slots.iter().position(|s| *s == name).map(Var::Slot),
    }
}

fn expr(src: &str, slots: &[&str]) -> Option<Node> {
    let mut parts = src.split('|').map(str::trim);
    let v = var(parts.next()?, slots)?;
    let mut filters = Vec::new();
    for f in parts {
        filters.push(match f {
            "a" => Filter::A,
            "cap" => Filter::Cap,
            _ => return None,
        });
    }
    Some(Node::Out(v, filters))
}

/// `a or b and not c`, with Tera's precedence (not > and > or), no parentheses; an operand may
/// also be `"text" in var` (a double-quoted literal without escapes, never negated).
fn cond(src: &str, slots: &[&str]) -> Option<Cond> {
    let words = cond_words(src)?;
    if words.is_empty() {
        return None;
    }
    let ors: Vec<&[CondWord]> = words.split(|w| *w == CondWord::Word("or")).collect();
    let mut acc: Option<Cond> = None;
    for o in ors {
        let mut and_acc: Option<Cond> = None;
        for a in o.split(|w| *w == CondWord::Word("and")) {
            let c = match a {
                [CondWord::Word("not"), CondWord::Word(name)] => {
                    Cond::Not(Box::new(Cond::Var(var(name, slots)?)))
                }
                [CondWord::Word(name)] => Cond::Var(var(name, slots)?),
                [
                    CondWord::Quoted(text),
                    CondWord::Word("in"),
                    CondWord::Word(name),
                ] => Cond::Contains((*text).to_string(), var(name, slots)?),
                _ => return None,
            };
            and_acc = Some(match and_acc {
                None => c,
                Some(prev) => Cond::And(Box::new(prev), Box::new(c)),
            });
        }
        let c = and_acc?;
        acc = Some(match acc {
            None => c,
            Some(prev) => Cond::Or(Box::new(prev), Box::new(c)),
        });
    }
    acc
}

/// A word of a condition: a bare word, or a double-quoted literal (its text, spaces kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CondWord<'a> {
    Word(&'a str),
    Quoted(&'a str),
}

/// Splits a condition into words; `None` for an unclosed quote or a backslash in a literal.
fn cond_words(src: &str) -> Option<Vec<CondWord<'_>>> {
    let mut out = Vec::new();
    let mut rest = src.trim_start();
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix('"') {
            let end = body.find('"')?;
            let text = &body[..end];
            if text.contains('\\') {
                return None;
            }
            out.push(CondWord::Quoted(text));
            rest = &body[end + 1..];
            if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
                return None;
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            if word.contains(['"', '\'']) {
                return None;
            }
            out.push(CondWord::Word(word));
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Some(out)
}

/// Compiles a body if it stays within the fast subset; `None` means "render with Tera".
pub fn compile(src: &str, slots: &[&str]) -> Option<Body> {
    let pieces = lex(src)?;
    // A stack of open `if`s: (branches so far, current condition or None for else, current body).
    struct Open {
        branches: Vec<(Cond, Vec<Node>)>,
        cond: Option<Cond>,
        body: Vec<Node>,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    for p in pieces {
        let node = match p {
            Piece::Text(t) => Node::Text(t.to_string()),
            Piece::Expr(e) => expr(e, slots)?,
            Piece::Stmt(s) => {
                let (kw, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
                match kw {
                    "if" => {
                        stack.push(Open {
                            branches: Vec::new(),
                            cond: Some(cond(rest, slots)?),
                            body: Vec::new(),
                        });
                        continue;
                    }
                    "elif" => {
                        let o = stack.last_mut()?;
                        let c = o.cond.take()?;
                        o.branches.push((c, std::mem::take(&mut o.body)));
                        o.cond = Some(cond(rest, slots)?);
                        continue;
                    }
                    "else" if rest.is_empty() => {
                        let o = stack.last_mut()?;
                        let c = o.cond.take()?;
                        o.branches.push((c, std::mem::take(&mut o.body)));
                        continue;
                    }
                    "endif" if rest.is_empty() => {
                        let mut o = stack.pop()?;
                        let otherwise = match o.cond.take() {
                            Some(c) => {
                                o.branches.push((c, o.body));
                                Vec::new()
                            }
                            None => o.body,
                        };
                        Node::If(o.branches, otherwise)
                    }
                    _ => return None,
                }
            }
        };
        match stack.last_mut() {
            Some(o) => o.body.push(node),
            None => top.push(node),
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some(Body { nodes: top })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by tests/fuzz.rs: a non-ASCII character just before a tag's closing `}}` made
    /// the split panic on a byte index inside the character.
    #[test]
    fn a_non_ascii_character_before_a_closing_delimiter_is_no_panic() {
        for src in [
            "{{ subject\u{fffd}}} {a|b}",
            "{% if x\u{e9}%}{a|b}{% endif %}",
            "{# \u{96ea}#}{a|b}",
            "{a|b}{{ x -}} c",
        ] {
            let _ = split_dynamic(src);
        }
        let s = split_dynamic("{{ x -}}  {a|b}").unwrap().unwrap();
        assert_eq!(s.runs, vec![(10, "{a|b}".to_string())]);
    }

    struct Vals(Vec<&'static str>);
    impl Values for Vals {
        fn write(&self, var: Var, out: &mut String) {
            match var {
                Var::Slot(i) => out.push_str(self.0[i]),
                Var::SubjectA => out.push_str("a fox"),
                Var::Aspect => out.push_str("16:9"),
                Var::It => out.push_str("it"),
                Var::Its => out.push_str("its"),
                Var::Dyn(_) => out.push_str("gently"),
            }
        }
        fn truthy(&self, var: Var) -> bool {
            match var {
                Var::Slot(i) => !self.0[i].is_empty(),
                _ => true,
            }
        }
    }

    #[test]
    fn renders_the_subset() {
        let slots = ["subject", "weather", "light"];
        let b = compile(
            "{{ subject | a | cap }} {%- if weather %}, with {{ weather }}{% elif light and not weather %}, lit by {{ light }}{% else %}.{% endif %} {# note #}{{ aspect }}",
            &slots,
        )
        .unwrap();
        let mut out = String::new();
        b.render(&Vals(vec!["owl", "", "moonlight"]), &mut out);
        assert_eq!(out, "An owl, lit by moonlight 16:9");
        out.clear();
        b.render(&Vals(vec!["owl", "rain", ""]), &mut out);
        assert_eq!(out, "An owl, with rain 16:9");
    }

    /// `"text" in var` is in the subset (the weather joins a time that already has a "with");
    /// anything looser (escapes, a negated containment, single quotes) is left to Tera.
    #[test]
    fn containment_of_a_literal() {
        let slots = ["time", "weather"];
        let b = compile(
            "{% if weather %}{% if \" with \" in time %} and {{ weather }}{% else %}, with {{ weather }}{% endif %}{% endif %}",
            &slots,
        )
        .unwrap();
        let mut out = String::new();
        b.render(&Vals(vec!["at dusk with a low sun", "rain"]), &mut out);
        assert_eq!(out, " and rain");
        out.clear();
        b.render(&Vals(vec!["at dusk", "rain"]), &mut out);
        assert_eq!(out, ", with rain");
        for loose in [
            "{% if not \" with \" in time %}x{% endif %}",
            "{% if 'with' in time %}x{% endif %}",
            "{% if \"a\\\"b\" in time %}x{% endif %}",
            "{% if \"with in time %}x{% endif %}",
        ] {
            assert_eq!(compile(loose, &slots), None, "{loose}");
        }
    }

    #[test]
    fn dynamic_runs_become_variables() {
        assert_eq!(split_dynamic("{{ a }} b {% if a %}c{% endif %}"), Ok(None));
        let s = split_dynamic("{{ a }} drifts {gently|slowly} {%- if b %} x {a|b}{% endif %}")
            .unwrap()
            .unwrap();
        assert_eq!(
            s.tera,
            "{{ a }}{{ DYN_0 }}{%- if b %}{{ DYN_1 }}{% endif %}"
        );
        assert_eq!(
            s.runs,
            vec![
                (7, " drifts {gently|slowly}".into()),
                (42, " x {a|b}".into())
            ]
        );
        // Raw blocks and comments are left alone.
        let s = split_dynamic("{% raw %}{a|b}{% endraw %}{# {c|d} #}").unwrap();
        assert_eq!(s, None);
        let e = split_dynamic("a {{a|b}|c}").unwrap_err();
        assert_eq!(e.0, 2);
        assert!(e.2.contains("{~{a|b}|c}"));
    }

    #[test]
    fn finds_the_first_opener() {
        assert_eq!(next_open("a { b {# c {{"), Some((6, "{#")));
        assert_eq!(next_open("{{{"), Some((0, "{{")));
        assert_eq!(next_open("x {%"), Some((2, "{%")));
        assert_eq!(next_open("{ } {"), None);
    }

    #[test]
    fn leaves_the_rest_to_tera() {
        let slots = ["subject"];
        assert!(compile("{{ subject | upper }}", &slots).is_none());
        assert!(compile("{% for x in y %}{% endfor %}", &slots).is_none());
        assert!(compile("{{ unknown }}", &slots).is_none());
        assert!(compile("{% if subject %}", &slots).is_none());
        assert!(compile("{{ subject ~ 'x' }}", &slots).is_none());
        assert!(compile("{#} x #}", &slots).is_none());
        assert!(compile("{%} x %}", &slots).is_none());
    }
}
