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
