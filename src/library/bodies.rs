//! Tera for template bodies, compiled only when something needs it.
//!
//! Bodies within the fast subset ([`crate::body`]) are rendered without Tera, and compiling them
//! with Tera was most of a library's load time. Such a body is known to compile (the subset is
//! plain Tera, a test checks it), so its Tera compilation waits for the first Tera render, which
//! only tests, benches and `render_with_tera` ask for. As soon as a body outside the subset
//! arrives, every body is compiled eagerly, in load order, exactly as before: its errors, and
//! errors that depend on other bodies (includes, inheritance), are reported when the library
//! loads.

use std::sync::OnceLock;

/// Tera's reserved words. A slot with one of these names makes its template's bodies compile
/// eagerly, since Tera may read the name as a keyword.
const TERA_RESERVED: [&str; 16] = [
    "true", "True", "false", "False", "loop", "self", "and", "or", "not", "is", "in", "continue",
    "break", "none", "None", "null",
];

/// Whether a fast-subset body of a template with these slots can wait for Tera.
/// Most iterations that a body's nested `range` loops may run (their product along the
/// nesting): a body is rendered for every prompt, and at load to check it.
pub(crate) const MAX_LOOP_STEPS: u64 = 10_000;

/// Checks a body's `{% for … in range(…) %}` loops without running them: every `range` needs
/// literal bounds, and the product of the nested ranges' lengths is at most
/// [`MAX_LOOP_STEPS`] (two nested loops of 100,000 hung the library load). Loops over slot
/// values are bounded by the library's data and are not limited here.
pub(crate) fn check_loops(body: &str) -> Result<(), String> {
    let mut depth: Vec<u64> = vec![1];
    let mut rest = body;
    while let Some(open) = rest.find("{%") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("%}") else {
            break;
        };
        let tag = after[..close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        rest = &after[close + 2..];
        if tag.starts_with("endfor") {
            if depth.len() > 1 {
                depth.pop();
            }
            continue;
        }
        let Some(head) = tag.strip_prefix("for ") else {
            continue;
        };
        let n = match head.find("range(") {
            None => 1,
            Some(at) => {
                let args = &head[at + 6..];
                let args = &args[..args.find(')').unwrap_or(args.len())];
                let mut start = 0i128;
                let mut end = None;
                let mut step = 1i128;
                for a in args.split(',') {
                    let Some((k, v)) = a.split_once('=') else {
                        continue;
                    };
                    let v: i128 = v.trim().parse().map_err(|_| {
                        format!(
                            "`range({args})`: loop bounds must be numbers, so that the loop's \
                             length is known before it runs"
                        )
                    })?;
                    match k.trim() {
                        "start" => start = v,
                        "end" => end = Some(v),
                        "step_by" => step = v.max(1),
                        _ => {}
                    }
                }
                let Some(end) = end else {
                    return Err(format!("`range({args})` needs an `end`"));
                };
                u64::try_from(((end - start).max(0) + step - 1) / step).unwrap_or(u64::MAX)
            }
        };
        let total = depth.last().copied().unwrap_or(1).saturating_mul(n);
        if total > MAX_LOOP_STEPS {
            return Err(format!(
                "its loops would run {total} times (at most {MAX_LOOP_STEPS}); a body is \
                 rendered for every prompt"
            ));
        }
        depth.push(total);
    }
    Ok(())
}

pub(crate) fn deferrable(slot_names: &[&str]) -> bool {
    !slot_names.iter().any(|n| TERA_RESERVED.contains(n))
}

/// The Tera bodies of a library.
#[derive(Default)]
pub(crate) struct TeraBodies {
    /// Set once a body could not be deferred: from then on every body is compiled on arrival.
    eager: Option<tera::Tera>,
    /// Bodies not compiled yet, as (name, Tera source), in load order.
    deferred: Vec<(String, String)>,
    /// The deferred bodies, compiled on the first render (when there is no eager instance).
    lazy: OnceLock<tera::Tera>,
}

impl TeraBodies {
    /// Adds a body. `deferrable`: it is in the fast subset (see [`deferrable`]), so it
    /// compiles, and can wait.
    pub(crate) fn add(
        &mut self,
        name: String,
        src: String,
        deferrable: bool,
    ) -> tera::TeraResult<()> {
        if deferrable && self.eager.is_none() {
            self.deferred.push((name, src));
            return Ok(());
        }
        let deferred = &mut self.deferred;
        let tera = self.eager.get_or_insert_with(|| {
            let t = compile(deferred);
            deferred.clear();
            t
        });
        tera.add_raw_template(&name, &src)
    }

    /// Renders body `name` with Tera (compiling the deferred bodies first if needed).
    pub(crate) fn render(&self, name: &str, ctx: &tera::Context) -> tera::TeraResult<String> {
        match &self.eager {
            Some(t) => t.render(name, ctx),
            None => self
                .lazy
                .get_or_init(|| compile(&self.deferred))
                .render(name, ctx),
        }
    }
}

/// A Tera instance with our filters and these bodies.
fn compile(bodies: &[(String, String)]) -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::<&'static str>::new());
    crate::text::register_filters(&mut tera);
    // All at once, so that Tera checks the set once rather than after each body. They are in the
    // fast subset and compile; if that ever failed, each is tried alone, and a body that does not
    // compile is reported by `render` as unknown.
    if tera
        .add_raw_templates(bodies.iter().map(|(n, s)| (n, s)))
        .is_err()
    {
        for (n, s) in bodies {
            let _ = tera.add_raw_template(n, s);
        }
    }
    tera
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h1_nested_range_loops_are_bounded_before_running() {
        assert!(check_loops("{{ subject }}").is_ok());
        assert!(check_loops("{% for i in range(end=3) %}{{ i }}{% endfor %}").is_ok());
        assert!(check_loops("{% for x in subject_list %}{{ x }}{% endfor %}").is_ok());
        let e = check_loops(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}x{% endfor %}{% endfor %}",
        )
        .unwrap_err();
        assert!(e.contains("would run"), "{e}");
        let e = check_loops(
            "{% for i in range(end=200) %}{% for j in range(end=200) %}x{% endfor %}{% endfor %}",
        )
        .unwrap_err();
        assert!(e.contains("40000 times"), "{e}");
        // Sequential loops do not multiply.
        assert!(
            check_loops(
                "{% for i in range(end=5000) %}{% endfor %}{%- for j in range(start=1, end=5001) -%}{% endfor %}"
            )
            .is_ok()
        );
        assert!(check_loops("{% for i in range(end=n) %}{% endfor %}").is_err());
    }

    /// The fast subset is plain Tera: every form it accepts compiles, for any slot name that is
    /// not reserved.
    #[test]
    fn fast_subset_bodies_compile_in_tera() {
        let names = [
            "subject", "x_1", "if", "else", "endif", "for", "set", "block", "include", "macro",
            "raw", "super", "with", "as", "defined", "filter", "body", "r", "b", "f",
        ];
        for n in names {
            assert!(deferrable(&[n]), "{n}");
            let slots = ["subject", n];
            for src in [
                format!("{{{{ {n} }}}}"),
                format!("{{{{ {n} | a | cap }}}} and {{{{ subject_a }}}} {{{{ aspect }}}}"),
                format!("{{% if {n} %}}x{{% endif %}}"),
                format!(
                    "{{% if not {n} %}}x{{% elif {n} and subject or not {n} %}}y{{% else %}}z{{% endif %}}"
                ),
                format!("{{%- if {n} -%}} x {{#- c -#}} {{{{- {n} -}}}}{{%- endif -%}} }}}} %}}"),
            ] {
                assert!(crate::body::compile(&src, &slots).is_some(), "{src}");
                let mut b = TeraBodies::default();
                b.add("t#1".into(), src.clone(), true).unwrap();
                let mut ctx = tera::Context::new();
                for s in slots {
                    ctx.insert(s, "x");
                }
                ctx.insert("subject_a", "a x");
                ctx.insert("aspect", "1:1");
                assert!(b.render("t#1", &ctx).is_ok(), "{src}");
            }
        }
        for n in TERA_RESERVED {
            assert!(!deferrable(&["subject", n]), "{n}");
        }
    }

    #[test]
    fn a_body_outside_the_subset_compiles_everything_at_once() {
        let mut b = TeraBodies::default();
        b.add("a#1".into(), "{{ x }}".into(), true).unwrap();
        assert!(b.eager.is_none());
        assert!(b.add("b#1".into(), "{{ x | nope }}".into(), false).is_err());
        b.add("b#1".into(), "{{ x | upper }}".into(), false)
            .unwrap();
        assert!(b.deferred.is_empty());
        let mut ctx = tera::Context::new();
        ctx.insert("x", "y");
        assert_eq!(b.render("a#1", &ctx).unwrap(), "y");
        assert_eq!(b.render("b#1", &ctx).unwrap(), "Y");
    }
}
