//! `speechdex collocates TERM`: the words that stand near a term more often than chance.
//!
//! **Occurrences** of the term are those search counts: non-overlapping, exact, from the index's
//! exact field ([`crate::search::exact::find_phrase`]), in the selected speeches.
//!
//! **Windows.** The speeches' texts ([`crate::stats::words::visit_texts`], the one reader of word
//! statistics) are cut into jieba words (tokens: words with a letter or digit, stopwords
//! included, punctuation left out). The window of an occurrence holds the `window` tokens that
//! end before it and the `window` tokens that start after it; tokens that overlap an occurrence
//! of the term are never in a window, and a token in the windows of two occurrences counts once
//! (as `left` when it is left of the first). Windows run across punctuation, as in AntConc.
//!
//! **Association.** For a word `w` with `o` tokens in the windows (`count`), `f` tokens in the
//! selected speeches (`total`), `R` tokens in all windows and `N` tokens in all:
//!
//! * **G²** (`score`, `g2`) = the log-likelihood of `o` among the `R` window tokens against
//!   `f − o` among the `N − R` others ([`crate::stats::compare::log_likelihood`]: the G² of the
//!   2×2 table word/other × window/outside, Dunning 1993);
//! * **MI** = log₂(o / E), with E = R·f/N the count expected if `w` were spread evenly
//!   (Church & Hanks 1990): high for rare words that always stand near the term.
//!
//! Listed: counted words ([`crate::stats::words::is_counted`]: no stopword or bare number, as
//! `top` lists) with `count ≥ min_count` that stand near the term more often than elsewhere
//! (o/R > (f−o)/(N−R)), by G² (ties: higher count, then code-point order).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tantivy::DocAddress;

use super::compare::log_likelihood;
use super::words::{is_counted, select_docs, visit_texts};
use crate::analysis::fold;
use crate::index::SpeechIndex;
use crate::search::Node;
use crate::search::exact::find_phrase;
use crate::{Error, Result};

/// Tokens on each side of an occurrence unless asked otherwise (`collocates --window`).
pub const DEFAULT_WINDOW: usize = 5;
/// The widest window.
pub const MAX_WINDOW: usize = 50;
/// Occurrences in the windows a word needs unless asked otherwise (`collocates --min-count`).
pub const DEFAULT_MIN_COUNT: u64 = 3;
/// Collocates listed unless asked otherwise (`collocates --limit`).
pub const DEFAULT_LIMIT: usize = 20;

/// Collocates to compute.
#[derive(Debug, Clone)]
pub struct CollocatesRequest {
    /// The term (an exact phrase, as typed).
    pub term: String,
    /// Tokens on each side.
    pub window: usize,
    /// Fewest occurrences in the windows.
    pub min_count: u64,
    /// Collocates to list.
    pub limit: usize,
    /// The speeches (all without a filter).
    pub filter: Option<Node>,
}

impl CollocatesRequest {
    /// A request with the default window, minimum and limit over every speech.
    pub fn new(term: impl Into<String>) -> Self {
        CollocatesRequest {
            term: term.into(),
            window: DEFAULT_WINDOW,
            min_count: DEFAULT_MIN_COUNT,
            limit: DEFAULT_LIMIT,
            filter: None,
        }
    }
}

/// The answer of `speechdex collocates`; its JSON form is the contract of `collocates --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Collocates {
    /// The term as given.
    pub term: String,
    /// Tokens on each side.
    pub window: usize,
    /// Fewest occurrences in the windows.
    pub min_count: u64,
    /// Selected speeches.
    pub docs: u64,
    /// Tokens of the selected speeches (N).
    pub tokens: u64,
    /// Occurrences of the term (as search counts them).
    pub occurrences: u64,
    /// Speeches containing the term.
    pub term_docs: u64,
    /// Tokens in the windows (R).
    pub window_tokens: u64,
    /// Collocates that qualify, before `limit`.
    pub total: u64,
    /// The collocates, strongest first.
    pub collocates: Vec<Collocate>,
}

/// A word near the term.
#[derive(Debug, Clone, Serialize)]
pub struct Collocate {
    /// 1-based rank.
    pub rank: usize,
    /// The word (folded).
    pub word: String,
    /// Its tokens in the windows.
    pub count: u64,
    /// Of those, left of the term.
    pub left: u64,
    /// Of those, right of the term.
    pub right: u64,
    /// Its tokens in the selected speeches.
    pub total: u64,
    /// The count expected if it were spread evenly (R·total/N).
    pub expected: f64,
    /// The ranking score: G².
    pub score: f64,
    /// Log-likelihood G².
    pub g2: f64,
    /// Mutual information, log₂(count / expected).
    pub mi: f64,
}

/// Per-thread counts.
#[derive(Default)]
struct Acc {
    tokens: u64,
    window_tokens: u64,
    /// word → (left, right) tokens in windows.
    near: HashMap<String, (u64, u64)>,
    /// Counted word → tokens.
    freq: HashMap<String, u64>,
}

/// The tokens in the windows of the occurrences `starts` (characters, `len` long): index →
/// whether left of the (first) occurrence.
pub fn window_tokens(
    words: &[(String, usize, usize)],
    starts: &[u32],
    len: usize,
    window: usize,
) -> BTreeMap<usize, bool> {
    let mut out: BTreeMap<usize, bool> = BTreeMap::new();
    for &s in starts {
        let (s, e) = (s as usize, s as usize + len);
        let before = words.partition_point(|w| w.2 <= s);
        for k in before.saturating_sub(window)..before {
            out.entry(k).or_insert(true);
        }
        let after = words.partition_point(|w| w.1 < e);
        for k in after..(after + window).min(words.len()) {
            out.entry(k).or_insert(false);
        }
    }
    let overlaps = |k: usize| {
        let (ws, we) = (words[k].1, words[k].2);
        starts.iter().any(|&s| ws < s as usize + len && we > s as usize)
    };
    out.retain(|&k, _| !overlaps(k));
    out
}

/// The starts of the term in the selected speeches.
fn occurrences(
    index: &SpeechIndex,
    docs: &[DocAddress],
    term: &str,
) -> Result<HashMap<DocAddress, Vec<u32>>> {
    let selected: std::collections::HashSet<&DocAddress> = docs.iter().collect();
    let searcher = index.searcher();
    let mut out = HashMap::new();
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        for occ in find_phrase(seg, index.fields.body_exact, term, true)? {
            let addr = DocAddress::new(seg_ord as u32, occ.doc);
            if selected.contains(&addr) {
                out.insert(addr, occ.starts);
            }
        }
    }
    Ok(out)
}

/// The collocates of a term.
pub fn collocates(index: &SpeechIndex, req: &CollocatesRequest) -> Result<Collocates> {
    let term = req.term.trim();
    if term.is_empty() {
        return Err(Error::InvalidArgument(
            "collocates needs a term, e.g. `speechdex collocates 财政政策`".to_string(),
        ));
    }
    if req.window == 0 || req.window > MAX_WINDOW {
        return Err(Error::InvalidArgument(format!(
            "--window {}: give 1 to {MAX_WINDOW} words on each side",
            req.window
        )));
    }
    let len = fold(term).chars().count();
    let docs = select_docs(index, req.filter.as_ref())?;
    let found = occurrences(index, &docs, term)?;
    let parts = visit_texts(index, &docs, true, |acc: &mut Acc, t| {
        acc.tokens += t.words.len() as u64;
        for (w, _, _) in t.words {
            if is_counted(w) {
                *acc.freq.entry(w.clone()).or_default() += 1;
            }
        }
        let Some(starts) = found.get(&t.addr) else { return Ok(()) };
        let near = window_tokens(t.words, starts, len, req.window);
        acc.window_tokens += near.len() as u64;
        for (k, left) in near {
            let w = &t.words[k].0;
            if !is_counted(w) {
                continue;
            }
            let e = acc.near.entry(w.clone()).or_default();
            if left {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        Ok(())
    })?;
    let mut total = Acc::default();
    for part in parts {
        total.tokens += part.tokens;
        total.window_tokens += part.window_tokens;
        for (w, n) in part.freq {
            *total.freq.entry(w).or_default() += n;
        }
        for (w, (l, r)) in part.near {
            let e = total.near.entry(w).or_default();
            e.0 += l;
            e.1 += r;
        }
    }
    let (n, r) = (total.tokens, total.window_tokens);
    let mut list: Vec<Collocate> = total
        .near
        .iter()
        .filter_map(|(w, &(left, right))| {
            let o = left + right;
            let f = total.freq.get(w).copied().unwrap_or(o);
            // More often in the windows than outside: o/R > (f−o)/(N−R).
            let more = u128::from(o) * u128::from(n - r) > u128::from(f - o) * u128::from(r);
            (o >= req.min_count && more).then(|| {
                let expected = r as f64 * f as f64 / n as f64;
                let g2 = log_likelihood(o, f - o, r, n - r);
                Collocate {
                    rank: 0,
                    word: w.clone(),
                    count: o,
                    left,
                    right,
                    total: f,
                    expected,
                    score: g2,
                    g2,
                    mi: (o as f64 / expected).log2(),
                }
            })
        })
        .collect();
    list.sort_by(|x, y| {
        y.g2.total_cmp(&x.g2).then(y.count.cmp(&x.count)).then(x.word.cmp(&y.word))
    });
    let qualifying = list.len() as u64;
    list.truncate(req.limit);
    for (i, c) in list.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    Ok(Collocates {
        term: req.term.clone(),
        window: req.window,
        min_count: req.min_count,
        docs: docs.len() as u64,
        tokens: n,
        occurrences: found.values().map(|s| s.len() as u64).sum(),
        term_docs: found.len() as u64,
        window_tokens: r,
        total: qualifying,
        collocates: list,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn words(spec: &[(usize, usize)]) -> Vec<(String, usize, usize)> {
        spec.iter().map(|&(s, e)| (format!("w{s}"), s, e)).collect()
    }

    #[test]
    fn windows_take_whole_words_on_each_side_and_skip_the_term() {
        // Words of two characters at 0, 2, …, 18; the term at 8..12 (words 4 and 5).
        let ws = words(&(0..10).map(|k| (2 * k, 2 * k + 2)).collect::<Vec<_>>());
        let near = window_tokens(&ws, &[8], 4, 2);
        assert_eq!(
            near.into_iter().collect::<Vec<_>>(),
            vec![(2, true), (3, true), (6, false), (7, false)]
        );
        // A term inside a word: that word is the term's, not a neighbour.
        let near = window_tokens(&ws, &[9], 2, 1);
        assert_eq!(near.into_iter().collect::<Vec<_>>(), vec![(3, true), (6, false)]);
        // Two occurrences close together: a token in both windows counts once, the other
        // occurrence's tokens never.
        let near = window_tokens(&ws, &[4, 10], 2, 2);
        assert_eq!(near.keys().copied().collect::<Vec<_>>(), vec![0, 1, 3, 4, 6, 7]);
        assert!(!near[&3], "right of the first occurrence");
    }

    proptest! {
        #[test]
        fn windows_hold_at_most_two_windows_per_occurrence(
            n in 0usize..40, starts in proptest::collection::btree_set(0u32..80, 0..5),
            window in 1usize..6,
        ) {
            let ws = words(&(0..n).map(|k| (2 * k, 2 * k + 2)).collect::<Vec<_>>());
            let starts: Vec<u32> = starts.into_iter().collect();
            let near = window_tokens(&ws, &starts, 2, window);
            prop_assert!(near.len() <= 2 * window * starts.len());
            for &k in near.keys() {
                prop_assert!(k < ws.len());
                for &s in &starts {
                    prop_assert!(ws[k].2 <= s as usize || ws[k].1 >= s as usize + 2);
                }
            }
        }
    }
}
