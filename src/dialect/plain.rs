//! Plain prose: the template's body, rendered with each slot's text, then tidied.

use super::{Dialect, Written, negative_terms};
use crate::body::{Values, Var};
use crate::error::Result;
use crate::library::{Library, SceneTemplate, tera_error};
use crate::scene::Scene;
use crate::text;

/// Natural sentences, as DALL-E, gpt-image and Flux want them, and the default.
#[derive(Debug, Default, Clone, Copy)]
pub struct Plain;

/// Variables every body can use besides its slots: `subject_a` (the subject with an article),
/// `aspect`, and the subject's pronouns `it` ("it", "her", "him", "them") and `its` ("its",
/// "her", "his", "their").
pub(crate) fn insert_common(ctx: &mut tera::Context, subject: &str, t: &SceneTemplate) {
    ctx.insert("subject_a", &text::with_article(subject));
    ctx.insert("aspect", t.aspect.as_str());
    let p = crate::pronoun::of_subject(subject);
    ctx.insert("it", p.object());
    ctx.insert("its", p.possessive());
}

/// A slot's picks written as prose ("a, b and c") straight into `out`.
fn write_slot(lib: &Library, scene: &Scene, slot: usize, out: &mut String) {
    let picks = &scene.slots[slot].picks;
    let last = if picks.len() > 1 {
        let texts: Vec<&str> = (0..picks.len()).map(|k| scene.text(lib, slot, k)).collect();
        text::last_and(&texts)
    } else {
        " and "
    };
    for k in 0..picks.len() {
        if k > 0 {
            out.push_str(if k + 1 == picks.len() { last } else { ", " });
        }
        out.push_str(scene.text(lib, slot, k));
    }
}

/// A slot's text through the `a` filter: from the entry's cached article when the slot holds one
/// entry as written, by working it out otherwise.
fn slot_with_article(
    lib: &Library,
    scene: &Scene,
    slot: usize,
    out: &mut String,
    tmp: &mut String,
) {
    let picks = &scene.slots[slot].picks;
    if let [crate::scene::Pick::Entry(c, e)] = picks.as_slice()
        && !scene.is_dynamic(slot, 0)
    {
        let en = &lib.categories[*c].entries[*e];
        out.push_str(en.article());
        out.push_str(en.text.trim());
        return;
    }
    tmp.clear();
    write_slot(lib, scene, slot, tmp);
    text::with_article_into(tmp, out);
}

/// The scene's expansion of its body's k-th dynamic run.
fn dyn_text(scene: &Scene, k: usize) -> &str {
    scene.dynamic.body.get(k).map_or("", String::as_str)
}

struct SceneValues<'a> {
    lib: &'a Library,
    scene: &'a Scene,
    template: &'a SceneTemplate,
    subject_a: &'a str,
    pronoun: crate::pronoun::Pronoun,
}

impl Values for SceneValues<'_> {
    fn write(&self, var: Var, out: &mut String) {
        match var {
            Var::Slot(i) => write_slot(self.lib, self.scene, i, out),
            Var::SubjectA => out.push_str(self.subject_a),
            Var::Aspect => out.push_str(&self.template.aspect),
            Var::It => out.push_str(self.pronoun.object()),
            Var::Its => out.push_str(self.pronoun.possessive()),
            Var::Dyn(k) => out.push_str(dyn_text(self.scene, k)),
        }
    }

    fn write_a(&self, var: Var, out: &mut String, tmp: &mut String) {
        match var {
            Var::Slot(i) => slot_with_article(self.lib, self.scene, i, out, tmp),
            Var::SubjectA => text::with_article_into(self.subject_a, out),
            Var::Aspect => text::with_article_into(&self.template.aspect, out),
            Var::It => out.push_str(self.pronoun.object()),
            Var::Its => out.push_str(self.pronoun.possessive()),
            Var::Dyn(k) => text::with_article_into(dyn_text(self.scene, k), out),
        }
    }

    fn truthy(&self, var: Var) -> bool {
        match var {
            Var::Slot(i) => !self.scene.slots[i].picks.is_empty(),
            Var::SubjectA => !self.subject_a.is_empty(),
            Var::Aspect => !self.template.aspect.is_empty(),
            Var::It | Var::Its => true,
            Var::Dyn(k) => !dyn_text(self.scene, k).is_empty(),
        }
    }
}

impl Plain {
    /// The Tera context of a scene: every slot's text (empty when the slot was skipped).
    pub fn context(lib: &Library, scene: &Scene) -> tera::Context {
        let t = scene.template(lib);
        let mut ctx = tera::Context::new();
        let mut subject = String::new();
        for (i, s) in t.slots.iter().enumerate() {
            let mut joined = String::new();
            write_slot(lib, scene, i, &mut joined);
            if s.name == "subject" {
                subject.clone_from(&joined);
            }
            ctx.insert(s.name.clone(), &joined);
        }
        insert_common(&mut ctx, &subject, t);
        for (k, text) in scene.dynamic.body.iter().enumerate() {
            ctx.insert(crate::body::dyn_var(k), text);
        }
        ctx
    }

    /// The body rendered by Tera itself, before tidying (the reference for the fast path).
    pub fn render_with_tera(lib: &Library, scene: &Scene) -> Result<String> {
        let t = scene.template(lib);
        let ctx = Plain::context(lib, scene);
        lib.tera.render(&t.bodies[scene.body], &ctx).map_err(|e| {
            tera_error(
                &t.name,
                scene.body + 1,
                t.body_locations[scene.body].clone(),
                &e,
            )
        })
    }

    /// The body rendered, before tidying: by the fast renderer when the body fits its subset.
    pub fn render_raw(lib: &Library, scene: &Scene) -> Result<String> {
        let mut out = String::with_capacity(1024);
        Plain::render_raw_into(lib, scene, &mut out, &mut Buffers::default())?;
        Ok(out)
    }

    /// [`Plain::render_raw`], appending to `out`, with reusable `buffers`.
    fn render_raw_into(
        lib: &Library,
        scene: &Scene,
        out: &mut String,
        buffers: &mut Buffers,
    ) -> Result<()> {
        let t = scene.template(lib);
        let Some(body) = &t.fast_bodies[scene.body] else {
            out.push_str(&Plain::render_with_tera(lib, scene)?);
            return Ok(());
        };
        let Buffers { subject_a, tmp } = buffers;
        subject_a.clear();
        let mut pronoun = crate::pronoun::Pronoun::It;
        if let Some(si) = t.slot_index("subject") {
            slot_with_article(lib, scene, si, subject_a, &mut tmp.0);
            pronoun = match scene.slots[si].picks.as_slice() {
                // One entry as written: its pronoun is worked out once per entry.
                [crate::scene::Pick::Entry(c, e)] if !scene.is_dynamic(si, 0) => {
                    lib.categories[*c].entries[*e].pronoun()
                }
                _ => {
                    tmp.1.clear();
                    write_slot(lib, scene, si, &mut tmp.1);
                    crate::pronoun::of_subject(&tmp.1)
                }
            };
        }
        let vals = SceneValues {
            lib,
            scene,
            template: t,
            subject_a,
            pronoun,
        };
        body.render_with(&vals, out, tmp);
        Ok(())
    }
}

/// Per-thread buffers for writing prose, so that a prompt costs one allocation (its own text).
#[derive(Default)]
struct Buffers {
    subject_a: String,
    tmp: (String, String),
}

/// Where the user's own subject, written into a body sentence, would not read as English: a
/// subject typed as tags opens its sentence as a list (see [`text::lead_with_tags`]); clothing
/// the body puts after it lands on its noun, not on its last place ("a violinist on an
/// empty stage in a linen shirt" → "a violinist in a linen shirt on an empty stage"), and an
/// appositive left open is closed before the sentence goes on ("a loaf of bread, its ear
/// curling open, is set out").
fn mend_user_subject(lib: &Library, scene: &Scene, raw: &mut String) {
    let t = scene.template(lib);
    let Some(si) = t.slot_index("subject") else {
        return;
    };
    let [crate::scene::Pick::User(subject)] = scene.slots[si].picks.as_slice() else {
        return;
    };
    let subject = subject.trim();
    // The first letter may have been capitalised by the body: match from the second.
    let Some(c0) = subject.chars().next() else {
        return;
    };
    let skip = c0.len_utf8();
    if subject.len() <= skip {
        return;
    }
    // Typed as tags: the tags open their sentence as a list, never the middle of a clause.
    if text::is_tag_list(subject) {
        text::lead_with_tags(raw, subject);
        return;
    }
    text::style_tail_last(raw, subject);
    if let Some(ai) = t.slot_index("attire")
        && !scene.slots[ai].picks.is_empty()
    {
        let mut attire = String::new();
        write_slot(lib, scene, ai, &mut attire);
        let (head, tail) = text::head_and_tail(subject);
        // Split at a comma ("a bonfire party, kids with sparklers"), the comma stays; after
        // attire that ends in its own clause ("a cardigan buttoned to the top"), one closes
        // it, so the user's place is not the cardigan's.
        let clause = attire
            .split_whitespace()
            .skip(1)
            .any(|w| w.len() > 4 && (w.ends_with("ed") || w.ends_with("ing")));
        let sep = if subject[head.len()..].starts_with(',') || clause {
            ", "
        } else {
            " "
        };
        if !tail.is_empty() && head.len() > skip {
            for (joint, lead) in [(" in ", " in "), (", dressed in ", " dressed in ")] {
                let from = format!("{}{joint}{attire}", &subject[skip..]);
                let to = format!("{}{lead}{attire}{sep}{tail}", &head[skip..]);
                if raw.contains(&from) {
                    *raw = raw.replace(&from, &to);
                    break;
                }
            }
        }
    }
    if text::leaves_appositive_open(subject) {
        let needle = &subject[skip..];
        let mut at = 0;
        while let Some(k) = raw[at..].find(needle) {
            let end = at + k + needle.len();
            let rest = &raw[end..];
            if rest.starts_with(' ') && rest[1..].starts_with(char::is_alphanumeric) {
                raw.insert(end, ',');
            }
            at = end;
        }
    }
}

thread_local! {
    static RAW: std::cell::RefCell<(String, Buffers)> = std::cell::RefCell::default();
}

impl Dialect for Plain {
    fn name(&self) -> &'static str {
        "plain"
    }

    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        let mut w = self.write_prompt(lib, scene)?;
        w.negative = negative_terms(lib, scene).join(", ");
        Ok(w)
    }

    fn write_prompt(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        let mut prompt = String::new();
        self.write_prompt_into(lib, scene, &mut prompt)?;
        Ok(Written {
            prompt,
            ..Written::default()
        })
    }

    fn write_prompt_into(&self, lib: &Library, scene: &Scene, out: &mut String) -> Result<()> {
        RAW.with_borrow_mut(|(raw, buffers)| {
            raw.clear();
            Plain::render_raw_into(lib, scene, raw, buffers)?;
            mend_user_subject(lib, scene, raw);
            text::tidy_prose_into(raw, out);
            // The user's rating tags, as typed, after the scene.
            if let Some(q) = &scene.quality {
                out.push(' ');
                text::capitalize_into(q, out);
                out.push('.');
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{Plan, build};

    /// The fast renderer must write exactly what Tera writes, for every body of the built-in
    /// library.
    #[test]
    fn fast_path_equals_tera() {
        let lib = Library::builtin().unwrap();
        let mut checked = 0;
        for t in &lib.templates {
            let plan = Plan::new(&lib, "", Some(&t.name)).unwrap();
            for i in 0..300 {
                let scene = build(&lib, &plan, 11, i, false);
                if t.fast_bodies[scene.body].is_none() {
                    continue;
                }
                let fast = Plain::render_raw(&lib, &scene).unwrap();
                let tera = Plain::render_with_tera(&lib, &scene).unwrap();
                assert_eq!(fast, tera, "template {} body {}", t.name, scene.body + 1);
                checked += 1;
            }
        }
        assert!(checked > 0);
    }

    /// Every built-in body stays within the fast subset: a body that falls back to Tera
    /// renders several times slower (the weather joined to the time did, unnoticed, until the
    /// subset learnt `"text" in var`).
    #[test]
    fn every_builtin_body_is_fast() {
        let lib = Library::builtin().unwrap();
        let slow: Vec<String> = lib
            .templates
            .iter()
            .flat_map(|t| {
                t.fast_bodies
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.is_none())
                    .map(move |(i, _)| format!("{} body {}", t.name, i + 1))
            })
            .collect();
        assert!(slow.is_empty(), "rendered by Tera: {slow:?}");
    }

    /// A body's own words, with every slot's text (and `subject_a`) written as `\u{1}`:
    /// what is left is the template's fixed wording and its dynamic runs.
    struct Marked<'a>(&'a Scene);

    impl Values for Marked<'_> {
        fn write(&self, var: Var, out: &mut String) {
            match var {
                Var::Dyn(k) => out.push_str(dyn_text(self.0, k)),
                _ => out.push('\u{1}'),
            }
        }
        fn write_a(&self, var: Var, out: &mut String, _: &mut String) {
            self.write(var, out);
        }
        fn truthy(&self, var: Var) -> bool {
            match var {
                Var::Slot(i) => !self.0.slots[i].picks.is_empty(),
                Var::Dyn(k) => !dyn_text(self.0, k).is_empty(),
                _ => true,
            }
        }
    }

    /// The phrases (3 words or more, within one clause, none of them from a slot) of a
    /// template's own wording that come in more than 5 % of its prompts over 1,000 seeds.
    fn stock_phrases(lib: &Library, t: usize) -> Vec<(String, usize)> {
        use std::collections::{HashMap, HashSet};
        const SEEDS: u64 = 1_000;
        let t = &lib.templates[t];
        let plan = Plan::new(lib, "", Some(&t.name)).unwrap();
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut tmp = (String::new(), String::new());
        for seed in 0..SEEDS {
            let scene = build(lib, &plan, seed, 0, false);
            let body = t.fast_bodies[scene.body]
                .as_ref()
                .expect("every built-in body fits the fast renderer");
            let mut raw = String::new();
            body.render_with(&Marked(&scene), &mut raw, &mut tmp);
            let mut seen: HashSet<String> = HashSet::new();
            for clause in raw.split(|c: char| c == '\u{1}' || ",.;:!?()".contains(c)) {
                let words: Vec<String> = clause
                    .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect();
                for w in words.windows(3) {
                    seen.insert(w.join(" "));
                }
            }
            for p in seen {
                *counts.entry(p).or_default() += 1;
            }
        }
        let mut over: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(_, n)| *n * 20 > SEEDS as usize)
            .collect();
        over.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        over
    }

    /// Sentence frames and stock phrases vary: no phrase of a template's own wording (not
    /// from a slot; frames and dynamic runs count) in more than 5 % of its prompts over 1,000
    /// seeds (issue 10). The shared connecting words live in `vocab/frames.yaml`.
    #[test]
    fn stock_phrases_vary() {
        let lib = Library::builtin().unwrap();
        let mut report = String::new();
        for (i, t) in lib.templates.iter().enumerate() {
            for (p, n) in stock_phrases(&lib, i) {
                report.push_str(&format!("{}: \"{p}\" in {n} of 1000\n", t.name));
            }
        }
        assert!(
            report.is_empty(),
            "stock phrases in over 5 % of prompts:\n{report}"
        );
    }
}
