//! "Did you mean…" suggestions by edit distance.

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to three candidates close to `wanted`, closest first (ties in the given order). A
/// candidate that contains `wanted` (or is contained in it) also counts as close.
pub fn close_matches<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let w = wanted.to_lowercase();
    let limit = (w.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let cl = c.to_lowercase();
            let d = edit_distance(&w, &cl);
            if d <= limit {
                Some((d, i, c))
            } else if w.len() >= 3 && (cl.contains(&w) || w.contains(&cl)) {
                Some((limit + 1, i, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggests_close_names() {
        let names = ["coast", "city_street", "portrait"];
        assert_eq!(close_matches("caost", names), vec!["coast"]);
        assert_eq!(close_matches("street", names), vec!["city_street"]);
        assert!(close_matches("zzzzzz", names).is_empty());
    }
}
