//! Plain prose: the template's Tera body, rendered with each slot's text, then tidied.

use super::{Dialect, Written, negative_terms};
use crate::error::Result;
use crate::library::{Library, SceneTemplate, tera_error};
use crate::scene::Scene;
use crate::text;

/// Natural sentences, as DALL-E, gpt-image and Flux want them, and the default.
#[derive(Debug, Default, Clone, Copy)]
pub struct Plain;

/// Variables every body can use besides its slots: `subject_a` (the subject with an article) and
/// `aspect`.
pub(crate) fn insert_common(ctx: &mut tera::Context, subject: &str, t: &SceneTemplate) {
    ctx.insert("subject_a", &text::with_article(subject));
    ctx.insert("aspect", t.aspect.as_str());
}

impl Plain {
    /// The Tera context of a scene: every slot's text (empty when the slot was skipped).
    pub fn context(lib: &Library, scene: &Scene) -> tera::Context {
        let t = scene.template(lib);
        let mut ctx = tera::Context::new();
        let mut subject = String::new();
        for (s, f) in t.slots.iter().zip(&scene.slots) {
            let items: Vec<&str> = f.picks.iter().map(|p| Scene::pick_text(lib, p)).collect();
            let joined = text::join_and(&items);
            if s.name == "subject" {
                subject.clone_from(&joined);
            }
            ctx.insert(s.name.clone(), &joined);
        }
        insert_common(&mut ctx, &subject, t);
        ctx
    }
}

impl Dialect for Plain {
    fn name(&self) -> &'static str {
        "plain"
    }

    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        let t = scene.template(lib);
        let ctx = Plain::context(lib, scene);
        let raw = lib
            .tera
            .render(&t.bodies[scene.body], &ctx)
            .map_err(|e| tera_error(&t.name, scene.body + 1, t.location.clone(), &e))?;
        Ok(Written {
            prompt: text::tidy_prose(&raw),
            negative: negative_terms(lib, scene).join(", "),
            ..Written::default()
        })
    }
}
