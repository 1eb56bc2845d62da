//! Wildcard name globs: fnmatch-style patterns over `/`-separated names.

/// fnmatch-style matching on `/`-separated names: `*` and `?` stay inside one segment, `**`
/// crosses segments (and `**/` may match no segment at all), `[a-z]` and `[!a-z]` are classes.
/// `?` and classes match one Unicode character.
pub fn glob_match(p: &str, s: &str) -> bool {
    Glob::new(p).matches(s)
}

/// A compiled glob, matched by simulating its automaton over the name: time O(pattern × name),
/// with no backtracking (a recursive matcher took exponential time on `*a*a*a*a*b`).
#[derive(Debug, Clone)]
pub struct Glob {
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum Tok {
    Lit(char),
    /// `?`: one character other than `/`.
    One,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**`: any run of characters.
    DoubleStar,
    /// Before `**/`: the three may match nothing at all (zero segments).
    SkipNext(usize),
    Class {
        negate: bool,
        items: Vec<(char, char)>,
    },
}

impl Glob {
    pub fn new(p: &str) -> Glob {
        let chars: Vec<char> = p.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'/') {
                        tokens.push(Tok::SkipNext(2));
                        tokens.push(Tok::DoubleStar);
                        tokens.push(Tok::Lit('/'));
                        i += 3;
                    } else {
                        tokens.push(Tok::DoubleStar);
                        i += 2;
                    }
                }
                '*' => {
                    tokens.push(Tok::Star);
                    i += 1;
                }
                '?' => {
                    tokens.push(Tok::One);
                    i += 1;
                }
                '[' => {
                    // The class ends at the first `]` after its first character (`[]a]` holds
                    // `]`); without one, `[` is a literal.
                    let close = (i + 2..chars.len()).find(|&j| chars[j] == ']');
                    let Some(close) = close else {
                        tokens.push(Tok::Lit('['));
                        i += 1;
                        continue;
                    };
                    let mut class = &chars[i + 1..close];
                    let negate = matches!(class.first(), Some('!') | Some('^'));
                    if negate {
                        class = &class[1..];
                    }
                    let mut items = Vec::new();
                    let mut k = 0;
                    while k < class.len() {
                        if k + 2 < class.len() && class[k + 1] == '-' {
                            items.push((class[k], class[k + 2]));
                            k += 3;
                        } else {
                            items.push((class[k], class[k]));
                            k += 1;
                        }
                    }
                    tokens.push(Tok::Class { negate, items });
                    i = close + 1;
                }
                c => {
                    tokens.push(Tok::Lit(c));
                    i += 1;
                }
            }
        }
        Glob { tokens }
    }

    /// Adds the states reachable without reading a character (they only go forward, so one
    /// pass in order is enough).
    fn close(&self, on: &mut [bool]) {
        for k in 0..self.tokens.len() {
            if !on[k] {
                continue;
            }
            match self.tokens[k] {
                Tok::Star | Tok::DoubleStar => on[k + 1] = true,
                Tok::SkipNext(n) => {
                    on[k + 1] = true;
                    on[k + 1 + n] = true;
                }
                _ => {}
            }
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        let n = self.tokens.len();
        let mut on = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        on[0] = true;
        self.close(&mut on);
        for c in s.chars() {
            next.iter_mut().for_each(|x| *x = false);
            let mut any = false;
            for (k, tok) in self.tokens.iter().enumerate() {
                if !on[k] {
                    continue;
                }
                let to = match tok {
                    Tok::Lit(x) => (*x == c).then_some(k + 1),
                    Tok::One => (c != '/').then_some(k + 1),
                    Tok::Star => (c != '/').then_some(k),
                    Tok::DoubleStar => Some(k),
                    Tok::SkipNext(_) => None,
                    Tok::Class { negate, items } => {
                        let hit = items.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
                        (hit != *negate).then_some(k + 1)
                    }
                };
                if let Some(t) = to {
                    next[t] = true;
                    any = true;
                }
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut on, &mut next);
            self.close(&mut on);
        }
        on[n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("colors*", "colors-warm"));
        assert!(!glob_match("colors*", "colors/warm"));
        assert!(glob_match("artists/**", "artists/finnish/x"));
        assert!(glob_match("light/**/*", "light/a"));
        assert!(glob_match("light/**/*", "light/a/b"));
        assert!(!glob_match("light/**/x", "light/ax"));
        assert!(glob_match("light/**/x", "light/x"));
        assert!(glob_match("**/x", "a/b/x"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "a/c"));
        assert!(glob_match("v[0-9]", "v7"));
        assert!(!glob_match("v[!0-9]", "v7"));
        assert!(glob_match("v[]x]", "v]"));
        assert!(glob_match("a[b", "a[b"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn h3_a_question_mark_matches_one_unicode_character() {
        assert!(glob_match("caf?", "café"));
        assert!(glob_match("?", "ü"));
        assert!(!glob_match("??", "ü"));
        assert!(glob_match("[à-ü]x", "éx"));
    }

    #[test]
    fn h3_glob_time_is_polynomial() {
        let name = "a".repeat(200);
        let t = std::time::Instant::now();
        for _ in 0..20 {
            assert!(!glob_match("*a*a*a*a*a*a*a*a*b", &name));
            assert!(!glob_match("**a**a**a**a**a**a**b", &name));
        }
        assert!(t.elapsed().as_secs() < 2, "{:?}", t.elapsed());
    }

    /// The compiled matcher agrees with a plain backtracking reference on small cases.
    #[test]
    fn glob_agrees_with_a_reference_matcher() {
        fn reference(p: &[char], s: &[char]) -> bool {
            if p.is_empty() {
                return s.is_empty();
            }
            if p.len() >= 2 && p[0] == '*' && p[1] == '*' {
                let rest = &p[2..];
                if rest.first() == Some(&'/') && reference(&rest[1..], s) {
                    return true;
                }
                return (0..=s.len()).any(|i| reference(rest, &s[i..]));
            }
            match p[0] {
                '*' => {
                    for i in 0..=s.len() {
                        if reference(&p[1..], &s[i..]) {
                            return true;
                        }
                        if i < s.len() && s[i] == '/' {
                            break;
                        }
                    }
                    false
                }
                '?' => !s.is_empty() && s[0] != '/' && reference(&p[1..], &s[1..]),
                c => !s.is_empty() && s[0] == c && reference(&p[1..], &s[1..]),
            }
        }
        let alphabet = ['a', 'b', '/'];
        let pats = [
            "*", "**", "a*", "*b", "a?b", "**/b", "a/**/b", "*/*", "a**b", "?*?", "**a",
        ];
        // Every string over the alphabet up to length 5.
        let mut strings = vec![String::new()];
        for _ in 0..5 {
            let more: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(more);
        }
        strings.sort();
        strings.dedup();
        for p in pats {
            let pc: Vec<char> = p.chars().collect();
            for s in &strings {
                let sc: Vec<char> = s.chars().collect();
                assert_eq!(glob_match(p, s), reference(&pc, &sc), "{p} on {s}");
            }
        }
    }
}
