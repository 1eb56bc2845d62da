//! Frames: the connecting words that template bodies share.
//!
//! A body that writes `__mood__ {{ mood }}` says one phrasing of the frame `mood` ("the mood
//! is", "it feels", …), drawn per prompt exactly like a variant written in its place (see
//! `dynamic::inline::parse_framed`). So a thousand prompts of one template do not all say "The
//! mood is", and the wording is written once for every template. Frames are vocabulary data
//! (`frames:` in a vocab file); a later file's frame of the same name replaces an earlier one,
//! so a user library can reword the built-in bodies without touching them.

use std::collections::BTreeMap;

use super::{check_ident, invalid};
use crate::error::Result;
use crate::text;
use crate::yaml::{Locator, RawFrame};

/// The library's frames: name → phrasings, in the library's spelling.
#[derive(Debug, Default)]
pub(crate) struct Frames {
    phrasings: BTreeMap<String, Vec<String>>,
    /// Per frame: the content words and strict topics of those words (see [`crate::topics`]),
    /// read once here rather than at every body that names the frame.
    topics: BTreeMap<String, (Vec<u32>, Vec<u32>)>,
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

    /// Every phrasing in `spelling`, proper nouns capitalised (as entries are); then what each
    /// frame says (its words, each once), for [`Frames::topics`].
    pub(crate) fn respell(&mut self, spelling: text::Spelling) {
        self.topics.clear();
        for (name, list) in self.phrasings.iter_mut() {
            let mut seen: Vec<&str> = Vec::new();
            for p in list.iter_mut() {
                *p = text::library_text(p, spelling);
            }
            for p in list.iter() {
                for w in p.split_whitespace() {
                    if !seen.contains(&w) {
                        seen.push(w);
                    }
                }
            }
            let words = seen.join(" ");
            let (mut content, mut strict) = (Vec::new(), Vec::new());
            crate::repeats::content_words(&words, &mut content);
            crate::topics::strict_topics(&words, &mut strict);
            self.topics.insert(name.clone(), (content, strict));
        }
    }

    /// What frame `name` says: (content words, strict topics), for [`crate::topics::BodyTopics`].
    pub(crate) fn topics(&self, name: &str) -> Option<(&[u32], &[u32])> {
        self.topics
            .get(name)
            .map(|(c, s)| (c.as_slice(), s.as_slice()))
    }

    /// Name → phrasings, as the body parser reads them.
    pub(crate) fn table(&self) -> &BTreeMap<String, Vec<String>> {
        &self.phrasings
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
    fn what_a_frame_says_is_read_once_from_all_its_phrasings() {
        let mut f =
            frames("frames:\n  mood:\n    phrasings: [the mood is, it feels, it is]\n").unwrap();
        f.respell(text::Spelling::default());
        let (words, strict) = f.topics("mood").unwrap();
        let mut want = Vec::new();
        crate::repeats::content_words("the mood is it feels", &mut want);
        assert_eq!(words, want.as_slice());
        assert!(!strict.is_empty());
        assert!(f.topics("other").is_none());
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
