//! `speechdex ngrams`: the most frequent, or the most distinctive, phrases of 2–8 characters of
//! a set of speeches; and the phrase extraction that `diff`'s formulations share
//! ([`phrase_spans`], [`ExactCounts`]).
//!
//! **Phrases.** A phrase is a run of consecutive jieba words ([`crate::analysis::WordsTokenizer`],
//! so it never starts or ends inside a word) of `min_len`–`max_len` characters (2–8) with no
//! whitespace, line break or punctuation in it, whose first and last words are counted words
//! ([`is_counted`]: no stopword, no bare number). 新质生产力, 积极的财政政策 and 投资于人 are
//! phrases; 要适度加力 (要 is a stopword), 5%左右 and 的货币 are not.
//!
//! **Counts are exact.** A phrase is a candidate when it occurs at least `min_count` times as
//! whole words; its listed `count` is then every non-overlapping occurrence in the folded texts
//! (inside other words too), as `rg -F -o` counts after the same folding, found with one
//! Aho-Corasick pass over the texts ([`ExactCounts`]). `docs` counts the speeches containing it.
//!
//! **Maximal.** A phrase contained in a longer candidate `q` is listed only when it also occurs
//! outside `q` often enough: `count(p) − k·count(q) ≥ min_count` for every such `q` (`k`: how
//! often `p` occurs in `q`). So 具身 goes when it only ever stands in 具身智能, while 新质生产力
//! stays beside 发展新质生产力, since most of its occurrences are elsewhere.
//!
//! **Ranked.** Without a reference, by count (ties: longer first, then code-point order). With
//! one (`--against QUERY`), by the log-likelihood G² of the phrase's count in the set against its
//! count in the reference, over the two sides' characters
//! ([`crate::stats::compare::log_likelihood`]); only phrases relatively more frequent in the set
//! are listed, each with its log ratio ([`crate::stats::compare::log_ratio`]).
//!
//! Texts come from [`crate::stats::words::visit_texts`], the one reader of word statistics.

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;
use serde::Serialize;
use tantivy::DocAddress;

use super::compare::{log_likelihood, log_ratio};
use super::diff::sentences::is_ignorable;
use super::select::per_10k;
use super::words::{is_counted, select_docs, visit_texts};
use crate::index::SpeechIndex;
use crate::search::Node;
use crate::{Error, Result};

/// Shortest phrase, in characters.
pub const MIN_CHARS: usize = 2;
/// Longest phrase, in characters.
pub const MAX_CHARS: usize = 8;
/// Occurrences a phrase needs unless asked otherwise (`ngrams --min-count`).
pub const DEFAULT_MIN_COUNT: u64 = 3;
/// Phrases listed unless asked otherwise (`ngrams --limit`).
pub const DEFAULT_LIMIT: usize = 30;

/// Calls `f(start, end)` (character offsets) for every phrase of `min`–`max` characters in a
/// folded text: consecutive `words` (as [`crate::analysis::WordsTokenizer`] cuts the text, no
/// gap between them), the first and last counted ([`is_counted`]), no whitespace or punctuation
/// ([`is_ignorable`]) inside.
pub fn phrase_spans(
    chars: &[char],
    words: &[(String, usize, usize)],
    min: usize,
    max: usize,
    mut f: impl FnMut(usize, usize),
) {
    for s in 0..words.len() {
        if !is_counted(&words[s].0) {
            continue;
        }
        for e in s..words.len() {
            let (start, end) = (words[s].1, words[e].2);
            if end - start > max || (e > s && words[e - 1].2 != words[e].1) {
                break;
            }
            if chars[start..end].iter().any(|&c| is_ignorable(c)) {
                break;
            }
            if end - start < min || !is_counted(&words[e].0) {
                continue;
            }
            f(start, end);
        }
    }
}

/// Exact, non-overlapping counts of many phrases in many texts (as `str::matches` counts each
/// phrase), with the number of texts containing each: one Aho-Corasick pass per text.
pub struct ExactCounts {
    automaton: AhoCorasick,
    /// Occurrences per phrase.
    pub counts: Vec<u64>,
    /// Texts containing each phrase.
    pub docs: Vec<u64>,
    last_end: Vec<usize>,
    last_text: Vec<u64>,
    texts: u64,
}

impl ExactCounts {
    /// A counter for `phrases` (non-empty strings).
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> Result<ExactCounts> {
        let automaton = AhoCorasick::new(phrases.iter().map(|p| p.as_ref())).map_err(|e| {
            Error::InvalidArgument(format!(
                "cannot count {} phrases at once ({e}); ask for fewer, e.g. a higher --min-count",
                phrases.len()
            ))
        })?;
        Ok(Self::with(automaton, phrases.len()))
    }

    fn with(automaton: AhoCorasick, n: usize) -> ExactCounts {
        ExactCounts {
            automaton,
            counts: vec![0; n],
            docs: vec![0; n],
            last_end: vec![0; n],
            last_text: vec![0; n],
            texts: 0,
        }
    }

    /// A counter with the same phrases and zero counts (for another thread).
    pub fn fresh(&self) -> ExactCounts {
        Self::with(self.automaton.clone(), self.counts.len())
    }

    /// Counts the phrases in one more text.
    pub fn add(&mut self, text: &str) {
        self.texts += 1;
        let stamp = self.texts;
        // Matches come in order of their end; for one phrase (one length) that is the order of
        // their start, so taking each that starts at or after the last taken one's end counts
        // the leftmost non-overlapping occurrences.
        for m in self.automaton.find_overlapping_iter(text) {
            let k = m.pattern().as_usize();
            if self.last_text[k] != stamp {
                self.last_text[k] = stamp;
                self.docs[k] += 1;
            } else if m.start() < self.last_end[k] {
                continue;
            }
            self.last_end[k] = m.end();
            self.counts[k] += 1;
        }
    }

    /// Adds another counter's counts (same phrases).
    pub fn merge(&mut self, other: &ExactCounts) {
        for (k, (c, d)) in other.counts.iter().zip(&other.docs).enumerate() {
            self.counts[k] += c;
            self.docs[k] += d;
        }
        self.texts += other.texts;
    }
}

/// The speeches a reference (`--against`) selects.
#[derive(Debug, Clone)]
pub struct Against {
    /// The query as typed (for labels).
    pub text: String,
    /// The parsed query.
    pub node: Node,
}

/// An n-gram list to compute.
#[derive(Debug, Clone)]
pub struct NgramRequest {
    /// The speeches (all without a filter).
    pub filter: Option<Node>,
    /// Rank by distinctiveness against these speeches instead of by count.
    pub against: Option<Against>,
    /// Shortest phrase (characters, 2–8).
    pub min_len: usize,
    /// Longest phrase (characters, 2–8, at least `min_len`).
    pub max_len: usize,
    /// Fewest occurrences in the set.
    pub min_count: u64,
    /// Phrases to list.
    pub limit: usize,
}

impl Default for NgramRequest {
    fn default() -> Self {
        NgramRequest {
            filter: None,
            against: None,
            min_len: MIN_CHARS,
            max_len: MAX_CHARS,
            min_count: DEFAULT_MIN_COUNT,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// The answer of `speechdex ngrams`; its JSON form is the contract of `ngrams --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Ngrams {
    /// Speeches of the set.
    pub docs: u64,
    /// Characters of the set.
    pub chars: u64,
    /// The reference, when ranking by distinctiveness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<Reference>,
    /// Shortest phrase asked for.
    pub min_len: usize,
    /// Longest phrase asked for.
    pub max_len: usize,
    /// Fewest occurrences asked for.
    pub min_count: u64,
    /// Phrases that qualify (maximal, frequent enough, and with a reference more frequent in the
    /// set), before `limit`.
    pub total: u64,
    /// The phrases, best first.
    pub ngrams: Vec<Ngram>,
    /// Notes on the sets (for example, speeches in both).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The reference of a distinctiveness ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// The query.
    pub label: String,
    /// Speeches.
    pub docs: u64,
    /// Characters.
    pub chars: u64,
}

/// One phrase.
#[derive(Debug, Clone, Serialize)]
pub struct Ngram {
    /// 1-based rank.
    pub rank: usize,
    /// The phrase (folded).
    pub ngram: String,
    /// Its length in characters.
    pub len: usize,
    /// Non-overlapping occurrences in the set (as `rg -F -o` counts after folding).
    pub count: u64,
    /// Speeches of the set containing it.
    pub docs: u64,
    /// Occurrences per 10,000 characters of the set.
    pub rate: f64,
    /// Occurrences in the reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_count: Option<u64>,
    /// Occurrences per 10,000 characters of the reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_rate: Option<f64>,
    /// Log-likelihood G² of the set against the reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub g2: Option<f64>,
    /// Log ratio (binary log of the set's relative frequency over the reference's, +0.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_ratio: Option<f64>,
}

fn validate(req: &NgramRequest) -> Result<()> {
    let ok = |n: usize| (MIN_CHARS..=MAX_CHARS).contains(&n);
    if !ok(req.min_len) || !ok(req.max_len) || req.min_len > req.max_len {
        return Err(Error::InvalidArgument(format!(
            "n-gram lengths {}–{}: give lengths from {MIN_CHARS} to {MAX_CHARS} characters, the \
             shortest first (e.g. --min-len 4 --max-len 8)",
            req.min_len, req.max_len
        )));
    }
    if req.min_count == 0 {
        return Err(Error::InvalidArgument(
            "--min-count 0 would list every phrase: give 1 or more".to_string(),
        ));
    }
    Ok(())
}

/// Phrases occurring at least `min_count` times as whole words in the speeches `docs`, with the
/// characters of those speeches.
fn candidates(
    index: &SpeechIndex,
    docs: &[DocAddress],
    req: &NgramRequest,
) -> Result<(Vec<String>, u64)> {
    #[derive(Default)]
    struct Acc {
        chars: u64,
        phrases: HashMap<String, u64>,
    }
    let parts = visit_texts(index, docs, true, |acc: &mut Acc, t| {
        let chars: Vec<char> = t.folded.chars().collect();
        acc.chars += chars.len() as u64;
        let offsets: Vec<usize> =
            t.folded.char_indices().map(|(i, _)| i).chain([t.folded.len()]).collect();
        phrase_spans(&chars, t.words, req.min_len, req.max_len, |s, e| {
            let phrase = &t.folded[offsets[s]..offsets[e]];
            match acc.phrases.get_mut(phrase) {
                Some(n) => *n += 1,
                None => {
                    acc.phrases.insert(phrase.to_string(), 1);
                }
            }
        });
        Ok(())
    })?;
    let mut chars = 0;
    let mut total: HashMap<String, u64> = HashMap::new();
    for part in parts {
        chars += part.chars;
        for (p, n) in part.phrases {
            *total.entry(p).or_default() += n;
        }
    }
    let mut out: Vec<String> =
        total.into_iter().filter(|(_, n)| *n >= req.min_count).map(|(p, _)| p).collect();
    out.sort_unstable();
    Ok((out, chars))
}

/// Exact counts of `phrases` in the speeches `docs`.
fn exact_counts(
    index: &SpeechIndex,
    docs: &[DocAddress],
    phrases: &[String],
) -> Result<ExactCounts> {
    let mut total = ExactCounts::new(phrases)?;
    if phrases.is_empty() {
        return Ok(total);
    }
    let template = total.fresh();
    let parts = visit_texts(index, docs, false, |acc: &mut Option<ExactCounts>, t| {
        acc.get_or_insert_with(|| template.fresh()).add(t.folded);
        Ok(())
    })?;
    for part in parts.iter().flatten() {
        total.merge(part);
    }
    Ok(total)
}

/// The indices of the phrases that are maximal: not contained in a longer phrase `q` with
/// `count(p) − k·count(q) < min_count` (`k`: occurrences of `p` in `q`).
pub fn maximal(phrases: &[String], counts: &[u64], min_count: u64) -> Vec<usize> {
    let index: HashMap<&str, usize> =
        phrases.iter().enumerate().map(|(k, p)| (p.as_str(), k)).collect();
    let mut dropped: HashSet<usize> = HashSet::new();
    for (qk, q) in phrases.iter().enumerate() {
        let bounds: Vec<usize> = q.char_indices().map(|(i, _)| i).chain([q.len()]).collect();
        let n = bounds.len() - 1;
        let mut seen: HashSet<usize> = HashSet::new();
        for s in 0..n {
            for e in (s + 1)..=n {
                if e - s == n {
                    continue;
                }
                let Some(&pk) = index.get(&q[bounds[s]..bounds[e]]) else { continue };
                if !seen.insert(pk) {
                    continue;
                }
                let k = q.matches(phrases[pk].as_str()).count() as u64;
                let outside = counts[pk].saturating_sub(k * counts[qk]);
                if outside < min_count {
                    dropped.insert(pk);
                }
            }
        }
    }
    (0..phrases.len()).filter(|k| !dropped.contains(k)).collect()
}

/// The n-grams of a set of speeches.
pub fn ngrams(index: &SpeechIndex, req: &NgramRequest) -> Result<Ngrams> {
    validate(req)?;
    let docs = select_docs(index, req.filter.as_ref())?;
    let (phrases, chars) = candidates(index, &docs, req)?;
    let exact = exact_counts(index, &docs, &phrases)?;
    let keep = maximal(&phrases, &exact.counts, req.min_count);
    let mut warnings = Vec::new();
    let reference = match &req.against {
        None => None,
        Some(against) => {
            let ref_docs = select_docs(index, Some(&against.node))?;
            if ref_docs.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "--against {:?} selects no speech, so there is nothing to compare with; check \
                     it with `speechdex search {:?} --count`",
                    against.text, against.text
                )));
            }
            let set: HashSet<&DocAddress> = docs.iter().collect();
            let shared = ref_docs.iter().filter(|d| set.contains(d)).count();
            if shared > 0 {
                warnings.push(format!(
                    "the set and --against {:?} share {shared} of their speeches: their phrases \
                     count on both sides; add `-…` to the query to make them disjoint",
                    against.text
                ));
            }
            let ref_chars: u64 = visit_texts(index, &ref_docs, false, |acc: &mut u64, t| {
                *acc += t.folded.chars().count() as u64;
                Ok(())
            })?
            .into_iter()
            .sum();
            let kept: Vec<String> = keep.iter().map(|&k| phrases[k].clone()).collect();
            let counts = exact_counts(index, &ref_docs, &kept)?;
            Some((against.text.clone(), ref_docs.len() as u64, ref_chars, counts.counts))
        }
    };
    let mut list: Vec<Ngram> = keep
        .iter()
        .enumerate()
        .filter(|&(_, &k)| exact.counts[k] >= req.min_count)
        .map(|(i, &k)| {
            let count = exact.counts[k];
            let mut g = Ngram {
                rank: 0,
                ngram: phrases[k].clone(),
                len: phrases[k].chars().count(),
                count,
                docs: exact.docs[k],
                rate: per_10k(count, chars),
                ref_count: None,
                ref_rate: None,
                g2: None,
                log_ratio: None,
            };
            if let Some((_, _, ref_chars, ref_counts)) = &reference {
                let r = ref_counts[i];
                g.ref_count = Some(r);
                g.ref_rate = Some(per_10k(r, *ref_chars));
                g.g2 = Some(log_likelihood(count, r, chars, *ref_chars));
                g.log_ratio = Some(log_ratio(count, r, chars, *ref_chars));
            }
            g
        })
        .collect();
    if let Some((_, _, ref_chars, _)) = &reference {
        // More frequent in the set: count/chars > ref/ref_chars.
        list.retain(|g| {
            u128::from(g.count) * u128::from(*ref_chars)
                > u128::from(g.ref_count.unwrap_or(0)) * u128::from(chars)
        });
        list.sort_by(|x, y| {
            y.g2.unwrap_or(0.0)
                .total_cmp(&x.g2.unwrap_or(0.0))
                .then(y.count.cmp(&x.count))
                .then(x.ngram.cmp(&y.ngram))
        });
    } else {
        list.sort_by(|x, y| {
            y.count.cmp(&x.count).then(y.len.cmp(&x.len)).then(x.ngram.cmp(&y.ngram))
        });
    }
    let total = list.len() as u64;
    list.truncate(req.limit);
    for (i, g) in list.iter_mut().enumerate() {
        g.rank = i + 1;
    }
    Ok(Ngrams {
        docs: docs.len() as u64,
        chars,
        against: reference.map(|(label, docs, chars, _)| Reference { label, docs, chars }),
        min_len: req.min_len,
        max_len: req.max_len,
        min_count: req.min_count,
        total,
        ngrams: list,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::{WordsTokenizer, fold};

    fn spans(text: &str) -> Vec<String> {
        let folded = fold(text);
        let chars: Vec<char> = folded.chars().collect();
        let words = WordsTokenizer::new(&[]).prefolded().words(&folded);
        let mut out = Vec::new();
        phrase_spans(&chars, &words, MIN_CHARS, MAX_CHARS, |s, e| {
            out.push(chars[s..e].iter().collect());
        });
        out
    }

    #[test]
    fn phrases_are_whole_words_without_punctuation_or_stopword_ends() {
        let p = spans("我们要实施更加积极的财政政策，推动“投资于人”。2025年5%左右");
        for want in ["财政政策", "积极的财政政策", "投资于人"] {
            assert!(p.iter().any(|x| x == want), "{want} missing from {p:?}");
        }
        for x in &p {
            assert!(!x.contains(['，', '“', '”', '。']), "{x} crosses punctuation");
            assert!(!x.starts_with("我们") && !x.starts_with('要') && !x.ends_with('的'), "{x}");
            assert!(x != "2025" && !x.contains('%'), "{x}");
            assert!((MIN_CHARS..=MAX_CHARS).contains(&x.chars().count()), "{x}");
        }
    }

    #[test]
    fn exact_counts_do_not_overlap_and_count_texts() {
        let phrases = ["哈哈", "财政", "财政政策"];
        let mut c = ExactCounts::new(&phrases).unwrap();
        c.add("哈哈哈哈哈，财政政策与财政");
        c.add("财政");
        assert_eq!(c.counts, vec![2, 3, 1]);
        assert_eq!(c.docs, vec![1, 2, 1]);
        let mut other = c.fresh();
        other.add("哈哈");
        c.merge(&other);
        assert_eq!((c.counts[0], c.docs[0]), (3, 2));
    }

    #[test]
    fn shorter_phrases_need_occurrences_of_their_own() {
        let phrases: Vec<String> =
            ["具身", "具身智能", "新质生产力", "发展新质生产力"].map(String::from).to_vec();
        // 具身 only inside 具身智能; 新质生产力 40 times elsewhere.
        let keep = maximal(&phrases, &[5, 5, 90, 50], 3);
        let kept: Vec<&str> = keep.iter().map(|&k| phrases[k].as_str()).collect();
        assert_eq!(kept, vec!["具身智能", "新质生产力", "发展新质生产力"]);
        // Two occurrences outside are not enough with a minimum of 3.
        assert_eq!(maximal(&phrases[..2], &[7, 5], 3), vec![1]);
        assert_eq!(maximal(&phrases[..2], &[8, 5], 3), vec![0, 1]);
    }

    proptest! {
        #[test]
        fn exact_counts_agree_with_str_matches(
            text in "[甲乙丙，]{0,40}",
            pats in proptest::collection::vec("[甲乙丙]{1,3}", 1..5),
        ) {
            let mut pats = pats;
            pats.sort();
            pats.dedup();
            let mut c = ExactCounts::new(&pats).unwrap();
            c.add(&text);
            for (k, p) in pats.iter().enumerate() {
                prop_assert_eq!(c.counts[k], text.matches(p.as_str()).count() as u64, "{}", p);
            }
        }
    }
}
