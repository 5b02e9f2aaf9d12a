//! Comparing two speeches or two sets of speeches: which words each uses more (keyness), which
//! words only the second uses, and side-by-side counts of given terms.
//!
//! Word frequencies come from [`super::words::count_words`]. For a word occurring `a` times
//! among the `N_A` tokens of A and `b` times among the `N_B` tokens of B:
//!
//! * **log-likelihood** G² = 2·(a·ln(a/E_A) + b·ln(b/E_B)) with E_A = N_A·(a+b)/(N_A+N_B) and
//!   E_B = N_B·(a+b)/(N_A+N_B), a term with a zero count counting 0 (Rayson & Garside 2000).
//!   G² ≥ 3.84 means p < 0.05, ≥ 6.63 p < 0.01, ≥ 10.83 p < 0.001, ≥ 15.13 p < 0.0001 (one
//!   degree of freedom).
//! * **log ratio** = log₂(((a+0.5)/N_A) / ((b+0.5)/N_B)): the binary log of the ratio of
//!   relative frequencies, with 0.5 added to both counts so that words absent from one side get
//!   a finite value (Hardie 2014, smoothed). Positive: more frequent in A; +1 means twice as
//!   frequent.
//!
//! `over_a` lists words relatively more frequent in A, `over_b` those more frequent in B,
//! `new_in_b` the words B uses and A never does, `only_in_a` the reverse; each sorted by G²
//! (ties: higher count, then code-point order). Given `terms` are counted exactly (with
//! [`find_phrase`](crate::search::exact::find_phrase), as search does), with rates per 10,000 characters and the same keyness
//! computed over characters.

use std::collections::HashSet;

use serde::Serialize;
use tantivy::DocAddress;

use super::select::{dedup_terms, per_10k};
use super::words::{WordCounts, count_words, ids_of, select_docs};
use crate::index::SpeechIndex;
use crate::search::Node;
use crate::{Error, Result};

/// Words per list unless asked otherwise (`compare --limit`, the server's `limit`).
pub const DEFAULT_WORDS: usize = 20;

/// One side of a comparison.
#[derive(Debug, Clone)]
pub enum Side {
    /// One speech, by id.
    Speech(String),
    /// The speeches matching a query (with its text as typed, for labels).
    Query {
        /// The query as typed.
        text: String,
        /// The parsed query.
        node: Node,
    },
}

/// A comparison to compute.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// The first side.
    pub a: Side,
    /// The second side.
    pub b: Side,
    /// Terms to count exactly on both sides.
    pub terms: Vec<String>,
    /// Words per list.
    pub limit: usize,
}

/// The answer of `speechdex compare`; its JSON form is the contract of `compare --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The first side.
    pub a: SetInfo,
    /// The second side.
    pub b: SetInfo,
    /// Words relatively more frequent in A, by G².
    pub over_a: Vec<Keyword>,
    /// Words relatively more frequent in B, by G².
    pub over_b: Vec<Keyword>,
    /// Words in B but not in A, by G².
    pub new_in_b: Vec<Keyword>,
    /// Words in A but not in B, by G².
    pub only_in_a: Vec<Keyword>,
    /// The given terms, counted exactly.
    pub terms: Vec<TermComparison>,
    /// Notes on the sets (for example, speeches in both).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What one side holds.
#[derive(Debug, Clone, Serialize)]
pub struct SetInfo {
    /// The speech id or the query.
    pub label: String,
    /// The title, when the side is one speech.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Speeches.
    pub docs: u64,
    /// Characters.
    pub chars: u64,
    /// Tokens (words with a letter or digit, stopwords included): the denominator of word rates.
    pub tokens: u64,
    /// Distinct counted words.
    pub distinct: u64,
    /// Ids of the speeches, sorted (the first 20: the same whichever order the index holds
    /// them in).
    pub ids: Vec<String>,
}

/// A word with its keyness.
#[derive(Debug, Clone, Serialize)]
pub struct Keyword {
    /// The word (folded).
    pub word: String,
    /// Occurrences in A.
    pub a: u64,
    /// Occurrences in B.
    pub b: u64,
    /// Occurrences per 10,000 tokens in A.
    pub a_rate: f64,
    /// Occurrences per 10,000 tokens in B.
    pub b_rate: f64,
    /// Log-likelihood G².
    pub g2: f64,
    /// Log ratio (binary log of A's relative frequency over B's, +0.5 smoothing).
    pub log_ratio: f64,
}

/// A term counted exactly on both sides.
#[derive(Debug, Clone, Serialize)]
pub struct TermComparison {
    /// The term as given.
    pub term: String,
    /// Occurrences in A.
    pub a: u64,
    /// Speeches of A containing it.
    pub a_docs: u64,
    /// Occurrences per 10,000 characters in A.
    pub a_rate: f64,
    /// Occurrences in B.
    pub b: u64,
    /// Speeches of B containing it.
    pub b_docs: u64,
    /// Occurrences per 10,000 characters in B.
    pub b_rate: f64,
    /// Log-likelihood G² over characters.
    pub g2: f64,
    /// Log ratio over characters.
    pub log_ratio: f64,
}

/// Log-likelihood G² of `a` occurrences among `na` units against `b` among `nb`.
pub fn log_likelihood(a: u64, b: u64, na: u64, nb: u64) -> f64 {
    let (a, b, na, nb) = (a as f64, b as f64, na as f64, nb as f64);
    if na + nb == 0.0 {
        return 0.0;
    }
    let ea = na * (a + b) / (na + nb);
    let eb = nb * (a + b) / (na + nb);
    let part = |o: f64, e: f64| if o > 0.0 && e > 0.0 { o * (o / e).ln() } else { 0.0 };
    2.0 * (part(a, ea) + part(b, eb))
}

/// Log ratio: log₂(((a+0.5)/na) / ((b+0.5)/nb)); 0 when a side is empty.
pub fn log_ratio(a: u64, b: u64, na: u64, nb: u64) -> f64 {
    if na == 0 || nb == 0 {
        return 0.0;
    }
    (((a as f64 + 0.5) / na as f64) / ((b as f64 + 0.5) / nb as f64)).log2()
}

fn resolve(index: &SpeechIndex, side: &Side) -> Result<(Vec<DocAddress>, String, Option<String>)> {
    match side {
        Side::Speech(id) => {
            let searcher = index.searcher();
            let addr = index.find(&searcher, id)?.ok_or_else(|| Error::UnknownId(id.clone()))?;
            let stored = index.stored(&searcher, addr, false)?;
            Ok((vec![addr], id.clone(), Some(stored.title)))
        }
        Side::Query { text, node } => {
            let docs = select_docs(index, Some(node))?;
            if docs.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "the query {text:?} selects no speech, so there is nothing to compare; \
                     check it with `speechdex search {text:?} --count`"
                )));
            }
            Ok((docs, text.clone(), None))
        }
    }
}

/// A note when the two sides share speeches: their words then count on both sides, and the
/// comparison understates the difference.
fn overlap_warning(a: &[DocAddress], b: &[DocAddress], la: &str, lb: &str) -> Option<String> {
    let set: HashSet<&DocAddress> = a.iter().collect();
    let shared = b.iter().filter(|d| set.contains(d)).count();
    (shared > 0).then(|| {
        let what = if shared == 1 { "speech" } else { "speeches" };
        format!(
            "A ({la}) and B ({lb}) share {shared} {what} (A has {}, B {}): shared speeches count \
             on both sides; add `-…` to one query to make the sets disjoint",
            a.len(),
            b.len()
        )
    })
}

fn set_info(
    index: &SpeechIndex,
    label: String,
    title: Option<String>,
    docs: &[DocAddress],
    counts: &WordCounts,
) -> Result<SetInfo> {
    let mut ids = ids_of(index, docs)?;
    ids.sort_unstable();
    ids.truncate(20);
    Ok(SetInfo {
        label,
        title,
        docs: counts.docs,
        chars: counts.chars,
        tokens: counts.tokens,
        distinct: counts.words.len() as u64,
        ids,
    })
}

/// Exact occurrences and speeches of `term` among `docs`.
fn term_counts(index: &SpeechIndex, docs: &HashSet<DocAddress>, term: &str) -> Result<(u64, u64)> {
    let searcher = index.searcher();
    let (mut count, mut n) = (0, 0);
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let found = crate::search::exact::phrase_counts(
            index.phrase_cache(),
            seg,
            index.fields.body_exact,
            term,
        )?;
        for (doc, occurrences) in found.iter() {
            if docs.contains(&DocAddress::new(seg_ord as u32, doc)) {
                count += u64::from(occurrences);
                n += 1;
            }
        }
    }
    Ok((count, n))
}

/// Compares two sides.
pub fn compare(index: &SpeechIndex, req: &CompareRequest) -> Result<Comparison> {
    let (docs_a, label_a, title_a) = resolve(index, &req.a)?;
    let (docs_b, label_b, title_b) = resolve(index, &req.b)?;
    let warnings: Vec<String> =
        overlap_warning(&docs_a, &docs_b, &label_a, &label_b).into_iter().collect();
    let ca = count_words(index, &docs_a)?;
    let cb = count_words(index, &docs_b)?;

    let mut all: Vec<Keyword> = Vec::new();
    let words: HashSet<&String> = ca.words.keys().chain(cb.words.keys()).collect();
    for w in words {
        let a = ca.words.get(w).map_or(0, |x| x.0);
        let b = cb.words.get(w).map_or(0, |x| x.0);
        all.push(Keyword {
            word: w.clone(),
            a,
            b,
            a_rate: per_10k(a, ca.tokens),
            b_rate: per_10k(b, cb.tokens),
            g2: log_likelihood(a, b, ca.tokens, cb.tokens),
            log_ratio: log_ratio(a, b, ca.tokens, cb.tokens),
        });
    }
    all.sort_by(|x, y| {
        y.g2.total_cmp(&x.g2).then((y.a + y.b).cmp(&(x.a + x.b))).then(x.word.cmp(&y.word))
    });
    // a/na > b/nb  ⇔  a·nb > b·na
    let more_in_a = |k: &Keyword| {
        u128::from(k.a) * u128::from(cb.tokens) > u128::from(k.b) * u128::from(ca.tokens)
    };
    let more_in_b = |k: &Keyword| {
        u128::from(k.b) * u128::from(ca.tokens) > u128::from(k.a) * u128::from(cb.tokens)
    };
    let pick = |f: &dyn Fn(&Keyword) -> bool| -> Vec<Keyword> {
        all.iter().filter(|k| f(k)).take(req.limit).cloned().collect()
    };
    let over_a = pick(&more_in_a);
    let over_b = pick(&more_in_b);
    let new_in_b = pick(&|k: &Keyword| k.a == 0 && k.b > 0);
    let only_in_a = pick(&|k: &Keyword| k.b == 0 && k.a > 0);

    let set_a: HashSet<DocAddress> = docs_a.iter().copied().collect();
    let set_b: HashSet<DocAddress> = docs_b.iter().copied().collect();
    let mut terms = Vec::new();
    for term in dedup_terms(&req.terms) {
        let (a, a_docs) = term_counts(index, &set_a, &term)?;
        let (b, b_docs) = term_counts(index, &set_b, &term)?;
        terms.push(TermComparison {
            a,
            a_docs,
            a_rate: per_10k(a, ca.chars),
            b,
            b_docs,
            b_rate: per_10k(b, cb.chars),
            g2: log_likelihood(a, b, ca.chars, cb.chars),
            log_ratio: log_ratio(a, b, ca.chars, cb.chars),
            term,
        });
    }

    Ok(Comparison {
        a: set_info(index, label_a, title_a, &docs_a, &ca)?,
        b: set_info(index, label_b, title_b, &docs_b, &cb)?,
        over_a,
        over_b,
        new_in_b,
        only_in_a,
        terms,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 1e-4
    }

    #[test]
    fn log_likelihood_matches_hand_computation() {
        // a=10, b=0, N=1000 each: E=5, 5 → G² = 2·10·ln 2 = 13.8629.
        assert!(close(log_likelihood(10, 0, 1000, 1000), 13.862_944));
        // a=20 of 1000, b=10 of 2000: E_A=10, E_B=20 → 2·(20 ln 2 + 10 ln ½) = 13.8629.
        assert!(close(log_likelihood(20, 10, 1000, 2000), 13.862_944));
        // Same relative frequency: 0.
        assert!(close(log_likelihood(5, 10, 1000, 2000), 0.0));
        // a=7 of 500, b=3 of 1500: E_A=2.5, E_B=7.5 → 2·(7 ln 2.8 + 3 ln 0.4) = 8.9169.
        assert!(close(
            log_likelihood(7, 3, 500, 1500),
            2.0 * (7.0 * 2.8f64.ln() + 3.0 * 0.4f64.ln())
        ));
        assert!(close(log_likelihood(7, 3, 500, 1500), 8.916_927));
        assert_eq!(log_likelihood(0, 0, 0, 0), 0.0);
    }

    #[test]
    fn log_ratio_matches_hand_computation() {
        // (10.5/1000)/(0.5/1000) = 21 → log₂ 21 = 4.3923.
        assert!(close(log_ratio(10, 0, 1000, 1000), 4.392_317));
        // (20.5/1000)/(10.5/2000) = 3.90476 → 1.96523.
        assert!(close(log_ratio(20, 10, 1000, 2000), 1.965_235));
        // Symmetric: swapping sides flips the sign.
        assert!(close(log_ratio(0, 10, 1000, 1000), -4.392_317));
        assert_eq!(log_ratio(1, 1, 0, 10), 0.0);
    }
}
