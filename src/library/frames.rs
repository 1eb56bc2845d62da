//! Frames: the connecting words that template bodies share.
//!
//! A body that writes `__mood__ {{ mood }}` says one phrasing of the frame `mood` ("the mood
//! is", "it feels", …), drawn per prompt exactly like a variant written in its place (see
//! `dynamic::inline::parse_framed`). So a thousand prompts of one template do not all say "The
//! mood is", and the wording is written once for every template. Frames are vocabulary data
//! (`frames:` in a vocab file); a later file's frame of the same name replaces an earlier one,
//! so a user library can reword the built-in bodies without touching them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{check_ident, invalid};
use crate::error::Result;
use crate::text;
use crate::yaml::{Locator, RawFrame};

/// The library's frames: name → phrasings, in the library's spelling.
#[derive(Debug, Default)]
pub(crate) struct Frames {
    phrasings: BTreeMap<String, Vec<String>>,
}

impl Frames {
    /// Adds (or replaces) frame `name`, read from a file located by `loc`.
    pub(crate) fn add(&mut self, name: String, raw: RawFrame, loc: &mut Locator) -> Result<()> {
        let floc = loc.next(&format!("{name}:"));
        check_ident(&name, "frame", floc.clone())?;
        if raw.phrasings.is_empty() {
            return Err(invalid(
                floc,
                format!("frame `{name}` has no phrasings (give at least one under `phrasings:`)"),
            ));
        }
        let mut out = Vec::with_capacity(raw.phrasings.len());
        for p in raw.phrasings {
            let ploc = loc.next(&p);
            let t = p.trim();
            if t.is_empty() {
                return Err(invalid(
                    ploc,
                    format!("frame `{name}` has an empty phrasing"),
                ));
            }
            if let Some(bad) = ["{", "}", "|", "__", "\n"]
                .into_iter()
                .find(|b| t.contains(b))
            {
                let bad = if bad == "\n" { "a line break" } else { bad };
                return Err(invalid(
                    ploc,
                    format!(
                        "a phrasing of frame `{name}` has `{bad}`: phrasings are plain text \
                         (a body writes the variants and slots around them)"
                    ),
                ));
            }
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
        self.phrasings.insert(name, out);
        Ok(())
    }

    /// Every phrasing in `spelling`, proper nouns capitalised (as entries are).
    pub(crate) fn respell(&mut self, spelling: text::Spelling) {
        for list in self.phrasings.values_mut() {
            for p in list.iter_mut() {
                *p = text::library_text(p, spelling);
            }
        }
    }

    /// Name → phrasings, as the body parser reads them.
    pub(crate) fn table(&self) -> &BTreeMap<String, Vec<String>> {
        &self.phrasings
    }

    /// `body` with each frame it names written out as a variant (`__mood__` → `{the mood
    /// is|it feels|…}`): what the body says in its own words, for readers of its source text
    /// (`topics`).
    pub(crate) fn written_out<'a>(&self, body: &'a str) -> Cow<'a, str> {
        if !body.contains("__") || self.phrasings.is_empty() {
            return Cow::Borrowed(body);
        }
        let mut out = String::with_capacity(body.len() * 2);
        let mut rest = body;
        while let Some(open) = rest.find("__") {
            let after = &rest[open + 2..];
            match after
                .find("__")
                .and_then(|close| Some((close, self.phrasings.get(&after[..close])?)))
            {
                Some((close, list)) => {
                    out.push_str(&rest[..open]);
                    out.push('{');
                    out.push_str(&list.join("|"));
                    out.push('}');
                    rest = &after[close + 2..];
                }
                None => {
                    out.push_str(&rest[..open + 2]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(yaml: &str) -> Result<Frames> {
        let raw = crate::yaml::parse_vocab("f.yaml", yaml)?;
        let mut loc = Locator::new("f.yaml", yaml);
        let mut f = Frames::default();
        for (name, r) in raw.frames.0 {
            f.add(name, r, &mut loc)?;
        }
        Ok(f)
    }

    #[test]
    fn a_frame_is_written_out_where_a_body_names_it() {
        let f = frames("frames:\n  mood:\n    phrasings: [the mood is, it feels]\n").unwrap();
        assert_eq!(
            f.written_out("A {{ x }}. __mood__ {{ mood }}, __other__."),
            "A {{ x }}. {the mood is|it feels} {{ mood }}, __other__."
        );
        assert!(matches!(f.written_out("no frames"), Cow::Borrowed(_)));
    }

    #[test]
    fn phrasings_are_plain_text_and_errors_are_located() {
        let e = frames("frames:\n  mood:\n    phrasings:\n      - the mood is\n      - it {a|b}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.yaml:5") && e.contains("plain text"), "{e}");
        let e = frames("frames:\n  Mood:\n    phrasings: [x]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.yaml:2") && e.contains("frame name"), "{e}");
        let e = frames("frames:\n  mood:\n    phrasings: []\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no phrasings"), "{e}");
        let e = frames("frames:\n  mood:\n    phrase: [x]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("phrase"), "{e}");
    }
}
