//! Natural sentences for generators that read prose: DALL-E and gpt-image (with their prompt
//! character limits), Flux, and `plain` itself.
//!
//! The prose is the plain dialect's rendering of the template body. To fit a limit, whole
//! sentences are dropped, least important first: a sentence is as important as the most
//! important slot whose text it shows (see [`super::importance_order`]), so the sentence with
//! the subject always stays.

use serde_json::json;

use super::plain::Plain;
use super::{Dialect, Options, Written, importance_order};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::scene::Scene;
use crate::tokens::{ClipTokenizer, TokenCounter};

/// OpenAI image models and their prompt limits in characters.
pub const MODELS: &[(&str, usize)] = &[
    ("dall-e-2", 1_000),
    ("dall-e-3", 4_000),
    ("gpt-image-1", 32_000),
];

/// The model used when `--model` is not given.
pub const DEFAULT_MODEL: &str = "dall-e-3";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Dalle,
    Flux,
}

/// plain, dalle and flux.
#[derive(Debug, Clone)]
pub struct Natural {
    kind: Kind,
    model: &'static str,
    max_chars: Option<usize>,
    strict: bool,
    tokens: bool,
}

impl Natural {
    /// Prose as the template writes it, with its negative terms.
    pub fn plain(opts: &Options) -> Natural {
        Natural {
            kind: Kind::Plain,
            model: "",
            max_chars: None,
            strict: opts.strict,
            tokens: opts.tokens,
        }
    }

    /// Flux reads prose well and has no weight syntax; the negative terms are kept for
    /// front-ends that use them with CFG.
    pub fn flux(opts: &Options) -> Natural {
        Natural {
            kind: Kind::Flux,
            ..Natural::plain(opts)
        }
    }

    /// DALL-E / gpt-image: prose within the model's character limit, no negative prompt (the
    /// API has no such field).
    pub fn dalle(opts: &Options) -> Result<Natural> {
        let name = opts.model.as_deref().unwrap_or(DEFAULT_MODEL);
        let Some(&(model, limit)) = MODELS.iter().find(|(m, _)| *m == name) else {
            let names: Vec<&str> = MODELS.iter().map(|m| m.0).collect();
            return Err(Error::Usage(format!(
                "unknown --model `{name}` (expected {})",
                names.join(", ")
            )));
        };
        Ok(Natural {
            kind: Kind::Dalle,
            model,
            max_chars: Some(limit),
            strict: opts.strict,
            tokens: opts.tokens,
        })
    }
}

/// Splits prose into sentences (each keeps its end punctuation; a `.` inside `f/1.4` does not
/// end one).
pub fn sentences(prose: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = prose.as_bytes();
    for i in 0..b.len() {
        if matches!(b[i], b'.' | b'!' | b'?') && b.get(i + 1) == Some(&b' ') {
            out.push(prose[start..=i].trim());
            start = i + 1;
        }
    }
    let last = prose[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// Drops the least important sentences of `prose` until it has at most `limit` characters.
/// `rank[i]` is sentence i's importance (0 = the subject's, never dropped); ties drop the later
/// sentence first. Returns the text and how many sentences were dropped, or `None` when even
/// the undroppable sentences are too long.
pub fn fit_sentences(parts: &[&str], rank: &[usize], limit: usize) -> Option<(String, usize)> {
    let len = |keep: &[bool]| -> usize {
        let kept: Vec<usize> = parts
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(p, _)| p.chars().count())
            .collect();
        kept.iter().sum::<usize>() + kept.len().saturating_sub(1)
    };
    let mut keep = vec![true; parts.len()];
    let mut order: Vec<usize> = (0..parts.len()).filter(|&i| rank[i] > 0).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(rank[i]), std::cmp::Reverse(i)));
    let mut dropped = 0;
    let mut next = order.iter();
    while len(&keep) > limit {
        let &i = next.next()?;
        keep[i] = false;
        dropped += 1;
    }
    let text: Vec<&str> = parts
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| *p)
        .collect();
    Some((text.join(" "), dropped))
}

/// Each sentence's importance: the rank of the most important slot it shows (the subject's is
/// 0); sentences that show no slot rank last.
fn ranks(lib: &Library, scene: &Scene, parts: &[&str]) -> Vec<usize> {
    let t = scene.template(lib);
    let order = importance_order(t);
    parts
        .iter()
        .map(|sentence| {
            let lower = sentence.to_lowercase();
            order
                .iter()
                .enumerate()
                .find(|(_, si)| {
                    (0..scene.slots[**si].picks.len()).any(|k| {
                        let text = scene.text(lib, **si, k).to_lowercase();
                        !text.is_empty() && lower.contains(&text)
                    })
                })
                .map_or(order.len(), |(rank, _)| rank)
        })
        .collect()
}

impl Dialect for Natural {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Plain => "plain",
            Kind::Dalle => "dalle",
            Kind::Flux => "flux",
        }
    }

    fn write(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        self.write_with(lib, scene, true)
    }

    fn write_prompt(&self, lib: &Library, scene: &Scene) -> Result<Written> {
        self.write_with(lib, scene, false)
    }

    fn write_prompt_into(&self, lib: &Library, scene: &Scene, out: &mut String) -> Result<()> {
        if self.max_chars.is_none() {
            // No limit to enforce: the plain prose as it is (token counts are not part of it).
            return Plain.write_prompt_into(lib, scene, out);
        }
        out.push_str(&self.write_prompt(lib, scene)?.prompt);
        Ok(())
    }
}

impl Natural {
    fn write_with(&self, lib: &Library, scene: &Scene, negative: bool) -> Result<Written> {
        let mut w = if negative {
            Plain.write(lib, scene)?
        } else {
            Plain.write_prompt(lib, scene)?
        };
        let mut params = None;
        if let Some(limit) = self.max_chars {
            let n = w.prompt.chars().count();
            let mut dropped = 0;
            if n > limit {
                if self.strict {
                    return Err(Error::Usage(format!(
                        "the prompt has {n} characters, over {}'s limit of {limit} (--strict forbids \
                         dropping sentences)",
                        self.model
                    )));
                }
                let parts = sentences(&w.prompt);
                let rank = ranks(lib, scene, &parts);
                let Some((text, d)) = fit_sentences(&parts, &rank, limit) else {
                    return Err(Error::Usage(format!(
                        "the subject's sentence alone is over {}'s limit of {limit} characters",
                        self.model
                    )));
                };
                w.prompt = text;
                dropped = d;
            }
            params = Some(json!({
                "model": self.model,
                "max_chars": limit,
                "dropped": dropped,
            }));
        }
        if self.kind == Kind::Dalle {
            w.negative.clear();
        }
        w.params = params;
        if self.tokens {
            w.tokens = Some(ClipTokenizer::shared().count(&w.prompt));
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_end_punctuation_only() {
        assert_eq!(
            sentences("A fox at f/1.4. It runs! Does it? Yes"),
            vec!["A fox at f/1.4.", "It runs!", "Does it?", "Yes"]
        );
    }

    #[test]
    fn least_important_sentences_go_first() {
        let parts = ["Subject here.", "Low detail.", "Mid detail.", "Low again."];
        let rank = [0, 5, 2, 5];
        // All: 13+1+11+1+11+1+10 = 48 chars.
        assert_eq!(fit_sentences(&parts, &rank, 48), Some((parts.join(" "), 0)));
        assert_eq!(
            fit_sentences(&parts, &rank, 40),
            Some(("Subject here. Low detail. Mid detail.".to_string(), 1))
        );
        assert_eq!(
            fit_sentences(&parts, &rank, 30),
            Some(("Subject here. Mid detail.".to_string(), 2))
        );
        assert_eq!(fit_sentences(&parts, &rank, 5), None);
    }

    #[test]
    fn unknown_model_is_refused_with_the_choices() {
        let e = Natural::dalle(&Options {
            model: Some("dall-e-4".into()),
            ..Options::default()
        })
        .unwrap_err();
        assert!(
            e.to_string().contains("dall-e-2, dall-e-3, gpt-image-1"),
            "{e}"
        );
    }
}
